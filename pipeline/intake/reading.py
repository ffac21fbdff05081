"""Reading one batch folder: CSV (UTF-8 with or without BOM, or Windows-1252; ``,`` ``;`` or tab;
decimal point or comma), Parquet and XLSX, mapped onto the canonical columns by a mapping profile.

Every value is read as text (validation casts later) and every row keeps ``source_file`` and its
1-based ``source_line`` (CSV: header = line 1, first data row = line 2; XLSX: the sheet row
number; Parquet: the row number + 1, as if the header were line 1). Dialects are detected, and a
file whose dialect cannot be decided is refused with a clear message rather than guessed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipeline.errors import InputError
from schemas.checks import clean_number
from schemas.inputs import INPUTS, InputSpec

EXTENSIONS = (".csv", ".txt", ".parquet", ".xlsx")
DECIMAL_KINDS = ("money", "fraction")


@dataclass(frozen=True)
class Profile:
    """A column-mapping profile (YAML): headers, value maps, date format and CSV dialect."""

    name: str
    inputs: dict[str, dict[str, Any]]
    date_format: str | None = None
    csv: dict[str, str] = field(default_factory=dict)

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
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(doc.get("inputs", {})) - set(INPUTS)
        if unknown:
            raise InputError(f"profile {path.name}: unknown inputs {sorted(unknown)}")
        return cls(
            name=str(doc.get("name", path.stem)),
            inputs=doc.get("inputs") or {},
            date_format=doc.get("date_format"),
            csv=doc.get("csv") or {},
        )

    def for_input(self, name: str) -> dict[str, Any]:
        return self.inputs.get(name) or {}


@dataclass(frozen=True)
class RawInput:
    """One input as text, mapped to canonical column names."""

    name: str
    path: Path
    frame: pl.DataFrame  # canonical columns as String + source_file + source_line
    sha256: str
    dialect: str
    missing_columns: tuple[str, ...]

    @property
    def rows(self) -> int:
        return self.frame.height


def find_input(folder: Path, spec: InputSpec, profile: Profile) -> Path | None:
    """The file holding ``spec`` in ``folder`` (profile ``file`` or the canonical name)."""
    conf = profile.for_input(spec.name)
    stem = conf.get("file", spec.name)
    if Path(stem).suffix:
        candidate = folder / stem
        return candidate if candidate.is_file() else None
    found = [p for p in sorted(folder.iterdir()) if p.is_file() and p.stem == stem and p.suffix.lower() in EXTENSIONS]
    if len(found) > 1:
        raise InputError(f"{spec.name}: several files named {stem}.* in {folder}: {[p.name for p in found]}")
    return found[0] if found else None


def _decode(data: bytes, forced: str | None) -> tuple[str, str]:
    if forced and forced != "auto":
        return data.decode(forced), forced
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _delimiter(text: str, path: Path, forced: str | None) -> str:
    if forced and forced != "auto":
        return "\t" if forced in ("tab", "\\t") else forced
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts.values())
    winners = [sep for sep, n in counts.items() if n == best]
    if best == 0 or len(winners) > 1:
        raise InputError(
            f"{path.name}: cannot decide the CSV separator from the header line (counts: "
            f"';'={counts[';']}, ','={counts[',']}, tab={counts[chr(9)]}); set csv.delimiter in the mapping profile"
        )
    return winners[0]


def _read_table(path: Path, data: bytes, profile: Profile, sheet: str | None) -> tuple[pl.DataFrame, str, int]:
    """All-text frame, dialect description and the line number of the first data row.

    ``data`` is the file's content, read once (it is also what the manifest hashes)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        text, encoding = _decode(data, profile.csv.get("encoding"))
        sep = _delimiter(text, path, profile.csv.get("delimiter"))
        # UTF-8 input is handed to polars as it is (checked by the decode above); other encodings re-encoded.
        if encoding.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig"):
            utf8 = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        else:
            utf8 = text.encode("utf-8")
        del text
        frame = pl.read_csv(io.BytesIO(utf8), separator=sep, infer_schema=False, truncate_ragged_lines=False)
        return frame, f"csv encoding={encoding} delimiter={'tab' if sep == chr(9) else sep}", 2
    if suffix == ".parquet":
        frame = pl.read_parquet(path)
        return frame.with_columns(pl.all().cast(pl.String)), "parquet", 2
    if suffix == ".xlsx":
        kwargs: dict[str, Any] = {"sheet_name": sheet} if sheet else {"sheet_id": 1}
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0, **kwargs)
        return frame.with_columns(pl.all().cast(pl.String)), f"xlsx sheet={sheet or 1}", 2
    raise InputError(f"{path.name}: unsupported file type {suffix}")


