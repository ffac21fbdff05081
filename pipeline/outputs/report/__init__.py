"""``report.html``: what a payroll officer reads after a run, in English, French or Dutch.

Per employer: the headcount, gross pay, ONSS base, personal contributions after the work bonus
(Law of 20 December 1999 on the work bonus, art. 2), employer contributions by DmfA contribution
code (ONSS administrative instructions, "Cotisations" / "Bijdragen"), the special social security
contribution (CSSS, Law of 30 March 1994, art. 106-112) and the month's total due to ONSS; then the
rejected rows grouped by check with file, line and value (national numbers masked), the run's
warnings, and the parameters in force whose value is not verified. The DmfA export folder and the
ONEM claims folder get their own page (:func:`render_dmfa_report`, :func:`render_claims_report`).

The page is self-contained: inline CSS, charts as inline SVG drawn by matplotlib (text as paths,
fixed ``svg.hashsalt``, no metadata date), no script, and a Content-Security-Policy that forbids
every fetch. Rendering is pure (tables and manifest in, bytes out; the job writes the file) and
deterministic: rows sorted, no clock, the same inputs and run date give the same bytes.

Modules: ``figures`` (the numbers, shared with the workbook and the console summary), ``page``
(HTML building blocks and the shared sections), ``charts`` (matplotlib SVG), ``monthly`` (the
monthly page and the console summary), ``folders`` (the DmfA and claims pages).
"""

from pipeline.outputs.report.figures import (
    MONEY_FIGURES,
    OPTIONAL_FIGURES,
    contributions_by_code,
    employer_figures,
    employer_names,
    figures_total,
    masked_rejects,
)
from pipeline.outputs.report.folders import render_claims_report, render_dmfa_report
from pipeline.outputs.report.monthly import console_summary, render_report
from pipeline.outputs.report.page import REJECT_ROWS_SHOWN

__all__ = [
    "MONEY_FIGURES",
    "OPTIONAL_FIGURES",
    "REJECT_ROWS_SHOWN",
    "console_summary",
    "contributions_by_code",
    "employer_figures",
    "employer_names",
    "figures_total",
    "masked_rejects",
    "render_claims_report",
    "render_dmfa_report",
    "render_report",
]
