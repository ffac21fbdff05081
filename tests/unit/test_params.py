"""The dated-parameter loader refuses gaps, overlaps, missing references and out-of-range values."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.params import Bracket, Parameters, Scale, default_parameters
from pipeline.errors import MissingParameterError, ParameterFileError

GOOD = """\
description: test rate
unit: percent
valid_range: {min: 0, max: 100}
values:
  2015-01-01:
    value: 24.92
    status: verified
    reference: {title: t, href: https://example.invalid/a}
  2018-01-01:
    value: 19.88
    status: verified
    reference: {title: t, href: https://example.invalid/b}
"""


def bundle(tmp_path: Path, text: str, name: str = "x/rate") -> Parameters:
    path = tmp_path / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return Parameters.load(tmp_path)


def test_value_on_both_sides_of_a_change(tmp_path):
    p = bundle(tmp_path, GOOD)
    assert p.value("x/rate", dt.date(2017, 12, 31)) == Decimal("0.2492")
    assert p.value("x/rate", dt.date(2018, 1, 1)) == Decimal("0.1988")
    assert p.entry("x/rate", dt.date(2017, 12, 31)).effective_to == dt.date(2017, 12, 31)
    with pytest.raises(MissingParameterError):
        p.value("x/rate", dt.date(2014, 12, 31))


def test_lookup_is_vectorised_and_keeps_row_order(tmp_path):
    p = bundle(tmp_path, GOOD)
    frame = pl.DataFrame({"d": [dt.date(2020, 1, 1), dt.date(2016, 1, 1), dt.date(2018, 1, 1)]})
    out = p.lookup(frame, "x/rate", on="d", alias="r")
    assert out["r"].to_list() == [Decimal("0.1988"), Decimal("0.2492"), Decimal("0.1988")]
    assert out.columns == ["d", "r"]
    with pytest.raises(MissingParameterError):
        p.lookup(pl.DataFrame({"d": [dt.date(2010, 1, 1)]}), "x/rate", on="d", alias="r")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("2018-01-01", "2015-01-01"), "duplicate key"),  # overlap: two values on one date
        (
            GOOD.replace("2015-01-01", "2024-06-01").replace("2018-01-01", "2025-01-01"),
            "gap",
        ),  # history starts too late
        (GOOD.replace("    reference: {title: t, href: https://example.invalid/b}\n", ""), "reference"),
        (
            GOOD.replace(
                "status: verified\n    reference: {title: t, href: https://example.invalid/b}",
                "status: maybe\n    reference: {title: t, href: https://example.invalid/b}",
            ),
            "status",
        ),
        (GOOD.replace("19.88", "119.88"), "valid_range"),
        (GOOD.replace("unit: percent", "unit: furlongs"), "unit"),
        (GOOD.replace("value: 19.88", "value: null"), "not nullable"),
        (GOOD.replace("2015-01-01", "2019-01-01"), "date order"),
    ],
)
def test_loader_refuses_bad_files(tmp_path, text, message):
    with pytest.raises(ParameterFileError, match=message):
        bundle(tmp_path, text)


def test_numbers_are_read_exactly(tmp_path):
    p = bundle(tmp_path, GOOD.replace("19.88", "0.1000000000001"))
    assert p.value("x/rate", dt.date(2019, 1, 1)) == Decimal("0.1000000000001") / 100


def test_packaged_bundle_loads_and_covers_2024():
    params = default_parameters()
    assert params.names()
    for name in params.names():
        first = params.get(name).values[0]
        assert first.effective_from <= dt.date(2024, 1, 1), name
        for value in params.get(name).values:
            assert value.status in {"verified", "secondary", "unverified"}
            assert value.title and value.href.startswith("http")


def test_onss_core_rates_2017_and_2018():
    # 22.65 % (socialsecurity.be DmfAPPL 2018-4 "Les cotisations") + 7.35 % (Groups.be) until 2017Q4;
    # 19.88 % + 5.12 % from 2018Q1 (ONSS rates file, worker codes 015/495).
    p = default_parameters()
    assert p.value("onss/employer_basic_rate", dt.date(2017, 12, 1)) == Decimal("0.2265")
    assert p.value("onss/employer_basic_rate", dt.date(2018, 1, 1)) == Decimal("0.1988")
    assert p.value("onss/wage_moderation_rate", dt.date(2017, 12, 1)) == Decimal("0.0735")
    assert p.value("onss/wage_moderation_rate", dt.date(2018, 1, 1)) == Decimal("0.0512")
    assert p.value("onss/worker_rate", dt.date(2026, 10, 1)) == Decimal("0.1307")


# ------------------------------------------------------------------------------------------------
# The ``scale`` unit (brackets of one legal table)
# ------------------------------------------------------------------------------------------------
SCALE = """\
description: test scale
unit: scale
scale: {variable: Q, formula_variable: m, threshold: eur, amount: eur, rate: percent, base: eur, min: eur, max: eur}
nullable: true
values:
  2020-01-01:
    value:
      - {from: 0}
      - {from: 3285.29, amount: 5.15}
      - {from: 5836.14, rate: 5.90, base: 1945.38, min: 5.15}
      - {above: 6570.54, amount: 14.44, rate: 1.10, base: 2190.18, max: 51.64}
    status: secondary
    reference: {title: t, href: https://example.invalid/s}
  2025-01-01:
    value: null
    status: secondary
    reference: {title: t, href: https://example.invalid/n}
"""


def test_scale_is_typed_exactly_from_text(tmp_path):
    p = bundle(tmp_path, SCALE, "x/scale")
    scale = p.value("x/scale", dt.date(2024, 6, 1))
    assert p.value("x/scale", dt.date(2025, 1, 1)) is None  # nullable: not in force from 2025
    b = scale.brackets
    assert [x.threshold for x in b] == [Decimal("0"), Decimal("3285.29"), Decimal("5836.14"), Decimal("6570.54")]
    assert [x.inclusive for x in b] == [True, True, True, False]
    assert b[2].rate == Decimal("0.059")  # percent read as a fraction: 5.90 % -> 0.059
    assert b[3].rate == Decimal("0.011") and b[3].max == Decimal("51.64") and b[2].min == Decimal("5.15")
    assert all(isinstance(x.threshold, Decimal) for x in b)
    assert str(scale) == (
        "Q < 3285.29: 0.00; 3285.29 <= Q < 5836.14: 5.15; 5836.14 <= Q <= 6570.54: 5.90 % × (m - 1945.38), "
        "at least 5.15; Q > 6570.54: 14.44 + 1.10 % × (m - 2190.18), at most 51.64"
    )
    assert p.table(dt.date(2024, 6, 1))["value"][0] == str(scale)


def test_scale_band_and_value_on_both_sides_of_each_threshold(tmp_path):
    scale = bundle(tmp_path, SCALE, "x/scale").value("x/scale", dt.date(2024, 6, 1))
    q = ["3285.28", "3285.29", "5836.13", "5836.14", "6570.54", "6570.55", "-1"]
    m = ["1095.09", "1095.10", "1945.37", "1945.38", "2190.18", "2190.19", "0"]
    frame = pl.DataFrame(
        {"q": [Decimal(v) for v in q], "m": [Decimal(v) for v in m]},
        schema=[("q", pl.Decimal(18, 2)), ("m", pl.Decimal(18, 2))],
    )
    out = frame.select(scale.band(pl.col("q")).alias("band"), scale.value(pl.col("q"), pl.col("m")).alias("value"))
    # "from" includes its threshold, "above" excludes it; below the first threshold: no band.
    assert out["band"].to_list() == [1, 2, 2, 3, 3, 4, None]
    assert out["value"].to_list() == [
        Decimal("0"),  # Q < 3,285.29: nothing
        Decimal("5.15"),  # flat
        Decimal("5.15"),
        Decimal("5.15"),  # 5.90 % x (1,945.38 - 1,945.38) = 0, at least 5.15
        Decimal("14.44320"),  # 5.90 % x (2,190.18 - 1,945.38) = 5.90 % x 244.80 = 14.4432 (not rounded)
        Decimal("14.44011"),  # 14.44 + 1.10 % x 0.01 = 14.4401 1
        None,
    ]


def test_scale_cents_on_both_sides_of_each_threshold(tmp_path):
    # The same rows as above in whole cents: band and value rounded once, half away from zero, to the cent
    # (14.4432 -> 14.44, 14.44011 -> 14.44), in integer arithmetic; the key in 10^-4 as well (8 places: S of
    # the work bonus), which gives the same.
    scale = bundle(tmp_path, SCALE, "x/scale").value("x/scale", dt.date(2024, 6, 1))
    q = [328528, 328529, 583613, 583614, 657054, 657055, -100]
    m = [109509, 109510, 194537, 194538, 219018, 219019, 0]
    frame = pl.DataFrame({"q": q, "m": m})
    out = frame.select(
        scale.band(pl.col("q"), 2).alias("band"),
        scale.cents(pl.col("q"), 2, pl.col("m"), 2).alias("cents"),
        scale.cents(pl.col("q") * 100, 4, pl.col("m") * 1_000_000, 8).alias("fine"),
    )
    assert out["band"].to_list() == [1, 2, 2, 3, 3, 4, None]
    assert out["cents"].to_list() == [0, 515, 515, 515, 1444, 1444, None]
    assert out["fine"].to_list() == out["cents"].to_list()
    with pytest.raises(ValueError, match="reciprocal"):
        Bracket(Decimal(1), True, reciprocal=True).formula_units(pl.col("x"), 2, 2)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),  # threshold step
            st.decimals(min_value=Decimal("-200"), max_value=Decimal("200"), places=2),  # amount
            st.decimals(min_value=Decimal("-1"), max_value=Decimal("1"), places=4),  # rate
            st.decimals(min_value=Decimal("0"), max_value=Decimal("20000"), places=2),  # base
            st.booleans(),  # inclusive
        ),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=30),
)
def test_property_scale_cents_match_python_decimal(brackets, keys):
    """Scale.cents (integer units) equals Python's decimal: the bracket holding the key, its formula at x
    (= the key, in 10^-8), rounded once half away from zero to the cent; None below the first threshold."""
    threshold, built = Decimal(0), []
    for i, (step, amount, rate, base, inclusive) in enumerate(brackets):
        threshold += step if i else 0
        built.append(Bracket(threshold, inclusive or i == 0, amount=amount, rate=rate, base=base))
    scale = Scale(tuple(built), ())
    got = pl.DataFrame({"k": keys}).select(scale.cents(pl.col("k"), 8).alias("c"))["c"].to_list()
    for key, cents in zip(keys, got):
        x = Decimal(key).scaleb(-8)
        held = [b for b in built if (x >= b.threshold if b.inclusive else x > b.threshold)]
        want = None
        if held:
            b = held[-1]
            want = int((b.amount + b.rate * (x - b.base)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert cents == want, (key, built)


def test_scale_reciprocal_bracket(tmp_path):
    text = """\
description: steps
unit: scale
scale: {threshold: ratio, amount: ratio, reciprocal: bool}
values:
  2020-01-01:
    value:
      - {from: 0}
      - {from: 0.275, amount: 1.18}
      - {from: 0.80, reciprocal: true}
    status: secondary
    reference: {title: t, href: https://example.invalid/s}
"""
    scale = bundle(tmp_path, text, "x/beta").value("x/beta", dt.date(2024, 1, 1))
    frame = pl.DataFrame({"mu": [Decimal("0.27"), Decimal("0.5"), Decimal("0.80"), Decimal("1.00")]})
    out = frame.select(scale.value(pl.col("mu")).alias("v"))["v"].to_list()
    assert out == [Decimal("0"), Decimal("1.18"), Decimal("1.25"), Decimal("1")]  # 1 / 0.80 = 1.25
    assert scale.text(3) == "x >= 0.80: 1 / x"  # ratios shown as written


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("- {above: 6570.54,", "- {above: 5000.00,", "strictly increase"),
        ("- {from: 0}", "- {above: 0}", "first bracket"),
        ("- {from: 3285.29, amount: 5.15}", "- {from: 3285.29, above: 3285.29, amount: 5.15}", "exactly one"),
        ("- {from: 3285.29, amount: 5.15}", "- {from: 3285.29, amount: 5.15, slope: 1}", "not declared"),
        ("rate: 5.90, base: 1945.38,", "rate: 5.90,", "needs its base"),
        ("amount: 5.15}", "amount: '5.15'}", "not a number"),
        ("amount: 5.15}", "amount: true}", "not a number"),
        ("amount: 5.15}", "amount: null}", "cannot be null"),
        ("base: 1945.38, min: 5.15}", "base: 1945.38, min: 60, max: 51.64}", "above max"),
        ("threshold: eur,", "threshold: text,", "unit"),
        ("max: eur}", "max: eur, reciprocal: ratio}", "reciprocal"),
        ("max: eur}", "max: eur, step: eur}", "unknown scale fields"),
        ("variable: Q,", "variable: 3,", "must be a name"),
        ("scale: {variable", "scales: {variable", "unknown keys"),
        (SCALE[SCALE.index("    value:\n") : SCALE.index("    status")], "    value: 5.15\n", "list of brackets"),
        (SCALE[SCALE.index("    value:\n") : SCALE.index("    status")], "    value: []\n", "list of brackets"),
        ("- {from: 0}", "- 0", "mapping"),
    ],
)
def test_scale_loader_refuses_bad_scales(tmp_path, old, new, message):
    assert old in SCALE
    with pytest.raises(ParameterFileError, match=message):
        bundle(tmp_path, SCALE.replace(old, new, 1), "x/scale")


def test_scale_header_needs_unit_scale_and_a_threshold(tmp_path):
    with pytest.raises(ParameterFileError, match="only for unit scale"):
        bundle(tmp_path / "a", GOOD.replace("unit: percent", "unit: percent\nscale: {threshold: eur}"))
    with pytest.raises(ParameterFileError, match="threshold"):
        bundle(tmp_path / "b", SCALE.replace("threshold: eur, ", ""), "x/scale")
