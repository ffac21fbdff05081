"""Synthetic input batches: N invented employees with valid identifiers, realistic pay and absences.

Used for the sample data (``scripts/make_sample_data.py``) and for benchmarks (1,000,000
employee-months). Everything is vectorised polars: every pseudo-random column is derived from the
row index by the splitmix64 mixing function (:func:`_mix`), so there is no Python loop per row
and the output depends only on the arguments (not on the polars version's hash function).

What is generated (data-contract.md "Inputs"), all as canonical **text** frames:

- ``employers``: valid ONSS numbers ((N x 100 + CC) mod 97 = 96, as ``schemas.checks.onss_number_ok``
  checks them) and BCE/KBO enterprise numbers (mod-97), categories 000/010, workforce, commercial flag.
- ``employees``: residents of BE (~40 %), FR (~20 %), LU (~10 %), NL (~15 %), DE (~10 %), another
  country (~2 %), Belgian residents employed in NL or FR (~3 %, with the four ONEM allowance
  conditions of the Royal Decree of 9 June 1999, art. 1); blue/white collars ~50/50; ~20 %
  part-time; ~5 % 6-day weeks; open-ended, fixed-term (>= and < 3 months), specific-work and
  replacement contracts; NISS numbers valid by the mod-97 rule of both centuries (as
  ``stdnum.be.nn`` checks them) and BIS numbers (month + 20 / + 40) for some non-residents, with a
  birth date that agrees; French-regime fields (the frontier regime of the avenant of 12 December
  2008 to the BE-FR convention) for French residents.
- ``pay``: one row per employee and month (the period and, with ``history_months``, earlier
  months of the same year), monthly gross by status x work fraction, daily wage = gross / 21.67,
  day counts (<= 23 a month) split between Belgium, the residence state and third states, zone
  exit days for French residents; pay for incapacity days is taken out of gross (the contract:
  gross excludes it).
- ``absences``: ~5 % of employees with an incapacity episode touching the period (3-45 days, some
  crossing a month end, a few relapses after an earlier episode, a few private accidents, a few
  ``other_cause``).

Keyword arguments of :func:`generate` change the mix (one employer or employers of a given size,
the residence shares, the French frontier regime, the share and length of sickness episodes), for
the benchmark's batches; their defaults give the mix above, byte for byte.

With ``bad_fraction`` > 0 that share of the rows of each input carries one defect (bad NISS
checksum, 3-decimal money, unknown references, contract dates out of order, negative or absurd
salary, duplicate pay row, bad enum, overlapping or reversed absences, ...), so a benchmark also
exercises the reject path.

The generator invents people: names are combinations of invented name parts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from schemas.inputs import INPUTS

# --------------------------------------------------------------------------------------------
# Pseudo-random columns from the row index (splitmix64 in wrapping UInt64 arithmetic).
# --------------------------------------------------------------------------------------------

_GOLDEN = 0x9E3779B97F4A7C15
_M64 = 2**64


def _finalize(x):
    """splitmix64 finaliser; works on Python ints (mod 2^64) and UInt64 Series (wrapping)."""
    x = (x ^ (x // 2**30)) * 0xBF58476D1CE4E5B9
    x = x % _M64 if isinstance(x, int) else x
    x = (x ^ (x // 2**27)) * 0x94D049BB133111EB
    x = x % _M64 if isinstance(x, int) else x
    return x ^ (x // 2**31)


def _mix_series(idx: pl.Series, salt: int) -> pl.Series:
    return _finalize(idx.cast(pl.UInt64) * _GOLDEN + salt)


def _mix(idx: pl.Expr, stream: int, seed: int) -> pl.Expr:
    """A pseudo-random UInt64 for each value of ``idx`` (an integer >= 0): splitmix64 of
    ``idx`` in a sequence salted by (seed, stream).

    Plain UInt64 arithmetic (wrapping modulo 2^64), so the result does not depend on the
    machine or on polars' hash implementation (``Expr.hash`` is only stable within one polars
    version). Evaluated on whole columns (``map_batches``: one call per column, not per row).
    """
    salt = _finalize((seed * 1_000_003 + stream * 7_919 + 12_345) * _GOLDEN % _M64)
    return idx.map_batches(lambda s: _mix_series(s, salt), return_dtype=pl.UInt64, is_elementwise=True)


def _rand(idx: pl.Expr, stream: int, seed: int) -> pl.Expr:
    """Uniform Float64 in [0, 1) (for draws only; never used for money)."""
    return (_mix(idx, stream, seed) // 2**11).cast(pl.Float64) / float(2**53)


def _with_draws(frame: pl.DataFrame, idx: str, streams: range | list[int], seed: int) -> pl.DataFrame:
    """Add uniform [0, 1) columns ``__u<k>`` for each stream k, derived from column ``idx``.

    Each 64-bit draw gives two 32-bit uniforms (streams taken in pairs), and every draw is
    computed once as a column, so the expressions that use it do not recompute it.
    """
    streams = list(streams)
    pairs = [streams[j : j + 2] for j in range(0, len(streams), 2)]
    frame = frame.with_columns([_mix(pl.col(idx), pair[0], seed).alias(f"__z{pair[0]}") for pair in pairs])
    exprs = []
    for pair in pairs:
        z = pl.col(f"__z{pair[0]}")
        exprs.append(((z % 2**32).cast(pl.Float64) / float(2**32)).alias(f"__u{pair[0]}"))
        if len(pair) == 2:
            exprs.append(((z // 2**32).cast(pl.Float64) / float(2**32)).alias(f"__u{pair[1]}"))
    return frame.with_columns(exprs).drop([f"__z{pair[0]}" for pair in pairs])


def U(k: int) -> pl.Expr:
    """The uniform draw of stream k (added by :func:`_with_draws`)."""
    return pl.col(f"__u{k}")


def RI(k: int, lo: int | pl.Expr, hi: int | pl.Expr) -> pl.Expr:
    """Uniform integer in [lo, hi] from the draw of stream k."""
    return lo + (U(k) * (hi - lo + 1)).floor().cast(pl.Int64)


def _drop_draws(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop([c for c in frame.columns if c.startswith("__u")])


def _pick(index: pl.Expr, values: list[str]) -> pl.Expr:
    """values[index] as a String expression (index already in range)."""
    return pl.lit(pl.Series(values, dtype=pl.String)).gather(index)


def _cut(u: pl.Expr, bounds: list[tuple[float, str]]) -> pl.Expr:
    """Categorical draw: the label of the first cumulative bound above ``u``."""
    expr = pl.lit(bounds[-1][1])
    for bound, label in reversed(bounds[:-1]):
        expr = pl.when(u < bound).then(pl.lit(label)).otherwise(expr)
    return expr


# --------------------------------------------------------------------------------------------
# Invented names (parts combined; no real person intended).
# --------------------------------------------------------------------------------------------

FIRST = {
    "fr": (
        [
            "Jérôme",
            "Loïc",
            "François",
            "Mathéo",
            "Cédric",
            "Amaury",
            "Benoît",
            "Gaëtan",
            "Rémi",
            "Théo",
            "Noël",
            "Étienne",
        ],
        [
            "Hélène",
            "Gaëlle",
            "Anaïs",
            "Noémie",
            "Chloé",
            "Mélanie",
            "Zoé",
            "Céline",
            "Aurélie",
            "Maëlle",
            "Inès",
            "Élodie",
        ],
    ),
    "nl": (
        ["Jens", "Wout", "Bram", "Sander", "Joris", "Pieter", "Stijn", "Ruben", "Niels", "Koen", "Maarten", "Dries"],
        ["Fien", "Lotte", "Sanne", "Femke", "Ine", "Lieke", "Marieke", "Eline", "Joke", "Anouk", "Griet", "Saar"],
    ),
    "de": (
        ["Jörg", "Lukas", "Matthias", "Günter", "Felix", "Jonas", "Tobias", "Uwe"],
        ["Sabine", "Lena", "Katrin", "Jana", "Ute", "Mareike", "Anja", "Birgit"],
    ),
    "it": (
        ["Matteo", "Luca", "Davide", "Nicolò"],
        ["Giulia", "Chiara", "Francesca", "Ilaria"],
    ),
}

LAST_PARTS = {
    "fr": (
        ["Dela", "Du", "Mal", "Ber", "Gau", "Fon", "Ro", "Vau", "Lam", "Cha"],
        ["court", "mesnil", "vière", "chaux", "lande", "bréchet", "tier", "ssart", "quet", "nès"],
    ),
    "nl": (
        ["Van den ", "Van de ", "De ", "Ver", "Van ", "Vande"],
        ["Broecke", "Veldeman", "Wouwere", "Meersche", "Kerckhoven", "Hoevels", "Straete", "Haeghen"],
    ),
    "de": (
        ["Hoff", "Kessel", "Brand", "Stein", "Wald", "Lin", "Ebers", "Rau"],
        ["mayr", "bauer", "ner", "hardt", "berger", "dorf", "inger", "städt"],
    ),
    "it": (["Ross", "Bian", "Fer", "Mar", "Col", "Sant"], ["ellini", "etti", "ucci", "onetti", "azzo", "orini"]),
}

OTHER_COUNTRIES = ["IT", "PL", "ES", "PT"]
EMPLOYER_WORDS = (
    [
        "Ateliers",
        "Transports",
        "Bureau",
        "Menuiserie",
        "Boulangerie",
        "Imprimerie",
        "Garage",
        "Laboratoire",
        "Brouwerij",
        "Drukkerij",
        "Logistiek",
        "Bouwbedrijf",
    ],
    [
        "du Val",
        "de la Sambre",
        "Mosans",
        "des Fagnes",
        "Scheldeland",
        "Kempen",
        "Hesbaye",
        "van de Dijle",
        "Ardennais",
        "Meetjesland",
        "du Hainaut",
        "Westhoek",
    ],
    ["SA", "SRL", "NV", "BV", "SC", "ASBL"],
)


def _flat(lists: dict[str, list[str]]) -> tuple[pl.Series, dict[str, tuple[int, int]]]:
    """One Series of all values and, per key, (offset, length) into it."""
    values: list[str] = []
    spans = {}
    for key, items in lists.items():
        spans[key] = (len(values), len(items))
        values.extend(items)
    return pl.Series(values, dtype=pl.String), spans


def _pick_by(key: pl.Expr, u: pl.Expr, lists: dict[str, list[str]]) -> pl.Expr:
    """values[key][floor(u * len)] for a per-row key (vectorised: one gather)."""
    flat, spans = _flat(lists)
    offset = key.replace_strict({k: off for k, (off, _) in spans.items()}, return_dtype=pl.Int64)
    length = key.replace_strict({k: n for k, (_, n) in spans.items()}, return_dtype=pl.Int64)
    return pl.lit(flat).gather(offset + (u * length).floor().cast(pl.Int64))


def _names(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    """first_name / last_name from the name group and sex (odd NISS serial = male)."""
    frame = _with_draws(frame, "__i", range(40, 44), seed)
    sex = pl.when((pl.col("__serial") % 2) == 1).then(pl.lit("m")).otherwise(pl.lit("f"))
    group = pl.col("name_group")
    firsts = {f"{g}{x}": FIRST[g][j] for g in FIRST for j, x in enumerate("mf")}
    first = _pick_by(group + sex, U(40), firsts)
    prefix = _pick_by(group, U(42), {g: LAST_PARTS[g][0] for g in LAST_PARTS})
    suffix = _pick_by(group, U(43), {g: LAST_PARTS[g][1] for g in LAST_PARTS})
    # "Van den Broecke" but "Verbroecke": a particle ending in a space keeps the capital.
    last = prefix + pl.when(prefix.str.ends_with(" ")).then(suffix).otherwise(suffix.str.to_lowercase())
    return _drop_draws(frame.with_columns(first.alias("first_name"), last.alias("last_name")))


# --------------------------------------------------------------------------------------------
# Identifiers (NISS / BIS, ONSS and enterprise numbers, with their mod-97 check digits).
# --------------------------------------------------------------------------------------------


def onss_number(n: pl.Expr) -> pl.Expr:
    """9-digit ONSS number from a 7-digit base N: CC = (96 - N x 100) mod 97."""
    n = n.cast(pl.Int64)
    cc = (96 - (n * 100) % 97) % 97
    return (n * 100 + cc).cast(pl.String).str.zfill(9)


def enterprise_number(body: pl.Expr) -> pl.Expr:
    """10-digit BCE/KBO number from an 8-digit body: last two = 97 - (body mod 97)."""
    body = body.cast(pl.Int64)
    return body.cast(pl.String).str.zfill(8) + (97 - body % 97).cast(pl.String).str.zfill(2)


def establishment_unit_number(body: pl.Expr) -> pl.Expr:
    """10-digit KBO/BCE establishment-unit number (DmfA LocalUnitID) from an 8-digit body whose
    first digit is 2-8: last two = 97 - (body mod 97)."""
    return enterprise_number(body)


def niss_number(birth: pl.Expr, serial: pl.Expr, bis: pl.Expr) -> pl.Expr:
    """NISS (bis = 0) or BIS number (bis = 20: sex unknown, 40: sex known) for a birth date.

    CC = 97 - (first 9 digits mod 97); born from 2000: 97 - ((2,000,000,000 + first 9) mod 97).
    """
    yy = birth.dt.year().cast(pl.Int64) % 100
    mm = birth.dt.month().cast(pl.Int64) + bis.cast(pl.Int64)
    dd = birth.dt.day().cast(pl.Int64)
    body = yy * 10_000_000 + mm * 100_000 + dd * 1_000 + serial.cast(pl.Int64)
    base = pl.when(birth.dt.year() >= 2000).then(body + 2_000_000_000).otherwise(body)
    cc = 97 - base % 97
    return body.cast(pl.String).str.zfill(9) + cc.cast(pl.String).str.zfill(2)


def _century_checks(niss: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The check digits of the 1900 and the 2000 rule (to build a number that fails both)."""
    body = niss.str.slice(0, 9).cast(pl.Int64)
    c1 = 97 - body % 97
    c2 = 97 - (body + 2_000_000_000) % 97
    return c1, c2


