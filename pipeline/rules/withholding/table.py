"""The withholding decision table, declared once.

Per employee and pay month: does Belgian withholding tax (précompte professionnel /
bedrijfsvoorheffing) apply, on which share of the pay, and why. Thirteen rows, evaluated top-down:
the first row whose condition holds decides. Each :class:`Row` states its number, reason code,
the residence whose regime it belongs to (scope), the inputs and parameters it needs, its condition
(named conditions, all of which must hold), the share of the pay taxable in Belgium and the
evidence :mod:`explain` prints. Everything else evaluates this declaration: the vectorised decision
and its rejects (:func:`reach`, :func:`with_share_needs`), and the explanation (:func:`holds`,
:attr:`Row.evidence`), which runs the same polars expressions on the one employee's line.

Legal basis, by row:

- 1: a resident of Belgium is taxed in Belgium on all pay (CIR 92 art. 1 and 3); days worked abroad
  may be exempt under the relevant convention, which the employer does not decide here.
- 2-8, French residents: the work-State rule (convention FR-BE of 10 March 1964 art. 11 §1) unless
  the frontier regime of the 3rd transitional period 2012-2033 applies (additional protocol to the
  convention as inserted by art. 2 of the avenant of 12 December 2008): grandfathered status,
  excluded categories, at most 30 days a year outside the Belgian border zone (15 % of the days
  worked for a seasonal worker), a one-time second chance, and the form 276 Front./Grens. attested
  for the calendar year and held by this employer before PP may be stopped (art. 87 AR/CIR 92);
  the regime ends on 1 January 2034.
- 9-10, Luxembourg residents: taxable in Belgium (convention BE-LU of 17 September 1970 art. 15 §1);
  all pay stays taxable in Belgium while the days worked outside Belgium in the calendar year do
  not exceed the tolerance (24 days, 34 from 1 January 2022 under the avenant signed 31 August 2021).
- 11-13: the days physically worked in Belgium are taxable in Belgium (conventions BE-NL 2001 and
  BE-DE 1967, art. 15); for a Belgian employer the 183-day exception never applies.

The model is PolicyEngine's ``select(conditions, outcomes, default)`` with named conditions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from pipeline.core.periods import Month

# --- parameters the rows read (names only; values live in the YAML files) ----------------------
P_FR_REGIME_END = "withholding/fr_regime_end"
P_FR_EXIT_LIMIT = "withholding/fr_exit_day_limit"
P_FR_SEASONAL_RATE = "withholding/fr_seasonal_exit_rate"
P_LU_TOLERANCE = "withholding/lu_tolerance_days"
PARAMETERS = (P_FR_REGIME_END, P_FR_EXIT_LIMIT, P_FR_SEASONAL_RATE, P_LU_TOLERANCE)

# --- reason codes (the contract's withholding_reason values) -----------------------------------
BE_RESIDENT = "BE_RESIDENT"
FR_REGIME_ENDED_2034 = "FR_REGIME_ENDED_2034"
FR_NOT_GRANDFATHERED = "FR_NOT_GRANDFATHERED"
FR_EXCLUDED_CATEGORY = "FR_EXCLUDED_CATEGORY"
FR_EXIT_LIMIT_DEFINITIVE = "FR_EXIT_LIMIT_DEFINITIVE"
FR_EXIT_LIMIT_YEAR_LOST = "FR_EXIT_LIMIT_YEAR_LOST"
FR_276FG_MISSING = "FR_276FG_MISSING"
FR_FRONTIER_EXEMPT = "FR_FRONTIER_EXEMPT"
LU_WITHIN_TOLERANCE = "LU_WITHIN_TOLERANCE"
LU_OVER_TOLERANCE_PRORATA = "LU_OVER_TOLERANCE_PRORATA"
NL_WORK_STATE_PRORATA = "NL_WORK_STATE_PRORATA"
DE_WORK_STATE_PRORATA = "DE_WORK_STATE_PRORATA"
OTHER_TREATY_REVIEW = "OTHER_TREATY_REVIEW"


@dataclass(frozen=True)
class Context:
    """What a condition reads besides the row's own columns: the pay month, and the parameters
    that have no value in force on its first day."""

    period: str
    missing_parameters: frozenset[str] = frozenset()

    @property
    def start(self) -> dt.date:
        return Month.parse(self.period).start

    @property
    def year(self) -> int:
        return Month.parse(self.period).year


# --- named conditions, on the columns of a decision line ---------------------------------------
Condition = Callable[[Context], pl.Expr]
CONDITIONS: dict[str, Condition] = {
    "resident_be": lambda ctx: pl.col("residence_country") == "BE",
    "resident_fr": lambda ctx: pl.col("residence_country") == "FR",
    "resident_lu": lambda ctx: pl.col("residence_country") == "LU",
    "resident_nl": lambda ctx: pl.col("residence_country") == "NL",
    "resident_de": lambda ctx: pl.col("residence_country") == "DE",
    "regime_ended": lambda ctx: pl.col("fr_regime_end") <= pl.lit(ctx.start),
    "not_grandfathered": lambda ctx: ~pl.col("fr_grandfathered"),
    "excluded_category": lambda ctx: pl.col("fr_excluded_category") != "none",
    "over_exit_limit": lambda ctx: pl.col("fr_first_excess_period").is_not_null(),
    "second_chance_used": lambda ctx: pl.col("fr_second_chance_used"),
    "second_chance_unused": lambda ctx: ~pl.col("fr_second_chance_used"),
    # An empty fr_276fg_year: the employer holds no attested form (optional column; no reject).
    "no_276fg_for_year": lambda ctx: ~(pl.col("fr_276fg_year") == ctx.year).fill_null(False),
    "seasonal": lambda ctx: pl.col("fr_seasonal"),
    "not_seasonal": lambda ctx: ~pl.col("fr_seasonal"),
    "within_lu_tolerance": lambda ctx: pl.col("days_outside_be_ytd") <= pl.col("lu_tolerance"),
    "over_lu_tolerance": lambda ctx: pl.col("days_outside_be_ytd") > pl.col("lu_tolerance"),
}
SCOPES = {"FR": "resident_fr", "LU": "resident_lu"}
"""Scope of a row -> the condition that puts an employee in it."""


@dataclass(frozen=True)
class Need:
    """An input or a parameter a row reads. Reaching the row while it is empty is a reject on the
    ``side`` that holds it (employee row, pay row), or for a parameter stops the batch (exit 4)."""

    name: str
    side: Literal["employee", "pay", "parameter"]
    why: str
    when: str | None = None
    """Named condition: the need holds only where it does (e.g. only for seasonal workers)."""

    def reached(self, ctx: Context) -> pl.Expr:
        """True where the need is unmet (to be combined with "the row is reached")."""
        empty = pl.lit(self.name in ctx.missing_parameters) if self.side == "parameter" else pl.col(self.name).is_null()
        return empty if self.when is None else CONDITIONS[self.when](ctx) & empty


@dataclass(frozen=True)
class Share:
    """How much of the month's pay is taxable in Belgium: one, zero, or the days share
    ``days_worked_be / (days_worked_be + days_worked_residence + days_worked_other)``."""

    kind: Literal["one", "zero", "days"]
    basis: str | None = None
    """``taxable_share_basis`` of a fixed share (a days share names the days it used)."""
    needs: tuple[Need, ...] = ()


@dataclass(frozen=True)
class Row:
    """One row of the table: it decides where its scope and all its named conditions hold, unless
    an earlier row did, or one of its needs is empty there (then the outcome is that need)."""

    number: int
    reason: str
    label: str
    """The condition in words (``explain``)."""
    when: tuple[str, ...]
    """Named conditions, all of which must hold (with the scope's)."""
    share: Share
    evidence: Callable[[], pl.Expr]
    """The values the condition reads, as text (``explain``)."""
    scope: str | None = None
    """Residence whose regime the row belongs to (FR rows 2-8, LU rows 9-10); None: rows that test
    the residence themselves."""
    needs: tuple[Need, ...] = ()
    applies: bool = True
    """Belgian withholding tax applies."""

    def condition(self, ctx: Context) -> pl.Expr:
        names = ((SCOPES[self.scope],) if self.scope else ()) + self.when
        expr = pl.lit(True)
        for name in names:
            expr = expr & CONDITIONS[name](ctx)
        return expr

    def in_scope(self, ctx: Context) -> pl.Expr:
        return CONDITIONS[SCOPES[self.scope]](ctx) if self.scope else pl.lit(True)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.needs if n.side == "parameter")


