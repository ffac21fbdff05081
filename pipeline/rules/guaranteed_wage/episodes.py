"""Incapacity episodes: the checks on them, their day ranks (relapse rule) and the regime of each.

Law of 3 July 1978 on employment contracts: art. 52 (blue collars), 70 (white collars), 71 (white
collars engaged for less than three months), 52 § 2 / 73 § 1 (relapse: 14 days, 8 weeks for
incapacities starting from 2026-01-01, law of 19 December 2025).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.core import rejects
from pipeline.core.keys import cum_max_within_employee, position_within_employee, previous_within_employee
from pipeline.core.money import WIDE
from pipeline.core.params import Parameters
from pipeline.rules.guaranteed_wage.bands import BLUE, WHITE_LONG, WHITE_SHORT, P
from pipeline.rules.guaranteed_wage.frames import lookup_on, max_value
from pipeline.rules.guaranteed_wage.terms import term_end
from schemas.inputs import typed_defaults

EMPLOYEE_DEFAULTS = typed_defaults("employees")
"""The employees input's contract defaults (weekly_work_days 5: Monday-Friday)."""

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


def relevant_history(episodes: pl.DataFrame, first: dt.date, last: dt.date, params: Parameters) -> pl.DataFrame:
    """The episodes whose ranks can matter for the run period [first, last], with date facts.

    Sorted by employee and start, with ``prev_end`` (end of the employee's previous episode),
    ``gap_days`` (start minus ``prev_end``), ``length``, ``prolongs`` (the episode starts the day
    after the previous one ends: a prolongation, no resumption of work in between) and
    ``suspension_start``: the first day of the uninterrupted suspension the episode belongs to.
    Episodes after the period are dropped.
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
    # An episode that starts the day after the previous one ends continues one uninterrupted suspension.
    ep = ep.with_columns((pl.col("gap_days") == 1).fill_null(False).alias("prolongs")).with_columns(
        pl.when(~pl.col("prolongs")).then(pl.col("start_date")).forward_fill().alias("suspension_start"),
    )
    reach = max_value(params, P + "relapse_window_days")
    opens = pl.col("prev_end").is_null() | (pl.col("gap_days") > reach)
    ep = ep.with_columns(opens.cast(pl.Int64).cum_sum().alias("_segment"))
    keep = (pl.col("end_date") >= first).any().over("_segment")
    return ep.filter(keep).drop("_segment")


def rank_episodes(episodes: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Give each episode its rank offset, relapse flag and chain start.

    ``episodes`` as returned by :func:`relevant_history`, with the contract and regime
    (:func:`episode_regime`) and ``_slack`` (:func:`~.days.guaranteed_wage_slack`). The law of
    3 July 1978 (art. 52 § 1 al. 3 for blue collars, 70-71 and 73 § 1 for white collars) gives no
    new guaranteed wage for an incapacity that begins within ``relapse_window_days`` (14 days, 8
    weeks for incapacities starting from 2026-01-01, value in force on the new episode's start)
    after the end of "une période d'incapacité de travail ayant donné lieu au paiement du salaire
    garanti", unless it is due to another illness or accident (``other_cause``); the worker only
    gets the unused balance. So an episode E continues the count of an earlier chain when:

    * E starts the day after the previous episode ends (a prolongation: there was no resumption
      of work, it is one uninterrupted incapacity): E continues that episode's chain, whatever it
      paid and whatever the certificate says; or else
    * E is a relapse: 1 to ``relapse_window_days`` days after the end of the *anchor*, the last
      uninterrupted incapacity that gave rise to guaranteed wage (a day at 100 % or of the second
      week paid by the employer), and not ``other_cause``: E continues the anchor's chain. An
      earlier episode that paid nothing (no month of service yet, every day beyond the guaranteed
      days) is no anchor, and successive relapses are each measured from the end of the last
      anchor.

    Otherwise E opens a new chain. Ranks run on through a chain: the offset of an episode is the
    number of days of the earlier episodes of its chain.

    The anchor depends on what the earlier episodes paid, which depends on their own offsets: the
    chains are worked out in rounds, round k taking the k-th episode of every employee at once
    (whole-column expressions on a frame of one row per employee), so the number of rounds is the
    largest number of episodes one employee has in the relevant history, not the number of rows.

    Adds: ``relapse`` (the episode continues an earlier chain), ``chain_start``, ``rank_offset``.
    """
    reach = max_value(params, P + "relapse_window_days")
    may_relapse = (
        pl.col("prev_end").is_not_null() & ~pl.col("prolongs") & (pl.col("gap_days") <= reach) & ~pl.col("other_cause")
    )
    ep = lookup_on(episodes, "start_date", {"_window": P + "relapse_window_days"}, params, where=may_relapse)
    ep = ep.sort("employee_id", "start_date").with_columns(position_within_employee().alias("_k"))
    state = pl.DataFrame(schema={"employee_id": pl.String, **_CHAIN_STATE})
    rounds = []
    for k in range(int(ep.get_column("_k").max() or 0) + 1 if ep.height else 0):
        cur = ep.filter(pl.col("_k") == k).join(state, on="employee_id", how="left")
        rounds.append(_chain_round(cur))
        state = rounds[-1].select("employee_id", *_next_state())
    chained = (
        pl.concat(rounds).select("employee_id", "start_date", "relapse", "chain_start", "rank_offset")
        if rounds
        else pl.DataFrame(
            schema={
                "employee_id": pl.String,
                "start_date": pl.Date,
                "relapse": pl.Boolean,
                "chain_start": pl.Date,
                "rank_offset": pl.Int32,
            }
        )
    )
    return ep.drop("_window", "_k").join(chained, on=["employee_id", "start_date"], how="left", maintain_order="left")


