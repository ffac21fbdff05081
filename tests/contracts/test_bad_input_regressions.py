"""Regression tests: each crash, loss and leak found by running mutated copies of the sample
exports through the console entry, kept as a named case (data-contract "General conventions",
"Outputs" and "Exit codes").

Every case goes through ``pipeline.cli.main``, the function the installed ``payroll`` script
calls, with a copy of ``sample_data/bad_input`` (or the French / Dutch export) changed in one
place. A failure must be one line, exit 1, and name the file; a defective row is rejected with its
file and line while the others are computed; no national number is printed or written in clear.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shutil
import stat
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest

from pipeline.cli import main
from pipeline.errors import ParameterFileError
from pipeline.intake.reading import Profile, read_batch
from pipeline.intake.validation import validate_batch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
INPUTS = ("employers.csv", "employees.csv", "pay.csv", "absences.csv")
NISS_LIKE = re.compile(r"(?<!\d)\d{2}[.\- ]?\d{2}[.\- ]?\d{2}[.\- ]?\d{3}[.\- ]?\d{2}(?!\d)")


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def batch(tmp_path: Path, source: str = "bad_input", files: tuple[str, ...] = INPUTS) -> Path:
    folder = tmp_path / source
    folder.mkdir(parents=True)
    for name in files:
        shutil.copy(SAMPLE / source / name, folder / name)
    return folder


def run(tmp_path: Path, folder: Path, *extra: str) -> tuple[int, str, str, Path]:
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        "run", str(folder), "--period", "2026-10", "--out", str(out), "--store", str(tmp_path / "store"),
        "--run-date", "2026-11-02", "-q", *extra,
    )  # fmt: skip
    return code, stdout, stderr, out


def edit_line(path: Path, line: int, change, encoding: str = "utf-8") -> str:
    """Apply ``change`` to 1-based ``line`` of a text file; return the old line."""
    lines = path.read_text(encoding=encoding).split("\n")
    old = lines[line - 1]
    lines[line - 1] = change(old)
    path.write_text("\n".join(lines), encoding=encoding)
    return old


def rejects(out: Path) -> pl.DataFrame:
    return pl.read_csv(out / "rejects.csv", infer_schema=False)


def counts(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]


def one_line(stdout: str, stderr: str) -> str:
    said = [line for line in (stdout + stderr).splitlines() if line.strip()]
    assert len(said) == 1, said
    assert "Traceback" not in said[0]
    return said[0]


BASELINE = {"employers": 2, "employees": 14, "pay": 30, "absences": 5}  # records of sample_data/bad_input


# --------------------------------------------------------------------------------------------
# One error boundary.
# --------------------------------------------------------------------------------------------


def test_the_installed_script_is_the_error_boundary():
    """The console script was ``pipeline.cli:app``, so the catch-all in ``main()`` never ran."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["payroll"] == "pipeline.cli:main"


def test_an_unexpected_error_is_one_line_without_its_data(tmp_path, monkeypatch):
    """A library error quoting a row (national number, name) must not reach the console."""
    from pipeline.jobs import monthly

    def broken(*args, **kwargs):
        raise ValueError("could not parse 85073003328,Dupont,Jean,1985-07-30 as a date")

    monkeypatch.setattr(monthly, "compute", broken)
    code, stdout, stderr, out = run(tmp_path, batch(tmp_path))
    line = one_line(stdout, stderr)
    assert code == 1
    assert "ValueError" in line and "--debug" in line and "pipeline/cli.py" in line
    assert "85073003328" not in line and "Dupont" not in line
    assert not out.exists()
    with pytest.raises(ValueError):  # --debug shows the real error (and its traceback)
        cli("--debug", "run", str(batch(tmp_path / "again")), "--period", "2026-10", "--out", str(out), "-q")


def test_ctrl_c_is_one_line_and_exit_1(tmp_path, monkeypatch):
    """Typer turns a KeyboardInterrupt inside a command into a silent exit 130: the entry point
    reports it as the contract's one line, exit 1."""
    from pipeline.jobs import monthly

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(monthly, "compute", interrupted)
    code, stdout, stderr, out = run(tmp_path, batch(tmp_path))
    assert (code, one_line(stdout, stderr)) == (1, "error: interrupted")
    assert not out.exists()


