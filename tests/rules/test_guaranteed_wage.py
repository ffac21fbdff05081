"""Guaranteed wage on sickness / private accident (data contract computation 1).

Hand-worked cases. Legal basis cited in each test:
- law of 3 July 1978 on employment contracts (LCT) art. 52 (blue collars: 7 days 100 %, one month
  of service), art. 70 (white collars: 30 days 100 %), art. 71 (white collars engaged for less
  than 3 months), art. 52 § 2 / 73 § 1 (relapse: 14 days, 8 weeks for incapacities starting from
  2026-01-01, law of 19 December 2025);
- CNT CCT 12bis (blue collars: 85.88 % days 8-14; days 15-30 complement 25.88 % below / 85.88 %
  above the INAMI ceiling) and CCT 13bis (short white collars: 86.93 %, 26.93 % / 86.93 %);
- law of 4 January 1974 / AR 18 April 1974 (public holiday within 30 days of the incapacity start).
Amounts: round(daily_wage x rate) once per day, half away from zero (data contract "Money").
INAMI ceilings (6-day basis, x 6/5 for a 5-day week; CGSLB table, INAMI "Votre plafond salarial"): start-from-2024 band
179.5442 (2024-05 .. 2025), 183.1311 (2026-01/02) -> 219.75732 on 5 days, 186.7916 (2026-03..08)
-> 224.14992 on 5 days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from decimal import Decimal

import holidays
import polars as pl
import pytest

from pipeline.core.params import default_parameters
from pipeline.core.rejects import REJECT_SCHEMA
from pipeline.errors import MissingParameterError
from pipeline.rules.guaranteed_wage import DAYS_SCHEMA, MONTHLY_SCHEMA, compute_guaranteed_wage
from pipeline.testing.builders import validated

D = Decimal
d = dt.date.fromisoformat


def emp(eid, status="blue_collar", ctype="open_ended", start="2020-01-01", end=None, days=5):
    return {
        "employee_id": eid,
        "worker_status": status,
        "contract_type": ctype,
        "contract_start": d(start),
        "contract_end": d(end) if end else None,
        "weekly_work_days": days,
    }


def episode(eid, start, end, cause="illness", other=False, partial=False):
    return {
        "employee_id": eid,
        "start_date": d(start) if start else None,
        "end_date": d(end) if end else None,
        "cause": cause,
        "other_cause": other,
        "partial_resumption": partial,
    }


def wage(eid, period, daily):
    return {
        "employee_id": eid,
        "period": period,
        "daily_wage": D(daily) if daily is not None else None,
    }


def run(employees, absences, pay, period):
    """Validated frames of the rows (the input contract's builders: source lines numbered from 2 like a
    CSV, every other column valid) and compute."""
    return compute_guaranteed_wage(
        validated("employees", *employees, n=len(employees)),
        validated("absences", *absences, n=len(absences)),
        validated("pay", *pay, n=len(pay)),
        period,
        default_parameters(),
    )


def day(result, eid, date):
    rows = result.days.filter((pl.col("employee_id") == eid) & (pl.col("date") == d(date))).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def totals(result, eid):
    rows = result.monthly.filter(pl.col("employee_id") == eid).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]["guaranteed_wage_onss"], rows[0]["guaranteed_wage_exempt"]


def bands(result, eid):
    return result.days.filter(pl.col("employee_id") == eid).select("date", "day_rank", "band", "payer", "amount")


# ----------------------------------------------------------------------------------------------
# Issue cases
# ----------------------------------------------------------------------------------------------


def test_blue_collar_ill_20_days_across_a_month_end():
    """LCT art. 52 § 1 + CCT 12bis. Ill Tue 2026-01-20 .. Sun 2026-02-08 (ranks 1-20), 5-day week,
    normal pay 121.60/day (16 EUR/h x 7.6 h).

    January: ranks 1-7 = 20..26 Jan, working Tue 20 - Fri 23 + Mon 26 = 5 x 121.60 = 608.00 (ONSS, code 1);
             ranks 8-12 = 27..31 Jan, working Tue 27 - Fri 30 = 4 x round(121.60 x 0.8588 = 104.43008)
             = 4 x 104.43 = 417.72 (exempt, code 10).
    February: rank 13 = Sun 1, rank 14 = Mon 2 -> 104.43 (code 10);
              ranks 15-20 = 3..8 Feb, working Tue 3 - Fri 6: complement, 121.60 < ceiling 219.75732,
              round(0.2588 x 121.60 = 31.47008) = 31.47 x 4 = 125.88 (code 11);
              exempt = 104.43 + 125.88 = 230.31.
    """
    employees = [emp("B1")]
    absences = [episode("B1", "2026-01-20", "2026-02-08")]
    pay = [wage("B1", "2026-01", "121.60"), wage("B1", "2026-02", "121.60")]

    jan = run(employees, absences, pay, "2026-01")
    assert totals(jan, "B1") == (D("608.00"), D("417.72"))
    assert (day(jan, "B1", "2026-01-26")["day_rank"], day(jan, "B1", "2026-01-26")["amount"]) == (7, D("121.60"))
    first = day(jan, "B1", "2026-01-20")
    assert (
        first["day_rank"],
        first["band"],
        first["payer"],
        first["amount"],
        first["onss_subject"],
        first["service_code"],
    ) == (1, "G100", "employer", D("121.60"), True, 1)
    saturday = day(jan, "B1", "2026-01-24")
    assert (saturday["band"], saturday["payer"], saturday["amount"], saturday["service_code"]) == (
        "G100",
        "none",
        D("0.00"),
        None,
    )
    week2 = day(jan, "B1", "2026-01-27")
    assert (
        week2["day_rank"],
        week2["band"],
        week2["rate"],
        week2["amount"],
        week2["onss_subject"],
        week2["service_code"],
    ) == (8, "WEEK2", D("0.858800"), D("104.43"), False, 10)
    assert jan.days.filter(pl.col("employee_id") == "B1").height == 12  # 20..31 January

    feb = run(employees, absences, pay, "2026-02")
    assert totals(feb, "B1") == (D("0.00"), D("230.31"))
    assert day(feb, "B1", "2026-02-01")["day_rank"] == 13
    assert day(feb, "B1", "2026-02-02")["amount"] == D("104.43")
    comp = day(feb, "B1", "2026-02-03")
    assert (
        comp["day_rank"],
        comp["band"],
        comp["rate"],
        comp["rate_above_ceiling"],
        comp["daily_ceiling"],
        comp["amount"],
        comp["service_code"],
    ) == (15, "COMPLEMENT", D("0.258800"), D("0.858800"), D("219.757320"), D("31.47"), 11)
    assert feb.rejects.height == 0


def test_white_collar_open_ended_ill_40_days():
    """LCT art. 70: white collar, open-ended, 100 % for ranks 1-30, all ONSS-subject (code 1); rank 31+
    mutuality (code 50). Ill Mon 2026-03-02 .. Fri 2026-04-10, 200.00/day.

    March = ranks 1-30 (2..31 March): 22 working days (2-6, 9-13, 16-20, 23-27, 30-31) x 200.00 = 4,400.00.
    April = ranks 31-40: nothing from the employer; 8 working days carry code 50. Easter Monday 2026-04-06
    is episode day 36, beyond the 30-day public-holiday window: not paid either.
    """
    employees = [emp("W1", status="white_collar")]
    absences = [episode("W1", "2026-03-02", "2026-04-10")]
    pay = [wage("W1", "2026-03", "200.00"), wage("W1", "2026-04", "200.00")]

    mar = run(employees, absences, pay, "2026-03")
    assert totals(mar, "W1") == (D("4400.00"), D("0.00"))
    rank30 = day(mar, "W1", "2026-03-31")
    assert (rank30["day_rank"], rank30["band"], rank30["amount"], rank30["service_code"]) == (
        30,
        "G100",
        D("200.00"),
        1,
    )
    assert set(mar.days.get_column("band")) == {"G100"}

    apr = run(employees, absences, pay, "2026-04")
    assert totals(apr, "W1") == (D("0.00"), D("0.00"))
    rank31 = day(apr, "W1", "2026-04-01")
    assert (rank31["day_rank"], rank31["band"], rank31["payer"], rank31["service_code"]) == (
        31,
        "MUTUALITY",
        "mutuality",
        50,
    )
    easter_monday = day(apr, "W1", "2026-04-06")
    assert (easter_monday["public_holiday"], easter_monday["band"], easter_monday["amount"]) == (
        True,
        "MUTUALITY",
        D("0.00"),
    )
    assert apr.days.filter(pl.col("service_code") == 50).height == 8


def test_white_collar_on_a_two_month_contract():
    """LCT art. 71 + CCT 13bis: fixed term 2026-01-05 .. 2026-03-04 (< 3 months: 2026-03-05 < 2026-04-05),
    one month of service needed (reached 2026-02-05). Ill Mon 2026-02-02 .. Wed 2026-02-25, 250.00/day.

    ranks 1-3 (2..4 Feb): no seniority -> mutuality, code 50, 0.00.
    ranks 4-7 (5..8 Feb): 100 %, working Thu 5, Fri 6 = 2 x 250.00 = 500.00 (ONSS).
    ranks 8-14 (9..15 Feb): 86.93 %: 250 x 0.8693 = 217.325 -> 217.33 (half away from zero; half-even would
             give 217.32) x 5 = 1,086.65.
    ranks 15-24 (16..25 Feb): ceiling 219.75732 (183.1311 x 6/5):
             0.2693 x 219.75732 + 0.8693 x (250 - 219.75732) = 59.180646276 + 26.289961724 = 85.470608
             -> 85.47 x 8 working days = 683.76.
    exempt = 1,086.65 + 683.76 = 1,770.41.
    """
    result = run(
        [emp("S1", status="white_collar", ctype="fixed_term", start="2026-01-05", end="2026-03-04")],
        [episode("S1", "2026-02-02", "2026-02-25")],
        [wage("S1", "2026-02", "250.00")],
        "2026-02",
    )
    assert day(result, "S1", "2026-02-04")["band"] == "NO_SENIORITY"
    assert day(result, "S1", "2026-02-04")["service_code"] == 50
    assert day(result, "S1", "2026-02-05")["band"] == "G100"
    assert day(result, "S1", "2026-02-09")["amount"] == D("217.33")
    assert day(result, "S1", "2026-02-16")["amount"] == D("85.47")
    assert day(result, "S1", "2026-02-16")["rate"] == D("0.269300")
    assert totals(result, "S1") == (D("500.00"), D("1770.41"))
    assert set(result.days.get_column("regime")) == {"white_collar_short"}


@pytest.mark.parametrize(
    ("contract_start", "contract_end", "regime"),
    [
        # Judicial Code art. 54: a term in months runs "de quantième à veille de quantième".
        ("2026-01-05", "2026-04-04", "white_collar_long"),  # 5 Jan .. 4 Apr: exactly three months (art. 70)
        ("2026-01-05", "2026-04-03", "white_collar_short"),  # one day less: art. 71
        # No 31 April: the eve of the missing day is 30 April, the month's last day.
        ("2026-01-31", "2026-04-30", "white_collar_long"),
        ("2026-01-31", "2026-04-29", "white_collar_short"),
        # From 30 November: no 30 February -> the term ends on 28 February 2026 ...
        ("2025-11-30", "2026-02-28", "white_collar_long"),
        ("2025-11-30", "2026-02-27", "white_collar_short"),
        # ... from 29 November as well in a common year (no 29 February 2026) ...
        ("2025-11-29", "2026-02-28", "white_collar_long"),
        ("2025-11-29", "2026-02-27", "white_collar_short"),
        # ... but on 29 February in a leap year (from 30 November 2027)
        ("2027-11-30", "2028-02-29", "white_collar_long"),
        ("2027-11-30", "2028-02-28", "white_collar_short"),
        # From 28 / 29 February: the quantième is the 28th / 29th, the eve the 27th / 28th of May
        ("2026-02-28", "2026-05-27", "white_collar_long"),
        ("2026-02-28", "2026-05-26", "white_collar_short"),
        ("2028-02-29", "2028-05-28", "white_collar_long"),
        ("2028-02-29", "2028-05-27", "white_collar_short"),
    ],
)
def test_three_month_term_edge(contract_start, contract_end, regime):
    """LCT art. 71 'moins de trois mois': a term of three months or more is art. 70. The term's last day is
    the eve of the same day of the month three months after the start (Judicial Code art. 54), or the last day
    of that month when it has no such day. Ill on the contract's last day (any day works: the regime is the
    contract's)."""
    period = contract_end[:7]
    result = run(
        [emp("S2", status="white_collar", ctype="fixed_term", start=contract_start, end=contract_end)],
        [episode("S2", contract_end, contract_end)],
        [wage("S2", period, "100.00")],
        period,
    )
    assert set(result.days.get_column("regime")) == {regime}


