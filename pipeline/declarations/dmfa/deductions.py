"""The quarter's deductions: the work bonus per worker line (WorkerDeduction 0001) and the
structural reduction per occupation (OccupationDeduction 3000).

- :func:`worker_deductions`: each deduction declared in
  :data:`pipeline.rules.contributions.CONTRIBUTIONS` (the work bonus) is the sum of the quarter's
  monthly lines of the worker line, as a positive amount (ONSS DmfA instructions "Le bonus à
  l'emploi": the deduction is the sum of the monthly bonuses; calculation basis forbidden).
- :func:`structural_reductions`: the category-1 structural reduction of every occupation
  (:func:`pipeline.rules.structural_reduction.compute_structural_reduction`), computed on the
  quarter: W = the occupation's remuneration code 1 at 100 %; a full-time occupation over the
  whole quarter with no incapacity day has complete performance; otherwise a full-time one counts
  its days under service code 1 (J) against its days a week (D), and a part-time one its hours
  under service code 1 (H) against the reference weekly hours S (U, zone 00049); the ceiling is
  the worker line's employer basic + wage-moderation contributions after the cap
  (:func:`~pipeline.declarations.dmfa.contributions.employer_capped_contributions`).
  Every occupation of this processor is eligible: worker codes 015 and 495 are workers under every
  branch of social security, and it declares no termination-indemnity (remuneration codes 3, 9)
  or flexi (code 22) line (ONSS DmfA instructions, "La réduction structurelle", "Introduction" 2019-2).
- :func:`occupation_deductions`: one 3000 block per occupation with a reduction above 0 (none for
  an ineligible or 0.00 line).
"""

from __future__ import annotations

import polars as pl

from pipeline.core.money import MONEY
from pipeline.core.params import Parameters
from pipeline.core.periods import quarter_bounds
from pipeline.declarations.dmfa.occupations import INCAPACITY_SERVICE_CODES, SERVICE_WORK
from pipeline.declarations.dmfa.quarter import WORKER_LINE_KEY
from pipeline.rules.contributions import declared_deductions
from pipeline.rules.structural_reduction import DEDUCTION_CODE, compute_structural_reduction

DEDUCTION_SCHEMA: dict[str, pl.DataType] = {
    **dict.fromkeys(WORKER_LINE_KEY, pl.String),
    "deduction_code": pl.String,
    "contribution": pl.String,
    "amount": MONEY,
}
"""Columns of :func:`worker_deductions`."""

OCCUPATION_KEY = [*WORKER_LINE_KEY, "occupation_seq"]
_WORKER_ID = pl.concat_str([pl.col("niss"), pl.col("worker_code")], separator="/")
"""The rule's worker_id: the worker line's person and worker code (never shown: NISS)."""


def worker_deductions(keyed: pl.DataFrame) -> pl.DataFrame:
    """Per worker line and deduction code, the quarter's amount (positive): minus the sum of the
    monthly deduction lines (``keyed``: :func:`~pipeline.declarations.dmfa.contributions.keyed_lines`);
    only amounts above 0."""
    parts = []
    for c in declared_deductions():
        lines = keyed.filter(pl.col("contribution") == c.name)
        parts.append(
            lines.group_by(WORKER_LINE_KEY).agg(
                pl.lit(c.dmfa_code).alias("deduction_code"),
                pl.lit(c.name).alias("contribution"),
                (-pl.col("amount").sum()).cast(MONEY).alias("amount"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=DEDUCTION_SCHEMA)
    out = pl.concat([p.select(list(DEDUCTION_SCHEMA)).cast(DEDUCTION_SCHEMA) for p in parts])
    return out.filter(pl.col("amount") > 0).sort(*WORKER_LINE_KEY, "deduction_code")


def structural_input(
    occ: pl.DataFrame, svc: pl.DataFrame, employer_contributions: pl.DataFrame, quarter: str
) -> pl.DataFrame:
    """The frame :func:`~pipeline.rules.structural_reduction.compute_structural_reduction` reads,
    one row per occupation (``occ``, with its services ``svc``), with the occupation keys."""
    q_start, q_end = quarter_bounds(quarter)
    per_code = svc.group_by("employee_id", "occupation_no").agg(
        pl.col("days").filter(pl.col("service_code") == SERVICE_WORK).sum().alias("_days1"),
        pl.col("hours").filter(pl.col("service_code") == SERVICE_WORK).sum().alias("_hours1"),
        pl.col("days").filter(pl.col("service_code").is_in(list(INCAPACITY_SERVICE_CODES))).sum().alias("_absent"),
    )
    part_time = pl.col("work_fraction") < 1
    whole_quarter = (pl.col("span_start") == q_start) & (pl.col("span_end") == q_end)
    return (
        occ.join(per_code, on=["employee_id", "occupation_no"], how="left")
        .join(employer_contributions, on=WORKER_LINE_KEY, how="left")
        .select(
            *OCCUPATION_KEY,
            "employee_id",
            _WORKER_ID.alias("worker_id"),
            pl.col("occupation_seq").cast(pl.Int32).alias("occupation"),
            pl.lit(quarter).alias("quarter"),
            pl.lit(True).alias("eligible"),
            pl.col("remuneration").alias("wage_100"),
            (~part_time & whole_quarter & (pl.col("_absent").fill_null(0) == 0)).alias("complete_performance"),
            pl.col("_days1").fill_null(0).alias("paid_days"),
            pl.col("weekly_work_days").alias("days_per_week"),
            pl.when(part_time).then(pl.col("_hours1").fill_null(0)).alias("paid_hours"),
            pl.when(part_time).then(pl.col("ref_mean_working_hours")).alias("reference_weekly_hours"),
            pl.col("employer_contributions").fill_null(0),
        )
    )


def structural_reductions(
    occ: pl.DataFrame, svc: pl.DataFrame, employer_contributions: pl.DataFrame, params: Parameters, quarter: str
) -> pl.DataFrame:
    """The structural reduction of every occupation of the quarter: the rule's output columns,
    with the occupation keys (niss, worker_code, occupation_seq) and the employee id."""
    frame = structural_input(occ, svc, employer_contributions, quarter)
    line = ["employer_id", "worker_id", "occupation"]
    keys = frame.select(*line, *OCCUPATION_KEY[1:], "employee_id")
    result = compute_structural_reduction(frame.drop(*OCCUPATION_KEY[1:], "employee_id"), params)
    return keys.join(result, on=line, how="inner").select(
        "employer_id", *OCCUPATION_KEY[1:], "employee_id", *[c for c in result.columns if c != "employer_id"]
    )


def occupation_deductions(structural: pl.DataFrame) -> pl.DataFrame:
    """One OccupationDeduction 3000 per occupation with a structural reduction above 0."""
    return (
        structural.filter(pl.col("structural_reduction") > 0)
        .select(
            *OCCUPATION_KEY,
            pl.lit(DEDUCTION_CODE).alias("deduction_code"),
            pl.col("structural_reduction").alias("amount"),
        )
        .sort(OCCUPATION_KEY)
    )
