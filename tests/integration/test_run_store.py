"""The run store of a bureau (data-contract "The run store of a bureau"), through ``payroll`` itself:
every client kept per employer, only trustworthy months finalised, ``--replace`` keeping the
superseded version, atomic saves, the lock, the DmfA refusals, the old layout refused.

Client A is the sample quarter (``sample_data/quarter_2026_q3/``, four employers); client B a
synthetic batch of two other employers whose one export holds July to September (run month by
month: the later months' rows are out of each run's period).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import RunStoreError
from pipeline.outputs import lock
from pipeline.outputs.run_store import RunStore, Status, migrate
from pipeline.testing import synthetic

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
QUARTER = SAMPLE / "quarter_2026_q3"
A_EMPLOYERS = ["174389412", "174393195", "174396881", "174400567"]
runner = CliRunner()


def payroll(*args: object, expect: int | None = 0, env: dict[str, str] | None = None):
    """Run ``payroll``; ``.text`` is its output with the console's line wrapping undone."""
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False, env=env)
    if expect is not None:
        assert result.exit_code == expect, result.text
    result.text = " ".join(result.output.split())
    return result


def run(folder: Path, period: str, out: Path, store: Path, *extra: object, expect: int | None = 0, **kw):
    return payroll(
        "run", folder, "--period", period, "--out", out, "--store", store, "--run-date", "2026-10-02", "-q", *extra,
        expect=expect, **kw,
    )  # fmt: skip


def client_b(folder: Path) -> Path:
    frames = synthetic.generate(40, period="2026-09", history_months=2, seed=5, bad_fraction=0)
    synthetic.write_batch(frames, folder)
    return folder


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    """One store with client A's three months and client B's three months (B's one export, run
    month by month), then each client's DmfA of 2026-Q3; and a store of client A alone."""
    root = tmp_path_factory.mktemp("bureau")
    b = client_b(root / "inbox" / "client-b")
    said = {}
    for month in ("07", "08", "09"):
        run(QUARTER / f"2026-{month}", f"2026-{month}", root / "a" / month, root / "store")
        said[month] = run(b, f"2026-{month}", root / "b" / month, root / "store").text
        run(QUARTER / f"2026-{month}", f"2026-{month}", root / "alone" / month, root / "store_a")
    payroll(
        "dmfa", "--quarter", "2026-Q3", "--store", root / "store", "--out", root / "dmfa", "--run-date", "2026-10-05"
    )
    payroll(
        "dmfa",
        "--quarter",
        "2026-Q3",
        "--store",
        root / "store_a",
        "--out",
        root / "dmfa_a",
        "--run-date",
        "2026-10-05",
    )
    return root, said


def test_two_clients_of_one_month_both_stay_in_the_store(bureau):
    root, _ = bureau
    store = RunStore(root / "store")
    for month in ("2026-07", "2026-08", "2026-09"):
        current = store.current(month)
        b_employers = sorted(set(current) - set(A_EMPLOYERS))
        assert sorted(current) == sorted(A_EMPLOYERS + b_employers) and len(b_employers) == 2
        assert all(x.finalised for x in current.values())
        # each client's employers point at its own run's version
        assert len({current[e].version for e in A_EMPLOYERS}) == 1
        assert len({current[e].version for e in b_employers}) == 1
        assert current[A_EMPLOYERS[0]].version != current[b_employers[0]].version
    # A's rows read back from the bureau's store are exactly those of A's own store
    for table in ("payroll_lines", "contribution_lines", "pay", "employees"):
        together = store.read(table, None, A_EMPLOYERS)
        alone = RunStore(root / "store_a").read(table)
        assert together.sort(together.columns).equals(alone.sort(alone.columns)), table


