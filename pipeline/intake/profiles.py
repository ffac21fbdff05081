"""Column-mapping profiles (data-contract "Column mapping"): per input, the source header of each
canonical column, value maps for enumerations, the file (and sheet) name; for the whole export,
the date format and the CSV dialect (``csv.delimiter``, ``csv.decimal``, ``csv.encoding``, each
``auto`` by default), and the optional ``language`` (``en``, ``fr`` or ``nl``) of the run's report,
workbook and console summary when ``--lang`` is not given.

A profile is checked when it is loaded: a malformed one (invalid YAML, an unknown input or target
column, a value map that is not a mapping) is one :class:`~pipeline.errors.InputError` saying
where.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import InputError
from pipeline.outputs.messages import LANGUAGES
from schemas.inputs import INPUTS


def header_key(text: str) -> str:
    """A header as compared with the canonical names and the profile: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", str(text)).strip().lstrip("\ufeff").strip().lower()


def _yaml_where(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" (line {mark.line + 1})" if mark is not None else ""


def _check_profile(doc: Any, name: str) -> None:
    """Refuse a malformed profile with a message saying where (one line, no traceback)."""

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise InputError(f"mapping profile {name}: {what}; fix the profile")

    need(isinstance(doc, dict), "the file must be a mapping of name, inputs, date_format, csv")
    need(isinstance(doc.get("inputs") or {}, dict), "inputs must be a mapping of input names")
    need(isinstance(doc.get("csv") or {}, dict), "csv must be a mapping (delimiter, decimal, encoding)")
    need(all(isinstance(v, str) for v in (doc.get("csv") or {}).values()), "csv values must be text")
    need(isinstance(doc.get("date_format") or "", str), "date_format must be text such as '%d/%m/%Y'")
    need(doc.get("language") in (None, *LANGUAGES), f"language must be one of {', '.join(LANGUAGES)}")
    unknown = set(doc.get("inputs") or {}) - set(INPUTS)
    need(not unknown, f"unknown inputs {sorted(unknown)}")
    for input_name, conf in (doc.get("inputs") or {}).items():
        need(isinstance(conf or {}, dict), f"inputs.{input_name} must be a mapping")
        conf = conf or {}
        for key in ("file", "sheet"):
            need(isinstance(conf.get(key) or "", str), f"inputs.{input_name}.{key} must be text")
        columns = conf.get("columns") or {}
        need(isinstance(columns, dict), f"inputs.{input_name}.columns must map source headers to columns")
        canonical = {c.name for c in INPUTS[input_name].columns}
        wrong = sorted(str(v) for v in columns.values() if v not in canonical)
        need(not wrong, f"inputs.{input_name}.columns maps to unknown columns {wrong}")
        values = conf.get("values") or {}
        need(
            isinstance(values, dict) and all(isinstance(m, dict) for m in values.values()),
            f"inputs.{input_name}.values must map each column to a mapping of values",
        )


@dataclass(frozen=True)
class Profile:
    """A column-mapping profile (YAML): headers, value maps, date format and CSV dialect."""

    name: str
    inputs: dict[str, dict[str, Any]]
    date_format: str | None = None
    csv: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # of the report, workbook and console summary (None: English)

    @classmethod
    def load(cls, name_or_path: str | Path | None) -> Profile:
        """A packaged profile by name (``canonical``, ``fr_export``, ``nl_export``) or a YAML path."""
        if name_or_path is None:
            name_or_path = "canonical"
        path = Path(name_or_path)
        if not path.suffix:
            path = Path(str(resources.files("pipeline") / "profiles" / f"{name_or_path}.yaml"))
        if not path.is_file():
            raise InputError(f"mapping profile not found: {name_or_path}")
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
            raise InputError(f"mapping profile {path.name}: not readable as YAML{_yaml_where(exc)}; fix it") from None
        _check_profile(doc, path.name)
        return cls(
            name=str(doc.get("name", path.stem)),
            inputs=doc.get("inputs") or {},
            date_format=doc.get("date_format"),
            csv=doc.get("csv") or {},
            language=doc.get("language"),
        )

    def for_input(self, name: str) -> dict[str, Any]:
        return self.inputs.get(name) or {}