_CHAIN_STATE = {
    "_p_end": pl.Date,  # previous episode: end, chain, days of its chain up to its end
    "_p_chain": pl.Date,
    "_p_days": pl.Int64,
    "_a_end": pl.Date,  # anchor (last incapacity that gave rise to guaranteed wage): end, chain, days
    "_a_chain": pl.Date,
    "_a_days": pl.Int64,
}


def _chain_round(cur: pl.DataFrame) -> pl.DataFrame:
    """One round: the chain, offset and payment of the k-th episode of each employee, from the state
    (previous episode and anchor) left by the round before."""
    prolongs = pl.col("prolongs")
    gap = (pl.col("start_date") - pl.col("_a_end")).dt.total_days()
    relapses = (
        ~prolongs
        & pl.col("_a_end").is_not_null()
        & ~pl.col("other_cause")
        & (gap > 0)
        & (gap.cast(WIDE) <= pl.col("_window"))
    ).fill_null(False)
    cur = cur.with_columns(
        (prolongs | relapses).alias("relapse"),
        pl.when(prolongs)
        .then(pl.col("_p_chain"))
        .when(relapses)
        .then(pl.col("_a_chain"))
        .otherwise(pl.col("start_date"))
        .alias("chain_start"),
        pl.when(prolongs).then(pl.col("_p_days")).when(relapses).then(pl.col("_a_days")).otherwise(0).alias("_offset"),
    )
    return cur.with_columns(
        pl.col("_offset").cast(pl.Int32).alias("rank_offset"),
        (pl.col("_offset") + pl.col("length")).alias("_days"),
        (pl.col("_slack").is_not_null() & (pl.col("_offset") <= pl.col("_slack"))).alias("_paid"),
    )


def _next_state() -> list[pl.Expr]:
    """The state after a round: the episode just ranked becomes the previous one; it becomes the
    anchor if it paid guaranteed wage; a prolongation of the anchor moves the anchor's end (the
    uninterrupted incapacity ends later); an episode that joined the anchor's chain adds its days."""
    paid = pl.col("_paid")
    extends_anchor = pl.col("prolongs") & (pl.col("_a_end") == pl.col("_p_end")).fill_null(False)
    same_chain = (pl.col("_a_chain") == pl.col("chain_start")).fill_null(False)
    return [
        pl.col("end_date").alias("_p_end"),
        pl.col("chain_start").alias("_p_chain"),
        pl.col("_days").alias("_p_days"),
        pl.when(paid | extends_anchor).then(pl.col("end_date")).otherwise(pl.col("_a_end")).alias("_a_end"),
        pl.when(paid).then(pl.col("chain_start")).otherwise(pl.col("_a_chain")).alias("_a_chain"),
        pl.when(paid | same_chain).then(pl.col("_days")).otherwise(pl.col("_a_days")).alias("_a_days"),
    ]


def episode_regime(episodes: pl.DataFrame, employees: pl.DataFrame, params: Parameters) -> pl.DataFrame:
    """Attach the contract and the regime (law of 3 July 1978 art. 52, 70, 71) at each episode's start.

    ``white_collar_short`` (art. 71): a white collar whose fixed-term, specific-work or
    replacement contract has an end date and lasts less than ``short_contract_months`` months,
    i.e. ends before the last day of a term of that many months beginning on ``contract_start``,
    counted "de quantième à veille de quantième" with the month-end fallback (:mod:`.terms`).
    Open-ended contracts and terms without an end date are ``white_collar_long`` (art. 70).

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
        pl.col("weekly_work_days").fill_null(EMPLOYEE_DEFAULTS["weekly_work_days"]).cast(pl.Int8),
    )
    ep = episodes.join(emp, on="employee_id", how="inner", maintain_order="left")
    term = pl.col("contract_type").is_in(TERM_CONTRACTS) & pl.col("contract_end").is_not_null()
    white_term = (pl.col("worker_status") != "blue_collar") & term
    ep = lookup_on(ep, "start_date", {"_short_months": P + "short_contract_months"}, params, where=white_term)
    after_an_episode = pl.col("partial_resumption") & pl.col("prev_end").is_not_null()
    ep = lookup_on(
        ep, "start_date", {"_pr_days": P + "partial_resumption_exemption_days"}, params, where=after_an_episode
    )
    full_term_end = term_end(pl.col("contract_start"), pl.col("_short_months"))
    short = (white_term & (pl.col("contract_end") < full_term_end)).fill_null(False)
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
