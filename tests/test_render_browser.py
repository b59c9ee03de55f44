"""Headless Chromium opens the dashboard, a notice and evidence views from file:// (Debian's chromium)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from render_support import AGENCIES, build_store, gk, sqlite_store
from tooling import tool_missing

pytestmark = pytest.mark.skipif(
    tool_missing("chromium"), reason="chromium is not installed (scripts/setup-system.sh installs it)"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("browser")
    with sqlite_store(folder):
        build_store(folder)
        out = folder / "out"
        gk("notices", "--out", str(out))
        rows = [json.loads(x) for x in gk("findings", "--json").output.splitlines()]
    yield {"out": out, "findings": rows}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from browser import Browser

    with Browser() as b:
        yield b


def _visit(browser, url: str, shot: Path) -> None:  # noqa: ANN001
    browser.errors.clear()
    browser.requests.clear()
    browser.open(url)
    browser.screenshot(shot)
    assert shot.stat().st_size > 1000
    assert browser.errors == [], browser.errors
    leaving = [u for u in browser.requests if not u.startswith(("file://", "data:", "about:"))]
    assert leaving == []


def _bl03(site: dict, agency: str) -> dict:
    return next(f for f in site["findings"] if f["agency"] == agency and f["locator"] == "t3.natural")


def test_dashboard_and_notice_open_from_the_file_system(site: dict, browser, tmp_path: Path) -> None:  # noqa: ANN001
    _visit(browser, (site["out"] / "index.html").as_uri(), tmp_path / "dashboard.png")
    assert browser.evaluate("document.querySelectorAll('svg.chart').length") == 2
    assert browser.evaluate("document.querySelectorAll('a[href^=\"notices/\"]').length") >= 4
    notice = next((site["out"] / "notices").glob("preview-*.html"))
    _visit(browser, notice.as_uri(), tmp_path / "notice.png")
    assert "整改时限" in browser.evaluate("document.body.innerText")


CITED = """(() => {
  const cells = [...document.querySelectorAll('.gk-cell')];
  return cells.map(c => [c.textContent.trim(), getComputedStyle(c).outlineStyle, getComputedStyle(c).outlineColor]);
})()"""


@pytest.mark.parametrize("agency", [AGENCIES[0][0], AGENCIES[2][0]], ids=["text", "html"])
def test_evidence_view_highlights_the_cited_cell(site: dict, browser, tmp_path: Path, agency: str) -> None:  # noqa: ANN001
    finding = _bl03(site, agency)
    page = site["out"] / "evidence" / f"finding-{finding['id']}.html"
    _visit(browser, page.as_uri(), tmp_path / "evidence.png")
    assert browser.evaluate("document.querySelector('iframe.doc').getAttribute('sandbox')") == ""
    # the document inside the frame, opened on its own to read its highlighting
    _visit(browser, (page.parent / f"doc-{finding['id']}.html").as_uri(), tmp_path / "document.png")
    cited = browser.evaluate(CITED)
    assert cited, "no cell is highlighted"
    assert all(style == "solid" and color == "rgb(221, 0, 0)" for _, style, color in cited)
    values = [text for text, _, _ in cited]
    assert str(finding["evidence"]["t3.new.natural"]) in values  # 本年新收 自然人 = 12
    assert len(values) == len([k for k in finding["evidence"]["出处"]])


BOXES = """(() => {
  return [...document.querySelectorAll('.page .gk-box')].map(b => {
    const img = b.parentElement.querySelector('img').getBoundingClientRect();
    const r = b.getBoundingClientRect();
    return [r.left >= img.left, r.right <= img.right + 1, r.top >= img.top, r.bottom <= img.bottom + 1, r.width > 3, r.height > 3];
  });
})()"""


def test_pdf_evidence_boxes_the_cited_cell_on_the_page_image(site: dict, browser, tmp_path: Path) -> None:  # noqa: ANN001
    finding = _bl03(site, AGENCIES[1][0])
    page = site["out"] / "evidence" / f"finding-{finding['id']}.html"
    _visit(browser, page.as_uri(), tmp_path / "pdf-evidence.png")
    assert browser.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 500)")
    boxes = browser.evaluate(BOXES)
    assert boxes and all(all(checks) for checks in boxes), boxes
