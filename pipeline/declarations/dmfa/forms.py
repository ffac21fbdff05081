"""One DmfA declaration per employer: the ``DeclarationInput`` frames built from the quarter's
aggregate, rendered and validated against the official schema with :mod:`pipeline.declarations.dmfa.xml`.

An invalid declaration raises :class:`DmfaDeclarationError` (nothing is written). Each
declaration comes with a summary (counts, contributions, reconciliation, the zones the schema
cannot check), which the quarterly job puts in its manifest.

NetOwedAmount [00015] = the declared contributions (the CSSS 856 included) minus the deductions:
the work bonus (WorkerDeduction 0001) and the structural reduction (OccupationDeduction 3000)
(glossary [00015]; ONSS DmfA instructions "Le bonus à l'emploi", "La réduction structurelle").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.core.periods import quarter_code
from pipeline.declarations.dmfa.aggregate import QuarterAggregate
from pipeline.declarations.dmfa.deductions import occupation_deductions
from pipeline.declarations.dmfa.xml import (
    DeclarationInput,
    declaration_warnings,
    render_declaration,
    validate_declaration,
)
from pipeline.errors import PayrollError
from pipeline.rules.contributions import contribution
from pipeline.rules.structural_reduction import DEDUCTION_CODE

REMUN_CODE_ORDINARY = "1"
"""Remuneration code 1 (annex "Codes rémunération"): ordinary pay subject to ONSS linked to the
quarter's work, including the guaranteed pay of the days under service code 1 (socialsecurity.be
"Code rémunération",
https://www.socialsecurity.be/employer/instructions/dmfa/fr/2022-2/instructions/fill_in_dmfa/dmfa_fillinrules/salarydata/remunerationcode.html)."""
DECLARATION_REFERENCE_PREFIX = "DMFA"
"""ReferenceNbr [00222] = DMFA<YYYYQ>-<employer_id> (at most 20 characters)."""
SHOWN_ERRORS = 5
CSSS_CODE = contribution("csss").dmfa_code
WORK_BONUS_CODE = contribution("work_bonus").dmfa_code
"""The DmfA codes the summary shows apart: CSSS 856 (WorkerContribution), work bonus 0001 (WorkerDeduction)."""


class DmfaDeclarationError(PayrollError):
    """A generated declaration does not validate against the DmfA schema (nothing is written)."""


@dataclass(frozen=True)
class Declarations:
    """The quarter's declarations: file name -> XML bytes, and employer id -> summary."""

    files: dict[str, bytes]
    summaries: dict[str, dict[str, Any]]


def declaration_frames(agg: QuarterAggregate, employer_id: str) -> dict[str, pl.DataFrame]:
    """The DeclarationInput frames of one employer (explicit columns only: the writer turns any
    optional column it knows, e.g. worker_status, into a zone)."""
    w = agg.worker_lines.filter(pl.col("employer_id") == employer_id)
    o = agg.occupations.filter(pl.col("employer_id") == employer_id)
    keys = o.select("employee_id", "occupation_no", "niss", "worker_code", "occupation_seq")
    s = agg.services.join(keys, on=["employee_id", "occupation_no"], how="inner")
    declared = (pl.col("basis") > 0) | (pl.col("basis").is_null() & (pl.col("amount") != 0))  # 856: no basis
    contributions = agg.contributions.filter((pl.col("employer_id") == employer_id) & declared)
    deductions = agg.worker_deductions.filter(pl.col("employer_id") == employer_id)
    structural = occupation_deductions(agg.structural_reduction.filter(pl.col("employer_id") == employer_id))
    return {
        "worker_lines": w.select(
            "niss",
            "worker_code",
            pl.col("employer_category").alias("employer_class"),
            "border",
            "quarter_start",
            "quarter_end",
            "natural_person_seq",
        ),
        "occupations": o.select(
            "niss",
            "worker_code",
            "occupation_seq",
            "start",
            "end",
            "joint_committee",
            "working_days_system",
            pl.col("dmfa_contract_type").alias("contract_type"),
            "mean_working_hours",
            "ref_mean_working_hours",
        ),
        "services": s.select(
            "niss", "worker_code", "occupation_seq", pl.col("service_code").cast(pl.String), "days", "hours"
        ),
        "remuns": o.filter(pl.col("remuneration") > 0).select(
            "niss",
            "worker_code",
            "occupation_seq",
            pl.lit(REMUN_CODE_ORDINARY).alias("remun_code"),
            pl.col("remuneration").alias("amount"),
        ),
        "contributions": contributions.select(
            "niss", "worker_code", "contribution_worker_code", "contribution_type", "basis", "amount"
        ),
        "deductions": deductions.select("niss", "worker_code", "deduction_code", "amount"),
        "occupation_deductions": structural.select("niss", "worker_code", "occupation_seq", "deduction_code", "amount"),
    }


