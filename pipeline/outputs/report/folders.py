"""The pages of the DmfA export folder and of the ONEM claims folder."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.core.money import MONEY
from pipeline.outputs import messages
from pipeline.outputs.messages import Messages
from pipeline.outputs.report import charts
from pipeline.outputs.report import page as h

# --------------------------------------------------------------------------------------------
# DmfA export folder
# --------------------------------------------------------------------------------------------
DMFA_FIGURES = (
    ("worker_lines", "int"),
    ("occupations", "int"),
    ("remuneration_code1", "money"),
    ("monthly_contributions", "money"),
    ("rounding_regularisation", "money"),
    ("cap_relief", "money"),
    ("contributions", "money"),
    ("deductions", "money"),
    ("net_owed_amount", "money"),
)


def _folder_page(
    t: Messages, title: str, span: tuple[str, str], manifest: Mapping[str, Any], sections: list[tuple[str, str, str]]
) -> bytes:
    """A folder's page: ``span`` (the quarter or the semester), run date, run id, program version."""
    run_date = manifest.get("run_date", "")
    meta = h.meta(
        [
            span,
            (t("report.run_date"), run_date),
            (t("report.run_id"), manifest.get("run_id", "")),
            (t("report.code_version"), manifest.get("code_version", "")),
        ]
    )
    return h.page(t, title, f"{t('report.run_date')}: {run_date}", meta, sections)


def _decimal(value: object) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except ArithmeticError:
        return None


def _contribution_names(t: Messages, names: str | None) -> str:
    return " + ".join(t.contribution(n) for n in (names or "").split("+") if n)


def render_dmfa_report(
    tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], lang: str | None = None
) -> bytes:
    """``report.html`` of a DmfA export folder: per employer the declaration's figures (from the
    manifest), the contributions by DmfA code and type (``dmfa_contributions``), the anomalies,
    assumptions and warnings of the export, and the parameters in force that are not verified."""
    t = messages.get(lang)
    quarter = str(manifest.get("quarter", ""))
    employers: Mapping[str, Mapping[str, Any]] = manifest.get("employers", {})
    contrib = tables.get("dmfa_contributions")
    by_code = (
        contrib.group_by("employer_id", "contribution_worker_code", "contribution_type")
        .agg(
            pl.col("contributions").first(),
            pl.col("basis").sum().cast(MONEY),
            pl.col("amount").sum().cast(MONEY),
        )
        .sort("employer_id", "contribution_worker_code", "contribution_type")
        if contrib is not None and contrib.height
        else None
    )
    head = [(t("report.employer"), False), ("", False)] + [(t(f"dmfa.{k}"), kind != "text") for k, kind in DMFA_FIGURES]
    head += [(t("dmfa.reconciles"), False), (t("dmfa.declaration"), False)]
    rows = []
    for employer in sorted(employers):
        e = employers[employer]
        cells = [h.td(employer), h.td(e.get("employer_name", ""))]
        for key, kind in DMFA_FIGURES:
            value = e.get(key)
            number = _decimal(value)
            text = t.integer(int(number)) if kind == "int" and number is not None else t.money(number)
            cells.append(h.num(text, None if number is None else f"{number:f}", {"employer": employer, "figure": key}))
        cells += [h.td(t.yes_no(e.get("reconciles"))), h.td(e.get("declaration", ""))]
        rows.append(cells)
    sections = [("declarations", t("dmfa.recap"), h.table(head, rows))]
    if by_code is not None:
        per_code = (
            by_code.group_by("contribution_worker_code")
            .agg(pl.col("amount").sum().cast(MONEY), pl.col("contributions").first())
            .sort(["amount", "contribution_worker_code"], descending=[True, False])
        )
        labels = [f"{code} · {_contribution_names(t, names)}" for code, _, names in per_code.iter_rows()]
        chart = charts.bars(t, "c1", t("dmfa.chart"), labels, per_code.get_column("amount").to_list())
        sections.append(("charts", t("report.charts"), f'<div class="charts">{chart}</div>'))
    code_head = [
        (t("dmfa.code"), False),
        (t("dmfa.type"), False),
        (t.column("description"), False),
        (t("dmfa.basis"), True),
        (t("dmfa.amount"), True),
    ]
    for employer in sorted(employers):
        e = employers[employer]
        name = e.get("employer_name")
        heading = (
            t("report.employer_heading", name=name, employer_id=employer)
            if name
            else t("report.employer_unnamed", employer_id=employer)
        )
        body = ""
        if by_code is not None:
            mine = by_code.filter(pl.col("employer_id") == employer)
            body_rows = (
                [
                    h.td(r["contribution_worker_code"]),
                    h.td(r["contribution_type"]),
                    h.td(_contribution_names(t, r["contributions"])),
                    h.num(t.money(r["basis"])),
                    h.num(
                        t.money(r["amount"]),
                        f"{r['amount']:f}",
                        {"employer": employer, "code": r["contribution_worker_code"], "type": r["contribution_type"]},
                    ),
                ]
                for r in mine.iter_rows(named=True)
            )
            total = mine.get_column("amount").sum()
            foot = [h.td(t("report.total")), h.td(""), h.td(""), h.td(""), h.num(t.money(total))]
            body += f"<h3>{h.esc(t('dmfa.by_code'))}</h3>" + h.table(code_head, body_rows, foot)
        warnings = e.get("warnings") or {}
        counts = warnings.get("counts", {}) if isinstance(warnings, Mapping) else {}
        items = [t("dmfa.warning_count", what=k, count=counts[k]) for k in sorted(counts)]
        items += [h.warning_text(x) for x in (warnings.get("examples", []) if isinstance(warnings, Mapping) else [])]
        if items:
            body += f"<h3>{h.esc(t('report.warnings'))}</h3><ul class=warnings>"
            body += "".join(f"<li>{h.esc(i)}</li>" for i in items) + "</ul>"
        sections.append((f"employer-{employer}", heading, body))
    facts = []
    for key, title in (("anomalies", "dmfa.anomalies"), ("assumptions", "dmfa.assumptions")):
        values = manifest.get(key) or {}
        if values:
            facts.append(f"<h3>{h.esc(t(title))}</h3>" + h.meta([(k, _flat(values[k])) for k in sorted(values)]))
    warnings = list(manifest.get("warnings") or [])
    anchor, title, body = h.warnings_section(t, warnings)
    sections.append((anchor, title, body + "".join(facts)))
    sections.append(h.parameters_section(t, manifest.get("parameters_not_verified") or [], tables.get("parameters")))
    return _folder_page(t, t("report.title_dmfa", quarter=quarter), (t("report.quarter"), quarter), manifest, sections)


