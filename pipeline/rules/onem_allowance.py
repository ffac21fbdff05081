"""ONEM compensation allowance for Belgian frontier workers employed in the Netherlands or France.

Legal basis: Royal Decree (AR) of 9 June 1999 "accordant une indemnité aux travailleurs
frontaliers belges", Justel ELI eli/arrete/1999/06/09/1999012439 as amended by
AR 5 October 2000; irrevocable euro conversion rates of Council Regulation (EC) No 2866/98.
Data-contract computation 5; docs/onem_allowance.md gives each choice.

* Scope (art. 1 §1): residents of Belgium employed in the Netherlands or France
  (:func:`employed_abroad_expr`). They pay no Belgian ONSS or withholding on that work.
* Eligibility (art. 1 §2, §3): four conditions checked in a fixed order; the reason code names
  the first that fails. A null condition counts as failed: the decree makes payment depend on the
  worker *proving* each of them (art. 1 §2 last al., §3 al. 3).
* Band (art. 2 §1, §2): the full-time-equivalent wage (gross ÷ work_fraction) converted to
  guilders or French francs at the irrevocable rate, compared **exactly** with the decree's
  thresholds (≤ each upper bound; lower bounds exclusive). To stay exact without dividing, the
  test ``gross / f × rate ≤ T`` is evaluated as ``gross × rate ≤ T × f`` (f > 0), two exact
  products.
* Amount: band BEF ÷ 40.3399 rounded half-up to the cent (49.58 / 37.18 / 24.79), then
  × work_fraction rounded once half-up to the cent ("prorated", art. 2 §1 al. 2 as read in
  docs/onem_allowance.md) or the full band amount ("full_band", the other reading).
* Claims (art. 3): one application per calendar semester; valid if received within 3 years from
  the first day of the following semester (:func:`semester_claims`).

Every figure is a dated parameter under ``pipeline/parameters/onem/``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext

import polars as pl

from pipeline.core import rejects
from pipeline.core.money import MONEY, RATIO, WIDE, cents, times, to_cents
from pipeline.core.params import Parameters
from pipeline.core.periods import month_start, semester_expr, semester_periods
from pipeline.rules.employed_abroad import (
    ALLOWANCE_COUNTRIES,
    employed_abroad_expr,
    unsupported_work_country_expr,
    work_country_expr,
)
from schemas.inputs import typed_defaults
from schemas.outputs import OUTPUTS, claims_spec

CONDITIONS: tuple[tuple[str, str], ...] = (
    ("be_border_zone_resident", "NOT_BE_BORDER_ZONE_RESIDENT"),
    ("foreign_border_zone_work", "NOT_FOREIGN_BORDER_ZONE_WORK"),
    ("foreign_social_insurance", "NO_FOREIGN_SOCIAL_INSURANCE"),
    ("taxed_in_belgium", "NOT_TAXED_IN_BELGIUM"),
)
"""The four conditions of art. 1 §2 (NL) / §3 (FR), in evaluation order, with their reason codes."""

REASON_ELIGIBLE = "ELIGIBLE"
REASON_NO_WAGE = "NO_WAGE_IN_MONTH"
REASON_ABOVE_CAP = "ABOVE_CAP"

REASON_TEXT: dict[str, str] = {
    "NOT_BE_BORDER_ZONE_RESIDENT": (
        "Not proven to live in the Belgian border zone (AR 9 June 1999 art. 1 §2 al. 2 b / §3 al. 2): no allowance."
    ),
    "NOT_FOREIGN_BORDER_ZONE_WORK": (
        "Not proven to work in the Dutch or French border zone (AR 9 June 1999 art. 1 §2 al. 2 a / §3): no allowance."
    ),
    "NO_FOREIGN_SOCIAL_INSURANCE": (
        "Not proven to be subject to social contributions in the country of work (Dutch volksverzekeringen, "
        "AR 9 June 1999 art. 1 §2; French contributions, art. 2 §2): no allowance."
    ),
    "NOT_TAXED_IN_BELGIUM": (
        "No proof that the income is effectively taxed in Belgium (AR 9 June 1999 art. 1 §2 last al., §3 al. 3): "
        "no allowance. This is the usual outcome today: since the BE-NL treaty (applied from 2003) wages earned in "
        "the Netherlands are taxed in the Netherlands, and since the BE-FR avenant of 2008 (retroactive to "
        "2007-01-01) wages earned in France are taxed in France, so the decree is probably dormant "
        "(docs/onem_allowance.md); confirm with ONEM."
    ),
    REASON_NO_WAGE: (
        "No wage subject to foreign social contributions in the month (AR 9 June 1999 art. 2: the allowance is "
        "due for a month in which such a wage was received): no allowance."
    ),
    REASON_ABOVE_CAP: (
        "All conditions met, but the full-time-equivalent wage is above the decree's cap (7,500 NLG / 22,300 FRF, "
        "AR 9 June 1999 art. 2): no allowance."
    ),
    REASON_ELIGIBLE: "All conditions of AR 9 June 1999 art. 1 met; allowance of art. 2 due for the month.",
}
"""Plain-language explanation of every reason code (for claim files and the payroll officer)."""

READINGS = ("prorated", "full_band")
"""Readings of art. 2 §1 al. 2 / §2 al. 2 for part-time workers (docs/onem_allowance.md, "Part-time rule")."""

PARAM = {
    "BEF": "onem/eur_rate_bef",
    "NLG": "onem/eur_rate_nlg",
    "FRF": "onem/eur_rate_frf",
    "NL": ("onem/nl_band1_max_nlg", "onem/nl_band2_max_nlg", "onem/nl_band3_max_nlg"),
    "FR": ("onem/fr_band1_max_frf", "onem/fr_band2_max_frf", "onem/fr_band3_max_frf"),
    "band_bef": ("onem/band1_amount_bef", "onem/band2_amount_bef", "onem/band3_amount_bef"),
    "claim_years": "onem/claim_window_years",
}
"""Names of the dated parameters this module reads."""

NATIONAL_CURRENCY = {"NL": "NLG", "FR": "FRF"}

FTE_SCALE = 12
"""Decimals shown for fte_wage / fte_wage_national (display only; the band never uses them)."""

ALLOWANCE_SCHEMA: dict[str, pl.DataType] = OUTPUTS["onem_allowance"].schema()
"""Output ``onem_allowance`` (key employee_id, period), in column order, as ``schemas.outputs`` declares it."""


def claims_schema(semester: str) -> dict[str, pl.DataType]:
    """Semester claim file ``onem_claims`` (key employee_id, country), in column order, as
    ``schemas.outputs`` declares it: the month columns are the semester's months (``2026-07`` ...)."""
    return claims_spec(semester).schema()


