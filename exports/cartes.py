"""Cartes électorales (Code électoral R.23 and following), printed on the State's pre-printed
stock: A4 sheets of four cards of 105 × 148.5 mm, two by two. Each card carries the voter's
names, date and place of birth, domicile, INE, the bureau with its address and the numéro
d'ordre. The collectivité's offsets (admin) move everything by whole millimetres to make up for
the printer's drift; the test sheet draws the cards' frames and each field's name, to hold
against a sheet of the stock.

Sorted by bureau, then in the order of the delivery rounds: street, house number, name. Each
bureau starts a sheet of its own. Drawn with ReportLab, like the émargement lists."""

import datetime
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from electoral.extraction import liste_a_date
from electoral.models import (
    BureauDeVote,
    CarteRevenue,
    Inscription,
    Liste,
    Mouvement,
    TypeMouvement,
)
from electoral.services import house_number
from exports.emargement import address_text, birth_text
from mairie.models import Collectivite
from mairie.text import search_key
from mairie.volume_pdf import BOLD, REGULAR, Column, TableDocument, register_fonts

CARD_WIDTH, CARD_HEIGHT = 105 * mm, 148.5 * mm
PER_SHEET = 4
MARGIN = 8 * mm  # inside a card
MIN_SIZE = 5.5  # points: below, a value takes two lines rather than shrink further


@dataclass(frozen=True)
class Field:
    name: str  # printed on the test sheet
    y: float  # millimetres from the card's top
    size: float = 9
    bold: bool = False


FIELDS = [
    Field("Commune", 24),
    Field("Liste", 30, size=8),
    Field("Nom", 42, size=11, bold=True),
    Field("Nom d'usage", 48),
    Field("Prénoms", 54),
    Field("Naissance", 61),
    Field("Domicile", 71),
    Field("Domicile (suite)", 76),
    Field("Domicile (fin)", 81),
    Field("INE", 93, bold=True),
    Field("Bureau de vote", 104, bold=True),
    Field("Adresse du bureau", 109),
    Field("Numéro d'ordre", 118, size=11, bold=True),
    Field("Délivrée le", 128, size=8),
]


@dataclass(frozen=True)
class Options:
    collectivite: Collectivite
    liste: str
    date: datetime.date
    bureau: BureauDeVote | None = None
    depuis: datetime.date | None = None  # only the voters inscribed or changed since


def inscriptions(options: Options):
    """The cards to print: the list on the day (one bureau or all), or only those inscribed
    or changed since `depuis`."""
    rows = liste_a_date(options.collectivite, options.liste, options.date, options.bureau)
    if options.depuis:
        changed = Mouvement.objects.filter(
            electeur=OuterRef("electeur_id"),
            liste=options.liste,
            type__in=(TypeMouvement.INSCRIPTION, TypeMouvement.MODIFICATION),
            date_effet__gte=options.depuis,
        )
        rows = rows.filter(Q(inscrit_le__gte=options.depuis) | Q(Exists(changed)))
    return rows.select_related("electeur", "electeur__voie")


def delivery_key(inscription: Inscription) -> tuple:
    electeur = inscription.electeur
    number = house_number(electeur.numero_voie)
    return (
        inscription.bureau_code or "",
        search_key(f"{electeur.type_voie} {electeur.libelle_voie}"),
        number if number is not None else 10**9,
        electeur.numero_voie,
        search_key(electeur.nom_naissance),
        search_key(electeur.prenoms),
        electeur.pk,
    )


