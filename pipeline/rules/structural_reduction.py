"""Structural reduction of employer contributions, category 1 (private profit sector), per
occupation line and quarter: DmfA occupation deduction 3000.

Legal basis: Programme Act (I) of 24 December 2002, Title IV, Chapter 7, and the Royal Decree of
16 May 2003 executing it; ONSS DmfA administrative instructions "La réduction structurelle"
(2013-3, DmfAPPL 2018-4) and its "Introduction" (2019-2,
https://www.socialsecurity.be/employer/instructions/dmfa/fr/2019-2/instructions/deductions/structuralreduction_targetgroupreductions/introduction.html).

Per occupation line of the quarter (parameters in force on the quarter's first day)::

    R  = alpha × max(0, S0 - S) + gamma × max(0, S2 - S)        category 1: no flat F, no delta part
    Ps = round(R × mu × beta)   (half-up to the cent, once; R itself is not rounded)

- **W**, ``wage_100``: the line's quarterly wage mass at 100 % (remuneration codes 1, 2, 4, 5 and
  12; ouvriers at 100 % too).
- **S**, the quarterly reference wage: W for a full-time worker with complete performance;
  otherwise W × round2(13 × D / J) by days (full-time, D = days a week, J = paid days) or
  W × round2(13 × U / H) by hours (U = reference weekly hours, H = paid hours), not rounded.
- **mu** = round2(J / (13 × D)) or round2(H / (13 × U)), at most 1; 1 for complete performance.
- **beta** by mu_glob, the sum of mu over the worker's lines with the employer in the quarter
  (``onss/structural_reduction/beta``): 0, 1.18, 1.18 + (mu_glob - 0.55) × 0.28 or 1 / mu_glob.
  With 1 / mu_glob the product is computed as R × mu / mu_glob, so that no rounded reciprocal enters.
- **Cap**: the worker line's reductions are not above the employer's basic + wage-moderation
  contributions of that line after the quarterly cap on basic pay (``employer_contributions``);
  when they would be, the later occupation lines are cut first.

Which lines are eligible (no termination-indemnity line, no flexi line, workers under every
branch of social security) is decided by the aggregation (``eligible``). :func:`explain_structural_reduction`
reads the columns this computation writes.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pipeline.core.money import MONEY, WIDE, round_to, to_cents
from pipeline.core.params import Parameters, number_text, select
from pipeline.core.periods import Quarter

P = "onss/structural_reduction"
DEDUCTION_CODE = "3000"
"""DeductionCode [00086] of the structural reduction, category 1, in the occupation's
OccupationDeduction (ONSS DmfA instructions, annex 4 "Codes réduction")."""
SCALARS = ("s0", "s2", "alpha", "gamma")
"""The scalar parameters of category 1 (``onss/structural_reduction/<name>``)."""

WEEKS_PER_QUARTER = 13
"""A DmfA quarter counts 13 weeks: 13 × D days or 13 × U hours of a full-time reference worker."""

TWO = pl.Decimal(18, 2)
LINE = ("employer_id", "worker_id", "quarter")
"""A worker line: one worker with one employer in one quarter (mu_glob and the cap are per line)."""

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "employer_id": pl.String,
    "worker_id": pl.String,
    "occupation": pl.Int32,
    "quarter": pl.String,
    "structural_reduction": MONEY,
    "eligible": pl.Boolean,
    "wage_100": MONEY,
    "performance_basis": pl.Enum(["complete", "hours", "days"]),
    "paid_units": WIDE,
    "full_time_units": WIDE,
    "factor": TWO,
    "reference_wage": WIDE,
    "low_wage_part": WIDE,
    "very_low_wage_part": WIDE,
    "r": WIDE,
    "mu": TWO,
    "mu_glob": TWO,
    "beta_band": pl.Int8,
    "beta": WIDE,
    "before_cap": MONEY,
    "employer_contributions": MONEY,
    "cap_cut": MONEY,
    "sources": pl.Categorical(),
}
"""Columns of :func:`compute_structural_reduction`, in order."""


def _quarter_start(quarter: pl.Expr) -> pl.Expr:
    return pl.date(quarter.str.slice(0, 4).cast(pl.Int32), quarter.str.slice(6, 1).cast(pl.Int32) * 3 - 2, 1)


def _performance() -> list[pl.Expr]:
    """Basis, H and 13 × U (or J and 13 × D) of each line."""
    by_hours = pl.col("paid_hours").is_not_null() & pl.col("reference_weekly_hours").is_not_null()
    return [
        pl.when(pl.col("complete_performance"))
        .then(pl.lit("complete"))
        .when(by_hours)
        .then(pl.lit("hours"))
        .otherwise(pl.lit("days"))
        .cast(OUTPUT_SCHEMA["performance_basis"])
        .alias("performance_basis"),
        pl.when(by_hours)
        .then(pl.col("paid_hours").cast(WIDE))
        .otherwise(pl.col("paid_days").cast(WIDE))
        .alias("paid_units"),
        (
            pl.when(by_hours)
            .then(pl.col("reference_weekly_hours").cast(WIDE))
            .otherwise(pl.col("days_per_week").cast(WIDE))
            * WEEKS_PER_QUARTER
        ).alias("full_time_units"),
    ]


def _fractions() -> list[pl.Expr]:
    """mu (at most 1) and the factor of S; complete performance or no paid time: factor 1."""
    paid, full = pl.col("paid_units"), pl.col("full_time_units")
    complete = pl.col("performance_basis") == "complete"
    return [
        pl.when(complete)
        .then(pl.lit(1, TWO))
        .otherwise(pl.min_horizontal(round_to(paid / full, 2, TWO), pl.lit(1, TWO)))
        .alias("mu"),
        pl.when(complete | (paid == 0)).then(pl.lit(1, TWO)).otherwise(round_to(full / paid, 2, TWO)).alias("factor"),
    ]


def compute_structural_reduction(frame: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """The category-1 structural reduction of every occupation line of ``frame`` (columns :data:`OUTPUT_SCHEMA`).

    ``frame``, one row per occupation line of a quarter:

    - employer_id, worker_id (text; a worker line = employer, worker, quarter), occupation (integer,
      the line's order within the worker line: the cap cuts the later lines first), quarter (``YYYY-Qn``);
    - eligible (bool; null counts as false): the line can carry a structural reduction;
    - wage_100 (money): W, the line's quarterly wage mass at 100 %;
    - complete_performance (bool): full-time worker whose every scheduled day of the quarter is paid;
    - paid_days (J) and days_per_week (D, 5 or 6) for a full-time line; or paid_hours (H) and
      reference_weekly_hours (U) for a part-time line (used when both are given);
    - employer_contributions (money): the worker line's employer basic + wage-moderation
      contributions after the cap on basic pay (the same value on each of its lines).

    Raises :class:`MissingParameterError` for a quarter before the parameters' history.
    """
    if frame.height == 0:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    return _cap(_reduction(frame, params)).select([pl.col(name).cast(dtype) for name, dtype in OUTPUT_SCHEMA.items()])


def _reduction(frame: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Every figure up to Ps before the cap (``before_cap``), with ``__lines``: the worker line's number of lines."""
    starts = sorted({Quarter.parse(q).start for q in frame.get_column("quarter").unique().to_list()})
    on = {d: {name: params.entry(f"{P}/{name}", d) for name in (*SCALARS, "beta")} for d in starts}

    def per_quarter(value_of) -> pl.Expr:
        return select([(pl.col("__on") == d, value_of(entries)) for d, entries in on.items()])

    def scalar(name: str) -> pl.Expr:
        return per_quarter(lambda e: pl.lit(e[name].value, WIDE))

    mu_glob = pl.col("mu_glob")
    reciprocal = per_quarter(
        lambda e: pl.col("beta_band").is_in([i + 1 for i, b in enumerate(e["beta"].value.brackets) if b.reciprocal])
    )
    product = pl.col("r") * pl.col("mu").cast(WIDE)
    ps = pl.when(reciprocal & (mu_glob > 0)).then(product / mu_glob.cast(WIDE)).otherwise(product * pl.col("beta"))
    zero = pl.lit(0, WIDE)
    return (
        frame.lazy()
        .with_columns(
            _quarter_start(pl.col("quarter")).alias("__on"),
            pl.col("eligible").fill_null(False),
            pl.col("complete_performance").fill_null(False),
        )
        .with_columns(_performance())
        .with_columns(_fractions())
        .with_columns((pl.col("wage_100").cast(WIDE) * pl.col("factor").cast(WIDE)).alias("reference_wage"))
        .with_columns(
            (scalar("alpha") * pl.max_horizontal(scalar("s0") - pl.col("reference_wage"), zero)).alias("low_wage_part"),
            (scalar("gamma") * pl.max_horizontal(scalar("s2") - pl.col("reference_wage"), zero)).alias(
                "very_low_wage_part"
            ),
            pl.col("mu").sum().over(LINE).cast(TWO).alias("mu_glob"),
            pl.len().over(LINE).alias("__lines"),
        )
        .with_columns(
            (pl.col("low_wage_part") + pl.col("very_low_wage_part")).alias("r"),
            per_quarter(lambda e: e["beta"].value.band(mu_glob)).alias("beta_band"),
            per_quarter(lambda e: e["beta"].value.value(mu_glob)).alias("beta"),
            per_quarter(lambda e: pl.lit("; ".join(v.key(f"{P}/{n}") for n, v in e.items()))).alias("sources"),
        )
        .with_columns(pl.when(pl.col("eligible")).then(to_cents(ps)).otherwise(pl.lit(0, MONEY)).alias("before_cap"))
        .collect()
    )


def _cap(lines: pl.DataFrame) -> pl.DataFrame:
    """Ps not above the worker line's employer basic + moderation contributions; the later occupation
    lines are cut first: each line keeps min(Ps, max(0, cap - Ps of the earlier lines)). The running
    sum is formed only for the worker lines with several occupation lines (most have one)."""
    before = pl.col("before_cap")
    lines = lines.with_row_index("__row")
    several = lines.filter(pl.col("__lines") > 1).select(
        "__row", (before.cum_sum().over(LINE, order_by="occupation") - before).alias("__earlier")
    )
    lines = lines.join(several, on="__row", how="left", maintain_order="left")
    earlier = pl.col("__earlier").fill_null(0)
    allowed = pl.min_horizontal(pl.max_horizontal(pl.col("employer_contributions") - earlier, pl.lit(0, MONEY)), before)
    return lines.with_columns(allowed.cast(MONEY).alias("structural_reduction")).with_columns(
        (before - pl.col("structural_reduction")).cast(MONEY).alias("cap_cut")
    )


def explain_structural_reduction(row: dict[str, Any], params: Parameters) -> str:
    """The path of one occupation line's structural reduction: W, S, R and its two parts, mu,
    mu_glob and beta, the cap, with each parameter and its source. ``row`` is one row of
    :func:`compute_structural_reduction` (as a dict)."""
    on = Quarter.parse(row["quarter"]).start
    entries = {name: params.entry(f"{P}/{name}", on) for name in (*SCALARS, "beta")}
    out = [
        f"Structural reduction, category 1 (DmfA deduction 3000) of worker {row['worker_id']}, employer "
        f"{row['employer_id']}, occupation {row['occupation']}, {row['quarter']}"
    ]
    if not row["eligible"]:
        out.append("Line not eligible (termination indemnity, flexi, or a worker outside some branch): no reduction.")
        return "\n".join(out)
    w, s = f"{row['wage_100']:,.2f}", number_text(row["reference_wage"])
    paid, full = number_text(row["paid_units"]), number_text(row["full_time_units"])
    if row["performance_basis"] == "complete":
        out.append(f"W (quarterly wage at 100 %) = {w}; full-time with complete performance: S = W = {s}, mu = 1")
    else:
        unit = "hours" if row["performance_basis"] == "hours" else "days"
        out.append(
            f"W (quarterly wage at 100 %) = {w}; paid {paid} of {full} {unit} (13 weeks): "
            f"factor round2({full} / {paid}) = {row['factor']}, S = W × factor = {s}; "
            f"mu = round2({paid} / {full}), at most 1 = {row['mu']}"
        )
    for name in SCALARS:
        e = entries[name]
        out.append(f"  {P}/{name} = {number_text(e.value)} [{e.effective_from}, {e.status}]: {e.source}")
    out.append(
        f"R = alpha × max(0, S0 - S) + gamma × max(0, S2 - S) = {number_text(row['low_wage_part'])} + "
        f"{number_text(row['very_low_wage_part'])} = {number_text(row['r'])} (not rounded)"
    )
    beta = entries["beta"]
    band = row["beta_band"]
    product = (
        f"R × mu / mu_glob = {number_text(row['r'])} × {row['mu']} / {row['mu_glob']}"
        if beta.value.brackets[band - 1].reciprocal
        else f"R × mu × beta = {number_text(row['r'])} × {row['mu']} × {number_text(row['beta'])}"
    )
    out += [
        f"mu_glob (sum of mu over the worker's lines with the employer) = {row['mu_glob']}: band {band} of {P}/beta "
        f"[{beta.effective_from}, {beta.status}]: {beta.value.text(band)} -> beta = {number_text(row['beta'])}; "
        f"{beta.source}",
        f"Ps = {product} -> {row['before_cap']:,.2f} (half-up to the cent, once)",
    ]
    if row["cap_cut"]:
        out.append(
            f"Cap: the worker line's employer basic + wage-moderation contributions after the cap are "
            f"{row['employer_contributions']:,.2f}: {row['cap_cut']:,.2f} cut from this line"
        )
    else:
        out.append(
            f"Cap: not above the worker line's employer basic + wage-moderation contributions "
            f"({row['employer_contributions']:,.2f}): no cut"
        )
    out.append(f"Structural reduction = {row['structural_reduction']:,.2f}")
    return "\n".join(out)
