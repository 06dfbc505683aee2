"""System checks of the deployment settings that Django's own `check --deploy` does not make."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents or path in folder.parents


@register()
def media_outside_static(app_configs, **kwargs) -> list[Error]:
    """Generated files and uploads hold personal data: they must never be reachable as static
    files, which are served to anyone without login."""
    folders = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
    return [
        Error(
            f"MEDIA_ROOT ({settings.MEDIA_ROOT}) et le dossier statique {folder} se recouvrent : "
            "les fichiers générés (données personnelles) seraient servis sans connexion.",
            hint="Choisissez pour MEDIA_ROOT un dossier hors de STATIC_ROOT et de static/.",
            id="mairie.E001",
        )
        for folder in folders
        if folder and _inside(settings.MEDIA_ROOT, folder)
    ]
