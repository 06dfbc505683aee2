"""The registers and lists of the election documents, as tables (mairie.volume_pdf): the
register of procurations of a bureau, the jurés' liste préparatoire and its CSV for the greffe,
the commission de contrôle's register of decisions."""

import datetime
from typing import BinaryIO

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape

from electoral.commission import movements_examined
from electoral.jures import drawn_voters, latest_birth_year
from electoral.models import BureauDeVote, Procuration, ReunionCommission, TirageJures
from exports.emargement import address_text, birth_text, maire_text
from mairie.models import Collectivite
from mairie.text import search_key
from mairie.volume_pdf import Column, TableDocument


def procurations_of(collectivite: Collectivite, bureau: BureauDeVote, day: datetime.date):
    """The procurations of the bureau's mandants that hold on `day` or later (expired and
    cancelled ones have dropped out)."""
    rows = (
        Procuration.objects.for_collectivite(collectivite)
        .filter(mandant__bureau=bureau, fin__gte=day)
        .exclude(resiliee_le__lte=day)
        .select_related("mandant", "scrutin")
    )
    return sorted(
        rows,
        key=lambda p: (search_key(p.mandant.nom_naissance), search_key(p.mandant.prenoms), p.pk),
    )


def write_registre_procurations(
    collectivite: Collectivite, bureau: BureauDeVote, day: datetime.date, out: BinaryIO
) -> int:
    rows = [
        [
            f"{p.mandant.nom_naissance.upper()}\n{p.mandant.prenoms}",
            f"{p.mandataire_display}\nINE {p.mandataire_ine}"
            + (f"\n{p.mandataire_commune}" if p.mandataire_commune else ""),
            p.validite,
            f"{p.etablie_le:%d/%m/%Y}\n{p.etablie_par}"
            + ("\n(hors de France)" if p.hors_de_france else ""),
            "",
        ]
        for p in procurations_of(collectivite, bureau, day)
    ]
    columns = [
        Column("Mandant", 50, bold=True),
        Column("Mandataire", 55),
        Column("Validité", 65),
        Column("Établie le, par", 60),
        Column("Observations", 47),
    ]

    def header(page: int, pages: int) -> list[str]:
        return [
            "Registre des procurations",
            f"Commune de {collectivite.nom} ({collectivite.code_insee}) — bureau de vote "
            f"{bureau.code} {bureau.libelle}",
            f"Procurations en cours ou à venir au {day:%d/%m/%Y}",
        ]

    closing = [
        f"{len(rows)} procuration{'s' if len(rows) > 1 else ''} au registre du bureau "
        f"{bureau.code}.",
        f"Arrêté à {collectivite.nom}, le {timezone.localdate():%d/%m/%Y}.",
        maire_text(collectivite),
    ]
    document = TableDocument(landscape(A4), columns)
    document.write(out, header, rows, closing, title=f"Registre des procurations {bureau.code}")
    return len(rows)


def jures_rows(tirage: TirageJures) -> list[list[str]]:
    return [
        [
            str(order),
            f"{e.nom_naissance.upper()}" + (f" ({e.nom_usage.upper()})" if e.nom_usage else ""),
            e.prenoms,
            birth_text(e).replace("\n", " à ", 1),
            f"{address_text(e)}, {e.code_postal} {e.ville}".replace("\n", ", "),
        ]
        for order, e in enumerate(drawn_voters(tirage), start=1)
    ]


def write_liste_preparatoire(tirage: TirageJures, out: BinaryIO) -> int:
    collectivite = tirage.collectivite
    rows = jures_rows(tirage)
    columns = [
        Column("Ordre", 14),
        Column("Nom", 38, bold=True),
        Column("Prénoms", 35),
        Column("Naissance", 45),
        Column("Adresse", 58),
    ]

    def header(page: int, pages: int) -> list[str]:
        return [
            f"Liste préparatoire des jurés d'assises pour {tirage.annee + 1}",
            f"Commune de {collectivite.nom} ({collectivite.code_insee}) — tirage du "
            f"{tirage.cree_le:%d/%m/%Y}",
            f"{tirage.nombre} juré(s) fixé(s) par l'arrêté préfectoral, {len(rows)} noms tirés ; "
            f"graine {tirage.graine}",
        ]

    closing = [
        f"Liste de {len(rows)} noms tirés au sort publiquement sur la liste électorale "
        f"principale au {tirage.liste_au:%d/%m/%Y}, parmi les {tirage.eligibles} électeurs nés "
        f"en {latest_birth_year(tirage.annee)} ou avant (code de procédure pénale, art. 261).",
        f"À {collectivite.nom}, le {tirage.cree_le:%d/%m/%Y}.",
        maire_text(collectivite),
    ]
    TableDocument(A4, columns).write(out, header, rows, closing, title="Liste préparatoire")
    return len(rows)


CSV_HEADER = [
    "Ordre",
    "NomNaissance",
    "NomUsage",
    "Prenoms",
    "Sexe",
    "DateNaissance",
    "LieuNaissance",
    "Adresse",
    "CodePostal",
    "Ville",
    "INE",
]


def jures_csv_rows(tirage: TirageJures) -> list[list]:
    """The liste préparatoire for the greffe, one line per name (CSV_HEADER), in the order of
    the draw."""
    lines = []
    for order, e in enumerate(drawn_voters(tirage), start=1):
        born = f"{e.date_naissance:%d/%m/%Y}" if e.date_naissance else e.date_naissance_incomplete
        lines.append(
            [
                order,
                e.nom_naissance.upper(),
                e.nom_usage.upper(),
                e.prenoms,
                e.sexe,
                born,
                e.naissance_commune,
                address_text(e).replace("\n", ", "),
                e.code_postal,
                e.ville,
                e.ine,
            ]
        )
    return lines


def write_registre_decisions(reunion: ReunionCommission, out: BinaryIO) -> int:
    collectivite = reunion.collectivite
    decisions = list(reunion.decisions.select_related("mouvement__electeur"))
    rows = [
        [
            f"{d.mouvement.electeur.nom_naissance.upper()}\n{d.mouvement.electeur.prenoms}",
            f"{d.mouvement.get_type_display().capitalize()} du {d.mouvement.date_effet:%d/%m/%Y}"
            f"\n{d.mouvement.motif_label}",
            d.get_decision_display(),
            d.observations,
        ]
        for d in decisions
    ]
    columns = [
        Column("Électeur", 45, bold=True),
        Column("Mouvement contesté", 55),
        Column("Décision", 40),
        Column("Motifs", 50),
    ]
    examined = movements_examined(reunion).count()

    def header(page: int, pages: int) -> list[str]:
        return [
            "Commission de contrôle — registre des décisions",
            f"Commune de {collectivite.nom} ({collectivite.code_insee}) — réunion du "
            f"{reunion.date:%d/%m/%Y} à {reunion.heure:%H:%M}, {reunion.lieu}",
            f"Mouvements examinés du {reunion.depuis:%d/%m/%Y} au {reunion.date:%d/%m/%Y} : "
            f"{examined}",
        ]

    closing = [
        f"{len(rows)} décision{'s' if len(rows) > 1 else ''} prise{'s' if len(rows) > 1 else ''}"
        " par la commission (Code électoral, article L.19).",
        "Les membres de la commission :",
    ]
    TableDocument(A4, columns).write(out, header, rows, closing, title="Registre des décisions")
    return len(rows)
