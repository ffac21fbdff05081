"""``report.html``: what a payroll officer reads after a run, in English, French or Dutch.

Per employer: the headcount, gross pay, ONSS base, personal contributions after the work bonus
(Law of 20 December 1999 on the work bonus, art. 2), employer contributions by DmfA contribution
code (ONSS administrative instructions, "Cotisations" / "Bijdragen"), the special social security
contribution (CSSS, Law of 30 March 1994, art. 106-112) and the month's total due to ONSS; then the
rejected rows grouped by check with file, line and value (national numbers masked), the run's
warnings, and the parameters in force whose value is not verified. The DmfA export folder and the
ONEM claims folder get their own page (:func:`render_dmfa_report`, :func:`render_claims_report`).

The page is self-contained: inline CSS, charts as inline SVG drawn by matplotlib (text as paths,
fixed ``svg.hashsalt``, no metadata date), no script, and a Content-Security-Policy that forbids
every fetch. Rendering is pure (tables and manifest in, bytes out; the job writes the file) and
deterministic: rows sorted, no clock, the same inputs and run date give the same bytes.

Amounts are summed exactly (polars Decimal); only the charts turn them into floats, to draw them.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.core.money import MONEY
from pipeline.core.rejects import MASKED_COLUMNS, mask_expr
from pipeline.outputs import messages
from pipeline.outputs.messages import Messages
from schemas.checks import niss_ok

REJECT_ROWS_SHOWN = 100
"""Rejected rows listed per check; the rest are counted (rejects.csv holds them all)."""

MONEY_FIGURES = (
    "gross_salary",
    "guaranteed_wage_onss",
    "guaranteed_wage_exempt",
    "onss_base",
    "worker_contribution",
    "work_bonus",
    "csss",
    "employer_contribution",
    "onem_allowance",
)
OPTIONAL_FIGURES = ("work_bonus", "csss")
"""``payroll_lines`` columns of the work bonus and the CSSS: used when the run computed them."""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
PALETTE = ("#1f5f8b", "#e07b39", "#4c9a6a", "#b54a5a", "#7d6bb0", "#8c8c8c")


# --------------------------------------------------------------------------------------------
# Figures (shared with the workbook and the console summary)
# --------------------------------------------------------------------------------------------
def employer_figures(payroll_lines: pl.DataFrame) -> pl.DataFrame:
    """One row per employer (sorted by employer_id) with the report's figures.

    Sums of the rounded lines (data-contract "Money": totals are sums of rounded lines).
    ``personal_before_bonus`` = worker_contribution + work_bonus (the 13.07 % line before the
    bonus is deducted); ``due_to_onss`` = worker_contribution + employer_contribution + csss: what
    the employer pays ONSS for the month (personal contributions withheld after the work bonus,
    employer contributions due, the CSSS withheld). ``work_bonus`` / ``csss`` are columns only
    when ``payroll_lines`` has them.
    """
    present = [c for c in MONEY_FIGURES if c in payroll_lines.columns]
    bonus = pl.col("work_bonus") if "work_bonus" in present else pl.lit(0, MONEY)
    csss = pl.col("csss") if "csss" in present else pl.lit(0, MONEY)
    return (
        payroll_lines.lazy()
        .group_by("employer_id")
        .agg(
            pl.col("employee_id").n_unique().cast(pl.Int64).alias("headcount"),
            pl.col("worker_code").is_null().sum().cast(pl.Int64).alias("employed_abroad"),
            *(pl.col(c).fill_null(0).sum().cast(MONEY).alias(c) for c in present),
            pl.col("withholding_applies").fill_null(False).sum().cast(pl.Int64).alias("withholding_applies"),
        )
        .with_columns(
            (pl.col("worker_contribution") + bonus).cast(MONEY).alias("personal_before_bonus"),
            (pl.col("worker_contribution") + pl.col("employer_contribution") + csss).cast(MONEY).alias("due_to_onss"),
        )
        .sort("employer_id")
        .collect()
    )


def figures_total(figures: pl.DataFrame) -> dict[str, Any]:
    """The column sums of :func:`employer_figures` (one employee belongs to one employer)."""
    return figures.drop("employer_id").select(pl.all().sum()).row(0, named=True) if figures.height else {}


def contributions_by_code(contribution_lines: pl.DataFrame, payroll_lines: pl.DataFrame) -> pl.DataFrame:
    """Contribution lines summed per employer, payer, kind, DmfA code and contribution.

    ``rate`` is kept where every line of the group has the same rate (else null); ``base`` is the
    sum of the lines' bases.
    """
    employer_of = payroll_lines.select("employee_id", "period", "employer_id")
    codes = ("payer", "kind", "dmfa_code", "contribution")
    return (
        contribution_lines.lazy()
        .with_columns(pl.col(c).cast(pl.String) for c in codes)  # Enum columns sort by category, not by text
        .join(employer_of.lazy(), on=["employee_id", "period"], how="left")
        .group_by("employer_id", "payer", "kind", "dmfa_code", "contribution")
        .agg(
            pl.len().cast(pl.Int64).alias("lines"),
            pl.col("base").sum().cast(MONEY).alias("base"),
            pl.when(pl.col("rate").n_unique() == 1).then(pl.col("rate").first()).alias("rate"),
            pl.col("amount").sum().cast(MONEY).alias("amount"),
        )
        .sort("employer_id", "payer", "kind", "dmfa_code", "contribution", nulls_last=True)
        .collect()
    )


def employer_names(tables: Mapping[str, pl.DataFrame]) -> dict[str, str]:
    """employer_id -> name, from the ``employers`` table when the caller passes it."""
    employers = tables.get("employers")
    if employers is None or "name" not in employers.columns:
        return {}
    rows = employers.select("employer_id", "name").drop_nulls().unique("employer_id", keep="first")
    return dict(rows.sort("employer_id").iter_rows())


def masked_rejects(rejects: pl.DataFrame) -> pl.DataFrame:
    """The rejects with every national number masked in ``value``: the NISS column, any value that
    is a valid NISS/BIS number whatever its column (data-contract v2), and any run of 11 digits."""
    value = pl.col("value")
    whole = pl.col("column").is_in(list(MASKED_COLUMNS)) | niss_ok(value).fill_null(False)
    return rejects.with_columns(
        pl.when(whole)
        .then(mask_expr(value))
        .otherwise(value.str.replace_all(r"\d{9}(\d{2})", "*********$1"))
        .alias("value")
    )


# --------------------------------------------------------------------------------------------
# HTML building blocks
# --------------------------------------------------------------------------------------------
def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _attrs(data: Mapping[str, object] | None) -> str:
    return "".join(f' data-{k}="{_esc(v)}"' for k, v in (data or {}).items())


def _td(text: object, data: Mapping[str, object] | None = None) -> str:
    return f"<td{_attrs(data)}>{_esc(text)}</td>"


def _num(text: str, value: object = None, data: Mapping[str, object] | None = None) -> str:
    extra = dict(data or {})
    if value is not None:
        extra["value"] = value
    return f'<td class="num"{_attrs(extra)}>{_esc(text)}</td>'


def _table(head: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]], foot: Sequence[str] | None = None) -> str:
    """``head``: (label, numeric) pairs; ``rows`` / ``foot``: rendered ``<td>`` cells."""
    ths = "".join(f'<th{" class=num" if numeric else ""} scope="col">{_esc(label)}</th>' for label, numeric in head)
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    tfoot = f"<tfoot><tr>{''.join(foot)}</tr></tfoot>" if foot else ""
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody>{tfoot}</table>"


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{_esc(anchor)}"><h2>{_esc(title)}</h2>{body}</section>'


def _para(text: str, cls: str = "") -> str:
    return f"<p{f' class={cls}' if cls else ''}>{_esc(text)}</p>"


def _meta(items: Sequence[tuple[str, object]]) -> str:
    return '<dl class="meta">' + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items) + "</dl>"


def _cards(items: Sequence[tuple[str, str, str]]) -> str:
    """Headline numbers: (key, label, shown)."""
    cells = "".join(
        f'<div class="card" data-count="{_esc(k)}"><span class="big">{_esc(v)}</span><span>{_esc(label)}</span></div>'
        for k, label, v in items
    )
    return f'<div class="cards">{cells}</div>'


def _page(t: Messages, title: str, subtitle: str, meta: str, sections: Sequence[tuple[str, str, str]]) -> bytes:
    """The whole document. ``sections``: (anchor, title, body); a table of contents links them."""
    toc = "".join(f'<li><a href="#{_esc(a)}">{_esc(s)}</a></li>' for a, s, _ in sections)
    body = "".join(_section(a, s, b) for a, s, b in sections)
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{messages.HTML_LANG[t.lang]}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{_esc(title)}</h1><p class=sub>{_esc(subtitle)}</p>{meta}</header>"
        f'<nav aria-label="{_esc(t("report.contents"))}"><ol>{toc}</ol></nav>'
        f"<main>{body}</main><footer>{_para(t('report.amounts_note'))}</footer></body></html>\n"
    )
    return doc.encode("utf-8")


CSS = """
:root{--ink:#1d2733;--muted:#5b6775;--line:#d9dee4;--band:#f4f6f8;--accent:#1f5f8b}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--ink);
background:#fff}
header,nav,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:20px;border-bottom:3px solid var(--accent)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:18px 0 6px}
.sub{margin:0 0 8px;color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 14px;font-size:13px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-all}
nav ol{columns:3;margin:12px 0;padding-left:20px;font-size:13px}
nav a,main a{color:var(--accent)}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--band);border-bottom:2px solid var(--line)}
tbody tr:nth-child(even){background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th.num{white-space:normal}
td.name{min-width:180px}
tfoot td,tr.total td{font-weight:600;border-top:2px solid var(--ink)}
tr.strong td,tr.strong th{font-weight:700;background:#eaf1f7}
tr.sub th{padding-left:24px;font-weight:400;color:var(--muted)}
table.figures{width:auto;min-width:520px}table.figures th{font-weight:400}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px;background:var(--band)}
.card .big{display:block;font-size:22px;font-weight:700}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}figure.wide{grid-column:1/-1}
figure svg{width:100%;height:auto}figcaption{font-size:13px;color:var(--muted);margin-bottom:4px}
.note{color:var(--muted);font-size:13px}
ul.warnings li{margin:2px 0}
code{font-size:12px}
footer{margin-top:30px;padding-bottom:30px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{nav{display:none}figure,table{break-inside:avoid}}
"""


# --------------------------------------------------------------------------------------------
# Charts: matplotlib SVG, inlined
# --------------------------------------------------------------------------------------------
_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "payroll-report",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#5b6775",
    "axes.titlesize": 10,
}
_SVG_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def _inline_svg(svg: str, prefix: str, label: str) -> str:
    """matplotlib's SVG document as an element of the page: no XML prolog, namespace URIs or
    comments (the HTML parser puts inline ``<svg>`` in the SVG namespace), every id prefixed so
    that two charts never share one, and an accessible name."""
    svg = _COMMENT.sub("", _SVG_PROLOG.sub("", svg, count=1))
    svg = _XMLNS.sub("", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{prefix}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_esc(label)}" ', 1)
    return re.sub(r">\s+<", "><", svg).strip()


def _chart(
    prefix: str, caption: str, size: tuple[float, float], draw: Callable[[Any], None], wide: bool = False
) -> str:
    """A ``<figure>`` holding one matplotlib chart drawn by ``draw(axes)`` (``wide``: the whole row)."""
    import matplotlib

    matplotlib.use("svg", force=False)
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasSVG(fig)
        draw(fig.add_subplot())
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    cls = ' class="wide"' if wide else ""
    return (
        f"<figure{cls}><figcaption>{_esc(caption)}</figcaption>{_inline_svg(buf.getvalue(), prefix, caption)}</figure>"
    )


def _axis_numbers(t: Messages, axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: t.integer(int(round(v)))))


def _bars_chart(t: Messages, prefix: str, caption: str, labels: list[str], amounts: list[Decimal]) -> str:
    """Horizontal bars, one per label (largest on top as listed first)."""

    def draw(ax: Any) -> None:
        y = list(range(len(labels)))[::-1]
        values = [float(a) for a in amounts]
        ax.barh(y, values, color=PALETTE[0], height=0.65)
        ax.set_yticks(y, labels)
        _axis_numbers(t, ax.xaxis)
        ax.set_xlabel(t("report.chart_amount"))
        for yy, value, amount in zip(y, values, amounts):
            ax.annotate(t.money(amount), (value, yy), xytext=(3, 0), textcoords="offset points", va="center")
        ax.margins(x=0.22)

    return _chart(prefix, caption, (11.5, 0.9 + 0.26 * len(labels)), draw, wide=True)


def _histogram_chart(t: Messages, prefix: str, caption: str, values: list[Decimal]) -> str:
    """Histogram with round-euro bins (250 to 5,000 EUR wide, at most about 25 bins)."""
    low, high = min(values), max(values)
    width = next((w for w in (250, 500, 1000, 2000, 5000) if (high - low) / w <= 25), 10000)
    start = int(low // width) * width
    edges = [start + i * width for i in range(int((high - start) // width) + 2)]

    def draw(ax: Any) -> None:
        ax.hist([float(v) for v in values], bins=edges, color=PALETTE[0], edgecolor="white")
        _axis_numbers(t, ax.xaxis)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(t("report.chart_pay_x"))
        ax.set_ylabel(t("report.chart_pay_y"))

    return _chart(prefix, caption, (7.2, 3.2), draw)


def _stacked_chart(
    t: Messages, prefix: str, caption: str, labels: list[str], parts: list[tuple[str, list[Decimal]]]
) -> str:
    """Horizontal stacked bars: one bar per label, one segment per (legend, values) part."""

    def draw(ax: Any) -> None:
        y = list(range(len(labels)))[::-1]
        left = [0.0] * len(labels)
        for i, (name, amounts) in enumerate(parts):
            values = [float(a) for a in amounts]
            ax.barh(y, values, left=left, color=PALETTE[i % len(PALETTE)], height=0.6, label=name)
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(y, labels)
        _axis_numbers(t, ax.xaxis)
        ax.set_xlabel(t("report.chart_amount"))
        ax.legend(loc="lower right", frameon=False, fontsize=8)

    return _chart(prefix, caption, (7.2, 1.4 + 0.35 * len(labels)), draw)


# --------------------------------------------------------------------------------------------
# Sections shared by the three pages
# --------------------------------------------------------------------------------------------
def _warning_text(warning: object) -> str:
    """A manifest warning as one line: its text, or the ``message`` of a record, else its fields."""
    if isinstance(warning, Mapping):
        if "message" in warning:
            return str(warning["message"])
        return "; ".join(f"{k}: {warning[k]}" for k in sorted(warning))
    return str(warning)


def _warnings_section(t: Messages, warnings: Sequence[object]) -> tuple[str, str, str]:
    if not warnings:
        return "warnings", t("report.warnings"), _para(t("report.warnings_none"))
    items = "".join(f"<li>{_esc(_warning_text(w))}</li>" for w in warnings)
    return "warnings", t("report.warnings"), f'<ul class="warnings">{items}</ul>'


def _parameter_value(t: Messages, value: str | None, unit: str | None) -> str:
    if value is None:
        return t("common.none")
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    if unit == "percent":
        return t.percent(number)
    if unit in ("eur", "eur_per_day"):
        return t.money(number)
    return value


def _parameters_section(t: Messages, names: Sequence[str], parameters: pl.DataFrame | None) -> tuple[str, str, str]:
    title = t("report.parameters_unverified")
    if not names:
        return "parameters", title, _para(t("report.parameters_unverified_none"))
    head = [(t("report.parameter"), False), (t("report.parameter_value"), True), (t("report.status"), False)]
    if parameters is None or "parameter" not in parameters.columns:
        rows = [[_td(name), _td(""), _td("")] for name in sorted(names)]
        return "parameters", title, _para(t("report.parameters_unverified_intro")) + _table(head, rows)
    head += [(t("report.in_force_from"), False), (t("report.reference"), False)]
    found = (
        parameters.with_columns(pl.col("parameter").cast(pl.String))
        .filter(pl.col("parameter").is_in(list(names)))
        .sort("parameter")
    )
    rows = []
    for row in found.iter_rows(named=True):
        reference = " — ".join(str(row[k]) for k in ("reference_title", "reference_href") if row.get(k))
        rows.append(
            [
                _td(row["parameter"], {"parameter": row["parameter"]}),
                _num(_parameter_value(t, row.get("value"), row.get("unit"))),
                _td(row.get("status")),
                _td(row.get("effective_from")),
                _td(reference),
            ]
        )
    missing = sorted(set(names) - set(found.get_column("parameter").to_list()))
    rows += [[_td(name, {"parameter": name}), _td(""), _td(""), _td(""), _td("")] for name in missing]
    return "parameters", title, _para(t("report.parameters_unverified_intro")) + _table(head, rows)


def _rejects_section(t: Messages, rejects: pl.DataFrame | None) -> tuple[str, str, str]:
    """Rejects grouped by check (largest group first, then by code), each with its rows."""
    title = t("report.rejects")
    if rejects is None or rejects.height == 0:
        return "rejects", title, _para(t("report.rejects_none"))
    shown = masked_rejects(rejects).sort("check", "source_file", "source_line", "column", nulls_last=True)
    groups = shown.group_by("check").agg(pl.len().alias("n")).sort(["n", "check"], descending=[True, False])
    summary = _table(
        [(t("report.check"), False), ("", False), (t("report.rows"), True)],
        (
            [_td(code, {"check": code}), _td(t.check(code) or ""), _num(t.integer(n), n, {"check": code})]
            for code, n in groups.iter_rows()
        ),
    )
    parts = [_para(t("report.rejects_intro", count=t.integer(rejects.height))), summary]
    head = [
        (t("report.file"), False),
        (t("report.line"), True),
        (t("report.column"), False),
        (t("report.employee"), False),
        (t("report.value"), False),
        (t("report.detail"), False),
    ]
    for code, n in groups.iter_rows():
        rows = shown.filter(pl.col("check") == code).head(REJECT_ROWS_SHOWN)
        plain = t.check(code) or rows.get_column("message")[0]
        parts.append(f'<h3 id="check-{_esc(code)}">{_esc(plain)} <code>{_esc(code)}</code></h3>')
        parts.append(
            _table(
                head,
                (
                    [
                        _td(r["source_file"]),
                        _num(str(r["source_line"]), None, {"line": r["source_line"]}),
                        _td(r["column"]),
                        _td(r["employee_id"]),
                        _td(r["value"]),
                        _td(r["message"]),
                    ]
                    for r in rows.iter_rows(named=True)
                ),
            )
        )
        if n > REJECT_ROWS_SHOWN:
            parts.append(_para(t("report.rejects_more", count=t.integer(n - REJECT_ROWS_SHOWN)), "note"))
    return "rejects", title, "".join(parts)


def _inputs_section(t: Messages, manifest: Mapping[str, Any]) -> tuple[str, str, str]:
    counts = manifest.get("counts", {})
    head = [
        (t("report.file"), False),
        (t("report.rows_read"), True),
        (t("report.rows_valid"), True),
        (t("report.rows_rejected"), True),
        (t("report.dialect"), False),
        (t("report.sha256"), False),
    ]
    rows = []
    for item in sorted(manifest.get("inputs", []), key=lambda i: str(i.get("name"))):
        c = counts.get(item.get("input"), {})
        rows.append(
            [
                _td(item.get("name")),
                *(_num(t.integer(c.get(k)), c.get(k)) for k in ("read", "valid", "rejected")),
                _td(item.get("dialect")),
                f"<td><code>{_esc(item.get('sha256'))}</code></td>",
            ]
        )
    return "inputs", t("report.inputs"), _table(head, rows)


# --------------------------------------------------------------------------------------------
# Monthly run
# --------------------------------------------------------------------------------------------
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
        return t.money(-value), f"{value:f}"
    return t.money(value), f"{value:f}"


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
            out.append(_num(text, value, {"employer": employer, "figure": c}))
        return out

    rows = [
        [
            _td(r["employer_id"]),
            f'<td class="name">{_esc(names.get(r["employer_id"], ""))}</td>',
            *cells(r["employer_id"], r),
        ]
        for r in figures.iter_rows(named=True)
    ]
    foot = [_td(t("report.all_employers")), _td(""), *cells("all", figures_total(figures))]
    return _table(head, rows, foot)


def _key_figures(t: Messages, lines: pl.DataFrame, employer: str, row: Mapping[str, Any]) -> str:
    body = []
    for figure, kind, css in _figure_rows(lines):
        text, value = _shown(t, kind, row[figure])
        cls = f' class="{css}"' if css else ""
        label = _esc(_figure_label(t, figure, lines))
        cell = _num(text, value, {"employer": employer, "figure": figure})
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
            _td(r["dmfa_code"] or t("common.none")),
            _td(t.contribution(r["contribution"])),
            _num(t.integer(r["lines"])),
            _num(t.money(r["base"])),
            _num(t.percent(r["rate"])),
            _num(t.money(r["amount"]), f"{r['amount']:f}", data),
        ]

    due = rows.filter(pl.col("kind") == "due")
    foot = [_td(t("report.total")), _td(""), _td(""), _td(""), _td(""), _num(t.money(total))]
    out = _table(head, (cells(r) for r in due.iter_rows(named=True)), foot)
    accrued = rows.filter(pl.col("kind") != "due")
    if accrued.height:
        out += _para(t("report.accrued"), "note") + _table(head, (cells(r) for r in accrued.iter_rows(named=True)))
    return out


def _monthly_charts(t: Messages, lines: pl.DataFrame, figures: pl.DataFrame, by_code: pl.DataFrame, names) -> str:
    charts = []
    due = by_code.filter((pl.col("payer") == "employer") & (pl.col("kind") == "due"))
    per_code = (
        due.group_by("dmfa_code", "contribution")
        .agg(pl.col("amount").sum().cast(MONEY))
        .sort(["amount", "dmfa_code", "contribution"], descending=[True, False, False], nulls_last=True)
    )
    if per_code.height:
        labels = [f"{code or '—'} · {t.contribution(name)}" for code, name, _ in per_code.iter_rows()]
        charts.append(
            _bars_chart(t, "c1", t("report.chart_contributions"), labels, per_code.get_column("amount").to_list())
        )
    pay = lines.filter(pl.col("worker_code").is_not_null()).get_column("gross_salary").drop_nulls().to_list()
    if pay:
        charts.append(_histogram_chart(t, "c2", t("report.chart_pay"), pay))
    if figures.height:
        labels = [names.get(e, e) for e in figures.get_column("employer_id").to_list()]
        parts = [(t("figure.worker_contribution"), figures.get_column("worker_contribution").to_list())]
        if "work_bonus" not in figures.columns:
            parts = [(t.column("worker_contribution"), parts[0][1])]
        parts.append((t("figure.employer_contribution"), figures.get_column("employer_contribution").to_list()))
        if "csss" in figures.columns:
            parts.append((t("figure.csss"), figures.get_column("csss").to_list()))
        charts.append(_stacked_chart(t, "c3", t("report.chart_due"), labels, parts))
    return f'<div class="charts">{"".join(charts)}</div>'


def render_report(tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], lang: str | None = None) -> bytes:
    """``report.html`` of a monthly run.

    ``tables``: the run's audit tables (``payroll_lines``, ``contribution_lines``, ``rejects``,
    ``parameters``), plus ``employers`` when the caller has it (for the employers' names);
    ``manifest``: the run manifest (period, run_date, run_id, counts, totals, inputs,
    ``parameters_not_verified``, ``warnings`` when present).
    """
    t = messages.get(lang)
    lines = tables["payroll_lines"]
    figures = employer_figures(lines)
    by_code = contributions_by_code(tables["contribution_lines"], lines)
    names = employer_names(tables)
    period = str(manifest.get("period", ""))
    totals = manifest.get("totals", {})
    title = t("report.title_monthly", month=t.month(period)) if period else t("report.title_monthly", month="")
    meta = _meta(
        [
            (t("report.period"), period),
            (t("report.run_date"), manifest.get("run_date", "")),
            (t("report.run_id"), manifest.get("run_id", "")),
            (t("report.code_version"), manifest.get("code_version", "")),
            (t("report.profile"), manifest.get("mapping_profile", "")),
        ]
    )
    cards = _cards(
        [
            ("read", t("report.rows_read"), t.integer(totals.get("read", 0))),
            ("valid", t("report.rows_valid"), t.integer(totals.get("valid", 0))),
            ("rejected", t("report.rows_rejected"), t.integer(totals.get("rejected", 0))),
            ("computed", t("report.lines_computed"), t.integer(totals.get("computed", lines.height))),
        ]
    )
    notes = "".join(
        _para(t(key), "note")
        for column, key in (("work_bonus", "report.no_work_bonus"), ("csss", "report.no_csss"))
        if column not in lines.columns
    )
    sections = [
        (
            "overview",
            t("report.overview"),
            cards + f"<h3>{_esc(t('report.recap'))}</h3>" + _recap(t, lines, figures, names) + notes,
        ),
        ("charts", t("report.charts"), _monthly_charts(t, lines, figures, by_code, names)),
    ]
    for row in figures.iter_rows(named=True):
        employer = row["employer_id"]
        heading = (
            t("report.employer_heading", name=names[employer], employer_id=employer)
            if employer in names
            else t("report.employer_unnamed", employer_id=employer)
        )
        body = (
            f"<h3>{_esc(t('report.key_figures'))}</h3>"
            + _key_figures(t, lines, employer, row)
            + f"<h3>{_esc(t('report.contributions_by_code'))}</h3>"
            + _employer_contributions(t, employer, by_code, row["employer_contribution"])
        )
        sections.append((f"employer-{employer}", heading, body))
    sections += [
        _rejects_section(t, tables.get("rejects")),
        _warnings_section(t, manifest.get("warnings") or []),
        _parameters_section(t, manifest.get("parameters_not_verified") or [], tables.get("parameters")),
        _inputs_section(t, manifest),
    ]
    subtitle = t("report.generated_for", period=period, run_date=manifest.get("run_date", ""))
    return _page(t, title, subtitle, meta, sections)


# --------------------------------------------------------------------------------------------
# Console summary of a monthly run
# --------------------------------------------------------------------------------------------
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
        counted = (
            rejects.select("source_file", "source_line", "employee_id")
            .unique()
            .join(ids.unique("employee_id", keep="first"), on="employee_id", how="left")
            .group_by("employer_id")
            .len()
        )
        for employer, n in counted.iter_rows():
            if employer is None:
                unattributed = n
            else:
                per_employer[employer] = n
    names = employer_names(tables)
    figures = employer_figures(lines)
    csss_known = "csss" in figures.columns
    for row in figures.iter_rows(named=True):
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
    unattributed += sum(per_employer.values())
    if unattributed:
        out_lines.append(t("console.unattributed_rejects", rejects=t.integer(unattributed)))
    warnings = manifest.get("warnings") or []
    if warnings:
        out_lines.append(t("console.warnings"))
        out_lines += [f"  {_warning_text(w)}" for w in warnings]
    return out_lines


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
        cells = [_td(employer), _td(e.get("employer_name", ""))]
        for key, kind in DMFA_FIGURES:
            value = e.get(key)
            number = _decimal(value)
            text = t.integer(int(number)) if kind == "int" and number is not None else t.money(number)
            cells.append(_num(text, None if number is None else f"{number:f}", {"employer": employer, "figure": key}))
        cells += [_td(t.yes_no(e.get("reconciles"))), _td(e.get("declaration", ""))]
        rows.append(cells)
    sections = [("declarations", t("dmfa.recap"), _table(head, rows))]
    if by_code is not None:
        per_code = (
            by_code.group_by("contribution_worker_code")
            .agg(pl.col("amount").sum().cast(MONEY), pl.col("contributions").first())
            .sort(["amount", "contribution_worker_code"], descending=[True, False])
        )
        labels = [f"{code} · {_contribution_names(t, names)}" for code, _, names in per_code.iter_rows()]
        chart = _bars_chart(t, "c1", t("dmfa.chart"), labels, per_code.get_column("amount").to_list())
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
                    _td(r["contribution_worker_code"]),
                    _td(r["contribution_type"]),
                    _td(_contribution_names(t, r["contributions"])),
                    _num(t.money(r["basis"])),
                    _num(
                        t.money(r["amount"]),
                        f"{r['amount']:f}",
                        {"employer": employer, "code": r["contribution_worker_code"], "type": r["contribution_type"]},
                    ),
                ]
                for r in mine.iter_rows(named=True)
            )
            total = mine.get_column("amount").sum()
            foot = [_td(t("report.total")), _td(""), _td(""), _td(""), _num(t.money(total))]
            body += f"<h3>{_esc(t('dmfa.by_code'))}</h3>" + _table(code_head, body_rows, foot)
        warnings = e.get("warnings") or {}
        counts = warnings.get("counts", {}) if isinstance(warnings, Mapping) else {}
        items = [t("dmfa.warning_count", what=k, count=counts[k]) for k in sorted(counts)]
        items += [_warning_text(x) for x in (warnings.get("examples", []) if isinstance(warnings, Mapping) else [])]
        if items:
            body += f"<h3>{_esc(t('report.warnings'))}</h3><ul class=warnings>"
            body += "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>"
        sections.append((f"employer-{employer}", heading, body))
    facts = []
    for key, title in (("anomalies", "dmfa.anomalies"), ("assumptions", "dmfa.assumptions")):
        values = manifest.get(key) or {}
        if values:
            facts.append(f"<h3>{_esc(t(title))}</h3>" + _meta([(k, _flat(values[k])) for k in sorted(values)]))
    warnings = list(manifest.get("warnings") or [])
    anchor, title, body = _warnings_section(t, warnings)
    sections.append((anchor, title, body + "".join(facts)))
    sections.append(_parameters_section(t, manifest.get("parameters_not_verified") or [], tables.get("parameters")))
    meta = _meta(
        [
            (t("report.quarter"), quarter),
            (t("report.run_date"), manifest.get("run_date", "")),
            (t("report.run_id"), manifest.get("run_id", "")),
            (t("report.code_version"), manifest.get("code_version", "")),
        ]
    )
    title = t("report.title_dmfa", quarter=quarter)
    return _page(t, title, f"{t('report.run_date')}: {manifest.get('run_date', '')}", meta, sections)


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
    month_cols = [(f"m{i + 1}", t.month(p)) for i, p in enumerate(periods)]
    named = [c for c in ("last_name", "first_name") if c in claims.columns]
    head = [(t.column("employee_id"), False), *((t.column(c), False) for c in named), (t("claims.country"), False)]
    head += [(label, True) for _, label in month_cols]
    head += [(t("claims.total"), True), (t("claims.claimable"), False), (t("claims.claim_deadline"), False)]
    rows = []
    for r in claims.iter_rows(named=True):
        cells = [_td(r["employee_id"]), *(_td(r[c]) for c in named), _td(r["country"])]
        cells += [_num(t.money(r[c]) if r.get(c) is not None else "", None) for c, _ in month_cols]
        cells.append(_num(t.money(r["total"]), f"{r['total']:f}", {"employee": r["employee_id"], "figure": "total"}))
        cells += [_td(t.yes_no(r.get("claimable"))), _td(r.get("claim_deadline"))]
        rows.append(cells)
    per_country = claims.group_by("country").agg(pl.len().alias("n"), pl.col("total").sum().cast(MONEY)).sort("country")
    country_table = _table(
        [(t("claims.country"), False), (t("claims.count"), True), (t("claims.total"), True)],
        (
            [_td(c), _num(t.integer(n)), _num(t.money(total), f"{total:f}", {"country": c, "figure": "total"})]
            for c, n, total in per_country.iter_rows()
        ),
    )
    warnings = list(manifest.get("warnings") or [])
    missing = manifest.get("months_missing_from_store") or []
    if missing:
        warnings.insert(0, t("claims.missing_warning", months=", ".join(t.month(p) for p in missing)))
    sections = [
        ("claims", t("claims.claims"), _table(head, rows)),
        ("countries", t("claims.by_country"), country_table),
        _warnings_section(t, warnings),
    ]
    meta = _meta(
        [
            (t("report.semester"), semester),
            (t("report.run_date"), manifest.get("run_date", "")),
            (t("report.run_id"), manifest.get("run_id", "")),
            (t("report.code_version"), manifest.get("code_version", "")),
        ]
    )
    title = t("report.title_claims", semester=semester)
    return _page(t, title, f"{t('report.run_date')}: {manifest.get('run_date', '')}", meta, sections)
