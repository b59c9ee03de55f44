"""Where a cited value sits in its printed row (the evidence view marks it), for every table."""

from __future__ import annotations

from audit.form import T3_COLUMNS, T4_COLUMNS, T4_GROUPS
from audit.render.evidence import value_from_end


def test_table_four_cells_are_counted_from_the_end_of_the_row() -> None:
    width = len(T4_GROUPS) * len(T4_COLUMNS)
    first, last = T4_GROUPS[0], T4_GROUPS[-1]
    assert value_from_end(f"t4.{first.id}.{T4_COLUMNS[0].id}") == width
    assert value_from_end(f"t4.{last.id}.{T4_COLUMNS[-1].id}") == 1
    assert value_from_end(f"t4.{first.id}.nosuch") is None


def test_table_three_cells_are_counted_from_the_end_of_the_row() -> None:
    assert value_from_end(f"t3.new.{T3_COLUMNS[-1].id}") == 1
    assert value_from_end(f"t3.new.{T3_COLUMNS[0].id}") == len(T3_COLUMNS)
