"""The README's "Using it" commands work one after another as written, in a fresh clone on which
``bash scripts/run_sample.sh`` ran first: no exit 5, no sample month wiped from the run store.

The commands are read from README.md itself and run in-process (typer's runner) in a temporary
folder that holds the sample data, as a clone does. ``run_sample.sh``'s command is run without
``--via-prefect`` (the flow writes the same bytes: tests/integration/test_flows.py).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.outputs.run_store import RunStore

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_EMPLOYERS = ["174389412", "174393195", "174396881", "174400567"]
FR_EMPLOYER = "126132785"
EXPECTED_EXIT = {("validate", "sample_data/bad_input"): 3}
"""Commands whose documented exit code is not 0 (README: "report every defect ... (exit 3)")."""


def readme_commands() -> list[list[str]]:
    """The ``payroll`` commands of the README's "Using it" block, in order (``for`` loops unrolled)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Using it\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.DOTALL).group(1)
    commands = []
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "source ")):
            continue
        loop = re.fullmatch(r"for (\w+) in ([\w ]+); do (.*); done", line)
        bodies = [loop.group(3).replace(f"${loop.group(1)}", v) for v in loop.group(2).split()] if loop else [line]
        for body in bodies:
            words = shlex.split(body, comments=True)
            assert words[0] == "payroll", body
            commands.append(words[1:])
    return commands


def run_sample_command() -> list[str]:
    """The ``payroll`` command of scripts/run_sample.sh, without ``--via-prefect`` and ``"$@"``."""
    script = (ROOT / "scripts" / "run_sample.sh").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in script.splitlines() if x.strip().startswith(".venv/bin/payroll "))
    words = shlex.split(line)[1:]
    return [w for w in words if w not in ("--via-prefect", "$@")]


def test_the_readme_commands_run_one_after_another(tmp_path, monkeypatch):
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(clone)
    runner = CliRunner()
    first = runner.invoke(app, run_sample_command(), catch_exceptions=False)
    assert first.exit_code == 0, first.output
    commands = readme_commands()
    assert len(commands) >= 12
    for args in commands:
        result = runner.invoke(app, args, catch_exceptions=False)
        expected = EXPECTED_EXIT.get(tuple(args[:2]), 0)
        assert result.exit_code == expected, f"payroll {shlex.join(args)}\n{result.output}"
        if args[0] == "explain":
            topic = args[args.index("--what") + 1] if "--what" in args else "withholding"
            assert topic.replace("-", " ") in result.output.lower() and "no pay row" not in result.output.lower()
    # The French export is another client: the sample month's four employers are still finalised.
    current = RunStore(clone / "run_store").current("2026-10")
    assert sorted(current) == sorted([*SAMPLE_EMPLOYERS, FR_EMPLOYER])
    assert all(x.finalised for x in current.values())
    assert len({current[e].version for e in SAMPLE_EMPLOYERS}) == 1  # the second run was the same run
    assert (clone / "out" / "dmfa-2026-Q3" / "manifest.json").is_file()


@pytest.mark.parametrize("line", ["payroll run sample_data/x --period 2026-10 --out out/x  # a comment"])
def test_readme_lines_are_read_as_the_shell_reads_them(line):
    assert shlex.split(line, comments=True)[1:] == ["run", "sample_data/x", "--period", "2026-10", "--out", "out/x"]
