"""DmfA XML writer: one ``DmfAOriginal`` declaration per employer and quarter.

What this module does: it turns plain polars frames, already aggregated per worker line,
occupation and code (ONSS DmfA administrative instructions, "Le concept de DmfA": one
declaration per employer and quarter, one worker line per person and worker code), into the XML
the ONSS/RSZ expects, and checks the result against the official schema vendored in
``pipeline/vendor/dmfa`` (DmfAOriginal 2023/1, the newest found; see its SOURCES.md). It computes
nothing: amounts, days, hours and contributions arrive final. It only **formats** them, in the
zone formats of the ONSS DmfA glossary (zone numbers are in the schema's ``xs:documentation``):

- amounts in euro cents, days and hours in hundredths, zero-padded to the zone length
  (glossary "Longueur" = schema ``totalDigits``): 9,027.00 EUR -> ``00000902700`` (11),
  64 days -> ``06400`` (5), 486.40 h -> ``0048640`` (7), 5 days/week -> ``500``, 38 h/week -> ``3800``;
- codes zero-padded to their length (worker code ``015``, service code ``001``, deduction
  ``0001``); identifiers (INSS, NOSS number, enterprise number) are written exactly as given;
- ``Quarter`` as ``YYYYQ`` ("2026-Q3" -> ``20263``), dates ``YYYY-MM-DD``.

It never rounds: a value finer than the zone's unit (a sub-cent amount, 1/1000 day) is refused
with ``ValueError``; rounding belongs to the aggregation (``pipeline.core.money``). Values that are
formattable but out of the schema's range (a negative amount, a 12-digit NISS) are written as
they are and reported by :func:`validate_declaration`, so a bad figure is never hidden.

Building is vectorised: every block of a level (Service, Remun, Occupation, WorkerRecord, ...)
is produced as an indented text fragment by one polars expression per level, and the levels are
nested with ``group_by(...).list.join`` (no Python loop per worker or per line; 100,000 worker
lines render in a few seconds). Every value is escaped, so the text is well-formed by
construction; the tests check that lxml re-serialises it to the very same bytes. lxml is used to
parse and validate (:func:`validate_declaration`). Output is byte-deterministic: every level is
sorted by its key, nothing depends on input row order, no wall clock is read (creation date and
hour are inputs).

Fixed zone values are named constants below, each with its glossary zone; docs/dmfa.md lists
them with the reason. They are format/code values, not legal rates.

National numbers are never logged or put into exception messages; schema messages about
``INSS`` zones are redacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import polars as pl
from lxml import etree

from pipeline.core.periods import quarter_code

XSD_PATH = Path(__file__).resolve().parents[2] / "vendor" / "dmfa" / "DmfAOriginal_20231.xsd"
"""Vendored official schema (DmfAOriginal 2023/1). The runtime reads only this file."""

# --------------------------------------------------------------------------------------------
# Fixed zone values. Glossary = ONSS DmfA glossary 2022/3 FR (VersCpltdmfa20223FR.xml) and
# 2023/3 NL (Zones_dmfa20233NL.xml); number in brackets = zone code.
# --------------------------------------------------------------------------------------------
IDENTIFICATION_DMFA = "DMFA"
"""[00296] Identification of the form; the schema allows only ``DMFA``."""
TYPE_FORM_SUBMISSION = "SU"
"""[00297] SU = SUBMISSION, "SU pour les déclarations multifonctionnelles trimestrielles"."""
ATTESTATION_STATUS_ORIGINAL = "0"
"""[00110] 0 = Original (the schema allows only 0 in DmfAOriginal)."""
REFERENCE_TYPE_THIS_FORM = "1"
"""[00221] 1 = the reference bears on this form ("1 pour les déclarations ... trimestrielles")."""
REFERENCE_ORIGIN_DECLARANT = "1"
"""[00298] 1 = reference number assigned by the declarant (employer / social secretariat)."""
TRUSTEESHIP_NONE = 0
"""[00012] 0 = period not under curatorship (default; ``employer['trusteeship']`` overrides)."""
COMPANY_ID_UNKNOWN = "0"
"""[00014] "Si le numéro d'entreprise n'est pas connu, la valeur à renseigner est zéro"."""
RETIRED_NO = 0
"""[00054] 0 = not pensioned (default; optional ``occupations.retired`` overrides)."""
DEFAULT_FORM_CREATION_HOUR = time(0, 0, 0)
"""[00299] Mandatory HH:MM:SS.SSS; midnight unless ``employer['form_creation_time']`` is given
(no wall clock, so the bytes stay deterministic)."""
BORDER_NOT_FRONTIER = 0
"""[00040] 0 = non frontalier / geen grensarbeider."""
BORDER_FRONTIER = 1
"""[00040] 1 = frontalier: worker with the *fiscal* frontier-worker status."""
FRONTIER_REGIME_RESIDENCE_COUNTRIES = ("FR",)
"""Residence States that still have a fiscal frontier regime with Belgium: only France, under the
transitional regime 2012-2033 of the additional protocol to the Belgian-French tax convention of
10 March 1964 (amendment of 12 December 2008); the Dutch and German regimes ended in 2003 and
2004, Luxembourg never had one."""
FRONTIER_REGIME_WORK_COUNTRY = "BE"
"""The frontier status concerns work in the Belgian border zone for a Belgian employer."""
BONUS_REMUN_CODES = ("002", "023", "045", "062")
"""[00068] Remuneration codes for which BonusPaymentFrequency is mandatory (glossary)."""
MANUAL_WORKER_CODES = ("015",)
"""Worker codes of manual workers (ouvriers) this project declares (015, ONSS rates file);
used only by :func:`declaration_warnings` for HolidayStartingDate [00017]."""

# Zone lengths = glossary "Longueur" = schema totalDigits (checked by the tests against the XSD).
WIDTH = {
    "NetOwedAmount": 15,
    "NaturalPersonSequenceNbr": 7,
    "EmployerClass": 3,
    "WorkerCode": 3,
    "OccupationSequenceNbr": 2,
    "WorkingDaysSystem": 3,
    "RefMeanWorkingHours": 4,
    "MeanWorkingHours": 4,
    "ServiceSequenceNbr": 2,
    "ServiceCode": 3,
    "ServiceNbrDays": 5,
    "ServiceNbrHours": 7,
    "RemunSequenceNbr": 2,
    "RemunCode": 3,
    "BonusPaymentFrequency": 2,
    "PercentagePaid": 5,
    "RemunAmount": 11,
    "ContributionWorkerCode": 3,
    "ContributionType": 1,
    "ContributionCalculationBasis": 11,
    "ContributionAmount": 11,
    "DeductionCode": 4,
    "DeductionCalculationBasis": 11,
    "DeductionAmount": 11,
    "UnrelatedEmployerClass": 3,
    "UnrelatedWorkerCode": 3,
    "UnrelatedCalculationBasis": 13,
    "UnrelatedAmount": 13,
}

_NISS_ZONES = ("INSS", "ReplacedINSS", "ApplicantINSS")
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_ROOT_OPEN = (
    '<DmfAOriginal xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:noNamespaceSchemaLocation="{XSD_PATH.name}">'
)


@dataclass(frozen=True)
class DeclarationInput:
    """Everything one DmfAOriginal declaration (one employer, one quarter) contains.

    employer: ``employer_id`` (NOSS number, 9 digits), ``enterprise_number`` (10 digits or None),
      ``quarter`` ("2026-Q3"), ``net_owed_amount`` (Decimal, euros), ``form_creation_date``
      (date), ``reference`` (1-20 characters). Optional: ``form_creation_time`` (time),
      ``trusteeship`` (0/1), ``holiday_starting_date`` (date, zone 00017), ``local_unit_id``
      (10 digits, default LocalUnitID of every occupation, zone 00042).
    worker_lines: niss, worker_code, employer_class, border (0/1), quarter_start, quarter_end,
      natural_person_seq; optional activity_with_risk, user_reference (WorkerRecordUserReference).
    occupations: niss, worker_code, occupation_seq, start, end (nullable), joint_committee,
      working_days_system (days/week), contract_type ("0" full time / "1" part time),
      mean_working_hours (Q, h/week), ref_mean_working_hours (S, h/week); optional worker_status,
      reorganisation_measure, retired, remun_method, local_unit_id.
    services: niss, worker_code, occupation_seq, service_code, days, hours (nullable).
    remuns: niss, worker_code, occupation_seq, remun_code, amount; optional
      bonus_payment_frequency, percentage_paid (percent, e.g. 104.80).
    contributions: niss, worker_code, contribution_worker_code, contribution_type,
      basis (nullable), amount; optional first_hiring_date.
    deductions (WorkerDeduction): niss, worker_code, deduction_code, basis (nullable),
      amount (nullable); optional right_start_date.
    occupation_deductions (OccupationDeduction, e.g. 3000 structural reduction): niss,
      worker_code, occupation_seq, deduction_code, basis (nullable), amount (nullable);
      optional right_start_date.
    unrelated_contributions (ContributionUnrelatedToNP, e.g. 862 company car): employer_class,
      worker_code, basis (nullable), amount.
    """

    employer: dict
    worker_lines: pl.DataFrame
    occupations: pl.DataFrame
    services: pl.DataFrame
    remuns: pl.DataFrame
    contributions: pl.DataFrame
    deductions: pl.DataFrame | None = None
    occupation_deductions: pl.DataFrame | None = None
    unrelated_contributions: pl.DataFrame | None = None


# --------------------------------------------------------------------------------------------
# Border flag
# --------------------------------------------------------------------------------------------
def border_flag(
    residence_country_expr: pl.Expr,
    work_country_expr: pl.Expr,
    fiscal_frontier_expr: pl.Expr | None = None,
) -> pl.Expr:
    """``Border`` zone (00040) of the worker line: 1 = frontier worker, 0 = not.

    Glossary 00040 (2022/3 FR, 2023/3 NL): "Code permettant de désigner un travailleur ayant le
    statut **fiscal** de frontalier" - 0 = non frontalier, 1 = frontalier (0 forced for
    third-party payers and a few public statuses). So the flag is the tax status, not "lives
    abroad": a Luxembourg, Dutch or German resident working in Belgium is 0 (no frontier regime
    with Belgium); only a French resident working in the Belgian border zone under the
    transitional regime 2012-2033 of the Belgian-French tax convention is 1.

    ``residence_country_expr`` / ``work_country_expr``: ISO alpha-2 (case and spaces ignored).
    ``fiscal_frontier_expr`` (Boolean): the withholding-tax decision that the French frontier
    regime applies (withholding reason ``FR_FRONTIER_EXEMPT``); null counts as False
    (no attested 276 FG, no status). Without it the result is only the country test (FR resident
    working in BE), an upper bound: pass the decision whenever it is known.
    A null country gives a null flag, so a missing residence cannot pass silently.
    """
    residence = residence_country_expr.cast(pl.String).str.strip_chars().str.to_uppercase()
    work = work_country_expr.cast(pl.String).str.strip_chars().str.to_uppercase()
    frontier = residence.is_in(list(FRONTIER_REGIME_RESIDENCE_COUNTRIES)) & (work == FRONTIER_REGIME_WORK_COUNTRY)
    if fiscal_frontier_expr is not None:
        frontier = frontier & fiscal_frontier_expr.cast(pl.Boolean).fill_null(False)
    return frontier.cast(pl.Int8).alias("border")


# --------------------------------------------------------------------------------------------
# Formatting helpers (all vectorised)
# --------------------------------------------------------------------------------------------
def _escape(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _py_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(expr: pl.Expr) -> pl.Expr:
    """Free text or identifier, written as given (trimmed, escaped)."""
    return _escape(expr.cast(pl.String).str.strip_chars())


def _code(expr: pl.Expr, width: int) -> pl.Expr:
    """A numeric code, left-padded with zeros to the zone length ("15" / 15 -> "015")."""
    return _escape(expr.cast(pl.String).str.strip_chars().str.zfill(width))


def _integer(expr: pl.Expr, width: int) -> pl.Expr:
    return expr.cast(pl.Int64).cast(pl.String).str.zfill(width)


def _times_100(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Decimal(38, 12)) * pl.lit(100, dtype=pl.Decimal(38, 0))


def _hundredths(expr: pl.Expr, width: int) -> pl.Expr:
    """Euros -> cents, days/hours -> hundredths, zero-padded (exactness checked beforehand)."""
    return _times_100(expr).cast(pl.Int64).cast(pl.String).str.zfill(width)


def _date(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Date).dt.strftime("%Y-%m-%d")


INDENT = "  "
"""Two spaces per level, one element per line (as lxml ``etree.indent`` would write it)."""


def _pad(depth: int) -> str:
    return "\n" + INDENT * depth


def _leaf(tag: str, value: pl.Expr, depth: int) -> pl.Expr:
    """Mandatory zone ``<tag>value</tag>`` on its own line; null when the value is null."""
    return pl.concat_str([pl.lit(f"{_pad(depth)}<{tag}>"), value, pl.lit(f"</{tag}>")])


def _opt_leaf(tag: str, value: pl.Expr, depth: int) -> pl.Expr:
    """Optional zone: nothing at all when the value is null."""
    return _leaf(tag, value, depth).fill_null("")


def _open(tag: str, depth: int) -> pl.Expr:
    return pl.lit(f"{_pad(depth)}<{tag}>")


def _close(tag: str, depth: int) -> pl.Expr:
    return pl.lit(f"{_pad(depth)}</{tag}>")


def _py_leaf(tag: str, text: str, depth: int) -> str:
    return f"{_pad(depth)}<{tag}>{text}</{tag}>"


def _py_hundredths(value: object, what: str, width: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal (no float on money paths), got {type(value).__name__}")
    scaled = Decimal(value) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} is finer than a cent; round it before rendering")
    return str(int(scaled)).zfill(width)


# --------------------------------------------------------------------------------------------
# Input checks (raise on what cannot be formatted; never show a NISS)
# --------------------------------------------------------------------------------------------
def _col_or_null(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None)


def _require_columns(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}")


def _require_values(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    for c in columns:
        n = frame.get_column(c).null_count()
        if n:
            raise ValueError(f"{name}.{c}: {n} null value(s) in a mandatory zone")


def _check_numeric(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    """Decimal or integer only, and exact in hundredths (cents / 1/100 day / 1/100 hour)."""
    present = [c for c in columns if c in frame.columns]
    for c in present:
        dtype = frame.schema[c]
        if dtype == pl.Null:
            continue
        if not (dtype.is_decimal() or dtype.is_integer()):
            raise TypeError(f"{name}.{c} must be Decimal or integer, got {dtype}")
    checks = [
        (_times_100(pl.col(c)) != _times_100(pl.col(c)).cast(pl.Int64).cast(pl.Decimal(38, 12)))
        .fill_null(False)
        .sum()
        .alias(c)
        for c in present
        if frame.schema[c].is_decimal()
    ]
    if checks:
        for c, n in frame.select(checks).row(0, named=True).items():
            if n:
                raise ValueError(
                    f"{name}.{c}: {n} value(s) finer than 1/100; round them before rendering "
                    "(amounts to the cent, days and hours to the hundredth)"
                )


def _keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Normalised join keys: ``_niss`` (text) and ``_wc`` (3-digit worker code)."""
    keyed = frame.with_columns(
        _niss=pl.col("niss").cast(pl.String).str.strip_chars(),
        _wc=pl.col("worker_code").cast(pl.String).str.strip_chars().str.zfill(3),
    )
    if "occupation_seq" in frame.columns:
        keyed = keyed.with_columns(pl.col("occupation_seq").cast(pl.Int64))
    return keyed


