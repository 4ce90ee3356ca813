"""Changing the corpus folder: a document added (`clausebot add`, a document an administrator
sends the bot) or taken out (`clausebot remove`), safely. What is added is read and checked
before anything in the folder changes, and put in place by a rename; what is taken out is
moved aside, into the folder's `.removed/` (which the corpus readers skip), never deleted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from retrieval.corpus import SUFFIXES, document_ids, fsync_path, read_document, sidecar
from retrieval.errors import CorpusError, DocumentExistsError, IdTakenError
from retrieval.folder import corpus_name
from retrieval.settings import DEFAULT_MAX_FILE_MB
from retrieval.types import Document, DocumentInfo

# the details a document is added with (`clausebot add`'s options, a Telegram caption's lines)
ADD_KEYS = ("id", "title", "short_title", "date", "place", "author", "kind", "encoding")
REMOVED = ".removed"  # the corpus folder's folder of documents taken out


def _one_line(metadata: Mapping[str, str]) -> None:
    for key, value in metadata.items():
        if "\n" in value or "\r" in value:
            raise CorpusError(f"--{key.replace('_', '-')} must be one line, without line breaks")


def _refuse_links(*paths: Path) -> None:
    for path in paths:
        if path.is_symlink():
            raise CorpusError(
                f"{path} is a symbolic link: clausebot does not write through links "
                "(remove the link, then add the file)"
            )


def add_document(
    folder: Path,
    source: Path,
    metadata: Mapping[str, str],
    force: bool = False,
    max_mb: float = DEFAULT_MAX_FILE_MB,
    shown_as: str = "",
) -> Document:
    """Copy a file into the corpus folder with its metadata, safely: the new file is read
    and checked (format, text, id) before anything in the corpus changes; an id that
    another document holds is refused; values with a line break are refused; each file is
    replaced atomically (a rename), and never through a symbolic link. What is refused
    names the file as `shown_as` (the address it was fetched from, its name as sent), else
    by its path."""
    shown = shown_as or str(source)
    if not source.is_file():
        raise CorpusError(f"{shown}: no such file")
    if source.suffix.lower() not in SUFFIXES:
        raise CorpusError(
            f"{shown}: {source.suffix or 'files without a suffix'} cannot be read "
            f"(use {', '.join(SUFFIXES)})"
        )
    _one_line(metadata)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    side = sidecar(target)
    _refuse_links(target, side)
    if (target.exists() or side.exists()) and not force:
        raise DocumentExistsError(target)
    # staged inside the corpus folder (same file system, so the rename is atomic), under a
    # dot-name that corpus readers skip
    staging = Path(tempfile.mkdtemp(prefix=".adding-", dir=folder))
    try:
        staged = staging / source.name
        shutil.copyfile(source, staged)
        staged_side = sidecar(staged)
        if metadata:
            staged_side.write_text(
                "".join(f"{k}: {v}\n" for k, v in metadata.items()), encoding="utf-8"
            )
        try:
            document = read_document(staged, max_mb)
        except CorpusError as exc:  # named by the file the user gave, not the staged copy
            raise CorpusError(str(exc).replace(str(staged), shown)) from None
        other = document_ids(folder).get(document.doc_id)
        if other is not None and corpus_name(other, folder) != target.name:
            raise IdTakenError(document.doc_id, other)
        _refuse_links(target, side)  # again, just before writing
        os.replace(staged, target)
        if staged_side.exists():
            os.replace(staged_side, side)
        elif side.exists():
            side.unlink()  # the replaced file's metadata is not the new file's
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        fsync_path(folder)  # the renames, on disk
    # as read staged (a scanned PDF read by OCR once, not twice), where it stands now
    return dataclasses.replace(document, info=dataclasses.replace(document.info, path=str(target)))


def remove_document(
    folder: Path, doc_id: str, max_mb: float = DEFAULT_MAX_FILE_MB
) -> tuple[DocumentInfo, Path]:
    """Take the document `doc_id` out of the corpus folder: its file and its metadata moved,
    by a rename, into the folder's REMOVED, under the time and its id, where they can be put
    back from (or deleted for good). Returns what it was, and where it went. An id no
    document of the folder has is refused, naming where to find the ids."""
    path = document_ids(folder).get(doc_id) if folder.is_dir() else None
    if path is None:
        raise CorpusError(
            f"no document {doc_id!r} in {folder}: `clausebot documents` lists the ids"
        )
    try:
        info = read_document(path, max_mb, folder).info
    except CorpusError:  # a file no build reads (damaged): taken out all the same
        info = DocumentInfo(doc_id=doc_id, title=path.name, path=str(path))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = folder / REMOVED / f"{stamp}-{doc_id}"
    aside.mkdir(parents=True)
    os.replace(path, aside / path.name)
    side = sidecar(path)
    if side.exists():
        os.replace(side, aside / side.name)
    with contextlib.suppress(OSError):
        fsync_path(path.parent)  # the renames, on disk
    return info, aside
