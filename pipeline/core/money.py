"""Exact money arithmetic on polars Decimal columns.

The contract (data-contract.md, "Money") asks for exact arithmetic and a single rounding,
half away from zero, to the cent, at named points. Polars Decimal has three traps (seen
with polars 2.1, pinned by tests/unit/test_money.py): a product keeps only the larger input
scale, implicit rescaling rounds half-to-even, and precision widens to 38. Hence the one rule
of this module: **widen, compute, round once, cast**.

Where it is exact, the same arithmetic is done in integers, several times cheaper: amounts as
whole cents (:func:`cents_of`, :func:`rounded_product_cents`, :func:`from_cents`) and, for the
rules that divide and multiply hours and rates, any decimal as whole numbers of 10^-places
(:func:`units`, :func:`rescaled`, :func:`quotient`, :func:`from_units`), rounded once half away
from zero with integer division.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pyarrow as pa

MONEY = pl.Decimal(18, 2)
"""Contract dtype of every amount in euros (cents)."""

WIDE = pl.Decimal(38, 12)
"""Working dtype: wide enough that products of money (scale 2) and rates (scale <= 10) are exact."""

RATIO = pl.Decimal(18, 6)
"""Dtype of fractions such as work_fraction."""

SHARE = pl.Decimal(18, 4)
"""Dtype of taxable_share_be (4 decimals, data-contract computation 4)."""

MONEY_PATTERN = r"^-?\d{1,13}(\.\d{1,2})?$"
"""Canonical money text after dialect normalisation: at most two decimals."""

CENT = Decimal("0.01")


def wide(expr: pl.Expr) -> pl.Expr:
    """Cast an expression to the wide working dtype (exact for our magnitudes)."""
    return expr.cast(WIDE)


def to_cents(expr: pl.Expr) -> pl.Expr:
    """Round a (wide) expression once, half away from zero, to the cent, as ``MONEY``."""
    return expr.cast(WIDE).round(2, mode="half_away_from_zero").cast(MONEY)


def round_to(expr: pl.Expr, decimals: int, dtype: pl.DataType) -> pl.Expr:
    """Round once half away from zero to ``decimals`` places and cast to ``dtype``."""
    return expr.cast(WIDE).round(decimals, mode="half_away_from_zero").cast(dtype)


def times(amount: pl.Expr, rate: pl.Expr | Decimal) -> pl.Expr:
    """Exact product of an amount and a rate in the wide dtype (not yet rounded)."""
    other = rate if isinstance(rate, pl.Expr) else pl.lit(rate, dtype=WIDE)
    return amount.cast(WIDE) * other.cast(WIDE)


def cents(value: Decimal) -> Decimal:
    """Python-side twin of :func:`to_cents` (for tests and scalar code)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(text: pl.Expr) -> pl.Expr:
    """Turn canonical money text (``MONEY_PATTERN``) into ``MONEY`` without any rounding.

    Text with more than two decimals never reaches this function: validation rejects it first.
    """
    return text.str.strip_chars().cast(pl.Decimal(38, 2), strict=False).cast(MONEY)


RATE_PLACES = 8
"""Decimal places of a rate in integer arithmetic (:func:`rate_units`): a rate is a whole number of 10^-8."""
_INT64_MAX = 2**63 - 1


def cents_of(amounts: pl.Series) -> pl.Series:
    """``MONEY`` amounts as their whole numbers of cents (Int64, nulls kept): exact, a ``MONEY``
    value has at most 18 digits."""
    return (amounts.cast(MONEY) * 100).cast(pl.Int64)


def cents_column(column: str) -> pl.Expr:
    """The ``MONEY`` column ``column`` as whole numbers of cents (Int64, nulls kept): the integer
    under the two-decimal Decimal, exact; integer sums are several times cheaper than Decimal ones."""
    return pl.col(column).cast(MONEY).to_physical().cast(pl.Int64)


class _CArray:
    """An Arrow array offered to polars through the Arrow C data interface only (polars then imports it
    without loading ``pyarrow.compute``, about 0.3 s)."""

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    def __arrow_c_array__(self, requested_schema=None):  # the Arrow PyCapsule protocol
        return self.array.__arrow_c_array__(requested_schema)


def from_cents(cents_: pl.Series) -> pl.Series:
    """Whole numbers of cents (Int64) as ``MONEY`` amounts, without arithmetic (the same integers
    viewed as Arrow ``decimal64(18, 2)``, nulls kept)."""
    array = cents_.cast(pl.Int64).rechunk().to_arrow()
    return pl.Series(_CArray(array.view(pa.decimal64(18, 2)))).cast(MONEY).alias(cents_.name)