# --- evidence text helpers ----------------------------------------------------------------------
def _say(*parts: str | pl.Expr) -> pl.Expr:
    return pl.concat_str([p if isinstance(p, pl.Expr) else pl.lit(p) for p in parts])


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).fill_null("?")


def _yes(name: str) -> pl.Expr:
    col = pl.col(name)
    return pl.when(col).then(pl.lit("yes")).when(~col).then(pl.lit("no")).otherwise(pl.lit("?"))


def _number(name: str) -> pl.Expr:
    """A decimal without trailing zeros (30.000000000000 -> 30)."""
    text = pl.col(name).cast(pl.String)
    return text.str.replace(r"(\.\d*?)0+$", "${1}").str.strip_suffix(".").fill_null("?")


def _residence() -> pl.Expr:
    return _say("residence_country = ", _text("residence_country"))


def _exit_limit() -> pl.Expr:
    return _say(
        "fr_exit_days_ytd ",
        _text("fr_exit_days_ytd"),
        " vs limit ",
        _text("fr_exit_limit_formula"),
        " = ",
        _number("fr_exit_limit"),
        " (strictly above exceeds; first exceeded: ",
        pl.col("fr_first_excess_period").fill_null("never this year"),
        ")",
    )


def _tolerance(comparison: str) -> pl.Expr:
    return _say(
        "days_outside_be_ytd ", _text("days_outside_be_ytd"), f" {comparison} tolerance ", _text("lu_tolerance")
    )


