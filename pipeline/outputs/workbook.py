"""``payroll.xlsx``: the run as a payroll officer's workbook (journal de paie / loonjournaal).

Sheets: the summary per employer (the figures of ``report.html``), the journal (one row per
employee and month, with the names and every amount of ``payroll_lines``), the contributions by
employer, payer and DmfA code, the rejected rows (national numbers masked) and the parameters in
force. Numbers are written as numbers (two decimals for euros, percentages for rates), codes and
identifiers as text (worker code ``015`` stays ``015``, an ONSS number keeps its digits), header
rows frozen, autofilters on every table. Deterministic: the document's creation date is the run
date, and XlsxWriter's in-memory package stamps every part with the same fixed time.

A sheet lists at most :data:`WORKBOOK_MAX_ROWS` rows: XlsxWriter writes about 30,000 cells a
second on the reference machine (a 20,000-row journal takes about 14 s), so a larger table is
replaced by one line naming the run's file that holds it (``payroll_lines.csv``, or its Parquet
file when the run wrote no CSV of it), and a batch of a million rows still writes its workbook in
about a second.

Amounts are summed exactly (polars Decimal); a spreadsheet cell holds a binary double, so each
cent amount is written as the nearest double, which reads back to the same two decimals.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.outputs import messages
from pipeline.outputs.csv_dialects import text_codes
from pipeline.outputs.messages import Messages
from pipeline.outputs.report import figures as numbers

XLSX_MAX_ROWS = 1_048_575
"""Data rows a worksheet holds below its header (Excel's limit is 1,048,576 rows)."""
WORKBOOK_MAX_ROWS = 10_000
"""Rows a sheet of the workbook lists at most (well below :data:`XLSX_MAX_ROWS`: writing cells is
slow); a larger table is left to the run's CSV / Parquet file, which the sheet names."""

SUMMARY_FIGURES = (
    "headcount",
    "employed_abroad",
    "gross_salary",
    "guaranteed_wage_onss",
    "guaranteed_wage_exempt",
    "onss_base",
    "personal_before_bonus",
    "work_bonus",
    "worker_contribution",
    "employer_contribution",
    "csss",
    "due_to_onss",
    "onem_allowance",
    "withholding_applies",
)
PERCENT_COLUMNS = {"rate"}


class _Formats:
    def __init__(self, wb: Any):
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EAF1F7"})
        self.money = wb.add_format({"num_format": "#,##0.00"})
        self.percent = wb.add_format({"num_format": "0.00##%"})
        self.fraction = wb.add_format({"num_format": "0.00####"})
        self.integer = wb.add_format({"num_format": "0"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.text = wb.add_format({"num_format": "@"})
        self.total = wb.add_format({"bold": True, "num_format": "#,##0.00", "top": 1})
        self.total_int = wb.add_format({"bold": True, "num_format": "0", "top": 1})
        self.total_text = wb.add_format({"bold": True, "top": 1})

    def for_column(self, name: str, dtype: pl.DataType) -> Any:
        if name in PERCENT_COLUMNS:
            return self.percent
        if isinstance(dtype, pl.Decimal):
            return self.money if dtype.scale == 2 else self.fraction
        if dtype.is_float():
            return self.fraction
        if dtype.is_integer():
            return self.integer
        if dtype == pl.Date:
            return self.date
        if dtype == pl.String:
            return self.text
        return None


def _column_writer(ws: Any, series: pl.Series) -> tuple[Any, list[Any]]:
    """The worksheet method that writes the cells of ``series`` and the cell values, chosen once
    per column (numbers are turned into doubles by polars, not cell by cell)."""
    dtype = series.dtype
    if dtype == pl.Boolean:
        return ws.write_boolean, series.to_list()
    if dtype in (pl.Date, pl.Datetime):
        return ws.write_datetime, series.to_list()
    if dtype.is_numeric():
        return ws.write_number, series.cast(pl.Float64).to_list()
    return ws.write_string, series.cast(pl.String).to_list()


def _write_table(
    wb: Any,
    fmt: _Formats,
    name: str,
    frame: pl.DataFrame,
    labels: Mapping[str, str],
    freeze_cols: int = 0,
    rows: int | None = None,
) -> Any:
    """One worksheet holding ``frame`` under a frozen, filtered header row of ``labels``; only the
    header when the table has more than :data:`WORKBOOK_MAX_ROWS` rows (``rows``, default
    ``frame.height``: a caller may then pass only the table's columns, as an empty frame)."""
    ws = wb.add_worksheet(name)
    frame = text_codes(frame)
    columns = frame.columns
    for j, column in enumerate(columns):
        ws.write_string(0, j, labels.get(column, column), fmt.header)
    ws.set_row(0, 45)
    ws.freeze_panes(1, freeze_cols)
    if (frame.height if rows is None else rows) > WORKBOOK_MAX_ROWS:
        return ws
    for j, (column, dtype) in enumerate(frame.schema.items()):
        cell_format = fmt.for_column(column, dtype)
        write, values = _column_writer(ws, frame.get_column(column))
        for i, value in enumerate(values, start=1):
            if value is not None:
                write(i, j, value, cell_format)
        widest = max([len(labels.get(column, column)) // 2, *(len(str(v)) for v in frame.get_column(column).head(500))])
        ws.set_column(j, j, min(max(widest + 2, 8), 60))
    ws.autofilter(0, 0, max(frame.height, 1), len(columns) - 1)
    return ws


def _too_many(ws: Any, t: Messages, rows: int, file: str) -> None:
    text = t("workbook.too_many_rows", rows=t.integer(rows), limit=t.integer(WORKBOOK_MAX_ROWS), file=file)
    ws.write_string(1, 0, text)


def _listed(
    wb: Any,
    fmt: _Formats,
    t: Messages,
    sheet: str,
    frame: pl.DataFrame,
    file: str,
    freeze_cols: int = 0,
    rows: int | None = None,
) -> Any:
    """:func:`_write_table` of ``frame``, or the line naming ``file`` when it has more rows than a
    sheet lists (``rows``, default ``frame.height``)."""
    rows = frame.height if rows is None else rows
    ws = _write_table(wb, fmt, sheet, frame, _labels(t, frame.columns), freeze_cols, rows)
    if rows > WORKBOOK_MAX_ROWS:
        _too_many(ws, t, rows, file)
    return ws


def _labels(t: Messages, columns: list[str]) -> dict[str, str]:
    return {c: t.column(c) for c in columns}


def _summary(wb: Any, fmt: _Formats, t: Messages, tables: Mapping[str, pl.DataFrame], file: str) -> None:
    per_employer = numbers.figures_of(tables)
    names = numbers.employer_names(tables)
    shown = [f for f in SUMMARY_FIGURES if f not in numbers.OPTIONAL_FIGURES or f in per_employer.columns]
    if "work_bonus" not in per_employer.columns:
        shown.remove("personal_before_bonus")
    frame = per_employer.select(
        "employer_id",
        pl.col("employer_id").replace_strict(names, default=None, return_dtype=pl.String).alias("employer_name"),
        *shown,
    )
    labels = _labels(t, ["employer_id", "employer_name"]) | {f: t(f"figure.{f}") for f in shown}
    if "work_bonus" not in per_employer.columns:
        labels["worker_contribution"] = t.column("worker_contribution")
    ws = _write_table(wb, fmt, t("workbook.sheet_summary"), frame, labels, freeze_cols=2)
    if frame.height > WORKBOOK_MAX_ROWS:
        _too_many(ws, t, frame.height, file)
        return
    total = numbers.figures_total(per_employer)
    row = frame.height + 1
    ws.write_string(row, 0, t("report.all_employers"), fmt.total_text)
    ws.write_blank(row, 1, None, fmt.total_text)
    for j, figure in enumerate(shown, start=2):
        integer = frame.schema[figure].is_integer()
        ws.write_number(row, j, float(total.get(figure, 0)), fmt.total_int if integer else fmt.total)


def _journal(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """``payroll_lines`` with the employee's names and the employer's name beside the identifiers
    (no row when it has more than a sheet lists: only its columns and its height matter then)."""
    lines = tables["payroll_lines"]
    if lines.height > WORKBOOK_MAX_ROWS:
        lines = lines.clear()
    employees = tables.get("employees")
    if employees is not None and {"last_name", "first_name"} <= set(employees.columns):
        # only the employees of the listed lines (the first row of each, as before: filtering keeps the order)
        listed = pl.col("employee_id").is_in(lines.get_column("employee_id").drop_nulls().implode())
        people = (
            employees.select("employee_id", "last_name", "first_name")
            .filter(listed)
            .unique("employee_id", keep="first")
        )
    else:
        people = pl.DataFrame(schema={"employee_id": pl.String, "last_name": pl.String, "first_name": pl.String})
    names = numbers.employer_names(tables)
    out = lines.join(people, on="employee_id", how="left", maintain_order="left").with_columns(
        pl.col("employer_id").replace_strict(names, default=None, return_dtype=pl.String).alias("employer_name")
    )
    first = ["employee_id", "last_name", "first_name", "employer_id", "employer_name"]
    return out.select(*first, *(c for c in lines.columns if c not in first)).sort("employee_id", "period")


def _contributions(t: Messages, by_code: pl.DataFrame, tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    names = numbers.employer_names(tables) if by_code.height else {}
    return by_code.select(
        "employer_id",
        pl.col("employer_id").replace_strict(names, default=None, return_dtype=pl.String).alias("employer_name"),
        pl.col("payer").replace_strict({p: t(f"payer.{p}") for p in ("worker", "employer")}, default=pl.col("payer")),
        pl.col("kind").replace_strict(
            {k: t(f"kind.{k}") for k in ("due", "accrual", "deduction", "withheld")}, default=pl.col("kind")
        ),
        "dmfa_code",
        "contribution",
        pl.col("contribution")
        .replace_strict({c: t.contribution(c) for c in by_code.get_column("contribution").unique()}, default=None)
        .alias("description"),
        "lines",
        "base",
        "rate",
        "amount",
    )


def _rejects(t: Messages, rejects: pl.DataFrame) -> pl.DataFrame:
    shown = numbers.masked_rejects(rejects)
    plain = {c: t.check(c) for c in shown.get_column("check").unique().to_list()}
    return shown.select(
        "source_file",
        "source_line",
        "column",
        "check",
        pl.col("check").replace_strict(plain, default=None, return_dtype=pl.String).alias("message"),
        pl.col("message").alias("detail"),
        "employee_id",
        "value",
    )


def workbook_bytes(tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], lang: str | None = None) -> bytes:
    """``payroll.xlsx`` of a monthly run, as bytes (the job writes them with the other outputs).

    ``tables``: the run's audit tables, plus ``employees`` (for the names) and ``employers`` (for
    the employers' names) when the caller has them; ``manifest``: the run manifest (period, run date).
    """
    import xlsxwriter

    t = messages.get(lang)
    period = str(manifest.get("period", ""))
    run_date = dt.date.fromisoformat(str(manifest.get("run_date", "1980-01-01")))
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buffer, options)
    wb.set_properties(
        {
            "title": t("workbook.title", month=t.month(period) if period else "", run_date=run_date.isoformat()),
            "created": dt.datetime.combine(run_date, dt.time()),
        }
    )
    fmt = _Formats(wb)
    _summary(wb, fmt, t, tables, numbers.file_of(manifest, numbers.EMPLOYER_TOTALS))

    journal = _journal(tables)
    ws = _write_table(wb, fmt, t("workbook.sheet_journal"), journal, _labels(t, journal.columns), freeze_cols=3)
    rows = tables["payroll_lines"].height
    if rows > WORKBOOK_MAX_ROWS:
        _too_many(ws, t, rows, numbers.file_of(manifest, "payroll_lines"))

    by_code = numbers.by_code_of(tables)
    # above the rows a sheet lists, only the columns are written: labelled from an empty frame
    shown = by_code.clear() if by_code.height > WORKBOOK_MAX_ROWS else by_code
    contributions = _contributions(t, shown, tables)
    sheet, file = t("workbook.sheet_contributions"), numbers.file_of(manifest, "contribution_lines")
    _listed(wb, fmt, t, sheet, contributions, file, 2, rows=by_code.height)

    if "rejects" in tables:
        rows = tables["rejects"].height
        rejects = _rejects(t, tables["rejects"].clear() if rows > WORKBOOK_MAX_ROWS else tables["rejects"])
        _listed(wb, fmt, t, t("workbook.sheet_rejects"), rejects, numbers.file_of(manifest, "rejects"), rows=rows)

    parameters = tables.get("parameters")
    if parameters is not None:
        order = ["parameter", "value", "unit", "effective_from", "effective_to", "status"]
        order += ["reference_title", "reference_href", "reference_date", "source"]
        frame = text_codes(parameters.select([c for c in order if c in parameters.columns])).sort("parameter")
        _write_table(wb, fmt, t("workbook.sheet_parameters"), frame, _labels(t, frame.columns), freeze_cols=1)
    wb.close()
    return buffer.getvalue()


def write_workbook(
    tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], path: Path | str, lang: str | None = None
) -> Path:
    """Write :func:`workbook_bytes` to ``path``."""
    path = Path(path)
    path.write_bytes(workbook_bytes(tables, manifest, lang))
    return path