def rate_units(rate: Decimal | None) -> int | None:
    """A rate as a whole number of 10^-:data:`RATE_PLACES` (None when it has more places, or is None)."""
    if rate is None:
        return None
    units = Decimal(rate).scaleb(RATE_PLACES)
    return int(units) if units == units.to_integral_value() else None


def rounded_product_cents(cents_: pl.Expr, units: pl.Expr) -> pl.Expr:
    """``cents × units × 10^-RATE_PLACES`` rounded once, half away from zero, to the cent, in integer
    arithmetic (Int64): the amount in cents of a ``MONEY`` amount times a rate (:func:`rate_units`).
    Exact where ``|cents × units| < 2^63`` (:func:`product_fits`)."""
    return rescaled(cents_ * units, RATE_PLACES, 0)


WHOLE = pl.Int128
"""Whole numbers of 10^-places (:func:`units`): exact sums, products and comparisons of decimals in
integer arithmetic, several times cheaper than polars' Decimal (Int128: room for the products of the
largest validated amounts, hours and rates)."""


def decimal_places(value: Decimal | None) -> int:
    """Decimal places of ``value`` without trailing zeros (0 for None and whole numbers)."""
    if value is None:
        return 0
    return max(0, -Decimal(value).normalize().as_tuple().exponent)


def units(expr: pl.Expr, places: int) -> pl.Expr:
    """A Decimal or integer column as whole numbers of 10^-``places`` (:data:`WHOLE`, nulls kept): exact
    where its values have at most ``places`` decimals (a Decimal column of that scale or less)."""
    return expr.cast(pl.Decimal(38, places)).to_physical().cast(WHOLE)


def check_places(schema: Mapping[str, pl.DataType], places: Mapping[str, int]) -> None:
    """Raise ValueError for a column of ``schema`` that :func:`units` could not take exactly in whole
    10^-``places[name]``: a Decimal with more decimals, or a type that is neither Decimal nor integer."""
    for name, wanted in places.items():
        dtype = schema.get(name)
        if dtype is None or dtype == pl.Null or dtype.is_integer():
            continue
        if not isinstance(dtype, pl.Decimal) or dtype.scale > wanted:
            raise ValueError(f"column {name} ({dtype}) has more than {wanted} decimal places")


def units_lit(value: Decimal | int, places: int) -> pl.Expr:
    """The number ``value`` in whole 10^-``places`` (it must have at most ``places`` decimals)."""
    whole = Decimal(value).scaleb(places)
    if whole != whole.to_integral_value():
        raise ValueError(f"{value} has more than {places} decimal places")
    return pl.lit(int(whole), WHOLE)


def rescaled(expr: pl.Expr, places: int, to: int) -> pl.Expr:
    """Whole 10^-``places`` as whole 10^-``to``: exact when ``to >= places``, else rounded once, half
    away from zero."""
    if to >= places:
        return expr * 10 ** (to - places) if to > places else expr
    step = 10 ** (places - to)
    return (expr.abs() + step // 2) // step * expr.sign()


def quotient(
    numerator: pl.Expr, numerator_places: int, denominator: pl.Expr, denominator_places: int, to: int
) -> pl.Expr:
    """numerator / denominator (whole units of their places) rounded once, half away from zero, to
    whole 10^-``to``; null where the denominator is 0."""
    shift = to + denominator_places - numerator_places
    if shift < 0:
        raise ValueError("quotient: the result has fewer places than the numerator needs")
    n = numerator * 10**shift
    d = pl.when(denominator != 0).then(denominator)
    return (2 * n.abs() + d.abs()) // (2 * d.abs()) * n.sign() * d.sign()


def from_units(expr: pl.Expr, places: int, dtype: pl.DataType) -> pl.Expr:
    """Whole 10^-``places`` (:func:`units`) as a Decimal column of ``dtype`` (exact: ``dtype`` has at
    least ``places`` decimals)."""
    step = pl.lit(Decimal(1).scaleb(-places), pl.Decimal(38, places))
    return (expr.cast(pl.Decimal(38, 0)) * step).cast(dtype)


def product_fits(cents_: pl.Series, units: list[int | None]) -> bool:
    """True when every product of :func:`rounded_product_cents` of these cents and rates fits an Int64."""
    largest = max((abs(u) for u in units if u is not None), default=0)
    top = cents_.abs().max()
    return top is None or largest == 0 or int(top) * largest + 10**RATE_PLACES < _INT64_MAX
