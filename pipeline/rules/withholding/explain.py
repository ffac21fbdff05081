"""One withholding decision as text (``payroll explain EMPLOYEE --period P``).

The path through the table is read from the table itself: every row's condition and evidence are
the polars expressions of :mod:`pipeline.rules.withholding.table`, evaluated on the employee's
decision line (a one-row frame), so the explanation cannot drift from the decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from pipeline.core.params import Parameters
from pipeline.rules.withholding import table
from pipeline.rules.withholding.decide import LINE_SCHEMA, WithholdingResult
from pipeline.rules.withholding.table import FR_EXIT_LIMIT_DEFINITIVE, FR_EXIT_LIMIT_YEAR_LOST, ROW_OF, Context

HEADER = "Decision table of docs/withholding.md, rows evaluated top-down; the first row whose condition holds decides."


def _yes(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def _evaluate(line: pl.DataFrame) -> list[tuple[table.Row, bool, str]]:
    """(row, its condition holds, evidence) for every row of the table, on a one-row frame of ``lines``."""
    ctx = Context(line.item(0, "period"))
    got = line.select(
        *(table.holds(row, ctx).alias(f"holds_{row.number}") for row in table.TABLE),
        *(row.evidence().alias(f"evidence_{row.number}") for row in table.TABLE),
    ).row(0, named=True)
    return [(row, got[f"holds_{row.number}"], got[f"evidence_{row.number}"]) for row in table.TABLE]


def _one_row(line: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([{c: line.get(c) for c in LINE_SCHEMA}], schema=LINE_SCHEMA)


def explain(line: dict[str, Any] | pl.DataFrame, params: Parameters | None = None) -> str:
    """The path through the decision table for one line of :attr:`WithholdingResult.lines`.

    ``line`` is one row, as a dict (``lines.row(i, named=True)``) or a one-row frame; it carries
    every input and counter used, so no other frame is needed. With ``params`` the legal parameters
    the evaluated rows read are cited with their sources.
    """
    frame = line if isinstance(line, pl.DataFrame) else _one_row(line)
    line = frame.row(0, named=True)
    res = line.get("residence_country")
    out = [
        f"Withholding tax (PP/BV) decision for employee {line['employee_id']}, period {line['period']}",
        HEADER,
        f"Inputs: residence {res}; days worked this month: Belgium {line.get('days_worked_be')}, residence State "
        f"{line.get('days_worked_residence')}, other States {line.get('days_worked_other')}; year to date "
        f"({line.get('ytd_periods')}): Belgium {line.get('days_be_ytd')} of {line.get('days_worked_ytd')} days worked, "
        f"{line.get('days_outside_be_ytd')} days outside Belgium",
    ]
    if line.get("ytd_missing_periods"):
        out.append(
            f"Warning: no pay row for the month(s) {line['ytd_missing_periods']} of employment this year: "
            "their days are missing from the year-to-date counters."
        )
    decided = line["table_row"]
    skipped: list[int] = []
    parameters: list[str] = []

    def flush() -> None:
        if skipped:
            out.append(f"  rows {skipped[0]}-{skipped[-1]}: not applicable (residence {res})")
            skipped.clear()

    for row, holds, evidence in _evaluate(frame):
        if row.number > decided:
            break
        if row.scope is not None and row.scope != res:
            skipped.append(row.number)
            continue
        flush()
        parameters += [name for name in row.parameters if name not in parameters]
        verdict = (
            "YES -> decides" if row.number == decided else ("no" if not holds else "holds but an earlier row decided")
        )
        out.append(f"  row {row.number:>2} {row.label}: {verdict} [{evidence}]")
    flush()
    out.append(
        f"Result: {line['withholding_reason']} (row {decided}); Belgian withholding tax applies: "
        f"{_yes(line['withholding_applies'])}; taxable share in Belgium {_share_text(line)}"
    )
    if line.get("withholding_reason") == FR_EXIT_LIMIT_YEAR_LOST:
        out.append(
            "The frontier regime is lost for the whole calendar year (one-time second chance; it comes back "
            "next year); record fr_second_chance_used = true for the following years."
        )
    if line.get("regularisation_required"):
        out.append(
            f"Regularisation required: PP was not withheld in {line['regularisation_periods']}; "
            f"regularise these months of the year (row {ROW_OF[FR_EXIT_LIMIT_YEAR_LOST]}: the year is lost "
            "as a whole, avenant FR-BE of 12 December 2008 art. 2 §5)."
        )
    if line.get("withholding_reason") == FR_EXIT_LIMIT_DEFINITIVE:
        out.append("Second excess: the frontier regime is lost for good; record fr_grandfathered = false.")
    if params is not None:
        on = dt.date(int(line["period"][:4]), int(line["period"][5:7]), 1)
        for name in parameters:
            entry = params.entry(name, on)
            out.append(f"Parameter {name} = {entry.value} (in force from {entry.effective_from}): {entry.source}")
    return "\n".join(out)


def _share_text(line: dict[str, Any]) -> str:
    share, basis = line["taxable_share_be"], line.get("taxable_share_basis")
    if basis == "days_month":
        return (
            f"{line['days_worked_be']} / ({line['days_worked_be']} + {line['days_worked_residence']} + "
            f"{line['days_worked_other']}) = {share} (rounded half-up to 4 decimals)"
        )
    if basis == "days_year_to_date":
        return (
            f"no working day this month, so the year-to-date days: {line['days_be_ytd']} / "
            f"{line['days_worked_ytd']} = {share}"
        )
    if basis == "no_working_day_in_year":
        return f"{share} (no working day in the year so far: all pay attributed to Belgium, the State of employment)"
    return f"{share} ({basis})"


def explain_employee(result: WithholdingResult, employee_id: str, params: Parameters | None = None) -> str:
    """:func:`explain` for one employee of a result, or the reasons why no decision was made."""
    found = result.lines.filter(pl.col("employee_id") == employee_id)
    if found.height:
        return "\n\n".join(explain(found.slice(i, 1), params) for i in range(found.height))
    why = result.rejects.filter(pl.col("employee_id") == employee_id)
    if why.height == 0:
        return f"No pay row for employee {employee_id} in this period: no withholding decision."
    lines = [f"No withholding decision for employee {employee_id}: input rejected"]
    for r in why.iter_rows(named=True):
        lines.append(f"  {r['source_file']}:{r['source_line']} column {r['column']} ({r['check']}): {r['message']}")
    return "\n".join(lines)
