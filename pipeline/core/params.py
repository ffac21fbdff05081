"""Dated legal parameters: one YAML file per parameter, values keyed by effective date.

Layout (``pipeline/parameters/<domain>/<name>.yaml``; the parameter's name is its path without
``.yaml``, e.g. ``onss/worker_rate``)::

    description: Worker (personal) ONSS contribution, worker codes 015/495
    unit: percent            # percent | eur | eur_per_day | days | integer | date | ratio | text | bool | list
    valid_range: {min: 0, max: 100}     # optional, checked on every numeric value
    nullable: false          # optional; true lets a value be null ("not in force from this date")
    values:
      2018-01-01:
        value: 13.07
        status: verified     # verified | secondary | unverified (rules-reference.md tags)
        reference:
          title: ONSS rates file 2026/3, worker codes 015/495
          href: https://www.socialsecurity.be/...
          date: 2026-09-15

A value is in force from its key until the day before the next key. The loader refuses
duplicate keys (overlaps), a first value after ``COVERAGE_START`` (a gap in the history),
missing references or statuses, unknown units and values outside ``valid_range``. Numbers are
read as ``Decimal`` from their text (never through a float); percents are returned as fractions
(13.07 -> 0.1307). Business code only asks "value of X on date D".

A malformed file is one :class:`~pipeline.errors.ParameterFileError` naming the parameter (and the
line): invalid YAML, ``.nan`` or ``.inf`` (no legal figure is infinite), an impossible date
(``2026-02-30``), a ``valid_range`` bound that is not a number.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipeline.errors import MissingParameterError, ParameterFileError, os_error_text

COVERAGE_START = dt.date(2024, 1, 1)
"""Every parameter must be in force from this date on (issue 2: history back to 2024-01-01)."""

UNITS = {"percent", "eur", "eur_per_day", "days", "integer", "date", "ratio", "text", "bool", "list"}
NUMERIC_UNITS = {"percent", "eur", "eur_per_day", "days", "integer", "ratio"}
STATUSES = {"verified", "secondary", "unverified"}
PARAM_DTYPE = pl.Decimal(38, 12)


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader that reads floats as Decimal and refuses duplicate mapping keys."""


def _refuse(node: yaml.Node, problem: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except decimal.InvalidOperation:
        raise _refuse(node, f"{text!r} is not a number a statute can state (NaN or infinity)") from None
    if not number.is_finite():
        raise _refuse(node, f"{text!r} is not a finite number")
    return number


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> dt.date:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise _refuse(node, f"{loader.construct_scalar(node)!r} is not a date of the calendar") from None


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, None] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            raise _refuse(key_node, "a key must be a plain value (a name or a date)") from None
        if duplicate:
            raise _refuse(key_node, f"duplicate key {key!r}")
        seen[key] = None
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_DecimalLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(name: str, exc: yaml.YAMLError) -> str:
    """One line for a YAML error: the parameter, the line, the problem (the file is ours, not data)."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return f"parameter {name}: invalid YAML{where}: {problem}"


@dataclass(frozen=True)
class Value:
    """One dated value of a parameter."""

    effective_from: dt.date
    effective_to: dt.date | None  # inclusive last day, None = still in force
    value: Any
    status: str
    title: str
    href: str
    ref_date: dt.date | None

    @property
    def source(self) -> str:
        """Full citation: reference title, address and verification status."""
        return f"{self.title} <{self.href}> [{self.status}]"

    def key(self, name: str) -> str:
        """Compact citation written on every computed line: ``parameter@effective_from [status]``.
        The run's ``parameters`` table gives the full reference for each key."""
        return f"{name}@{self.effective_from.isoformat()} [{self.status}]"


@dataclass(frozen=True)
class Parameter:
    """A parameter and its history, oldest first."""

    name: str
    description: str
    unit: str
    values: tuple[Value, ...]

    def at(self, on: dt.date) -> Value:
        """The value in force on ``on``; raises :class:`MissingParameterError` before the first."""
        found = None
        for value in self.values:
            if value.effective_from <= on:
                found = value
            else:
                break
        if found is None:
            raise MissingParameterError(self.name, on)
        return found


def _convert(raw: Any, unit: str, where: str) -> Any:
    if raw is None:
        return None
    if unit in NUMERIC_UNITS:
        if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
            raise ParameterFileError(f"{where}: value {raw!r} is not a number")
        try:
            number = Decimal(raw)
            if unit == "integer" and number != number.to_integral_value():
                raise ParameterFileError(f"{where}: value {raw!r} is not an integer")
            return number / 100 if unit == "percent" else number
        except decimal.DecimalException:
            raise ParameterFileError(f"{where}: value {raw!r} is out of any plausible range") from None
    if unit == "date":
        if not isinstance(raw, dt.date):
            raise ParameterFileError(f"{where}: value {raw!r} is not a date")
        return raw
    if unit == "bool":
        if not isinstance(raw, bool):
            raise ParameterFileError(f"{where}: value {raw!r} is not a boolean")
        return raw
    if unit == "list":
        if not isinstance(raw, list):
            raise ParameterFileError(f"{where}: value {raw!r} is not a list")
        return tuple(raw)
    return str(raw)


