"""Listes d'émargement: each cahier holds the bureau's voters of the list on the day, in
alphabetical order, with the mandataire next to the mandant, and pages numbered N / M."""

import datetime as dt
import io
import re
import zipfile

import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from electoral.models import Liste, MotifInscription, MotifRadiation, Procuration, Scrutin
from electoral.procurations import enregistrer
from electoral.services import inscrire, radier
from exports.services import ExportRefused, run_export
from tests.conftest import stored
from tests.factories import BureauFactory, ElecteurFactory

TODAY = dt.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0), tick=False):
        yield


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    c.maire_prenom, c.maire_nom = "Gilles", "Lurton"
    c.save()
    b1 = BureauFactory(collectivite=c, code="0001", libelle="École du Naye")
    b2 = BureauFactory(collectivite=c, code="0002", libelle="Gymnase")
    names = ["Zola", "ábel", "Martin", "LE GOFF", "Dupont"] + [f"Nom{n:02d}" for n in range(40)]
    voters = {}
    for n, nom in enumerate(names):
        bureau = b1 if n % 3 else b2
        electeur = ElecteurFactory(
            collectivite=c, bureau=bureau, nom_naissance=nom, ine=f"1000{n:05d}"
        )
        inscrire(
            electeur,
            Liste.PRINCIPALE,
            MotifInscription.VOLONTAIRE,
            dt.date(2020, 1, 2),
            None,
            bureau=bureau,
        )
        voters[nom] = electeur
    radier(voters["Nom00"], Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 11, 1), None)
    scrutin = Scrutin.objects.create(
        collectivite=c,
        libelle="Élections municipales",
        premier_tour=dt.date(2027, 3, 14),
        second_tour=dt.date(2027, 3, 21),
    )
    enregistrer(
        Procuration(
            collectivite=c,
            mandant=voters["Martin"],
            mandataire_ine="900000001",
            mandataire_nom="DURAND",
            mandataire_prenoms="Anne",
            scrutin=scrutin,
            tours="12",
            debut=TODAY,
            fin=TODAY,
            etablie_le=TODAY,
            etablie_par="Commissariat",
        ),
        None,
    )
    return side_a, (b1, b2), voters, scrutin


def test_a_bureau_cahier_lists_its_voters_alphabetically_with_the_mandataire(town):
    side, (b1, _), voters, scrutin = town
    export = run_export(
        side.collectivite,
        "emargement",
        {"scrutin": scrutin.pk, "tours": "2", "liste": "p", "bureau": "0001"},
        None,
    )
    texts = pages_text(stored(export.fichier))
    text = "\n".join(texts)
    expected = sorted(
        (v for v in voters.values() if v.bureau_id == b1.pk and v.nom_naissance != "Nom00"),
        key=lambda v: v.nom_naissance.lower().replace("á", "a"),
    )
    positions = [text.index(v.nom_naissance.upper()) for v in expected]
    assert positions == sorted(positions)
    assert "MARTIN" in text and "Procuration : DURAND Anne" in text
    assert text.count("Liste d'émargement — Élections municipales") == len(texts)
    assert f"Page 1 / {len(texts)}" in texts[0] and f"Page {len(texts)} / {len(texts)}" in texts[-1]
    assert f"comprend {len(expected)} électeurs du bureau 0001" in text
    assert "Le maire, Gilles LURTON" in texts[-1]
    assert "1er tour du 14/03/2027" in texts[0] and "2d tour du 21/03/2027" in texts[0]
    # The number of each voter, as the list gives it.
    for v in expected[:3]:
        numero = v.inscriptions.get().numero_ordre
        assert re.search(rf"\b{numero}\b", text)


def test_without_a_bureau_the_zip_holds_one_cahier_per_bureau_and_every_voter(town):
    side, _, voters, scrutin = town
    export = run_export(
        side.collectivite, "emargement", {"scrutin": scrutin.pk, "tours": "1", "liste": "p"}, None
    )
    with zipfile.ZipFile(io.BytesIO(stored(export.fichier))) as archive:
        names = sorted(archive.namelist())
        texts = {name: "\n".join(pages_text(archive.read(name))) for name in names}
    assert [re.search(r"bureau-(\d{4})", n).group(1) for n in names] == ["0001", "0002"]
    counted = sum(int(re.search(r"comprend (\d+) électeur", t).group(1)) for t in texts.values())
    assert counted == len(voters) - 1
    assert all("2d tour" not in t for t in texts.values())


def test_a_command_names_the_scrutin_by_its_libelle(town, tmp_path):
    side, _, _, _ = town
    out = tmp_path / "sortie"
    call_command(
        "export",
        "emargement",
        "--commune",
        side.collectivite.code_insee,
        "--liste",
        "p",
        "--bureau",
        "2",
        "--scrutin",
        "Élections municipales",
        "--tours",
        "2",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    (written,) = out.iterdir()
    assert written.name.startswith("emargement-p-35288-bureau-0002")
    with pytest.raises(CommandError, match="Scrutin"):
        call_command(
            "export",
            "emargement",
            "--commune",
            side.collectivite.code_insee,
            "--scrutin",
            "Présidentielle",
            "--output",
            str(tmp_path),
            stdout=io.StringIO(),
        )


def test_a_scrutin_without_second_tour_cannot_print_two_columns(town):
    side, _, _, _ = town
    single = Scrutin.objects.create(
        collectivite=side.collectivite, libelle="Référendum", premier_tour=dt.date(2027, 5, 2)
    )
    with pytest.raises(ExportRefused) as refused:
        run_export(
            side.collectivite,
            "emargement",
            {"scrutin": single.pk, "tours": "2", "liste": "p"},
            None,
        )
    assert "pas de second tour" in str(refused.value.problems[0])


def test_another_collectivites_scrutin_or_bureau_is_not_a_choice(town, side_b):
    side, _, _, scrutin = town
    with pytest.raises(ExportRefused, match="Scrutin"):
        run_export(
            side_b.collectivite,
            "emargement",
            {"scrutin": scrutin.pk, "tours": "1", "liste": "p"},
            None,
        )
