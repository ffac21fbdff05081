"""Dated legal parameters: one YAML file per parameter, values keyed by effective date.

Layout (``pipeline/parameters/<domain>/<name>.yaml``; the parameter's name is its path without
``.yaml``, e.g. ``onss/worker_rate``)::

    description: Worker (personal) ONSS contribution, worker codes 015/495
    unit: percent            # percent | eur | eur_per_day | days | integer | date | ratio | text | bool | list | scale
    valid_range: {min: 0, max: 100}     # optional, checked on every numeric value
    nullable: false          # optional; true lets a value be null ("not in force from this date")
    values:
      2018-01-01:
        value: 13.07
        status: verified     # verified (official source) | secondary (secondary source) | unverified
        reference:
          title: ONSS rates file 2026/3, worker codes 015/495
          href: https://www.socialsecurity.be/...
          date: 2026-09-15

A value is in force from its key until the day before the next key. The loader refuses
duplicate keys (overlaps), a first value after ``COVERAGE_START`` (a gap in the history),
missing references or statuses, unknown units and values outside ``valid_range``. Numbers are
read as ``Decimal`` from their text (never through a float); percents are returned as fractions
(13.07 -> 0.1307). Business code only asks "value of X on date D".

A ``scale`` is a list of brackets, for a family of amounts that is one legal table (the work-bonus
volets, the CSSS of a household, the beta steps of the structural reduction). The file declares
the unit of each bracket field under ``scale``; a bracket may use only the fields declared::

    unit: scale
    scale: {variable: S, threshold: eur, amount: eur, rate: ratio, base: eur}
    values:
      2026-09-01:
        value:
          - {from: 0, amount: 171.99}                                   # S <= 2,300.62
          - {above: 2300.62, amount: 171.99, rate: -0.2699, base: 2300.62}
          - {above: 2937.93}                                            # S > 2,937.93: 0
        status: secondary
        reference: {...}

``variable`` and ``formula_variable`` optionally name, for texts, the figure the thresholds compare
and the one the formulas use (a CSSS band is chosen on the quarter Q, its formula applies to the
month m). Each bracket starts at ``from`` (x >= threshold) or ``above`` (x > threshold) and holds until the
next bracket starts; thresholds strictly increase and the first bracket is a ``from``. Its value is
``amount + rate x (x - base)`` (absent fields are 0; ``rate`` and ``base`` go together), kept
within ``min`` / ``max`` when given, or ``1 / x`` when ``reciprocal: true``. Field units are any
numeric unit above (``percent`` read as a fraction) and ``bool`` for ``reciprocal``. The value is
a :class:`Scale`; its brackets are evaluated as polars expressions (:meth:`Scale.band`,
:meth:`Scale.value`), unrounded: the rule that uses a scale rounds where its law says.

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

from pipeline.core.money import WHOLE, WIDE, decimal_places, rescaled, units_lit
from pipeline.errors import MissingParameterError, ParameterFileError, os_error_text

COVERAGE_START = dt.date(2024, 1, 1)
"""Every parameter must be in force from this date on (every history reaches back at least to 2024-01-01)."""

UNITS = {"percent", "eur", "eur_per_day", "days", "integer", "date", "ratio", "text", "bool", "list", "scale"}
NUMERIC_UNITS = {"percent", "eur", "eur_per_day", "days", "integer", "ratio"}
STATUSES = {"verified", "secondary", "unverified"}
PARAM_DTYPE = pl.Decimal(38, 12)
IN_FORCE_CITATIONS = ("parameter", "source")
"""The first two columns of the ``parameters`` audit table (:meth:`Parameters.in_force`): the
parameter and its citation, enumerations of the values in force (:meth:`Parameters.citation_types`)."""
IN_FORCE_SCHEMA: dict[str, pl.DataType] = {
    "value": pl.String,
    "unit": pl.String,
    "effective_from": pl.Date,
    "effective_to": pl.Date,
    "status": pl.String,
    "reference_title": pl.String,
    "reference_href": pl.String,
    "reference_date": pl.Date,
}
"""The other columns of the ``parameters`` audit table, in order, after :data:`IN_FORCE_CITATIONS`
(``schemas.outputs`` declares the table from these two)."""


class _DecimalLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader (libyaml's parser when PyYAML has it: ten times faster) that reads floats as Decimal and
    refuses duplicate mapping keys."""


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


