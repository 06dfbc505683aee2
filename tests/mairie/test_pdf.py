"""Every PDF the application prints, filled with the longest names and addresses its fields keep,
on this machine and on a bare Debian server whose only fonts are DejaVu's: its fonts are the
Liberation Sans the project ships."""

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
from django.core.files.base import ContentFile
from fontTools.ttLib import TTFont
from PIL import Image

from electoral.models import (
    BureauDeVote,
    Electeur,
    Liste,
    MotifInscription,
    MotifModification,
    MotifRadiation,
)
from electoral.services import inscrire, modifier, radier
from exports.liste_recenses import render_liste_recenses_pdf
from exports.tableaux import Ordre, build_tableau, render_liste_bureau_pdf, render_tableau_pdf
from mairie.models import Collectivite
from mairie.pdf import FACES, FAMILY, FONT_FOLDER
from recensement.attestation import Signataire, issue_attestation, render_attestation_pdf
from recensement.models import Recense
from tests.factories import BureauFactory, ElecteurFactory, RecenseFactory

TODAY = dt.date(2026, 4, 2)
DU, AU = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
# fonts-dejavu-core: the font fontconfig-config installs when nothing else asks for one.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

# Written as people write them (hyphens, spaces), and one word no line can break but by force.
NOM = "MONTMORENCY-LAVAL-"
UNBROKEN = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF"
PRENOMS = "Marie-Bernadette Anne-Sophie "
COMMUNE = "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson "
PAYS = "République démocratique populaire "
VOIE = "Chemin de la Croix-Rousse-Notre-Dame "
COMPLEMENT = "Résidence des Hauts-de-Bellevue, bâtiment "


