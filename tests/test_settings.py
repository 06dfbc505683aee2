"""Start-up checks run in a fresh process, with the environment a server would have."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#p2v!q9w$e4r%t6y^u8i&o0p*a1s(d3f)g5h_j7k+l9z-x1c=v3b[n5m]q7w{e9r}",
    "ALLOWED_HOSTS": "mairie.example",
    "DJANGO_SETTINGS_MODULE": "mairie.settings",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY manquante" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr
    assert "no issues" in result.stdout


def test_development_runs_without_secret_key():
    result = manage("check", DEBUG="1", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_production_settings_protect_cookies_headers_and_personal_data():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
        "for k in ('DEBUG', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_CONTENT_TYPE_NOSNIFF', "
        "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_SSL_REDIRECT', 'ADMINS')}))"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_SSL_REDIRECT": True,
        "ADMINS": [],
    }


def test_a_media_root_inside_static_stops_the_deployment_check(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "media")}
    result = manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "mairie.E001" in result.stderr


def _default_storage(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps(s.STORAGES['default']))"
    )
    return manage("shell", "-c", code, **PRODUCTION, **env)


def test_kept_files_go_to_media_root_unless_an_object_store_is_chosen():
    local = _default_storage()
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout.splitlines()[-1]) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    s3 = _default_storage(
        MAIRIE_STORAGE="s3",
        MAIRIE_S3_BUCKET="mairie-fichiers",
        MAIRIE_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        MAIRIE_S3_REGION="fr-par",
    )
    assert s3.returncode == 0, s3.stderr
    assert json.loads(s3.stdout.splitlines()[-1]) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "mairie-fichiers",
            "endpoint_url": "https://s3.fr-par.scw.cloud",
            "region_name": "fr-par",
            "location": "",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }


def test_an_object_store_without_a_bucket_or_an_unknown_storage_refuses_to_start():
    result = manage("check", **PRODUCTION, MAIRIE_STORAGE="s3")
    assert result.returncode != 0
    assert "MAIRIE_S3_BUCKET" in result.stderr
    result = manage("check", **PRODUCTION, MAIRIE_STORAGE="ftp")
    assert result.returncode != 0
    assert "MAIRIE_STORAGE=ftp inconnu" in result.stderr
