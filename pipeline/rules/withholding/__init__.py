"""Withholding-tax (PP/BV) applicability for cross-border workers (docs/withholding.md).

For every employee and pay month: whether the Belgian employer withholds Belgian withholding tax
(précompte professionnel / bedrijfsvoorheffing), on which share of the pay, and why.

- :mod:`.table`: the 13-row decision table, declared once (rows, named conditions, needs, shares);
- :mod:`.counters`: calendar-year counters, the French exit limit prorated for a hire, the first
  excess of the year and the months to regularise (the one-time second chance);
- :mod:`.decide`: parameters in force -> counters -> exit limit -> the table -> decided / rejected;
- :mod:`.explain`: one decision as text, from the same table.
"""

from pipeline.rules.withholding.decide import LINE_SCHEMA, PAY_COLUMNS, WithholdingResult, decide_withholding
from pipeline.rules.withholding.explain import explain, explain_employee
from pipeline.rules.withholding.table import (
    BE_RESIDENT,
    DE_WORK_STATE_PRORATA,
    FR_276FG_MISSING,
    FR_EXCLUDED_CATEGORY,
    FR_EXIT_LIMIT_DEFINITIVE,
    FR_EXIT_LIMIT_YEAR_LOST,
    FR_FRONTIER_EXEMPT,
    FR_NOT_GRANDFATHERED,
    FR_REGIME_ENDED_2034,
    LU_OVER_TOLERANCE_PRORATA,
    LU_WITHIN_TOLERANCE,
    NL_WORK_STATE_PRORATA,
    OTHER_TREATY_REVIEW,
    TABLE,
)

__all__ = [
    "BE_RESIDENT",
    "DE_WORK_STATE_PRORATA",
    "FR_276FG_MISSING",
    "FR_EXCLUDED_CATEGORY",
    "FR_EXIT_LIMIT_DEFINITIVE",
    "FR_EXIT_LIMIT_YEAR_LOST",
    "FR_FRONTIER_EXEMPT",
    "FR_NOT_GRANDFATHERED",
    "FR_REGIME_ENDED_2034",
    "LINE_SCHEMA",
    "LU_OVER_TOLERANCE_PRORATA",
    "LU_WITHIN_TOLERANCE",
    "NL_WORK_STATE_PRORATA",
    "OTHER_TREATY_REVIEW",
    "PAY_COLUMNS",
    "TABLE",
    "WithholdingResult",
    "decide_withholding",
    "explain",
    "explain_employee",
]