# --------------------------------------------------------------------------------------------
# The ``scale`` unit: brackets of one legal table
# --------------------------------------------------------------------------------------------
SCALE_FIELDS = ("amount", "rate", "base", "min", "max", "reciprocal")
"""Fields a bracket may carry besides its threshold (``from`` or ``above``)."""

SCALE_LABELS = ("variable", "formula_variable")
"""Optional names shown in texts: of the figure the thresholds compare (default ``x``) and of the
figure the formulas use (default: the same)."""


def number_text(value: Decimal | None, unit: str = "quantity") -> str:
    """A number as scale texts and explanations show it: ``eur`` and ``percent`` (as a percentage)
    with cents when that is exact (2300.62, 4.22 %), ``ratio`` as written in its file (0.80, 0.2699),
    any other quantity without decimals when whole and otherwise without zeros beyond the cent
    (494, 129.20, 0.125); never an exponent."""
    if value is None:
        return "?"
    shown = value * 100 if unit == "percent" else value
    if unit in ("eur", "percent") and shown == round(shown, 2):
        text = f"{shown:.2f}"
    elif unit == "ratio":
        text = f"{shown:f}"
    elif unit == "quantity" and shown == shown.to_integral_value():
        text = f"{shown:.0f}"
    elif unit == "quantity" and shown == round(shown, 2):
        text = f"{shown:.2f}"
    else:
        text = f"{shown.normalize():f}"
    return f"{text} %" if unit == "percent" else text


@dataclass(frozen=True)
class Bracket:
    """One bracket of a :class:`Scale`: from its threshold up to the next bracket's."""

    threshold: Decimal
    inclusive: bool  # True: ``from`` (x >= threshold); False: ``above`` (x > threshold)
    amount: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    base: Decimal = Decimal(0)
    min: Decimal | None = None
    max: Decimal | None = None
    reciprocal: bool = False

    def holds(self, key: pl.Expr, places: int | None = None) -> pl.Expr:
        """True where ``key`` has reached this bracket's threshold (``places``: ``key`` is in whole
        10^-places, :func:`pipeline.core.money.units`; else a Decimal column)."""
        if places is None:
            key, limit = key.cast(WIDE), pl.lit(self.threshold, dtype=WIDE)
        else:
            exact = max(places, decimal_places(self.threshold))
            key, limit = rescaled(key.cast(WHOLE), places, exact), units_lit(self.threshold, exact)
        return key >= limit if self.inclusive else key > limit

    def formula(self, x: pl.Expr) -> pl.Expr:
        """The bracket's value at ``x`` in the wide dtype, not rounded."""
        x = x.cast(WIDE)
        if self.reciprocal:
            return pl.lit(1, dtype=WIDE) / x
        out = pl.lit(self.amount, dtype=WIDE)
        if self.rate:
            out = out + pl.lit(self.rate, dtype=WIDE) * (x - pl.lit(self.base, dtype=WIDE))
        if self.min is not None:
            out = pl.max_horizontal(out, pl.lit(self.min, dtype=WIDE))
        if self.max is not None:
            out = pl.min_horizontal(out, pl.lit(self.max, dtype=WIDE))
        return out

    def formula_units(self, x: pl.Expr, places: int, to: int) -> pl.Expr:
        """:meth:`formula` in integer arithmetic: ``x`` in whole 10^-``places``, the value in whole
        10^-``to`` (exact: ``places`` covers the base's decimals, ``to`` those of the amount, the
        limits and the rate times x)."""
        if self.reciprocal:
            raise ValueError("a reciprocal bracket has no exact value in whole units")
        out = units_lit(self.amount, to)
        if self.rate:
            out = out + units_lit(self.rate, to - places) * (x - units_lit(self.base, places))
        if self.min is not None:
            out = pl.max_horizontal(out, units_lit(self.min, to))
        if self.max is not None:
            out = pl.min_horizontal(out, units_lit(self.max, to))
        return out

    def text(self, units: dict[str, str], following: Bracket | None = None) -> str:
        """The bracket as a person reads it, up to the ``following`` bracket's threshold:
        ``2300.62 < x <= 2937.93: 171.99 - 0.2699 × (x - 2300.62)``."""

        key = units.get("variable", "x")
        x = units.get("formula_variable", key)
        low = f"{number_text(self.threshold, units['threshold'])} {'<=' if self.inclusive else '<'} {key}"
        if following is None:
            where = f"{key} {'>=' if self.inclusive else '>'} {number_text(self.threshold, units['threshold'])}"
        else:
            high = f"{'<' if following.inclusive else '<='} {number_text(following.threshold, units['threshold'])}"
            where = f"{key} {high}" if self.inclusive and self.threshold == 0 else f"{low} {high}"
        if self.reciprocal:
            return f"{where}: 1 / {x}"
        formula = number_text(self.amount, units.get("amount", "eur")) if self.amount or not self.rate else ""
        if self.rate:
            sign = "-" if self.rate < 0 else "+"
            term = f"{number_text(abs(self.rate), units['rate'])} × ({x} - {number_text(self.base, units['base'])})"
            formula = f"{formula} {sign} {term}" if formula else (f"-{term}" if self.rate < 0 else term)
        if self.min is not None:
            formula += f", at least {number_text(self.min, units['min'])}"
        if self.max is not None:
            formula += f", at most {number_text(self.max, units['max'])}"
        return f"{where}: {formula}"


