"""The figures of the people's outputs, computed once for the report, the workbook and the console
summary: totals per employer, contribution lines per DmfA code, employers' names, masked rejects.

Sums of the rounded lines, exact (polars Decimal): data-contract "Money", totals are sums of
rounded lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from pipeline.core.keys import aligned
from pipeline.core.money import MONEY, cents_column
from pipeline.core.rejects import MASKED_COLUMNS, mask_expr
from schemas.checks import niss_ok
from schemas.outputs import OUTPUTS

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
    # One period: one line per employee (the pay rows are unique per employee and period), so the
    # headcount is the number of lines, without hashing the ids once more.
    one_period = payroll_lines.height == 0 or payroll_lines.get_column("period").n_unique() == 1
    headcount = pl.len() if one_period else pl.col("employee_id").n_unique()
    return (
        payroll_lines.lazy()
        .group_by("employer_id")
        .agg(
            headcount.cast(pl.Int64).alias("headcount"),
            pl.col("worker_code").is_null().sum().cast(pl.Int64).alias("employed_abroad"),
            *(cents_column(c).fill_null(0).sum().alias(c) for c in present),
            pl.col("withholding_applies").fill_null(False).sum().cast(pl.Int64).alias("withholding_applies"),
        )
        .with_columns(_euros(c) for c in present)
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


def _euros(column: str) -> pl.Expr:
    return (pl.col(column).cast(MONEY) / 100).cast(MONEY)


def _with_employer(contribution_lines: pl.DataFrame, payroll_lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """(the columns of ``contribution_lines`` that are summed, with ``employer``: the index of the
    line's employer in the second value, null when the line has no payroll line; the sorted
    employer_ids of ``payroll_lines``).

    A contribution line's employer is that of the payroll line of its employee and period: a left
    join. When every line is of one period (a monthly run), the employee alone finds it, without
    hashing ten million string keys: the first line of each run of one employee (the lines are in
    employee order) is looked up in the payroll lines (:func:`pipeline.core.keys.aligned`: a
    binary search when both are in employee_id order, else a join), and its employer given to the
    run's lines; when the payroll lines repeat an employee (masked national numbers used as ids
    collide), the join itself, as it is.
    """
    named = payroll_lines.get_column("employer_id")
    employers = named.drop_nulls().unique().sort()
    index = pl.select(
        pl.when(named.is_not_null()).then(employers.search_sorted(named.fill_null("")).cast(pl.UInt32))
    ).to_series()
    per_line = payroll_lines.select("employee_id", "period", index.alias("employer"))
    summed = contribution_lines.select("payer", "kind", "dmfa_code", "contribution", "base", "rate", "amount")
    ids, periods = contribution_lines.get_column("employee_id"), per_line.get_column("period").unique()
    if (
        ids.len()
        and periods.len() == 1
        and (contribution_lines.get_column("period") == periods[0]).fill_null(False).all()
    ):
        run = ids.rle_id()
        firsts = ids.gather(run.search_sorted(pl.int_range(run[-1] + 1, dtype=run.dtype, eager=True)))
        try:
            employer = aligned(firsts, per_line.drop("period")).to_series().gather(run)
            return summed.with_columns(employer.alias("employer")), employers
        except ValueError:  # the payroll lines repeat an employee: the join below
            pass
    joined = contribution_lines.select("employee_id", "period", *summed.columns).join(
        per_line, on=["employee_id", "period"], how="left"
    )
    return joined.drop("employee_id", "period"), employers


def _by_one_key(lines: pl.DataFrame, employers: int, codes: tuple[str, ...], aggs: tuple[pl.Expr, ...]) -> pl.DataFrame:
    """``lines.group_by("employer", *codes).agg(*aggs)`` with the codes as text, grouped by one
    integer made of the employer index (below ``employers``, or null) and the codes' Enum indices
    (grouping by one integer is several times cheaper than by five columns); a plain group-by
    when a code is not an Enum."""
    dtypes = [lines.schema[c] for c in codes]
    if not all(isinstance(d, pl.Enum) for d in dtypes):
        return lines.group_by("employer", *codes).agg(*aggs).with_columns(pl.col(codes).cast(pl.String))
    sizes = [employers] + [len(d.categories) for d in dtypes]  # index `size` stands for null
    key = pl.col("employer").cast(pl.UInt64).fill_null(employers)
    for name, size in zip(codes, sizes[1:]):
        key = key * (size + 1) + pl.col(name).to_physical().cast(pl.UInt64).fill_null(size)
    summed = lines.group_by(key.alias("__key")).agg(*aggs)
    digits, step = {}, 1
    for name, size in reversed(list(zip(("employer", *codes), sizes))):
        digits[name] = ((summed.get_column("__key") // step) % (size + 1)).cast(pl.UInt32)
        step *= size + 1
    at = digits["employer"]
    decoded = [pl.select(pl.when(at < employers).then(at)).to_series().alias("employer")]
    for name, dtype in zip(codes, dtypes):
        values = pl.Series(name, [*dtype.categories, None], dtype=pl.String)
        decoded.append(values.gather(digits[name]))
    return summed.drop("__key").with_columns(decoded)


def contributions_by_code(contribution_lines: pl.DataFrame, payroll_lines: pl.DataFrame) -> pl.DataFrame:
    """Contribution lines summed per employer, payer, kind, DmfA code and contribution.

    ``rate`` is kept where every line of the group has the same rate (else null); ``base`` is the
    sum of the lines' bases. The lines are grouped by their employer's index
    (:func:`_with_employer`) and codes as they are (:func:`_by_one_key`), the codes turned into
    text for the sort (an Enum sorts by category, not by text); sums are exact, in integer cents.
    """
    lines, employers = _with_employer(contribution_lines, payroll_lines)
    codes = ("payer", "kind", "dmfa_code", "contribution")
    rate = pl.col("rate")
    fixed = rate.to_physical()  # the rate's integer (Decimal's), compared more cheaply
    aggs = (
        pl.len().cast(pl.Int64).alias("lines"),
        cents_column("base").sum().alias("base"),
        pl.when((fixed.min() == fixed.max()) & (rate.null_count() == 0)).then(rate.first()).alias("rate"),
        cents_column("amount").sum().alias("amount"),
    )
    summed = _by_one_key(lines, employers.len(), codes, aggs)
    return (
        summed.lazy()
        .select(
            employers.gather(summed.get_column("employer")).alias("employer_id"),
            *codes,
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
"""Keys under which :func:`figures_only` puts the figures, beside the tables the renderers read."""


def figures_only(tables: Mapping[str, pl.DataFrame], by_code: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """:func:`employer_figures` and :func:`contributions_by_code`, computed once for the report,
    the workbook and the console summary (at a million lines, each costs seconds), on ``tables`` as
    the run computed them, before national numbers are masked: a pay export keyed by national number masks every
    employee id to its last two digits, so masked ids collide and could not be counted or matched.

    ``by_code``: the contributions by code when the run already summed them (the rules sum them per
    employee-month, ten times fewer rows than the lines: ``pipeline.rules.contributions.contributions``)."""
    lines = tables["payroll_lines"]
    if by_code is None:
        by_code = contributions_by_code(tables["contribution_lines"], lines)
    return {FIGURES: employer_figures(lines), BY_CODE: by_code}


def merge_figures(parts: Sequence[Mapping[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """The figures of a run from those of its partitions (each employee in one partition): every
    count and amount is a sum; a code's rate is kept where every partition kept the same rate."""
    figures = pl.concat([p[FIGURES] for p in parts])
    by_code = pl.concat([p[BY_CODE] for p in parts])
    codes = ("payer", "kind", "dmfa_code", "contribution")
    rate = pl.col("rate")
    return {
        FIGURES: figures.group_by("employer_id")
        .agg(pl.all().sum())
        .select(figures.columns)
        .cast(figures.schema)
        .sort("employer_id"),
        # sorted first, then grouped in that order: the rows of a key are then adjacent (a third of the time of
        # grouping the concatenated rows and sorting the groups, at a million employee-months), same result
        BY_CODE: by_code.sort("employer_id", *codes, nulls_last=True, maintain_order=True)
        .group_by("employer_id", *codes, maintain_order=True)
        .agg(
            pl.col("lines").sum(),
            pl.col("base").sum(),
            pl.when((rate.null_count() == 0) & (rate.n_unique() == 1)).then(rate.first()).alias("rate"),
            pl.col("amount").sum(),
        )
        .select(by_code.columns)
        .cast(by_code.schema),
    }


