"""The guaranteed-wage bands, declared once, and the expressions that evaluate them.

A day of incapacity falls in exactly one band. :data:`BANDS` lists them in the order in which
they are tried: the first band whose regime, condition and rank range match the day wins. One
declaration per band and regime holds everything the rest of the code needs:

* which regimes it applies to (law of 3 July 1978: art. 52 blue collars, art. 70 white collars,
  art. 71 white collars engaged for less than three months);
* the condition that selects it (a day outside the contract, a public holiday in the window of
  the law of 4 January 1974, a relapse during a partial resumption, no month of service yet), or
  the rank range, as the parameter naming its last rank (the first rank is the one after the
  previous band of the same regime);
* the rate parameter(s): the share of the daily wage the employer pays (for the CCT 12bis /
  CCT 13bis complement, the rate up to the INAMI ceiling and the rate above it);
* who pays, whether the pay carries ONSS, and the DmfA service (prestation) code;
* whether a paid day of the band is *guaranteed wage* in the sense of the relapse rule (law of
  3 July 1978 art. 52 § 1 al. 3 and 73 § 1: "une période d'incapacité de travail ayant donné lieu
  au paiement du salaire garanti"): the days at 100 % and of the second week (85.88 % / 86.93 %),
  not the CCT 12bis / 13bis complement of days 15 to 30, which tops up the mutuality's benefit.

Band classification (:func:`declaration_expr`: the position in the table of the declaration each
day falls in, a small integer; :func:`band_expr`), then the band name, rates (:func:`rate_exprs`),
payer, ONSS subjection and service codes (:func:`payer_expr`, :func:`service_expr`,
:data:`SERVICE_CODE`) of that declaration, and the relapse anchor (:func:`guaranteed_limit_expr`,
:func:`blocked_expr`) are all read from this one table.
Parameter names are the file names under ``pipeline/parameters/guaranteed_wage/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.core.money import WIDE

P = "guaranteed_wage/"

# Regimes (law of 3 July 1978)
BLUE = "blue_collar"  # art. 52
WHITE_LONG = "white_collar_long"  # art. 70: open-ended, or a term of at least three months
WHITE_SHORT = "white_collar_short"  # art. 71: fixed term / specific work / replacement of less than three months
REGIMES = (BLUE, WHITE_SHORT, WHITE_LONG)

# Band names (written in guaranteed_wage_days.band; docs/guaranteed_wage.md)
OUT_OF_CONTRACT = "OUT_OF_CONTRACT"
PUBLIC_HOLIDAY = "PUBLIC_HOLIDAY"
RELAPSE_PARTIAL_RESUMPTION = "RELAPSE_PARTIAL_RESUMPTION"
MUTUALITY = "MUTUALITY"
NO_SENIORITY = "NO_SENIORITY"
G100 = "G100"
WEEK2 = "WEEK2"
COMPLEMENT = "COMPLEMENT"

# Payers
EMPLOYER = "employer"
MUTUALITY_PAYS = "mutuality"
NOBODY = "none"


@dataclass(frozen=True)
class Band:
    """One band of one or more regimes.

    ``when`` names a condition of :data:`CONDITIONS` (a day fact that does not depend on the rank);
    ``up_to_rank`` / ``after_rank`` name the rank parameters bounding the band. A band with
    neither is never a rank band.
    """

    name: str
    regimes: tuple[str, ...]
    payer: str
    onss_subject: bool
    service_code: int | None
    when: str | None = None
    after_rank: str | None = None
    up_to_rank: str | None = None
    rate: str | None = None
    rate_above_ceiling: str | None = None
    guaranteed_wage: bool = False


# Conditions of the non-rank bands. Each reads day columns and parameter columns (:func:`param`).
ConditionFn = Callable[[], pl.Expr]


def param(name: str) -> pl.Expr:
    """The column holding the value of parameter ``guaranteed_wage/<name>`` on the row's day."""
    return pl.col(f"_p_{name}")


