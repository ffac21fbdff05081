"""ONSS base and contributions (data-contract computations 2 and 3; rules-reference §1, §2).

Each expected amount is worked out by hand: amount = round_half_up(onss_base x rate, 0.01).
"""

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest

from pipeline.core.money import MONEY
from pipeline.core.params import default_parameters
from pipeline.rules.contributions import contribution_lines, onss_base, totals

PARAMS = default_parameters()


def frame(period: str, status: str, gross: str, gw_onss: str = "0", category="000", workforce=5, commercial=True):
    return pl.DataFrame(
        {
            "employee_id": ["E1"],
            "period": [period],
            "worker_status": [status],
            "gross_salary": [D(gross)],
            "guaranteed_wage_onss": [D(gw_onss)],
            "employer_category": [category],
            "workforce": [workforce],
            "commercial": [commercial],
        },
        schema_overrides={"gross_salary": MONEY, "guaranteed_wage_onss": MONEY, "workforce": pl.Int32},
    )


def compute(df: pl.DataFrame) -> tuple[dict[str, D], pl.DataFrame]:
    start = dt.date.fromisoformat(df["period"][0] + "-01")
    df = df.with_columns(onss_base(PARAMS, start))
    lines = contribution_lines(df, PARAMS, start)
    return {r["contribution"]: r["amount"] for r in lines.iter_rows(named=True)}, totals(lines).join(
        df, on=["employee_id", "period"]
    )


def test_blue_collar_3000_in_2026_10():
    # rules-reference §1.3: ONSS base = 3,000.00 x 108 % = 3,240.00 (§1.1, ouvriers at 108 %).
    amounts, tot = compute(frame("2026-10", "blue_collar", "3000.00"))
    assert tot["onss_base"][0] == D("3240.00")
    assert amounts["worker_onss"] == D("423.47")  # 3,240 x 13.07 % = 423.468
    assert amounts["employer_basic"] == D("644.11")  # 3,240 x 19.88 % = 644.112
    assert amounts["wage_moderation"] == D("165.89")  # 3,240 x 5.12 % = 165.888
    assert amounts["holiday_quarterly"] == D("180.47")  # code 253: 3,240 x 5.57 % = 180.468
    assert amounts["holiday_annual_accrual"] == D("332.75")  # 3,240 x 10.27 % = 332.748 (accrual, not due now)
    assert amounts["work_accident_special"] == D("0.65")  # 255: 3,240 x 0.02 % = 0.648
    assert amounts["ffe_commercial_small"] == D("11.02")  # 809 (< 20 workers, 2026): 3,240 x 0.34 % = 11.016
    assert amounts["ffe_special"] == D("3.24")  # 810 (2026): 3,240 x 0.10 %
    assert amounts["temporary_unemployment"] == D("3.24")  # 859: 3,240 x 0.10 %
    assert "asbestos_fund" not in amounts  # 256 is not due in Q4 2026 (due quarters 1-3)
    assert "ar401_special" not in amounts  # 855 needs at least 10 workers
    assert tot["worker_contribution"][0] == D("423.47")
    start = dt.date(2026, 10, 1)
    lines = contribution_lines(
        frame("2026-10", "blue_collar", "3000.00").with_columns(onss_base(PARAMS, start)), PARAMS, start
    )
    codes = dict(zip(lines["contribution"], lines["dmfa_code"]))
    assert (codes["worker_onss"], codes["holiday_quarterly"], codes["holiday_annual_accrual"]) == ("015", "253", None)
    # 644.11 + 165.89 + 180.47 + 0.65 + 11.02 + 3.24 + 3.24 = 1,008.62 (the accrual line is not included)
    assert tot["employer_contribution"][0] == D("1008.62")


def test_white_collar_3000_cp200_large_employer():
    # White collar: base = gross (100 %). Employer category 010 (CP 200) adds 831; 25 workers: 809 type 5 and 855.
    amounts, tot = compute(frame("2026-10", "white_collar", "3000.00", category="010", workforce=25))
    assert tot["onss_base"][0] == D("3000.00")
    assert amounts["worker_onss"] == D("392.10")  # 3,000 x 13.07 %
    assert amounts["employer_basic"] == D("596.40")  # 3,000 x 19.88 %
    assert amounts["wage_moderation"] == D("153.60")  # 3,000 x 5.12 %
    assert "holiday_quarterly" not in amounts and "holiday_annual_accrual" not in amounts  # ouvriers only (§2.2)
    assert amounts["ffe_commercial_large"] == D("11.70")  # 3,000 x 0.39 %
    assert amounts["ar401_special"] == D("50.70")  # 855: 3,000 x 1.69 %
    assert amounts["cpae_cp200"] == D("6.90")  # 831: 3,000 x 0.23 %
    # 596.40 + 153.60 + 0.60 + 11.70 + 3.00 + 3.00 + 50.70 + 6.90 = 825.90
    assert tot["employer_contribution"][0] == D("825.90")


