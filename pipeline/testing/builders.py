"""Test builders derived from the input contract (``schemas.inputs.INPUTS``): a test names only the
columns it cares about, every other required column gets a valid value.

    employees(residence_country="FR")                      # one French resident
    employees({"worker_status": "blue_collar"}, {})        # two rows, one override on the first
    pay(gross_salary=["2500.00", "3100.00"])               # pay rows of E1 and E2
    write_batch(tmp_path, employees=employees(n=2), pay=pay(n=2))

- The frames are the **text** form of an input, as ``pipeline.intake.reading`` gives it: every
  canonical column in contract order, as ``pl.String``; columns with a contract default hold it
  (as reading fills it in), the other optional columns are null unless given.
- Keyword arguments are columns: a scalar is the value of every row, a list one value per row.
  Positional dicts are rows (their keys override that row only). ``n`` sets the row count when
  neither says it. ``None`` given explicitly is kept (to test a missing required value).
- Values may be text or Python values written as a file would hold them: ``date`` as ISO,
  ``bool`` as ``true``/``false``, ``int`` and ``Decimal`` as digits. Floats are refused: money is
  never a binary float.
- Default identifiers: row ``i`` (from 0) is employee ``E{i+1}``; the employer of every employee
  is :data:`EMPLOYER_ID`, the first row of :func:`employers`; NISS numbers are built from the row's
  birth date (or 30 July 1985) and serial ``i + 1`` with the mod-97 check of the national register
  (Royal Decree of 3 April 1984 on the national register number; the same numbers pass
  ``schemas.checks.niss_ok``), ONSS employer numbers with the ONSS check digits, so references
  between the default frames agree and validate.

:func:`as_validated` gives the typed frame validation produces (:func:`validated` builds it from
the same arguments as the text builders, for rule tests), :func:`raw_batch` the
``RawInput`` objects ``read_batch`` would give (no file), :func:`write_batch` a batch folder
of CSV files that the CLI can run on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.intake.reading import UNREAD, UNREAD_KIND, RawInput
from pipeline.testing import synthetic
from schemas.inputs import INPUTS, typed

PERIOD = "2026-10"
"""Default pay period of the builders."""
DEFAULT_BIRTH_DATE = dt.date(1985, 7, 30)
"""Birth date behind the default NISS numbers (when a row gives none)."""
FIXED_TERM_KINDS = ("fixed_term", "specific_work")
"""Contract types that need a contract_end (a default one is built: one year from the start)."""

_EMPLOYER_BASE = 1_234_567
"""Base number N of the default ONSS employer numbers (row i: N + i)."""

EMPLOYER_ID: str = pl.select(synthetic.onss_number(pl.lit(_EMPLOYER_BASE))).item()
"""The ONSS number of the default employer (first row of :func:`employers`)."""


def _row() -> pl.Expr:
    return pl.int_range(pl.len(), dtype=pl.Int64)


def _employee_id() -> pl.Expr:
    return pl.lit("E") + (_row() + 1).cast(pl.String)


def _niss() -> pl.Expr:
    birth = pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False).fill_null(pl.lit(DEFAULT_BIRTH_DATE))
    return synthetic.niss_number(birth, _row() + 1, pl.lit(0))


def _contract_end() -> pl.Expr:
    start = pl.col("contract_start").str.to_date("%Y-%m-%d", strict=False)
    end = start.dt.offset_by("1y").dt.offset_by("-1d").dt.to_string("%Y-%m-%d")
    return pl.when(pl.col("contract_type").is_in(FIXED_TERM_KINDS)).then(end)


DEFAULTS: dict[str, dict[str, Callable[[], pl.Expr]]] = {
    "employers": {
        "employer_id": lambda: synthetic.onss_number(_row() + _EMPLOYER_BASE),
    },
    "employees": {
        "employee_id": _employee_id,
        "employer_id": lambda: pl.lit(EMPLOYER_ID),
        "niss": _niss,  # after birth_date (it reads it)
        "last_name": lambda: pl.lit("Lastname") + (_row() + 1).cast(pl.String),
        "first_name": lambda: pl.lit("Firstname"),
        "worker_status": lambda: pl.lit("white_collar"),
        "contract_type": lambda: pl.lit("open_ended"),
        "contract_start": lambda: pl.lit("2020-01-01"),
        "contract_end": _contract_end,  # after contract_start and contract_type
        "residence_country": lambda: pl.lit("BE"),
    },
    "pay": {
        "employee_id": _employee_id,
        "period": lambda: pl.lit(PERIOD),
        "gross_salary": lambda: pl.lit("3000.00"),
    },
    "absences": {
        "employee_id": _employee_id,
        "start_date": lambda: pl.lit("2026-10-05"),
        "end_date": lambda: pl.lit("2026-10-09"),
        "cause": lambda: pl.lit("illness"),
    },
}
"""Builder values of the columns that need one (every required column, and contract_end where
the contract type requires it); columns with a contract default take it from ``schemas.inputs``."""


def text(value: Any) -> str | None:
    """A Python value as a file's cell holds it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError(f"{value!r}: give amounts and fractions as text or Decimal, never as a float")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{value!r}: no text form for {type(value).__name__}")