@pytest.mark.parametrize(
    ("ill_until", "band", "onss", "exempt"),
    [
        # Thu 30 April is still in the first month of service (31 March .. 30 April): nothing paid in April
        ("2026-04-30", "NO_SENIORITY", "0.00", "0.00"),
        # May: Fri 1 May a holiday in the window (100.00, ONSS); Mon 4 May rank 8 at 85.88 % = 85.88
        ("2026-05-04", "WEEK2", "100.00", "85.88"),
    ],
)
def test_one_month_of_service_from_the_31st(ill_until, band, onss, exempt):
    """LCT art. 52 § 1: one month of uninterrupted service, counted as a term in months (Judicial Code
    art. 54, month-end fallback): a blue collar hired Tue 2026-03-31 completes it at the end of Thu 30 April
    (there is no 31 April), so the right opens on 1 May. Ill Mon 2026-04-27 .. ill_until, 100.00/day."""
    period = ill_until[:7]
    result = run(
        [emp("M1", start="2026-03-31")],
        [episode("M1", "2026-04-27", ill_until)],
        [wage("M1", period, "100.00")],
        period,
    )
    assert day(result, "M1", ill_until)["band"] == band
    assert totals(result, "M1") == (D(onss), D(exempt))


def test_blue_collar_above_the_ceiling_across_the_year_end_with_new_year_holiday():
    """CCT 12bis: 304.00/day (40 EUR/h x 7.6 h), 5-day week, January 2026.
    Ill Mon 2025-12-29 .. Sat 2026-01-31 (crosses the year end; ranks continue).

    December 2025: ranks 1-3 = Mon 29 - Wed 31 = 3 x 304.00 = 912.00 (ONSS).
    January 2026: Thu 1 Jan (rank 4, episode day 4) is New Year's Day: public-holiday pay 100 % = 304.00
      (law of 4 January 1974: holiday within 30 days of the start; ONSS-subject, code 1);
      Fri 2 (rank 5) = 304.00 -> ONSS 608.00.
      ranks 8-14 = 5..11 Jan: round(304 x 0.8588 = 261.0752) = 261.08 x 5 = 1,305.40 (code 10).
      ranks 15-30 = 12..27 Jan, ceiling 183.1311 x 6/5 = 219.75732:
        0.2588 x 219.75732 + 0.8588 x (304 - 219.75732) = 56.873194416 + 72.347213584 = 129.220408
        -> 129.22 (the same as the weekly apportionment below / above 6 x ceiling) x 12 working days = 1,550.64.
      exempt = 1,305.40 + 1,550.64 = 2,856.04. ranks 31-34 (28..31 Jan): mutuality.
    """
    employees = [emp("B4")]
    absences = [episode("B4", "2025-12-29", "2026-01-31")]
    pay = [wage("B4", "2025-12", "304.00"), wage("B4", "2026-01", "304.00")]

    dec = run(employees, absences, pay, "2025-12")
    assert totals(dec, "B4") == (D("912.00"), D("0.00"))
    jan = run(employees, absences, pay, "2026-01")
    new_year = day(jan, "B4", "2026-01-01")
    assert (
        new_year["day_rank"],
        new_year["band"],
        new_year["rate"],
        new_year["amount"],
        new_year["onss_subject"],
        new_year["service_code"],
    ) == (4, "PUBLIC_HOLIDAY", D("1.000000"), D("304.00"), True, 1)
    comp = day(jan, "B4", "2026-01-12")
    assert (comp["day_rank"], comp["daily_ceiling"], comp["amount"]) == (15, D("219.757320"), D("129.22"))
    assert day(jan, "B4", "2026-01-28")["band"] == "MUTUALITY"
    assert totals(jan, "B4") == (D("608.00"), D("2856.04"))


