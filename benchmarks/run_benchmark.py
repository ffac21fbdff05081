"""Throughput benchmark of one monthly payroll batch. A script, not a test.

For each size N it generates a synthetic batch of N employees (one pay row each for the run
month, ``pipeline.testing.synthetic.generate(N, period="2026-10", history_months=0, bad_fraction=0.01)``:
all residences, both statuses, part-time, ~5 % sickness episodes, 1 % bad rows) as CSV under
``benchmarks/data/`` (cached; generation time is NOT part of the timing), then runs the whole
batch in a fresh Python process and times each step:

    load (read + map) -> check (pandera + cross-file rules) -> compute (every rule)
    -> manifest -> publish (Parquet + CSV of every table, manifest.json)

Reported per size: wall time per step and in total, rows per second (pay rows read = employee-
months), peak memory of the child process (``ru_maxrss``) and the output row counts.
With ``--partitions K`` the same batch is also run by ``pipeline.jobs.partitioned.run_partitioned``
on a 2-worker ``LocalCluster`` (or ``--dask-address``), reporting the driver's peak memory and the
peak memory of every partition on its worker, and checking that the output is byte-identical to
the single-process run.

Usage (from the repository root)::

    python benchmarks/run_benchmark.py --sizes 100000 1000000
    python benchmarks/run_benchmark.py --sizes 1000000 --partitions 8

Results: a table on stdout and ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PERIOD = "2026-10"
RUN_DATE = dt.date(2026, 11, 2)
TARGET_SECONDS = 15.0
TARGET_MEMORY_MB = 4096.0
TARGET_SIZE = 1_000_000


# ------------------------------------------------------------------------------------------------
# Data generation (in the parent; excluded from the timings)
# ------------------------------------------------------------------------------------------------


def batch_dir(n: int, seed: int, bad_fraction: float) -> Path:
    return DATA / f"batch_n{n}_s{seed}_b{bad_fraction:g}"


def ensure_batch(n: int, seed: int, bad_fraction: float) -> tuple[Path, float | None]:
    """Generate the CSV batch once (a ``.complete`` marker makes it reusable)."""
    folder = batch_dir(n, seed, bad_fraction)
    if (folder / ".complete").is_file():
        return folder, None
    sys.path.insert(0, str(ROOT))
    from pipeline.testing import synthetic

    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    frames = synthetic.generate(n, period=PERIOD, history_months=0, seed=seed, bad_fraction=bad_fraction)
    synthetic.write_batch(frames, folder, fmt="csv")
    (folder / ".complete").write_text(json.dumps({k: v.height for k, v in frames.items()}) + "\n")
    return folder, time.perf_counter() - started


# ------------------------------------------------------------------------------------------------
# Child processes (fresh interpreter per measurement)
# ------------------------------------------------------------------------------------------------


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _cpu_s() -> float:
    """CPU seconds of this process so far, user + system, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_single(input_dir: Path, out: Path) -> dict:
    """Run one batch in this process, step by step; return the timings."""
    t0 = time.perf_counter()
    from pipeline.core.params import default_parameters
    from pipeline.jobs import monthly

    params = default_parameters()
    imports = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)  # a fresh run: removing an earlier output is not timed
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def step(name, fn, *args):
        started, used = time.perf_counter(), _cpu_s()
        value = fn(*args)
        steps[name] = time.perf_counter() - started
        cpu[name] = _cpu_s() - used
        return value

    prof, raw = step("load", monthly.load, input_dir, None)
    checked = step("check", monthly.check, raw)
    tables, store_tables = step("compute", monthly.compute, checked, PERIOD, params, None)
    man = step("manifest", monthly.manifest, PERIOD, RUN_DATE, prof, raw, tables, params)
    result = monthly.BatchResult(PERIOD, tables, store_tables, man)
    step("publish", monthly.publish, result, out, True, None)
    return {
        "mode": "single",
        "imports_s": imports,
        "steps_s": steps,
        "total_s": sum(steps.values()),
        "cpu_steps_s": cpu,
        "cpu_s": sum(cpu.values()),
        "peak_rss_mb": _maxrss_mb(),
        "pay_rows": raw["pay"].rows,
        "input_rows": {name: item.rows for name, item in raw.items()},
        "output_rows": {name: frame.height for name, frame in tables.items()},
    }


def child_partitioned(input_dir: Path, out: Path, partitions: int, address: str | None) -> dict:
    """Run one batch through ``run_partitioned`` (Dask); return the timings."""
    t0 = time.perf_counter()
    from pipeline.jobs.partitioned import run_partitioned

    imports = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = run_partitioned(
        input_dir, PERIOD, RUN_DATE, out, partitions=partitions, dask_address=address, overwrite=True
    )
    total = time.perf_counter() - started
    return {
        "mode": "partitioned",
        "partitions": partitions,
        "dask_address": address or "LocalCluster(n_workers=2, threads_per_worker=1)",
        "imports_s": imports,
        "steps_s": result.timings,
        "total_s": total,
        "peak_rss_mb": _maxrss_mb(),
        "pay_rows": result.manifest["counts"]["pay"]["read"],
        "partition_stats": result.partition_stats,
        "worker_peak_rss_mb": max((p["peak_rss_mb"] for p in result.partition_stats), default=None),
    }


