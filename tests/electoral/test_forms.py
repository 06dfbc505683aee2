import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from electoral.forms import ReuUploadForm
from electoral.models import ImportReu

CSV = b"TypeListe;CodeDepartement;CodeCommune\r\np;035;35288\r\n"


def clean(name: str, content: bytes) -> ReuUploadForm:
    form = ReuUploadForm(files={"fichier": SimpleUploadedFile(name, content)})
    form.is_valid()
    return form


def test_a_csv_or_txt_extraction_is_accepted_and_read_from_its_start():
    for name in ("extraction.csv", "EXTRACTION.TXT"):
        form = clean(name, CSV)
        assert form.errors == {}
        assert form.cleaned_data["fichier"].read() == CSV


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "une archive ZIP ou un classeur Excel/LibreOffice"),
        (b"%PDF-1.7\n%\xe2\xe3", "un document PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "un ancien classeur Excel (.xls)"),
        (b"\x1f\x8b\x08\x00", "une archive compressée (gzip)"),
        (CSV + b"\x00\x01\x02", "un fichier binaire"),
    ],
)
def test_a_binary_file_renamed_csv_is_refused_with_what_it_is(content, kind):
    form = clean("extraction.csv", content)
    assert form.errors["fichier"] == [
        f"Ce fichier n'est pas un fichier texte CSV : c'est {kind}. Choisissez l'extraction REU "
        "au format CSV telle que téléchargée depuis ELIRE."
    ]


def test_the_extension_is_checked_first():
    assert clean("extraction.xlsx", CSV).errors["fichier"] == [
        "Choisissez le fichier CSV de l'extraction (.csv)."
    ]


def test_the_size_limit_is_a_setting(settings):
    settings.MAIRIE_MAX_UPLOAD_MB = 1
    assert clean("extraction.csv", CSV + b"x" * (1024 * 1024 - len(CSV))).errors == {}
    assert clean("extraction.csv", CSV + b"x" * (1024 * 1024)).errors["fichier"] == [
        "Fichier trop volumineux (1 Mo) : 1 Mo au plus."
    ]


def test_a_refused_upload_is_shown_next_to_the_field_and_nothing_is_kept(
    side_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    data = SimpleUploadedFile("extraction.csv", b"%PDF-1.4\n", content_type="text/csv")
    response = side_a.client.post(reverse("electoral:import_reu"), {"fichier": data})
    assert response.status_code == 200
    assert "c&#x27;est un document PDF" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not ImportReu.objects.exists()
    assert list(tmp_path.iterdir()) == []
