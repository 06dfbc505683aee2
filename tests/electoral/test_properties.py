"""Random and hostile input through the voter forms' real views and through the REU importer:
never a server error, never half-saved, every refusal in French, rejected lines numbered."""

import csv
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from electoral.models import (
    BureauDeVote,
    Decoupage,
    Electeur,
    ImportReu,
    Inscription,
    Mouvement,
    Parite,
    StatutImport,
)
from electoral.reu import apply, preview
from electoral.services import inscrire
from tests.electoral.test_reu import FIELD_HEADER, voter
from tests.electoral.test_views import DAY, voter_form
from tests.factories import BureauFactory, ElecteurFactory, VoieFactory
from tests.hostile import DATE_TEXT, ENGLISH, NASTY, PROPERTY_SETTINGS, TEXT, assert_french_refusal

VOTER_TEXT_FIELDS = [
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "naissance_commune_saisie",
    "naissance_ville",
    "nationalite",
    "numero_voie",
    "libelle_voie",
    "complement1",
    "lieu_dit",
    "code_postal",
    "ville",
]
CHOICES = {
    "sexe": ["M", "F", "", "Z"],
    "voie": ["", "0", "999999", "abc"],
    "liste": ["p", "ce", "cm", "zz", ""],
    "motif": ["volontaire", "office", "?", ""],
    "bureau": ["", "0", "abc", "999999"],
    "naissance_ou": ["france", "etranger", "", "mars"],
    "naissance_pays_choix": ["", "0", "abc", "999999"],
}
DATES = ["date_naissance", "date_effet"]


def overrides(names: list[str]):
    return st.dictionaries(st.sampled_from(names), st.just(None), max_size=5).flatmap(
        lambda chosen: st.fixed_dictionaries(
            {
                name: DATE_TEXT
                if name in DATES
                else st.one_of(st.sampled_from(CHOICES[name]), TEXT)
                if name in CHOICES
                else TEXT
                for name in chosen
            }
        )
    )


@pytest.fixture
def town(side_a):
    """A street of two bureaux (odd and even numbers), as in test_views."""
    c = side_a.collectivite
    b1, b2 = BureauFactory(collectivite=c, code="0001"), BureauFactory(collectivite=c, code="0002")
    rue = VoieFactory(collectivite=c, type_voie="Rue", libelle="des Lilas")
    Decoupage.objects.create(voie=rue, parite=Parite.IMPAIRS, bureau=b1)
    Decoupage.objects.create(voie=rue, parite=Parite.PAIRS, bureau=b2)
    return side_a, rue, b1, b2


def counts() -> tuple[int, ...]:
    return (
        Electeur.objects.count(),
        Electeur.history.count(),
        Inscription.objects.count(),
        Inscription.history.count(),
        Mouvement.objects.count(),
    )


def refusal_is_french(response, *forms) -> None:
    """A refused movement is the form with its errors, or the service's message."""
    if any(form.errors for form in forms):
        assert_french_refusal(response, *forms)
        return
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    assert shown, "refused without saying why"
    assert not any(english in m for m in shown for english in ENGLISH)


@PROPERTY_SETTINGS
@given(changes=overrides(VOTER_TEXT_FIELDS + DATES + list(CHOICES)))
@example(changes={"nom_naissance": "㎉" * 100, "prenoms": "ﬃ" * 150, "nom_usage": "㎉" * 100})
@example(changes={"nom_naissance": "LE\x00GOFF"})
def test_an_inscription_saves_voter_inscription_and_movement_or_nothing(town, changes):
    side, rue, _, _ = town
    before = counts()
    response = side.client.post(reverse("electoral:inscription"), voter_form(rue, **changes))
    assert response.status_code < 500
    event(f"HTTP {response.status_code}")
    if response.status_code == 302:
        assert counts() == tuple(n + 1 for n in before)
        return
    assert counts() == before
    refusal_is_french(response, response.context["form"], response.context["movement"])


@pytest.fixture
def inscrit(town, side_a):
    side, rue, b1, _ = town
    electeur = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="7")
    inscrire(electeur, "p", "volontaire", DAY, side.agent)
    return electeur


@PROPERTY_SETTINGS
@given(
    changes=overrides(VOTER_TEXT_FIELDS + DATES + ["sexe", "voie", "bureau"]),
    motif=st.sampled_from(["adresse", "etat_civil", "bureau", "autre", "", "x"]),
)
def test_a_modification_changes_the_voter_with_one_movement_or_nothing(
    town, inscrit, changes, motif
):
    side, rue, _, _ = town
    inscrit.refresh_from_db()
    before, stored = counts(), Electeur.objects.filter(pk=inscrit.pk).values().get()
    response = side.client.post(
        reverse("electoral:modification", args=[inscrit.pk]),
        {**voter_form(rue, **changes), "motif": motif},
    )
    assert response.status_code < 500
    event(f"HTTP {response.status_code}")
    if response.status_code == 302:
        electeurs, histories, inscriptions, _, mouvements = counts()
        assert (electeurs, inscriptions, mouvements) == (before[0], before[2], before[4] + 1)
        assert histories >= before[1]
        return
    assert counts() == before
    assert Electeur.objects.filter(pk=inscrit.pk).values().get() == stored
    refusal_is_french(response, response.context["form"], response.context["movement"])


def mostly(valid: str, hostile):
    """Three times in four the value a browser would send, else a hostile one."""
    return st.one_of(st.just(valid), st.just(valid), st.just(valid), hostile)


