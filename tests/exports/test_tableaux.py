import datetime as dt
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from electoral.models import (
    Liste,
    MotifInscription,
    MotifModification,
    MotifRadiation,
    Mouvement,
    TypeMouvement,
)
from electoral.services import inscrire, modifier, radier
from exports.models import Export
from exports.services import ExportRefused, run_export
from exports.tableaux import build_tableau, render_tableau_pdf, tableau_movements
from tests.conftest import agent_with_role, stored
from tests.factories import BureauFactory, ElecteurFactory

DU, AU = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
OPTIONS = {"liste": "p", "du": "2026-01-01", "au": "2026-03-31"}
PAGE = re.compile(r"Page (\d+) / (\d+)")


def fold(text: str) -> str:
    return " ".join(text.split())


def pages_text(data: bytes) -> list[str]:
    return [fold(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    c.maire_prenom, c.maire_nom = "Anne", "Le Gall"
    c.save()
    bureaux = [
        BureauFactory(collectivite=c, code="0001", libelle="Hôtel de ville"),
        BureauFactory(collectivite=c, code="0002", libelle="École Jules Ferry"),
        BureauFactory(collectivite=c, code="0003", libelle="Salle des fêtes"),
    ]
    return side_a, bureaux


def voter(collectivite, bureau, nom, prenoms="Louise", liste=Liste.PRINCIPALE, **kwargs):
    """A voter put on the list on the given day with the given reason."""
    day = kwargs.pop("day", dt.date(2026, 2, 10))
    motif = kwargs.pop("motif", MotifInscription.VOLONTAIRE)
    electeur = ElecteurFactory(
        collectivite=collectivite, nom_naissance=nom, prenoms=prenoms, bureau=bureau, **kwargs
    )
    inscrire(electeur, liste, motif, day, None, bureau=bureau)
    return electeur


@pytest.fixture
def period(town):
    """Movements of every kind, inside, on the bounds of and outside the period."""
    side, (b1, b2, b3) = town
    c = side.collectivite
    # Taken over from the REU before the period: not additions, and outside anyway.
    ancien = voter(c, b1, "ANCIEN", day=dt.date(2025, 6, 1), motif=MotifInscription.REPRISE_REU)
    partant = voter(c, b2, "PARTANT", day=dt.date(2025, 6, 1), motif=MotifInscription.REPRISE_REU)
    # In the period, the REU reprise of a late import: still not an addition.
    voter(c, b1, "REPRIS", day=dt.date(2026, 2, 1), motif=MotifInscription.REPRISE_REU)
    voter(c, b1, "MARTIN", "Paul", day=DU)  # first day: included
    voter(c, b1, "ÉTIENNE", "Éric")
    voter(c, b1, "DURAND", "Zoé", motif=MotifInscription.OFFICE_JEUNE)
    voter(c, b1, "LE BIHAN", "Léa", day=AU)  # last day: included
    voter(c, b2, "AVANT", day=dt.date(2025, 12, 31))  # the day before: excluded
    voter(c, b2, "APRES", day=dt.date(2026, 4, 1))  # the day after: excluded
    voter(c, b3, "NOUVEAU", liste=Liste.EUROPEENNE, nationalite="Belge")  # another list
    radier(partant, Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 3, 2), None)
    modifier(ancien, {}, MotifModification.BUREAU, dt.date(2026, 3, 5), None, bureau=b3)
    return side


def db_counts(collectivite, liste="p", du=DU, au=AU) -> dict[str, dict[str, int]]:
    """The tableau's figures counted by the database: additions and retranchements by bureau."""
    base = Mouvement.objects.filter(
        collectivite=collectivite, liste=liste, date_effet__range=(du, au)
    )
    moved = base.filter(type=TypeMouvement.MODIFICATION).exclude(bureau_avant=F("bureau_apres"))
    sides = {
        "additions": [
            base.filter(type=TypeMouvement.INSCRIPTION).exclude(motif=MotifInscription.REPRISE_REU),
            moved.filter(bureau_apres__isnull=False),
        ],
        "retranchements": [base.filter(type=TypeMouvement.RADIATION), moved],
    }
    counts: dict[str, dict[str, int]] = {}
    for side, querysets in sides.items():
        counts[side] = {}
        for queryset in querysets:
            field = "bureau_apres__code" if side == "additions" else "bureau_avant__code"
            for row in queryset.values(field).annotate(n=Count("id")):
                counts[side][row[field]] = counts[side].get(row[field], 0) + row["n"]
    return counts


def render(side, **options) -> tuple[list[str], "Export"]:
    export = run_export(side.collectivite, "tableau", OPTIONS | options, side.agent)
    return pages_text(stored(export.fichier)), export


def test_the_printed_totals_equal_the_movements_of_the_period(period):
    pages, export = render(period)
    expected = db_counts(period.collectivite)
    additions = sum(expected["additions"].values())
    retranchements = sum(expected["retranchements"].values())
    assert (additions, retranchements) == (5, 2)  # the scenario is what the test believes
    assert (
        f"Total des additions : {additions} — Total des retranchements : {retranchements}"
        in pages[0]
    )
    assert (
        f"Arrêté le présent tableau à {additions} additions et {retranchements} retranchements"
        in (" ".join(pages))
    )
    text = " ".join(pages)
    for code in ("0001", "0002", "0003"):
        shown = re.search(
            rf"Bureau {code} — [^—]+ Additions : (\d+) — Retranchements : (\d+)", text
        ).groups()
        assert tuple(map(int, shown)) == (
            expected["additions"].get(code, 0),
            expected["retranchements"].get(code, 0),
        )
    assert export.nom_fichier == "tableau-p-20260101-20260331.pdf"
    assert export.description == (
        "Tableau des additions et retranchements — liste principale, du 01/01/2026 au 31/03/2026"
    )


def test_the_recapitulatif_counts_each_bureau_by_reason_with_totals(period):
    pages, _ = render(period)
    recap = pages[0] + " " + pages[1] if "Page 1 / 2" in pages[0] else pages[0]
    # Columns: volontaire, office (jeune majeur), changement de bureau (arrivée), total.
    assert "Bureau 0001 — Hôtel de ville 3 1 0 4" in recap
    assert "Bureau 0003 — Salle des fêtes 0 0 1 1" in recap
    assert "Total de la commune 3 1 1 5" in recap
    # Retranchements: décès, changement de bureau (départ), total.
    assert "Bureau 0001 — Hôtel de ville 0 1 1" in recap
    assert "Bureau 0002 — École Jules Ferry 1 0 1" in recap
    assert "Total de la commune 1 1 2" in recap
    assert "compte comme un retranchement du bureau quitté et une addition au bureau" in recap


def test_voters_are_in_alphabetical_order_within_a_bureau(period):
    pages, _ = render(period)
    section = " ".join(page for page in pages if "Bureau 0001 — Hôtel de ville — tableau" in page)
    names = ["DURAND", "ÉTIENNE", "LE BIHAN", "MARTIN"]
    positions = [section.index(f"{name} ") for name in names]
    assert positions == sorted(positions)
    # Nom, prénoms, birth, address and reason on the voter's row.
    assert "ÉTIENNE Éric 04/05/1980 à Saint-Malo (35) 3 Rue des Tilleuls, 35400 Saint-Malo" in (
        section
    )
    assert "inscription d'office (jeune majeur)" in section


def test_the_reprise_of_the_reu_and_other_periods_and_lists_are_left_out(period):
    text = " ".join(render(period)[0])
    for absent in ("REPRIS ", "AVANT ", "APRES ", "NOUVEAU "):
        assert absent not in text
    assert "MARTIN Paul" in text and "LE BIHAN Léa" in text  # on the bounds
    assert "01/01/2026" in text and "31/03/2026" in text


def test_a_change_of_bureau_is_a_retranchement_and_an_addition(period):
    pages, _ = render(period)
    left = " ".join(page for page in pages if "Bureau 0001 — Hôtel de ville — tableau" in page)
    joined = " ".join(page for page in pages if "Bureau 0003 — Salle des fêtes — tableau" in page)
    assert re.search(r"Retranchements N° d’ordre .* ANCIEN Louise .*\(vers le bureau 0003\)", left)
    assert re.search(r"Additions N° d’ordre .* ANCIEN Louise .*\(venant du bureau 0001\)", joined)


def test_an_empty_period_gives_a_tableau_that_says_so(period):
    pages, export = render(period, du="2024-01-01", au="2024-12-31")
    assert len(pages) == 1
    assert "Néant : aucune addition ni aucun retranchement du 01/01/2024 au 31/12/2024" in pages[0]
    assert "Arrêté le présent tableau à 0 addition et 0 retranchement" in pages[0]
    assert "Le maire Anne LE GALL" in pages[0]
    assert export.statut == "termine"


def test_every_page_has_the_header_and_each_section_its_own_page_numbers(town):
    side, (b1, b2, _) = town
    for index in range(45):  # enough for a bureau of several pages
        voter(side.collectivite, b1, f"NOM-{index:02d}")
    voter(side.collectivite, b2, "SEUL")
    tableau = build_tableau(side.collectivite, "p", DU, AU)
    joined = render_tableau_pdf(tableau)
    pages = pages_text(joined.data)
    assert len(pages) == sum(joined.pages) and joined.pages[0] >= 1 and joined.pages[1] >= 2
    numbers = [tuple(map(int, PAGE.search(page).groups())) for page in pages]
    expected = [(n, total) for total in joined.pages for n in range(1, total + 1)]
    assert numbers == expected
    for page in pages:
        assert (
            "Mairie de Saint-Malo (code INSEE 35288) — Tableau des additions et retranchements, "
            "liste principale" in page
        )
        assert "Période du 01/01/2026 au 31/03/2026" in page


def test_the_parallel_rendering_prints_the_same_pages(town):
    side, (b1, b2, b3) = town
    for index, bureau in enumerate([b1, b2, b3] * 4):
        voter(side.collectivite, bureau, f"NOM-{index:02d}")
    tableau = build_tableau(side.collectivite, "p", DU, AU)
    alone = render_tableau_pdf(tableau)
    parallel = render_tableau_pdf(tableau, workers=2, parallel_rows=0)
    assert len(alone.peak_kb) == 1 and len(parallel.peak_kb) >= 2  # really other processes
    assert pages_text(parallel.data) == pages_text(alone.data)


def test_the_movements_read_are_those_of_the_collectivite_list_and_period(period, side_b):
    other = BureauFactory(collectivite=side_b.collectivite, code="0001")
    voter(side_b.collectivite, other, "AJACCIEN")
    read = tableau_movements(period.collectivite, "p", DU, AU)
    assert not read.filter(collectivite=side_b.collectivite).exists()
    assert not read.filter(Q(date_effet__lt=DU) | Q(date_effet__gt=AU)).exists()
    assert not read.filter(motif=MotifInscription.REPRISE_REU).exists()


def test_a_movement_without_bureau_gets_a_section_of_its_own(town):
    side, (b1, _, _) = town
    electeur = voter(side.collectivite, b1, "SANSBUREAU")
    Mouvement.objects.create(
        collectivite=side.collectivite,
        electeur=electeur,
        type=TypeMouvement.RADIATION,
        liste=Liste.PRINCIPALE,
        motif=MotifRadiation.AUTRE_COMMUNE,
        date_effet=dt.date(2026, 3, 1),
    )
    tableau = build_tableau(side.collectivite, "p", DU, AU)
    assert [s.title for s in tableau.printed_sections] == [
        "Bureau 0001 — Hôtel de ville",
        "Électeurs sans bureau de vote",
    ]
    text = " ".join(pages_text(render_tableau_pdf(tableau).data))
    assert "Électeurs sans bureau de vote Additions : 0 — Retranchements : 1" in text
    # Récapitulatif: no addition (volontaire, total), one retranchement (autre commune, total).
    assert "Électeurs sans bureau de vote 0 0" in text
    assert "Électeurs sans bureau de vote 1 1" in text


def test_a_period_that_ends_before_it_starts_is_refused(period):
    with pytest.raises(ExportRefused, match=r"La fin de la période \(01/01/2026\) précède"):
        run_export(
            period.collectivite, "tableau", OPTIONS | {"au": "2026-01-01", "du": "2026-02-01"}, None
        )
    with pytest.raises(ExportRefused, match="Du"):
        run_export(period.collectivite, "tableau", OPTIONS | {"du": "31/02/2026"}, None)


def test_an_agent_of_b_neither_produces_nor_downloads_the_tableau_of_a(
    period, side_b, django_capture_on_commit_callbacks
):
    _, export = render(period)
    assert side_b.client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert side_b.client.get(reverse("exports:status", args=[export.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = side_b.client.post(reverse("exports:generate", args=["tableau"]), OPTIONS)
    assert response.status_code == 302
    mine = Export.objects.exclude(pk=export.pk).get()
    assert mine.collectivite == side_b.collectivite
    text = " ".join(pages_text(stored(mine.fichier)))
    assert "Mairie de Ajaccio" in text and "Total des additions : 0" in text
    assert "MARTIN" not in text and "Saint-Malo" not in text


def test_a_recensement_agent_cannot_generate_a_tableau(period):
    client = agent_with_role(period.collectivite, "recensement", "agent.recensement")
    response = client.post(reverse("exports:generate", args=["tableau"]), OPTIONS)
    assert response.status_code == 403
    assert "Tableau des additions" not in client.get(reverse("exports:index")).text


def test_the_page_offers_the_tableau_and_previews_its_counts(period):
    url = reverse("exports:index")
    page = period.client.get(url)
    assert "Tableau des additions et retranchements (PDF)" in page.text
    preview = period.client.get(url, {"kind": "tableau", **OPTIONS})
    assert "5 addition(s) et 2 retranchement(s) dans 3 bureau(x)." in preview.text
    assert "Générer le fichier" in preview.text
    refused = period.client.get(url, {"kind": "tableau", **OPTIONS, "au": "2025-01-01"})
    assert "précède son début" in refused.text


def test_the_command_writes_the_tableau(period, tmp_path):
    call_command(
        "export",
        "tableau",
        "--commune",
        "35288",
        "--liste",
        "p",
        "--du",
        "2026-01-01",
        "--au",
        "2026-03-31",
        "--output",
        str(tmp_path),
    )
    export = Export.objects.get()
    written = tmp_path / "tableau-p-20260101-20260331.pdf"
    assert written.read_bytes() == stored(export.fichier)
    assert "Total des additions : 5" in pages_text(written.read_bytes())[0]


# --- the list of one bureau ------------------------------------------------------------------


@pytest.fixture
def bureau_list(town):
    side, (b1, b2, _) = town
    for nom, prenoms in [("MARTIN", "Paul"), ("ÉTIENNE", "Éric"), ("DURAND", "Zoé")]:
        voter(side.collectivite, b1, nom, prenoms)
    partant = voter(side.collectivite, b1, "PARTANT")
    radier(partant, Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 3, 2), None)
    voter(side.collectivite, b2, "AILLEURS")
    voter(side.collectivite, b1, "SCHMIDT", "Anna", Liste.MUNICIPALE, nationalite="Allemande")
    return side, b1


def bureau_pdf(side, bureau, **options) -> tuple[str, "Export"]:
    data = {"liste": "p", "bureau": bureau.code, "ordre": "numero"} | options
    export = run_export(side.collectivite, "liste-bureau-pdf", data, side.agent)
    return " ".join(pages_text(stored(export.fichier))), export


def test_the_bureau_list_holds_its_active_voters_by_number_or_name(bureau_list):
    side, b1 = bureau_list
    text, export = bureau_pdf(side, b1)
    assert export.nom_fichier == f"liste-p-bureau-0001-{timezone.localdate():%Y%m%d}.pdf"
    for absent in ("PARTANT", "AILLEURS", "SCHMIDT"):
        assert absent not in text
    assert "Électeurs inscrits : 3" in text and "Arrêtée à 3 électeurs." in text
    by_number = [text.index(f"{n} {name} ") for n, name in ((1, "MARTIN"), (2, "ÉTIENNE"))]
    assert by_number == sorted(by_number) and text.index("3 DURAND") > by_number[1]
    text, _ = bureau_pdf(side, b1, ordre="nom")
    positions = [text.index(f" {name} ") for name in ("DURAND", "ÉTIENNE", "MARTIN")]
    assert positions == sorted(positions)
    assert "Mairie de Saint-Malo (code INSEE 35288) — Liste électorale, liste principale" in text
    assert "Bureau 0001 — Hôtel de ville" in text and "Page 1 / 1" in text


def test_surnames_typed_in_lower_case_are_printed_in_capitals(town):
    side, (b1, _, _) = town
    voter(side.collectivite, b1, "Lefèvre", "Zoé", nom_usage="d’Almeida")

    listed, _ = bureau_pdf(side, b1)
    tableau = " ".join(render(side)[0])

    for text in (listed, tableau):
        assert "LEFÈVRE" in text and "usage : D’ALMEIDA" in text and "Zoé" in text
        assert "Lefèvre" not in text


def test_a_complementary_list_shows_the_nationality(bureau_list):
    side, b1 = bureau_list
    text, _ = bureau_pdf(side, b1, liste="cm")
    assert "Nationalité" in text and "SCHMIDT Anna" in text and "Allemande" in text
    assert "MARTIN" not in text


def test_an_empty_bureau_list_is_refused(bureau_list):
    side, b1 = bureau_list
    with pytest.raises(ExportRefused) as refusal:
        bureau_pdf(side, b1, liste="ce")
    assert "aucun électeur inscrit sur cette liste" in str(refusal.value.problems[0])


def test_the_bureaux_offered_are_those_of_the_agents_collectivite(bureau_list, side_b):
    BureauFactory(collectivite=side_b.collectivite, code="0009", libelle="Lycée Fesch")
    page = side_b.client.get(reverse("exports:index")).text
    assert "0009 — Lycée Fesch" in page and "Hôtel de ville" not in page
    # A's bureau code is not a choice for B, whatever B posts.
    response = side_b.client.post(
        reverse("exports:generate", args=["liste-bureau-pdf"]),
        {"liste": "p", "bureau": "0001", "ordre": "numero"},
    )
    assert response.status_code == 302 and not Export.objects.exists()
    with pytest.raises(ExportRefused, match="Bureau de vote"):
        run_export(side_b.collectivite, "liste-bureau-pdf", {"liste": "p", "bureau": "0001"}, None)


def test_the_command_writes_a_bureau_list(bureau_list, tmp_path):
    call_command(
        "export",
        "liste-bureau-pdf",
        "--commune",
        "35288",
        "--liste",
        "p",
        "--bureau",
        "0001",
        "--ordre",
        "nom",
        "--output",
        str(tmp_path),
    )
    written = tmp_path / f"liste-p-bureau-0001-{timezone.localdate():%Y%m%d}.pdf"
    assert (
        "Électeurs inscrits : 3 — classés par ordre alphabétique"
        in pages_text(written.read_bytes())[0]
    )
