"""The days of the run period: one row per calendar day of incapacity, its band, rate and amount.

Bands and rates come from the declarations of :mod:`.bands`; amounts are rounded once per day,
half away from zero, to the cent (data contract "Money"). The complement days of blue collars and
white collars engaged for less than three months (CCT 12bis / CCT 13bis) are split at the INAMI
daily ceiling of the incapacity's start-date band, in force on the day paid.
"""

from __future__ import annotations

import datetime as dt

import holidays
import polars as pl

from pipeline.core import rejects
from pipeline.core.money import MONEY, RATIO, WIDE, times, to_cents, wide
from pipeline.core.params import Parameters
from pipeline.errors import MissingParameterError
from pipeline.rules.guaranteed_wage.bands import (
    CONDITION_PARAMETERS,
    DAY_PARAMETERS,
    DECLARATION,
    EMPLOYER,
    LIMIT_PARAMETERS,
    P,
    band_name_expr,
    blocked_expr,
    declaration_expr,
    guaranteed_limit_expr,
    onss_expr,
    param,
    payer_expr,
    rate_exprs,
    service_expr,
)
from pipeline.rules.guaranteed_wage.frames import lookup_on, max_value, member
from pipeline.rules.guaranteed_wage.terms import term_end
from schemas.outputs import OUTPUTS

DAYS_SCHEMA: dict[str, pl.DataType] = OUTPUTS["guaranteed_wage_days"].schema()
"""Columns of the days table, in order: the output table ``guaranteed_wage_days`` (``schemas.outputs``)."""
MONTHLY_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String,
    "period": pl.String,
    "guaranteed_wage_onss": MONEY,
    "guaranteed_wage_exempt": MONEY,
}


def belgian_holidays(first: dt.date, last: dt.date) -> pl.DataFrame:
    """Belgian public holidays between two dates (``holidays`` package), one row per date."""
    calendar = holidays.Belgium(years=range(first.year, last.year + 1))
    dates = sorted(d for d in calendar if first <= d <= last)
    return pl.DataFrame(
        {"date": dates, "public_holiday": [True] * len(dates)}, schema={"date": pl.Date, "public_holiday": pl.Boolean}
    )


def explode_days(episodes: pl.DataFrame, lo: pl.Expr, hi: pl.Expr) -> pl.DataFrame:
    """One row per calendar day of each episode from ``lo`` to ``hi`` (per-row date expressions,
    inclusive), with the episode's columns and the calendar facts of the day: ``episode_day``
    (1 = the episode's first day), ``suspension_day`` (1 = the first day of the uninterrupted
    suspension), ``working_day`` (weekday <= weekly_work_days), ``in_contract`` and
    ``public_holiday`` (Belgian legal holidays)."""
    days = episodes.with_columns(pl.date_ranges(lo, hi, "1d").alias("date")).explode("date")
    days = days.filter(pl.col("date").is_not_null())
    days = days.with_columns(
        ((pl.col("date") - pl.col("start_date")).dt.total_days() + 1).cast(pl.Int32).alias("episode_day"),
        ((pl.col("date") - pl.col("suspension_start")).dt.total_days() + 1).cast(pl.Int32).alias("suspension_day"),
        (pl.col("date").dt.weekday() <= pl.col("weekly_work_days")).alias("working_day"),
        (
            (pl.col("date") >= pl.col("contract_start"))
            & (pl.col("contract_end").is_null() | (pl.col("date") <= pl.col("contract_end")))
        )
        .fill_null(False)
        .alias("in_contract"),
    )
    if days.height == 0:
        return days.with_columns(pl.lit(False).alias("public_holiday"))
    calendar = belgian_holidays(days.get_column("date").min(), days.get_column("date").max())
    return days.join(calendar, on="date", how="left").with_columns(pl.col("public_holiday").fill_null(False))


DAY_EPISODE_COLUMNS = (
    "employee_id",
    "start_date",
    "end_date",
    "source_file",
    "source_line",
    "rank_offset",
    "relapse",
    "chain_start",
    "suspension_start",
    "contract_start",
    "contract_end",
    "weekly_work_days",
    "regime",
    "partial_exempt",
)
"""The columns of an episode its days carry: what the calendar (:func:`explode_days`), the bands
(:func:`classify_days`), the pricing and the days table read. The others (cause, the chain's gaps,
...) have been read by the episode steps; each day would otherwise copy them through every join."""