def test_each_client_gets_its_own_dmfa_declarations(bureau):
    root, _ = bureau
    manifest = json.loads((root / "dmfa" / "manifest.json").read_text())
    assert len(manifest["employers"]) == 6
    # Client A's declarations are those of a store holding client A alone, byte for byte.
    alone = json.loads((root / "dmfa_a" / "manifest.json").read_text())
    for employer in A_EMPLOYERS:
        assert manifest["employers"][employer] == alone["employers"][employer]
        name = f"dmfa_{employer}_20263.xml"
        assert (root / "dmfa" / name).read_bytes() == (root / "dmfa_a" / name).read_bytes()
    # the months come from two runs (one per client): one source entry per month and employer
    assert sorted(manifest["source_runs"])[:2] == ["2026-07/100000112", "2026-07/100001373"]
    assert manifest["warnings"] == []


def test_an_export_holding_later_months_runs_month_by_month_with_exit_0(bureau):
    root, said = bureau
    # B's export holds 40 + 40 rows of August and September: out of July's period, counted, warned.
    july = json.loads((root / "b" / "07" / "manifest.json").read_text())
    pay = july["counts"]["pay"]
    assert (pay["out_of_period"], pay["rejected"]) == (80, 0)
    assert pay["read"] == pay["valid"] + pay["rejected"] + pay["blank"] + pay["out_of_period"]
    assert [w["code"] for w in july["warnings"]][-1] == "out_of_period"
    assert "80 pay row(s) of months after 2026-07 (2026-08, 2026-09) are out of this run's scope" in said["07"]
    september = json.loads((root / "b" / "09" / "manifest.json").read_text())
    assert september["counts"]["pay"]["out_of_period"] == 0


def test_a_finalised_month_is_replaced_only_with_replace_and_the_old_version_is_kept(bureau, tmp_path):
    root, _ = bureau
    store_dir = tmp_path / "store"
    shutil.copytree(root / "store_a", store_dir)
    store = RunStore(store_dir)
    before = store.current("2026-08")
    # Another run of August (another run date: another run id) without --replace: exit 5, nothing written.
    refused = payroll(
        "run", QUARTER / "2026-08", "--period", "2026-08", "--out", tmp_path / "again", "--store", store_dir,
        "--run-date", "2026-10-03", "-q", expect=5,
    )  # fmt: skip
    assert "2026-08 is already finalised in the run store" in refused.text and "--replace" in refused.text
    assert not (tmp_path / "again").exists() and store.current("2026-08") == before
    done = payroll(
        "run", QUARTER / "2026-08", "--period", "2026-08", "--out", tmp_path / "again", "--store", store_dir,
        "--run-date", "2026-10-03", "-q", "--replace",
    )  # fmt: skip
    assert "replaced the finalised month of employers 174389412, 174393195, 174396881, 174400567" in done.text
    after = store.current("2026-08")
    new_run = json.loads((tmp_path / "again" / "manifest.json").read_text())["run_id"]
    for employer in A_EMPLOYERS:
        old, new = before[employer], after[employer]
        assert (new.run_id, new.finalised, new.run_date) == (new_run, True, "2026-10-03")
        assert [s["run_id"] for s in new.superseded] == [old.run_id]
        assert new.superseded[0]["replaced_by"] == new_run and new.superseded[0]["finalised"] is True
    # The superseded version is still there, complete.
    old_version = before[A_EMPLOYERS[0]].version
    info = store.version_info("2026-08", old_version)
    assert info["run_id"] == before[A_EMPLOYERS[0]].run_id
    assert all((store_dir / "versions" / "2026-08" / old_version / f"{t}.parquet").is_file() for t in info["tables"])
    # Rerunning the very run that is current changes nothing and needs no --replace.
    same = payroll(
        "run", QUARTER / "2026-08", "--period", "2026-08", "--out", tmp_path / "again", "--store", store_dir,
        "--run-date", "2026-10-03", "-q", "--overwrite",
    )  # fmt: skip
    assert "unchanged for employers" in same.text and store.current("2026-08") == after


def test_store_files_are_private(bureau):
    root, _ = bureau
    for path in (root / "store").rglob("*"):
        if path.name == ".lock":
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


