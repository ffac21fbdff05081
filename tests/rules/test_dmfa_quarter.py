"""Quarterly DmfA export: hand-worked quarters, the employer cap, schema validation, the run-store
checks, determinism and the quarter helpers (pipeline/jobs/quarterly.py composing
pipeline/declarations/dmfa/).

Two kinds of input:

- the hand-worked quarter 2026-Q3 runs the real monthly batch (``run_batch`` + ``publish``) on
  small CSV files for July, August and September into a temporary run store, then
  ``export_quarter``: guaranteed wage, monthly contribution lines and snapshots all come from the
  monthly code, as in production;
- the rounding and cap cases build :class:`QuarterInput` frames directly (pure, no run store);
  their monthly contribution lines come from ``pipeline.rules.contributions`` so that the run-store
  cross-check of ``compute_quarter`` holds.

Rates in force on 2026-07-01 (pipeline/parameters/onss, with the legal source of each; private
employer category 000, commercial, 5 workers): worker code line 015/495 = personal 13.07 % +
basic 19.88 % + wage moderation 5.12 % = 38.07 %; 253 quarterly holiday contribution 5.57 %
(blue collars only); 255 work-accident 0.02 %; 256 asbestos 0.01 % (due in Q1-Q3 2026,
onss/special/asbestos_quarters); 809 type 0 FFE 0.34 % (fewer than 20 workers); 810 FFE special
0.10 %; 859 temporary unemployment 0.10 %. Not due: 855 (fewer than 10 workers), 831 (category
000). Employer cap on basic + wage moderation (Programme Act of 18 July 2025,
onss/employer_cap_quarter): 88,434.00 from 2026-07-01.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from pipeline.core.money import MONEY, RATIO
from pipeline.core.params import default_parameters
from pipeline.core.periods import previous_quarter, quarter_bounds, quarter_code, quarter_periods
from pipeline.declarations.dmfa.forms import DmfaDeclarationError
from pipeline.declarations.dmfa.quarter import QuarterInput
from pipeline.declarations.dmfa.tables import TABLES
from pipeline.declarations.dmfa.xml import validate_declaration
from pipeline.errors import OutputExistsError, RunStoreError
from pipeline.jobs.monthly import publish, run_batch
from pipeline.jobs.quarterly import compute_quarter, export_quarter, read_quarter
from pipeline.outputs.run_store import RunStore, Status, plain_text
from pipeline.rules.contributions import contribution_lines, onss_base, totals, worker_code

PARAMS = default_parameters()
QUARTER = "2026-Q3"
RUN_DATE = dt.date(2026, 10, 15)  # FormCreationDate of the quarterly export
EMPLOYER = "174389412"
ENTERPRISE = "0523168213"
NISS_BLUE = "85073003328"  # NISS check digits: 97 - (850730033 mod 97) = 28
NISS_WHITE = "81022758727"
NISS_OTHER = ("78061427614", "90082136677", "85030933339", "75120227068")

EMPLOYEE_HEADER = (
    "employee_id,employer_id,niss,last_name,first_name,birth_date,worker_status,contract_type,contract_start,"
    "contract_end,work_fraction,weekly_work_days,residence_country,work_country"
)
PAY_HEADER = (
    "employee_id,period,gross_salary,daily_wage,days_worked_be,days_worked_residence,days_worked_other,zone_exit_days"
)
ABSENCE_HEADER = "employee_id,start_date,end_date,cause,other_cause,partial_resumption"
EMPLOYERS_CSV = (
    "employer_id,enterprise_number,name,employer_category,workforce,commercial\n"
    f"{EMPLOYER},{ENTERPRISE},Ateliers Mosans SA,000,5,true\n"
)


# --------------------------------------------------------------------------------------------
# The hand-worked quarter 2026-Q3, through the monthly batch
# --------------------------------------------------------------------------------------------
# B1, blue collar (worker code 015), full time, 5-day week, daily wage 150.00, ill from Monday
# 2026-08-17 to Friday 2026-09-25 (40 calendar days, one episode; law of 3 July 1978 art. 52 +
# CCT 12bis):
#   days  1-7  = 17-23 Aug: working days 17-21 Aug          =  5, 100 % employer, ONSS  -> service code 1
#   days  8-14 = 24-30 Aug: working days 24-28 Aug          =  5, 85.88 %, no ONSS      -> service code 10
#   days 15-30 = 31 Aug-15 Sep: 31 Aug, 1-4, 7-11, 14-15 Sep = 12, CCT 12bis complement -> service code 11
#   days 31-40 = 16-25 Sep: 16-18, 21-25 Sep                 =  8, mutuality only         -> service code 50
#   (DmfA instructions: only the week-1 guaranteed wage carries ONSS and is declared under service code 1 and
#   remuneration code 1; codes 10/11 are not declared as remuneration.)
#   pay.csv gross (pay for the days worked, excluding incapacity days): Jul 3,000.00, Aug 1,500.00,
#   Sep 450.00; guaranteed wage with ONSS: Aug 5 x 150.00 = 750.00.
# W1, white collar (worker code 495), open-ended since 2020-01-06, full time in July and August
# (gross 4,000.15 a month), 80 % from 2026-09-01 (work_fraction 0.8, still 5 days a week; gross
# 4,000.15 x 0.8 = 3,200.12).
B1 = f"B1,{EMPLOYER},{NISS_BLUE},Ouvrier,Jean,1985-07-30,blue_collar,open_ended,2015-03-02,,1,5,BE,BE"
W1 = f"W1,{EMPLOYER},{NISS_WHITE},Employee,Anne,1981-02-27,white_collar,open_ended,2020-01-06,,{{fraction}},5,BE,BE"
EPISODE = "B1,2026-08-17,2026-09-25,illness,false,false"
Q3_MONTHS = {
    "2026-07": ([B1, W1.format(fraction="1")], ["B1,2026-07,3000.00,150.00,,,,", "W1,2026-07,4000.15,,,,,"], []),
    "2026-08": ([B1, W1.format(fraction="1")], ["B1,2026-08,1500.00,150.00,,,,", "W1,2026-08,4000.15,,,,,"], [EPISODE]),
    "2026-09": (
        [B1, W1.format(fraction="0.8")],
        ["B1,2026-09,450.00,150.00,,,,", "W1,2026-09,3200.12,,,,,"],
        [EPISODE],
    ),
}


def write_month(folder: Path, employees: list[str], pay: list[str], absences: list[str]) -> Path:
    """One monthly input folder, CSV files as in sample_data/ (absences.csv only when there are rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "employers.csv").write_text(EMPLOYERS_CSV, encoding="utf-8")
    (folder / "employees.csv").write_text("\n".join([EMPLOYEE_HEADER, *employees]) + "\n", encoding="utf-8")
    (folder / "pay.csv").write_text("\n".join([PAY_HEADER, *pay]) + "\n", encoding="utf-8")
    if absences:
        (folder / "absences.csv").write_text("\n".join([ABSENCE_HEADER, *absences]) + "\n", encoding="utf-8")
    return folder