def test_an_unclosed_quote_rejects_its_row_and_prints_no_data(tmp_path):
    """One unclosed quote in employees.csv put the raw text of every following row (national
    numbers, names, birth dates) in the polars error, on stderr."""
    folder = batch(tmp_path)
    edit_line(folder / "employees.csv", 3, lambda s: s.replace(",Dunès,", ',"Dunès,'))  # BAD-002
    code, stdout, stderr, out = run(tmp_path, folder)
    assert code == 3
    assert not NISS_LIKE.search(stdout + stderr)
    got = rejects(out).filter(pl.col("source_file") == "employees.csv", pl.col("source_line") == "3")
    assert got.select("column", "check", "employee_id").rows() == [("(row)", "quoting", "BAD-002")]
    assert counts(out)["employees"]["read"] == 14  # every record still counted, the next rows read
    pay = rejects(out).filter(pl.col("employee_id") == "BAD-002", pl.col("source_file") == "pay.csv")
    assert "employee_rejected" in set(pay.get_column("check"))  # BAD-002's pay rows fall with it


# --------------------------------------------------------------------------------------------
# Crashes that become rejected rows.
# --------------------------------------------------------------------------------------------


def test_a_national_number_shorter_than_two_characters_is_masked(tmp_path):
    """The mask repeated "*" a negative number of times: a crash."""
    folder = batch(tmp_path)
    edit_line(folder / "employees.csv", 2, lambda s: s.replace("84031210559", "1"))  # BAD-001
    code, _, _, out = run(tmp_path, folder)
    assert code == 3
    got = rejects(out).filter(pl.col("column") == "niss", pl.col("source_line") == "2")
    assert got.select("check", "value").rows() == [("format_niss", "*")]


@pytest.mark.parametrize(
    ("column", "check", "old", "new"),
    [
        ("gross_salary", "format_money", "2900.00", "٢٩٠٠.٠٠"),  # Arabic-Indic digits
        ("period", "format_period", "2026-08", "٢٠٢٦-١٠"),
        ("period", "format_period", "2026-08", "２０２６-１０"),  # full-width digits
    ],
)
def test_digits_of_other_scripts_are_rejected_not_cast(tmp_path, column, check, old, new):
    """``١٢٣`` matched ``\\d`` in the format check, then the strict cast to a number or a date failed."""
    folder = batch(tmp_path)
    edit_line(folder / "pay.csv", 2, lambda s: s.replace(old, new))  # BAD-001, 2026-08
    code, _, _, out = run(tmp_path, folder)
    assert code == 3
    got = rejects(out).filter(pl.col("source_file") == "pay.csv", pl.col("source_line") == "2")
    assert got.select("column", "check").rows() == [(column, check)]


def test_an_impossible_date_rejects_its_row(tmp_path):
    folder = batch(tmp_path)
    edit_line(folder / "absences.csv", 2, lambda s: s.replace("2026-10-01", "2026-02-30"))  # BAD-010's episode
    code, _, _, out = run(tmp_path, folder)
    assert code == 3
    got = rejects(out).filter(pl.col("source_file") == "absences.csv", pl.col("source_line") == "2")
    assert got.select("column", "check", "value").rows() == [("start_date", "format_date", "2026-02-30")]


def test_one_row_with_a_field_too_many_is_rejected_and_the_rest_computed(tmp_path):
    """polars refused the whole file (and quoted it)."""
    folder = batch(tmp_path)
    edit_line(folder / "pay.csv", 4, lambda s: s + ",99")  # BAD-001, 2026-10
    code, stdout, stderr, out = run(tmp_path, folder)
    assert code == 3
    got = rejects(out).filter(pl.col("source_file") == "pay.csv", pl.col("source_line") == "4")
    assert got.select("column", "check", "message").rows() == [
        ("(row)", "field_count", rejects(out).filter(pl.col("check") == "field_count")["message"][0])
    ]
    assert "11 fields, the header has 10" in got["message"][0]
    assert counts(out)["pay"] == {
        "read": 30,
        "valid": 6,
        "rejected": 24,
        "blank": 0,
        "out_of_period": 0,
    }  # the sample's 23, plus this row


def test_a_byte_that_windows_1252_does_not_define_rejects_that_row(tmp_path):
    """0x81 has no character in Windows-1252: the decode raised and the batch stopped."""
    folder = batch(tmp_path, "exports_fr", ("employeurs.csv", "travailleurs.csv", "salaires.xlsx", "incapacites.csv"))
    path = folder / "travailleurs.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Bern", b"Be\x81n", 1)  # FR-0002's last name
    path.write_bytes(b"\n".join(lines))
    code, _, _, out = run(tmp_path, folder, "--profile", "fr_export")
    assert code == 3
    got = rejects(out).filter(pl.col("source_file") == "travailleurs.csv")
    assert got.select("source_line", "column", "check", "employee_id").rows() == [
        ("3", "last_name", "encoding", "FR-0002")
    ]
    assert "Windows-1252" in got["message"][0]


