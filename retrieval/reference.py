"""Reference data: texts that are the same for every corpus, and their vectors.

Off-topic passages (what "anything else" looks like, for abstention) and everyday questions
in several languages (the off-topic reference for a question not in English, and the mean
vector of each language; see bridge.towards_english) are embedded by every index. They do
not depend on the corpus, so their vectors are shipped with the package for the default
models (`data/reference-vectors.npz`, made by `python -m retrieval.reference`): a build of
any corpus looks them up by content hash instead of embedding them again. A model without
shipped vectors embeds them once per index, and a rebuild reuses them from the index before.
The everyday questions' token states (late interaction's level per language) are shipped
too (`data/everyday-states.npz`); another model reads them once per process.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval.late import TokenStates

DATA = Path(__file__).resolve().parent / "data"
BACKGROUND_FILE = DATA / "background.txt"
EVERYDAY_FILE = DATA / "everyday.txt"
SHIPPED_FILE = DATA / "reference-vectors.npz"
# the first default model's token states of the everyday questions, as questions (see
# evidence.late_levels)
SHIPPED_STATES_FILE = DATA / "everyday-states.npz"

# The sets of an index that hold reference texts (see store.SETS), and which of them are
# embedded as questions
REFERENCE_SETS = ("background", "everyday", "asked")


def data_lines(path: Path) -> list[str]:
    """The lines of one of the package's data lists, stripped, without blanks and comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def background_passages() -> list[str]:
    return data_lines(BACKGROUND_FILE)


def everyday_questions() -> list[str]:
    """The questions of EVERYDAY_FILE, without their language codes."""
    return [line.split("\t", 1)[-1].strip() for line in data_lines(EVERYDAY_FILE)]


def everyday_languages() -> list[str]:
    """The language code of each question of EVERYDAY_FILE."""
    return [line.split("\t", 1)[0].strip() for line in data_lines(EVERYDAY_FILE)]


def reference_texts(kind: str) -> list[str]:
    """The texts of one reference set: 'asked' are the everyday questions embedded as
    questions, 'everyday' the same embedded as passages."""
    return background_passages() if kind == "background" else everyday_questions()


def inputs_digest() -> dict[str, str]:
    """What a build records of the reference data, so that a change to it rebuilds."""
    return {
        "background": hashlib.blake2b(
            "\n".join(background_passages()).encode(), digest_size=16
        ).hexdigest(),
        "everyday": hashlib.blake2b(
            "\n".join(data_lines(EVERYDAY_FILE)).encode(), digest_size=16
        ).hexdigest(),
    }


def by_language(vectors: np.ndarray, languages: Sequence[str]) -> dict[str, np.ndarray]:
    """The everyday questions' vectors, language by language (empty if they do not match)."""
    if len(vectors) != len(languages):
        return {}
    codes = np.array(languages)
    return {code: vectors[codes == code] for code in sorted(set(languages))}


def language_means(per_language: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The mean question vector of each language: the same everyday questions in each, so
    that two means differ by the language alone (see bridge.towards_english)."""
    return {code: vectors.mean(0) for code, vectors in per_language.items()}


@lru_cache(maxsize=1)
def shipped_vectors() -> dict[str, np.ndarray]:
    """Content hash (store.content_hash of model, set and text) -> vector, for the texts
    above as the default models embed them; empty if the file is missing or unreadable."""
    try:
        with np.load(SHIPPED_FILE, allow_pickle=False) as data:
            hashes, vectors = data["hashes"], data["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    if len(hashes) != len(vectors):
        return {}
    return {str(h): v.astype(np.float32) for h, v in zip(hashes, vectors, strict=True)}


@lru_cache(maxsize=1)
def shipped_states() -> tuple[str, dict[str, np.ndarray]]:
    """The model and, by text, the token states of the everyday questions as it reads them
    as questions; ("", {}) if the file is missing or unreadable."""
    try:
        with np.load(SHIPPED_STATES_FILE, allow_pickle=False) as data:
            model, texts = str(data["model"]), [str(t) for t in data["texts"]]
            states, starts = data["states"], data["starts"]
        stored = TokenStates(states, starts)
        stored.check(len(texts), states.shape[-1])
    except (OSError, ValueError, KeyError):
        return "", {}
    return model, {text: stored.of(i).astype(np.float32) for i, text in enumerate(texts)}


def write_shipped_states(embedder: object) -> int:
    """Write SHIPPED_STATES_FILE for `embedder` (one that gives token states)."""
    texts = everyday_questions()
    _, states = embedder.embed_states(texts, query=True)  # type: ignore[attr-defined]
    joined = TokenStates.join(states, embedder.dim)  # type: ignore[attr-defined]
    np.savez_compressed(
        SHIPPED_STATES_FILE,
        model=np.array(embedder.name),  # type: ignore[attr-defined]
        texts=np.array(texts),
        states=joined.states,
        starts=joined.starts,
    )
    return len(texts)


def main(argv: Sequence[str] | None = None) -> int:
    """Embed the reference sets with the default models and write SHIPPED_FILE."""
    from retrieval.embed import DEFAULT_BACKEND, load_embedders, token_states
    from retrieval.vectors import FIRST_MODEL_ONLY, QUERY_SETS, content_hash

    backend = (list(argv) if argv is not None else sys.argv[1:] or [DEFAULT_BACKEND])[0]
    hashes: list[str] = []
    vectors: list[np.ndarray] = []
    embedders = load_embedders(backend)
    for number, embedder in enumerate(embedders):
        for kind in REFERENCE_SETS:
            if number and kind in FIRST_MODEL_ONLY:
                continue
            texts = reference_texts(kind)
            hashes += [content_hash(embedder.name, f"{kind}\0{t}") for t in texts]
            vectors.append(embedder.embed(texts, query=kind in QUERY_SETS))
    np.savez_compressed(SHIPPED_FILE, hashes=np.array(hashes), vectors=np.concatenate(vectors))
    print(f"{len(hashes)} reference vectors -> {SHIPPED_FILE}")
    if token_states(embedders[0]):
        count = write_shipped_states(embedders[0])
        print(f"token states of {count} everyday questions -> {SHIPPED_STATES_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