def _no_orphans(child: pl.DataFrame, parent: pl.DataFrame, keys: list[str], what: str) -> None:
    orphans = child.join(parent.select(keys).unique(), on=keys, how="anti").height
    if orphans:
        raise ValueError(f"{what}: {orphans} row(s) have no matching parent row (keys {keys})")


def _unique(frame: pl.DataFrame, keys: list[str], what: str) -> None:
    dupes = frame.height - frame.select(keys).unique().height
    if dupes:
        raise ValueError(f"{what}: {dupes} duplicate row(s) on {keys}")


def _nest(frame: pl.DataFrame, keys: list[str], alias: str) -> pl.DataFrame:
    """Concatenate the ``xml`` fragments of a sorted frame per key, keeping the row order."""
    return (
        frame.group_by(keys, maintain_order=True)
        .agg(pl.col("xml"))
        .with_columns(pl.col("xml").list.join("").alias(alias))
        .drop("xml")
    )


def _attach(parent: pl.DataFrame, children: list[tuple[str, pl.DataFrame | None]], keys: list[str]) -> pl.DataFrame:
    """Left-join each child level's concatenated fragments onto its parent rows (orphans refused)."""
    for alias, child in children:
        if child is None:
            parent = parent.with_columns(pl.lit("").alias(alias))
            continue
        _no_orphans(child, parent, keys, alias)
        parent = parent.join(_nest(child, keys, alias), on=keys, how="left").with_columns(pl.col(alias).fill_null(""))
    return parent


