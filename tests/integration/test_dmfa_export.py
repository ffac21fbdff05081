"""The quarterly DmfA export end to end on the sample quarter (sample_data/quarter_2026_q3: the
July, August and September exports): three monthly CLI runs into a run store, then
``payroll dmfa --quarter 2026-Q3``. Hand-worked quarters are in tests/rules/test_dmfa_quarter.py."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.declarations.dmfa.xml import validate_declaration

ROOT = Path(__file__).resolve().parents[2]
QUARTER = ROOT / "sample_data" / "quarter_2026_q3"
MONTHS = ("2026-07", "2026-08", "2026-09")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [*args], catch_exceptions=False)


def run_months(base: Path, months=MONTHS) -> Path:
    store = base / "store"
    for month in months:
        result = run(
            "run",
            str(QUARTER / month),
            "--period",
            month,
            "--out",
            str(base / month),
            "--run-date",
            "2026-10-02",
            "--store",
            str(store),
            "-q",
        )
        assert result.exit_code == 0, result.output
    return store


@pytest.fixture(scope="module")
def q3(tmp_path_factory):
    base = tmp_path_factory.mktemp("q3")
    store = run_months(base)
    result = run(
        "dmfa", "--quarter", "2026-Q3", "--store", str(store), "--out", str(base / "dmfa"), "--run-date", "2026-10-05"
    )
    assert result.exit_code == 0, result.output
    return base


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_every_sample_declaration_validates_against_the_official_schema(q3):
    m = manifest(q3 / "dmfa")
    names = sorted(p.name for p in (q3 / "dmfa").glob("*.xml"))
    assert len(names) == 4 == len(m["employers"])
    for name in names:
        assert validate_declaration((q3 / "dmfa" / name).read_bytes()) == [], name


def _monthly(q3: Path, table: str) -> pl.DataFrame:
    """A monthly output table over the quarter (enumerations as text: each month has its vocabulary)."""
    frames = [pl.read_parquet(q3 / month / f"{table}.parquet") for month in MONTHS]
    return pl.concat([f.with_columns(pl.col(pl.Enum).cast(pl.String)) for f in frames])


def test_totals_reconcile_with_the_three_monthly_runs(q3):
    """Per employer: declared contributions = the three months' contributions (worker + employer
    after the work bonus, read back from each month's payroll_lines, with the work bonus added back
    and the CSSS withheld) + the rounding regularisation + the cap line; the only differences are on
    those two lines. NetOwedAmount = contributions - deductions (work bonus 0001 + structural
    reduction 3000)."""
    monthly = (
        _monthly(q3, "payroll_lines")
        .filter(pl.col("worker_code").is_not_null())
        .group_by("employer_id")
        .agg(
            (
                pl.col("worker_contribution").sum() + pl.col("work_bonus").sum() + pl.col("employer_contribution").sum()
            ).alias("contributions"),
            pl.col("work_bonus").sum(),
            pl.col("csss").sum(),
        )
    )
    totals = {row["employer_id"]: row for row in monthly.iter_rows(named=True)}
    employers = manifest(q3 / "dmfa")["employers"]
    assert set(employers) == set(totals)
    for employer_id, summary in employers.items():
        mine = totals[employer_id]
        assert D(summary["monthly_contributions"]) == mine["contributions"] + mine["csss"], employer_id
        assert D(summary["monthly_contributions"]) + D(summary["rounding_regularisation"]) + D(
            summary["cap_relief"]
        ) == D(summary["contributions"]), employer_id
        # The deductions: 0001 = the monthly bonuses; 856 = the CSSS withheld.
        assert D(summary["work_bonus_0001"]) == mine["work_bonus"] and D(summary["csss_856"]) == mine["csss"]
        deductions = D(summary["work_bonus_0001"]) + D(summary["structural_reduction_3000"])
        assert D(summary["deductions"]) == deductions > 0, employer_id
        assert D(summary["net_owed_amount"]) == D(summary["contributions"]) - deductions, employer_id
        assert summary["reconciles"] is True
        # one rounding per code and worker line: a few cents at most per line
        assert abs(D(summary["rounding_regularisation"])) <= D("0.01") * summary["worker_lines"] * 10
    recon = pl.read_parquet(q3 / "dmfa" / "dmfa_reconciliation.parquet")
    assert (
        recon.filter(
            pl.col("monthly_total") + pl.col("rounding_regularisation") + pl.col("cap_relief") != pl.col("amount")
        ).height
        == 0
    )


def test_deductions_reconcile_with_the_monthly_contribution_lines(q3):
    """Per worker line, WorkerDeduction 0001 = minus the three months' work_bonus lines and
    WorkerContribution 856 = the three months' csss lines (each month withheld on its own pay; the
    quarter declares the sum, ONSS DmfA instructions); every employer's declaration carries 0001,
    3000 and 856, and the worker-line file shows each deduction and the net."""
    lines = _monthly(q3, "contribution_lines")
    per_employee = lines.group_by("employee_id").agg(
        (-pl.col("amount").filter(pl.col("contribution") == "work_bonus").sum()).alias("bonus"),
        pl.col("amount").filter(pl.col("contribution") == "csss").sum().alias("csss"),
    )
    monthly = {r["employee_id"]: (r["bonus"], r["csss"]) for r in per_employee.iter_rows(named=True)}
    worker_lines = pl.read_parquet(q3 / "dmfa" / "dmfa_worker_lines.parquet")
    for row in worker_lines.iter_rows(named=True):
        ids = row["employee_ids"].split(", ")
        assert (row["work_bonus"], row["csss"]) == (
            sum(monthly[i][0] for i in ids),
            sum(monthly[i][1] for i in ids),
        ), ids
        assert row["total_deductions"] == row["work_bonus"] + row["structural_reduction"]
        assert row["net_owed_amount"] == row["total_contributions"] - row["total_deductions"]
    occupations = pl.read_parquet(q3 / "dmfa" / "dmfa_occupations.parquet")
    line_key = ["employer_id", "natural_person_seq", "worker_code"]  # the NISS is masked in both files
    per_line = occupations.group_by(line_key).agg(pl.col("structural_reduction").sum())
    joined = worker_lines.join(per_line, on=line_key, suffix="_occ")
    assert joined.height == worker_lines.height
    assert (joined.get_column("structural_reduction") == joined.get_column("structural_reduction_occ")).all()
    for employer_id, summary in manifest(q3 / "dmfa")["employers"].items():
        xml = (q3 / "dmfa" / summary["declaration"]).read_text(encoding="utf-8")
        for code in ("<DeductionCode>0001</DeductionCode>", "<DeductionCode>3000</DeductionCode>"):
            assert code in xml, (employer_id, code)
        assert "<ContributionWorkerCode>856</ContributionWorkerCode>" in xml, employer_id
    # EMP-BE-114 (employé 2,100.00 hired 2026-09-01): one month of the quarter, by days: J = 22 of 13 x 5 = 65,
    # factor round2(65 / 22) = 2.95, S = 2,100.00 x 2.95 = 6,195.00; mu = round2(22 / 65) = 0.34 -> beta 1.18;
    # R = 0.14 x (11,687.74 - 6,195.00) + 0.16 x (9,738.14 - 6,195.00) = 768.9836 + 566.9024 = 1,335.886;
    # Ps = 1,335.886 x 0.34 x 1.18 = 535.957463 -> 535.96, above the line's basic + moderation 2,100.00 x 25 % = 525.00:
    # the reduction is 525.00 (programme act of 24 December 2002; ONSS instructions "La réduction structurelle").
    capped = occupations.filter(pl.col("employee_id") == "EMP-BE-114").row(0, named=True)
    assert (capped["reference_wage"], capped["mu"], capped["employer_contributions"]) == (
        D("6195.00"),
        D("0.34"),
        D("525.00"),
    )
    assert capped["structural_reduction"] == D("525.00")


def test_part_time_change_in_september_splits_two_occupations(q3):
    """EMP-BE-013 (blue collar, 5-day week) works full time in July and August and 60 % from
    September (sample_data/README.md). Occupation 1: 2026-07-01..08-31, 23 + 21 = 44 working
    days, Q = 38.00 h, hours 44 x 38 / 5 = 334.40; occupation 2: from 2026-09-01, 22 days,
    Q = 38 x 0.6 = 22.80 h, hours 22 x 22.80 / 5 = 100.32 (glossary zones 00048, 00064)."""
    occ = pl.read_parquet(q3 / "dmfa" / "dmfa_occupations.parquet").filter(pl.col("employee_id") == "EMP-BE-013")
    assert occ.select("occupation_seq", "months", "end", "mean_working_hours", "remuneration_code1").rows() == [
        (1, "2026-07,2026-08", dt.date(2026, 8, 31), D("38.00"), D("4600.00")),
        (2, "2026-09", None, D("22.80"), D("1380.00")),
    ]
    svc = pl.read_parquet(q3 / "dmfa" / "dmfa_services.parquet").filter(pl.col("employee_id") == "EMP-BE-013")
    assert svc.select("occupation_seq", "service_code", "days", "hours").rows() == [
        (1, 1, D("44.00"), D("334.40")),
        (2, 1, D("22.00"), D("100.32")),
    ]


def test_tables_mask_national_numbers(q3):
    niss = pl.concat(
        [pl.read_csv(QUARTER / m / "employees.csv", infer_schema=False).select("niss") for m in MONTHS]
    ).unique()
    text = "".join(
        (q3 / "dmfa" / f"{t}.csv").read_text(encoding="utf-8")
        for t in ("dmfa_worker_lines", "dmfa_occupations", "dmfa_services", "dmfa_contributions", "dmfa_reconciliation")
    )
    assert not any(n in text for n in niss.get_column("niss").to_list())


def test_rerun_is_byte_identical(q3, tmp_path):
    result = run(
        "dmfa",
        "--quarter",
        "2026-Q3",
        "--store",
        str(q3 / "store"),
        "--out",
        str(tmp_path / "again"),
        "--run-date",
        "2026-10-05",
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (q3 / "dmfa").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in names:
        assert (q3 / "dmfa" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert (
        run("dmfa", "--quarter", "2026-Q3", "--store", str(q3 / "store"), "--out", str(tmp_path / "again")).exit_code
        == 5
    )


def test_missing_or_unfinalised_month_is_refused(tmp_path):
    store = run_months(tmp_path, MONTHS[:2])
    result = run("dmfa", "--quarter", "2026-Q3", "--store", str(store), "--out", str(tmp_path / "dmfa"))
    assert result.exit_code == 1
    assert "2026-09" in result.output and not (tmp_path / "dmfa").exists()
    draft = run(
        "run",
        str(QUARTER / "2026-09"),
        "--period",
        "2026-09",
        "--out",
        str(tmp_path / "2026-09"),
        "--run-date",
        "2026-10-02",
        "--store",
        str(store),
        "--no-finalise",
        "-q",
    )
    assert draft.exit_code == 0, draft.output
    result = run("dmfa", "--quarter", "2026-Q3", "--store", str(store), "--out", str(tmp_path / "dmfa"))
    assert result.exit_code == 1
    assert "2026-09" in result.output and "final" in result.output and not (tmp_path / "dmfa").exists()
    assert run("dmfa", "--quarter", "2026Q3", "--store", str(store), "--out", str(tmp_path / "dmfa")).exit_code == 2


def test_local_unit_from_the_employers_input_leaves_no_warning(q3):
    """employers.local_unit_id (KBO establishment unit, DmfA zone 00042, mandatory from 2014/1)
    is written on every occupation; the sample declarations carry no schema-valid-but-incomplete
    warning at all."""
    employers = pl.read_csv(QUARTER / "2026-09" / "employers.csv", infer_schema=False)
    m = manifest(q3 / "dmfa")
    for row in employers.iter_rows(named=True):
        xml = (q3 / "dmfa" / m["employers"][row["employer_id"]]["declaration"]).read_text(encoding="utf-8")
        assert (
            xml.count(f"<LocalUnitID>{row['local_unit_id']}</LocalUnitID>")
            == m["employers"][row["employer_id"]]["occupations"]
        )
        assert m["employers"][row["employer_id"]]["warnings"]["counts"] == {}


def test_joint_committees_from_a_file(q3, tmp_path):
    """--joint-committees sets JointCommissionNbr [00046] per employer and worker status (here CP
    111 for the blue collars of the first employer); the others keep CP 100 / CP 200. A malformed
    file is refused with exit 1 and nothing written."""
    employer = sorted(manifest(q3 / "dmfa")["employers"])[0]
    good = tmp_path / "jc.csv"
    good.write_text(f"employer_id,worker_status,joint_committee\n{employer},blue_collar,111\n", encoding="utf-8")
    result = run(
        "dmfa",
        "--quarter",
        "2026-Q3",
        "--store",
        str(q3 / "store"),
        "--out",
        str(tmp_path / "out"),
        "--run-date",
        "2026-10-05",
        "--joint-committees",
        str(good),
    )
    assert result.exit_code == 0, result.output
    occ = pl.read_parquet(tmp_path / "out" / "dmfa_occupations.parquet")
    mine = occ.filter(pl.col("employer_id") == employer)
    assert set(mine.filter(pl.col("worker_code") == "015").get_column("joint_committee")) == {"111"}
    assert set(mine.filter(pl.col("worker_code") == "495").get_column("joint_committee")) == {"200"}
    assert set(
        occ.filter((pl.col("employer_id") != employer) & (pl.col("worker_code") == "015")).get_column("joint_committee")
    ) == {"100"}
    xml = (tmp_path / "out" / manifest(tmp_path / "out")["employers"][employer]["declaration"]).read_text(
        encoding="utf-8"
    )
    assert "<JointCommissionNbr>111</JointCommissionNbr>" in xml
    bad = tmp_path / "bad.csv"
    bad.write_text(f"employer_id,worker_status,joint_committee\n{employer},blue_collar,11\n", encoding="utf-8")
    result = run(
        "dmfa",
        "--quarter",
        "2026-Q3",
        "--store",
        str(q3 / "store"),
        "--out",
        str(tmp_path / "bad"),
        "--joint-committees",
        str(bad),
    )
    assert result.exit_code == 1 and "joint committee" in result.output and not (tmp_path / "bad").exists()


def test_explain_structural_reduction_from_the_quarter(q3):
    """``payroll explain --what structural`` computes the period's quarter from the run store, as
    the DmfA export does, and shows the path of each occupation's reduction; the worker is named
    by employee id (the rule's worker line is keyed by the national number, never shown)."""
    out = run("explain", "EMP-BE-114", "--period", "2026-09", "--what", "structural", "--store", str(q3 / "store"))
    assert out.exit_code == 0, out.output
    text = out.output
    assert "of worker EMP-BE-114" in text
    assert "paid 22 of 65 days (13 weeks): factor round2(65 / 22) = 2.95" in text
    assert "R = alpha × max(0, S0 - S) + gamma × max(0, S2 - S) = 768.9836 + 566.9024 = 1335.886 (not rounded)" in text
    assert "Ps = R × mu × beta = 1335.886 × 0.34 × 1.18 -> 535.96" in text
    assert "are 525.00: 10.96 cut from this line" in text and "Structural reduction = 525.00" in text
    niss = pl.read_csv(QUARTER / "2026-09" / "employees.csv", infer_schema=False).filter(
        pl.col("employee_id") == "EMP-BE-114"
    )["niss"][0]
    assert niss not in text
    unknown = run("explain", "NOPE", "--period", "2026-09", "--what", "structural", "--store", str(q3 / "store"))
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
