"""The DmfA aggregation pieces on small frames: the contract defaults it uses, the monthly
contribution lines keyed by the declarations' codes and types, and the run-store cross-check.
The hand-worked quarters end to end are in tests/rules/test_dmfa_quarter.py."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pytest

from pipeline.core.money import MONEY
from pipeline.declarations.dmfa.contributions import check_stored_totals, monthly_contributions
from pipeline.errors import RunStoreError
from schemas.inputs import typed_defaults

EMPLOYER = "174389412"
OTHER = "197029538"


def test_employer_defaults_come_from_the_employers_input_schema():
    # schemas.inputs: employer_category "000", workforce "0", commercial "true" (data contract defaults), typed.
    assert typed_defaults("employers") == {"employer_category": "000", "workforce": 0, "commercial": True}


def _months() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "employee_id": ["B1", "W1"],
            "period": ["2026-07", "2026-07"],
            "employer_id": [EMPLOYER, EMPLOYER],
            "niss": ["85073003328", "81022758727"],
            "worker_code": ["015", "495"],
            "worker_status": ["blue_collar", "white_collar"],
        }
    )


def _lines(rows: list[tuple[str, str, str, str, str, str]]) -> pl.DataFrame:
    """Stored monthly contribution lines: employee_id, contribution, payer, kind, dmfa_code, amount."""
    frame = pl.DataFrame(
        rows, schema=["employee_id", "contribution", "payer", "kind", "dmfa_code", "amount"], orient="row"
    )
    return frame.with_columns(pl.lit("2026-07").alias("period"), pl.col("amount").str.to_decimal(scale=2).cast(MONEY))


def test_monthly_lines_are_keyed_by_the_declared_code_and_type():
    # B1 (blue collar, 015): personal 141.16 + basic 214.70 + moderation 55.30 (1,080.00 x 13.07 %,
    # 19.88 %, 5.12 %); 809 0.34 % = 3.67; the annual holiday accrual is not declared.
    # W1 (white collar, 495): personal 130.70 (1,000.00 x 13.07 %).
    lines = _lines(
        [
            ("B1", "worker_onss", "worker", "due", "015", "141.16"),
            ("B1", "employer_basic", "employer", "due", "015", "214.70"),
            ("B1", "wage_moderation", "employer", "due", "015", "55.30"),
            ("B1", "ffe_commercial_small", "employer", "due", "809", "3.67"),
            ("B1", "holiday_annual_accrual", "employer", "accrual", None, "110.92"),
            ("W1", "worker_onss", "worker", "due", "495", "130.70"),
        ]
    )
    got = {
        (r["niss"], r["contribution_worker_code"], r["contribution_type"]): (r["monthly_worker"], r["monthly_employer"])
        for r in monthly_contributions(lines, _months()).to_dicts()
    }
    # ContributionType from the declarations: worker-code line 015 type 1, 495 type 0; 809 type 0 (< 20 workers).
    assert got == {
        ("85073003328", "015", "1"): (D("141.16"), D("270.00")),  # 214.70 + 55.30
        ("85073003328", "809", "0"): (D("0.00"), D("3.67")),
        ("81022758727", "495", "0"): (D("130.70"), D("0.00")),
    }


def test_monthly_lines_of_an_undeclared_contribution_are_refused():
    lines = _lines([("B1", "misspelt_fund", "employer", "due", "852", "1.00")])
    with pytest.raises(ValueError, match="undeclared contribution.*misspelt_fund"):
        monthly_contributions(lines, _months())


def test_stored_totals_must_add_up_per_employer():
    payroll = pl.DataFrame(
        {
            "employer_id": [EMPLOYER, OTHER, OTHER],
            "period": ["2026-07", "2026-08", "2026-09"],
            "worker_code": ["015", "495", None],  # the null worker code (employed abroad) is not declared
            "worker_contribution": [D("141.16"), D("130.70"), D("999.00")],
            "employer_contribution": [D("273.67"), D("250.00"), D("999.00")],
        },
        schema_overrides={"worker_contribution": MONEY, "employer_contribution": MONEY},
    )
    monthly = pl.DataFrame(
        {
            "employer_id": [EMPLOYER, EMPLOYER, OTHER],
            "monthly_worker": [D("141.16"), D("0.00"), D("130.70")],
            "monthly_employer": [D("270.00"), D("3.67"), D("250.00")],
        },
        schema_overrides={"monthly_worker": MONEY, "monthly_employer": MONEY},
    )
    # 141.16 + 273.67 = 414.83 = 141.16 + 270.00 + 0.00 + 3.67; 130.70 + 250.00 = 380.70 on both sides.
    check_stored_totals(payroll, monthly, "2026-Q3")
    # One cent missing from the lines of EMPLOYER: refused, naming that employer only.
    short = monthly.with_columns(
        pl.when(pl.col("monthly_employer") == D("3.67"))
        .then(D("3.66"))
        .otherwise(pl.col("monthly_employer"))
        .cast(MONEY)
        .alias("monthly_employer")
    )
    with pytest.raises(RunStoreError, match=rf"do not add up .* for employer\(s\) {EMPLOYER}; rerun") as err:
        check_stored_totals(payroll, short, "2026-Q3")
    assert OTHER not in str(err.value)