# --------------------------------------------------------------------------------------------
# Levels. Depth = nesting level of the element (DmfAOriginal = 0), for the indentation.
# --------------------------------------------------------------------------------------------
_WL_COLS = ("niss", "worker_code", "employer_class", "border", "quarter_start", "quarter_end", "natural_person_seq")
_OCC_COLS = (
    "niss",
    "worker_code",
    "occupation_seq",
    "start",
    "joint_committee",
    "working_days_system",
    "contract_type",
    "mean_working_hours",
    "ref_mean_working_hours",
)
_SVC_COLS = ("niss", "worker_code", "occupation_seq", "service_code", "days")
_REM_COLS = ("niss", "worker_code", "occupation_seq", "remun_code", "amount")
_CON_COLS = ("niss", "worker_code", "contribution_worker_code", "contribution_type", "amount")
_DED_COLS = ("niss", "worker_code", "deduction_code")
_ODED_COLS = ("niss", "worker_code", "occupation_seq", "deduction_code")
_UNR_COLS = ("employer_class", "worker_code", "amount")
_WL_KEYS = ["_niss", "_wc"]
_OCC_KEYS = ["_niss", "_wc", "occupation_seq"]

_D_NP = 3  # NaturalPerson, ContributionUnrelatedToNP (children of EmployerDeclaration)
_D_WR = 4  # WorkerRecord
_D_OCC = 5  # Occupation, WorkerContribution, WorkerDeduction
_D_SVC = 6  # Service, Remun, OccupationDeduction