def longest(model, field: str, text: str) -> str:
    """`text` repeated up to the field's max_length: the longest value the database keeps."""
    size = model._meta.get_field(field).max_length
    return (text * (size // len(text) + 1))[:size].rstrip(" -,")


def longest_fields(model, **texts: str) -> dict[str, str]:
    return {field: longest(model, field, text) for field, text in texts.items()}


# --- the system's fonts ----------------------------------------------------------------------


@pytest.fixture(params=["machine", "dejavu"], ids=["this machine's fonts", "DejaVu only"])
def system_fonts(request, monkeypatch, tmp_path) -> str:
    """The fonts WeasyPrint finds on the system: this machine's, or a bare server's (DejaVu
    alone). Fontconfig reads FONTCONFIG_FILE again for each document WeasyPrint lays out."""
    if request.param == "dejavu":
        config = tmp_path / "fonts.conf"
        config.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig><dir>{DEJAVU}</dir><cachedir>{tmp_path / 'cache'}</cachedir>"
            '<include ignore_missing="yes">/etc/fonts/conf.d</include></fontconfig>\n',
            encoding="utf-8",
        )
        monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    return request.param


# --- the documents -----------------------------------------------------------------------------


@pytest.fixture
def town(side_a, settings, tmp_path) -> Collectivite:
    """The commune of the longest name in France, its seal, its maire and delegate of long
    names too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    collectivite = side_a.collectivite
    seal = io.BytesIO()
    Image.new("RGB", (300, 200), "navy").save(seal, format="PNG")
    collectivite.sceau.save("sceau.png", ContentFile(seal.getvalue()), save=False)
    collectivite.nom = "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson"
    collectivite.adresse = "Hôtel de ville, 1 place de la Croix-Rousse-Notre-Dame\nBP 147"
    collectivite.code_postal, collectivite.telephone = "51300", "0326727070"
    collectivite.maire_prenom = "Marie-Bernadette"
    collectivite.maire_nom = "MONTMORENCY-LAVAL DE LA TOUR D'AUVERGNE"
    for field, text in {
        "responsable_nom": NOM,
        "responsable_prenom": PRENOMS,
        "responsable_qualite": "Adjointe administrative principale ",
    }.items():
        setattr(collectivite, field, longest(Collectivite, field, text))
    collectivite.save()
    return collectivite


def long_recense(collectivite: Collectivite, numero: int) -> Recense:
    return RecenseFactory(
        collectivite=collectivite,
        numero_inscription=numero,
        date_naissance=dt.date(2010, 1, numero),
        # Born abroad: the place is printed with its country.
        naissance_code_lieu="99134",
        naissance_departement="",
        domicile_numero="12 BIS",
        **longest_fields(
            Recense,
            nom_naissance=NOM,
            nom_usage=UNBROKEN,
            prenoms=PRENOMS,
            naissance_commune=COMMUNE,
            naissance_pays=PAYS,
            domicile_voie=VOIE,
            domicile_complement=COMPLEMENT,
            domicile_commune=COMMUNE,
        ),
    )


def long_electeur(collectivite: Collectivite, bureau: BureauDeVote, **kwargs) -> Electeur:
    return ElecteurFactory(
        collectivite=collectivite,
        bureau=bureau,
        naissance_code_lieu="99134",
        naissance_departement="",
        numero_voie="1234 TER",
        code_postal="35400",
        **longest_fields(
            Electeur,
            nom_naissance=NOM,
            nom_usage=UNBROKEN,
            prenoms=PRENOMS,
            naissance_commune=COMMUNE,
            naissance_pays=PAYS,
            type_voie="Chemin vicinal ",
            libelle_voie=VOIE,
            complement1=COMPLEMENT,
            complement2=COMPLEMENT,
            lieu_dit=COMMUNE,
            ville=COMMUNE,
        ),
        **kwargs,
    )


def long_bureaux(collectivite: Collectivite) -> list[BureauDeVote]:
    return [
        BureauFactory(
            collectivite=collectivite,
            code=code,
            **longest_fields(BureauDeVote, libelle=f"École {COMMUNE}", adresse=VOIE),
        )
        for code in ("0001", "0002")
    ]


def attestation(town: Collectivite, side) -> bytes:
    issued = issue_attestation(long_recense(town, 1), side.agent, Signataire.DELEGATION)
    return render_attestation_pdf(issued)


def liste_recenses(town: Collectivite, side) -> bytes:
    recenses = [long_recense(town, numero) for numero in range(1, 21)]
    return render_liste_recenses_pdf(town, recenses, 2026, 1, TODAY)


def tableau(town: Collectivite, side) -> bytes:
    """Every motif in the period: the récapitulatif has all its columns."""
    b1, b2 = long_bureaux(town)
    for motif in MotifInscription.values * 2:
        if motif != MotifInscription.REPRISE_REU:
            inscrire(long_electeur(town, b1), Liste.PRINCIPALE, motif, DU, None)
    for motif in MotifRadiation.values:
        partant = long_electeur(town, b2)
        inscrire(partant, Liste.PRINCIPALE, MotifInscription.REPRISE_REU, dt.date(2025, 6, 1), None)
        radier(partant, Liste.PRINCIPALE, motif, AU, None)
    demenage = long_electeur(town, b2)
    inscrire(demenage, Liste.PRINCIPALE, MotifInscription.REPRISE_REU, dt.date(2025, 6, 1), None)
    modifier(demenage, {}, MotifModification.BUREAU, AU, None, bureau=b1)
    return render_tableau_pdf(build_tableau(town, Liste.PRINCIPALE, DU, AU, TODAY)).data


def liste_bureau(liste: str):
    def document(town: Collectivite, side) -> bytes:
        bureau = long_bureaux(town)[0]
        nationalite = longest(Electeur, "nationalite", PAYS) if liste != Liste.PRINCIPALE else ""
        for _ in range(15):
            electeur = long_electeur(town, bureau, nationalite=nationalite)
            inscrire(electeur, liste, MotifInscription.VOLONTAIRE, DU, None)
        return render_liste_bureau_pdf(bureau, liste, Ordre.NUMERO, TODAY).data

    return document


DOCUMENTS = {
    "attestation": attestation,
    "liste des recensés": liste_recenses,
    "tableau": tableau,
    "liste d'un bureau": liste_bureau(Liste.PRINCIPALE),
    "liste complémentaire d'un bureau": liste_bureau(Liste.EUROPEENNE),
}


@pytest.fixture(params=DOCUMENTS)
def printed(request, side_a, town, system_fonts) -> bytes:
    return DOCUMENTS[request.param](town, side_a)


# --- reading the PDF ---------------------------------------------------------------------------


def embedded_fonts(data: bytes) -> list[tuple[str, TTFont]]:
    """(BaseFont, font program) of every font the PDF embeds."""
    fonts = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            fonts.append((str(font["/BaseFont"]), TTFont(io.BytesIO(program))))
    return fonts


def identity(font: TTFont) -> tuple[str, str, str]:
    """Family, style and version, as the font's own name table says them."""
    return tuple(font["name"].getDebugName(name_id) for name_id in (1, 2, 5))


# --- the tests ---------------------------------------------------------------------------------


def test_every_font_the_pdf_embeds_is_the_liberation_sans_the_project_ships(printed):
    shipped = {identity(TTFont(FONT_FOLDER / name)) for name, _, _ in FACES}
    fonts = embedded_fonts(printed)

    assert fonts
    for base_font, program in fonts:
        # "ABCDEF+Liberation-Sans-Mairie-Bold": a subset of the family the styles ask for.
        assert base_font.partition("+")[2].startswith(FAMILY.replace(" ", "-")), base_font
        assert identity(program) in shipped, (base_font, identity(program))
