"""The calendar periods of the contract: month YYYY-MM, quarter YYYY-Qn, semester YYYY-H1/H2."""

import datetime as dt

import polars as pl
import pytest

from pipeline.core.periods import (
    Month,
    Quarter,
    Semester,
    month_bounds,
    month_start_expr,
    previous_month,
    semester_expr,
    semester_periods,
)


def test_month_bounds_quarter_and_semester():
    m = Month.parse("2024-02")
    assert (m.start, m.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))  # leap year
    assert month_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert m.quarter == Quarter(2024, 1) and m.semester == Semester(2024, 1)
    assert Month.parse("2026-07").semester.text == "2026-H2"
    assert Month.parse("2026-01").previous().text == "2025-12"
    assert Month.parse("2026-12").next().text == "2027-01"


def test_previous_month_of_a_run_on_the_first():
    assert previous_month(dt.date(2026, 11, 1)) == "2026-10"
    assert previous_month(dt.date(2026, 1, 1)) == "2025-12"


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", "", "2026-10-01"])
def test_a_malformed_month_names_the_expected_form(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse(bad)


def test_semester_periods_and_bad_semesters():
    assert semester_periods("2026-H1") == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert Semester.parse("2026-H2").end == dt.date(2026, 12, 31)
    with pytest.raises(ValueError, match="YYYY-H1 or YYYY-H2"):
        Semester.parse("2026-H3")


def test_column_expressions_agree_with_the_scalar_forms():
    periods = ["2026-01", "2026-06", "2026-07", "2026-12"]
    got = pl.DataFrame({"p": periods}).select(
        month_start_expr(pl.col("p")).alias("start"), semester_expr(pl.col("p")).alias("semester")
    )
    assert got["start"].to_list() == [Month.parse(p).start for p in periods]
    assert got["semester"].to_list() == [Month.parse(p).semester.text for p in periods]
