"""Guaranteed wage on sickness or private accident: day-by-day split employer / mutuality.

Data contract computation 1; rules-reference §3. Legal basis: law of 3 July 1978 on employment
contracts, art. 52 (blue collars), 70 (white collars), 71 (white collars engaged for less than
three months), 52 § 2 / 73 § 1 (relapse, 8 weeks from 2026-01-01: law of 19 December 2025);
CNT collective agreements CCT 12bis (blue collars) and CCT 13bis (short-term white collars);
law of 4 January 1974 and royal decree of 18 April 1974 (public holidays during a suspension).

Every calendar day of every incapacity episode that falls in the run period becomes one row of
``days`` with its rank (1 = first day; a relapse continues the count of the episode it relapses
from), its band, who pays, the rate, the amount and the DmfA service code. ``monthly`` sums the
amounts per employee into the ONSS-subject and the exempt part. All legal figures are dated
parameters under ``pipeline/parameters/guaranteed_wage/``; choices where the law or the contract
is silent are written down in ``docs/guaranteed_wage.md``.

Everything is vectorised: episodes are ranked with window expressions (relapse chains with
``shift`` / ``cum_sum`` over each employee), only the days inside the run period are exploded
with ``pl.date_ranges``, and parameters are looked up once per distinct date and joined back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
import polars as pl

from pipeline.core import rejects
from pipeline.core.money import MONEY, RATIO, WIDE, times, to_cents, wide
from pipeline.core.params import Parameters
from pipeline.core.periods import month_bounds
from pipeline.errors import MissingParameterError

P = "guaranteed_wage/"

# Regimes (rules-reference §3.1)
BLUE = "blue_collar"
WHITE_LONG = "white_collar_long"  # art. 70: open-ended, or a term of at least 3 months
WHITE_SHORT = "white_collar_short"  # art. 71: fixed term / specific work / replacement < 3 months

# Bands of a day (written in guaranteed_wage_days.band; docs/guaranteed_wage.md)
G100 = "G100"  # 100 % of normal pay, ONSS-subject
WEEK2 = "WEEK2"  # 85.88 % (blue) / 86.93 % (short white), not ONSS-subject
COMPLEMENT = "COMPLEMENT"  # CCT 12bis / 13bis complement split at the INAMI ceiling
PUBLIC_HOLIDAY = "PUBLIC_HOLIDAY"  # public holiday within 30 days of the episode start: holiday pay
MUTUALITY = "MUTUALITY"  # rank beyond the guaranteed period: the mutuality pays alone
NO_SENIORITY = "NO_SENIORITY"  # one month of service not reached on that day (art. 52 § 1, 71)
RELAPSE_PARTIAL_RESUMPTION = "RELAPSE_PARTIAL_RESUMPTION"  # relapse during a partial resumption
OUT_OF_CONTRACT = "OUT_OF_CONTRACT"  # day before the contract start or after its end

EMPLOYER_BANDS = (G100, WEEK2, COMPLEMENT, PUBLIC_HOLIDAY)
ONSS_BANDS = (G100, PUBLIC_HOLIDAY)

# DmfA service (prestation) codes, rules-reference §3.3 (identifiers of the DmfA glossary, not
# legal amounts): 1 = remunerated day, 10 = guaranteed wage second week, 11 = incapacity with
# complement, 50 = sickness (mutuality).
SERVICE_CODE = {G100: 1, PUBLIC_HOLIDAY: 1, WEEK2: 10, COMPLEMENT: 11}
SERVICE_CODE_MUTUALITY = 50

CAUSES = ("illness", "private_accident")
OCCUPATIONAL_PATTERN = r"(?i)occup|work|profession|travail|arbeid|beroep"

DAYS_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String,
    "date": pl.Date,
    "episode_start": pl.Date,
    "day_rank": pl.Int32,
    "band": pl.String,
    "payer": pl.String,
    "rate": RATIO,
    "amount": MONEY,
    "onss_subject": pl.Boolean,
    "service_code": pl.Int32,
    # audit columns
    "episode_end": pl.Date,
    "episode_day": pl.Int32,
    "chain_start": pl.Date,
    "relapse": pl.Boolean,
    "regime": pl.String,
    "working_day": pl.Boolean,
    "public_holiday": pl.Boolean,
    "daily_wage": MONEY,
    "daily_ceiling": RATIO,
    "rate_above_ceiling": RATIO,
    "absence_source_file": pl.String,
    "absence_source_line": pl.Int64,
}
MONTHLY_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String,
    "period": pl.String,
    "guaranteed_wage_onss": MONEY,
    "guaranteed_wage_exempt": MONEY,
}


@dataclass(frozen=True)
class GuaranteedWageResult:
    days: pl.DataFrame  # one row per employee per calendar day of an episode that falls in the run period
    monthly: pl.DataFrame  # employee_id, period, guaranteed_wage_onss, guaranteed_wage_exempt
    rejects: pl.DataFrame  # REJECT_SCHEMA


def compute_guaranteed_wage(
    employees: pl.DataFrame, absences: pl.DataFrame | None, pay: pl.DataFrame, period: str, params: Parameters
) -> GuaranteedWageResult:
    """Guaranteed wage of every incapacity day of the run ``period`` ("YYYY-MM").

    ``absences`` holds all episodes (earlier ones are history for the relapse rule, law of
    3 July 1978 art. 52 § 2 / 73 § 1); ``pay`` the run period's rows (earlier months are ignored).
    Never raises on bad rows: they come back in ``rejects``. Raises
    :class:`MissingParameterError` (exit 4) only when a legal value needed for a paid day is
    not in force.
    """
    first, last = month_bounds(period)
    if absences is None:
        absences = pl.DataFrame(
            schema={
                "employee_id": pl.String,
                "start_date": pl.Date,
                "end_date": pl.Date,
                "cause": pl.String,
                "other_cause": pl.Boolean,
                "partial_resumption": pl.Boolean,
                "source_file": pl.String,
                "source_line": pl.Int64,
            }
        )
    pay_now = pay.filter(pl.col("period") == period)

    usable, episode_rejects = check_episodes(absences, first, last)
    ranked = rank_episodes(usable, params)
    in_period = ranked.filter((pl.col("start_date") <= last) & (pl.col("end_date") >= first))
    in_period = episode_regime(in_period, employees, params)
    days = explode_days(in_period, first, last)
    days = classify_days(days, params)
    days, pay_rejects, rejected_ids = price_days(days, pay_now, in_period, period, params)

    monthly = monthly_totals(days, pay_now.filter(~_member(rejected_ids)), period)
    days = days.select(list(DAYS_SCHEMA)).cast(DAYS_SCHEMA).sort("employee_id", "date")
    return GuaranteedWageResult(days=days, monthly=monthly, rejects=rejects.combine(episode_rejects, pay_rejects))


# ---------------------------------------------------------------------------------------------
# Period and parameters
# ---------------------------------------------------------------------------------------------


def _lookup_on(frame: pl.DataFrame, on: str, names: dict[str, str], params: Parameters) -> pl.DataFrame:
    """Add one column per parameter (alias -> name), value in force on ``on``.

    The lookup runs on the distinct dates only (a few dozen rows) and is joined back, so the cost
    does not grow with the number of days.
    """
    dates = frame.select(pl.col(on)).unique().drop_nulls()
    for alias, name in names.items():
        dates = params.lookup(dates, name, on=on, alias=alias)
    return frame.join(dates, on=on, how="left")


def _member(ids: pl.DataFrame) -> pl.Expr:
    """True where employee_id is one of ``ids`` (a small frame): a semi-join as a mask, order kept."""
    return pl.col("employee_id").is_in(ids.get_column("employee_id").implode()).fill_null(False)


def _first_of_employee() -> pl.Expr:
    """True on the first row of each employee (frame sorted by employee_id)."""
    return (pl.col("employee_id") != pl.col("employee_id").shift(1)).fill_null(True)


def _previous_within_employee(expr: pl.Expr) -> pl.Expr:
    """Value of ``expr`` on the previous row of the same employee (frame sorted by employee_id)."""
    return pl.when(_first_of_employee()).then(None).otherwise(expr.shift(1))


def _cum_max_within_employee(dates: pl.Expr) -> pl.Expr:
    """Running maximum of a date column restarting at each employee (frame sorted by employee_id).

    Done with one global ``cum_max`` on (employee number, date) packed into an integer: much
    faster than a per-group window for ~100k small groups.
    """
    group = _first_of_employee().cast(pl.Int64).cum_sum()
    span = 10_000_000  # > 2 x |day number| of any date within ±13,000 years of 1970: groups stay apart
    packed = group * span + dates.cast(pl.Int32).cast(pl.Int64)
    return (packed.cum_max() - group * span).cast(pl.Int32).cast(pl.Date)


# ---------------------------------------------------------------------------------------------
# 1. Episode checks (rejects never raise)
# ---------------------------------------------------------------------------------------------


def check_episodes(absences: pl.DataFrame, first: dt.date, last: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split episodes into usable ones and reject rows.

    Rejected: end before start (or a missing date); overlapping episodes of one employee (every
    episode of an overlapping group, data contract: "episodes never overlap"); a cause other than
    ``illness`` / ``private_accident`` (occupational accidents and diseases follow other laws
    and are out of scope). Because ranks depend on every earlier episode (relapse rule, §3.4), the
    episodes of an employee from the first date-invalid or overlapping episode on are held back
    too; those that touch the run period get a ``episode_held_back`` reject.
    """
    ep = absences.with_columns(
        pl.col("other_cause").fill_null(False),
        pl.col("partial_resumption").fill_null(False),
    )
    bad_dates = (
        pl.col("start_date").is_null() | pl.col("end_date").is_null() | (pl.col("end_date") < pl.col("start_date"))
    )
    ep = ep.with_columns(bad_dates.alias("_bad_dates"))

    # Overlap groups among date-valid episodes (any cause): a new group starts with an employee's
    # first episode or when an episode begins after every earlier episode of the employee ended.
    valid = ep.filter(~pl.col("_bad_dates")).sort("employee_id", "start_date", "end_date", "source_file", "source_line")
    prev_max_end = _previous_within_employee(_cum_max_within_employee(pl.col("end_date")))
    valid = valid.with_columns(
        (prev_max_end.is_null() | (pl.col("start_date") > prev_max_end)).alias("_new_group")
    ).with_columns(pl.col("_new_group").cast(pl.Int64).cum_sum().alias("_group"))
    valid = valid.with_columns(
        (pl.len().over("_group") > 1).alias("_overlap"),
        pl.col("start_date").min().over("_group").alias("_group_start"),
        pl.col("end_date").max().over("_group").alias("_group_end"),
    )
    invalid_dates = ep.filter(pl.col("_bad_dates")).with_columns(
        pl.lit(False).alias("_overlap"),
        pl.lit(None, pl.Date).alias("_group_start"),
        pl.lit(None, pl.Date).alias("_group_end"),
    )
    ep = pl.concat([valid.drop("_new_group", "_group"), invalid_dates], how="diagonal_relaxed")

    # Position from which an employee's history is unusable.
    bad_position = (
        pl.when(pl.col("_bad_dates"))
        .then(pl.min_horizontal("start_date", "end_date"))
        .when(pl.col("_overlap"))
        .then(pl.col("_group_start"))
    )
    ep = ep.with_columns(bad_position.min().over("employee_id").alias("_hold_from"))
    cause_ok = pl.col("cause").is_in(CAUSES).fill_null(False)
    held = pl.col("_hold_from").is_not_null() & (pl.col("start_date") >= pl.col("_hold_from"))
    touches = (pl.col("start_date") <= last) & (pl.col("end_date") >= first)

    out_rejects = rejects.combine(
        rejects.from_rows(
            ep.filter(pl.col("_bad_dates")),
            "end_date",
            "episode_end_before_start",
            pl.format(
                "episode ends ({}) before it starts ({}), or a date is missing",
                pl.col("end_date").cast(pl.String).fill_null("?"),
                pl.col("start_date").cast(pl.String).fill_null("?"),
            ),
        ),
        rejects.from_rows(
            ep.filter(pl.col("_overlap")),
            "start_date",
            "episode_overlap",
            pl.format(
                "episodes of this employee overlap between {} and {} (episodes never overlap): "
                "none of them is computed",
                pl.col("_group_start"),
                pl.col("_group_end"),
            ),
        ),
        rejects.from_rows(
            ep.filter(~cause_ok),
            "cause",
            "cause_out_of_scope",
            pl.when(pl.col("cause").str.contains(OCCUPATIONAL_PATTERN).fill_null(False))
            .then(
                pl.lit(
                    "occupational accident or disease: out of scope (guaranteed wage is computed for illness "
                    "and private accidents only; work accidents and occupational diseases follow their own laws)"
                )
            )
            .otherwise(
                pl.format(
                    "cause '{}' is not illness or private_accident: no guaranteed wage computed",
                    pl.col("cause").fill_null(""),
                )
            ),
        ),
        rejects.from_rows(
            ep.filter(held & ~pl.col("_bad_dates") & ~pl.col("_overlap") & cause_ok & touches),
            "start_date",
            "episode_held_back",
            pl.format(
                "not computed: an earlier or overlapping episode of this employee (from {}) is rejected and the "
                "day count (relapse rule) depends on it",
                pl.col("_hold_from"),
            ),
        ),
    )
    usable = ep.filter(~pl.col("_bad_dates") & ~pl.col("_overlap") & ~held & cause_ok)
    return usable.drop("_bad_dates", "_overlap", "_group_start", "_group_end", "_hold_from"), out_rejects


