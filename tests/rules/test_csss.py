"""Special social-security contribution (CSSS, DmfA 856; Law of 30 March 1994, ONSS DmfA instructions).

The band is chosen by the quarter estimated from the month, Q = 3 x m (m = the month's ONSS base,
108 % for ouvriers); the band's monthly formula is applied to m and rounded once half-up to the cent.
Scales (onss/csss/*, since 2022-04-01): single 4.22 % / 10.33 + 1.10 % / 27.35 + 3.38 % / 39.61 + 1.10 % /
60.94; two incomes 5.15 / 5.90 % (min 5.15) / 14.44 + 1.10 % (max 51.64); one income 5.90 % / 14.44 + 1.10 %
(max 60.94).
"""

from decimal import ROUND_HALF_UP, Decimal
from decimal import Decimal as D

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.money import MONEY
from pipeline.core.params import default_parameters
from pipeline.errors import MissingParameterError
from pipeline.rules.csss import OUTPUT_SCHEMA, compute_csss, explain_csss

PARAMS = default_parameters()
SCHEMA = {
    "employee_id": pl.String,
    "period": pl.String,
    "onss_base": MONEY,
    "household": pl.String,
    "belgian_social_security": pl.Boolean,
}


def compute(*rows: tuple, period: str = "2026-09") -> pl.DataFrame:
    """rows: (onss_base, household[, subject])."""
    data = [
        {
            "employee_id": f"E{i}",
            "period": period,
            "onss_base": D(r[0]),
            "household": r[1],
            "belgian_social_security": r[2] if len(r) > 2 else True,
        }
        for i, r in enumerate(rows)
    ]
    return compute_csss(pl.DataFrame(data, schema=SCHEMA), PARAMS)


def withheld(*rows: tuple, period: str = "2026-09") -> list[D]:
    return compute(*rows, period=period)["csss"].to_list()


# ------------------------------------------------------------------------------------------------
# Golden examples (monthly pay constant over the quarter, 2026)
# ------------------------------------------------------------------------------------------------
def test_csss1_single_2500():
    # CSSS-1: Q = 7,500.00 in ]6,570.54; 11,211.00]: 10.33 + 1.10 % x (2,500.00 - 2,190.18) = 10.33 + 3.40802
    # = 13.73802 -> 13.74 (41.22 over the quarter).
    out = compute(("2500.00", "single"))
    assert out["csss"][0] == D("13.74")
    assert (out["quarterly_estimate"][0], out["band"][0]) == (D("7500.00"), 3)
    assert out["source"][0] == "onss/csss/single@2022-04-01 [secondary]"


def test_csss2_two_incomes_flat():
    # CSSS-2: Q = 5,400.00 in [3,285.29; 5,836.14[: flat 5.15 a month (15.45 a quarter).
    assert withheld(("1800.00", "joint_two_incomes")) == [D("5.15")]


def test_csss3_one_income_and_3b_single():
    # CSSS-3: Q = 6,300.00 in [5,836.14; 6,570.54]: 5.90 % x (2,100.00 - 1,945.38) = 5.90 % x 154.62 = 9.12258 -> 9.12.
    # CSSS-3b, single: 4.22 % x 154.62 = 6.524964 -> 6.52.
    assert withheld(("2100.00", "joint_one_income"), ("2100.00", "single")) == [D("9.12"), D("6.52")]


def test_csss4_blue_collar_on_the_108_percent_base():
    # CSSS-4: ouvrier gross 4,000.00 -> m = 4,320.00; Q = 12,960.00 in ]12,300.00; 18,116.46]:
    # 39.61 + 1.10 % x (4,320.00 - 4,100.00) = 39.61 + 2.42 = 42.03.
    assert withheld(("4320.00", "single")) == [D("42.03")]


def test_csss5_4000_by_household():
    # CSSS-5: Q = 12,000.00. Single ]11,211.00; 12,300.00]: 27.35 + 3.38 % x 263.00 = 27.35 + 8.8894 = 36.2394 -> 36.24.
    # Couples > 6,570.54: 14.44 + 1.10 % x 1,809.82 = 14.44 + 19.90802 = 34.34802 -> 34.35.
    rows = [("4000.00", "single"), ("4000.00", "joint_one_income"), ("4000.00", "joint_two_incomes")]
    assert withheld(*rows) == [D("36.24"), D("34.35"), D("34.35")]