# --------------------------------------------------------------------------------------------
# Helpers on employee columns and periods
# --------------------------------------------------------------------------------------------


def claim_deadline_expr(period: pl.Expr, claim_years: int) -> pl.Expr:
    """Last day an application for the semester of ``period`` is valid (AR 9 June 1999 art. 3 al. 2).

    "endéans un délai de trois ans qui prend cours le premier jour du semestre qui suit": first
    day of the next semester + ``claim_years`` years - 1 day (H1 2025 -> 2028-06-30,
    H2 2025 -> 2028-12-31).
    """
    year = period.str.slice(0, 4).cast(pl.Int32)
    month = period.str.slice(5, 2).cast(pl.Int32)
    semester_start = pl.date(year, pl.when(month <= 6).then(1).otherwise(7), 1)
    return semester_start.dt.offset_by(f"{claim_years}y6mo").dt.offset_by("-1d")


def reason_text_expr(reason: pl.Expr | None = None) -> pl.Expr:
    """Map reason codes to :data:`REASON_TEXT` (null for an unknown code)."""
    expr = pl.col("reason") if reason is None else reason
    return expr.replace_strict(REASON_TEXT, default=None, return_dtype=pl.String).alias("reason_text")


# --------------------------------------------------------------------------------------------
# Parameters (scalars for one period)
# --------------------------------------------------------------------------------------------


