"""Every PDF the application prints, filled with the longest names and addresses its fields keep,
on this machine and on a bare Debian server whose only fonts are DejaVu's: its fonts are the
Liberation Sans the project ships, every word lies inside the printable part of its page over no
other, no table head breaks a word, and the letterhead keeps the Republic and its motto whole."""

import datetime as dt
import html
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.template.defaultfilters import capfirst
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
from exports.tableaux import (
    ADDITION,
    RETRANCHEMENT,
    Ordre,
    build_tableau,
    render_liste_bureau_pdf,
    render_tableau_pdf,
)
from mairie.models import Collectivite
from mairie.pdf import FACES, FAMILY, FONT_FOLDER
from recensement.attestation import Signataire, issue_attestation, render_attestation_pdf
from recensement.models import Recense
from recensement.notice import FILIATION_LABELS, render_notice_pdf
from tests.factories import BureauFactory, ElecteurFactory, RecenseFactory

TODAY = dt.date(2026, 4, 2)
DU, AU = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
# A printer leaves the outer 4 to 5 mm of a sheet blank: no word may start or end there.
UNPRINTABLE = 5 / 25.4 * 72
HYPHENS = "-\u2010\u00ad"
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


@dataclass(frozen=True)
class Printed:
    data: bytes
    heads: list[str]  # the labels of its table heads


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


def attestation(town: Collectivite, side) -> Printed:
    issued = issue_attestation(long_recense(town, 1), side.agent, Signataire.DELEGATION)
    heads = ["Nom de naissance", "Nom d’usage", "Prénoms", "Née le", "Née à", "Domiciliée"]
    return Printed(render_attestation_pdf(issued), heads)


def notice(town: Collectivite, side) -> Printed:
    """Every field at its longest, the residence abroad and both parents born abroad."""
    recense = long_recense(town, 1)
    for field, value in {
        **longest_fields(
            Recense,
            residence_voie=VOIE,
            residence_complement=COMPLEMENT,
            residence_commune=COMMUNE,
            residence_pays=PAYS,
            pere_nom=UNBROKEN,
            pere_prenoms=PRENOMS,
            pere_naissance_commune=COMMUNE,
            pere_naissance_pays=PAYS,
            mere_nom=NOM,
            mere_prenoms=PRENOMS,
            mere_naissance_commune=COMMUNE,
            mere_naissance_pays=PAYS,
            etablissement=f"Lycée {COMMUNE}",
            specialite=COMPLEMENT,
            profession=COMPLEMENT,
        ),
        "residence_identique": False,
        "residence_numero": "1234 B",
        "residence_code_lieu": "99134",
        "pere_naissance_code_lieu": "99134",
        "mere_naissance_code_lieu": "99134",
        "pere_date_naissance": dt.date(1978, 5, 3),
        "mere_date_naissance": dt.date(1980, 11, 21),
        "telephone_fixe": "0299112233",
        "courriel": f"{'marie-bernadette.montmorency-laval' * 2}@example.fr"[:80],
    }.items():
        setattr(recense, field, value)
    recense.save()
    heads = [
        *("Commune", "Code INSEE", "N° d’inscription", "Date de recensement", "Mode"),
        *("Nom de naissance", "Nom d’usage", "Prénoms", "Sexe", "Date de naissance"),
        *("Lieu de naissance", "Nationalité", "Acquise le", "Double nationalité"),
        *("Domicile", "Résidence", "Téléphone", "Courriel", "Père", "Mère", *FILIATION_LABELS),
        *("Frères et sœurs", "Situation familiale", "Enfants", "Pupille", "Situation scolaire"),
        *("Établissement", "Diplôme le plus élevé", "Spécialité", "Profession"),
        "Situation particulière",
    ]
    return Printed(render_notice_pdf(recense), heads)


def liste_recenses(town: Collectivite, side) -> Printed:
    recenses = [long_recense(town, numero) for numero in range(1, 21)]
    heads = [
        "N° d’inscription",
        "Nom de naissance",
        "Prénoms",
        "Date de naissance",
        "Lieu de naissance",
        "Mode",
        "Date de recensement",
    ]
    return Printed(render_liste_recenses_pdf(town, recenses, 2026, 1, TODAY), heads)


def tableau(town: Collectivite, side) -> Printed:
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
    table = build_tableau(town, Liste.PRINCIPALE, DU, AU, TODAY)
    recap = [capfirst(label) for s in (ADDITION, RETRANCHEMENT) for _, label in table.columns(s)]
    heads = [
        *("Bureau de vote", "Total des additions", "Total des retranchements", *recap),
        *("N° d’ordre", "Nom(s)", "Prénoms", "Date et lieu de naissance", "Adresse"),
        *("Motif", "Date d’effet"),
    ]
    return Printed(render_tableau_pdf(table).data, heads)


def liste_bureau(liste: str):
    def document(town: Collectivite, side) -> Printed:
        bureau = long_bureaux(town)[0]
        nationalite = longest(Electeur, "nationalite", PAYS) if liste != Liste.PRINCIPALE else ""
        for _ in range(15):
            electeur = long_electeur(town, bureau, nationalite=nationalite)
            inscrire(electeur, liste, MotifInscription.VOLONTAIRE, DU, None)
        heads = ["N° d’ordre", "Nom(s)", "Prénoms", "Date et lieu de naissance", "Adresse"]
        heads += ["Nationalité"] if nationalite else []
        heads += ["Inscrit le"]
        return Printed(render_liste_bureau_pdf(bureau, liste, Ordre.NUMERO, TODAY).data, heads)

    return document