# --------------------------------------------------------------------------------------------
# Crashes that become one line (file-level errors).
# --------------------------------------------------------------------------------------------


def fr_batch(tmp_path: Path) -> Path:
    return batch(tmp_path, "exports_fr", ("employeurs.csv", "travailleurs.csv", "salaires.xlsx", "incapacites.csv"))


def test_a_damaged_workbook_is_one_line(tmp_path):
    folder = fr_batch(tmp_path)
    data = (folder / "salaires.xlsx").read_bytes()
    (folder / "salaires.xlsx").write_bytes(data[: len(data) // 2])
    code, stdout, stderr, out = run(tmp_path, folder, "--profile", "fr_export")
    assert code == 1
    assert "salaires.xlsx: cannot be read as an XLSX workbook" in one_line(stdout, stderr)
    assert not out.exists()


def test_a_missing_sheet_is_one_line_listing_the_sheets(tmp_path):
    folder = fr_batch(tmp_path)
    frame = pl.read_excel(folder / "salaires.xlsx")
    frame.write_excel(folder / "salaires.xlsx", worksheet="Feuil1")
    code, stdout, stderr, _ = run(tmp_path, folder, "--profile", "fr_export")
    assert code == 1
    assert "no sheet named 'Salaires'; the workbook has 'Feuil1'" in one_line(stdout, stderr)


def nl_batch(tmp_path: Path) -> Path:
    return batch(tmp_path, "exports_nl", ("werkgevers.csv", "werknemers.csv", "lonen.parquet", "afwezigheden.csv"))


def test_a_parquet_column_of_lists_is_one_line(tmp_path):
    folder = nl_batch(tmp_path)
    frame = pl.read_parquet(folder / "lonen.parquet")
    frame.with_columns(pl.concat_list("brutoloon")).write_parquet(folder / "lonen.parquet")
    code, stdout, stderr, _ = run(tmp_path, folder, "--profile", "nl_export")
    assert code == 1
    assert "lonen.parquet: column 'brutoloon' holds List values" in one_line(stdout, stderr)


def test_a_damaged_parquet_file_is_one_line_not_an_abort(tmp_path):
    """polars' Parquet reader aborted the process (an allocation sized from a damaged page header)."""
    folder = nl_batch(tmp_path)
    data = bytearray((folder / "lonen.parquet").read_bytes())
    for at in range(4, len(data) - 8, 97):
        data[at] ^= 0xFF
    (folder / "lonen.parquet").write_bytes(bytes(data))
    code, stdout, stderr, _ = run(tmp_path, folder, "--profile", "nl_export")
    assert code == 1
    assert "lonen.parquet: cannot be read as a Parquet file" in one_line(stdout, stderr)


@pytest.mark.parametrize("second", ["niss", "NISS", " Niss "])
def test_the_same_header_twice_is_one_line(tmp_path, second):
    """The first of two ``niss`` columns was used without a word."""
    folder = batch(tmp_path)
    edit_line(folder / "employees.csv", 1, lambda s: s.replace("last_name", second))
    code, stdout, stderr, out = run(tmp_path, folder)
    assert code == 1
    line = one_line(stdout, stderr)
    assert "employees.csv: the header names the same column twice (niss), in columns 3 and 4" in line
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# Parameters and options.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (".nan", "'.nan' is not a number a statute can state"),
        (".inf", "'.inf' is not a number a statute can state"),
        ("-.inf", "'-.inf' is not a number a statute can state"),
    ],
)
def test_a_parameter_that_is_not_a_number_is_one_line(tmp_path, monkeypatch, value, says):
    check_parameters(tmp_path, monkeypatch, "    value: 38", f"    value: {value}", says)


def test_an_impossible_date_in_a_parameter_file_is_one_line(tmp_path, monkeypatch):
    check_parameters(tmp_path, monkeypatch, "  2003-01-01:", "  2003-02-30:", "'2003-02-30' is not a date")


def test_a_non_numeric_valid_range_is_one_line(tmp_path, monkeypatch):
    check_parameters(tmp_path, monkeypatch, "{min: 1, max: 48}", "{min: one, max: 48}", "valid_range min 'one'")