@pytest.mark.parametrize(
    ("daily_wage", "complement"),
    [
        # just below the 5-day ceiling 219.75732: 0.2588 x 219.75 = 56.8713 -> 56.87
        ("219.75", "56.87"),
        # just above: 0.2588 x 219.75732 + 0.8588 x 0.00268 = 56.873194416 + 0.002301584 = 56.875496 -> 56.88
        # (a formula ignoring the part above the ceiling would give 0.2588 x 219.76 = 56.8739 -> 56.87)
        ("219.76", "56.88"),
    ],
)
def test_complement_on_both_sides_of_the_ceiling(daily_wage, complement):
    """CCT 12bis: 25.88 % below + 85.88 % above the INAMI ceiling (the mutuality pays 60 % of the capped wage)."""
    result = run(
        [emp("B5")], [episode("B5", "2026-01-05", "2026-01-19")], [wage("B5", "2026-01", daily_wage)], "2026-01"
    )
    comp = day(result, "B5", "2026-01-19")  # Mon, rank 15
    assert (comp["day_rank"], comp["band"], comp["amount"]) == (15, "COMPLEMENT", D(complement))


def test_relapse_after_10_days_in_2025_continues_the_count():
    """LCT art. 52 § 2 (14 days before 2026): E1 Mon 2025-03-03 .. Fri 03-14 (ranks 1-12); E2 starts Mon 03-24,
    10 days after E1's end -> relapse, ranks 13-17 (balance only). 121.60/day, March 2025.

    E1: ranks 1-7 (3..9 Mar) 5 x 121.60 = 608.00 ONSS; ranks 8-12 (10..14 Mar) 5 x 104.43 = 522.15.
    E2: ranks 13-14 (Mon 24, Tue 25) 2 x 104.43 = 208.86; ranks 15-17 (26..28) complement
        round(0.2588 x 121.60) = 31.47 x 3 = 94.41 (121.60 < ceiling 179.5442 x 6/5 = 215.45304).
    exempt = 522.15 + 208.86 + 94.41 = 825.42. (As a new period E2 would be 5 x 121.60 = 608.00 ONSS.)
    """
    result = run(
        [emp("R1")],
        [episode("R1", "2025-03-03", "2025-03-14"), episode("R1", "2025-03-24", "2025-03-28")],
        [wage("R1", "2025-03", "121.60")],
        "2025-03",
    )
    relapse_day = day(result, "R1", "2025-03-24")
    assert (relapse_day["day_rank"], relapse_day["band"], relapse_day["relapse"], relapse_day["chain_start"]) == (
        13,
        "WEEK2",
        True,
        d("2025-03-03"),
    )
    assert day(result, "R1", "2025-03-26")["band"] == "COMPLEMENT"
    assert totals(result, "R1") == (D("608.00"), D("825.42"))


def test_relapse_after_6_weeks_continues_in_2026_but_not_in_2025():
    """LCT art. 52 § 2 as amended by the law of 19 December 2025: 8 weeks (56 days) for incapacities
    starting from 2026-01-01, 14 days before. Both cases: E1 Mon .. Fri (5 days, ranks 1-5), E2 starts
    42 days after E1's end (6 weeks), 121.60/day.

    2026: E1 2026-01-05..01-09, E2 Fri 2026-02-20..02-27: 42 <= 56 -> relapse, ranks 6..13.
          Fri 20 rank 6 = 121.60 ONSS; Mon 23 - Fri 27 ranks 9-13 = 5 x 104.43 = 522.15 exempt.
    2025: E1 2025-01-06..01-10, E2 Fri 2025-02-21..02-28: 42 > 14 -> new period, ranks 1..8.
          Fri 21, Mon 24 - Thu 27 = ranks 1,4,5,6,7 = 5 x 121.60 = 608.00; Fri 28 rank 8 = 104.43.
    """
    y2026 = run(
        [emp("R2")],
        [episode("R2", "2026-01-05", "2026-01-09"), episode("R2", "2026-02-20", "2026-02-27")],
        [wage("R2", "2026-02", "121.60")],
        "2026-02",
    )
    assert day(y2026, "R2", "2026-02-20")["day_rank"] == 6
    assert day(y2026, "R2", "2026-02-20")["relapse"] is True
    assert day(y2026, "R2", "2026-02-27")["day_rank"] == 13
    assert totals(y2026, "R2") == (D("121.60"), D("522.15"))

    y2025 = run(
        [emp("R3")],
        [episode("R3", "2025-01-06", "2025-01-10"), episode("R3", "2025-02-21", "2025-02-28")],
        [wage("R3", "2025-02", "121.60")],
        "2025-02",
    )
    assert day(y2025, "R3", "2025-02-21")["day_rank"] == 1
    assert day(y2025, "R3", "2025-02-21")["relapse"] is False
    assert totals(y2025, "R3") == (D("608.00"), D("104.43"))


@pytest.mark.parametrize(
    ("first_end", "relapse_start", "expected_rank"),
    [
        ("2025-06-06", "2025-06-20", 6),  # 14 days after the end: still a relapse (14-day rule)
        ("2025-06-06", "2025-06-21", 1),  # 15 days: new period
        ("2026-06-05", "2026-07-31", 6),  # 56 days (8 weeks): relapse
        ("2026-06-05", "2026-08-01", 1),  # 57 days: new period
    ],
)
def test_relapse_window_edges(first_end, relapse_start, expected_rank):
    """LCT art. 52 § 2: the relapse period counts calendar days from the day after the end of the previous
    incapacity. E1 is 5 days long (ranks 1-5), so a relapse starts at rank 6."""
    e1_start = (d(first_end) - dt.timedelta(days=4)).isoformat()
    period = relapse_start[:7]
    result = run(
        [emp("R4")],
        [episode("R4", e1_start, first_end), episode("R4", relapse_start, relapse_start)],
        [wage("R4", period, "100.00")],
        period,
    )
    assert day(result, "R4", relapse_start)["day_rank"] == expected_rank


@pytest.mark.parametrize(
    ("relapse_start", "expected_rank"),
    [
        # starts 2025-12-31: 14-day rule; 21 days after the end of E1 -> new period
        ("2025-12-31", 1),
        # starts 2026-01-01: 8-week rule keyed on the NEW episode's start; 22 days -> relapse, rank 10 + 1
        ("2026-01-01", 11),
    ],
)
def test_relapse_window_is_keyed_on_the_new_episode_start(relapse_start, expected_rank):
    """Law of 19 December 2025: 8 weeks for incapacities starting on or after 2026-01-01; an incapacity
    that starts on 2025-12-31 stays under the 14-day rule. E1 = 2025-12-01 .. 2025-12-10 (10 days)."""
    period = relapse_start[:7]
    result = run(
        [emp("R5")],
        [episode("R5", "2025-12-01", "2025-12-10"), episode("R5", relapse_start, "2026-01-02")],
        [wage("R5", period, "100.00")],
        period,
    )
    assert day(result, "R5", relapse_start)["day_rank"] == expected_rank


def test_other_cause_breaks_the_chain_and_starts_a_new_one():
    """LCT art. 52 § 2 / 73 § 1 exception: a certificate showing a different illness opens a new period.
    E1 2026-01-05..01-16 (12 days); E2 2026-02-02..02-06 other_cause (within 8 weeks, but new: ranks 1-5);
    E3 2026-02-16..02-20 relapses from E2 (10 days later, same cause): ranks 6-10, not 18-22.
    White collar long (art. 70) so every working day is 100 %: February = 10 x 150.00 = 1,500.00 ONSS.
    """
    result = run(
        [emp("O1", status="white_collar")],
        [
            episode("O1", "2026-01-05", "2026-01-16"),
            episode("O1", "2026-02-02", "2026-02-06", other=True),
            episode("O1", "2026-02-16", "2026-02-20"),
        ],
        [wage("O1", "2026-02", "150.00")],
        "2026-02",
    )
    assert day(result, "O1", "2026-02-02")["day_rank"] == 1
    assert day(result, "O1", "2026-02-02")["relapse"] is False
    assert day(result, "O1", "2026-02-16")["day_rank"] == 6
    assert day(result, "O1", "2026-02-16")["chain_start"] == d("2026-02-02")
    assert totals(result, "O1") == (D("1500.00"), D("0.00"))


def test_chain_of_several_relapses_carries_the_offset():
    """LCT art. 52 § 1 al. 3: each relapse continues the count of the previous one; E1 10 days, E2 5 days
    (gap 5), E3 3 days (gap 5) -> E3 starts at rank 16; E4 60 days after E3 (> 56) is a new period."""
    result = run(
        [emp("C1")],
        [
            episode("C1", "2026-01-01", "2026-01-10"),
            episode("C1", "2026-01-16", "2026-01-20"),
            episode("C1", "2026-01-26", "2026-01-28"),
            episode("C1", "2026-03-29", "2026-03-31"),
        ],
        [wage("C1", "2026-01", "100.00"), wage("C1", "2026-03", "100.00")],
        "2026-01",
    )
    assert day(result, "C1", "2026-01-16")["day_rank"] == 11
    assert day(result, "C1", "2026-01-26")["day_rank"] == 16
    assert day(result, "C1", "2026-01-28")["day_rank"] == 18
    march = run(
        [emp("C1")],
        [
            episode("C1", "2026-01-01", "2026-01-10"),
            episode("C1", "2026-01-16", "2026-01-20"),
            episode("C1", "2026-01-26", "2026-01-28"),
            episode("C1", "2026-03-29", "2026-03-31"),
        ],
        [wage("C1", "2026-03", "100.00")],
        "2026-03",
    )
    assert day(march, "C1", "2026-03-29")["day_rank"] == 1