def run_months(root: Path, months: dict, finalise: bool = True) -> RunStore:
    """The monthly batch for each month, published and finalised into ``root/store``."""
    store = RunStore(root / "store")
    for period, (employees, pay, absences) in months.items():
        folder = write_month(root / "input" / period, employees, pay, absences)
        year, month = map(int, period.split("-"))
        run_date = dt.date(year + month // 12, month % 12 + 1, 2)  # second day of the next month
        result = run_batch(folder, period, run_date, params=PARAMS, store=store)
        assert result.exit_code == 0 and result.tables["rejects"].height == 0, result.tables["rejects"]
        publish(result, root / "monthly" / period, store=store, finalise=finalise)
    return store


@pytest.fixture(scope="module")
def q3(tmp_path_factory):
    root = tmp_path_factory.mktemp("q3")
    store = run_months(root, Q3_MONTHS)
    manifest = export_quarter(store, QUARTER, root / "dmfa", RUN_DATE, PARAMS)
    return root, store, manifest


def table(root: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(root / "dmfa" / f"{name}.parquet")


def rows(frame: pl.DataFrame, **where) -> list[dict]:
    for key, value in where.items():
        frame = frame.filter(pl.col(key) == value)
    return frame.to_dicts()


def xml_root(root: Path) -> etree._Element:
    return etree.fromstring((root / "dmfa" / f"dmfa_{EMPLOYER}_20263.xml").read_bytes())


def texts(node, xpath: str) -> list[str]:
    return [str(t) for t in node.xpath(xpath)]


def test_q3_blue_collar_sickness_services_and_remuneration(q3):
    root, _, manifest = q3
    # One occupation: contract unchanged since 2015-03-02 (OccupationStartingDate = contract start),
    # goes on after the quarter (no ending date); full time, Q = S = 38.00 (dmfa/reference_weekly_hours).
    [occ] = rows(table(root, "dmfa_occupations"), employee_id="B1")
    assert (occ["start"], occ["end"], occ["dmfa_contract_type"], occ["mean_working_hours"]) == (
        dt.date(2015, 3, 2),
        None,
        "0",
        D("38.00"),
    )
    # Remuneration code 1 = gross + guaranteed wage of week 1 (ONSS part only):
    # 3,000.00 + (1,500.00 + 750.00) + 450.00 = 5,700.00. The exempt codes 10/11 pay is not declared.
    assert occ["remuneration_code1"] == D("5700.00")
    # Service days: weekdays of the quarter Jul 23 (21 July, a paid public holiday, counts as
    # code 1) + Aug 21 + Sep 22 = 66 scheduled days; code 1 = 66 - 5 (code 10) - 12 (code 11)
    # - 8 (code 50) = 41 (it keeps the 5 days of week 1: guaranteed pay with ONSS).
    # Hours = days x Q / 5 with Q = 38.00: 41 x 7.6 = 311.60; 5 x 7.6 = 38.00; 12 x 7.6 = 91.20; 8 x 7.6 = 60.80.
    svc = {r["service_code"]: (r["days"], r["hours"]) for r in rows(table(root, "dmfa_services"), employee_id="B1")}
    assert svc == {
        1: (D("41.00"), D("311.60")),
        10: (D("5.00"), D("38.00")),
        11: (D("12.00"), D("91.20")),
        50: (D("8.00"), D("60.80")),
    }
    [line] = rows(table(root, "dmfa_worker_lines"), employee_ids="B1")
    assert (line["days_code1"], line["days_code10"], line["days_code11"], line["days_code50"]) == (
        D("41.00"),
        D("5.00"),
        D("12.00"),
        D("8.00"),
    )
    # 108 % basis (RD 28 November 1969 art. 19; the Remun amount stays at 100 %, the 108 % is in the
    # contribution basis):
    # 5,700.00 x 1.08 = 6,156.00.
    assert (line["remuneration_code1"], line["contribution_basis"]) == (D("5700.00"), D("6156.00"))
    assert manifest["anomalies"] == {
        "incapacity_days_outside_occupations": 0,
        "occupations_with_more_incapacity_than_scheduled_days": 0,
    }

    # The same figures in the XML (zones in cents / hundredths, docs/dmfa.md "Number formats").
    rec = xml_root(root).xpath(f"//NaturalPerson[INSS='{NISS_BLUE}']/WorkerRecord")[0]
    assert texts(rec, "WorkerCode/text()") == ["015"]
    assert texts(rec, "Occupation/OccupationStartingDate/text()") == ["2015-03-02"]
    assert rec.xpath("Occupation/OccupationEndingDate") == []
    assert texts(rec, "Occupation/Service/ServiceCode/text()") == ["001", "010", "011", "050"]
    assert texts(rec, "Occupation/Service/ServiceNbrDays/text()") == ["04100", "00500", "01200", "00800"]
    assert texts(rec, "Occupation/Service/ServiceNbrHours/text()") == ["0031160", "0003800", "0009120", "0006080"]
    assert texts(rec, "Occupation/Remun/RemunCode/text()") == ["001"]
    assert texts(rec, "Occupation/Remun/RemunAmount/text()") == ["00000570000"]


def test_q3_white_collar_part_time_change_gives_two_occupations(q3):
    root, _, _ = q3
    occ = sorted(rows(table(root, "dmfa_occupations"), employee_id="W1"), key=lambda r: r["occupation_seq"])
    # A new occupation when Q/S changes. work_fraction 1 in the July and August snapshots, 0.8
    # in September (monthly granularity: the change is dated on the first day of that month).
    # Occupation 1: contract start 2020-01-06 (unchanged since), ends 2026-08-31; Q = 38.00; ContractType 0.
    # Occupation 2: from 2026-09-01, no end; Q = 38 x 0.8 = 30.40; ContractType 1 (part time).
    assert [
        (
            o["occupation_seq"],
            o["start"],
            o["end"],
            o["dmfa_contract_type"],
            o["ref_mean_working_hours"],
            o["mean_working_hours"],
        )
        for o in occ
    ] == [
        (1, dt.date(2020, 1, 6), dt.date(2026, 8, 31), "0", D("38.00"), D("38.00")),
        (2, dt.date(2026, 9, 1), None, "1", D("38.00"), D("30.40")),
    ]
    # Remuneration code 1 per occupation: 4,000.15 + 4,000.15 = 8,000.30; 3,200.12.
    assert [o["remuneration_code1"] for o in occ] == [D("8000.30"), D("3200.12")]
    # Service code 1 per occupation: Jul 23 + Aug 21 = 44 days, hours 44 x 38.00 / 5 = 334.40;
    # Sep 22 days, hours 22 x 30.40 / 5 = 133.76 (rounded to 1/100 h, here exact).
    svc = sorted(
        (r["occupation_seq"], r["service_code"], r["days"], r["hours"])
        for r in rows(table(root, "dmfa_services"), employee_id="W1")
    )
    assert svc == [(1, 1, D("44.00"), D("334.40")), (2, 1, D("22.00"), D("133.76"))]
    # White collar: basis at 100 % = 8,000.30 + 3,200.12 = 11,200.42.
    [line] = rows(table(root, "dmfa_worker_lines"), employee_ids="W1")
    assert (line["occupations"], line["remuneration_code1"], line["contribution_basis"]) == (
        2,
        D("11200.42"),
        D("11200.42"),
    )

    rec = xml_root(root).xpath(f"//NaturalPerson[INSS='{NISS_WHITE}']/WorkerRecord")[0]
    assert texts(rec, "WorkerCode/text()") == ["495"]
    assert texts(rec, "Occupation/OccupationStartingDate/text()") == ["2020-01-06", "2026-09-01"]
    assert texts(rec, "Occupation/OccupationEndingDate/text()") == ["2026-08-31"]
    assert texts(rec, "Occupation/ContractType/text()") == ["0", "1"]
    assert texts(rec, "Occupation/MeanWorkingHours/text()") == ["3800", "3040"]
    assert texts(rec, "Occupation/RefMeanWorkingHours/text()") == ["3800", "3800"]
    assert texts(rec, "Occupation/Service/ServiceNbrHours/text()") == ["0033440", "0013376"]
    assert texts(rec, "Occupation/Remun/RemunAmount/text()") == ["00000800030", "00000320012"]


# Expected quarterly contributions, one rounding per (code, type), and the sum of
# the three monthly rounded lines, per worker line:
#
# B1 basis 6,156.00; monthly ONSS bases Jul 3,240.00, Aug 2,250.00 x 1.08 = 2,430.00, Sep 486.00.
#   015: 6,156.00 x 38.07 % = 2,343.5892 -> 2,343.59.
#        monthly: Jul 423.47 (423.468) + 644.11 (644.112) + 165.89 (165.888) = 1,233.47
#                 Aug 317.60 (317.601) + 483.08 (483.084) + 124.42 (124.416) =   925.10
#                 Sep  63.52 (63.5202) +  96.62 (96.6168) +  24.88 (24.8832) =   185.02   -> 2,343.59, regularisation 0
#        worker part: 6,156.00 x 13.07 % = 804.5892 -> 804.59 = 423.47 + 317.60 + 63.52.
#   253: 6,156.00 x 5.57 % = 342.8892 -> 342.89; monthly 180.47 + 135.35 + 27.07 = 342.89.
#   255: 6,156.00 x 0.02 % = 1.2312 -> 1.23;     monthly 0.65 (0.648) + 0.49 (0.486) + 0.10 (0.0972) = 1.24 -> -0.01
#   256: 6,156.00 x 0.01 % = 0.6156 -> 0.62;     monthly 0.32 (0.324) + 0.24 (0.243) + 0.05 (0.0486) = 0.61 -> +0.01
#   809: 6,156.00 x 0.34 % = 20.9304 -> 20.93;   monthly 11.02 + 8.26 + 1.65 = 20.93
#   810, 859: 6,156.00 x 0.10 % = 6.156 -> 6.16; monthly 3.24 + 2.43 + 0.49 = 6.16
#   total 2,343.59 + 342.89 + 1.23 + 0.62 + 20.93 + 6.16 + 6.16 = 2,721.58
# W1 basis 11,200.42 (white collar, 100 %); monthly bases 4,000.15, 4,000.15, 3,200.12.
#   495: 11,200.42 x 38.07 % = 4,263.999894 -> 4,264.00.
#        monthly: Jul, Aug 522.82 (522.819605) + 795.23 (795.22982) + 204.81 (204.80768) = 1,522.86 each
#                 Sep      418.26 (418.255684) + 636.18 (636.183856) + 163.85 (163.846144) = 1,218.29
#                 sum 1,522.86 x 2 + 1,218.29 = 4,264.01 -> rounding regularisation 4,264.00 - 4,264.01 = -0.01
#        worker part: monthly 522.82 x 2 + 418.26 = 1,463.90 withheld (final, never adjusted);
#        quarterly 11,200.42 x 13.07 % = 1,463.894894 -> 1,463.89: difference -0.01, borne by the employer:
#        employer part 4,264.00 - 1,463.90 = 2,800.10 against monthly
#        795.23 x 2 + 204.81 x 2 + 636.18 + 163.85 = 2,800.11.
#   255: 11,200.42 x 0.02 % = 2.240084 -> 2.24; monthly 0.80 + 0.80 + 0.64 = 2.24
#   256: 1.120042 -> 1.12; monthly 0.40 + 0.40 + 0.32 = 1.12
#   809: 11,200.42 x 0.34 % = 38.081428 -> 38.08; monthly 13.60 + 13.60 + 10.88 = 38.08
#   810, 859: 11.200420 -> 11.20; monthly 4.00 + 4.00 + 3.20 = 11.20
#   total 4,264.00 + 2.24 + 1.12 + 38.08 + 11.20 + 11.20 = 4,327.84
# 856, the CSSS (Law of 30 March 1994), type 0, no basis: the sum withheld by the monthly runs
# (each month on its own ONSS base m, the single scale since no household is given, band by Q = 3 x m):
# B1 Jul m 3,240.00 (Q 9,720.00, band 3): 10.33 + 1.10 % x (3,240.00 - 2,190.18) = 10.33 + 11.54802 -> 21.88;
#    Aug m 2,430.00 (Q 7,290.00, band 3): 10.33 + 1.10 % x 239.82 = 10.33 + 2.63802 -> 12.97;
#    Sep m 486.00 (Q 1,458.00 < 5,836.14): 0.00 (no line); 856 = 21.88 + 12.97 = 34.85.
# W1 Jul, Aug m 4,000.15 (Q 12,000.45, band 4): 27.35 + 3.38 % x (4,000.15 - 3,737.00) = 27.35 + 8.89447 -> 36.24;
#    Sep m 3,200.12 (Q 9,600.36, band 3): 10.33 + 1.10 % x 1,009.94 = 10.33 + 11.10934 -> 21.44;
#    856 = 36.24 x 2 + 21.44 = 93.92. The quarter declares what was withheld: no regularisation.
# Worker-line totals with 856: B1 2,721.58 + 34.85 = 2,756.43; W1 4,327.84 + 93.92 = 4,421.76.
Q3_EXPECTED = {
    # (employee, code, type): (basis, quarterly amount, monthly total, rounding regularisation)
    ("B1", "015", "1"): (D("6156.00"), D("2343.59"), D("2343.59"), D("0.00")),
    ("B1", "253", "0"): (D("6156.00"), D("342.89"), D("342.89"), D("0.00")),
    ("B1", "255", "0"): (D("6156.00"), D("1.23"), D("1.24"), D("-0.01")),
    ("B1", "256", "0"): (D("6156.00"), D("0.62"), D("0.61"), D("0.01")),
    ("B1", "809", "0"): (D("6156.00"), D("20.93"), D("20.93"), D("0.00")),
    ("B1", "810", "0"): (D("6156.00"), D("6.16"), D("6.16"), D("0.00")),
    ("B1", "859", "0"): (D("6156.00"), D("6.16"), D("6.16"), D("0.00")),
    ("B1", "856", "0"): (None, D("34.85"), D("34.85"), D("0.00")),
    ("W1", "495", "0"): (D("11200.42"), D("4264.00"), D("4264.01"), D("-0.01")),
    ("W1", "255", "0"): (D("11200.42"), D("2.24"), D("2.24"), D("0.00")),
    ("W1", "256", "0"): (D("11200.42"), D("1.12"), D("1.12"), D("0.00")),
    ("W1", "809", "0"): (D("11200.42"), D("38.08"), D("38.08"), D("0.00")),
    ("W1", "810", "0"): (D("11200.42"), D("11.20"), D("11.20"), D("0.00")),
    ("W1", "859", "0"): (D("11200.42"), D("11.20"), D("11.20"), D("0.00")),
    ("W1", "856", "0"): (None, D("93.92"), D("93.92"), D("0.00")),
}


def test_q3_contributions_one_rounding_per_code_and_regularisation_lines(q3):
    root, _, _ = q3
    contrib = table(root, "dmfa_contributions")
    recon = table(root, "dmfa_reconciliation")
    got_contrib = {
        (r["employee_ids"], r["contribution_worker_code"], r["contribution_type"]): (r["basis"], r["amount"])
        for r in contrib.to_dicts()
    }
    got_recon = {
        (r["employee_ids"], r["contribution_worker_code"], r["contribution_type"]): (
            r["basis"],
            r["amount"],
            r["monthly_total"],
            r["rounding_regularisation"],
        )
        for r in recon.to_dicts()
    }
    assert got_recon == Q3_EXPECTED
    assert got_contrib == {k: v[:2] for k, v in Q3_EXPECTED.items()}
    # 015 / 495 group the personal, basic and wage-moderation contributions: rate 13.07 + 19.88 + 5.12 = 38.07 %.
    [b015] = rows(contrib, employee_ids="B1", contribution_worker_code="015")
    assert (b015["rate"], b015["contributions"]) == (D("0.3807"), "employer_basic+wage_moderation+worker_onss")
    assert b015["worker_part"] == D("804.59")
    # The worker's part is never adjusted: the difference is the employer's.
    [w495] = rows(recon, employee_ids="W1", contribution_worker_code="495")
    assert (w495["monthly_worker"], w495["worker_part_quarterly"], w495["worker_part_difference"]) == (
        D("1463.90"),
        D("1463.89"),
        D("-0.01"),
    )
    assert (w495["monthly_employer"], w495["employer_part_quarterly"], w495["employer_regularisation"]) == (
        D("2800.11"),
        D("2800.10"),
        D("-0.01"),
    )
    # Every reconciliation line adds up: monthly_total + rounding_regularisation + cap_relief == amount.
    for r in recon.to_dicts():
        assert r["monthly_total"] + r["rounding_regularisation"] + r["cap_relief"] == r["amount"]
        assert r["cap_relief"] == 0  # far below the 88,434.00 cap
    # Worker-line totals: 2,756.43 and 4,421.76 (856 included; also shown apart).
    lines = {r["employee_ids"]: r for r in table(root, "dmfa_worker_lines").to_dicts()}
    assert (lines["B1"]["total_contributions"], lines["W1"]["total_contributions"]) == (D("2756.43"), D("4421.76"))
    assert (lines["B1"]["csss"], lines["W1"]["csss"]) == (D("34.85"), D("93.92"))
    assert (lines["W1"]["worker_code_contribution"], lines["W1"]["rounding_regularisation"]) == (
        D("4264.00"),
        D("-0.01"),
    )
    # XML: one WorkerContribution per (code, type), basis and amount in cents; 856 without a basis.
    rec = xml_root(root).xpath(f"//NaturalPerson[INSS='{NISS_BLUE}']/WorkerRecord")[0]
    assert texts(rec, "WorkerContribution/ContributionWorkerCode/text()") == [
        "015",
        "253",
        "255",
        "256",
        "809",
        "810",
        "856",
        "859",
    ]
    assert texts(rec, "WorkerContribution/ContributionType/text()") == ["1", "0", "0", "0", "0", "0", "0", "0"]
    assert set(texts(rec, "WorkerContribution/ContributionCalculationBasis/text()")) == {"00000615600"}
    assert rec.xpath("WorkerContribution[ContributionWorkerCode='856']/ContributionCalculationBasis") == []
    assert texts(rec, "WorkerContribution/ContributionAmount/text()") == [
        "00000234359",
        "00000034289",
        "00000000123",
        "00000000062",
        "00000002093",
        "00000000616",
        "00000003485",
        "00000000616",
    ]


# The deductions of the quarter.
# Work bonus (Law of 20 December 1999; DmfA WorkerDeduction 0001 = the sum of the monthly bonuses), B1,
# ouvrier, reference wage at 100 %:
#   Jul: W = 3,000.00, complete month (23 of 23 days); table of 2026-07-01 (ouvriers): S > 2,937.93, so
#        volet B 0 and volet A 137.74 - 0.3452 x (3,000.00 - 2,937.93) = 116.313436 -> 116.31 (cap 423.47).
#   Aug: W = 1,500.00 + 750.00 = 2,250.00; unpaid days under codes 10 (24-28 Aug) and 11 (31 Aug) = 6, so
#        J = 21 - 6 = 15 of D = 21: fraction round2(15 / 21) = 0.71, S = (2,250.00 / 15) x 21 = 150.00 x 21
#        = 3,150.00; volet A 137.74 - 0.3452 x 212.07 = 64.533436 -> 64.53; 0.71 x 64.53 = 45.8163 -> 45.82.
#   Sep: W = 450.00; unpaid days under 11 (1-15 Sep: 11) and 50 (16-25 Sep: 8) = 19, J = 22 - 19 = 3:
#        fraction round2(3 / 22) = 0.14, S = 150.00 x 22 = 3,300.00; table of 2026-09-01: volet A
#        137.74 - 0.2958 x (3,300.00 - 2,937.93) = 30.639694 -> 30.64; 0.14 x 30.64 = 4.2896 -> 4.29.
#   0001 = 116.31 + 45.82 + 4.29 = 166.42. W1 (above 3,403.62 every month: S = 4,000.15; Sep
#   S = round(3,200.12 / 17.6) x 22 = 181.83 x 22 = 4,000.26): no bonus, no 0001.
# Structural reduction, category 1 (Programme Act (I) of 24 December 2002; OccupationDeduction 3000),
# parameters of 2026-Q3: S0 11,687.74, S2 9,738.14, alpha 0.14, gamma 0.16.
#   B1: full time, but incapacity days in the quarter: by days, J = 41 (service code 1), 13 x D = 65:
#       factor round2(65 / 41 = 1.585...) = 1.59, S = 5,700.00 x 1.59 = 9,063.00; mu = round2(41 / 65) = 0.63
#       = mu_glob, beta = 1.18 + (0.63 - 0.55) x 0.28 = 1.2024;
#       R = 0.14 x (11,687.74 - 9,063.00) + 0.16 x (9,738.14 - 9,063.00) = 367.4636 + 108.0224 = 475.486;
#       Ps = 475.486 x 0.63 x 1.2024 = 360.18635 -> 360.19 (ceiling: 6,156.00 x 25 % = 1,539.00).
#   W1: occupation 1 (Jul-Aug, 44 days): S = 8,000.30 x round2(65 / 44) = 8,000.30 x 1.48 = 11,840.444;
#       occupation 2 (80 %, 133.76 h of 13 x 38 = 494): S = 3,200.12 x round2(494 / 133.76) = 3,200.12 x 3.69
#       = 11,808.4428; both above S0: R = 0, no 3000.
def test_q3_deductions_work_bonus_and_structural_reduction(q3):
    root, store, _ = q3
    lines = {r["employee_ids"]: r for r in table(root, "dmfa_worker_lines").to_dicts()}
    assert (lines["B1"]["work_bonus"], lines["B1"]["structural_reduction"], lines["B1"]["total_deductions"]) == (
        D("166.42"),
        D("360.19"),
        D("526.61"),
    )
    assert (lines["W1"]["work_bonus"], lines["W1"]["structural_reduction"]) == (D("0.00"), D("0.00"))
    # 0001 = the three monthly work-bonus lines of the run store, as withheld less.
    monthly = store.read("contribution_lines").filter(
        (pl.col("employee_id") == "B1") & (pl.col("contribution") == "work_bonus")
    )
    assert sorted(monthly.get_column("amount").to_list()) == [D("-116.31"), D("-45.82"), D("-4.29")]
    [occ] = rows(table(root, "dmfa_occupations"), employee_id="B1")
    assert (occ["performance_basis"], occ["reference_wage"], occ["mu"], occ["mu_glob"], occ["beta"]) == (
        "days",
        D("9063.00"),
        D("0.63"),
        D("0.63"),
        D("1.2024"),
    )
    assert (occ["employer_contributions"], occ["structural_reduction"]) == (D("1539.00"), D("360.19"))
    w1 = sorted(rows(table(root, "dmfa_occupations"), employee_id="W1"), key=lambda r: r["occupation_seq"])
    assert [(o["performance_basis"], o["mu"], o["structural_reduction"]) for o in w1] == [
        ("days", D("0.68"), D("0.00")),
        ("hours", D("0.27"), D("0.00")),
    ]
    # The XML: WorkerDeduction 0001 after the contributions, OccupationDeduction 3000 last in the occupation.
    rec = xml_root(root).xpath(f"//NaturalPerson[INSS='{NISS_BLUE}']/WorkerRecord")[0]
    assert texts(rec, "WorkerDeduction/DeductionCode/text()") == ["0001"]
    assert texts(rec, "WorkerDeduction/DeductionAmount/text()") == ["00000016642"]
    assert rec.xpath("WorkerDeduction/DeductionCalculationBasis") == []
    assert texts(rec, "Occupation/OccupationDeduction/DeductionCode/text()") == ["3000"]
    assert texts(rec, "Occupation/OccupationDeduction/DeductionAmount/text()") == ["00000036019"]
    assert rec.xpath("Occupation/*")[-1].tag == "OccupationDeduction"
    assert (
        xml_root(root).xpath(
            f"//NaturalPerson[INSS='{NISS_WHITE}']//WorkerDeduction | "
            f"//NaturalPerson[INSS='{NISS_WHITE}']//OccupationDeduction"
        )
        == []
    )


def test_q3_net_owed_amount_and_totals_reconcile(q3):
    root, _, manifest = q3
    # NetOwedAmount [00015] = sum of WorkerContribution - deductions
    # = 2,756.43 + 4,421.76 - (166.42 + 360.19) = 7,178.19 - 526.61 = 6,651.58.
    # Monthly lines 7,049.43 + 34.85 + 93.92 = 7,178.20; regularisation B1 -0.01 + 0.01, W1 -0.01 = -0.01;
    # cap relief 0.00: 7,178.20 - 0.01 + 0.00 = 7,178.19.
    summary = manifest["employers"][EMPLOYER]
    assert (summary["contributions"], summary["deductions"], summary["net_owed_amount"]) == (
        "7178.19",
        "526.61",
        "6651.58",
    )
    assert (summary["csss_856"], summary["work_bonus_0001"], summary["structural_reduction_3000"]) == (
        "128.77",
        "166.42",
        "360.19",
    )
    assert (summary["monthly_contributions"], summary["rounding_regularisation"], summary["cap_relief"]) == (
        "7178.20",
        "-0.01",
        "0.00",
    )
    assert summary["reconciles"] is True
    assert summary["remuneration_code1"] == "16900.42"  # 5,700.00 + 8,000.30 + 3,200.12
    assert (summary["worker_lines"], summary["occupations"]) == (2, 3)
    assert texts(xml_root(root), "//EmployerDeclaration/NetOwedAmount/text()") == ["000000000665158"]
    assert texts(xml_root(root), "//EmployerDeclaration/Quarter/text()") == ["20263"]
    amounts = [D(t) / 100 for t in texts(xml_root(root), "//WorkerContribution/ContributionAmount/text()")]
    deducted = [D(t) / 100 for t in texts(xml_root(root), "//DeductionAmount/text()")]
    assert (sum(amounts), sum(deducted)) == (D("7178.19"), D("526.61"))
    # The worker lines carry the same net: 2,756.43 - 526.61 = 2,229.82 and 4,421.76.
    lines = {r["employee_ids"]: r["net_owed_amount"] for r in table(root, "dmfa_worker_lines").to_dicts()}
    assert lines == {"B1": D("2229.82"), "W1": D("4421.76")}
    assert manifest["assumptions"]["reference_weekly_hours"] == "38"
    assert "3000" in manifest["assumptions"]["deductions"] and "0001" in manifest["assumptions"]["deductions"]
    assert sorted(manifest["source_runs"]) == ["2026-07", "2026-08", "2026-09"]


# --------------------------------------------------------------------------------------------
# Pure QuarterInput frames (no run store)
# --------------------------------------------------------------------------------------------
def quarter_input(workers: list[dict], quarter: str = QUARTER, workforce: int = 5) -> QuarterInput:
    """QuarterInput for one employer (category 000, commercial). Each worker: employee_id, niss,
    status, gross (three monthly amounts) and optionally fraction (three work fractions).
    Monthly contribution lines come from pipeline.rules.contributions: the base x rate lines only
    (no work-bonus or CSSS line; those of the monthly job are in the hand-worked quarter above)."""
    payroll, contrib, employees, employers = [], [], [], []
    for i, period in enumerate(quarter_periods(quarter)):
        start = dt.date.fromisoformat(period + "-01")
        month = pl.DataFrame(
            {
                "employee_id": [w["employee_id"] for w in workers],
                "period": period,
                "employer_id": EMPLOYER,
                "worker_status": [w["status"] for w in workers],
                "gross_salary": [D(w["gross"][i]) for w in workers],
                "guaranteed_wage_onss": D("0.00"),
                "employer_category": "000",
                "workforce": workforce,
                "commercial": True,
            },
            schema_overrides={"gross_salary": MONEY, "guaranteed_wage_onss": MONEY, "workforce": pl.Int32},
        ).with_columns(onss_base(PARAMS, start), worker_code().alias("worker_code"))
        lines = contribution_lines(month, PARAMS, start)
        contrib.append(plain_text(lines))  # as RunStore.read gives them
        payroll.append(
            month.join(totals(lines), on=["employee_id", "period"]).with_columns(
                pl.lit("BE").alias("residence_country"),
                pl.lit("BE").alias("work_country"),
                pl.lit("BE_RESIDENT").alias("withholding_reason"),
            )
        )
        employees.append(
            pl.DataFrame(
                {
                    "employee_id": [w["employee_id"] for w in workers],
                    "employer_id": EMPLOYER,
                    "period": period,
                    "niss": [w["niss"] for w in workers],
                    "last_name": [w["employee_id"] for w in workers],
                    "first_name": "Test",
                    "worker_status": [w["status"] for w in workers],
                    "contract_type": "open_ended",
                    "contract_start": dt.date(2015, 1, 5),
                    "contract_end": None,
                    "work_fraction": [D(w.get("fraction", ["1", "1", "1"])[i]) for w in workers],
                    "weekly_work_days": 5,
                },
                schema_overrides={"contract_end": pl.Date, "work_fraction": RATIO, "weekly_work_days": pl.Int8},
            )
        )
        employers.append(
            pl.DataFrame(
                {
                    "employer_id": [EMPLOYER],
                    "enterprise_number": [ENTERPRISE],
                    "name": ["Ateliers Mosans SA"],
                    "employer_category": ["000"],
                    "workforce": [workforce],
                    "commercial": [True],
                    "period": [period],
                },
                schema_overrides={"workforce": pl.Int32},
            )
        )
    return QuarterInput(
        quarter=quarter,
        payroll_lines=pl.concat(payroll),
        contribution_lines=pl.concat(contrib),
        guaranteed_wage_days=None,
        employees=pl.concat(employees),
        employers=pl.concat(employers),
        source_runs={p: {"run_id": f"run-{p}", "run_date": "2026-10-02"} for p in quarter_periods(quarter)},
    )


def by_code(result, table_name: str, employee: str) -> dict[str, dict]:
    frame = result.tables[table_name].filter(pl.col("employee_ids") == employee)
    return {r["contribution_worker_code"]: r for r in frame.to_dicts()}


def test_issue_example_three_monthly_141_16_against_quarterly_423_47():
    """The Odoo ONSS test's case: blue collar, 1,000.00 gross a month in 2026-Q3.

    Monthly ONSS base 1,000.00 x 108 % = 1,080.00; personal 1,080.00 x 13.07 % = 141.156 -> 141.16,
    basic 1,080.00 x 19.88 % = 214.704 -> 214.70, moderation 1,080.00 x 5.12 % = 55.296 -> 55.30:
    015 each month 411.16, three months 1,233.48 (personal 3 x 141.16 = 423.48).
    Quarter: basis 3,000.00 x 108 % = 3,240.00; 015 = 3,240.00 x 38.07 % = 1,233.468 -> 1,233.47,
    personal part 3,240.00 x 13.07 % = 423.468 -> 423.47.
    Rounding regularisation 1,233.47 - 1,233.48 = -0.01, borne by the employer: employer part
    1,233.47 - 423.48 = 809.99 (Odoo books 270.00 / 269.99 / 270.00) against 3 x 270.00 = 810.00.
    """
    result = compute_quarter(
        quarter_input(
            [
                {"employee_id": "B9", "niss": NISS_BLUE, "status": "blue_collar", "gross": ["1000.00"] * 3},
            ]
        ),
        PARAMS,
        RUN_DATE,
    )
    monthly = quarter_input(
        [{"employee_id": "B9", "niss": NISS_BLUE, "status": "blue_collar", "gross": ["1000.00"] * 3}]
    )
    worker_lines = monthly.contribution_lines.filter(pl.col("contribution") == "worker_onss")
    assert worker_lines.get_column("amount").to_list() == [D("141.16")] * 3
    r = by_code(result, "dmfa_reconciliation", "B9")["015"]
    assert (r["basis"], r["monthly_worker"], r["monthly_employer"], r["monthly_total"]) == (
        D("3240.00"),
        D("423.48"),
        D("810.00"),
        D("1233.48"),
    )
    assert (r["amount"], r["rounding_regularisation"], r["cap_relief"]) == (D("1233.47"), D("-0.01"), D("0.00"))
    assert (r["worker_part_quarterly"], r["worker_part_difference"]) == (D("423.47"), D("-0.01"))
    assert (r["employer_part_quarterly"], r["employer_regularisation"]) == (D("809.99"), D("-0.01"))
    assert r["monthly_total"] + r["rounding_regularisation"] + r["cap_relief"] == r["amount"]
    # The other codes on 3,240.00: 253 = 180.468 -> 180.47 (monthly 3 x 60.16 (60.156) = 180.48 -> -0.01);
    # 255 = 0.648 -> 0.65 (3 x 0.22 (0.216) = 0.66 -> -0.01); 256 = 0.324 -> 0.32 (3 x 0.11 (0.108) = 0.33 -> -0.01);
    # 809 = 11.016 -> 11.02 (3 x 3.67 (3.672) = 11.01 -> +0.01); 810, 859 = 3.24 (3 x 1.08, exact).
    got = {
        c: (v["amount"], v["rounding_regularisation"]) for c, v in by_code(result, "dmfa_reconciliation", "B9").items()
    }
    assert got == {
        "015": (D("1233.47"), D("-0.01")),
        "253": (D("180.47"), D("-0.01")),
        "255": (D("0.65"), D("-0.01")),
        "256": (D("0.32"), D("-0.01")),
        "809": (D("11.02"), D("0.01")),
        "810": (D("3.24"), D("0.00")),
        "859": (D("3.24"), D("0.00")),
    }
    # Contributions = 1,233.47 + 180.47 + 0.65 + 0.32 + 11.02 + 3.24 + 3.24 = 1,432.41;
    # regularisation -0.01 x 4 + 0.01 = -0.03; monthly lines 1,432.41 + 0.03 = 1,432.44.
    # Structural reduction (2026-Q3, complete quarter, S = W = 3,000.00, mu = beta = 1):
    # R = 0.14 x (11,687.74 - 3,000.00) + 0.16 x (9,738.14 - 3,000.00) = 1,216.2836 + 1,078.1024 = 2,294.386
    # -> 2,294.39, above the ceiling: the line's employer basic + moderation 3,240.00 x 25 % = 810.00.
    # NetOwedAmount = 1,432.41 - 810.00 = 622.41.
    summary = result.manifest["employers"][EMPLOYER]
    assert (summary["contributions"], summary["structural_reduction_3000"]) == ("1432.41", "810.00")
    [sr] = result.tables["dmfa_occupations"].to_dicts()
    assert (sr["performance_basis"], sr["employer_contributions"], sr["structural_reduction"]) == (
        "complete",
        D("810.00"),
        D("810.00"),
    )
    assert summary["net_owed_amount"] == "622.41" and summary["rounding_regularisation"] == "-0.03"
    assert summary["monthly_contributions"] == "1432.44" and summary["reconciles"] is True
    assert all(validate_declaration(xml) == [] for xml in result.declarations.values())


def test_hours_are_rounded_once_to_the_hundredth():
    """Glossary zones 00048, 00064: Q = S x work_fraction rounded once to 1/100 h; hours =
    days x Q / days per week rounded once to 1/100 h. One third time all quarter:
    Q = 38 x 0.333333 = 12.666654 -> 12.67; 66 weekdays in 2026-Q3 (Jul 23, Aug 21, Sep 22);
    hours = 66 x 12.67 / 5 = 167.244 -> 167.24."""
    result = compute_quarter(
        quarter_input(
            [
                {
                    "employee_id": "P1",
                    "niss": NISS_WHITE,
                    "status": "white_collar",
                    "gross": ["1000.00"] * 3,
                    "fraction": ["0.333333"] * 3,
                },
            ]
        ),
        PARAMS,
        RUN_DATE,
    )
    [occ] = result.tables["dmfa_occupations"].to_dicts()
    assert (occ["mean_working_hours"], occ["dmfa_contract_type"], occ["start"], occ["end"]) == (
        D("12.67"),
        "1",
        dt.date(2015, 1, 5),
        None,
    )
    [svc] = result.tables["dmfa_services"].to_dicts()
    assert (svc["service_code"], svc["days"], svc["hours"]) == (1, D("66.00"), D("167.24"))


def test_employer_cap_value_in_force_for_2026_q3():
    # onss/employer_cap_quarter: 85,000.00 from 2025-07-01, 86,700.00 from 2026-01-01 (+2 %),
    # 88,434.00 from 2026-07-01 (+2 %); the quarter's first day decides.
    assert PARAMS.value("onss/employer_cap_quarter", dt.date(2025, 6, 30)) is None
    assert PARAMS.value("onss/employer_cap_quarter", dt.date(2026, 4, 1)) == D("86700.00")
    assert PARAMS.value("onss/employer_cap_quarter", quarter_bounds(QUARTER)[0]) == D("88434.00")


@pytest.fixture(scope="module")
def capped():
    return compute_quarter(
        quarter_input(
            [
                {"employee_id": "C1", "niss": NISS_OTHER[0], "status": "white_collar", "gross": ["32000.00"] * 3},
                {"employee_id": "C2", "niss": NISS_OTHER[1], "status": "blue_collar", "gross": ["31000.00"] * 3},
                {"employee_id": "C3", "niss": NISS_OTHER[2], "status": "blue_collar", "gross": ["29000.00"] * 3},
            ]
        ),
        PARAMS,
        RUN_DATE,
    )


def test_employer_cap_white_collar(capped):
    """Employer cap: basic 19.88 % + moderation 5.12 % only on min(basic pay, 88,434.00); 13.07 % and the
    special contributions on the full pay. White collar, 3 x 32,000.00 = 96,000.00 (code 1, 100 %).

    495 = round(96,000.00 x 13.07 % + 88,434.00 x 25.00 %) = round(12,547.20 + 22,108.50) = 34,655.70
    without the cap: 96,000.00 x 38.07 % = 36,547.20; cap relief = 34,655.70 - 36,547.20 = -1,891.50
    (= -(96,000.00 - 88,434.00) x 25 % = -7,566.00 x 0.25).
    Monthly: 32,000.00 x 13.07 % = 4,182.40, x 19.88 % = 6,361.60, x 5.12 % = 1,638.40 -> 12,182.40;
    3 months 36,547.20 (the monthly lines carry no cap): regularisation 0.00; 36,547.20 + 0 - 1,891.50 = 34,655.70.
    """
    r = by_code(capped, "dmfa_reconciliation", "C1")
    c = by_code(capped, "dmfa_contributions", "C1")
    assert (c["495"]["basis"], c["495"]["basis_capped"], c["495"]["employer_cap_quarter"]) == (
        D("96000.00"),
        D("88434.00"),
        D("88434.00"),
    )
    assert (c["495"]["amount_uncapped"], c["495"]["cap_relief"], c["495"]["amount"]) == (
        D("36547.20"),
        D("-1891.50"),
        D("34655.70"),
    )
    assert (
        r["495"]["monthly_total"],
        r["495"]["rounding_regularisation"],
        r["495"]["cap_relief"],
        r["495"]["amount"],
    ) == (D("36547.20"), D("0.00"), D("-1891.50"), D("34655.70"))
    # The personal 13.07 % is on the full pay: 96,000.00 x 13.07 % = 12,547.20 = 3 x 4,182.40.
    assert (r["495"]["worker_part_quarterly"], r["495"]["monthly_worker"], r["495"]["worker_part_difference"]) == (
        D("12547.20"),
        D("12547.20"),
        D("0.00"),
    )
    # Special contributions on the full pay: 809 96,000.00 x 0.34 % = 326.40; 810 and 859 x 0.10 % = 96.00.
    assert (c["809"]["amount"], c["810"]["amount"], c["859"]["amount"]) == (D("326.40"), D("96.00"), D("96.00"))
    assert c["809"]["basis_capped"] is None and c["809"]["cap_relief"] == 0


def test_employer_cap_blue_collar_compares_the_pay_at_100_percent(capped):
    """The cap applies to the quarterly "basic pay" = remuneration codes 1 and 61, and the Remun
    amounts stay at 100 % (the 108 % is applied in the contribution basis). So the pay at
    100 % is compared with the cap, and the part under the cap is then taken at 108 %.

    C2, 3 x 31,000.00 = 93,000.00 > 88,434.00: basis 93,000.00 x 1.08 = 100,440.00; capped basis
    88,434.00 x 1.08 = 95,508.72.
    015 = round(100,440.00 x 13.07 % + 95,508.72 x 25 %) = round(13,127.508 + 23,877.18) = 37,004.69;
    uncapped 100,440.00 x 38.07 % = 38,237.508 -> 38,237.51; cap relief -1,232.82
    (= -(100,440.00 - 95,508.72) x 25 % = -4,931.28 x 0.25).
    Monthly base 33,480.00: 4,375.84 (4,375.836) + 6,655.82 (6,655.824) + 1,714.18 (1,714.176) = 12,745.84;
    3 months 38,237.52 -> regularisation 38,237.51 - 38,237.52 = -0.01; 38,237.52 - 0.01 - 1,232.82 = 37,004.69.

    C3, 3 x 29,000.00 = 87,000.00 <= 88,434.00 at 100 % (but 93,960.00 at 108 %, above the cap):
    no relief; 015 = 93,960.00 x 38.07 % = 35,770.572 -> 35,770.57.
    """
    c2 = by_code(capped, "dmfa_contributions", "C2")["015"]
    r2 = by_code(capped, "dmfa_reconciliation", "C2")["015"]
    assert (c2["basis"], c2["basis_capped"], c2["contribution_type"]) == (D("100440.00"), D("95508.72"), "1")
    assert (c2["amount_uncapped"], c2["cap_relief"], c2["amount"]) == (D("38237.51"), D("-1232.82"), D("37004.69"))
    assert (r2["monthly_total"], r2["rounding_regularisation"]) == (D("38237.52"), D("-0.01"))
    assert r2["monthly_total"] + r2["rounding_regularisation"] + r2["cap_relief"] == r2["amount"]
    # 253 (5.57 %) is on the full 108 % basis: 100,440.00 x 5.57 % = 5,594.508 -> 5,594.51.
    assert by_code(capped, "dmfa_contributions", "C2")["253"]["amount"] == D("5594.51")

    c3 = by_code(capped, "dmfa_contributions", "C3")["015"]
    assert (c3["basis"], c3["basis_capped"], c3["cap_relief"], c3["amount"]) == (
        D("93960.00"),
        D("93960.00"),
        D("0.00"),
        D("35770.57"),
    )


def test_employer_cap_totals_and_declaration(capped):
    summary = capped.manifest["employers"][EMPLOYER]
    # Cap relief of the employer: -1,891.50 (C1) - 1,232.82 (C2) + 0 (C3) = -3,124.32.
    assert summary["cap_relief"] == "-3124.32"
    recon = capped.tables["dmfa_reconciliation"]
    total = D(summary["contributions"])
    assert (
        D(summary["monthly_contributions"]) + D(summary["rounding_regularisation"]) + D(summary["cap_relief"]) == total
    )
    assert total == sum(recon.get_column("amount").to_list()) and summary["net_owed_amount"] == str(total)
    [xml] = capped.declarations.values()
    assert validate_declaration(xml) == []
    # The XML carries the capped amount on the full basis (cents): C1 495 basis 96,000.00, amount 34,655.70.
    rec = etree.fromstring(xml).xpath(
        f"//NaturalPerson[INSS='{NISS_OTHER[0]}']/WorkerRecord/WorkerContribution[ContributionWorkerCode='495']"
    )[0]
    assert (texts(rec, "ContributionCalculationBasis/text()"), texts(rec, "ContributionAmount/text()")) == (
        ["00009600000"],
        ["00003465570"],
    )
    lines = {r["employee_ids"]: r for r in capped.tables["dmfa_worker_lines"].to_dicts()}
    assert (
        lines["C1"]["worker_code_cap_relief"],
        lines["C2"]["worker_code_cap_relief"],
        lines["C3"]["worker_code_cap_relief"],
    ) == (D("-1891.50"), D("-1232.82"), D("0.00"))


# --------------------------------------------------------------------------------------------
# Schema validation
# --------------------------------------------------------------------------------------------
def test_every_generated_declaration_validates(q3, capped):
    root, _, manifest = q3
    names = [e["name"] for e in manifest["outputs"] if e["name"].endswith(".xml")]
    assert names == [f"dmfa_{EMPLOYER}_20263.xml"]
    for name in names:
        assert validate_declaration((root / "dmfa" / name).read_bytes()) == []
    for xml in capped.declarations.values():
        assert validate_declaration(xml) == []


def test_broken_declaration_is_reported(q3):
    root, _, _ = q3
    xml = (root / "dmfa" / f"dmfa_{EMPLOYER}_20263.xml").read_bytes()
    # A mandatory zone removed, and a quarter that is not YYYYQ.
    without_net = b"\n".join(line for line in xml.split(b"\n") if b"NetOwedAmount" not in line)
    assert any("NetOwedAmount" in e or "NaturalPerson" in e for e in validate_declaration(without_net))
    assert validate_declaration(xml.replace(b"<Quarter>20263</Quarter>", b"<Quarter>2026Q3</Quarter>")) != []


def test_invalid_declaration_raises_and_never_shows_the_niss():
    # A 12-digit national number is formattable, so the writer writes it and the schema refuses it:
    # compute_quarter raises DmfaDeclarationError (nothing to write) with the INSS redacted.
    bad = "850730033281"
    with pytest.raises(DmfaDeclarationError) as err:
        compute_quarter(
            quarter_input(
                [
                    {"employee_id": "X1", "niss": bad, "status": "white_collar", "gross": ["3000.00"] * 3},
                ]
            ),
            PARAMS,
            RUN_DATE,
        )
    message = str(err.value)
    assert "does not validate" in message and "INSS" in message
    assert bad not in message and bad[:11] not in message


# --------------------------------------------------------------------------------------------
# Run-store checks
# --------------------------------------------------------------------------------------------
def _save(store: RunStore, period: str, finalised: bool, employer: str = EMPLOYER, lines: int = 1) -> str:
    """Record a run of ``period`` for ``employer`` without tables; returns its run id."""
    run_id = hashlib.sha256(f"{period}/{employer}".encode()).hexdigest()
    status = Status(lines, finalised, None if finalised else "--no-finalise")
    store.save(period, {}, {"run_id": run_id, "run_date": "2026-10-02"}, {employer: status})
    return run_id


def test_missing_month_is_refused_naming_the_month(tmp_path):
    store = RunStore(tmp_path / "store")
    for period in ("2026-07", "2026-08"):
        _save(store, period, True)
    with pytest.raises(RunStoreError, match=rf"employer {EMPLOYER} 2026-09: not in the store") as err:
        read_quarter(store, QUARTER)
    assert "2026-07" not in str(err.value) and "2026-08" not in str(err.value)
    with pytest.raises(RunStoreError, match=r"2026-09"):
        export_quarter(store, QUARTER, tmp_path / "out", RUN_DATE, PARAMS)
    assert not (tmp_path / "out").exists()  # nothing written


def test_non_finalised_month_is_refused_naming_the_month(tmp_path):
    store = RunStore(tmp_path / "store")
    run_ids = {
        period: _save(store, period, finalised)
        for period, finalised in (("2026-07", True), ("2026-08", False), ("2026-09", True))
    }
    with pytest.raises(
        RunStoreError,
        match=rf"employer {EMPLOYER} 2026-08: run {run_ids['2026-08'][:12]} not finalised \(--no-finalise\)",
    ) as err:
        read_quarter(store, QUARTER)
    assert "2026-07" not in str(err.value) and "2026-09" not in str(err.value)


def test_non_finalised_month_from_the_monthly_batch_is_refused(tmp_path):
    months = dict(Q3_MONTHS)
    run_months(tmp_path, {p: months[p] for p in ("2026-07", "2026-08")})
    run_months(tmp_path, {"2026-09": months["2026-09"]}, finalise=False)
    with pytest.raises(
        RunStoreError,
        match=rf"cannot export the DmfA of 2026-Q3 from the run store .*: employer {EMPLOYER} 2026-09: "
        r"run [0-9a-f]{12} not finalised \(--no-finalise\)",
    ):
        read_quarter(RunStore(tmp_path / "store"), QUARTER)


def test_finalised_months_without_payroll_lines_are_refused(tmp_path):
    store = RunStore(tmp_path / "store")
    for period in quarter_periods(QUARTER):
        _save(store, period, True)
    with pytest.raises(RunStoreError, match=r"2026-Q3: .* holds no payroll lines for 2026-07, 2026-08, 2026-09"):
        read_quarter(store, QUARTER)


def test_each_employer_of_the_quarter_needs_its_three_months(tmp_path):
    # Employer A has its three months; employer B (another client of the bureau) only July: the
    # export refuses, naming B's missing months and not A's; for A alone it goes on.
    store = RunStore(tmp_path / "store")
    other = "999999999"
    for period in quarter_periods(QUARTER):
        _save(store, period, True)
    _save(store, "2026-07", True, employer=other)
    with pytest.raises(RunStoreError) as err:
        read_quarter(store, QUARTER)
    assert f"employer {other} 2026-08: not in the store; employer {other} 2026-09: not in the store" in str(err.value)
    assert f"employer {EMPLOYER}" not in str(err.value)
    with pytest.raises(RunStoreError, match="holds no payroll lines"):  # A passes the refusal (no tables saved here)
        read_quarter(store, QUARTER, [EMPLOYER])


# --------------------------------------------------------------------------------------------
# Determinism and NISS masking
# --------------------------------------------------------------------------------------------
def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_quarter_twice_gives_byte_identical_files(q3, tmp_path):
    root, store, manifest = q3
    # Same store, same run_date, another folder; then a run store rebuilt from the same inputs.
    again = export_quarter(store, QUARTER, tmp_path / "again", RUN_DATE, PARAMS)
    rebuilt = run_months(tmp_path / "rebuilt", Q3_MONTHS)
    export_quarter(rebuilt, QUARTER, tmp_path / "rebuilt_dmfa", RUN_DATE, PARAMS)
    first = _fingerprint(root / "dmfa")
    assert first == _fingerprint(tmp_path / "again") == _fingerprint(tmp_path / "rebuilt_dmfa")
    assert again == manifest and again["run_id"] == manifest["run_id"]
    # The manifest lists every file with its SHA-256 (the manifest itself is the extra file).
    listed = {e["name"]: e["sha256"] for e in manifest["outputs"]}
    assert set(first) == set(listed) | {"manifest.json"}
    assert all(first[name] == digest for name, digest in listed.items())
    # Another run_date changes only the creation date (and the run id), not the figures.
    other = compute_quarter(read_quarter(store, QUARTER), PARAMS, dt.date(2026, 10, 16))
    assert other.manifest["run_id"] != manifest["run_id"]
    assert other.manifest["employers"] == manifest["employers"]


def test_existing_output_needs_overwrite(q3):
    root, store, _ = q3
    with pytest.raises(OutputExistsError):
        export_quarter(store, QUARTER, root / "dmfa", RUN_DATE, PARAMS)
    before = _fingerprint(root / "dmfa")
    export_quarter(store, QUARTER, root / "dmfa", RUN_DATE, PARAMS, overwrite=True)
    assert _fingerprint(root / "dmfa") == before


def test_niss_masked_in_every_table_and_the_manifest(q3):
    root, _, _ = q3
    raw = (NISS_BLUE, NISS_WHITE)
    for name in TABLES:
        csv_text = (root / "dmfa" / f"{name}.csv").read_text(encoding="utf-8")
        assert not any(n in csv_text for n in raw), name
        frame = pl.read_parquet(root / "dmfa" / f"{name}.parquet")
        assert set(frame.get_column("niss").to_list()) <= {"*********28", "*********27"}, name
        for col in frame.columns:
            if frame.schema[col] == pl.String:
                assert not frame.filter(
                    pl.col(col).str.contains(NISS_BLUE) | pl.col(col).str.contains(NISS_WHITE)
                ).height, (name, col)
    assert not any(n in (root / "dmfa" / "manifest.json").read_text(encoding="utf-8") for n in raw)
    # The declaration itself carries the INSS (zone 00024): it is the only place.
    xml = (root / "dmfa" / f"dmfa_{EMPLOYER}_20263.xml").read_text(encoding="utf-8")
    assert f"<INSS>{NISS_BLUE}</INSS>" in xml and f"<INSS>{NISS_WHITE}</INSS>" in xml


def test_missing_snapshot_error_does_not_show_the_niss():
    data = quarter_input([{"employee_id": "B9", "niss": NISS_BLUE, "status": "blue_collar", "gross": ["1000.00"] * 3}])
    broken = QuarterInput(**{**data.__dict__, "employees": data.employees.filter(pl.col("period") != "2026-08")})
    with pytest.raises(RunStoreError, match=r"1 payroll line\(s\) have no employee snapshot") as err:
        compute_quarter(broken, PARAMS, RUN_DATE)
    assert NISS_BLUE not in str(err.value)


# --------------------------------------------------------------------------------------------
# Quarter helpers
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quarter", "periods", "bounds", "code"),
    [
        ("2026-Q1", ["2026-01", "2026-02", "2026-03"], (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), "20261"),
        ("2026-Q3", ["2026-07", "2026-08", "2026-09"], (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), "20263"),
        ("2025-Q4", ["2025-10", "2025-11", "2025-12"], (dt.date(2025, 10, 1), dt.date(2025, 12, 31)), "20254"),
        ("2028-Q1", ["2028-01", "2028-02", "2028-03"], (dt.date(2028, 1, 1), dt.date(2028, 3, 31)), "20281"),
    ],
)
def test_quarter_periods_bounds_and_code(quarter, periods, bounds, code):
    assert quarter_periods(quarter) == periods
    assert quarter_bounds(quarter) == bounds
    assert quarter_code(quarter) == code


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 1), "2025-Q4"),  # year boundary: January -> Q4 of the previous year
        (dt.date(2026, 3, 31), "2025-Q4"),
        (dt.date(2026, 4, 1), "2026-Q1"),
        (dt.date(2026, 10, 15), "2026-Q3"),
        (dt.date(2025, 12, 31), "2025-Q3"),  # the other side of the boundary
    ],
)
def test_previous_quarter(day, expected):
    assert previous_quarter(day) == expected


@pytest.mark.parametrize("bad", ["2026Q3", "2026-Q5", "2026-Q0", "26-Q1", "", "2026-q3"])
def test_malformed_quarter_is_refused(bad):
    with pytest.raises(ValueError, match="quarter must look like"):
        quarter_periods(bad)