# --------------------------------------------------------------------------------------------
# Profiles: the typed attributes of each employee before they are turned into text.
# --------------------------------------------------------------------------------------------

PROFILE_SCHEMA = {
    "employee_id": pl.String,
    "employer_idx": pl.Int64,
    "residence_country": pl.String,
    "work_country": pl.String,
    "worker_status": pl.String,
    "contract_type": pl.String,
    "contract_start": pl.Date,
    "contract_end": pl.Date,
    "fraction_pct": pl.Int64,  # 50, 60, 80, 100
    "weekly_work_days": pl.Int64,
    "birth_date": pl.Date,
    "bis": pl.Int64,  # 0 NISS, 20 / 40 BIS
    "fte_cents": pl.Int64,  # full-time monthly gross in cents
    "mobility": pl.Int64,  # 0 none, 1 low, 2 high (days outside Belgium / outside the zone)
    "name_group": pl.String,  # fr | nl | de | it
    "fr_grandfathered": pl.Boolean,
    "fr_excluded_category": pl.String,
    "fr_276fg_year": pl.Int64,
    "fr_second_chance_used": pl.Boolean,
    "fr_seasonal": pl.Boolean,
    "be_border_zone_resident": pl.Boolean,
    "foreign_border_zone_work": pl.Boolean,
    "foreign_social_insurance": pl.Boolean,
    "taxed_in_belgium": pl.Boolean,
}


