"""Social work bonus (ONSS DmfA instructions "Le bonus à l'emploi", deduction 0001).

Golden cases worked by hand from the published tables (parameters under
pipeline/parameters/onss/work_bonus/): R = round_half_up(table(S)), P = round_half_up(fraction × R),
the cap at the 13.07 % line taking volet B first. September 2026 has 22 working days Monday-Friday.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from decimal import Decimal as D

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.money import MONEY
from pipeline.core.params import default_parameters
from pipeline.errors import MissingParameterError
from pipeline.rules.work_bonus import OUTPUT_SCHEMA, compute_work_bonus, explain_work_bonus

PARAMS = default_parameters()
CENT = Decimal("0.01")

SCHEMA = {
    "employee_id": pl.String,
    "period": pl.String,
    "worker_status": pl.String,
    "owes_personal_contribution": pl.Boolean,
    "gross_salary": MONEY,
    "guaranteed_wage_onss": MONEY,
    "worker_onss": MONEY,
    "work_fraction": pl.Decimal(18, 6),
    "weekly_work_days": pl.Int8,
    "contract_start": pl.Date,
    "contract_end": pl.Date,
    "paid_hours": pl.Decimal(18, 6),
    "full_time_hours": pl.Decimal(18, 6),
    "unpaid_days": pl.Int32,
}


def month(
    gross: str,
    personal: str,
    period: str = "2026-09",
    status: str = "white_collar",
    hours: tuple[str, str] | None = None,
    fraction: str = "1",
    start: dt.date = dt.date(2020, 1, 1),
    end: dt.date | None = None,
    days: int = 5,
    unpaid: int = 0,
    owes: bool | None = True,
    gw_onss: str = "0",
    employee: str = "E1",
) -> dict:
    return {
        "employee_id": employee,
        "period": period,
        "worker_status": status,
        "owes_personal_contribution": owes,
        "gross_salary": D(gross),
        "guaranteed_wage_onss": D(gw_onss),
        "worker_onss": D(personal),
        "work_fraction": D(fraction),
        "weekly_work_days": days,
        "contract_start": start,
        "contract_end": end,
        "paid_hours": D(hours[0]) if hours else None,
        "full_time_hours": D(hours[1]) if hours else None,
        "unpaid_days": unpaid,
    }


def compute(*rows: dict) -> pl.DataFrame:
    return compute_work_bonus(pl.DataFrame(list(rows), schema=SCHEMA), PARAMS)


def one(**kwargs) -> dict:
    gross, personal = kwargs.pop("gross"), kwargs.pop("personal")
    return compute(month(gross, personal, **kwargs)).row(0, named=True)


def amounts(row: dict) -> tuple[D, D, D]:
    return row["volet_a"], row["volet_b"], row["work_bonus"]


# ------------------------------------------------------------------------------------------------
# Golden examples (September 2026 tables: L_B 2,300.62, M 2,937.93, H_A 3,403.62)
# ------------------------------------------------------------------------------------------------
def test_wb1_white_collar_full_month_2600():
    # WB-1: personal 13.07 % x 2,600.00 = 339.82. S = W = 2,600.00 <= M -> A = 127.54;
    # B = 171.99 - 0.2699 x (2,600.00 - 2,300.62) = 171.99 - 80.802662 = 91.187338 -> 91.19; 218.73 <= 339.82.
    row = one(gross="2600.00", personal="339.82")
    assert amounts(row) == (D("127.54"), D("91.19"), D("218.73"))
    assert (row["reference_wage"], row["fraction"], row["reason"]) == (D("2600"), D("1.00"), "granted")
    assert (row["volet_a_band"], row["volet_b_band"], row["bonus_table"]) == (1, 2, "volets")
    assert row["volet_a_source"] == "onss/work_bonus/white_collar/volet_a@2026-09-01 [secondary]"
    assert row["volet_b_source"] == "onss/work_bonus/white_collar/volet_b@2026-07-01 [secondary]"


def test_wb2_blue_collar_full_month_2600_at_100_percent():
    # WB-2: ONSS base 2,600.00 x 1.08 = 2,808.00, personal 13.07 % = 367.0056 -> 367.01. S = 2,600.00 (100 %);
    # ouvrier table: A = 137.74; B = 185.75 - 0.2915 x 299.38 = 185.75 - 87.269270 = 98.480730 -> 98.48; 236.22.
    row = one(gross="2600.00", personal="367.01", status="blue_collar")
    assert amounts(row) == (D("137.74"), D("98.48"), D("236.22"))
    assert row["reference_wage"] == D("2600")  # the wage at 100 %, not the 108 % base
    assert row["volet_b_parameter"] == "onss/work_bonus/blue_collar/volet_b"


def test_wb3_part_time_by_hours():
    # WB-3: U = 22 x 7.6 = 167.20 h, H = 22 x 3.8 = 83.60 h, W = 17.00 x 83.60 = 1,421.20.
    # W / H = 17.00; S = 17.00 x 167.20 = 2,842.40; f = 83.60 / 167.20 = 0.50.
    # R_A = 127.54; R_B = 171.99 - 0.2699 x 541.78 = 171.99 - 146.226422 = 25.763578 -> 25.76.
    # P_A = 0.50 x 127.54 = 63.77; P_B = 0.50 x 25.76 = 12.88; 76.65 <= personal 185.75.
    row = one(gross="1421.20", personal="185.75", hours=("83.60", "167.20"))
    assert (row["wage_per_unit"], row["reference_wage"], row["fraction"]) == (D("17.00"), D("2842.40"), D("0.50"))
    assert (row["volet_a_full"], row["volet_b_full"]) == (D("127.54"), D("25.76"))
    assert amounts(row) == (D("63.77"), D("12.88"), D("76.65"))
    assert row["fraction_basis"] == "hours"


def test_wb3_same_worker_by_work_fraction_and_contract_days():
    # No hours: H = work_fraction x J = 0.5 x 22 = 11 day-equivalents, U = D = 22.
    # W / H = 1,421.20 / 11 = 129.20; S = 129.20 x 22 = 2,842.40; f = 0.50 -> the same 76.65 as by hours.
    row = one(gross="1421.20", personal="185.75", fraction="0.5")
    assert (row["wage_per_unit"], row["reference_wage"], row["fraction"]) == (D("129.20"), D("2842.40"), D("0.50"))
    assert amounts(row) == (D("63.77"), D("12.88"), D("76.65"))
    assert row["fraction_basis"] == "days"


def test_wb4_above_and_near_the_upper_limit():
    # WB-4: W = 3,500.00 > H_A = 3,403.62 -> 0 (personal 457.45 unchanged).
    above = one(gross="3500.00", personal="457.45")
    assert amounts(above) == (D("0"), D("0"), D("0")) and above["reason"] == "above_limits"
    # W = 3,300.00: A = 127.54 - 0.2739 x (3,300.00 - 2,937.93) = 127.54 - 99.170973 = 28.369027 -> 28.37; B = 0.
    near = one(gross="3300.00", personal="431.31")
    assert amounts(near) == (D("28.37"), D("0"), D("28.37"))


def test_wb5_cap_binding_takes_volet_b_first():
    # WB-5: R_A 127.54 + R_B 171.99 = 299.53 > personal 13.07 % x 2,100.00 = 274.47; excess 25.06 from B.
    row = one(gross="2100.00", personal="274.47")
    assert amounts(row) == (D("127.54"), D("146.93"), D("274.47"))
    assert (row["before_cap"], row["cap_cut"], row["reason"]) == (D("299.53"), D("25.06"), "capped")
    # Ouvrier: base 2,268.00, personal 296.43; 137.74 + 185.75 = 323.49 -> B = 185.75 - 27.06 = 158.69.
    blue = one(gross="2100.00", personal="296.43", status="blue_collar")
    assert amounts(blue) == (D("137.74"), D("158.69"), D("296.43"))


def test_half_cent_products_round_up():
    # H / U = 41.80 / 167.20 = 0.25; W = 418.00: W / H = 10.00, S = 10.00 x 167.20 = 1,672.00 -> R 127.54 + 171.99.
    # P_A = 0.25 x 127.54 = 31.885 -> 31.89 (half up; the product is formed exactly before rounding);
    # P_B = 0.25 x 171.99 = 42.9975 -> 43.00. Cap 13.07 % x 418.00 = 54.6326 -> 54.63: excess 74.89 - 54.63 = 20.26
    # from B -> B = 22.74, A = 31.89.
    row = one(gross="418.00", personal="54.63", hours=("41.80", "167.20"))
    assert (row["volet_a_prorated"], row["volet_b_prorated"]) == (D("31.89"), D("43.00"))
    assert amounts(row) == (D("31.89"), D("22.74"), D("54.63"))


def test_cap_larger_than_volet_b_cuts_volet_a_too():
    # W = 500.00, personal 13.07 % = 65.35; 127.54 + 171.99 = 299.53: excess 234.18 = all of B (171.99)
    # and 62.19 of A -> A = 127.54 - 62.19 = 65.35, B = 0, bonus = 65.35 (the net personal contribution is 0).
    row = one(gross="500.00", personal="65.35")
    assert amounts(row) == (D("65.35"), D("0"), D("65.35"))
    assert row["cap_cut"] == D("234.18")


def test_wb6_incomplete_month_by_contract_days():
    # WB-6: hired 2026-09-16, 11 of 22 days. W / J = 1,300.00 / 11 = 118.1818... -> 118.18; S = 118.18 x 22 = 2,599.96;
    # f = 11 / 22 = 0.50. R_A = 127.54; R_B = 171.99 - 0.2699 x 299.34 = 91.198134 -> 91.20.
    # P_A = 63.77, P_B = 45.60, total 109.37 <= personal 169.91.
    row = one(gross="1300.00", personal="169.91", start=dt.date(2026, 9, 16))
    assert (row["paid_units"], row["full_time_units"]) == (D("11"), D("22"))
    assert (row["wage_per_unit"], row["reference_wage"], row["fraction"]) == (D("118.18"), D("2599.96"), D("0.50"))
    assert amounts(row) == (D("63.77"), D("45.60"), D("109.37"))


def test_wb7_date_sensitivity_2026():
    # WB-7, W = 2,900.00 (personal 379.03):
    # 2026-01: A = 123.00 - 0.2807 x (2,900.00 - 2,833.36) = 104.294152 -> 104.29 (B = 0: S > M = 2,833.36)
    # 2026-03: A = 123.00 - 0.2442 x 66.64 = 106.726512 -> 106.73
    # 2026-04: A = 125.04 - 0.2738 x (2,900.00 - 2,880.32) = 119.651616 -> 119.65 [unverified parameters]
    # 2026-07 and 2026-09: S <= M = 2,937.93 -> A = 127.54; B = 171.99 - 0.2699 x 599.38 = 10.220642 -> 10.22: 137.76
    periods = ["2026-01", "2026-03", "2026-04", "2026-07", "2026-09"]
    out = compute(*(month("2900.00", "379.03", period=p, employee=p) for p in periods))
    assert out["work_bonus"].to_list() == [D("104.29"), D("106.73"), D("119.65"), D("137.76"), D("137.76")]
    assert out["volet_a_source"][2] == "onss/work_bonus/white_collar/volet_a@2026-04-01 [unverified]"


# ------------------------------------------------------------------------------------------------
# Both sides of every table date (the table in force on the first day of the month)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after", "status", "gross", "expected"),
    [
        # 2024-03 single formula: 267.42 - 0.2579 x (2,500.00 - 2,054.01) = 267.42 - 115.020821 = 152.399179 -> 152.40.
        # 2024-04 volets: A = 115.91 (S <= M 2,669.96); B = 156.30 - 0.2699 x (2,500.00 - 2,090.78)
        #   = 156.30 - 110.448478 = 45.851522 -> 45.85; total 161.76.
        ("2024-03", "2024-04", "white_collar", "2500.00", (D("152.40"), D("161.76"))),
        # Ouvriers: 2024-03: 288.81 - 0.2786 x 445.99 = 288.81 - 124.252814 = 164.557186 -> 164.56.
        # 2024-04: A = 125.18; B = 168.80 - 0.2914 x 409.22 = 168.80 - 119.246708 = 49.553292 -> 49.55; 174.73.
        ("2024-03", "2024-04", "blue_collar", "2500.00", (D("164.56"), D("174.73"))),
        # 2024-04: B = 156.30 - 0.2699 x (2,132.59 - 2,090.78) = 156.30 - 11.284519 = 145.015481 -> 145.02;
        #   A 115.91: 260.93.
        # 2024-05: S = L_B 2,132.59 -> B = 159.43, A = 118.22: 277.65.
        ("2024-04", "2024-05", "white_collar", "2132.59", (D("260.93"), D("277.65"))),
        # Ouvriers, S = 2,175.25. 2025-01 (table of 2024-05-01, unverified): A = 127.68; B = 172.18 - 0.2915 x
        # (2,175.25 - 2,132.59) = 172.18 - 12.43539 = 159.74461 -> 159.74; total 287.42.
        # 2025-02: S = L_B 2,175.25 -> B = 175.63, A = 130.24: 305.87.
        ("2025-01", "2025-02", "blue_collar", "2175.25", (D("287.42"), D("305.87"))),
        # 2025-12: A = 120.59 - 0.2443 x (3,000.00 - 2,777.83) = 120.59 - 54.276131 = 66.313869 -> 66.31.
        # 2026-01: A = 123.00 - 0.2807 x (3,000.00 - 2,833.36) = 123.00 - 46.776848 = 76.223152 -> 76.22.
        ("2025-12", "2026-01", "white_collar", "3000.00", (D("66.31"), D("76.22"))),
        # 2026-02: S = 3,271.48 = H_A (slope 0.2807): 123.00 - 0.2807 x 438.12 = 123.00 - 122.980284 = 0.019716 -> 0.02.
        # 2026-03: H_A 3,336.98, slope 0.2442: 123.00 - 0.2442 x 438.12 = 123.00 - 106.988904 = 16.011096 -> 16.01.
        ("2026-02", "2026-03", "white_collar", "3271.48", (D("0.02"), D("16.01"))),
        # 2026-03: A = 123.00 - 0.2442 x (2,900.00 - 2,833.36) = 106.726512 -> 106.73;
        # 2026-04: A = 125.04 - 0.2738 x 19.68 = 119.651616 -> 119.65 (as WB-7).
        ("2026-03", "2026-04", "white_collar", "2900.00", (D("106.73"), D("119.65"))),
        # 2026-06: A = 135.04 - 0.2957 x (2,900.00 - 2,880.32) = 135.04 - 5.819376 = 129.220624 -> 129.22 (ouvrier).
        # 2026-07: S <= M 2,937.93 -> A = 137.74; B = 185.75 - 0.2915 x 599.38 = 185.75 - 174.71927 = 11.03073
        #   -> 11.03; total 148.77.
        ("2026-06", "2026-07", "blue_collar", "2900.00", (D("129.22"), D("148.77"))),
        # 2026-08: A = 127.54 - 0.3196 x (3,300.00 - 2,937.93) = 127.54 - 115.717572 = 11.822428 -> 11.82.
        # 2026-09: A = 127.54 - 0.2739 x 362.07 = 28.369027 -> 28.37 (WB-4).
        ("2026-08", "2026-09", "white_collar", "3300.00", (D("11.82"), D("28.37"))),
    ],
)
def test_both_sides_of_each_table_date(before, after, status, gross, expected):
    big = "1000.00"  # personal contribution well above the bonus: no cap
    out = compute(
        month(gross, big, period=before, status=status, employee="before"),
        month(gross, big, period=after, status=status, employee="after"),
    )
    assert tuple(out["work_bonus"].to_list()) == expected


def test_single_formula_then_volets_on_2024_04_01():
    out = compute(month("2500.00", "400", period="2024-03"), month("2500.00", "400", period="2024-04", employee="E2"))
    assert out["bonus_table"].to_list() == ["single_formula", "volets"]
    assert out["volet_a_parameter"].to_list() == ["onss/work_bonus/white_collar/single_formula"] + [
        "onss/work_bonus/white_collar/volet_a"
    ]
    assert out["volet_b_parameter"].to_list() == [None, "onss/work_bonus/white_collar/volet_b"]
    assert out["volet_b"][0] == 0  # the single bonus is reported as volet A (it carried the 33.14 % fiscal share)


def test_single_formula_second_slope_and_end():
    # 2024-02, single formula: S = 3,000.00 > 2,623.00: 252.26 - 0.2313 x (3,000.00 - 2,054.01)
    # = 252.26 - 218.807487 = 33.452513 -> 33.45; S = 3,144.46 > 3,144.45 -> 0.
    out = compute(month("3000.00", "400", period="2024-02"), month("3144.46", "411", period="2024-02", employee="E2"))
    assert out["work_bonus"].to_list() == [D("33.45"), D("0")]
    assert out["volet_a_band"].to_list() == [3, 4]


def test_before_the_history_is_a_missing_parameter():
    with pytest.raises(MissingParameterError):
        compute(month("2500.00", "400", period="2023-10"))


# ------------------------------------------------------------------------------------------------
# Both sides of every threshold of the September 2026 employé table
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gross", "a", "b", "bands"),
    [
        ("2300.62", "127.54", "171.99", (1, 1)),  # S = L_B: B at its maximum
        ("2300.63", "127.54", "171.99", (1, 2)),  # 171.99 - 0.2699 x 0.01 = 171.987301 -> 171.99 (band 2)
        ("2400.00", "127.54", "145.17", (1, 2)),  # 171.99 - 0.2699 x 99.38 = 171.99 - 26.822662 = 145.167338
        # S = M: B = 171.99 - 0.2699 x 637.31 = 171.99 - 172.009969 = -0.019969 -> never below 0
        ("2937.93", "127.54", "0", (1, 2)),
        ("2937.94", "127.54", "0", (2, 3)),  # A = 127.54 - 0.2739 x 0.01 = 127.537261 -> 127.54
        ("3403.00", "0.16", "0", (2, 3)),  # 127.54 - 0.2739 x 465.07 = 127.54 - 127.382673 = 0.157327
        ("3403.62", "0", "0", (2, 3)),  # 127.54 - 0.2739 x 465.69 = -0.012491 -> 0
        ("3403.63", "0", "0", (3, 3)),  # above H_A
    ],
)
def test_both_sides_of_each_threshold(gross, a, b, bands):
    row = one(gross=gross, personal="1000.00")
    assert (row["volet_a_full"], row["volet_b_full"]) == (D(a), D(b))
    assert (row["volet_a_band"], row["volet_b_band"]) == bands


# ------------------------------------------------------------------------------------------------
# Fractions, statuses, who gets it
# ------------------------------------------------------------------------------------------------
def test_fraction_rounds_half_up_and_is_capped_at_one():
    # H / U = 20.90 / 167.20 = 0.125 exactly -> 0.13 (0.005 rounds up). W = 400.00: W / H = 19.1387... -> 19.14;
    # S = 19.14 x 167.20 = 3,200.208; A = 127.54 - 0.2739 x (3,200.208 - 2,937.93) = 127.54 - 71.837944 = 55.702056
    # -> 55.70; B = 0; P_A = 0.13 x 55.70 = 7.241 -> 7.24 (personal 52.28).
    low = one(gross="400.00", personal="52.28", hours=("20.90", "167.20"))
    assert (low["fraction"], low["wage_per_unit"], low["reference_wage"]) == (D("0.13"), D("19.14"), D("3200.208"))
    assert amounts(low) == (D("7.24"), D("0"), D("7.24"))
    # More hours paid than the reference (overtime): a complete month, fraction 1 and S = W.
    over = one(gross="2600.00", personal="339.82", hours=("180.00", "167.20"))
    assert (over["fraction"], over["reference_wage"], over["complete_month"]) == (D("1.00"), D("2600"), True)
    assert over["work_bonus"] == D("218.73")  # as WB-1


def test_six_day_week_and_unpaid_days():
    # Monday-Saturday, September 2026: D = 30 days - 4 Sundays = 26; hired 2026-09-16: J = 13 -> f = 0.50;
    # W / J = 1,300.00 / 13 = 100.00; S = 100.00 x 26 = 2,600.00 -> R 127.54 + 91.19 -> P 63.77 + 45.60 (91.19 x 0.5
    # = 45.595 -> 45.60) = 109.37.
    six = one(gross="1300.00", personal="169.91", start=dt.date(2026, 9, 16), days=6)
    assert (six["paid_units"], six["full_time_units"], six["fraction"]) == (D("13"), D("26"), D("0.50"))
    assert amounts(six) == (D("63.77"), D("45.60"), D("109.37"))
    # Full month with 11 unpaid incapacity days (codes 10/11/50): J = 22 - 11 = 11 -> as WB-6 on W = 1,300.00.
    sick = one(gross="1300.00", personal="169.91", unpaid=11)
    assert amounts(sick) == (D("63.77"), D("45.60"), D("109.37"))


def test_contract_ending_and_no_paid_time():
    # Contract 2026-09-01 to 2026-09-15: 11 working days of 22 -> f = 0.50 (as WB-6 on W = 1,300.00).
    ended = one(gross="1300.00", personal="169.91", start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 15))
    assert ended["fraction"] == D("0.50") and ended["work_bonus"] == D("109.37")
    # Final pay after the contract ended: no paid day this month -> fraction 0, no bonus.
    after = one(gross="300.00", personal="39.21", start=dt.date(2025, 1, 1), end=dt.date(2026, 8, 31))
    assert (after["fraction"], after["work_bonus"], after["reason"]) == (D("0"), D("0"), "no_paid_time")


def test_guaranteed_wage_subject_to_onss_is_part_of_w():
    # W = 2,000.00 + 600.00 guaranteed wage (days 1-7, ONSS-subject) = 2,600.00 -> as WB-1.
    row = one(gross="2000.00", gw_onss="600.00", personal="339.82")
    assert (row["wage_100"], row["work_bonus"]) == (D("2600.00"), D("218.73"))


def test_workers_outside_the_personal_contribution_get_none():
    # Employed abroad (no Belgian 13.07 %): no bonus, whatever the wage; a null flag counts as not owing.
    out = compute(month("2100.00", "0", owes=False), month("2100.00", "0", owes=None, employee="E2"))
    assert out["work_bonus"].to_list() == [D("0"), D("0")]
    assert out["reason"].to_list() == ["not_subject", "not_subject"]


def test_output_columns_and_types():
    out = compute(month("2600.00", "339.82"))
    assert out.schema == pl.Schema(OUTPUT_SCHEMA)
    assert compute_work_bonus(pl.DataFrame(schema=SCHEMA), PARAMS).schema == pl.Schema(OUTPUT_SCHEMA)


def test_some_columns_only_are_those_of_the_whole_computation():
    # The monthly job asks for the contribution lines' columns only: the same figures, in the schema's order.
    rows = [
        month("2600.00", "339.82"),  # WB-1: 218.73
        month("1900.00", "248.33", hours=("80", "152"), employee="E2"),
        month("2100.00", "0", owes=False, employee="E3"),  # not subject: 0
    ]
    frame = pl.DataFrame(rows, schema=SCHEMA)
    part = compute_work_bonus(frame, PARAMS, ["work_bonus", "employee_id", "volet_a_source"])
    assert part.columns == ["employee_id", "work_bonus", "volet_a_source"]
    assert part.equals(compute(*rows).select(part.columns))
    assert part["work_bonus"].to_list()[::2] == [D("218.73"), D("0")]
    empty = compute_work_bonus(pl.DataFrame(schema=SCHEMA), PARAMS, ["employee_id", "work_bonus"])
    assert empty.schema == pl.Schema({"employee_id": pl.String, "work_bonus": MONEY})
    with pytest.raises(ValueError, match="unknown output column"):
        compute_work_bonus(frame, PARAMS, ["bonus"])


# ------------------------------------------------------------------------------------------------
# The published tables are consistent with their own construction
# ------------------------------------------------------------------------------------------------
def _volet_rows(status: str, volet: str):
    for value in PARAMS.get(f"onss/work_bonus/{status}/{volet}").values:
        if value.value is not None:
            yield value.effective_from, value.value.brackets


@pytest.mark.parametrize("volet", ["volet_a", "volet_b"])
def test_slopes_are_maximum_over_width_and_ouvrier_maxima_are_108_percent(volet):
    white = dict(_volet_rows("white_collar", volet))
    blue = dict(_volet_rows("blue_collar", volet))
    for day in white.keys() | blue.keys():
        on = day
        w = PARAMS.value(f"onss/work_bonus/white_collar/{volet}", on).brackets
        b = PARAMS.value(f"onss/work_bonus/blue_collar/{volet}", on).brackets
        for brackets in (w, b):
            flat, slope, end = brackets
            width = end.threshold - slope.threshold
            assert flat.amount == slope.amount and slope.base == slope.threshold and end.amount == 0
            assert -slope.rate == (flat.amount / width).quantize(Decimal("0.0001"), ROUND_HALF_UP), (volet, day)
        assert b[0].amount == (w[0].amount * Decimal("1.08")).quantize(CENT, ROUND_HALF_UP), (volet, day)
        assert [x.threshold for x in w] == [x.threshold for x in b]


def test_fiscal_work_bonus_percentages_are_loaded():
    # 33.14 % of the whole bonus until 2024-03-31, then 33.14 % of volet A and 52.54 % of volet B
    # (art. 289ter/1 CIR 92).
    a, b = "withholding/fiscal_work_bonus/volet_a_rate", "withholding/fiscal_work_bonus/volet_b_rate"
    assert PARAMS.value(a, dt.date(2024, 3, 31)) == D("0.3314") and PARAMS.value(b, dt.date(2024, 3, 31)) is None
    assert PARAMS.value(a, dt.date(2024, 4, 1)) == D("0.3314") and PARAMS.value(b, dt.date(2024, 4, 1)) == D("0.5254")


# ------------------------------------------------------------------------------------------------
# Explanation
# ------------------------------------------------------------------------------------------------
def test_explanation_shows_the_path_of_each_figure():
    row = compute(month("1421.20", "185.75", hours=("83.60", "167.20"))).row(0, named=True)
    text = explain_work_bonus(row, PARAMS)
    assert "S = round(W / H) × U = 17.00 × 167.20 = 2,842.40" in text
    assert "fraction = round2(H / U) = 0.50" in text
    assert (
        "volet B: band 2 of onss/work_bonus/white_collar/volet_b [2026-07-01, secondary]: "
        "2300.62 < S <= 2937.93: 171.99 - 0.2699 × (S - 2300.62) -> R = 25.76" in text
    )
    assert "<https://github.com/Jspmoi19/duxsalary> [secondary]" in text
    assert "Prorated: 0.50 × 127.54 = 63.77 (A); 0.50 × 25.76 = 12.88 (B)" in text
    assert text.endswith("Work bonus = 63.77 (A) + 12.88 (B) = 76.65 [granted]")
    capped = explain_work_bonus(compute(month("2100.00", "274.47")).row(0, named=True), PARAMS)
    assert "A + B = 299.53 > personal contribution (13.07 % line) 274.47: 25.06 taken from volet B first" in capped
    single = explain_work_bonus(compute(month("2500.00", "400", period="2024-03")).row(0, named=True), PARAMS)
    assert "single formula (reported as volet A): band 2 of onss/work_bonus/white_collar/single_formula" in single
    abroad = explain_work_bonus(compute(month("2100.00", "0", owes=False)).row(0, named=True), PARAMS)
    assert "no work bonus" in abroad


# ------------------------------------------------------------------------------------------------
# Property: the column arithmetic equals Python's decimal with ROUND_HALF_UP
# ------------------------------------------------------------------------------------------------
# September 2026 employé table, copied from the published values (an independent reference).
A_MAX, M, H_A, C_A = D("127.54"), D("2937.93"), D("3403.62"), D("0.2739")
B_MAX, L_B, C_B = D("171.99"), D("2300.62"), D("0.2699")


def _cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def reference(gross: Decimal, paid: Decimal, full: Decimal, cap: Decimal) -> tuple[Decimal, Decimal]:
    """(volet A, volet B) after the cap, computed with Python's decimal."""
    if paid >= full:
        s, f = gross, Decimal(1)
    elif paid == 0:
        s, f = gross, Decimal(0)
    else:
        s, f = _cents(gross / paid) * full, _cents(paid / full)
    ra = A_MAX if s <= M else (A_MAX - C_A * (s - M) if s <= H_A else Decimal(0))
    rb = B_MAX if s <= L_B else (B_MAX - C_B * (s - L_B) if s <= M else Decimal(0))
    pa, pb = _cents(f * max(_cents(ra), Decimal(0))), _cents(f * max(_cents(rb), Decimal(0)))
    excess = max(pa + pb - cap, Decimal(0))
    cut_b = min(pb, excess)
    return pa - (excess - cut_b), pb - cut_b


