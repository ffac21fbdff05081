"""Money is exact: widen, compute, round once half away from zero (data-contract "Money")."""

from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.money import (
    MONEY,
    cents,
    cents_of,
    check_places,
    from_cents,
    from_units,
    parse_money,
    product_fits,
    quotient,
    rate_units,
    rescaled,
    rounded_product_cents,
    times,
    to_cents,
    units,
    units_lit,
)

amounts = st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("2"), places=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(amounts, rates, rates), min_size=1, max_size=40))
def test_product_rounding_matches_python_decimal(rows):
    """amount x rate1 x rate2 rounded once, half-up, equals Python's decimal ROUND_HALF_UP."""
    frame = pl.DataFrame({"a": [str(a) for a, _, _ in rows]}).with_columns(parse_money(pl.col("a")).alias("a"))
    r1 = [r for _, r, _ in rows]
    r2 = [r for _, _, r in rows]
    got = (
        frame.with_columns(pl.Series("r1", r1, dtype=pl.Decimal(38, 12)), pl.Series("r2", r2, dtype=pl.Decimal(38, 12)))
        .select(to_cents(times(times(pl.col("a"), pl.col("r1")), pl.col("r2"))).alias("x"))["x"]
        .to_list()
    )
    want = [(a * b * c).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for a, b, c in rows]
    assert got == want


big_amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)
rates8 = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), big_amounts), rates8), min_size=1, max_size=40))
def test_integer_cent_products_match_python_decimal(rows):
    """The integer-cent path (cents_of, rounded_product_cents, from_cents) gives what Python's decimal
    gives for amount x rate rounded once half away from zero, nulls kept."""
    amounts = pl.Series([a for a, _ in rows], dtype=MONEY)
    units = [rate_units(r) for _, r in rows]
    assert product_fits(cents_of(amounts), units)
    got = from_cents(
        pl.DataFrame({"c": cents_of(amounts), "u": pl.Series(units, dtype=pl.Int64)})
        .select(rounded_product_cents(pl.col("c"), pl.col("u")))
        .to_series()
    )
    assert got.dtype == MONEY
    want = [None if a is None else (a * r).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for a, r in rows]
    assert got.to_list() == want


def test_integer_cent_helpers_refuse_what_they_cannot_do_exactly():
    assert rate_units(Decimal("0.1307")) == 13_070_000
    assert rate_units(Decimal("0.123456789")) is None  # 9 places: the Decimal path is taken
    # 92,233,720,368.55 EUR x 100 %: the product of cents and 10^8 units passes 2^63 - 1.
    assert not product_fits(pl.Series([9_223_372_036_855]), [100_000_000])
    assert product_fits(pl.Series([92_233_720_367]), [100_000_000])  # 922,337,203.67 EUR: fits with the half added
    # -1.225 and 1.225 (cents x units = +-122.5 cents): ties go away from zero.
    ties = pl.select(rounded_product_cents(pl.lit(pl.Series([245, -245])), pl.lit(50_000_000))).to_series()
    assert ties.to_list() == [123, -123]


def _half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


hours = st.decimals(min_value=Decimal("-9999.999999"), max_value=Decimal("9999.999999"), places=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(big_amounts, hours, st.integers(0, 6)), min_size=1, max_size=40))
def test_whole_unit_arithmetic_matches_python_decimal(rows):
    """units, rescaled, quotient and from_units (the work bonus's and the CSSS's integer arithmetic) give
    what Python's decimal gives: a / h rounded once half away from zero to the cent, a × h exact, a
    rescaled to ``p`` places rounded once; a zero divisor gives null."""
    frame = pl.DataFrame(
        {
            "a": pl.Series([a for a, _, _ in rows], dtype=MONEY),
            "h": pl.Series([h for _, h, _ in rows], dtype=pl.Decimal(18, 6)),
        }
    )
    a, h = units(pl.col("a"), 2), units(pl.col("h"), 6)
    got = frame.select(
        from_units(quotient(a, 2, h, 6, 2), 2, MONEY).alias("q"),
        from_units(a * h, 8, pl.Decimal(38, 12)).alias("p"),
        *(from_units(rescaled(a, 2, p), p, pl.Decimal(38, 6)).alias(f"r{p}") for p in range(7)),
    )
    for row, (amount, hour, _) in zip(got.iter_rows(named=True), rows):
        assert row["q"] == (None if hour == 0 else _half_up(amount / hour, 2)), (amount, hour)
        assert row["p"] == amount * hour
        for p in range(7):
            assert row[f"r{p}"] == _half_up(amount, p)


