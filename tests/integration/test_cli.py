"""The CLI end to end on the sample batches: exit codes, golden cents, determinism, rejects."""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [*args], catch_exceptions=False)


@pytest.fixture(scope="module")
def october(tmp_path_factory):
    base = tmp_path_factory.mktemp("october")
    result = run(
        "run",
        str(SAMPLE / "batch_2026_10"),
        "--period",
        "2026-10",
        "--out",
        str(base / "out"),
        "--run-date",
        "2026-11-02",
        "--store",
        str(base / "store"),
        "-q",
    )
    assert result.exit_code == 0, result.output
    return base


def line(out: Path, employee_id: str) -> dict:
    frame = pl.read_parquet(out / "payroll_lines.parquet").filter(pl.col("employee_id") == employee_id)
    assert frame.height == 1
    return frame.row(0, named=True)


def test_sample_batch_golden_cents(october):
    out = october / "out"
    # EMP-BE-010, blue collar, 2,550.00, employer with 85 workers (commercial, category 000), 2026-10:
    # base 2,550 x 108 % = 2,754.00; 13.07 % line 2,754 x 13.07 % = 359.9478 -> 359.95;
    # employer 547.50 (19.88 %) + 141.00 (5.12 %) + 153.40 (253: 5.57 %) + 0.55 (255) + 10.74 (809, >= 20 workers:
    # 0.39 %) + 2.75 (810) + 46.54 (855: 1.69 %) + 2.75 (859) = 905.23.
    # Work bonus (Law of 20 December 1999; ouvrier table of 2026-09-01): 5 days of 5-9 October under service
    # code 50 (relapse during a partial resumption), so J = 22 - 5 = 17 of D = 22: fraction round2(17 / 22)
    # = 0.77, S = round(2,550.00 / 17) x 22 = 150.00 x 22 = 3,300.00; volet A 137.74 - 0.2958 x (3,300.00 -
    # 2,937.93) = 30.639694 -> 30.64, volet B 0; 0.77 x 30.64 = 23.5928 -> 23.59: worker 359.95 - 23.59 = 336.36.
    # CSSS (Law of 30 March 1994; no household given: single): m = 2,754.00, Q = 8,262.00 in band 3:
    # 10.33 + 1.10 % x (2,754.00 - 2,190.18) = 10.33 + 6.20202 -> 16.53.
    be010 = line(out, "EMP-BE-010")
    assert (be010["onss_base"], be010["worker_contribution"], be010["employer_contribution"]) == (
        D("2754.00"),
        D("336.36"),
        D("905.23"),
    )
    assert (be010["work_bonus"], be010["csss"], be010["household"]) == (D("23.59"), D("16.53"), None)
    # EMP-BE-101, employé 2,600.00, complete month (Law of 20 December 1999, table of 2026-09-01): volet A 127.54
    # (S <= 2,937.93), volet B 171.99 - 0.2699 x (2,600.00 - 2,300.62) = 91.187338 -> 91.19; 218.73 <= the 13.07 %
    # line 339.82: worker 121.09. CSSS single: 10.33 + 1.10 % x (2,600.00 - 2,190.18) = 10.33 + 4.50802 -> 14.84.
    be101 = line(out, "EMP-BE-101")
    assert (be101["worker_contribution"], be101["work_bonus"], be101["csss"]) == (D("121.09"), D("218.73"), D("14.84"))
    # EMP-BE-001, blue collar ill 2026-09-25..2026-10-14, daily wage 143.98, 5-day week (law 3 July 1978
    # art. 52, CCT 12bis): 1 Oct = day 7 (100 %, ONSS) 143.98; 2, 5-8 Oct = days 8-14: 5 x round(143.98 x 85.88 %)
    # = 5 x 123.65 = 618.25; 9, 12-14 Oct = days 15-30 below the ceiling: 4 x round(143.98 x 25.88 %) = 4 x 37.26
    # = 149.04 -> exempt 767.29; base (1,701.81 + 143.98) x 108 % = 1,993.4532 -> 1,993.45.
    be001 = line(out, "EMP-BE-001")
    assert (be001["guaranteed_wage_onss"], be001["guaranteed_wage_exempt"], be001["onss_base"]) == (
        D("143.98"),
        D("767.29"),
        D("1993.45"),
    )
    # EMP-BE-025, blue collar hired 2026-08-24 (one month of service complete on 2026-09-23, law of 3 July 1978
    # art. 52 § 1), daily wage 119.98: the spell of 7-11 September paid nothing (first month), so it is no relapse
    # anchor (art. 52 § 1 al. 3: "ayant donné lieu au paiement du salaire garanti") and 5-9 October is a new
    # period, ranks 1-5 at 100 %: 5 x 119.98 = 599.90 ONSS (as a relapse it would be ranks 6-10: 2 x 119.98 +
    # 3 x 103.04). Gross 2,600.00 x 17 / 22 working days = 2,009.09; base (2,009.09 + 599.90) x 108 % = 2,817.71.
    be025 = line(out, "EMP-BE-025")
    assert (be025["guaranteed_wage_onss"], be025["guaranteed_wage_exempt"], be025["onss_base"]) == (
        D("599.90"),
        D("0.00"),
        D("2817.71"),
    )
    # EMP-BE-027, white collar sick since 2023-03-01: October is ranks 1,311-1,341, all mutuality (art. 70: 30 days
    # at most), 22 working days declared under service code 50; no parameter value is needed on 2023 dates, so the
    # run exits 0 (the fixture asserts it).
    be027 = line(out, "EMP-BE-027")
    assert (be027["gross_salary"], be027["guaranteed_wage_onss"], be027["onss_base"]) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    days = pl.read_parquet(out / "guaranteed_wage_days.parquet").filter(pl.col("employee_id") == "EMP-BE-027")
    assert (days.height, days["day_rank"].min(), days["day_rank"].max()) == (31, 1311, 1341)
    assert set(days["band"]) == {"MUTUALITY"} and days.filter(pl.col("service_code") == 50).height == 22
    # EMP-LU-003: 35 days outside Belgium in 2026 > 34 (BE-LU avenant): share 20 / (20 + 2 + 0) = 0.9091.
    lu = line(out, "EMP-LU-003")
    assert (lu["withholding_reason"], lu["taxable_share_be"]) == ("LU_OVER_TOLERANCE_PRORATA", D("0.9091"))
    # EMP-FR-006: first excess of the 30 exit days in October -> year lost, regularise January-September.
    fr = line(out, "EMP-FR-006")
    assert fr["withholding_reason"] == "FR_EXIT_LIMIT_YEAR_LOST" and fr["regularisation_required"]
    assert fr["regularisation_periods"].startswith("2026-01,") and fr["regularisation_periods"].endswith("2026-09")
    # EMP-BE-021: Belgian resident working in France, 2,042.82 EUR x 6.55957 = 13,400.02 FRF > 13,400 -> band 3,
    # 1,000 BEF / 40.3399 = 24.79; no Belgian ONSS, no Belgian withholding.
    be021 = line(out, "EMP-BE-021")
    assert (be021["onem_allowance"], be021["onss_base"], be021["worker_contribution"]) == (D("24.79"), None, D("0.00"))
    assert be021["withholding_reason"] == "EMPLOYED_ABROAD_NO_BE_PAYROLL"


