"""mairie.files: every kept file goes through Django's storage, whole or not at all."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage

from mairie import files
from tests.conftest import kept_files, stored


class ElsewhereStorage(FileSystemStorage):
    """A local storage in another folder than MEDIA_ROOT."""


@pytest.fixture(params=["MEDIA_ROOT", "autre dossier", "stockage objet"])
def storage(request, settings, tmp_path):
    """The three ways to keep files: MEDIA_ROOT, a storage of another folder, an object store.
    Returns the folder where a local storage puts the files (None for the object store)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "stockage objet":
        request.getfixturevalue("object_storage")
        return None
    if request.param == "autre dossier":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": f"{__name__}.ElsewhereStorage",
                "OPTIONS": {"location": tmp_path / "ailleurs"},
            },
        }
        return tmp_path / "ailleurs"
    return settings.MEDIA_ROOT


def test_the_hash_and_size_are_those_of_the_bytes_written():
    file = io.BytesIO()
    out = files.HashingWriter(file)
    for part in (b"abc", b"", "é".encode()):
        out.write(part)
    assert (out.size, out.sha256) == (5, hashlib.sha256(file.getvalue()).hexdigest())


def test_a_kept_file_has_its_size_and_hash_and_is_read_through_the_storage(storage, tmp_path):
    kept = files.keep("exports/35288/1-RE_20261.txt", [b"ab", b"", b"c\r\n"])

    assert kept == files.Kept(
        "exports/35288/1-RE_20261.txt", 5, hashlib.sha256(b"abc\r\n").hexdigest()
    )
    assert files.exists(kept.name) and stored(kept.name) == b"abc\r\n"
    with files.open_kept(kept.name) as opened:
        assert opened.read() == b"abc\r\n"
    if storage is None:
        assert kept_files(tmp_path) == []  # neither partial nor final file on the local disk
    else:
        assert kept_files(storage) == ["exports/35288/1-RE_20261.txt"]


def test_keeping_a_file_again_replaces_it_under_the_same_name(storage):
    files.keep("imports/35288/a.csv.etape", [b"lecture"])
    again = files.keep("imports/35288/a.csv.etape", [b"import"])

    assert again.name == "imports/35288/a.csv.etape"
    assert stored(again.name) == b"import"
    assert default_storage.listdir("imports/35288")[1] == ["a.csv.etape"]


def test_a_file_that_fails_while_written_is_not_kept(storage, tmp_path):
    def chunks():
        yield b"half"
        raise OSError("disque plein")

    with pytest.raises(OSError, match="disque plein"):
        files.keep("exports/35288/2-liste.csv", chunks())

    assert not files.exists("exports/35288/2-liste.csv")
    assert kept_files(tmp_path) == []  # no partial file left either


def test_a_partial_file_stands_beside_the_final_one_in_a_local_folder_only(storage):
    with files.writing("exports/35288/.3-pecoto.part") as written:
        written.out.write(b"en cours")
        partial = written.partial
        if storage is not None:
            assert partial == storage / "exports/35288/.3-pecoto.part"
        else:
            assert not partial.is_relative_to(Path(default_storage.location))
        written.keep("exports/35288/3-RE_20261.txt")
    assert not partial.exists()
    assert stored("exports/35288/3-RE_20261.txt") == b"en cours"


def test_deleting_and_dropping_partials_go_through_the_storage(storage):
    for name in ("a/.4-x.part", "a/.4-y.part", "a/.5-x.part", "a/4-fichier.csv"):
        files.keep(name, [b"x"], partial=f"tmp/{name}")
    files.drop_partials("a", ".4-")
    assert sorted(default_storage.listdir("a")[1]) == [".5-x.part", "4-fichier.csv"]
    files.delete("a/4-fichier.csv", "a/absent.csv", "")
    assert not files.exists("a/4-fichier.csv")
    files.drop_partials("absent", ".4-")  # no folder: nothing to drop


def test_a_local_copy_is_the_file_itself_in_a_local_folder_and_a_copy_elsewhere(storage):
    files.keep("imports/35288/b.csv", [b"NomDeNaissance;Prenoms\r\n"])
    with files.local_copy("imports/35288/b.csv") as path:
        assert path.read_bytes() == b"NomDeNaissance;Prenoms\r\n"
        if storage is not None:
            assert path == storage / "imports/35288/b.csv"
    assert path.exists() == (storage is not None)


def test_an_image_is_given_to_the_pdf_renderer_by_its_path_or_inline(storage):
    files.keep("collectivites/sceau.png", [b"\x89PNG\r\n"])
    uri = files.as_uri("collectivites/sceau.png")
    if storage is None:
        assert uri == "data:image/png;base64,iVBORw0K"
    else:
        assert uri == (storage / "collectivites/sceau.png").as_uri()
