"""Listes d'émargement (Code électoral L.62-1 and R.62): for each bureau, the voters of "the
list on date D" in alphabetical order, with their numéro d'ordre, état civil and address, a
column per tour for the signature, and, next to a mandant's name, the mandataire who signs for
them (L.74). A header on every page (commune, bureau, scrutin, date of the list), page N / M,
and the maire's certification at the end.

Drawn with ReportLab (mairie.volume_pdf): a big city prints thousands of cahiers."""

import datetime
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from typing import BinaryIO

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape

from electoral.extraction import liste_a_date
from electoral.models import BureauDeVote, Electeur, Liste, Procuration, Scrutin
from mairie.models import Collectivite
from mairie.text import search_key
from mairie.volume_pdf import Column, TableDocument

TOURS = {1: "1er tour", 2: "2d tour"}


@dataclass(frozen=True)
class Options:
    collectivite: Collectivite
    liste: str
    scrutin: Scrutin
    tours: int  # 1: the first only; 2: both
    date: datetime.date  # the list on that day

    @property
    def tour_dates(self) -> dict[int, datetime.date]:
        dates = {1: self.scrutin.premier_tour}
        if self.tours == 2 and self.scrutin.second_tour:
            dates[2] = self.scrutin.second_tour
        return dates


def birth_text(electeur: Electeur) -> str:
    born = (
        f"{electeur.date_naissance:%d/%m/%Y}"
        if electeur.date_naissance
        else electeur.date_naissance_incomplete
    )
    place = electeur.naissance_commune
    departement = electeur.naissance_departement.lstrip("0")
    if departement and departement != "99":
        place = f"{place} ({departement})"
    elif electeur.naissance_pays and electeur.naissance_pays.upper() != "FRANCE":
        place = f"{place} ({electeur.naissance_pays})"
    return f"{born}\n{place}".strip()


def address_text(electeur: Electeur) -> str:
    lines = [electeur.adresse, electeur.complement1, electeur.complement2, electeur.lieu_dit]
    return "\n".join(line for line in lines if line)


def name_text(electeur: Electeur) -> str:
    name = electeur.nom_naissance.upper()
    if electeur.nom_usage:
        name = f"{name}\nusage : {electeur.nom_usage.upper()}"
    return f"{name}\n{electeur.prenoms}"


def mandataires(options: Options) -> dict[int, str]:
    """For each mandant, who signs for them on the printed tours."""
    held: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for tour, day in options.tour_dates.items():
        for proxy in Procuration.objects.for_collectivite(options.collectivite).active_on(day):
            held[proxy.mandant_id][proxy.mandataire_display].append(tour)
    texts = {}
    for mandant, names in held.items():
        parts = []
        for name, tours in names.items():
            which = "" if len(tours) == len(options.tour_dates) else f" ({TOURS[tours[0]]})"
            parts.append(f"{name}{which}")
        texts[mandant] = "Procuration : " + ", ".join(parts)
    return texts


def sort_key(electeur: Electeur) -> tuple:
    """Alphabetical as the agent reads it: case and accents ignored."""
    return (search_key(electeur.nom_naissance), search_key(electeur.prenoms), electeur.pk)


def rows(options: Options, bureau: BureauDeVote, proxies: dict[int, str]) -> list[list[str]]:
    inscriptions = list(
        liste_a_date(options.collectivite, options.liste, options.date, bureau)
        .select_related("electeur")
        .only(
            "numero_ordre",
            *(f"electeur__{f}" for f in ("nom_naissance", "nom_usage", "prenoms")),
            *(f"electeur__{f}" for f in ("date_naissance", "date_naissance_incomplete")),
            *(f"electeur__naissance_{f}" for f in ("commune", "departement", "pays")),
            *(f"electeur__{f}" for f in ("numero_voie", "type_voie", "libelle_voie")),
            *(f"electeur__{f}" for f in ("complement1", "complement2", "lieu_dit")),
        )
    )
    inscriptions.sort(key=lambda inscription: sort_key(inscription.electeur))
    table = []
    for inscription in inscriptions:
        electeur = inscription.electeur
        name = name_text(electeur)
        if electeur.pk in proxies:
            name = f"{name}\n{proxies[electeur.pk]}"
        numero = inscription.numero_a_date
        table.append(
            [
                str(numero) if numero is not None else "",
                name,
                birth_text(electeur),
                address_text(electeur),
                *("" for _ in options.tour_dates),
            ]
        )
    return table


def columns(options: Options) -> list[Column]:
    signatures = [
        Column(f"Signature — {TOURS[t]} du {d:%d/%m/%Y}", 42) for t, d in options.tour_dates.items()
    ]
    room = 277 - 14 - sum(c.width for c in signatures)
    name = room * 0.36
    birth = room * 0.26
    return [
        Column("N°", 14),
        Column("Nom, prénoms", name, bold=True),
        Column("Naissance", birth),
        Column("Adresse", room - name - birth),
        *signatures,
    ]


def maire_text(collectivite: Collectivite) -> str:
    name = f"{collectivite.maire_prenom} {collectivite.maire_nom.upper()}".strip()
    return f"Le maire, {name}" if name else "Le maire"


def write_bureau(options: Options, bureau: BureauDeVote, out: BinaryIO, proxies=None) -> int:
    """One bureau's cahier into `out`; returns its number of voters."""
    proxies = mandataires(options) if proxies is None else proxies
    table = rows(options, bureau, proxies)
    collectivite = options.collectivite
    liste = Liste(options.liste).label
    tours = " et ".join(f"{TOURS[t]} du {d:%d/%m/%Y}" for t, d in options.tour_dates.items())

    def header(page: int, pages: int) -> list[str]:
        return [
            f"Liste d'émargement — {options.scrutin.libelle}",
            f"Commune de {collectivite.nom} ({collectivite.code_insee}) — bureau de vote "
            f"{bureau.code} {bureau.libelle}" + (f", {bureau.adresse}" if bureau.adresse else ""),
            f"{liste.capitalize()} arrêtée au {options.date:%d/%m/%Y} — {tours}",
        ]

    closing = [
        f"Le présent cahier comprend {len(table)} électeur{'s' if len(table) > 1 else ''} "
        f"du bureau {bureau.code}.",
        f"Certifié exact par le maire, à {collectivite.nom}, le {timezone.localdate():%d/%m/%Y}.",
        maire_text(collectivite),
    ]
    document = TableDocument(landscape(A4), columns(options))
    document.write(
        out,
        header,
        table,
        closing,
        title=f"Liste d'émargement {options.scrutin.libelle} — bureau {bureau.code}",
    )
    return len(table)


def bureaux(options: Options, bureau: BureauDeVote | None) -> list[BureauDeVote]:
    if bureau is not None:
        return [bureau]
    return list(BureauDeVote.objects.for_collectivite(options.collectivite).order_by("code"))


def filename(options: Options, bureau: BureauDeVote) -> str:
    return (
        f"emargement-{options.liste}-{options.collectivite.code_insee}-bureau-{bureau.code}-"
        f"{options.scrutin.premier_tour:%Y%m%d}.pdf"
    )


def write_zip(options: Options, out: BinaryIO, progress) -> int:
    """One cahier per bureau, each a PDF of the ZIP, written one after the other."""
    proxies = mandataires(options)
    every = bureaux(options, None)
    done = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, bureau in enumerate(every, start=1):
            buffer = io.BytesIO()
            done += write_bureau(options, bureau, buffer, proxies)
            archive.writestr(filename(options, bureau), buffer.getvalue())
            progress(index, len(every))
    return done
