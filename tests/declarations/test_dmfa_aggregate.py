"""The DmfA aggregation pieces on small frames: the contract defaults it uses, the monthly
contribution lines keyed by the declarations' codes and types, the work-bonus deduction, the
employer cap per worker over his lines, and the run-store cross-check. The hand-worked quarters
end to end are in tests/rules/test_dmfa_quarter.py."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pytest

from pipeline.core.money import MONEY
from pipeline.core.params import default_parameters
from pipeline.declarations.dmfa.contributions import (
    check_stored_totals,
    keyed_lines,
    monthly_contributions,
    quarterly_contributions,
)
from pipeline.declarations.dmfa.deductions import worker_deductions
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


def _lines(rows: list[tuple[str, str, str, str, str, str]], period: str = "2026-07") -> pl.DataFrame:
    """Stored monthly contribution lines: employee_id, contribution, payer, kind, dmfa_code, amount."""
    frame = pl.DataFrame(
        rows, schema=["employee_id", "contribution", "payer", "kind", "dmfa_code", "amount"], orient="row"
    )
    return frame.with_columns(
        pl.lit(period).alias("period"),
        pl.col("amount").str.to_decimal(scale=2).cast(MONEY),
        pl.lit("onss/parameter").alias("parameter"),
    )


B1_JULY = [
    ("B1", "worker_onss", "worker", "due", "015", "141.16"),
    ("B1", "employer_basic", "employer", "due", "015", "214.70"),
    ("B1", "wage_moderation", "employer", "due", "015", "55.30"),
    ("B1", "ffe_commercial_small", "employer", "due", "809", "3.67"),
    ("B1", "holiday_annual_accrual", "employer", "accrual", None, "110.92"),
    ("B1", "work_bonus", "worker", "deduction", "0001", "-141.16"),
    ("W1", "worker_onss", "worker", "due", "495", "130.70"),
    ("W1", "csss", "worker", "withheld", "856", "5.15"),
]
"""B1 (blue collar, 015): personal 141.16 + basic 214.70 + moderation 55.30 (1,080.00 x 13.07 %, 19.88 %,
5.12 %); 809 0.34 % = 3.67; the annual holiday accrual is not declared; the work bonus at its cap, the
13.07 % line (ouvrier table 137.74 + 185.75 = 323.49 > 141.16); no CSSS (no line for 0.00: 1,080.00 is
below the scale). W1 (white collar, 495): personal 130.70
(1,000.00 x 13.07 %) and a CSSS of 5.15 (two incomes, flat band)."""


def test_monthly_lines_are_keyed_by_the_declared_code_and_type():
    keyed = keyed_lines(_lines(B1_JULY), _months())
    got = {
        (r["niss"], r["contribution_worker_code"], r["contribution_type"]): (r["monthly_worker"], r["monthly_employer"])
        for r in monthly_contributions(keyed).to_dicts()
    }
    # ContributionType from the declarations: worker-code line 015 type 1, 495 type 0; 809 type 0 (< 20 workers);
    # the CSSS 856 type 0. The work bonus is no WorkerContribution (it is the WorkerDeduction 0001).
    assert got == {
        ("85073003328", "015", "1"): (D("141.16"), D("270.00")),  # 214.70 + 55.30
        ("85073003328", "809", "0"): (D("0.00"), D("3.67")),
        ("81022758727", "495", "0"): (D("130.70"), D("0.00")),
        ("81022758727", "856", "0"): (D("5.15"), D("0.00")),
    }
    # WorkerDeduction 0001 = minus the quarter's work-bonus lines (a positive amount); only above 0.
    august = _lines([("B1", "work_bonus", "worker", "deduction", "0001", "-98.48")], "2026-08")
    months = pl.concat([_months(), _months().with_columns(pl.lit("2026-08").alias("period"))])
    both = keyed_lines(pl.concat([_lines(B1_JULY), august]), months)
    assert worker_deductions(both).select("niss", "deduction_code", "amount").rows() == [
        ("85073003328", "0001", D("239.64"))  # 141.16 + 98.48
    ]
    # The withheld CSSS is declared as the sum withheld: no basis, no rate, no regularisation.
    wl = pl.DataFrame(
        {
            "employer_id": [EMPLOYER],
            "niss": ["81022758727"],
            "worker_code": ["495"],
            "worker_status": ["white_collar"],
            "remuneration_code1": [D("1000.00")],
            "employer_category": ["000"],
            "workforce": [5],
            "commercial": [True],
        },
        schema_overrides={"remuneration_code1": MONEY, "workforce": pl.Int32},
    )
    quarterly = quarterly_contributions(wl, default_parameters(), "2026-Q3", both).filter(
        pl.col("contribution_worker_code") == "856"
    )
    assert quarterly.select("basis", "rate", "amount", "amount_uncapped", "cap_relief", "worker_part").rows() == [
        (None, None, D("5.15"), D("5.15"), D("0.00"), D("5.15"))
    ]


def test_monthly_lines_of_an_undeclared_contribution_are_refused():
    lines = _lines([("B1", "misspelt_fund", "employer", "due", "852", "1.00")])
    with pytest.raises(ValueError, match="undeclared contribution.*misspelt_fund"):
        keyed_lines(lines, _months())


def test_employer_cap_is_per_worker_over_all_of_his_lines():
    """Programme Act of 18 July 2025 (onss/employer_cap_quarter 88,434.00 from 2026-07-01): basic +
    moderation are not due on the worker's quarterly basic pay above the cap, whatever the number of
    his worker lines. A worker blue collar in July-August (015, 2 x 40,000.00 = 80,000.00) and white
    collar in September (495, 40,000.00): 120,000.00 in all. Each line keeps its share of the cap,
    in proportion to its pay: 015 80,000.00 x 88,434.00 / 120,000.00 = 58,956.00 (x 1.08 = 63,672.48),
    495 40,000.00 x 88,434.00 / 120,000.00 = 29,478.00 (58,956.00 + 29,478.00 = 88,434.00). Each line
    alone is below the cap, so a cap per line would give no relief.
    015 = round(86,400.00 x 13.07 % + 63,672.48 x 25 %) = round(11,292.48 + 15,918.12) = 27,210.60
    (uncapped 86,400.00 x 38.07 % = 32,892.48; relief -5,681.88);
    495 = round(40,000.00 x 13.07 % + 29,478.00 x 25 %) = 5,228.00 + 7,369.50 = 12,597.50
    (uncapped 15,228.00; relief -2,630.50). Another worker alone at 80,000.00 keeps it all."""
    wl = pl.DataFrame(
        {
            "employer_id": [EMPLOYER] * 3,
            "niss": ["85073003328", "85073003328", "81022758727"],
            "worker_code": ["015", "495", "015"],
            "worker_status": ["blue_collar", "white_collar", "blue_collar"],
            "remuneration_code1": [D("80000.00"), D("40000.00"), D("80000.00")],
            "employer_category": ["000"] * 3,
            "workforce": [5] * 3,
            "commercial": [True] * 3,
        },
        schema_overrides={"remuneration_code1": MONEY, "workforce": pl.Int32},
    )
    out = quarterly_contributions(wl, default_parameters(), "2026-Q3")
    own = out.filter(pl.col("contribution_worker_code") == pl.col("worker_code"))
    got = {
        (r["niss"], r["worker_code"]): (r["basis"], r["basis_capped"], r["amount"], r["cap_relief"])
        for r in own.iter_rows(named=True)
    }
    assert got == {
        ("85073003328", "015"): (D("86400.00"), D("63672.48"), D("27210.60"), D("-5681.88")),
        ("85073003328", "495"): (D("40000.00"), D("29478.00"), D("12597.50"), D("-2630.50")),
        ("81022758727", "015"): (D("86400.00"), D("86400.00"), D("32892.48"), D("0.00")),
    }


def test_stored_totals_must_add_up_per_employer():
    payroll = pl.DataFrame(
        {
            "employer_id": [EMPLOYER, EMPLOYER, OTHER],
            "period": ["2026-07", "2026-07", "2026-08"],
            "worker_code": ["015", "495", None],  # the null worker code (employed abroad) is not declared
            # B1: 141.16 - 141.16 (work bonus) = 0.00 personal; 214.70 + 55.30 + 3.67 = 273.67 employer.
            "worker_contribution": [D("0.00"), D("130.70"), D("999.00")],
            "employer_contribution": [D("273.67"), D("0.00"), D("999.00")],
        },
        schema_overrides={"worker_contribution": MONEY, "employer_contribution": MONEY},
    )
    # The lines that make the totals: due and deduction (not the accrual, not the withheld CSSS):
    # 141.16 + 214.70 + 55.30 + 3.67 - 141.16 + 130.70 = 404.37 = 0.00 + 273.67 + 130.70.
    keyed = keyed_lines(_lines(B1_JULY), _months())
    check_stored_totals(payroll, keyed, "2026-Q3")
    # One cent missing from the lines of EMPLOYER: refused, naming that employer only.
    short = keyed.with_columns(
        pl.when(pl.col("amount") == D("3.67")).then(D("3.66")).otherwise(pl.col("amount")).cast(MONEY).alias("amount")
    )
    with pytest.raises(RunStoreError, match=rf"do not add up .* for employer\(s\) {EMPLOYER}; rerun") as err:
        check_stored_totals(payroll, short, "2026-Q3")
    assert OTHER not in str(err.value)