@dataclass(frozen=True)
class Scale:
    """A legal table as brackets (the value of a ``scale`` parameter), evaluated on columns."""

    brackets: tuple[Bracket, ...]
    units: tuple[tuple[str, str], ...]  # (field, unit) as declared by the file

    def band(self, key: pl.Expr, places: int | None = None) -> pl.Expr:
        """1-based number of the bracket holding each ``key`` (Int8; null below the first threshold);
        ``places``: as for :meth:`Bracket.holds`."""
        out = pl.when(self.brackets[-1].holds(key, places)).then(pl.lit(len(self.brackets), pl.Int8))
        for number in range(len(self.brackets) - 1, 0, -1):
            out = out.when(self.brackets[number - 1].holds(key, places)).then(pl.lit(number, pl.Int8))
        return out.otherwise(pl.lit(None, pl.Int8))

    def value(self, key: pl.Expr, x: pl.Expr | None = None) -> pl.Expr:
        """The value of the bracket holding ``key``, evaluated at ``x`` (default ``key``), unrounded
        (wide dtype; null below the first threshold). ``key`` chooses the bracket and ``x`` enters
        its formula, so a band can be chosen on one figure (a quarter) and applied to another (a month)."""
        x = key if x is None else x
        last = self.brackets[-1]
        out = pl.when(last.holds(key)).then(last.formula(x))
        for bracket in reversed(self.brackets[:-1]):
            out = out.when(bracket.holds(key)).then(bracket.formula(x))
        return out.otherwise(pl.lit(None, WIDE))

    def cents(self, key: pl.Expr, key_places: int, x: pl.Expr | None = None, x_places: int | None = None) -> pl.Expr:
        """:meth:`value` rounded once, half away from zero, to whole cents, in integer arithmetic
        (:data:`pipeline.core.money.WHOLE`; null below the first threshold): ``key`` and ``x`` in
        whole 10^-``key_places`` / 10^-``x_places`` (:func:`pipeline.core.money.units`). Exact: the
        formula is worked in as many places as its figures need."""
        x, x_places = (key, key_places) if x is None else (x, x_places if x_places is not None else key_places)
        places = max(x_places, *(decimal_places(b.base) for b in self.brackets))
        to = max(
            2,
            places + max(decimal_places(b.rate) for b in self.brackets),
            *(decimal_places(v) for b in self.brackets for v in (b.amount, b.min, b.max)),
        )
        x = rescaled(x.cast(WHOLE), x_places, places)
        last = self.brackets[-1]
        out = pl.when(last.holds(key, key_places)).then(last.formula_units(x, places, to))
        for bracket in reversed(self.brackets[:-1]):
            out = out.when(bracket.holds(key, key_places)).then(bracket.formula_units(x, places, to))
        return rescaled(out.otherwise(pl.lit(None, WHOLE)), to, 2)

    def text(self, band: int) -> str:
        """Bracket ``band`` (1-based) as text, for explanations."""
        following = self.brackets[band] if band < len(self.brackets) else None
        return self.brackets[band - 1].text(dict(self.units), following)

    def __str__(self) -> str:
        return "; ".join(self.text(band) for band in range(1, len(self.brackets) + 1))