def _rows(name: str, rows: tuple[Mapping[str, Any], ...], n: int | None, columns: dict[str, Any]) -> list[dict]:
    """One dict per row with only the cells the test gave (a missing key: the builder's value)."""
    known = [c.name for c in INPUTS[name].columns]
    unknown = sorted(({k for row in rows for k in row} | set(columns)) - set(known))
    if unknown:
        raise ValueError(f"{name}: unknown columns {unknown}; the input has {known}")
    lengths = {len(v) for v in columns.values() if isinstance(v, (list, tuple))}
    if rows:
        lengths.add(len(rows))
    if n is not None:
        lengths.add(n)
    if len(lengths) > 1:
        raise ValueError(f"{name}: row counts disagree: {sorted(lengths)}")
    count = lengths.pop() if lengths else 1
    out = [dict(rows[i]) if rows else {} for i in range(count)]
    for column, value in columns.items():
        for i, row in enumerate(out):
            row.setdefault(column, value[i] if isinstance(value, (list, tuple)) else value)
    return out


def build(name: str, *rows: Mapping[str, Any], n: int | None = None, **columns: Any) -> pl.DataFrame:
    """The text frame of input ``name`` (see the module docstring)."""
    spec = INPUTS[name]
    given = _rows(name, rows, n, columns)
    frame = pl.DataFrame(
        {
            **{c.name: pl.Series([text(r.get(c.name)) for r in given], dtype=pl.String) for c in spec.columns},
            **{f"__given_{c.name}": pl.Series([c.name in r for r in given], dtype=pl.Boolean) for c in spec.columns},
        }
    )
    builder = DEFAULTS[name]
    fills = [(c.name, pl.lit(c.default, pl.String)) for c in spec.columns if c.default is not None]
    fills += [(column, make()) for column, make in builder.items()]
    for column, value in fills:  # one at a time: a builder value may read a column filled before it
        frame = frame.with_columns(
            pl.when(pl.col(f"__given_{column}")).then(pl.col(column)).otherwise(value).alias(column)
        )
    return frame.select(c.name for c in spec.columns)


def employers(*rows: Mapping[str, Any], n: int | None = None, **columns: Any) -> pl.DataFrame:
    """``employers`` as text; row 0 is :data:`EMPLOYER_ID`, the employer of the default employees."""
    return build("employers", *rows, n=n, **columns)


def employees(*rows: Mapping[str, Any], n: int | None = None, **columns: Any) -> pl.DataFrame:
    """``employees`` as text: E1, E2, ... white collars on open-ended contracts, resident in Belgium."""
    return build("employees", *rows, n=n, **columns)


def pay(*rows: Mapping[str, Any], n: int | None = None, **columns: Any) -> pl.DataFrame:
    """``pay`` as text: 3,000.00 gross for E1, E2, ... in :data:`PERIOD`."""
    return build("pay", *rows, n=n, **columns)


def absences(*rows: Mapping[str, Any], n: int | None = None, **columns: Any) -> pl.DataFrame:
    """``absences`` as text: an illness of E1, E2, ... from 5 to 9 October 2026."""
    return build("absences", *rows, n=n, **columns)


def as_text(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A frame of input ``name`` (text or typed, any subset of its columns) in the text form:
    every canonical column in contract order as ``pl.String`` (typed values written as in a file)."""
    spec = INPUTS[name]
    exprs = []
    for col in spec.columns:
        if col.name not in frame.columns:
            exprs.append(pl.lit(None, pl.String).alias(col.name))
            continue
        dtype = frame.schema[col.name]
        c = pl.col(col.name)
        if dtype == pl.Boolean:
            c = pl.when(c).then(pl.lit("true")).when(c.is_not_null()).then(pl.lit("false"))
        elif dtype == pl.Date:
            c = c.dt.to_string("%Y-%m-%d")
        exprs.append(c.cast(pl.String).alias(col.name))
    return frame.select(exprs)


def _with_source(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Source columns as reading adds them: file ``<input>.csv``, header on line 1."""
    return frame.with_columns(pl.lit(f"{name}.csv").alias("source_file"), (_row() + 2).alias("source_line"))


def as_validated(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The typed frame validation gives for the (valid) text frame ``frame`` of input ``name``."""
    return typed(INPUTS[name], _with_source(name, as_text(name, frame)))


def validated(name: str, *rows: Mapping[str, Any], n: int | None = None, **columns: Any) -> pl.DataFrame:
    """The typed frame of input ``name`` built from the same arguments as :func:`build`: what a
    rule receives after validation (source file ``<input>.csv``, lines from 2)."""
    return as_validated(name, build(name, *rows, n=n, **columns))


def raw_batch(**frames: pl.DataFrame) -> dict[str, RawInput]:
    """The ``RawInput`` of each given input as ``read_batch`` gives it for a canonical CSV file
    (``pipeline.intake.validation.validate_batch`` takes it as it is). No file is written."""
    out = {}
    for name, frame in frames.items():
        body = as_text(name, frame)
        digest = hashlib.sha256(body.write_csv().encode()).hexdigest()
        frame = _with_source(name, body).with_columns(pl.lit(None, UNREAD_KIND).alias(UNREAD))
        out[name] = RawInput(name, Path(f"{name}.csv"), frame, digest, "csv (built)", ())
    return out


def write_batch(
    folder: str | Path,
    *,
    employees: pl.DataFrame | None = None,
    pay: pl.DataFrame | None = None,
    employers: pl.DataFrame | None = None,
    absences: pl.DataFrame | None = None,
    fmt: str = "csv",
) -> Path:
    """Write a batch folder (``<input>.csv``, or ``.parquet`` with ``fmt``) a test can run the CLI
    on. The two required inputs default to one built row each (E1, paid in :data:`PERIOD`); the
    optional ones are written only when given."""
    frames = {
        "employers": employers,
        "employees": employees if employees is not None else build("employees"),
        "pay": pay if pay is not None else build("pay"),
        "absences": absences,
    }
    texts = {name: as_text(name, frame) for name, frame in frames.items() if frame is not None}
    synthetic.write_batch(texts, folder, fmt)
    return Path(folder)
