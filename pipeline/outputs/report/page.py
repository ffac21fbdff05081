"""HTML building blocks of the report pages (escaped cells, tables, the page frame with its CSS and
Content-Security-Policy) and the sections every page shares: rejects, warnings, parameters not
verified, files read."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.outputs import messages
from pipeline.outputs.messages import Messages
from pipeline.outputs.report.figures import masked_rejects
from pipeline.outputs.warnings import warning_message

REJECT_ROWS_SHOWN = 100
"""Rejected rows listed per check; the rest are counted (rejects.csv holds them all)."""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# --------------------------------------------------------------------------------------------
# HTML building blocks
# --------------------------------------------------------------------------------------------
def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def attrs(data: Mapping[str, object] | None) -> str:
    return "".join(f' data-{k}="{esc(v)}"' for k, v in (data or {}).items())


def td(text: object, data: Mapping[str, object] | None = None) -> str:
    return f"<td{attrs(data)}>{esc(text)}</td>"


def num(text: str, value: object = None, data: Mapping[str, object] | None = None) -> str:
    extra = dict(data or {})
    if value is not None:
        extra["value"] = value
    return f'<td class="num"{attrs(extra)}>{esc(text)}</td>'


def table(head: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]], foot: Sequence[str] | None = None) -> str:
    """``head``: (label, numeric) pairs; ``rows`` / ``foot``: rendered ``<td>`` cells."""
    return table_of(head, "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows), foot)


def table_of(head: Sequence[tuple[str, bool]], body: str, foot: Sequence[str] | None = None) -> str:
    """:func:`table` with its body rows already rendered (``<tr>...</tr>``, e.g. by :func:`rows_html`)."""
    ths = "".join(f'<th{" class=num" if numeric else ""} scope="col">{esc(label)}</th>' for label, numeric in head)
    tfoot = f"<tfoot><tr>{''.join(foot)}</tr></tfoot>" if foot else ""
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody>{tfoot}</table>"


# Whole-column versions, for tables of one row per employer (thousands of rows): the same HTML as
# td() / num(), built by polars expressions instead of one Python call per cell.
def esc_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`esc` of every value of a text column (``html.escape`` with quotes)."""
    out = expr.cast(pl.String).fill_null("").str.replace_all("&", "&amp;", literal=True)
    for char, entity in (("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        out = out.str.replace_all(char, entity, literal=True)
    return out


def td_expr(text: pl.Expr, cls: str = "") -> pl.Expr:
    """:func:`td` per row (``cls``: a class attribute, e.g. ``name``)."""
    start = f'<td class="{esc(cls)}">' if cls else "<td>"
    return pl.concat_str(pl.lit(start), esc_expr(text), pl.lit("</td>"))


def num_expr(text: pl.Expr, value: pl.Expr, data: Mapping[str, pl.Expr | str]) -> pl.Expr:
    """:func:`num` per row: ``data`` attributes (a constant or a column each), then ``data-value``."""
    parts: list[pl.Expr] = [pl.lit('<td class="num"')]
    for key, item in {**data, "value": value}.items():
        shown = pl.lit(esc(item)) if isinstance(item, str) else esc_expr(item)
        parts += [pl.lit(f' data-{key}="'), shown, pl.lit('"')]
    parts += [pl.lit(">"), esc_expr(text), pl.lit("</td>")]
    return pl.concat_str(parts)


def rows_html(frame: pl.DataFrame, cells: Sequence[pl.Expr]) -> str:
    """The ``<tr>`` rows of ``frame``, each the concatenation of ``cells`` (whole-column expressions)."""
    if frame.height == 0:
        return ""
    return frame.select(pl.concat_str([pl.lit("<tr>"), *cells, pl.lit("</tr>")]).str.join("")).item()


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def para(text: str, cls: str = "") -> str:
    return f"<p{f' class={cls}' if cls else ''}>{esc(text)}</p>"


def meta(items: Sequence[tuple[str, object]]) -> str:
    return '<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def cards(items: Sequence[tuple[str, str, str]]) -> str:
    """Headline numbers: (key, label, shown)."""
    cells = "".join(
        f'<div class="card" data-count="{esc(k)}"><span class="big">{esc(v)}</span><span>{esc(label)}</span></div>'
        for k, label, v in items
    )
    return f'<div class="cards">{cells}</div>'


def page(t: Messages, title: str, subtitle: str, meta: str, sections: Sequence[tuple[str, str, str]]) -> bytes:
    """The whole document. ``sections``: (anchor, title, body); a table of contents links them."""
    toc = "".join(f'<li><a href="#{esc(a)}">{esc(s)}</a></li>' for a, s, _ in sections)
    body = "".join(section(a, s, b) for a, s, b in sections)
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{messages.HTML_LANG[t.lang]}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p class=sub>{esc(subtitle)}</p>{meta}</header>"
        f'<nav aria-label="{esc(t("report.contents"))}"><ol>{toc}</ol></nav>'
        f"<main>{body}</main><footer>{para(t('report.amounts_note'))}</footer></body></html>\n"
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
# Sections shared by the three pages
# --------------------------------------------------------------------------------------------
def warning_text(warning: object, t: Messages | None = None) -> str:
    """A manifest warning as one line: a monthly run's warning in the language of ``t`` (from its code
    and fields), else its text, or the ``message`` of a record, else its fields."""
    if isinstance(warning, Mapping):
        if t is not None and "fields" in warning and t.get(f"warning.{warning.get('code')}") is not None:
            return warning_message(t, warning)
        if "message" in warning:
            return str(warning["message"])
        return "; ".join(f"{k}: {warning[k]}" for k in sorted(warning))
    return str(warning)


def warnings_section(t: Messages, warnings: Sequence[object]) -> tuple[str, str, str]:
    if not warnings:
        return "warnings", t("report.warnings"), para(t("report.warnings_none"))
    items = "".join(f"<li>{esc(warning_text(w, t))}</li>" for w in warnings)
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


def parameters_section(t: Messages, names: Sequence[str], parameters: pl.DataFrame | None) -> tuple[str, str, str]:
    title = t("report.parameters_unverified")
    if not names:
        return "parameters", title, para(t("report.parameters_unverified_none"))
    head = [(t("report.parameter"), False), (t("report.parameter_value"), True), (t("report.status"), False)]
    if parameters is None or "parameter" not in parameters.columns:
        rows = [[td(name), td(""), td("")] for name in sorted(names)]
        return "parameters", title, para(t("report.parameters_unverified_intro")) + table(head, rows)
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
                td(row["parameter"], {"parameter": row["parameter"]}),
                num(_parameter_value(t, row.get("value"), row.get("unit"))),
                td(row.get("status")),
                td(row.get("effective_from")),
                td(reference),
            ]
        )
    missing = sorted(set(names) - set(found.get_column("parameter").to_list()))
    rows += [[td(name, {"parameter": name}), td(""), td(""), td(""), td("")] for name in missing]
    return "parameters", title, para(t("report.parameters_unverified_intro")) + table(head, rows)


