"""Terms expressed in months: "de quantième à veille de quantième", with the month-end fallback.

The law of 3 July 1978 counts in months twice in the guaranteed-wage rules: the white collar
engaged "pour une durée déterminée de moins de trois mois" (art. 71) and the month of
uninterrupted service a blue collar or such a white collar needs (art. 52 § 1, 71). Belgian law
computes a term in months from a day of the month (the "quantième") to the day before the same
day of the month ("veille de quantième"): Judicial Code art. 54, "le délai établi en mois ou en
années se compte de quantième à veille de quantième", the civil-law rule of computation that is
also applied to contractual terms. A term of three months beginning on 5 January ends on 4 April;
one beginning on 1 March ends on 31 May.

When the target month has no such day (a term beginning on the 29th, 30th or 31st), the eve of
the missing day is the last day of that month: three months from 31 January end on 30 April, one
month from 31 January ends on 28 (29) February. (EU Regulation 1182/71 on periods, dates and time
limits writes the same fallback, art. 3 (2) (c): when "the day on which [a period expressed in
months] should expire does not occur in the last month, the period shall end with the expiry of
the last hour of the last day of that month".)

So a contract from 31 January to 30 April lasts three months (art. 70), one from 31 January to
29 April lasts less (art. 71); a worker hired on 31 March completes his month of service at the
end of 30 April and is entitled from 1 May.
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def term_end(start: pl.Expr, months: pl.Expr) -> pl.Expr:
    """Last day of a term of ``months`` months that begins on ``start`` (both included), per row.

    ``start + months`` is taken in the calendar; polars clamps a missing day to the month's last
    day. Without clamping the term ends the day before (veille de quantième); with clamping the
    missing day's eve is the last day of that month, the clamped date itself.
    """
    same_day = start.dt.offset_by(pl.format("{}mo", months.cast(pl.Int32)))
    clamped = same_day.dt.day() != start.dt.day()
    return pl.when(clamped).then(same_day).otherwise(same_day - dt.timedelta(days=1))
