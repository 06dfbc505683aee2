"""The fixed data set of the list-file tests: every case the files have to carry."""

import datetime as dt
from pathlib import Path

from electoral import services
from electoral.models import (
    BureauDeVote,
    Electeur,
    Liste,
    MotifInscription,
    MotifModification,
    MotifRadiation,
)
from mairie.models import Collectivite
from tests.factories import BureauFactory, ElecteurFactory

GOLDEN = Path(__file__).parent / "golden"
DATE = dt.date(2026, 3, 10)  # the extraction date of the golden files
BEFORE = dt.date(2025, 1, 10)


def build(collectivite: Collectivite) -> dict[str, BureauDeVote | Electeur]:
    ecole = BureauFactory(
        collectivite=collectivite,
        code="0001",
        libelle="École Jules Ferry",
        canton="3512",
        circonscription="3502",
    )
    gymnase = BureauFactory(
        collectivite=collectivite,
        code="0002",
        libelle="Gymnase du Naye",
        canton="3512",
        circonscription="3502",
    )

    def voter(nom: str, bureau: BureauDeVote, listes=(Liste.PRINCIPALE,), day=BEFORE, **fields):
        electeur = ElecteurFactory(collectivite=collectivite, nom_naissance=nom, **fields)
        for liste in listes:
            services.inscrire(
                electeur, liste, MotifInscription.REPRISE_REU, day, None, bureau=bureau
            )
        return electeur

    people = {"ecole": ecole, "gymnase": gymnase}
    people["abadie"] = voter(
        "ABADIE",
        ecole,
        sexe="F",
        nom_usage="LE GOFF",
        prenoms="Marie Anaïs",
        date_naissance=dt.date(1980, 5, 4),
        naissance_commune="Rennes",
        naissance_departement="035",
        nationalite="Française",  # never written on the principal list
        numero_voie="12 BIS",
        libelle_voie="de la Pie",
    )
    people["bertrand"] = voter(
        "BERTRAND",
        ecole,
        sexe="M",
        prenoms="Jean-Pierre",
        complement1="Appartement 3; escalier B",
        libelle_voie='du "Moulin"',
        numero_voie="-12",  # a number, not a formula: left as it is
    )
    people["caron"] = voter(
        "CARON",
        gymnase,
        sexe="M",
        prenoms="Paul",  # names hold letters only (mairie.names): the formulas are elsewhere
        complement1="-Bât. A",
        complement2="Ligne 1\nLigne 2",
        lieu_dit="@lieu",
        type_voie="|Rue",
        libelle_voie="%Moulin",
        ville="=1+2",
        pays="+France",
    )
    people["duval"] = voter(
        "DUVAL",
        gymnase,
        listes=(Liste.EUROPEENNE, Liste.MUNICIPALE),
        sexe="F",
        prenoms="Hanna",
        naissance_code_lieu="99109",
        naissance_commune="Berlin",
        naissance_departement="",
        naissance_pays="Allemagne",
        nationalite="Allemande",
    )
    people["esnault"] = voter("ESNAULT", ecole, day=dt.date(2026, 3, 15))  # after DATE
    people["fabre"] = voter("FABRE", gymnase, prenoms="Léon")
    services.radier(
        people["fabre"], Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 3, 20), None
    )
    people["gaudin"] = voter("GAUDIN", ecole)
    services.radier(
        people["gaudin"],
        Liste.PRINCIPALE,
        MotifRadiation.AUTRE_COMMUNE,
        dt.date(2026, 2, 1),
        None,
    )
    people["guerin"] = voter("GUERIN", ecole, prenoms="Yann")
    services.modifier(
        people["guerin"],
        {"numero_voie": "8"},
        MotifModification.ADRESSE,
        dt.date(2026, 3, 12),
        None,
        bureau=gymnase,
    )
    people["hamon"] = voter(
        "HAMON",
        gymnase,
        sexe="M",
        prenoms="Louis",
        date_naissance=None,
        date_naissance_incomplete="00/00/1953",
    )
    return people
