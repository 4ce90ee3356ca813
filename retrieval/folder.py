"""The corpus folder's files: the folder and the folders in it, as users keep documents
("corpus/2012/letter.pdf", "corpus/laws/telecom.docx"), each named by its path from the
corpus folder, which also makes its id (retrieval.corpus.read_document).

Left out: names starting with "." (the index's own staging, an editor's swap files, a
".git"), the folder of resources a browser saves beside a page ("Fees_files" beside
"Fees.html": its scripts, styles, images and adverts' frames, no part of the document), and
an index kept in the corpus folder (`--index corpus/index`: its generations' files).
A link to a folder is named, not followed: it may lead out of the corpus, or round in a loop.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from retrieval.formats import SUFFIXES

SIDECAR = ".meta"  # "report.pdf.meta" holds the metadata of "report.pdf", as key: value lines
_SAVED_WITH = "_files"  # a saved page's resources: "<page>_files" beside "<page>.html"
_PAGES = {".html", ".htm"}
# an index's folder holds its generations (retrieval.store, retrieval.generations) and the
# name of the one it serves
CURRENT = "current"
GENERATION = re.compile(r"gen-[0-9]+")  # a generation's folder name
# what no file name of the folder holds: control characters, and what Windows refuses
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]+')
_NAME_BYTES = 255  # the longest file name most file systems take


def file_name(given: str) -> str:
    """The name a file from outside (an upload's, a download's) is kept under in the corpus
    folder: its last part alone, whatever folders it names (so nothing lands outside the
    folder), with control characters and what Windows refuses as "-", without the dots and
    spaces it starts with (a dot-name is left out of the corpus), cut to 255 bytes with its
    suffix kept; "" where nothing is left."""
    name = Path(given.replace("\\", "/")).name
    name = _UNSAFE.sub("-", name).lstrip(". -").rstrip()
    stem, suffix = os.path.splitext(name)
    if len(suffix.encode()) > _NAME_BYTES // 2:  # no suffix: a dot in a long name
        stem, suffix = name, ""
    while len((stem + suffix).encode()) > _NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip() + suffix


def corpus_files(folder: Path) -> list[Path]:
    """The files of the corpus folder and of the folders in it (with links to files, and
    links to nothing), in the order of their names from the corpus folder; and, for the
    reader to name, the links to folders it does not follow and the folders it cannot list."""
    found: list[Path] = []

    def unlisted(error: OSError) -> None:
        found.append(Path(error.filename))

    for top, folders, files in os.walk(folder, onerror=unlisted, followlinks=False):
        here = Path(top)
        saved = {Path(name).stem for name in files if Path(name).suffix.lower() in _PAGES}
        kept = []
        for name in folders:
            if (
                name.startswith(".")
                or (name.endswith(_SAVED_WITH) and name.removesuffix(_SAVED_WITH) in saved)
                or _holds_an_index(here / name)
            ):
                continue
            if (here / name).is_symlink():
                found.append(here / name)  # named, not followed
            else:
                kept.append(name)
        folders[:] = kept
        found.extend(here / name for name in files if not name.startswith("."))
    return sorted(found, key=lambda path: corpus_name(path, folder))


def _holds_an_index(path: Path) -> bool:
    current = path / CURRENT
    try:
        if not (current.is_symlink() or current.is_file()):
            return False
        return any(GENERATION.fullmatch(entry.name) for entry in path.iterdir())
    except OSError:
        return False  # (a folder it cannot list: named by corpus_files)


def corpus_name(path: Path, folder: Path) -> str:
    """A corpus file's name from the corpus folder ("2012/letter.pdf"); its own name when it
    lies elsewhere (an index's record of a corpus since moved)."""
    for inside, of in ((path, folder), (path.absolute(), folder.absolute())):
        try:
            return inside.relative_to(of).as_posix()
        except ValueError:
            continue
    return path.name


def not_a_file(path: Path) -> str | None:
    """Why a corpus entry named like a document is not one to read, if it is not."""
    if path.is_file():
        return None
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return "a symbolic link that loops"
        except OSError:
            return "a symbolic link to nothing"
    if path.is_dir():
        # corpus_files gives a folder only when it does not go into it
        return (
            "a link to a folder, not followed" if path.is_symlink() else "a folder it cannot list"
        )
    return "not a regular file"


def corpus_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names (from the corpus folder), sizes and modification times of the corpus files and
    their metadata sidecars ("report.pdf.meta"): changes when any of them does."""
    if not folder.is_dir():
        return ()
    entries = []
    for path in corpus_files(folder):
        document = path.name.removesuffix(SIDECAR)
        if Path(document).suffix.lower() in SUFFIXES:
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((corpus_name(path, folder), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)