# ----------------------------------------------------------------------------------------------
# The relapse anchor: the last incapacity that gave rise to guaranteed wage
# ----------------------------------------------------------------------------------------------


def test_successive_relapses_are_measured_from_the_last_spell_that_paid_guaranteed_wage():
    """LCT art. 52 § 1 al. 3: no new guaranteed wage within 14 days (incapacities starting before 2026) "suivant
    la fin d'une période d'incapacité de travail ayant donné lieu au paiement du salaire garanti". Securex
    Lex4You "rechutes successives" example, blue collar on a 6-day week (he resumes work on a Saturday),
    120.00/day, ceiling 179.5442 (6-day basis, no x 6/5):
      E1 Tue 2025-09-23 .. Fri 10-10 (ranks 1-18: 100 % / 85.88 % / complement) -> gave rise to guaranteed wage;
      E2 Mon 10-20 .. Tue 11-11, 10 days after E1: relapse, ranks 19-41 -> only the complement (25.88 %) until
         31 October, then mutuality; Sat 1 and Tue 11 November are public holidays within 30 days of E2's start.
         E2 paid no day at 100 % or 85.88 %: it is no anchor;
      E3 Thu 11-20 .. Sat 2026-02-28: 9 days after E2 but 41 days after E1 (the last anchor) -> NOT a relapse:
         a new period, ranks 1-7 (20..26 Nov) at 100 %, ranks 8-11 (27..30 Nov) at 85.88 %.
    November: holidays 2 x 120.00 = 240.00 ONSS; E3 ranks 1-7 working Thu 20 - Sat 22, Mon 24 - Wed 26 =
    6 x 120.00 = 720.00 ONSS; ranks 8-11 working Thu 27 - Sat 29 = 3 x round(120 x 85.88 % = 103.056) = 309.18.
    ONSS = 960.00, exempt = 309.18. (Measured from E2, E3 would be a relapse at rank 42: only the holidays.)"""
    absences = [
        episode("S9", "2025-09-23", "2025-10-10"),
        episode("S9", "2025-10-20", "2025-11-11"),
        episode("S9", "2025-11-20", "2026-02-28"),
    ]
    october = run([emp("S9", days=6)], absences, [wage("S9", "2025-10", "120.00")], "2025-10")
    assert (day(october, "S9", "2025-10-20")["day_rank"], day(october, "S9", "2025-10-20")["band"]) == (
        19,
        "COMPLEMENT",
    )
    assert day(october, "S9", "2025-10-31")["day_rank"] == 30
    result = run([emp("S9", days=6)], absences, [wage("S9", "2025-11", "120.00")], "2025-11")
    assert day(result, "S9", "2025-11-01")["band"] == "PUBLIC_HOLIDAY"
    assert (day(result, "S9", "2025-11-03")["day_rank"], day(result, "S9", "2025-11-03")["band"]) == (33, "MUTUALITY")
    third = day(result, "S9", "2025-11-20")
    assert (third["day_rank"], third["band"], third["relapse"], third["chain_start"]) == (
        1,
        "G100",
        False,
        d("2025-11-20"),
    )
    assert (day(result, "S9", "2025-11-27")["day_rank"], day(result, "S9", "2025-11-27")["band"]) == (8, "WEEK2")
    assert totals(result, "S9") == (D("960.00"), D("309.18"))


@pytest.mark.parametrize(
    ("first_episode", "onss", "exempt", "first_rank"),
    [
        # E1 entirely in the first month of service (NO_SENIORITY, nothing paid): no anchor, E2 is a new
        # period, ranks 1-5 = 5 x 121.60 = 608.00 ONSS
        (("2026-01-12", "2026-01-16"), "608.00", "0.00", 1),
        # E1 Mon 02-02 .. Fri 02-06: the month is reached on Thu 02-05 -> ranks 4-5 paid at 100 % (2 x 121.60):
        # E1 gave rise to guaranteed wage, E2 (10 days later) is a relapse, ranks 6-10: Mon 16, Tue 17 at 100 %,
        # Wed 18 - Fri 20 at 85.88 % (3 x 104.43). ONSS 4 x 121.60 = 486.40, exempt 313.29
        (("2026-02-02", "2026-02-06"), "486.40", "313.29", 6),
    ],
)
def test_a_spell_before_one_month_of_service_is_no_relapse_anchor(first_episode, onss, exempt, first_rank):
    """LCT art. 52 § 1: one month of uninterrupted service is needed (blue collar hired Mon 2026-01-05: the
    month is reached on 2026-02-05); a spell that paid nothing does not make the next illness a relapse.
    E2 = Mon 2026-02-16 .. Fri 02-20, 121.60/day (within 8 weeks of either E1)."""
    result = run(
        [emp("A1", start="2026-01-05")],
        [episode("A1", *first_episode), episode("A1", "2026-02-16", "2026-02-20")],
        [wage("A1", "2026-02", "121.60")],
        "2026-02",
    )
    assert day(result, "A1", "2026-02-16")["day_rank"] == first_rank
    assert day(result, "A1", "2026-02-16")["relapse"] is (first_rank > 1)
    assert totals(result, "A1") == (D(onss), D(exempt))


@pytest.mark.parametrize(
    ("third_start", "third_end", "first_rank", "onss"),
    [
        # 57 days after E1's end (and 45 after E2's): no relapse, a new period: 5 x 121.60
        ("2026-04-13", "2026-04-17", 1, "608.00"),
        # 54 days after E1's end: relapse of E1's chain, offset 35 + 5 = 40 -> ranks 41-45, mutuality
        ("2026-04-10", "2026-04-14", 41, "0.00"),
    ],
)
def test_a_relapse_wholly_past_day_30_is_no_anchor(third_start, third_end, first_rank, onss):
    """LCT art. 52 § 1 al. 3 as amended by the law of 19 December 2025 (8 weeks = 56 days in 2026).
    Blue collar, E1 Mon 2026-01-12 .. Sun 02-15 (35 days: ranks 1-30 paid, 31-35 mutuality) gave rise to
    guaranteed wage; E2 Mon 02-23 .. Fri 02-27, 8 days later, is a relapse at ranks 36-40: all mutuality,
    so E2 is no anchor. E3 is measured from the end of E1 (02-15), not of E2 (02-27)."""
    result = run(
        [emp("W9")],
        [
            episode("W9", "2026-01-12", "2026-02-15"),
            episode("W9", "2026-02-23", "2026-02-27"),
            episode("W9", third_start, third_end),
        ],
        [wage("W9", "2026-04", "121.60")],
        "2026-04",
    )
    assert day(result, "W9", third_start)["day_rank"] == first_rank
    assert totals(result, "W9") == (D(onss), D("0.00"))


@pytest.mark.parametrize("other_cause", [False, True])
def test_a_prolongation_continues_the_count_even_after_a_spell_that_paid_nothing(other_cause):
    """An episode that starts the day after the previous one ends is the same incapacity (no resumption of
    work): its ranks continue whatever the first certificate paid and whatever the second says (the
    "other illness" exception of LCT art. 52 § 1 al. 3 is about a new incapacity after a resumption).
    Blue collar hired Mon 2026-01-05 (month reached 02-05); E1 Mon 01-26 .. Sun 02-01 (ranks 1-7, no month
    of service: nothing paid), E2 Mon 02-02 .. Fri 02-13: ranks 8-19. Mon 2 - Wed 4 no seniority (0.00),
    Thu 5 - Fri 6 ranks 11-12 at 85.88 % = 2 x 104.43, Mon 9 - Fri 13 ranks 15-19 complement
    5 x round(121.60 x 25.88 % = 31.47008) = 157.35; exempt 208.86 + 157.35 = 366.21."""
    result = run(
        [emp("P9", start="2026-01-05")],
        [episode("P9", "2026-01-26", "2026-02-01"), episode("P9", "2026-02-02", "2026-02-13", other=other_cause)],
        [wage("P9", "2026-02", "121.60")],
        "2026-02",
    )
    monday = day(result, "P9", "2026-02-02")
    assert (monday["day_rank"], monday["band"], monday["relapse"], monday["chain_start"]) == (
        8,
        "NO_SENIORITY",
        True,
        d("2026-01-26"),
    )
    assert totals(result, "P9") == (D("0.00"), D("366.21"))