# --------------------------------------------------------------------------------------------
# Only trustworthy months are finalised; the DmfA refuses the others
# --------------------------------------------------------------------------------------------
def _copy_month(month: str, folder: Path) -> Path:
    shutil.copytree(QUARTER / month, folder)
    return folder


def test_a_pay_file_without_gross_salary_finalises_nothing_and_the_dmfa_refuses(tmp_path):
    store = tmp_path / "store"
    for month in ("2026-07", "2026-08"):
        run(QUARTER / month, month, tmp_path / month, store)
    broken = _copy_month("2026-09", tmp_path / "in")
    pay = pl.read_csv(broken / "pay.csv", infer_schema=False).drop("gross_salary")
    pay.write_csv(broken / "pay.csv")
    result = run(broken, "2026-09", tmp_path / "2026-09", store, expect=None)
    # a file-level error: one message and exit 1 (data contract v2), or, while the reader reports it
    # row by row, exit 3; in both cases nothing of September is finalised
    assert result.exit_code in (1, 3), result.text
    assert not [x for x in RunStore(store).current("2026-09").values() if x.finalised]
    refused = payroll(
        "dmfa", "--quarter", "2026-Q3", "--store", store, "--out", tmp_path / "dmfa", "--run-date", "2026-10-05",
        expect=1,
    )  # fmt: skip
    assert "cannot export the DmfA of 2026-Q3" in refused.text and "employer 174389412 2026-09" in refused.text
    assert not (tmp_path / "dmfa").exists()


def _no_pay(folder: Path) -> Path:
    """The month's employers and employees, a pay file with its header only, no absences."""
    _copy_month("2026-09", folder)
    (folder / "pay.csv").write_text((folder / "pay.csv").read_text().splitlines()[0] + "\n")
    (folder / "absences.csv").unlink()
    return folder


def test_a_month_without_any_pay_is_not_finalised(tmp_path):
    empty = _no_pay(tmp_path / "in")
    said = run(empty, "2026-09", tmp_path / "out", tmp_path / "store").text
    current = RunStore(tmp_path / "store").current("2026-09")
    assert sorted(current) == A_EMPLOYERS
    assert {(x.finalised, x.reason, x.lines) for x in current.values()} == {(False, "no payroll line computed", 0)}
    assert "NOT finalised for employers" in said and "[nothing_computed]" in said
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert ("nothing_computed", 4) in [(w["code"], w["count"]) for w in manifest["warnings"]]


def test_a_month_that_is_not_final_never_displaces_a_finalised_one(tmp_path):
    store = tmp_path / "store"
    run(QUARTER / "2026-09", "2026-09", tmp_path / "good", store)
    good = RunStore(store).current("2026-09")
    empty = _no_pay(tmp_path / "in")
    said = run(empty, "2026-09", tmp_path / "empty", store, "--run-date", "2026-10-03").text
    assert "kept the finalised month of employers" in said
    assert RunStore(store).current("2026-09") == good


def test_no_employers_file_is_warned_with_the_defaults_assumed(tmp_path):
    batch = _copy_month("2026-09", tmp_path / "in")
    (batch / "employers.csv").unlink()
    said = run(batch, "2026-09", tmp_path / "out", tmp_path / "store").text
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    first = manifest["warnings"][0]
    assert (first["code"], first["count"]) == ("employers_missing", 4)
    assert "employer category 000 and workforce 0 assumed" in first["message"] and first["message"] in said
    # No 855 special contribution (employers of 20 workers or more) without the workforce.
    lines = pl.read_parquet(tmp_path / "out" / "contribution_lines.parquet")
    assert lines.filter(pl.col("dmfa_code") == "855").height == 0


# --------------------------------------------------------------------------------------------
# Atomic saves: a crash in the middle of a save leaves the previous version whole
# --------------------------------------------------------------------------------------------
def _tables(n: int) -> dict[str, pl.DataFrame]:
    return {
        "payroll_lines": pl.DataFrame({"employee_id": ["E1"], "employer_id": ["100000112"], "gross": [n]}),
        "employees": pl.DataFrame({"employee_id": ["E1"], "employer_id": ["100000112"]}),
        "pay": pl.DataFrame({"employee_id": ["E1"], "period": ["2026-09"], "gross": [n]}),
    }


