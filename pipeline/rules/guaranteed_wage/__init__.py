"""Guaranteed wage on sickness or private accident: day-by-day split employer / mutuality.

Data contract computation 1. Legal basis: law of 3 July 1978 on employment contracts, art. 52
(blue collars), 70 (white collars), 71 (white collars engaged for less than three months), 52 § 1
al. 3 / 73 § 1 (relapse: 14 days, 8 weeks for incapacities starting from 2026-01-01, law of
19 December 2025); CNT collective agreements CCT 12bis (blue collars) and CCT 13bis (short-term
white collars); law of 4 January 1974 and royal decree of 18 April 1974 (public holidays during a
suspension).

Every calendar day of every incapacity episode that falls in the run period becomes one row of
``days`` with its rank (1 = first day; a relapse continues the count of the episode it relapses
from), its band, who pays, the rate, the amount and the DmfA service code. ``monthly`` sums the
amounts per employee into the ONSS-subject and the exempt part. All legal figures are dated
parameters under ``pipeline/parameters/guaranteed_wage/``; choices where the law or the contract
is silent are written down in ``docs/guaranteed_wage.md``.

The steps, one module each:

* :mod:`.episodes`: checks on the episodes (rejects, never raises), ranks with the relapse rule,
  the regime of each episode;
* :mod:`.bands`: the band table, declared once, and the expressions that evaluate it;
* :mod:`.days`: the days of the run period, their bands, rates and amounts, the monthly totals.

Everything is vectorised: episodes are ranked with window expressions over each employee, only
the days inside the run period are exploded with ``pl.date_ranges``, and parameters are looked up
once per distinct date and joined back.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.core import keys, rejects
from pipeline.core.params import Parameters
from pipeline.core.periods import month_bounds
from pipeline.rules.guaranteed_wage.bands import (
    BANDS,
    BLUE,
    COMPLEMENT,
    EMPLOYER_BANDS,
    G100,
    MUTUALITY,
    NO_SENIORITY,
    ONSS_BANDS,
    OUT_OF_CONTRACT,
    PUBLIC_HOLIDAY,
    RELAPSE_PARTIAL_RESUMPTION,
    SERVICE_CODE,
    SERVICE_CODE_MUTUALITY,
    WEEK2,
    WHITE_LONG,
    WHITE_SHORT,
    Band,
)
from pipeline.rules.guaranteed_wage.days import (
    DAYS_SCHEMA,
    MONTHLY_SCHEMA,
    belgian_holidays,
    classify_days,
    guaranteed_wage_slack,
    monthly_totals,
    period_days,
    price_days,
)
from pipeline.rules.guaranteed_wage.episodes import (
    CAUSES,
    check_episodes,
    episode_regime,
    rank_episodes,
    relevant_history,
)
from pipeline.rules.guaranteed_wage.frames import member
from schemas.outputs import stored_input_schema

__all__ = [
    "ABSENCES_SCHEMA",
    "BANDS",
    "BLUE",
    "CAUSES",
    "COMPLEMENT",
    "DAYS_SCHEMA",
    "EMPLOYER_BANDS",
    "G100",
    "MONTHLY_SCHEMA",
    "MUTUALITY",
    "NO_SENIORITY",
    "ONSS_BANDS",
    "OUT_OF_CONTRACT",
    "PUBLIC_HOLIDAY",
    "RELAPSE_PARTIAL_RESUMPTION",
    "SERVICE_CODE",
    "SERVICE_CODE_MUTUALITY",
    "WEEK2",
    "WHITE_LONG",
    "WHITE_SHORT",
    "Band",
    "GuaranteedWageResult",
    "belgian_holidays",
    "check_episodes",
    "compute_guaranteed_wage",
    "rank_episodes",
    "relevant_history",
]

ABSENCES_SCHEMA: dict[str, pl.DataType] = stored_input_schema("absences")
"""Validated ``absences`` as this rule receives them: the input contract's columns and types
(``schemas.inputs``) and the source file and line of each row."""


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
    3 July 1978 art. 52 § 1 / 73 § 1); ``pay`` the run period's rows (earlier months are ignored).
    Never raises on bad rows: they come back in ``rejects``. Raises
    :class:`~pipeline.errors.MissingParameterError` (exit 4) only when a legal value needed for a
    day of the period is not in force.
    """
    first, last = month_bounds(period)
    if absences is None:
        absences = pl.DataFrame(schema=ABSENCES_SCHEMA)
    pay_now = pay.filter(pl.col("period") == period)

    usable, episode_rejects = check_episodes(absences, first, last)
    history = episode_regime(relevant_history(usable, first, last, params), employees, params)
    ranked = rank_episodes(guaranteed_wage_slack(history, params), params)
    in_period = ranked.filter((pl.col("start_date") <= last) & (pl.col("end_date") >= first))
    days = classify_days(period_days(in_period, first, last), params)
    days, pay_rejects, rejected_ids = price_days(days, pay_now, in_period, period, params)

    monthly = monthly_totals(days, pay_now.filter(~member(rejected_ids)), period)
    days = days.select(list(DAYS_SCHEMA)).cast(DAYS_SCHEMA)
    days = days if keys.in_order(days, "employee_id", "date") else days.sort("employee_id", "date")
    return GuaranteedWageResult(days=days, monthly=monthly, rejects=rejects.combine(episode_rejects, pay_rejects))
