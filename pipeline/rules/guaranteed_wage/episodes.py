"""Incapacity episodes: the checks on them, their day ranks (relapse rule) and the regime of each.

Law of 3 July 1978 on employment contracts: art. 52 (blue collars), 70 (white collars), 71 (white
collars engaged for less than three months), 52 § 2 / 73 § 1 (relapse: 14 days, 8 weeks for
incapacities starting from 2026-01-01, law of 19 December 2025).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.core import rejects
from pipeline.core.money import WIDE
from pipeline.core.params import Parameters
from pipeline.rules.guaranteed_wage.bands import BLUE, WHITE_LONG, WHITE_SHORT, P
from pipeline.rules.guaranteed_wage.frames import cum_max_within_employee, lookup_on, previous_within_employee

CAUSES = ("illness", "private_accident")
OCCUPATIONAL_PATTERN = r"(?i)occup|work|profession|travail|arbeid|beroep"
TERM_CONTRACTS = ["fixed_term", "specific_work", "replacement"]


def check_episodes(absences: pl.DataFrame, first: dt.date, last: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split episodes into usable ones and reject rows.

    Rejected: end before start (or a missing date); overlapping episodes of one employee (every
    episode of an overlapping group, data contract: "episodes never overlap"); a cause other than
    ``illness`` / ``private_accident`` (occupational accidents and diseases follow other laws
    and are out of scope). Because ranks depend on every earlier episode (relapse rule), the
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
    prev_max_end = previous_within_employee(cum_max_within_employee(pl.col("end_date")))
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
# Ranks with the relapse rule (law of 3 July 1978 art. 52 § 1 al. 3, 73 § 1)
# ---------------------------------------------------------------------------------------------


def _max_value(params: Parameters, name: str) -> int:
    """The largest value a parameter ever takes (to bound what a look-up could need)."""
    return int(max(v.value for v in params.get(name).values if v.value is not None))


def relevant_history(episodes: pl.DataFrame, first: dt.date, last: dt.date, params: Parameters) -> pl.DataFrame:
    """The episodes whose ranks can matter for the run period [first, last], with date facts.

    Sorted by employee and start, with ``prev_end`` (end of the employee's previous episode),
    ``gap_days`` (start minus ``prev_end``) and ``length``. Episodes after the period are dropped.
    A relapse is at most ``relapse_window_days`` (its largest value ever) after an earlier
    incapacity ended, so an episode that starts more than that after every earlier one opens a
    *segment* nothing before it can reach; only the segments holding an episode that touches the
    period are kept. Older history then needs no parameter at all: a worker sick since 1970 or an
    old pair of episodes never asks for a value on those dates.
    """
    ep = episodes.filter(pl.col("start_date") <= last).sort("employee_id", "start_date")
    ep = ep.with_columns(
        previous_within_employee(pl.col("end_date")).alias("prev_end"),
        ((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1).cast(pl.Int32).alias("length"),
    ).with_columns((pl.col("start_date") - pl.col("prev_end")).dt.total_days().cast(pl.Int32).alias("gap_days"))
    reach = _max_value(params, P + "relapse_window_days")
    opens = pl.col("prev_end").is_null() | (pl.col("gap_days") > reach)
    ep = ep.with_columns(opens.cast(pl.Int64).cum_sum().alias("_segment"))
    keep = (pl.col("end_date") >= first).any().over("_segment")
    return ep.filter(keep).drop("_segment")


def rank_episodes(episodes: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Give each episode its rank offset, relapse flag and chain start.

    ``episodes`` as returned by :func:`relevant_history`. An episode E relapses from the previous
    usable episode P of the same employee when ``0 < E.start - P.end <= relapse_window_days``
    (value in force on E.start: 14 days before 2026-01-01, 56 from then) and E is not
    ``other_cause``; the value is looked up only for the episodes that have such a P close enough
    to be a relapse. A chain is a run of episodes linked by relapses; ranks run on through the
    chain: the offset of an episode is the total length of the earlier episodes of its chain
    (running sums and forward fills on the frame sorted by employee and start), so chains of any
    number of relapses are carried without a loop.

    Adds: ``relapse``, ``chain_start``, ``rank_offset``.
    """
    reach = _max_value(params, P + "relapse_window_days")
    candidate = (
        pl.col("prev_end").is_not_null()
        & (pl.col("gap_days") > 0)
        & (pl.col("gap_days") <= reach)
        & ~pl.col("other_cause")
    )
    ep = lookup_on(episodes, "start_date", {"_window": P + "relapse_window_days"}, params, where=candidate)
    relapse = candidate & (pl.col("gap_days").cast(WIDE) <= pl.col("_window"))
    # Frame sorted by employee then start: every employee's first episode opens a chain, so a
    # global running count of chain openings is a chain id, and the running total of lengths
    # minus its value at the chain's opening is the number of earlier days in the chain.
    ep = ep.with_columns(relapse.fill_null(False).alias("relapse"))
    days_before = pl.col("length").cast(pl.Int64).cum_sum() - pl.col("length")
    ep = ep.with_columns(
        (days_before - pl.when(~pl.col("relapse")).then(days_before).forward_fill())
        .cast(pl.Int32)
        .alias("rank_offset"),
        pl.when(~pl.col("relapse")).then(pl.col("start_date")).forward_fill().alias("chain_start"),
    )
    return ep.drop("_window")


def episode_regime(episodes: pl.DataFrame, employees: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Attach the contract and the regime (law of 3 July 1978 art. 52, 70, 71) at each episode's start.

    ``white_collar_short`` (art. 71): a white collar whose fixed-term, specific-work or
    replacement contract has an end date and lasts less than ``short_contract_months`` months,
    i.e. the day after ``contract_end`` comes before the same day-of-month that many months after
    ``contract_start`` (month-end clamped). Open-ended contracts and terms without an end date are
    ``white_collar_long`` (art. 70).

    Also flags ``partial_exempt``: the episode is a relapse during a partial resumption for which
    the employer owes nothing: from 2026 always (parameter null = no time limit); before, when it
    starts within ``partial_resumption_exemption_days`` of the first day of the partial
    resumption, taken as the day after the previous episode's end (no previous episode in the
    history: exempt). Each parameter is looked up only on the episodes it decides: the term
    length for white collars on a term contract with an end date, the exemption length for
    flagged episodes that follow an earlier one.
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
    term = pl.col("contract_type").is_in(TERM_CONTRACTS) & pl.col("contract_end").is_not_null()
    white_term = (pl.col("worker_status") != "blue_collar") & term
    ep = lookup_on(ep, "start_date", {"_short_months": P + "short_contract_months"}, params, where=white_term)
    after_an_episode = pl.col("partial_resumption") & pl.col("prev_end").is_not_null()
    ep = lookup_on(
        ep, "start_date", {"_pr_days": P + "partial_resumption_exemption_days"}, params, where=after_an_episode
    )
    three_months_on = pl.col("contract_start").dt.offset_by(pl.format("{}mo", pl.col("_short_months").cast(pl.Int32)))
    short = (white_term & ((pl.col("contract_end") + dt.timedelta(days=1)) < three_months_on)).fill_null(False)
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
