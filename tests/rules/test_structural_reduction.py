"""Structural reduction, category 1 (DmfA deduction 3000; Programme Act (I) of 24 December 2002,
Royal Decree of 16 May 2003, ONSS DmfA instructions "La réduction structurelle").

R = 0.14 x max(0, S0 - S) + gamma x max(0, S2 - S), not rounded; Ps = round_half_up(R x mu x beta), once.
Full-time reference 38 h a week: 13 x 38 = 494 h a quarter; 5 days: 13 x 5 = 65 days.
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
from pipeline.rules.structural_reduction import (
    OUTPUT_SCHEMA,
    compute_structural_reduction,
    explain_structural_reduction,
)

PARAMS = default_parameters()
SCHEMA = {
    "employer_id": pl.String,
    "worker_id": pl.String,
    "occupation": pl.Int32,
    "quarter": pl.String,
    "eligible": pl.Boolean,
    "wage_100": MONEY,
    "complete_performance": pl.Boolean,
    "paid_days": pl.Int32,
    "days_per_week": pl.Int8,
    "paid_hours": pl.Decimal(18, 2),
    "reference_weekly_hours": pl.Decimal(18, 2),
    "employer_contributions": MONEY,
}
NO_CAP = "100000.00"


def line(
    w: str,
    quarter: str = "2026-Q1",
    complete: bool = False,
    hours: str | None = None,
    days: int | None = None,
    worker: str = "W1",
    occupation: int = 1,
    cap: str = NO_CAP,
    eligible: bool | None = True,
    weekly_hours: str = "38",
) -> dict:
    return {
        "employer_id": "174393195",
        "worker_id": worker,
        "occupation": occupation,
        "quarter": quarter,
        "eligible": eligible,
        "wage_100": D(w),
        "complete_performance": complete,
        "paid_days": days,
        "days_per_week": 5,
        "paid_hours": D(hours) if hours else None,
        "reference_weekly_hours": D(weekly_hours) if hours else None,
        "employer_contributions": D(cap),
    }


def compute(*lines: dict) -> pl.DataFrame:
    return compute_structural_reduction(pl.DataFrame(list(lines), schema=SCHEMA), PARAMS)


def reductions(*lines: dict) -> list[D]:
    return compute(*lines)["structural_reduction"].to_list()


# ------------------------------------------------------------------------------------------------
# Golden examples
# ------------------------------------------------------------------------------------------------
def test_sr1_full_time_complete_quarter_2026q1():
    # SR-1: W = 3 x 2,400.00 = 7,200.00 = S, mu = 1 -> beta = 1 / 1.
    # 0.14 x (11,458.57 - 7,200.00) = 596.1998; 0.15 x (9,547.20 - 7,200.00) = 352.0800; R = 948.2798 -> Ps 948.28.
    row = compute(line("7200.00", complete=True)).row(0, named=True)
    assert (row["low_wage_part"], row["very_low_wage_part"], row["r"]) == (D("596.1998"), D("352.08"), D("948.2798"))
    assert (row["mu"], row["mu_glob"], row["beta_band"]) == (D("1.00"), D("1.00"), 4)
    assert row["structural_reduction"] == D("948.28")


def test_sr1b_same_worker_2026q3_r_not_rounded():
    # SR-1b [unverified parameters]: 0.14 x (11,687.74 - 7,200.00) = 628.2836; 0.16 x (9,738.14 - 7,200.00) = 406.1024;
    # R = 1,034.3860 -> 1,034.39 (rounding each part first would give 628.28 + 406.10 = 1,034.38).
    row = compute(line("7200.00", quarter="2026-Q3", complete=True)).row(0, named=True)
    assert row["r"] == D("1034.386") and row["structural_reduction"] == D("1034.39")
    assert "onss/structural_reduction/s0@2026-07-01 [unverified]" in row["sources"]


def test_sr2_four_fifths_by_hours():
    # SR-2: W = 5,760.00, H = 13 x 30.4 = 395.20 h; factor = round2(494 / 395.20) = 1.25; S = 7,200.00;
    # mu = round2(395.20 / 494) = 0.80 = mu_glob -> beta = 1 / 0.80: Ps = 948.2798 x 0.80 / 0.80 = 948.28.
    row = compute(line("5760.00", hours="395.20")).row(0, named=True)
    assert (row["factor"], row["reference_wage"], row["mu"]) == (D("1.25"), D("7200"), D("0.80"))
    assert row["structural_reduction"] == D("948.28")


def test_sr3_half_time():
    # SR-3: W = 3,600.00, H = 247.00; factor 2.00; S = 7,200.00; mu = 0.50 -> beta = 1.18:
    # 948.2798 x 0.50 x 1.18 = 559.485082 -> 559.49.
    row = compute(line("3600.00", hours="247.00")).row(0, named=True)
    assert (row["factor"], row["mu"], row["beta"]) == (D("2.00"), D("0.50"), D("1.18"))
    assert row["structural_reduction"] == D("559.49")


def test_sr4_above_s0():
    # SR-4: W = S = 12,000.00 > S0 11,458.57 (and > S2) -> R = 0.
    row = compute(line("12000.00", complete=True)).row(0, named=True)
    assert (row["r"], row["structural_reduction"]) == (D("0"), D("0"))


def test_sr5_very_small_part_time_beta_zero():
    # SR-5: H = 130 h: mu = round2(130 / 494 = 0.263...) = 0.26 < 0.275 -> beta = 0 -> 0.00, although
    # S = 1,300.00 x round2(494 / 130 = 3.80) = 4,940.00 and R = 0.14 x 6,518.57 + 0.15 x 4,607.20 = 912.5998 + 691.08.
    row = compute(line("1300.00", hours="130")).row(0, named=True)
    assert (row["reference_wage"], row["r"], row["mu"], row["beta"]) == (D("4940"), D("1603.6798"), D("0.26"), D("0"))
    assert row["structural_reduction"] == D("0")


def test_sr6_two_lines_cross_check_2025q1():
    # SR-6 (2025Q1: S0 11,013.62, S2 6,943.32, gamma 0.40). Line 2 (March, 4/5): W = 2,409.00, H = 129.20:
    # factor round2(494 / 129.20 = 3.8235) = 3.82 -> S = 9,202.38 > S2; R = 0.14 x 1,811.24 = 253.5736;
    # mu = round2(129.20 / 494) = 0.26. Line 1 (January-February, full time, 326.80 h): mu = 0.66, W = 8,018.00
    # x round2(494 / 326.80 = 1.5116) = 1.51 -> S = 12,107.18 > S0 -> 0. mu_glob = 0.92 -> beta = 1 / 0.92:
    # Ps = 253.5736 x 0.26 / 0.92 = 71.6621... -> 71.66.
    out = compute(line("8018.00", "2025-Q1", hours="326.80"), line("2409.00", "2025-Q1", hours="129.20", occupation=2))
    assert out["mu_glob"].to_list() == [D("0.92"), D("0.92")]
    assert out["reference_wage"].to_list() == [D("12107.18"), D("9202.38")]
    assert out["structural_reduction"].to_list() == [D("0"), D("71.66")]


def test_sr7_blue_collar_wage_at_100_percent():
    # SR-7: ouvrier 2,400.00 a month at 100 %: W = 7,200.00 (not the 108 % base) -> 948.28 as SR-1; the cap is the
    # employer's basic + moderation on 108 %: 25 % x 7,776.00 = 1,944.00 > Ps.
    row = compute(line("7200.00", complete=True, cap="1944.00")).row(0, named=True)
    assert (row["structural_reduction"], row["cap_cut"]) == (D("948.28"), D("0"))


# ------------------------------------------------------------------------------------------------
# Both sides of every quarter date: full-time, complete quarter, W = S = 6,000.00
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        # 0.14 x (10,797.67 - 6,000) = 671.6738; 0.40 x (6,502.69 - 6,000) = 201.0760; R = 872.7498
        ("2024-Q1", "872.75"),
        # S2 6,807.18 [unverified]: 0.40 x 807.18 = 322.8720; R = 994.5458
        ("2024-Q2", "994.55"),
        # S0 11,013.62, S2 6,943.32: 701.9068 + 377.3280 = 1,079.2348
        ("2024-Q3", "1079.23"),
        ("2025-Q1", "1079.23"),
        # S0 11,233.89, S2 7,082.19 (gamma 0.40): 732.7446 + 432.8760 = 1,165.6206
        ("2025-Q2", "1165.62"),
        # S2 9,360.00, gamma 0.15: 732.7446 + 504.0000 = 1,236.7446
        ("2025-Q3", "1236.74"),
        ("2025-Q4", "1236.74"),
        # S0 11,458.57, S2 9,547.20: 764.1998 + 532.0800 = 1,296.2798
        ("2026-Q1", "1296.28"),
        # gamma 0.16 [unverified]: 764.1998 + 567.5520 = 1,331.7518
        ("2026-Q2", "1331.75"),
        # S0 11,687.74, S2 9,738.14 [unverified]: 796.2836 + 598.1024 = 1,394.3860
        ("2026-Q3", "1394.39"),
        ("2026-Q4", "1394.39"),
    ],
)
def test_each_quarter_uses_its_parameters(quarter, expected):
    assert reductions(line("6000.00", quarter, complete=True)) == [D(expected)]


def test_before_the_history_is_a_missing_parameter():
    with pytest.raises(MissingParameterError):
        compute(line("6000.00", "2023-Q4", complete=True))


# ------------------------------------------------------------------------------------------------
# Both sides of the beta steps (2026Q1; hours, U = 38)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hours", "w", "mu", "beta", "expected"),
    [
        # 133.38 h: mu = 0.27 < 0.275 -> beta 0 (S = 1,400.00 x 3.70 = 5,180.00, R = 1,534.0798)
        ("133.38", "1400.00", "0.27", "0", "0"),
        # 138.32 h: mu 0.28 -> beta 1.18; S = 1,400.00 x round2(3.5714) = 4,998.00;
        # R = 0.14 x 6,460.57 + 0.15 x 4,549.20 = 904.4798 + 682.38 = 1,586.8598; x 0.28 x 1.18 = 524.298478 -> 524.30
        ("138.32", "1400.00", "0.28", "1.18", "524.30"),
        # 266.76 h: mu 0.54 -> 1.18; S = 2,700.00 x 1.85 = 4,995.00; R = 904.8998 + 682.83 = 1,587.7298;
        # x 0.54 x 1.18 = 1,011.701429 -> 1,011.70
        ("266.76", "2700.00", "0.54", "1.18", "1011.70"),
        # 271.70 h: mu 0.55 -> 1.18 + 0 x 0.28 = 1.18; S = 2,700.00 x 1.82 = 4,914.00;
        # R = 916.2398 + 694.98 = 1,611.2198; x 0.55 x 1.18 = 1,045.68165 -> 1,045.68
        ("271.70", "2700.00", "0.55", "1.18", "1045.68"),
        # 390.26 h: mu 0.79 -> 1.18 + 0.24 x 0.28 = 1.2472; S = 4,000.00 x 1.27 = 5,080.00; R = 892.9998 + 670.08
        # = 1,563.0798; x 0.79 x 1.2472 = 1,540.08377 -> 1,540.08
        ("390.26", "4000.00", "0.79", "1.2472", "1540.08"),
        # 395.20 h: mu 0.80 -> 1 / 0.80; S = 4,000.00 x 1.25 = 5,000.00; R = 904.1998 + 682.08 = 1,586.2798 -> 1,586.28
        ("395.20", "4000.00", "0.80", "1.25", "1586.28"),
    ],
)
def test_both_sides_of_each_beta_step(hours, w, mu, beta, expected):
    row = compute(line(w, hours=hours)).row(0, named=True)
    assert (row["mu"], row["beta"], row["structural_reduction"]) == (D(mu), D(beta), D(expected))


# ------------------------------------------------------------------------------------------------
# Performance, mu at most 1, days, cap, eligibility
# ------------------------------------------------------------------------------------------------
def test_days_and_complete_performance():
    # 2026Q3 has 66 working days: J = 66 of 13 x 5 = 65 gives mu = round2(66 / 65 = 1.015) = 1.02 -> at most 1,
    # factor round2(65 / 66 = 0.985) = 0.98: S = 7,200.00 x 0.98 = 7,056.00 when the line is not marked complete;
    # R = 0.14 x 4,631.74 + 0.16 x 2,682.14 = 648.4436 + 429.1424 = 1,077.586 -> 1,077.59.
    # Marked complete (every scheduled day paid): S = W = 7,200.00, mu = 1 -> 1,034.39 (SR-1b).
    out = compute(line("7200.00", "2026-Q3", days=66), line("7200.00", "2026-Q3", complete=True, worker="W2"))
    assert out["mu"].to_list() == [D("1.00"), D("1.00")]
    assert out["reference_wage"].to_list() == [D("7056"), D("7200")]
    assert out["structural_reduction"].to_list() == [D("1077.59"), D("1034.39")]
    # Full time, 52 paid days of 65: mu = 0.80, factor 1.25 -> S = 5,760.00 x 1.25 = 7,200.00 -> 948.28 (as SR-2).
    assert reductions(line("5760.00", days=52)) == [D("948.28")]


def test_cap_binds_and_cuts_the_later_line_first():
    # Basic + moderation after the cap 900.00 < Ps 948.28 -> 900.00 (48.28 cut).
    row = compute(line("7200.00", complete=True, cap="900.00")).row(0, named=True)
    assert (row["before_cap"], row["structural_reduction"], row["cap_cut"]) == (D("948.28"), D("900.00"), D("48.28"))
    # Two half-time lines of one worker (mu_glob 1.00 -> beta 1 / 1.00): 948.2798 x 0.50 = 474.1399 -> 474.14 each;
    # cap 800.00: line 1 keeps 474.14, line 2 gets 800.00 - 474.14 = 325.86.
    out = compute(
        line("3600.00", hours="247.00", occupation=1, cap="800.00"),
        line("3600.00", hours="247.00", occupation=2, cap="800.00"),
    )
    assert out["structural_reduction"].to_list() == [D("474.14"), D("325.86")]
    assert out["cap_cut"].to_list() == [D("0"), D("148.28")]


def test_lines_not_eligible_get_none():
    assert reductions(
        line("7200.00", complete=True, eligible=False), line("7200.00", complete=True, worker="W2", eligible=None)
    ) == [D("0"), D("0")]


def test_output_columns_and_types():
    assert compute(line("7200.00", complete=True)).schema == pl.Schema(OUTPUT_SCHEMA)
    assert compute_structural_reduction(pl.DataFrame(schema=SCHEMA), PARAMS).schema == pl.Schema(OUTPUT_SCHEMA)


def test_explanation():
    out = compute(line("8018.00", "2025-Q1", hours="326.80"), line("2409.00", "2025-Q1", hours="129.20", occupation=2))
    text = explain_structural_reduction(out.row(1, named=True), PARAMS)
    assert "factor round2(494 / 129.20) = 3.82, S = W × factor = 9202.38" in text
    assert "onss/structural_reduction/s0 = 11013.62 [2024-07-01, secondary]" in text
    assert "R = alpha × max(0, S0 - S) + gamma × max(0, S2 - S) = 253.5736 + 0 = 253.5736 (not rounded)" in text
    assert "band 4 of onss/structural_reduction/beta [2024-01-01, secondary]: mu_glob >= 0.80: 1 / mu_glob" in text
    assert "Ps = R × mu / mu_glob = 253.5736 × 0.26 / 0.92 -> 71.66" in text
    capped = explain_structural_reduction(
        compute(line("7200.00", complete=True, cap="900.00")).row(0, named=True), PARAMS
    )
    assert "48.28 cut from this line" in capped and capped.endswith("Structural reduction = 900.00")


# ------------------------------------------------------------------------------------------------
# Property: the column arithmetic equals Python's decimal with ROUND_HALF_UP (2026Q1 parameters)
# ------------------------------------------------------------------------------------------------
def _r2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reference(w: Decimal, h: Decimal) -> Decimal:
    full = 13 * D("38")
    mu = min(_r2(h / full), Decimal(1)) if h else Decimal(0)
    s = w * _r2(full / h) if h else w
    r = D("0.14") * max(D("11458.57") - s, 0) + D("0.15") * max(D("9547.20") - s, 0)
    if mu < D("0.275"):
        return _r2(r * mu * 0)
    if mu < D("0.55"):
        return _r2(r * mu * D("1.18"))
    if mu < D("0.80"):
        return _r2(r * mu * (D("1.18") + (mu - D("0.55")) * D("0.28")))
    return _r2(r * mu / mu)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 1_500_000).map(lambda c: Decimal(c) / 100),
            st.integers(1, 49_400).map(lambda c: Decimal(c) / 100),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_property_matches_python_decimal_half_up(rows):
    lines = [line(str(w), hours=str(h), worker=f"W{i}") for i, (w, h) in enumerate(rows)]
    assert reductions(*lines) == [reference(w, h) for w, h in rows]
