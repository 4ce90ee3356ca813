"""The language a corpus is written in, from its characters (retrieval.language)."""

from __future__ import annotations

from retrieval.language import (
    CharacterModel,
    char_grams,
    document_languages,
    everyday_model,
    foreign_letters,
    surely_in,
    written_in,
)
from retrieval.types import Clause

# Paragraphs written for this test, in the everyday questions' languages (none of them is
# from a corpus of the project)
PARAGRAPHS = {
    "en": "The council met on Tuesday and agreed to repair the bridge before the winter rains.",
    "az": "Şura çərşənbə axşamı toplaşdı və qış yağışlarından əvvəl körpünü təmir etməyə "
    "razılaşdı.",
    "tr": "Meclis salı günü toplandı ve kış yağmurlarından önce köprüyü onarmayı kabul etti.",
    "ru": "Совет собрался во вторник и решил отремонтировать мост до зимних дождей.",
    "de": "Der Rat trat am Dienstag zusammen und beschloss, die Brücke vor dem Winterregen zu "
    "reparieren.",
    "es": "El consejo se reunió el martes y acordó reparar el puente antes de las lluvias de "
    "invierno.",
}


def _clause(text: str, label: str = "", doc_id: str = "d") -> Clause:
    return Clause(doc_id=doc_id, number=1, text=text, start=0, end=len(text), label=label)


def test_each_language_is_told_from_its_characters() -> None:
    """Azerbaijani and Turkish too, which the model's vectors put on one side."""
    model = everyday_model()
    assert set(PARAGRAPHS) <= set(model.languages)
    for language, text in PARAGRAPHS.items():
        assert model.language([text]) == language, language


def test_a_corpus_is_the_language_of_its_clauses_not_its_letterhead() -> None:
    """The parts of a letter (fax lines, addresses) are left out when there is anything else;
    a corpus of nothing but such parts is still read."""
    fax = _clause("Fax: +1 310 477-4860, 12025 Waterfront Drive, Suite 300", "addressee")
    assert written_in([fax, _clause(PARAGRAPHS["az"]), _clause(PARAGRAPHS["az"])]) == "az"
    salutation = _clause("Dear Sir or Madam, thank you for your letter.", "salutation")
    assert written_in([salutation]) == "en"
    assert written_in([]) is None
    # figures, spaces and signs are every language's: a table of numbers is of none (and a
    # corpus of none is read as English, language.corpus_language)
    assert written_in([_clause("12 345 +(994) 12-34 / 2012")]) is None


def test_the_model_is_learnt_from_what_it_is_given() -> None:
    """No n-gram list is written in: two made-up languages are told apart by their letters,
    and no text at all is of no language."""
    model = CharacterModel([("xx", "ab ab abab"), ("yy", "cd cdc dcd")])
    assert model.languages == ["xx", "yy"]
    assert model.language(["abba"]) == "xx"
    assert model.language(["dcdc cd"]) == "yy"
    assert model.language([]) is None
    assert char_grams("Ab")[" a"] == 1  # lower case, framed in spaces


def test_a_document_is_told_apart_only_when_its_characters_are_decisive() -> None:
    """A law in Russian or Turkish among English reports, or a Turkish one among Azerbaijani
    texts, is read in its own language (retrieval.reading); a page that lists a library's
    names ("DEBUG_RUN_RESTART"), which the n-grams find a little likelier German than
    English, is no German text and stays the corpus's."""

    def document(doc_id: str, *texts: str) -> list[Clause]:
        return [_clause(text, doc_id=doc_id) for text in texts]

    names = document(
        "api",
        "IS_NODE_FAST IS_ELEM IS_ELEM_FAST IS_REAL_NODE NODE_IS_KEYED",
        "PARSER_CAST_FPTR DEBUG_CONT DEBUG_INIT DEBUG_NEXT DEBUG_NONE DEBUG_QUIT DEBUG_RUN "
        "DEBUG_RUN_RESTART DEBUG_STEP",
        "UNDEFINED_DEFAULT_NS CHECK_STOPPED CHECK_STOPPEDE",
        "LIBPARSE_PUBLIC PUBFUN PUBVAR CCTXT",
    )
    assert everyday_model().language(c.text for c in names) == "de"
    clauses = [
        *document("report", PARAGRAPHS["en"], PARAGRAPHS["en"]),
        *document("law", PARAGRAPHS["ru"], PARAGRAPHS["ru"]),
        *document("yonetmelik", PARAGRAPHS["tr"], PARAGRAPHS["tr"]),
        *names,
    ]
    assert document_languages(clauses, "en") == {"law": "ru", "yonetmelik": "tr"}
    azerbaijani = [*document("qayda", PARAGRAPHS["az"], PARAGRAPHS["az"]), *clauses[4:6]]
    assert document_languages(azerbaijani, "az") == {"yonetmelik": "tr"}


def test_a_language_written_like_a_known_one_is_told_by_its_letters() -> None:
    """Ukrainian reads as Russian, decisively, by its n-grams; its letters "і", "ї", "є",
    which Russian never writes, say it is not. Latin letters in a Russian text (a name) are
    not counted against it: every language quotes them."""
    russian = PARAGRAPHS["ru"] + " Об этом сообщила ICANN на сайте www.icann.org."
    ukrainian = "Рада зібралася у вівторок і вирішила відремонтувати міст до зимових дощів."
    assert foreign_letters([russian], "ru") == 0.0
    assert foreign_letters([ukrainian], "ru") > 0.05
    assert everyday_model().language([ukrainian]) == "ru"
    assert surely_in([_clause(russian)], "ru")
    assert not surely_in([_clause(ukrainian)], "ru")
    assert all(surely_in([_clause(text)], language) for language, text in PARAGRAPHS.items())
