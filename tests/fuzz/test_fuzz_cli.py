"""Fuzz: mutated copies of the sample exports through the real console entry (``pipeline.cli.main``).

Each case (``conftest.case``: a sample batch, one file, one or two mutations, all from a seed)
must end as the data contract's "Exit codes" say, whatever the damage:

- exit 0 or 3 with the run's summary, the manifest's counts reconciling for every input
  (read = valid + rejected + blank + out_of_period), no staging folder left behind;
- or exit 1 with exactly one line and no output folder (4, a parameter missing for a date a
  mutated row asks for, is held to the same rule);
- never a traceback; no valid NISS/BIS number in clear in any output (the DmfA XML and the run
  store excepted, neither is written here) nor on stdout or stderr. Numbers are recognised with
  python-stdnum, independently of the project's own check.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import polars as pl
from stdnum.be import bis, nn

from pipeline.cli import main

NISS_LIKE = re.compile(r"(?<![0-9])([0-9]{2}[.\-/ ]?[0-9]{2}[.\-/ ]?[0-9]{2}[.\-/ ]?[0-9]{3}[.\-/ ]?[0-9]{2})(?![0-9])")


def national_numbers(text: str) -> set[str]:
    """The valid national (NISS) or BIS numbers written in ``text``."""
    found = set()
    for match in NISS_LIKE.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if nn.is_valid(digits) or bis.is_valid(digits):
            found.add(digits)
    return found


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def output_texts(folder: Path) -> dict[str, str]:
    """Every output file as text (Parquet through polars); the DmfA XML is allowed its numbers."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix == ".xml":
            continue
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            texts[path.name] = frame.select(pl.all().cast(pl.String)).write_csv()
        else:
            texts[path.name] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def problems(code: int, stdout: str, stderr: str, out: Path) -> list[str]:
    """What is wrong with how a run ended (empty: nothing)."""
    found = []
    said = [line for line in (stdout + stderr).splitlines() if line.strip()]
    if "Traceback" in stdout + stderr:
        found.append("a traceback was printed")
    if national_numbers(stdout + stderr):
        found.append("a national number was printed")
    leftovers = [p.name for p in out.parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]
    if leftovers:
        found.append(f"staging folders left behind: {leftovers}")
    if code in (0, 3):
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        for name, c in manifest["counts"].items():
            total = c["valid"] + c["rejected"] + c.get("blank", 0) + c.get("out_of_period", 0)
            if c["read"] != total:
                found.append(f"counts of {name} do not reconcile: {c}")
        for name, text in output_texts(out).items():
            if national_numbers(text):
                found.append(f"a national number in clear in {name}")
    elif code in (1, 4):
        if len(said) != 1:
            found.append(f"exit {code} with {len(said)} lines of output instead of one")
        if out.exists():
            found.append("an output folder was left after a failure")
    else:
        found.append(f"exit code {code}")
    return found


def test_a_mutated_export_ends_with_a_summary_or_one_line(fuzz_case, mutate, tmp_path):
    batch = mutate(fuzz_case, tmp_path / "in")
    out = tmp_path / "runs" / "out"
    out.parent.mkdir()
    args = ["run", str(batch), "--period", "2026-10", "--out", str(out), "--store", str(tmp_path / "store")]
    code, stdout, stderr = run_cli([*args, "--run-date", "2026-11-02", "-q", "--profile", fuzz_case.profile])
    assert problems(code, stdout, stderr, out) == [], (code, stdout[-500:], stderr[-500:])
