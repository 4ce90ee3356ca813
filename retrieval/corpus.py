"""Reading the corpus folder: one Document per .txt/.md file, with its metadata.

Metadata sits in optional front matter at the top of a file::

    ---
    id: baku-declaration-2012
    title: Baku Declaration ...
    date: 2012-11-05
    ---

Without it, the id is a slug of the file name and the title the document's first line.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.folder import SIDECAR, corpus_files, corpus_name, not_a_file
from retrieval.formats import SAME_FORMAT, decode_text, extract, unframe
from retrieval.formats import SUFFIXES as FORMATS
from retrieval.headings import ends_without_punctuation, underlines
from retrieval.markdown import unseen_markdown
from retrieval.pages import paged
from retrieval.settings import DEFAULT_MAX_FILE_MB
from retrieval.sniff import format_of
from retrieval.types import Document, DocumentInfo

SUFFIXES = FORMATS
NOT_READ = f"not a format clausebot reads; save it as one that is ({', '.join(SUFFIXES)})"
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*)$")
_SLUG_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class CorpusProblem:
    """A file that was left out of the index, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# Letters that Unicode does not decompose into a base letter plus an accent.
_TRANSLIT = str.maketrans(
    {
        "ə": "e",
        "Ə": "E",
        "ı": "i",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "đ": "d",
        "ł": "l",
        "Ł": "L",
        "æ": "ae",
        "œ": "oe",
    }
)
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".replace(
            "-", ""
        ).split(" "),
        strict=True,
    )
)


def slugify(name: str) -> str:
    name = "".join(_CYRILLIC.get(ch, ch) for ch in name.lower().translate(_TRANSLIT))
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or "document"


def _parse_front_matter(text: str, path: Path) -> tuple[dict[str, str], int]:
    """Return (metadata, offset where the body starts)."""
    if not text.startswith("---\n"):
        return {}, 0
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise CorpusError(
                f"{path}: line 1: front matter starts with '---' but has no closing '---' line"
            )
    return _metadata_lines(text[4:end], path, 2), min(end + 5, len(text))


TITLE_LINES = 3  # lines a title set over several, as a PDF wraps a long one, has at most


def _first_line_title(body: str) -> str:
    """The document's first line, as its title; with the lines right under it where they
    run on from it ("Elektron rabitə xidmətlərinin" over "keyfiyyəti haqqında Qaydalar"):
    its paragraph of TITLE_LINES lines at most, the others starting in lower case, ending
    no sentence. An address's lines each start in capitals; but an act's kind in capitals
    over its name, one line without a number ("ЗАКОН АЗЕРБАЙДЖАНСКОЙ РЕСПУБЛИКИ" over "Об
    электронной подписи и электронном документе"), is its title: without its name, every
    law of a corpus would be cited alike. A first line that ends a sentence ("-- Test cases
    for functions in math.", "Original IDLE todo, much of it now outdated:"), or runs on
    into the next ("Guido van Rossum, as well as being the creator of the Python language,
    is the" over "original creator of IDLE."), is the text's, no title, unless a line
    underlines it: "" (the caller takes the file's name), where every citation named that
    line."""
    paragraph = body.lstrip("\n").split("\n\n", 1)[0].splitlines()
    lines = [_title_line(line) for line in paragraph]
    whole = " ".join(lines)
    named = (
        all(line.isupper() for line in lines[:-1])
        and not lines[-1].isupper()
        and any(ch.isalpha() for ch in lines[-1])  # not an underline
        and not any(ch.isdigit() for ch in lines[-1])
    )
    if (
        1 < len(lines) <= TITLE_LINES
        and (all(line[:1].islower() for line in lines[1:]) or named)
        and ends_without_punctuation(whole)
    ):
        return whole[:200]
    first = next((line for line in map(_title_line, body.splitlines()) if line), "")
    under = lines[1] if len(lines) > 1 else ""
    runs_on = under[:1].islower() and not ends_without_punctuation(whole)  # into a sentence
    if not underlines(first, under) and (not ends_without_punctuation(first) or runs_on):
        return ""  # the text's first sentence, or a line of it: the file's name is the title
    return first[:200]


