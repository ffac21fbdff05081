"""Catalogue français (Belgique), vocabulaire de la paie belge : cotisations personnelles et patronales,
précompte professionnel, salaire garanti, bonus à l'emploi, cotisation spéciale de sécurité sociale (CSSS),
ONSS, ONEM, DmfA."""

MESSAGES = {
    # common words
    "common.yes": "oui",
    "common.no": "non",
    "common.none": "—",
    # months
    "month.01": "janvier",
    "month.02": "février",
    "month.03": "mars",
    "month.04": "avril",
    "month.05": "mai",
    "month.06": "juin",
    "month.07": "juillet",
    "month.08": "août",
    "month.09": "septembre",
    "month.10": "octobre",
    "month.11": "novembre",
    "month.12": "décembre",
    # run report: page frame
    "report.title_monthly": "Rapport du calcul de la paie — {month}",
    "report.title_dmfa": "Export trimestriel DmfA — {quarter}",
    "report.title_claims": "Demandes d'indemnité compensatoire ONEM — {semester}",
    "report.generated_for": "Période {period}, calcul du {run_date}",
    "report.run_date": "Date du calcul",
    "report.run_id": "Identifiant du calcul",
    "report.code_version": "Version du programme",
    "report.profile": "Profil de correspondance",
    "report.period": "Période",
    "report.quarter": "Trimestre",
    "report.semester": "Semestre",
    "report.contents": "Sommaire",
    "report.amounts_note": (
        "Montants en euros. Les chiffres sont des sommes des lignes des fichiers d'audit de ce calcul (CSV et "
        "Parquet), qui restent la référence."
    ),
    # run report: overview
    "report.overview": "Vue d'ensemble",
    "report.rows_read": "Lignes lues",
    "report.rows_valid": "Lignes valides",
    "report.rows_rejected": "Lignes rejetées",
    "report.lines_computed": "Lignes de paie calculées",
    "report.recap": "Récapitulatif par employeur",
    "report.all_employers": "Tous les employeurs",
    "report.employer": "Employeur",
    "report.employer_unnamed": "Employeur {employer_id}",
    "report.employer_heading": "{name} — ONSS {employer_id}",
    "report.charts": "Graphiques",
    "report.key_figures": "Chiffres clés",
    "report.contributions_by_code": "Cotisations patronales par code DmfA",
    "report.accrued": "Provisionnée ce mois, non due maintenant (perçue par l'ONSS l'année suivante)",
    "report.total": "Total",
    "report.no_work_bonus": "Le bonus à l'emploi n'est pas calculé dans ce calcul : il n'est pas affiché.",
    "report.no_csss": (
        "La cotisation spéciale de sécurité sociale (CSSS) n'est pas calculée dans ce calcul : elle n'est ni "
        "affichée ni comprise dans le total dû."
    ),
    # run report: figures per employer
    "figure.headcount": "Travailleurs",
    "figure.employed_abroad": "dont occupés à l'étranger (indemnité ONEM, pas d'ONSS belge)",
    "figure.gross_salary": "Rémunération brute",
    "figure.guaranteed_wage_onss": "Salaire garanti soumis à l'ONSS",
    "figure.guaranteed_wage_exempt": "Salaire garanti non soumis à l'ONSS",
    "figure.onss_base": "Base de calcul ONSS",
    "figure.personal_before_bonus": "Cotisations personnelles avant bonus à l'emploi",
    "figure.work_bonus": "Bonus à l'emploi (déduit)",
    "figure.worker_contribution": "Cotisations personnelles après bonus à l'emploi",
    "figure.employer_contribution": "Cotisations patronales",
    "figure.csss": "Cotisation spéciale de sécurité sociale (CSSS)",
    "figure.due_to_onss": "Total dû à l'ONSS pour le mois",
    "figure.onem_allowance": "Indemnité compensatoire ONEM (à réclamer à l'ONEM)",
    "figure.withholding_applies": "Travailleurs soumis au précompte professionnel belge",
    # run report: charts
    "report.chart_contributions": "Cotisations patronales par code DmfA (EUR, tous les employeurs)",
    "report.chart_pay": "Répartition des rémunérations brutes mensuelles (paie belge)",
    "report.chart_pay_x": "Rémunération brute (EUR)",
    "report.chart_pay_y": "Travailleurs",
    "report.chart_due": "Dû à l'ONSS par employeur (EUR)",
    "report.chart_other_employers": "{count} autres employeurs",
    "report.other_employers": "Autres employeurs",
    "report.recap_bounded": (
        "Le récapitulatif liste les {shown} employeurs dont le montant dû à l'ONSS est le plus élevé et les "
        "{others} autres sur une ligne ; {file} contient les totaux de chaque employeur."
    ),
    "report.employers_not_shown_all": (
        "Les {shown} employeurs dont le montant dû à l'ONSS est le plus élevé ont leur propre section ; les "
        "totaux des {others} autres figurent dans {file}."
    ),
    "report.employers_not_shown": (
        "Les {shown} employeurs dont le montant dû à l'ONSS est le plus élevé ont leur propre section ; les "
        "{others} autres figurent dans le récapitulatif ci-dessus et dans payroll.xlsx."
    ),
    "report.chart_amount": "EUR",
    # run report: rejects, warnings, parameters, inputs
    "report.rejects": "Lignes rejetées",
    "report.rejects_none": "Aucune ligne n'a été rejetée.",
    "report.rejects_intro": (
        "{count} lignes rejetées, regroupées par contrôle. Chaque ligne indique le fichier et la ligne à ouvrir ; "
        "les numéros de registre national sont masqués. Les lignes rejetées ne sont pas calculées : corrigez-les "
        "et relancez le lot."
    ),
    "report.rejects_more": "… et {count} autres lignes : voir rejects.csv.",
    "report.check": "Contrôle",
    "report.rows": "Lignes",
    "report.file": "Fichier",
    "report.line": "Ligne",
    "report.column": "Colonne",
    "report.value": "Valeur",
    "report.employee": "Travailleur",
    "report.detail": "Détail (tel qu'enregistré, en anglais)",
    "report.warnings": "Avertissements",
    "report.warnings_none": "Aucun avertissement.",
    "report.parameters_unverified": "Paramètres en vigueur non vérifiés",
    "report.parameters_unverified_intro": (
        "Ces paramètres légaux sont en vigueur pour la période, mais leur valeur n'est pas encore confirmée par "
        "une source officielle primaire (statut secondary ou unverified). Vérifiez-les avant de vous fier aux "
        "montants qui en dépendent."
    ),
    "report.parameters_unverified_none": "Tous les paramètres en vigueur sont vérifiés.",
    "report.parameter": "Paramètre",
    "report.parameter_value": "Valeur",
    "report.status": "Statut",
    "report.in_force_from": "En vigueur depuis",
    "report.reference": "Référence",
    "report.inputs": "Fichiers lus",
    "report.dialect": "Format",
    "report.sha256": "SHA-256",
    # DmfA report
    "dmfa.recap": "Déclarations par employeur",
    "dmfa.worker_lines": "Lignes travailleur",
    "dmfa.occupations": "Occupations",
    "dmfa.remuneration_code1": "Rémunération (code 1)",
    "dmfa.contributions": "Cotisations du trimestre",
    "dmfa.monthly_contributions": "Cotisations des calculs mensuels",
    "dmfa.rounding_regularisation": "Régularisation des arrondis",
    "dmfa.cap_relief": "Plafonnement des cotisations patronales",
    "dmfa.deductions": "Déductions",
    "dmfa.net_owed_amount": "Montant net dû",
    "dmfa.declaration": "Fichier de déclaration",
    "dmfa.reconciles": "Concorde avec les calculs mensuels",
    "dmfa.by_code": "Cotisations par code et type DmfA",
    "dmfa.code": "Code DmfA",
    "dmfa.type": "Type",
    "dmfa.basis": "Base",
    "dmfa.amount": "Montant",
    "dmfa.anomalies": "Anomalies",
    "dmfa.assumptions": "Hypothèses",
    "dmfa.warning_count": "{what} : {count}",
    "dmfa.chart": "Cotisations du trimestre par code DmfA (EUR, tous les employeurs)",
    # claims report
    "claims.claims": "Demandes par travailleur",
    "claims.country": "Pays de travail",
    "claims.months": "Mois",
    "claims.total": "Total",
    "claims.claimable": "À réclamer",
    "claims.claim_deadline": "Date limite de la demande",
    "claims.months_missing": "Mois absents de l'archive des calculs",
    "claims.by_country": "Totaux par pays de travail",
    "claims.count": "Demandes",
    "claims.missing_warning": "Mois du semestre absents de l'archive des calculs : {months}.",
    # workbook
    "workbook.sheet_summary": "Récapitulatif",
    "workbook.sheet_journal": "Journal de paie",
    "workbook.sheet_contributions": "Cotisations",
    "workbook.sheet_rejects": "Lignes rejetées",
    "workbook.sheet_parameters": "Paramètres",
    "workbook.too_many_rows": (
        "{rows} lignes : plus que ce classeur n'en reprend (au plus {limit} par feuille) ; voir {file}."
    ),
    "workbook.title": "Paie de {month} — calcul du {run_date}",
    # output columns (workbook headers, report tables)
    "column.employee_id": "Travailleur",
    "column.last_name": "Nom",
    "column.first_name": "Prénom",
    "column.employer_id": "Employeur (n° ONSS)",
    "column.employer_name": "Nom de l'employeur",
    "column.period": "Période",
    "column.worker_code": "Code travailleur",
    "column.worker_status": "Statut du travailleur",
    "column.residence_country": "Pays de résidence",
    "column.work_country": "Pays de travail",
    "column.work_fraction": "Fraction d'occupation",
    "column.household": "Ménage fiscal (barème CSSS)",
    "column.gross_salary": "Rémunération brute",
    "column.guaranteed_wage_onss": "Salaire garanti soumis à l'ONSS",
    "column.guaranteed_wage_exempt": "Salaire garanti non soumis à l'ONSS",
    "column.onss_base": "Base ONSS",
    "column.worker_contribution": "Cotisations personnelles",
    "column.work_bonus": "Bonus à l'emploi",
    "column.csss": "CSSS",
    "column.employer_contribution": "Cotisations patronales",
    "column.withholding_applies": "Précompte professionnel belge applicable",
    "column.withholding_reason": "Motif (précompte professionnel)",
    "column.taxable_share_be": "Part imposable en Belgique",
    "column.regularisation_required": "Régularisation requise",
    "column.regularisation_periods": "Périodes à régulariser",
    "column.onem_allowance": "Indemnité compensatoire ONEM",
    "column.days_worked_be": "Jours prestés en Belgique",
    "column.days_worked_residence": "Jours prestés dans le pays de résidence",
    "column.days_worked_other": "Jours prestés dans d'autres pays",
    "column.zone_exit_days": "Jours de travail hors de la zone frontalière",
    "column.payer": "Payé par",
    "column.kind": "Nature",
    "column.dmfa_code": "Code DmfA",
    "column.contribution": "Cotisation",
    "column.description": "Description",
    "column.lines": "Lignes",
    "column.base": "Base",
    "column.rate": "Taux",
    "column.amount": "Montant",
    "column.source_file": "Fichier",
    "column.source_line": "Ligne",
    "column.column": "Colonne",
    "column.check": "Contrôle",
    "column.message": "Message",
    "column.detail": "Détail (tel qu'enregistré, en anglais)",
    "column.value": "Valeur",
    "column.parameter": "Paramètre",
    "column.unit": "Unité",
    "column.effective_from": "En vigueur depuis",
    "column.effective_to": "En vigueur jusqu'au",
    "column.status": "Statut",
    "column.reference_title": "Référence",
    "column.reference_href": "Adresse de la référence",
    "column.reference_date": "Date de la référence",
    "column.source": "Citation",
    # payers and kinds of contribution lines
    "payer.worker": "travailleur",
    "payer.employer": "employeur",
    "kind.due": "due",
    "kind.accrual": "provisionnée",
    "kind.deduction": "déduction",
    "kind.withheld": "retenue",
    # contribution lines (contribution_lines.contribution)
    "contribution.worker_onss": "Cotisation personnelle ONSS",
    "contribution.work_bonus": "Bonus à l'emploi",
    "contribution.csss": "Cotisation spéciale de sécurité sociale (CSSS)",
    "contribution.employer_basic": "Cotisation patronale de base",
    "contribution.wage_moderation": "Cotisation de modération salariale",
    "contribution.holiday_quarterly": "Cotisation trimestrielle vacances annuelles (ouvriers)",
    "contribution.holiday_annual_accrual": "Cotisation annuelle vacances annuelles (ouvriers)",
    "contribution.work_accident_special": "Cotisation spéciale accidents du travail",
    "contribution.asbestos_fund": "Cotisation au Fonds amiante",
    "contribution.ffe_commercial_small": (
        "Fonds de fermeture d'entreprises, cotisation de base (marchand, petit employeur)"
    ),
    "contribution.ffe_commercial_large": (
        "Fonds de fermeture d'entreprises, cotisation de base (marchand, grand employeur)"
    ),
    "contribution.ffe_noncommercial": "Fonds de fermeture d'entreprises, cotisation de base (non marchand)",
    "contribution.ffe_special": "Fonds de fermeture d'entreprises, cotisation spéciale (chômage temporaire)",
    "contribution.ar401_special": "Cotisation spéciale de chômage (arrêté royal n° 401)",
    "contribution.temporary_unemployment": "Cotisation chômage temporaire et complément d'ancienneté",
    "contribution.cpae_cp200": "Fonds social de la commission paritaire 200",
    "contribution.structural_reduction": "Réduction structurelle",
    # reject checks
    "check.field_count": "La ligne a trop ou trop peu de champs par rapport à l'en-tête du fichier.",
    "check.quoting": "La ligne contient un guillemet non refermé.",
    "check.encoding": "Une cellule n'est pas un texte valide dans l'encodage du fichier.",
    "check.not_nullable": "Une valeur obligatoire manque.",
    "check.format_id": "L'identifiant est vide ou contient des caractères de contrôle.",
    "check.format_niss": (
        "Numéro de registre national (NISS) ou numéro BIS non valide : 11 chiffres avec un contrôle modulo 97."
    ),
    "check.format_onss_nr": "Numéro d'employeur ONSS non valide : 9 chiffres avec un contrôle modulo 97.",
    "check.format_enterprise_nr": "Numéro d'entreprise BCE non valide : 10 chiffres avec un contrôle modulo 97.",
    "check.format_unit_nr": (
        "Numéro d'unité d'établissement BCE non valide : 10 chiffres, le premier de 2 à 8, avec un contrôle modulo 97."
    ),
    "check.format_date": "Date non valide (AAAA-MM-JJ, ou le format de date du profil de correspondance).",
    "check.format_period": "Période non valide (AAAA-MM).",
    "check.format_money": "Pas un montant en euros avec au plus deux décimales.",
    "check.format_int": "Pas un nombre entier.",
    "check.format_fraction": "Pas un nombre décimal.",
    "check.format_bool": "Pas une valeur oui/non (true/false, 1/0, yes/no, oui/non, ja/nee).",
    "check.format_country": "Pas un code pays ISO 3166-1 à deux lettres.",
    "check.country_code_reserved": (
        "UK et EL ne sont pas des codes ISO 3166-1 : utilisez GB (Royaume-Uni) ou GR (Grèce)."
    ),
    "check.format_code3": "Pas un code ONSS à 3 chiffres.",
    "check.allowed_values": "La valeur ne fait pas partie des valeurs admises dans cette colonne.",
    "check.range": "La valeur sort de la plage plausible.",
    "check.contract_dates_order": "Le contrat se termine avant de commencer.",
    "check.contract_end_required": (
        "Un contrat à durée déterminée ou pour un travail nettement défini doit avoir une date de fin."
    ),
    "check.work_fraction_range": "La fraction d'occupation doit être supérieure à 0 et au plus égale à 1.",
    "check.birth_date_matches_niss": (
        "La date de naissance diffère de celle que contient le numéro de registre national."
    ),
    "check.days_in_month": (
        "Les jours prestés (Belgique, pays de résidence et autres pays) dépassent 31 au total dans le mois."
    ),
    "check.episode_dates_order": "L'absence se termine avant de commencer.",
    "check.cause_out_of_scope": (
        "Les accidents du travail et les maladies professionnelles sortent des règles du salaire garanti : "
        "traitez cette absence en dehors du lot."
    ),
    "check.duplicate": "La même clé figure plusieurs fois dans ce fichier.",
    "check.overlapping_absence": "Cette absence chevauche une absence antérieure du même travailleur.",
    "check.unknown_employer": "Le numéro d'employeur ne figure pas dans le fichier des employeurs.",
    "check.employer_rejected": "La ligne de l'employeur a été rejetée : cette ligne ne peut pas être calculée.",
    "check.unknown_employee": "Le travailleur ne figure pas dans le fichier des travailleurs.",
    "check.employee_rejected": "La ligne du travailleur a été rejetée : cette ligne ne peut pas être calculée.",
    "check.absence_rejected": (
        "Une absence de ce travailleur a été rejetée : le salaire garanti du mois ne peut pas être calculé."
    ),
    "check.episode_end_before_start": "L'absence se termine avant de commencer, ou une de ses dates manque.",
    "check.episode_overlap": "Des absences de ce travailleur se chevauchent : aucune n'est calculée.",
    "check.episode_held_back": (
        "Non calculée : une absence antérieure ou simultanée de ce travailleur a été rejetée, et le décompte des "
        "jours de salaire garanti (règle de la rechute) en dépend."
    ),
    "check.daily_wage_required": (
        "Le salaire journalier est nécessaire : le mois comporte des jours de maladie payés par l'employeur "
        "(salaire garanti)."
    ),
    "check.pay_row_missing": (
        "Aucune ligne de paie pour le mois alors que l'absence comporte des jours payés par l'employeur (un salaire "
        "journalier est nécessaire)."
    ),
    "check.withholding_employee_unknown": (
        "Aucune ligne travailleur pour cette ligne de paie : la décision sur le précompte professionnel a besoin "
        "de la résidence et des données du régime frontalier français."
    ),
    "check.withholding_input_missing": (
        "Une valeur nécessaire pour décider si le précompte professionnel belge s'applique manque."
    ),
    "check.withholding_employee_rejected": (
        "La ligne du travailleur n'a pas une valeur nécessaire à la décision sur le précompte professionnel : "
        "cette ligne de salaire n'est pas calculée."
    ),
    "check.full_time_hours_positive": (
        "Les heures d'un travailleur de référence à temps plein doivent être supérieures à zéro."
    ),
    "check.onem_work_country": (
        "Résident belge occupé dans un autre pays que les Pays-Bas ou la France : aucune indemnité compensatoire "
        "ONEM n'est calculée."
    ),
    "check.onem_work_fraction": (
        "La fraction d'occupation doit être supérieure à 0 et au plus égale à 1 pour calculer le salaire à temps "
        "plein de l'indemnité ONEM."
    ),
    "check.onem_gross_salary": (
        "Le salaire mensuel soumis aux cotisations sociales étrangères manque ou est négatif : aucune indemnité "
        "ONEM n'est calculée."
    ),
    # console summary
    "console.run_summary": (
        "période {period} : {read} lignes lues, {valid} valides, {rejected} rejetées ; {computed} lignes de paie "
        "écrites dans {out}"
    ),
    "console.rejected_see": "{rejected} lignes rejetées : voir {path}",
    "console.employer_line": (
        "employeur {employer_id} {name} : {lines} lignes, {rejects} rejets ; cotisations personnelles {worker}, "
        "patronales {employer}, CSSS {csss}, dû à l'ONSS {due}"
    ),
    "console.other_employers": (
        "{count} autres employeurs (les {shown} ci-dessus doivent le plus à l'ONSS) : voir report.html"
    ),
    "console.unattributed_rejects": "{rejects} lignes rejetées non rattachées à un employeur",
    "console.rejects_by_check": "lignes rejetées par contrôle (valeurs et lignes : report.html, rejects.csv) :",
    "console.check_line": "  [{check}] {count} : {text}",
    "console.other_checks": "  {count} autres contrôles : voir report.html",
    "console.warnings": "avertissements :",
    "console.report_written": "rapport : {path}",
    "console.claims_summary": "{semester} : {rows} lignes de demande écrites dans {out}",
    "console.dmfa_employer": (
        "{quarter} employeur {employer_id} : {worker_lines} lignes travailleur, cotisations {contributions} "
        "(calculs mensuels {monthly}, arrondis {rounding}, plafond {cap}), montant net dû {net}"
    ),
    "console.dmfa_summary": "{count} déclaration(s) écrite(s) dans {out}",
    "console.no_defects": "aucune anomalie trouvée",
    # avertissements (code : pipeline.outputs.warnings) et résultat de l'archive des calculs
    "warning.file_error": (
        "{file} n'a pas de colonne {column} (obligatoire) : ses {rows} lignes ne peuvent pas être calculées et "
        "rien de ce lot n'est finalisé dans l'archive des calculs"
    ),
    "warning.employers_missing": (
        "pas de fichier des employeurs : catégorie d'employeur 000 et effectif 0 supposés pour {count} "
        "employeur(s) : {workforce_effect}, et {category_effect}"
    ),
    "warning.column_default": "{file} n'a pas de colonne {column} : {default} supposé pour ses {rows} lignes",
    "warning.column_default_effect": (
        "{file} n'a pas de colonne {column} : {default} supposé pour ses {rows} lignes ({effect})"
    ),
    "warning.effect.employer_category": (
        "aucune cotisation au fonds social de la commission paritaire 200 (DmfA 831, catégorie 010) n'est calculée"
    ),
    "warning.effect.workforce": (
        "le taux FFE des petits employeurs s'applique et la cotisation spéciale des employeurs plus grands "
        "(DmfA 855) n'est pas due"
    ),
    "warning.effect.commercial": "les taux FFE des employeurs commerciaux s'appliquent",
    "warning.nothing_computed": (
        "aucune ligne de paie calculée pour {count} employeur(s) du lot ({names}) : leur mois n'est pas finalisé "
        "dans l'archive des calculs et l'export DmfA de leur trimestre le refusera"
    ),
    "warning.household_missing": (
        "{count} travailleur(s) sans ménage fiscal : leur CSSS est calculée au barème d'un isolé"
    ),
    "warning.parameters_not_verified": (
        "{count} paramètre(s) légal(aux) en vigueur en {period} ne sont pas vérifiés à leur source officielle "
        "(liste sous parameters_not_verified)"
    ),
    "warning.out_of_period": (
        "{count} ligne(s) de rémunération de mois postérieurs à {period} ({months}) sont hors du champ de ce "
        "calcul : ni calculées, ni rejetées ; traitez ces mois séparément"
    ),
    "warning.names_more": "{names} et {more} autre(s)",
    "store.employer": "l'employeur {ids}",
    "store.employers": "les employeurs {ids}",
    "store.finalised": "archive des calculs {store}, {period} : finalisé pour {employers}",
    "store.not_finalised": (
        "archive des calculs {store}, {period} : NON finalisé pour {employers} ({reason}) ; l'export DmfA le refusera"
    ),
    "store.replaced": (
        "archive des calculs {store}, {period} : mois finalisé remplacé pour {employers} (l'ancien est conservé)"
    ),
    "store.unchanged": (
        "archive des calculs {store}, {period} : inchangé pour {employers} (ce calcul est déjà enregistré)"
    ),
    "store.kept": (
        "archive des calculs {store}, {period} : mois finalisé conservé pour {employers} : ce calcul n'est pas "
        "définitif (--replace pour l'enregistrer à sa place)"
    ),
    "store.reason.no_finalise": "--no-finalise",
    "store.reason.no_lines": "aucune ligne de paie calculée",
    "store.reason.not_final": "non définitif",
    "store.reason.file_error": "erreur de fichier",
}