def run_child(args: list[str]) -> dict:
    """Run this script in a fresh interpreter in child mode; parse its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {' '.join(cmd)}")
    line = [x for x in proc.stdout.splitlines() if x.startswith("{")][-1]
    out = json.loads(line)
    out["process_wall_s"] = wall
    return out


# ------------------------------------------------------------------------------------------------
# Machine and report
# ------------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import polars as pl

    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gb": mem_gb,
        "python": platform.python_version(),
        "polars": pl.__version__,
        "platform": platform.platform(),
    }


def verdicts(results: list[dict]) -> dict:
    single = {r["size"]: r for r in results if r["mode"] == "single"}
    out: dict = {}
    if TARGET_SIZE in single:
        r = single[TARGET_SIZE]
        out["1M_within_15s"] = r["total_s"] <= TARGET_SECONDS
        out["1M_peak_below_4GB"] = r["peak_rss_mb"] < TARGET_MEMORY_MB
    sizes = sorted(single)
    for a, b in zip(sizes, sizes[1:]):
        if b == 10 * a:
            ratio = single[b]["total_s"] / single[a]["total_s"]
            out[f"scaling_{a}_to_{b}"] = {"time_ratio": round(ratio, 2), "linear_(<=11x)": ratio <= 11.0}
    return out


def print_table(results: list[dict]) -> None:
    steps = ["load", "check", "compute", "manifest", "publish"]
    head = (
        f"{'mode':<14}{'rows':>10}"
        + "".join(f"{s:>10}" for s in steps)
        + f"{'total s':>10}{'cpu s':>8}{'rows/s':>12}{'peak MB':>10}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        cells = "".join(f"{r['steps_s'].get(s, float('nan')):>10.2f}" for s in steps)
        mode = r["mode"] if r["mode"] == "single" else f"dask x{r['partitions']}"
        print(
            f"{mode:<14}{r['pay_rows']:>10,}{cells}{r['total_s']:>10.2f}{r.get('cpu_s', float('nan')):>8.1f}"
            f"{r['rows_per_s']:>12,.0f}{r['peak_rss_mb']:>10.0f}"
        )
        if r["mode"] == "partitioned":
            worst = max(r["partition_stats"], key=lambda p: p["peak_rss_mb"])
            print(
                f"{'':<14}partitions: rows {min(p['pay_rows'] for p in r['partition_stats']):,}-"
                f"{max(p['pay_rows'] for p in r['partition_stats']):,}, worker peak {worst['peak_rss_mb']:.0f} MB "
                f"(partition {worst['partition']}), identical to single-process: {r.get('identical')}"
            )


def compare_outputs(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    if names != sorted(p.name for p in b.iterdir()):
        return False
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-fraction", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the fastest is kept)")
    parser.add_argument("--partitions", type=int, default=0, help="also run through Dask in K partitions")
    parser.add_argument("--dask-address", default=None, help="existing scheduler (default: a local 2-worker cluster)")
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    # child modes (internal)
    parser.add_argument("--child", choices=["single", "partitioned"], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "single":
        print(json.dumps(child_single(args.input, args.out)))
        return 0
    if args.child == "partitioned":
        print(json.dumps(child_partitioned(args.input, args.out, args.partitions, args.dask_address)))
        return 0

    results = []
    generation = {}
    for n in args.sizes:
        folder, gen_s = ensure_batch(n, args.seed, args.bad_fraction)
        generation[n] = gen_s
        out_single = DATA / f"out_single_n{n}"
        runs = [
            run_child(["--child", "single", "--input", str(folder), "--out", str(out_single)])
            for _ in range(args.repeat)
        ]
        best = min(runs, key=lambda r: r["total_s"])
        best.update(size=n, runs_total_s=[round(r["total_s"], 3) for r in runs])
        best["rows_per_s"] = best["pay_rows"] / best["total_s"]
        results.append(best)
        if args.partitions:
            out_part = DATA / f"out_partitioned_n{n}"
            extra = ["--partitions", str(args.partitions)] + (
                ["--dask-address", args.dask_address] if args.dask_address else []
            )
            r = run_child(["--child", "partitioned", "--input", str(folder), "--out", str(out_part), *extra])
            r.update(size=n, rows_per_s=r["pay_rows"] / r["total_s"], identical=compare_outputs(out_single, out_part))
            results.append(r)

    report = {
        "command": "python benchmarks/run_benchmark.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "generation_s": generation,
        "targets": {
            "size": TARGET_SIZE,
            "seconds": TARGET_SECONDS,
            "peak_memory_mb": TARGET_MEMORY_MB,
            "scaling": "10x rows <= 11x time",
        },
        "results": results,
        "verdicts": verdicts(results),
    }
    args.results.write_text(json.dumps(report, indent=2, default=str) + "\n")
    m = report["machine"]
    print(f"machine: {m['nproc']} cores, {m['ram_gb']} GB, {m['cpu_model']}, polars {m['polars']}")
    print_table(results)
    print("verdicts:", json.dumps(report["verdicts"]))
    print(f"written: {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
