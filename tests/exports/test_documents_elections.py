"""The election documents that come from records: the register of procurations, the jurés'
procès-verbal, liste préparatoire and CSV, the commission's convocations and register."""

import csv
import datetime as dt
import io
import zipfile

import pypdf
import pytest
import time_machine
from django.core.management import call_command

from electoral.commission import decider, planifier
from electoral.jures import drawn_voters, tirer
from electoral.models import (
    Decision,
    Liste,
    MembreCommission,
    MotifInscription,
    MotifRadiation,
    Procuration,
    ReunionCommission,
    Scrutin,
    TirageJures,
)
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


def text(export) -> str:
    reader = pypdf.PdfReader(io.BytesIO(stored(export.fichier)))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    c.maire_prenom, c.maire_nom = "Gilles", "Lurton"
    c.save()
    b1, b2 = BureauFactory(collectivite=c, code="0001"), BureauFactory(collectivite=c, code="0002")
    voters = []
    for n in range(12):
        bureau = b1 if n % 2 else b2
        electeur = ElecteurFactory(
            collectivite=c,
            bureau=bureau,
            ine=f"10000{n:04d}",
            date_naissance=dt.date(1960 + n, 1, 1),
        )
        inscrire(
            electeur,
            Liste.PRINCIPALE,
            MotifInscription.VOLONTAIRE,
            dt.date(2020, 1, 2),
            None,
            bureau=bureau,
        )
        voters.append(electeur)
    return side_a, (b1, b2), voters


def test_the_register_of_procurations_lists_each_bureaus_procurations_in_force(town):
    side, (b1, b2), voters = town
    scrutin = Scrutin.objects.create(
        collectivite=side.collectivite, libelle="Municipales", premier_tour=dt.date(2027, 3, 14)
    )
    for mandant, ine, prenom in (
        (voters[1], "900000001", "Anne"),
        (voters[3], "900000002", "Brigitte"),
        (voters[0], "900000003", "Claire"),
    ):
        enregistrer(
            Procuration(
                collectivite=side.collectivite,
                mandant=mandant,
                mandataire_ine=ine,
                mandataire_nom="DURAND",
                mandataire_prenoms=prenom,
                scrutin=scrutin,
                tours="1",
                debut=TODAY,
                fin=TODAY,
                etablie_le=TODAY,
                etablie_par="Commissariat",
            ),
            None,
        )
    one = run_export(side.collectivite, "registre-procurations", {"bureau": "0001"}, None)
    content = text(one)
    assert "DURAND Anne" in content and "DURAND Brigitte" in content
    assert "Claire" not in content
    assert "2 procurations au registre du bureau 0001" in content
    every = run_export(side.collectivite, "registre-procurations", {}, None)
    with zipfile.ZipFile(io.BytesIO(stored(every.fichier))) as archive:
        assert sorted(archive.namelist()) == [
            "procurations-bureau-0001.pdf",
            "procurations-bureau-0002.pdf",
        ]


def test_the_jures_documents_say_what_the_draw_drew(town):
    side, _, _ = town
    tirage = tirer(side.collectivite, 2026, 2, side.agent, day=TODAY, graine="mairie-2026")
    pv = text(run_export(side.collectivite, "jures-pv", {"tirage": tirage.pk}, None))
    assert "mairie-2026" in pv and "pour 2027" in pv and "nés après l'année 2004" in pv
    assert "Gilles LURTON" in pv
    liste = text(run_export(side.collectivite, "jures-liste", {"tirage": tirage.pk}, None))
    drawn = drawn_voters(tirage)
    positions = [liste.index(e.nom_naissance.upper()) for e in drawn]
    assert positions == sorted(positions) and len(drawn) == 6
    rows = list(
        csv.reader(
            io.StringIO(
                stored(
                    run_export(side.collectivite, "jures-csv", {"tirage": tirage.pk}, None).fichier
                ).decode()
            ),
            delimiter=";",
        )
    )
    assert rows[0][:4] == ["Ordre", "NomNaissance", "NomUsage", "Prenoms"]
    assert [r[10] for r in rows[1:]] == [e.ine for e in drawn]


def test_the_command_draws_and_writes_the_three_documents(town, tmp_path, side_b):
    side, _, _ = town
    out = tmp_path / "jures"
    call_command(
        "tirage_jures",
        "--commune",
        side.collectivite.code_insee,
        "--annee",
        "2026",
        "--nombre",
        "3",
        "--graine",
        "public",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    names = sorted(p.suffix for p in out.iterdir())
    assert names == [".csv", ".pdf", ".pdf"]
    tirage = TirageJures.objects.get()
    assert tirage.graine == "public" and len(tirage.tires) == 9
    # Another collectivité's draw is not a choice.
    with pytest.raises(ExportRefused, match="Tirage"):
        run_export(side_b.collectivite, "jures-pv", {"tirage": tirage.pk}, None)


def test_the_commission_convokes_each_member_and_prints_its_register(town):
    side, _, voters = town
    c = side.collectivite
    for nom in ("LE BIHAN", "MORVAN"):
        MembreCommission.objects.create(
            collectivite=c, nom=nom, prenoms="Anne", qualite="conseiller"
        )
    MembreCommission.objects.create(
        collectivite=c, nom="ANCIEN", prenoms="Paul", qualite="conseiller", actif=False
    )
    radier(voters[2], Liste.PRINCIPALE, MotifRadiation.PERTE_ATTACHE, dt.date(2026, 11, 3), None)
    reunion = planifier(
        ReunionCommission(
            collectivite=c, date=TODAY, heure=dt.time(18), depuis=dt.date(2026, 6, 1)
        ),
        None,
    )
    convocations = run_export(c, "commission-convocations", {"reunion": reunion.pk}, None)
    reader = pypdf.PdfReader(io.BytesIO(stored(convocations.fichier)))
    assert len(reader.pages) == 2
    assert (
        "LE BIHAN" in reader.pages[0].extract_text() and "MORVAN" in reader.pages[1].extract_text()
    )
    assert "ANCIEN" not in text(convocations)
    decider(
        reunion,
        voters[2].mouvements.get(type="radiation"),
        Decision.REFORMEE,
        "Bail produit.",
        None,
    )
    registre = text(run_export(c, "commission-registre", {"reunion": reunion.pk}, None))
    assert voters[2].nom_naissance.upper() in registre and "Bail produit." in registre
    assert "1 décision prise" in registre