def _deduction_fragment(frame: pl.DataFrame, tag: str, depth: int) -> pl.Expr:
    d = depth + 1
    return pl.concat_str(
        [
            _open(tag, depth),
            _leaf("DeductionCode", _code(pl.col("deduction_code"), WIDTH["DeductionCode"]), d),
            _opt_leaf(
                "DeductionCalculationBasis",
                _hundredths(_col_or_null(frame, "basis"), WIDTH["DeductionCalculationBasis"]),
                d,
            ),
            _opt_leaf("DeductionAmount", _hundredths(_col_or_null(frame, "amount"), WIDTH["DeductionAmount"]), d),
            _opt_leaf("DeductionRightStartingDate", _date(_col_or_null(frame, "right_start_date")), d),
            _close(tag, depth),
        ]
    )


def _services(frame: pl.DataFrame) -> pl.DataFrame:
    """Service blocks [90018], numbered 01.. per occupation in service-code order."""
    _require_columns(frame, "services", _SVC_COLS)
    _require_values(frame, "services", _SVC_COLS)
    _check_numeric(frame, "services", ("days", "hours", "occupation_seq"))
    f = _keys(frame).with_columns(_code=_code(pl.col("service_code"), WIDTH["ServiceCode"]))
    f = f.sort([*_OCC_KEYS, "_code"]).with_columns(_seq=pl.int_range(1, pl.len() + 1).over(_OCC_KEYS))
    d = _D_SVC + 1
    return f.with_columns(
        xml=pl.concat_str(
            [
                _open("Service", _D_SVC),
                _leaf("ServiceSequenceNbr", _integer(pl.col("_seq"), WIDTH["ServiceSequenceNbr"]), d),
                _leaf("ServiceCode", pl.col("_code"), d),
                _leaf("ServiceNbrDays", _hundredths(pl.col("days"), WIDTH["ServiceNbrDays"]), d),
                _opt_leaf("ServiceNbrHours", _hundredths(_col_or_null(frame, "hours"), WIDTH["ServiceNbrHours"]), d),
                _close("Service", _D_SVC),
            ]
        )
    )


