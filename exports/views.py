from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from exports.exporters import EXPORTERS, QuarterExporter, allowed_kinds
from exports.models import EtatPortail, Export
from exports.problems import group_problems
from exports.services import (
    ExportRefused,
    exporter_for,
    queue_export,
    recover_interrupted,
    set_portal_state,
)
from mairie import files
from mairie.pagination import page_of
from mairie.scoping import agent_required
from recensement.models import Recense, quarter_label

PAGE_SIZE = 25


def _preview(request: HttpRequest, kind: str) -> dict:
    """The chosen quarter's counts and the validator's problems, before generating."""
    try:
        exporter = exporter_for(request.collectivite, kind, request.GET)
    except ExportRefused as refusal:
        return {"refusal": str(refusal)}
    problems = exporter.problems()
    quarter = exporter.quarter if isinstance(exporter, QuarterExporter) else None
    preview = {
        "exporter": exporter,
        "problems": problems,
        "groups": group_problems(
            problems, request.collectivite, quarter, settings_url=request.user.is_staff
        ),
        "lines": exporter.preview(),
    }
    if quarter:
        recenses = exporter.recenses()
        preview |= {
            "total": recenses.count(),
            "numerotes": recenses.filter(numero_inscription__isnull=False).count(),
            "portal_text": exporter.portal_text(),
        }
    return preview


def _exports(request: HttpRequest):
    """The current collectivité's exports of the kinds the agent's role covers."""
    return Export.objects.for_request(request).filter(kind__in=allowed_kinds(request.affectation))


@agent_required()
def index(request: HttpRequest) -> HttpResponse:
    kinds = allowed_kinds(request.affectation)
    recover_interrupted(_exports(request))
    exports = _exports(request).select_related("cree_par")
    kind_filter = request.GET.get("type", "")
    if kind_filter in kinds:
        exports = exports.filter(kind=kind_filter)
    single = request.GET.get("export", "")
    if single.isdigit():  # one file, as the quarters page links to it
        exports = exports.filter(pk=single)
    chosen = request.GET.get("kind", "")
    context = {
        "page": page_of(exports, request.GET.get("page"), PAGE_SIZE),
        "kinds": [(kind, EXPORTERS[kind]) for kind in kinds],
        "kind_filter": kind_filter,
        "single": single.isdigit(),
        "chosen": chosen,
        "generators": [
            (
                kind,
                EXPORTERS[kind],
                EXPORTERS[kind].form(
                    request.collectivite,
                    request.GET if chosen == kind else None,
                    auto_id=f"{kind}-%s",
                ),
            )
            for kind in kinds
        ],
        "etats": EtatPortail.choices,
    }
    if chosen in kinds:
        context["preview"] = _preview(request, chosen)
    return render(request, "exports/index.html", context)


@require_POST
@agent_required()
def generate(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in allowed_kinds(request.affectation):
        raise PermissionDenied("Votre rôle ne donne pas accès à cet export.")
    try:
        export = queue_export(request.collectivite, kind, request.POST, request.user)
    except ExportRefused as refusal:
        messages.error(request, f"Export refusé : {refusal}")
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        query["kind"] = kind
        return redirect(f"{reverse('exports:index')}?{query.urlencode()}")
    messages.success(
        request, f"{export.description} : génération lancée, le fichier apparaît ci-dessous."
    )
    return redirect("exports:index")


@agent_required()
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The row of one export, polled by htmx while it is being generated."""
    recover_interrupted(_exports(request).filter(pk=pk))
    export = get_object_or_404(_exports(request).select_related("cree_par"), pk=pk)
    return render(
        request,
        "exports/partials/ligne.html",
        {"export": export, "etats": EtatPortail.choices},
    )


@agent_required()
def download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(_exports(request), pk=pk)
    if not export.downloadable or not files.exists(export.fichier):
        raise Http404("Fichier indisponible.")
    return FileResponse(
        files.open_kept(export.fichier),
        as_attachment=True,
        filename=export.nom_fichier,
        content_type=export.content_type,
    )


@require_POST
@agent_required()
def portal_state(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(_exports(request), pk=pk)
    etat, message = request.POST.get("etat", ""), request.POST.get("message", "")
    closing = etat == EtatPortail.PEC_TERMINEE != export.etat_portail
    if closing and "confirme" not in request.POST:
        return _confirm_closing(request, export, message)
    try:
        set_portal_state(export, etat, message, request.user)
    except ExportRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"{export.nom_fichier} : « {export.get_etat_portail_display()} » enregistré."
        )
    return redirect("exports:index")


def _confirm_closing(request: HttpRequest, export: Export, message: str) -> HttpResponse:
    """ "PEC terminée" closes the quarter for good: said, and asked for again, before."""
    annee, trimestre = export.parametres["annee"], export.parametres["trimestre"]
    recenses = Recense.objects.for_request(request).filter(annee=annee, trimestre=trimestre)
    return render(
        request,
        "exports/pec_terminee.html",
        {
            "export": export,
            "message": message,
            "label": quarter_label(annee, trimestre),
            "total": recenses.count(),
        },
    )