money = st.integers(0, 450_000).map(lambda c: Decimal(c) / 100)
row_strategy = st.tuples(
    money,  # gross
    st.integers(0, 20_000).map(lambda c: Decimal(c) / 100),  # paid hours
    st.sampled_from([D("167.20"), D("160.00"), D("152.00"), D("173.33")]),  # full-time hours
    st.integers(0, 60_000).map(lambda c: Decimal(c) / 100),  # cap
)


@settings(max_examples=40, deadline=None)
@given(st.lists(row_strategy, min_size=1, max_size=60))
def test_property_matches_python_decimal_half_up(rows):
    frame = [month(str(g), str(cap), hours=(str(h), str(u)), employee=f"E{i}") for i, (g, h, u, cap) in enumerate(rows)]
    out = compute(*frame)
    for (g, h, u, cap), a, b in zip(rows, out["volet_a"], out["volet_b"]):
        assert (a, b) == reference(g, h, u, cap), (g, h, u, cap)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000_000))
def test_property_wage_at_100_percent_is_the_blue_collar_base_over_108(cents):
    # For any gross g (cents), round(round(g x 1.08) / 1.08) = g: |round(g x 1.08) - g x 1.08| <= 0.005 and
    # / 1.08 < 0.005; so W at 100 % (gross + guaranteed wage) is the ONSS base / 1.08 to the cent.
    g = Decimal(cents) / 100
    assert _cents(_cents(g * D("1.08")) / D("1.08")) == g
