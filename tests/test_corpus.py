from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from retrieval.corpus import document_ids, load_corpus, read_document, slugify
from retrieval.corpus_edit import add_document
from retrieval.errors import CorpusError
from retrieval.folder import file_name
from tests.conftest import CORPUS


def test_bundled_corpus_metadata() -> None:
    documents, problems = load_corpus(CORPUS)
    assert not problems
    by_id = {d.doc_id: d.info for d in documents}
    assert set(by_id) == {"baku-declaration-2012", "letter-to-icann-2012"}
    assert by_id["baku-declaration-2012"].date == "2012-11-05"
    assert by_id["letter-to-icann-2012"].date == "2012-12-19"
    assert by_id["letter-to-icann-2012"].kind == "letter"


def test_without_front_matter_title_is_first_line_and_id_is_slug(tmp_path: Path) -> None:
    path = tmp_path / "Open Data Charter (2015).md"
    path.write_text("# Open Data Charter\n\nData should be open by default.\n", encoding="utf-8")
    document = read_document(path)
    assert document.info.title == "Open Data Charter"
    assert document.doc_id == "open-data-charter-2015"
    assert document.body_start == 0


def test_an_act_s_kind_in_capitals_over_its_name_is_its_title(tmp_path: Path) -> None:
    """A law saved as plain text opens with its kind in capitals over its name: its title
    was the first line alone ("ЗАКОН АЗЕРБАЙДЖАНСКОЙ РЕСПУБЛИКИ"), so every law of a corpus
    was cited alike. An address over its lines (a number in them), an underline and a
    sentence are no name."""
    cases = {
        "ЗАКОН АЗЕРБАЙДЖАНСКОЙ РЕСПУБЛИКИ\nОб электронной подписи\n\nСтатья 1.": (
            "ЗАКОН АЗЕРБАЙДЖАНСКОЙ РЕСПУБЛИКИ Об электронной подписи"
        ),
        "AZƏRBAYCAN RESPUBLİKASININ\nQANUNU\nElektron imza haqqında\n\nMaddə 1.": (
            "AZƏRBAYCAN RESPUBLİKASININ QANUNU Elektron imza haqqında"
        ),
        "MINISTRY OF FINANCE\n33 Boulevard Street\n\nDear Sir,": "MINISTRY OF FINANCE",
        "TRIGGERS\n========\n\nA trigger runs.": "TRIGGERS",
        "NOTICE\nThe office is closed.\n\nIt opens on Monday.": "NOTICE",
    }
    for n, (text, title) in enumerate(cases.items()):
        path = tmp_path / f"act{n}.txt"
        path.write_text(text, encoding="utf-8")
        assert read_document(path).info.title == title


def test_a_first_line_that_is_the_text_s_is_no_title(tmp_path: Path) -> None:
    """A plain text that opens with a sentence, or with a line of one, has no title in it:
    its citations name the file ("meeting-notes"), not "The meeting opened at ten." A line
    over the text, or underlined, is still a title."""
    cases = {
        "The meeting opened at ten.\n\nThe budget was adopted.": "meeting-notes",
        "Items agreed, most of them now done:\n\n- the budget": "meeting-notes",
        "The secretariat, as well as being the host of the forum, is the\n"
        "organiser of the ministerial meeting.\n": "meeting-notes",
        "Minutes of the meeting\nThe meeting opened at ten.\n": "Minutes of the meeting",
        "Minutes\n=======\n\nThe meeting opened at ten.\n": "Minutes",
    }
    for text, title in cases.items():
        path = tmp_path / "meeting-notes.txt"
        path.write_text(text, encoding="utf-8")
        assert read_document(path).info.title == title, text


def test_document_ids_are_found_as_reading_finds_them(tmp_path: Path) -> None:
    """`document_ids`, which adding and removing a document read instead of the whole
    corpus, gives each file the id read_document gives it: its sidecar's, its front
    matter's, or a slug of its name from the corpus folder."""
    folder = tmp_path / "corpus"
    (folder / "2013").mkdir(parents=True)
    (folder / "law.md").write_text("---\nid: fees-law\n---\n# Fees\n\nFees are paid.\n")
    (folder / "note.txt").write_text("---\nid: front\n---\nA note.\n")
    (folder / "note.txt.meta").write_text("id: side\n")
    (folder / "2013" / "Письмо.txt").write_text("Письмо о сборах.\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 damaged")
    (folder / "sheet.xlsx").write_bytes(b"PK")
    assert document_ids(folder) == {
        "2013-pismo": folder / "2013" / "Письмо.txt",
        "fees-law": folder / "law.md",
        "side": folder / "note.txt",
        "scan": folder / "scan.pdf",
    }
    documents, _ = load_corpus(folder)
    assert {d.doc_id: Path(d.info.path) for d in documents} == {
        k: v for k, v in document_ids(folder).items() if k != "scan"
    }


