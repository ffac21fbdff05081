"""The guaranteed-wage band table (pipeline.rules.guaranteed_wage.bands): declared once, and what the
rest of the code reads from it (law of 3 July 1978 art. 52, 70, 71; CCT 12bis / 13bis; DmfA service codes
of the glossary: 1 remunerated day, 10 guaranteed wage second week, 11 incapacity with complement,
50 sickness)."""

from __future__ import annotations

import polars as pl

from pipeline.core.params import default_parameters
from pipeline.rules import guaranteed_wage as gw
from pipeline.rules.guaranteed_wage import bands


def test_service_codes_are_derived_from_the_table_and_stay_importable():
    # The DmfA aggregation imports these two names from the module (declarations/dmfa/quarter.py).
    assert gw.SERVICE_CODE == {"G100": 1, "PUBLIC_HOLIDAY": 1, "WEEK2": 10, "COMPLEMENT": 11}
    assert gw.SERVICE_CODE_MUTUALITY == 50
    assert set(gw.EMPLOYER_BANDS) == {"G100", "WEEK2", "COMPLEMENT", "PUBLIC_HOLIDAY"}
    assert set(gw.ONSS_BANDS) == {"G100", "PUBLIC_HOLIDAY"}


def test_every_parameter_the_table_names_exists():
    names = set(default_parameters().names())
    for name in bands.DAY_PARAMETERS:
        assert bands.P + name in names, name


def test_one_declaration_per_band_and_regime():
    seen = [(band.name, regime) for band in bands.BANDS for regime in band.regimes]
    assert len(seen) == len(set(seen))
    # the rank bands of each regime, in order, with their last-rank parameter and rate(s)
    rank_bands = {
        regime: [
            (b.name, b.up_to_rank, b.rate, b.rate_above_ceiling)
            for b in bands.BANDS
            if regime in b.regimes and b.up_to_rank
        ]
        for regime in bands.REGIMES
    }
    assert rank_bands[bands.BLUE] == [
        ("G100", "first_week_last_rank", "blue_collar_week1_rate", None),
        ("WEEK2", "second_week_last_rank", "blue_collar_week2_rate", None),
        (
            "COMPLEMENT",
            "period_last_rank",
            "blue_collar_complement_below_ceiling_rate",
            "blue_collar_complement_above_ceiling_rate",
        ),
    ]
    assert rank_bands[bands.WHITE_LONG] == [("G100", "period_last_rank", "white_collar_long_rate", None)]


def test_band_expression_follows_the_declared_order():
    """Ranks 7 / 8 / 14 / 15 / 30 / 31 of each regime (limits 7, 14, 30 in force in 2026) and the condition
    bands that win over the rank: outside the contract, holiday in the window, partial resumption, no month
    of service (blue collars and short white collars only)."""
    rows = []
    for regime in bands.REGIMES:
        for rank in (7, 8, 14, 15, 30, 31):
            rows.append((regime, rank, True, False, False, True))
    rows += [
        (bands.BLUE, 3, False, False, False, True),  # outside the contract
        (bands.BLUE, 40, True, True, False, True),  # holiday in the window wins over the mutuality
        (bands.WHITE_LONG, 3, True, False, True, True),  # relapse during a partial resumption
        (bands.BLUE, 3, True, False, False, False),  # no month of service yet
        (bands.WHITE_LONG, 3, True, False, False, False),  # art. 70: no seniority condition
    ]
    frame = pl.DataFrame(
        rows,
        schema=["regime", "day_rank", "in_contract", "public_holiday", "partial_exempt", "senior"],
        orient="row",
    ).with_columns(
        pl.lit(True).alias("working_day"),
        pl.lit(1).alias("suspension_day"),
        pl.date(2026, 5, 4).alias("date"),
        pl.when(pl.col("senior")).then(pl.date(2026, 1, 1)).otherwise(pl.date(2026, 6, 1)).alias("_seniority_term_end"),
        *[pl.lit(v).cast(pl.Decimal(38, 12)).alias(f"_p_{n}") for n, v in _limits().items()],
    )
    got = frame.select(bands.band_expr(pl.col("day_rank").cast(pl.Decimal(38, 12)))).to_series().to_list()
    assert got == [
        *["G100", "WEEK2", "WEEK2", "COMPLEMENT", "COMPLEMENT", "MUTUALITY"],  # blue collar
        *["G100", "WEEK2", "WEEK2", "COMPLEMENT", "COMPLEMENT", "MUTUALITY"],  # white collar < 3 months
        *["G100", "G100", "G100", "G100", "G100", "MUTUALITY"],  # white collar (art. 70)
        "OUT_OF_CONTRACT",
        "PUBLIC_HOLIDAY",
        "RELAPSE_PARTIAL_RESUMPTION",
        "NO_SENIORITY",
        "G100",
    ]


def _limits() -> dict[str, int]:
    return {
        "first_week_last_rank": 7,
        "second_week_last_rank": 14,
        "period_last_rank": 30,
        "public_holiday_window_days": 30,
        "seniority_months": 1,
    }


def test_what_a_day_reads_from_its_declaration():
    """Band name, payer, ONSS subjection, DmfA service code and rate parameters are those of the declaration
    the day falls in (its position in the table): here one scheduled working day per declaration."""
    frame = pl.DataFrame(
        {bands.DECLARATION: list(range(len(bands.BANDS)))}, schema={bands.DECLARATION: pl.UInt8}
    ).with_columns(
        pl.lit(True).alias("working_day"),
        *[pl.lit(i).cast(pl.Decimal(38, 12)).alias(f"_p_{n}") for i, n in enumerate(bands.DAY_PARAMETERS)],
    )
    rate, rate_above = bands.rate_exprs()
    got = frame.select(
        bands.band_name_expr().alias("band"),
        bands.payer_expr().alias("payer"),
        bands.onss_expr().alias("onss"),
        bands.service_expr().alias("service"),
        rate.cast(pl.Int32).alias("rate"),  # the position of the parameter in DAY_PARAMETERS
        rate_above.cast(pl.Int32).alias("rate_above"),
    ).rows()
    position = {n: i for i, n in enumerate(bands.DAY_PARAMETERS)}
    assert got == [
        (b.name, b.payer, b.onss_subject, b.service_code, position.get(b.rate), position.get(b.rate_above_ceiling))
        for b in bands.BANDS
    ]
    # a day that is not a scheduled working day: an employer band is paid by nobody, with no service code
    off = frame.with_columns(pl.lit(False).alias("working_day")).select(
        bands.payer_expr().alias("payer"), bands.service_expr().alias("service")
    )
    assert off.rows()[bands.BANDS.index(next(b for b in bands.BANDS if b.name == bands.G100))] == ("none", None)
