"""Round trip through an office suite: each seed as a Word file exported by LibreOffice.

This is how most agencies produce what they publish: Word or WPS → PDF, → Word 97 .doc, or → a
web page pasted into the CMS. Fonts and line breaks come from the office suite, table 3 breaks
across pages wherever the layout puts it, long labels wrap inside their cells, and the HTML export
spans value cells over two grid columns. The parsed cells, sections, agency and year must equal
the text version's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from render_docs import render_seed, seed_paths
from tooling import tool_missing

from audit.parse import parse_path

pytestmark = pytest.mark.skipif(tool_missing("soffice", "fc-list"), reason="LibreOffice not installed")


FORMATS = {"pdf": "pdf", "html": "html", "doc": "doc"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("office")
    docs = []
    for seed in seed_paths():
        docx = out / f"{seed.stem}.docx"
        docx.write_bytes(render_seed(seed, "docx"))
        docs.append(str(docx))
    for fmt in FORMATS:
        # one LibreOffice start per format; a private profile so parallel runs do not collide
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{out}/profile", "--headless", "--convert-to", fmt]
            + ["--outdir", str(out / fmt), *docs],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return {
        (seed.name, fmt): out / fmt / f"{seed.stem}.{ext}"
        for seed in seed_paths()
        for fmt, ext in FORMATS.items()
    }


def test_a_chinese_font_is_installed() -> None:
    # without one LibreOffice maps every CJK character to one glyph and the PDF text is garbage
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=True).stdout
    assert fonts.strip(), "没有中文字体：请运行 scripts/setup-system.sh"


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("seed", [p.name for p in seed_paths()])
def test_office_export_parses_like_the_text(
    seed: str, fmt: str, exported: dict[tuple[str, str], Path]
) -> None:
    text = parse_path(next(p for p in seed_paths() if p.name == seed))
    pdf = parse_path(exported[(seed, fmt)])
    assert pdf.readable
    assert {k: c.value for k, c in pdf.cells.items()} == {k: c.value for k, c in text.cells.items()}
    assert [s for s, v in pdf.sections.items() if v.present] == [
        s for s, v in text.sections.items() if v.present
    ]
    assert (pdf.agency, pdf.year, pdf.level) == (text.agency, text.year, text.level)
    if fmt == "pdf":
        assert pdf.cells["t3.new.total"].source.page is not None