def test_worker_in_the_first_month_of_service():
    """LCT art. 52 § 1: a blue collar needs one month of uninterrupted service; the right opens for the
    remaining days once it is reached. Hired 2026-01-16 -> one month on 2026-02-16.
    Ill Mon 2026-02-09 .. Fri 2026-02-20 (ranks 1-12), 121.60/day:
      ranks 1-7 (9..15 Feb): no seniority -> mutuality, code 50 on working days, 0.00;
      ranks 8-12 (Mon 16 .. Fri 20): week 2 = 5 x 104.43 = 522.15 (exempt, code 10); nothing ONSS-subject.
    A white collar on an open-ended contract hired the same day has no seniority condition (art. 70):
      10 working days x 200.00 = 2,000.00 ONSS.
    """
    result = run(
        [emp("N1", start="2026-01-16"), emp("N2", status="white_collar", start="2026-01-16")],
        [episode("N1", "2026-02-09", "2026-02-20"), episode("N2", "2026-02-09", "2026-02-20")],
        [wage("N1", "2026-02", "121.60"), wage("N2", "2026-02", "200.00")],
        "2026-02",
    )
    friday = day(result, "N1", "2026-02-13")
    assert (friday["band"], friday["payer"], friday["amount"], friday["service_code"]) == (
        "NO_SENIORITY",
        "mutuality",
        D("0.00"),
        50,
    )
    assert day(result, "N1", "2026-02-15")["band"] == "NO_SENIORITY"  # Sunday, last day before the month
    monday = day(result, "N1", "2026-02-16")
    assert (monday["day_rank"], monday["band"], monday["amount"]) == (8, "WEEK2", D("104.43"))
    assert totals(result, "N1") == (D("0.00"), D("522.15"))
    assert totals(result, "N2") == (D("2000.00"), D("0.00"))


def test_six_day_week_worker():
    """LCT art. 52: only days that would have been worked are paid ('jours d'activité habituelle');
    weekly_work_days 6 = Monday-Saturday. Ceiling on a 6-day week = the INAMI figure itself (x 6/6).
    Blue collar, ill Mon 2026-03-02 .. Sat 2026-03-21 (ranks 1-20), 200.00/day:
      ranks 1-7 (2..8 Mar): Mon-Sat 6 x 200.00 = 1,200.00 ONSS;
      ranks 8-14 (9..15): 6 x round(200 x 0.8588 = 171.76) = 1,030.56;
      ranks 15-20 (16..21): ceiling 186.7916 (March 2026, 6-day):
        0.2588 x 186.7916 + 0.8588 x 13.2084 = 48.34166608 + 11.34337392 = 59.68504 -> 59.69 x 6 = 358.14.
      exempt = 1,030.56 + 358.14 = 1,388.70.
    The same worker on 5 days (Mon-Fri): 5 x 200.00 = 1,000.00; 5 x 171.76 = 858.80; ceiling 224.14992
      > 200 so 0.2588 x 200 = 51.76 x 5 = 258.80; exempt 1,117.60.
    """
    result = run(
        [emp("X6", days=6), emp("X5", days=5)],
        [episode("X6", "2026-03-02", "2026-03-21"), episode("X5", "2026-03-02", "2026-03-21")],
        [wage("X6", "2026-03", "200.00"), wage("X5", "2026-03", "200.00")],
        "2026-03",
    )
    saturday = day(result, "X6", "2026-03-07")
    assert (saturday["working_day"], saturday["payer"], saturday["amount"]) == (True, "employer", D("200.00"))
    assert day(result, "X6", "2026-03-16")["daily_ceiling"] == D("186.791600")
    assert day(result, "X6", "2026-03-16")["amount"] == D("59.69")
    assert totals(result, "X6") == (D("1200.00"), D("1388.70"))
    assert day(result, "X5", "2026-03-07")["payer"] == "none"
    assert day(result, "X5", "2026-03-16")["daily_ceiling"] == D("224.149920")
    assert totals(result, "X5") == (D("1000.00"), D("1117.60"))


def test_public_holiday_inside_an_episode():
    """Law of 4 January 1974 / AR 18 April 1974: a public holiday within 30 days of the start of an illness
    is paid by the employer as public-holiday pay (normal remuneration, ONSS-subject, code 1) instead of the
    guaranteed-wage band. Ill Mon 2026-05-04 .. Sun 2026-05-17, blue collar 121.60/day:
      ranks 1-7: 5 x 121.60 = 608.00; Ascension Thu 2026-05-14 (rank 11): 121.60 (not 104.43);
      other week-2 days Mon 11 - Wed 13, Fri 15: 4 x 104.43 = 417.72.
      ONSS = 608.00 + 121.60 = 729.60; exempt = 417.72.
    """
    result = run([emp("H1")], [episode("H1", "2026-05-04", "2026-05-17")], [wage("H1", "2026-05", "121.60")], "2026-05")
    ascension = day(result, "H1", "2026-05-14")
    assert (
        ascension["day_rank"],
        ascension["band"],
        ascension["amount"],
        ascension["onss_subject"],
        ascension["service_code"],
    ) == (11, "PUBLIC_HOLIDAY", D("121.60"), True, 1)
    assert totals(result, "H1") == (D("729.60"), D("417.72"))


def test_public_holiday_on_a_saturday_depends_on_the_weekly_schedule():
    """Assumption Sat 2026-08-15 = rank 8 of an illness starting Sat 08-08 (100.00/day).
    6-day worker: Saturday is a working day -> public-holiday pay 100.00 (code 1).
    5-day worker: not a working day -> nothing (no replacement day is modelled); stays WEEK2, payer none."""
    result = run(
        [emp("H6", days=6), emp("H5", days=5)],
        [episode("H6", "2026-08-08", "2026-08-16"), episode("H5", "2026-08-08", "2026-08-16")],
        [wage("H6", "2026-08", "100.00"), wage("H5", "2026-08", "100.00")],
        "2026-08",
    )
    six = day(result, "H6", "2026-08-15")
    assert (six["day_rank"], six["band"], six["amount"], six["service_code"]) == (8, "PUBLIC_HOLIDAY", D("100.00"), 1)
    five = day(result, "H5", "2026-08-15")
    assert (five["band"], five["payer"], five["amount"], five["service_code"]) == ("WEEK2", "none", D("0.00"), None)


def test_public_holiday_window_runs_from_the_start_of_an_uninterrupted_suspension():
    """AR 18 April 1974 (law of 4 January 1974): the employer pays a public holiday that falls within the first
    30 days of the suspension of the contract for illness; a prolongation (a certificate starting the day after
    the previous one ends) does not start a new suspension, so the window does not restart. Blue collar,
    121.60/day: E1 Thu 2026-04-09 .. Sun 04-19, prolonged by E2 Mon 04-20 .. Fri 05-22 (ranks 12-44).
      Fri 1 May = suspension day 23 -> public-holiday pay 121.60 (ONSS, code 1);
      Ascension Thu 14 May = suspension day 36 (E2's day 25): beyond the 30 days -> rank 36, MUTUALITY, 0.00;
      Mon 4 - Fri 8 May = ranks 26-30, complement 5 x round(121.60 x 25.88 % = 31.47008) = 157.35.
    May: ONSS 121.60, exempt 157.35 (with a window restarting at E2, Ascension would add 121.60 ONSS)."""
    result = run(
        [emp("H3")],
        [episode("H3", "2026-04-09", "2026-04-19"), episode("H3", "2026-04-20", "2026-05-22")],
        [wage("H3", "2026-05", "121.60")],
        "2026-05",
    )
    may_day = day(result, "H3", "2026-05-01")
    assert (may_day["day_rank"], may_day["band"], may_day["amount"]) == (23, "PUBLIC_HOLIDAY", D("121.60"))
    ascension = day(result, "H3", "2026-05-14")
    assert (ascension["day_rank"], ascension["episode_day"], ascension["band"], ascension["amount"]) == (
        36,
        25,
        "MUTUALITY",
        D("0.00"),
    )
    assert totals(result, "H3") == (D("121.60"), D("157.35"))