def _parse(name: str, doc: Any) -> Parameter:
    where = f"parameter {name}"
    if not isinstance(doc, dict):
        raise ParameterFileError(f"{where}: not a mapping")
    unknown = set(doc) - {"description", "unit", "valid_range", "nullable", "values", "notes"}
    if unknown:
        raise ParameterFileError(f"{where}: unknown keys {sorted(unknown)}")
    unit = doc.get("unit")
    if unit not in UNITS:
        raise ParameterFileError(f"{where}: unit {unit!r} not in {sorted(UNITS)}")
    if not doc.get("description"):
        raise ParameterFileError(f"{where}: description missing")
    raw_values = doc.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterFileError(f"{where}: no values")
    bounds = doc.get("valid_range") or {}
    if not isinstance(bounds, dict) or set(bounds) - {"min", "max"}:
        raise ParameterFileError(f"{where}: valid_range must be a mapping with min and/or max")
    for side, bound in bounds.items():
        if isinstance(bound, bool) or not isinstance(bound, (int, Decimal)):
            raise ParameterFileError(f"{where}: valid_range {side} {bound!r} is not a number")
    nullable = bool(doc.get("nullable", False))
    keys = list(raw_values)
    if any(not isinstance(k, dt.date) or isinstance(k, dt.datetime) for k in keys):
        raise ParameterFileError(f"{where}: every values key must be an ISO date")
    if keys != sorted(keys):
        raise ParameterFileError(f"{where}: values must be in date order")
    if keys[0] > COVERAGE_START:
        raise ParameterFileError(
            f"{where}: history starts {keys[0]}, after {COVERAGE_START} (gap: document the earlier value)"
        )
    values = []
    for i, key in enumerate(keys):
        entry = raw_values[key]
        at = f"{where} @ {key}"
        if not isinstance(entry, dict) or "value" not in entry:
            raise ParameterFileError(f"{at}: needs value, status and reference")
        if entry.get("status") not in STATUSES:
            raise ParameterFileError(f"{at}: status must be one of {sorted(STATUSES)}")
        ref = entry.get("reference") or {}
        if not isinstance(ref, dict) or not ref.get("title") or not ref.get("href"):
            raise ParameterFileError(f"{at}: reference needs a title and an href")
        value = _convert(entry["value"], unit, at)
        if value is None and not nullable:
            raise ParameterFileError(f"{at}: null value but the parameter is not nullable")
        if value is not None and unit in NUMERIC_UNITS and bounds:
            shown = Decimal(entry["value"])
            if ("min" in bounds and shown < Decimal(bounds["min"])) or (
                "max" in bounds and shown > Decimal(bounds["max"])
            ):
                raise ParameterFileError(f"{at}: value {shown} outside valid_range {bounds}")
        end = keys[i + 1] - dt.timedelta(days=1) if i + 1 < len(keys) else None
        values.append(Value(key, end, value, entry["status"], str(ref["title"]), str(ref["href"]), ref.get("date")))
    return Parameter(name, str(doc["description"]), unit, tuple(values))