def check_parameters(tmp_path: Path, monkeypatch, old: str, new: str, says: str) -> None:
    """Edit dmfa/reference_weekly_hours.yaml in a copy of the bundle; loading it fails with one
    ParameterFileError, and the CLI prints it as one line, exit 1."""
    from pipeline.core import params

    root = tmp_path / "parameters"
    shutil.copytree(ROOT / "pipeline" / "parameters", root)
    path = root / "dmfa" / "reference_weekly_hours.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ParameterFileError) as caught:
        params.Parameters.load(root)
    assert says in str(caught.value) and "parameter dmfa/reference_weekly_hours" in str(caught.value)

    def load():
        return params.Parameters.load(root)

    original = params.default_parameters
    for module in [m for name, m in sys.modules.items() if name.startswith("pipeline.") and m is not None]:
        if getattr(module, "default_parameters", None) is original:
            monkeypatch.setattr(module, "default_parameters", load)
    code, stdout, stderr, _ = run(tmp_path, batch(tmp_path))
    assert code == 1
    assert says in one_line(stdout, stderr)


def test_an_unknown_part_time_reading_is_a_usage_error(tmp_path):
    code, _, stderr, out = run(tmp_path, batch(tmp_path), "--onem-part-time", "bogus")
    assert code == 2
    assert "'bogus' is not one of prorated" in stderr
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# Input that vanished or was guessed.
# --------------------------------------------------------------------------------------------


def test_a_pay_file_with_cr_line_endings_is_read(tmp_path):
    """A CR-only pay.csv was read as 0 rows and the run exited 0 with nothing computed."""
    folder = batch(tmp_path)
    pay = folder / "pay.csv"
    pay.write_bytes(pay.read_bytes().replace(b"\n", b"\r"))
    code, _, _, out = run(tmp_path, folder)
    assert code == 3
    assert {name: c["read"] for name, c in counts(out).items()} == BASELINE
    assert counts(out)["pay"] == {
        "read": 30,
        "valid": 7,
        "rejected": 23,
        "blank": 0,
        "out_of_period": 0,
    }  # as the LF original


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be", "utf-8-sig"])
def test_utf16_and_utf32_files_with_a_bom_are_read(tmp_path, encoding):
    """UTF-16/32 files counted as one row."""
    folder = batch(tmp_path)
    for name in ("employees.csv", "pay.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        (folder / name).write_bytes(data)
    code, _, _, out = run(tmp_path, folder)
    assert code == 3
    assert {name: c["read"] for name, c in counts(out).items()} == BASELINE


def test_a_short_row_is_rejected_not_padded(tmp_path):
    """A row with a field missing was padded with nulls and accepted."""
    folder = batch(tmp_path)
    edit_line(folder / "pay.csv", 4, lambda s: s.rsplit(",", 1)[0])  # BAD-001 2026-10, zone_exit_days gone
    code, _, _, out = run(tmp_path, folder)
    assert code == 3
    got = rejects(out).filter(pl.col("source_file") == "pay.csv", pl.col("source_line") == "4")
    assert got.select("check").rows() == [("field_count",)]
    assert "9 fields, the header has 10" in got["message"][0]


def test_one_windows_1252_line_in_a_utf8_file_is_rejected_alone(tmp_path):
    """The whole file was decoded as Windows-1252, garbling every accented name (exit 0)."""
    folder = batch(tmp_path)
    path = folder / "employees.csv"
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].decode("utf-8").replace("Loïc", "Loëc").encode("cp1252")  # BAD-004
    path.write_bytes(b"\n".join(lines))
    checked = validate_batch(read_batch(folder, Profile.load(None)))
    got = checked.rejects.filter(pl.col("source_file") == "employees.csv", pl.col("check") == "encoding")
    assert got.select("source_line", "column", "employee_id").rows() == [(5, "first_name", "BAD-004")]
    names = checked.frames["employees"].get_column("first_name").to_list()
    assert "Théo" in names and "Joris" in names  # UTF-8 names read as UTF-8


def test_a_quoted_cell_spanning_two_lines_does_not_shift_later_line_numbers(tmp_path):
    """Defects after a two-line cell were reported one line too early."""
    folder = batch(tmp_path)
    path = folder / "employees.csv"
    edit_line(path, 2, lambda s: s.replace(",Verhaeghen,", ',"Verhae\nghen",'))  # BAD-001 spans lines 2-3
    checked = validate_batch(read_batch(folder, Profile.load(None)))
    niss = checked.rejects.filter(pl.col("source_file") == "employees.csv", pl.col("column") == "niss")
    assert niss.get_column("source_line").to_list() == [5]  # BAD-003's bad checksum: line 4 + 1
    first = checked.frames["employees"].filter(pl.col("employee_id") == "BAD-001")
    assert first.get_column("last_name").to_list() == ["Verhae\nghen"]
    assert first.get_column("source_line").to_list() == [2]
    assert checked.counts["employees"]["read"] == 14