@pytest.mark.parametrize(
    ("suspension_start", "band", "onss"),
    [
        # Sun 2026-04-26: Whit Monday 25 May is day 30 of the suspension -> paid (and rank 30)
        ("2026-04-26", "PUBLIC_HOLIDAY", "300.00"),
        # Sat 2026-04-25: Whit Monday is day 31 -> not paid by the employer (rank 31: mutuality)
        ("2026-04-25", "MUTUALITY", "200.00"),
    ],
)
def test_public_holiday_window_edge_across_a_prolongation(suspension_start, band, onss):
    """30 calendar days from the first day of the suspension, the prolongation included. E1 suspension_start ..
    Sun 05-03, E2 Mon 05-04 .. Fri 05-29, blue collar 100.00/day. In May the holidays Fri 1 (day 6/7) and
    Ascension Thu 14 (day 19/20) are paid either way (2 x 100.00); Whit Monday decides the third."""
    result = run(
        [emp("H4")],
        [episode("H4", suspension_start, "2026-05-03"), episode("H4", "2026-05-04", "2026-05-29")],
        [wage("H4", "2026-05", "100.00")],
        "2026-05",
    )
    assert day(result, "H4", "2026-05-25")["band"] == band
    assert day(result, "H4", "2026-05-14")["band"] == "PUBLIC_HOLIDAY"
    assert totals(result, "H4")[0] == D(onss)


def test_public_holiday_window_restarts_with_a_relapse_episode():
    """The 30-day holiday window runs from the start of each suspension (episode), not from the chained rank:
    white collar E1 Mon 2026-03-02 .. Sun 04-05 (35 days, ranks 1-35); relapse E2 Mon 05-11 .. Wed 05-20
    (36 days later, ranks 36-45: mutuality). Ascension Thu 05-14 is E2's day 4 -> paid 180.00 (code 1);
    the other E2 days are mutuality (code 50)."""
    result = run(
        [emp("H2", status="white_collar")],
        [episode("H2", "2026-03-02", "2026-04-05"), episode("H2", "2026-05-11", "2026-05-20")],
        [wage("H2", "2026-05", "180.00")],
        "2026-05",
    )
    assert day(result, "H2", "2026-05-11")["band"] == "MUTUALITY"
    assert day(result, "H2", "2026-05-14")["day_rank"] == 39
    assert day(result, "H2", "2026-05-14")["band"] == "PUBLIC_HOLIDAY"
    assert totals(result, "H2") == (D("180.00"), D("0.00"))


# ----------------------------------------------------------------------------------------------
# Partial resumption, contract end
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("other_cause", [False, True])
def test_relapse_during_partial_resumption_gives_nothing_from_2026(other_cause):
    """ALHR, Securex Lex4You (2026): from 2026 a new full incapacity during an approved partial
    resumption gives no guaranteed wage at all, whatever the cause. E1 2026-01-05..01-09; E2 2026-02-02..02-06
    flagged partial_resumption -> RELAPSE_PARTIAL_RESUMPTION, mutuality, code 50, 0.00."""
    result = run(
        [emp("P1")],
        [
            episode("P1", "2026-01-05", "2026-01-09"),
            episode("P1", "2026-02-02", "2026-02-06", other=other_cause, partial=True),
        ],
        [wage("P1", "2026-02", "121.60")],
        "2026-02",
    )
    assert set(result.days.get_column("band")) == {"RELAPSE_PARTIAL_RESUMPTION"}
    assert set(result.days.get_column("service_code")) == {50}
    assert totals(result, "P1") == (D("0.00"), D("0.00"))


@pytest.mark.parametrize(
    ("relapse_start", "band"),
    [
        ("2025-03-03", "RELAPSE_PARTIAL_RESUMPTION"),  # 52 days after E1's end: within 20 weeks
        ("2025-05-30", "RELAPSE_PARTIAL_RESUMPTION"),  # 140 days: last day of the 20 weeks
        ("2025-05-31", "G100"),  # 141 days: beyond the 20 weeks -> new period (gap > 14), rank 1
    ],
)
def test_relapse_during_partial_resumption_before_2026_is_exempt_for_20_weeks(relapse_start, band):
    """ALHR "Rechute pendant une reprise progressive": until 2025-12-31 the employer was exempt for 20 weeks
    (140 days) from the start of the partial resumption, taken as the day after the previous episode's end
    (E1 ends 2025-01-10)."""
    period = relapse_start[:7]
    result = run(
        [emp("P2")],
        [episode("P2", "2025-01-06", "2025-01-10"), episode("P2", relapse_start, relapse_start, partial=True)],
        [wage("P2", period, "100.00")],
        period,
    )
    assert day(result, "P2", relapse_start)["band"] == band


def test_days_after_the_contract_end_are_not_paid():
    """The guaranteed wage is owed under the employment contract: a fixed-term blue collar whose contract ends
    Wed 2026-03-11 while ill Mon 03-09 .. Fri 03-13 gets 3 x 100.00; Thu/Fri are OUT_OF_CONTRACT (payer none)."""
    result = run(
        [emp("F1", ctype="fixed_term", start="2025-01-01", end="2026-03-11")],
        [episode("F1", "2026-03-09", "2026-03-13")],
        [wage("F1", "2026-03", "100.00")],
        "2026-03",
    )
    after = day(result, "F1", "2026-03-12")
    assert (after["band"], after["payer"], after["amount"], after["service_code"]) == (
        "OUT_OF_CONTRACT",
        "none",
        D("0.00"),
        None,
    )
    assert totals(result, "F1") == (D("300.00"), D("0.00"))


# ----------------------------------------------------------------------------------------------
# Rejects (never raise)
# ----------------------------------------------------------------------------------------------


def test_episode_ending_before_it_starts_is_rejected_and_later_episodes_are_held_back():
    result = run(
        [emp("J1"), emp("J2")],
        [
            episode("J1", "2026-02-10", "2026-02-05"),  # line 2: ends before it starts
            episode("J1", "2026-02-16", "2026-02-18"),  # line 3: ranks would depend on line 2 -> held back
            episode("J2", "2026-02-16", "2026-02-18"),  # line 4: other employee, computed
        ],
        [wage("J1", "2026-02", "100.00"), wage("J2", "2026-02", "100.00")],
        "2026-02",
    )
    checks = result.rejects.select("source_line", "column", "check", "employee_id").rows()
    assert checks == [(2, "end_date", "episode_end_before_start", "J1"), (3, "start_date", "episode_held_back", "J1")]
    assert result.days.filter(pl.col("employee_id") == "J1").height == 0
    assert totals(result, "J1") == (D("0.00"), D("0.00"))
    assert totals(result, "J2") == (D("300.00"), D("0.00"))


def test_overlapping_episodes_are_all_rejected():
    result = run(
        [emp("V1")],
        [episode("V1", "2026-02-02", "2026-02-10"), episode("V1", "2026-02-10", "2026-02-12")],
        [wage("V1", "2026-02", "100.00")],
        "2026-02",
    )
    assert result.rejects.select("source_line", "check").rows() == [(2, "episode_overlap"), (3, "episode_overlap")]
    assert "2026-02-02 and 2026-02-12" in result.rejects.get_column("message")[0]
    assert result.days.height == 0


def test_touching_episodes_do_not_overlap():
    """An episode starting the day after the previous one ends is a relapse (gap 1), not an overlap."""
    result = run(
        [emp("V2")],
        [episode("V2", "2026-02-02", "2026-02-04"), episode("V2", "2026-02-05", "2026-02-06")],
        [wage("V2", "2026-02", "100.00")],
        "2026-02",
    )
    assert result.rejects.height == 0
    assert day(result, "V2", "2026-02-05")["day_rank"] == 4


@pytest.mark.parametrize(
    ("cause", "message"),
    [
        ("occupational_accident", "occupational accident or disease: out of scope"),
        ("occupational_disease", "occupational accident or disease: out of scope"),
        ("maternity", "cause 'maternity' is not illness or private_accident"),
    ],
)
def test_cause_out_of_scope_is_rejected(cause, message):
    result = run(
        [emp("K1")],
        [episode("K1", "2026-02-02", "2026-02-04", cause=cause), episode("K1", "2026-03-02", "2026-03-04")],
        [wage("K1", "2026-02", "100.00")],
        "2026-02",
    )
    row = result.rejects.to_dicts()
    assert len(row) == 1
    assert (row[0]["source_line"], row[0]["column"], row[0]["check"], row[0]["value"]) == (
        2,
        "cause",
        "cause_out_of_scope",
        cause,
    )
    assert message in row[0]["message"]
    assert result.days.height == 0
    assert set(REJECT_SCHEMA) == set(result.rejects.columns)