def _period(period: str) -> tuple[int, int, dt.date]:
    year, month = (int(x) for x in period.split("-"))
    return year, month, dt.date(year, month, 1)


RESIDENCE_BOUNDS = [
    (0.40, "BE"),
    (0.42, "BE>NL"),
    (0.43, "BE>FR"),
    (0.63, "FR"),
    (0.73, "LU"),
    (0.88, "NL"),
    (0.98, "DE"),
    (1.0, "XX"),
]
"""The default mix of kinds of employee as cumulative bounds: residents of Belgium working there
(``BE``, 40 %), Belgian residents employed in the Netherlands or France (``BE>NL`` 2 %, ``BE>FR``
1 %), residents of France (20 %), Luxembourg (10 %), the Netherlands (15 %) and Germany (10 %)
working in Belgium, and residents of another country (``XX``, 2 %)."""


def _residence_bounds(mix: dict[str, float] | None) -> list[tuple[float, str]]:
    """Cumulative bounds of the kinds for :func:`_cut`, from shares per kind (None: the default)."""
    if mix is None:
        return RESIDENCE_BOUNDS
    kinds = [kind for _, kind in RESIDENCE_BOUNDS]
    if set(mix) - set(kinds) or not mix or any(v < 0 for v in mix.values()) or abs(sum(mix.values()) - 1.0) > 1e-9:
        raise ValueError(f"residence_mix: shares >= 0 of {kinds} summing to 1, got {mix!r}")
    bounds, total = [], 0.0
    for kind in kinds:
        if mix.get(kind, 0.0) > 0:
            total += mix[kind]
            bounds.append((total, kind))
    bounds[-1] = (1.0, bounds[-1][1])
    return bounds


def _employer_blocks(n_employees: int, sizes: tuple[int, int], seed: int) -> pl.Series:
    """employer_idx of each employee when employers have ``sizes[0]``..``sizes[1]`` employees each
    (consecutive employees, drawn per employer)."""
    lo, hi = sizes
    if not 1 <= lo <= hi:
        raise ValueError(f"employer_size: 1 <= low <= high, got {sizes!r}")
    n_blocks = n_employees // lo + 1
    frame = _with_draws(pl.DataFrame({"__b": pl.int_range(n_blocks, eager=True, dtype=pl.Int64)}), "__b", [34], seed)
    ends = frame.select(RI(34, lo, hi).cum_sum()).to_series()
    return ends.search_sorted(pl.int_range(n_employees, eager=True, dtype=pl.Int64), side="right").cast(pl.Int64)


