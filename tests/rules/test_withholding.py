"""Withholding-tax (PP/BV) applicability: the decision table of docs/withholding.md.

One hand-worked case per table row (13), then the edges of every threshold and date. Legal basis:
- convention FR-BE of 10 March 1964 art. 11 §1 (work State) and its additional protocol on frontier
  workers as inserted by art. 2 of the avenant of 12 December 2008 (3rd transitional period
  2012-2033: 30 days outside the Belgian border zone per calendar year, prorated for a hire; one
  second chance; form 276 Front./Grens. per year and per employer, art. 87 AR/CIR 92; end
  2034-01-01), as Securex Lex4You "Régime frontalier français" explains it;
- convention BE-LU of 17 September 1970 art. 15 §1 and the avenant signed 31 August 2021 (24 days
  until 2021, 34 days from 2022-01-01), Benelux brochure for Luxembourg residents working in Belgium;
- NL 2001 / DE 1967 art. 15: days physically worked in Belgium.
Taxable share = days_worked_be / (days_worked_be + days_worked_residence + days_worked_other),
rounded half-up to 4 decimals (data-contract computation 4).
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from pipeline.core.params import Parameters, default_parameters
from pipeline.core.rejects import REJECT_SCHEMA, rejected_mask
from pipeline.errors import MissingParameterError
from pipeline.rules.withholding import LINE_SCHEMA, TABLE, decide_withholding, explain, explain_employee
from pipeline.rules.withholding.table import CONDITIONS, NEEDS, SCOPES, STRIDE, Context, holds
from pipeline.testing.builders import validated

PARAMS_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "parameters" / "withholding"


@pytest.fixture(scope="module")
def params() -> Parameters:
    return default_parameters()


def employee(employee_id: str = "E1", residence: str | None = "FR", **kw) -> dict:
    row = {
        "employee_id": employee_id,
        "employer_id": "200000001",
        "residence_country": residence,
        "fr_grandfathered": True if residence == "FR" else None,
        "fr_excluded_category": "none",
        "fr_276fg_year": None,
        "fr_second_chance_used": False,
        "fr_seasonal": False,
        "contract_start": dt.date(2010, 1, 1),
        "contract_end": None,
        "source_line": 2,
    }
    row.update(kw)
    return row


def month(
    period: str,
    be: int | None = 20,
    res: int = 0,
    other: int = 0,
    exits: int = 0,
    employee_id: str = "E1",
    line: int = 2,
) -> dict:
    return {
        "employee_id": employee_id,
        "period": period,
        "days_worked_be": be,
        "days_worked_residence": res,
        "days_worked_other": other,
        "zone_exit_days": exits,
        "source_line": line,
    }


def frame(name: str, rows: list[dict]) -> pl.DataFrame:
    """The validated ``name`` frame of the rows (the input contract's builders: every other column
    valid, source file ``<name>.csv``), each on the source line it gives."""
    cells = [{k: v for k, v in row.items() if k != "source_line"} for row in rows]
    lines = pl.Series("source_line", [row["source_line"] for row in rows], pl.Int64)
    return validated(name, *cells, n=len(rows)).with_columns(lines)


def run(employees: list[dict], pay: list[dict], period: str, params: Parameters):
    return decide_withholding(frame("employees", employees), frame("pay", pay), period, params)


def one(employees, pay, period, params) -> dict:
    result = run(employees, pay, period, params)
    assert result.rejects.height == 0, result.rejects.to_dicts()
    assert result.lines.height == 1
    return result.lines.row(0, named=True)


# ---------------------------------------------------------------------------------------------
# One case per row of the table
# ---------------------------------------------------------------------------------------------
def test_row01_belgian_resident(params):
    # Row 1 (CIR 92 art. 1 and 3): residence BE -> PP on 100 % (foreign days out of scope), even with foreign days.
    line = one([employee(residence="BE")], [month("2025-03", be=15, res=0, other=5)], "2025-03", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == ("BE_RESIDENT", 1, True)
    assert line["taxable_share_be"] == Decimal("1.0000")
    assert line["regularisation_required"] is False and line["regularisation_periods"] == ""


def test_row02_french_regime_ended_2034(params):
    # Avenant of 12 December 2008: regime abolished from 2034-01-01. 2034-01: share 18 / (18 + 2 + 0) = 0.9000.
    e = employee(fr_276fg_year=2034)
    line = one([e], [month("2034-01", be=18, res=2)], "2034-01", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == (
        "FR_REGIME_ENDED_2034",
        2,
        True,
    )
    assert line["taxable_share_be"] == Decimal("0.9000")
    assert line["fr_regime_end"] == dt.date(2034, 1, 1)


def test_row03_not_grandfathered(params):
    # Grandfathering conditions not met (e.g. hired after 2011): days share 15 / (15 + 5 + 1) = 0.714285... -> 0.7143
    line = one([employee(fr_grandfathered=False)], [month("2025-03", be=15, res=5, other=1)], "2025-03", params)
    assert (line["withholding_reason"], line["table_row"]) == ("FR_NOT_GRANDFATHERED", 3)
    assert line["taxable_share_be"] == Decimal("0.7143")


def test_row04_excluded_category(params):
    # Excluded categories (CRD EURES guide du travailleur frontalier France-Belgique): company directors.
    # 20 / (20 + 2) = 0.909090... -> 0.9091
    line = one(
        [employee(fr_excluded_category="company_director", fr_276fg_year=2025)],
        [month("2025-03", be=20, res=2)],
        "2025-03",
        params,
    )
    assert (line["withholding_reason"], line["table_row"]) == ("FR_EXCLUDED_CATEGORY", 4)
    assert line["taxable_share_be"] == Decimal("0.9091")


def test_row05_second_excess_is_definitive(params):
    # Avenant 2008 art. 2 §5: second chance already used in an earlier year; 31 exit days > 30 -> lost for good.
    # share 17 / (17 + 3) = 0.8500; no regularisation ("from now on").
    e = employee(fr_second_chance_used=True, fr_276fg_year=2025)
    line = one([e], [month("2025-01", exits=20), month("2025-02", be=17, res=3, exits=11)], "2025-02", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == (
        "FR_EXIT_LIMIT_DEFINITIVE",
        5,
        True,
    )
    assert line["fr_exit_days_ytd"] == 31
    assert line["taxable_share_be"] == Decimal("0.8500")
    assert line["regularisation_required"] is False and line["regularisation_periods"] == ""


def test_row06_first_excess_loses_the_year_and_regularises(params):
    # Avenant 2008 art. 2 §5 al. 2 (Securex Lex4You): first excess -> year lost, earlier months regularised.
    # Jan 10 + Feb 10 + Mar 11 = 31 > 30 (full year employed: 30 x 365 / 365 = 30).
    e = employee(fr_276fg_year=2025)
    pay = [month("2025-01", exits=10), month("2025-02", exits=10), month("2025-03", be=18, res=2, exits=11)]
    line = one([e], pay, "2025-03", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == (
        "FR_EXIT_LIMIT_YEAR_LOST",
        6,
        True,
    )
    assert line["fr_exit_days_ytd"] == 31 and line["fr_exit_limit"] == Decimal("30")
    assert line["fr_first_excess_period"] == "2025-03"
    assert line["regularisation_required"] is True
    assert line["regularisation_periods"] == "2025-01,2025-02"
    assert line["taxable_share_be"] == Decimal("0.9000")  # 18 / 20


def test_row07_276fg_of_last_year(params):
    # Art. 87 AR/CIR 92: the attested 276 FG must be for this calendar year (renewed each year).
    # Form of 2024 in 2025-02 -> withhold; share 20 / 20 = 1.0000.
    line = one([employee(fr_276fg_year=2024)], [month("2025-02", be=20)], "2025-02", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == ("FR_276FG_MISSING", 7, True)
    assert line["fr_276fg_valid"] is False
    assert line["taxable_share_be"] == Decimal("1.0000")


def test_row08_frontier_exempt(params):
    # All conditions met: taxable in France only (avenant 2008), no Belgian PP, share 0.
    line = one([employee(fr_276fg_year=2025)], [month("2025-02", be=18, res=2, exits=2)], "2025-02", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == (
        "FR_FRONTIER_EXEMPT",
        8,
        False,
    )
    assert line["taxable_share_be"] == Decimal("0.0000")
    assert line["fr_276fg_valid"] is True


def test_row09_luxembourg_within_tolerance(params):
    # BE-LU art. 15 §1 as amended 2021: 10 + 10 = 20 days outside Belgium <= 34 (2025) -> all pay taxable in Belgium.
    pay = [month("2025-01", be=12, res=10), month("2025-02", be=10, res=8, other=2)]
    line = one([employee(residence="LU")], pay, "2025-02", params)
    assert (line["withholding_reason"], line["table_row"]) == ("LU_WITHIN_TOLERANCE", 9)
    assert line["taxable_share_be"] == Decimal("1.0000")
    assert (line["days_outside_be_ytd"], line["lu_tolerance"]) == (20, 34)


def test_row10_luxembourg_over_tolerance(params):
    # BE-LU: Jan 12 + Feb 12 + Mar 11 = 35 > 34 -> every day outside Belgium is taxable outside Belgium.
    # March share 9 / (9 + 10 + 1) = 0.4500
    pay = [month("2025-01", be=8, res=12), month("2025-02", be=8, res=12), month("2025-03", be=9, res=10, other=1)]
    line = one([employee(residence="LU")], pay, "2025-03", params)
    assert (line["withholding_reason"], line["table_row"]) == ("LU_OVER_TOLERANCE_PRORATA", 10)
    assert line["days_outside_be_ytd"] == 35
    assert line["taxable_share_be"] == Decimal("0.4500")


def test_row11_netherlands(params):
    # BE-NL convention 2001 art. 15, no tolerance: 12 / (12 + 8) = 0.6000
    line = one([employee(residence="NL")], [month("2025-03", be=12, res=8)], "2025-03", params)
    assert (line["withholding_reason"], line["table_row"]) == ("NL_WORK_STATE_PRORATA", 11)
    assert line["taxable_share_be"] == Decimal("0.6000")


def test_row12_germany(params):
    # BE-DE convention 1967 art. 15: 2 / (2 + 1) = 0.666666... -> 0.6667 (half-up)
    line = one([employee(residence="DE")], [month("2025-03", be=2, res=1)], "2025-03", params)
    assert (line["withholding_reason"], line["table_row"]) == ("DE_WORK_STATE_PRORATA", 12)
    assert line["taxable_share_be"] == Decimal("0.6667")


def test_row13_other_residence(params):
    # Row 13: any other State -> days share and manual treaty review: 1 / (1 + 6 + 1) = 0.1250
    line = one([employee(residence="ES")], [month("2025-03", be=1, res=6, other=1)], "2025-03", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == (
        "OTHER_TREATY_REVIEW",
        13,
        True,
    )
    assert line["taxable_share_be"] == Decimal("0.1250")


# ---------------------------------------------------------------------------------------------
# French 30-day limit (avenant 2008 art. 2 §5): exactly 30 / 31; hire 1 July (15.12...), departure
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("exits", "reason"), [(30, "FR_FRONTIER_EXEMPT"), (31, "FR_EXIT_LIMIT_YEAR_LOST")])
def test_thirty_days_is_allowed_thirty_one_exceeds(params, exits, reason):
    # "ne sort pas plus de 30 jours": 30 is within, 31 strictly above.
    line = one([employee(fr_276fg_year=2025)], [month("2025-06", exits=exits)], "2025-06", params)
    assert line["withholding_reason"] == reason
    assert line["fr_exit_days_ytd"] == exits


@pytest.mark.parametrize(("exits", "reason"), [(15, "FR_FRONTIER_EXEMPT"), (16, "FR_EXIT_LIMIT_YEAR_LOST")])
def test_hire_on_1_july_prorates_the_limit(params, exits, reason):
    # Partena 2017 ("à éventuellement proratiser"): hired 2025-07-01 -> 1 July..31 Dec = 184 days;
    # limit 30 x 184 / 365 = 15.123287671232876... (not rounded): 15 within, 16 exceeds.
    e = employee(fr_276fg_year=2025, contract_start=dt.date(2025, 7, 1))
    line = one([e], [month("2025-07", exits=7), month("2025-08", exits=exits - 7)], "2025-08", params)
    assert line["withholding_reason"] == reason
    assert line["fr_days_employed_year"] == 184 and line["days_in_year"] == 365
    assert line["fr_exit_limit"] == Decimal("15.123287671233")  # shown at 12 decimals; compared exactly
    assert line["fr_exit_limit_formula"] == "30 x 184 / 365 calendar days employed in the year"


def test_departure_during_the_year_also_prorates(params):
    # contract_end 2025-06-30: 1 Jan..30 Jun = 181 days; 30 x 181 / 365 = 14.8767... -> 15 exceeds.
    e = employee(fr_276fg_year=2025, contract_end=dt.date(2025, 6, 30))
    line = one([e], [month("2025-05", exits=15)], "2025-05", params)
    assert line["withholding_reason"] == "FR_EXIT_LIMIT_YEAR_LOST"
    assert line["fr_days_employed_year"] == 181
    assert line["fr_exit_limit"] == Decimal("14.876712328767")


def test_leap_year_hire_prorates_on_366_days(params):
    # 2028 is a leap year: hired 2028-07-01 -> 184 days of 366; 30 x 184 / 366 = 15.0819... -> 15 within, 16 exceeds.
    e = employee(fr_276fg_year=2028, contract_start=dt.date(2028, 7, 1))
    ok = one([e], [month("2028-09", exits=15)], "2028-09", params)
    over = one([e], [month("2028-09", exits=16)], "2028-09", params)
    assert (ok["withholding_reason"], over["withholding_reason"]) == ("FR_FRONTIER_EXEMPT", "FR_EXIT_LIMIT_YEAR_LOST")
    assert ok["days_in_year"] == 366 and ok["fr_exit_limit"] == Decimal("15.081967213115")


@pytest.mark.parametrize(("exits", "reason"), [(6, "FR_FRONTIER_EXEMPT"), (7, "FR_EXIT_LIMIT_YEAR_LOST")])
def test_seasonal_worker_15_percent_of_days_worked(params, exits, reason):
    # Form 276 FG.S (CRD EURES guide): seasonal exits <= 15 % of days worked in the year.
    # Days worked so far: (20 + 0) + (18 + 2) = 40; 15 % x 40 = 6: 6 within, 7 exceeds.
    e = employee(fr_seasonal=True, fr_276fg_year=2025, contract_start=dt.date(2025, 5, 1))
    pay = [month("2025-05", be=20, exits=3), month("2025-06", be=18, res=2, exits=exits - 3)]
    line = one([e], pay, "2025-06", params)
    assert line["withholding_reason"] == reason
    assert line["fr_exit_limit"] == Decimal("6")
    assert line["fr_exit_limit_formula"] == "15 % x 40 days worked in the year so far"


def test_seasonal_excess_stays_for_the_rest_of_the_year(params):
    # Documented choice: once exceeded in a month, the year stays lost even if later days worked
    # raise the 15 % limit. May: 4 exits > 15 % x 20 = 3 -> exceeded; June: 4 <= 15 % x 40 = 6 -> still lost.
    e = employee(fr_seasonal=True, fr_276fg_year=2025, contract_start=dt.date(2025, 5, 1))
    line = one([e], [month("2025-05", be=20, exits=4), month("2025-06", be=20, exits=0)], "2025-06", params)
    assert line["withholding_reason"] == "FR_EXIT_LIMIT_YEAR_LOST"
    assert line["fr_first_excess_period"] == "2025-05"
    assert line["regularisation_required"] is False  # regularised in May, the month of the first excess


# ---------------------------------------------------------------------------------------------
# Counters across months and the regularisation list
# ---------------------------------------------------------------------------------------------
def test_counters_accumulate_and_regularisation_only_on_first_excess_month(params):
    # Exits 10 + 10 + 10 = 30 (March: within); + 1 in April = 31 (first excess); May: still lost, no new list.
    e = employee(fr_276fg_year=2025)
    pay = [
        month("2024-12", exits=25),  # previous calendar year: not counted
        month("2025-01", exits=10),
        month("2025-02", exits=10),
        month("2025-03", exits=10),
        month("2025-04", exits=1),
        month("2025-05", exits=0),
        month("2025-06", exits=9),  # after the run period: not counted
    ]
    march = one([e], pay, "2025-03", params)
    april = one([e], pay, "2025-04", params)
    may = one([e], pay, "2025-05", params)
    assert (march["fr_exit_days_ytd"], march["withholding_reason"]) == (30, "FR_FRONTIER_EXEMPT")
    assert (april["fr_exit_days_ytd"], april["withholding_reason"]) == (31, "FR_EXIT_LIMIT_YEAR_LOST")
    assert (april["regularisation_required"], april["regularisation_periods"]) == (True, "2025-01,2025-02,2025-03")
    assert (may["fr_exit_days_ytd"], may["withholding_reason"]) == (31, "FR_EXIT_LIMIT_YEAR_LOST")
    assert (may["regularisation_required"], may["regularisation_periods"]) == (False, "")
    assert may["fr_first_excess_period"] == "2025-04"
    assert may["ytd_periods"] == "2025-01,2025-02,2025-03,2025-04,2025-05"


def test_status_comes_back_next_year(params):
    # Year lost in 2025 only: in 2026 the counter restarts (HR records fr_second_chance_used = true).
    e = employee(fr_276fg_year=2026, fr_second_chance_used=True)
    line = one([e], [month("2025-11", exits=31), month("2026-01", exits=2)], "2026-01", params)
    assert (line["fr_exit_days_ytd"], line["withholding_reason"]) == (2, "FR_FRONTIER_EXEMPT")


def test_regularisation_uses_what_history_says_was_done(params):
    # January: PP was withheld (the 276 FG arrived in February), history says withholding_applies = true;
    # February: exempt. First excess in March -> only February needs regularisation.
    e = employee(fr_276fg_year=2025)
    pay = frame("pay", [month("2025-01", exits=12), month("2025-02", exits=12), month("2025-03", exits=12)])
    pay = pay.with_columns(pl.Series("withholding_applies", [True, False, None]))
    result = decide_withholding(frame("employees", [e]), pay, "2025-03", params)
    line = result.lines.row(0, named=True)
    assert (line["regularisation_required"], line["regularisation_periods"]) == (True, "2025-02")


def test_no_regularisation_when_pp_was_already_withheld(params):
    # 276 FG of last year: earlier months were FR_276FG_MISSING (PP withheld on the same days share),
    # so the first excess lists nothing to regularise.
    e = employee(fr_276fg_year=2024)
    pay = [month("2025-01", exits=20), month("2025-02", exits=11)]
    line = one([e], pay, "2025-02", params)
    assert line["withholding_reason"] == "FR_EXIT_LIMIT_YEAR_LOST"
    assert (line["regularisation_required"], line["regularisation_periods"]) == (False, "")


def test_276fg_is_per_employer(params):
    # The same worker employed by two Belgian employers = two employee rows (employee-employer
    # relations); each employer needs its own attested form (art. 87 AR/CIR 92, 276 FG "for each new employer").
    rows = [
        employee("E1", fr_276fg_year=2025, employer_id="200000001"),
        employee("E2", fr_276fg_year=2024, employer_id="200000002", source_line=3),
    ]
    result = run(
        rows, [month("2025-02", employee_id="E1"), month("2025-02", employee_id="E2", line=3)], "2025-02", params
    )
    assert result.lines.select("employee_id", "withholding_reason").rows() == [
        ("E1", "FR_FRONTIER_EXEMPT"),
        ("E2", "FR_276FG_MISSING"),
    ]


# ---------------------------------------------------------------------------------------------
# Dated thresholds: Luxembourg 34 / 35 (2025), 24 / 25 (2021); regime end 2033-12 / 2034-01
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "outside", "reason", "tolerance"),
    [
        ("2025-12", 34, "LU_WITHIN_TOLERANCE", 34),
        ("2025-12", 35, "LU_OVER_TOLERANCE_PRORATA", 34),
        ("2022-02", 34, "LU_WITHIN_TOLERANCE", 34),  # first year of the 34-day rule
        ("2021-12", 24, "LU_WITHIN_TOLERANCE", 24),
        ("2021-12", 25, "LU_OVER_TOLERANCE_PRORATA", 24),
    ],
)
def test_luxembourg_tolerance_by_date(params, period, outside, reason, tolerance):
    # Benelux brochure: 24 working days, 34 from 1 January 2022 (avenant 31.08.2021).
    year = period[:4]
    pay = [month(f"{year}-01", be=0, res=outside - 1), month(period, be=19, res=1)]
    line = one([employee(residence="LU")], pay, period, params)
    assert (line["days_outside_be_ytd"], line["lu_tolerance"], line["withholding_reason"]) == (
        outside,
        tolerance,
        reason,
    )
    # share: within -> 1; over -> 19 / (19 + 1) = 0.9500
    assert line["taxable_share_be"] == (Decimal("1.0000") if reason == "LU_WITHIN_TOLERANCE" else Decimal("0.9500"))


def test_french_resident_in_2021(params):
    # 2021 is inside the 3rd transitional period: the regime applies normally.
    line = one([employee(fr_276fg_year=2021)], [month("2021-06", exits=3)], "2021-06", params)
    assert line["withholding_reason"] == "FR_FRONTIER_EXEMPT"


@pytest.mark.parametrize(("period", "reason"), [("2033-12", "FR_FRONTIER_EXEMPT"), ("2034-01", "FR_REGIME_ENDED_2034")])
def test_regime_end_edge(params, period, reason):
    # Securex Lex4You: "À partir du 1er janvier 2034, le régime ... sera supprimé".
    e = employee(fr_276fg_year=int(period[:4]))
    line = one([e], [month(period, be=20)], period, params)
    assert line["withholding_reason"] == reason


def test_thresholds_come_from_parameters(tmp_path):
    # No figure in code: a bundle with a 40-day LU tolerance makes 35 days within tolerance.
    shutil.copytree(PARAMS_DIR, tmp_path / "withholding")
    path = tmp_path / "withholding" / "lu_tolerance_days.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 34", "value: 40"), encoding="utf-8")
    bundle = Parameters.load(tmp_path)
    line = one([employee(residence="LU")], [month("2025-01", be=0, res=35)], "2025-01", bundle)
    assert (line["lu_tolerance"], line["withholding_reason"]) == (40, "LU_WITHIN_TOLERANCE")


def test_parameter_needed_only_when_a_row_needs_it(params):
    # LU tolerance history starts 2015-01-01: a Belgian resident in 2014 is fine, a Luxembourg one is exit 4.
    assert one([employee(residence="BE")], [month("2014-06")], "2014-06", params)["withholding_reason"] == "BE_RESIDENT"
    with pytest.raises(MissingParameterError) as stopped:
        run([employee(residence="LU")], [month("2014-06")], "2014-06", params)
    assert stopped.value.name == "withholding/lu_tolerance_days"


def _bundle_from_2020(tmp_path: Path, name: str) -> Parameters:
    """The withholding parameters with ``name`` in force only from 2020-01-01 (no value in 2019)."""
    shutil.copytree(PARAMS_DIR, tmp_path / "withholding")
    path = tmp_path / "withholding" / f"{name}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2012-01-01:", "2020-01-01:"), encoding="utf-8")
    return Parameters.load(tmp_path)


def test_french_parameters_only_with_french_residents(params):
    # The French-regime parameters start in 2012 (3rd transitional period): in 2011 a batch of Belgian
    # and Dutch residents is decided; every French resident reaches row 2, which reads the end of the
    # regime, so one French resident stops the batch (exit 4).
    others = [employee("B1", residence="BE"), employee("N1", residence="NL", source_line=3)]
    pay = [month("2011-06", employee_id="B1"), month("2011-06", res=5, employee_id="N1", line=3)]
    result = run(others, pay, "2011-06", params)
    assert result.lines.get_column("withholding_reason").to_list() == ["BE_RESIDENT", "NL_WORK_STATE_PRORATA"]
    with pytest.raises(MissingParameterError) as stopped:
        run(
            [*others, employee("F1", source_line=4)],
            [*pay, month("2011-06", employee_id="F1", line=4)],
            "2011-06",
            params,
        )
    assert stopped.value.name == "withholding/fr_regime_end"


def test_exit_limit_only_where_rows_5_and_6_are_reached(tmp_path):
    # fr_exit_day_limit without a value in 2019: rows 3 and 4 decide without it; a seasonal worker reads
    # the 15 % instead (15 % x 20 = 3 >= 2 exits: exempt); a grandfathered non-seasonal worker reaches
    # row 5, which needs the 30 days: exit 4.
    bundle = _bundle_from_2020(tmp_path, "fr_exit_day_limit")
    earlier = [
        employee("F3", fr_grandfathered=False),
        employee("F4", fr_excluded_category="teacher", source_line=3),
        employee("F8", fr_seasonal=True, fr_276fg_year=2019, source_line=4),
    ]
    pay = [
        month("2019-03", employee_id="F3"),
        month("2019-03", employee_id="F4", line=3),
        month("2019-03", exits=2, employee_id="F8", line=4),
    ]
    result = run(earlier, pay, "2019-03", bundle)
    assert result.lines.select("employee_id", "withholding_reason").rows() == [
        ("F3", "FR_NOT_GRANDFATHERED"),
        ("F4", "FR_EXCLUDED_CATEGORY"),
        ("F8", "FR_FRONTIER_EXEMPT"),
    ]
    assert result.lines.get_column("fr_exit_limit").to_list() == [None, None, Decimal("3")]
    with pytest.raises(MissingParameterError) as stopped:
        run([employee(fr_276fg_year=2019)], [month("2019-03")], "2019-03", bundle)
    assert stopped.value.name == "withholding/fr_exit_day_limit"


def test_seasonal_rate_only_for_seasonal_workers(tmp_path):
    bundle = _bundle_from_2020(tmp_path, "fr_seasonal_exit_rate")
    line = one([employee(fr_276fg_year=2019)], [month("2019-03", exits=3)], "2019-03", bundle)
    assert line["withholding_reason"] == "FR_FRONTIER_EXEMPT"  # 3 <= 30 x 365 / 365
    with pytest.raises(MissingParameterError) as stopped:
        run([employee(fr_seasonal=True, fr_276fg_year=2019)], [month("2019-03")], "2019-03", bundle)
    assert stopped.value.name == "withholding/fr_seasonal_exit_rate"


# ---------------------------------------------------------------------------------------------
# Taxable share: rounding, zero days
# ---------------------------------------------------------------------------------------------
def test_zero_working_days_this_month_uses_year_to_date(params):
    # Whole month on sick leave: 0 / 0 undefined -> year to date: 1 / (1 + 31) = 0.03125 -> 0.0313
    # (half-up; half-to-even would give 0.0312).
    pay = [month("2025-01", be=1, res=31), month("2025-02", be=0, res=0)]
    line = one([employee(residence="NL")], pay, "2025-02", params)
    assert line["taxable_share_basis"] == "days_year_to_date"
    assert line["taxable_share_be"] == Decimal("0.0313")


def test_no_working_day_in_the_year_defaults_to_belgium(params):
    # No working day at all this year: pay attributed to the State of employment (Belgium), share 1.
    line = one([employee(residence="DE")], [month("2025-01", be=0)], "2025-01", params)
    assert (line["taxable_share_basis"], line["taxable_share_be"]) == ("no_working_day_in_year", Decimal("1.0000"))


def test_share_rounding_matches_python_decimal_half_up(params):
    # Every month-sized ratio a / b (b <= 40) agrees with Python's ROUND_HALF_UP (no double rounding).
    cases = [(a, b - a) for b in range(1, 41) for a in range(b + 1)]
    emps = [employee(f"N{i:04d}", residence="NL", source_line=i + 2) for i in range(len(cases))]
    pay = [month("2025-03", be=a, res=r, employee_id=f"N{i:04d}", line=i + 2) for i, (a, r) in enumerate(cases)]
    got = run(emps, pay, "2025-03", params).lines.get_column("taxable_share_be").to_list()
    want = [(Decimal(a) / Decimal(a + r)).quantize(Decimal("0.0001"), ROUND_HALF_UP) for a, r in cases]
    assert got == want


# ---------------------------------------------------------------------------------------------
# Missing inputs are rejects, not silent defaults
# ---------------------------------------------------------------------------------------------
def test_missing_days_worked_be_is_rejected_on_the_pay_row(params):
    result = run([employee(residence="NL")], [month("2025-03", be=None, res=5, line=7)], "2025-03", params)
    assert result.lines.height == 0
    reject = result.rejects.row(0, named=True)
    assert (reject["source_file"], reject["source_line"], reject["column"], reject["employee_id"]) == (
        "pay.csv",
        7,
        "days_worked_be",
        "E1",
    )
    assert "row 11 (NL_WORK_STATE_PRORATA)" in reject["message"]
    assert result.rejects.schema == pl.Schema(REJECT_SCHEMA)


def test_missing_days_worked_be_is_fine_where_no_share_is_needed(params):
    # LU within tolerance (share 1) and FR exempt (share 0) need no days_worked_be.
    rows = [employee("L1", residence="LU"), employee("F1", fr_276fg_year=2025, source_line=3)]
    pay = [month("2025-03", be=None, res=2, employee_id="L1"), month("2025-03", be=None, employee_id="F1", line=3)]
    result = run(rows, pay, "2025-03", params)
    assert result.rejects.height == 0
    assert result.lines.select("employee_id", "withholding_reason").rows() == [
        ("F1", "FR_FRONTIER_EXEMPT"),
        ("L1", "LU_WITHIN_TOLERANCE"),
    ]


def test_missing_fr_grandfathered_is_rejected_on_the_employee_row(params):
    result = run([employee(fr_grandfathered=None, source_line=9)], [month("2025-03")], "2025-03", params)
    assert result.lines.height == 0
    reject = result.rejects.row(0, named=True)
    assert (reject["source_file"], reject["source_line"], reject["column"]) == ("employees.csv", 9, "fr_grandfathered")


def test_missing_fr_grandfathered_not_needed_after_2034(params):
    line = one([employee(fr_grandfathered=None)], [month("2034-02")], "2034-02", params)
    assert line["withholding_reason"] == "FR_REGIME_ENDED_2034"


@pytest.mark.parametrize(
    ("form_year", "reason", "row", "applies", "share", "valid"),
    [
        # attested form for the period's year: PP may be stopped (art. 87 AR/CIR 92) -> row 8, share 0
        (2025, "FR_FRONTIER_EXEMPT", 8, False, Decimal("0.0000"), True),
        # empty fr_276fg_year: this employer holds no attested form -> row 7, PP withheld, 18 / (18 + 2) = 0.9000
        (None, "FR_276FG_MISSING", 7, True, Decimal("0.9000"), None),
        # form of the year before: it must be renewed each calendar year -> row 7 as well
        (2024, "FR_276FG_MISSING", 7, True, Decimal("0.9000"), False),
    ],
)
def test_276fg_for_this_year_exempts_otherwise_row_7_withholds(params, form_year, reason, row, applies, share, valid):
    line = one([employee(fr_276fg_year=form_year)], [month("2025-03", be=18, res=2)], "2025-03", params)
    assert (line["withholding_reason"], line["table_row"], line["withholding_applies"]) == (reason, row, applies)
    assert line["taxable_share_be"] == share
    assert line["fr_276fg_valid"] is valid  # null: no year given (no form held)


def test_empty_276fg_year_months_were_withheld_so_nothing_to_regularise(params):
    # No attested form all year: January was row 7 (PP withheld). February 20 + 11 = 31 > 30 exit days
    # -> first excess, row 6; January needs no regularisation because PP was already withheld.
    line = one(
        [employee(fr_276fg_year=None)], [month("2025-01", exits=20), month("2025-02", exits=11)], "2025-02", params
    )
    assert (line["withholding_reason"], line["fr_first_excess_period"]) == ("FR_EXIT_LIMIT_YEAR_LOST", "2025-02")
    assert (line["regularisation_required"], line["regularisation_periods"]) == (False, "")


def test_empty_276fg_year_is_still_evaluated_after_earlier_rows(params):
    # Row 4 (excluded category) decides before row 7 reads the form.
    decided = one([employee(fr_276fg_year=None, fr_excluded_category="teacher")], [month("2025-03")], "2025-03", params)
    assert decided["withholding_reason"] == "FR_EXCLUDED_CATEGORY"


def test_unknown_employee_is_rejected(params):
    result = run(
        [employee("E1", residence="BE")],
        [month("2025-03"), month("2025-03", employee_id="X9", line=3)],
        "2025-03",
        params,
    )
    assert result.lines.get_column("employee_id").to_list() == ["E1"]
    assert result.rejects.select("source_line", "column", "check").rows() == [
        (3, "employee_id", "withholding_employee_unknown")
    ]


def test_every_undecided_pay_row_has_a_reject_on_its_own_line(params):
    # A job drops the pay rows that have a reject on their (source_file, source_line)
    # (rejects.rejected_mask): an employee-row reject comes with one on the pay row, so no payroll line
    # is left with empty withholding fields. E1: fr_grandfathered empty (employee row 2, pay row 5);
    # E2: NL resident without days_worked_be (pay row 6); E3 decided; X9 has no employee row.
    emps = [
        employee("E1", fr_grandfathered=None, source_line=2),
        employee("E2", residence="NL", source_line=3),
        employee("E3", residence="BE", source_line=4),
    ]
    pay = [
        month("2025-03", employee_id="E1", line=5),
        month("2025-03", be=None, employee_id="E2", line=6),
        month("2025-03", employee_id="E3", line=7),
        month("2025-03", employee_id="X9", line=8),
    ]
    result = run(emps, pay, "2025-03", params)
    assert result.lines.get_column("employee_id").to_list() == ["E3"]
    assert rejected_mask(frame("pay", pay), result.rejects).to_list() == [True, True, False, True]
    assert result.rejects.select("source_file", "source_line", "column", "check").rows() == [
        ("employees.csv", 2, "fr_grandfathered", "withholding_input_missing"),
        ("pay.csv", 5, "employee_id", "withholding_employee_rejected"),
        ("pay.csv", 6, "days_worked_be", "withholding_input_missing"),
        ("pay.csv", 8, "employee_id", "withholding_employee_unknown"),
    ]
    assert result.rejects.item(1, "message") == (
        "no withholding decision for period 2025-03: fr_grandfathered is empty on employee row employees.csv:2"
    )


# ---------------------------------------------------------------------------------------------
# Output contract and explanation
# ---------------------------------------------------------------------------------------------
def test_output_schema_and_order(params):
    rows = [employee("B", residence="BE"), employee("A", residence="NL", source_line=3)]
    result = run(
        rows, [month("2025-03", employee_id="B"), month("2025-03", employee_id="A", line=3)], "2025-03", params
    )
    assert result.lines.schema == pl.Schema(LINE_SCHEMA)
    assert result.lines.get_column("employee_id").to_list() == ["A", "B"]
    assert all(dtype != pl.Float64 and dtype != pl.Float32 for dtype in result.lines.schema.values())


def test_missing_history_months_are_shown(params):
    # LU resident employed all year, only March in the frame: January and February are missing from the counters.
    line = one([employee(residence="LU")], [month("2025-03", res=2)], "2025-03", params)
    assert line["ytd_missing_periods"] == "2025-01,2025-02"
    hired = one(
        [employee(residence="LU", contract_start=dt.date(2025, 3, 1))], [month("2025-03", res=2)], "2025-03", params
    )
    assert hired["ytd_missing_periods"] == ""


def test_explain_prints_the_path_and_arithmetic(params):
    e = employee(fr_276fg_year=2025, contract_start=dt.date(2025, 7, 1))
    result = run([e], [month("2025-07", be=18, res=2, exits=16)], "2025-07", params)
    text = explain(result.lines.row(0, named=True), params)
    assert "row  6" in text and "YES -> decides" in text
    assert "30 x 184 / 365" in text and "15.123287671233" in text
    assert "18 / (18 + 2 + 0) = 0.9000" in text
    assert "withholding/fr_exit_day_limit = 30" in text
    rejected = run([employee(fr_grandfathered=None)], [month("2025-07")], "2025-07", params)
    assert "fr_grandfathered" in explain_employee(rejected, "E1")


def test_explain_cites_the_docs_and_the_empty_276fg(params):
    line = one([employee(fr_276fg_year=None)], [month("2025-03", be=18, res=2)], "2025-03", params)
    text = explain(line, params)
    assert text.splitlines()[1] == (
        "Decision table of docs/withholding.md, rows evaluated top-down; the first row whose condition holds decides."
    )
    assert (
        "  row  7 FR and no attested 276 FG for this year and this employer: YES -> decides "
        "[fr_276fg_year empty (this employer holds no attested form), period year 2025]"
    ) in text.splitlines()
    assert "rules-reference" not in text


def test_explain_cites_only_the_parameters_of_the_rows_evaluated(params):
    # Row 3 decides: rows 2-3 were evaluated, so only the end of the regime is cited, not the exit limits.
    line = one([employee(fr_grandfathered=False)], [month("2025-03")], "2025-03", params)
    text = explain(line, params)
    assert "Parameter withholding/fr_regime_end = 2034-01-01" in text
    assert "fr_exit_day_limit" not in text and "fr_seasonal_exit_rate" not in text


def test_the_table_explain_evaluates_is_the_one_that_decided(params):
    # For one employee per row of the table, the first row whose condition holds on the decision line
    # (the expressions explain evaluates) is the row the vectorised decision chose.
    emps = [
        employee("R01", residence="BE"),
        employee("R03", fr_grandfathered=False),
        employee("R04", fr_excluded_category="teacher"),
        employee("R05", fr_276fg_year=2025, fr_second_chance_used=True),
        employee("R06", fr_276fg_year=2025),
        employee("R07", fr_276fg_year=2024),
        employee("R08", fr_276fg_year=2025),
        employee("R09", residence="LU"),
        employee("R10", residence="LU"),
        employee("R11", residence="NL"),
        employee("R12", residence="DE"),
        employee("R13", residence="ES"),
    ]
    exits = {"R05": 31, "R06": 31}
    outside = {"R10": 35}
    pay = [
        month(
            "2025-12",
            be=20,
            res=outside.get(e["employee_id"], 2),
            exits=exits.get(e["employee_id"], 0),
            employee_id=e["employee_id"],
        )
        for e in emps
    ]
    lines = run(emps, pay, "2025-12", params).lines
    ctx = Context("2025-12")
    first_holding = lines.select(
        pl.coalesce(*(pl.when(holds(row, ctx)).then(pl.lit(row.number, pl.Int8)) for row in TABLE)).alias("first")
    )
    assert lines.get_column("table_row").to_list() == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert first_holding.get_column("first").to_list() == lines.get_column("table_row").to_list()


def test_the_table_is_declared_consistently():
    # 13 rows numbered in order with distinct reason codes; every named condition exists; a row number
    # fits below the need stride of the outcome codes.
    assert [row.number for row in TABLE] == list(range(1, 14))
    assert len({row.reason for row in TABLE}) == 13
    names = {n for row in TABLE for n in row.when} | {n.when for n in NEEDS if n.when} | set(SCOPES.values())
    assert names <= set(CONDITIONS)
    assert max(row.number for row in TABLE) < STRIDE
    assert [row.number for row in TABLE if not row.applies] == [8]
