"""The work bonus and the CSSS in the monthly job, end to end through ``payroll run`` and ``payroll
explain``: the hand-worked examples of the work-bonus and CSSS rules in September 2026 (22 working
days, Monday to Friday; a full-time reference week of 38 h, 7.6 h a day) become contribution lines,
payroll-line columns and the personal contribution after the bonus.

Legal basis: the Law of 20 December 1999 granting a work bonus (and its Royal Decree of 17 January
2000; ONSS DmfA instructions "Le bonus à l'emploi": volets A and B, the reference wage at 100 %, the
fraction of an incomplete month, the cap at the personal contribution); the Law of 30 March 1994
(the special social-security contribution; ONSS DmfA instructions "La cotisation spéciale pour la
sécurité sociale": by household, due by everyone under Belgian social security, frontier workers
included). Tables in force on 2026-09-01 (onss/work_bonus/*, onss/csss/*).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.rules.csss import household_warning
from pipeline.testing import builders as b

PERIOD = "2026-09"
runner = CliRunner()

# employee: (worker_status, gross, household, other employee columns, other pay columns)
WORKERS = {
    "E1": ("white_collar", "2600.00", "single", {}, {}),
    "E2": ("blue_collar", "2600.00", None, {}, {}),
    "E3": ("white_collar", "1421.20", "joint_two_incomes", {"work_fraction": "0.5"}, {"paid_hours": "83.60"}),
    "E4": ("white_collar", "2100.00", "joint_one_income", {}, {}),
    "E5": ("white_collar", "1300.00", "single", {"contract_start": "2026-09-16"}, {}),
    "E6": ("white_collar", "4000.00", "single", {}, {}),
    "E7": ("white_collar", "4000.00", "joint_one_income", {}, {}),
    "E8": ("white_collar", "4000.00", "joint_two_incomes", {}, {}),
    "E9": ("white_collar", "6500.00", "joint_two_incomes", {}, {}),
    "E10": (
        "white_collar",
        "2500.00",
        "single",
        {"residence_country": "FR", "fr_grandfathered": "true", "fr_276fg_year": "2026"},
        {"days_worked_be": "22"},
    ),
    "E11": (
        "white_collar",
        "2500.00",
        "single",
        {
            "work_country": "NL",
            "be_border_zone_resident": "true",
            "foreign_border_zone_work": "true",
            "foreign_social_insurance": "true",
            "taxed_in_belgium": "true",
        },
        {"days_worked_other": "22"},
    ),
}


def run(*args: str):
    return runner.invoke(app, [*args], catch_exceptions=False)


@pytest.fixture(scope="module")
def september(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("deductions")
    employees = b.employees(
        *[
            {"employee_id": e, "worker_status": status, "household": household, **extra}
            for e, (status, _, household, extra, _) in WORKERS.items()
        ]
    )
    pay = b.pay(
        *[
            {"employee_id": e, "period": PERIOD, "gross_salary": gross, **extra}
            for e, (_, gross, _, _, extra) in WORKERS.items()
        ]
    ).with_columns(pl.when(pl.col("paid_hours").is_not_null()).then(pl.lit("167.20")).alias("full_time_hours"))
    folder = b.write_batch(base / "batch", employees=employees, pay=pay)
    result = run(
        *("run", str(folder), "--period", PERIOD, "--out", str(base / "out"), "--store", str(base / "store")),
        *("--run-date", "2026-10-02", "-q"),
    )
    assert result.exit_code == 0, result.output
    return base


def lines(base: Path) -> dict[str, dict]:
    frame = pl.read_parquet(base / "out" / "payroll_lines.parquet")
    return {r["employee_id"]: r for r in frame.iter_rows(named=True)}


def contribution(base: Path, employee_id: str, name: str) -> dict | None:
    frame = (
        pl.read_parquet(base / "out" / "contribution_lines.parquet")
        .with_columns(pl.col(pl.Enum).cast(pl.String))
        .filter((pl.col("employee_id") == employee_id) & (pl.col("contribution") == name))
    )
    return frame.row(0, named=True) if frame.height else None


def test_work_bonus_of_a_white_collar_at_2600_in_the_lines(september):
    # Employé, full time, complete month, W = 2,600.00: volet A 127.54 (S <= 2,937.93); volet B
    # 171.99 - 0.2699 x (2,600.00 - 2,300.62) = 171.99 - 80.802662 = 91.187338 -> 91.19; 218.73 <= the
    # 13.07 % line 2,600.00 x 13.07 % = 339.82. Personal contribution after the bonus 339.82 - 218.73 = 121.09.
    line = contribution(september, "E1", "work_bonus")
    assert (line["payer"], line["kind"], line["dmfa_code"], line["base"], line["rate"], line["amount"]) == (
        "worker",
        "deduction",
        "0001",
        D("2600.00"),
        None,
        D("-218.73"),
    )
    assert (line["parameter"], line["source"]) == (
        "onss/work_bonus/white_collar/volet_a",
        "onss/work_bonus/white_collar/volet_a@2026-09-01 [secondary]",
    )
    assert contribution(september, "E1", "worker_onss")["amount"] == D("339.82")
    e1 = lines(september)["E1"]
    assert (e1["work_bonus"], e1["worker_contribution"]) == (D("218.73"), D("121.09"))
    # The line's source resolves in the run's parameters table, like every other line.
    params = pl.read_parquet(september / "out" / "parameters.parquet").with_columns(pl.col(pl.Enum).cast(pl.String))
    assert params.filter(pl.col("source") == line["source"]).height == 1


@pytest.mark.parametrize(
    ("employee", "bonus", "worker"),
    [
        # Ouvrier, W = 2,600.00 at 100 % (base 2,808.00, 13.07 % line 367.0056 -> 367.01): volet A 137.74;
        # volet B 185.75 - 0.2915 x 299.38 = 98.48073 -> 98.48: 236.22; 367.01 - 236.22 = 130.79.
        ("E2", "236.22", "130.79"),
        # Employé half time by hours, 17.00 an hour: H = 83.60 of U = 167.20, fraction 0.50; S = round(1,421.20 /
        # 83.60) x 167.20 = 17.00 x 167.20 = 2,842.40; volet A 127.54, volet B 171.99 - 0.2699 x 541.78 = 25.763578
        # -> 25.76; 0.50 x 127.54 = 63.77, 0.50 x 25.76 = 12.88: 76.65; 13.07 % line 185.74884 -> 185.75: 109.10.
        ("E3", "76.65", "109.10"),
        # Employé 2,100.00: 127.54 + 171.99 = 299.53 > the 13.07 % line 274.47: 25.06 taken from volet B:
        # 274.47, nothing left to pay.
        ("E4", "274.47", "0.00"),
        # Employé hired on 16 September: 11 of 22 days, fraction 0.50; S = round(1,300.00 / 11) x 22 = 118.18 x
        # 22 = 2,599.96; volet B 171.99 - 0.2699 x 299.34 = 91.198134 -> 91.20; 63.77 + 45.60 = 109.37;
        # 13.07 % line 169.91: 60.54.
        ("E5", "109.37", "60.54"),
        # Frontier worker living in France, employed in Belgium (Belgian social security): the bonus too.
        # 2,500.00: volet B 171.99 - 0.2699 x 199.38 = 118.177338 -> 118.18; 127.54 + 118.18 = 245.72; 326.75 - 245.72.
        ("E10", "245.72", "81.03"),
        # Employé 4,000.00: above 3,403.62, no bonus and no work-bonus line.
        ("E6", "0.00", "522.80"),
    ],
)
def test_work_bonus_cases(september, employee, bonus, worker):
    line = lines(september)[employee]
    assert (line["work_bonus"], line["worker_contribution"]) == (D(bonus), D(worker))
    deduction = contribution(september, employee, "work_bonus")
    assert (deduction["amount"] if deduction else D("0.00")) == -D(bonus)


@pytest.mark.parametrize(
    ("employee", "csss", "parameter"),
    [
        # m = the month's ONSS base, Q = 3 x m picks the band of the household's scale.
        ("E1", "14.84", "onss/csss/single"),  # Q 7,800.00: 10.33 + 1.10 % x 409.82 = 14.83802
        ("E2", "17.13", "onss/csss/single"),  # no household given: single; m 2,808.00: 10.33 + 1.10 % x 617.82
        ("E3", "5.15", "onss/csss/joint_two_incomes"),  # Q 4,263.60 in [3,285.29; 5,836.14[: flat 5.15
        ("E4", "9.12", "onss/csss/joint_one_income"),  # 5.90 % x (2,100.00 - 1,945.38) = 9.12258
        ("E6", "36.24", "onss/csss/single"),  # 27.35 + 3.38 % x (4,000.00 - 3,737.00) = 36.2394
        ("E7", "34.35", "onss/csss/joint_one_income"),  # 14.44 + 1.10 % x (4,000.00 - 2,190.18) = 34.34802
        ("E8", "34.35", "onss/csss/joint_two_incomes"),  # the same formula above 6,570.54
        ("E9", "51.64", "onss/csss/joint_two_incomes"),  # the two-income maximum
        ("E10", "13.74", "onss/csss/single"),  # frontier worker: 10.33 + 1.10 % x 309.82 = 13.73802
    ],
)
def test_csss_line_per_household(september, employee, csss, parameter):
    line = contribution(september, employee, "csss")
    assert (line["payer"], line["kind"], line["dmfa_code"], line["rate"], line["amount"], line["parameter"]) == (
        "worker",
        "withheld",
        "856",
        None,
        D(csss),
        parameter,
    )
    payroll = lines(september)[employee]
    assert (payroll["csss"], line["base"]) == (D(csss), payroll["onss_base"])


def test_no_line_without_an_amount_and_nothing_for_the_employed_abroad(september):
    # E5: m = 1,300.00, Q = 3,900.00 < 5,836.14 on the single scale: 0.00, no CSSS line.
    assert contribution(september, "E5", "csss") is None and lines(september)["E5"]["csss"] == D("0.00")
    # E11 lives in Belgium and works in the Netherlands (Dutch social security): no line at all.
    e11 = lines(september)["E11"]
    assert (e11["onss_base"], e11["work_bonus"], e11["csss"], e11["worker_contribution"]) == (
        None,
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert contribution(september, "E11", "work_bonus") is None and contribution(september, "E11", "csss") is None
    # The CSSS stays out of worker_contribution (13.07 % line + work-bonus line only), for every employee.
    frame = pl.read_parquet(september / "out" / "contribution_lines.parquet").with_columns(
        pl.col(pl.Enum).cast(pl.String)
    )
    counted = (
        frame.filter((pl.col("payer") == "worker") & pl.col("kind").is_in(["due", "deduction"]))
        .group_by("employee_id")
        .agg(pl.col("amount").sum())
    )
    for employee_id, total in counted.iter_rows():
        assert lines(september)[employee_id]["worker_contribution"] == total


def explain(base: Path, employee: str, what: str, *more: str):
    return run("explain", employee, "--period", PERIOD, "--what", what, "--store", str(base / "store"), *more)


def test_explain_work_bonus_shows_the_path(september):
    out = explain(september, "E3", "work-bonus")
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Paid H = 83.60 of U = 167.20 hours: fraction = round2(H / U) = 0.50" in text
    assert "S = round(W / H) × U = 17.00 × 167.20 = 2,842.40" in text
    assert "band 2 of onss/work_bonus/white_collar/volet_b [2026-07-01, secondary]" in text
    assert "2300.62 < S <= 2937.93: 171.99 - 0.2699 × (S - 2300.62) -> R = 25.76" in text
    assert "Work bonus = 63.77 (A) + 12.88 (B) = 76.65 [granted]" in text
    capped = explain(september, "E4", "work-bonus").output
    assert "Cap: A + B = 299.53 > personal contribution (13.07 % line) 274.47: 25.06 taken from volet B first" in capped
    assert "Work bonus = 127.54 (A) + 146.93 (B) = 274.47 [capped]" in capped
    # Recomputed from the batch folder by the monthly job: the same explanation.
    again = explain(september, "E3", "work-bonus", "--input", str(september / "batch"))
    assert again.exit_code == 0 and again.output == text


def test_explain_csss_and_unknown_employee(september):
    text = explain(september, "E8", "csss").output
    assert "Household: joint_two_incomes" in text
    assert "Band 4 of onss/csss/joint_two_incomes [2022-04-01, secondary]" in text
    assert "CSSS withheld = 34.35" in text
    assert "household missing from the input: the single scale is assumed" in explain(september, "E2", "csss").output
    assert "Not subject to Belgian social security" in explain(september, "E11", "csss").output
    # The withholding explanation stays the default.
    assert "withholding" in explain(september, "E1", "withholding").output.lower()
    for what in ("withholding", "work-bonus", "csss"):
        unknown = explain(september, "NOPE", what)
        assert unknown.exit_code == 1 and unknown.output.strip().count("\n") == 0, unknown.output
        assert "NOPE" in unknown.output and "2026-09" in unknown.output
    assert explain(september, "E1", "pension").exit_code == 2
    # The structural reduction is the quarter's: it reads the run store, never a batch folder.
    refused = explain(september, "E1", "structural", "--input", str(september / "batch"))
    assert refused.exit_code == 1 and "run store" in refused.output


def test_the_missing_household_is_counted_for_the_run_warning(september):
    # E2 gives no household: the CSSS is computed on the single scale (data contract) and the run warns.
    # E11 (employed abroad, no ONSS base) would not count even without one.
    frame = pl.read_parquet(september / "out" / "payroll_lines.parquet")
    assert frame.filter(pl.col("household").is_null()).get_column("employee_id").to_list() == ["E2"]
    assert household_warning(frame) == (
        "household missing for 1 employee(s) on the Belgian payroll: CSSS computed on the single scale "
        "(onss/csss/single); payroll_lines.household is empty for them"
    )
    assert household_warning(frame.filter(pl.col("employee_id") != "E2")) is None