def test_part_time_white_collar_non_commercial_in_q3():
    # Half-time white collar, 1,234.50 a month, non-commercial employer (FFE 811), August 2026 (Q3: asbestos due).
    amounts, tot = compute(frame("2026-08", "white_collar", "1234.50", commercial=False, workforce=3))
    assert amounts["worker_onss"] == D("161.35")  # 1,234.50 x 13.07 % = 161.34915
    assert amounts["employer_basic"] == D("245.42")  # 1,234.50 x 19.88 % = 245.4186
    assert amounts["wage_moderation"] == D("63.21")  # 1,234.50 x 5.12 % = 63.2064
    assert amounts["work_accident_special"] == D("0.25")  # x 0.02 % = 0.2469
    assert amounts["asbestos_fund"] == D("0.12")  # x 0.01 % = 0.12345
    assert amounts["ffe_noncommercial"] == D("0.12")  # 811: x 0.01 % = 0.12345
    assert amounts["ffe_special"] == D("1.23")  # x 0.10 % = 1.2345
    assert "ffe_commercial_small" not in amounts
    assert tot["employer_contribution"][0] == D("311.58")  # 245.42+63.21+0.25+0.12+0.12+1.23+1.23


@pytest.mark.parametrize(
    ("period", "ffe_small", "ffe_special"),
    [
        ("2025-12", D("4.86"), D("4.59")),  # 2025: 809 0.18 %, 810 0.17 % -> 2,700 x 0.18 % = 4.86; x 0.17 % = 4.59
        ("2026-01", D("9.18"), D("2.70")),  # 2026: 809 0.34 %, 810 0.10 % -> 2,700 x 0.34 % = 9.18; x 0.10 % = 2.70
    ],
)
def test_both_sides_of_the_2026_ffe_rate_change(period, ffe_small, ffe_special):
    amounts, tot = compute(frame(period, "blue_collar", "2500.00"))
    assert tot["onss_base"][0] == D("2700.00")  # 2,500 x 108 %
    assert amounts["ffe_commercial_small"] == ffe_small
    assert amounts["ffe_special"] == ffe_special
    assert amounts["worker_onss"] == D("352.89")  # 2,700 x 13.07 % = 352.89


def test_guaranteed_wage_subject_part_enters_the_base_and_base_rounds_once():
    # (2,000.00 + 500.00 guaranteed wage days 1-7) x 108 % = 2,700.00
    _, tot = compute(frame("2026-10", "blue_collar", "2000.00", gw_onss="500.00"))
    assert tot["onss_base"][0] == D("2700.00")
    # 2,345.67 x 108 % = 2,533.3236 -> base 2,533.32; worker 2,533.32 x 13.07 % = 331.104924 -> 331.10
    amounts, tot = compute(frame("2026-10", "blue_collar", "2345.67"))
    assert tot["onss_base"][0] == D("2533.32")
    assert amounts["worker_onss"] == D("331.10")


def test_period_before_the_parameter_history_is_refused():
    # The special contributions are kept from 2024 on: a 2017 period cannot be computed (exit code 4).
    from pipeline.errors import MissingParameterError

    with pytest.raises(MissingParameterError):
        compute(frame("2017-12", "blue_collar", "1000.00"))


def test_rate_change_2017_to_2018():
    # rules-reference §2.1: 22.65 % + 7.35 % until 2017Q4, then 19.88 % + 5.12 % (white collar base 1,000).
    # (history kept for corrections of old periods; the special contributions start in 2024, so only the core lines)
    for period, basic, moderation in (("2017-12", D("226.50"), D("73.50")), ("2018-01", D("198.80"), D("51.20"))):
        start = dt.date.fromisoformat(period + "-01")
        assert PARAMS.value("onss/employer_basic_rate", start) * D("1000.00") == basic
        assert PARAMS.value("onss/wage_moderation_rate", start) * D("1000.00") == moderation
