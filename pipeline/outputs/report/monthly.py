"""The page of a monthly run (``render_report``) and the console summary after it.

The page stays cheap and readable at a million payroll lines: every figure is a polars
aggregate, the salary histogram is binned by polars, and what grows with the employers is
bounded: the recap lists at most :data:`RECAP_EMPLOYERS` employers (the largest amounts due to
ONSS, with whole-column expressions), the others in one line, above the total (every employer's
totals are in the audit table ``employer_totals``); one section per employer for at most
:data:`EMPLOYER_SECTIONS` employers; the chart of the amounts due shows the
:data:`EMPLOYERS_CHARTED` largest employers and the others together.
"""

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
from pipeline.outputs.report.figures import (
    EMPLOYER_TOTALS,
    by_code_of,
    employer_names,
    figures_of,
    figures_total,
    file_of,
)

RECAP_EMPLOYERS = 200
"""Employers listed one by one in the recap (those with the largest amounts due to ONSS); the
others are summed in one line above the total, and every employer is in ``employer_totals``."""
EMPLOYER_SECTIONS = 50
"""Employers that get a section of their own (key figures, contributions by DmfA code); above it,
those with the largest amounts due to ONSS, and a note counting the others."""
EMPLOYERS_CHARTED = 12
"""Employers drawn one by one in the chart of the amounts due; the others are one bar."""
CONSOLE_EMPLOYERS = 20
"""Employers listed one by one in the console summary (those with the largest amounts due to
ONSS); the others are counted in one line that points to the report."""


def _figure_rows(lines: pl.DataFrame) -> list[tuple[str, str, str]]:
    """(figure, kind, css class) shown per employer, in order; the work bonus and CSSS only when
    the run computed them."""
    bonus = "work_bonus" in lines.columns
    rows = [
        ("headcount", "int", ""),
        ("employed_abroad", "int", "sub"),
        ("gross_salary", "money", ""),
        ("guaranteed_wage_onss", "money", ""),
        ("guaranteed_wage_exempt", "money", ""),
        ("onss_base", "money", ""),
    ]
    if bonus:
        rows += [("personal_before_bonus", "money", ""), ("work_bonus", "minus", "")]
    rows += [("worker_contribution", "money", ""), ("employer_contribution", "money", "")]
    if "csss" in lines.columns:
        rows.append(("csss", "money", ""))
    rows += [("due_to_onss", "money", "strong"), ("onem_allowance", "money", ""), ("withholding_applies", "int", "")]
    return rows


def _figure_label(t: Messages, figure: str, lines: pl.DataFrame) -> str:
    if figure == "worker_contribution" and "work_bonus" not in lines.columns:
        return t.column("worker_contribution")
    return t(f"figure.{figure}")


def _shown(t: Messages, kind: str, value: Any) -> tuple[str, str]:
    """(text, machine value) of a figure."""
    if kind == "int":
        return t.integer(value), str(value)
    if kind == "minus":
        return t.money(-value if value else value), f"{value:f}"
    return t.money(value), f"{value:f}"


def _shown_expr(t: Messages, kind: str, column: str) -> tuple[pl.Expr, pl.Expr]:
    """:func:`_shown` of a whole column: (text, machine value) expressions."""
    col = pl.col(column)
    if kind == "minus":
        return t.number_expr(pl.when(col == 0).then(col).otherwise(-col)), col.cast(pl.String)
    return t.number_expr(col), col.cast(pl.String)


