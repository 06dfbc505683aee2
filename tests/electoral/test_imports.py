"""The life of an uploaded REU extraction, driven through electoral.imports."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from electoral import imports
from electoral.models import BureauDeVote, Electeur, ImportReu, StatutImport
from tests.conftest import kept_files
from tests.electoral.test_import_views import HEADER, LINES

CONTENT = ("\r\n".join([HEADER, *LINES]) + "\r\n").encode("utf-8")


@pytest.fixture(params=["dossier", "stockage objet"])
def storage(request, settings, tmp_path):
    """Both kinds of storage: the local folder MEDIA_ROOT, and an object store."""
    if request.param == "stockage objet":
        return request.getfixturevalue("object_storage")
    settings.MEDIA_ROOT = tmp_path / "media"
    return None


def _start(side, django_capture_on_commit_callbacks) -> ImportReu:
    uploaded = SimpleUploadedFile("extraction.csv", CONTENT, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        pending = imports.start(side.collectivite, uploaded, side.agent)
    pending.refresh_from_db()
    return pending


def test_an_import_is_kept_analysed_confirmed_and_applied(
    side_a, storage, django_capture_on_commit_callbacks
):
    pending = _start(side_a, django_capture_on_commit_callbacks)
    assert pending.statut == StatutImport.APERCU
    assert pending.fichier.startswith(f"imports/{side_a.collectivite.code_insee}/")
    with default_storage.open(pending.fichier) as kept:
        assert kept.read() == CONTENT
    assert pending.taille == len(CONTENT) and pending.cree_par == side_a.agent
    assert pending.rapport["unknown_bureaux"] == [["0001", "École du Naye", 2]]
    assert not Electeur.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        imports.confirm(pending, side_a.agent, create_bureaux=True)

    pending.refresh_from_db()
    assert pending.statut == StatutImport.APPLIQUE
    assert (pending.rapport["new"], pending.rapport["rejected"]) == (2, 1)
    assert list(BureauDeVote.objects.values_list("code", flat=True)) == ["0001"]
    assert Electeur.objects.filter(collectivite=side_a.collectivite).count() == 2
    confirmed = pending.history.get(statut=StatutImport.IMPORT)
    assert confirmed.history_user == side_a.agent
    assert imports.status(pending) == ""
    assert not default_storage.exists(f"{pending.fichier}.etape")
    with pytest.raises(imports.ImportClosed, match="n'est plus à confirmer"):
        imports.confirm(pending, side_a.agent, create_bureaux=False)


def test_an_abandoned_import_drops_its_file_and_cannot_be_confirmed(
    side_a, storage, django_capture_on_commit_callbacks
):
    pending = _start(side_a, django_capture_on_commit_callbacks)

    imports.abandon(pending, side_a.agent)

    pending.refresh_from_db()
    assert pending.statut == StatutImport.ABANDONNE
    assert not default_storage.exists(pending.fichier)
    with pytest.raises(imports.ImportClosed):
        imports.confirm(pending, side_a.agent, create_bureaux=False)
    assert not Electeur.objects.exists()


def test_a_running_import_tells_its_step_through_the_storage(
    side_a, storage, django_capture_on_commit_callbacks
):
    pending = _start(side_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        imports.confirm(pending, side_a.agent, create_bureaux=False)
    pending.refresh_from_db()
    assert imports.status(pending) == ""  # not started yet

    imports._progress_writer(pending)("lecture du fichier")
    imports._progress_writer(pending)("écriture des 2 nouveaux électeurs")

    assert imports.status(pending) == "écriture des 2 nouveaux électeurs"


def test_an_object_store_leaves_no_file_in_media_root(
    side_a, object_storage, django_capture_on_commit_callbacks
):
    pending = _start(side_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        imports.confirm(pending, side_a.agent, create_bureaux=True)
    pending.refresh_from_db()
    assert pending.statut == StatutImport.APPLIQUE
    assert kept_files(object_storage) == []
