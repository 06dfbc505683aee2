"""The tableau des additions et retranchements of a list for a period, and the list of one
bureau de vote, as PDFs to sign and publish.

The tableau is read from the movements alone: additions are the inscriptions whose date d'effet
falls in the period (both dates included), retranchements the radiations; a change of bureau is a
retranchement from the bureau left and an addition to the bureau joined. The inscriptions that
record the first import of an REU extraction (motif "reprise_reu") are not additions: the voters
were already on the list, the mairie only took its copy over.

The récapitulatif and each bureau's section are separate documents, rendered in parallel by
exports.pdf_pool and joined; each section numbers its own pages.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from electoral.extraction import liste_a_date
from electoral.models import (
    BureauDeVote,
    Inscription,
    Liste,
    MotifInscription,
    MotifRadiation,
    Mouvement,
    TypeMouvement,
)
from exports.pdf_pool import Joined, Part, render_parts
from mairie.documents import base_url, document_html
from mairie.models import Collectivite, departement_as_written
from mairie.text import search_key

ADDITION, RETRANCHEMENT = "addition", "retranchement"
# The récapitulatif's column for the two sides of a change of bureau.
CHANGEMENT_BUREAU = "bureau"
ADDITION_MOTIFS = {
    **{motif.value: str(motif.label) for motif in MotifInscription},
    CHANGEMENT_BUREAU: "changement de bureau (arrivée)",
}
RETRANCHEMENT_MOTIFS = {
    **{motif.value: str(motif.label) for motif in MotifRadiation},
    CHANGEMENT_BUREAU: "changement de bureau (départ)",
}
SANS_BUREAU = "sans bureau"

ELECTEUR_FIELDS = [
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "date_naissance",
    "date_naissance_incomplete",
    "naissance_commune",
    "naissance_departement",
    "naissance_pays",
    "numero_voie",
    "type_voie",
    "libelle_voie",
    "complement1",
    "complement2",
    "lieu_dit",
    "code_postal",
    "ville",
]


def tableau_movements(collectivite: Collectivite, liste: str, du, au):
    """The movements a tableau reads: those of the list dated in the period, bounds included,
    without the reprise of the REU extraction; modifications count only when the bureau
    changed (decided row by row by `entries`)."""
    return (
        Mouvement.objects.filter(
            collectivite=collectivite, liste=liste, date_effet__gte=du, date_effet__lte=au
        )
        .exclude(type=TypeMouvement.INSCRIPTION, motif=MotifInscription.REPRISE_REU)
        .order_by()
    )


# --- rows as printed -----------------------------------------------------------------------


def naissance(row: dict) -> tuple[str, str]:
    """(date, lieu) of birth as printed: "04/05/1980", "Saint-Malo (35)" or "Porto (Portugal)"."""
    day = row["date_naissance"]
    date = day.strftime("%d/%m/%Y") if day else row["date_naissance_incomplete"]
    commune, departement, pays = (
        row["naissance_commune"],
        row["naissance_departement"],
        row["naissance_pays"],
    )
    if departement:
        lieu = f"{commune} ({departement_as_written(departement)})"
    elif pays and search_key(pays) != "FRANCE":
        lieu = f"{commune} ({pays})" if commune else pays
    else:
        lieu = commune
    return date, lieu


def adresse(row: dict) -> str:
    street = " ".join(f"{row['numero_voie']} {row['type_voie']} {row['libelle_voie']}".split())
    town = " ".join(f"{row['code_postal']} {row['ville']}".split())
    parts = [row["complement1"], row["complement2"], street, row["lieu_dit"], town]
    return ", ".join(part.strip() for part in parts if part and part.strip())


@dataclass(frozen=True)
class Ligne:
    """One voter's row, every value already written as printed."""

    numero_ordre: str
    nom_naissance: str
    nom_usage: str
    prenoms: str
    date_naissance: str
    lieu_naissance: str
    adresse: str
    motif: str
    date_effet: datetime.date
    order: tuple = field(compare=False, repr=False)
    nationalite: str = ""


def _ligne(row: dict, numero: int | None, motif: str) -> Ligne:
    date, lieu = naissance(row)
    return Ligne(
        numero_ordre=str(numero) if numero is not None else "—",
        nom_naissance=row["nom_naissance"].upper(),  # surnames are printed in capitals
        nom_usage=row["nom_usage"].upper(),
        prenoms=row["prenoms"],
        date_naissance=date,
        lieu_naissance=lieu,
        adresse=adresse(row),
        motif=motif,
        date_effet=row["date_effet"],
        nationalite=row.get("nationalite", ""),
        order=(
            search_key(row["nom_naissance"]),
            search_key(row["prenoms"]),
            row["date_naissance"] or datetime.date.min,
            row["electeur_id"],
        ),
    )