def card_values(options: Options, inscription: Inscription, bureaux: dict) -> list[str]:
    """One value per FIELDS entry."""
    electeur = inscription.electeur
    collectivite = options.collectivite
    address = address_text(electeur).split("\n")
    address.append(f"{electeur.code_postal} {electeur.ville}".strip())
    lines = [line for line in address if line]
    domicile = lines[:2] + [", ".join(lines[2:])]
    domicile += [""] * (3 - len(domicile))
    bureau = bureaux.get(inscription.bureau_a_date_id)
    numero = inscription.numero_a_date
    departement = collectivite.departement.lstrip("0") or collectivite.code_insee[:2]
    return [
        f"{collectivite.nom} ({departement})",
        Liste(options.liste).label.capitalize(),
        electeur.nom_naissance.upper(),
        f"Nom d'usage : {electeur.nom_usage.upper()}" if electeur.nom_usage else "",
        electeur.prenoms,
        "Né(e) le " + birth_text(electeur).replace("\n", " à ", 1),
        *domicile,
        f"INE : {electeur.ine}" if electeur.ine else "",
        f"Bureau n° {bureau.code} — {bureau.libelle}" if bureau else "",
        bureau.adresse if bureau else "",
        f"N° d'ordre : {numero}" if numero is not None else "",
        f"Délivrée le {timezone.localdate():%d/%m/%Y}",
    ]


def _origin(collectivite: Collectivite, slot: int) -> tuple[float, float]:
    """The top-left corner of card `slot` (0 to 3) on the sheet, offsets included."""
    column, row = slot % 2, slot // 2
    x = column * CARD_WIDTH + float(collectivite.carte_decalage_horizontal) * mm
    y = A4[1] - row * CARD_HEIGHT - float(collectivite.carte_decalage_vertical) * mm
    return x, y


def _draw_value(canvas: Canvas, x: float, y: float, field: Field, value: str) -> None:
    """The value on its line, shrunk to fit; below MIN_SIZE, on two lines: never cut."""
    font = BOLD if field.bold else REGULAR
    room = CARD_WIDTH - 2 * MARGIN
    width = stringWidth(value, font, field.size)
    size = field.size if width <= room else field.size * room / width
    if size >= MIN_SIZE:
        canvas.setFont(font, size)
        canvas.drawString(x, y, value)
        return
    words = value.split()
    half = max(1, len(words) // 2)
    for index, part in enumerate((" ".join(words[:half]), " ".join(words[half:]))):
        part_size = min(field.size, field.size * room / max(1, stringWidth(part, font, field.size)))
        canvas.setFont(font, part_size)
        canvas.drawString(x, y - index * (part_size + 1), part)


def draw_card(canvas: Canvas, origin: tuple[float, float], values: Iterable[str]) -> None:
    x0, top = origin
    for field, value in zip(FIELDS, values, strict=True):
        if value:
            _draw_value(canvas, x0 + MARGIN, top - field.y * mm, field, value)


def draw_test_card(canvas: Canvas, origin: tuple[float, float]) -> None:
    x0, top = origin
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 2)
    canvas.rect(x0, top - CARD_HEIGHT, CARD_WIDTH, CARD_HEIGHT)
    canvas.setDash()
    for dx, dy in ((0, 0), (CARD_WIDTH, 0), (0, -CARD_HEIGHT), (CARD_WIDTH, -CARD_HEIGHT)):
        canvas.line(x0 + dx - 3 * mm, top + dy, x0 + dx + 3 * mm, top + dy)
        canvas.line(x0 + dx, top + dy - 3 * mm, x0 + dx, top + dy + 3 * mm)
    for field in FIELDS:
        y = top - field.y * mm
        canvas.setFont(REGULAR, 7)
        canvas.drawString(x0 + MARGIN, y, f"• {field.name}")
        canvas.line(x0 + MARGIN, y - 1, x0 + CARD_WIDTH - MARGIN, y - 1)


def write_test_sheet(collectivite: Collectivite, out: BinaryIO) -> None:
    register_fonts()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    canvas.setTitle("Feuille de test des cartes électorales")
    for slot in range(PER_SHEET):
        draw_test_card(canvas, _origin(collectivite, slot))
    canvas.setFont(REGULAR, 7)
    canvas.drawString(
        10 * mm,
        5 * mm,
        f"Décalages : horizontal {collectivite.carte_decalage_horizontal} mm, vertical "
        f"{collectivite.carte_decalage_vertical} mm (administration, collectivité).",
    )
    canvas.showPage()
    canvas.save()