def _decimal_mark(frame: pl.DataFrame, columns: list[str], path: Path, forced: str | None) -> str:
    if forced and forced != "auto":
        return forced
    comma = point = 0
    for name in columns:
        col = frame.get_column(name)
        comma += int(col.str.contains(r"^-?\d+,\d+$").sum() or 0)
        point += int(col.str.contains(r"^-?\d+\.\d+$").sum() or 0)
    if comma and point:
        raise InputError(
            f"{path.name}: amounts use both a decimal comma ({comma} values) and a decimal point "
            f"({point} values); set csv.decimal in the mapping profile"
        )
    return "," if comma else "."


def read_input(folder: Path, spec: InputSpec, profile: Profile) -> RawInput | None:
    """Read and map one input; ``None`` when the (optional) input is absent."""
    path = find_input(folder, spec, profile)
    if path is None:
        if spec.required:
            raise InputError(f"required input '{spec.name}' not found in {folder} (CSV, Parquet or XLSX)")
        return None
    conf = profile.for_input(spec.name)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    frame, dialect, first_line = _read_table(path, data, profile, conf.get("sheet"))
    del data
    header_map = {str(k).strip().lower(): v for k, v in (conf.get("columns") or {}).items()}
    canonical = {c.name for c in spec.columns}
    renames: dict[str, str] = {}
    for header in frame.columns:
        key = header.strip().lstrip("\ufeff").lower()
        target = header_map.get(key, key if key in canonical else None)
        if target in canonical and target not in renames.values():
            renames[header] = target
    missing = tuple(c.name for c in spec.columns if c.name not in renames.values())
    frame = frame.select(
        *[pl.col(h).str.strip_chars().replace("", None).alias(t) for h, t in renames.items()],
        *[pl.lit(None, pl.String).alias(name) for name in missing],
    )
    exprs = []
    value_maps = conf.get("values") or {}
    decimal_cols = [c.name for c in spec.columns if c.kind in DECIMAL_KINDS]
    mark = _decimal_mark(frame, decimal_cols, path, profile.csv.get("decimal"))
    for col in spec.columns:
        e = pl.col(col.name)
        if col.name in value_maps:
            mapping = {str(k).strip().lower(): str(v) for k, v in value_maps[col.name].items()}
            lower = e.str.to_lowercase()
            e = pl.when(lower.is_in(list(mapping))).then(lower.replace(mapping)).otherwise(e)
        if col.kind in DECIMAL_KINDS and mark == ",":
            e = e.str.replace(",", ".", literal=True)
        if col.kind == "date":
            e = e.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$", "${1}")
            if profile.date_format and profile.date_format != "%Y-%m-%d":
                parsed = e.str.to_date(profile.date_format, strict=False).dt.to_string("%Y-%m-%d")
                e = pl.coalesce(parsed, e)
        if col.kind == "country":
            e = e.str.to_uppercase()
        if col.kind in ("niss", "onss_nr", "enterprise_nr", "unit_nr"):
            e = clean_number(e)  # 85.07.30-033.28 and 85073003328 are the same person
        if col.default is not None:
            e = e.fill_null(pl.lit(col.default))
        exprs.append(e.alias(col.name))
    frame = frame.select(exprs).with_columns(
        pl.lit(path.name).alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("source_line"),
    )
    if mark == "," and dialect.startswith("csv"):
        dialect += " decimal=comma"
    return RawInput(spec.name, path, frame, digest, dialect, missing)


def read_batch(folder: Path, profile: Profile) -> dict[str, RawInput]:
    """Read every input of a batch folder (optional ones may be absent)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"input folder not found: {folder}")
    out = {}
    for spec in INPUTS.values():
        raw = read_input(folder, spec, profile)
        if raw is not None:
            out[spec.name] = raw
    return out