DOCUMENTS = {
    "attestation": attestation,
    "notice individuelle": notice,
    "liste des recensés": liste_recenses,
    "tableau": tableau,
    "liste d'un bureau": liste_bureau(Liste.PRINCIPALE),
    "liste complémentaire d'un bureau": liste_bureau(Liste.EUROPEENNE),
}


@pytest.fixture(params=DOCUMENTS)
def printed(request, side_a, town, system_fonts) -> Printed:
    return DOCUMENTS[request.param](town, side_a)


# --- reading the PDF ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]


TAG = re.compile(r"<(page|word)\b([^>]*)>(?:([^<]*)</word>)?")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def pdf_words(data: bytes, tmp_path: Path) -> list[Page]:
    """Every word of every page with its box (points, from the top left), as poppler reads it."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages: list[Page] = []
    for tag, attributes, text in TAG.findall(out):
        values = dict(ATTRIBUTE.findall(attributes))
        if tag == "page":
            pages.append(Page(float(values["width"]), float(values["height"]), []))
        else:
            box = (float(values[name]) for name in ("xMin", "yMin", "xMax", "yMax"))
            pages[-1].words.append(Word(html.unescape(text), *box))
    return pages


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


def overlapping(words: list[Word]) -> list[tuple[Word, Word]]:
    """The pairs of words printed over each other: a cell's text run into the next one."""
    # Poppler's boxes span the font's whole height: lines that touch share a sliver of it.
    slack = 1.0
    pairs = []
    ordered = sorted(words, key=lambda word: word.x_min)
    for index, word in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other.x_min >= word.x_max - slack:
                break
            if other.y_min < word.y_max - slack and word.y_min < other.y_max - slack:
                pairs.append((word, other))
    return pairs


def identity(font: TTFont) -> tuple[str, str, str]:
    """Family, style and version, as the font's own name table says them."""
    return tuple(font["name"].getDebugName(name_id) for name_id in (1, 2, 5))


# --- the tests ---------------------------------------------------------------------------------


def test_every_font_the_pdf_embeds_is_the_liberation_sans_the_project_ships(printed):
    shipped = {identity(TTFont(FONT_FOLDER / name)) for name, _, _ in FACES}
    fonts = embedded_fonts(printed.data)

    assert fonts
    for base_font, program in fonts:
        # "ABCDEF+Liberation-Sans-Mairie-Bold": a subset of the family the styles ask for.
        assert base_font.partition("+")[2].startswith(FAMILY.replace(" ", "-")), base_font
        assert identity(program) in shipped, (base_font, identity(program))


def test_every_word_lies_inside_the_printable_part_of_its_page_over_no_other(printed, tmp_path):
    pages = pdf_words(printed.data, tmp_path)

    assert pages
    for number, page in enumerate(pages, start=1):
        assert page.words, f"page {number} is blank"
        for word in page.words:
            inside = (
                word.x_min >= UNPRINTABLE
                and word.y_min >= UNPRINTABLE
                and word.x_max <= page.width - UNPRINTABLE
                and word.y_max <= page.height - UNPRINTABLE
            )
            assert inside, f"page {number}: {word}"
        overlaps = overlapping(page.words)
        assert not overlaps, f"page {number}: {overlaps[:3]}"


def test_no_table_head_breaks_a_word(printed, tmp_path):
    """Every word of the table heads is printed whole, and never in pieces one under the other:
    "d’inscripti" over "on" where the column was too narrow, "d’inscrip-" over "tion" where it
    was hyphenated."""
    head_words = {word for label in printed.heads for word in label.split()}
    beginnings = {word[:end] for word in head_words for end in range(1, len(word))}
    whole = set()
    for number, page in enumerate(pdf_words(printed.data, tmp_path), start=1):
        whole |= head_words & {word.text for word in page.words}
        for upper in page.words:
            start = upper.text.rstrip(HYPHENS)
            if start not in beginnings:
                continue
            height = upper.y_max - upper.y_min
            for lower in page.words:
                below = height / 2 <= lower.y_min - upper.y_min <= 2 * height
                under = lower.x_min < upper.x_max and upper.x_min < lower.x_max
                pieces = start + lower.text
                broken = [word for word in head_words if word.startswith(pieces)]
                assert not (below and under and broken), (
                    f"page {number}: “{broken[0]}” printed “{upper.text}” over “{lower.text}”"
                )
    assert whole == head_words


def test_the_letterhead_prints_the_republic_and_its_motto_on_one_line_each(printed, tmp_path):
    words = pdf_words(printed.data, tmp_path)[0].words
    for line in ("République française", "Liberté · Égalité · Fraternité"):
        first, *others = line.split()
        starts = [index for index, word in enumerate(words) if word.text == first]
        assert starts, f"no “{line}” on the first page"
        printed_line = words[starts[0] : starts[0] + len(others) + 1]
        assert [word.text for word in printed_line] == line.split()
        assert {round(word.y_min) for word in printed_line} == {round(printed_line[0].y_min)}
