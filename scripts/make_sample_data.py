"""Regenerate ``sample_data/`` deterministically (run from the project root):

    python scripts/make_sample_data.py    # rewrites the four folders (not sample_data/README.md)

Four batches, all invented people:

- ``batch_2026_10/``: the main job's input, hand-curated profiles (``MAIN`` below) run through
  the generator (``pipeline.testing.synthetic``) for identities and pay, with explicit day counts where
  a rule's edge needs them (``DAY_OVERRIDES``) and an explicit absence table (``MAIN_ABSENCES``).
- ``bad_input/``: a small batch with one deliberate defect of each kind, its ``README.md`` and
  ``expected_rejects.csv`` (what validation must report, cascades included).
- ``exports_fr/``: a French-headed export (Windows-1252, ``;``, decimal comma, DD/MM/YYYY, pay as
  XLSX) read with ``pipeline/profiles/fr_export.yaml``.
- ``exports_nl/``: a Dutch-headed export (UTF-8 with BOM, ``;``, decimal comma, DD-MM-YYYY, pay
  as Parquet) read with ``pipeline/profiles/nl_export.yaml``.

The exports are written by inverting the profiles (header and value maps), so profile and
sample cannot drift apart.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import xlsxwriter
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.testing import synthetic as syn  # noqa: E402
from schemas.inputs import INPUTS  # noqa: E402

OUT = ROOT / "sample_data"
PERIOD = "2026-10"
YEAR = 2026
D = dt.date.fromisoformat


# ---------------------------------------------------------------------------------------------
# Curated profiles
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Emp:
    """One curated employee (typed profile; identity and pay come from the generator)."""

    id: str
    er: int  # employer index in the batch's employer table
    res: str
    status: str  # blue | white
    start: str
    birth: str
    fte: str  # full-time monthly gross, euros
    contract: str = "open_ended"
    end: str | None = None
    pct: int = 100
    wd: int = 5
    bis: int = 0
    mob: int = 0
    work: str = "BE"
    group: str | None = None
    fr: tuple | None = None  # (grandfathered, excluded, 276fg year, second chance used, seasonal)
    onem: tuple | None = None  # (be zone resident, foreign zone work, foreign insurance, taxed in BE)


def _fr(grand=True, excl="none", year=YEAR, second=False, seasonal=False) -> tuple:
    return (grand, excl, year, second, seasonal)


def profiles_frame(emps: list[Emp]) -> pl.DataFrame:
    groups = {"BE": "fr", "FR": "fr", "LU": "fr", "NL": "nl", "DE": "de"}
    rows = []
    for k, e in enumerate(emps):
        fr = e.fr or (None, None, None, None, None)
        onem = e.onem or (None, None, None, None)
        rows.append(
            {
                "employee_id": e.id,
                "employer_idx": e.er,
                "residence_country": e.res,
                "work_country": e.work,
                "worker_status": f"{e.status}_collar",
                "contract_type": e.contract,
                "contract_start": D(e.start),
                "contract_end": D(e.end) if e.end else None,
                "fraction_pct": e.pct,
                "weekly_work_days": e.wd,
                "birth_date": D(e.birth),
                "bis": e.bis,
                "fte_cents": round(float(e.fte) * 100),
                "mobility": e.mob,
                "name_group": e.group or (("fr" if k % 2 else "nl") if e.res == "BE" else groups.get(e.res, "it")),
                "fr_grandfathered": fr[0],
                "fr_excluded_category": fr[1],
                "fr_276fg_year": fr[2],
                "fr_second_chance_used": fr[3],
                "fr_seasonal": fr[4],
                "be_border_zone_resident": onem[0],
                "foreign_border_zone_work": onem[1],
                "foreign_social_insurance": onem[2],
                "taxed_in_belgium": onem[3],
            }
        )
    return pl.DataFrame(rows, schema=syn.PROFILE_SCHEMA)


def absences_frame(rows: list[tuple]) -> pl.DataFrame:
    """(employee_id, start, end, cause, other_cause, partial_resumption) -> typed absences."""
    from pipeline.rules.guaranteed_wage import ABSENCES_SCHEMA  # the validated absences, declared once

    return pl.DataFrame(
        [(r[0], D(r[1]), D(r[2]), r[3], r[4] if len(r) > 4 else False, r[5] if len(r) > 5 else False) for r in rows],
        schema={c.name: ABSENCES_SCHEMA[c.name] for c in INPUTS["absences"].columns},
        orient="row",
    )


def employers_frame(profiles: pl.DataFrame, table: list[dict], onss_base: int) -> pl.DataFrame:
    """Curated employers; ONSS and enterprise numbers built from a base distinct per batch
    (valid mod-97 check digits)."""
    over = pl.DataFrame(table).with_row_index("__idx").with_columns(pl.col("__idx").cast(pl.Int64))
    return over.with_columns(
        syn.onss_number(onss_base + 37 * pl.col("__idx")).alias("employer_id"),
        syn.enterprise_number(onss_base * 3 + 113 * pl.col("__idx")).alias("enterprise_number"),
        syn.establishment_unit_number(2 * onss_base + 20_000_000 + 59 * pl.col("__idx")).alias("local_unit_id"),
    ).sort("__idx")


def build(
    emps: list[Emp],
    employers: list[dict],
    absences: list[tuple],
    seed: int,
    history: int,
    overrides: dict[str, dict[int, tuple]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Text frames of a curated batch (the generator's path with explicit overrides)."""
    profiles = profiles_frame(emps)
    er = employers_frame(profiles, employers, onss_base=1_000_000 + (seed * 7_919) % 900_000)
    people = syn.identities(profiles, seed)
    emp = syn.employees_frame(people, er.get_column("employer_id"))
    emp = (
        emp.join(pl.DataFrame({"employee_id": [e.id for e in emps]}).with_row_index("__o"), on="employee_id")
        .sort("__o")
        .drop("__o")
    )
    abs_typed = absences_frame(absences)
    pay = syn.pay_frame(profiles, PERIOD, history, seed)
    if overrides:
        pay = _override_days(pay, overrides)
    pay = syn.apply_absences(pay, abs_typed)
    return {
        "employers": syn.employers_text(er).sort("employer_id"),
        "employees": emp,
        "pay": syn.pay_text(pay),
        "absences": syn.absences_text(abs_typed),
    }