def test_a_crash_in_the_middle_of_a_save_leaves_the_finalised_month_whole(tmp_path, monkeypatch):
    store = RunStore(tmp_path / "store")
    final = {"100000112": Status(1, True)}
    store.save("2026-09", _tables(1), {"run_id": "a" * 64, "run_date": "2026-10-02"}, final)
    before = store.current("2026-09")
    written = []
    real = pl.DataFrame.write_parquet

    def crashing(frame, path, *args, **kwargs):
        written.append(path)
        if len(written) == 2:  # the second table of the new version
            raise OSError(28, "No space left on device")
        return real(frame, path, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", crashing)
    with pytest.raises(OSError):
        store.save("2026-09", _tables(2), {"run_id": "b" * 64, "run_date": "2026-10-03"}, final, replace=True)
    monkeypatch.undo()
    assert store.current("2026-09") == before  # the index still names the complete version
    assert store.read("payroll_lines", ["2026-09"])["gross"].to_list() == [1]
    assert store.read("pay", ["2026-09"]).height == 1 and store.read("employees", ["2026-09"]).height == 1
    assert list((tmp_path / "store" / ".staging").iterdir())  # the half-written version, never read

    # A crash after the version is in place but before the index names it: the same.
    def no_index(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(RunStore, "_point", no_index)
    with pytest.raises(OSError):
        store.save("2026-09", _tables(3), {"run_id": "c" * 64, "run_date": "2026-10-04"}, final, replace=True)
    monkeypatch.undo()
    assert store.current("2026-09") == before
    # The next save cleans the staging area and takes the next version number.
    store.save("2026-09", _tables(4), {"run_id": "d" * 64, "run_date": "2026-10-05"}, final, replace=True)
    assert not list((tmp_path / "store" / ".staging").iterdir())
    now = store.current("2026-09")["100000112"]
    assert now.version == "0003-dddddddddddd" and [s["run_id"] for s in now.superseded] == ["a" * 64]
    assert store.read("payroll_lines", ["2026-09"])["gross"].to_list() == [4]


# --------------------------------------------------------------------------------------------
# One writer at a time
# --------------------------------------------------------------------------------------------
def test_a_second_run_on_a_busy_store_stops_with_exit_5(tmp_path):
    store = RunStore(tmp_path / "store")
    with store.locked():
        said = run(
            QUARTER / "2026-07", "2026-07", tmp_path / "out", tmp_path / "store", expect=5,
            env={lock.WAIT_ENV: "0.3"},
        )  # fmt: skip
    assert f"the run store {tmp_path / 'store'} is being written by process {os.getpid()}" in said.text
    assert "nothing was written" in said.text
    assert not (tmp_path / "out").exists() and store.months() == []


def test_a_second_run_waits_for_the_output_folder_then_goes_on(tmp_path):
    out = tmp_path / "out"
    held = threading.Event()

    def first_run():
        with lock.held(lock.output_lock_path(out), "the output folder"):
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=first_run)
    thread.start()
    held.wait(5)
    said = run(QUARTER / "2026-07", "2026-07", out, tmp_path / "store", env={lock.WAIT_ENV: "30"})
    thread.join()
    assert f"waiting for the output folder {out}" in said.text
    assert (out / "manifest.json").is_file()


# --------------------------------------------------------------------------------------------
# The first layout is refused, and migrated on request
# --------------------------------------------------------------------------------------------
def test_a_store_of_the_first_layout_is_refused_then_migrated(tmp_path, bureau):
    root, _ = bureau
    old = tmp_path / "old"
    source = RunStore(root / "store_a")
    for table in ("payroll_lines", "employees", "employers", "pay"):
        folder = old / table / "period=2026-07"
        folder.mkdir(parents=True)
        source.read(table, ["2026-07"]).write_parquet(folder / "data.parquet")
    (old / "periods").mkdir()
    record = {"run_id": "e" * 64, "period": "2026-07", "run_date": "2026-10-02", "finalised": True}
    (old / "periods" / "period=2026-07.json").write_text(json.dumps(record))
    said = run(QUARTER / "2026-08", "2026-08", tmp_path / "out", old, expect=1)
    assert "has the first layout" in said.text and "python -m pipeline.outputs.run_store migrate" in said.text
    with pytest.raises(RunStoreError, match="first layout"):
        RunStore(old).months()
    lines = migrate(old)
    assert lines == [f"run store {old}, 2026-07: finalised for employers {', '.join(A_EMPLOYERS)}"]
    store = RunStore(old)
    assert {x.run_id for x in store.current("2026-07").values()} == {"e" * 64}
    assert store.read("payroll_lines", ["2026-07"]).height == source.read("payroll_lines", ["2026-07"]).height
    assert (old / "legacy-1" / "periods" / "period=2026-07.json").is_file()
    run(QUARTER / "2026-08", "2026-08", tmp_path / "out", old)  # the migrated store is used as history


def test_the_dmfa_warns_about_a_month_that_had_rejected_rows(tmp_path):
    # August with one extra pay row of an unknown employee: rejected (exit 3), the other rows are
    # computed and the month is finalised; the quarter's export goes on and names that month.
    store = tmp_path / "store"
    august = _copy_month("2026-08", tmp_path / "in")
    with (august / "pay.csv").open("a", encoding="utf-8") as fh:
        fh.write("EMP-XX-999,2026-08,1000.00,,,,,,,\n")
    run(QUARTER / "2026-07", "2026-07", tmp_path / "07", store)
    run(august, "2026-08", tmp_path / "08", store, expect=3)
    run(QUARTER / "2026-09", "2026-09", tmp_path / "09", store)
    assert {x.rejected_rows for x in RunStore(store).current("2026-08").values()} == {1}
    done = payroll(
        "dmfa", "--quarter", "2026-Q3", "--store", store, "--out", tmp_path / "dmfa", "--run-date", "2026-10-05"
    )
    manifest = json.loads((tmp_path / "dmfa" / "manifest.json").read_text())
    assert [(w["code"], w["count"]) for w in manifest["warnings"]] == [("month_with_rejects", 1)]
    assert manifest["source_runs"]["2026-08"]["rejected_rows"] == 1
    assert "rejected_rows" not in manifest["source_runs"]["2026-07"]
    assert "warning [month_with_rejects] 2026-08: the monthly run" in done.text and "had 1 rejected row(s)" in done.text


def test_a_staged_version_is_the_version_a_save_writes(tmp_path):
    """``stage`` (the tables written while the job writes its audit folder) then ``write`` gives the
    files of a plain save; a discarded staging leaves the store as it was."""
    final = {"100000112": Status(1, True)}
    info = {"run_id": "a" * 64, "run_date": "2026-10-02"}
    plain, staged = RunStore(tmp_path / "plain"), RunStore(tmp_path / "staged")
    plain.save("2026-09", _tables(1), info, final)
    copied = tmp_path / "pay.parquet"
    _tables(1)["pay"].write_parquet(copied, compression="zstd", statistics=False)
    with staged.locked():
        plan = staged.plan("2026-09", info["run_id"], final)
        begun = staged.stage(plan, _tables(1), later=["pay"])
        staged.write(plan, _tables(1), info, {"pay": copied}, begun)

    def files(root):
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(tmp_path / "plain") == files(tmp_path / "staged")
    before = files(tmp_path / "staged")
    with staged.locked():
        plan = staged.plan("2026-09", "b" * 64, final, replace=True)
        staged.stage(plan, _tables(2)).discard()
    assert files(tmp_path / "staged") == before
    assert staged.read("payroll_lines", ["2026-09"])["gross"].to_list() == [1]