def test_slugify_folds_accents() -> None:
    assert slugify("Bəyannamə Şuşa") == "beyanname-susa"
    assert slugify("Декларация 2012") == "deklaratsiya-2012"
    assert slugify("!!!") == "document"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe bad bytes", "not valid UTF-8"),
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"---\ntitle: x\nno closing line\n", "no closing '---'"),
        (b"---\nthis is not a key value line\n---\nText.\n", "line 2"),
        (b"---\nid: Not A Slug\n---\nText.\n", "must be a slug"),
    ],
)
def test_bad_files_are_named_and_skipped(tmp_path: Path, content: bytes, needle: str) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "good.txt").write_text("A good clause.\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(content)
    documents, problems = load_corpus(folder)
    assert [d.doc_id for d in documents] == ["good"]
    assert len(problems) == 1 and problems[0].path.endswith("bad.txt")
    assert needle in problems[0].reason
    with pytest.raises(CorpusError, match="bad.txt"):
        read_document(folder / "bad.txt")


def test_duplicate_id_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("---\nid: same\n---\nOne.\n", encoding="utf-8")
    (folder / "b.txt").write_text("---\nid: same\n---\nTwo.\n", encoding="utf-8")
    documents, problems = load_corpus(folder)
    assert len(documents) == 1
    assert "already used" in problems[0].reason
    # the fix the warning names: another id for the file skipped, in its sidecar
    skipped = Path(problems[0].path)
    assert f"'id: another-id' in {skipped}.meta" in problems[0].reason
    Path(f"{skipped}.meta").write_text("id: another-id\n", encoding="utf-8")
    documents, problems = load_corpus(folder)
    assert sorted(d.doc_id for d in documents) == ["another-id", "same"] and not problems


def test_documents_in_folders_of_the_corpus_are_read(tmp_path: Path) -> None:
    """Users keep documents in folders ("2012/letter.txt", "laws/telecom.md"): they were
    passed over in silence, and "indexed 0 documents" was all a user with only folders
    saw. Each is read, its id its path from the corpus folder ("2012-letter"), so that two
    years' "letter.txt" stand apart; a file not read is named wherever it lies. Left out:
    hidden folders, the folder of scripts, images and frames a browser saves beside a page
    ("Fees_files" beside "Fees.html"; a folder of that name beside no page is read), and an
    index kept in the corpus folder (`--index corpus/index`)."""
    (tmp_path / "letter.txt").write_text("The top letter.\n", encoding="utf-8")
    for year in ("2012", "2013"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "letter.txt").write_text(f"The letter of {year}.\n", "utf-8")
    (tmp_path / "2013" / "laws").mkdir()
    (tmp_path / "2013" / "laws" / "Telecom Law.md").write_text("# Law\n\nA clause.\n", "utf-8")
    (tmp_path / "2013" / "laws" / "scan.png").write_bytes(b"\x89PNG")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("Not a document.\n", encoding="utf-8")
    (tmp_path / "Fees.html").write_text("<p>Fees are paid yearly.</p>", encoding="utf-8")
    (tmp_path / "Fees_files").mkdir()
    (tmp_path / "Fees_files" / "ad.html").write_text("<p>Buy now.</p>", encoding="utf-8")
    (tmp_path / "Fees_files" / "app.js").write_text("alert(1)", encoding="utf-8")
    (tmp_path / "Rules_files").mkdir()
    (tmp_path / "Rules_files" / "rules.txt").write_text("Rules apply.\n", encoding="utf-8")
    (tmp_path / "index" / "gen-1").mkdir(parents=True)
    (tmp_path / "index" / "gen-1" / "manifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / "index" / "current").symlink_to("gen-1")
    documents, problems = load_corpus(tmp_path)
    assert {d.doc_id: d.text for d in documents} == {
        "2012-letter": "The letter of 2012.\n",
        "2013-laws-telecom-law": "# Law\n\nA clause.\n",
        "2013-letter": "The letter of 2013.\n",
        "fees": "Fees are paid yearly.",
        "letter": "The top letter.\n",
        "rules-files-rules": "Rules apply.\n",
    }
    assert [(Path(p.path).relative_to(tmp_path).as_posix(), p.reason[:4]) for p in problems] == [
        ("2013/laws/scan.png", ".png")
    ]


def test_a_folder_that_cannot_be_listed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of the corpus it may not list (its permissions, a failing disk) is named
    with a reason, not passed over as if empty."""
    import os

    (tmp_path / "good.txt").write_text("A clause.\n", encoding="utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.txt").write_text("Unseen.\n", encoding="utf-8")
    listing = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    documents, problems = load_corpus(tmp_path)
    assert [d.doc_id for d in documents] == ["good"]
    assert [(Path(p.path).name, p.reason) for p in problems] == [
        ("locked", "a folder it cannot list")
    ]


def test_missing_corpus_folder_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="--corpus"):
        load_corpus(tmp_path / "nope")


def test_odd_entries_named_like_documents_are_reported(tmp_path: Path) -> None:
    """A link to nothing, a link loop and a link to a folder are left out with a reason,
    as unreadable files are, not silently; a folder called x.txt is a folder, read."""
    (tmp_path / "good.txt").write_text("A clause.\n", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "folder.txt" / "inner.txt").write_text("Another clause.\n", encoding="utf-8")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "loop-a.txt").symlink_to(tmp_path / "loop-b.txt")
    (tmp_path / "loop-b.txt").symlink_to(tmp_path / "loop-a.txt")
    (tmp_path / "elsewhere").symlink_to(tmp_path / "folder.txt")
    documents, problems = load_corpus(tmp_path)
    assert [d.doc_id for d in documents] == ["folder-txt-inner", "good"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons["elsewhere"] == "a link to a folder, not followed"
    assert reasons["dangling.txt"] == "a symbolic link to nothing"
    assert reasons["loop-a.txt"] == reasons["loop-b.txt"] == "a symbolic link that loops"


def test_a_file_over_the_size_limit_is_left_out_without_being_read(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"A clause of a large file.\n\n" * 60_000)  # 1.5 MB
    (tmp_path / "small.txt").write_text("A clause.\n", encoding="utf-8")
    documents, problems = load_corpus(tmp_path, max_mb=1.0)
    assert [d.doc_id for d in documents] == ["small"]
    (problem,) = problems
    assert "1.5 MB is over the limit of 1 MB" in problem.reason
    assert "CLAUSEBOT_MAX_FILE_MB" in problem.reason
    assert len(load_corpus(tmp_path)[0]) == 2  # under the default limit


def test_a_text_in_another_encoding_is_read_as_its_bom_or_its_metadata_says(
    tmp_path: Path,
) -> None:
    """Ministries' older text files are in Windows's code pages (Russian in windows-1251,
    Turkish and Azerbaijani in windows-1254), and Notepad saves "Unicode" as UTF-16 with a
    byte order mark: each was refused as not UTF-8, or as binary. A byte order mark says the
    encoding; a code page is named in the file's metadata ("encoding: windows-1251", or
    `clausebot add --encoding`), never guessed: guessed, Turkish text came out as Central
    European, "işletmecilere" as "iţletmecilere", and a quote must be the document's own."""
    russian = "Статья 2. Сборы\n\nОператоры уплачивают ежегодный сбор в размере 100 манатов.\n"
    turkish = "Madde 1. Genel\n\nBu kurallar tüm işletmecilere uygulanır.\n"
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "notepad.txt").write_bytes(russian.encode("utf-16"))  # with its BOM
    (folder / "legacy.txt").write_bytes(russian.encode("cp1251"))
    (folder / "karar.txt").write_bytes(turkish.encode("cp1254"))
    (folder / "karar.txt.meta").write_text("encoding: windows-1254\n", encoding="utf-8")
    documents, problems = load_corpus(folder)
    assert {d.doc_id: d.text for d in documents} == {"karar": turkish, "notepad": russian}
    assert [p.path for p in problems] == [str(folder / "legacy.txt")]
    assert "encoding: windows-1251" in problems[0].reason  # what to write, and where
    assert "legacy.txt.meta" in problems[0].reason
    (folder / "legacy.txt.meta").write_text("encoding: koi8-russian\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="'koi8-russian' is not one Python knows"):
        read_document(folder / "legacy.txt")
    (folder / "legacy.txt.meta").unlink()
    other = tmp_path / "other"
    other.mkdir()
    added = add_document(other, folder / "legacy.txt", {"encoding": "windows-1251"})
    assert added.text == russian and (other / "legacy.txt.meta").is_file()
    assert added == read_document(other / "legacy.txt")  # as read where it stands now
    # an old web page that declares no charset: the metadata's encoding is the one read
    page = other / "page.html"
    page.write_bytes(f"<html><body><p>{russian}</p></body></html>".encode("cp1251"))
    (other / "page.html.meta").write_text("encoding: windows-1251\n", encoding="utf-8")
    assert "Операторы уплачивают ежегодный сбор" in read_document(page).text


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Закон о связи.docx", "Закон о связи.docx"),  # a name as its sender wrote it
        ("../../etc/cron.d/job.txt", "job.txt"),  # no folder climbs out of the corpus
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        (".profile.md", "profile.md"),  # a dot-name would be left out of the corpus
        (" - .pdf", "pdf"),
        ("tariffs\n2013?.md", "tariffs-2013-.md"),
        ("...", ""),
    ],
)
def test_a_file_from_outside_is_kept_under_a_name_of_the_folder(given: str, kept: str) -> None:
    assert file_name(given) == kept


def test_a_long_file_name_is_cut_with_its_suffix_kept() -> None:
    kept = file_name("б" * 200 + ".pdf")
    assert kept.endswith("б.pdf") and len(kept.encode()) <= 255
    assert (Path("/tmp") / kept).suffix == ".pdf"