def _recap(t: Messages, lines: pl.DataFrame, figures: pl.DataFrame, names: Mapping[str, str]) -> str:
    cols = ["headcount", "gross_salary", "onss_base", "worker_contribution"]
    cols += [c for c in ("work_bonus",) if c in figures.columns] + ["employer_contribution"]
    cols += [c for c in ("csss",) if c in figures.columns] + ["due_to_onss"]
    kinds = {f: k for f, k, _ in _figure_rows(lines)}
    head = [(t("report.employer"), False), (t.column("employer_name"), False)]
    head += [(_figure_label(t, c, lines), True) for c in cols]

    def cells(employer: str, row: Mapping[str, Any]) -> list[str]:
        out = []
        for c in cols:
            text, value = _shown(t, kinds[c], row[c])
            out.append(h.num(text, value, {"employer": employer, "figure": c}))
        return out

    employer = pl.col("employer_id")
    name = employer.replace_strict(dict(names), default="", return_dtype=pl.String)
    row_cells = [h.td_expr(employer), h.td_expr(name, "name")]
    for c in cols:
        text, value = _shown_expr(t, kinds[c], c)
        row_cells.append(h.num_expr(text, value, {"employer": employer, "figure": c}))
    listed, others = _largest(figures, RECAP_EMPLOYERS)
    body = h.rows_html(listed, row_cells)
    if others.height:
        label = t("report.chart_other_employers", count=t.integer(others.height))
        body += f"<tr>{h.td(label)}{h.td('')}{''.join(cells('others', figures_total(others)))}</tr>"
    foot = [h.td(t("report.all_employers")), h.td(""), *cells("all", figures_total(figures))]
    return h.table_of(head, body, foot)


def _largest(figures: pl.DataFrame, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the ``n`` employers with the largest amounts due to ONSS, in employer_id order; the others)."""
    if figures.height <= n:
        return figures, figures.clear()
    ranked = figures.sort(["due_to_onss", "employer_id"], descending=[True, False])
    return ranked.head(n).sort("employer_id"), ranked.slice(n)


def _key_figures(t: Messages, lines: pl.DataFrame, employer: str, row: Mapping[str, Any]) -> str:
    body = []
    for figure, kind, css in _figure_rows(lines):
        text, value = _shown(t, kind, row[figure])
        cls = f' class="{css}"' if css else ""
        label = h.esc(_figure_label(t, figure, lines))
        cell = h.num(text, value, {"employer": employer, "figure": figure})
        body.append(f'<tr{cls}><th scope="row">{label}</th>{cell}</tr>')
    return f'<table class="figures"><tbody>{"".join(body)}</tbody></table>'


def _employer_contributions(t: Messages, employer: str, by_code: pl.DataFrame, total: Decimal) -> str:
    rows = by_code.filter((pl.col("employer_id") == employer) & (pl.col("payer") == "employer"))
    head = [
        (t.column("dmfa_code"), False),
        (t.column("contribution"), False),
        (t.column("lines"), True),
        (t.column("base"), True),
        (t.column("rate"), True),
        (t.column("amount"), True),
    ]

    def cells(r: Mapping[str, Any]) -> list[str]:
        data = {"employer": employer, "code": r["dmfa_code"] or "", "contribution": r["contribution"]}
        return [
            h.td(r["dmfa_code"] or t("common.none")),
            h.td(t.contribution(r["contribution"])),
            h.num(t.integer(r["lines"])),
            h.num(t.money(r["base"])),
            h.num(t.percent(r["rate"])),
            h.num(t.money(r["amount"]), f"{r['amount']:f}", data),
        ]

    due = rows.filter(pl.col("kind") == "due")
    foot = [h.td(t("report.total")), h.td(""), h.td(""), h.td(""), h.td(""), h.num(t.money(total))]
    out = h.table(head, (cells(r) for r in due.iter_rows(named=True)), foot)
    accrued = rows.filter(pl.col("kind") != "due")
    if accrued.height:
        out += h.para(t("report.accrued"), "note") + h.table(head, (cells(r) for r in accrued.iter_rows(named=True)))
    return out


def _monthly_charts(t: Messages, lines: pl.DataFrame, figures: pl.DataFrame, by_code: pl.DataFrame, names) -> str:
    drawn = []
    due = by_code.filter((pl.col("payer") == "employer") & (pl.col("kind") == "due"))
    per_code = (
        due.group_by("dmfa_code", "contribution")
        .agg(pl.col("amount").sum().cast(MONEY))
        .sort(["amount", "dmfa_code", "contribution"], descending=[True, False, False], nulls_last=True)
    )
    if per_code.height:
        labels = [f"{code or '—'} · {t.contribution(name)}" for code, name, _ in per_code.iter_rows()]
        drawn.append(
            charts.bars(t, "c1", t("report.chart_contributions"), labels, per_code.get_column("amount").to_list())
        )
    pay = lines.select(pl.col("gross_salary").filter(pl.col("worker_code").is_not_null())).to_series().drop_nulls()
    if pay.len():
        drawn.append(charts.histogram(t, "c2", t("report.chart_pay"), *_pay_bins(pay)))
    if figures.height:
        shown = _charted(t, figures, names)
        labels = shown.get_column("label").to_list()
        parts = [(t("figure.worker_contribution"), shown.get_column("worker_contribution").to_list())]
        if "work_bonus" not in figures.columns:
            parts = [(t.column("worker_contribution"), parts[0][1])]
        parts.append((t("figure.employer_contribution"), shown.get_column("employer_contribution").to_list()))
        if "csss" in figures.columns:
            parts.append((t("figure.csss"), shown.get_column("csss").to_list()))
        drawn.append(charts.stacked(t, "c3", t("report.chart_due"), labels, parts))
    return f'<div class="charts">{"".join(drawn)}</div>'


PAY_BIN_WIDTHS = (250, 500, 1000, 2000, 5000, 10000)
"""Widths (EUR) of the salary histogram's bins: the first that gives at most 25 bins."""