def test_blank_rows_are_counted_not_read(tmp_path):
    folder = batch(tmp_path)
    path = folder / "pay.csv"
    text = path.read_text(encoding="utf-8")  # two rows of empty cells, two empty lines at the end
    path.write_text(text.replace("\n", "\n,,,,,,,\n", 2) + "\n\n", encoding="utf-8")
    checked = validate_batch(read_batch(folder, Profile.load(None)))
    assert checked.counts["pay"] == {"read": 34, "valid": 7, "rejected": 23, "blank": 4, "out_of_period": 0}


# --------------------------------------------------------------------------------------------
# Leaks.
# --------------------------------------------------------------------------------------------


def test_a_national_number_in_another_column_is_masked_in_rejects(tmp_path):
    """Masking was by column name only: a shifted row or a pay file keyed by NISS leaked."""
    folder = batch(tmp_path)
    edit_line(folder / "pay.csv", 31, lambda s: s.replace("BAD-099", "85.07.30-033.28"))  # unknown employee
    edit_line(folder / "pay.csv", 3, lambda s: s.replace("2900.005", "85073003328"))  # BAD-001's bad amount
    code, stdout, stderr, out = run(tmp_path, folder)
    assert code == 3
    text = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "85073003328" not in text and "85.07.30-033.28" not in text
    got = rejects(out).filter(pl.col("source_file") == "pay.csv", pl.col("source_line").is_in(["3", "31"]))
    assert sorted(got.select("value", "employee_id").rows()) == [
        ("*************28", "*************28"),
        ("*********28", "BAD-001"),
    ]
    assert not NISS_LIKE.search(stdout + stderr)


def test_the_run_store_is_readable_by_its_owner_only(tmp_path):
    """The store keeps national numbers and names; its files were readable by any local user."""
    store = tmp_path / "store"
    store.mkdir(mode=0o755)
    code, _, _, _ = run(tmp_path, batch(tmp_path))
    assert code == 3
    modes = {p.relative_to(store).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [store, *store.rglob("*")]}
    assert {m for p, m in modes.items() if (store / p).is_dir()} == {0o700}
    assert {m for p, m in modes.items() if (store / p).is_file()} == {0o600}
    assert any(p.startswith("versions/2026-10/") and p.endswith("/employees.parquet") for p in modes), sorted(modes)


# --------------------------------------------------------------------------------------------
# Writing outputs.
# --------------------------------------------------------------------------------------------


def test_a_full_disk_leaves_no_output_folder_and_the_store_unchanged(tmp_path, monkeypatch):
    from pipeline.outputs import hashed_file

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hashed_file.HashedFile, "write", full)
    code, stdout, stderr, out = run(tmp_path, batch(tmp_path))
    assert code == 1
    assert f"cannot write the outputs into {out}: no space left on the device; nothing was written" in one_line(
        stdout, stderr
    )
    # no output folder, no staging folder (the lock files beside them are hidden); the store holds no month
    assert sorted(p.name for p in out.parent.iterdir() if not p.name.startswith(".")) in (
        ["bad_input"],
        ["bad_input", "store"],
    )
    store = tmp_path / "store"
    assert not store.exists() or not any((store / "months").glob("*.json"))


@pytest.mark.parametrize("code_", [errno.EROFS, errno.EACCES])
def test_a_read_only_output_folder_is_one_line(tmp_path, monkeypatch, code_):
    """Running as root, a chmod does not stop writing: the refusal of the file system is simulated."""
    from pipeline.outputs import audit

    def refuse(*args, **kwargs):
        raise OSError(code_, os.strerror(code_), str(tmp_path))

    monkeypatch.setattr(audit.tempfile, "mkdtemp", refuse)
    code, stdout, stderr, out = run(tmp_path, batch(tmp_path))
    assert code == 1
    line = one_line(stdout, stderr)
    assert ("read-only" in line) if code_ == errno.EROFS else ("permission denied" in line)
    assert not out.exists()


def test_stale_staging_folders_are_cleaned_by_the_next_run(tmp_path):
    """.run.partial-* folders were never removed: 500 MB after a dozen interrupted runs."""
    dead = tmp_path / ".out.partial-999999999-abc"  # no such process
    legacy = tmp_path / ".out.partial-x1y2z3"  # left by an earlier version
    other = tmp_path / ".elsewhere.partial-999999999-abc"  # another output's: not ours to touch
    for folder in (dead, legacy, other):
        folder.mkdir()
        (folder / "payroll_lines.csv").write_text("x")
    code, _, _, out = run(tmp_path, batch(tmp_path))
    assert code == 3
    assert not dead.exists() and not legacy.exists() and other.exists()
    assert out.is_dir()