def seniority_reached() -> pl.Expr:
    """The day falls after the first ``seniority_months`` of service (law of 3 July 1978 art. 52 § 1,
    71: "un mois d'ancienneté ininterrompue"), the month counted as in :mod:`.terms`."""
    return pl.col("date") > pl.col("_seniority_term_end")


CONDITION_PARAMETERS = ("public_holiday_window_days", "seniority_months")
"""The parameters the conditions below read."""

CONDITIONS: dict[str, ConditionFn] = {
    # The guaranteed wage is owed under the contract: nothing before it starts or after it ends.
    "outside_contract": lambda: ~pl.col("in_contract"),
    # Law of 4 January 1974 and its royal decree of 18 April 1974: a public holiday on a scheduled
    # working day within the first days of an uninterrupted suspension (an episode and the ones that
    # continue it the next day) is paid by the employer; the window restarts after a resumption.
    "public_holiday_in_window": lambda: (
        pl.col("public_holiday")
        & pl.col("working_day")
        & (pl.col("suspension_day").cast(WIDE) <= param("public_holiday_window_days"))
    ),
    # Relapse during a medically approved partial resumption (episode flag worked out per episode).
    "partial_resumption_relapse": lambda: pl.col("partial_exempt"),
    "before_one_month_of_service": lambda: ~seniority_reached(),
}

BANDS: tuple[Band, ...] = (
    Band(OUT_OF_CONTRACT, REGIMES, NOBODY, False, None, when="outside_contract"),
    Band(PUBLIC_HOLIDAY, REGIMES, EMPLOYER, True, 1, when="public_holiday_in_window", rate="public_holiday_rate"),
    Band(RELAPSE_PARTIAL_RESUMPTION, REGIMES, MUTUALITY_PAYS, False, 50, when="partial_resumption_relapse"),
    Band(MUTUALITY, REGIMES, MUTUALITY_PAYS, False, 50, after_rank="period_last_rank"),
    Band(NO_SENIORITY, (BLUE, WHITE_SHORT), MUTUALITY_PAYS, False, 50, when="before_one_month_of_service"),
    # Blue collars: art. 52 § 1 (7 days at 100 %, 7 days at 60 % + CCT 12bis = 85.88 %), CCT 12bis complement
    Band(
        G100,
        (BLUE,),
        EMPLOYER,
        True,
        1,
        up_to_rank="first_week_last_rank",
        rate="blue_collar_week1_rate",
        guaranteed_wage=True,
    ),
    Band(
        WEEK2,
        (BLUE,),
        EMPLOYER,
        False,
        10,
        up_to_rank="second_week_last_rank",
        rate="blue_collar_week2_rate",
        guaranteed_wage=True,
    ),
    Band(
        COMPLEMENT,
        (BLUE,),
        EMPLOYER,
        False,
        11,
        up_to_rank="period_last_rank",
        rate="blue_collar_complement_below_ceiling_rate",
        rate_above_ceiling="blue_collar_complement_above_ceiling_rate",
    ),
    # White collars engaged for less than three months: art. 71 + CCT 13bis
    Band(
        G100,
        (WHITE_SHORT,),
        EMPLOYER,
        True,
        1,
        up_to_rank="first_week_last_rank",
        rate="white_collar_short_week1_rate",
        guaranteed_wage=True,
    ),
    Band(
        WEEK2,
        (WHITE_SHORT,),
        EMPLOYER,
        False,
        10,
        up_to_rank="second_week_last_rank",
        rate="white_collar_short_week2_rate",
        guaranteed_wage=True,
    ),
    Band(
        COMPLEMENT,
        (WHITE_SHORT,),
        EMPLOYER,
        False,
        11,
        up_to_rank="period_last_rank",
        rate="white_collar_short_complement_below_ceiling_rate",
        rate_above_ceiling="white_collar_short_complement_above_ceiling_rate",
    ),
    # Other white collars: art. 70 (30 days at 100 %)
    Band(
        G100,
        (WHITE_LONG,),
        EMPLOYER,
        True,
        1,
        up_to_rank="period_last_rank",
        rate="white_collar_long_rate",
        guaranteed_wage=True,
    ),
)


