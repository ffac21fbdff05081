"""How failures are told and what they leave (data-contract "Exit codes"): one line built from
our own words, never a library's text or a national number; writing that fails leaves nothing."""

from __future__ import annotations

import errno
import os

import polars as pl
import pytest

from pipeline.core.rejects import mask, mask_national_numbers
from pipeline.errors import (
    InputError,
    MissingParameterError,
    OutputWriteError,
    exit_code,
    one_line,
    sanitised,
    sanitising,
)
from pipeline.outputs import audit


def test_one_line_keeps_our_message_on_one_line_and_masks_eleven_digits():
    exc = InputError("employees.csv: line 4\nholds 85073003328")
    assert one_line(exc) == "employees.csv: line 4 holds *********28"
    assert exit_code(exc) == 1


def test_one_line_describes_an_os_error_from_its_number_not_its_text():
    exc = OSError(errno.ENOSPC, "whatever the system says", "/data/out/payroll_lines.csv")
    assert one_line(exc) == (
        "cannot use /data/out/payroll_lines.csv: no space left on the device; free some space or choose "
        "another folder, then run again"
    )
    # polars re-raises I/O errors with the number in its own text, which is not shown
    assert one_line(OSError("[Errno 13] Permission denied: 85073003328")).startswith("cannot use: permission denied")


def test_one_line_names_a_library_error_by_its_type_and_our_code_only():
    from pipeline.core.periods import Month

    with pytest.raises(ValueError, match="85073003328") as caught:
        Month.parse("85073003328 Dupont")
    line = one_line(caught.value)
    assert line.startswith("unexpected internal error (ValueError at pipeline/core/periods.py:")
    assert "Dupont" not in line and "85073003328" not in line
    with pytest.raises(pl.exceptions.PolarsError) as caught:
        pl.DataFrame({"a": ["85073003328,Dupont"]}).select(pl.col("a").str.to_date("%Y"))
    assert one_line(caught.value).startswith("unexpected internal error (InvalidOperationError); run again")
    safe = sanitised(caught.value)
    assert str(safe) == one_line(caught.value) and safe.exit_code == 1


def test_a_step_run_by_a_framework_raises_only_the_one_line():
    """Prefect tasks and Dask workers log the text of the exception a step raises: the step
    raises our one line (type and place in our code), our own errors unchanged."""

    def step(value):
        if value:
            raise ValueError(f"could not parse {value}")
        raise InputError("pay.csv: line 3 has 9 fields, the header 8")

    with pytest.raises(Exception) as caught:
        sanitising(step)("85073003328,Dupont")
    assert type(caught.value).__name__ == "PayrollError" and caught.value.__cause__ is None
    assert str(caught.value).startswith("unexpected internal error (ValueError); run again with --debug")
    assert "85073003328" not in str(caught.value) and "Dupont" not in str(caught.value)
    with pytest.raises(InputError, match="^pay.csv: line 3 has 9 fields, the header 8$"):
        sanitising(step)("")
    assert sanitising(step).__name__ == "step"  # Prefect and Dask name the task after the function


def test_a_missing_parameter_survives_pickling_with_its_exit_code():
    """A Dask worker's error reaches the driver pickled: exit 4 must come back as exit 4."""
    import datetime as dt
    import pickle

    back = pickle.loads(pickle.dumps(MissingParameterError("withholding/fr_regime_end", dt.date(2011, 10, 1))))
    assert (type(back), back.name, back.on, back.exit_code) == (
        MissingParameterError,
        "withholding/fr_regime_end",
        dt.date(2011, 10, 1),
        4,
    )
    assert str(back) == "legal parameter 'withholding/fr_regime_end' has no value in force on 2011-10-01"


def test_masks():
    assert [mask(v) for v in ("85073003328", "1", "", "12", "123", None)] == [
        "*********28",
        "*",
        "",
        "**",
        "*23",
        None,
    ]
    frame = pl.DataFrame(
        {
            "a": ["85073003328", "E-85.07.30-033.28|2026-10", "85073003329", "x"],  # the third fails mod 97
            "b": ["no", "98472899765 and 01020312345", None, "12345678901"],
        }
    )
    assert mask_national_numbers(frame).rows() == [
        ("*********28", "no"),
        ("E-*************28|2026-10", "*********65 and *********45"),
        ("85073003329", None),
        ("x", "12345678901"),
    ]


def test_a_failed_replacement_puts_the_previous_output_back(tmp_path, monkeypatch):
    out = tmp_path / "run"
    frame = pl.DataFrame({"employee_id": ["E1"]})
    audit.write_run(out, {"t": frame}, {"run_id": "first"})
    before = (out / "manifest.json").read_text(encoding="utf-8")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # staging -> out, after out was put aside
            raise OSError(errno.EIO, "I/O error")
        real_replace(src, dst)

    monkeypatch.setattr(audit.os, "replace", replace)
    with pytest.raises(OutputWriteError, match="input/output error on the device; nothing was written"):
        audit.write_run(out, {"t": frame}, {"run_id": "second"}, overwrite=True)
    assert (out / "manifest.json").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_an_output_left_aside_by_a_dead_run_is_put_back(tmp_path):
    aside = tmp_path / ".run.old-999999999-x" / "run"
    aside.mkdir(parents=True)
    (aside / "manifest.json").write_text("{}")
    audit.clean_stale_staging(tmp_path / "run")
    assert (tmp_path / "run" / "manifest.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_live_run_keeps_its_staging_folder(tmp_path):
    live = tmp_path / f".run.partial-{os.getppid()}-x"  # the parent process is alive
    live.mkdir()
    assert audit.clean_stale_staging(tmp_path / "run") == []
    assert live.exists()
