"""pipeline.core.keys: the left join on employee_id by binary search when both sides are in order, the
order checks that let a sort be skipped, and the windows over each employee's rows of a sorted frame."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core import keys as keys_module
from pipeline.core.keys import (
    SMALL,
    aligned,
    cum_max_within_employee,
    in_order,
    position_within_employee,
    previous_within_employee,
    sorted_unique,
)


def _join(ids: pl.Series, table: pl.DataFrame) -> pl.DataFrame:
    return ids.alias("employee_id").to_frame().join(table, on="employee_id", how="left", maintain_order="left")


def test_sorted_sides_are_matched_with_nulls_where_absent():
    ids = pl.Series(["E1", "E2", "E3", "E5"])
    table = pl.DataFrame({"employee_id": ["E0", "E2", "E3", "E4", "E9"], "v": [0, 2, 3, 4, 9], "t": list("abcde")})
    out = aligned(ids, table)
    # E1 and E5 fall between keys of the table, E2 and E3 are found: exactly the left join.
    assert out.to_dict(as_series=False) == {"v": [None, 2, 3, None], "t": [None, "b", "c", None]}
    assert out.equals(_join(ids, table).drop("employee_id"))


def test_out_of_order_sides_are_joined():
    ids = pl.Series(["E3", "E1", "E2"])
    table = pl.DataFrame({"employee_id": ["E2", "E3"], "v": [2, 3]})
    assert aligned(ids, table).get_column("v").to_list() == [3, None, 2]


def test_repeated_key_is_refused():
    with pytest.raises(ValueError, match="repeats"):
        aligned(pl.Series(["E1"]), pl.DataFrame({"employee_id": ["E1", "E1"], "v": [1, 2]}))


def test_sorted_unique():
    assert sorted_unique(pl.Series(["A", "B", "C"]))
    assert not sorted_unique(pl.Series(["A", "B", "B"]))
    assert not sorted_unique(pl.Series(["B", "A"]))
    assert not sorted_unique(pl.Series(["A", None], dtype=pl.String))


@pytest.mark.parametrize(
    ("ids", "dates", "expected"),
    [
        (["E1", "E1", "E2"], [3, 5, 1], True),  # by employee, then by date
        ([], [], True),
        (["E1", "E1", "E2"], [5, 3, 1], False),  # dates backwards within E1
        (["E1", "E1", "E2"], [3, 3, 1], False),  # a tie: a sort need not keep its order
        (["E2", "E1"], [1, 2], False),
        (["E1", None], [1, 2], False),  # a sort puts nulls first
        (["E1", "E2"], [None, 2], False),
    ],
)
def test_in_order(ids, dates, expected):
    frame = pl.DataFrame({"employee_id": ids, "date": dates}, schema={"employee_id": pl.String, "date": pl.Int32})
    assert in_order(frame, "employee_id", "date") is expected
    if expected:
        assert frame.sort("employee_id", "date").equals(frame)


def test_same_as_join_on_a_larger_sample():
    ids = pl.Series([f"E{i:05d}" for i in range(0, 3000, 2)])  # even numbers
    table = pl.DataFrame({"employee_id": [f"E{i:05d}" for i in range(0, 3000, 3)], "v": list(range(0, 3000, 3))})
    out = aligned(ids, table)
    assert out.equals(_join(ids, table).drop("employee_id"))
    assert out.get_column("v").drop_nulls().to_list() == list(range(0, 3000, 6))  # multiples of 2 and 3


def test_short_table_is_matched_from_its_keys():
    """A table with fewer than one row per SMALL ids is searched the other way round: the same join,
    keys outside the ids (before, between, after) left out, every column type kept."""
    ids = pl.Series([f"E{i:04d}" for i in range(0, 2000, 2)])
    keys = ["E0000", "E0001", "E0500", "E1998", "E1999", "E5000"]  # 0, 500, 1998 are among the ids
    table = pl.DataFrame(
        {
            "employee_id": keys,
            "v": pl.Series(["1.25", None, "3.50", "4.00", "5.00", "6.00"]).cast(pl.Decimal(18, 2)),
            "flag": [True, False, None, True, False, True],
            "code": pl.Series(list("abaabb"), dtype=pl.Enum(["a", "b"])),
        }
    )
    assert table.height * SMALL < ids.len()
    out = aligned(ids, table)
    assert out.equals(_join(ids, table).drop("employee_id")) and out.schema == table.drop("employee_id").schema
    found = out.with_row_index().filter(pl.col("flag").is_not_null())
    assert found.get_column("index").to_list() == [0, 999]  # E0000 and E1998; E0500's flag is null
    assert out.get_column("v").gather([0, 250, 999]).cast(pl.String).to_list() == ["1.25", "3.50", "4.00"]
    assert aligned(ids, table.slice(1, 1)).null_count().row(0) == (1000, 1000, 1000)  # E0001: not an id


def test_search_in_parts_is_the_plain_search(monkeypatch):
    """search_sorted cuts the values into consecutive parts searched at once: the same positions."""
    monkeypatch.setattr(keys_module, "PART", 3)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 4)
    table = pl.Series([f"E{i:03d}" for i in range(0, 100, 3)])
    values = pl.Series([f"E{i:03d}" for i in range(-5, 110)])  # "E-05" ... "E109": before, among, after
    found = keys_module.search_sorted(table, values)
    assert found.equals(table.search_sorted(values)) and found.dtype == table.search_sorted(values).dtype


_DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), _DATES), max_size=40))
def test_windows_within_employee_are_polars_windows(rows):
    """The whole-column windows give what polars' own ``over("employee_id")`` windows give, nulls included
    (a null date has a null running maximum, as ``cum_max`` leaves it)."""
    rows = sorted(rows, key=lambda r: r[0])
    frame = pl.DataFrame(
        {"employee_id": [f"E{e}" for e, _ in rows], "d": [d for _, d in rows]},
        schema={"employee_id": pl.String, "d": pl.Date},
    )
    d = pl.col("d")
    out = frame.select(
        d.cum_max().over("employee_id").alias("max_over"),
        cum_max_within_employee(d).alias("max"),
        d.cum_max().shift(1).over("employee_id").alias("previous_max_over"),
        previous_within_employee(cum_max_within_employee(d)).alias("previous_max"),
        pl.int_range(pl.len()).over("employee_id").alias("position_over"),
        position_within_employee().alias("position"),
    )
    for name in ("max", "previous_max", "position"):
        assert out.get_column(name).equals(out.get_column(f"{name}_over"), check_dtypes=True), name


def test_windows_within_employee_by_hand():
    frame = pl.DataFrame(
        {
            "employee_id": ["E1", "E1", "E1", "E2", "E2"],
            "d": [dt.date(2026, 1, 10), dt.date(2026, 1, 5), dt.date(2026, 2, 1), dt.date(2025, 1, 1), None],
        }
    )
    out = frame.select(
        previous_within_employee(cum_max_within_employee(pl.col("d"))).alias("previous_max"),
        position_within_employee().alias("position"),
    )
    # E1: nothing before its first row, then the latest of 10 Jan (and 5 Jan), then still 10 Jan;
    # E2 starts over: nothing, then 1 Jan 2025.
    assert out.get_column("previous_max").to_list() == [
        None,
        dt.date(2026, 1, 10),
        dt.date(2026, 1, 10),
        None,
        dt.date(2025, 1, 1),
    ]
    assert out.get_column("position").to_list() == [0, 1, 2, 0, 1]
