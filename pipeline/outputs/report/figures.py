"""The figures of the people's outputs, computed once for the report, the workbook and the console
summary: totals per employer, contribution lines per DmfA code, employers' names, masked rejects.

Sums of the rounded lines, exact (polars Decimal): data-contract "Money", totals are sums of
rounded lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from pipeline.core.money import MONEY
from pipeline.core.rejects import MASKED_COLUMNS, mask_expr
from schemas.checks import niss_ok

MONEY_FIGURES = (
    "gross_salary",
    "guaranteed_wage_onss",
    "guaranteed_wage_exempt",
    "onss_base",
    "worker_contribution",
    "work_bonus",
    "csss",
    "employer_contribution",
    "onem_allowance",
)
OPTIONAL_FIGURES = ("work_bonus", "csss")
"""``payroll_lines`` columns of the work bonus and the CSSS: used when the run computed them."""


def employer_figures(payroll_lines: pl.DataFrame) -> pl.DataFrame:
    """One row per employer (sorted by employer_id) with the report's figures.

    Sums of the rounded lines (data-contract "Money": totals are sums of rounded lines).
    ``personal_before_bonus`` = worker_contribution + work_bonus (the 13.07 % line before the
    bonus is deducted); ``due_to_onss`` = worker_contribution + employer_contribution + csss: what
    the employer pays ONSS for the month (personal contributions withheld after the work bonus,
    employer contributions due, the CSSS withheld). ``work_bonus`` / ``csss`` are columns only
    when ``payroll_lines`` has them.
    """
    present = [c for c in MONEY_FIGURES if c in payroll_lines.columns]
    bonus = pl.col("work_bonus") if "work_bonus" in present else pl.lit(0, MONEY)
    csss = pl.col("csss") if "csss" in present else pl.lit(0, MONEY)
    return (
        payroll_lines.lazy()
        .group_by("employer_id")
        .agg(
            pl.col("employee_id").n_unique().cast(pl.Int64).alias("headcount"),
            pl.col("worker_code").is_null().sum().cast(pl.Int64).alias("employed_abroad"),
            *(pl.col(c).fill_null(0).sum().cast(MONEY).alias(c) for c in present),
            pl.col("withholding_applies").fill_null(False).sum().cast(pl.Int64).alias("withholding_applies"),
        )
        .with_columns(
            (pl.col("worker_contribution") + bonus).cast(MONEY).alias("personal_before_bonus"),
            (pl.col("worker_contribution") + pl.col("employer_contribution") + csss).cast(MONEY).alias("due_to_onss"),
        )
        .sort("employer_id")
        .collect()
    )


def figures_total(figures: pl.DataFrame) -> dict[str, Any]:
    """The column sums of :func:`employer_figures` (one employee belongs to one employer); zeros
    when no line was computed."""
    return figures.drop("employer_id").select(pl.all().sum()).row(0, named=True)


def _cents(column: str) -> pl.Expr:
    """A cent amount as integer cents (exact): integer sums are several times cheaper than Decimal ones."""
    return (pl.col(column).cast(MONEY) * 100).cast(pl.Int64)


def _euros(column: str) -> pl.Expr:
    return (pl.col(column).cast(MONEY) / 100).cast(MONEY)


def contributions_by_code(contribution_lines: pl.DataFrame, payroll_lines: pl.DataFrame) -> pl.DataFrame:
    """Contribution lines summed per employer, payer, kind, DmfA code and contribution.

    ``rate`` is kept where every line of the group has the same rate (else null); ``base`` is the
    sum of the lines' bases. The codes are grouped as they are (Enum) and turned into text for the
    sort (an Enum sorts by category, not by text); sums are exact, in integer cents.
    """
    employer_of = payroll_lines.select("employee_id", "period", "employer_id")
    codes = ("payer", "kind", "dmfa_code", "contribution")
    rate = pl.col("rate")
    return (
        contribution_lines.lazy()
        .select("employee_id", "period", *codes, "base", "rate", "amount")
        .join(employer_of.lazy(), on=["employee_id", "period"], how="left")
        .group_by("employer_id", *codes)
        .agg(
            pl.len().cast(pl.Int64).alias("lines"),
            _cents("base").sum().alias("base"),
            pl.when((rate.min() == rate.max()) & (rate.null_count() == 0)).then(rate.min()).alias("rate"),
            _cents("amount").sum().alias("amount"),
        )
        .select(
            "employer_id",
            *(pl.col(c).cast(pl.String) for c in codes),
            "lines",
            _euros("base"),
            "rate",
            _euros("amount"),
        )
        .sort("employer_id", *codes, nulls_last=True)
        .collect()
    )


FIGURES = "employer_figures"
BY_CODE = "contributions_by_code"
"""Keys under which :func:`with_figures` puts the figures beside the tables."""


def with_figures(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """``tables`` plus :func:`employer_figures` and :func:`contributions_by_code`, computed once for
    the report, the workbook and the console summary (at a million lines, each costs seconds)."""
    lines = tables["payroll_lines"]
    return {
        **tables,
        FIGURES: employer_figures(lines),
        BY_CODE: contributions_by_code(tables["contribution_lines"], lines),
    }


def figures_of(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The employer figures of ``tables``: those of :func:`with_figures`, else computed."""
    found = tables.get(FIGURES)
    return found if found is not None else employer_figures(tables["payroll_lines"])


def by_code_of(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The contributions by code of ``tables``: those of :func:`with_figures`, else computed."""
    found = tables.get(BY_CODE)
    return found if found is not None else contributions_by_code(tables["contribution_lines"], tables["payroll_lines"])


def employer_names(tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """employer_id -> name, from the ``employers`` table when the caller passes it."""
    employers = tables.get("employers")
    if employers is None or "name" not in employers.columns:
        return {}
    rows = employers.select("employer_id", "name").drop_nulls().unique("employer_id", keep="first")
    return dict(rows.sort("employer_id").iter_rows())


def masked_rejects(rejects: pl.DataFrame) -> pl.DataFrame:
    """The rejects with every national number masked in ``value``: the NISS column, any value that
    is a valid NISS/BIS number whatever its column (data-contract v2), and any run of 11 digits."""
    value = pl.col("value")
    whole = pl.col("column").is_in(list(MASKED_COLUMNS)) | niss_ok(value).fill_null(False)
    return rejects.with_columns(
        pl.when(whole)
        .then(mask_expr(value))
        .otherwise(value.str.replace_all(r"\d{9}(\d{2})", "*********$1"))
        .alias("value")
    )