def period_days(episodes: pl.DataFrame, first: dt.date, last: dt.date) -> pl.DataFrame:
    """The days of the episodes that fall in [first, last], with their rank (rank offset + day)."""
    lo = pl.max_horizontal(pl.col("start_date"), pl.lit(first))
    hi = pl.min_horizontal(pl.col("end_date"), pl.lit(last))
    days = explode_days(episodes.select(DAY_EPISODE_COLUMNS), lo, hi)
    return days.with_columns((pl.col("rank_offset") + pl.col("episode_day")).cast(pl.Int32).alias("day_rank"))


def with_day_parameters(days: pl.DataFrame, params: Parameters, names: tuple[str, ...]) -> pl.DataFrame:
    """Columns ``_p_<name>``: the value of each parameter on the day; and ``_seniority_term_end``,
    the last day of the first ``seniority_months`` of service (:mod:`.terms`)."""
    days = lookup_on(days, "date", {f"_p_{name}": P + name for name in names}, params)
    # Worked out once per distinct (start, term): a few thousand, against one row per day; matched on the
    # start alone when one term is in force over the days (as a rule: a third of the time of matching both).
    start, months = "contract_start", param("seniority_months").meta.output_name()
    keys = [start] if days.get_column(months).n_unique() == 1 else [start, months]
    terms = days.select(start, months).unique(keys)
    terms = terms.select(*keys, term_end(pl.col(start), pl.col(months)).alias("_seniority_term_end"))
    return days.join(terms, on=keys, how="left", maintain_order="left", nulls_equal=True)