def _write_pdf(options: Options, rows: list[Inscription], bureaux: dict, out: BinaryIO) -> None:
    """The cards of `rows` (sorted), four to a sheet, a new sheet for each bureau."""
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"Cartes électorales — {options.collectivite.nom}")
    slot, current = 0, None
    for inscription in rows:
        if slot and (slot == PER_SHEET or inscription.bureau_a_date_id != current):
            canvas.showPage()
            slot = 0
        current = inscription.bureau_a_date_id
        draw_card(
            canvas, _origin(options.collectivite, slot), card_values(options, inscription, bureaux)
        )
        slot += 1
    if slot:
        canvas.showPage()
    canvas.save()


def groups(options: Options) -> list[tuple[str, object]]:
    """(file name's part, the bureau's id or None) of each bundle of cards: one bureau, or every
    bureau and then the voters without one."""
    if options.bureau is not None:
        return [(options.bureau.code, options.bureau.pk)]
    codes = BureauDeVote.objects.for_collectivite(options.collectivite).order_by("code")
    return [(code, pk) for pk, code in codes.values_list("pk", "code")] + [("sans-bureau", None)]


def write_cards(options: Options, out: BinaryIO, progress: Callable[[int, int], None]) -> int:
    """The cards of one bureau as a PDF, or, for every bureau, a ZIP of one PDF per bureau:
    ReportLab keeps a document's pages until it is saved, so a city's cards are written bureau
    by bureau and never held at once. Returns the number of cards."""
    register_fonts()
    bureaux = BureauDeVote.objects.for_collectivite(options.collectivite).in_bulk()
    every = inscriptions(options)
    bundles = groups(options)
    done = 0
    archive = None if options.bureau else zipfile.ZipFile(out, "w")
    for index, (name, pk) in enumerate(bundles, start=1):
        rows = sorted(every.filter(bureau_a_date_id=pk), key=delivery_key)
        if rows and archive is None:
            _write_pdf(options, rows, bureaux, out)
        elif rows:
            buffer = io.BytesIO()
            _write_pdf(options, rows, bureaux, buffer)
            archive.writestr(f"cartes-{options.liste}-bureau-{name}.pdf", buffer.getvalue())
        done += len(rows)
        progress(index, len(bundles))
    if archive is not None:
        archive.close()
    return done


def write_returned(
    collectivite: Collectivite, du: datetime.date, au: datetime.date, out: BinaryIO
) -> int:
    """The "cartes revenues" list: the cards the post brought back between `du` and `au`, by
    bureau and name, for the mairie and the commission de contrôle."""
    returned = sorted(
        CarteRevenue.objects.for_collectivite(collectivite)
        .filter(revenue_le__gte=du, revenue_le__lte=au)
        .select_related("electeur__bureau"),
        key=lambda r: (
            r.electeur.bureau.code if r.electeur.bureau else "",
            search_key(r.electeur.nom_naissance),
            search_key(r.electeur.prenoms),
            r.pk,
        ),
    )
    numbers = {
        (i.electeur_id, i.liste): i.numero_ordre
        for i in Inscription.objects.filter(electeur__in=[r.electeur_id for r in returned])
    }
    rows = [
        [
            r.electeur.bureau.code if r.electeur.bureau else "",
            str(numbers.get((r.electeur_id, r.liste)) or ""),
            f"{r.electeur.nom_naissance.upper()}\n{r.electeur.prenoms}",
            address_text(r.electeur),
            r.liste,
            f"{r.revenue_le:%d/%m/%Y}",
            r.get_motif_display(),
        ]
        for r in returned
    ]
    columns = [
        Column("Bureau", 16),
        Column("N° d'ordre", 18),
        Column("Nom, prénoms", 45, bold=True),
        Column("Adresse", 45),
        Column("Liste", 12),
        Column("Revenue le", 20),
        Column("Motif", 34),
    ]

    def header(page: int, pages: int) -> list[str]:
        return [
            "Cartes électorales revenues",
            f"Commune de {collectivite.nom} ({collectivite.code_insee})",
            f"Du {du:%d/%m/%Y} au {au:%d/%m/%Y}",
        ]

    closing = [
        f"{len(rows)} carte{'s' if len(rows) > 1 else ''} revenue{'s' if len(rows) > 1 else ''}."
    ]
    TableDocument(A4, columns).write(out, header, rows, closing, title="Cartes revenues")
    return len(rows)