def test_csss6_maxima():
    # CSSS-6, 6,500.00: single Q = 19,500.00 > 18,116.46 -> 60.94; one income 14.44 + 1.10 % x 4,309.82 = 61.84802
    # -> at most 60.94; two incomes -> at most 51.64.
    rows = [("6500.00", "single"), ("6500.00", "joint_one_income"), ("6500.00", "joint_two_incomes")]
    assert withheld(*rows) == [D("60.94"), D("60.94"), D("51.64")]


def test_csss7_below_the_first_limit():
    # CSSS-7: Q = 5,700.00 < 5,836.14 -> 0.
    assert withheld(("1900.00", "single")) == [D("0")]


def test_csss8_two_incomes_3000():
    # CSSS-8: 14.44 + 1.10 % x (3,000.00 - 2,190.18) = 14.44 + 8.90802 = 23.34802 -> 23.35.
    assert withheld(("3000.00", "joint_two_incomes")) == [D("23.35")]


def test_csss9_frontier_worker_under_belgian_social_security():
    # CSSS-9: a French frontier worker exempt from Belgian withholding tax but under Belgian ONSS owes the CSSS
    # (the condition is the social-security subjection): as CSSS-1, 13.74. Not under Belgian social security: 0.
    out = compute(("2500.00", "single", True), ("2500.00", "single", False), ("2500.00", "single", None))
    assert out["csss"].to_list() == [D("13.74"), D("0"), D("0")]
    assert out["band"].to_list() == [3, None, None]


def test_missing_household_is_single_and_flagged():
    out = compute(("2500.00", None), ("2500.00", "joint_two_incomes"))
    assert out["household"].to_list() == ["single", "joint_two_incomes"]
    assert out["household_missing"].to_list() == [True, False]
    assert out["csss"].to_list() == [D("13.74"), D("17.85")]  # two incomes: 14.44 + 1.10 % x 309.82 = 17.84802


# ------------------------------------------------------------------------------------------------
# Both sides of every limit (m = the quarterly limit / 3, exactly, and one cent above or below)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("m", "single", "one_income", "two_incomes"),
    [
        ("1095.09", "0", "0", "0"),  # Q = 3,285.27 < 3,285.29
        ("1095.10", "0", "0", "5.15"),  # Q = 3,285.30 >= 3,285.29: two incomes flat 5.15
        ("1945.37", "0", "0", "5.15"),  # Q = 5,836.11 < 5,836.14
        ("1945.38", "0", "0", "5.15"),  # Q = 5,836.14: 4.22 % / 5.90 % x 0 = 0; two incomes at least 5.15
        ("1950.00", "0.19", "0.27", "5.15"),  # 4.22 % x 4.62 = 0.194964; 5.90 % x 4.62 = 0.27258
        # Q = 6,570.54 (included): 4.22 % x 244.80 = 10.33056 -> 10.33; 5.90 % x 244.80 = 14.4432 -> 14.44
        ("2190.18", "10.33", "14.44", "14.44"),
        ("2190.19", "10.33", "14.44", "14.44"),  # above: 10.33 + 1.10 % x 0.01 = 10.33011; 14.44 + 0.00011
        (
            "3737.00",
            "27.35",
            "31.46",
            "31.46",
        ),  # Q = 11,211.00: 10.33 + 1.10 % x 1,546.82 = 27.34502; couples 14.44 + 17.01502
        ("3737.01", "27.35", "31.46", "31.46"),  # above: 27.35 + 3.38 % x 0.01 = 27.350338
        # Q = 12,300.00 (included, one source): 27.35 + 3.38 % x 363.00 = 39.6194; couples 14.44 + 1.10 % x 1,909.82
        # = 14.44 + 21.00802 = 35.44802
        ("4100.00", "39.62", "35.45", "35.45"),
        ("4100.01", "39.61", "35.45", "35.45"),  # above: 39.61 + 1.10 % x 0.01 = 39.61011; couples 35.44813
        # Two incomes near their maximum: 14.44 + 1.10 % x (5,571.00 - 2,190.18) = 14.44 + 37.18902 = 51.62902;
        # single Q = 16,713.00: 39.61 + 1.10 % x 1,471.00 = 55.791
        ("5571.00", "55.79", "51.63", "51.63"),
        # 14.44 + 1.10 % x 3,381.82 = 51.64002: two incomes at most 51.64; single 39.61 + 16.192 = 55.802
        ("5572.00", "55.80", "51.64", "51.64"),
        # Q = 18,116.46: 39.61 + 1.10 % x 1,938.82 = 60.93702; couples 14.44 + 1.10 % x 3,848.64 = 56.77504
        ("6038.82", "60.94", "56.78", "51.64"),
        ("6038.83", "60.94", "56.78", "51.64"),  # above: single flat 60.94; couples 56.77515
        # One income at its maximum: 14.44 + 1.10 % x (6,417.46 - 2,190.18) = 14.44 + 46.50008 = 60.94008
        # -> at most 60.94
        ("6417.46", "60.94", "60.94", "51.64"),
        ("7000.00", "60.94", "60.94", "51.64"),  # 14.44 + 52.91802 = 67.35802 -> 60.94
    ],
)
def test_both_sides_of_every_limit(m, single, one_income, two_incomes):
    got = withheld((m, "single"), (m, "joint_one_income"), (m, "joint_two_incomes"))
    assert got == [D(single), D(one_income), D(two_incomes)]