def band_euro_amounts(params: Parameters, on: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    """Euro amounts of the three bands: BEF ÷ 40.3399, rounded half-up to the cent.

    Reg. (EC) 2866/98 art. 1 (rate) and Reg. (EC) 1103/97 art. 4-5 (divide by the rate, no inverse
    rate, round the result to the cent): 2000 -> 49.58, 1500 -> 37.18, 1000 -> 24.79.
    """
    bef_rate = params.value(PARAM["BEF"], on)
    with localcontext() as ctx:
        ctx.prec = 50
        return tuple(cents(Decimal(params.value(n, on)) / bef_rate) for n in PARAM["band_bef"])  # type: ignore[return-value]


def _scales(params: Parameters, on: dt.date) -> pl.DataFrame:
    """One row per country: conversion rate and the three national upper bounds (art. 2 §1, §2)."""
    rows = []
    for country in ALLOWANCE_COUNTRIES:
        rate = params.value(PARAM[NATIONAL_CURRENCY[country]], on)
        t1, t2, t3 = (params.value(n, on) for n in PARAM[country])
        rows.append({"country": country, "_rate": rate, "_t1": t1, "_t2": t2, "_t3": t3})
    return pl.DataFrame(rows, schema={"country": pl.String, **dict.fromkeys(("_rate", "_t1", "_t2", "_t3"), WIDE)})


# --------------------------------------------------------------------------------------------
# Monthly allowance
# --------------------------------------------------------------------------------------------


def _empty_allowance() -> pl.DataFrame:
    return pl.DataFrame(schema=ALLOWANCE_SCHEMA)


def _conditions_reason() -> pl.Expr:
    """First failed condition of art. 1 (null counts as failed), else null."""
    expr = pl.lit(None, dtype=pl.String)
    for column, code in reversed(CONDITIONS):
        expr = pl.when(pl.col(column).fill_null(False).not_()).then(pl.lit(code)).otherwise(expr)
    return expr


def compute_onem_allowance(
    employees: pl.DataFrame,
    pay: pl.DataFrame,
    period: str,
    params: Parameters,
    part_time_reading: str = "prorated",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Monthly ONEM compensation allowance of ``period`` (AR 9 June 1999 art. 1-3).

    Returns ``(allowance, rejects)``. ``allowance`` has one row per employee selected by
    :func:`employed_abroad_expr` with a pay row in ``period`` (columns :data:`ALLOWANCE_SCHEMA`,
    sorted by employee_id). ``rejects`` (``REJECT_SCHEMA``) lists residents of Belgium whose
    work_country is neither BE, NL nor FR, work fractions outside (0, 1] and null or negative
    wages; such rows get no allowance row.

    ``part_time_reading``: "prorated" (band amount × work_fraction, rounded half-up) or
    "full_band" (the band amount of the full-time-equivalent wage, unprorated); docs/onem_allowance.md.
    """
    if part_time_reading not in READINGS:
        raise ValueError(f"part_time_reading must be one of {READINGS}, not {part_time_reading!r}")
    start = month_start(period)
    claim_years = int(params.value(PARAM["claim_years"], start))
    band_eur = band_euro_amounts(params, start)
    band_bef = tuple(Decimal(params.value(n, start)) for n in PARAM["band_bef"])
    scales = _scales(params, start)

    emp = employees
    for column, _ in CONDITIONS:  # an absent condition column is an unproven condition
        if column not in emp.columns:
            emp = emp.with_columns(pl.lit(None, dtype=pl.Boolean).alias(column))
    if "work_fraction" not in emp.columns:
        emp = emp.with_columns(pl.lit(None, dtype=RATIO).alias("work_fraction"))

    bad_country = rejects.from_rows(
        emp.filter(unsupported_work_country_expr()),
        "work_country",
        "onem_work_country",
        pl.concat_str(
            pl.lit("resident of Belgium employed in "),
            pl.col("work_country"),
            pl.lit(
                ": only BE (Belgian payroll) or NL/FR (ONEM allowance, AR 9 June 1999 art. 1) are supported;"
                " no allowance computed"
            ),
        ),
    )

    abroad = emp.filter(employed_abroad_expr()).select(
        "employee_id",
        work_country_expr().alias("country"),
        pl.col("work_fraction").cast(RATIO).fill_null(typed_defaults("employees")["work_fraction"]).alias("_fraction"),
        *(pl.col(c).cast(pl.Boolean) for c, _ in CONDITIONS),
        pl.col("work_fraction").alias("_raw_fraction"),
        pl.col("source_file"),
        pl.col("source_line"),
    )
    bad_fraction_rows = abroad.filter((pl.col("_fraction") <= 0) | (pl.col("_fraction") > 1))
    bad_fraction = rejects.from_rows(
        bad_fraction_rows.rename({"_raw_fraction": "work_fraction"}),
        "work_fraction",
        "onem_work_fraction",
        "work_fraction must be in (0, 1] to compute the full-time-equivalent wage (AR 9 June 1999 "
        "art. 2); no allowance computed",
    )
    abroad = abroad.join(bad_fraction_rows.select("employee_id"), on="employee_id", how="anti").drop(
        "_raw_fraction", "source_file", "source_line"
    )

    month = pay.filter(pl.col("period") == period).join(abroad, on="employee_id", how="inner")
    bad_wage_rows = month.filter(pl.col("gross_salary").is_null() | (pl.col("gross_salary") < 0))
    bad_wage = rejects.from_rows(
        bad_wage_rows,
        "gross_salary",
        "onem_gross_salary",
        "the monthly wage subject to foreign contributions is missing or negative; no allowance computed",
    )
    month = month.filter(pl.col("gross_salary").is_not_null() & (pl.col("gross_salary") >= 0))
    reject_frame = rejects.combine(bad_country, bad_fraction, bad_wage)
    if month.height == 0:
        return _empty_allowance(), reject_frame

    gross = pl.col("gross_salary")
    fraction = pl.col("_fraction")
    # Exact: wage in national currency (2 + 5 decimals) and threshold x fraction (0 + 6 decimals).
    national = times(gross, pl.col("_rate"))
    band = (
        pl.when(national <= times(pl.col("_t1"), fraction))
        .then(1)
        .when(national <= times(pl.col("_t2"), fraction))
        .then(2)
        .when(national <= times(pl.col("_t3"), fraction))
        .then(3)
        .otherwise(0)
        .cast(pl.Int8)
    )
    wide16 = pl.Decimal(38, 16)  # display quotient: computed to 16 decimals, rounded once to FTE_SCALE
    fte_wage = (gross.cast(wide16) / fraction.cast(WIDE)).round(FTE_SCALE, mode="half_away_from_zero").cast(WIDE)
    fte_national = (national.cast(wide16) / fraction.cast(WIDE)).round(FTE_SCALE, mode="half_away_from_zero").cast(WIDE)

    def by_band(values: tuple[Decimal, ...], dtype: pl.DataType) -> pl.Expr:
        return (
            pl.when(pl.col("band") == 1)
            .then(pl.lit(values[0], dtype=dtype))
            .when(pl.col("band") == 2)
            .then(pl.lit(values[1], dtype=dtype))
            .when(pl.col("band") == 3)
            .then(pl.lit(values[2], dtype=dtype))
            .otherwise(pl.lit(Decimal(0), dtype=dtype))
        )

    failed = _conditions_reason()
    reason = (
        pl.when(failed.is_not_null())
        .then(failed)
        .when(pl.col("gross_salary") == 0)
        .then(pl.lit(REASON_NO_WAGE))
        .when(pl.col("band") == 0)
        .then(pl.lit(REASON_ABOVE_CAP))
        .otherwise(pl.lit(REASON_ELIGIBLE))
    )
    band_amount = by_band(band_eur, MONEY)
    due = band_amount if part_time_reading == "full_band" else to_cents(times(band_amount, fraction))

    out = (
        month.join(scales, on="country", how="left")
        .with_columns(band.alias("band"))
        .with_columns(reason.alias("reason"))
        .select(
            pl.col("employee_id").cast(pl.String),
            pl.col("period").cast(pl.String),
            pl.col("country"),
            semester_expr(pl.col("period")).alias("semester"),
            fte_wage.alias("fte_wage"),
            fte_national.alias("fte_wage_national"),
            pl.col("band"),
            by_band(band_bef, ALLOWANCE_SCHEMA["band_bef"]).alias("band_bef"),
            pl.when(pl.col("reason") == REASON_ELIGIBLE)
            .then(due)
            .otherwise(pl.lit(Decimal(0), dtype=MONEY))
            .cast(MONEY)
            .alias("amount"),
            pl.all_horizontal([pl.col(c).fill_null(False) for c, _ in CONDITIONS]).alias("eligible"),
            pl.col("reason"),
            claim_deadline_expr(pl.col("period"), claim_years).alias("claim_deadline"),
            pl.lit(part_time_reading).alias("part_time_reading"),
        )
        .cast(ALLOWANCE_SCHEMA)
        .sort("employee_id")
    )
    return out, reject_frame


# --------------------------------------------------------------------------------------------
# Semester claims
# --------------------------------------------------------------------------------------------


def semester_claims(
    allowance: pl.DataFrame, semester: str, run_date: dt.date, names: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Semester claim file (AR 9 June 1999 art. 3).

    ``allowance``: rows of ``compute_onem_allowance`` for any months (e.g. read from the run
    store; key employee_id, period). ``names``: the workers' ``last_name`` and ``first_name`` by
    ``employee_id`` (one row each; e.g. the run store's employees table), null when not given.
    Output: one row per employee (and country of work) with allowance rows in ``semester``;
    columns :func:`claims_schema`: ``months`` = months present, one column per month of the
    semester named ``YYYY-MM`` = the rounded monthly amount (null when the month is absent),
    ``total`` = sum of the rounded monthly amounts (contract: totals are sums of rounded lines; the
    decree fixes monthly amounts), ``claim_deadline`` (earliest of the rows'), ``claimable`` =
    something is due (``total`` > 0) and run_date ≤ claim_deadline, ``months_missing`` = the
    semester's periods with no row for the employee, comma-separated ("" when none).
    """
    schema = claims_schema(semester)
    periods = semester_periods(semester)
    rows = allowance.filter(pl.col("semester") == semester)
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    rows = rows.with_columns(
        *(pl.when(pl.col("period") == p).then(pl.col("amount")).otherwise(None).alias(p) for p in periods)
    )
    # Plain sums/counts per month column (fast path); a month with no row stays null, not 0.
    claims = rows.group_by("employee_id", "country").agg(
        *(pl.col(p).sum().alias(p) for p in periods),
        *(pl.col(p).count().alias(f"_n_{p}") for p in periods),
        pl.col("amount").sum().alias("total"),
        pl.col("claim_deadline").min().alias("claim_deadline"),
    )
    # A month is missing when the employee has no row for it in any country.
    present = {p: (pl.col(f"_n_{p}") > 0) for p in periods}
    claims = claims.with_columns(
        pl.sum_horizontal(*(c.cast(pl.Int32) for c in present.values())).cast(pl.Int32).alias("months"),
        *(pl.when(c).then(pl.col(p)).otherwise(None).alias(p) for p, c in present.items()),
        pl.concat_str(
            *(pl.when(c.any().over("employee_id")).then(None).otherwise(pl.lit(p)) for p, c in present.items()),
            separator=",",
            ignore_nulls=True,
        ).alias("months_missing"),
    )
    if names is None:
        names = pl.DataFrame(schema={"employee_id": pl.String, "last_name": pl.String, "first_name": pl.String})
    return (
        claims.join(names.select("employee_id", "last_name", "first_name"), on="employee_id", how="left")
        .with_columns(
            pl.lit(semester).alias("semester"),
            ((pl.col("total") > 0) & (pl.col("claim_deadline") >= pl.lit(run_date, dtype=pl.Date))).alias("claimable"),
        )
        .select(list(schema))
        .cast(schema)
        .sort("employee_id", "country")
    )
