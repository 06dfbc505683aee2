"""The quarterly list of registrants (code du service national R*111-8, R*111-9) as a PDF.

The mairie draws it up at the start of the following quarter, numbered, signs it and keeps it;
its look follows the attestation de recensement, so that the printed documents are one family.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from mairie.documents import render_pdf
from mairie.models import Collectivite
from recensement.attestation import lieu_naissance
from recensement.models import Recense

ORDINAUX = {1: "1er", 2: "2e", 3: "3e", 4: "4e"}
PERIODES = {
    1: "du 1er janvier au 31 mars",
    2: "du 1er avril au 30 juin",
    3: "du 1er juillet au 30 septembre",
    4: "du 1er octobre au 31 décembre",
}


@dataclass(frozen=True)
class Ligne:
    """One row of the list, every value already written as printed."""

    numero: str
    nom_naissance: str
    nom_usage: str
    prenoms: str
    date_naissance: datetime.date
    lieu_naissance: str
    mode: str
    date_recensement: datetime.date


def _ligne(recense: Recense) -> Ligne:
    return Ligne(
        # An unnumbered registrant is shown as such rather than hidden from a signed list.
        numero=(
            f"{recense.numero_inscription:04d}" if recense.numero_inscription is not None else "—"
        ),
        nom_naissance=recense.nom_naissance.upper(),  # surnames are printed in capitals
        nom_usage=recense.nom_usage.upper(),
        prenoms=recense.prenoms,
        date_naissance=recense.date_naissance,
        lieu_naissance=lieu_naissance(recense),
        mode=recense.get_mode_display(),
        date_recensement=recense.date_recensement,
    )


def render_liste_recenses_pdf(
    collectivite: Collectivite,
    recenses: Sequence[Recense],
    annee: int,
    trimestre: int,
    generated: datetime.date,
) -> bytes:
    """The signed list of a quarter's registrants: A4 landscape, as many pages as needed."""
    if trimestre not in ORDINAUX:
        raise ValueError(f"Trimestre inconnu : {trimestre} (1 à 4).")
    count = len(recenses)
    return render_pdf(
        "exports/liste_recenses_pdf.html",
        {
            "collectivite": collectivite,
            "lignes": [_ligne(recense) for recense in recenses],
            "annee": annee,
            "trimestre": ORDINAUX[trimestre],
            "periode": f"{PERIODES[trimestre]} {annee}",
            "generated": generated,
            "count": count,
            # French puts 0 and 1 in the singular.
            "personnes": "personne" if count < 2 else "personnes",
        },
    )