@dataclass
class Section:
    """One bureau's part of the tableau."""

    code: str
    libelle: str
    additions: list[Ligne] = field(default_factory=list)
    retranchements: list[Ligne] = field(default_factory=list)
    # Counts by motif key (ADDITION_MOTIFS / RETRANCHEMENT_MOTIFS)
    par_motif: dict[str, dict[str, int]] = field(
        default_factory=lambda: {ADDITION: defaultdict(int), RETRANCHEMENT: defaultdict(int)}
    )

    @property
    def title(self) -> str:
        if self.code == SANS_BUREAU:
            return "Électeurs sans bureau de vote"
        return f"Bureau {self.code} — {self.libelle}" if self.libelle else f"Bureau {self.code}"

    @property
    def rows(self) -> int:
        return len(self.additions) + len(self.retranchements)


@dataclass
class Tableau:
    collectivite: Collectivite
    liste: str
    du: datetime.date
    au: datetime.date
    generated: datetime.date
    sections: list[Section]  # every bureau of the collectivité, in code order

    @property
    def additions(self) -> int:
        return sum(len(section.additions) for section in self.sections)

    @property
    def retranchements(self) -> int:
        return sum(len(section.retranchements) for section in self.sections)

    @property
    def printed_sections(self) -> list[Section]:
        return [section for section in self.sections if section.rows]

    def columns(self, side: str) -> list[tuple[str, str]]:
        """The motifs that occur in the period on this side, in the order of their choices."""
        labels = ADDITION_MOTIFS if side == ADDITION else RETRANCHEMENT_MOTIFS
        used = {key for section in self.sections for key, n in section.par_motif[side].items() if n}
        return [(key, label) for key, label in labels.items() if key in used]


def _numeros(movements, liste: str) -> tuple[dict, dict]:
    """The voters' numéros d'ordre: (voter, bureau) -> number of the active or latest
    inscription, and (voter, bureau, radiation date) -> number the radiation closed."""
    inscriptions = (
        Inscription.objects.filter(liste=liste, electeur__in=movements.values("electeur_id"))
        .order_by("inscrit_le", "pk")
        .values_list("electeur_id", "bureau_id", "numero_ordre", "radie_le")
    )
    current, closed = {}, {}
    for electeur_id, bureau_id, numero, radie_le in inscriptions:
        if radie_le is None or (electeur_id, bureau_id) not in current:
            current[electeur_id, bureau_id] = numero
        if radie_le is not None:
            closed[electeur_id, bureau_id, radie_le] = numero
    return current, closed


def build_tableau(
    collectivite: Collectivite,
    liste: str,
    du: datetime.date,
    au: datetime.date,
    generated: datetime.date | None = None,
) -> Tableau:
    """The tableau's rows, per bureau, in plain values (three queries)."""
    bureaux = {
        pk: Section(code, libelle)
        for pk, code, libelle in BureauDeVote.objects.filter(collectivite=collectivite)
        .order_by("code")
        .values_list("pk", "code", "libelle")
    }
    codes = {pk: section.code for pk, section in bureaux.items()}
    movements = tableau_movements(collectivite, liste, du, au)
    current, closed = _numeros(movements, liste)
    sans_bureau = Section(SANS_BUREAU, "")

    def add(side: str, bureau_id: int | None, row: dict, key: str, motif: str, numero) -> None:
        section = bureaux.get(bureau_id, sans_bureau)
        getattr(section, "additions" if side == ADDITION else "retranchements").append(
            _ligne(row, numero, motif)
        )
        section.par_motif[side][key] += 1

    fields = ["type", "motif", "date_effet", "bureau_avant_id", "bureau_apres_id", "electeur_id"]
    fields += [f"electeur__{name}" for name in ELECTEUR_FIELDS]
    for values in movements.values_list(*fields):
        row = dict(zip(fields[:6] + ELECTEUR_FIELDS, values, strict=True))
        kind, motif, electeur = row["type"], row["motif"], row["electeur_id"]
        avant, apres = row["bureau_avant_id"], row["bureau_apres_id"]
        if kind == TypeMouvement.INSCRIPTION:
            label = ADDITION_MOTIFS.get(motif, motif)
            add(ADDITION, apres, row, motif, label, current.get((electeur, apres)))
        elif kind == TypeMouvement.RADIATION:
            label = RETRANCHEMENT_MOTIFS.get(motif, motif)
            numero = closed.get((electeur, avant, row["date_effet"]))
            add(RETRANCHEMENT, avant, row, motif, label, numero)
        elif avant != apres:
            if avant is not None:
                label = f"changement de bureau (vers le bureau {codes.get(apres, '—')})"
                add(RETRANCHEMENT, avant, row, CHANGEMENT_BUREAU, label, None)
            if apres is not None:
                label = f"changement de bureau (venant du bureau {codes.get(avant, '—')})"
                add(ADDITION, apres, row, CHANGEMENT_BUREAU, label, current.get((electeur, apres)))
    sections = list(bureaux.values()) + ([sans_bureau] if sans_bureau.rows else [])
    for section in sections:
        section.additions.sort(key=lambda ligne: ligne.order)
        section.retranchements.sort(key=lambda ligne: ligne.order)
    return Tableau(collectivite, liste, du, au, generated or timezone.localdate(), sections)