# ---------------------------------------------------------------------------------------------
# 2. Ranks with the relapse rule (law of 3 July 1978 art. 52 § 2, 73 § 1; rules-reference §3.4)
# ---------------------------------------------------------------------------------------------


def rank_episodes(episodes: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Give each episode its rank offset, relapse flag and chain start.

    An episode E relapses from the previous usable episode P of the same employee when
    ``0 < E.start - P.end <= relapse_window_days`` (value in force on E.start: 14 days before
    2026-01-01, 56 from then) and E is not ``other_cause``. A chain is a run of episodes linked
    by relapses; ranks run on through the chain: the offset of an episode is the total length of
    the earlier episodes of its chain (running sums and forward fills on the frame sorted by
    employee and start), so chains of any number of relapses are carried without a loop.

    Adds: ``prev_end`` (end of P), ``gap_days``, ``relapse``, ``chain_start``, ``rank_offset``,
    ``length``.
    """
    ep = _lookup_on(episodes, "start_date", {"_window": P + "relapse_window_days"}, params)
    ep = ep.sort("employee_id", "start_date").with_columns(
        _previous_within_employee(pl.col("end_date")).alias("prev_end"),
        ((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1).cast(pl.Int32).alias("length"),
    )
    gap = (pl.col("start_date") - pl.col("prev_end")).dt.total_days()
    ep = ep.with_columns(gap.cast(pl.Int32).alias("gap_days"))
    relapse = (
        pl.col("prev_end").is_not_null()
        & (pl.col("gap_days") > 0)
        & (pl.col("gap_days").cast(WIDE) <= pl.col("_window"))
        & ~pl.col("other_cause")
    )
    # Frame sorted by employee then start: every employee's first episode opens a chain, so a
    # global running count of chain openings is a chain id, and the running total of lengths
    # minus its value at the chain's opening is the number of earlier days in the chain.
    ep = ep.with_columns(relapse.alias("relapse"))
    days_before = pl.col("length").cast(pl.Int64).cum_sum() - pl.col("length")
    ep = ep.with_columns(
        (days_before - pl.when(~pl.col("relapse")).then(days_before).forward_fill())
        .cast(pl.Int32)
        .alias("rank_offset"),
        pl.when(~pl.col("relapse")).then(pl.col("start_date")).forward_fill().alias("chain_start"),
    )
    return ep.drop("_window")


def episode_regime(episodes: pl.DataFrame, employees: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Attach the contract and the regime (rules-reference §3.1) at each episode's start.

    ``white_collar_short`` (art. 71): a white collar whose fixed-term, specific-work or
    replacement contract has an end date and lasts less than ``short_contract_months`` months,
    i.e. the day after ``contract_end`` comes before the same day-of-month that many months after
    ``contract_start`` (month-end clamped). Open-ended contracts and terms without an end date are
    ``white_collar_long`` (art. 70).

    Also flags ``partial_exempt``: the episode is a relapse during a partial resumption for which
    the employer owes nothing (rules-reference §3.4): from 2026 always (parameter null = no time
    limit); before, when it starts within ``partial_resumption_exemption_days`` of the first day
    of the partial resumption, taken as the day after the previous episode's end (no previous
    episode in the history: exempt).
    """
    emp = employees.select(
        "employee_id",
        "worker_status",
        "contract_type",
        "contract_start",
        "contract_end",
        pl.col("weekly_work_days").fill_null(5).cast(pl.Int8),  # data-contract default: Monday-Friday
    )
    ep = episodes.join(emp, on="employee_id", how="inner")
    ep = _lookup_on(
        ep,
        "start_date",
        {
            "_short_months": P + "short_contract_months",
            "_pr_days": P + "partial_resumption_exemption_days",
        },
        params,
    )
    three_months_on = pl.col("contract_start").dt.offset_by(pl.format("{}mo", pl.col("_short_months").cast(pl.Int32)))
    short = (
        pl.col("contract_type").is_in(["fixed_term", "specific_work", "replacement"])
        & pl.col("contract_end").is_not_null()
        & ((pl.col("contract_end") + dt.timedelta(days=1)) < three_months_on)
    ).fill_null(False)
    regime = (
        pl.when(pl.col("worker_status") == "blue_collar")
        .then(pl.lit(BLUE))
        .when(short)
        .then(pl.lit(WHITE_SHORT))
        .otherwise(pl.lit(WHITE_LONG))
    )
    exempt = pl.col("partial_resumption") & (
        pl.col("_pr_days").is_null()
        | pl.col("prev_end").is_null()
        | (pl.col("gap_days").cast(WIDE) <= pl.col("_pr_days"))
    )
    return ep.with_columns(regime.alias("regime"), exempt.fill_null(False).alias("partial_exempt")).drop(
        "_short_months", "_pr_days"
    )


# ---------------------------------------------------------------------------------------------
# 3. Days of the run period
# ---------------------------------------------------------------------------------------------


def belgian_holidays(first: dt.date, last: dt.date) -> pl.DataFrame:
    """Belgian public holidays between two dates (``holidays`` package), one row per date."""
    calendar = holidays.Belgium(years=range(first.year, last.year + 1))
    dates = sorted(d for d in calendar if first <= d <= last)
    return pl.DataFrame(
        {"date": dates, "public_holiday": [True] * len(dates)}, schema={"date": pl.Date, "public_holiday": pl.Boolean}
    )


def explode_days(episodes: pl.DataFrame, first: dt.date, last: dt.date) -> pl.DataFrame:
    """One row per calendar day of each episode inside [first, last] with rank and calendar facts."""
    lo = pl.max_horizontal(pl.col("start_date"), pl.lit(first))
    hi = pl.min_horizontal(pl.col("end_date"), pl.lit(last))
    keep = [
        "employee_id",
        "start_date",
        "end_date",
        "source_file",
        "source_line",
        "relapse",
        "rank_offset",
        "chain_start",
        "contract_start",
        "contract_end",
        "weekly_work_days",
        "regime",
        "partial_exempt",
    ]
    days = episodes.select(*keep, pl.date_ranges(lo, hi, "1d").alias("date")).explode("date")
    days = days.filter(pl.col("date").is_not_null())
    episode_day = (pl.col("date") - pl.col("start_date")).dt.total_days() + 1
    days = days.with_columns(
        episode_day.cast(pl.Int32).alias("episode_day"),
        (pl.col("rank_offset") + episode_day).cast(pl.Int32).alias("day_rank"),
        (pl.col("date").dt.weekday() <= pl.col("weekly_work_days")).alias("working_day"),
        (
            (pl.col("date") >= pl.col("contract_start"))
            & (pl.col("contract_end").is_null() | (pl.col("date") <= pl.col("contract_end")))
        )
        .fill_null(False)
        .alias("in_contract"),
    )
    days = days.join(belgian_holidays(first, last), on="date", how="left").with_columns(
        pl.col("public_holiday").fill_null(False)
    )
    return days


def classify_days(days: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Band, payer, ONSS subjection, DmfA service code and rates of every day (§3.2-3.3).

    Order of the rules: outside the contract -> ``OUT_OF_CONTRACT``; a public holiday on a
    scheduled working day within ``public_holiday_window_days`` of the episode start ->
    ``PUBLIC_HOLIDAY`` (holiday pay, law of 4 January 1974); relapse during a partial resumption
    -> ``RELAPSE_PARTIAL_RESUMPTION``; rank beyond ``period_last_rank`` -> ``MUTUALITY``; blue
    collar / short white collar before ``seniority_months`` of service -> ``NO_SENIORITY``; then
    the rank bands ``G100`` / ``WEEK2`` / ``COMPLEMENT`` (long white collars: ``G100`` up to
    ``period_last_rank``). Only scheduled working days (weekday <= weekly_work_days) are paid;
    other days keep their band with payer ``none`` (employer bands) and no service code.
    """
    names = {
        "_wk1": "first_week_last_rank",
        "_wk2": "second_week_last_rank",
        "_last": "period_last_rank",
        "_sen_months": "seniority_months",
        "_hol_window": "public_holiday_window_days",
        "_blue_1": "blue_collar_week1_rate",
        "_blue_2": "blue_collar_week2_rate",
        "_blue_below": "blue_collar_complement_below_ceiling_rate",
        "_blue_above": "blue_collar_complement_above_ceiling_rate",
        "_short_1": "white_collar_short_week1_rate",
        "_short_2": "white_collar_short_week2_rate",
        "_short_below": "white_collar_short_complement_below_ceiling_rate",
        "_short_above": "white_collar_short_complement_above_ceiling_rate",
        "_long": "white_collar_long_rate",
        "_holiday": "public_holiday_rate",
    }
    days = _lookup_on(days, "date", {alias: P + name for alias, name in names.items()}, params)
    rank = pl.col("day_rank").cast(WIDE)
    seniority_date = pl.col("contract_start").dt.offset_by(pl.format("{}mo", pl.col("_sen_months").cast(pl.Int32)))
    needs_seniority = pl.col("regime") != WHITE_LONG
    band = (
        pl.when(~pl.col("in_contract"))
        .then(pl.lit(OUT_OF_CONTRACT))
        .when(
            pl.col("public_holiday")
            & pl.col("working_day")
            & (pl.col("episode_day").cast(WIDE) <= pl.col("_hol_window"))
        )
        .then(pl.lit(PUBLIC_HOLIDAY))
        .when(pl.col("partial_exempt"))
        .then(pl.lit(RELAPSE_PARTIAL_RESUMPTION))
        .when(rank > pl.col("_last"))
        .then(pl.lit(MUTUALITY))
        .when(needs_seniority & (pl.col("date") < seniority_date))
        .then(pl.lit(NO_SENIORITY))
        .when(pl.col("regime") == WHITE_LONG)
        .then(pl.lit(G100))
        .when(rank <= pl.col("_wk1"))
        .then(pl.lit(G100))
        .when(rank <= pl.col("_wk2"))
        .then(pl.lit(WEEK2))
        .otherwise(pl.lit(COMPLEMENT))
    )
    days = days.with_columns(band.alias("band"))
    employer_band = pl.col("band").is_in(EMPLOYER_BANDS)
    payer = (
        pl.when(pl.col("band") == OUT_OF_CONTRACT)
        .then(pl.lit("none"))
        .when(employer_band & pl.col("working_day"))
        .then(pl.lit("employer"))
        .when(employer_band)
        .then(pl.lit("none"))
        .otherwise(pl.lit("mutuality"))
    )
    service = (
        pl.when(~pl.col("working_day") | (pl.col("band") == OUT_OF_CONTRACT))
        .then(pl.lit(None, pl.Int32))
        .when(employer_band)
        .then(pl.col("band").replace_strict(SERVICE_CODE, default=None, return_dtype=pl.Int32))
        .otherwise(pl.lit(SERVICE_CODE_MUTUALITY, pl.Int32))
    )

    def by_regime(blue: str, short: str, long: str | None = None) -> pl.Expr:
        return (
            pl.when(pl.col("regime") == BLUE)
            .then(pl.col(blue))
            .when(pl.col("regime") == WHITE_SHORT)
            .then(pl.col(short))
            .otherwise(pl.col(long) if long else pl.lit(None, WIDE))
        )

    rate = (
        pl.when(pl.col("band") == PUBLIC_HOLIDAY)
        .then(pl.col("_holiday"))
        .when(pl.col("band") == G100)
        .then(by_regime("_blue_1", "_short_1", "_long"))
        .when(pl.col("band") == WEEK2)
        .then(by_regime("_blue_2", "_short_2"))
        .when(pl.col("band") == COMPLEMENT)
        .then(by_regime("_blue_below", "_short_below"))
    )
    rate_above = pl.when(pl.col("band") == COMPLEMENT).then(by_regime("_blue_above", "_short_above"))
    days = days.with_columns(
        payer.alias("payer"),
        service.alias("service_code"),
        pl.col("band").is_in(ONSS_BANDS).alias("onss_subject"),
    ).with_columns(
        pl.when(pl.col("payer") == "employer").then(rate).alias("_rate"),
        pl.when(pl.col("payer") == "employer").then(rate_above).alias("_rate_above"),
    )
    return days.drop([c for c in days.columns if c.startswith("_") and c not in ("_rate", "_rate_above")])


# ---------------------------------------------------------------------------------------------
# 4. Amounts (INAMI ceiling, rounding once per day)
# ---------------------------------------------------------------------------------------------


def _ceilings(days: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """INAMI daily ceiling (6-day basis) for each (episode_start, date) of a paid complement day.

    The start-date band (``inami_ceiling_band``, on the episode start) names the ceiling
    parameter; its value is the one in force on the day paid (rules-reference §3.5).
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
    Returns (days, rejects, frame of the rejected employee_ids).
    """
    # Only the pay rows of employees with incapacity days (a few % of the batch) are touched.
    mine = pay_now.filter(_member(days.select("employee_id").unique()))
    wages = mine.select("employee_id", pl.col("daily_wage").cast(MONEY)).unique("employee_id", keep="first")
    days = days.join(wages, on="employee_id", how="left")
    days = _lookup_on(days, "date", {"_basis": P + "inami_ceiling_basis_days"}, params)
    days = days.join(_ceilings(days, params), on=["start_date", "date"], how="left")
    ceiling = wide(pl.col("_ceiling_6")) * wide(pl.col("_basis")) / wide(pl.col("weekly_work_days"))
    days = days.with_columns(pl.when(pl.col("_rate_above").is_not_null()).then(ceiling).alias("_ceiling"))
    wage = wide(pl.col("daily_wage"))
    below = pl.min_horizontal(wage, pl.col("_ceiling"))
    above = (wage - pl.col("_ceiling")).clip(lower_bound=0)
    amount = (
        pl.when(pl.col("payer") != "employer")
        .then(pl.lit(0, WIDE))
        .when(pl.col("_rate_above").is_not_null())
        .then(times(below, pl.col("_rate")) + times(above, pl.col("_rate_above")))
        .otherwise(times(pl.col("daily_wage"), pl.col("_rate")))
    )
    days = days.with_columns(
        to_cents(amount).alias("amount"),
        pl.col("_rate").cast(RATIO).alias("rate"),
        pl.col("_rate_above").cast(RATIO).alias("rate_above_ceiling"),
        pl.col("_ceiling").cast(RATIO).alias("daily_ceiling"),
        pl.col("start_date").alias("episode_start"),
        pl.col("end_date").alias("episode_end"),
        pl.col("source_file").alias("absence_source_file"),
        pl.col("source_line").alias("absence_source_line"),
    )

    paid = days.filter(pl.col("payer") == "employer").select("employee_id").unique()
    no_wage_rows = mine.filter(pl.col("daily_wage").is_null()).join(paid, on="employee_id", how="semi")
    no_row = paid.join(mine.select("employee_id"), on="employee_id", how="anti")
    no_row_episodes = episodes.join(no_row, on="employee_id", how="semi").join(
        days.filter(pl.col("payer") == "employer").select("employee_id", "start_date").unique(),
        on=["employee_id", "start_date"],
        how="semi",
    )
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
    days = days.join(rejected, on="employee_id", how="anti")
    return days, out_rejects, rejected


def monthly_totals(days: pl.DataFrame, pay_now: pl.DataFrame, period: str) -> pl.DataFrame:
    """Per employee with a pay row: Σ amounts of ONSS-subject days and Σ of the others (§3.3)."""
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