def rejects_section(t: Messages, rejects: pl.DataFrame | None) -> tuple[str, str, str]:
    """Rejects grouped by check (largest group first, then by code), each with its rows."""
    title = t("report.rejects")
    if rejects is None or rejects.height == 0:
        return "rejects", title, para(t("report.rejects_none"))
    shown = masked_rejects(rejects).sort("check", "source_file", "source_line", "column", nulls_last=True)
    groups = shown.group_by("check").agg(pl.len().alias("n")).sort(["n", "check"], descending=[True, False])
    summary = table(
        [(t("report.check"), False), ("", False), (t("report.rows"), True)],
        (
            [td(code, {"check": code}), td(t.check(code) or ""), num(t.integer(n), n, {"check": code})]
            for code, n in groups.iter_rows()
        ),
    )
    parts = [para(t("report.rejects_intro", count=t.integer(rejects.height))), summary]
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
        parts.append(f'<h3 id="check-{esc(code)}">{esc(plain)} <code>{esc(code)}</code></h3>')
        parts.append(
            table(
                head,
                (
                    [
                        td(r["source_file"]),
                        num(str(r["source_line"]), None, {"line": r["source_line"]}),
                        td(r["column"]),
                        td(r["employee_id"]),
                        td(r["value"]),
                        td(r["message"]),
                    ]
                    for r in rows.iter_rows(named=True)
                ),
            )
        )
        if n > REJECT_ROWS_SHOWN:
            parts.append(para(t("report.rejects_more", count=t.integer(n - REJECT_ROWS_SHOWN)), "note"))
    return "rejects", title, "".join(parts)


def inputs_section(t: Messages, manifest: Mapping[str, Any]) -> tuple[str, str, str]:
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
                td(item.get("name")),
                *(num(t.integer(c.get(k)), c.get(k)) for k in ("read", "valid", "rejected")),
                td(item.get("dialect")),
                f"<td><code>{esc(item.get('sha256'))}</code></td>",
            ]
        )
    return "inputs", t("report.inputs"), table(head, rows)
