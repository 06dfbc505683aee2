import datetime as dt
import hashlib
import io
import zipfile
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from mairie.management.commands.import_cog import BUNDLED
from mairie.models import Commune, TypeCommune
from mairie.services import import_cog
from recensement.demandes import (
    MAX_PDF_BYTES,
    MAX_XML_BYTES,
    Upload,
    countries,
    import_uploads,
    problems,
    validate,
)
from recensement.forms import demande_form
from recensement.models import (
    DemandeEnLigne,
    Mode,
    PieceJointe,
    Recense,
    RecenseLocked,
    StatutDemande,
)
from recensement.services import cloturer
from tests.conftest import stored
from tests.factories import RecenseFactory

DATA = Path(__file__).parent / "data" / "demandes"
PARIS = ZoneInfo("Europe/Paris")
# Shaped as the test dossier of HubEE's "valise" (démarche RECENSEMENTCITOYEN): empty
# <Identifiant/>, the dossier number carried by the attachments' names only.
VALISE = Path(__file__).parent.parent / "data" / "hubee" / "recensementcitoyen"
VALISE_PDFS = [
    "10870-PDF.pdf",
    "A-1-N8F602RR-recensementCitoyen-jf-1.pdf",
    "A-1-N8F602RR-recensementCitoyen-ji-0.pdf",
]
JF = VALISE_PDFS[1]
VALISE_FILES = ["10870-XML.xml", *VALISE_PDFS]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def referentiel(cog):
    """The test COG, with Baillé: a former commune, now delegated to Saint-Marc-le-Blanc."""
    Commune.objects.create(
        typecom=TypeCommune.COM, code="35292", tncc="0", ncc="SAINT MARC LE BLANC",
        nccenr="Saint-Marc-le-Blanc", libelle="Saint-Marc-le-Blanc", departement_code="35",
    )  # fmt: skip
    Commune.objects.create(
        typecom=TypeCommune.COMD, code="35011", tncc="0", ncc="BAILLE", nccenr="Baillé",
        libelle="Baillé", departement_code="35", comparent="35292",
    )  # fmt: skip


def xml(name: str) -> bytes:
    return (DATA / name).read_bytes()


def upload(name: str, data: bytes) -> Upload:
    return Upload(name, len(data), lambda: io.BytesIO(data))


