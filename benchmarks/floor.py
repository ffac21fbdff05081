"""The floor of a monthly batch: the work no implementation can avoid, in plain polars.

Run by ``benchmarks/run_benchmark.py`` in a fresh process beside every measurement of the product,
on the same input folder, so the product's figures can be read as a multiple of this one:

1. read the four input files (``employers``, ``employees``, ``pay``, ``absences``: CSV, UTF-8) as
   text, the way the product reads them, and type the columns the lines need (money to integer
   cents through ``Decimal``, day counts to integers);
2. one join: the period's pay rows to their employee (and so to the employer id), in pay order;
3. compute the payroll lines (one per employee-month: integer-cent ONSS base, contributions and
   withholding) and the contribution lines (the employee-months repeated, each line an
   integer-cent amount = base x rate, rounded half away from zero to the cent, by integer
   arithmetic);
4. write every table the product writes to its output folder with the product's number of rows
   and columns (``--table NAME=ROWSxCOLUMNS``): the payroll lines' 16 computed columns, then again in
   turn up to the product's width; the contribution lines as computed (7 columns; the product's
   other 4 are one-byte codes); the other tables (e.g. the withholding decisions, the
   guaranteed-wage days) the payroll lines' rows repeated, with employee_id, period and their small
   columns (day counts, codes) in turn, so that the floor writes fewer bytes than the product and
   never more (both totals are reported); the way the product writes them under its
   default options: Parquet (zstd, no statistics, one chunk) and, for a table of at most 1,048,575
   rows only, CSV (data contract v2, ``--csv auto``), two tables at the same time, and the SHA-256
   of every file (the manifest).

No validation, no rules, no run store, no report: what remains is reading, one join, arithmetic on
whole columns and writing the contract's tables. Usage::

    python benchmarks/floor.py INPUT_DIR OUT_DIR --period 2026-10 [--table payroll_lines=979449x27 ...]

Without ``--table``: the payroll lines (one per joined row, 16 columns) and ten contribution lines
per row. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

SPREADSHEET_MAX_ROWS = 1_048_575  # data contract v2, --csv auto: CSV only for tables a spreadsheet opens
PARQUET_OPTIONS = {"compression": "zstd", "statistics": False}
CSV_OPTIONS = {"include_bom": False, "line_terminator": "\n"}
INPUTS = ("employers", "employees", "pay", "absences")
CONTRIBUTIONS = [  # label, rate in millionths: ten lines of different rates (values do not matter here)
    ("worker", 130_700),
    ("employer_basic", 198_800),
    ("wage_moderation", 56_700),
    ("ffe", 1_000),
    ("unemployment", 1_600),
    ("asbestos", 100),
    ("child_care", 500),
    ("education", 1_000),
    ("work_bonus", 80_000),
    ("csss", 9_000),
]
CENTS = pl.Decimal(14, 2)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_inputs(folder: Path) -> dict[str, pl.DataFrame]:
    """Every input file as text (no schema inference), as the product reads a batch."""
    return {
        name: pl.read_csv(folder / f"{name}.csv", infer_schema=False)
        for name in INPUTS
        if (folder / f"{name}.csv").is_file()
    }


def cents(column: str) -> pl.Expr:
    """Money text to integer cents (exact: through Decimal; unreadable cells become null)."""
    return (pl.col(column).cast(CENTS, strict=False) * 100).cast(pl.Int64)


def repeated(frame: pl.DataFrame, rows: int) -> pl.DataFrame:
    """``rows`` rows of ``frame``: its rows in order, repeated from the first as often as needed."""
    if rows == frame.height:
        return frame
    return frame.select(pl.all().gather(pl.int_range(rows, dtype=pl.Int64) % max(frame.height, 1)))


FLAGS = ("days_worked_be", "days_worked_residence", "days_worked_other", "zone_exit_days")
FLAGS += ("worker_status", "residence_country", "work_country", "work_fraction")
"""The payroll lines' small columns (day counts, codes): what the other tables are made of, as the
product's decision and day tables are mostly flags, day counts, codes and dates."""


def shaped(frame: pl.DataFrame, rows: int, columns: int, cycle: tuple[str, ...]) -> pl.DataFrame:
    """A table of ``rows`` x ``columns`` made of ``frame``: its rows repeated; its columns employee_id,
    period, then those of ``cycle`` taken in turn."""
    names = ["employee_id", "period", *(cycle[i % len(cycle)] for i in range(max(columns - 2, 0)))]
    return repeated(frame.select(pl.col(name).alias(f"{name}_{i}") for i, name in enumerate(names)), rows)


