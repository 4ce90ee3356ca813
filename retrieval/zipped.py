"""The parts of a document that is a zip (ODT, EPUB): read with a limit on their unpacked
size, and every way a damaged zip fails to read told apart from a bug, so that the reader
names the file instead of failing with a traceback."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from retrieval.errors import CorpusError

MAX_PART_MB = 200  # a part larger than this unpacked is refused (a zip bomb)
# how a damaged zip fails as it is opened or read: a bad central directory or checksum,
# a version or compression method the zip module has not (a byte of its header overwritten),
# data cut short or not inflating, a member "encrypted" by a flipped flag, a name not
# decoding, and XML that does not parse
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    zlib.error,
    RuntimeError,
    OSError,
    ValueError,
    ElementTree.ParseError,
)


def member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes | None:
    """A part of the zip, None if it has none of that name."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_MB * 1024 * 1024:
        raise CorpusError(f"{path}: its {name} unpacks to over {MAX_PART_MB} MB; not read")
    return archive.read(info)


def xml_member(archive: zipfile.ZipFile, name: str, path: Path) -> ElementTree.Element | None:
    """A part of the zip, parsed as XML; None if it has none of that name."""
    data = member(archive, name, path)
    return ElementTree.fromstring(data) if data is not None else None
