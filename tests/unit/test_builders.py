"""The test builders of ``pipeline.testing.builders``: defaults that validate, overrides, and a
built batch that the reader, the validation and the CLI take as a real one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.intake.reading import Profile, read_batch
from pipeline.intake.validation import validate_batch
from pipeline.testing import builders as b
from schemas.checks import niss_birth_date, niss_ok, onss_number_ok
from schemas.inputs import INPUTS

BUILDERS = {"employers": b.employers, "employees": b.employees, "pay": b.pay, "absences": b.absences}


def a_batch() -> dict[str, pl.DataFrame]:
    """Three employees of two employers, a pay row each, an absence: only what the test is about."""
    return {
        "employers": b.employers(n=2, workforce=["12", "3"]),
        "employees": b.employees(
            {"worker_status": "blue_collar"},
            {"residence_country": "FR", "fr_grandfathered": False, "birth_date": dt.date(2001, 3, 4)},
            {"contract_type": "fixed_term", "employer_id": b.employers(n=2)["employer_id"][1]},
        ),
        "pay": b.pay(n=3, days_worked_be=20, daily_wage=["138.46", None, None]),
        "absences": b.absences(employee_id="E1"),
    }


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_default_row_has_every_column_in_contract_order_as_text(name):
    frame = BUILDERS[name]()
    spec = INPUTS[name]
    assert frame.columns == [c.name for c in spec.columns]
    assert set(frame.dtypes) == {pl.String}
    row = frame.row(0, named=True)
    for col in spec.columns:
        if col.required:
            assert row[col.name] is not None, col.name
        if col.default is not None:  # as reading fills it in
            assert row[col.name] == col.default, col.name


def test_default_identifiers_follow_the_checksum_rules():
    # ONSS employer number of base N = 1,234,567: N x 100 = 123,456,700 = 97 x 1,272,749 + 47, so
    # CC = 96 - 47 = 49 and (N x 100 + CC) mod 97 = 96: 123456749.
    assert b.EMPLOYER_ID == "123456749"
    assert b.employers(n=3)["employer_id"].to_list()[0] == b.EMPLOYER_ID
    assert b.employees()["employer_id"].item() == b.EMPLOYER_ID
    # NISS of E1, born 30 July 1985, serial 001 (national-register rule, born before 2000):
    # 850,730,001 = 97 x 8,770,412 + 37, CC = 97 - 37 = 60: 85073000160.
    assert b.employees()["niss"].item() == "85073000160"
    people = b.employees(n=3, birth_date=["1985-07-30", "2001-03-04", None])
    checked = people.select(
        niss_ok(pl.col("niss")).alias("ok"),
        niss_birth_date(pl.col("niss")).alias("born"),
        pl.col("niss").n_unique().alias("distinct"),
    )
    assert checked["ok"].to_list() == [True, True, True]
    # born from 2000: the number carries 2001-03-04 and the check digits of the 2000 rule
    assert checked["born"].to_list() == [dt.date(1985, 7, 30), dt.date(2001, 3, 4), dt.date(1985, 7, 30)]
    assert checked["distinct"].to_list() == [3, 3, 3]
    assert b.employers(n=3).select(onss_number_ok(pl.col("employer_id")).all()).item()


def test_overrides_scalars_lists_rows_and_explicit_none():
    frame = b.employees({"last_name": "Dupont"}, {}, residence_country="FR", worker_status=["blue_collar", None])
    assert frame["employee_id"].to_list() == ["E1", "E2"]
    assert frame["last_name"].to_list() == ["Dupont", "Lastname2"]
    assert frame["residence_country"].to_list() == ["FR", "FR"]
    assert frame["worker_status"].to_list() == ["blue_collar", None]  # None given: kept, not defaulted
    typed_values = b.pay(gross_salary=D("2500.5"), days_worked_be=20)
    assert typed_values.select("gross_salary", "days_worked_be").row(0) == ("2500.5", "20")
    assert b.absences(other_cause=True, start_date=dt.date(2026, 10, 1))[["other_cause", "start_date"]].row(0) == (
        "true",
        "2026-10-01",
    )


def test_a_fixed_term_contract_gets_an_end_one_year_after_its_start():
    frame = b.employees(contract_type="fixed_term", contract_start=["2026-03-01", "2024-02-29"])
    # 2026-03-01 + 1 year - 1 day; 2024-02-29 + 1 year = 2025-02-28 (no 29th), - 1 day
    assert frame["contract_end"].to_list() == ["2027-02-28", "2025-02-27"]
    assert b.employees()["contract_end"].item() is None  # open-ended: none


def test_validated_frames_have_the_contract_types():
    frame = b.validated("employees", worker_status="blue_collar", contract_start=dt.date(2015, 3, 2), n=2)
    assert frame.schema["contract_start"] == pl.Date and frame.schema["weekly_work_days"] == pl.Int8
    assert frame.select("employee_id", "contract_start", "weekly_work_days", "fr_seasonal", "source_line").rows() == [
        ("E1", dt.date(2015, 3, 2), 5, False, 2),
        ("E2", dt.date(2015, 3, 2), 5, False, 3),
    ]
    pay = b.validated("pay", gross_salary="2500.10")
    assert pay.select("gross_salary", "period_start").row(0) == (D("2500.10"), dt.date(2026, 10, 1))


def test_mistakes_in_a_builder_call_are_refused():
    with pytest.raises(ValueError, match=r"unknown columns \['gross'\]"):
        b.pay(gross="1.00")
    with pytest.raises(ValueError, match=r"row counts disagree: \[2, 3\]"):
        b.pay(n=3, gross_salary=["1.00", "2.00"])
    with pytest.raises(TypeError, match="never as a float"):
        b.pay(gross_salary=3000.0)


def test_a_written_batch_reads_and_validates_with_no_reject(tmp_path):
    frames = a_batch()
    folder = b.write_batch(tmp_path / "batch", **frames)
    assert sorted(p.name for p in folder.iterdir()) == ["absences.csv", "employees.csv", "employers.csv", "pay.csv"]
    raw = read_batch(folder, Profile.load(None))
    checked = validate_batch(raw)
    assert checked.rejects.height == 0
    assert checked.counts == {
        "employers": {"read": 2, "valid": 2, "rejected": 0, "blank": 0, "out_of_period": 0},
        "employees": {"read": 3, "valid": 3, "rejected": 0, "blank": 0, "out_of_period": 0},
        "pay": {"read": 3, "valid": 3, "rejected": 0, "blank": 0, "out_of_period": 0},
        "absences": {"read": 1, "valid": 1, "rejected": 0, "blank": 0, "out_of_period": 0},
    }
    for name, frame in frames.items():  # the typed rows are what as_validated says
        assert checked.frames[name].equals(b.as_validated(name, frame)), name
        assert raw[name].frame.equals(b.raw_batch(**{name: frame})[name].frame), name


def test_a_built_batch_validates_without_files():
    checked = validate_batch(b.raw_batch(**a_batch()))
    assert checked.rejects.height == 0
    assert {name: c["valid"] for name, c in checked.counts.items()} == {
        "employers": 2,
        "employees": 3,
        "pay": 3,
        "absences": 1,
    }


def test_a_missing_required_value_is_rejected_where_the_builder_puts_it():
    checked = validate_batch(b.raw_batch(employees=b.employees(niss=None), pay=b.pay()))
    assert checked.rejects.select("source_file", "source_line", "column", "check").row(0) == (
        "employees.csv",
        2,
        "niss",
        "not_nullable",
    )
    assert checked.counts["pay"] == {
        "read": 1,
        "valid": 0,
        "rejected": 1,
        "blank": 0,
        "out_of_period": 0,
    }  # falls with its employee


def test_the_cli_runs_on_a_written_batch(tmp_path):
    folder = b.write_batch(
        tmp_path / "batch",
        employees=b.employees(worker_status=["white_collar", "blue_collar"]),
        pay=b.pay(n=2),
    )
    result = CliRunner().invoke(
        app,
        ["run", str(folder), "--period", b.PERIOD, "--out", str(tmp_path / "out"), "--store", str(tmp_path / "s")]
        + ["--run-date", "2026-11-02", "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = pl.read_parquet(Path(tmp_path / "out" / "payroll_lines.parquet"))
    # ONSS worker contribution 13.07 % (socialsecurity.be, "Quels sont les types de cotisations")
    # less the work bonus (Law of 20 December 1999; table of 2026-09-01, reference wage 3,000.00 at 100 %):
    # E1 white collar: base = gross 3,000.00, 3,000.00 x 13.07 % = 392.10; volet A 127.54 - 0.2739 x
    # (3,000.00 - 2,937.93) = 110.539027 -> 110.54: 392.10 - 110.54 = 281.56;
    # E2 blue collar: base = 108 % of gross (holiday pay paid by ONVA) = 3,240.00, x 13.07 % = 423.468 -> 423.47;
    # ouvrier volet A 137.74 - 0.2958 x 62.07 = 119.379694 -> 119.38: 423.47 - 119.38 = 304.09.
    assert lines.select("employee_id", "onss_base", "worker_contribution").rows() == [
        ("E1", D("3000.00"), D("281.56")),
        ("E2", D("3240.00"), D("304.09")),
    ]