def _remuns(frame: pl.DataFrame) -> pl.DataFrame:
    """Remun blocks [90019], numbered 01.. per occupation in (code, frequency, %) order."""
    _require_columns(frame, "remuns", _REM_COLS)
    _require_values(frame, "remuns", _REM_COLS)
    _check_numeric(frame, "remuns", ("amount", "percentage_paid", "bonus_payment_frequency", "occupation_seq"))
    f = _keys(frame).with_columns(
        _code=_code(pl.col("remun_code"), WIDTH["RemunCode"]),
        _freq=_integer(_col_or_null(frame, "bonus_payment_frequency"), WIDTH["BonusPaymentFrequency"]),
        _pct=_hundredths(_col_or_null(frame, "percentage_paid"), WIDTH["PercentagePaid"]),
    )
    f = f.sort([*_OCC_KEYS, "_code", "_freq", "_pct"], nulls_last=False).with_columns(
        _seq=pl.int_range(1, pl.len() + 1).over(_OCC_KEYS)
    )
    d = _D_SVC + 1
    return f.with_columns(
        xml=pl.concat_str(
            [
                _open("Remun", _D_SVC),
                _leaf("RemunSequenceNbr", _integer(pl.col("_seq"), WIDTH["RemunSequenceNbr"]), d),
                _leaf("RemunCode", pl.col("_code"), d),
                _opt_leaf("BonusPaymentFrequency", pl.col("_freq"), d),
                _opt_leaf("PercentagePaid", pl.col("_pct"), d),
                _leaf("RemunAmount", _hundredths(pl.col("amount"), WIDTH["RemunAmount"]), d),
                _close("Remun", _D_SVC),
            ]
        )
    )


def _occupations(decl: DeclarationInput, employer: dict) -> pl.DataFrame:
    """Occupation blocks [90015] in occupation_seq order, with their services, remuns, deductions."""
    frame = decl.occupations
    _require_columns(frame, "occupations", _OCC_COLS)
    _require_values(frame, "occupations", _OCC_COLS)
    _check_numeric(
        frame,
        "occupations",
        ("working_days_system", "mean_working_hours", "ref_mean_working_hours", "occupation_seq"),
    )
    occ = _keys(frame)
    _unique(occ, _OCC_KEYS, "occupations")
    local_unit = _col_or_null(frame, "local_unit_id").cast(pl.String)
    if employer.get("local_unit_id") is not None:
        local_unit = local_unit.fill_null(pl.lit(str(employer["local_unit_id"])))
    retired = _col_or_null(frame, "retired").cast(pl.Int8).fill_null(RETIRED_NO)
    d = _D_OCC + 1
    occ = occ.with_columns(
        _head=pl.concat_str(
            [
                _open("Occupation", _D_OCC),
                _leaf("OccupationSequenceNbr", _integer(pl.col("occupation_seq"), WIDTH["OccupationSequenceNbr"]), d),
                _leaf("OccupationStartingDate", _date(pl.col("start")), d),
                _opt_leaf("OccupationEndingDate", _date(_col_or_null(frame, "end")), d),
                _leaf("JointCommissionNbr", _text(pl.col("joint_committee")), d),
                _leaf("WorkingDaysSystem", _hundredths(pl.col("working_days_system"), WIDTH["WorkingDaysSystem"]), d),
                _leaf("ContractType", _text(pl.col("contract_type")), d),
                _leaf(
                    "RefMeanWorkingHours",
                    _hundredths(pl.col("ref_mean_working_hours"), WIDTH["RefMeanWorkingHours"]),
                    d,
                ),
                _opt_leaf("WorkerStatus", _text(_col_or_null(frame, "worker_status")), d),
                _leaf("MeanWorkingHours", _hundredths(pl.col("mean_working_hours"), WIDTH["MeanWorkingHours"]), d),
                _opt_leaf("ReorganisationMeasure", _text(_col_or_null(frame, "reorganisation_measure")), d),
                _leaf("Retired", retired.cast(pl.String), d),
                _opt_leaf("RemunMethod", _text(_col_or_null(frame, "remun_method")), d),
                _opt_leaf("LocalUnitID", _text(local_unit), d),
            ]
        )
    )
    occ = _attach(
        occ,
        [
            ("_services", _services(decl.services)),
            ("_remuns", _remuns(decl.remuns)),
            (
                "_odeds",
                _deductions(
                    decl.occupation_deductions,
                    "occupation_deductions",
                    _ODED_COLS,
                    _OCC_KEYS,
                    "OccupationDeduction",
                    _D_SVC,
                ),
            ),
        ],
        _OCC_KEYS,
    )
    return occ.sort(_OCC_KEYS).with_columns(
        xml=pl.concat_str(
            [pl.col("_head"), pl.col("_services"), pl.col("_remuns"), pl.col("_odeds"), _close("Occupation", _D_OCC)]
        )
    )


def _contributions(frame: pl.DataFrame) -> pl.DataFrame:
    """WorkerContribution blocks [90001] in (worker code, type) order; basis omitted when null."""
    _require_columns(frame, "contributions", _CON_COLS)
    _require_values(frame, "contributions", _CON_COLS)
    _check_numeric(frame, "contributions", ("basis", "amount"))
    f = _keys(frame).with_columns(
        _cwc=_code(pl.col("contribution_worker_code"), WIDTH["ContributionWorkerCode"]),
        _type=_code(pl.col("contribution_type"), WIDTH["ContributionType"]),
    )
    d = _D_OCC + 1
    return f.sort([*_WL_KEYS, "_cwc", "_type"]).with_columns(
        xml=pl.concat_str(
            [
                _open("WorkerContribution", _D_OCC),
                _leaf("ContributionWorkerCode", pl.col("_cwc"), d),
                _leaf("ContributionType", pl.col("_type"), d),
                _opt_leaf(
                    "ContributionCalculationBasis",
                    _hundredths(_col_or_null(frame, "basis"), WIDTH["ContributionCalculationBasis"]),
                    d,
                ),
                _leaf("ContributionAmount", _hundredths(pl.col("amount"), WIDTH["ContributionAmount"]), d),
                _opt_leaf("FirstHiringDate", _date(_col_or_null(frame, "first_hiring_date")), d),
                _close("WorkerContribution", _D_OCC),
            ]
        )
    )