def figures_of(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The employer figures of ``tables``: those of :func:`figures_only`, else computed."""
    found = tables.get(FIGURES)
    return found if found is not None else employer_figures(tables["payroll_lines"])


def by_code_of(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The contributions by code of ``tables``: those of :func:`figures_only`, else computed."""
    found = tables.get(BY_CODE)
    return found if found is not None else contributions_by_code(tables["contribution_lines"], tables["payroll_lines"])


def employer_names(tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """employer_id -> name, from the ``employers`` table when the caller passes it."""
    employers = tables.get("employers")
    if employers is None or "name" not in employers.columns:
        return {}
    rows = employers.select("employer_id", "name").drop_nulls().unique("employer_id", keep="first").sort("employer_id")
    return dict(zip(rows.get_column("employer_id").to_list(), rows.get_column("name").to_list()))  # not row by row


EMPLOYER_TOTALS = "employer_totals"
"""The audit table of every employer's totals (data-contract "Outputs": ``employer_totals``)."""


def employer_totals(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The ``employer_totals`` table: the report's recap for every employer (sorted by
    employer_id), in the columns and types of ``schemas.outputs.EMPLOYER_TOTALS``; a bureau's
    thousands of client employers are there, the report lists the largest."""
    figures = figures_of(tables)
    spec = OUTPUTS[EMPLOYER_TOTALS].schema()
    names = employer_names(tables)
    present = {
        "name": pl.col("employer_id").replace_strict(names, default=None, return_dtype=pl.String),
        **{c: pl.col(c) for c in spec if c in figures.columns and c != "name"},
    }
    return figures.select(
        (present[c] if c in present else pl.lit(None)).cast(dtype).alias(c) for c, dtype in spec.items()
    )


def file_of(manifest: Mapping[str, Any], table: str) -> str:
    """The run's file that holds ``table``: its CSV, or its Parquet file when the run wrote no CSV of
    it (the manifest's ``csv`` entry; without one, the CSV)."""
    choice = manifest.get("csv") or {}
    parquet_only = choice.get("mode") == "none" or table in choice.get("parquet_only", ())
    return f"{table}.parquet" if parquet_only else f"{table}.csv"


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