def test_private_accident_is_in_scope():
    result = run(
        [emp("K2")],
        [episode("K2", "2026-02-02", "2026-02-02", cause="private_accident")],
        [wage("K2", "2026-02", "100.00")],
        "2026-02",
    )
    assert totals(result, "K2") == (D("100.00"), D("0.00"))


def test_missing_daily_wage_rejects_the_pay_row_when_days_are_paid():
    """Data contract: daily_wage is required 'when an incapacity touches the month' and a day must be paid.
    M1 has paid days and no daily_wage -> reject its pay row (column daily_wage), no monthly row, no days.
    M2's episode lies wholly in the mutuality band (ranks 31+ via a relapse chain): nothing to pay, no reject."""
    result = run(
        [emp("M1"), emp("M2", status="white_collar")],
        [
            episode("M1", "2026-02-02", "2026-02-03"),
            episode("M2", "2026-01-01", "2026-01-31"),
            episode("M2", "2026-02-09", "2026-02-10"),
        ],
        [wage("M1", "2026-02", None), wage("M2", "2026-02", None)],
        "2026-02",
    )
    assert result.rejects.select("source_file", "source_line", "column", "check", "employee_id").rows() == [
        ("pay.csv", 2, "daily_wage", "daily_wage_required", "M1")
    ]
    assert result.monthly.get_column("employee_id").to_list() == ["M2"]
    assert result.days.filter(pl.col("employee_id") == "M1").height == 0
    assert set(result.days.filter(pl.col("employee_id") == "M2").get_column("band")) == {"MUTUALITY"}


def test_missing_pay_row_rejects_the_episode():
    result = run([emp("M3")], [episode("M3", "2026-02-02", "2026-02-03")], [], "2026-02")
    assert result.rejects.select("source_file", "source_line", "column", "check").rows() == [
        ("absences.csv", 2, "daily_wage", "pay_row_missing")
    ]
    assert result.days.height == 0 and result.monthly.height == 0


# ----------------------------------------------------------------------------------------------
# Contract of the outputs, parameters, vectorised ranks vs a reference
# ----------------------------------------------------------------------------------------------


def test_output_columns_types_and_order():
    result = run(
        [emp("Z2"), emp("Z1", status="white_collar"), emp("Z3")],
        [episode("Z2", "2026-02-02", "2026-02-04"), episode("Z1", "2026-02-01", "2026-02-03")],
        [
            wage("Z3", "2026-02", "90.00"),
            wage("Z2", "2026-02", "100.00"),
            wage("Z1", "2026-02", "110.00"),
            wage("Z1", "2026-01", "1.00"),
        ],
        "2026-02",
    )
    assert result.days.columns[:10] == [
        "employee_id",
        "date",
        "episode_start",
        "day_rank",
        "band",
        "payer",
        "rate",
        "amount",
        "onss_subject",
        "service_code",
    ]
    assert dict(result.days.schema) == DAYS_SCHEMA
    assert dict(result.monthly.schema) == MONTHLY_SCHEMA
    assert result.days.select("employee_id", "date").rows() == sorted(result.days.select("employee_id", "date").rows())
    assert not any(dtype.is_float() for dtype in result.days.schema.values())
    assert result.monthly.rows() == [
        ("Z1", "2026-02", D("220.00"), D("0.00")),  # Sun 1 not worked; Mon 2, Tue 3 = 2 x 110.00
        ("Z2", "2026-02", D("300.00"), D("0.00")),
        ("Z3", "2026-02", D("0.00"), D("0.00")),  # pay row without episode: zeros
    ]


def test_complement_days_in_january_2024_use_the_derived_2024_ceiling():
    """Episodes starting from 2024-01-01 before the May 2024 index use 176.0237 EUR/day (6-day basis,
    parameter guaranteed_wage/inami_ceiling_start_from_2024, status unverified: 179.5442 / 1.02).
    5-day week: 176.0237 x 6/5 = 211.22844. Episode 2024-01-08 (Mon) .. 2024-01-31:
    ranks 1-7 = 8-12 Jan (5 working days, 100 %), ranks 8-14 = 15-19 Jan (5 days, 85.88 %),
    ranks 15+ = 22-26 and 29-31 Jan (8 days, complement, CCT 12bis)."""
    low = run([emp("Q1")], [episode("Q1", "2024-01-08", "2024-01-31")], [wage("Q1", "2024-01", "100.00")], "2024-01")
    # below the ceiling: 5 x 100.00 = 500.00 subject; 5 x 85.88 + 8 x round(100 x 25.88 %) = 429.40 + 207.04
    assert totals(low, "Q1") == (D("500.00"), D("636.44"))
    high = run([emp("Q2")], [episode("Q2", "2024-01-08", "2024-01-31")], [wage("Q2", "2024-01", "250.00")], "2024-01")
    # above: round(25.88 % x 211.22844 + 85.88 % x (250 - 211.22844)) = round(54.66592 + 33.29682) = 87.96 a day
    assert day(high, "Q2", "2024-01-22")["amount"] == D("87.96")


# ----------------------------------------------------------------------------------------------
# Long sickness: parameters are looked up only where a row of the period needs them
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("partial", [False, True])
def test_worker_sick_since_2023_computes_in_october_2026(partial):
    """Law of 3 July 1978 art. 52 / 70: the employer pays at most the first 30 days; an incapacity that
    started on 2023-03-01 is far beyond them in October 2026. Rank of 2026-10-01 = days 2023-03-01 ..
    2026-10-01 = 366 (to 2024-03-01, leap day included) + 365 + 365 + 214 (March .. September 2026) + 1
    = 1,311; 2026-10-31 is rank 1,341. Every day is MUTUALITY: 22 working days with code 50, 9 weekend days
    without a code, 0.00 each.

    No value is needed on 2023-03-01: the relapse period (no earlier episode), the partial-resumption
    exemption (flagged, but no earlier episode: exempt without a look-up) and the three-month term (open-ended
    contract) are not looked up, so the run does not stop although
    partial_resumption_exemption_days starts on 2024-01-01."""
    result = run(
        [emp("L1", start="2015-01-05")],
        [episode("L1", "2023-03-01", "2026-12-31", partial=partial)],
        [wage("L1", "2026-10", "140.00")],
        "2026-10",
    )
    days = result.days
    assert days.height == 31
    assert (day(result, "L1", "2026-10-01")["day_rank"], day(result, "L1", "2026-10-31")["day_rank"]) == (1311, 1341)
    expected_band = "RELAPSE_PARTIAL_RESUMPTION" if partial else "MUTUALITY"
    assert set(days.get_column("band")) == {expected_band}
    assert set(days.get_column("payer")) == {"mutuality"}
    assert days.filter(pl.col("service_code") == 50).height == 22
    assert days.get_column("amount").sum() == D("0.00")
    assert totals(result, "L1") == (D("0.00"), D("0.00"))


def test_episode_since_1970_and_old_relapses_need_no_parameter():
    """A white collar (art. 70) sick since 1970-05-04 (rank of 2026-10-01: 20,605 -> MUTUALITY); another one
    with two episodes ten days apart in 1975 (a relapse pair, relapse_window_days starts in 1978) and an
    illness in October 2026. More than the longest relapse period (56 days) separates 1975 from 2026, so the
    1975 episodes cannot reach the 2026 one: they are left out of the ranking and no value is looked up on
    their dates. The 2026 episode Mon 5 .. Fri 9 October is rank 1-5: 5 x 150.00 = 750.00 ONSS."""
    result = run(
        [emp("V1", status="white_collar", start="1965-09-01"), emp("V2", status="white_collar", start="1972-01-03")],
        [
            episode("V1", "1970-05-04", "2027-01-31"),
            episode("V2", "1975-03-03", "1975-03-07"),
            episode("V2", "1975-03-17", "1975-03-21"),
            episode("V2", "2026-10-05", "2026-10-09"),
        ],
        [wage("V1", "2026-10", "150.00"), wage("V2", "2026-10", "150.00")],
        "2026-10",
    )
    assert day(result, "V1", "2026-10-01")["day_rank"] == 20605
    assert set(result.days.filter(pl.col("employee_id") == "V1").get_column("band")) == {"MUTUALITY"}
    assert day(result, "V2", "2026-10-05")["day_rank"] == 1
    assert totals(result, "V2") == (D("750.00"), D("0.00"))


