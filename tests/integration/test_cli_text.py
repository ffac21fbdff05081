"""What a first-day user reads on the terminal: help without value types on flags, ``params show``
at 80 columns, and ``explain`` of an employee the month does not know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
runner = CliRunner()


def run(*args: str, columns: int = 80):
    return runner.invoke(app, [*args], catch_exceptions=False, env={"COLUMNS": str(columns), "TERM": "dumb"})


def _command_paths(command, path=()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _command_paths(sub, (*path, name))
    return found


COMMANDS = _command_paths(typer.main.get_command(app))


def test_every_command_is_listed():
    assert {("run",), ("validate",), ("explain",), ("claims",), ("dmfa",), ("params", "show")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "payroll")
def test_help_shows_no_value_type_for_flags(path):
    # typer's rich help wrote "<bool>" beside --overwrite, --quiet, --help... as if they took a value
    shown = run(*path, "--help", columns=100)
    assert shown.exit_code == 0, shown.output
    assert "<bool>" not in shown.output
    assert "--help" in shown.output and "Show this message and exit." in shown.output


def test_run_help_keeps_the_flags_and_the_value_types_of_options():
    text = run("run", "--help", columns=100).output
    assert "--overwrite" in text and "--no-finalise" in text and "--quiet" in text
    assert "<path>" in text and "<str>" in text  # options that take a value still say which


def test_the_list_of_commands_gives_each_summary_as_whole_sentences():
    # the rich help kept the docstrings' line breaks: "report.html and payroll.xlsx, and" then a line
    # "keep each employer's month in the run store." in the middle of the Commands panel
    text = run("--help", columns=100).output
    panel = " ".join(line.strip("│ ") for line in text.splitlines())
    assert "payroll.xlsx, and keep each employer's month in the run store." in panel
    rows = [line for line in text.splitlines() if line.startswith("│ ")]
    assert all(len(line) <= 100 for line in rows)
    assert not any(line.rstrip(" │").endswith(", and") for line in rows)


# --------------------------------------------------------------------------------------------
# params show
# --------------------------------------------------------------------------------------------
def _params(*more: str, columns: int = 80) -> str:
    shown = run("params", "show", "--date", "2026-10-01", *more, columns=columns)
    assert shown.exit_code == 0, shown.output
    return shown.output


def test_params_show_fits_80_columns_grouped_by_domain():
    text = _params()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    # one heading per domain (the first segment of the names), in order, each with its count
    headings = [line for line in lines if re.fullmatch(r"\w+/ \(\d+\)", line)]
    assert [h.split("/")[0] for h in headings] == ["dmfa", "guaranteed_wage", "onem", "onss", "withholding"]
    assert "onss/ (33)" in headings and "onem/ (13)" in headings
    # a name is never cut: the longest one, under its domain without the prefix
    assert "  white_collar_short_complement_above_ceiling_rate = 86.93 %" in lines
    # the value and its status on the following line (ONSS worker rate 13.07 %, Law of 27 June 1969)
    at = lines.index("  worker_rate = 13.07 %")
    assert lines[at + 1].startswith("      since ") and ", verified: " in lines[at + 1]
    assert len(lines) < 250  # the old table took 1,110 lines at 80 columns


def test_params_show_wraps_at_the_terminal_width_and_shows_a_scale_per_bracket():
    narrow = _params("--name", "csss/single", columns=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60
    lines = _params("--name", "csss/single").splitlines()
    # CSSS scale for individual taxation (ONSS administrative instructions): one bracket per line
    at = lines.index("  csss/single (scale)")
    assert lines[at + 1 : at + 3] == [
        "      Q < 5836.14: 0.00",
        "      5836.14 <= Q <= 6570.54: 4.22 % × (m - 1945.38)",
    ]


def test_params_show_filters_by_domain_and_name():
    onem = _params("--domain", "onem")
    assert (
        "onem/ (13)" in onem
        and "onss/" not in onem
        and "Legal parameters in force on 2026-10-01: 13 in 1 domain\n" in onem
    )
    # --name holds a substring, case-insensitive, anywhere in the name
    rates = _params("--domain", "onem/", "--name", "EUR_RATE")
    assert [line.split(" = ")[0].strip() for line in rates.splitlines() if " = " in line] == [
        "eur_rate_bef",
        "eur_rate_frf",
        "eur_rate_nlg",
    ]
    both = _params("--name", "work_bonus")
    assert "onss/ (6)" in both and "withholding/ (2)" in both


def test_params_show_full_gives_the_whole_reference():
    text = _params("--name", "onss/worker_rate", "--full")
    assert "<https://" in text and "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines() if not line.lstrip().startswith("<"))


def test_params_show_refuses_an_unknown_domain_and_an_empty_selection():
    unknown = run("params", "show", "--date", "2026-10-01", "--domain", "tax", columns=200)
    assert unknown.exit_code == 2 and "one of dmfa, guaranteed_wage, onem, onss, withholding" in unknown.output
    empty = run("params", "show", "--date", "2026-10-01", "--name", "no_such_thing", columns=200)
    assert empty.exit_code == 1
    assert empty.output.strip() == "error: no parameter in force on 2026-10-01 matches --name 'no_such_thing'"


# --------------------------------------------------------------------------------------------
# explain on an unknown employee
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def october(tmp_path_factory):
    base = tmp_path_factory.mktemp("october")
    args = ("run", str(SAMPLE / "batch_2026_10"), "--period", "2026-10", "--out", str(base / "out"))
    result = run(*args, "--store", str(base / "store"), "--run-date", "2026-11-02", "-q")
    assert result.exit_code == 0, result.output
    return base


@pytest.mark.parametrize("what", ["withholding", "work-bonus", "csss"])
def test_explain_an_unknown_employee_is_one_line_and_exit_1(october, what):
    stored = run("explain", "NOPE-1", "--period", "2026-10", "--what", what, "--store", str(october / "store"))
    assert stored.exit_code == 1
    assert stored.output.strip().splitlines() == ["error: employee NOPE-1: not among the 67 employees of 2026-10"]
    again = run("explain", "NOPE-1", "--period", "2026-10", "--what", what, "--input", str(SAMPLE / "batch_2026_10"))
    assert (again.exit_code, again.output) == (1, stored.output)
