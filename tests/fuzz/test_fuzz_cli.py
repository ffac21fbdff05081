"""Fuzz: mutated copies of the sample exports through the real console entry (``pipeline.cli.main``).

Each case (``conftest.case``: a sample batch, one file, one or two mutations, all from a seed)
must end as the data contract's "Exit codes" say, whatever the damage:

- exit 0 or 3 with the run's summary, the manifest's counts reconciling for every input
  (read = valid + rejected + blank + out_of_period), every reject with its file and line, no
  staging folder left behind; a change of line endings or encoding alone reads every record the
  untouched batch has (nothing vanishes);
- or exit 1 with exactly one line and no output folder. Never exit 4: the contract keeps it for a
  parameter a row actually needs, and no mutation of the sample exports makes a row need a date
  outside the parameters' history (a date the parameters do not cover rejects that row instead);
- never a traceback; no valid NISS/BIS number in clear in any output (the DmfA XML and the run
  store excepted, neither is written here) nor on stdout or stderr. Numbers are recognised with
  python-stdnum, independently of the project's own check.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from stdnum.be import bis, nn

from pipeline.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

NISS_LIKE = re.compile(r"(?<![0-9])([0-9]{2}[.\-/ ]?[0-9]{2}[.\-/ ]?[0-9]{2}[.\-/ ]?[0-9]{3}[.\-/ ]?[0-9]{2})(?![0-9])")


HASH = re.compile(r"\b[0-9a-f]{40,64}\b")
"""SHA-256 digests (file hashes, run ids): eleven of their digits can pass the check by chance."""


def national_numbers(text: str) -> set[str]:
    """The valid national (NISS) or BIS numbers written in ``text`` (hash digests left out)."""
    found = set()
    for match in NISS_LIKE.finditer(HASH.sub("", text)):
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


def problems(code: int, stdout: str, stderr: str, out: Path, expected_reads: dict | None = None) -> list[str]:
    """What is wrong with how a run ended (empty: nothing). ``expected_reads``: records per input
    the run must have read (the untouched batch's), when the mutation keeps every record."""
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
        where = pl.read_csv(out / "rejects.csv", infer_schema=False).select("source_file", "source_line")
        if where.null_count().sum_horizontal().item():
            found.append("a reject without its file and line")
        reads = {name: c["read"] for name, c in manifest["counts"].items()}
        if expected_reads is not None and reads != expected_reads:
            found.append(f"records vanished or appeared: read {reads}, the untouched batch {expected_reads}")
    elif code == 1:
        if len(said) != 1:
            found.append(f"exit {code} with {len(said)} lines of output instead of one")
        if out.exists():
            found.append("an output folder was left after a failure")
    else:
        found.append(f"exit code {code}")
    return found


def run_batch(batch: Path, work: Path, profile: str) -> tuple[int, str, str, Path]:
    out = work / "runs" / "out"
    out.parent.mkdir(parents=True)
    args = ["run", str(batch), "--period", "2026-10", "--out", str(out), "--store", str(work / "store")]
    return (*run_cli([*args, "--run-date", "2026-11-02", "-q", "--profile", profile]), out)


_UNTOUCHED_READS: dict[str, dict[str, int]] = {}


def check_case(case, work: Path, apply) -> dict:
    """Run one case in ``work``; its exit code, what is wrong (empty: nothing) and the output's end.

    ``apply(case, folder)`` copies the case's batch and mutates it (``conftest.apply``)."""
    expected = None
    if case.keeps_records:
        if case.batch not in _UNTOUCHED_READS:
            folder = apply(replace(case, mutations=()), work / "untouched-in")
            _, _, _, out = run_batch(folder, work / "untouched", case.profile)
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            _UNTOUCHED_READS[case.batch] = {name: c["read"] for name, c in manifest["counts"].items()}
        expected = _UNTOUCHED_READS[case.batch]
    code, stdout, stderr, out = run_batch(apply(case, work / "in"), work / "mutated", case.profile)
    return {"code": code, "problems": problems(code, stdout, stderr, out, expected), "said": (stdout + stderr)[-600:]}


def _run_in_workers(seeds: list[int], root: Path, workers: int) -> dict[int, dict]:
    """The cases run by ``workers`` processes (``worker.py``), each writing one JSON line per case."""
    chunks = [seeds[i::workers] for i in range(workers)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    running = []
    for i, chunk in enumerate(chunks):
        todo, done = root / f"todo-{i}.json", root / f"done-{i}.jsonl"
        todo.write_text(json.dumps(chunk))
        command = [sys.executable, str(HERE / "worker.py"), str(todo), str(done), str(root / f"work-{i}")]
        running.append((chunk, done, subprocess.Popen(command, env=env, cwd=ROOT)))
    results: dict[int, dict] = {}
    for chunk, done, process in running:
        code = process.wait()
        lines = done.read_text(encoding="utf-8").splitlines() if done.exists() else []
        for line in lines:
            item = json.loads(line)
            results[item["seed"]] = item
        for seed in chunk:
            if seed not in results:
                died = f"the worker process ended (exit {code}) while running this case or an earlier one of its share"
                results[seed] = {"code": None, "problems": [died], "said": ""}
    return results


@pytest.fixture(scope="module")
def fuzz_results(request, mutate, tmp_path_factory):
    """Every selected case's result, computed once: in ``PAYROLL_FUZZ_WORKERS`` processes (default
    2, the cores of CI), or in this process for one worker or one case (``-k 017-``)."""
    cases = {
        item.callspec.params["fuzz_case"].seed: item.callspec.params["fuzz_case"]
        for item in request.session.items
        if hasattr(item, "callspec") and "fuzz_case" in item.callspec.params
    }
    root = tmp_path_factory.mktemp("fuzz")
    workers = min(int(os.environ.get("PAYROLL_FUZZ_WORKERS", "2")), len(cases))
    if workers <= 1:
        return {seed: check_case(c, root / str(seed), mutate) for seed, c in cases.items()}
    return _run_in_workers(sorted(cases), root, workers)


def test_a_mutated_export_ends_with_a_summary_or_one_line(fuzz_case, fuzz_results):
    result = fuzz_results[fuzz_case.seed]
    assert result["problems"] == [], result
