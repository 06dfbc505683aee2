"""The notice individuelle de recensement (Cerfa 10870, NI-106*/01): the registrant's record,
section by section, as a PDF that the young person and the agent sign and the mairie keeps.

The page of a registrant prints it (recensement.views.notice) and so does the exporter "notice"
(`manage.py export notice`), both through render_notice_pdf. A registrant who came from an online
request also keeps that request's own Cerfa copy (DemandeEnLigne.fichier_pdf).
"""

import datetime
from dataclasses import dataclass

from mairie.documents import render_pdf
from mairie.models import Sexe
from recensement.models import Pupille, Recense


@dataclass(frozen=True)
class FiliationRow:
    label: str
    pere: str
    mere: str


def _date(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def prints_filiation(recense: Recense) -> bool:
    """A pupille de l'État's notice carries no filiation (instruction of 5 January 2004,
    article 6.3)."""
    return recense.pupille != Pupille.ETAT


def _parent(recense: Recense, parent: str) -> list[str]:
    """The parent's column: name, prénoms, birth date and place, nationality."""
    if not getattr(recense, f"{parent}_connu"):
        return ["non déclaré" if parent == "pere" else "non déclarée", "", "", "", ""]
    return [
        getattr(recense, f"{parent}_nom").upper() or "—",
        getattr(recense, f"{parent}_prenoms") or "—",
        _date(getattr(recense, f"{parent}_date_naissance")),
        getattr(recense, f"{parent}_lieu_naissance") or "—",
        getattr(recense, f"{parent}_nationalite_nom") or "—",
    ]


FILIATION_LABELS = [
    "Nom de naissance",
    "Prénoms",
    "Date de naissance",
    "Lieu de naissance",
    "Nationalité",
]


def filiation_rows(recense: Recense) -> list[FiliationRow]:
    """The filiation table, one row per field, the father's and the mother's side by side."""
    columns = zip(_parent(recense, "pere"), _parent(recense, "mere"), strict=True)
    return [
        FiliationRow(label, pere, mere)
        for label, (pere, mere) in zip(FILIATION_LABELS, columns, strict=True)
    ]


def notice_filename(recense: Recense) -> str:
    return f"notice-individuelle-{recense.pk}.pdf"


def render_notice_pdf(recense: Recense) -> bytes:
    """The printable notice: every section of the record, with choices' labels (never their
    codes), then the place, the date and the signatures of the young person and the agent."""
    return render_pdf(
        "recensement/notice_pdf.html",
        {
            "recense": recense,
            "collectivite": recense.collectivite,
            "e": "e" if recense.sexe == Sexe.FEMININ else "",
            "domicile": recense.address_lines("domicile"),
            "residence": (
                [] if recense.residence_identique else recense.address_lines("residence")
            ),
            "filiation": filiation_rows(recense) if prints_filiation(recense) else [],
        },
    )
