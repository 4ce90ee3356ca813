"""Write retrieval/data/common-words.txt: the words whose single-word vectors every install
embeds once (retrieval.word_table), so that a question's common words cost it nothing; and
retrieval/data/frequent-words.txt: the commonest words of the same languages, which name
nothing alone (retrieval.question.names_nothing: "what", "что", "who is he?").

The word bridge (retrieval.bridge) embeds each question word that the corpus lacks, alone;
on the bundled corpus a third of a question's time the first time its words are met. Which
words a question brings that a corpus lacks is not known in advance, but most of them are
common words of the question's language. The list is, for each of English, Russian, Turkish,
German and Spanish (the languages the public benchmark asks in), the WORDS most frequent
words of wordfreq's "best" list, and the CAPITALISED most frequent of them capitalised as a
question's first word is; and the words of the everyday questions (retrieval/data/
everyday.txt, the reference every index has), which bring Azerbaijani's question words,
as wordfreq has no Azerbaijani. Kept are the words the bridge can meet (its word pattern,
not a stop word). No word of the public benchmark or of the project's question sets is
read.

The commonest words are those wordfreq counts at Zipf 6 or more (about one word in a
thousand of running text): the function words of each language ("the", "what", "что",
"ne", "was", "qué") and a few of its everyday nouns and names ("time", "россии"). A
question made only of them asks nothing the documents could be searched for; a name in it
is told by its capital letter, not by this list.

The source is wordfreq (Robyn Speer, https://github.com/rspeer/wordfreq), whose frequency
data is licensed CC BY-SA 4.0: the list, a selection of it, is too (its head says so).
wordfreq is needed only here, not by clausebot:

    .venv/bin/pip install wordfreq==3.1.1
    .venv/bin/python training/word_list.py   # -> retrieval/data/common-words.txt,
                                             #    retrieval/data/frequent-words.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.lexical import tokenize  # noqa: E402
from retrieval.question import FREQUENT_FILE  # noqa: E402
from retrieval.reference import everyday_questions  # noqa: E402
from retrieval.vocabulary import WORD  # noqa: E402
from retrieval.word_table import LIST_FILE  # noqa: E402

LANGUAGES = ("en", "ru", "tr", "de", "es")
WORDS = 8000  # a language's most frequent words
CAPITALISED = 2000  # of which, also capitalised
ZIPF = 6.0  # the commonest words: at least one word in a thousand of running text

HEAD = """\
# Common words of English, Russian, Turkish, German and Spanish, whose single-word vectors
# every install embeds once (retrieval.word_table); written by training/word_list.py.
# A selection of the frequency lists of wordfreq {version} (Robyn Speer,
# https://github.com/rspeer/wordfreq, doi:10.5281/zenodo.7199437), whose data is licensed
# CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); so is this list.
# {count} words, one a line: for each of {languages}, the {words} most frequent, and the
# {capitalised} most frequent capitalised; and the words of retrieval/data/everyday.txt.
"""

FREQUENT_HEAD = """\
# The commonest words of English, Russian, Turkish, German and Spanish: those the frequency
# lists of wordfreq {version} (Robyn Speer, https://github.com/rspeer/wordfreq,
# doi:10.5281/zenodo.7199437; data licensed CC BY-SA 4.0, and so is this list) count at Zipf
# {zipf} or more, in lower case, numbers left out; written by training/word_list.py. A question
# made of them alone names nothing to look for (retrieval.question.names_nothing).
# {count} words, one a line.
"""


def capitalise(word: str, language: str) -> str:
    """The word as it opens a sentence: in Turkish and Azerbaijani "i" is "İ" and "ı" is
    "I" ("ilk" -> "İlk"), where Python's upper() gives "I" for both."""
    first = word[:1]
    if language in ("tr", "az") and first in "iı":
        return {"i": "İ", "ı": "I"}[first] + word[1:]
    return first.upper() + word[1:]


def common_words(words: int, capitalised: int) -> list[str]:
    from wordfreq import top_n_list

    chosen: list[str] = []
    for language in LANGUAGES:
        frequent = top_n_list(language, words, wordlist="best")
        chosen += frequent + [capitalise(w, language) for w in frequent[:capitalised]]
    # and the words of the everyday questions, the reference every index has (retrieval/
    # data/everyday.txt): the question words of Azerbaijani too, which wordfreq lacks
    for question in everyday_questions():
        chosen += WORD.findall(question)
    usable = [w for w in dict.fromkeys(chosen) if WORD.fullmatch(w)]
    return [w for w, tokens in zip(usable, tokenize(usable), strict=True) if tokens]


def frequent_words(zipf: float) -> list[str]:
    """Each language's words at `zipf` or more, most frequent first, without numbers."""
    from wordfreq import top_n_list, zipf_frequency

    chosen: list[str] = []
    for language in LANGUAGES:
        for word in top_n_list(language, 1000, wordlist="best"):
            if zipf_frequency(word, language, wordlist="best") < zipf:
                break
            if not any(ch.isdigit() for ch in word):
                chosen.append(word)
    return list(dict.fromkeys(chosen))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=WORDS)
    parser.add_argument("--capitalised", type=int, default=CAPITALISED)
    parser.add_argument("--out", type=Path, default=LIST_FILE)
    parser.add_argument("--zipf", type=float, default=ZIPF)
    parser.add_argument("--frequent-out", type=Path, default=FREQUENT_FILE)
    args = parser.parse_args(argv)
    from importlib.metadata import version

    words = common_words(args.words, args.capitalised)
    head = HEAD.format(
        version=version("wordfreq"),
        count=len(words),
        languages=", ".join(LANGUAGES),
        words=args.words,
        capitalised=args.capitalised,
    )
    args.out.write_text(head + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {args.out}")
    frequent = frequent_words(args.zipf)
    head = FREQUENT_HEAD.format(version=version("wordfreq"), zipf=args.zipf, count=len(frequent))
    args.frequent_out.write_text(head + "\n".join(frequent) + "\n", encoding="utf-8")
    print(f"{len(frequent)} words -> {args.frequent_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