def post(client, *files: tuple[str, bytes]):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(reverse("recensement:demandes"), {"fichiers": uploads}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- Mapping -----------------------------------------------------------------------------------


def test_a_complete_dossier_becomes_a_pending_request_with_its_pdf(side_a, referentiel):
    response = post(
        side_a.client, ("complet.xml", xml("complet.xml")), ("complet.pdf", xml("complet.pdf"))
    )
    demande = DemandeEnLigne.objects.get()
    assert messages_of(response) == [
        "complet.xml : demande RC-2026-000101 enregistrée (LE GOFF Maëlys Anne Louise), avec son "
        "PDF complet.pdf."
    ]
    assert demande.collectivite == side_a.collectivite
    assert demande.statut == StatutDemande.A_TRAITER
    assert demande.deposee_par == side_a.agent
    assert demande.date_recensement == dt.date(2026, 2, 9)
    assert demande.non_reprises == []
    values = demande.donnees
    assert (values["sexe"], values["nom_naissance"], values["prenoms"]) == (
        "F",
        "Le Goff",
        "Maëlys Anne Louise",
    )
    assert values["date_naissance"] == "2010-01-12"
    assert [values[f"naissance_{p}"] for p in ("code_lieu", "commune", "departement", "pays")] == [
        "35288",
        "Saint-Malo",
        "035",
        "France",
    ]
    assert (values["domicile_numero"], values["domicile_voie"]) == ("4 BIS", "Rue des Lilas")
    assert (values["domicile_complement"], values["domicile_code_lieu"]) == (
        "Appartement 12",
        "35288",
    )
    assert values["residence_identique"] is False
    assert (values["residence_voie"], values["residence_complement"]) == (
        "Boulevard Féart",
        "Internat du lycée",
    )
    assert (values["residence_code_lieu"], values["residence_commune"]) == ("35093", "Dinard")
    assert (values["courriel"], values["telephone_portable"]) == (
        "maelys.legoff@example.fr",
        "0612345678",
    )
    assert (values["situation_familiale"], values["nombre_freres_soeurs"], values["pupille"]) == (
        "C",
        2,
        "0",
    )
    assert (values["pere_connu"], values["pere_nom"], values["pere_prenoms"]) == (
        True,
        "Le Goff",
        "Yannick",
    )
    assert (values["pere_naissance_code_lieu"], values["pere_nationalite"]) == ("35093", "99100")
    assert (values["mere_prenoms"], values["mere_date_naissance"]) == (
        "Carmen Isabel",
        "1980-11-21",
    )
    assert (values["mere_naissance_code_lieu"], values["mere_naissance_commune"]) == (
        "99134",
        "Séville",
    )
    assert (values["mere_naissance_pays"], values["mere_nationalite"]) == ("Espagne", "99134")
    media = Path(demande.fichier_pdf)
    assert media.parts[:2] == ("demandes", "35288")
    pdf = side_a.client.get(reverse("recensement:demande_pdf", args=[demande.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == xml("complet.pdf")
    assert 'filename="complet.pdf"' in pdf["Content-Disposition"]


def test_parents_with_empty_elements_are_not_declared(side_a, referentiel):
    import_uploads(side_a.collectivite, [upload("p.xml", xml("parents_inconnus.xml"))])
    values = DemandeEnLigne.objects.get().donnees
    assert (values["pere_connu"], values["mere_connu"]) == (False, False)
    assert "pere_nom" not in values and "mere_naissance_code_lieu" not in values


def test_a_person_born_abroad_gets_the_insee_code_of_the_iso_country(side_a, referentiel):
    import_uploads(side_a.collectivite, [upload("e.xml", xml("ne_a_l_etranger.xml"))])
    demande = DemandeEnLigne.objects.get()
    values = demande.donnees
    assert [values[f"naissance_{p}"] for p in ("code_lieu", "commune", "departement", "pays")] == [
        "99350",
        "Casablanca",
        "",
        "Maroc",
    ]
    assert values["sexe"] == "M"
    assert demande.non_reprises == []


def test_an_empty_residence_is_the_domicile(side_a, referentiel):
    import_uploads(side_a.collectivite, [upload("r.xml", xml("residence_vide.xml"))])
    values = DemandeEnLigne.objects.get().donnees
    assert values["residence_identique"] is True
    assert not [
        key for key in values if key.startswith("residence_") and key != "residence_identique"
    ]


def test_an_obsolete_birth_commune_code_is_flagged_not_guessed(side_a, referentiel):
    import_uploads(side_a.collectivite, [upload("o.xml", xml("commune_obsolete.xml"))])
    demande = DemandeEnLigne.objects.get()
    assert "naissance_code_lieu" not in demande.donnees
    assert demande.non_reprises == [
        {
            "element": "Personne/CodeINSEENaissance",
            "valeur": "35011",
            "raison": "code d'une ancienne commune (Baillé, aujourd'hui commune déléguée de "
            "Saint-Marc-le-Blanc (35292)) : lieu de naissance à vérifier et à saisir",
        }
    ]


def test_an_unknown_code_and_unmappable_values_are_listed_with_their_raw_value(side_a, referentiel):
    data = (
        xml("complet.xml")
        .replace(b"<CodeINSEENaissance>35288", b"<CodeINSEENaissance>20004")
        .replace(b"<Sexe>2</Sexe>", b"<Sexe>X</Sexe>")
        .replace(b"C\xc3\xa9libataire", b"S\xc3\xa9par\xc3\xa9e")
        .replace(b"<Pupille>Non</Pupille>", b"<Pupille>Non</Pupille><Handicap>oui</Handicap>")
        .replace(b"<CanalCode>TEL</CanalCode>", b"<CanalCode>FAX</CanalCode>")
        .replace(b"<PaysNaissance>ESP</PaysNaissance>", b"<PaysNaissance>XYZ</PaysNaissance>")
    )
    import_uploads(side_a.collectivite, [upload("u.xml", data)])
    demande = DemandeEnLigne.objects.get()
    notes = {(n["element"], n["valeur"]): n["raison"] for n in demande.non_reprises}
    assert notes == {
        ("Personne/Sexe", "X"): "valeur attendue : 1 (masculin) ou 2 (féminin)",
        ("Personne/CodeINSEENaissance", "20004"): "code INSEE inconnu du référentiel (commune "
        "déclarée : Saint-Malo) : lieu de naissance à saisir",
        ("SituationFamille/SituationMatrimoniale", "Séparée"): "situation familiale inconnue",
        ("MethodeContact (FAX)", "06 12 34 56 78"): "canal de contact inconnu (FAX)",
        ("FiliationMere/PaysNaissance", "XYZ"): "code pays ISO inconnu du référentiel",
        ("Personne/SituationFamille/Handicap", "oui"): "élément inconnu : non repris",
    }
    assert "sexe" not in demande.donnees and "naissance_code_lieu" not in demande.donnees
    page = side_a.client.get(reverse("recensement:demande_detail", args=[demande.pk])).text
    assert "Éléments non repris (6)" in page and "20004" in page


def test_names_outside_the_rule_of_names_are_listed_not_taken(side_a, referentiel):
    data = (
        xml("complet.xml")
        .replace(b"<NomFamille>  Le Goff </NomFamille>", b"<NomFamille>Le Goff 2</NomFamille>")
        .replace(b"<NomUsage></NomUsage>", b"<NomUsage>---</NomUsage>")
        .replace(b"<Prenom>Anne  Louise</Prenom>", "<Prenom>Anne 😀</Prenom>".encode())
        .replace(b"<NomFamille>Garcia</NomFamille>", b"<NomFamille>&lt;script&gt;</NomFamille>")
        .replace(b"<PrenomUsuel>Yannick</PrenomUsuel>", "<PrenomUsuel>Ωmega</PrenomUsuel>".encode())
    )
    import_uploads(side_a.collectivite, [upload("n.xml", data)])
    demande = DemandeEnLigne.objects.get()
    notes = {(n["element"], n["valeur"]): n["raison"] for n in demande.non_reprises}
    rule = "un nom ne s'écrit qu'en lettres latines (accentuées ou non), espaces, traits d'union "
    assert notes == {
        ("Personne/NomFamille", "Le Goff 2"): (
            f"caractère non admis « 2 » : {rule}et apostrophes ; nom de famille à saisir"
        ),
        (
            "Personne/NomUsage",
            "---",
        ): f"aucune lettre : {rule}et apostrophes ; nom d'usage à saisir",
        ("Personne/Prenom", "Anne 😀"): (
            f"caractère non admis « 😀 » : {rule}et apostrophes ; prénoms à saisir"
        ),
        ("FiliationMere/NomFamille", "<script>"): (
            f"caractères non admis « < », « > » : {rule}et apostrophes ; nom de famille à saisir"
        ),
        ("FiliationPere/PrenomUsuel", "Ωmega"): (
            f"caractère non admis « Ω » : {rule}et apostrophes ; prénoms à saisir"
        ),
    }
    values = demande.donnees
    names = ("nom_naissance", "nom_usage", "prenoms", "mere_nom", "pere_prenoms")
    assert not set(names) & set(values)
    assert (values["pere_nom"], values["mere_prenoms"]) == ("Le Goff", "Carmen Isabel")
    page = side_a.client.get(reverse("recensement:demande_detail", args=[demande.pk])).text
    assert "Éléments non repris (5)" in page and "&lt;script&gt;" in page


# --- Duplicates --------------------------------------------------------------------------------


def test_the_same_file_twice_is_recognised_by_its_content(side_a, referentiel):
    post(side_a.client, ("complet.xml", xml("complet.xml")))
    response = post(side_a.client, ("copie.xml", xml("complet.xml")))
    assert DemandeEnLigne.objects.count() == 1
    assert messages_of(response) == [
        "copie.xml : demande RC-2026-000101 déjà reçue le 10/02/2026 (même contenu) : non "
        "dupliquée."
    ]


def test_the_same_identifiant_with_another_content_is_not_duplicated(side_a, referentiel):
    import_uploads(side_a.collectivite, [upload("a.xml", xml("complet.xml"))])
    changed = xml("complet.xml").replace(b"Appartement 12", b"Appartement 14")
    reports = import_uploads(side_a.collectivite, [upload("b.xml", changed)])
    assert [r.statut for r in reports] == ["doublon"]
    assert "(même identifiant)" in reports[0].message
    assert DemandeEnLigne.objects.count() == 1


def test_another_collectivite_may_receive_the_same_dossier(side_a, side_b, referentiel):
    import_uploads(side_a.collectivite, [upload("a.xml", xml("complet.xml"))])
    reports = import_uploads(side_b.collectivite, [upload("a.xml", xml("complet.xml"))])
    assert [r.statut for r in reports] == ["creee"]


# --- Hostile or broken files -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["billion_laughs.xml", "entite_externe.xml", "doctype.xml"], ids=str
)
def test_a_doctype_is_refused_outright(side_a, referentiel, media_root, name):
    response = post(side_a.client, (name, xml(name)))
    [message] = messages_of(response)
    assert message == (
        f"{name} : le fichier contient une déclaration DOCTYPE ou ENTITY, interdite dans un "
        "dossier HubEE : refusé, rien n'est enregistré."
    )
    assert "root:" not in response.text
    assert DemandeEnLigne.objects.count() == 0 and stored_files(media_root) == []


def test_a_doctype_hidden_by_another_encoding_is_refused(side_a, referentiel):
    data = xml("entite_externe.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    reports = import_uploads(side_a.collectivite, [upload("x.xml", data.encode("utf-16"))])
    assert [(r.statut, r.message) for r in reports] == [
        ("refuse", "x.xml : déclaration DOCTYPE interdite : refusé.")
    ]


def test_malformed_xml_and_a_wrong_root_are_refused_with_the_line(side_a, referentiel):
    reports = import_uploads(
        side_a.collectivite,
        [upload("m.xml", xml("malforme.xml")), upload("r.xml", xml("mauvaise_racine.xml"))],
    )
    assert [r.statut for r in reports] == ["refuse", "refuse"]
    assert reports[0].message.startswith("m.xml : XML mal formé, ligne 4 (")
    assert reports[1].message == (
        "r.xml : l'élément racine est <DemandeActeEtatCivil>, pas <RecensementCitoyen> : ce "
        "n'est pas un dossier de recensement citoyen en ligne."
    )
    assert DemandeEnLigne.objects.count() == 0


def deflated_zip(members: dict[str, bytes]) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return bytearray(buffer.getvalue())


def headers_of(archive: bytearray) -> list[int]:
    """Offsets of the fields shared by the local and the central header of the first member:
    flags at +6/+8, compression method at +8/+10."""
    return [0, archive.rfind(b"PK\x01\x02") + 2]


def test_every_refusal_of_an_upload_is_said_in_french(side_a, referentiel):
    member = {"d/demande.xml": b"<RecensementCitoyen>" + b"x" * 2000 + b"</RecensementCitoyen>"}
    damaged = deflated_zip(member)
    for offset in range(50, 70):  # the deflated data, after the 30-byte header and the name
        damaged[offset] ^= 0xFF
    locked, unknown = deflated_zip(member), deflated_zip(member)
    for offset in headers_of(locked):
        locked[offset + 6] |= 0x1  # "encrypted"
    for offset in headers_of(unknown):
        unknown[offset + 8 : offset + 10] = (99).to_bytes(2, "little")  # no such method
    response = post(
        side_a.client,
        ("m.xml", xml("malforme.xml")),
        ("vide.xml", b" "),
        ("faux.zip", b"pas une archive"),
        ("abime.zip", bytes(damaged)),
        ("verrou.zip", bytes(locked)),
        ("inconnu.zip", bytes(unknown)),
    )
    assert response.status_code == 200
    assert sorted(messages_of(response)) == sorted(
        [
            "m.xml : XML mal formé, ligne 4 (balise fermante différente de la balise ouverte) : "
            "refusé, rien n'est enregistré.",
            "vide.xml : XML mal formé, ligne 1 (fichier vide ou qui n'est pas du XML) : refusé, "
            "rien n'est enregistré.",
            "faux.zip : archive ZIP illisible (fichier endommagé ou d'un autre format) : refusée, "
            "rien n'est enregistré.",
            "abime.zip : d/demande.xml : illisible dans l'archive (contenu endommagé) : refusé, "
            "rien n'est enregistré.",
            "verrou.zip : d/demande.xml : protégé par un mot de passe dans l'archive : refusé, "
            "rien n'est enregistré.",
            "inconnu.zip : d/demande.xml : compressé d'une façon non prise en charge dans "
            "l'archive : refusé, rien n'est enregistré.",
        ]
    )
    assert DemandeEnLigne.objects.count() == 0


def test_an_oversize_file_is_refused(side_a, referentiel, media_root):
    data = xml("complet.xml").replace(
        b"</RecensementCitoyen>", b" " * MAX_XML_BYTES + b"</RecensementCitoyen>"
    )
    [message] = messages_of(post(side_a.client, ("gros.xml", data)))
    assert (
        message
        == "gros.xml : fichier trop volumineux (1,0 Mo, 1,0 Mo au plus) : refusé, rien n'est "
        "enregistré."
    )
    assert DemandeEnLigne.objects.count() == 0 and stored_files(media_root) == []


def test_a_zip_of_dossiers_is_stored_with_each_pdf(side_a, referentiel):
    archive = zip_of(
        {
            "RC-101/demande.xml": xml("complet.xml"),
            "RC-101/recapitulatif.pdf": xml("complet.pdf"),
            "RC-104/RC-104.xml": xml("ne_a_l_etranger.xml"),
            "RC-104/RC-104.pdf": xml("complet.pdf"),
            "LISEZMOI.txt": b"HubEE",
        }
    )
    reports = import_uploads(side_a.collectivite, [upload("hubee.zip", archive)], side_a.agent)
    assert [r.statut for r in reports] == ["creee", "creee", "ignore"]
    assert reports[2].message == "hubee.zip : LISEZMOI.txt : ni XML ni PDF : ignoré."
    pdfs = dict(DemandeEnLigne.objects.values_list("identifiant", "nom_fichier_pdf"))
    assert pdfs == {"RC-2026-000101": "recapitulatif.pdf", "RC-2026-000104": "RC-104.pdf"}


def test_a_hostile_dossier_in_a_zip_is_refused_alone(side_a, referentiel, media_root):
    archive = zip_of(
        {"a/demande.xml": xml("complet.xml"), "b/demande.xml": xml("entite_externe.xml")}
    )
    reports = import_uploads(side_a.collectivite, [upload("lot.zip", archive)])
    assert [(r.statut, r.message) for r in reports] == [
        (
            "creee",
            "lot.zip : a/demande.xml : demande RC-2026-000101 enregistrée (LE GOFF Maëlys Anne "
            "Louise), sans PDF.",
        ),
        (
            "refuse",
            "lot.zip : b/demande.xml : le fichier contient une déclaration DOCTYPE ou ENTITY, "
            "interdite dans un dossier HubEE : refusé, rien n'est enregistré.",
        ),
    ]
    demande = DemandeEnLigne.objects.get()
    assert stored_files(media_root) == [media_root / demande.fichier_xml]


@pytest.mark.parametrize(
    "path", ["../../evil.xml", "/etc/cron.d/x.xml", "a/../../b.xml", "C:/x.xml"]
)
def test_a_zip_with_a_path_outside_its_folder_is_refused(side_a, referentiel, media_root, path):
    archive = zip_of({"ok/demande.xml": xml("complet.xml"), path: xml("residence_vide.xml")})
    [message] = messages_of(post(side_a.client, ("slip.zip", archive)))
    assert message == (
        f"slip.zip : le chemin « {path} » sort du dossier de l'archive : archive refusée, rien "
        "n'est enregistré."
    )
    assert DemandeEnLigne.objects.count() == 0 and stored_files(media_root) == []


def test_an_oversize_member_refuses_the_zip(side_a, referentiel):
    padded = xml("complet.xml").replace(
        b"</RecensementCitoyen>", b" " * MAX_XML_BYTES + b"</RecensementCitoyen>"
    )
    reports = import_uploads(side_a.collectivite, [upload("z.zip", zip_of({"d/gros.xml": padded}))])
    assert [r.statut for r in reports] == ["refuse"]
    assert reports[0].message.startswith("z.zip : d/gros.xml : fichier trop volumineux")


def test_a_file_that_is_not_a_zip_is_refused(side_a, referentiel):
    reports = import_uploads(side_a.collectivite, [upload("faux.zip", b"pas une archive")])
    assert reports[0].statut == "refuse"
    assert reports[0].message.startswith("faux.zip : archive ZIP illisible")


# --- HubEE's own test dossier: empty Identifiant, Cerfa copy and attachments -------------------


def valise(name: str) -> bytes:
    return (VALISE / name).read_bytes()


def assert_valise_imported(demande: DemandeEnLigne) -> None:
    assert demande.identifiant == "A-1-N8F602RR"
    assert (demande.nom, demande.nom_fichier_xml) == ("KERHERVÉ Erwan Loïc", "10870-XML.xml")
    assert demande.nom_fichier_pdf == "10870-PDF.pdf"
    assert [(p.nom, p.taille) for p in demande.pieces_jointes.all()] == [
        (name, len(valise(name))) for name in VALISE_PDFS[1:]
    ]
    assert demande.date_soumission == dt.datetime(2026, 2, 9, 11, 42, 48, tzinfo=PARIS)
    values = demande.donnees
    assert (values["pere_connu"], values["mere_connu"]) == (False, False)
    assert (values["sexe"], values["nom_naissance"], values["situation_familiale"]) == (
        "M",
        "Kerhervé",
        "C",
    )
    assert (values["naissance_code_lieu"], values["naissance_pays"]) == ("35288", "France")
    assert (values["domicile_code_lieu"], values["residence_identique"]) == ("35288", True)
    assert demande.non_reprises == []
    assert problems(demande) == []


def test_the_official_test_dossier_imports_from_its_folder_once(side_a, referentiel):
    out = StringIO()
    call_command("import_demandes", "--commune", "35288", str(VALISE), stdout=out)
    assert out.getvalue().splitlines() == [
        "10870-XML.xml : demande A-1-N8F602RR enregistrée (KERHERVÉ Erwan Loïc), avec son PDF "
        "10870-PDF.pdf et 2 pièces jointes.",
        "1 demande(s) enregistrée(s), 0 déjà reçue(s), 0 fichier(s) refusé(s).",
    ]
    assert_valise_imported(DemandeEnLigne.objects.get())
    out = StringIO()
    call_command("import_demandes", "--commune", "35288", str(VALISE), stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "10870-XML.xml : demande A-1-N8F602RR déjà reçue le 10/02/2026 (même contenu) : non "
        "dupliquée."
    )
    assert DemandeEnLigne.objects.count() == 1 and PieceJointe.objects.count() == 2


def test_the_official_test_dossier_uploaded_as_files_lists_and_serves_its_three_pdfs(
    side_a, referentiel
):
    response = post(side_a.client, *[(name, valise(name)) for name in VALISE_FILES])
    assert messages_of(response) == [
        "10870-XML.xml : demande A-1-N8F602RR enregistrée (KERHERVÉ Erwan Loïc), avec son PDF "
        "10870-PDF.pdf et 2 pièces jointes."
    ]
    demande = DemandeEnLigne.objects.get()
    assert_valise_imported(demande)
    assert "+ 2 pièces jointes" in response.text
    page = side_a.client.get(reverse("recensement:demande_detail", args=[demande.pk]))
    links = {
        reverse("recensement:demande_pdf", args=[demande.pk]): "10870-PDF.pdf",
        **{
            reverse("recensement:demande_piece", args=[demande.pk, piece.pk]): piece.nom
            for piece in demande.pieces_jointes.all()
        },
    }
    assert (
        "Pièces jointes (2)" in page.text and 'Père</dt><dd class="col-7">non déclaré' in page.text
    )
    for url, name in links.items():
        assert f'<a href="{url}">{name}</a>' in page.text
        download = side_a.client.get(url)
        assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
        assert f'filename="{name}"' in download["Content-Disposition"]
        assert b"".join(download.streaming_content) == valise(name)
    again = post(side_a.client, *[(name, valise(name)) for name in VALISE_FILES])
    assert messages_of(again) == [
        "10870-XML.xml : demande A-1-N8F602RR déjà reçue le 10/02/2026 (même contenu) : non "
        "dupliquée."
    ]
    assert DemandeEnLigne.objects.count() == 1 and PieceJointe.objects.count() == 2


def test_a_zip_keeps_its_good_dossiers_and_reports_the_refused_one(side_a, referentiel, media_root):
    archive = zip_of(
        {
            **{f"A-1-N8F602RR/{name}": valise(name) for name in VALISE_FILES},
            "casse/10870-XML.xml": xml("malforme.xml"),
            "casse/10870-PDF.pdf": xml("complet.pdf"),
            "RC-101/demande.xml": xml("complet.xml"),
        }
    )
    reports = import_uploads(side_a.collectivite, [upload("hubee.zip", archive)], side_a.agent)
    assert [(r.fichier, r.statut) for r in reports] == [
        ("hubee.zip : A-1-N8F602RR/10870-XML.xml", "creee"),
        ("hubee.zip : casse/10870-XML.xml", "refuse"),
        ("hubee.zip : RC-101/demande.xml", "creee"),
    ]
    assert reports[1].message.startswith(
        "hubee.zip : casse/10870-XML.xml : XML mal formé, ligne 4 ("
    )
    assert_valise_imported(DemandeEnLigne.objects.get(identifiant="A-1-N8F602RR"))
    assert DemandeEnLigne.objects.count() == 2
    kept = {p.relative_to(media_root).as_posix() for p in stored_files(media_root)}
    referenced = {
        *DemandeEnLigne.objects.values_list("fichier_xml", flat=True),
        *DemandeEnLigne.objects.exclude(fichier_pdf="").values_list("fichier_pdf", flat=True),
        *PieceJointe.objects.values_list("fichier", flat=True),
    }
    assert len(kept) == 5 and kept == referenced  # nothing of the refused dossier
    again = import_uploads(side_a.collectivite, [upload("encore.zip", archive)])
    assert [r.statut for r in again] == ["doublon", "refuse", "doublon"]
    assert DemandeEnLigne.objects.count() == 2


def test_the_xml_alone_is_identified_by_its_sha256_and_not_duplicated_later(side_a, referentiel):
    [alone] = import_uploads(
        side_a.collectivite, [upload("10870-XML.xml", valise("10870-XML.xml"))]
    )
    assert alone.message == (
        "10870-XML.xml : demande "
        f"{hashlib.sha256(valise('10870-XML.xml')).hexdigest()} enregistrée (KERHERVÉ Erwan "
        "Loïc), sans PDF."
    )
    reports = import_uploads(side_a.collectivite, [upload(n, valise(n)) for n in VALISE_FILES])
    assert [r.statut for r in reports] == ["doublon"]
    assert DemandeEnLigne.objects.count() == 1


def test_loose_pdfs_go_to_the_xml_whose_identifier_name_or_number_they_carry(side_a, referentiel):
    reports = import_uploads(
        side_a.collectivite,
        [
            upload("complet.xml", xml("complet.xml")),
            upload("complet.pdf", xml("complet.pdf")),
            upload("RC-2026-000101-livret.pdf", xml("complet.pdf")),
            upload("complet-annexe.pdf", xml("complet.pdf")),
            upload("A-1-N8F602RR-10870-XML.xml", valise("10870-XML.xml")),
            upload("A-1-N8F602RR-10870-PDF.pdf", valise("10870-PDF.pdf")),
            upload(JF, valise(JF)),
            upload("autre.pdf", xml("complet.pdf")),
        ],
    )
    assert [r.message for r in reports] == [
        "complet.xml : demande RC-2026-000101 enregistrée (LE GOFF Maëlys Anne Louise), avec son "
        "PDF complet.pdf et 2 pièces jointes.",
        "A-1-N8F602RR-10870-XML.xml : demande A-1-N8F602RR enregistrée (KERHERVÉ Erwan Loïc), "
        "avec son PDF A-1-N8F602RR-10870-PDF.pdf et 1 pièce jointe.",
        "autre.pdf : PDF sans dossier XML correspondant : ignoré.",
    ]
    pieces = dict(PieceJointe.objects.values_list("nom", "demande__identifiant"))
    assert pieces == {
        "RC-2026-000101-livret.pdf": "RC-2026-000101",
        "complet-annexe.pdf": "RC-2026-000101",
        JF: "A-1-N8F602RR",
    }


def test_an_empty_identifiant_with_files_of_two_dossiers_is_refused(side_a, referentiel):
    [report] = import_uploads(
        side_a.collectivite,
        [
            upload("10870-XML.xml", valise("10870-XML.xml")),
            upload(JF, valise(JF)),
            upload("A-1-ZZZZ9999-recensementCitoyen-jf-1.pdf", valise(JF)),
        ],
    )
    assert (report.statut, report.message) == (
        "refuse",
        "10870-XML.xml : identifiant du dossier vide et fichiers de plusieurs dossiers "
        "(A-1-N8F602RR, A-1-ZZZZ9999) : refusé, rien n'est enregistré ; déposez chaque dossier "
        "à part.",
    )
    assert DemandeEnLigne.objects.count() == 0


def test_an_attachment_that_is_not_a_pdf_refuses_its_dossier_alone(side_a, referentiel, media_root):
    archive = zip_of(
        {
            "a/10870-XML.xml": valise("10870-XML.xml"),
            "a/A-1-N8F602RR-recensementCitoyen-jf-1.pdf": b"MZ\x90\x00 not a pdf",
            "b/demande.xml": xml("complet.xml"),
        }
    )
    reports = import_uploads(side_a.collectivite, [upload("lot.zip", archive)])
    assert [(r.statut, r.message) for r in reports] == [
        (
            "refuse",
            "lot.zip : a/10870-XML.xml : fichier joint A-1-N8F602RR-recensementCitoyen-jf-1.pdf "
            "refusé : ce n'est pas un PDF ; dossier refusé, rien n'est enregistré.",
        ),
        (
            "creee",
            "lot.zip : b/demande.xml : demande RC-2026-000101 enregistrée (LE GOFF Maëlys Anne "
            "Louise), sans PDF.",
        ),
    ]
    assert len(stored_files(media_root)) == 1


def test_an_oversize_attachment_refuses_its_dossier(side_a, referentiel):
    big = b"%PDF-1.4\n" + b" " * MAX_PDF_BYTES
    reports = import_uploads(
        side_a.collectivite,
        [
            upload("10870-XML.xml", valise("10870-XML.xml")),
            upload("A-1-N8F602RR-recensementCitoyen-jf-1.pdf", big),
        ],
    )
    assert [(r.statut, r.message) for r in reports] == [
        (
            "refuse",
            "10870-XML.xml : fichier joint A-1-N8F602RR-recensementCitoyen-jf-1.pdf refusé : "
            "fichier trop volumineux (20,0 Mo, 20,0 Mo au plus) ; dossier refusé, rien n'est "
            "enregistré.",
        )
    ]
    assert DemandeEnLigne.objects.count() == 0


def test_a_parent_block_with_only_its_place_codes_is_not_declared(side_a, referentiel):
    data = valise("10870-XML.xml").replace(b"<Code/>", b"<Code>COMMUNE</Code>")
    import_uploads(side_a.collectivite, [upload("p.xml", data)])
    values = DemandeEnLigne.objects.get().donnees
    assert (values["pere_connu"], values["mere_connu"]) == (False, False)


def test_an_agent_of_b_cannot_download_an_attachment_of_a(side_a, side_b, referentiel, client):
    import_uploads(side_a.collectivite, [upload(n, valise(n)) for n in VALISE_FILES])
    demande = DemandeEnLigne.objects.get()
    piece = demande.pieces_jointes.first()
    url = reverse("recensement:demande_piece", args=[demande.pk, piece.pk])
    assert side_b.client.get(url).status_code == 404
    imported_b = imported(side_b.collectivite)
    through_b = reverse("recensement:demande_piece", args=[imported_b.pk, piece.pk])
    assert side_b.client.get(through_b).status_code == 404
    assert client.get(url).status_code == 302  # anonymous: sent to the login page
    own = side_a.client.get(url)
    assert b"".join(own.streaming_content) == valise(piece.nom)


# --- Checks, refusal, validation ---------------------------------------------------------------


def imported(collectivite, data: bytes = b"") -> DemandeEnLigne:
    import_uploads(collectivite, [upload("d.xml", data or xml("complet.xml"))])
    return DemandeEnLigne.objects.latest("id")


def test_a_clean_request_has_no_problem(side_a, referentiel):
    assert problems(imported(side_a.collectivite)) == []


def test_a_domicile_outside_the_collectivite_is_shown(side_a, referentiel):
    data = xml("complet.xml").replace(
        b"<CodeINSEE>35288</CodeINSEE>", b"<CodeINSEE>35093</CodeINSEE>"
    )
    demande = imported(side_a.collectivite, data)
    assert [p.message for p in problems(demande)] == [
        "Le domicile déclaré (Dinard, 35093) n'est pas dans la collectivité (Saint-Malo (35288)) : "
        "la demande relève de la mairie du domicile."
    ]
    page = side_a.client.get(reverse("recensement:demande_detail", args=[demande.pk])).text
    assert "Le domicile déclaré (Dinard, 35093)" in page


def test_an_age_outside_16_to_25_on_the_submission_date_is_shown(side_a, referentiel):
    data = xml("complet.xml").replace(b"12/01/2010", b"12/03/2010")
    [problem] = problems(imported(side_a.collectivite, data))
    assert problem.message == (
        "À la date de la demande : La personne n'a pas encore 16 ans le 09/02/2026 : elle pourra "
        "se faire recenser à partir du 12/03/2026."
    )


def test_a_person_already_registered_is_shown_with_the_record(side_a, referentiel):
    existing = RecenseFactory(
        collectivite=side_a.collectivite,
        nom_naissance="LE GOFF",
        prenoms="Maelys Anne Louise",
        date_naissance=dt.date(2010, 1, 12),
    )
    demande = imported(side_a.collectivite)
    [problem] = problems(demande)
    assert problem.recense_id == existing.pk
    page = side_a.client.get(reverse("recensement:demande_detail", args=[demande.pk])).text
    assert reverse("recensement:detail", args=[existing.pk]) in page


def test_a_request_of_a_closed_quarter_is_shown(side_a, referentiel):
    from recensement.services import cloturer

    demande = imported(side_a.collectivite)
    cloturer(side_a.collectivite, 2026, 1, side_a.agent)
    [problem] = problems(demande)
    assert problem.message.startswith("Le trimestre T1 2026 est clos")
    assert problem.message.endswith("Une demande du 09/02/2026 ne peut plus y être enregistrée.")


def test_a_request_is_refused_with_a_message_that_is_kept(side_a, referentiel):
    demande = imported(side_a.collectivite)
    url = reverse("recensement:demande_refuser", args=[demande.pk])
    side_a.client.post(url, {"motif": "  "})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.A_TRAITER
    side_a.client.post(url, {"motif": "Domicile à Dinard : dossier transmis à la mairie."})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.REFUSEE
    assert demande.motif_refus == "Domicile à Dinard : dossier transmis à la mairie."
    assert (demande.traitee_par, demande.history.first().history_user) == (
        side_a.agent,
        side_a.agent,
    )
    response = side_a.client.get(
        reverse("recensement:demande_valider", args=[demande.pk]), follow=True
    )
    assert messages_of(response)[-1] == "Cette demande a déjà été refusée."


def browser_data(form) -> dict:
    """What a browser would send for the form as displayed (checkboxes sent only when ticked)."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_the_agent_completes_and_validates_a_request_into_a_registrant(side_a, referentiel):
    demande = imported(side_a.collectivite)
    url = reverse("recensement:demande_valider", args=[demande.pk])
    form = side_a.client.get(url).context["form"]
    assert form["naissance_commune_saisie"].value() == "Saint-Malo (35288)"
    assert form["residence_commune_saisie"].value() == "Dinard (35093)"
    assert form["mere_naissance_ou"].value() == "etranger"
    data = browser_data(form)
    data["date_recensement"] = "2026-02-10"  # disabled: the submission date stands
    response = side_a.client.post(url, data)
    assert response.context["form"].errors == {"situation_scolaire": ["Ce champ est obligatoire."]}
    assert Recense.objects.count() == 0
    data["situation_scolaire"] = "S"
    response = side_a.client.post(url, data, follow=True)
    recense = Recense.objects.get()
    demande.refresh_from_db()
    assert (demande.statut, demande.recense, demande.traitee_par) == (
        StatutDemande.VALIDEE,
        recense,
        side_a.agent,
    )
    assert recense.date_recensement == dt.date(2026, 2, 9)
    assert (recense.mode, recense.collectivite) == (Mode.RECENSE, side_a.collectivite)
    assert (recense.nom_naissance, recense.prenoms, recense.sexe) == (
        "Le Goff",
        "Maëlys Anne Louise",
        "F",
    )
    assert (recense.mere_naissance_code_lieu, recense.mere_naissance_commune) == (
        "99134",
        "Séville",
    )
    assert (recense.residence_identique, recense.residence_code_lieu) == (False, "35093")
    assert recense.history.get().history_user == side_a.agent
    assert messages_of(response)[0].startswith(
        "Demande RC-2026-000101 validée : LE GOFF Maëlys Anne Louise est recensé(e) au 09/02/2026."
    )
    again = side_a.client.post(url, data, follow=True)
    assert messages_of(again) == ["Cette demande a déjà été validée."]
    assert Recense.objects.count() == 1
    attestation = side_a.client.post(
        reverse("recensement:attestation", args=[recense.pk]), {"signataire": "maire"}
    )
    assert attestation["Content-Type"] == "application/pdf"


def test_a_request_of_a_quarter_closed_while_it_was_completed_is_not_validated(side_a, referentiel):
    demande = imported(side_a.collectivite)
    url = reverse("recensement:demande_valider", args=[demande.pk])
    data = browser_data(side_a.client.get(url).context["form"]) | {"situation_scolaire": "S"}
    form = demande_form(demande, data)
    assert form.is_valid()
    cloturer(side_a.collectivite, 2026, 1, side_a.agent)

    # The service refuses, whatever its caller checked before.
    with pytest.raises(RecenseLocked, match="T1 2026 est clos"):
        validate(demande, form.save(commit=False), side_a.agent)
    # The view says so next to the form.
    response = side_a.client.post(url, data)
    assert "Le trimestre T1 2026 est clos" in response.text
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.A_TRAITER and not Recense.objects.exists()


def test_a_request_for_a_person_already_registered_cannot_be_validated(side_a, referentiel):
    demande = imported(side_a.collectivite)
    form = side_a.client.get(reverse("recensement:demande_valider", args=[demande.pk])).context[
        "form"
    ]
    RecenseFactory(
        collectivite=side_a.collectivite, nom_naissance="Le Goff", prenoms="Maëlys Anne Louise",
        date_naissance=dt.date(2010, 1, 12),
    )  # fmt: skip
    data = browser_data(form) | {"situation_scolaire": "S"}
    response = side_a.client.post(reverse("recensement:demande_valider", args=[demande.pk]), data)
    assert "Cette personne est déjà recensée" in response.text
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.A_TRAITER and Recense.objects.count() == 1


def test_the_list_shows_the_collectivites_own_pending_requests(side_a, side_b, referentiel):
    imported(side_a.collectivite)
    imported(side_b.collectivite, xml("parents_inconnus.xml"))
    page = side_a.client.get(reverse("recensement:demandes")).text
    assert "RC-2026-000101" in page and "RC-2026-000102" not in page
    figures = side_a.client.get(reverse("home")).context["figures"]
    assert ("Demandes en ligne à traiter", 1, "/recensement/demandes/") in figures


def test_an_agent_of_b_cannot_see_nor_act_on_a_request_of_a(side_a, side_b, referentiel):
    demande = imported(side_a.collectivite)
    client = side_b.client
    for name in ("demande_detail", "demande_pdf", "demande_valider"):
        assert client.get(reverse(f"recensement:{name}", args=[demande.pk])).status_code == 404
    assert (
        client.post(
            reverse("recensement:demande_refuser", args=[demande.pk]), {"motif": "x"}
        ).status_code
        == 404
    )
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.A_TRAITER


# --- Command -----------------------------------------------------------------------------------


def test_the_command_imports_files_and_folders_and_reports_each(side_a, referentiel, tmp_path):
    folder = tmp_path / "hubee"
    (folder / "RC-101").mkdir(parents=True)
    (folder / "RC-101" / "demande.xml").write_bytes(xml("complet.xml"))
    (folder / "RC-101" / "demande.pdf").write_bytes(xml("complet.pdf"))
    out = StringIO()
    call_command(
        "import_demandes", "--commune", "35288", str(folder), str(DATA / "ne_a_l_etranger.xml"),
        stdout=out,
    )  # fmt: skip
    assert out.getvalue().splitlines() == [
        "RC-101/demande.xml : demande RC-2026-000101 enregistrée (LE GOFF Maëlys Anne Louise), "
        "avec son PDF demande.pdf.",
        "ne_a_l_etranger.xml : demande RC-2026-000104 enregistrée (EL AMRANI Yanis Karim), "
        "sans PDF.",
        "2 demande(s) enregistrée(s), 0 déjà reçue(s), 0 fichier(s) refusé(s).",
    ]
    out = StringIO()
    with pytest.raises(CommandError, match="1 fichier\\(s\\) refusé\\(s\\)"):
        call_command(
            "import_demandes", "--commune", "35288", str(folder), str(DATA / "doctype.xml"),
            stdout=out,
        )  # fmt: skip
    assert "RC-101/demande.xml : demande RC-2026-000101 déjà reçue le 10/02/2026" in out.getvalue()
    assert "doctype.xml : le fichier contient une déclaration DOCTYPE" in out.getvalue()
    assert DemandeEnLigne.objects.count() == 2


def test_the_demo_adds_clean_pending_requests_once(side_a, referentiel):
    from recensement.demo import create_demandes

    assert create_demandes(side_a.collectivite, 3) == 3
    assert create_demandes(side_a.collectivite, 3) == 0
    demandes = list(DemandeEnLigne.objects.filter(collectivite=side_a.collectivite))
    assert len(demandes) == 3
    for demande in demandes:
        assert demande.statut == StatutDemande.A_TRAITER
        assert (demande.non_reprises, problems(demande)) == ([], [])
    assert {d.donnees["pere_connu"] for d in demandes} == {True, False}
    assert any(d.donnees["naissance_code_lieu"].startswith("99") for d in demandes)


def test_iso_codes_map_to_the_insee_2025_codes_of_the_bundled_table(db):
    import_cog({"pays": BUNDLED / "pays.csv"})
    known = countries()
    isos = ("GBR", "ESP", "PRT", "DNK", "FRO", "NLD", "ABW", "NZL", "COK", "NIU")
    assert {iso: known[iso].code for iso in isos} == {
        "GBR": "99132",
        "ESP": "99134",  # not 99313, the Spanish territories in North Africa sharing ESP
        "PRT": "99139",
        "DNK": "99101",
        "FRO": "99158",
        "NLD": "99135",
        "ABW": "99431",
        "NZL": "99502",
        "COK": "99520",
        "NIU": "99521",
    }
    # INSEE gives Kosovo (99157) no ISO code: a dossier saying XKX is listed as not mapped.
    assert "XKX" not in known


def test_a_person_born_in_the_united_kingdom_gets_99132(side_a, referentiel):
    data = xml("ne_a_l_etranger.xml").replace(
        b"<PaysNaissance>MAR</PaysNaissance>", b"<PaysNaissance>GBR</PaysNaissance>"
    )
    import_uploads(side_a.collectivite, [upload("e.xml", data)])
    values = DemandeEnLigne.objects.get().donnees
    assert (values["naissance_code_lieu"], values["naissance_pays"]) == ("99132", "Royaume-Uni")


def test_a_request_kept_in_an_object_store_is_served_from_it(side_a, referentiel, object_storage):
    post(side_a.client, *[(name, valise(name)) for name in VALISE_FILES])

    demande = DemandeEnLigne.objects.get()
    assert stored(demande.fichier_xml) == valise("10870-XML.xml")
    assert stored(demande.fichier_pdf) == valise("10870-PDF.pdf")
    pieces = list(demande.pieces_jointes.all())
    assert {piece.nom: stored(piece.fichier) for piece in pieces} == {
        name: valise(name) for name in VALISE_PDFS[1:]
    }
    assert stored_files(object_storage) == []  # nothing on the local disk
    downloads = {
        reverse("recensement:demande_pdf", args=[demande.pk]): "10870-PDF.pdf",
        **{
            reverse("recensement:demande_piece", args=[demande.pk, piece.pk]): piece.nom
            for piece in pieces
        },
    }
    for url, name in downloads.items():
        download = side_a.client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == valise(name)