def _flat(value: object) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_flat(value[k])}" for k in sorted(value))
    if isinstance(value, list | tuple):
        return ", ".join(_flat(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------------------------
# ONEM claims folder
# --------------------------------------------------------------------------------------------
def render_claims_report(
    tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], lang: str | None = None
) -> bytes:
    """``report.html`` of an ONEM claims folder (``onem_claims``): one row per worker with the
    semester's months by name, the totals per country of work, and the months missing from the
    run store (Royal Decree of 9 June 1999, art. 3: one claim per calendar semester)."""
    from pipeline.core.periods import semester_periods

    t = messages.get(lang)
    semester = str(manifest.get("semester", ""))
    claims = tables["onem_claims"].sort("employee_id", "country")
    periods = semester_periods(semester) if semester else []
    month_cols = [(p, t.month(p)) for p in periods]  # the columns are the months, YYYY-MM
    named = [c for c in ("last_name", "first_name") if c in claims.columns]
    head = [(t.column("employee_id"), False), *((t.column(c), False) for c in named), (t("claims.country"), False)]
    head += [(label, True) for _, label in month_cols]
    head += [(t("claims.total"), True), (t("claims.claimable"), False), (t("claims.claim_deadline"), False)]
    rows = []
    for r in claims.iter_rows(named=True):
        cells = [h.td(r["employee_id"]), *(h.td(r[c]) for c in named), h.td(r["country"])]
        cells += [h.num(t.money(r[c]) if r.get(c) is not None else "", None) for c, _ in month_cols]
        cells.append(h.num(t.money(r["total"]), f"{r['total']:f}", {"employee": r["employee_id"], "figure": "total"}))
        cells += [h.td(t.yes_no(r.get("claimable"))), h.td(r.get("claim_deadline"))]
        rows.append(cells)
    per_country = claims.group_by("country").agg(pl.len().alias("n"), pl.col("total").sum().cast(MONEY)).sort("country")
    country_table = h.table(
        [(t("claims.country"), False), (t("claims.count"), True), (t("claims.total"), True)],
        (
            [h.td(c), h.num(t.integer(n)), h.num(t.money(total), f"{total:f}", {"country": c, "figure": "total"})]
            for c, n, total in per_country.iter_rows()
        ),
    )
    warnings = list(manifest.get("warnings") or [])
    missing = manifest.get("months_missing_from_store") or []
    if missing:
        warnings.insert(0, t("claims.missing_warning", months=", ".join(t.month(p) for p in missing)))
    sections = [
        ("claims", t("claims.claims"), h.table(head, rows)),
        ("countries", t("claims.by_country"), country_table),
        h.warnings_section(t, warnings),
    ]
    title = t("report.title_claims", semester=semester)
    return _folder_page(t, title, (t("report.semester"), semester), manifest, sections)