def draw_profiles(
    n_employees: int,
    period: str = "2026-10",
    seed: int = 7,
    n_employers: int | None = None,
    *,
    residence_mix: dict[str, float] | None = None,
    fr_frontier_share: float | None = None,
    employer_size: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """Random employee profiles (typed), the mix described in the module docstring.

    The keyword arguments change the mix (their defaults give the mix above):

    - ``n_employers`` employers (default one per 30 employees, of uneven size: a few big ones,
      many small ones);
    - ``employer_size=(low, high)``: instead, consecutive employees in employers of
      ``low``..``high`` employees each;
    - ``residence_mix``: the share of each kind of :data:`RESIDENCE_BOUNDS`, summing to 1
      (``{"BE": 0.37, "FR": 0.30, ...}``);
    - ``fr_frontier_share``: the share of French residents born before 1994 under the
      grandfathered frontier regime, each with the form 276 FG of the period's year (default:
      92 %, of whom 92 % hold this year's form and the others last year's).
    """
    year, _, start = _period(period)
    n_emp = n_employers or max(1, (n_employees + 29) // 30)
    ps = pl.lit(start)
    frame = _with_draws(
        pl.DataFrame({"__i": pl.int_range(n_employees, eager=True, dtype=pl.Int64)}), "__i", range(1, 32), seed
    )

    kind = _cut(U(1), _residence_bounds(residence_mix))
    frame = frame.with_columns(kind.alias("__kind"))
    k = pl.col("__kind")
    contract = _cut(
        U(7),
        [
            (0.85, "open_ended"),
            (0.93, "fixed_term_long"),
            (0.97, "fixed_term_short"),
            (0.99, "specific_work"),
            (1.0, "replacement"),
        ],
    )
    # Age 19-64 (French residents 24-64: the grandfathered ones held a frontier job in 2011).
    age = pl.when(k == "FR").then(RI(8, 24 * 365, 64 * 365)).otherwise(RI(8, 19 * 365, 64 * 365))
    frame = frame.with_columns(
        pl.when(k.str.starts_with("BE"))
        .then(pl.lit("BE"))
        .when(k == "XX")
        .then(_pick(RI(2, 0, len(OTHER_COUNTRIES) - 1), OTHER_COUNTRIES))
        .otherwise(k)
        .alias("residence_country"),
        pl.when(k == "BE>NL")
        .then(pl.lit("NL"))
        .when(k == "BE>FR")
        .then(pl.lit("FR"))
        .otherwise(pl.lit("BE"))
        .alias("work_country"),
        pl.when(U(3) < 0.5).then(pl.lit("blue_collar")).otherwise(pl.lit("white_collar")).alias("worker_status"),
        pl.when(U(4) < 0.2)
        .then(_pick(RI(5, 0, 2), ["50", "60", "80"]).cast(pl.Int64))
        .otherwise(100)
        .alias("fraction_pct"),
        pl.when(U(6) < 0.05).then(6).otherwise(5).alias("weekly_work_days"),
        contract.alias("__contract"),
        age.alias("__age"),
    ).with_columns((ps - pl.duration(days=pl.col("__age"))).alias("birth_date"))

    # Contract dates: open-ended seniority 30 days .. 20 years (after the 18th birthday); terms
    # of >= 3 months (92..364 days) or < 3 months (30..88 days) running through the period.
    c = pl.col("__contract")
    seniority = pl.min_horizontal(pl.lit(7300), pl.col("__age") - 18 * 366)
    open_off = 30 + (U(9) * (seniority - 30).cast(pl.Float64)).cast(pl.Int64)
    term_len = pl.when(c == "fixed_term_short").then(RI(11, 30, 88)).otherwise(RI(10, 92, 364))
    term_off = (U(12) * (term_len - 30).cast(pl.Float64)).cast(pl.Int64)
    off = pl.when(c == "open_ended").then(open_off).when(c == "replacement").then(RI(13, 0, 300)).otherwise(term_off)
    frame = (
        frame.with_columns(off.alias("__off"), term_len.alias("__len"))
        .with_columns((ps - pl.duration(days=pl.col("__off"))).alias("contract_start"))
        .with_columns(
            pl.when(c.is_in(["open_ended", "replacement"]))
            .then(None)
            .otherwise(pl.col("contract_start") + pl.duration(days=pl.col("__len") - 1))
            .alias("contract_end"),
            pl.when(c.str.starts_with("fixed_term")).then(pl.lit("fixed_term")).otherwise(c).alias("contract_type"),
        )
    )

    res = pl.col("residence_country")
    mob = U(16)
    is_fr = res == "FR"
    grand = is_fr & (U(20) < (0.92 if fr_frontier_share is None else fr_frontier_share))
    grand = grand & (pl.col("birth_date").dt.year() <= 1993)
    this_year = 0.92 if fr_frontier_share is None else 1.0  # share of the grandfathered with this year's form
    abroad = pl.col("work_country") != "BE"
    frame = frame.with_columns(
        # full-time monthly gross: blue 2,100-4,500, white 2,800-9,000 (cents)
        pl.when(pl.col("worker_status") == "blue_collar")
        .then(RI(14, 210_000, 450_000))
        .otherwise(RI(15, 280_000, 900_000))
        .alias("fte_cents"),
        pl.when(is_fr)
        .then(pl.when(mob < 0.30).then(0).when(mob < 0.85).then(1).otherwise(2))
        .when(res == "LU")
        .then(pl.when(mob < 0.80).then(1).otherwise(2))
        .when(res.is_in(["NL", "DE"]))
        .then(pl.when(mob < 0.30).then(0).when(mob < 0.80).then(1).otherwise(2))
        .when(abroad)
        .then(0)
        .when(res == "BE")
        .then(pl.when(mob < 0.80).then(0).otherwise(1))
        .otherwise(1)
        .alias("mobility"),
        pl.when(res.is_in(["FR", "LU"]))
        .then(pl.lit("fr"))
        .when(res == "NL")
        .then(pl.lit("nl"))
        .when(res == "DE")
        .then(pl.lit("de"))
        .when(res == "BE")
        .then(pl.when(U(17) < 0.5).then(pl.lit("fr")).otherwise(pl.lit("nl")))
        .otherwise(pl.lit("it"))
        .alias("name_group"),
        # BIS numbers (month + 20 / + 40) for a third of the non-residents
        pl.when((res != "BE") & (U(18) < 0.35))
        .then(pl.when(U(19) < 0.5).then(20).otherwise(40))
        .otherwise(0)
        .alias("bis"),
        # French frontier regime (avenant of 12 December 2008, art. 2)
        pl.when(is_fr).then(grand).alias("fr_grandfathered"),
        pl.when(is_fr & (U(21) < 0.04))
        .then(
            _pick(
                RI(22, 0, 4),
                [
                    "public_dual_nationality",
                    "public_undertaking_dual_nationality",
                    "international_transport",
                    "company_director",
                    "teacher",
                ],
            )
        )
        .when(is_fr)
        .then(pl.lit("none"))
        .alias("fr_excluded_category"),
        # the attested 276 FG: this year for most grandfathered workers, last year for some;
        # a grandfathered worker never lacks a year (that would be a reject, withholding_input_missing);
        # others mostly do
        pl.when(grand & (U(23) < this_year))
        .then(year)
        .when(grand)
        .then(year - 1)
        .when(is_fr & (U(23) < 0.3))
        .then(year - 1 - RI(24, 0, 5))
        .alias("fr_276fg_year"),
        pl.when(is_fr).then(U(25) < 0.05).alias("fr_second_chance_used"),
        pl.when(is_fr).then((pl.col("contract_type") == "fixed_term") & (U(26) < 0.3)).alias("fr_seasonal"),
        # ONEM allowance conditions (AR 9 June 1999, art. 1 §2 and §3): mostly met, except the Belgian
        # taxation, which usually fails since the NL treaty (2003) and the FR avenant (2007)
        pl.when(abroad).then(U(27) < 0.90).alias("be_border_zone_resident"),
        pl.when(abroad).then(U(28) < 0.90).alias("foreign_border_zone_work"),
        pl.when(abroad).then(U(29) < 0.95).alias("foreign_social_insurance"),
        pl.when(abroad).then(U(30) < 0.15).alias("taxed_in_belgium"),
        (pl.lit("E") + (pl.col("__i") + 1).cast(pl.String).str.zfill(7)).alias("employee_id"),
        # employers of uneven size: a few big ones, many small ones
        (U(31) ** 2 * n_emp).cast(pl.Int64).clip(0, n_emp - 1).alias("employer_idx")
        if employer_size is None
        else pl.lit(_employer_blocks(n_employees, employer_size, seed)).alias("employer_idx"),
    )
    return frame.select([pl.col(name).cast(dtype) for name, dtype in PROFILE_SCHEMA.items()])


# --------------------------------------------------------------------------------------------
# Text frames.
# --------------------------------------------------------------------------------------------


def _money(cents: pl.Expr) -> pl.Expr:
    """Integer cents as canonical money text (``1234.05``); negative values keep their sign."""
    a = cents.abs()
    text = (a // 100).cast(pl.String) + "." + (a % 100).cast(pl.String).str.zfill(2)
    return pl.when(cents < 0).then("-" + text).otherwise(text)


def _bool(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr).then(pl.lit("true")).when(expr.is_not_null()).then(pl.lit("false"))


def _date(expr: pl.Expr) -> pl.Expr:
    return expr.dt.to_string("%Y-%m-%d")


def _canonical(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical columns of one input, all String, in contract order."""
    cols = [c.name for c in INPUTS[name].columns]
    return frame.select([(pl.col(c) if c in frame.columns else pl.lit(None)).cast(pl.String).alias(c) for c in cols])


_WORKFORCE_MAX = next(c.max for c in INPUTS["employers"].columns if c.name == "workforce")


def employers_frame(profiles: pl.DataFrame, seed: int = 7, n_employers: int | None = None) -> pl.DataFrame:
    """Employers referenced by the profiles' ``employer_idx`` (text), in ``employer_idx`` order.

    Workforce = the employees of the batch plus 0-25 others, at most the contract's 1,000,000 (the
    batch holds the cross-border workers; the workforce drives the FFE rate and the 1.60 %
    contribution, see docs/contributions.md).
    """
    n_emp = n_employers or (int(profiles.get_column("employer_idx").max() or 0) + 1)
    counts = profiles.group_by("employer_idx").len("__n").rename({"employer_idx": "__idx"})
    words, places, forms = EMPLOYER_WORDS
    frame = (
        pl.DataFrame({"__idx": pl.int_range(n_emp, eager=True, dtype=pl.Int64)})
        .join(counts, on="__idx", how="left")
        .with_columns(pl.col("__n").fill_null(0).cast(pl.Int64))
    )
    frame = _with_draws(frame, "__idx", range(100, 108), seed)
    i = pl.col("__idx")
    commercial = U(104) < 0.85
    form = pl.when(commercial).then(_pick(RI(105, 0, 4), forms[:5])).otherwise(pl.lit("ASBL"))
    frame = frame.with_columns(
        # distinct bases: N = 1,000,000 + 7 i + (0..6)
        onss_number(1_000_000 + i * 7 + RI(100, 0, 6)).alias("employer_id"),
        enterprise_number(4_000_000 + i * 13 + RI(101, 0, 12)).alias("enterprise_number"),
        establishment_unit_number(20_000_000 + i * 17).alias("local_unit_id"),
        (
            _pick(RI(102, 0, len(words) - 1), words) + " " + _pick(RI(103, 0, len(places) - 1), places) + " " + form
        ).alias("name"),
        pl.when(U(106) < 0.10).then(pl.lit("010")).otherwise(pl.lit("000")).alias("employer_category"),
        # at most the contract's bound (an employer of a million employees in the batch)
        pl.min_horizontal(pl.col("__n") + RI(107, 0, 25), _WORKFORCE_MAX).cast(pl.String).alias("workforce"),
        _bool(commercial).alias("commercial"),
    )
    return _drop_draws(frame).sort("__idx")


def identities(profiles: pl.DataFrame, seed: int = 7) -> pl.DataFrame:
    """Add NISS/BIS numbers (unique within the frame) and invented names to profiles."""
    frame = profiles.with_row_index("__i").with_columns(pl.col("__i").cast(pl.Int64))
    frame = _with_draws(frame, "__i", [32], seed)
    # One random serial per (birth date, kind), stepped by 2 for each further person born that
    # day (keeps the sex digit's parity), so numbers stay unique up to ~500 people a day.
    first = RI(32, 1, 997).first().over(["birth_date", "bis"], order_by="__i")
    rank = pl.int_range(pl.len(), dtype=pl.Int64).over(["birth_date", "bis"], order_by="__i")
    frame = frame.with_columns((((first - 1 + 2 * rank) % 997) + 1).alias("__serial"))
    frame = frame.with_columns(niss_number(pl.col("birth_date"), pl.col("__serial"), pl.col("bis")).alias("niss"))
    return _drop_draws(_names(frame, seed))


def employees_frame(people: pl.DataFrame, employer_ids: pl.Series) -> pl.DataFrame:
    """Canonical text frame of employees from profiles with identities."""
    frac = (
        pl.when(pl.col("fraction_pct") == 100)
        .then(pl.lit("1"))
        .otherwise(pl.lit("0.") + (pl.col("fraction_pct") // 10).cast(pl.String))
    )
    out = people.with_columns(
        pl.lit(employer_ids.cast(pl.String)).gather(pl.col("employer_idx")).alias("employer_id"),
        _date(pl.col("birth_date")).alias("birth_date"),
        _date(pl.col("contract_start")).alias("contract_start"),
        _date(pl.col("contract_end")).alias("contract_end"),
        frac.alias("work_fraction"),
        pl.col("weekly_work_days").cast(pl.String),
        pl.col("fr_276fg_year").cast(pl.String),
        *[
            _bool(pl.col(c)).alias(c)
            for c in (
                "fr_grandfathered",
                "fr_second_chance_used",
                "fr_seasonal",
                "be_border_zone_resident",
                "foreign_border_zone_work",
                "foreign_social_insurance",
                "taxed_in_belgium",
            )
        ],
    )
    return _canonical("employees", out).sort("employee_id")


def workdays(first: pl.Expr, last: pl.Expr, week: pl.Expr) -> pl.Expr:
    """Scheduled working days in [first, last] for a ``week``-day week (5: Mon-Fri, 6: Mon-Sat),
    in closed form (full weeks + the remainder's days); 0 when last < first. Public holidays are
    not taken out (the sample's day counts are inputs, not a computation). Pass plain columns:
    the arguments are used several times."""
    n = ((last - first).dt.total_days() + 1).cast(pl.Int64).clip(0)
    wd = first.dt.weekday().cast(pl.Int64)  # 1 = Monday
    rem = n % 7
    extra = pl.sum_horizontal([((rem > k) & ((((wd - 1 + k) % 7) + 1) <= week)).cast(pl.Int64) for k in range(6)])
    return (n // 7) * week.cast(pl.Int64) + extra


def pay_frame(people: pl.DataFrame, period: str = "2026-10", history_months: int = 0, seed: int = 7) -> pl.DataFrame:
    """Pay rows (typed: cents and day counts as Int64) for the period and ``history_months``
    earlier months of the same year, within each contract."""
    year, month, _ = _period(period)
    first = max(1, month - max(history_months, 0))
    months = pl.DataFrame({"__m": list(range(first, month + 1))}, schema={"__m": pl.Int64})
    frame = (
        people.with_row_index("__e")
        .join(months, how="cross")
        .with_columns(pl.date(year, pl.col("__m"), 1).alias("__ms"))
        .with_columns(pl.col("__ms").dt.month_end().alias("__me"))
    )
    frame = frame.filter(
        (pl.col("contract_start") <= pl.col("__me"))
        & (pl.col("contract_end").is_null() | (pl.col("contract_end") >= pl.col("__ms")))
    )
    frame = _with_draws(
        frame.with_columns((pl.col("__e").cast(pl.Int64) * 13 + pl.col("__m")).alias("__k")), "__k", range(50, 62), seed
    )
    ri = RI
    dim = pl.col("__me").dt.day().cast(pl.Int64)
    frame = frame.with_columns(
        pl.max_horizontal("__ms", "contract_start").alias("__from"),
        pl.min_horizontal("__me", pl.col("contract_end").fill_null(pl.col("__me"))).alias("__to"),
    )
    active_from, active_to = pl.col("__from"), pl.col("__to")
    active = ((active_to - active_from).dt.total_days() + 1).cast(pl.Int64)
    month_cents = pl.col("fte_cents") * pl.col("fraction_pct") // 100
    frame = frame.with_columns(
        (month_cents * active // dim).alias("gross_cents"),
        # daily wage = monthly gross / 21.67, rounded half up to the cent (integer arithmetic)
        ((month_cents * 200 + 2167) // (2 * 2167)).alias("daily_cents"),
        # days performed: the scheduled days of the active part of the month x work fraction,
        # less 0-2 days of leave, at most 23
        (
            (workdays(active_from, active_to, pl.col("weekly_work_days")) * pl.col("fraction_pct") // 100)
            - pl.max_horizontal(ri(50, -3, 2), pl.lit(0))
        )
        .clip(0, 23)
        .alias("__t"),
    )
    t = pl.col("__t")
    res = pl.col("residence_country")
    mob = pl.col("mobility")
    abroad = pl.col("work_country") != "BE"
    fr_exit = (
        pl.when(mob == 0)
        .then(0)
        .when(mob == 1)
        .then(pl.max_horizontal(ri(52, -4, 2), pl.lit(0)))
        .otherwise(ri(53, 0, 4))
    )
    residence_days = (
        pl.when(abroad | (res == "BE"))
        .then(0)
        .when(res == "FR")
        .then(pl.min_horizontal(pl.col("__exit"), ri(54, 0, 2)))
        .when(res == "LU")
        .then(pl.when(mob == 1).then(ri(55, 0, 3)).otherwise(ri(56, 2, 6)))
        .when(res.is_in(["NL", "DE"]))
        .then(pl.when(mob == 0).then(0).when(mob == 1).then(ri(57, 0, 4)).otherwise(ri(58, 4, 10)))
        .otherwise(ri(59, 0, 2))
    )
    other_days = (
        pl.when(abroad)
        .then(t)
        .when((res == "BE") & (mob == 1))
        .then(ri(60, 0, 2))
        .when(res.is_in(["NL", "DE"]))
        .then(pl.max_horizontal(ri(61, -6, 1), pl.lit(0)))
        .otherwise(0)
    )
    frame = frame.with_columns(pl.when(res == "FR").then(fr_exit).otherwise(0).clip(0, t).alias("__exit"))
    frame = frame.with_columns(residence_days.clip(0, t).alias("__res"))
    frame = frame.with_columns(other_days.clip(0, t - pl.col("__res")).alias("__oth"))
    frame = frame.with_columns(
        pl.when(abroad).then(0).otherwise(t - pl.col("__res") - pl.col("__oth")).alias("__be"),
    )
    return frame.select(
        "employee_id",
        pl.format("{}-{}", pl.lit(year), pl.col("__m").cast(pl.String).str.zfill(2)).alias("period"),
        "gross_cents",
        "daily_cents",
        pl.col("__be").alias("days_worked_be"),
        pl.col("__res").alias("days_worked_residence"),
        pl.col("__oth").alias("days_worked_other"),
        pl.col("__exit").alias("zone_exit_days"),
        pl.col("weekly_work_days"),
    )


def absences_frame(
    people: pl.DataFrame,
    period: str = "2026-10",
    seed: int = 7,
    *,
    sickness_share: float = 0.05,
    episode_days: tuple[int, int] = (3, 45),
    episode_lead_days: int = 20,
    relapse_share: float = 0.15,
) -> pl.DataFrame:
    """Typed absence episodes: ~5 % of employees ill in the period, a few relapses.

    ``sickness_share`` of the employees (with at least 120 days of seniority) have an episode of
    ``episode_days`` days starting at most ``episode_lead_days`` days before the period and
    touching it; ``relapse_share`` of those episodes follow an earlier illness of 2-12 days that
    ended 3-40 days before.
    """
    _, _, start = _period(period)
    ps = pl.lit(start)
    dim = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - start
    frame = people.with_row_index("__e").with_columns(pl.col("__e").cast(pl.Int64))
    frame = _with_draws(frame, "__e", range(70, 80), seed)
    u, ri = U, RI
    frame = frame.filter(
        (u(70) < sickness_share)
        & (pl.col("contract_start") <= ps - pl.duration(days=max(120, episode_lead_days + 100)))
        & (pl.col("contract_end").is_null() | (pl.col("contract_end") >= ps))
    )
    s_off = ri(71, -episode_lead_days, dim.days - 1)
    length = ri(72, *episode_days)
    length = pl.when(s_off + length - 1 < 0).then(-s_off + 1 + ri(73, 0, 9)).otherwise(length)
    frame = frame.with_columns(
        (ps + pl.duration(days=s_off)).alias("start_date"),
        length.alias("__len"),
        pl.when(u(74) < 0.08).then(pl.lit("private_accident")).otherwise(pl.lit("illness")).alias("cause"),
        (u(75) < relapse_share).alias("__relapse"),
    )
    frame = frame.with_columns(
        pl.min_horizontal(
            pl.col("start_date") + pl.duration(days=pl.col("__len") - 1),
            pl.col("contract_end").fill_null(dt.date(9999, 12, 31)),
        ).alias("end_date"),
        (pl.col("__relapse") & (u(76) < 0.3)).alias("other_cause"),
        (pl.col("__relapse") & (u(77) < 0.05)).alias("partial_resumption"),
    )
    pre = (
        frame.filter(pl.col("__relapse"))
        .with_columns(
            (pl.col("start_date") - pl.duration(days=ri(78, 3, 40))).alias("end_date"),
        )
        .with_columns(
            (pl.col("end_date") - pl.duration(days=ri(79, 2, 11))).alias("start_date"),
            pl.lit("illness").alias("cause"),
            pl.lit(False).alias("other_cause"),
            pl.lit(False).alias("partial_resumption"),
        )
    )
    cols = ["employee_id", "start_date", "end_date", "cause", "other_cause", "partial_resumption"]
    return pl.concat([frame.select(cols), pre.select(cols)]).sort("employee_id", "start_date")


def apply_absences(pay: pl.DataFrame, absences: pl.DataFrame) -> pl.DataFrame:
    """Take the scheduled working days of incapacity out of the pay rows: the contract's gross
    excludes pay for incapacity days (gross x days kept / scheduled days of the month, floored
    to the cent), and the days were not worked."""
    if absences.height == 0:
        return pay
    sched = pay.select("employee_id", "weekly_work_days").unique("employee_id")
    days = (
        absences.select("employee_id", pl.date_ranges("start_date", "end_date").alias("__d"))
        .explode("__d")
        .join(sched, on="employee_id")
        .filter(pl.col("__d").dt.weekday() <= pl.col("weekly_work_days"))
        .group_by("employee_id", pl.col("__d").dt.to_string("%Y-%m").alias("period"))
        .agg(pl.len().cast(pl.Int64).alias("__absent"))
    )
    out = pay.join(days, on=["employee_id", "period"], how="left").with_columns(pl.col("__absent").fill_null(0))
    ms = (pl.col("period") + "-01").str.to_date("%Y-%m-%d")
    out = out.with_columns(ms.alias("__ms")).with_columns(pl.col("__ms").dt.month_end().alias("__me"))
    sched = workdays(pl.col("__ms"), pl.col("__me"), pl.col("weekly_work_days"))
    kept = (sched - pl.col("__absent")).clip(0)
    total = pl.col("days_worked_be") + pl.col("days_worked_residence") + pl.col("days_worked_other")
    out = out.with_columns(sched.alias("__sched"), kept.alias("__kept"), total.alias("__total"))
    # days lost in proportion to the schedule, taken from Belgium first, then residence, other
    lost = pl.col("__total") - pl.col("__total") * pl.col("__kept") // pl.col("__sched")
    out = out.with_columns(pl.when(pl.col("__absent") > 0).then(lost).otherwise(0).alias("__lost"))
    spill = (pl.col("__lost") - pl.col("days_worked_be")).clip(0)
    out = out.with_columns(
        pl.when(pl.col("__absent") > 0)
        .then(pl.col("gross_cents") * pl.col("__kept") // pl.col("__sched"))
        .otherwise(pl.col("gross_cents"))
        .alias("gross_cents"),
        (pl.col("days_worked_be") - pl.col("__lost")).clip(0).alias("days_worked_be"),
        (pl.col("days_worked_residence") - spill).clip(0).alias("days_worked_residence"),
        (pl.col("days_worked_other") - (spill - pl.col("days_worked_residence")).clip(0))
        .clip(0)
        .alias("days_worked_other"),
    )
    return out.with_columns(
        pl.min_horizontal(
            "zone_exit_days", pl.col("days_worked_be") + pl.col("days_worked_residence") + pl.col("days_worked_other")
        ).alias("zone_exit_days")
    ).drop("__absent", "__sched", "__kept", "__total", "__lost", "__ms", "__me")


def pay_text(pay: pl.DataFrame) -> pl.DataFrame:
    out = pay.with_columns(
        _money(pl.col("gross_cents")).alias("gross_salary"),
        _money(pl.col("daily_cents")).alias("daily_wage"),
        *[
            pl.col(c).cast(pl.String)
            for c in ("days_worked_be", "days_worked_residence", "days_worked_other", "zone_exit_days")
        ],
    )
    return _canonical("pay", out).sort("employee_id", "period")


def absences_text(absences: pl.DataFrame) -> pl.DataFrame:
    out = absences.with_columns(
        _date(pl.col("start_date")).alias("start_date"),
        _date(pl.col("end_date")).alias("end_date"),
        _bool(pl.col("other_cause")).alias("other_cause"),
        _bool(pl.col("partial_resumption")).alias("partial_resumption"),
    )
    return _canonical("absences", out).sort("employee_id", "start_date")


def employers_text(employers: pl.DataFrame) -> pl.DataFrame:
    return _canonical("employers", employers).sort("employer_id")


# --------------------------------------------------------------------------------------------
# Defects (bad_fraction).
# --------------------------------------------------------------------------------------------


def _bad(frame: pl.DataFrame, stream: int, seed: int, fraction: float) -> pl.DataFrame:
    i = pl.int_range(pl.len(), dtype=pl.Int64)
    return frame.with_columns(
        (_rand(i, stream, seed) < fraction).alias("__bad"),
        (_mix(i, stream + 1, seed) % 1_000_003).cast(pl.Int64).alias("__kind"),
    )


def inject_defects(frames: dict[str, pl.DataFrame], fraction: float, seed: int = 7) -> dict[str, pl.DataFrame]:
    """Give ``fraction`` of the rows of each input one defect that validation must reject."""
    out = dict(frames)
    bad, kind = pl.col("__bad"), pl.col("__kind")

    e = _bad(frames["employees"], 200, seed, fraction)
    niss = pl.col("niss")
    c1, c2 = _century_checks(niss)
    wrong_cc = pl.when(((c1 % 97) + 1) != c2).then((c1 % 97) + 1).otherwise((c1 % 97) + 2)
    start = pl.col("contract_start").str.to_date("%Y-%m-%d")
    unknown_employer = onss_number(pl.lit(1_999_990, pl.Int64))  # a well-formed number no employer has
    if frames["employers"].select((pl.col("employer_id") == pl.select(unknown_employer).item()).any()).item():
        unknown_employer = onss_number(pl.lit(9_999_999, pl.Int64))  # beyond every generated base (1.28 M employers)
    k = kind % 7
    e = e.with_columns(
        pl.when(bad & (k == 0))
        .then(niss.str.slice(0, 9) + wrong_cc.cast(pl.String).str.zfill(2))
        .otherwise(niss)
        .alias("niss"),
        pl.when(bad & (k == 1))
        .then(_date(start - pl.duration(days=30)))
        .otherwise(pl.col("contract_end"))
        .alias("contract_end"),
        pl.when(bad & (k == 2)).then(pl.lit("1.5")).otherwise(pl.col("work_fraction")).alias("work_fraction"),
        pl.when(bad & (k == 3)).then(pl.lit("manager")).otherwise(pl.col("worker_status")).alias("worker_status"),
        pl.when(bad & (k == 4))
        .then(_date(pl.col("birth_date").str.to_date("%Y-%m-%d") + pl.duration(days=1)))
        .otherwise(pl.col("birth_date"))
        .alias("birth_date"),
        pl.when(bad & (k == 5)).then(unknown_employer).otherwise(pl.col("employer_id")).alias("employer_id"),
        pl.when(bad & (k == 6)).then(None).otherwise(pl.col("last_name")).alias("last_name"),
    )
    out["employees"] = e.drop("__bad", "__kind")

    p = _bad(frames["pay"], 210, seed, fraction)
    k = kind % 5
    gross = pl.col("gross_salary")
    p = p.with_columns(
        pl.when(bad & (k == 0))
        .then(gross + "5")
        .when(bad & (k == 1))
        .then(pl.when(gross == "0.00").then(pl.lit("-1.00")).otherwise("-" + gross))
        .when(bad & (k == 2))
        .then(pl.lit("2500000.00"))
        .otherwise(gross)
        .alias("gross_salary"),
        pl.when(bad & (k == 3))
        .then(pl.col("employee_id") + "-X")
        .otherwise(pl.col("employee_id"))
        .alias("employee_id"),
    )
    dup = p.filter(bad & (k == 4))
    out["pay"] = pl.concat([p, dup]).drop("__bad", "__kind").sort("employee_id", "period", maintain_order=True)

    if frames.get("absences") is not None and frames["absences"].height:
        a = _bad(frames["absences"], 220, seed, fraction)
        k = kind % 3
        s = pl.col("start_date").str.to_date("%Y-%m-%d")
        a = a.with_columns(
            pl.when(bad & (k == 0))
            .then(_date(s - pl.duration(days=1)))
            .otherwise(pl.col("end_date"))
            .alias("end_date"),
            pl.when(bad & (k == 1)).then(pl.lit("occupational_accident")).otherwise(pl.col("cause")).alias("cause"),
        )
        overlap = a.filter(bad & (k == 2)).with_columns(
            _date(s + pl.duration(days=1)).alias("start_date"),
        )
        out["absences"] = (
            pl.concat([a, overlap]).drop("__bad", "__kind").sort("employee_id", "start_date", maintain_order=True)
        )
    return out


# --------------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------------


def build_frames(
    profiles: pl.DataFrame,
    period: str,
    history_months: int,
    seed: int,
    employers: pl.DataFrame | None = None,
    absences: pl.DataFrame | None = None,
    sickness: dict | None = None,
) -> dict[str, pl.DataFrame]:
    """Text frames from (typed) profiles: the shared path of :func:`generate` and the curated
    sample data. ``employers`` (text, ordered by ``employer_idx``) and ``absences`` (typed) may
    be given; otherwise they are generated (``sickness``: keyword arguments of
    :func:`absences_frame`)."""
    if employers is None:
        employers = employers_frame(profiles, seed)
    people = identities(profiles, seed)
    emp = employees_frame(people, employers.get_column("employer_id"))
    if absences is None:
        absences = absences_frame(profiles, period, seed, **(sickness or {}))
    pay = apply_absences(pay_frame(profiles, period, history_months, seed), absences)
    return {
        "employers": employers_text(employers),
        "employees": emp,
        "pay": pay_text(pay),
        "absences": absences_text(absences),
    }


def generate(
    n_employees: int,
    period: str = "2026-10",
    history_months: int = 0,
    seed: int = 7,
    bad_fraction: float = 0.0,
    *,
    n_employers: int | None = None,
    employer_size: tuple[int, int] | None = None,
    residence_mix: dict[str, float] | None = None,
    fr_frontier_share: float | None = None,
    sickness_share: float = 0.05,
    episode_days: tuple[int, int] = (3, 45),
    episode_lead_days: int = 20,
    relapse_share: float = 0.15,
) -> dict[str, pl.DataFrame]:
    """A synthetic batch: canonical text frames ``employers``, ``employees``, ``pay``, ``absences``.

    ``history_months`` earlier months of the same year get pay rows too (capped at January).
    The keyword arguments change the mix: employers (``n_employers``, ``employer_size``),
    residence and French frontier regime (``residence_mix``, ``fr_frontier_share``), see
    :func:`draw_profiles`; sickness (``sickness_share``, ``episode_days``, ``episode_lead_days``,
    ``relapse_share``), see :func:`absences_frame`. Their defaults give the mix of the module
    docstring, the same bytes as before they existed. Deterministic for given arguments.
    """
    profiles = draw_profiles(
        n_employees,
        period,
        seed,
        n_employers,
        residence_mix=residence_mix,
        fr_frontier_share=fr_frontier_share,
        employer_size=employer_size,
    )
    sickness = {
        "sickness_share": sickness_share,
        "episode_days": episode_days,
        "episode_lead_days": episode_lead_days,
        "relapse_share": relapse_share,
    }
    frames = build_frames(profiles, period, history_months, seed, sickness=sickness)
    if bad_fraction > 0:
        frames = inject_defects(frames, bad_fraction, seed)
    return frames


def write_batch(frames: dict[str, pl.DataFrame], folder: str | Path, fmt: str = "csv") -> list[Path]:
    """Write each frame as ``<folder>/<input>.csv`` (UTF-8, ``,``) or ``.parquet``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        if fmt == "csv":
            path = folder / f"{name}.csv"
            frame.write_csv(path)
        elif fmt == "parquet":
            path = folder / f"{name}.parquet"
            frame.write_parquet(path)
        else:
            raise ValueError(f"unknown format {fmt!r} (csv or parquet)")
        paths.append(path)
    return paths