def _override_days(pay: pl.DataFrame, overrides: dict[str, dict[int, tuple]]) -> pl.DataFrame:
    """Set (residence, other, zone exit) days of given employee-months; Belgium gets the rest of
    the month's days performed."""
    rows = [(eid, f"{YEAR}-{m:02d}", r, o, x) for eid, months in overrides.items() for m, (r, o, x) in months.items()]
    ov = pl.DataFrame(rows, schema=["employee_id", "period", "__r", "__o", "__x"], orient="row")
    total = pl.col("days_worked_be") + pl.col("days_worked_residence") + pl.col("days_worked_other")
    out = pay.join(ov, on=["employee_id", "period"], how="left")
    missing = ov.join(pay, on=["employee_id", "period"], how="anti")
    if missing.height:
        raise SystemExit(f"day overrides for months without pay rows: {missing.rows()}")
    return out.with_columns(
        pl.when(pl.col("__r").is_not_null())
        .then(total - pl.col("__r") - pl.col("__o"))
        .otherwise(pl.col("days_worked_be"))
        .alias("days_worked_be"),
        pl.coalesce("__r", "days_worked_residence").alias("days_worked_residence"),
        pl.coalesce("__o", "days_worked_other").alias("days_worked_other"),
        pl.coalesce("__x", "zone_exit_days").alias("zone_exit_days"),
    ).drop("__r", "__o", "__x")


# ---------------------------------------------------------------------------------------------
# The main batch (October 2026)
# ---------------------------------------------------------------------------------------------

MAIN_EMPLOYERS = [
    # 0: >= 20 workers, commercial, general category
    {"name": "Ateliers Mosans SA", "employer_category": "000", "workforce": "85", "commercial": "true"},
    # 1: CP 200 employer (category 010: adds the CPAE social fund, DmfA code 831)
    {"name": "Bureau Lambrecht Conseil SRL", "employer_category": "010", "workforce": "14", "commercial": "true"},
    # 2: small non-commercial employer (FFE code B)
    {"name": "Les Jardins du Hainaut ASBL", "employer_category": "000", "workforce": "4", "commercial": "false"},
    # 3: just under 20 workers
    {"name": "Transports Verhaegen NV", "employer_category": "000", "workforce": "19", "commercial": "true"},
]
A, B, C, Dd = 0, 1, 2, 3
ONEM_OK = (True, True, True, True)

MAIN = [
    # Belgian residents working in Belgium (BE_RESIDENT)
    Emp("EMP-BE-001", A, "BE", "blue", "2015-03-02", "1978-06-14", "3120.00"),
    Emp("EMP-BE-002", A, "BE", "white", "2012-09-03", "1981-02-27", "4850.00"),
    Emp("EMP-BE-003", B, "BE", "white", "2026-08-24", "1996-11-05", "3300.00", "fixed_term", "2026-11-20"),
    Emp("EMP-BE-004", A, "BE", "blue", "2019-01-07", "1990-08-21", "2980.00"),
    Emp("EMP-BE-005", Dd, "BE", "blue", "2018-05-14", "1985-03-09", "2750.00", wd=6),
    Emp("EMP-BE-006", A, "BE", "blue", "2009-04-01", "1975-12-02", "5400.00"),
    Emp("EMP-BE-007", A, "BE", "blue", "2026-10-01", "1999-07-30", "2400.00"),
    Emp("EMP-BE-008", B, "BE", "white", "2016-02-01", "1983-10-11", "3900.00", pct=80),
    Emp("EMP-BE-009", C, "BE", "white", "2021-06-01", "1970-04-18", "3000.00", pct=50),
    Emp("EMP-BE-010", A, "BE", "blue", "2013-11-04", "1972-01-25", "3300.00"),
    Emp("EMP-BE-011", A, "BE", "white", "2026-04-01", "1993-05-06", "3600.00", "replacement"),
    Emp("EMP-BE-012", Dd, "BE", "white", "2026-02-02", "1988-09-19", "3450.00", "specific_work", "2027-01-29"),
    Emp("EMP-BE-013", C, "BE", "blue", "2017-09-04", "1967-08-08", "2300.00", pct=60),
    Emp("EMP-BE-014", B, "BE", "white", "2024-09-02", "2003-04-17", "2950.00"),
    Emp("EMP-BE-015", A, "BE", "blue", "2025-07-01", "2005-11-30", "2250.00"),
    Emp("EMP-BE-016", C, "BE", "white", "2010-01-04", "1979-03-03", "3800.00"),
    # Belgian residents employed in NL / FR (ONEM compensation allowance, Royal Decree of 9 June 1999)
    Emp("EMP-BE-017", A, "BE", "white", "2014-03-03", "1984-05-22", "2950.00", work="NL", onem=ONEM_OK),
    Emp("EMP-BE-018", A, "BE", "blue", "2020-01-06", "1991-12-12", "2400.00", pct=50, work="NL", onem=ONEM_OK),
    Emp(
        "EMP-BE-019", A, "BE", "white", "2011-05-02", "1977-07-07", "3100.00", work="NL", onem=(True, True, True, False)
    ),
    Emp(
        "EMP-BE-020", A, "BE", "blue", "2017-10-02", "1989-02-02", "2700.00", work="NL", onem=(False, True, True, True)
    ),
    Emp("EMP-BE-021", A, "BE", "white", "2016-06-01", "1986-06-30", "2042.82", work="FR", onem=ONEM_OK),
    Emp("EMP-BE-022", A, "BE", "blue", "2019-09-02", "1980-10-10", "2000.00", pct=80, work="FR", onem=ONEM_OK),
    Emp(
        "EMP-BE-023", A, "BE", "blue", "2015-01-05", "1974-09-15", "2300.00", work="FR", onem=(True, True, False, False)
    ),
    Emp(
        "EMP-BE-024", A, "BE", "white", "2018-04-03", "1987-01-19", "3000.00", work="FR", onem=(True, False, True, True)
    ),
    # French residents (frontier regime of the avenant of 12 December 2008)
    Emp("EMP-FR-001", A, "FR", "blue", "2008-03-03", "1976-04-04", "3050.00", bis=40, mob=1, fr=_fr()),
    Emp("EMP-FR-002", Dd, "FR", "white", "2005-09-01", "1969-11-23", "4100.00", pct=80, mob=1, fr=_fr()),
    Emp("EMP-FR-003", A, "FR", "blue", "2019-05-06", "1995-02-13", "2900.00", mob=1, fr=_fr(grand=False, year=None)),
    Emp(
        "EMP-FR-004",
        Dd,
        "FR",
        "blue",
        "2007-01-08",
        "1971-06-06",
        "3350.00",
        mob=1,
        fr=_fr(excl="international_transport"),
    ),
    Emp("EMP-FR-005", A, "FR", "white", "2010-02-01", "1973-09-09", "5200.00", bis=20, fr=_fr(second=True)),
    Emp("EMP-FR-006", A, "FR", "blue", "2011-02-01", "1982-12-24", "3180.00", fr=_fr()),
    Emp("EMP-FR-007", B, "FR", "white", "2009-06-01", "1980-03-31", "4400.00", mob=1, fr=_fr(year=YEAR - 1)),
    Emp("EMP-FR-008", A, "FR", "blue", "2026-07-01", "1984-07-17", "2950.00", fr=_fr()),
    Emp(
        "EMP-FR-009",
        A,
        "FR",
        "blue",
        "2026-09-01",
        "1990-05-05",
        "2450.00",
        "fixed_term",
        "2026-11-29",
        fr=_fr(seasonal=True),
    ),
    Emp("EMP-FR-010", Dd, "FR", "white", "1998-04-01", "1962-08-28", "5650.00", mob=1, fr=_fr()),
    Emp("EMP-FR-011", A, "FR", "blue", "2012-03-05", "1979-01-16", "2800.00", pct=50, mob=1, bis=40, fr=_fr()),
    # Luxembourg residents (tolerance of the BE-LU avenant of 31 August 2021)
    Emp("EMP-LU-001", A, "LU", "white", "2014-09-01", "1985-10-03", "5900.00", mob=1),
    Emp("EMP-LU-002", B, "LU", "white", "2018-01-08", "1988-04-29", "4700.00"),
    Emp("EMP-LU-003", A, "LU", "white", "2016-03-01", "1982-02-08", "6400.00"),
    Emp("EMP-LU-004", Dd, "LU", "blue", "2020-08-03", "1994-12-01", "3400.00", mob=1),
    Emp("EMP-LU-005", A, "LU", "white", "2019-02-04", "1990-07-21", "4300.00", pct=60, mob=1, bis=20),
    # Dutch residents (BE-NL convention, art. 15)
    Emp("EMP-NL-001", A, "NL", "blue", "2012-04-02", "1980-01-30", "3600.00"),
    Emp("EMP-NL-002", B, "NL", "white", "2021-09-01", "1992-06-16", "5100.00", mob=2),
    Emp("EMP-NL-003", A, "NL", "white", "2017-05-02", "1986-11-11", "4650.00", mob=1, bis=20),
    Emp("EMP-NL-004", Dd, "NL", "blue", "2026-05-04", "1997-03-25", "2650.00", "fixed_term", "2027-05-03", mob=1),
    Emp("EMP-NL-005", C, "NL", "white", "2022-01-03", "1975-05-15", "3500.00", pct=50, mob=1),
    # German residents (BE-DE convention, art. 15)
    Emp("EMP-DE-001", A, "DE", "white", "2015-10-01", "1983-08-08", "5300.00", mob=1),
    Emp("EMP-DE-002", A, "DE", "blue", "2018-03-05", "1979-04-12", "3250.00", wd=6),
    Emp("EMP-DE-003", Dd, "DE", "white", "2013-07-01", "1977-10-26", "6100.00", mob=2, bis=40),
    Emp("EMP-DE-004", B, "DE", "white", "2023-02-01", "2001-02-14", "3150.00", mob=1),
    # Another country: manual treaty review
    Emp("EMP-IT-001", A, "IT", "white", "2022-06-01", "1991-09-03", "4800.00", mob=1, group="it", bis=40),
    # Guaranteed-wage edges added later (appended, so the generator's draws for the rows above do not move)
    Emp("EMP-BE-025", A, "BE", "blue", "2026-08-24", "1987-03-21", "2600.00"),
    Emp("EMP-BE-026", Dd, "BE", "blue", "2014-06-02", "1992-10-07", "2850.00"),
    Emp("EMP-BE-027", B, "BE", "white", "2019-09-02", "1968-05-29", "3750.00"),
]


