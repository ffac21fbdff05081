"""English catalogue (see the package docstring for the keys)."""

MESSAGES = {
    # common words
    "common.yes": "yes",
    "common.no": "no",
    "common.none": "—",
    # months
    "month.01": "January",
    "month.02": "February",
    "month.03": "March",
    "month.04": "April",
    "month.05": "May",
    "month.06": "June",
    "month.07": "July",
    "month.08": "August",
    "month.09": "September",
    "month.10": "October",
    "month.11": "November",
    "month.12": "December",
    # run report: page frame
    "report.title_monthly": "Payroll run report — {month}",
    "report.title_dmfa": "DmfA quarterly export — {quarter}",
    "report.title_claims": "ONEM compensation allowance claims — {semester}",
    "report.generated_for": "Period {period}, run of {run_date}",
    "report.run_date": "Run date",
    "report.run_id": "Run id",
    "report.code_version": "Program version",
    "report.profile": "Mapping profile",
    "report.period": "Period",
    "report.quarter": "Quarter",
    "report.semester": "Semester",
    "report.contents": "Contents",
    "report.amounts_note": (
        "Amounts in euros. The figures are sums of the lines of this run's audit files (CSV and Parquet), "
        "which remain the reference."
    ),
    # run report: overview
    "report.overview": "Overview",
    "report.rows_read": "Rows read",
    "report.rows_valid": "Valid rows",
    "report.rows_rejected": "Rows rejected",
    "report.lines_computed": "Payroll lines computed",
    "report.recap": "Summary per employer",
    "report.all_employers": "All employers",
    "report.employer": "Employer",
    "report.employer_unnamed": "Employer {employer_id}",
    "report.employer_heading": "{name} — ONSS {employer_id}",
    "report.charts": "Charts",
    "report.key_figures": "Key figures",
    "report.contributions_by_code": "Employer contributions by DmfA code",
    "report.accrued": "Accrued this month, not due now (collected by ONSS the following year)",
    "report.total": "Total",
    "report.no_work_bonus": "The work bonus is not computed in this run: it is not shown.",
    "report.no_csss": (
        "The special social security contribution (CSSS) is not computed in this run: it is not shown and not "
        "included in the total due."
    ),
    # run report: figures per employer
    "figure.headcount": "Workers",
    "figure.employed_abroad": "of whom employed abroad (ONEM allowance, no Belgian ONSS)",
    "figure.gross_salary": "Gross salary",
    "figure.guaranteed_wage_onss": "Guaranteed wage subject to ONSS",
    "figure.guaranteed_wage_exempt": "Guaranteed wage not subject to ONSS",
    "figure.onss_base": "ONSS base",
    "figure.personal_before_bonus": "Personal contributions before the work bonus",
    "figure.work_bonus": "Work bonus (deducted)",
    "figure.worker_contribution": "Personal contributions after the work bonus",
    "figure.employer_contribution": "Employer contributions",
    "figure.csss": "Special social security contribution (CSSS)",
    "figure.due_to_onss": "Total due to ONSS for the month",
    "figure.onem_allowance": "ONEM compensation allowance (claimed from ONEM)",
    "figure.withholding_applies": "Workers subject to Belgian withholding tax",
    # run report: charts
    "report.chart_contributions": "Employer contributions by DmfA code (EUR, all employers)",
    "report.chart_pay": "Distribution of monthly gross salaries (Belgian payroll)",
    "report.chart_pay_x": "Gross salary (EUR)",
    "report.chart_pay_y": "Workers",
    "report.chart_due": "Due to ONSS by employer (EUR)",
    "report.chart_other_employers": "{count} other employers",
    "report.other_employers": "Other employers",
    "report.recap_bounded": (
        "The recap lists the {shown} employers with the largest amounts due to ONSS and the {others} others in "
        "one line; {file} holds the totals of every employer."
    ),
    "report.employers_not_shown_all": (
        "The {shown} employers with the largest amounts due to ONSS have a section of their own; the totals of "
        "the {others} others are in {file}."
    ),
    "report.employers_not_shown": (
        "The {shown} employers with the largest amounts due to ONSS have a section of their own; the {others} "
        "others are in the recap above and in payroll.xlsx."
    ),
    "report.chart_amount": "EUR",
    # run report: rejects, warnings, parameters, inputs
    "report.rejects": "Rejected rows",
    "report.rejects_none": "No row was rejected.",
    "report.rejects_intro": (
        "{count} rejected rows, grouped by check. Each row names the file and the line to open; national "
        "numbers are masked. Rejected rows are not computed: correct them and run the batch again."
    ),
    "report.rejects_more": "… and {count} more rows: see rejects.csv.",
    "report.check": "Check",
    "report.rows": "Rows",
    "report.file": "File",
    "report.line": "Line",
    "report.column": "Column",
    "report.value": "Value",
    "report.employee": "Employee",
    "report.detail": "Detail (as recorded)",
    "report.warnings": "Warnings",
    "report.warnings_none": "No warnings.",
    "report.parameters_unverified": "Parameters in force that are not verified",
    "report.parameters_unverified_intro": (
        "These legal parameters are in force for the period but their value is not confirmed by a primary "
        "official source yet (status secondary or unverified). Check them before relying on the figures they touch."
    ),
    "report.parameters_unverified_none": "Every parameter in force is verified.",
    "report.parameter": "Parameter",
    "report.parameter_value": "Value",
    "report.status": "Status",
    "report.in_force_from": "In force from",
    "report.reference": "Reference",
    "report.inputs": "Files read",
    "report.dialect": "Format",
    "report.sha256": "SHA-256",
    # DmfA report
    "dmfa.recap": "Declarations per employer",
    "dmfa.worker_lines": "Worker lines",
    "dmfa.occupations": "Occupations",
    "dmfa.remuneration_code1": "Remuneration (code 1)",
    "dmfa.contributions": "Contributions of the quarter",
    "dmfa.monthly_contributions": "Contributions of the monthly runs",
    "dmfa.rounding_regularisation": "Rounding regularisation",
    "dmfa.cap_relief": "Employer cap relief",
    "dmfa.deductions": "Deductions",
    "dmfa.net_owed_amount": "Net amount owed",
    "dmfa.declaration": "Declaration file",
    "dmfa.reconciles": "Agrees with the monthly runs",
    "dmfa.by_code": "Contributions by DmfA code and type",
    "dmfa.code": "DmfA code",
    "dmfa.type": "Type",
    "dmfa.basis": "Basis",
    "dmfa.amount": "Amount",
    "dmfa.anomalies": "Anomalies",
    "dmfa.assumptions": "Assumptions",
    "dmfa.warning_count": "{what}: {count}",
    "dmfa.chart": "Contributions of the quarter by DmfA code (EUR, all employers)",
    # claims report
    "claims.claims": "Claims per worker",
    "claims.country": "Country of work",
    "claims.months": "Months",
    "claims.total": "Total",
    "claims.claimable": "Claimable",
    "claims.claim_deadline": "Claim deadline",
    "claims.months_missing": "Months not in the run store",
    "claims.by_country": "Totals by country of work",
    "claims.count": "Claims",
    "claims.missing_warning": "Months of the semester not in the run store: {months}.",
    # workbook
    "workbook.sheet_summary": "Summary",
    "workbook.sheet_journal": "Payroll journal",
    "workbook.sheet_contributions": "Contributions",
    "workbook.sheet_rejects": "Rejected rows",
    "workbook.sheet_parameters": "Parameters",
    "workbook.too_many_rows": "{rows} rows: more than this workbook lists (at most {limit} per sheet); see {file}.",
    "workbook.title": "Payroll {month} — run of {run_date}",
    # output columns (workbook headers, report tables)
    "column.employee_id": "Employee",
    "column.last_name": "Last name",
    "column.first_name": "First name",
    "column.employer_id": "Employer (ONSS no.)",
    "column.employer_name": "Employer name",
    "column.period": "Period",
    "column.worker_code": "Worker code",
    "column.worker_status": "Worker status",
    "column.residence_country": "Country of residence",
    "column.work_country": "Country of work",
    "column.work_fraction": "Work fraction",
    "column.household": "Tax household (CSSS scale)",
    "column.gross_salary": "Gross salary",
    "column.guaranteed_wage_onss": "Guaranteed wage subject to ONSS",
    "column.guaranteed_wage_exempt": "Guaranteed wage not subject to ONSS",
    "column.onss_base": "ONSS base",
    "column.worker_contribution": "Personal contributions",
    "column.work_bonus": "Work bonus",
    "column.csss": "CSSS",
    "column.employer_contribution": "Employer contributions",
    "column.withholding_applies": "Belgian withholding tax applies",
    "column.withholding_reason": "Withholding tax reason",
    "column.taxable_share_be": "Share taxable in Belgium",
    "column.regularisation_required": "Regularisation required",
    "column.regularisation_periods": "Periods to regularise",
    "column.onem_allowance": "ONEM compensation allowance",
    "column.days_worked_be": "Days worked in Belgium",
    "column.days_worked_residence": "Days worked in the country of residence",
    "column.days_worked_other": "Days worked in other countries",
    "column.zone_exit_days": "Working days outside the border zone",
    "column.payer": "Paid by",
    "column.kind": "Kind",
    "column.dmfa_code": "DmfA code",
    "column.contribution": "Contribution",
    "column.description": "Description",
    "column.lines": "Lines",
    "column.base": "Base",
    "column.rate": "Rate",
    "column.amount": "Amount",
    "column.source_file": "File",
    "column.source_line": "Line",
    "column.column": "Column",
    "column.check": "Check",
    "column.message": "Message",
    "column.detail": "Detail (as recorded)",
    "column.value": "Value",
    "column.parameter": "Parameter",
    "column.unit": "Unit",
    "column.effective_from": "In force from",
    "column.effective_to": "In force until",
    "column.status": "Status",
    "column.reference_title": "Reference",
    "column.reference_href": "Reference address",
    "column.reference_date": "Reference date",
    "column.source": "Citation",
    # payers and kinds of contribution lines
    "payer.worker": "worker",
    "payer.employer": "employer",
    "kind.due": "due",
    "kind.accrual": "accrued",
    "kind.deduction": "deduction",
    "kind.withheld": "withheld",
    # contribution lines (contribution_lines.contribution)
    "contribution.worker_onss": "Personal ONSS contribution",
    "contribution.work_bonus": "Work bonus",
    "contribution.csss": "Special social security contribution (CSSS)",
    "contribution.employer_basic": "Basic employer contribution",
    "contribution.wage_moderation": "Wage moderation contribution",
    "contribution.holiday_quarterly": "Quarterly holiday pay contribution (blue collars)",
    "contribution.holiday_annual_accrual": "Annual holiday pay contribution (blue collars)",
    "contribution.work_accident_special": "Special work-accident contribution",
    "contribution.asbestos_fund": "Asbestos Fund contribution",
    "contribution.ffe_commercial_small": "Company Closure Fund, basic contribution (commercial, smaller employer)",
    "contribution.ffe_commercial_large": "Company Closure Fund, basic contribution (commercial, larger employer)",
    "contribution.ffe_noncommercial": "Company Closure Fund, basic contribution (non-commercial)",
    "contribution.ffe_special": "Company Closure Fund, special contribution (temporary unemployment)",
    "contribution.ar401_special": "Special unemployment contribution (Royal Decree No. 401)",
    "contribution.temporary_unemployment": "Temporary unemployment and seniority supplement contribution",
    "contribution.cpae_cp200": "Social fund of joint committee 200",
    "contribution.structural_reduction": "Structural reduction",
    # reject checks: the plain-language message of each stable check code
    "check.field_count": "The row has too few or too many fields for the file's header.",
    "check.quoting": "The row has an unbalanced quote.",
    "check.encoding": "A cell is not valid text in the file's encoding.",
    "check.not_nullable": "A required value is missing.",
    "check.format_id": "The identifier is empty or holds control characters.",
    "check.format_niss": "Not a valid Belgian national number (NISS) or BIS number: 11 digits with a mod-97 check.",
    "check.format_onss_nr": "Not a valid ONSS employer number: 9 digits with a mod-97 check.",
    "check.format_enterprise_nr": "Not a valid BCE/KBO enterprise number: 10 digits with a mod-97 check.",
    "check.format_unit_nr": (
        "Not a valid BCE/KBO establishment-unit number: 10 digits, the first from 2 to 8, with a mod-97 check."
    ),
    "check.format_date": "Not a valid date (YYYY-MM-DD, or the date format of the mapping profile).",
    "check.format_period": "Not a valid period (YYYY-MM).",
    "check.format_money": "Not an amount in euros with at most two decimals.",
    "check.format_int": "Not a whole number.",
    "check.format_fraction": "Not a decimal number.",
    "check.format_bool": "Not a yes/no value (true/false, 1/0, yes/no, oui/non, ja/nee).",
    "check.format_country": "Not an ISO 3166-1 two-letter country code.",
    "check.country_code_reserved": "UK and EL are not ISO 3166-1 codes: use GB (United Kingdom) or GR (Greece).",
    "check.format_code3": "Not a 3-digit ONSS code.",
    "check.allowed_values": "The value is not one of the values allowed in this column.",
    "check.range": "The value is outside the plausible range.",
    "check.contract_dates_order": "The contract ends before it starts.",
    "check.contract_end_required": "A fixed-term or specific-work contract needs an end date.",
    "check.work_fraction_range": "The work fraction must be above 0 and at most 1.",
    "check.birth_date_matches_niss": "The birth date differs from the birth date held in the national number.",
    "check.days_in_month": "The days worked (Belgium, country of residence and others) add up to more than 31.",
    "check.episode_dates_order": "The absence ends before it starts.",
    "check.cause_out_of_scope": (
        "Occupational accidents and diseases are outside the guaranteed-wage rules: handle this absence "
        "outside the batch."
    ),
    "check.duplicate": "The same key appears more than once in this file.",
    "check.overlapping_absence": "This absence overlaps an earlier absence of the same employee.",
    "check.unknown_employer": "The employer number is not in the employers file.",
    "check.employer_rejected": "The employer's row was rejected, so this row cannot be computed.",
    "check.unknown_employee": "The employee is not in the employees file.",
    "check.employee_rejected": "The employee's row was rejected, so this row cannot be computed.",
    "check.absence_rejected": (
        "An absence of this employee was rejected: the guaranteed wage of the month cannot be computed."
    ),
    "check.episode_end_before_start": "The absence ends before it starts, or one of its dates is missing.",
    "check.episode_overlap": "Absences of this employee overlap: none of them is computed.",
    "check.episode_held_back": (
        "Not computed: an earlier or overlapping absence of this employee was rejected, and the count of "
        "guaranteed-wage days (relapse rule) depends on it."
    ),
    "check.daily_wage_required": (
        "The daily wage is needed: the month has sickness days paid by the employer (guaranteed wage)."
    ),
    "check.pay_row_missing": (
        "No pay row for the month although the absence has days paid by the employer (a daily wage is needed)."
    ),
    "check.withholding_employee_unknown": (
        "No employee row for this pay row: the withholding-tax decision needs the residence and the French "
        "frontier-regime data."
    ),
    "check.withholding_input_missing": "A value needed to decide whether Belgian withholding tax applies is missing.",
    "check.withholding_employee_rejected": (
        "The employee row lacks a value the withholding-tax decision needs: this pay row is not computed."
    ),
    "check.full_time_hours_positive": "The hours of a full-time reference worker must be above zero.",
    "check.onem_work_country": (
        "Belgian resident employed in a country other than the Netherlands or France: no ONEM compensation "
        "allowance is computed."
    ),
    "check.onem_work_fraction": (
        "The work fraction must be above 0 and at most 1 to compute the full-time wage of the ONEM allowance."
    ),
    "check.onem_gross_salary": (
        "The monthly wage subject to foreign social contributions is missing or negative: no ONEM allowance "
        "is computed."
    ),
    # console summary
    "console.run_summary": (
        "period {period}: read {read} rows, valid {valid}, rejected {rejected}; {computed} payroll lines written "
        "to {out}"
    ),
    "console.rejected_see": "{rejected} rows rejected: see {path}",
    "console.employer_line": (
        "employer {employer_id} {name}: {lines} lines, {rejects} rejects; personal {worker}, employer {employer}, "
        "CSSS {csss}, due to ONSS {due}"
    ),
    "console.other_employers": "{count} other employers (the {shown} above owe ONSS the most): see report.html",
    "console.unattributed_rejects": "{rejects} rejected rows not linked to an employer",
    "console.rejects_by_check": "rejected rows by check (values and lines: report.html, rejects.csv):",
    "console.check_line": "  [{check}] {count}: {text}",
    "console.other_checks": "  {count} other checks: see report.html",
    "console.warnings": "warnings:",
    "console.report_written": "report: {path}",
    "console.claims_summary": "{semester}: {rows} claim rows written to {out}",
    "console.dmfa_employer": (
        "{quarter} employer {employer_id}: {worker_lines} worker lines, contributions {contributions} (monthly "
        "runs {monthly}, rounding {rounding}, cap {cap}), net owed {net}"
    ),
    "console.dmfa_summary": "{count} declaration(s) written to {out}",
    "console.no_defects": "no defects found",
    # warnings (code: pipeline.outputs.warnings) and the run store's outcome
    "warning.file_error": (
        "{file} has no column {column} (required): its {rows} rows cannot be computed and nothing of this batch "
        "is finalised in the run store"
    ),
    "warning.employers_missing": (
        "no employers file: employer category 000 and workforce 0 assumed for {count} employer(s): "
        "{workforce_effect}, and {category_effect}"
    ),
    "warning.column_default": "{file} has no column {column}: {default} assumed for its {rows} rows",
    "warning.column_default_effect": "{file} has no column {column}: {default} assumed for its {rows} rows ({effect})",
    "warning.effect.employer_category": "no CPAE social fund (DmfA 831, category 010) is computed",
    "warning.effect.workforce": (
        "the small-employer FFE rate applies and the special contribution of larger employers (DmfA 855) is not due"
    ),
    "warning.effect.commercial": "the FFE rates of commercial employers apply",
    "warning.nothing_computed": (
        "no payroll line computed for {count} employer(s) of the batch ({names}): their month is not finalised in "
        "the run store, and their quarter's DmfA export will refuse it"
    ),
    "warning.household_missing": (
        "{count} worker(s) without a tax household: their CSSS is computed on the scale of a single person"
    ),
    "warning.parameters_not_verified": (
        "{count} legal parameter(s) in force in {period} are not verified against their official source (listed "
        "under parameters_not_verified)"
    ),
    "warning.out_of_period": (
        "{count} pay row(s) of months after {period} ({months}) are out of this run's scope: not computed, not "
        "rejected; run those months separately"
    ),
    "warning.names_more": "{names} and {more} more",
    "store.employer": "employer {ids}",
    "store.employers": "employers {ids}",
    "store.finalised": "run store {store}, {period}: finalised for {employers}",
    "store.not_finalised": (
        "run store {store}, {period}: NOT finalised for {employers} ({reason}); its DmfA export will refuse it"
    ),
    "store.replaced": "run store {store}, {period}: replaced the finalised month of {employers} (kept as superseded)",
    "store.unchanged": "run store {store}, {period}: unchanged for {employers} (this very run is already stored)",
    "store.kept": (
        "run store {store}, {period}: kept the finalised month of {employers}: this run is not final (pass "
        "--replace to store it instead)"
    ),
    "store.reason.no_finalise": "--no-finalise",
    "store.reason.no_lines": "no payroll line computed",
    "store.reason.not_final": "not final",
    "store.reason.file_error": "file-level error",
}