def test_every_reason_code_reachable_in_2026_is_exercised(october):
    reasons = set(pl.read_parquet(october / "out" / "payroll_lines.parquet")["withholding_reason"])
    assert reasons >= {
        "BE_RESIDENT",
        "FR_NOT_GRANDFATHERED",
        "FR_EXCLUDED_CATEGORY",
        "FR_EXIT_LIMIT_DEFINITIVE",
        "FR_EXIT_LIMIT_YEAR_LOST",
        "FR_276FG_MISSING",
        "FR_FRONTIER_EXEMPT",
        "LU_WITHIN_TOLERANCE",
        "LU_OVER_TOLERANCE_PRORATA",
        "NL_WORK_STATE_PRORATA",
        "DE_WORK_STATE_PRORATA",
        "OTHER_TREATY_REVIEW",
    }


def test_manifest_counts_reconcile_and_hashes_match(october):
    out = october / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    for counts in manifest["counts"].values():
        assert counts["read"] == counts["valid"] + counts["rejected"] + counts["blank"] + counts["out_of_period"]
    assert manifest["totals"]["computed"] == 67
    nothing_else = {"rejected": 0, "blank": 0, "out_of_period": 0}
    assert manifest["counts"]["employees"] == {"read": 67, "valid": 67, **nothing_else}
    assert manifest["counts"]["absences"] == {"read": 20, "valid": 20, **nothing_else}
    from pipeline.outputs.audit import sha256_file

    for entry in manifest["outputs"]:
        assert sha256_file(out / entry["name"]) == entry["sha256"]
    assert "guaranteed_wage/inami_ceiling_start_from_2024" in manifest["parameters_not_verified"]


