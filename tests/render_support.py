"""Test helper: a store with three agencies' reports as text, PDF and HTML, audited, for the outputs.

- 中卫市测试局 (640500): the 2023 and 2024 fixture reports as text (BL03 ×2, ST01, CY04, ST01 recurring).
- 中卫市测试二局 (640502): the 2023 report printed as a PDF (ruled tables, reportlab).
- 中卫市测试三局 (640521): the 2023 report as an HTML page (TRS-style CMS layout).
- 中卫市测试四局 (640522): a PDF whose font encoding is broken (unreadable: TL03, coverage incomplete).

``build_store(folder, names)`` lets a test give other agency names (hostile ones). The reports are
generated at test time from tests/fixtures/store, nothing is committed. Built with the CLI, as a
user would: ``ingest`` then ``audit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from html_layouts import build as html_build
from render_docs import blocks_of, render_pdf

from audit.cli import main
from audit.store import db as store

FIXTURES = Path(__file__).parent / "fixtures" / "store"
PRINTED = "中卫市测试局"
TODAY = "2025-02-01"
AGENCIES = (
    ("中卫市测试局", "640500"),
    ("中卫市测试二局", "640502"),
    ("中卫市测试三局", "640521"),
    ("中卫市测试四局", "640522"),
)
UNREADABLE = Path(__file__).parent / "fixtures" / "reports" / "unreadable_font.pdf"


def gk(*args: str, code: int = 0, today: str = TODAY, input: str | None = None) -> Result:  # noqa: A002
    """Run the CLI in-process with a frozen today; assert the exit code."""
    result = CliRunner().invoke(
        main, list(args), env={"GKAUDIT_TODAY": today}, input=input, catch_exceptions=False
    )
    assert result.exit_code == code, result.output
    return result


@contextmanager
def sqlite_store(folder: Path) -> Iterator[Path]:
    """Point the store at a fresh SQLite database under ``folder`` for the duration."""
    with store.environment(
        GKAUDIT_DATA=str(folder / "data"),
        DATABASE_URL=f"sqlite:///{folder / 'gk.sqlite'}",
        GKAUDIT_TODAY=None,
        GKAUDIT_DEADLINE_DAYS=None,
    ):
        yield folder


def _files(folder: Path, names: list[str], extra_html: str = "") -> list[tuple[Path, str, str, str]]:
    """Write the reports; return (path, agency, region, year) per file."""
    src = folder / "src"
    src.mkdir(parents=True, exist_ok=True)
    v1 = (FIXTURES / "y2023_v1.txt").read_text(encoding="utf-8")
    out = []
    a, b, c, d = names
    (src / "a2023.txt").write_text(v1, encoding="utf-8")
    (src / "a2024.txt").write_bytes((FIXTURES / "y2024.txt").read_bytes())
    out += [(src / "a2023.txt", a, AGENCIES[0][1], "2023"), (src / "a2024.txt", a, AGENCIES[0][1], "2024")]
    # each agency's report prints its own name (ingest refuses another organ's report)
    (src / "b2023.txt").write_text(v1.replace(PRINTED, b), encoding="utf-8")
    (src / "b2023.pdf").write_bytes(render_pdf(blocks_of(src / "b2023.txt")))
    out.append((src / "b2023.pdf", b, AGENCIES[1][1], "2023"))
    (src / "c2023.txt").write_text(v1.replace(PRINTED, c), encoding="utf-8")
    page = html_build(src / "c2023.txt", "trs")
    if extra_html:
        page = page.replace(b"</body>", extra_html.encode("utf-8") + b"</body>")
    (src / "c2023.html").write_bytes(page)
    out.append((src / "c2023.html", c, AGENCIES[2][1], "2023"))
    out.append((UNREADABLE, d, AGENCIES[3][1], "2023"))
    return out


def build_store(folder: Path, names: list[str] | None = None, extra_html: str = "") -> list[str]:
    """Ingest and audit the three agencies' reports (names default to :data:`AGENCIES`)."""
    names = names or [n for n, _ in AGENCIES]
    gk("db", "upgrade")
    for path, agency, region, year in _files(folder, names, extra_html):
        gk(
            "ingest",
            str(path),
            "--agency",
            agency,
            "--region",
            region,
            "--year",
            year,
            "--level",
            "department",
            "--new-agency",
            "--force",  # hostile names are not printed in the reports
        )
    gk("audit")
    return names