class Parameters:
    """The loaded, checked bundle of legal parameters."""

    def __init__(self, params: dict[str, Parameter], digest: str):
        self._params = params
        self.bundle_hash = digest

    @classmethod
    def load(cls, root: Path | None = None) -> Parameters:
        """Load and check every ``*.yaml`` below ``root`` (default: the packaged parameters)."""
        base = Path(root) if root is not None else Path(str(resources.files("pipeline") / "parameters"))
        files = sorted(p for p in base.rglob("*.yaml"))
        if not files:
            raise ParameterFileError(f"no parameter files under {base}")
        params: dict[str, Parameter] = {}
        digest = hashlib.sha256()
        for path in files:
            name = path.relative_to(base).with_suffix("").as_posix()
            try:
                text = path.read_bytes()
            except OSError as exc:
                raise ParameterFileError(os_error_text(exc, f"parameter {name}: cannot read")) from None
            digest.update(name.encode() + b"\0" + text + b"\0")
            try:
                params[name] = _parse(name, yaml.load(text, Loader=_DecimalLoader))
            except yaml.YAMLError as exc:
                raise ParameterFileError(_yaml_problem(name, exc)) from None
        return cls(params, digest.hexdigest())

    def names(self) -> list[str]:
        return sorted(self._params)

    def get(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise ParameterFileError(f"unknown parameter {name!r}") from None

    def entry(self, name: str, on: dt.date) -> Value:
        """The dated value (with its reference) of ``name`` in force on ``on``."""
        return self.get(name).at(on)

    def value(self, name: str, on: dt.date) -> Any:
        """The value of ``name`` in force on ``on`` (percent as a fraction)."""
        return self.entry(name, on).value

    def series(self, name: str) -> pl.DataFrame:
        """History of a numeric parameter as a frame for ``join_asof``.

        Columns: ``effective_from`` (Date), ``effective_to`` (Date, null = open), ``value``
        (Decimal(38,12), null where the parameter is not in force), ``source`` (String).
        """
        param = self.get(name)
        if param.unit not in NUMERIC_UNITS:
            raise ParameterFileError(f"parameter {name} is not numeric")
        return pl.DataFrame(
            {
                "effective_from": [v.effective_from for v in param.values],
                "effective_to": [v.effective_to for v in param.values],
                "value": [v.value for v in param.values],
                "source": [v.source for v in param.values],
            },
            schema={"effective_from": pl.Date, "effective_to": pl.Date, "value": PARAM_DTYPE, "source": pl.String},
        )

    def lookup(self, frame: pl.DataFrame, name: str, on: str, alias: str) -> pl.DataFrame:
        """Add column ``alias`` = value of ``name`` in force on each row's date column ``on``.

        Vectorised as-of join. Raises :class:`MissingParameterError` when a row's date is
        before the parameter's history.
        """
        series = self.series(name).select(pl.col("effective_from").alias("__eff"), pl.col("value").alias(alias))
        if frame.height and frame.get_column(on).min() < series.get_column("__eff").min():
            raise MissingParameterError(name, frame.get_column(on).min())
        order = "__lookup_order"
        joined = (
            frame.with_row_index(order)
            .sort(on)
            .join_asof(series, left_on=on, right_on="__eff", strategy="backward", check_sortedness=False)
            .sort(order)
            .drop(order, "__eff")
        )
        return joined

    def _values(self, on: dt.date | None) -> Iterator[tuple[Parameter, Value]]:
        """Every (parameter, value) pair, or with ``on`` the value in force that day (parameters
        not yet in force are left out)."""
        for param in self._params.values():
            if on is None:
                yield from ((param, v) for v in param.values)
                continue
            try:
                yield param, param.at(on)
            except MissingParameterError:
                continue

    def table(self, on: dt.date | None = None) -> pl.DataFrame:
        """Every value (or, with ``on``, the values in force that day) as a readable table."""
        rows = []
        for param, v in self._values(on):
            shown = v.value
            if param.unit == "percent" and shown is not None:
                shown = f"{(shown * 100).normalize():f} %"
            elif isinstance(shown, Decimal):
                shown = f"{shown.normalize():f}"
            rows.append(
                {
                    "parameter": param.name,
                    "effective_from": v.effective_from,
                    "effective_to": v.effective_to,
                    "value": "—" if shown is None else str(shown),
                    "unit": param.unit,
                    "status": v.status,
                    "reference": f"{v.title} <{v.href}>",
                }
            )
        schema = {
            "parameter": pl.String,
            "effective_from": pl.Date,
            "effective_to": pl.Date,
            "value": pl.String,
            "unit": pl.String,
            "status": pl.String,
            "reference": pl.String,
        }
        return pl.DataFrame(rows, schema=schema).sort("parameter", "effective_from")

    def citation_types(self, on: dt.date) -> dict[str, pl.Enum]:
        """Types of the ``parameter`` and ``source`` columns of tables computed for a period starting
        on ``on``: enumerations of every parameter in force and of its citation (:meth:`Value.key`).

        The ``parameters`` audit table and ``contribution_lines`` share them, so a line joins its
        legal reference on ``source`` (or ``parameter``) directly, in Parquet as in memory.
        """
        pairs = list(self._values(on))
        return {
            "parameter": pl.Enum(sorted(param.name for param, _ in pairs)),
            "source": pl.Enum(sorted(v.key(param.name) for param, v in pairs)),
        }

    def in_force(self, on: dt.date) -> pl.DataFrame:
        """The audit table ``parameters``: every value in force on ``on``, one row per parameter,
        keyed by ``source`` (the compact citation that computed lines carry, :meth:`Value.key`),
        with the exact value, its dates, status and full legal reference."""
        rows = []
        for param, v in self._values(on):
            value = v.value
            if isinstance(value, tuple):
                value = ", ".join(str(x) for x in value)
            rows.append(
                {
                    "source": v.key(param.name),
                    "parameter": param.name,
                    "value": None if value is None else (f"{value:f}" if isinstance(value, Decimal) else str(value)),
                    "unit": param.unit,
                    "effective_from": v.effective_from,
                    "effective_to": v.effective_to,
                    "status": v.status,
                    "reference_title": v.title,
                    "reference_href": v.href,
                    "reference_date": v.ref_date,
                }
            )
        schema = {
            **self.citation_types(on),
            "value": pl.String,
            "unit": pl.String,
            "effective_from": pl.Date,
            "effective_to": pl.Date,
            "status": pl.String,
            "reference_title": pl.String,
            "reference_href": pl.String,
            "reference_date": pl.Date,
        }
        return pl.DataFrame(rows, schema=schema).sort("parameter")


@lru_cache(maxsize=1)
def default_parameters() -> Parameters:
    """The packaged parameter bundle, loaded once per process."""
    return Parameters.load()