def test_public_holiday_in_a_prolonged_suspension_in_the_july_sample(tmp_path):
    """EMP-BE-026 (blue collar) is ill 2026-06-16 .. 07-05, prolonged by a certificate from 07-06 to 07-31: one
    uninterrupted suspension, so the 30-day window of the royal decree of 18 April 1974 runs from 06-16 and the
    national holiday Tue 21 July is its day 36 (the prolongation's day 16): not paid by the employer (rank 36,
    mutuality, 0.00) - before the fix it was paid at 100 % and subject to ONSS."""
    result = run(
        "run",
        str(SAMPLE / "quarter_2026_q3" / "2026-07"),
        "--period",
        "2026-07",
        "--out",
        str(tmp_path / "out"),
        "--run-date",
        "2026-08-03",
        "--store",
        str(tmp_path / "store"),
        "-q",
    )
    assert result.exit_code == 0, result.output
    days = pl.read_parquet(tmp_path / "out" / "guaranteed_wage_days.parquet")
    holiday = days.filter((pl.col("employee_id") == "EMP-BE-026") & (pl.col("date") == pl.date(2026, 7, 21))).row(
        0, named=True
    )
    assert (holiday["public_holiday"], holiday["episode_day"], holiday["day_rank"], holiday["band"]) == (
        True,
        16,
        36,
        "MUTUALITY",
    )
    assert (holiday["amount"], holiday["onss_subject"]) == (D("0.00"), False)
    assert line(tmp_path / "out", "EMP-BE-026")["guaranteed_wage_onss"] == D("0.00")


