"""Audit writer: formula neutralisation, atomic writes."""

import polars as pl
import pytest

from pipeline.outputs import audit


def test_csv_formula_injection_is_neutralised(tmp_path):
    frame = pl.DataFrame({"name": ["=HYPERLINK(1)", "+32", "-x", "@sum", "ok", None], "n": [1, 2, 3, 4, 5, 6]})
    audit.write_table(frame, tmp_path, "t")
    text = (tmp_path / "t.csv").read_text().splitlines()
    assert text[1:6] == ["'=HYPERLINK(1),1", "'+32,2", "'-x,3", "'@sum,4", "ok,5"]
    assert pl.read_parquet(tmp_path / "t.parquet")["name"][0] == "=HYPERLINK(1)"  # data itself unchanged


def test_a_crash_leaves_no_complete_looking_output(tmp_path, monkeypatch):
    calls = []

    def boom(frame, folder, name, csv):
        calls.append(name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return []

    monkeypatch.setattr(audit, "write_table", boom)
    with pytest.raises(RuntimeError):
        audit.write_run(
            tmp_path / "out", {"a": pl.DataFrame({"x": [1]}), "b": pl.DataFrame({"x": [2]})}, {"run_id": "r"}
        )
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # the staging folder is removed too


def test_neutralise_finds_every_formula_start_whatever_the_other_cells():
    """The byte-range pre-check must never miss a column: every first character (ASCII and a few
    others), alone in a column of harmless cells, gives the result of the plain pattern."""
    firsts = [chr(i) for i in range(1, 128)] + ["é", "€", "𝟘", ""]
    for first in firsts:
        column = ["E0000001", "abc", first + "rest", None, "2026-10"]
        expected = ["'" + v if v is not None and v[:1] in set("=+-@\t\r") else v for v in column]
        assert audit.neutralise(pl.DataFrame({"c": column}))["c"].to_list() == expected, repr(first)


def _tree(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_files_rendered_while_the_tables_are_written_give_the_same_folder(tmp_path):
    """``files`` as a function (called once, while the tables are written) writes what the mapping writes."""
    tables = {"a": pl.DataFrame({"x": [1, 2], "t": ["=1", "b"]}), "b": pl.DataFrame({"y": ["85073003328"]})}
    files = {"report.html": b"<p>r</p>", "payroll.xlsx": b"xlsx"}
    calls = []

    def render():
        calls.append(1)
        return files

    audit.write_run(tmp_path / "given", tables, {"run_id": "r"}, files=files)
    audit.write_run(tmp_path / "rendered", tables, {"run_id": "r"}, files=render)
    assert calls == [1]
    assert _tree(tmp_path / "given") == _tree(tmp_path / "rendered")


def test_tables_already_masked_are_written_as_the_writer_masks_them(tmp_path):
    from pipeline.core.rejects import mask_national_numbers

    frame = pl.DataFrame({"id": ["85073003328", "E2"], "note": ["for 85073003328", None]})
    masked = mask_national_numbers(frame)
    audit.write_run(tmp_path / "plain", {"t": frame}, {"run_id": "r"})
    audit.write_run(tmp_path / "masked", {"t": masked}, {"run_id": "r"}, masked=["t"])
    assert _tree(tmp_path / "plain") == _tree(tmp_path / "masked")
    assert audit.parquet_as_is(frame, masked) is False and audit.parquet_as_is(masked, masked) is True


def test_a_failed_rendering_leaves_nothing(tmp_path):
    def render():
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        audit.write_run(tmp_path / "out", {"a": pl.DataFrame({"x": [1]})}, {"run_id": "r"}, files=render)
    assert list(tmp_path.iterdir()) == []
