"""The report's figures on a small hand-made run: the totals per employer, the contributions by
DmfA code, the work bonus and the CSSS when the run has them, and the masking of national numbers."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import polars as pl

from pipeline.core.money import MONEY
from pipeline.outputs import report

D = Decimal
A, B = "174389412", "174393195"


def payroll_lines(with_deductions: bool = True) -> pl.DataFrame:
    """E1: white collar (495), ONSS base 3,000.00: personal 13.07 % = 392.10, work bonus 50.00
    (Law of 20 December 1999, art. 2) -> 342.10; employer basic 19.88 % + wage moderation 5.12 % =
    25.00 % -> 750.00; CSSS 20.00.
    E2: blue collar (015), gross 1,851.85 -> base round(1,851.85 x 1.08) = 2,000.00: personal
    261.40, no bonus, employer 500.00, CSSS 9.30.
    E3: employed in the Netherlands (no Belgian ONSS): gross 2,950.00, ONEM allowance 24.79."""
    frame = pl.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3"],
            "period": ["2026-10"] * 3,
            "employer_id": [A, A, B],
            "worker_code": ["495", "015", None],
            "gross_salary": [D("3000.00"), D("1851.85"), D("2950.00")],
            "guaranteed_wage_onss": [D("0.00")] * 3,
            "guaranteed_wage_exempt": [D("0.00")] * 3,
            "onss_base": [D("3000.00"), D("2000.00"), None],
            "worker_contribution": [D("342.10"), D("261.40"), D("0.00")],
            "employer_contribution": [D("750.00"), D("500.00"), D("0.00")],
            "withholding_applies": [True, True, False],
            "onem_allowance": [D("0.00"), D("0.00"), D("24.79")],
            "work_bonus": [D("50.00"), D("0.00"), D("0.00")],
            "csss": [D("20.00"), D("9.30"), D("0.00")],
        }
    ).with_columns(pl.col(pl.Decimal).cast(MONEY))
    return frame if with_deductions else frame.drop("work_bonus", "csss")


def contribution_lines() -> pl.DataFrame:
    rows = [
        ("E1", "worker_onss", "worker", "due", "495", "3000.00", "0.1307", "392.10"),
        ("E1", "work_bonus", "worker", "deduction", "0001", "3000.00", None, "-50.00"),
        ("E1", "employer_basic", "employer", "due", "495", "3000.00", "0.1988", "596.40"),
        ("E1", "wage_moderation", "employer", "due", "495", "3000.00", "0.0512", "153.60"),
        ("E1", "csss", "worker", "withheld", "856", "3000.00", None, "20.00"),
        ("E2", "worker_onss", "worker", "due", "015", "2000.00", "0.1307", "261.40"),
        ("E2", "employer_basic", "employer", "due", "015", "2000.00", "0.1988", "397.60"),
        ("E2", "wage_moderation", "employer", "due", "015", "2000.00", "0.0512", "102.40"),
        ("E2", "holiday_annual_accrual", "employer", "accrual", None, "2000.00", "0.1027", "205.40"),
        ("E2", "csss", "worker", "withheld", "856", "2000.00", None, "9.30"),
    ]
    cols = ["employee_id", "contribution", "payer", "kind", "dmfa_code", "base", "rate", "amount"]
    frame = pl.DataFrame(rows, schema=cols, orient="row")
    return frame.with_columns(
        pl.lit("2026-10").alias("period"),
        pl.col("base").cast(MONEY),
        pl.col("rate").cast(pl.Decimal(18, 8)),
        pl.col("amount").cast(MONEY),
    )


def test_employer_figures_by_hand():
    fig = {r["employer_id"]: r for r in report.employer_figures(payroll_lines()).iter_rows(named=True)}
    a, b = fig[A], fig[B]
    assert (a["headcount"], a["employed_abroad"], b["headcount"], b["employed_abroad"]) == (2, 0, 1, 1)
    assert a["gross_salary"] == D("4851.85")  # 3,000.00 + 1,851.85
    assert a["onss_base"] == D("5000.00") and b["onss_base"] == D("0.00")
    assert a["personal_before_bonus"] == D("653.50")  # 342.10 + 50.00 + 261.40
    assert a["worker_contribution"] == D("603.50")  # after the work bonus
    assert a["csss"] == D("29.30")
    assert a["due_to_onss"] == D("1882.80")  # 603.50 + 1,250.00 + 29.30
    assert b["due_to_onss"] == D("0.00") and b["onem_allowance"] == D("24.79")
    assert a["withholding_applies"] == 2 and b["withholding_applies"] == 0
    total = report.figures_total(report.employer_figures(payroll_lines()))
    assert total["headcount"] == 3 and total["due_to_onss"] == D("1882.80")


def test_due_without_work_bonus_or_csss_columns():
    fig = report.employer_figures(payroll_lines(with_deductions=False)).row(0, named=True)
    assert "csss" not in fig and "work_bonus" not in fig
    assert fig["personal_before_bonus"] == fig["worker_contribution"] == D("603.50")
    assert fig["due_to_onss"] == D("1853.50")  # 603.50 + 1,250.00, no CSSS


def test_contributions_by_code():
    by_code = report.contributions_by_code(contribution_lines(), payroll_lines())
    due = by_code.filter((pl.col("payer") == "employer") & (pl.col("kind") == "due"))
    assert due.select("dmfa_code", "contribution", "amount").rows() == [
        ("015", "employer_basic", D("397.60")),
        ("015", "wage_moderation", D("102.40")),
        ("495", "employer_basic", D("596.40")),
        ("495", "wage_moderation", D("153.60")),
    ]
    assert due.get_column("amount").sum() == D("1250.00")  # = employer_contribution of A
    accrued = by_code.filter(pl.col("kind") == "accrual").row(0, named=True)
    assert (accrued["dmfa_code"], accrued["amount"], accrued["rate"]) == (None, D("205.40"), D("0.1027"))


def _figures_in(page: str) -> dict[tuple[str, str], str]:
    cells = re.findall(r'data-employer="([^"]+)" data-figure="([^"]+)" data-value="([^"]+)"', page)
    out: dict[tuple[str, str], str] = {}
    for employer, figure, value in cells:
        assert out.setdefault((employer, figure), value) == value, (employer, figure)
    return out


def _tables(**extra: pl.DataFrame) -> dict[str, pl.DataFrame]:
    tables = {"payroll_lines": payroll_lines(), "contribution_lines": contribution_lines()}
    tables["employers"] = pl.DataFrame({"employer_id": [A, B], "name": ["Ateliers Mosans SA", "Bureau Lambrecht"]})
    return tables | extra


MANIFEST = {"period": "2026-10", "run_date": "2026-11-02", "run_id": "x", "totals": {"computed": 3}}


def test_report_shows_work_bonus_and_csss():
    page = html.unescape(report.render_report(_tables(), MANIFEST, "fr").decode())
    figures = _figures_in(page)
    assert figures[(A, "work_bonus")] == "50.00"
    assert figures[(A, "csss")] == "29.30"
    assert figures[(A, "due_to_onss")] == "1882.80"
    assert figures[("all", "due_to_onss")] == "1882.80"
    assert "Bonus à l'emploi (déduit)" in page and "-50,00" in page
    assert "Cotisation spéciale de sécurité sociale (CSSS)" in page
    assert "n'est pas calculé" not in page  # no "not computed" note
    # The employers' names head their sections; the accrued line is apart from the total.
    assert "Ateliers Mosans SA — ONSS 174389412" in page
    assert "Provisionnée ce mois" in page


def test_report_without_work_bonus_or_csss():
    page = html.unescape(report.render_report(_tables(payroll_lines=payroll_lines(False)), MANIFEST, "en").decode())
    figures = _figures_in(page)
    assert (A, "csss") not in figures and (A, "work_bonus") not in figures
    assert figures[(A, "due_to_onss")] == "1853.50"
    assert "The work bonus is not computed in this run" in page
    assert "(CSSS) is not computed in this run" in page


def test_console_summary():
    rejects = pl.DataFrame(
        {
            "source_file": ["pay.csv", "pay.csv"],
            "source_line": [7, 9],
            "column": ["gross_salary", "employee_id"],
            "check": ["format_money", "unknown_employee"],
            "employee_id": ["E2", "X9"],
            "message": ["m", "m"],
            "value": ["1.005", "X9"],
        }
    )
    manifest = MANIFEST | {"totals": {"read": 5, "valid": 3, "rejected": 2, "computed": 3}, "warnings": ["w1"]}
    lines = report.console_summary(_tables(rejects=rejects), manifest, "out/2026-10", "en")
    assert lines == [
        "period 2026-10: read 5 rows, valid 3, rejected 2; 3 payroll lines written to out/2026-10",
        "employer 174389412 Ateliers Mosans SA: 2 lines, 1 rejects; personal 603.50, employer 1,250.00, "
        "CSSS 29.30, due to ONSS 1,882.80",
        "employer 174393195 Bureau Lambrecht: 1 lines, 0 rejects; personal 0.00, employer 0.00, CSSS 0.00, "
        "due to ONSS 0.00",
        "1 rejected rows not linked to an employer",
        "rejected rows by check (values and lines: report.html, rejects.csv):",
        "  [format_money] 1: Not an amount in euros with at most two decimals.",
        "  [unknown_employee] 1: The employee is not in the employees file.",
        "warnings:",
        "  w1",
    ]


def test_national_numbers_are_masked_whatever_the_column():
    # 85073000160: 850730001 mod 97 = 37, check digits 97 - 37 = 60: a valid NISS.
    rejects = pl.DataFrame(
        {
            "column": ["niss", "employee_id", "value", "gross_salary"],
            "value": ["12345678901", "85.07.30-001.60", "id 85073000160 twice", "2900.005"],
        }
    )
    masked = report.masked_rejects(rejects).get_column("value").to_list()
    assert masked == ["*********01", "*************60", "id *********60 twice", "2900.005"]
