"""``payroll params show`` as text for a terminal: the legal parameters in force on a date, grouped
by domain (the first segment of the name: ``onss/``, ``withholding/``...), every line at most the
terminal's width.

Each parameter takes two lines: its name (without the domain) and value, then since when it is in
force, its status and its legal reference shortened to the rest of the line (``full=True``: the
whole reference, wrapped, with its address on a line of its own). A scale (``unit: scale``) shows
one bracket per line. Nothing is cut but the shortened reference: a long value or name wraps.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import polars as pl

INDENT = "  "
DETAIL = "      "
MIN_WIDTH = 40


def domain_of(name: pl.Expr) -> pl.Expr:
    """The domain of a parameter name: its first path segment (``onss/worker_rate`` -> ``onss``)."""
    return name.str.split("/").list.first()


def select(table: pl.DataFrame, domain: str = "", name: str = "") -> pl.DataFrame:
    """The rows of a parameters table (:meth:`pipeline.core.params.Parameters.table`) of ``domain``
    (exact, a trailing ``/`` allowed) whose name holds ``name`` (case-insensitive; empty: any)."""
    keep = pl.lit(True)
    if domain:
        keep &= domain_of(pl.col("parameter")) == domain.strip().rstrip("/")
    if name:
        keep &= pl.col("parameter").str.to_lowercase().str.contains(name.strip().lower(), literal=True)
    return table.filter(keep)


def _wrap(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _value_lines(short_name: str, row: dict, width: int) -> list[str]:
    value, unit = row["value"], row["unit"]
    if unit == "scale":
        lines = _wrap(f"{short_name} (scale)", width, INDENT, DETAIL)
        for bracket in value.split("; "):
            lines += _wrap(bracket, width, DETAIL, DETAIL + "  ")
        return lines
    one = f"{INDENT}{short_name} = {value}"
    if len(one) <= width:
        return [one]
    return _wrap(f"{short_name} =", width, INDENT, DETAIL) + _wrap(value, width, DETAIL)


def _reference_lines(row: dict, width: int, full: bool) -> list[str]:
    head = f"since {row['effective_from']}, {row['status']}"
    reference = row["reference"]
    if not full:
        return [_shorten(f"{DETAIL}{head}: {reference}", width)]
    title, _, address = reference.rpartition(" <")
    lines = [f"{DETAIL}{head}"] + _wrap(title or reference, width, DETAIL)
    if title:
        lines.append(f"{DETAIL}<{address}")  # kept whole, to be copied (the only line that may be longer)
    return lines


def _counts(statuses: Iterable[str]) -> str:
    found: dict[str, int] = {}
    for status in statuses:
        found[status] = found.get(status, 0) + 1
    order = ("verified", "secondary", "unverified")
    names = [s for s in order if s in found] + sorted(s for s in found if s not in order)
    return ", ".join(f"{found[s]} {s}" for s in names)


def render(table: pl.DataFrame, on: str, width: int = 80, full: bool = False) -> str:
    """The text of ``payroll params show``: a title, then per domain its name and count and each of
    its parameters (see the module's docstring), at most ``width`` characters a line (at least
    :data:`MIN_WIDTH`; with ``full``, a reference's address may be longer, kept whole)."""
    width = max(width, MIN_WIDTH)
    rows = table.with_columns(domain_of(pl.col("parameter")).alias("_domain")).sort("_domain", "parameter")
    domains = rows.get_column("_domain").unique(maintain_order=True).to_list()
    title = f"Legal parameters in force on {on}: {rows.height} in {len(domains)} domain{'s' * (len(domains) != 1)}"
    lines = _wrap(title, width, "")
    lines += _wrap(f"status: {_counts(rows.get_column('status'))}", width, "")
    if not full:
        lines += _wrap("references shortened: --full shows them whole", width, "")
    for domain in domains:
        members = rows.filter(pl.col("_domain") == domain)
        lines += ["", f"{domain}/ ({members.height})"]
        for row in members.iter_rows(named=True):
            short_name = row["parameter"][len(domain) + 1 :] or row["parameter"]
            lines += _value_lines(short_name, row, width)
            lines += _reference_lines(row, width, full)
    return "\n".join(lines)
