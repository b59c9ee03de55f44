"""Tables printed without ruling lines: values glued to labels, rows split into text lines.

Without ruling lines pdfplumber cannot see cells; rows come out as lines of text with labels
wrapped over several lines and numbers glued to them. The parser still reads nearly every cell.
"""

from __future__ import annotations

from render_docs import blocks_of, render_pdf, seed_paths

from audit.parse import parse_bytes, parse_path


def test_unruled_tables_are_read_almost_entirely() -> None:
    total = right = 0
    for seed in seed_paths():
        want = {k: c.value for k, c in parse_path(seed).cells.items()}
        got = parse_bytes(render_pdf(blocks_of(seed), ruled=False), seed.stem + ".pdf")
        total += len(want)
        right += sum(1 for k, v in want.items() if got.value(k) == v)
    assert right / total >= 0.97, f"{right}/{total}"


def test_row_extracted_as_a_line_of_text() -> None:
    from audit.parse.rows import Row, _split

    sr = _split(Row(["行政许可 12"], line=1, page=None, index=0, is_table=False))
    assert (sr.label, sr.values) == ("行政许可", ["12"])
    glued = _split(Row(["2.其他法律行政法规禁止公开0", "1", "0", "0", "0", "0", "1"], 1, None, 0, True))
    assert glued.label == "2.其他法律行政法规禁止公开"
    assert glued.values == ["0", "1", "0", "0", "0", "0", "1"]