def _title_line(line: str) -> str:
    """A line as a title reads it: its spaces folded, without markdown's "#" and "*"."""
    return " ".join(line.strip().strip("#*").split())


def _metadata_lines(text: str, path: Path, first_line: int) -> dict[str, str]:
    meta: dict[str, str] = {}
    for lineno, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(line)
        if not match:
            raise CorpusError(f"{path}: line {lineno}: metadata line is not 'key: value': {line!r}")
        key, value = match.group(1).lower().replace("-", "_"), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[key] = value
    return meta


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


def _sidecar_metadata(path: Path) -> dict[str, str]:
    """The metadata a file's sidecar gives ({} without one)."""
    side = sidecar(path)
    if not side.is_file():
        return {}
    try:
        return _metadata_lines(side.read_text(encoding="utf-8"), side, 1)
    except UnicodeDecodeError:
        raise CorpusError(f"{side}: not valid UTF-8") from None


def _front_matter(
    path: Path, raw: bytes, side_meta: Mapping[str, str]
) -> tuple[str, dict[str, str], int]:
    """A text or markdown file's characters (in the encoding its sidecar names, if any;
    each line ending "\\n"), the metadata of its front matter, and where its body starts."""
    text = decode_text(path, raw, side_meta.get("encoding", ""), sidecar(path).name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body_start = _parse_front_matter(text, path)
    return text, meta, body_start


def read_document(
    path: Path, max_mb: float = DEFAULT_MAX_FILE_MB, folder: Path | None = None
) -> Document:
    """Read one corpus file; raise CorpusError naming the file if it cannot be used. Its id,
    unless its metadata gives one, is its name's from `folder`, the corpus folder it lies in
    ("2012/letter.pdf": "2012-letter"; "letter.pdf": "letter")."""
    try:
        size = path.stat().st_size
        if size > max_mb * 1024 * 1024:
            raise CorpusError(
                f"{path}: {size / 1024 / 1024:.1f} MB is over the limit of {max_mb:g} MB "
                "(split the document, or raise CLAUSEBOT_MAX_FILE_MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror})") from exc
    suffix = path.suffix.lower()
    suffix = SAME_FORMAT.get(suffix, suffix)  # (".markdown": markdown, ".md")
    suffix = format_of(raw, suffix)  # ("report.doc" that is HTML: ".html")
    pages: tuple[int, ...] = ()
    plain: frozenset[int] = frozenset()
    columns: frozenset[int] = frozenset()
    code: frozenset[int] = frozenset()
    scanned: frozenset[int] = frozenset()
    linked: frozenset[int] = frozenset()
    extracted_title = ""
    side_meta = _sidecar_metadata(path)
    if suffix in (".txt", ".md"):
        text, meta, body_start = _front_matter(path, raw, side_meta)
        body = unframe(text[body_start:])
        if suffix == ".md":
            body, preformatted = unseen_markdown(body)
            code = frozenset(body_start + start for start in preformatted)
        elif "\f" in body:  # pages, as pdftotext writes them: their headers and footers off
            extracted = paged(body.split("\f"))
            body, extracted_title = extracted.text, extracted.title
            pages = tuple(body_start + start for start in extracted.pages)
        text = text[:body_start] + body
    else:
        extracted = extract(path, raw, side_meta.get("encoding", ""), suffix)
        text, pages, extracted_title, meta, body_start = (
            extracted.text,
            extracted.pages,
            extracted.title,
            {},
            0,
        )
        plain, columns, code = extracted.plain, extracted.columns, extracted.code
        scanned, linked = extracted.scanned, extracted.linked
    meta.update(side_meta)
    if not text[body_start:].strip():
        raise CorpusError(f"{path}: the document is empty")
    doc_id = _id_of(meta, path, folder)
    if not _SLUG_ID.match(doc_id):
        raise CorpusError(
            f"{path}: id {doc_id!r} must be a slug (lower-case letters, digits and '-')"
        )
    title = (
        meta.get("title") or extracted_title or _first_line_title(text[body_start:]) or path.stem
    )
    info = DocumentInfo(
        doc_id=doc_id,
        title=title,
        path=str(path),
        short_title=meta.get("short_title", ""),
        date=meta.get("date", ""),
        place=meta.get("place", ""),
        author=meta.get("author", ""),
        kind=meta.get("kind", ""),
        format=suffix.lstrip("."),
        ocr_pages=",".join(str(number + 1) for number in sorted(scanned)),
        examples=meta.get("examples", ""),
    )
    return Document(
        info=info,
        text=text,
        body_start=body_start,
        pages=pages,
        plain=plain,
        columns=columns,
        code=code,
        linked=linked,
    )


def _id_of(meta: Mapping[str, str], path: Path, folder: Path | None) -> str:
    """A document's id: its metadata's, else a slug of its name from the corpus folder."""
    named = corpus_name(path, folder) if folder is not None else path.name
    return meta.get("id") or slugify(named.removesuffix(path.suffix))


def document_ids(folder: Path) -> dict[str, Path]:
    """Each id of the folder's documents, and the file that holds it (the first, in the
    order the corpus is read, where two claim one), found as read_document finds it but
    without reading any text but a text's front matter: what adding a document checks its
    id against, and removing one looks its file up by, in a corpus of hundreds of PDFs."""
    found: dict[str, Path] = {}
    for path in corpus_files(folder):
        if path.suffix.lower() not in SUFFIXES or not_a_file(path) is not None:
            continue
        meta: dict[str, str] = {}
        with contextlib.suppress(CorpusError, OSError):
            meta = _sidecar_metadata(path)
            if SAME_FORMAT.get(path.suffix.lower(), path.suffix.lower()) in (".txt", ".md"):
                meta = _front_matter(path, path.read_bytes(), meta)[1] | meta  # the sidecar's win
        found.setdefault(_id_of(meta, path, folder), path)
    return found


def load_corpus(
    folder: Path, max_mb: float = DEFAULT_MAX_FILE_MB
) -> tuple[list[Document], list[CorpusProblem]]:
    """All readable documents of a folder and the folders in it (retrieval.folder), sorted by
    their names from it, and the files left out (for the caller to name: `clausebot index`
    prints them, the bot replies with them)."""
    if not folder.is_dir():
        raise CorpusError(
            f"corpus folder {folder} does not exist (pass --corpus DIR or set CLAUSEBOT_CORPUS)"
        )
    documents: list[Document] = []
    problems: list[CorpusProblem] = []
    seen: dict[str, str] = {}
    for path in corpus_files(folder):
        if path.is_dir():  # a link to a folder, or a folder it cannot list
            problems.append(CorpusProblem(str(path), str(not_a_file(path))))
            continue
        if path.suffix.lower() not in SUFFIXES:
            if not path.name.endswith(SIDECAR):
                # a document in a format not read (an ".rtf", a spreadsheet): named, not
                # passed over in silence, or "indexed 0 documents" would be all a user saw
                suffix = path.suffix or "a file without a suffix"
                problems.append(CorpusProblem(str(path), f"{suffix}: {NOT_READ}"))
            continue
        why = not_a_file(path)
        if why is not None:
            problems.append(CorpusProblem(str(path), why))
            continue
        try:
            document = read_document(path, max_mb, folder)
        except CorpusError as exc:
            problems.append(CorpusProblem(str(path), str(exc).removeprefix(f"{path}: ")))
            continue
        if document.doc_id in seen:
            reason = (
                f"id {document.doc_id!r} is already used by {seen[document.doc_id]}: give this"
                f" one another with a line 'id: another-id' in {sidecar(path)}"
            )
            problems.append(CorpusProblem(str(path), reason))
            continue
        seen[document.doc_id] = str(path)
        documents.append(document)
    return documents, problems


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