def _deductions(
    frame: pl.DataFrame | None, name: str, columns: tuple[str, ...], keys: list[str], tag: str, depth: int
) -> pl.DataFrame | None:
    """Deduction blocks in code order: OccupationDeduction [90109] (e.g. 3000 structural reduction)
    per occupation, WorkerDeduction [90110] (e.g. 0001 work bonus) per worker line."""
    if frame is None:
        return None
    _require_columns(frame, name, columns)
    _require_values(frame, name, columns)
    _check_numeric(frame, name, ("basis", "amount", *(c for c in columns if c == "occupation_seq")))
    f = _keys(frame).with_columns(_code=_code(pl.col("deduction_code"), WIDTH["DeductionCode"]))
    return f.sort([*keys, "_code"]).with_columns(xml=_deduction_fragment(frame, tag, depth))


def _worker_records(decl: DeclarationInput, employer: dict) -> pl.DataFrame:
    """WorkerRecord blocks [90012], one per (NISS, worker code), with everything below them."""
    frame = decl.worker_lines
    _require_columns(frame, "worker_lines", _WL_COLS)
    _require_values(frame, "worker_lines", _WL_COLS)
    _check_numeric(frame, "worker_lines", ("natural_person_seq",))
    wl = _keys(frame)
    _unique(wl, _WL_KEYS, "worker_lines")
    if wl.group_by("_niss").agg(pl.col("natural_person_seq").n_unique().alias("n")).filter(pl.col("n") > 1).height:
        raise ValueError("worker_lines: a natural person has more than one natural_person_seq")
    if wl.select("_niss", "natural_person_seq").unique().get_column("natural_person_seq").is_duplicated().any():
        raise ValueError("worker_lines: the same natural_person_seq is used for two persons")

    border = pl.col("border")
    if frame.schema["border"] == pl.Boolean:
        border = border.cast(pl.Int8)
    d = _D_WR + 1
    wl = wl.with_columns(
        _class=_code(pl.col("employer_class"), WIDTH["EmployerClass"]),
    ).with_columns(
        _head=pl.concat_str(
            [
                _open("WorkerRecord", _D_WR),
                _leaf("EmployerClass", pl.col("_class"), d),
                _leaf("WorkerCode", _escape(pl.col("_wc")), d),
                _leaf("NOSSQuarterStartingDate", _date(pl.col("quarter_start")), d),
                _leaf("NOSSQuarterEndingDate", _date(pl.col("quarter_end")), d),
                _leaf("Border", _text(border), d),
                _opt_leaf("ActivityWithRisk", _code(_col_or_null(frame, "activity_with_risk"), 3), d),
                _opt_leaf("WorkerRecordUserReference", _text(_col_or_null(frame, "user_reference")), d),
            ]
        ),
    )
    wl = _attach(
        wl,
        [
            ("_occupations", _occupations(decl, employer)),
            ("_contribs", _contributions(decl.contributions)),
            ("_deds", _deductions(decl.deductions, "deductions", _DED_COLS, _WL_KEYS, "WorkerDeduction", _D_OCC)),
        ],
        _WL_KEYS,
    )
    return wl.sort(["natural_person_seq", "_niss", "_class", "_wc"]).with_columns(
        xml=pl.concat_str(
            [
                pl.col("_head"),
                pl.col("_occupations"),
                pl.col("_contribs"),
                pl.col("_deds"),
                _close("WorkerRecord", _D_WR),
            ]
        )
    )


def _natural_persons(records: pl.DataFrame) -> str:
    """NaturalPerson blocks [90017] in natural_person_seq order."""
    d = _D_NP + 1
    persons = records.group_by(["natural_person_seq", "_niss"], maintain_order=True).agg(pl.col("xml"))
    return (
        persons.select(
            pl.concat_str(
                [
                    _open("NaturalPerson", _D_NP),
                    _leaf(
                        "NaturalPersonSequenceNbr",
                        _integer(pl.col("natural_person_seq"), WIDTH["NaturalPersonSequenceNbr"]),
                        d,
                    ),
                    _leaf("INSS", _escape(pl.col("_niss")), d),
                    pl.col("xml").list.join(""),
                    _close("NaturalPerson", _D_NP),
                ]
            ).str.join("")
        ).item()
        or ""
    )