def _months(values: list[int], first: int = 1, residence: bool = True) -> dict[int, tuple]:
    """Zone exit days (French residents) per month, performed in the residence state."""
    return {first + k: (v if residence else 0, 0, v) for k, v in enumerate(values)}


DAY_OVERRIDES = {
    # FR_EXIT_LIMIT_DEFINITIVE: 34 exit days by October (first above 30 in August), second
    # chance already used.
    "EMP-FR-005": _months([4, 4, 4, 4, 4, 4, 4, 3, 2, 1]),
    # FR_EXIT_LIMIT_YEAR_LOST: 28 exit days January-September, 3 in October -> 31 > 30 for the
    # first time in October (regularise January-September).
    "EMP-FR-006": _months([3, 4, 3, 3, 3, 4, 3, 3, 2, 3]),
    # Hired 1 July: limit 30 x 184/365 = 15.12 days; 15 exit days -> still exempt.
    "EMP-FR-008": _months([4, 4, 4, 3], first=7),
    # Seasonal worker (276 FG.S): 2 + 3 exit days, below 15 % of the days worked.
    "EMP-FR-009": _months([2, 3], first=9),
    # LU_WITHIN_TOLERANCE at the edge: exactly 34 days outside Belgium by October.
    "EMP-LU-002": {m + 1: (v, 0, 0) for m, v in enumerate([3, 4, 3, 4, 3, 4, 3, 4, 3, 3])},
    # LU_OVER_TOLERANCE_PRORATA: 33 days January-September, 2 in October -> 35 > 34.
    "EMP-LU-003": {m + 1: (v, 0, 0) for m, v in enumerate([4, 4, 4, 4, 3, 4, 4, 3, 3, 2])},
}

MAIN_ABSENCES = [
    # blue collar ill 20 days across the month end (ranks 7-20 fall in October)
    ("EMP-BE-001", "2026-09-25", "2026-10-14", "illness"),
    # white collar (open-ended) ill 40 days: ranks 1-30 employer, 31-40 mutuality
    ("EMP-BE-002", "2026-09-21", "2026-10-30", "illness"),
    # white collar on a contract under 3 months (24/08-20/11), one month of service reached
    ("EMP-BE-003", "2026-10-01", "2026-10-20", "illness"),
    # relapse 25 days after a 12-day episode (< 8 weeks, 2026 rule): counting resumes at rank 13
    ("EMP-BE-004", "2026-08-31", "2026-09-11", "illness"),
    ("EMP-BE-004", "2026-10-06", "2026-10-16", "illness"),
    # 6-day-week worker ill from a Saturday
    ("EMP-BE-005", "2026-10-03", "2026-10-12", "illness"),
    # blue collar whose daily wage is above the INAMI ceiling (ranks 15-20: split complement)
    ("EMP-BE-006", "2026-10-05", "2026-10-24", "illness"),
    # blue collar in the first month of service (hired 2026-10-01): no guaranteed wage yet
    ("EMP-BE-007", "2026-10-19", "2026-10-23", "illness"),
    # a different illness (certificate) after a short episode: a new period, not a relapse
    ("EMP-BE-008", "2026-09-14", "2026-09-18", "illness"),
    ("EMP-BE-008", "2026-10-12", "2026-10-16", "illness", True),
    # private accident across the month end (part-time white collar)
    ("EMP-BE-009", "2026-10-26", "2026-11-06", "private_accident"),
    # relapse during a medically approved partial resumption (2026: no guaranteed wage)
    ("EMP-BE-010", "2026-07-20", "2026-08-28", "illness"),
    ("EMP-BE-010", "2026-10-05", "2026-10-09", "illness", False, True),
    # history only (ended long before the period)
    ("EMP-BE-016", "2026-03-02", "2026-03-06", "illness"),
    # a French frontier worker ill in the period
    ("EMP-FR-001", "2026-10-19", "2026-10-23", "illness"),
    # relapse anchor: a spell in the first month of service (hired 2026-08-24, month complete on 09-23)
    # paid no guaranteed wage, so the October illness 24 days later is a new period (ranks 1-5), not a
    # relapse at ranks 6-10
    ("EMP-BE-025", "2026-09-07", "2026-09-11", "illness"),
    ("EMP-BE-025", "2026-10-05", "2026-10-09", "illness"),
    # prolonged suspension: E2 continues E1 the next day, so the 30-day holiday window runs from 06-16;
    # the national holiday (Tue 21 July) is day 36 of the suspension: not paid by the employer
    ("EMP-BE-026", "2026-06-16", "2026-07-05", "illness"),
    ("EMP-BE-026", "2026-07-06", "2026-07-31", "illness"),
    # long sickness since 2023-03-01: October is rank 1,311-1,341, all mutuality (0.00), and the run
    # needs no parameter value on 2023 dates
    ("EMP-BE-027", "2023-03-01", "2026-12-31", "illness"),
]