# --- printing ------------------------------------------------------------------------------


def _context(tableau: Tableau) -> dict:
    return {
        "collectivite": tableau.collectivite,
        "liste": Liste(tableau.liste).label,
        "du": tableau.du,
        "au": tableau.au,
        "generated": tableau.generated,
        "additions": tableau.additions,
        "retranchements": tableau.retranchements,
    }


def _recap_context(tableau: Tableau) -> dict:
    sides = {}
    for side in (ADDITION, RETRANCHEMENT):
        columns = tableau.columns(side)
        sides[side] = {
            "columns": [label for _, label in columns],
            "rows": [
                (
                    section,
                    [section.par_motif[side].get(key, 0) for key, _ in columns],
                    sum(section.par_motif[side].values()),
                )
                for section in tableau.sections
            ],
            "totals": [
                sum(section.par_motif[side].get(key, 0) for section in tableau.sections)
                for key, _ in columns
            ],
        }
    return {"recap": sides}


def tableau_html(tableau: Tableau, recap: bool = True, sections: list[Section] | None = None):
    """The HTML of a document holding the récapitulatif and/or some bureaux' sections."""
    context = _context(tableau) | {"sections": sections or [], "with_recap": recap}
    if recap:
        context |= _recap_context(tableau)
    return document_html("exports/tableau_pdf.html", context)


def tableau_parts(tableau: Tableau) -> list[Part]:
    """The récapitulatif, then one document per bureau that has movements."""
    parts = [Part(tableau_html(tableau), len(tableau.sections), "Récapitulatif de la commune")]
    for section in tableau.printed_sections:
        parts.append(Part(tableau_html(tableau, False, [section]), section.rows, section.title))
    return parts


def render_tableau_pdf(tableau: Tableau, workers: int | None = None, **options) -> Joined:
    return render_parts(tableau_parts(tableau), base_url(), workers, **options)


# --- the list of one bureau ----------------------------------------------------------------


class Ordre:
    NUMERO, NOM = "numero", "nom"
    CHOICES = [(NUMERO, "par numéro d'ordre"), (NOM, "par ordre alphabétique")]


def liste_bureau_lignes(
    bureau: BureauDeVote, liste: str, ordre: str, date: datetime.date
) -> list[Ligne]:
    """The voters of the bureau's list at the end of `date` (electoral.extraction, as the
    screens and the CSV read it), by numéro d'ordre or alphabetically."""
    names = [*ELECTEUR_FIELDS, "nationalite"]
    rows = (
        liste_a_date(bureau.collectivite, liste, date, bureau)
        .order_by("numero_a_date", "pk")
        .values_list(
            "numero_a_date", "inscrit_le", "electeur_id", *(f"electeur__{n}" for n in names)
        )
    )
    lignes = []
    for values in rows:
        row = dict(zip(["numero_ordre", "date_effet", "electeur_id", *names], values, strict=True))
        lignes.append(_ligne(row, row["numero_ordre"], ""))
    if ordre == Ordre.NOM:
        lignes.sort(key=lambda ligne: ligne.order)
    return lignes


def render_liste_bureau_pdf(
    bureau: BureauDeVote, liste: str, ordre: str, date: datetime.date
) -> Joined:
    """The list as it stood at the end of `date`, "arrêtée" at that date."""
    lignes = liste_bureau_lignes(bureau, liste, ordre, date)
    html = document_html(
        "exports/liste_bureau_pdf.html",
        {
            "collectivite": bureau.collectivite,
            "bureau": bureau,
            "liste": Liste(liste).label,
            "complementaire": liste != Liste.PRINCIPALE,
            "ordre": dict(Ordre.CHOICES)[ordre],
            "lignes": lignes,
            "count": len(lignes),
            "generated": date,
        },
    )
    # One document (its pages are numbered as a whole), rendered in a child process when long
    # so that the task worker does not keep WeasyPrint's memory.
    return render_parts([Part(html, len(lignes), str(bureau))], base_url())