def select(cases: list[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr | None = None) -> pl.Expr:
    """Per row, the value of the first case whose condition holds (``otherwise``, default null, when
    none does): how a rule picks, on each row, the parameter version in force on its date and the
    variant that applies to it (a status, a household) before evaluating a :class:`Scale`."""
    (condition, value), *rest = cases
    out = pl.when(condition).then(value)
    for condition, value in rest:
        out = out.when(condition).then(value)
    return out.otherwise(otherwise if otherwise is not None else pl.lit(None))


def _scale_fields(header: Any, unit: str, where: str) -> dict[str, str]:
    """The declared units of a scale's bracket fields (the file's ``scale`` mapping)."""
    if unit != "scale":
        if header is not None:
            raise ParameterFileError(f"{where}: 'scale' is only for unit scale")
        return {}
    if not isinstance(header, dict) or "threshold" not in header:
        raise ParameterFileError(f"{where}: unit scale needs 'scale' with the unit of 'threshold' and of each field")
    unknown = set(header) - {"threshold", *SCALE_FIELDS, *SCALE_LABELS}
    if unknown:
        raise ParameterFileError(f"{where}: unknown scale fields {sorted(unknown)}")
    for name, field_unit in header.items():
        if name in SCALE_LABELS:
            if not isinstance(field_unit, str) or not field_unit.strip():
                raise ParameterFileError(f"{where}: scale {name} must be a name")
            continue
        wanted = {"bool"} if name == "reciprocal" else NUMERIC_UNITS
        if field_unit not in wanted:
            raise ParameterFileError(
                f"{where}: scale field {name} has unit {field_unit!r}, not one of {sorted(wanted)}"
            )
    if ("rate" in header) != ("base" in header):
        raise ParameterFileError(f"{where}: scale fields rate and base go together")
    return {str(k): str(v) for k, v in header.items()}


def _bracket(raw: Any, fields: dict[str, str], at: str) -> Bracket:
    if not isinstance(raw, dict):
        raise ParameterFileError(f"{at}: a bracket must be a mapping, got {raw!r}")
    bounds = [k for k in ("from", "above") if k in raw]
    if len(bounds) != 1:
        raise ParameterFileError(f"{at}: a bracket needs exactly one of 'from' (>=) and 'above' (>)")
    unknown = set(raw) - {bounds[0], *(f for f in fields if f in SCALE_FIELDS)}
    if unknown:
        raise ParameterFileError(f"{at}: bracket fields {sorted(unknown)} are not declared under 'scale'")
    threshold = _convert(raw[bounds[0]], fields["threshold"], at)
    values = {name: _convert(raw[name], fields[name], at) for name in raw if name in SCALE_FIELDS}
    if any(v is None for v in values.values()) or threshold is None:
        raise ParameterFileError(f"{at}: bracket fields cannot be null")
    if ("rate" in values) != ("base" in values):
        raise ParameterFileError(f"{at}: a bracket with a rate needs its base (and a base needs a rate)")
    if values.get("reciprocal") and set(values) & {"amount", "rate", "base"}:
        raise ParameterFileError(f"{at}: a reciprocal bracket has no amount, rate or base")
    if "min" in values and "max" in values and values["min"] > values["max"]:
        raise ParameterFileError(f"{at}: bracket min {values['min']} above max {values['max']}")
    return Bracket(threshold, bounds[0] == "from", **values)


def _scale(raw: Any, fields: dict[str, str], where: str) -> Scale | None:
    """A scale value: typed brackets, first a ``from``, thresholds strictly increasing."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise ParameterFileError(f"{where}: a scale value is a non-empty list of brackets")
    brackets = tuple(_bracket(b, fields, f"{where} bracket {i}") for i, b in enumerate(raw, start=1))
    if not brackets[0].inclusive:
        raise ParameterFileError(f"{where}: the first bracket must start with 'from'")
    thresholds = [b.threshold for b in brackets]
    if any(a >= b for a, b in zip(thresholds, thresholds[1:])):
        raise ParameterFileError(f"{where}: bracket thresholds must strictly increase, got {thresholds}")
    return Scale(brackets, tuple(sorted(fields.items())))


def _parse(name: str, doc: Any) -> Parameter:
    where = f"parameter {name}"
    if not isinstance(doc, dict):
        raise ParameterFileError(f"{where}: not a mapping")
    unknown = set(doc) - {"description", "unit", "valid_range", "nullable", "values", "notes", "scale"}
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
    fields = _scale_fields(doc.get("scale"), unit, where)
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
        value = _scale(entry["value"], fields, at) if unit == "scale" else _convert(entry["value"], unit, at)
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
        return pl.DataFrame(rows, schema={**self.citation_types(on), **IN_FORCE_SCHEMA}).sort("parameter")


@lru_cache(maxsize=1)
def default_parameters() -> Parameters:
    """The packaged parameter bundle, loaded once per process."""
    return Parameters.load()
