"""Frame helpers shared by the guaranteed-wage steps: parameter look-ups on the rows that need them
(the per-employee window expressions are in :mod:`pipeline.core.keys`)."""

from __future__ import annotations

import polars as pl

from pipeline.core.params import Parameters


def lookup_on(
    frame: pl.DataFrame, on: str, names: dict[str, str], params: Parameters, where: pl.Expr | None = None
) -> pl.DataFrame:
    """Add one column per parameter (alias -> name), the value in force on the date column ``on``.

    Only the rows where ``where`` holds need the value: the others get null and are never looked up,
    so a date before a parameter's history raises :class:`~pipeline.errors.MissingParameterError`
    only where a row really needs that value. The look-up runs on the distinct dates (a few dozen
    rows) and is joined back, so its cost does not grow with the number of rows; a value that is
    the same on every date (a month's days, as a rule) is added as a constant, without a join.
    """
    needed = frame if where is None else frame.filter(where)
    dates = needed.select(pl.col(on)).unique().drop_nulls()
    for alias, name in names.items():
        dates = params.lookup(dates, name, on=on, alias=alias)
    if where is None:
        return _join_values(frame, dates, on, list(names))
    flag = "__lookup_needed"
    out = frame.with_columns(where.fill_null(False).alias(flag)).join(dates, on=on, how="left", maintain_order="left")
    return out.with_columns([pl.when(pl.col(flag)).then(pl.col(alias)).alias(alias) for alias in names]).drop(flag)


def _join_values(frame: pl.DataFrame, values: pl.DataFrame, on: str, names: list[str]) -> pl.DataFrame:
    """``frame`` with the columns ``names`` of ``values`` (one row per distinct ``on``) matched on
    ``on``: the columns holding one value are literals (when no ``on`` is null), the others joined."""
    constant = {}
    if frame.get_column(on).null_count() == 0:
        constant = {name: values.get_column(name) for name in names if values.get_column(name).n_unique() == 1}
    varying = [name for name in names if name not in constant]
    out = frame.join(values.select(on, *varying), on=on, how="left", maintain_order="left") if varying else frame
    out = out.with_columns(pl.lit(column[0], column.dtype).alias(name) for name, column in constant.items())
    return out.select(*frame.columns, *names)


def max_value(params: Parameters, name: str) -> int:
    """The largest value a numeric parameter ever takes (to bound what a look-up could need)."""
    return int(max(v.value for v in params.get(name).values if v.value is not None))


def member(ids: pl.DataFrame) -> pl.Expr:
    """True where employee_id is one of ``ids`` (a small frame): a semi-join as a mask, order kept."""
    return pl.col("employee_id").is_in(ids.get_column("employee_id").implode()).fill_null(False)