@PROPERTY_SETTINGS
@given(
    liste=mostly("p", st.one_of(st.sampled_from(["ce", "cm", ""]), TEXT)),
    motif=mostly("deces", st.one_of(st.sampled_from(["office", "?"]), TEXT)),
    date_effet=mostly("02/03/2026", DATE_TEXT),
)
def test_a_radiation_is_recorded_whole_or_not_at_all(town, inscrit, liste, motif, date_effet):
    side = town[0]
    before = counts()
    response = side.client.post(
        reverse("electoral:radiation", args=[inscrit.pk]),
        {"liste": liste, "motif": motif, "date_effet": date_effet},
    )
    assert response.status_code < 500
    event(f"HTTP {response.status_code}")
    if response.status_code == 302:
        electeurs, electeurs_h, inscriptions, inscriptions_h, mouvements = counts()
        assert (electeurs, electeurs_h, inscriptions) == before[:3]
        assert (inscriptions_h, mouvements) == (before[3] + 1, before[4] + 1)
        assert not inscrit.inscriptions.actives().exists()
        inscrit.inscriptions.update(radie_le=None)  # on the list again for the next example
        return
    assert counts() == before
    refusal_is_french(response, response.context["movement"])


# -- REU importer ----------------------------------------------------------------------------

# Lines of a REU file: a valid voter, one with hostile values, or raw broken CSV.
CELL = st.one_of(TEXT, DATE_TEXT)
VOTER_LINE = st.builds(
    lambda nom, values: voter(nom=nom, **values),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8),
    st.dictionaries(st.sampled_from(FIELD_HEADER), CELL, max_size=4),
)
RAW_LINE = st.one_of(
    NASTY,
    st.sampled_from(
        [
            '"p;MARTIN;Jeanne',  # unbalanced quote
            "p;MARTIN",  # too few columns
            ";" * 40,  # too many, all empty
            ";" * 60 + "x",  # too many
            "",
            '""',
            "\x00;\x00",
            "p;" + "x" * 140_000,  # beyond the csv module's field limit
        ]
    ),
)


def reu_bytes(lines, raw, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELD_HEADER)
    for line in lines:
        writer.writerow([line.get(name, "") for name in FIELD_HEADER])
    text = out.getvalue() + "\r\n".join(raw)
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


REU_FILE = st.builds(
    reu_bytes,
    st.lists(VOTER_LINE, max_size=6),
    st.lists(RAW_LINE, max_size=3),
    st.sampled_from(["utf-8", "utf-8", "utf-8-bom", "latin-1", "utf-16"]),
)


def assert_french_text(text: str) -> None:
    assert text and not any(english in text for english in ENGLISH), text
    for english in ("Error", "error", "expected", "field larger", "unexpected", "NUL"):
        assert english not in text, text


def reu_counts() -> tuple[int, ...]:
    return (*counts(), BureauDeVote.objects.count())


@PROPERTY_SETTINGS
@given(content=REU_FILE)
@example(content=reu_bytes([voter(nom="LE\x00GOFF")], [], "utf-8"))  # broke COPY: a failure
@example(content=reu_bytes([voter(nom="㎉" * 100, prenoms="ﬃ" * 150)], [], "utf-8"))
@example(content=reu_bytes([voter()], ["p;" + "x" * 140_000], "utf-8"))  # English refusal
def test_the_reu_importer_imports_valid_lines_and_numbers_every_rejected_one(
    side_a, tmp_path_factory, content
):
    path = tmp_path_factory.mktemp("reu") / "reu.csv"
    path.write_bytes(content)
    before = reu_counts()
    seen = preview(side_a.collectivite, path, create_bureaux=True)
    assert reu_counts() == before  # a preview writes nothing
    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)
    event("fichier refusé" if not report.ok else f"{min(report.new, 3)}+ ligne(s) importée(s)")
    if not report.ok:
        assert_french_text(report.refusal)
        assert reu_counts() == before
        return
    assert (seen.lines, seen.new, seen.rejected) == (report.lines, report.new, report.rejected)
    assert report.lines == report.new + report.changed + report.unchanged + report.rejected
    # Lines as a text editor counts them: \r\n, \n or a lone \r ends one.
    physical = len(re.split(rb"\r\n|\r|\n", content))
    for rejected in report.rejected_lines:
        assert 2 <= rejected.number <= physical
        assert_french_text(rejected.reason)
    after = reu_counts()
    assert after[0] - before[0] == report.new_voters
    assert after[2] - before[2] == report.new


@PROPERTY_SETTINGS
@given(content=REU_FILE, name=st.sampled_from(["reu.csv", "REU.TXT", "reu.xlsx", "é 😀.csv"]))
def test_an_uploaded_file_is_analysed_or_refused_in_french(
    side_a, settings, tmp_path_factory, django_capture_on_commit_callbacks, content, name
):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    before = (ImportReu.objects.count(), Electeur.objects.count())
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = side_a.client.post(reverse("electoral:import_reu"), {"fichier": upload})
    assert response.status_code < 500
    event(f"HTTP {response.status_code}")
    if response.status_code == 200:
        assert_french_refusal(response, response.context["form"])
        assert ImportReu.objects.count() == before[0]
        return
    pending = ImportReu.objects.latest("pk")
    refused = pending.rapport.get("refusal")
    assert pending.statut == (StatutImport.REFUSE if refused else StatutImport.APERCU), (
        pending.erreur
    )
    assert Electeur.objects.count() == before[1]
    page = side_a.client.get(response["Location"])
    assert page.status_code == 200
    if pending.rapport["refusal"]:
        assert_french_text(pending.rapport["refusal"])