# ---------------------------------------------------------------------------------------------
# Deductions: work bonus, CSSS and structural reduction (EMP-BE-101 to EMP-BE-114)
# ---------------------------------------------------------------------------------------------
# Belgian residents on the Belgian payroll, appended after the other curated employees (their own
# ids, so the generator's draws for the rows above do not move), with the two inputs only these
# rules read: the tax household (employees.household) and, for two part-time workers, the hours
# (pay.paid_hours / pay.full_time_hours). Figures for October 2026 (work-bonus table of 2026-09-01,
# CSSS scales of 2022-04-01); the structural reduction is the quarter's (quarter_2026_q3).
DEDUCTION_EMPS = [
    # employé 2,600.00: volet A 127.54 + volet B 91.19 = 218.73 (a complete month of a full-time employé); single
    Emp("EMP-BE-101", A, "BE", "white", "2019-03-04", "1990-04-12", "2600.00"),
    # ouvrier 2,600.00 at 100 %: 137.74 + 98.48 = 236.22; CSSS two incomes, upper band
    Emp("EMP-BE-102", A, "BE", "blue", "2016-09-05", "1987-11-23", "2600.00"),
    # employé 2,100.00: 299.53 above the 13.07 % line 274.47, volet B cut first; CSSS one income, 5.90 % band
    Emp("EMP-BE-103", B, "BE", "white", "2022-02-01", "1995-06-30", "2100.00"),
    # employé half time by hours (17.00 an hour): S = 17.00 x U, fraction 0.50; CSSS two incomes, flat 5.15
    Emp("EMP-BE-104", A, "BE", "white", "2020-10-01", "1984-01-17", "2842.40", pct=50),
    # employé hired 16 October: 11 of 22 days, S = round(W / 11) x 22; no household given (single, warned)
    Emp("EMP-BE-105", A, "BE", "white", "2026-10-16", "1998-08-02", "2600.00"),
    # ouvrier 2,200.00: 323.49 above the 13.07 % line 310.54 (cap); CSSS one income, upper band
    Emp("EMP-BE-106", Dd, "BE", "blue", "2021-05-03", "1979-12-05", "2200.00"),
    # employé 3,300.00: volet A second band only, 28.37; CSSS one income, upper band
    Emp("EMP-BE-107", A, "BE", "white", "2013-01-07", "1982-03-14", "3300.00"),
    # employé 6,500.00, two incomes: no bonus; CSSS at the two-income maximum 51.64
    Emp("EMP-BE-108", B, "BE", "white", "2011-04-04", "1975-07-09", "6500.00"),
    # employé 6,500.00, one income: CSSS at the maximum 60.94
    Emp("EMP-BE-109", A, "BE", "white", "2012-11-05", "1976-02-28", "6500.00"),
    # employé 40 % of 2,600.00 by days: fraction 0.40, S = 2,599.96; CSSS two incomes, below 3,285.29 / 3: 0.00
    Emp("EMP-BE-110", C, "BE", "white", "2018-01-08", "1991-10-10", "2600.00", pct=40),
    # employé 2,150.00, two incomes: bonus capped at 281.01; CSSS 5.90 % band, 12.07
    Emp("EMP-BE-111", A, "BE", "white", "2023-06-01", "1997-05-19", "2150.00"),
    # employé half time of 3,000.00 by days, one income: S = 2,999.92 (volet A second band); CSSS 0.00
    Emp("EMP-BE-112", C, "BE", "white", "2017-03-01", "1980-09-21", "3000.00", pct=50),
    # ouvrier 60 % by hours, 2,500.00 full time: fraction 0.60, S = 14.95 x U; CSSS single, below the scale
    Emp("EMP-BE-113", Dd, "BE", "blue", "2015-08-03", "1983-06-06", "2500.00", pct=60),
    # employé 2,100.00 hired 1 September: in 2026-Q3 one month of 65 days; the structural reduction
    # (535.96 before the ceiling) is capped at the line's basic + moderation 2,100.00 x 25 % = 525.00
    Emp("EMP-BE-114", A, "BE", "white", "2026-09-01", "2000-01-25", "2100.00"),
]
DEDUCTION_HOUSEHOLDS = {
    "EMP-BE-101": "single",
    "EMP-BE-102": "joint_two_incomes",
    "EMP-BE-103": "joint_one_income",
    "EMP-BE-104": "joint_two_incomes",
    "EMP-BE-106": "joint_one_income",
    "EMP-BE-107": "joint_one_income",
    "EMP-BE-108": "joint_two_incomes",
    "EMP-BE-109": "joint_one_income",
    "EMP-BE-110": "joint_two_incomes",
    "EMP-BE-111": "joint_two_incomes",
    "EMP-BE-112": "joint_one_income",
    "EMP-BE-113": "single",
    "EMP-BE-114": "single",
}
DEDUCTION_HOURS = {"EMP-BE-104": 50, "EMP-BE-113": 60}
"""Part-time workers whose pay rows give hours: a full-time reference worker's hours U = the month's
weekdays x 7.6 (38 h a week), paid hours H = U x the work percentage."""
FULL_TIME_DAY_HOURS = "7.6"