def test_rerun_is_byte_identical(october, tmp_path):
    result = run(
        "run",
        str(SAMPLE / "batch_2026_10"),
        "--period",
        "2026-10",
        "--out",
        str(tmp_path / "again"),
        "--run-date",
        "2026-11-02",
        "--store",
        str(tmp_path / "store"),
        "-q",
    )
    assert result.exit_code == 0
    first = sorted(p.name for p in (october / "out").iterdir())
    assert first == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in first:
        assert (october / "out" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_existing_output_needs_overwrite(october):
    args = [
        "run",
        str(SAMPLE / "batch_2026_10"),
        "--period",
        "2026-10",
        "--out",
        str(october / "out"),
        "--run-date",
        "2026-11-02",
        "--store",
        str(october / "store"),
        "-q",
    ]
    assert run(*args).exit_code == 5
    assert run(*args, "--overwrite").exit_code == 0


def test_bad_input_exits_3_with_every_defect_and_computes_the_rest(tmp_path):
    result = run(
        "run",
        str(SAMPLE / "bad_input"),
        "--period",
        "2026-10",
        "--out",
        str(tmp_path / "out"),
        "--run-date",
        "2026-11-02",
        "--store",
        str(tmp_path / "store"),
        "-q",
    )
    assert result.exit_code == 3
    rejects = pl.read_parquet(tmp_path / "out" / "rejects.parquet")
    got = {(r["source_file"], r["source_line"], r["column"], r["check"]) for r in rejects.iter_rows(named=True)}
    with (SAMPLE / "bad_input" / "expected_rejects.csv").open(encoding="utf-8") as fh:
        expected = {(r["source_file"], int(r["source_line"]), r["column"], r["check"]) for r in csv.DictReader(fh)}
    assert expected <= got
    # The only extra: the valid absence of BAD-010 whose pay rows fell with its overlapping episode
    # (documented in sample_data/bad_input/README.md).
    assert set(got - expected) <= {("absences.csv", 2, "daily_wage", "pay_row_missing")}
    lines = pl.read_parquet(tmp_path / "out" / "payroll_lines.parquet")
    assert lines.height > 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    for counts in manifest["counts"].values():
        assert counts["read"] == counts["valid"] + counts["rejected"] + counts["blank"] + counts["out_of_period"]
    niss = rejects.filter(pl.col("column") == "niss")["value"].to_list()
    assert niss and all(v.startswith("*********") for v in niss)  # national numbers are masked


@pytest.mark.parametrize(("folder", "profile"), [("exports_fr", "fr_export"), ("exports_nl", "nl_export")])
def test_foreign_headed_exports(folder, profile, tmp_path):
    result = run(
        "run",
        str(SAMPLE / folder),
        "--profile",
        profile,
        "--period",
        "2026-10",
        "--out",
        str(tmp_path / "out"),
        "--run-date",
        "2026-11-02",
        "--store",
        str(tmp_path / "store"),
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(tmp_path / "out" / "payroll_lines.parquet").height == 8


def test_missing_parameter_exits_4(tmp_path):
    # The special contributions are kept from 2024 on: a 2019 period cannot be computed.
    result = run(
        "run",
        str(SAMPLE / "batch_2026_10"),
        "--period",
        "2019-10",
        "--out",
        str(tmp_path / "out"),
        "--run-date",
        "2019-11-02",
        "--store",
        str(tmp_path / "store"),
        "-q",
    )
    assert result.exit_code == 4
    assert not (tmp_path / "out").exists()


def test_validate_params_explain_and_claims(october, tmp_path):
    assert run("validate", str(SAMPLE / "bad_input")).exit_code == 3
    assert run("validate", str(SAMPLE / "batch_2026_10")).exit_code == 0
    shown = run("params", "show", "--date", "2026-10-01", "--name", "onss/worker_rate")
    assert shown.exit_code == 0 and "13.07 %" in shown.output
    why = run("explain", "EMP-FR-006", "--period", "2026-10", "--store", str(october / "store"))
    assert why.exit_code == 0 and "FR_EXIT_LIMIT_YEAR_LOST" in why.output
    # Recomputed from the batch folder by the monthly job's steps: the same explanation.
    again = run("explain", "EMP-FR-006", "--period", "2026-10", "--input", str(SAMPLE / "batch_2026_10"))
    assert again.exit_code == 0 and again.output == why.output
    claims = run(
        "claims",
        "--semester",
        "2026-H2",
        "--store",
        str(october / "store"),
        "--out",
        str(tmp_path / "c"),
        "--run-date",
        "2026-11-02",
    )
    assert claims.exit_code == 0
    frame = pl.read_parquet(tmp_path / "c" / "onem_claims.parquet")
    assert frame.filter(pl.col("employee_id") == "EMP-BE-021")["total"].to_list() == [D("24.79")]
    # Month columns by name, the worker's names from the run store's employees table, and nothing to
    # claim where nothing is due: EMP-BE-019 is not taxed in Belgium, so October gives 0.00 (AR 9 June 1999
    # art. 1: the allowance needs Belgian taxation). EMP-BE-017: 2,950 × 2.20371 = 6,500.94 NLG -> band 3, 24.79.
    assert frame.columns[6:12] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    rows = {r["employee_id"]: r for r in frame.iter_rows(named=True)}
    assert (rows["EMP-BE-017"]["last_name"], rows["EMP-BE-017"]["first_name"]) == ("Verhaeghen", "Saar")
    assert (rows["EMP-BE-017"]["2026-10"], rows["EMP-BE-017"]["claimable"]) == (D("24.79"), True)
    assert (rows["EMP-BE-019"]["total"], rows["EMP-BE-019"]["claimable"]) == (D("0.00"), False)
    # The claims manifest pins code and parameters like the monthly run it comes from (only
    # October is in the store, so the parameters not verified are October's).
    claimed = json.loads((tmp_path / "c" / "manifest.json").read_text())
    monthly = json.loads((october / "out" / "manifest.json").read_text())
    for key in ("code_version", "code_sha256", "parameter_bundle_sha256", "parameters_not_verified"):
        assert claimed[key] == monthly[key], key
    assert claimed["source_runs"] == {"2026-10": monthly["run_id"]}
    assert claimed["months_missing_from_store"] == ["2026-07", "2026-08", "2026-09", "2026-11", "2026-12"]
    assert run("--help").exit_code == 0


def test_every_contribution_source_resolves_in_the_parameters_table(october):
    """contribution_lines.source is `parameter@effective_from [status]`; the run's parameters table
    gives each such key once with its value and full legal reference (data-contract decisions)."""
    lines = pl.read_parquet(october / "out" / "contribution_lines.parquet")
    params = pl.read_parquet(october / "out" / "parameters.parquet")
    assert params.get_column("source").is_unique().all()
    keys = lines.select("parameter", "source", "rate").unique()
    joined = keys.join(params, on="source", how="left", suffix="_table")
    assert (
        joined.filter(pl.col("parameter_table").is_null() | (pl.col("parameter") != pl.col("parameter_table"))).height
        == 0
    )
    assert joined.filter(pl.col("reference_href").is_null() | pl.col("reference_title").is_null()).height == 0
    worker = joined.filter(pl.col("parameter") == "onss/worker_rate").row(0, named=True)
    assert worker["source"] == "onss/worker_rate@1990-01-01 [verified]"
    assert D(worker["value"]) == D("0.1307") == worker["rate"]


def test_validate_with_a_period_rejects_exactly_what_run_rejects(tmp_path):
    # bad_input: validation alone misses what the rules of October reject (the absence of BAD-010
    # whose pay rows fell, check pay_row_missing); with --period, validate reports it like run.
    import re

    done = run(
        *("run", str(SAMPLE / "bad_input"), "--period", "2026-10", "--out", str(tmp_path / "out")),
        *("--run-date", "2026-11-02", "--store", str(tmp_path / "store"), "-q"),
    )
    assert done.exit_code == 3
    rejected = pl.read_parquet(tmp_path / "out" / "rejects.parquet")
    expected = {(r["source_file"], r["source_line"], r["column"], r["check"]) for r in rejected.iter_rows(named=True)}
    assert len(expected) <= 50  # validate lists the first 50 rejects

    def listed(output: str) -> set[tuple[str, int, str, str]]:
        found = re.findall(r"^(\S+\.csv):(\d+) (\S+) \[(\w+)\]", output, flags=re.MULTILINE)
        return {(f, int(n), c, k) for f, n, c, k in found}

    checked = run("validate", str(SAMPLE / "bad_input"), "--period", "2026-10", "--store", str(tmp_path / "empty"))
    assert checked.exit_code == 3 and listed(checked.output) == expected
    alone = run("validate", str(SAMPLE / "bad_input"))
    assert ("absences.csv", 2, "daily_wage", "pay_row_missing") in expected - listed(alone.output)


def test_validate_with_a_period_counts_later_months_out_of_period():
    # The October batch holds pay January-October: for July, the rows of August (63 employees paid),
    # September (65) and October (67), 63 + 65 + 67 = 195, are out of the period, not defects.
    checked = run("validate", str(SAMPLE / "batch_2026_10"), "--period", "2026-07", "--store", "/nonexistent")
    assert checked.exit_code == 0, checked.output
    assert "out of period      195" in checked.output and "no defects found" in checked.output
    assert "warning [out_of_period] 195 pay row(s) of months after 2026-07" in " ".join(checked.output.split())
