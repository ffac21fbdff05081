"""Nederlandse catalogus (België), woordenschat van de Belgische loonadministratie: persoonlijke bijdragen
en werkgeversbijdragen, bedrijfsvoorheffing, gewaarborgd loon, werkbonus, bijzondere bijdrage voor de sociale
zekerheid (BBSZ), RSZ, RVA, DmfA."""

MESSAGES = {
    # common words
    "common.yes": "ja",
    "common.no": "nee",
    "common.none": "—",
    # months
    "month.01": "januari",
    "month.02": "februari",
    "month.03": "maart",
    "month.04": "april",
    "month.05": "mei",
    "month.06": "juni",
    "month.07": "juli",
    "month.08": "augustus",
    "month.09": "september",
    "month.10": "oktober",
    "month.11": "november",
    "month.12": "december",
    # run report: page frame
    "report.title_monthly": "Verslag van de loonberekening — {month}",
    "report.title_dmfa": "Driemaandelijkse DmfA-export — {quarter}",
    "report.title_claims": "Aanvragen compensatievergoeding RVA — {semester}",
    "report.generated_for": "Periode {period}, berekening van {run_date}",
    "report.run_date": "Datum van de berekening",
    "report.run_id": "Identificatie van de berekening",
    "report.code_version": "Programmaversie",
    "report.profile": "Koppelingsprofiel",
    "report.period": "Periode",
    "report.quarter": "Kwartaal",
    "report.semester": "Semester",
    "report.contents": "Inhoud",
    "report.amounts_note": (
        "Bedragen in euro. De cijfers zijn sommen van de lijnen van de auditbestanden van deze berekening (CSV en "
        "Parquet), die de referentie blijven."
    ),
    # run report: overview
    "report.overview": "Overzicht",
    "report.rows_read": "Gelezen rijen",
    "report.rows_valid": "Geldige rijen",
    "report.rows_rejected": "Geweigerde rijen",
    "report.lines_computed": "Berekende loonlijnen",
    "report.recap": "Overzicht per werkgever",
    "report.all_employers": "Alle werkgevers",
    "report.employer": "Werkgever",
    "report.employer_unnamed": "Werkgever {employer_id}",
    "report.employer_heading": "{name} — RSZ {employer_id}",
    "report.charts": "Grafieken",
    "report.key_figures": "Kerncijfers",
    "report.contributions_by_code": "Werkgeversbijdragen per DmfA-code",
    "report.accrued": "Deze maand opgebouwd, nu niet verschuldigd (door de RSZ het volgende jaar geïnd)",
    "report.total": "Totaal",
    "report.no_work_bonus": "De werkbonus wordt in deze berekening niet berekend: hij wordt niet getoond.",
    "report.no_csss": (
        "De bijzondere bijdrage voor de sociale zekerheid (BBSZ) wordt in deze berekening niet berekend: ze wordt "
        "niet getoond en niet meegeteld in het verschuldigde totaal."
    ),
    # run report: figures per employer
    "figure.headcount": "Werknemers",
    "figure.employed_abroad": "van wie tewerkgesteld in het buitenland (RVA-vergoeding, geen Belgische RSZ)",
    "figure.gross_salary": "Brutoloon",
    "figure.guaranteed_wage_onss": "Gewaarborgd loon onderworpen aan RSZ",
    "figure.guaranteed_wage_exempt": "Gewaarborgd loon niet onderworpen aan RSZ",
    "figure.onss_base": "RSZ-berekeningsbasis",
    "figure.personal_before_bonus": "Persoonlijke bijdragen vóór werkbonus",
    "figure.work_bonus": "Werkbonus (afgetrokken)",
    "figure.worker_contribution": "Persoonlijke bijdragen na werkbonus",
    "figure.employer_contribution": "Werkgeversbijdragen",
    "figure.csss": "Bijzondere bijdrage voor de sociale zekerheid (BBSZ)",
    "figure.due_to_onss": "Totaal verschuldigd aan de RSZ voor de maand",
    "figure.onem_allowance": "Compensatievergoeding RVA (terug te vorderen bij de RVA)",
    "figure.withholding_applies": "Werknemers onderworpen aan Belgische bedrijfsvoorheffing",
    # run report: charts
    "report.chart_contributions": "Werkgeversbijdragen per DmfA-code (EUR, alle werkgevers)",
    "report.chart_pay": "Spreiding van de maandelijkse brutolonen (Belgische loonadministratie)",
    "report.chart_pay_x": "Brutoloon (EUR)",
    "report.chart_pay_y": "Werknemers",
    "report.chart_due": "Verschuldigd aan de RSZ per werkgever (EUR)",
    "report.chart_other_employers": "{count} andere werkgevers",
    "report.other_employers": "Andere werkgevers",
    "report.recap_bounded": (
        "Het overzicht vermeldt de {shown} werkgevers met het hoogste bedrag verschuldigd aan de RSZ en de "
        "{others} andere op één regel; {file} bevat de totalen van elke werkgever."
    ),
    "report.employers_not_shown_all": (
        "De {shown} werkgevers met het hoogste bedrag verschuldigd aan de RSZ hebben een eigen deel; de totalen "
        "van de {others} andere staan in {file}."
    ),
    "report.employers_not_shown": (
        "De {shown} werkgevers met het hoogste bedrag verschuldigd aan de RSZ hebben een eigen deel; de {others} "
        "andere staan in het overzicht hierboven en in payroll.xlsx."
    ),
    "report.chart_amount": "EUR",
    # run report: rejects, warnings, parameters, inputs
    "report.rejects": "Geweigerde rijen",
    "report.rejects_none": "Geen enkele rij werd geweigerd.",
    "report.rejects_intro": (
        "{count} geweigerde rijen, gegroepeerd per controle. Elke rij vermeldt het bestand en de regel om te "
        "openen; rijksregisternummers zijn gemaskeerd. Geweigerde rijen worden niet berekend: verbeter ze en voer "
        "de batch opnieuw uit."
    ),
    "report.rejects_more": "… en nog {count} rijen: zie rejects.csv.",
    "report.check": "Controle",
    "report.rows": "Rijen",
    "report.file": "Bestand",
    "report.line": "Regel",
    "report.column": "Kolom",
    "report.value": "Waarde",
    "report.employee": "Werknemer",
    "report.detail": "Detail (zoals geregistreerd, in het Engels)",
    "report.warnings": "Waarschuwingen",
    "report.warnings_none": "Geen waarschuwingen.",
    "report.parameters_unverified": "Geldende parameters die niet geverifieerd zijn",
    "report.parameters_unverified_intro": (
        "Deze wettelijke parameters gelden voor de periode, maar hun waarde is nog niet bevestigd door een primaire "
        "officiële bron (status secondary of unverified). Controleer ze voordat u steunt op de bedragen die ervan "
        "afhangen."
    ),
    "report.parameters_unverified_none": "Alle geldende parameters zijn geverifieerd.",
    "report.parameter": "Parameter",
    "report.parameter_value": "Waarde",
    "report.status": "Status",
    "report.in_force_from": "Geldig vanaf",
    "report.reference": "Referentie",
    "report.inputs": "Gelezen bestanden",
    "report.dialect": "Formaat",
    "report.sha256": "SHA-256",
    # DmfA report
    "dmfa.recap": "Aangiften per werkgever",
    "dmfa.worker_lines": "Werknemerslijnen",
    "dmfa.occupations": "Tewerkstellingen",
    "dmfa.remuneration_code1": "Loon (code 1)",
    "dmfa.contributions": "Bijdragen van het kwartaal",
    "dmfa.monthly_contributions": "Bijdragen van de maandberekeningen",
    "dmfa.rounding_regularisation": "Regularisatie van afrondingen",
    "dmfa.cap_relief": "Plafonnering van de werkgeversbijdragen",
    "dmfa.deductions": "Verminderingen",
    "dmfa.net_owed_amount": "Netto verschuldigd bedrag",
    "dmfa.declaration": "Aangiftebestand",
    "dmfa.reconciles": "Stemt overeen met de maandberekeningen",
    "dmfa.by_code": "Bijdragen per DmfA-code en type",
    "dmfa.code": "DmfA-code",
    "dmfa.type": "Type",
    "dmfa.basis": "Basis",
    "dmfa.amount": "Bedrag",
    "dmfa.anomalies": "Anomalieën",
    "dmfa.assumptions": "Aannames",
    "dmfa.warning_count": "{what}: {count}",
    "dmfa.chart": "Bijdragen van het kwartaal per DmfA-code (EUR, alle werkgevers)",
    # claims report
    "claims.claims": "Aanvragen per werknemer",
    "claims.country": "Land van tewerkstelling",
    "claims.months": "Maanden",
    "claims.total": "Totaal",
    "claims.claimable": "Aan te vragen",
    "claims.claim_deadline": "Uiterste aanvraagdatum",
    "claims.months_missing": "Maanden niet in het berekeningsarchief",
    "claims.by_country": "Totalen per land van tewerkstelling",
    "claims.count": "Aanvragen",
    "claims.missing_warning": "Maanden van het semester die niet in het berekeningsarchief staan: {months}.",
    # workbook
    "workbook.sheet_summary": "Overzicht",
    "workbook.sheet_journal": "Loonjournaal",
    "workbook.sheet_contributions": "Bijdragen",
    "workbook.sheet_rejects": "Geweigerde rijen",
    "workbook.sheet_parameters": "Parameters",
    "workbook.too_many_rows": "{rows} rijen: meer dan deze werkmap opneemt (ten hoogste {limit} per blad); zie {file}.",
    "workbook.title": "Lonen {month} — berekening van {run_date}",
    # output columns (workbook headers, report tables)
    "column.employee_id": "Werknemer",
    "column.last_name": "Naam",
    "column.first_name": "Voornaam",
    "column.employer_id": "Werkgever (RSZ-nr.)",
    "column.employer_name": "Naam van de werkgever",
    "column.period": "Periode",
    "column.worker_code": "Werknemerskengetal",
    "column.worker_status": "Statuut",
    "column.residence_country": "Woonland",
    "column.work_country": "Werkland",
    "column.work_fraction": "Tewerkstellingsbreuk",
    "column.household": "Fiscaal gezin (schaal BBSZ)",
    "column.gross_salary": "Brutoloon",
    "column.guaranteed_wage_onss": "Gewaarborgd loon onderworpen aan RSZ",
    "column.guaranteed_wage_exempt": "Gewaarborgd loon niet onderworpen aan RSZ",
    "column.onss_base": "RSZ-basis",
    "column.worker_contribution": "Persoonlijke bijdragen",
    "column.work_bonus": "Werkbonus",
    "column.csss": "BBSZ",
    "column.employer_contribution": "Werkgeversbijdragen",
    "column.withholding_applies": "Belgische bedrijfsvoorheffing van toepassing",
    "column.withholding_reason": "Reden (bedrijfsvoorheffing)",
    "column.taxable_share_be": "In België belastbaar deel",
    "column.regularisation_required": "Regularisatie vereist",
    "column.regularisation_periods": "Te regulariseren periodes",
    "column.onem_allowance": "Compensatievergoeding RVA",
    "column.days_worked_be": "Gewerkte dagen in België",
    "column.days_worked_residence": "Gewerkte dagen in het woonland",
    "column.days_worked_other": "Gewerkte dagen in andere landen",
    "column.zone_exit_days": "Werkdagen buiten de grensstreek",
    "column.payer": "Betaald door",
    "column.kind": "Aard",
    "column.dmfa_code": "DmfA-code",
    "column.contribution": "Bijdrage",
    "column.description": "Omschrijving",
    "column.lines": "Lijnen",
    "column.base": "Basis",
    "column.rate": "Voet",
    "column.amount": "Bedrag",
    "column.source_file": "Bestand",
    "column.source_line": "Regel",
    "column.column": "Kolom",
    "column.check": "Controle",
    "column.message": "Bericht",
    "column.detail": "Detail (zoals geregistreerd, in het Engels)",
    "column.value": "Waarde",
    "column.parameter": "Parameter",
    "column.unit": "Eenheid",
    "column.effective_from": "Geldig vanaf",
    "column.effective_to": "Geldig tot",
    "column.status": "Status",
    "column.reference_title": "Referentie",
    "column.reference_href": "Adres van de referentie",
    "column.reference_date": "Datum van de referentie",
    "column.source": "Bronvermelding",
    # payers and kinds of contribution lines
    "payer.worker": "werknemer",
    "payer.employer": "werkgever",
    "kind.due": "verschuldigd",
    "kind.accrual": "opgebouwd",
    "kind.deduction": "vermindering",
    "kind.withheld": "ingehouden",
    # contribution lines (contribution_lines.contribution)
    "contribution.worker_onss": "Persoonlijke RSZ-bijdrage",
    "contribution.work_bonus": "Werkbonus",
    "contribution.csss": "Bijzondere bijdrage voor de sociale zekerheid (BBSZ)",
    "contribution.employer_basic": "Basiswerkgeversbijdrage",
    "contribution.wage_moderation": "Loonmatigingsbijdrage",
    "contribution.holiday_quarterly": "Driemaandelijkse vakantiebijdrage (arbeiders)",
    "contribution.holiday_annual_accrual": "Jaarlijkse vakantiebijdrage (arbeiders)",
    "contribution.work_accident_special": "Bijzondere bijdrage arbeidsongevallen",
    "contribution.asbestos_fund": "Bijdrage Asbestfonds",
    "contribution.ffe_commercial_small": (
        "Fonds voor Sluiting van Ondernemingen, basisbijdrage (commercieel, kleine werkgever)"
    ),
    "contribution.ffe_commercial_large": (
        "Fonds voor Sluiting van Ondernemingen, basisbijdrage (commercieel, grote werkgever)"
    ),
    "contribution.ffe_noncommercial": "Fonds voor Sluiting van Ondernemingen, basisbijdrage (niet-commercieel)",
    "contribution.ffe_special": "Fonds voor Sluiting van Ondernemingen, bijzondere bijdrage (tijdelijke werkloosheid)",
    "contribution.ar401_special": "Bijzondere werkloosheidsbijdrage (koninklijk besluit nr. 401)",
    "contribution.temporary_unemployment": "Bijdrage tijdelijke werkloosheid en anciënniteitstoeslag",
    "contribution.cpae_cp200": "Sociaal fonds van paritair comité 200",
    "contribution.structural_reduction": "Structurele vermindering",
    # reject checks
    "check.field_count": "De rij heeft te weinig of te veel velden voor de kopregel van het bestand.",
    "check.quoting": "De rij bevat een aanhalingsteken dat niet gesloten wordt.",
    "check.encoding": "Een cel is geen geldige tekst in de codering van het bestand.",
    "check.not_nullable": "Een verplichte waarde ontbreekt.",
    "check.format_id": "De identificatie is leeg of bevat stuurtekens.",
    "check.format_niss": "Geen geldig rijksregisternummer (INSZ) of BIS-nummer: 11 cijfers met een modulo 97-controle.",
    "check.format_onss_nr": "Geen geldig RSZ-werkgeversnummer: 9 cijfers met een modulo 97-controle.",
    "check.format_enterprise_nr": "Geen geldig KBO-ondernemingsnummer: 10 cijfers met een modulo 97-controle.",
    "check.format_unit_nr": (
        "Geen geldig KBO-vestigingseenheidsnummer: 10 cijfers, het eerste van 2 tot 8, met een modulo 97-controle."
    ),
    "check.format_date": "Geen geldige datum (JJJJ-MM-DD, of het datumformaat van het koppelingsprofiel).",
    "check.format_period": "Geen geldige periode (JJJJ-MM).",
    "check.format_money": "Geen bedrag in euro met hoogstens twee decimalen.",
    "check.format_int": "Geen geheel getal.",
    "check.format_fraction": "Geen decimaal getal.",
    "check.format_bool": "Geen ja/nee-waarde (true/false, 1/0, yes/no, oui/non, ja/nee).",
    "check.format_country": "Geen ISO 3166-1-landcode van twee letters.",
    "check.country_code_reserved": (
        "UK en EL zijn geen ISO 3166-1-codes: gebruik GB (Verenigd Koninkrijk) of GR (Griekenland)."
    ),
    "check.format_code3": "Geen RSZ-code van 3 cijfers.",
    "check.allowed_values": "De waarde is geen van de toegelaten waarden van deze kolom.",
    "check.range": "De waarde ligt buiten het plausibele bereik.",
    "check.contract_dates_order": "De arbeidsovereenkomst eindigt voordat ze begint.",
    "check.contract_end_required": (
        "Een overeenkomst van bepaalde duur of voor een duidelijk omschreven werk heeft een einddatum nodig."
    ),
    "check.work_fraction_range": "De tewerkstellingsbreuk moet groter zijn dan 0 en hoogstens 1.",
    "check.birth_date_matches_niss": "De geboortedatum verschilt van de geboortedatum in het rijksregisternummer.",
    "check.days_in_month": "De gewerkte dagen (België, woonland en andere landen) zijn samen meer dan 31.",
    "check.episode_dates_order": "De afwezigheid eindigt voordat ze begint.",
    "check.cause_out_of_scope": (
        "Arbeidsongevallen en beroepsziekten vallen buiten de regels van het gewaarborgd loon: behandel deze "
        "afwezigheid buiten de batch."
    ),
    "check.duplicate": "Dezelfde sleutel komt meer dan eens voor in dit bestand.",
    "check.overlapping_absence": "Deze afwezigheid overlapt een eerdere afwezigheid van dezelfde werknemer.",
    "check.unknown_employer": "Het werkgeversnummer staat niet in het werkgeversbestand.",
    "check.employer_rejected": "De rij van de werkgever werd geweigerd: deze rij kan niet worden berekend.",
    "check.unknown_employee": "De werknemer staat niet in het werknemersbestand.",
    "check.employee_rejected": "De rij van de werknemer werd geweigerd: deze rij kan niet worden berekend.",
    "check.absence_rejected": (
        "Een afwezigheid van deze werknemer werd geweigerd: het gewaarborgd loon van de maand kan niet worden berekend."
    ),
    "check.episode_end_before_start": "De afwezigheid eindigt voordat ze begint, of een van haar data ontbreekt.",
    "check.episode_overlap": "Afwezigheden van deze werknemer overlappen: geen ervan wordt berekend.",
    "check.episode_held_back": (
        "Niet berekend: een eerdere of overlappende afwezigheid van deze werknemer werd geweigerd, en de telling "
        "van de dagen gewaarborgd loon (hervalregel) hangt ervan af."
    ),
    "check.daily_wage_required": (
        "Het dagloon is nodig: de maand heeft ziektedagen die de werkgever betaalt (gewaarborgd loon)."
    ),
    "check.pay_row_missing": (
        "Geen loonrij voor de maand, hoewel de afwezigheid dagen heeft die de werkgever betaalt (een dagloon is nodig)."
    ),
    "check.withholding_employee_unknown": (
        "Geen werknemersrij voor deze loonrij: de beslissing over de bedrijfsvoorheffing heeft de woonplaats en de "
        "gegevens van de Franse grensarbeidersregeling nodig."
    ),
    "check.withholding_input_missing": (
        "Een waarde die nodig is om te beslissen of Belgische bedrijfsvoorheffing van toepassing is, ontbreekt."
    ),
    "check.withholding_employee_rejected": (
        "Op de werknemersrij ontbreekt een waarde die de beslissing over de bedrijfsvoorheffing nodig heeft: "
        "deze loonrij wordt niet berekend."
    ),
    "check.full_time_hours_positive": "De uren van een voltijdse referentiewerknemer moeten groter zijn dan nul.",
    "check.onem_work_country": (
        "Inwoner van België tewerkgesteld in een ander land dan Nederland of Frankrijk: er wordt geen "
        "compensatievergoeding RVA berekend."
    ),
    "check.onem_work_fraction": (
        "De tewerkstellingsbreuk moet groter zijn dan 0 en hoogstens 1 om het voltijdse loon van de RVA-vergoeding "
        "te berekenen."
    ),
    "check.onem_gross_salary": (
        "Het maandloon onderworpen aan buitenlandse sociale bijdragen ontbreekt of is negatief: er wordt geen "
        "RVA-vergoeding berekend."
    ),
    # console summary
    "console.run_summary": (
        "periode {period}: {read} rijen gelezen, {valid} geldig, {rejected} geweigerd; {computed} loonlijnen "
        "geschreven naar {out}"
    ),
    "console.rejected_see": "{rejected} rijen geweigerd: zie {path}",
    "console.employer_line": (
        "werkgever {employer_id} {name}: {lines} lijnen, {rejects} weigeringen; persoonlijke bijdragen {worker}, "
        "werkgeversbijdragen {employer}, BBSZ {csss}, verschuldigd aan de RSZ {due}"
    ),
    "console.other_employers": (
        "{count} andere werkgevers (de {shown} hierboven zijn de RSZ het meest verschuldigd): zie report.html"
    ),
    "console.unattributed_rejects": "{rejects} geweigerde rijen niet gekoppeld aan een werkgever",
    "console.rejects_by_check": "geweigerde rijen per controle (waarden en lijnen: report.html, rejects.csv):",
    "console.check_line": "  [{check}] {count}: {text}",
    "console.other_checks": "  {count} andere controles: zie report.html",
    "console.warnings": "waarschuwingen:",
    "console.report_written": "verslag: {path}",
    "console.claims_summary": "{semester}: {rows} aanvraagrijen geschreven naar {out}",
    "console.dmfa_employer": (
        "{quarter} werkgever {employer_id}: {worker_lines} werknemerslijnen, bijdragen {contributions} "
        "(maandberekeningen {monthly}, afronding {rounding}, plafond {cap}), netto verschuldigd {net}"
    ),
    "console.dmfa_summary": "{count} aangifte(n) geschreven naar {out}",
    "console.no_defects": "geen fouten gevonden",
    # waarschuwingen (code: pipeline.outputs.warnings) en het resultaat in het berekeningsarchief
    "warning.file_error": (
        "{file} heeft geen kolom {column} (verplicht): de {rows} rijen ervan kunnen niet berekend worden en niets "
        "van deze batch wordt in het berekeningsarchief gefinaliseerd"
    ),
    "warning.employers_missing": (
        "geen werkgeversbestand: werkgeverscategorie 000 en personeelsbestand 0 aangenomen voor {count} "
        "werkgever(s): {workforce_effect}, en {category_effect}"
    ),
    "warning.column_default": "{file} heeft geen kolom {column}: {default} aangenomen voor de {rows} rijen ervan",
    "warning.column_default_effect": (
        "{file} heeft geen kolom {column}: {default} aangenomen voor de {rows} rijen ervan ({effect})"
    ),
    "warning.effect.employer_category": (
        "er wordt geen bijdrage voor het sociaal fonds van paritair comité 200 (DmfA 831, categorie 010) berekend"
    ),
    "warning.effect.workforce": (
        "het FSO-tarief van kleine werkgevers geldt en de bijzondere bijdrage van grotere werkgevers (DmfA 855) "
        "is niet verschuldigd"
    ),
    "warning.effect.commercial": "de FSO-tarieven van commerciële werkgevers gelden",
    "warning.nothing_computed": (
        "geen loonlijn berekend voor {count} werkgever(s) van de batch ({names}): hun maand wordt niet "
        "gefinaliseerd in het berekeningsarchief en de DmfA-export van hun kwartaal zal ze weigeren"
    ),
    "warning.household_missing": (
        "{count} werknemer(s) zonder fiscaal gezin: hun BBSZ wordt berekend volgens de schaal van een alleenstaande"
    ),
    "warning.parameters_not_verified": (
        "{count} wettelijke parameter(s) van kracht in {period} zijn niet geverifieerd aan hun officiële bron "
        "(lijst onder parameters_not_verified)"
    ),
    "warning.out_of_period": (
        "{count} loonrij(en) van maanden na {period} ({months}) vallen buiten deze berekening: niet berekend, "
        "niet geweigerd; verwerk die maanden afzonderlijk"
    ),
    "warning.names_more": "{names} en {more} andere",
    "store.employer": "werkgever {ids}",
    "store.employers": "werkgevers {ids}",
    "store.finalised": "berekeningsarchief {store}, {period}: gefinaliseerd voor {employers}",
    "store.not_finalised": (
        "berekeningsarchief {store}, {period}: NIET gefinaliseerd voor {employers} ({reason}); de DmfA-export "
        "zal het weigeren"
    ),
    "store.replaced": (
        "berekeningsarchief {store}, {period}: gefinaliseerde maand van {employers} vervangen (bewaard als vervangen)"
    ),
    "store.unchanged": (
        "berekeningsarchief {store}, {period}: ongewijzigd voor {employers} (deze berekening is al bewaard)"
    ),
    "store.kept": (
        "berekeningsarchief {store}, {period}: gefinaliseerde maand van {employers} behouden: deze berekening is "
        "niet definitief (--replace om ze in de plaats te bewaren)"
    ),
    "store.reason.no_finalise": "--no-finalise",
    "store.reason.no_lines": "geen loonlijn berekend",
    "store.reason.not_final": "niet definitief",
    "store.reason.file_error": "bestandsfout",
}
