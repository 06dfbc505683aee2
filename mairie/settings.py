"""Settings, read from the environment with safe defaults: SQLite unless DATABASE_URL is set."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "False")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY manquante : définissez la variable d'environnement SECRET_KEY "
            "(au moins 50 caractères aléatoires), ou DEBUG=1 pour un poste de développement."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "mairie",
    "recensement",
    "electoral",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "mairie.scoping.CurrentCollectiviteMiddleware",
    "mairie.errors.FrenchErrorPagesMiddleware",
]

ROOT_URLCONF = "mairie.urls"
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mairie.scoping.collectivite_context",
            ],
        },
    },
]

WSGI_APPLICATION = "mairie.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=envint("CONN_MAX_AGE", "0")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["mairie.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Served at the site's root by whitenoise: /favicon.ico, which browsers ask for by themselves.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Generated files hold personal data: they live outside static and are only served by views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Largest accepted upload (REU extraction): a million-line file is about 250 MB.
MAIRIE_MAX_UPLOAD_MB = envint("MAIRIE_MAX_UPLOAD_MB", "400")


def kept_files_storage() -> dict:
    """Where the kept files go (exports, REU extractions, HubEE requests), from MAIRIE_STORAGE:
    "local", the folder MEDIA_ROOT; "s3", an S3-compatible object store (django-storages,
    installed apart: pip install "django-storages[s3]"), which several machines can share."""
    kind = os.environ.get("MAIRIE_STORAGE", "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(
            f"MAIRIE_STORAGE={kind} inconnu : « local » (MEDIA_ROOT) ou « s3 »."
        )
    bucket = os.environ.get("MAIRIE_S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured(
            "MAIRIE_STORAGE=s3 : indiquez le compartiment, MAIRIE_S3_BUCKET."
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, read by boto3 itself.
            "endpoint_url": os.environ.get("MAIRIE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MAIRIE_S3_REGION") or None,
            "location": os.environ.get("MAIRIE_S3_PREFIX", ""),
            # Personal data: private objects, and only the views serve them.
            "default_acl": "private",
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": kept_files_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The parts of `manage.py demo` and the benchmarks of `manage.py benchmark`, by dotted path, in
# the order they run: only those commands load them, so feature code never imports their modules.
MAIRIE_DEMO_PARTS = [
    "recensement.demo.RECENSES",
    "recensement.demo.DEMANDES",
    "electoral.demo.ELECTEURS",
]
MAIRIE_BENCHMARKS = [
    "recensement.benchmarks.PAGES_RECENSES",
    "electoral.benchmarks.IMPORT_REU",
    "electoral.benchmarks.PAGES_ELECTEURS",
    "exports.benchmarks.LISTE_CSV",
    "exports.benchmarks.LISTE_XML",
    "exports.tableaux_benchmark.TABLEAU_PDF",
    "exports.pecoto_benchmark.PECOTO",
    "exports.emargement_benchmark.EMARGEMENT",
    "exports.emargement_benchmark.CARTES",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
# htmx reads the token from the page (base.html), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
    if envbool("BEHIND_HTTPS_PROXY", "False"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Personal data stays out of logs and mail: errors go to the console (message and traceback,
# never the request body), and no error report is e-mailed, since Django's would carry the POST
# data and settings of the failing request.
ADMINS = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers, among them mail_admins (AdminEmailHandler).
        "django": {"handlers": [], "propagate": True},
        # WeasyPrint and fontTools narrate every PDF at INFO level.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
    },
}