def _form_276fg() -> pl.Expr:
    year = pl.col("period").str.slice(0, 4)
    return (
        pl.when(pl.col("fr_276fg_year").is_null())
        .then(_say("fr_276fg_year empty (this employer holds no attested form), period year ", year))
        .otherwise(_say("fr_276fg_year = ", _text("fr_276fg_year"), ", period year ", year))
    )


# --- needs ------------------------------------------------------------------------------------
_RESIDENCE = Need(
    "residence_country",
    "employee",
    "the State of residence decides which convention applies (FR-BE 1964 art. 11, BE-LU 1970 art. 15, "
    "BE-NL 2001 and BE-DE 1967 art. 15)",
)
_REGIME_END = Need(P_FR_REGIME_END, "parameter", "the French frontier regime ends on 1 January 2034")
_GRANDFATHERED = Need(
    "fr_grandfathered",
    "employee",
    "say whether the conditions of the French frontier regime hold (no permanent home in Belgium on "
    "31 December 2008; home in the French and work in the Belgian border zone on 31 December 2011 and "
    "ever since; avenant FR-BE of 12 December 2008 art. 2)",
)
_EXIT_LIMIT = (
    Need(
        "contract_start",
        "employee",
        "the 30 days a year outside the Belgian border zone are prorated by the calendar days employed "
        "in the year (avenant FR-BE of 12 December 2008 art. 2 §5)",
        when="not_seasonal",
    ),
    Need(P_FR_EXIT_LIMIT, "parameter", "the days a year outside the Belgian border zone", when="not_seasonal"),
    Need(
        "days_worked_be",
        "pay",
        "the exit limit of a seasonal frontier worker (form 276 FG.S) is 15 % of the days worked in the year",
        when="seasonal",
    ),
    Need(P_FR_SEASONAL_RATE, "parameter", "the seasonal exit share of the days worked", when="seasonal"),
)
_LU_TOLERANCE = Need(P_LU_TOLERANCE, "parameter", "the days a year outside Belgium that keep all pay taxable")

RESIDENT = Share("one", "resident")
LU_TOLERANCE = Share("one", "lu_tolerance")
EXEMPT = Share("zero", "fr_frontier_exempt")
DAYS = Share(
    "days",
    needs=(
        Need(
            "days_worked_be",
            "pay",
            "the taxable share is days_worked_be / (days_worked_be + days_worked_residence + "
            "days_worked_other): pay is taxable where the work is physically performed",
        ),
    ),
)