def _one_per_name(attribute: str) -> dict[str, object]:
    """``attribute`` of each band name; the table must agree across the regimes of a name."""
    out: dict[str, object] = {}
    for band in BANDS:
        value = getattr(band, attribute)
        if out.setdefault(band.name, value) != value:
            raise ValueError(f"guaranteed-wage band {band.name}: {attribute} differs between regimes")
    return out


PAYER: dict[str, str] = _one_per_name("payer")  # type: ignore[assignment]
ONSS_SUBJECT: dict[str, bool] = _one_per_name("onss_subject")  # type: ignore[assignment]
EMPLOYER_BANDS = tuple(name for name, payer in PAYER.items() if payer == EMPLOYER)
ONSS_BANDS = tuple(name for name, subject in ONSS_SUBJECT.items() if subject)

SERVICE_CODE: dict[str, int] = {
    name: code for name, code in _one_per_name("service_code").items() if PAYER[name] == EMPLOYER
}  # type: ignore[misc]
"""DmfA service (prestation) code of each band the employer pays: 1 remunerated day, 10 guaranteed
wage second week, 11 incapacity with complement (DmfA glossary identifiers)."""

_MUTUALITY_CODES = {b.service_code for b in BANDS if b.payer == MUTUALITY_PAYS}
if len(_MUTUALITY_CODES) != 1:
    raise ValueError("guaranteed-wage bands paid by the mutuality must share one DmfA service code")
SERVICE_CODE_MUTUALITY: int = _MUTUALITY_CODES.pop()  # type: ignore[assignment]
"""DmfA service code of the days the mutuality pays (50, sickness)."""


def _day_parameters() -> tuple[str, ...]:
    names = set(CONDITION_PARAMETERS)
    for band in BANDS:
        names.update(n for n in (band.after_rank, band.up_to_rank, band.rate, band.rate_above_ceiling) if n)
    return tuple(sorted(names))


DAY_PARAMETERS = _day_parameters()
"""Every parameter the bands read on the day paid (columns ``_p_<name>``)."""


def _regime_in(band: Band) -> pl.Expr:
    return pl.lit(True) if set(band.regimes) == set(REGIMES) else pl.col("regime").is_in(list(band.regimes))


def _matches(band: Band, rank: pl.Expr) -> pl.Expr:
    cond = _regime_in(band)
    if band.when:
        cond = cond & CONDITIONS[band.when]()
    if band.after_rank:
        cond = cond & (rank > param(band.after_rank))
    if band.up_to_rank:
        cond = cond & (rank <= param(band.up_to_rank))
    return cond


DECLARATION = "_declaration"
"""Column of a classified day: the position in :data:`BANDS` of the declaration it falls in (UInt8)."""


def declaration_expr(rank: pl.Expr) -> pl.Expr:
    """The position in :data:`BANDS` of the first declaration that matches the day (null: none)."""
    expr = pl.when(_matches(BANDS[0], rank)).then(pl.lit(0, pl.UInt8))
    for index, band in enumerate(BANDS[1:], start=1):
        expr = expr.when(_matches(band, rank)).then(pl.lit(index, pl.UInt8))
    return expr.otherwise(pl.lit(None, pl.UInt8))


def _of_declaration(
    values: list[object], dtype: pl.DataType, default: object = None, declaration: pl.Expr | None = None
) -> pl.Expr:
    """Each day's entry of ``values`` (one per declaration of :data:`BANDS`), read from its declaration
    (column :data:`DECLARATION` by default)."""
    positions = list(range(len(BANDS)))
    return (pl.col(DECLARATION) if declaration is None else declaration).replace_strict(
        positions, values, default=default, return_dtype=dtype
    )


def band_name_expr(declaration: pl.Expr | None = None) -> pl.Expr:
    """The band name of each day's declaration (column :data:`DECLARATION` by default)."""
    return _of_declaration([band.name for band in BANDS], pl.String, declaration=declaration)


