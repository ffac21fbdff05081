"""Throughput benchmark of the monthly payroll job against its floor, on batches that represent users.

A script, not a test. For each mix and size N (employees, so N employee-months of the run month
2026-10) it generates a synthetic batch once (``pipeline.testing.synthetic.generate``, cached as CSV
under ``benchmarks/data/``, git-ignored; generation is never timed), then, each in a fresh Python
process:

- **product**: the monthly job (``pipeline.jobs.monthly.run_month``, what ``payroll run`` runs)
  with its default options, a fresh run store included, timing each step through its ``on_step``
  hook: load (read + map) -> check (validation) -> compute (every rule) -> manifest -> publish
  (audit files, run store);
- **floor** (``benchmarks/floor.py``): the same input files read, one join, the payroll and
  contribution lines computed in integer cents, and every table of the product's output folder
  written with the product's number of rows and columns, as Parquet (zstd), with CSV only for
  tables of at most 1,048,575 rows (data contract v2, ``--csv auto``).

Mixes (every one with ``--bad-fraction`` defective rows, 1 % by default)::

    default          the generator's own mix: 57 % non-residents, one employer per 30 employees
                     of uneven size, ~5 % sickness episodes of 3-45 days
    one-employer     every employee under one employer
    many-small       employers of 5-20 employees each (thousands of them)
    non-resident-60  60 % non-residents: 30 % French residents, all under the frontier regime
                     with this year's form 276 FG where eligible, 10 % each NL, LU, DE
    sickness-10      ~10 % of the employees ill: episodes of 3-150 days begun up to 120 days
                     before the month, 30 % of them relapses after an earlier illness
    history          the two earlier months of the quarter in the same batch (three pay rows per
                     employee, as a monthly export with the quarter to date carries)

Reported per mix and size: wall time (the whole job, ``run_month`` from its first step to its last;
the process's wall, with interpreter start and imports, beside it), CPU seconds (user + system of
the child process, its threads and children included, from ``wait4``), peak resident memory
(``ru_maxrss`` of the child), per-step wall and CPU, the floor's figures and the ratio product /
floor, and per mix the scaling ratio between sizes ten times apart. With ``--repeat R`` each is
measured R times: median and minimum. With ``--partitions K`` the same batch also runs through
``pipeline.jobs.partitioned.run_partitioned`` on a local 2-worker Dask cluster (or
``--dask-address``): ratio partitioned / single and a check that the output folder is
byte-identical.

Usage (from the repository root)::

    python benchmarks/run_benchmark.py                                   # every mix at 100k and 1M
    python benchmarks/run_benchmark.py --sizes 100000 --mixes default history --repeat 3
    python benchmarks/run_benchmark.py --sizes 1000000 --mixes default --partitions 2

Results: a table on stdout and ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PERIOD = "2026-10"
RUN_DATE = dt.date(2026, 11, 2)
STEPS = ("load", "check", "compute", "manifest", "publish")

TARGET_SIZE = 1_000_000
TARGETS = {
    "wall_s": 10.0,  # 1M employee-months end to end
    "peak_mb": 2500.0,  # 2.5 GB (MB = 2^20 bytes, as ru_maxrss / 1024)
    "floor_ratio": 2.0,  # product wall / floor wall, same run
    "scaling": 10.5,  # 10x the rows in at most 10.5x the time (100k -> 1M)
    "partitioned_ratio": 1.3,  # partitioned wall / single wall at 1M
}

MIXES: dict[str, dict] = {
    "default": {},
    "one-employer": {"n_employers": 1},
    "many-small": {"employer_size": (5, 20)},
    "non-resident-60": {
        "residence_mix": {"BE": 0.37, "BE>NL": 0.02, "BE>FR": 0.01, "FR": 0.30, "LU": 0.10, "NL": 0.10, "DE": 0.10},
        "fr_frontier_share": 1.0,
    },
    "sickness-10": {"sickness_share": 0.12, "episode_days": (3, 150), "episode_lead_days": 120, "relapse_share": 0.30},
    "history": {"history_months": 2},
}
"""Keyword arguments of ``synthetic.generate`` per mix (besides size, period, seed, bad_fraction).
``sickness-10``: 12 % of the employees with at least 220 days of seniority, about 10 % of all."""


# ------------------------------------------------------------------------------------------------
# Data generation (in the parent; excluded from the timings)
# ------------------------------------------------------------------------------------------------


def batch_dir(mix: str, n: int, seed: int, bad_fraction: float) -> Path:
    return DATA / f"{mix}_n{n}_s{seed}_b{bad_fraction:g}"


def ensure_batch(mix: str, n: int, seed: int, bad_fraction: float) -> tuple[Path, float | None]:
    """Generate the CSV batch once, in a child process (this process stays small: a child's
    peak memory counts the memory of the process it was forked from); a ``.complete`` file with
    the arguments and the generator's hash makes it reusable."""
    folder = batch_dir(mix, n, seed, bad_fraction)
    kwargs = {"period": PERIOD, "seed": seed, "bad_fraction": bad_fraction, **MIXES[mix]}
    generator = hashlib.sha256((ROOT / "pipeline" / "testing" / "synthetic.py").read_bytes()).hexdigest()
    stamp = json.dumps({"n_employees": n, **kwargs, "generator": generator}, sort_keys=True, default=list)
    marker = folder / ".complete"
    if marker.is_file() and json.loads(marker.read_text()).get("arguments") == stamp:
        return folder, None
    started = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    run_child([str(Path(__file__).resolve()), "--child", "generate", "--out", str(folder), "--mix", mix, "--n", str(n)])
    marker.write_text(json.dumps({"arguments": stamp}) + "\n")
    return folder, time.perf_counter() - started