def _rendered(decl: DeclarationInput, where: str) -> bytes:
    """The declaration's XML, refused with :class:`DmfaDeclarationError` when the schema does not accept it."""
    xml = render_declaration(decl)
    errors = validate_declaration(xml)
    if errors:
        more = len(errors) - SHOWN_ERRORS
        shown = "; ".join(errors[:SHOWN_ERRORS]) + (f"; ... {more} more" if more > 0 else "")
        raise DmfaDeclarationError(f"{where}: the DmfA declaration does not validate: {shown}")
    return xml


def _summarise(warnings: list[str], examples: int = 3) -> dict[str, Any]:
    """Schema-valid but incomplete zones (``xml.declaration_warnings``), counted per zone, with
    the first few messages (they name persons by sequence number, never by NISS)."""
    counts: dict[str, int] = {}
    for message in warnings:
        zone = message.split(":", 1)[0]
        counts[zone] = counts.get(zone, 0) + 1
    return {"counts": dict(sorted(counts.items())), "examples": warnings[:examples]}


def _cents(frame: pl.DataFrame, column: str) -> str:
    value = frame.get_column(column).sum() if frame.height else 0
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _total(frame: pl.DataFrame | None, code: str | None = None) -> Decimal:
    """Sum of ``amount`` (of the rows with ``code`` in their code column when given)."""
    if frame is None or frame.height == 0:
        return Decimal(0)
    if code is not None:
        column = "deduction_code" if "deduction_code" in frame.columns else "contribution_worker_code"
        frame = frame.filter(pl.col(column) == code)
    return Decimal(frame.get_column("amount").sum() or 0)


def _summary(name: str, employer_name: str, decl: DeclarationInput, recon: pl.DataFrame) -> dict[str, Any]:
    """What the manifest says of one declaration: counts, amounts and the zones the schema cannot check."""
    total = _total(decl.contributions)
    deductions = _total(decl.deductions) + _total(decl.occupation_deductions)
    parts = [_cents(recon, c) for c in ("monthly_total", "rounding_regularisation", "cap_relief")]
    return {
        "declaration": name,
        "employer_name": employer_name,
        "worker_lines": decl.worker_lines.height,
        "occupations": decl.occupations.height,
        "remuneration_code1": _cents(decl.remuns, "amount"),
        "monthly_contributions": parts[0],
        "rounding_regularisation": parts[1],
        "cap_relief": parts[2],
        "contributions": str(total),
        "csss_856": str(_total(decl.contributions, CSSS_CODE)),
        "work_bonus_0001": str(_total(decl.deductions, WORK_BONUS_CODE)),
        "structural_reduction_3000": str(_total(decl.occupation_deductions, DEDUCTION_CODE)),
        "deductions": str(deductions),
        "net_owed_amount": str(total - deductions),
        "reconciles": sum(Decimal(p) for p in parts) == total,
        "warnings": _summarise(declaration_warnings(decl)),
    }


def declarations(agg: QuarterAggregate, run_date: dt.date) -> Declarations:
    """Render and validate one declaration per employer; ``run_date`` is each FormCreationDate."""
    employers = (
        agg.worker_lines.select("employer_id", "enterprise_number", "name", "local_unit_id")
        .unique("employer_id")
        .sort("employer_id")
    )
    code = quarter_code(agg.quarter)
    files: dict[str, bytes] = {}
    summaries: dict[str, dict[str, Any]] = {}
    for row in employers.iter_rows(named=True):  # one file and one schema check per employer
        eid = row["employer_id"]
        where = f"{agg.quarter}, employer {eid}"
        frames = declaration_frames(agg, eid)
        recon = agg.reconciliation.filter(pl.col("employer_id") == eid)
        total = _total(frames["contributions"])
        if Decimal(recon.get_column("amount").sum() or 0) != total:  # a zero-basis amount would be left out
            raise DmfaDeclarationError(f"{where}: contributions with a zero basis carry an amount")
        deductions = _total(frames["deductions"]) + _total(frames["occupation_deductions"])
        decl = DeclarationInput(
            employer={
                "employer_id": eid,
                "enterprise_number": row["enterprise_number"],
                "local_unit_id": row["local_unit_id"],
                "quarter": agg.quarter,
                "net_owed_amount": total - deductions,
                "form_creation_date": run_date,
                "reference": f"{DECLARATION_REFERENCE_PREFIX}{code}-{eid}",
            },
            **frames,
        )
        name = f"dmfa_{eid}_{code}.xml"
        files[name] = _rendered(decl, where)
        summaries[eid] = _summary(name, row["name"], decl, recon)
    return Declarations(files, summaries)
