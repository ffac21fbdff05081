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


def test_totals_reconcile_with_the_three_monthly_runs(q3):
    """Per employer: declared contributions = the three months' contributions (worker +
    employer, read back from each month's payroll_lines) + the rounding regularisation + the cap
    line; the only differences are on those two lines."""
    monthly = (
        pl.concat(
            [
                pl.read_parquet(q3 / month / "payroll_lines.parquet").filter(pl.col("worker_code").is_not_null())
                for month in MONTHS
            ]
        )
        .group_by("employer_id")
        .agg((pl.col("worker_contribution").sum() + pl.col("employer_contribution").sum()).alias("total"))
    )
    totals = {row["employer_id"]: D(row["total"]) for row in monthly.iter_rows(named=True)}
    employers = manifest(q3 / "dmfa")["employers"]
    assert set(employers) == set(totals)
    for employer_id, summary in employers.items():
        assert D(summary["monthly_contributions"]) == totals[employer_id], employer_id
        assert (
            D(summary["monthly_contributions"]) + D(summary["rounding_regularisation"]) + D(summary["cap_relief"])
            == D(summary["contributions"])
            == D(summary["net_owed_amount"])
        ), employer_id
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
