"""The dated-parameter loader refuses gaps, overlaps, missing references and out-of-range values."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipeline.core.params import Parameters, default_parameters
from pipeline.errors import MissingParameterError, ParameterFileError

GOOD = """\
description: test rate
unit: percent
valid_range: {min: 0, max: 100}
values:
  2015-01-01:
    value: 24.92
    status: verified
    reference: {title: t, href: https://example.invalid/a}
  2018-01-01:
    value: 19.88
    status: verified
    reference: {title: t, href: https://example.invalid/b}
"""


def bundle(tmp_path: Path, text: str, name: str = "x/rate") -> Parameters:
    path = tmp_path / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return Parameters.load(tmp_path)


def test_value_on_both_sides_of_a_change(tmp_path):
    p = bundle(tmp_path, GOOD)
    assert p.value("x/rate", dt.date(2017, 12, 31)) == Decimal("0.2492")
    assert p.value("x/rate", dt.date(2018, 1, 1)) == Decimal("0.1988")
    assert p.entry("x/rate", dt.date(2017, 12, 31)).effective_to == dt.date(2017, 12, 31)
    with pytest.raises(MissingParameterError):
        p.value("x/rate", dt.date(2014, 12, 31))


def test_lookup_is_vectorised_and_keeps_row_order(tmp_path):
    p = bundle(tmp_path, GOOD)
    frame = pl.DataFrame({"d": [dt.date(2020, 1, 1), dt.date(2016, 1, 1), dt.date(2018, 1, 1)]})
    out = p.lookup(frame, "x/rate", on="d", alias="r")
    assert out["r"].to_list() == [Decimal("0.1988"), Decimal("0.2492"), Decimal("0.1988")]
    assert out.columns == ["d", "r"]
    with pytest.raises(MissingParameterError):
        p.lookup(pl.DataFrame({"d": [dt.date(2010, 1, 1)]}), "x/rate", on="d", alias="r")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("2018-01-01", "2015-01-01"), "duplicate key"),  # overlap: two values on one date
        (
            GOOD.replace("2015-01-01", "2024-06-01").replace("2018-01-01", "2025-01-01"),
            "gap",
        ),  # history starts too late
        (GOOD.replace("    reference: {title: t, href: https://example.invalid/b}\n", ""), "reference"),
        (
            GOOD.replace(
                "status: verified\n    reference: {title: t, href: https://example.invalid/b}",
                "status: maybe\n    reference: {title: t, href: https://example.invalid/b}",
            ),
            "status",
        ),
        (GOOD.replace("19.88", "119.88"), "valid_range"),
        (GOOD.replace("unit: percent", "unit: furlongs"), "unit"),
        (GOOD.replace("value: 19.88", "value: null"), "not nullable"),
        (GOOD.replace("2015-01-01", "2019-01-01"), "date order"),
    ],
)
def test_loader_refuses_bad_files(tmp_path, text, message):
    with pytest.raises(ParameterFileError, match=message):
        bundle(tmp_path, text)


def test_numbers_are_read_exactly(tmp_path):
    p = bundle(tmp_path, GOOD.replace("19.88", "0.1000000000001"))
    assert p.value("x/rate", dt.date(2019, 1, 1)) == Decimal("0.1000000000001") / 100


def test_packaged_bundle_loads_and_covers_2024():
    params = default_parameters()
    assert params.names()
    for name in params.names():
        first = params.get(name).values[0]
        assert first.effective_from <= dt.date(2024, 1, 1), name
        for value in params.get(name).values:
            assert value.status in {"verified", "secondary", "unverified"}
            assert value.title and value.href.startswith("http")


def test_onss_core_rates_2017_and_2018():
    # 22.65 % (socialsecurity.be DmfAPPL 2018-4 "Les cotisations") + 7.35 % (Groups.be) until 2017Q4;
    # 19.88 % + 5.12 % from 2018Q1 (ONSS rates file, worker codes 015/495).
    p = default_parameters()
    assert p.value("onss/employer_basic_rate", dt.date(2017, 12, 1)) == Decimal("0.2265")
    assert p.value("onss/employer_basic_rate", dt.date(2018, 1, 1)) == Decimal("0.1988")
    assert p.value("onss/wage_moderation_rate", dt.date(2017, 12, 1)) == Decimal("0.0735")
    assert p.value("onss/wage_moderation_rate", dt.date(2018, 1, 1)) == Decimal("0.0512")
    assert p.value("onss/worker_rate", dt.date(2026, 10, 1)) == Decimal("0.1307")