def band_expr(rank: pl.Expr) -> pl.Expr:
    """The band of each day: the name of the first declaration of :data:`BANDS` that matches."""
    return band_name_expr(declaration_expr(rank))


def _by_declaration(attribute: str) -> pl.Expr:
    """The parameter column named by ``attribute`` of the declaration the day falls in."""
    expr = None
    for index, band in enumerate(BANDS):
        name = getattr(band, attribute)
        if not name:
            continue
        hit = pl.col(DECLARATION) == index
        expr = pl.when(hit).then(param(name)) if expr is None else expr.when(hit).then(param(name))
    return expr.otherwise(pl.lit(None, WIDE)) if expr is not None else pl.lit(None, WIDE)


def rate_exprs() -> tuple[pl.Expr, pl.Expr]:
    """(rate, rate above the ceiling) of the day's declaration (null where the band has none)."""
    return _by_declaration("rate"), _by_declaration("rate_above_ceiling")


def payer_expr() -> pl.Expr:
    """Who pays: the band's payer; an employer band on a day that is not a scheduled working day is
    paid by nobody (only days that would have been worked are paid, law of 3 July 1978 art. 52 § 1)."""
    payer = _of_declaration([band.payer for band in BANDS], pl.String)
    return pl.when((payer == EMPLOYER) & ~pl.col("working_day")).then(pl.lit(NOBODY)).otherwise(payer)


def service_expr() -> pl.Expr:
    """The DmfA service code of the band; none on a day that is not a scheduled working day."""
    code = _of_declaration([band.service_code for band in BANDS], pl.Int32)
    return pl.when(pl.col("working_day")).then(code).otherwise(pl.lit(None, pl.Int32))


def onss_expr() -> pl.Expr:
    return _of_declaration([band.onss_subject for band in BANDS], pl.Boolean, default=False)


# ---------------------------------------------------------------------------------------------
# The relapse anchor: a day of guaranteed wage
# ---------------------------------------------------------------------------------------------


def _guaranteed_limits() -> dict[str, str]:
    """Per regime, the rank parameter up to which a paid day is guaranteed wage.

    The table must give each regime its guaranteed-wage rank bands first (ranks 1 to the limit),
    so that "a day of guaranteed wage" is "a scheduled working day whose rank is at most the limit
    and that no condition band claims".
    """
    limits: dict[str, str] = {}
    for regime in REGIMES:
        rank_bands = [b for b in BANDS if regime in b.regimes and b.up_to_rank]
        flags = [b.guaranteed_wage for b in rank_bands]
        if not flags or not flags[0] or flags != sorted(flags, reverse=True):
            raise ValueError(f"guaranteed-wage bands of {regime}: guaranteed-wage rank bands must come first")
        if any(b.guaranteed_wage and b.payer != EMPLOYER for b in rank_bands):
            raise ValueError(f"guaranteed-wage bands of {regime}: guaranteed wage is paid by the employer")
        limits[regime] = [b for b in rank_bands if b.guaranteed_wage][-1].up_to_rank  # type: ignore[assignment]
    return limits


GUARANTEED_LIMIT = _guaranteed_limits()
"""Regime -> parameter of the last rank of guaranteed wage (blue collars and white collars engaged
for less than three months: the second week; other white collars: the whole period)."""
LIMIT_PARAMETERS = tuple(sorted(set(GUARANTEED_LIMIT.values())))


def guaranteed_limit_expr() -> pl.Expr:
    """The last rank at which a day of the row's regime is still guaranteed wage."""
    expr = None
    for regime, name in GUARANTEED_LIMIT.items():
        hit = pl.col("regime") == regime
        expr = pl.when(hit).then(param(name)) if expr is None else expr.when(hit).then(param(name))
    return expr.otherwise(pl.lit(None, WIDE))  # type: ignore[union-attr]


def blocked_expr() -> pl.Expr:
    """True where a condition band claims the day whatever its rank (it is then not guaranteed wage)."""
    return pl.any_horizontal(
        [_regime_in(b) & CONDITIONS[b.when]() for b in BANDS if b.when]  # type: ignore[index]
    ).fill_null(False)