def payroll(frames: dict[str, pl.DataFrame], period: str, rows: int | None) -> pl.DataFrame:
    """The period's pay joined to its employees, with integer-cent figures: ``rows`` rows."""
    pay = frames["pay"].filter(pl.col("period") == period)
    pay = pay.select(
        "employee_id",
        "period",
        cents("gross_salary").alias("gross_cents"),
        cents("daily_wage").alias("daily_cents"),
        *[
            pl.col(c).cast(pl.Int32, strict=False)
            for c in ("days_worked_be", "days_worked_residence", "days_worked_other", "zone_exit_days")
        ],
    )
    employees = frames["employees"].select(
        "employee_id", "employer_id", "worker_status", "residence_country", "work_country", "work_fraction"
    )
    joined = pay.join(employees, on="employee_id", how="inner", maintain_order="left")
    joined = joined if rows is None else repeated(joined, rows)
    gross = pl.col("gross_cents").fill_null(0)
    base = (gross * 108 + 50) // 100  # blue collars' 108 %: integer arithmetic
    return joined.with_columns(
        pl.when(pl.col("worker_status") == "blue_collar").then(base).otherwise(gross).alias("onss_base"),
    ).with_columns(
        ((pl.col("onss_base") * 1307 + 5000) // 10000).alias("worker_contribution"),
        ((pl.col("onss_base") * 2500 + 5000) // 10000).alias("employer_contribution"),
        ((gross * 2700 + 5000) // 10000).alias("withholding"),
    )


def contribution_lines(pay: pl.DataFrame, lines: int | None) -> pl.DataFrame:
    """``lines`` lines (default ten per employee-month), spread evenly over the employee-months."""
    n = pay.height
    lines = 10 * n if lines is None else lines
    per, extra = divmod(lines, max(n, 1))
    count = pl.lit(per, pl.Int64) + (pl.int_range(n, dtype=pl.Int64) < extra).cast(pl.Int64)
    take = pay.select(pl.int_range(n, dtype=pl.Int64).repeat_by(count).explode().alias("i"))
    line = pay.select(pl.int_ranges(0, count, dtype=pl.Int64).explode().alias("k"))
    labels = pl.Enum([c for c, _ in CONTRIBUTIONS])
    rates = pl.Series([r for _, r in CONTRIBUTIONS], dtype=pl.Int64)
    names = pl.Series([c for c, _ in CONTRIBUTIONS], dtype=labels)
    k = pl.col("k") % len(CONTRIBUTIONS)
    base = pl.col("onss_base")
    product = base * pl.lit(rates).gather(k)
    half = 500_000  # rounding to the cent, half away from zero, of base (cents) x rate (millionths)
    amount = pl.when(product >= 0).then((product + half) // 1_000_000).otherwise(-((-product + half) // 1_000_000))
    return (
        pay.select("employee_id", "period", "employer_id", "onss_base")
        .select(pl.all().gather(take.to_series()))
        .with_columns(line.to_series())
        .select(
            "employee_id",
            "period",
            "employer_id",
            pl.lit(names).gather(k).alias("contribution"),
            base.alias("base_cents"),
            pl.lit(rates).gather(k).alias("rate_millionths"),
            amount.alias("amount_cents"),
        )
    )


def _write_hashed(path: Path, write) -> dict:
    write(path)
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return {"name": path.name, "sha256": digest, "bytes": path.stat().st_size}


def write_table(frame: pl.DataFrame, folder: Path, name: str) -> list[dict]:
    frame = frame.rechunk()
    files = [_write_hashed(folder / f"{name}.parquet", lambda p: frame.write_parquet(p, **PARQUET_OPTIONS))]
    if frame.height <= SPREADSHEET_MAX_ROWS:
        files.append(_write_hashed(folder / f"{name}.csv", lambda p: frame.write_csv(p, **CSV_OPTIONS)))
    return files


def parse_table(text: str) -> tuple[str, tuple[int, int]]:
    """``NAME=ROWSxCOLUMNS`` -> (NAME, (ROWS, COLUMNS))."""
    name, _, shape = text.partition("=")
    rows, _, columns = shape.partition("x")
    return name, (int(rows), int(columns))


def run(folder: Path, out: Path, period: str, shapes: dict[str, tuple[int, int]]) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}
    mark = [time.perf_counter(), _cpu()]

    def done(name: str) -> None:
        now, used = time.perf_counter(), _cpu()
        steps[name], cpu[name] = now - mark[0], used - mark[1]
        mark[:] = [now, used]

    frames = read_inputs(folder)
    done("read")
    payroll_shape = shapes.get("payroll_lines")
    pay = payroll(frames, period, payroll_shape[0] if payroll_shape else None)
    lines = shapes.get("contribution_lines", (10 * pay.height, 0))[0]
    tables = {"contribution_lines": contribution_lines(pay, lines)}  # as computed: 7 columns
    others = {name: shape for name, shape in shapes.items() if name not in tables}
    tables |= {name: shaped(pay, rows, columns, FLAGS) for name, (rows, columns) in others.items()}
    if payroll_shape:  # the payroll lines' own columns, then again in turn up to the product's width
        tables["payroll_lines"] = shaped(pay, *payroll_shape, tuple(pay.columns[2:]))
    else:
        tables["payroll_lines"] = pay
    del frames
    done("compute")
    order = sorted(tables, key=lambda name: -tables[name].height)  # two tables at a time, the largest first
    with ThreadPoolExecutor(max_workers=2) as pool:
        files = [f for part in pool.map(lambda name: write_table(tables[name], out, name), order) for f in part]
    done("write")
    return {
        "mode": "floor",
        "steps_s": steps,
        "total_s": sum(steps.values()),
        "cpu_steps_s": cpu,
        "cpu_s": sum(cpu.values()),
        "output_rows": {name: frame.height for name, frame in tables.items()},
        "output_columns": {name: frame.width for name, frame in tables.items()},
        "files": files,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument(
        "--table", action="append", default=[], type=parse_table, help="NAME=ROWSxCOLUMNS of a table to write"
    )
    args = parser.parse_args(argv)
    print(json.dumps(run(args.input, args.out, args.period, dict(args.table))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
