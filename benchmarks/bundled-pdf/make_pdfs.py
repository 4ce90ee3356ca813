"""Write benchmarks/bundled-pdf/corpus: the bundled corpus as PDFs, as a user's word
processor sets them. Each document's text (its front matter aside) is written as HTML, a
paragraph a block and its lines kept, opened in LibreOffice, saved as an OpenDocument text
and that saved as PDF; its front matter becomes a sidecar (`.pdf.meta`). Needs LibreOffice
(`soffice`, Debian's libreoffice-writer); run from the project's root:

    python benchmarks/bundled-pdf/make_pdfs.py
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "corpus"


def front_matter(text: str) -> tuple[str, str]:
    """The text's front matter (its lines between the two "---") and its body."""
    _, meta, body = text.split("---\n", 2)
    return meta, body


def main() -> int:
    soffice = shutil.which("soffice")
    if soffice is None:
        print("needs LibreOffice: apt-get install libreoffice-writer", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for source in sorted((ROOT / "corpus").glob("*.txt")):
            meta, body = front_matter(source.read_text(encoding="utf-8"))
            blocks = [b for b in body.replace("**", "").split("\n\n") if b.strip()]
            page = "".join(f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>\n" for b in blocks)
            (work / f"{source.stem}.html").write_text(
                f"<html><body>\n{page}</body></html>\n", encoding="utf-8"
            )
            for target, name in (("odt", f"{source.stem}.html"), ("pdf", f"{source.stem}.odt")):
                subprocess.run(
                    [soffice, "--headless", "--convert-to", target, "--outdir", tmp, name],
                    cwd=work,
                    check=True,
                    capture_output=True,
                )
            shutil.copy(work / f"{source.stem}.pdf", OUT / f"{source.stem}.pdf")
            (OUT / f"{source.stem}.pdf.meta").write_text(meta, encoding="utf-8")
            print(f"{OUT / source.stem}.pdf")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
