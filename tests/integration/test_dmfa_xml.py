"""DmfA XML writer (pipeline/declarations/dmfa/xml.py): rendering, schema validation, determinism, Border.

Formats checked against the ONSS DmfA glossary (zone numbers in brackets): amounts in euro cents
zero-padded to 11 digits [00070, 00084, 00085, 00089], NetOwedAmount to 15 [00015], days and
hours in hundredths padded to 5 / 7 [00063, 00064], days per week and hours per week in
hundredths [00047, 00048, 00049], Quarter YYYYQ [00013].

The figures of the hand-built declaration are *inputs* (the aggregation computes them); this file
checks only that each lands, formatted exactly, in the right zone. The runtime reads only
pipeline/vendor; the tests read /work/shared/reference/dmfa when it exists (reference samples).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, time
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from pipeline.declarations.dmfa import xml as dmfa_xml
from pipeline.declarations.dmfa.xml import (
    WIDTH,
    XSD_PATH,
    DeclarationInput,
    border_flag,
    declaration_warnings,
    render_declaration,
    validate_declaration,
)

SHARED = Path("/work/shared/reference/dmfa")
SAMPLES = sorted((SHARED / "examples").glob("*.xml")) if SHARED.exists() else []

# NISS / BIS examples with a valid check digit (97 - first 9 digits mod 97; 2 prefixed from 2000).
NISS_BLUE = "85073003328"  # 97 - (850730033 mod 97) = 28
NISS_WHITE = "98472899765"  # BIS number (month + 40)
M = pl.Decimal(18, 2)


# ------------------------------------------------------------------------------------------
# The hand-built declaration: 2026-Q3, private employer (category 000).
#  person 1: blue collar (worker code 015), French frontier worker, one full-time occupation
#  person 2: white collar (495), occupation 1 full time until 15 Aug, occupation 2 part time
#            4 days/week 30.40 h of 38 h from 16 Aug (mid-quarter change -> two occupations)
# ------------------------------------------------------------------------------------------
def _decl(**over) -> DeclarationInput:
    employer = {
        "employer_id": "125482497",
        "enterprise_number": "0403019261",
        "quarter": "2026-Q3",
        # contributions 3711.48 + 3658.74 + 57.72, unrelated 99.66,
        # minus deductions 128.24 (worker 0001) + 123.45 (occupation 3000) = 7275.91
        "net_owed_amount": D("7275.91"),
        "form_creation_date": date(2026, 10, 15),
        "form_creation_time": time(9, 30, 5, 123000),
        "reference": "DMFA-2026Q3-0001",
        "local_unit_id": "2000000141",
    }
    employer.update(over.pop("employer", {}))
    worker_lines = pl.DataFrame(
        {
            "niss": [NISS_BLUE, NISS_WHITE],
            "worker_code": ["015", "495"],
            "employer_class": ["000", "000"],
            "border": [1, 0],
            "quarter_start": [date(2026, 7, 1)] * 2,
            "quarter_end": [date(2026, 9, 30)] * 2,
            "natural_person_seq": [1, 2],
        }
    )
    occupations = pl.DataFrame(
        {
            "niss": [NISS_BLUE, NISS_WHITE, NISS_WHITE],
            "worker_code": ["015", "495", "495"],
            "occupation_seq": [1, 1, 2],
            "start": [date(2019, 3, 1), date(2024, 1, 1), date(2026, 8, 16)],
            "end": [None, date(2026, 8, 15), None],
            "joint_committee": ["111", "200", "200"],
            "working_days_system": [D("5"), D("5"), D("4")],
            "contract_type": ["0", "0", "1"],
            "mean_working_hours": [D("38"), D("38"), D("30.40")],
            "ref_mean_working_hours": [D("38"), D("38"), D("38")],
        },
        schema_overrides={"working_days_system": M, "mean_working_hours": M, "ref_mean_working_hours": M},
    )
    services = pl.DataFrame(
        {
            "niss": [NISS_BLUE, NISS_BLUE, NISS_WHITE, NISS_WHITE, NISS_WHITE, NISS_WHITE, NISS_WHITE],
            "worker_code": ["015", "015", "495", "495", "495", "495", "495"],
            "occupation_seq": [1, 1, 1, 1, 1, 2, 2],
            "service_code": ["1", "50", "1", "10", "11", "1", "50"],
            "days": [D("60"), D("3"), D("30"), D("5"), D("2.5"), D("26"), D("4")],
            "hours": [D("456"), None, D("228"), D("38"), D("19"), D("197.60"), D("30.40")],
        },
        schema_overrides={"days": M, "hours": M},
    )
    remuns = pl.DataFrame(
        {
            "niss": [NISS_BLUE, NISS_WHITE, NISS_WHITE, NISS_WHITE],
            "worker_code": ["015", "495", "495", "495"],
            "occupation_seq": [1, 1, 1, 2],
            "remun_code": ["1", "2", "1", "1"],
            "amount": [D("9027.00"), D("1500.00"), D("5123.45"), D("2987.10")],
            "bonus_payment_frequency": [None, 12, None, None],
        },
        schema_overrides={"amount": M},
    )
    contributions = pl.DataFrame(
        {
            "niss": [NISS_BLUE, NISS_WHITE, NISS_WHITE],
            "worker_code": ["015", "495", "495"],
            "contribution_worker_code": ["015", "856", "495"],
            "contribution_type": ["0", "0", "0"],
            "basis": [D("9749.16"), None, D("9610.55")],
            "amount": [D("3711.48"), D("57.72"), D("3658.74")],
        },
        schema_overrides={"basis": M, "amount": M},
    )
    deductions = pl.DataFrame(
        {"niss": [NISS_WHITE], "worker_code": ["495"], "deduction_code": ["0001"], "amount": [D("128.24")]},
        schema_overrides={"amount": M},
    )
    occupation_deductions = pl.DataFrame(
        {
            "niss": [NISS_BLUE],
            "worker_code": ["015"],
            "occupation_seq": [1],
            "deduction_code": ["3000"],
            "amount": [D("123.45")],
            "right_start_date": [date(2019, 3, 1)],
        },
        schema_overrides={"amount": M},
    )
    unrelated = pl.DataFrame(
        {"employer_class": ["000"], "worker_code": ["862"], "amount": [D("99.66")]},
        schema_overrides={"amount": M},
    )
    fields = {
        "employer": employer,
        "worker_lines": worker_lines,
        "occupations": occupations,
        "services": services,
        "remuns": remuns,
        "contributions": contributions,
        "deductions": deductions,
        "occupation_deductions": occupation_deductions,
        "unrelated_contributions": unrelated,
    }
    fields.update(over)
    return DeclarationInput(**fields)


def _texts(root, xpath: str) -> list[str]:
    return [str(v) for v in root.xpath(xpath)]


# ------------------------------------------------------------------------------------------
# (1) the validator accepts the reference samples
# ------------------------------------------------------------------------------------------
@pytest.mark.skipif(not SAMPLES, reason="/work/shared/reference/dmfa/examples not available")
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_reference_samples_validate(sample: Path):
    assert validate_declaration(sample.read_bytes()) == []


def test_vendored_xsd_matches_sources():
    digest = hashlib.sha256(XSD_PATH.read_bytes()).hexdigest()
    sources = (XSD_PATH.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert digest in sources
    assert b"xs:include" not in XSD_PATH.read_bytes() and b"xs:import" not in XSD_PATH.read_bytes()
    shared = SHARED / XSD_PATH.name
    if shared.exists():
        assert hashlib.sha256(shared.read_bytes()).hexdigest() == digest


def test_zone_widths_are_the_schema_total_digits():
    ns = {"xs": "http://www.w3.org/2001/XMLSchema"}
    schema = etree.parse(str(XSD_PATH))
    for zone, width in WIDTH.items():
        digits = schema.xpath(f"/xs:schema/xs:element[@name='{zone}']//xs:totalDigits/@value", namespaces=ns)
        assert digits == [str(width)], zone


# ------------------------------------------------------------------------------------------
# (2) the hand-built declaration: valid, and each figure in its zone
# ------------------------------------------------------------------------------------------
def test_hand_built_declaration_validates_with_exact_zones():
    xml = render_declaration(_decl())
    assert validate_declaration(xml) == []
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<DmfAOriginal')
    root = etree.fromstring(xml)

    form = "/DmfAOriginal/Form"
    assert _texts(root, f"{form}/Identification/text()") == ["DMFA"]
    assert _texts(root, f"{form}/FormCreationDate/text()") == ["2026-10-15"]
    assert _texts(root, f"{form}/FormCreationHour/text()") == ["09:30:05.123"]
    assert _texts(root, f"{form}/AttestationStatus/text()") == ["0"]
    assert _texts(root, f"{form}/TypeForm/text()") == ["SU"]
    assert _texts(root, f"{form}/Reference/ReferenceNbr/text()") == ["DMFA-2026Q3-0001"]

    ed = f"{form}/EmployerDeclaration"
    assert _texts(root, f"{ed}/Quarter/text()") == ["20263"]  # 2026-Q3 -> YYYYQ
    assert _texts(root, f"{ed}/NOSSRegistrationNbr/text()") == ["125482497"]
    assert _texts(root, f"{ed}/Trusteeship/text()") == ["0"]
    assert _texts(root, f"{ed}/CompanyID/text()") == ["0403019261"]
    assert _texts(root, f"{ed}/NetOwedAmount/text()") == ["000000000727591"]  # 7,275.91 EUR, 15 digits
    assert root.xpath(f"{ed}/System5") == []  # optional, only before 2004Q3 [00016]

    # natural persons in natural_person_seq order
    assert _texts(root, f"{ed}/NaturalPerson/NaturalPersonSequenceNbr/text()") == ["0000001", "0000002"]
    assert _texts(root, f"{ed}/NaturalPerson/INSS/text()") == [NISS_BLUE, NISS_WHITE]

    blue = f"{ed}/NaturalPerson[INSS='{NISS_BLUE}']/WorkerRecord"
    assert _texts(root, f"{blue}/EmployerClass/text()") == ["000"]
    assert _texts(root, f"{blue}/WorkerCode/text()") == ["015"]
    assert _texts(root, f"{blue}/NOSSQuarterStartingDate/text()") == ["2026-07-01"]
    assert _texts(root, f"{blue}/NOSSQuarterEndingDate/text()") == ["2026-09-30"]
    assert _texts(root, f"{blue}/Border/text()") == ["1"]
    occ = f"{blue}/Occupation"
    assert _texts(root, f"{occ}/OccupationSequenceNbr/text()") == ["01"]
    assert _texts(root, f"{occ}/OccupationStartingDate/text()") == ["2019-03-01"]
    assert root.xpath(f"{occ}/OccupationEndingDate") == []  # continues next quarter [00045]
    assert _texts(root, f"{occ}/JointCommissionNbr/text()") == ["111"]
    assert _texts(root, f"{occ}/WorkingDaysSystem/text()") == ["500"]  # 5 days/week
    assert _texts(root, f"{occ}/ContractType/text()") == ["0"]
    assert _texts(root, f"{occ}/RefMeanWorkingHours/text()") == ["3800"]  # 38 h
    assert _texts(root, f"{occ}/MeanWorkingHours/text()") == ["3800"]
    assert _texts(root, f"{occ}/Retired/text()") == ["0"]
    assert _texts(root, f"{occ}/LocalUnitID/text()") == ["2000000141"]
    # services sorted by code, numbered 01..
    assert _texts(root, f"{occ}/Service/ServiceSequenceNbr/text()") == ["01", "02"]
    assert _texts(root, f"{occ}/Service/ServiceCode/text()") == ["001", "050"]
    assert _texts(root, f"{occ}/Service/ServiceNbrDays/text()") == ["06000", "00300"]  # 60.00 d, 3.00 d
    assert _texts(root, f"{occ}/Service[ServiceCode='001']/ServiceNbrHours/text()") == ["0045600"]  # 456.00 h
    assert root.xpath(f"{occ}/Service[ServiceCode='050']/ServiceNbrHours") == []  # hours not given
    assert _texts(root, f"{occ}/Remun/RemunCode/text()") == ["001"]
    assert _texts(root, f"{occ}/Remun/RemunAmount/text()") == ["00000902700"]  # 9,027.00 EUR
    assert _texts(root, f"{occ}/OccupationDeduction/DeductionCode/text()") == ["3000"]
    assert _texts(root, f"{occ}/OccupationDeduction/DeductionAmount/text()") == ["00000012345"]
    assert _texts(root, f"{occ}/OccupationDeduction/DeductionRightStartingDate/text()") == ["2019-03-01"]
    assert _texts(root, f"{blue}/WorkerContribution/ContributionWorkerCode/text()") == ["015"]
    assert _texts(root, f"{blue}/WorkerContribution/ContributionType/text()") == ["0"]
    assert _texts(root, f"{blue}/WorkerContribution/ContributionCalculationBasis/text()") == ["00000974916"]
    assert _texts(root, f"{blue}/WorkerContribution/ContributionAmount/text()") == ["00000371148"]
    assert root.xpath(f"{blue}/WorkerDeduction") == []

    white = f"{ed}/NaturalPerson[INSS='{NISS_WHITE}']/WorkerRecord"
    assert _texts(root, f"{white}/WorkerCode/text()") == ["495"]
    assert _texts(root, f"{white}/Border/text()") == ["0"]
    assert _texts(root, f"{white}/Occupation/OccupationSequenceNbr/text()") == ["01", "02"]
    o1, o2 = f"{white}/Occupation[OccupationSequenceNbr='01']", f"{white}/Occupation[OccupationSequenceNbr='02']"
    assert _texts(root, f"{o1}/OccupationEndingDate/text()") == ["2026-08-15"]
    assert _texts(root, f"{o2}/OccupationStartingDate/text()") == ["2026-08-16"]
    assert _texts(root, f"{o2}/WorkingDaysSystem/text()") == ["400"]  # 4 days/week
    assert _texts(root, f"{o2}/ContractType/text()") == ["1"]
    assert _texts(root, f"{o2}/MeanWorkingHours/text()") == ["3040"]  # Q = 30.40 h
    assert _texts(root, f"{o2}/RefMeanWorkingHours/text()") == ["3800"]  # S = 38 h
    assert _texts(root, f"{o1}/Service/ServiceCode/text()") == ["001", "010", "011"]
    assert _texts(root, f"{o1}/Service/ServiceNbrDays/text()") == ["03000", "00500", "00250"]  # 30, 5, 2.5 d
    assert _texts(root, f"{o1}/Service/ServiceNbrHours/text()") == ["0022800", "0003800", "0001900"]
    assert _texts(root, f"{o2}/Service/ServiceCode/text()") == ["001", "050"]
    assert _texts(root, f"{o2}/Service/ServiceNbrDays/text()") == ["02600", "00400"]
    assert _texts(root, f"{o2}/Service/ServiceNbrHours/text()") == ["0019760", "0003040"]  # 197.60 h, 30.40 h
    # remuns sorted by code: 001 then 002 (with its frequency)
    assert _texts(root, f"{o1}/Remun/RemunSequenceNbr/text()") == ["01", "02"]
    assert _texts(root, f"{o1}/Remun/RemunCode/text()") == ["001", "002"]
    assert _texts(root, f"{o1}/Remun/RemunAmount/text()") == ["00000512345", "00000150000"]
    assert _texts(root, f"{o1}/Remun[RemunCode='002']/BonusPaymentFrequency/text()") == ["12"]
    assert root.xpath(f"{o1}/Remun[RemunCode='001']/BonusPaymentFrequency") == []
    assert _texts(root, f"{o2}/Remun/RemunAmount/text()") == ["00000298710"]
    # contributions sorted by code: 495 then 856 (856 without basis)
    assert _texts(root, f"{white}/WorkerContribution/ContributionWorkerCode/text()") == ["495", "856"]
    assert _texts(root, f"{white}/WorkerContribution/ContributionAmount/text()") == ["00000365874", "00000005772"]
    assert _texts(
        root, f"{white}/WorkerContribution[ContributionWorkerCode='495']/ContributionCalculationBasis/text()"
    ) == ["00000961055"]
    assert root.xpath(f"{white}/WorkerContribution[ContributionWorkerCode='856']/ContributionCalculationBasis") == []
    assert _texts(root, f"{white}/WorkerDeduction/DeductionCode/text()") == ["0001"]
    assert _texts(root, f"{white}/WorkerDeduction/DeductionAmount/text()") == ["00000012824"]

    un = f"{ed}/ContributionUnrelatedToNP"
    assert _texts(root, f"{un}/UnrelatedEmployerClass/text()") == ["000"]
    assert _texts(root, f"{un}/UnrelatedWorkerCode/text()") == ["862"]
    assert _texts(root, f"{un}/UnrelatedAmount/text()") == ["0000000009966"]  # 13 digits


def test_hand_built_declaration_has_no_warnings_and_net_owed_mismatch_is_reported():
    assert declaration_warnings(_decl()) == []
    warnings = declaration_warnings(_decl(employer={"net_owed_amount": D("7275.90")}))
    assert warnings == [
        "NetOwedAmount [00015] 7275.90 differs from contributions - deductions 7275.91 (difference -0.01)"
    ]


def test_declaration_warnings_glossary_presence_rules():
    decl = _decl()
    remuns = decl.remuns.with_columns(bonus_payment_frequency=pl.lit(None, dtype=pl.Int64))
    services = decl.services.with_columns(hours=pl.lit(None, dtype=M))
    warnings = declaration_warnings(
        _decl(employer={"local_unit_id": None, "quarter": "2026-Q4"}, remuns=remuns, services=services)
    )
    assert "HolidayStartingDate [00017] missing: 4th quarter with manual workers" in warnings
    assert sum(w.startswith("LocalUnitID [00042] missing") for w in warnings) == 3
    assert any(w.startswith("BonusPaymentFrequency [00068] missing: natural person 2") for w in warnings)
    # part-time occupation 2 of person 2 has two services without hours
    assert sum(w.startswith("ServiceNbrHours [00064]") for w in warnings) == 2
    assert all(NISS_BLUE not in w and NISS_WHITE not in w for w in warnings)


def test_fourth_quarter_holiday_starting_date_is_written():
    base = _decl()
    decl = _decl(
        employer={"quarter": "2026-Q4", "holiday_starting_date": date(2027, 5, 1)},
        worker_lines=base.worker_lines.with_columns(
            quarter_start=pl.lit(date(2026, 10, 1)), quarter_end=pl.lit(date(2026, 12, 31))
        ),
    )
    xml = render_declaration(decl)
    assert validate_declaration(xml) == []
    root = etree.fromstring(xml)
    assert _texts(root, "//EmployerDeclaration/Quarter/text()") == ["20264"]
    assert _texts(root, "//EmployerDeclaration/HolidayStartingDate/text()") == ["2027-05-01"]


def test_unknown_enterprise_number_is_zero():
    xml = render_declaration(_decl(employer={"enterprise_number": None}))
    assert validate_declaration(xml) == []
    assert _texts(etree.fromstring(xml), "//CompanyID/text()") == ["0"]


def test_output_also_validates_against_the_2022_3_schema():
    older = SHARED / "DmfAOriginal_20223.xsd"
    if not older.exists():
        pytest.skip("shared reference not available")
    schema = etree.XMLSchema(etree.parse(str(older)))
    assert schema.validate(etree.fromstring(render_declaration(_decl()))), schema.error_log


# ------------------------------------------------------------------------------------------
# (3) determinism
# ------------------------------------------------------------------------------------------
def test_rendering_is_byte_deterministic_and_independent_of_row_order():
    first = render_declaration(_decl())
    assert render_declaration(_decl()) == first
    base = _decl()
    shuffled = _decl(
        worker_lines=base.worker_lines.reverse(),
        occupations=base.occupations.reverse(),
        services=base.services.sample(fraction=1.0, shuffle=True, seed=7),
        remuns=base.remuns.reverse(),
        contributions=base.contributions.reverse(),
    )
    assert render_declaration(shuffled) == first


def test_text_is_well_formed_and_canonically_indented():
    # lxml re-parses and re-indents the text to the very same bytes: well-formed by construction
    # and laid out exactly as etree.indent(space="  ") would write it.
    xml = render_declaration(_decl(employer={"reference": "A&B <Q3>"}))
    root = etree.fromstring(xml)
    assert _texts(root, "//ReferenceNbr/text()") == ["A&B <Q3>"]
    etree.indent(root, space="  ")
    again = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8") + b"\n"
    assert again == xml


def test_optional_frames_may_be_absent():
    xml = render_declaration(
        _decl(
            deductions=None,
            occupation_deductions=None,
            unrelated_contributions=None,
            employer={"net_owed_amount": D("7427.94")},
        )
    )
    assert validate_declaration(xml) == []
    root = etree.fromstring(xml)
    assert root.xpath("//WorkerDeduction | //OccupationDeduction | //ContributionUnrelatedToNP") == []


def test_natural_person_seq_must_identify_one_person():
    base = _decl()
    with pytest.raises(ValueError, match="same natural_person_seq is used for two persons"):
        render_declaration(_decl(worker_lines=base.worker_lines.with_columns(natural_person_seq=pl.lit(1))))


# ------------------------------------------------------------------------------------------
# (4) invalid input: the schema refuses it, with a message (and no national number in it)
# ------------------------------------------------------------------------------------------
def test_twelve_digit_niss_fails_validation_without_showing_it():
    bad = "850730033281"
    base = _decl()
    frames = {
        name: getattr(base, name).with_columns(
            niss=pl.when(pl.col("niss") == NISS_BLUE).then(pl.lit(bad)).otherwise(pl.col("niss"))
        )
        for name in ("worker_lines", "occupations", "services", "remuns", "contributions", "occupation_deductions")
    }
    errors = validate_declaration(render_declaration(_decl(**frames)))
    assert errors, "a 12-digit INSS must not validate"
    assert any("Element 'INSS'" in e and "<redacted>" in e for e in errors)
    assert all(bad not in e for e in errors)


def test_negative_amount_fails_validation():
    base = _decl()
    remuns = base.remuns.with_columns(
        amount=pl.when(pl.col("remun_code") == "2").then(pl.lit(D("-5.00"), dtype=M)).otherwise(pl.col("amount"))
    )
    errors = validate_declaration(render_declaration(_decl(remuns=remuns)))
    assert len(errors) == 1
    assert "Element 'RemunAmount'" in errors[0] and "'-0000000500'" in errors[0] and "minimum" in errors[0]


def test_negative_net_owed_amount_fails_validation():
    errors = validate_declaration(render_declaration(_decl(employer={"net_owed_amount": D("-1.00")})))
    assert len(errors) == 1 and "NetOwedAmount" in errors[0]


def test_missing_occupation_fails_validation():
    base = _decl()
    keep = base.occupations["niss"] != NISS_BLUE
    decl = _decl(
        occupations=base.occupations.filter(keep),
        services=base.services.filter(base.services["niss"] != NISS_BLUE),
        remuns=base.remuns.filter(base.remuns["niss"] != NISS_BLUE),
        occupation_deductions=None,
    )
    errors = validate_declaration(render_declaration(decl))
    assert any("WorkerRecord" in e for e in errors)


def test_not_well_formed_is_reported():
    errors = validate_declaration(b"<DmfAOriginal><Form></DmfAOriginal>")
    assert len(errors) == 1 and errors[0].startswith("not well-formed XML")


# ------------------------------------------------------------------------------------------
# what cannot be formatted is refused before any XML is produced
# ------------------------------------------------------------------------------------------
def test_sub_cent_amount_is_refused():
    base = _decl()
    remuns = base.remuns.with_columns(amount=pl.col("amount").cast(pl.Decimal(18, 3)) + pl.lit(D("0.001")))
    with pytest.raises(ValueError, match=r"remuns.amount: 4 value\(s\) finer than 1/100"):
        render_declaration(_decl(remuns=remuns))


def test_float_column_is_refused():
    base = _decl()
    with pytest.raises(TypeError, match="contributions.amount must be Decimal or integer"):
        render_declaration(_decl(contributions=base.contributions.with_columns(pl.col("amount").cast(pl.Float64))))
    with pytest.raises(TypeError, match="net_owed_amount must be a Decimal"):
        render_declaration(_decl(employer={"net_owed_amount": 7275.91}))


def test_orphan_and_duplicate_rows_are_refused_without_niss():
    base = _decl()
    orphan = base.services.with_columns(occupation_seq=pl.lit(9, dtype=pl.Int64))
    with pytest.raises(ValueError, match="services: 7 row") as info:
        render_declaration(_decl(services=orphan))
    assert NISS_BLUE not in str(info.value)
    with pytest.raises(ValueError, match="worker_lines: 1 duplicate"):
        render_declaration(_decl(worker_lines=pl.concat([base.worker_lines, base.worker_lines.head(1)])))
    with pytest.raises(ValueError, match="quarter must look like"):
        render_declaration(_decl(employer={"quarter": "2026Q3"}))
    with pytest.raises(ValueError, match="occupations.start: 1 null"):
        render_declaration(
            _decl(
                occupations=base.occupations.with_columns(
                    start=pl.when(pl.col("occupation_seq") == 2).then(None).otherwise(pl.col("start"))
                )
            )
        )


# ------------------------------------------------------------------------------------------
# Border (zone 00040): fiscal frontier-worker status
# ------------------------------------------------------------------------------------------
def test_border_flag_mapping():
    frame = pl.DataFrame(
        {
            "residence": ["FR", "fr ", "FR", "FR", "LU", "NL", "DE", "BE", "FR", None],
            "work": ["BE", "BE", "BE", "BE", "BE", "BE", "BE", "BE", "LU", "BE"],
            "fiscal": [True, True, False, None, True, True, True, True, True, True],
        }
    )
    with_status = frame.select(border_flag(pl.col("residence"), pl.col("work"), pl.col("fiscal")))
    assert with_status["border"].to_list() == [1, 1, 0, 0, 0, 0, 0, 0, 0, None]
    country_only = frame.select(border_flag(pl.col("residence"), pl.col("work")))
    assert country_only["border"].to_list() == [1, 1, 1, 1, 0, 0, 0, 0, 0, None]


def test_border_null_refused_at_render():
    base = _decl()
    lines = base.worker_lines.with_columns(border=pl.lit(None, dtype=pl.Int8))
    with pytest.raises(ValueError, match="worker_lines.border: 2 null"):
        render_declaration(_decl(worker_lines=lines))


def test_module_reads_only_the_vendored_schema():
    source = Path(dmfa_xml.__file__).read_text(encoding="utf-8")
    assert "/work/shared" not in source
    assert XSD_PATH.is_relative_to(Path(dmfa_xml.__file__).resolve().parents[2] / "vendor")
    assert re.fullmatch(r"DmfAOriginal_\d{5}\.xsd", XSD_PATH.name)