@pytest.mark.parametrize(
    ("hired", "onss", "exempt"),
    [
        # hired 2010: the 2013 incapacity paid guaranteed wage from day 1 -> the September 2026 episode
        # (15 days after its end, within 8 weeks) is a relapse far beyond day 30: October is all mutuality
        ("2010-01-04", "0.00", "0.00"),
        # hired 2013-02-20: the month of service ends on 2013-03-19, so the 2013 incapacity reached it at
        # rank 20, past the second week: it never paid guaranteed wage (only the complement) and anchors
        # nothing. The 2026 episode is a new incapacity: Fri 25 Sep rank 1, Thu 1 Oct rank 7 = 121.60 ONSS;
        # Fri 2, Mon 5 - Thu 8 Oct ranks 8, 11-14 = 5 x 104.43 = 522.15; Fri 9 rank 15 complement 31.47
        ("2013-02-20", "121.60", "553.62"),
    ],
)
def test_an_incapacity_that_began_before_2014_can_anchor_a_relapse(hired, onss, exempt):
    """LCT art. 52 § 1 al. 3: whether the incapacity of 2013-03-01 .. 2026-09-10 gave rise to guaranteed wage
    decides the ranks of 2026-09-25 .. 2026-10-09 (blue collar, 121.60/day). That needs the day limits and
    the month of service on days of March 2013, before the 2014 keys: the parameters hold the law of
    3 July 1978's values from 1978-07-03 (unverified, same values)."""
    result = run(
        [emp("K1", start=hired)],
        [episode("K1", "2013-03-01", "2026-09-10"), episode("K1", "2026-09-25", "2026-10-09")],
        [wage("K1", "2026-10", "121.60")],
        "2026-10",
    )
    assert totals(result, "K1") == (D(onss), D(exempt))


def test_a_value_really_needed_before_the_history_still_stops_the_run():
    """The other side: an incapacity of 1977-03-01 .. 2026-09-10 followed by a new one on 2026-09-25 needs to
    know whether the 1977 incapacity paid guaranteed wage, i.e. the day limits on days of March 1977, before
    the parameters' history (1978-07-03): the run stops with MissingParameterError (exit 4) naming the
    parameter and the date."""
    with pytest.raises(MissingParameterError) as caught:
        run(
            [emp("T1", start="1970-01-05")],
            [episode("T1", "1977-03-01", "2026-09-10"), episode("T1", "2026-09-25", "2026-10-09")],
            [wage("T1", "2026-10", "150.00")],
            "2026-10",
        )
    assert "guaranteed_wage/" in str(caught.value)
    assert "1977-03-01" in str(caught.value)


def test_inami_ceilings_of_the_2023_table_apply_from_the_december_2022_index():
    """Social benefits were indexed on 1 December 2022 (pivot index 123.14 reached in November 2022, official
    notice in the Belgian Official Gazette): maximum daily benefit 101.30 (start 2020-2021) and 102.42 (start
    from 2022), i.e. 60 % of the ceilings 168.8355 (101.3013) and 170.6926 (102.41556). The ceilings are in
    force from 2022-12-01, not from 2023-01-01."""
    params = default_parameters()
    for name, value in [
        ("guaranteed_wage/inami_ceiling_start_2020_2021", D("168.8355")),
        ("guaranteed_wage/inami_ceiling_start_2022_2023", D("170.6926")),
    ]:
        assert params.value(name, d("2022-12-01")) == value
        assert (D("0.60") * value).quantize(D("0.01")) in (D("101.30"), D("102.42"))
    assert params.value("guaranteed_wage/inami_ceiling_start_2020_2021", d("2022-11-30")) == D("146.9772")
    with pytest.raises(MissingParameterError):
        params.value("guaranteed_wage/inami_ceiling_start_2022_2023", d("2022-11-30"))


def _term_end(start: dt.date, months: int) -> dt.date:
    """Judicial Code art. 54, "de quantième à veille de quantième": the day before the same day of the month
    ``months`` later; when that month has no such day, its last day."""
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        return dt.date(year, month, last)
    return dt.date(year, month, start.day) - dt.timedelta(days=1)


def _reference_ranks(employees: list[dict], episodes: list[dict]) -> dict[tuple[str, dt.date], int]:
    """The relapse rule of the law of 3 July 1978 (art. 52 § 1 al. 3, 70-71, 73 § 1) literally, one Python
    loop per employee and day (test oracle only):

    - an episode starting the day after the previous one ends continues its count (one incapacity);
    - otherwise it continues the count of the *anchor*, the last incapacity that gave rise to guaranteed wage
      (a working day in the contract, after the month of service for blue collars, not a public holiday in the
      first 30 days of the uninterrupted suspension, of rank <= 14 for blue collars / 30 for white collars),
      when it starts 1 to 14 days
      (56 from 2026) after the anchor's end and has no other cause; a prolongation of the anchor moves its end;
    - otherwise it opens a new count.
    """
    info = {e["employee_id"]: e for e in employees}
    public_holidays = holidays.Belgium(years=range(2024, 2028))
    ranks = {}
    by_employee: dict[str, list[dict]] = {}
    for e in episodes:
        by_employee.setdefault(e["employee_id"], []).append(e)
    for eid, eps in by_employee.items():
        who = info[eid]
        blue = who["worker_status"] == "blue_collar"
        limit = 14 if blue else 30
        senior_from = _term_end(who["contract_start"], 1) + dt.timedelta(days=1)
        previous, anchor, chain_days = None, None, {}
        for e in sorted(eps, key=lambda x: x["start_date"]):
            delay = 14 if e["start_date"] < dt.date(2026, 1, 1) else 56
            prolongs = previous is not None and e["start_date"] == previous["end"] + dt.timedelta(days=1)
            if prolongs:
                chain = previous["chain"]
            elif anchor and 0 < (e["start_date"] - anchor["end"]).days <= delay and not e["other_cause"]:
                chain = anchor["chain"]
            else:
                chain = e["start_date"]
            offset = chain_days.get(chain, 0)
            suspension = previous["suspension"] if prolongs else e["start_date"]
            length = (e["end_date"] - e["start_date"]).days + 1
            paid = False
            for i in range(length):
                date = e["start_date"] + dt.timedelta(days=i)
                rank = offset + i + 1
                ranks[(eid, date)] = rank
                working = date.weekday() < who["weekly_work_days"]
                holiday = working and date in public_holidays and (date - suspension).days + 1 <= 30
                senior = date >= senior_from or not blue
                if working and date >= who["contract_start"] and senior and not holiday and rank <= limit:
                    paid = True
            chain_days[chain] = offset + length
            if paid:
                anchor = {"end": e["end_date"], "chain": chain}
            elif prolongs and anchor and anchor["end"] == previous["end"]:
                anchor["end"] = e["end_date"]
            previous = {"end": e["end_date"], "chain": chain, "suspension": suspension}
    return ranks


def test_vectorised_ranks_match_the_reference_algorithm():
    rng = random.Random(20260101)
    employees, absences = [], []
    for n in range(400):
        eid = f"E{n:03d}"
        # a quarter of them hired during the episodes (the month of service matters, some days are outside
        # the contract)
        hired = dt.date(2025, 5, 1) + dt.timedelta(days=rng.randrange(0, 150)) if rng.random() < 0.25 else None
        employees.append(
            emp(
                eid,
                status=rng.choice(["blue_collar", "white_collar"]),
                start=hired.isoformat() if hired else "2020-01-01",
                days=rng.choice([5, 6]),
            )
        )
        start = dt.date(2025, 6, 1) + dt.timedelta(days=rng.randrange(0, 60))
        for _ in range(rng.randrange(1, 8)):
            length = rng.randrange(1, 25)
            absences.append(
                episode(
                    eid,
                    start.isoformat(),
                    (start + dt.timedelta(days=length - 1)).isoformat(),
                    other=rng.random() < 0.15,
                )
            )
            # gap 0: the next episode starts the day after (a prolongation); short gaps: relapses
            start = start + dt.timedelta(days=length + rng.choice([0, 0, *range(1, 70)]))
    typed = [dict(e, contract_start=d(e["contract_start"].isoformat())) for e in employees]
    expected = _reference_ranks(typed, absences)
    for period in ["2025-12", "2026-01", "2026-02", "2026-03"]:
        pay = [wage(e["employee_id"], period, "100.00") for e in employees]
        result = run(employees, absences, pay, period)
        assert result.rejects.height == 0
        got = result.days.select("employee_id", "date", "day_rank").rows()
        assert got, period
        assert {(eid, date): rank for eid, date, rank in got} == {
            key: rank for key, rank in expected.items() if key[1].strftime("%Y-%m") == period
        }
