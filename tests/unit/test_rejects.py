"""The reject table's order depends on its content only (data contract: byte-identical outputs)."""

import polars as pl

from pipeline.core import rejects


def _row(value: str, employee: str = "E-1") -> dict:
    return {
        "source_file": "absences.csv",
        "source_line": 7,
        "column": "start_date",
        "check": "episode_overlap",
        "employee_id": employee,
        "message": "episode overlaps another one",
        "value": value,
    }


def test_rows_tied_on_the_key_are_ordered_by_their_other_columns():
    # Two defects of one cell (same file, line, column, check and message), e.g. a stored absence
    # overlapping two others: whatever order they arrive in, the table is the same.
    a, b, c = _row("2026-10-05"), _row("2026-10-01"), _row("2026-10-01", employee="E-0")
    first = rejects.combine(pl.DataFrame([a, b]), pl.DataFrame([c]))
    second = rejects.combine(pl.DataFrame([c]), pl.DataFrame([b, a]))
    assert first.equals(second)
    assert first.select("employee_id", "value").rows() == [
        ("E-0", "2026-10-01"),
        ("E-1", "2026-10-01"),
        ("E-1", "2026-10-05"),
    ]