def _unrelated(frame: pl.DataFrame | None) -> str:
    """ContributionUnrelatedToNP blocks [90002] (e.g. 862 company car), in (class, code) order."""
    if frame is None or frame.height == 0:
        return ""
    _require_columns(frame, "unrelated_contributions", _UNR_COLS)
    _require_values(frame, "unrelated_contributions", _UNR_COLS)
    _check_numeric(frame, "unrelated_contributions", ("basis", "amount"))
    f = frame.with_columns(
        _class=_code(pl.col("employer_class"), WIDTH["UnrelatedEmployerClass"]),
        _wc=_code(pl.col("worker_code"), WIDTH["UnrelatedWorkerCode"]),
    ).sort(["_class", "_wc"])
    d = _D_NP + 1
    return f.select(
        pl.concat_str(
            [
                _open("ContributionUnrelatedToNP", _D_NP),
                _leaf("UnrelatedEmployerClass", pl.col("_class"), d),
                _leaf("UnrelatedWorkerCode", pl.col("_wc"), d),
                _opt_leaf(
                    "UnrelatedCalculationBasis",
                    _hundredths(_col_or_null(frame, "basis"), WIDTH["UnrelatedCalculationBasis"]),
                    d,
                ),
                _leaf("UnrelatedAmount", _hundredths(pl.col("amount"), WIDTH["UnrelatedAmount"]), d),
                _close("ContributionUnrelatedToNP", _D_NP),
            ]
        ).str.join("")
    ).item()


def _form_head(employer: dict) -> tuple[str, str]:
    """(Form zones up to the Reference block, EmployerDeclaration zones before NaturalPerson)."""
    for key in ("employer_id", "quarter", "net_owed_amount", "form_creation_date", "reference"):
        if employer.get(key) is None:
            raise ValueError(f"employer['{key}'] is mandatory")
    created = employer["form_creation_date"]
    if not isinstance(created, date):
        raise TypeError("employer['form_creation_date'] must be a datetime.date (no wall clock)")
    hour = employer.get("form_creation_time") or DEFAULT_FORM_CREATION_HOUR
    hour_text = f"{hour.hour:02d}:{hour.minute:02d}:{hour.second:02d}.{hour.microsecond // 1000:03d}"
    form = "".join(
        [
            _py_leaf("Identification", IDENTIFICATION_DMFA, 2),
            _py_leaf("FormCreationDate", created.isoformat(), 2),
            _py_leaf("FormCreationHour", hour_text, 2),
            _py_leaf("AttestationStatus", ATTESTATION_STATUS_ORIGINAL, 2),
            _py_leaf("TypeForm", TYPE_FORM_SUBMISSION, 2),
            f"{_pad(2)}<Reference>",
            _py_leaf("ReferenceType", REFERENCE_TYPE_THIS_FORM, 3),
            _py_leaf("ReferenceOrigin", REFERENCE_ORIGIN_DECLARANT, 3),
            _py_leaf("ReferenceNbr", _py_escape(str(employer["reference"]).strip()), 3),
            f"{_pad(2)}</Reference>",
        ]
    )
    company = employer.get("enterprise_number")
    company_text = COMPANY_ID_UNKNOWN if company is None or str(company).strip() == "" else str(company).strip()
    holiday = employer.get("holiday_starting_date")
    declaration = "".join(
        [
            _py_leaf("Quarter", quarter_code(employer["quarter"]), 3),
            _py_leaf("NOSSRegistrationNbr", _py_escape(str(employer["employer_id"]).strip()), 3),
            _py_leaf("Trusteeship", str(int(employer.get("trusteeship", TRUSTEESHIP_NONE))), 3),
            _py_leaf("CompanyID", _py_escape(company_text), 3),
            _py_leaf(
                "NetOwedAmount",
                _py_hundredths(employer["net_owed_amount"], "net_owed_amount", WIDTH["NetOwedAmount"]),
                3,
            ),
            _py_leaf("HolidayStartingDate", holiday.isoformat(), 3) if holiday is not None else "",
        ]
    )
    return form, declaration


def render_declaration(decl: DeclarationInput) -> bytes:
    """UTF-8 XML bytes of the declaration, indented with two spaces, byte-deterministic.

    Raises ``ValueError`` / ``TypeError`` on input that cannot be formatted (missing columns,
    nulls in mandatory zones, floats, values finer than 1/100, duplicate keys, orphan rows).
    Out-of-range values are written as they are: call :func:`validate_declaration` on the result.
    """
    employer = dict(decl.employer)
    form_head, declaration_head = _form_head(employer)
    persons = _natural_persons(_worker_records(decl, employer))
    unrelated = _unrelated(decl.unrelated_contributions)
    text = (
        f"{_ROOT_OPEN}{_pad(1)}<Form>{form_head}{_pad(2)}<EmployerDeclaration>{declaration_head}"
        f"{persons}{unrelated}{_pad(2)}</EmployerDeclaration>{_pad(1)}</Form>\n</DmfAOriginal>\n"
    )
    return _XML_DECLARATION + text.encode("utf-8")


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
def _parser() -> etree.XMLParser:
    return etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH), _parser()))


_NISS_VALUE = re.compile(r"(Element '(?:{})': (?:\[facet '\w+'\] The value )?)'[^']*'".format("|".join(_NISS_ZONES)))


def _redact(message: str) -> str:
    """Remove the value of an INSS zone from a schema message (national numbers are never shown)."""
    return _NISS_VALUE.sub(r"\1'<redacted>'", message)