def child_generate(folder: Path, mix: str, n: int, seed: int, bad_fraction: float) -> dict:
    from pipeline.testing import synthetic

    frames = synthetic.generate(n, period=PERIOD, seed=seed, bad_fraction=bad_fraction, **MIXES[mix])
    synthetic.write_batch(frames, folder, fmt="csv")
    return {"rows": {k: v.height for k, v in frames.items()}}


# ------------------------------------------------------------------------------------------------
# Child processes (fresh interpreter per measurement)
# ------------------------------------------------------------------------------------------------


def _cpu_s() -> float:
    """CPU seconds of this process so far, user + system, all threads."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_single(input_dir: Path, out: Path, store_dir: Path | None, profile: Path | None) -> dict:
    """Run one batch in this process, step by step; return the timings."""
    t0 = time.perf_counter()
    from pipeline.core.params import default_parameters
    from pipeline.jobs import monthly
    from pipeline.outputs.run_store import RunStore

    params = default_parameters()
    imports = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)  # a fresh run: removing an earlier output is not timed
    store = None
    if store_dir is not None:
        shutil.rmtree(store_dir, ignore_errors=True)
        store = RunStore(store_dir)
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def step(name, fn, *args):
        started, used = time.perf_counter(), _cpu_s()
        value = fn(*args)
        steps[name] = time.perf_counter() - started
        cpu[name] = _cpu_s() - used
        return value

    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU seconds of the process, all threads
        profiler.enable()
    started = time.perf_counter()
    result = monthly.run_month(
        input_dir, PERIOD, RUN_DATE, out, params=params, store=store, overwrite=True, on_step=step
    )
    run_s = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    counts = result.manifest["counts"]
    return {
        "mode": "single",
        "imports_s": imports,
        "steps_s": steps,
        "total_s": run_s,  # the whole job, its steps and what runs between them (the locks, ...)
        "cpu_steps_s": cpu,
        "pay_rows": counts["pay"]["read"],
        "input_rows": {name: c["read"] for name, c in counts.items()},
        "output_rows": {name: frame.height for name, frame in result.tables.items()},
        "output_shapes": output_shapes(out),
        "output_bytes": sum(p.stat().st_size for p in out.iterdir()),
    }


def output_shapes(out: Path) -> dict[str, list[int]]:
    """Rows and columns of every table written to ``out`` (from its Parquet file's footer): what the
    floor writes in turn."""
    import pyarrow.parquet as pq

    shapes = {}
    for path in sorted(out.glob("*.parquet")):
        meta = pq.read_metadata(path)
        shapes[path.stem] = [meta.num_rows, meta.num_columns]
    return shapes


def child_partitioned(input_dir: Path, out: Path, partitions: int, address: str | None, store_dir: Path | None) -> dict:
    """Run one batch through ``run_partitioned`` (Dask), with a fresh run store like the single
    run's; return the timings."""
    t0 = time.perf_counter()
    from pipeline.jobs.partitioned import run_partitioned
    from pipeline.outputs.run_store import RunStore

    imports = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    store = None
    if store_dir is not None:
        shutil.rmtree(store_dir, ignore_errors=True)
        store = RunStore(store_dir)
    started = time.perf_counter()
    result = run_partitioned(
        input_dir, PERIOD, RUN_DATE, out, partitions=partitions, dask_address=address, store=store, overwrite=True
    )
    total = time.perf_counter() - started
    return {
        "mode": "partitioned",
        "partitions": partitions,
        "dask_address": address or "LocalCluster(n_workers=2, threads_per_worker=1)",
        "imports_s": imports,
        "steps_s": result.timings,
        "total_s": total,
        "pay_rows": result.manifest["counts"]["pay"]["read"],
        "partition_stats": result.partition_stats,
        "worker_peak_rss_mb": max((p["peak_rss_mb"] for p in result.partition_stats), default=None),
    }


def run_child(cmd: list[str]) -> dict:
    """Run ``cmd`` (a Python script printing one JSON line) in a fresh interpreter; add the
    process's wall time, CPU seconds and peak memory as ``wait4`` gives them for that child
    (its threads, and its own children once waited for, included)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *cmd], cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        sys.stderr.write(stdout + stderr)
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {' '.join(cmd)}")
    result = json.loads([x for x in stdout.splitlines() if x.startswith("{")][-1])
    result["process_wall_s"] = wall
    result["process_cpu_s"] = usage.ru_utime + usage.ru_stime
    result["process_sys_s"] = usage.ru_stime  # kernel time: page faults of fresh memory, writes
    result["peak_rss_mb"] = usage.ru_maxrss / 1024.0  # Linux: KiB
    return result


def product_cmd(folder: Path, out: Path, store: Path | None, profile: Path | None = None) -> list[str]:
    cmd = [str(Path(__file__).resolve()), "--child", "single", "--input", str(folder), "--out", str(out)]
    cmd += ["--store-dir", str(store)] if store is not None else []
    return cmd + (["--profile-to", str(profile)] if profile is not None else [])


def floor_cmd(folder: Path, out: Path, shapes: dict[str, list[int]]) -> list[str]:
    tables = [f"--table={name}={rows}x{columns}" for name, (rows, columns) in shapes.items()]
    return [str(HERE / "floor.py"), str(folder), str(out), "--period", PERIOD, *tables]


# ------------------------------------------------------------------------------------------------
# Summaries, machine and report
# ------------------------------------------------------------------------------------------------


def summary(runs: list[dict]) -> dict:
    """Median and minimum over repeated runs (wall of the steps, process wall and CPU, peak)."""

    def stats(values: list[float]) -> dict:
        return {"median": statistics.median(values), "min": min(values)}

    steps = list(dict.fromkeys(s for r in runs for s in r["steps_s"]))  # in the order of the job
    return {
        "wall_s": stats([r["total_s"] for r in runs]),
        "process_wall_s": stats([r["process_wall_s"] for r in runs]),
        "cpu_s": stats([r["process_cpu_s"] for r in runs]),
        "sys_s": stats([r["process_sys_s"] for r in runs]),
        "peak_rss_mb": stats([r["peak_rss_mb"] for r in runs]),
        "steps_s": {s: statistics.median(r["steps_s"].get(s, 0.0) for r in runs) for s in steps},
        "cpu_steps_s": {s: statistics.median(r.get("cpu_steps_s", {}).get(s, 0.0) for r in runs) for s in steps},
        "runs": [
            {k: round(r[k], 3) for k in ("total_s", "process_wall_s", "process_cpu_s", "process_sys_s", "peak_rss_mb")}
            for r in runs
        ],
    }


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
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gb": mem_gb,
        "python": platform.python_version(),
        "polars": importlib.metadata.version("polars"),  # not imported: this process stays small
        "platform": platform.platform(),
    }


WARM_UP_GB = 8
"""Memory a child touches once before the first measurement (``--warm-up-gb``)."""


def warm_up(gb: int) -> float:
    """Touch ``gb`` GB of memory once in a child process, untimed; return the seconds it took.

    On a virtual machine that has just booted (CI, a cloud VM, the Firecracker VMs here) the first
    touch of each guest page costs the host a fault, about twice the kernel time of a later one:
    the first runs of a session came out 30-40 % slower than the same runs a minute later (26 s
    against 18 s for `default` at 1M, 12 s of system time against 6). Touching more memory than
    the largest run needs, once, measures every mix on the machine in the state a running server
    is in. A machine that has run for a while gains nothing from it (and loses a few seconds)."""
    if gb <= 0:
        return 0.0
    started = time.perf_counter()
    code = f"b = bytearray({gb} << 30)\nfor i in range(0, len(b), 4096): b[i] = 1"
    subprocess.run([sys.executable, "-c", code], check=True)
    return round(time.perf_counter() - started, 1)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def verdicts(results: list[dict]) -> dict:
    """Each target against the medians: 1M wall, peak and floor ratio per mix; scaling per mix."""
    out: dict = {}
    for r in results:
        if r["size"] != TARGET_SIZE:
            continue
        p = r["product"]
        out[r["mix"]] = {
            "wall_<=10s": p["wall_s"]["median"] <= TARGETS["wall_s"],
            "peak_<=2.5GB": p["peak_rss_mb"]["median"] <= TARGETS["peak_mb"],
            "floor_ratio_<=2": r["floor_ratio"]["wall"] <= TARGETS["floor_ratio"],
        }
        if "partitioned" in r:
            out[r["mix"]]["partitioned_ratio_<=1.3"] = r["partitioned_ratio"] <= TARGETS["partitioned_ratio"]
    for mix, ratio in scaling(results).items():
        out.setdefault(mix, {})["scaling_<=10.5x"] = ratio["wall"] <= TARGETS["scaling"]
    return out


def scaling(results: list[dict]) -> dict:
    """Per mix, the wall and CPU ratios between the largest pair of sizes ten times apart."""
    out = {}
    by_mix: dict[str, dict[int, dict]] = {}
    for r in results:
        by_mix.setdefault(r["mix"], {})[r["size"]] = r["product"]
    for mix, sizes in by_mix.items():
        pairs = [(a, b) for a in sizes for b in sizes if b == 10 * a]
        if pairs:
            a, b = max(pairs)
            out[mix] = {
                "sizes": [a, b],
                "wall": round(sizes[b]["wall_s"]["median"] / sizes[a]["wall_s"]["median"], 2),
                "cpu": round(sizes[b]["cpu_s"]["median"] / sizes[a]["cpu_s"]["median"], 2),
            }
    return out


def print_table(results: list[dict], repeat: int) -> None:
    agg = "median" if repeat > 1 else "value"
    head = (
        f"{'mix':<16}{'size':>9}{'':>3}{'wall s':>8}{'min':>7}{'proc s':>8}{'cpu s':>8}{'sys s':>7}{'peak MB':>9}"
        f"{'x floor':>8}{'cpu x':>7}   per step wall/cpu s"
    )
    print(f"({agg} of {repeat} run(s); 'min' = fastest wall; 'x floor' = wall / floor wall; 'cpu x' = cpu / floor cpu)")
    print(head)
    print("-" * (len(head) + 40))
    for r in results:
        for role in ("product", "floor", "partitioned"):
            if role not in r:
                continue
            s = r[role]
            ratio = f"{r['floor_ratio']['wall']:>8.2f}{r['floor_ratio']['cpu']:>7.2f}" if role == "product" else ""
            if role == "partitioned":
                ratio = f"{r['partitioned_ratio']:>8.2f}{'':>7}"
            cpu = s["cpu_steps_s"] if role != "partitioned" else {}
            steps = " ".join(f"{k} {v:.2f}" + (f"/{cpu[k]:.1f}" if k in cpu else "") for k, v in s["steps_s"].items())
            label = {"product": r["mix"], "floor": "  floor", "partitioned": f"  dask x{r.get('partitions')}"}[role]
            print(
                f"{label:<16}{r['size']:>9,}{'':>3}{s['wall_s']['median']:>8.2f}{s['wall_s']['min']:>7.2f}"
                f"{s['process_wall_s']['median']:>8.2f}{s['cpu_s']['median']:>8.1f}{s['sys_s']['median']:>7.1f}"
                f"{s['peak_rss_mb']['median']:>9.0f}"
                f"{ratio or '':<15}   {steps}"
            )
        if "partitioned" in r:
            p = r["partitioned"]
            print(
                f"{'':<16}{'':>12}partitioned: worker peak {p['worker_peak_rss_mb']:.0f} MB, "
                f"identical to the single run: {r['partitioned_identical']}"
            )
        rows = r["output_rows"]
        print(
            f"{'':<16}{'':>12}pay rows {r['pay_rows']:,}; payroll lines {rows['payroll_lines']:,}, "
            f"contribution lines {rows['contribution_lines']:,}; load average {r['load_average']}"
        )
    t = TARGETS
    print(
        f"targets at {TARGET_SIZE:,}: wall <= {t['wall_s']:g} s, peak <= {t['peak_mb']:,.0f} MB, "
        f"<= {t['floor_ratio']:g}x floor, scaling 100k -> 1M <= {t['scaling']:g}x, "
        f"partitioned <= {t['partitioned_ratio']:g}x single"
    )


def compare_outputs(a: Path, b: Path) -> bool:
    """Same file names and bytes (compared by SHA-256, read in blocks: this process stays small)."""

    def digest(path: Path) -> str:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()

    names = sorted(p.name for p in a.iterdir())
    if names != sorted(p.name for p in b.iterdir()):
        return False
    return all(digest(a / n) == digest(b / n) for n in names)


def measure(args, mix: str, n: int) -> dict:
    """Product, floor (and partitioned) runs of one mix and size (its batch generated beforehand)."""
    folder = ensure_batch(mix, n, args.seed, args.bad_fraction)[0]
    out = DATA / f"out_{mix}_n{n}"
    store = None if args.no_store else DATA / f"store_{mix}_n{n}"
    load = load_average()
    product, floor = [], []
    for _ in range(args.repeat):  # alternate product and floor, so both see the same load
        product.append(run_child(product_cmd(folder, out / "single", store)))
        floor.append(run_child(floor_cmd(folder, out / "floor", product[-1]["output_shapes"])))
    first = product[0]
    r = {
        "mix": mix,
        "size": n,
        "generate_kwargs": MIXES[mix],
        "pay_rows": first["pay_rows"],
        "input_rows": first["input_rows"],
        "output_rows": first["output_rows"],
        "output_bytes": first["output_bytes"],
        "floor_output_bytes": sum(f["bytes"] for f in floor[0]["files"]),
        "load_average": load,
        "product": summary(product),
        "floor": summary(floor),
    }
    pw, fw = r["product"], r["floor"]
    r["floor_ratio"] = {
        "wall": round(pw["wall_s"]["median"] / fw["wall_s"]["median"], 2),
        "cpu": round(pw["cpu_s"]["median"] / fw["cpu_s"]["median"], 2),
    }
    if args.profile:
        prof = DATA / f"profile_{mix}_n{n}.prof"
        run_child(product_cmd(folder, out / "profiled", store, prof))
        r["profile"] = str(prof)
    if args.partitions:
        extra = ["--partitions", str(args.partitions)]
        extra += ["--dask-address", args.dask_address] if args.dask_address else []
        extra += ["--store-dir", str(DATA / f"store_{mix}_n{n}_partitioned")] if store is not None else []
        cmd = [str(Path(__file__).resolve()), "--child", "partitioned", "--input", str(folder)]
        runs = [run_child([*cmd, "--out", str(out / "partitioned"), *extra]) for _ in range(args.repeat)]
        r["partitions"] = args.partitions
        r["partitioned"] = summary(runs)
        r["partitioned"]["partition_stats"] = runs[0]["partition_stats"]
        r["partitioned"]["worker_peak_rss_mb"] = runs[0]["worker_peak_rss_mb"]
        r["partitioned_ratio"] = round(r["partitioned"]["wall_s"]["median"] / pw["wall_s"]["median"], 2)
        r["partitioned_identical"] = compare_outputs(out / "single", out / "partitioned")
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--mixes", nargs="+", default=list(MIXES), choices=list(MIXES))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-fraction", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=1, help="runs per mix and size (median and min reported)")
    parser.add_argument("--partitions", type=int, default=0, help="also run through Dask in K partitions")
    parser.add_argument("--dask-address", default=None, help="existing scheduler (default: a local 2-worker cluster)")
    parser.add_argument("--no-store", action="store_true", help="run the product without a run store")
    parser.add_argument("--profile", action="store_true", help="one more product run under cProfile per mix/size")
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument(
        "--warm-up-gb", type=int, default=WARM_UP_GB, help="memory touched once before measuring (0: none)"
    )
    # child modes (internal)
    parser.add_argument("--child", choices=["single", "partitioned", "generate"], help=argparse.SUPPRESS)
    parser.add_argument("--mix", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "single":
        print(json.dumps(child_single(args.input, args.out, args.store_dir, args.profile_to)))
        return 0
    if args.child == "generate":
        print(json.dumps(child_generate(args.out, args.mix, args.n, args.seed, args.bad_fraction)))
        return 0
    if args.child == "partitioned":
        print(json.dumps(child_partitioned(args.input, args.out, args.partitions, args.dask_address, args.store_dir)))
        return 0

    DATA.mkdir(exist_ok=True)
    generation = {}  # every batch is generated before the warm-up and the first measurement
    for mix in args.mixes:
        for n in args.sizes:
            generation[f"{mix}/{n}"] = ensure_batch(mix, n, args.seed, args.bad_fraction)[1]
    warmed = warm_up(args.warm_up_gb)
    results = [measure(args, mix, n) for mix in args.mixes for n in args.sizes]
    report = {
        "command": "python benchmarks/run_benchmark.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_end": load_average(),
        "warm_up": {"gb": args.warm_up_gb, "s": warmed},
        "generation_s": generation,
        "targets": {"size": TARGET_SIZE, **TARGETS},
        "results": results,
        "scaling": scaling(results),
        "verdicts": verdicts(results),
    }
    args.results.write_text(json.dumps(report, indent=2, default=str) + "\n")
    m = report["machine"]
    print(f"machine: {m['nproc']} cores, {m['ram_gb']} GB, {m['cpu_model']}, polars {m['polars']}")
    print_table(results, args.repeat)
    for mix, ratio in report["scaling"].items():
        print(
            f"scaling {mix} {ratio['sizes'][0]:,} -> {ratio['sizes'][1]:,}: wall {ratio['wall']}x, cpu {ratio['cpu']}x"
        )
    print("verdicts:", json.dumps(report["verdicts"]))
    print(f"written: {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
