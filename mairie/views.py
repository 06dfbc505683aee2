from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mairie.dashboard import figures_for
from mairie.models import Affectation, Commune, TypeCommune, is_code_commune
from mairie.scoping import select_collectivite
from mairie.text import search_key

AUTOCOMPLETE_LIMIT = 20


def home(request: HttpRequest) -> HttpResponse:
    figures = figures_for(request.affectation) if request.affectation else []
    return render(request, "mairie/home.html", {"figures": figures})


@require_POST
def choose_collectivite(request: HttpRequest) -> HttpResponse:
    affectation = get_object_or_404(
        Affectation, user=request.user, collectivite_id=request.POST.get("collectivite")
    )
    select_collectivite(request, affectation)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)


def search_communes(query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Commune]:
    """Communes whose code starts with the query, or whose name contains it (accents, case and
    punctuation ignored); names starting with it come first, then current communes (COM)."""
    query = query.strip()
    if len(query) < 2:
        return []
    code = query.upper()
    # The start of an INSEE code: anything else (a NUL byte too) is searched as a name.
    if len(code) <= 5 and is_code_commune(code.ljust(5, "0")):
        return list(
            Commune.objects.filter(code__startswith=code).order_by("code", "typecom")[:limit]
        )
    key = search_key(query)
    if not key:
        return []
    matches = list(Commune.objects.filter(recherche__contains=key)[: limit * 5])
    matches.sort(
        key=lambda c: (not c.recherche.startswith(key), c.typecom != TypeCommune.COM, c.recherche)
    )
    return matches[:limit]


@require_GET
def commune_autocomplete(request: HttpRequest) -> HttpResponse:
    # htmx sends the form field under its own name (e.g. naissance_commune_saisie).
    query = request.GET.get("q") or next(
        (value for name, value in request.GET.items() if name.endswith("_saisie")), ""
    )
    communes = search_communes(query)
    if request.htmx:
        return render(request, "mairie/partials/communes.html", {"communes": communes})
    return JsonResponse(
        {
            "results": [
                {
                    "code": c.code,
                    "libelle": c.libelle,
                    "departement": c.departement_code,
                    "type": c.typecom,
                }
                for c in communes
            ]
        }
    )


def aide(request: HttpRequest) -> HttpResponse:
    """The help: the quarter's steps and the Ma JDC portal, the electoral files and ELIRE, the
    election documents, a glossary. Every page links to its section (mairie.aide)."""
    return render(request, "mairie/aide.html")