# --- the table ----------------------------------------------------------------------------------
TABLE: tuple[Row, ...] = (
    Row(1, BE_RESIDENT, "residence = BE", ("resident_be",), RESIDENT, _residence, needs=(_RESIDENCE,)),
    Row(
        2,
        FR_REGIME_ENDED_2034,
        "residence = FR and period on or after the end of the frontier regime",
        ("regime_ended",),
        DAYS,
        lambda: _say("period starts ", pl.col("period"), "-01, regime ends ", _text("fr_regime_end")),
        scope="FR",
        needs=(_REGIME_END,),
    ),
    Row(
        3,
        FR_NOT_GRANDFATHERED,
        "FR and not fr_grandfathered",
        ("not_grandfathered",),
        DAYS,
        lambda: _say("fr_grandfathered = ", _yes("fr_grandfathered")),
        scope="FR",
        needs=(_GRANDFATHERED,),
    ),
    Row(
        4,
        FR_EXCLUDED_CATEGORY,
        "FR and fr_excluded_category is not none",
        ("excluded_category",),
        DAYS,
        lambda: _say("fr_excluded_category = ", _text("fr_excluded_category")),
        scope="FR",
    ),
    Row(
        5,
        FR_EXIT_LIMIT_DEFINITIVE,
        "FR and fr_exit_days_ytd > limit and fr_second_chance_used",
        ("over_exit_limit", "second_chance_used"),
        DAYS,
        lambda: _say(_exit_limit(), "; fr_second_chance_used = ", _yes("fr_second_chance_used")),
        scope="FR",
        needs=_EXIT_LIMIT,
    ),
    Row(
        6,
        FR_EXIT_LIMIT_YEAR_LOST,
        "FR and fr_exit_days_ytd > limit and second chance not used",
        ("over_exit_limit", "second_chance_unused"),
        DAYS,
        _exit_limit,
        scope="FR",
        needs=_EXIT_LIMIT,
    ),
    Row(
        7,
        FR_276FG_MISSING,
        "FR and no attested 276 FG for this year and this employer",
        ("no_276fg_for_year",),
        DAYS,
        _form_276fg,
        scope="FR",
    ),
    Row(
        8,
        FR_FRONTIER_EXEMPT,
        "FR and all conditions met",
        (),
        EXEMPT,
        lambda: pl.lit("all French-regime conditions met"),
        scope="FR",
        applies=False,
    ),
    Row(
        9,
        LU_WITHIN_TOLERANCE,
        "residence = LU and days_outside_be_ytd <= tolerance",
        ("within_lu_tolerance",),
        LU_TOLERANCE,
        lambda: _tolerance("<="),
        scope="LU",
        needs=(_LU_TOLERANCE,),
    ),
    Row(
        10,
        LU_OVER_TOLERANCE_PRORATA,
        "LU and days_outside_be_ytd > tolerance",
        ("over_lu_tolerance",),
        DAYS,
        lambda: _tolerance(">"),
        scope="LU",
        needs=(_LU_TOLERANCE,),
    ),
    Row(11, NL_WORK_STATE_PRORATA, "residence = NL", ("resident_nl",), DAYS, _residence),
    Row(12, DE_WORK_STATE_PRORATA, "residence = DE", ("resident_de",), DAYS, _residence),
    Row(13, OTHER_TREATY_REVIEW, "any other residence (manual treaty check)", (), DAYS, _residence),
)
ROW_OF = {row.reason: row.number for row in TABLE}
REASON_OF = {row.number: row.reason for row in TABLE}

# --- evaluation ---------------------------------------------------------------------------------
# An outcome is one small integer: the row reached, plus STRIDE x the need that was empty there
# (0: the row decided). Integer codes, turned into text once, are what keeps the chain cheap at a
# million rows.
STRIDE = 16
NEEDS: tuple[Need, ...] = tuple(
    dict.fromkeys([n for row in TABLE for n in row.needs] + [n for row in TABLE for n in row.share.needs])
)
NEED_ID = {need: i for i, need in enumerate(NEEDS, start=1)}


def reach(ctx: Context) -> pl.Expr:
    """The outcome code of every row of a frame: the table evaluated top-down (Int16)."""
    chain = None
    for row in TABLE:
        branches = [(row.in_scope(ctx) & n.reached(ctx), row.number + STRIDE * NEED_ID[n]) for n in row.needs]
        for cond, code in [*branches, (row.condition(ctx), row.number)]:
            chain = pl.when(cond) if chain is None else chain.when(cond)
            chain = chain.then(pl.lit(code, pl.Int16))
    return chain.otherwise(pl.lit(None, pl.Int16))


def with_share_needs(code: pl.Expr, ctx: Context) -> pl.Expr:
    """``code`` with the needs of the decided row's share: an empty input there is an outcome too."""
    for share in dict.fromkeys(row.share for row in TABLE):
        rows = [row.number for row in TABLE if row.share == share]
        for need in share.needs:
            code = pl.when(code.is_in(rows) & need.reached(ctx)).then(code + STRIDE * NEED_ID[need]).otherwise(code)
    return code


def row_number(code: pl.Expr) -> pl.Expr:
    return code % STRIDE


def need_id(code: pl.Expr) -> pl.Expr:
    """0 where the row decided, else the id of the empty need (:data:`NEEDS`)."""
    return code // STRIDE


def reason(code: pl.Expr) -> pl.Expr:
    return row_number(code).replace_strict(REASON_OF, default=None, return_dtype=pl.String)


def rows_where(test: Callable[[Row], bool]) -> list[int]:
    return [row.number for row in TABLE if test(row)]


def holds(row: Row, ctx: Context) -> pl.Expr:
    """The row's condition, null read as false (``explain``)."""
    return row.condition(ctx).fill_null(False)