def validate_declaration(xml: bytes) -> list[str]:
    """Schema errors of a declaration against the vendored DmfAOriginal XSD; ``[]`` when valid.

    Each message is ``line N: <libxml2 message> [<element path>]``; values of INSS zones are
    redacted. A document that is not well-formed gives one message.
    """
    try:
        document = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {_redact(str(exc))}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {_redact(e.message)} [{e.path}]" for e in schema.error_log]


# --------------------------------------------------------------------------------------------
# Glossary presence rules the schema cannot express
# --------------------------------------------------------------------------------------------
def _local_unit_warnings(occ: pl.DataFrame, employer: dict) -> list[str]:
    has_unit = (pl.col("local_unit_id").is_not_null() if "local_unit_id" in occ.columns else pl.lit(False)) | pl.lit(
        employer.get("local_unit_id") is not None
    )
    return [
        f"LocalUnitID [00042] missing: natural person {row['natural_person_seq']}, "
        f"worker code {row['_wc']}, occupation {row['occupation_seq']}"
        for row in occ.filter(~has_unit).sort("natural_person_seq", "_wc", "occupation_seq").iter_rows(named=True)
    ]


def _holiday_warnings(wl: pl.DataFrame, employer: dict) -> list[str]:
    quarter = quarter_code(employer.get("quarter", ""))
    manual = wl.filter(pl.col("_wc").is_in(list(MANUAL_WORKER_CODES))).height
    if quarter.endswith("4") and employer.get("holiday_starting_date") is None and manual:
        return ["HolidayStartingDate [00017] missing: 4th quarter with manual workers"]
    return []


def _bonus_warnings(decl: DeclarationInput, wl: pl.DataFrame) -> list[str]:
    rem = _keys(decl.remuns).with_columns(_code=_code(pl.col("remun_code"), 3))
    freq = pl.col("bonus_payment_frequency") if "bonus_payment_frequency" in rem.columns else pl.lit(None)
    bad = rem.filter(pl.col("_code").is_in(list(BONUS_REMUN_CODES)) & freq.is_null()).join(wl, on=_WL_KEYS, how="left")
    return [
        f"BonusPaymentFrequency [00068] missing: natural person {row['natural_person_seq']}, "
        f"worker code {row['_wc']}, occupation {row['occupation_seq']}, remun code {row['_code']}"
        for row in bad.sort("natural_person_seq", "_wc", "occupation_seq").iter_rows(named=True)
    ]


def _hours_warnings(decl: DeclarationInput, occ: pl.DataFrame) -> list[str]:
    part_time = occ.filter(pl.col("contract_type").cast(pl.String).str.strip_chars() == "1").select(
        _OCC_KEYS + ["natural_person_seq"]
    )
    svc = _keys(decl.services)
    hours = pl.col("hours") if "hours" in svc.columns else pl.lit(None)
    bad = svc.filter(hours.is_null()).join(part_time, on=_OCC_KEYS, how="inner")
    return [
        f"ServiceNbrHours [00064] missing for a part-time occupation: natural person "
        f"{row['natural_person_seq']}, worker code {row['_wc']}, occupation {row['occupation_seq']}, "
        f"service code {row['service_code']}"
        for row in bad.sort("natural_person_seq", "_wc", "occupation_seq").iter_rows(named=True)
    ]


def _total(frame: pl.DataFrame | None) -> Decimal:
    if frame is None or "amount" not in frame.columns or frame.height == 0:
        return Decimal(0)
    value = frame.select(pl.col("amount").cast(pl.Decimal(38, 12)).sum()).item()
    return Decimal(0) if value is None else Decimal(value)


def _net_owed_warnings(decl: DeclarationInput) -> list[str]:
    expected = (
        _total(decl.contributions)
        + _total(decl.unrelated_contributions)
        - _total(decl.deductions)
        - _total(decl.occupation_deductions)
    )
    declared = Decimal(decl.employer["net_owed_amount"])
    if declared != expected:
        return [
            f"NetOwedAmount [00015] {declared:.2f} differs from contributions - deductions "
            f"{expected:.2f} (difference {declared - expected:.2f})"
        ]
    return []


def declaration_warnings(decl: DeclarationInput) -> list[str]:
    """Checks the XSD cannot express (the document stays schema-valid, ONSS would raise an
    anomaly). Messages name persons by NaturalPersonSequenceNbr, never by NISS.

    Glossary presence rules:
    - LocalUnitID [00042]: mandatory for every declaration from 2014/1.
    - HolidayStartingDate [00017]: mandatory in a 4th-quarter declaration of an employer of
      manual workers.
    - BonusPaymentFrequency [00068]: mandatory for remuneration codes 2, 23, 45, 62.
    - ServiceNbrHours [00064]: mandatory for part-time workers (ContractType 1).

    Arithmetic: NetOwedAmount [00015] against sum of WorkerContribution + ContributionUnrelatedToNP
    amounts - WorkerDeduction and OccupationDeduction amounts (glossary [00015]). A warning
    only: a deduction code whose amount is not deducted from the net amount would differ.
    """
    wl = _keys(decl.worker_lines).select(*_WL_KEYS, "natural_person_seq")
    occ = _keys(decl.occupations).join(wl, on=_WL_KEYS, how="left")
    return [
        *_local_unit_warnings(occ, decl.employer),
        *_holiday_warnings(wl, decl.employer),
        *_bonus_warnings(decl, wl),
        *_hours_warnings(decl, occ),
        *_net_owed_warnings(decl),
    ]
