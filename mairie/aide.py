"""Which section of the help page (templates/mairie/aide.html) speaks of a page: the page's
"Aide" link goes there."""

from django.http import HttpRequest

# (app, url name) first, then the app alone; the sections' ids in templates/mairie/aide.html.
SECTIONS = {
    ("recensement", "trimestres"): "trimestre",
    ("recensement", "numerotation"): "trimestre",
    ("recensement", "demandes"): "demandes",
    ("recensement", "demande_detail"): "demandes",
    ("recensement", "demande_valider"): "demandes",
    ("recensement", None): "recensement",
    ("electoral", "import_reu"): "elire",
    ("electoral", "import_reu_detail"): "elire",
    ("electoral", "procurations"): "scrutins",
    ("electoral", "procuration"): "scrutins",
    ("electoral", "scrutins"): "scrutins",
    ("electoral", "jures"): "scrutins",
    ("electoral", "tirage"): "scrutins",
    ("electoral", "cartes_revenues"): "scrutins",
    ("electoral", "commission"): "scrutins",
    ("electoral", "reunion"): "scrutins",
    ("electoral", None): "elections",
    ("exports", None): "exports",
}


def section_for(request: HttpRequest) -> str:
    """The help section of the page being shown ("" for none: the help page itself, login)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.app_name:
        return ""
    return SECTIONS.get((match.app_name, match.url_name)) or SECTIONS.get(
        (match.app_name, None), ""
    )
