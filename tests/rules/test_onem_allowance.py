"""ONEM compensation allowance (AR 9 June 1999) and its semester claims — hand-worked cases.

Legal basis: AR 9 juin 1999 (Justel ELI eli/arrete/1999/06/09/1999012439) art. 1 (conditions),
art. 2 (bands, part-time rule), art. 3 (semester claim, 3-year window); irrevocable rates of
Council Regulation (EC) 2866/98 art. 1: 1 EUR = 40.3399 BEF = 2.20371 NLG = 6.55957 FRF.
docs/onem_allowance.md; data-contract computation 5.

Band test (art. 2): wage(EUR) / work_fraction × rate ≤ threshold, evaluated exactly. Every
product below was checked with Python's decimal module.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.money import MONEY
from pipeline.core.params import Parameters
from pipeline.errors import MissingParameterError
from pipeline.rules.onem_allowance import (
    ALLOWANCE_SCHEMA,
    REASON_TEXT,
    band_euro_amounts,
    claims_schema,
    compute_onem_allowance,
    employed_abroad_expr,
    reason_text_expr,
    semester_claims,
)
from pipeline.testing.builders import validated

PACKAGED_ONEM = Path(__file__).resolve().parents[2] / "pipeline" / "parameters" / "onem"


def _packaged_onem_bundle() -> Parameters:
    """The packaged ``onem/*`` parameter files, loaded on their own (same files and names as in
    ``default_parameters()``), so that these tests do not depend on other domains' files."""
    root = Path(tempfile.mkdtemp(prefix="onem_params_"))
    shutil.copytree(PACKAGED_ONEM, root / "onem")
    return Parameters.load(root)


PARAMS = _packaged_onem_bundle()
D = Decimal
ALL_TRUE = {
    "be_border_zone_resident": True,
    "foreign_border_zone_work": True,
    "foreign_social_insurance": True,
    "taxed_in_belgium": True,
}


def employee(eid: str, country: str = "NL", fraction: str | None = "1", residence: str = "BE", **conditions) -> dict:
    row = {
        "employee_id": eid,
        "residence_country": residence,
        "work_country": country,
        "work_fraction": None if fraction is None else D(fraction),
        **ALL_TRUE,
    }
    row.update(conditions)
    return row


def frames(employees: list[dict], pays: list[tuple[str, str, str | None]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validated employees and pay (the input contract's builders: source lines numbered from 2 like a
    CSV, every other column valid); a pay row is (employee_id, period, gross_salary)."""
    emp = validated("employees", *employees, n=len(employees))
    rows = [{"employee_id": e, "period": p, "gross_salary": g} for e, p, g in pays]
    return emp, validated("pay", *rows, n=len(rows))


def one(
    gross: str,
    country: str = "NL",
    fraction: str = "1",
    period: str = "2026-03",
    reading: str = "prorated",
    **conditions,
) -> dict:
    emp, pay = frames([employee("e1", country, fraction, **conditions)], [("e1", period, gross)])
    allowance, rejects = compute_onem_allowance(emp, pay, period, PARAMS, part_time_reading=reading)
    assert rejects.height == 0
    assert allowance.height == 1
    return allowance.row(0, named=True)


# ---------------------------------------------------------------------------------------------
# Parameters and euro amounts of the bands
# ---------------------------------------------------------------------------------------------


def test_parameters_cite_the_decree_and_the_regulation():
    on = dt.date(2026, 1, 1)
    expected = {
        "onem/eur_rate_bef": D("40.3399"),
        "onem/eur_rate_nlg": D("2.20371"),
        "onem/eur_rate_frf": D("6.55957"),
        "onem/nl_band1_max_nlg": D(3500),
        "onem/nl_band2_max_nlg": D(4500),
        "onem/nl_band3_max_nlg": D(7500),
        "onem/fr_band1_max_frf": D(10400),
        "onem/fr_band2_max_frf": D(13400),
        "onem/fr_band3_max_frf": D(22300),
        "onem/band1_amount_bef": D(2000),
        "onem/band2_amount_bef": D(1500),
        "onem/band3_amount_bef": D(1000),
        "onem/claim_window_years": D(3),
    }
    for name, value in expected.items():
        entry = PARAMS.entry(name, on)
        assert entry.value == value, name
        assert entry.effective_from == dt.date(1999, 1, 1), name
        if name.startswith("onem/eur_rate"):
            assert "2866/98" in entry.title and "31998R2866" in entry.href
        else:
            assert "9 juin 1999" in entry.title and "1999012439" in entry.href


def test_band_euro_amounts():
    # Reg. 2866/98 + Reg. 1103/97 art. 4-5: 2000/40.3399 = 49.578705 -> 49.58;
    # 1500/40.3399 = 37.184029 -> 37.18; 1000/40.3399 = 24.789352 -> 24.79.
    assert band_euro_amounts(PARAMS, dt.date(2026, 1, 1)) == (D("49.58"), D("37.18"), D("24.79"))


def test_no_value_before_the_decree():
    # AR 9 June 1999 art. 6 and Reg. 2866/98 art. 2: in force from 1999-01-01.
    emp, pay = frames([employee("e1")], [("e1", "1998-12", "1000.00")])
    with pytest.raises(MissingParameterError):
        compute_onem_allowance(emp, pay, "1998-12", PARAMS)


# ---------------------------------------------------------------------------------------------
# Thresholds, both sides, both countries (art. 2 §1 and §2), full time
# ---------------------------------------------------------------------------------------------

THRESHOLD_CASES = [
    # NL, art. 2 §1: ≤ 3,500 / ≤ 4,500 / ≤ 7,500 NLG
    ("NL", "1588.23", 1, "49.58", "3499.998333300000"),  # 1588.23 × 2.20371 = 3,499.9983333 ≤ 3,500
    ("NL", "1588.24", 2, "37.18", "3500.020370400000"),  # 1588.24 × 2.20371 = 3,500.0203704 > 3,500
    ("NL", "2042.01", 2, "37.18", "4499.997857100000"),  # 2042.01 × 2.20371 = 4,499.9978571 ≤ 4,500
    ("NL", "2042.02", 3, "24.79", "4500.019894200000"),  # 2042.02 × 2.20371 = 4,500.0198942 > 4,500
    ("NL", "3403.35", 3, "24.79", "7499.996428500000"),  # 3403.35 × 2.20371 = 7,499.9964285 ≤ 7,500
    ("NL", "3403.36", 0, "0.00", "7500.018465600000"),  # 3403.36 × 2.20371 = 7,500.0184656 > 7,500 cap
    # FR, art. 2 §2: ≤ 10,400 / ≤ 13,400 / ≤ 22,300 FRF.
    # 10,400 / 6.55957 = 1,585.469779 rounds UP to 1,585.47, so 1,585.47 € is already above:
    ("FR", "1585.46", 1, "49.58", "10399.935852200000"),  # 1585.46 × 6.55957 = 10,399.9358522 ≤ 10,400
    ("FR", "1585.47", 2, "37.18", "10400.001447900000"),  # 1585.47 × 6.55957 = 10,400.0014479 > 10,400
    ("FR", "1585.48", 2, "37.18", "10400.067043600000"),  # 1585.48 × 6.55957 = 10,400.0670436 > 10,400
    # 13,400 / 6.55957 = 2,042.816831 also rounds up: 2,042.82 € is above.
    ("FR", "2042.81", 2, "37.18", "13399.955191700000"),  # 2042.81 × 6.55957 = 13,399.9551917 ≤ 13,400
    ("FR", "2042.82", 3, "24.79", "13400.020787400000"),  # 2042.82 × 6.55957 = 13,400.0207874 > 13,400
    ("FR", "3399.61", 3, "24.79", "22299.979767700000"),  # 3399.61 × 6.55957 = 22,299.9797677 ≤ 22,300
    ("FR", "3399.62", 0, "0.00", "22300.045363400000"),  # 3399.62 × 6.55957 = 22,300.0453634 > 22,300 cap
]


@pytest.mark.parametrize(("country", "gross", "band", "amount", "national"), THRESHOLD_CASES)
def test_threshold_both_sides(country, gross, band, amount, national):
    row = one(gross, country)
    assert row["band"] == band
    assert row["amount"] == D(amount)
    assert row["fte_wage"] == D(gross)
    assert row["fte_wage_national"] == D(national)
    assert row["band_bef"] == {1: D(2000), 2: D(1500), 3: D(1000), 0: D(0)}[band]
    assert row["eligible"] is True
    assert row["reason"] == ("ABOVE_CAP" if band == 0 else "ELIGIBLE")
    assert row["country"] == country


def test_boundary_inclusive(tmp_path: Path):
    # Private parameter bundle: NLG rate 2.00000 so that 1,750.00 € × 2 = 3,500 NLG exactly.
    # Art. 2 §1: « s'élève à maximum 3 500 florins » -> band 1 at exactly 3,500 (≤ inclusive);
    # 1,750.01 € × 2 = 3,500.02 > 3,500 -> band 2 (lower bound of the next band exclusive).
    base = PACKAGED_ONEM
    target = tmp_path / "onem"
    target.mkdir()
    for path in base.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "eur_rate_nlg.yaml":
            text = text.replace("value: 2.20371", "value: 2.00000")
        (target / path.name).write_text(text, encoding="utf-8")
    bundle = Parameters.load(tmp_path)
    emp, pay = frames([employee("a"), employee("b")], [("a", "2026-03", "1750.00"), ("b", "2026-03", "1750.01")])
    allowance, _ = compute_onem_allowance(emp, pay, "2026-03", bundle)
    assert allowance["band"].to_list() == [1, 2]
    assert allowance["amount"].to_list() == [D("49.58"), D("37.18")]
    assert allowance["fte_wage_national"].to_list() == [D("3500"), D("3500.02")]


def test_low_wage_is_band_one():
    # 800.00 × 2.20371 = 1,763.0 NLG ≤ 3,500 -> 2,000 BEF -> 49.58 €.
    assert one("800.00", "NL")["amount"] == D("49.58")


# ---------------------------------------------------------------------------------------------
# Part-time (art. 2 §1 al. 2, §2 al. 2)
# ---------------------------------------------------------------------------------------------


def test_part_time_prorated_nl():
    # 1,200 € at 50 %: FTE 1,200 / 0.5 = 2,400 €; 2,400 × 2.20371 = 5,288.904 NLG in (4,500, 7,500]
    # -> band 3, 1,000 BEF = 24.79 €; prorated 24.79 × 0.5 = 12.395 -> 12.40 (half-up).
    row = one("1200.00", "NL", "0.5")
    assert row["fte_wage"] == D("2400")
    assert row["fte_wage_national"] == D("5288.904")
    assert row["band"] == 3
    assert row["amount"] == D("12.40")
    assert row["part_time_reading"] == "prorated"


def test_part_time_full_band_reading():
    # Other reading of art. 2: the allowance "corresponding to the full-time wage", unprorated: 24.79.
    row = one("1200.00", "NL", "0.5", reading="full_band")
    assert row["band"] == 3
    assert row["amount"] == D("24.79")
    assert row["part_time_reading"] == "full_band"


def test_part_time_threshold_exact_fr():
    # 50 % in France: 792.73 × 6.55957 = 5,199.9379061 ≤ 10,400 × 0.5 = 5,200 -> band 1:
    # 49.58 × 0.5 = 24.79. 792.74 × 6.55957 = 5,200.0035018 > 5,200 -> band 2: 37.18 × 0.5 = 18.59.
    low = one("792.73", "FR", "0.5")
    high = one("792.74", "FR", "0.5")
    assert (low["band"], low["amount"], low["fte_wage"]) == (1, D("24.79"), D("1585.46"))
    assert (high["band"], high["amount"], high["fte_wage"]) == (2, D("18.59"), D("1585.48"))


def test_part_time_non_terminating_fraction():
    # 1,000 € at 0.333333: FTE 1,000 / 0.333333 = 3,000.003000003000003… (shown to 12 decimals).
    # Band exact: 1,000 × 2.20371 = 2,203.71 NLG vs 7,500 × 0.333333 = 2,499.9975 and
    # 4,500 × 0.333333 = 1,499.9985 -> band 3; 24.79 × 0.333333 = 8.26332507 -> 8.26.
    row = one("1000.00", "NL", "0.333333")
    assert row["fte_wage"] == D("3000.003000003000")
    assert row["band"] == 3
    assert row["amount"] == D("8.26")


def test_part_time_full_band_above_cap_is_zero():
    # 2,000 € at 50 % in FR: FTE 4,000 €; 2,000 × 6.55957 = 13,119.14 > 22,300 × 0.5 = 11,150 -> cap.
    row = one("2000.00", "FR", "0.5", reading="full_band")
    assert (row["band"], row["amount"], row["reason"]) == (0, D("0.00"), "ABOVE_CAP")


def test_null_work_fraction_means_full_time():
    # data-contract: work_fraction defaults to 1.
    emp, pay = frames([employee("e1", "NL", None)], [("e1", "2026-03", "1200.00")])
    allowance, rejects = compute_onem_allowance(emp, pay, "2026-03", PARAMS)
    assert rejects.height == 0
    assert allowance.row(0, named=True)["amount"] == D("49.58")  # 1,200 × 2.20371 = 2,644.452 ≤ 3,500


def test_unknown_reading_is_refused():
    emp, pay = frames([employee("e1")], [("e1", "2026-03", "1200.00")])
    with pytest.raises(ValueError, match="part_time_reading"):
        compute_onem_allowance(emp, pay, "2026-03", PARAMS, part_time_reading="whatever")


# ---------------------------------------------------------------------------------------------
# Conditions (art. 1 §2 NL, §3 FR): first failed condition named, amount 0
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failing", "reason"),
    [
        ("be_border_zone_resident", "NOT_BE_BORDER_ZONE_RESIDENT"),
        ("foreign_border_zone_work", "NOT_FOREIGN_BORDER_ZONE_WORK"),
        ("foreign_social_insurance", "NO_FOREIGN_SOCIAL_INSURANCE"),
        ("taxed_in_belgium", "NOT_TAXED_IN_BELGIUM"),
    ],
)
@pytest.mark.parametrize("value", [False, None])
def test_each_failing_condition(failing, reason, value):
    # 1,200 € full time in NL would be band 1 = 49.58; any unproven condition -> 0 (art. 1).
    row = one("1200.00", "NL", **{failing: value})
    assert row["reason"] == reason
    assert row["eligible"] is False
    assert row["amount"] == D("0.00")
    assert row["band"] == 1  # the band is still shown for the audit


def test_first_failed_condition_wins():
    # Both the social-insurance and the taxation conditions fail: the earlier one is named.
    row = one("1200.00", "FR", foreign_social_insurance=False, taxed_in_belgium=False)
    assert row["reason"] == "NO_FOREIGN_SOCIAL_INSURANCE"


def test_missing_condition_columns_fail_eligibility():
    emp, pay = frames([employee("e1")], [("e1", "2026-03", "1200.00")])
    allowance, rejects = compute_onem_allowance(emp.drop("taxed_in_belgium"), pay, "2026-03", PARAMS)
    assert rejects.height == 0
    assert allowance.row(0, named=True)["reason"] == "NOT_TAXED_IN_BELGIUM"


def test_not_taxed_in_belgium_text_explains_the_dormant_decree():
    # Art. 1 §2 last paragraph, §3 paragraph 3: proof of Belgian taxation. Usual outcome since the BE-NL tax
    # convention of 5 June 2001 (applied from 2003) and the BE-FR avenant of 12 December 2008 (retroactive to 2007).
    text = REASON_TEXT["NOT_TAXED_IN_BELGIUM"]
    assert "2003" in text and "2007" in text and "usual outcome" in text
    frame = pl.DataFrame({"reason": ["NOT_TAXED_IN_BELGIUM", "ELIGIBLE"]})
    assert frame.select(reason_text_expr())["reason_text"].to_list() == [text, REASON_TEXT["ELIGIBLE"]]


def test_zero_wage_gets_nothing():
    # Art. 2: due for a month in which a wage subject to foreign contributions was received.
    row = one("0.00", "NL")
    assert (row["eligible"], row["reason"], row["amount"]) == (True, "NO_WAGE_IN_MONTH", D("0.00"))


# ---------------------------------------------------------------------------------------------
# Scope, rejects and output shape
# ---------------------------------------------------------------------------------------------


def test_scope_and_rejects():
    emp, pay = frames(
        [
            employee("nl", "NL"),
            employee("fr", "FR"),
            employee("be", "BE"),  # works in Belgium: ordinary Belgian payroll, no allowance row
            employee("de", "DE"),  # resident of Belgium working in Germany: unsupported -> reject
            employee("nofrac", "NL", "0"),  # work_fraction outside (0, 1] -> reject
            employee("nowage", "FR"),  # gross null -> reject
            employee("frres", "FR", residence="FR"),  # not a resident of Belgium: out of scope
            employee("nopay", "NL"),  # no pay row in the period: no row
        ],
        [
            ("nl", "2026-03", "1200.00"),
            ("fr", "2026-03", "1200.00"),
            ("be", "2026-03", "1200.00"),
            ("de", "2026-03", "1200.00"),
            ("nofrac", "2026-03", "1200.00"),
            ("nowage", "2026-03", None),
            ("frres", "2026-03", "1200.00"),
            ("nopay", "2026-02", "1200.00"),
        ],
    )
    allowance, rejects = compute_onem_allowance(emp, pay, "2026-03", PARAMS)
    assert allowance["employee_id"].to_list() == ["fr", "nl"]
    assert rejects.select("employee_id", "column", "check").rows() == [
        ("de", "work_country", "onem_work_country"),
        ("nofrac", "work_fraction", "onem_work_fraction"),
        ("nowage", "gross_salary", "onem_gross_salary"),
    ]
    assert rejects["source_file"].to_list() == ["employees.csv", "employees.csv", "pay.csv"]
    flags = emp.select("employee_id", employed_abroad_expr().alias("abroad"))
    assert dict(flags.iter_rows()) == {
        "nl": True,
        "fr": True,
        "be": False,
        "de": False,
        "nofrac": True,
        "nowage": True,
        "frres": False,
        "nopay": True,
    }


def test_output_schema_and_no_float():
    allowance, _ = compute_onem_allowance(*frames([employee("e1")], [("e1", "2026-03", "1200.00")]), "2026-03", PARAMS)
    assert allowance.schema == pl.Schema(ALLOWANCE_SCHEMA)
    assert list(allowance.columns) == list(ALLOWANCE_SCHEMA)
    assert not any(dtype.is_float() for dtype in allowance.schema.values())
    row = allowance.row(0, named=True)
    assert (row["semester"], row["claim_deadline"]) == ("2026-H1", dt.date(2029, 6, 30))


def test_empty_period():
    emp, pay = frames([employee("e1")], [("e1", "2026-02", "1200.00")])
    allowance, rejects = compute_onem_allowance(emp, pay, "2026-03", PARAMS)
    assert allowance.height == 0 and allowance.schema == pl.Schema(ALLOWANCE_SCHEMA)
    assert rejects.height == 0


# ---------------------------------------------------------------------------------------------
# Semester and claim deadline (art. 3)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "semester", "deadline"),
    [
        # art. 3 al. 2: 3 years from the first day of the next semester, minus one day.
        ("2025-01", "2025-H1", dt.date(2028, 6, 30)),  # H1 2025: 2025-07-01 + 3 y - 1 d
        ("2025-06", "2025-H1", dt.date(2028, 6, 30)),
        ("2025-07", "2025-H2", dt.date(2028, 12, 31)),  # H2 2025: 2026-01-01 + 3 y - 1 d
        ("2025-12", "2025-H2", dt.date(2028, 12, 31)),
        ("2027-09", "2027-H2", dt.date(2030, 12, 31)),  # 2028-01-01 + 3 y - 1 d (leap years irrelevant)
    ],
)
def test_semester_and_deadline(period, semester, deadline):
    row = one("1200.00", "NL", period=period)
    assert (row["semester"], row["claim_deadline"]) == (semester, deadline)


def _months(gross_by_period: dict[str, str], fraction: str = "0.5", country: str = "NL", **conditions) -> pl.DataFrame:
    emp, pay = frames(
        [employee("e1", country, fraction, **conditions)], [("e1", p, g) for p, g in gross_by_period.items()]
    )
    return pl.concat([compute_onem_allowance(emp, pay, p, PARAMS)[0] for p in gross_by_period])


def test_semester_spanning_a_band_change():
    # Half-time in NL. Jan-Mar 1,200 €: FTE 2,400 -> band 3, 24.79 × 0.5 = 12.395 -> 12.40.
    # Apr-Jun 700 €: FTE 1,400; 1,400 × 2.20371 = 3,085.194 ≤ 3,500 -> band 1, 49.58 × 0.5 = 24.79.
    # Total = sum of the rounded months = 3 × 12.40 + 3 × 24.79 = 37.20 + 74.37 = 111.57
    # (rounding a semester sum would give 3 × 12.395 + 74.37 = 111.555 -> 111.56).
    gross = {"2026-01": "1200.00", "2026-02": "1200.00", "2026-03": "1200.00",
             "2026-04": "700.00", "2026-05": "700.00", "2026-06": "700.00"}  # fmt: skip
    allowance = _months(gross)
    assert allowance["band"].to_list() == [3, 3, 3, 1, 1, 1]
    claims = semester_claims(allowance, "2026-H1", dt.date(2026, 7, 15))
    assert claims.height == 1
    row = claims.row(0, named=True)
    assert [row[f"2026-0{m}"] for m in range(1, 7)] == [D("12.40")] * 3 + [D("24.79")] * 3
    assert row["total"] == D("111.57")
    assert (row["months"], row["months_missing"]) == (6, "")
    assert (row["country"], row["semester"]) == ("NL", "2026-H1")
    assert (row["claim_deadline"], row["claimable"]) == (dt.date(2029, 6, 30), True)
    assert claims.schema == pl.Schema(claims_schema("2026-H1"))


def test_semester_full_time_six_months():
    # Art. 2 fixes monthly amounts: 6 × 49.58 = 297.48 (monthly rounding), not 12,000 BEF / 40.3399 = 297.47.
    allowance = _months({f"2025-{m:02d}": "1500.00" for m in range(7, 13)}, fraction="1", country="FR")
    row = semester_claims(allowance, "2025-H2", dt.date(2026, 1, 5)).row(0, named=True)
    assert row["total"] == D("297.48")
    assert row["claim_deadline"] == dt.date(2028, 12, 31)


@pytest.mark.parametrize(
    ("run_date", "claimable"),
    [(dt.date(2028, 6, 29), True), (dt.date(2028, 6, 30), True), (dt.date(2028, 7, 1), False)],
)
def test_claimable_around_the_h1_deadline(run_date, claimable):
    # H1 2025 -> deadline 2028-06-30 (art. 3 al. 2): claimable on the deadline, not the day after.
    allowance = _months({"2025-03": "1200.00"})
    assert semester_claims(allowance, "2025-H1", run_date)["claimable"].to_list() == [claimable]


@pytest.mark.parametrize(("run_date", "claimable"), [(dt.date(2028, 12, 31), True), (dt.date(2029, 1, 1), False)])
def test_claimable_around_the_h2_deadline(run_date, claimable):
    allowance = _months({"2025-11": "1200.00"})
    claims = semester_claims(allowance, "2025-H2", run_date)
    assert claims["claim_deadline"].to_list() == [dt.date(2028, 12, 31)]
    assert claims["claimable"].to_list() == [claimable]


def test_semester_with_missing_months_and_other_semesters():
    # Rows of Jan, Feb, May 2026 (+ one of 2025-H2 that must be ignored); not taxed in Belgium -> 0.
    allowance = pl.concat(
        [
            _months({"2026-01": "1200.00", "2026-02": "1200.00", "2026-05": "1200.00"}, taxed_in_belgium=False),
            _months({"2025-12": "1200.00"}),
        ]
    )
    row = semester_claims(allowance, "2026-H1", dt.date(2026, 7, 1)).row(0, named=True)
    assert row["months"] == 3
    assert [row[f"2026-0{m}"] for m in range(1, 7)] == [D("0.00"), D("0.00"), None, None, D("0.00"), None]
    assert row["total"] == D("0.00")
    assert row["claimable"] is False  # nothing due, though the deadline (2029-06-30) is far
    assert row["months_missing"] == "2026-03,2026-04,2026-06"


def test_semester_claims_empty_and_bad_semester():
    empty = pl.DataFrame(schema=ALLOWANCE_SCHEMA)
    claims = semester_claims(empty, "2026-H1", dt.date(2026, 7, 1))
    assert claims.height == 0 and claims.schema == pl.Schema(claims_schema("2026-H1"))
    with pytest.raises(ValueError, match="semester"):
        semester_claims(empty, "2026-S1", dt.date(2026, 7, 1))


def test_claims_sorted_and_money_typed():
    emp, pay = frames(
        [employee("b", "FR"), employee("a", "NL")],
        [("b", "2026-07", "1200.00"), ("a", "2026-07", "3000.00"), ("a", "2026-08", "3000.00")],
    )
    allowance = pl.concat([compute_onem_allowance(emp, pay, p, PARAMS)[0] for p in ("2026-07", "2026-08")])
    claims = semester_claims(allowance, "2026-H2", dt.date(2026, 12, 1))
    # a: 3,000 × 2.20371 = 6,611.13 NLG in (4,500, 7,500] -> 24.79 per month, 2 months = 49.58.
    # b: 1,200 × 6.55957 = 7,871.484 FRF ≤ 10,400 -> 49.58, 1 month.
    assert claims.select("employee_id", "months", "total").rows() == [("a", 2, D("49.58")), ("b", 1, D("49.58"))]
    assert claims["total"].dtype == MONEY
    assert claims.select("last_name", "first_name").rows() == [(None, None)] * 2  # no names given


def test_claims_carry_the_workers_names_and_month_columns():
    # a, half-time in NL, 1,200 € in July and August 2026: FTE 2,400 -> band 3, 24.79 × 0.5 = 12.395 -> 12.40
    # a month, 24.80 for the two. b (FR) is not taxed in Belgium: 0.00 -> nothing to claim.
    emp, pay = frames(
        [employee("a", "NL", "0.5"), employee("b", "FR", taxed_in_belgium=False)],
        [("a", "2026-07", "1200.00"), ("a", "2026-08", "1200.00"), ("b", "2026-08", "1200.00")],
    )
    allowance = pl.concat([compute_onem_allowance(emp, pay, p, PARAMS)[0] for p in ("2026-07", "2026-08")])
    names = pl.DataFrame({"employee_id": ["b", "a"], "last_name": ["Lamquet", "Bernès"], "first_name": ["É", "C"]})
    claims = semester_claims(allowance, "2026-H2", dt.date(2026, 11, 2), names)
    assert list(claims.columns) == [
        "employee_id", "last_name", "first_name", "country", "semester", "months",
        "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
        "total", "claim_deadline", "claimable", "months_missing",
    ]  # fmt: skip
    assert claims.select(
        "employee_id", "last_name", "first_name", "2026-07", "2026-08", "total", "claimable"
    ).rows() == [
        ("a", "Bernès", "C", D("12.40"), D("12.40"), D("24.80"), True),
        ("b", "Lamquet", "É", None, D("0.00"), D("0.00"), False),
    ]


# ---------------------------------------------------------------------------------------------
# Property: the vectorised band and amount equal a plain Python Decimal evaluation of art. 2
# ---------------------------------------------------------------------------------------------


def _reference(gross: Decimal, fraction: Decimal, country: str) -> tuple[int, Decimal]:
    """Art. 2 by hand with Python decimal: FTE = gross / fraction; national = FTE × rate."""
    rate, limits = {"NL": (D("2.20371"), (3500, 4500, 7500)), "FR": (D("6.55957"), (10400, 13400, 22300))}[country]
    national = gross * rate / fraction  # exact enough: compared against integers far from 28 digits
    band = next((i for i, limit in enumerate(limits, start=1) if gross * rate <= limit * fraction), 0)
    assert (band == 0) == (national > limits[2])
    euros = {1: D("49.58"), 2: D("37.18"), 3: D("24.79"), 0: D("0")}[band]
    return band, (euros * fraction).quantize(D("0.01"), rounding="ROUND_HALF_UP")


@settings(max_examples=60, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=0, max_value=500_000), min_size=1, max_size=40),
    micro=st.lists(st.integers(min_value=1, max_value=1_000_000), min_size=40, max_size=40),
    countries=st.lists(st.sampled_from(["NL", "FR"]), min_size=40, max_size=40),
)
def test_matches_python_decimal(cents, micro, countries):
    rows = [(D(c) / 100, D(m) / 1_000_000, countries[i]) for i, (c, m) in enumerate(zip(cents, micro))]
    emp, pay = frames(
        [employee(f"e{i:03d}", country, str(fraction)) for i, (_, fraction, country) in enumerate(rows)],
        [(f"e{i:03d}", "2026-03", f"{gross:.2f}") for i, (gross, _, _) in enumerate(rows)],
    )
    allowance, _ = compute_onem_allowance(emp, pay, "2026-03", PARAMS)
    for (gross, fraction, country), got in zip(rows, allowance.iter_rows(named=True)):
        band, amount = _reference(gross, fraction, country)
        assert got["band"] == band
        assert got["amount"] == (D("0.00") if band == 0 or gross == 0 else amount)