def _pay_bins(pay: pl.Series) -> tuple[list[int], list[int]]:
    """(edges, counts) of the salary histogram: round-euro bins [edge, next edge), counted by polars."""
    cents = (pay * 100).cast(pl.Int64)
    low, high = cents.min(), cents.max()
    width = next((w for w in PAY_BIN_WIDTHS if (high - low) / (w * 100) <= 25), PAY_BIN_WIDTHS[-1]) * 100
    start = low // width * width
    bins = (high - start) // width + 1
    counted = (
        pl.DataFrame({"bin": (cents - start) // width})
        .group_by("bin")
        .len()
        .join(pl.DataFrame({"bin": range(bins)}, schema={"bin": pl.Int64}), on="bin", how="right")
        .sort("bin")
    )
    edges = [(start + i * width) // 100 for i in range(bins + 1)]
    return edges, counted.get_column("len").fill_null(0).to_list()


def _charted(t: Messages, figures: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    """The employers of the chart of the amounts due: the :data:`EMPLOYERS_CHARTED` largest (in
    employer_id order), then the others summed in one bar; columns label and the amounts."""
    amounts = [c for c in ("worker_contribution", "employer_contribution", "csss") if c in figures.columns]
    top, rest = _largest(figures, EMPLOYERS_CHARTED)
    shown = top.select(
        pl.col("employer_id").replace_strict(dict(names), default=pl.col("employer_id")).alias("label"), *amounts
    )
    if rest.height:
        label = t("report.chart_other_employers", count=t.integer(rest.height))
        other = rest.select(pl.lit(label).alias("label"), *(pl.col(c).sum().cast(MONEY) for c in amounts))
        shown = pl.concat([shown, other])
    return shown


def _sections_shown(figures: pl.DataFrame) -> pl.DataFrame:
    """The employers that get a section: all, or the :data:`EMPLOYER_SECTIONS` with the largest
    amounts due to ONSS; in employer_id order."""
    return _largest(figures, EMPLOYER_SECTIONS)[0]


def render_report(tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], lang: str | None = None) -> bytes:
    """``report.html`` of a monthly run.

    ``tables``: the run's audit tables (``payroll_lines``, ``contribution_lines``, ``rejects``,
    ``parameters``), plus ``employers`` when the caller has it (for the employers' names);
    ``manifest``: the run manifest (period, run_date, run_id, counts, totals, inputs,
    ``parameters_not_verified``, ``warnings`` when present).
    """
    t = messages.get(lang)
    lines = tables["payroll_lines"]
    figures = figures_of(tables)
    by_code = by_code_of(tables)
    names = employer_names(tables)
    period = str(manifest.get("period", ""))
    totals = manifest.get("totals", {})
    title = t("report.title_monthly", month=t.month(period)) if period else t("report.title_monthly", month="")
    meta = h.meta(
        [
            (t("report.period"), period),
            (t("report.run_date"), manifest.get("run_date", "")),
            (t("report.run_id"), manifest.get("run_id", "")),
            (t("report.code_version"), manifest.get("code_version", "")),
            (t("report.profile"), manifest.get("mapping_profile", "")),
        ]
    )
    cards = h.cards(
        [
            ("read", t("report.rows_read"), t.integer(totals.get("read", 0))),
            ("valid", t("report.rows_valid"), t.integer(totals.get("valid", 0))),
            ("rejected", t("report.rows_rejected"), t.integer(totals.get("rejected", 0))),
            ("computed", t("report.lines_computed"), t.integer(totals.get("computed", lines.height))),
        ]
    )
    notes = "".join(
        h.para(t(key), "note")
        for column, key in (("work_bonus", "report.no_work_bonus"), ("csss", "report.no_csss"))
        if column not in lines.columns
    )
    bounded = ""
    if figures.height > RECAP_EMPLOYERS:
        others = figures.height - RECAP_EMPLOYERS
        file = file_of(manifest, EMPLOYER_TOTALS)
        bounded = h.para(
            t("report.recap_bounded", shown=t.integer(RECAP_EMPLOYERS), others=t.integer(others), file=file), "note"
        )
    sections = [
        (
            "overview",
            t("report.overview"),
            cards + f"<h3>{h.esc(t('report.recap'))}</h3>" + _recap(t, lines, figures, names) + bounded + notes,
        ),
        ("charts", t("report.charts"), _monthly_charts(t, lines, figures, by_code, names)),
    ]
    shown = _sections_shown(figures)
    of_shown = by_code.filter(pl.col("employer_id").is_in(shown.get_column("employer_id").implode()))
    codes = {key[0]: part for key, part in of_shown.partition_by("employer_id", as_dict=True).items()}
    for row in shown.iter_rows(named=True):
        employer = row["employer_id"]
        heading = (
            t("report.employer_heading", name=names[employer], employer_id=employer)
            if employer in names
            else t("report.employer_unnamed", employer_id=employer)
        )
        body = (
            f"<h3>{h.esc(t('report.key_figures'))}</h3>"
            + _key_figures(t, lines, employer, row)
            + f"<h3>{h.esc(t('report.contributions_by_code'))}</h3>"
            + _employer_contributions(t, employer, codes.get(employer, by_code.clear()), row["employer_contribution"])
        )
        sections.append((f"employer-{employer}", heading, body))
    if shown.height < figures.height:
        key = "report.employers_not_shown" if figures.height <= RECAP_EMPLOYERS else "report.employers_not_shown_all"
        others = t.integer(figures.height - shown.height)
        note = t(key, shown=t.integer(shown.height), others=others, file=file_of(manifest, EMPLOYER_TOTALS))
        sections.append(("other-employers", t("report.other_employers"), h.para(note, "note")))
    sections += [
        h.rejects_section(t, tables.get("rejects")),
        h.warnings_section(t, manifest.get("warnings") or []),
        h.parameters_section(t, manifest.get("parameters_not_verified") or [], tables.get("parameters")),
        h.inputs_section(t, manifest),
    ]
    subtitle = t("report.generated_for", period=period, run_date=manifest.get("run_date", ""))
    return h.page(t, title, subtitle, meta, sections)


# --------------------------------------------------------------------------------------------
# Console summary of a monthly run
# --------------------------------------------------------------------------------------------
CONSOLE_CHECKS = 10
"""Reject checks listed by the console summary (the most frequent first); the report lists them all."""


def _rejects_by_check(t: messages.Messages, rejects: pl.DataFrame) -> list[str]:
    """The rejected rows counted per check, in plain language (values and lines: report.html, rejects.csv)."""
    counted = (
        rejects.select("check", "source_file", "source_line")
        .unique()
        .group_by("check")
        .len()
        .sort(["len", "check"], descending=[True, False])
    )
    shown = [
        t("console.check_line", check=check, count=t.integer(n), text=t.check(check) or "")
        for check, n in counted.head(CONSOLE_CHECKS).iter_rows()
    ]
    if counted.height > CONSOLE_CHECKS:
        shown.append(t("console.other_checks", count=t.integer(counted.height - CONSOLE_CHECKS)))
    return [t("console.rejects_by_check"), *shown]


def console_summary(
    tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], out: object, lang: str | None = None
) -> list[str]:
    """The lines printed after a monthly run: the run line, then per employer the lines computed,
    the rejects and the euro totals (personal after the work bonus, employer, CSSS, due to ONSS),
    rejects that name no known employer, then the warnings."""
    t = messages.get(lang)
    lines = tables["payroll_lines"]
    totals = manifest.get("totals", {})
    out_lines = [
        t(
            "console.run_summary",
            period=manifest.get("period", ""),
            read=totals.get("read", 0),
            valid=totals.get("valid", 0),
            rejected=totals.get("rejected", 0),
            computed=totals.get("computed", lines.height),
            out=out,
        )
    ]
    rejects = tables.get("rejects")
    per_employer: dict[str, int] = {}
    unattributed = 0
    if rejects is not None and rejects.height:
        known = tables.get("employees")
        ids = (
            known.select("employee_id", "employer_id")
            if known is not None
            else lines.select("employee_id", "employer_id")
        )
        rejected = rejects.select("source_file", "source_line", "employee_id").unique()
        # the first row of each rejected employee (filtering first keeps the rows' order)
        named = pl.col("employee_id").is_in(rejected.get_column("employee_id").drop_nulls().implode())
        counted = (
            rejected.join(ids.filter(named).unique("employee_id", keep="first"), on="employee_id", how="left")
            .group_by("employer_id")
            .len()
        )
        for employer, n in counted.iter_rows():
            if employer is None:
                unattributed = n
            else:
                per_employer[employer] = n
    names = employer_names(tables)
    figures = figures_of(tables)
    csss_known = "csss" in figures.columns
    listed = _largest(figures, CONSOLE_EMPLOYERS)[0]
    for row in listed.iter_rows(named=True):
        employer = row["employer_id"]
        out_lines.append(
            t(
                "console.employer_line",
                employer_id=employer,
                name=names.get(employer, ""),
                lines=t.integer(row["headcount"]),
                rejects=t.integer(per_employer.pop(employer, 0)),
                worker=t.money(row["worker_contribution"]),
                employer=t.money(row["employer_contribution"]),
                csss=t.money(row["csss"]) if csss_known else t("common.none"),
                due=t.money(row["due_to_onss"]),
            ).replace("  ", " ")
        )
    if listed.height < figures.height:
        others = figures.height - listed.height
        out_lines.append(t("console.other_employers", count=t.integer(others), shown=t.integer(listed.height)))
    computed = set(figures.get_column("employer_id").to_list())
    unattributed += sum(n for employer, n in per_employer.items() if employer not in computed)
    if unattributed:
        out_lines.append(t("console.unattributed_rejects", rejects=t.integer(unattributed)))
    if rejects is not None and rejects.height:
        out_lines += _rejects_by_check(t, rejects)
    warnings = manifest.get("warnings") or []
    if warnings:
        out_lines.append(t("console.warnings"))
        out_lines += [
            f"  [{w['code']}] {h.warning_text(w, t)}"
            if isinstance(w, Mapping) and "code" in w
            else f"  {h.warning_text(w, t)}"
            for w in warnings
        ]
    return out_lines