def classify_days(days: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Band, payer, ONSS subjection, DmfA service code and rates of every day, read from :data:`BANDS`.

    The parameters the bands name are looked up on the day itself. Only scheduled working days
    (weekday <= weekly_work_days) are paid; other days keep their band with payer ``none``
    (employer bands) and no service code.

    One lazy plan: polars evaluates the conditions the bands share once (eagerly, each column
    evaluates its own: about 40 % more time), and the days are put back in one chunk, as the
    eager steps gave them (the later joins and gathers are faster on it).
    """
    days = with_day_parameters(days, params, DAY_PARAMETERS)
    rate, rate_above = rate_exprs()
    days = (
        days.lazy()
        .with_columns(declaration_expr(pl.col("day_rank").cast(WIDE)).alias(DECLARATION))
        .with_columns(
            band_name_expr().alias("band"),
            payer_expr().alias("payer"),
            service_expr().alias("service_code"),
            onss_expr().alias("onss_subject"),
        )
        .with_columns(
            pl.when(pl.col("payer") == EMPLOYER).then(rate).alias("_rate"),
            pl.when(pl.col("payer") == EMPLOYER).then(rate_above).alias("_rate_above"),
        )
        .collect()
        .rechunk()
    )
    return days.drop([c for c in days.columns if c.startswith("_") and c not in ("_rate", "_rate_above")])


def guaranteed_wage_slack(episodes: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Add ``_slack``: how many earlier days of its chain an episode can carry and still pay guaranteed wage.

    The relapse rule anchors on "une période d'incapacité de travail ayant donné lieu au paiement du
    salaire garanti" (law of 3 July 1978 art. 52 § 1 al. 3, 73 § 1). An episode pays guaranteed
    wage when one of its days is a scheduled working day that no condition band claims (outside
    the contract, a public holiday, a partial-resumption relapse, no month of service yet) and whose
    rank is at most the regime's guaranteed-wage limit (:data:`~.bands.GUARANTEED_LIMIT`: 14 for
    blue collars and white collars engaged for less than three months, 30 for other white
    collars). With the episode's rank offset still unknown, each such day d allows an offset of
    at most ``limit(d) - d``; ``_slack`` is the largest, null where no day qualifies, and the
    episode pays iff its offset is at most ``_slack``.

    Only an episode followed by another one of the same employee (``episodes`` holds the history
    that can reach the period, sorted by employee and start) can anchor a relapse, so only those
    are looked at, and only their first days (a day beyond the largest limit never qualifies).
    """
    episodes = episodes.sort("employee_id", "start_date")
    last_of_employee = (pl.col("employee_id") != pl.col("employee_id").shift(-1)).fill_null(True)
    anchors = episodes.filter(~last_of_employee)
    if anchors.height == 0:
        return episodes.with_columns(pl.lit(None, pl.Int64).alias("_slack"))
    reach = max(max_value(params, P + name) for name in LIMIT_PARAMETERS)
    hi = pl.min_horizontal(pl.col("end_date"), pl.col("start_date") + dt.timedelta(days=reach - 1))
    days = explode_days(anchors, pl.col("start_date"), hi)
    days = with_day_parameters(days, params, tuple(sorted({*CONDITION_PARAMETERS, *LIMIT_PARAMETERS})))
    slack = guaranteed_limit_expr().cast(pl.Int64) - pl.col("episode_day")
    qualifying = days.filter(pl.col("working_day") & ~blocked_expr())
    per_episode = qualifying.group_by("employee_id", "start_date").agg(slack.max().alias("_slack"))
    return episodes.join(per_episode, on=["employee_id", "start_date"], how="left", maintain_order="left")


# ---------------------------------------------------------------------------------------------
# Amounts (INAMI ceiling, rounding once per day)
# ---------------------------------------------------------------------------------------------


def _ceilings(days: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """INAMI daily ceiling (6-day basis) for each (episode_start, date) of a paid complement day.

    The start-date band (``inami_ceiling_band``, on the episode start) names the ceiling
    parameter (the mutuality caps the daily wage by the incapacity's start date); its value is the
    one in force on the day paid.
    """
    need = days.filter(pl.col("_rate_above").is_not_null()).select("start_date", "date").unique()
    schema = {"start_date": pl.Date, "date": pl.Date, "_ceiling_6": WIDE}
    if need.height == 0:
        return pl.DataFrame(schema=schema)
    band_param = params.get(P + "inami_ceiling_band")
    bands = pl.DataFrame(
        {"_eff": [v.effective_from for v in band_param.values], "_band": [v.value for v in band_param.values]},
        schema={"_eff": pl.Date, "_band": pl.String},
    )
    need = need.sort("start_date").join_asof(
        bands.sort("_eff"), left_on="start_date", right_on="_eff", strategy="backward"
    )
    missing = need.filter(pl.col("_band").is_null())
    if missing.height:
        raise MissingParameterError(band_param.name, missing.get_column("start_date").min())
    series = pl.concat(
        [
            params.series(name).select(
                pl.lit(name).alias("_band"), pl.col("effective_from").alias("_from"), pl.col("value")
            )
            for name in need.get_column("_band").unique().sort().to_list()
        ]
    ).sort("_from")
    need = need.sort("date").join_asof(
        series, left_on="date", right_on="_from", by="_band", strategy="backward", check_sortedness=False
    )
    missing = need.filter(pl.col("value").is_null()).sort("date")
    if missing.height:
        raise MissingParameterError(missing.get_column("_band")[0], missing.get_column("date")[0])
    return need.select("start_date", "date", pl.col("value").cast(WIDE).alias("_ceiling_6"))


_PRICING = ("start_date", "end_date", "source_file", "source_line", "weekly_work_days", "_rate", "_rate_above")
"""The columns of a classified day, besides those of :data:`DAYS_SCHEMA`, that :func:`price_days` reads."""


def price_days(
    days: pl.DataFrame, pay_now: pl.DataFrame, episodes: pl.DataFrame, period: str, params: Parameters
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Amount of each day = round(daily_wage x rate), once, half away from zero (data contract).

    Complement band: round(rate_below x min(daily_wage, ceiling) + rate_above x max(daily_wage -
    ceiling, 0)) with ceiling = INAMI daily ceiling x ``inami_ceiling_basis_days`` /
    weekly_work_days (x 6/5 for a 5-day week), all in the wide dtype, rounded once.

    A paid day needs the period's ``daily_wage``: a pay row without one is rejected (column
    daily_wage); an employee without a pay row gets a reject on the episode row. The days of such
    employees are left out (their payroll line falls with the reject).
    Returns (days, rejects, frame of the rejected employee_ids): the days with the columns of
    :data:`DAYS_SCHEMA` and those the pricing reads (the columns only the bands read are dropped
    first: each join below copies every column it carries, 1.6 M days in a month where a tenth of
    a million employees is sick). Only the days the employer pays are priced (a quarter of them in
    such a month), in one lazy plan (its joins and columns in one pass), and put back in place; the
    others are 0.00 without a ceiling.
    """
    # Only the pay rows of employees with incapacity days (a few % of the batch) are touched.
    mine = pay_now.filter(member(days.select("employee_id").unique()))
    paid_episodes = (
        days.lazy().filter(pl.col("payer") == EMPLOYER).select("employee_id", "start_date").unique().collect()
    )
    paid = paid_episodes.select("employee_id").unique()
    no_wage_rows = mine.filter(pl.col("daily_wage").is_null()).join(paid, on="employee_id", how="semi")
    no_row = paid.join(mine.select("employee_id"), on="employee_id", how="anti")
    no_row_episodes = episodes.join(no_row, on="employee_id", how="semi")
    if no_row_episodes.height:  # (as a rule, none: every employee paid guaranteed wage has a pay row)
        no_row_episodes = no_row_episodes.join(paid_episodes, on=["employee_id", "start_date"], how="semi")
    out_rejects = rejects.combine(
        rejects.from_rows(
            no_wage_rows,
            "daily_wage",
            "daily_wage_required",
            pl.format(
                "daily_wage is required: the period {} has incapacity days paid by the employer (guaranteed wage)",
                pl.col("period"),
            ),
        ),
        rejects.from_rows(
            no_row_episodes,
            "daily_wage",
            "pay_row_missing",
            f"no pay row for period {period} although this episode has days paid by the employer "
            "(a daily_wage is needed)",
            value=pl.lit(None, pl.String),
        ),
    )
    rejected = pl.concat([no_wage_rows.select("employee_id"), no_row]).unique()

    wages = mine.select("employee_id", pl.col("daily_wage").cast(MONEY)).unique("employee_id", keep="first")
    kept = days.lazy().select(c for c in days.columns if c in DAYS_SCHEMA or c in _PRICING)
    if rejected.height:
        kept = kept.filter(~member(rejected))
    basis = lookup_on(days.select("date").unique(), "date", {"_basis": P + "inami_ceiling_basis_days"}, params)
    ceilings = _ceilings(days, params)
    days = kept.join(wages.lazy(), on="employee_id", how="left", maintain_order="left").collect()
    paid = days.get_column("payer") == EMPLOYER  # null where no band: the amount is then null too
    at = paid.fill_null(False).arg_true()
    ceiling = wide(pl.col("_ceiling_6")) * wide(pl.col("_basis")) / wide(pl.col("weekly_work_days"))
    wage = wide(pl.col("daily_wage"))
    below = pl.min_horizontal(wage, pl.col("_ceiling"))
    above = (wage - pl.col("_ceiling")).clip(lower_bound=0)
    amount = (
        pl.when(pl.col("_rate_above").is_not_null())
        .then(times(below, pl.col("_rate")) + times(above, pl.col("_rate_above")))
        .otherwise(times(pl.col("daily_wage"), pl.col("_rate")))
    )
    priced = (
        days.lazy()
        .select("start_date", "date", "weekly_work_days", "daily_wage", "_rate", "_rate_above")
        .filter(pl.lit(paid).fill_null(False))
        .join(basis.lazy(), on="date", how="left", maintain_order="left")
        .join(ceilings.lazy(), on=["start_date", "date"], how="left", maintain_order="left")
        .with_columns(pl.when(pl.col("_rate_above").is_not_null()).then(ceiling).alias("_ceiling"))
        .select(to_cents(amount).alias("amount"), pl.col("_ceiling").cast(RATIO).alias("daily_ceiling"))
        .collect()
    )
    n = days.height
    days = days.with_columns(
        pl.when(pl.lit(paid).is_null())
        .then(None)
        .otherwise(pl.lit(_in_place(priced.get_column("amount"), at, n, 0)))
        .alias("amount"),
        pl.col("_rate").cast(RATIO).alias("rate"),
        pl.col("_rate_above").cast(RATIO).alias("rate_above_ceiling"),
        pl.lit(_in_place(priced.get_column("daily_ceiling"), at, n, None)).alias("daily_ceiling"),
        pl.col("start_date").alias("episode_start"),
        pl.col("end_date").alias("episode_end"),
        pl.col("source_file").alias("absence_source_file"),
        pl.col("source_line").alias("absence_source_line"),
    )
    return days, out_rejects, rejected


def _in_place(values: pl.Series, at: pl.Series, n: int, fill: object) -> pl.Series:
    """``values`` at the rows ``at`` of a column of ``n`` rows that holds ``fill`` elsewhere."""
    return pl.select(pl.repeat(pl.lit(fill, values.dtype), n)).to_series().scatter(at, values)


def monthly_totals(days: pl.DataFrame, pay_now: pl.DataFrame, period: str) -> pl.DataFrame:
    """Per employee with a pay row: Σ amounts of ONSS-subject days and Σ of the others (exempt:
    the second week and the complement carry no ONSS, DmfA service codes 10 and 11)."""
    sums = days.group_by("employee_id").agg(
        pl.col("amount").filter(pl.col("onss_subject")).sum().alias("guaranteed_wage_onss"),
        pl.col("amount").filter(~pl.col("onss_subject")).sum().alias("guaranteed_wage_exempt"),
    )
    out = (
        pay_now.select("employee_id")  # unique per period (data contract: period unique with employee_id)
        .join(sums, on="employee_id", how="left", maintain_order="left")
        .with_columns(
            pl.lit(period).alias("period"),
            pl.col("guaranteed_wage_onss").fill_null(0),
            pl.col("guaranteed_wage_exempt").fill_null(0),
        )
    )
    out = out.select(list(MONTHLY_SCHEMA)).cast(MONTHLY_SCHEMA)
    return out if out.get_column("employee_id").is_sorted() else out.sort("employee_id")
