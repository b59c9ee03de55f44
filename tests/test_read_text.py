"""Tests of the text reader: tab-separated rows keep their positions (K4), long lines, empty files."""

from __future__ import annotations

import pytest
from corpus import corpus_dir

from audit.limits import Limits
from audit.parse import parse_bytes
from audit.readers import UnreadableError, read
from audit.readers.text import read as read_text

ROW = "三、本年度办理结果\t(一) 予以公开\t"


def _seed_text() -> str:
    text = (corpus_dir("seeds") / "000_9244b7e655204337.txt").read_text(encoding="utf-8")
    assert ROW in text, "the seed's table-3 row moved: this test needs a tab-separated 予以公开 row"
    return text


def _with_granted_row(text: str, row: str) -> str:
    """Return the seed with its 予以公开 row replaced by ``row``."""
    lines = text.split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith(ROW))
    lines[i] = row
    return "\n".join(lines)


def test_tab_separated_row_keeps_empty_fields_as_blank_cells() -> None:
    doc = read_text("标题\n（一）予以公开\t31\t4\t\t\t2\t1\t\n（二）部分公开  1  2  3\n".encode(), "t.txt")
    tab, spaced = (b for b in doc.blocks if b.kind == "table")
    assert tab.rows == [["（一）予以公开", "31", "4", "", "", "2", "1", ""]] and tab.positional
    assert spaced.rows == [["（二）部分公开", "1", "2", "3"]] and not spaced.positional


def test_blank_tab_fields_stay_in_their_columns() -> None:
    report = parse_bytes(
        _with_granted_row(_seed_text(), "（一）予以公开\t31\t4\t\t\t2\t1\t").encode(), "k4.txt"
    )
    got = {
        c: report.value(f"t3.granted.{c}") for c in ("natural", "commercial", "research", "social", "legal")
    }
    assert got == {"natural": 31, "commercial": 4, "research": None, "social": None, "legal": 2}
    assert report.value("t3.granted.other_org") == 1 and report.value("t3.granted.total") is None


def test_space_separated_row_is_read_as_before() -> None:
    # runs of spaces do not say which position is blank: the values are taken from the right
    report = parse_bytes(
        _with_granted_row(_seed_text(), "（一）予以公开   31   4   2   1").encode(), "sp.txt"
    )
    got = [report.value(f"t3.granted.{c}") for c in ("social", "legal", "other_org", "total")]
    assert got == [31, 4, 2, 1] and report.value("t3.granted.natural") is None


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n\t", "\ufeff\n".encode("utf-16-le")])
def test_bom_only_file_is_empty(data: bytes) -> None:
    with pytest.raises(UnreadableError, match="文件为空"):
        read(data, "bom.txt")


def test_long_line_is_cut_with_a_problem() -> None:
    line = "一" * 5000
    doc = read(f"标题\n{line}\n二、主动公开\n".encode(), "long.txt", limits=Limits(max_line_chars=1000))
    assert [len(b.text) for b in doc.blocks] == [2, 1000, 6]
    problems = [p["detail"] for p in doc.problems if p.get("code") == "line_too_long"]
    assert len(problems) == 1 and "第2行" in problems[0] and "5000" in problems[0]