def with_deduction_inputs(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The curated frames with :data:`DEDUCTION_HOUSEHOLDS` and the hours of :data:`DEDUCTION_HOURS`."""
    households = pl.DataFrame(list(DEDUCTION_HOUSEHOLDS.items()), schema=["employee_id", "__h"], orient="row")
    employees = (
        frames["employees"]
        .join(households, on="employee_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce("__h", "household").alias("household"))
        .drop("__h")
    )
    hours = pl.DataFrame(list(DEDUCTION_HOURS.items()), schema=["employee_id", "__pct"], orient="row")
    start = (pl.col("period") + "-01").str.to_date("%Y-%m-%d")
    weekdays = syn.workdays(start, start.dt.month_end(), pl.lit(5))
    full = weekdays.cast(pl.Decimal(18, 2)) * pl.lit(FULL_TIME_DAY_HOURS).cast(pl.Decimal(18, 2))
    pay = (
        frames["pay"]
        .join(hours, on="employee_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("__pct").is_not_null()).then(full).alias("__u"),
        )
        .with_columns(
            pl.coalesce(pl.col("__u").cast(pl.Decimal(18, 2)).cast(pl.String), "full_time_hours").alias(
                "full_time_hours"
            ),
            pl.coalesce(
                (pl.col("__u") * pl.col("__pct").cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2)).cast(pl.String),
                "paid_hours",
            ).alias("paid_hours"),
        )
        .drop("__pct", "__u")
    )
    return {**frames, "employees": employees, "pay": pay}


# ---------------------------------------------------------------------------------------------


def main_batch() -> dict[str, pl.DataFrame]:
    frames = build(MAIN + DEDUCTION_EMPS, MAIN_EMPLOYERS, MAIN_ABSENCES, seed=2026, history=9, overrides=DAY_OVERRIDES)
    return with_deduction_inputs(frames)


# ---------------------------------------------------------------------------------------------
# Quarter 2026-Q3: the monthly exports of July, August and September (the DmfA sample)
# ---------------------------------------------------------------------------------------------

QUARTER_MONTHS = ("2026-07", "2026-08", "2026-09")
PART_TIME_FROM_SEPTEMBER = "EMP-BE-013"
"""Full time until August, 60 % from 2026-09-01 (same contract): the DmfA splits two occupations."""


def quarter_batches() -> dict[str, dict[str, pl.DataFrame]]:
    """The three monthly exports a payroll bureau would send for 2026-Q3, cut from the main batch.

    Each month's export holds the employees hired by the month's end, the pay rows up to that
    month (earlier months are history) and the absence episodes that started by then.
    ``PART_TIME_FROM_SEPTEMBER`` works full time in the July and August exports (pay from the
    same generator draws at 100 %) and 60 % from September.
    """
    part = main_batch()
    full_time = [replace(e, pct=100) if e.id == PART_TIME_FROM_SEPTEMBER else e for e in MAIN + DEDUCTION_EMPS]
    full = with_deduction_inputs(
        build(full_time, MAIN_EMPLOYERS, MAIN_ABSENCES, seed=2026, history=9, overrides=DAY_OVERRIDES)
    )
    who = pl.col("employee_id") == PART_TIME_FROM_SEPTEMBER
    months = {}
    for month in QUARTER_MONTHS:
        year, number = map(int, month.split("-"))
        month_end = str(dt.date(year, number, calendar.monthrange(year, number)[1]))  # text dates compare as dates
        switched = month >= "2026-09"
        employees = (part if switched else full)["employees"].filter(pl.col("contract_start") <= month_end)
        pay = pl.concat(
            [
                part["pay"].filter(~who),
                full["pay"].filter(who & (pl.col("period") < "2026-09")),
                part["pay"].filter(who & (pl.col("period") >= "2026-09")),
            ]
        ).filter(pl.col("period") <= month)
        order = part["pay"].select("employee_id", "period").with_row_index("__o")
        months[month] = {
            "employers": part["employers"],
            "employees": employees,
            "pay": pay.join(order, on=["employee_id", "period"]).sort("__o").drop("__o"),
            "absences": part["absences"].filter(pl.col("start_date") <= month_end),
        }
    return months


# ---------------------------------------------------------------------------------------------
# Bad input (one defect of each kind)
# ---------------------------------------------------------------------------------------------

BAD_EMPLOYERS = [
    {"name": "Boulangerie du Val SRL", "employer_category": "000", "workforce": "12", "commercial": "true"},
    {"name": "Bureau Scheldeland BV", "employer_category": "000", "workforce": "25", "commercial": "true"},
]
BAD = [
    Emp("BAD-001", 0, "BE", "blue", "2018-02-05", "1984-03-12", "2900.00"),
    Emp("BAD-002", 0, "FR", "white", "2010-09-01", "1978-05-05", "3800.00", fr=_fr()),
    Emp("BAD-003", 1, "NL", "white", "2019-04-01", "1987-07-07", "4200.00"),
    Emp("BAD-004", 0, "LU", "blue", "2016-01-04", "1981-12-19", "3100.00"),
    Emp("BAD-005", 1, "DE", "white", "2021-03-01", "1990-02-26", "4500.00"),
    Emp("BAD-006", 0, "BE", "blue", "2022-05-02", "1995-10-10", "2600.00"),
    Emp("BAD-007", 1, "BE", "white", "2026-03-02", "1992-04-30", "3300.00", "fixed_term", "2026-12-31"),
    Emp("BAD-008", 1, "BE", "white", "2026-06-01", "1998-08-18", "3000.00", "fixed_term", "2026-12-18"),
    Emp("BAD-009", 0, "BE", "white", "2015-11-02", "1983-01-09", "3500.00", pct=80),
    Emp("BAD-010", 0, "FR", "blue", "2012-06-04", "1975-06-21", "3000.00", fr=_fr()),
    Emp("BAD-011", 1, "BE", "blue", "2017-08-01", "1986-09-09", "2850.00"),
    Emp("BAD-012", 0, "NL", "white", "2014-02-03", "1980-11-30", "4100.00"),
    Emp("BAD-013", 1, "BE", "white", "2020-10-01", "1989-05-14", "3700.00"),
    Emp("BAD-014", 0, "LU", "white", "2011-04-01", "1976-03-18", "5200.00"),
]
BAD_ABSENCES = [
    ("BAD-010", "2026-10-01", "2026-10-10", "illness"),
    ("BAD-010", "2026-10-08", "2026-10-12", "illness"),  # overlaps the previous one
    ("BAD-011", "2026-10-05", "2026-10-09", "illness"),  # becomes occupational_accident
    ("BAD-012", "2026-10-14", "2026-10-20", "illness"),  # its end date becomes 2026-10-12
    ("BAD-013", "2026-10-19", "2026-10-23", "illness"),  # valid episode
]


@dataclass
class Defect:
    file: str
    key: dict
    column: str
    value: str | None
    check: str
    what: str


def bad_batch() -> tuple[dict[str, pl.DataFrame], list[dict], list[dict]]:
    """The bad-input batch, the documented defects and the expected reject rows."""
    frames = build(BAD, BAD_EMPLOYERS, BAD_ABSENCES, seed=99, history=2)
    emp, pay, ab = frames["employees"], frames["pay"], frames["absences"]
    # Defective employees keep only the period's pay row (fewer cascades to document).
    defective = [f"BAD-{k:03d}" for k in range(3, 10)]
    pay = pay.filter(~(pl.col("employee_id").is_in(defective) & (pl.col("period") != PERIOD)))

    def cell(frame, key, column):
        cond = pl.all_horizontal([pl.col(k) == v for k, v in key.items()])
        return frame.filter(cond).get_column(column).item()

    niss3 = cell(emp, {"employee_id": "BAD-003"}, "niss")
    bad_cc = (int(niss3[9:]) % 97) + 1
    c2 = 97 - (int("2" + niss3[:9]) % 97)
    if bad_cc == c2:
        bad_cc = bad_cc % 97 + 1
    birth4 = D(cell(emp, {"employee_id": "BAD-004"}, "birth_date"))
    employer_ids = frames["employers"].get_column("employer_id").to_list()
    unknown_employer = syn.onss_number(pl.lit(1_999_990, pl.Int64))
    unknown_employer = pl.select(unknown_employer).item()
    assert unknown_employer not in employer_ids
    start7 = cell(emp, {"employee_id": "BAD-007"}, "contract_start")
    gross1 = cell(pay, {"employee_id": "BAD-001", "period": "2026-09"}, "gross_salary")

    defects = [
        Defect(
            "employees",
            {"employee_id": "BAD-003"},
            "niss",
            niss3[:9] + f"{bad_cc:02d}",
            "format_niss",
            "NISS with a wrong check number (mod 97)",
        ),
        Defect(
            "employees",
            {"employee_id": "BAD-004"},
            "birth_date",
            (birth4 + dt.timedelta(days=1)).isoformat(),
            "birth_date_matches_niss",
            "birth_date one day after the date encoded in the NISS",
        ),
        Defect(
            "employees",
            {"employee_id": "BAD-005"},
            "employer_id",
            unknown_employer,
            "unknown_employer",
            "well-formed ONSS number that is not in employers.csv",
        ),
        Defect(
            "employees",
            {"employee_id": "BAD-006"},
            "worker_status",
            "manager",
            "allowed_values",
            "worker_status not in blue_collar / white_collar",
        ),
        Defect(
            "employees",
            {"employee_id": "BAD-007"},
            "contract_end",
            "2026-01-30",
            "contract_dates_order",
            f"contract_end 2026-01-30 before contract_start {start7}",
        ),
        Defect(
            "employees",
            {"employee_id": "BAD-008"},
            "contract_end",
            None,
            "contract_end_required",
            "fixed_term contract without contract_end",
        ),
        Defect(
            "employees",
            {"employee_id": "BAD-009"},
            "work_fraction",
            "1.5",
            "work_fraction_range",
            "work_fraction 1.5 (must be above 0 and at most 1)",
        ),
        Defect(
            "pay",
            {"employee_id": "BAD-001", "period": "2026-09"},
            "gross_salary",
            gross1 + "5",
            "format_money",
            "gross_salary with 3 decimals",
        ),
        Defect(
            "pay",
            {"employee_id": "BAD-002", "period": "2026-09"},
            "gross_salary",
            "-250.00",
            "range",
            "negative gross_salary",
        ),
        Defect(
            "pay",
            {"employee_id": "BAD-013", "period": "2026-09"},
            "gross_salary",
            "2500000.00",
            "range",
            "absurd gross_salary (above 1,000,000)",
        ),
        Defect(
            "pay",
            {"employee_id": "BAD-014", "period": "2026-09"},
            "gross_salary",
            None,
            "not_nullable",
            "required gross_salary missing",
        ),
        Defect(
            "absences",
            {"employee_id": "BAD-011", "start_date": "2026-10-05"},
            "cause",
            "occupational_accident",
            "cause_out_of_scope",
            "occupational accident (outside the guaranteed-wage rules)",
        ),
        Defect(
            "absences",
            {"employee_id": "BAD-012", "start_date": "2026-10-14"},
            "end_date",
            "2026-10-12",
            "episode_dates_order",
            "episode ends (12/10) before it starts (14/10)",
        ),
    ]
    frames = {"employers": frames["employers"], "employees": emp, "pay": pay, "absences": ab}
    for d in defects:
        f = frames[d.file]
        cond = pl.all_horizontal([pl.col(k) == v for k, v in d.key.items()])
        frames[d.file] = f.with_columns(
            pl.when(cond).then(pl.lit(d.value, pl.String)).otherwise(pl.col(d.column)).alias(d.column)
        )
    # Duplicate pay row (both copies are rejected) and pay for an unknown employee.
    pay = frames["pay"]
    dup = pay.filter((pl.col("employee_id") == "BAD-014") & (pl.col("period") == "2026-08"))
    ghost = pay.filter((pl.col("employee_id") == "BAD-013") & (pl.col("period") == PERIOD)).with_columns(
        pl.lit("BAD-099").alias("employee_id")
    )
    frames["pay"] = pl.concat([pay, dup, ghost]).sort("employee_id", "period", maintain_order=True)
    defects += [
        Defect(
            "pay",
            {"employee_id": "BAD-014", "period": "2026-08"},
            "period",
            None,
            "duplicate",
            "the same employee_id + period twice (both rows are rejected)",
        ),
        Defect(
            "pay",
            {"employee_id": "BAD-099", "period": PERIOD},
            "employee_id",
            None,
            "unknown_employee",
            "pay for an employee_id that is not in employees.csv",
        ),
        Defect(
            "absences",
            {"employee_id": "BAD-010", "start_date": "2026-10-08"},
            "start_date",
            None,
            "overlapping_absence",
            "episode 08/10-12/10 overlaps the episode 01/10-10/10",
        ),
    ]

    # Where each defect sits, and the expected reject rows (cascades included).
    files = {"employers": "employers.csv", "employees": "employees.csv", "pay": "pay.csv", "absences": "absences.csv"}

    def lines(name, key):
        f = frames[name].with_row_index("__r")
        cond = pl.all_horizontal([pl.col(k) == v for k, v in key.items()])
        return [int(r) + 2 for r in f.filter(cond).get_column("__r").to_list()]

    documented, expected = [], []
    for d in defects:
        for ln in lines(d.file, d.key):
            documented.append(
                {"file": files[d.file], "line": ln, "column": d.column, "check": d.check, "defect": d.what}
            )
            expected.append(
                {
                    "source_file": files[d.file],
                    "source_line": ln,
                    "column": d.column,
                    "check": d.check,
                    "employee_id": d.key["employee_id"],
                    "because": d.what,
                }
            )
    # Cascades: rows of a rejected employee, and pay rows of an employee whose absences fell.
    fallen_employees = [d.key["employee_id"] for d in defects if d.file == "employees"]
    for eid in fallen_employees:
        for name, check in (("pay", "employee_rejected"), ("absences", "employee_rejected")):
            for ln in lines(name, {"employee_id": eid}):
                expected.append(
                    {
                        "source_file": files[name],
                        "source_line": ln,
                        "column": "employee_id",
                        "check": check,
                        "employee_id": eid,
                        "because": "falls with its employee row",
                    }
                )
    fallen_absence_emps = sorted({d.key["employee_id"] for d in defects if d.file == "absences"})
    for eid in fallen_absence_emps:
        for ln in lines("pay", {"employee_id": eid}):
            expected.append(
                {
                    "source_file": "pay.csv",
                    "source_line": ln,
                    "column": "employee_id",
                    "check": "absence_rejected",
                    "employee_id": eid,
                    "because": "an absence of this employee was rejected: its guaranteed wage cannot be computed",
                }
            )
    return frames, documented, expected


def write_bad_readme(
    folder: Path, documented: list[dict], expected: list[dict], frames: dict[str, pl.DataFrame]
) -> None:
    rows = sorted(documented, key=lambda r: (r["file"], r["line"]))
    table = "\n".join(
        f"| `{r['file']}` | {r['line']} | `{r['column']}` | `{r['check']}` | {r['defect']} |" for r in rows
    )
    cascades = [e for e in expected if e["check"] in ("employee_rejected", "absence_rejected")]
    ctable = "\n".join(
        f"| `{e['source_file']}` | {e['source_line']} | `{e['employee_id']}` | `{e['check']}` |"
        for e in sorted(cascades, key=lambda e: (e["source_file"], e["source_line"]))
    )
    bad_emps = {r["line"] for r in rows if r["file"] == "employees.csv"}
    valid_emps = frames["employees"].height - len(bad_emps)
    text = f"""# `bad_input/`: one deliberate defect of each kind

A small batch for {PERIOD} (2 employers, {frames["employees"].height} employees, pay for 2026-08 to
2026-10, {frames["absences"].height} absences). Each row listed below carries exactly one defect;
every other row is valid, so the batch still computes the rest: {valid_emps} employee rows stay
valid, and BAD-001, BAD-002, BAD-013 and BAD-014 keep a valid October pay row and are computed.

Regenerate with `python scripts/make_sample_data.py`. `expected_rejects.csv` lists every reject
row that validation must produce (the defects and what falls with them); the test
`tests/unit/test_synthetic.py::test_bad_input_gives_exactly_the_documented_rejects` checks it.
Line numbers are 1-based file lines (header = line 1).

## The defects

| file | line | column | expected check | defect |
|---|---|---|---|---|
{table}

## Rows that fall with a rejected row (cascades)

An employee row that is rejected takes its pay rows and absences with it (`employee_rejected`);
an employee whose absence row is rejected loses its pay rows (`absence_rejected`: the guaranteed
wage cannot be computed without the full absence history).

| file | line | employee | check |
|---|---|---|---|
{ctable}

## Expected result

- `payroll validate sample_data/bad_input`: {len(expected)} reject rows (the two tables above),
  exit code 3.
- `payroll run sample_data/bad_input --period {PERIOD} ...`: the same rejects, plus one from the
  guaranteed-wage step: `absences.csv` line 2 (BAD-010's first, valid episode) reports
  `pay_row_missing` on `daily_wage`, since BAD-010's October pay row fell with its overlapping
  episode. Exit code 3; the valid employees are computed.
"""
    (folder / "README.md").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# French- and Dutch-headed exports
# ---------------------------------------------------------------------------------------------

FR_EMPLOYERS = [
    {"name": "Cœur de Sambre Logistique SA", "employer_category": "000", "workforce": "42", "commercial": "true"},
]
FR_EXPORT = [
    Emp("FR-0001", 0, "FR", "blue", "2006-05-02", "1970-02-11", "3150.00", mob=1, fr=_fr(), group="fr"),
    Emp("FR-0002", 0, "FR", "white", "2009-09-01", "1977-08-24", "4250.00", mob=1, bis=40, fr=_fr(), group="fr"),
    Emp(
        "FR-0003",
        0,
        "FR",
        "blue",
        "2020-02-03",
        "1996-06-15",
        "2750.00",
        mob=1,
        fr=_fr(grand=False, year=None),
        group="fr",
    ),
    Emp(
        "FR-0004",
        0,
        "FR",
        "white",
        "2011-01-03",
        "1968-12-05",
        "5100.00",
        mob=1,
        fr=_fr(excl="company_director"),
        group="fr",
    ),
    Emp(
        "FR-0005",
        0,
        "FR",
        "blue",
        "2026-09-01",
        "1993-03-03",
        "2300.00",
        "fixed_term",
        "2026-11-27",
        fr=_fr(seasonal=True),
        group="fr",
    ),
    Emp("FR-0006", 0, "BE", "blue", "2016-04-04", "1982-09-29", "2950.00", pct=80, group="fr"),
    Emp("FR-0007", 0, "BE", "white", "2013-10-01", "1979-07-12", "4600.00", group="fr"),
    Emp("FR-0008", 0, "BE", "blue", "2018-03-01", "1988-01-20", "2400.00", work="FR", onem=ONEM_OK, group="fr"),
]
FR_ABSENCES = [
    ("FR-0001", "2026-10-07", "2026-10-16", "illness"),
    ("FR-0006", "2026-09-28", "2026-10-09", "private_accident"),
]
FR_OVERRIDES = {"FR-0005": _months([2, 2], first=9)}

NL_EMPLOYERS = [
    {"name": "Drukkerij Kempenland NV", "employer_category": "000", "workforce": "23", "commercial": "true"},
    {"name": "Bureau Meetjesland BV", "employer_category": "010", "workforce": "9", "commercial": "true"},
]
NL_EXPORT = [
    Emp("NL-0001", 0, "NL", "blue", "2015-06-01", "1983-04-14", "3300.00", mob=1),
    Emp("NL-0002", 0, "NL", "white", "2019-01-07", "1990-10-02", "4900.00", mob=2, bis=20),
    Emp("NL-0003", 1, "NL", "white", "2022-03-01", "1999-12-31", "3600.00", pct=80, mob=1),
    Emp("NL-0004", 0, "DE", "blue", "2017-11-06", "1981-05-08", "3400.00", wd=6, mob=1),
    Emp("NL-0005", 0, "BE", "blue", "2010-02-01", "1974-03-27", "3000.00", group="nl"),
    Emp("NL-0006", 1, "BE", "white", "2024-09-02", "2002-07-04", "3050.00", group="nl"),
    Emp("NL-0007", 0, "BE", "white", "2016-05-02", "1985-08-16", "2900.00", work="NL", onem=ONEM_OK, group="nl"),
    Emp(
        "NL-0008",
        0,
        "BE",
        "blue",
        "2021-04-06",
        "1992-02-22",
        "2600.00",
        work="NL",
        onem=(True, True, True, False),
        group="nl",
    ),
]
NL_ABSENCES = [
    ("NL-0001", "2026-09-23", "2026-10-06", "illness"),
    ("NL-0005", "2026-10-12", "2026-10-21", "illness"),
    ("NL-0006", "2026-10-27", "2026-11-03", "private_accident"),
]


def _profile(name: str) -> dict:
    return yaml.safe_load((ROOT / "pipeline" / "profiles" / f"{name}.yaml").read_text(encoding="utf-8"))


def to_export(
    frames: dict[str, pl.DataFrame],
    profile: dict,
    *,
    date_fmt: str,
    true: str,
    false: str,
    decimal_comma: bool,
    niss_format=None,
) -> dict[str, pl.DataFrame]:
    """Canonical text frames -> the export's headers and code values (the profile inverted)."""
    out = {}
    for name, frame in frames.items():
        conf = profile["inputs"][name]
        spec = INPUTS[name]
        kinds = {c.name: c.kind for c in spec.columns}
        exprs = []
        for source, canon in conf["columns"].items():
            e = pl.col(canon)
            values = (conf.get("values") or {}).get(canon)
            if values:
                inverse = {}
                for src, val in values.items():
                    inverse.setdefault(str(val), str(src))
                e = e.replace(inverse)
            kind = kinds[canon]
            if kind == "date":
                e = e.str.to_date("%Y-%m-%d").dt.to_string(date_fmt)
            elif kind == "bool":
                e = pl.when(e == "true").then(pl.lit(true)).when(e == "false").then(pl.lit(false))
            elif kind in ("money", "fraction") and decimal_comma:
                e = e.str.replace(".", ",", literal=True)
            elif kind == "niss" and niss_format:
                e = niss_format(e)
            exprs.append(e.alias(source))
        out[name] = frame.select(exprs)
    return out


def write_csv_bytes(frame: pl.DataFrame, path: Path, *, encoding: str, bom: bool = False, crlf: bool = False) -> None:
    buf = io.StringIO()
    frame.write_csv(buf, separator=";", line_terminator="\r\n" if crlf else "\n")
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def fr_export() -> dict[str, pl.DataFrame]:
    frames = build(FR_EXPORT, FR_EMPLOYERS, FR_ABSENCES, seed=33, history=9, overrides=FR_OVERRIDES)
    return to_export(frames, _profile("fr_export"), date_fmt="%d/%m/%Y", true="oui", false="non", decimal_comma=True)


def write_fr(folder: Path) -> None:
    exp = fr_export()
    write_csv_bytes(exp["employers"], folder / "employeurs.csv", encoding="cp1252", crlf=True)
    write_csv_bytes(exp["employees"], folder / "travailleurs.csv", encoding="cp1252", crlf=True)
    write_csv_bytes(exp["absences"], folder / "incapacites.csv", encoding="cp1252", crlf=True)
    # Pay as an Excel workbook: amounts and day counts as numbers, the period as text.
    pay = exp["pay"].with_columns(
        pl.col("salaire_brut", "salaire_journalier").str.replace(",", ".", literal=True).cast(pl.Float64),
        pl.col("jours_belgique", "jours_pays_residence", "jours_autres_pays", "jours_hors_zone").cast(pl.Int64),
    )
    # A fixed creation date keeps the workbook byte-identical from one regeneration to the next.
    with xlsxwriter.Workbook(folder / "salaires.xlsx") as wb:
        wb.set_properties({"created": dt.datetime(2026, 11, 2, 8, 0, 0), "author": "Paie export"})
        pay.write_excel(
            wb,
            worksheet="Salaires",
            autofit=True,
            column_formats={"salaire_brut": "#,##0.00", "salaire_journalier": "#,##0.00"},
        )


def nl_export() -> dict[str, pl.DataFrame]:
    frames = build(NL_EXPORT, NL_EMPLOYERS, NL_ABSENCES, seed=44, history=9)

    def dotted(e: pl.Expr) -> pl.Expr:  # 85.07.30-033.28
        return (
            pl.concat_str([e.str.slice(0, 2), e.str.slice(2, 2), e.str.slice(4, 2)], separator=".")
            + "-"
            + e.str.slice(6, 3)
            + "."
            + e.str.slice(9, 2)
        )

    return to_export(
        frames,
        _profile("nl_export"),
        date_fmt="%d-%m-%Y",
        true="ja",
        false="nee",
        decimal_comma=True,
        niss_format=dotted,
    )


def write_nl(folder: Path) -> None:
    exp = nl_export()
    # enterprise numbers as people type them: "BE 0403.019.261"
    employers = exp["employers"].with_columns(
        (
            "BE "
            + pl.col("ondernemingsnummer").str.slice(0, 4)
            + "."
            + pl.col("ondernemingsnummer").str.slice(4, 3)
            + "."
            + pl.col("ondernemingsnummer").str.slice(7, 3)
        ).alias("ondernemingsnummer")
    )
    write_csv_bytes(employers, folder / "werkgevers.csv", encoding="utf-8", bom=True)
    write_csv_bytes(exp["employees"], folder / "werknemers.csv", encoding="utf-8", bom=True)
    write_csv_bytes(exp["absences"], folder / "afwezigheden.csv", encoding="utf-8", bom=True)
    # Pay as typed Parquet: amounts Decimal(12, 2), day counts Int16.
    pay = exp["pay"].with_columns(
        pl.col("brutoloon", "dagloon").str.replace(",", ".", literal=True).cast(pl.Decimal(12, 2)),
        pl.col("dagen_belgie", "dagen_woonland", "dagen_andere_landen", "dagen_buiten_grenszone").cast(pl.Int16),
    )
    pay.write_parquet(folder / "lonen.parquet")


# ---------------------------------------------------------------------------------------------


def _fresh(folder: Path) -> Path:
    if folder.exists():
        for p in folder.iterdir():
            if p.name != "README.md" or folder.name == "bad_input":
                p.unlink() if p.is_file() else shutil.rmtree(p)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main() -> None:
    main_dir = _fresh(OUT / "batch_2026_10")
    syn.write_batch(main_batch(), main_dir, "csv")

    bad_dir = _fresh(OUT / "bad_input")
    frames, documented, expected = bad_batch()
    syn.write_batch(frames, bad_dir, "csv")
    pl.DataFrame(expected).select("source_file", "source_line", "column", "check", "employee_id", "because").sort(
        "source_file", "source_line", "column", "check"
    ).write_csv(bad_dir / "expected_rejects.csv")
    write_bad_readme(bad_dir, documented, expected, frames)

    quarter_dir = _fresh(OUT / "quarter_2026_q3")
    for month, frames in quarter_batches().items():
        syn.write_batch(frames, quarter_dir / month, "csv")

    write_fr(_fresh(OUT / "exports_fr"))
    write_nl(_fresh(OUT / "exports_nl"))
    print(f"sample data written under {OUT}")


if __name__ == "__main__":
    main()
