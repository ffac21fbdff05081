"""The payroll rules: pure functions on polars frames, one module per rule."""

from collections.abc import Sequence

import polars as pl


def output_schema(schema: dict[str, pl.DataType], columns: Sequence[str] | None) -> dict[str, pl.DataType]:
    """A rule's output ``schema`` restricted to ``columns`` (in the schema's order; the whole schema
    when None). A rule asked for some columns only selects them in its lazy plan, so polars computes
    only what they need and never holds the others (at a million rows, the work bonus's temporary
    columns take 0.13 GB instead of 0.66 when only the contribution lines' columns are asked for)."""
    if columns is None:
        return schema
    unknown = sorted(set(columns) - schema.keys())
    if unknown:
        raise ValueError(f"unknown output column(s): {', '.join(unknown)}")
    return {name: dtype for name, dtype in schema.items() if name in columns}