def test_scale_date_is_a_missing_parameter_before_april_2022():
    with pytest.raises(MissingParameterError):
        compute(("2500.00", "single"), period="2022-03")
    assert withheld(("2500.00", "single"), period="2022-04") == [D("13.74")]


def test_output_columns_and_types():
    assert compute(("2500.00", "single")).schema == pl.Schema(OUTPUT_SCHEMA)
    assert compute_csss(pl.DataFrame(schema=SCHEMA), PARAMS).schema == pl.Schema(OUTPUT_SCHEMA)


def test_some_columns_only_are_those_of_the_whole_computation():
    whole = compute(("2500.00", "single"), ("1800.00", "joint_two_incomes"))  # CSSS-1 13.74, CSSS-2 5.15
    frame = pl.DataFrame(
        [("E0", "2026-09", D("2500.00"), "single", True), ("E1", "2026-09", D("1800.00"), "joint_two_incomes", True)],
        schema=SCHEMA,
        orient="row",
    )
    part = compute_csss(frame, PARAMS, ["source", "csss", "employee_id"])
    assert part.columns == ["employee_id", "csss", "source"]
    assert part.equals(whole.select(part.columns))
    assert part["csss"].to_list() == [D("13.74"), D("5.15")]
    with pytest.raises(ValueError, match="unknown output column"):
        compute_csss(frame, PARAMS, ["amount"])


def test_explanation():
    row = compute(("2500.00", None)).row(0, named=True)
    text = explain_csss(row, PARAMS)
    assert "single (household missing from the input: the single scale is assumed)" in text
    assert "Q = 3 × m = 7,500.00" in text
    assert (
        "Band 3 of onss/csss/single [2022-04-01, secondary]: 6570.54 < Q <= 11211.00: 10.33 + 1.10 % × (m - 2190.18)"
        in text
    )
    assert "CSSS withheld = 13.74" in text
    assert "no CSSS" in explain_csss(compute(("2500.00", "single", False)).row(0, named=True), PARAMS)


# ------------------------------------------------------------------------------------------------
# Property: the column arithmetic equals Python's decimal with ROUND_HALF_UP
# ------------------------------------------------------------------------------------------------
def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reference(m: Decimal, household: str) -> Decimal:
    """The published scales, written out with Python's decimal (an independent reference)."""
    q, pct = 3 * m, Decimal("0.01")
    if household == "single":
        if q < D("5836.14"):
            return Decimal(0)
        if q <= D("6570.54"):
            return _cents(D("4.22") * pct * (m - D("1945.38")))
        if q <= D("11211.00"):
            return _cents(D("10.33") + D("1.10") * pct * (m - D("2190.18")))
        if q <= D("12300.00"):
            return _cents(D("27.35") + D("3.38") * pct * (m - D("3737.00")))
        if q <= D("18116.46"):
            return _cents(D("39.61") + D("1.10") * pct * (m - D("4100.00")))
        return D("60.94")
    two = household == "joint_two_incomes"
    if q < (D("3285.29") if two else D("5836.14")):
        return Decimal(0)
    if q < D("5836.14"):
        return D("5.15")
    if q <= D("6570.54"):
        value = D("5.90") * pct * (m - D("1945.38"))
        return _cents(max(value, D("5.15")) if two else value)
    return _cents(min(D("14.44") + D("1.10") * pct * (m - D("2190.18")), D("51.64") if two else D("60.94")))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 800_000).map(lambda c: Decimal(c) / 100),
            st.sampled_from(["single", "joint_one_income", "joint_two_incomes"]),
        ),
        min_size=1,
        max_size=80,
    )
)
def test_property_matches_python_decimal_half_up(rows):
    got = withheld(*((str(m), h) for m, h in rows))
    assert got == [reference(m, h) for m, h in rows]