def test_whole_units_refuse_a_constant_they_cannot_hold():
    assert pl.select(units_lit(Decimal("-0.2443"), 4)).item() == -2443
    assert pl.select(units_lit(Decimal("2833.36"), 6)).item() == 2_833_360_000
    try:
        units_lit(Decimal("0.2443"), 3)
    except ValueError as error:
        assert "more than 3 decimal places" in str(error)
    else:
        raise AssertionError("units_lit rounded a constant")
    # ties away from zero both ways: 1.225 -> 1.23, -1.225 -> -1.23; 0.005 / 1 -> 0.01
    ties = pl.select(rescaled(pl.lit(pl.Series([1225, -1225], dtype=pl.Int128)), 3, 2)).to_series()
    assert ties.to_list() == [123, -123]


def test_the_traps_are_avoided():
    # trap 1: 0.99 x 0.0050 = 0.004950 exactly -> 0.00 (polars' narrow product gives 0.01).
    frame = pl.DataFrame({"a": [Decimal("0.99")]}, schema={"a": MONEY})
    assert frame.select(to_cents(times(pl.col("a"), Decimal("0.0050"))))[0, 0] == Decimal("0.00")
    # trap 2: ties round half away from zero, not half-to-even: 1.225 -> 1.23, -1.225 -> -1.23.
    ties = pl.DataFrame({"a": [Decimal("1.225"), Decimal("-1.225"), Decimal("0.005")]}, schema={"a": pl.Decimal(18, 3)})
    assert ties.select(to_cents(pl.col("a")))["a"].to_list() == [Decimal("1.23"), Decimal("-1.23"), Decimal("0.01")]


def test_blue_collar_worker_contribution_example():
    # Blue collar: ONSS base 108 % of gross, worker contribution 13.07 % (ONSS rates file, worker code
    # 015), one rounding half-up per line: 1,000 x 1.08 x 13.07 % = 141.156 -> 141.16 (the figure the
    # Odoo l10n_be_hr_payroll ONSS test expects).
    frame = pl.DataFrame({"a": [Decimal("1000.00")]}, schema={"a": MONEY})
    assert frame.select(to_cents(times(times(pl.col("a"), Decimal("1.08")), Decimal("0.1307"))))[0, 0] == Decimal(
        "141.16"
    )
    assert cents(Decimal("141.155")) == Decimal("141.16")


def test_parse_money_never_rounds_valid_text():
    frame = pl.DataFrame({"a": ["16809.76", "0.01", "-3.10", "12"]})
    assert frame.select(parse_money(pl.col("a")))["a"].to_list() == [
        Decimal("16809.76"),
        Decimal("0.01"),
        Decimal("-3.10"),
        Decimal("12.00"),
    ]


def test_whole_units_refuse_a_column_with_more_places():
    schema = {"a": MONEY, "h": pl.Decimal(18, 6), "n": pl.Int32, "z": pl.Null}
    check_places(schema, {"a": 2, "h": 6, "n": 0, "z": 2, "absent": 2})
    for bad, places in (({"a": pl.Decimal(38, 12)}, 2), ({"a": pl.Float64}, 2), ({"a": pl.String}, 2)):
        try:
            check_places(bad, {"a": places})
        except ValueError as error:
            assert "column a" in str(error)
        else:
            raise AssertionError(f"{bad} taken in whole 10^-{places}")
