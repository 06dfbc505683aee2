from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mairie import files
from mairie.history import history_entries
from mairie.models import Role
from mairie.pagination import page_of
from mairie.scoping import agent_required
from recensement import demandes, statistics
from recensement.attestation import (
    AttestationRefused,
    Signataire,
    cancel_attestation,
    issue_attestation,
    render_attestation_pdf,
)
from recensement.forms import (
    AttestationCancelForm,
    DemandeRefusForm,
    DemandesUploadForm,
    RecenseFilterForm,
    RecenseForm,
    StatistiquesForm,
    demande_form,
)
from recensement.models import (
    DemandeEnLigne,
    Recense,
    RecenseLocked,
    StatutDemande,
    Trimestre,
    quarter_label,
)
from recensement.notice import notice_filename, render_notice_pdf
from recensement.quarters import quarter_rows
from recensement.services import (
    QuarterError,
    closed_message,
    due_quarter,
    is_closed,
    is_current_quarter,
    numbering_plan,
    numeroter,
    quarters_between,
)

PAGE_SIZE = 50
recensement_agent = agent_required(Role.RECENSEMENT)


def _recense(request: HttpRequest, pk: int) -> Recense:
    return get_object_or_404(Recense.objects.for_request(request), pk=pk)


@recensement_agent
def index(request: HttpRequest) -> HttpResponse:
    recenses = Recense.objects.for_request(request)
    filters = RecenseFilterForm(request.GET or None, quarters=quarters_between(recenses))
    if filters.is_bound:
        recenses = filters.filter(recenses)
    page = page_of(
        recenses,
        request.GET.get("page"),
        PAGE_SIZE,
        sort_below=filters.sort_below,
    )
    return render(
        request,
        "recensement/index.html",
        {
            "filters": filters,
            "page": page,
            "search": RecenseFilterForm.query(request.GET),
            "back": RecenseFilterForm.query(request.GET, "page"),
        },
    )


def list_url(retour: str) -> str:
    """The registrants list at the search and page a detail page was opened from (`retour`, a
    query string): always the list's own path, whatever `retour` holds (no open redirect)."""
    query = RecenseFilterForm.query(QueryDict(retour), "page")
    return f"{reverse('recensement:index')}?{query}" if query else reverse("recensement:index")


def _form(request: HttpRequest, recense: Recense | None, message: str) -> HttpResponse:
    form = RecenseForm(request.POST or None, instance=recense, collectivite=request.collectivite)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            # Two agents saving the same person at once: the database constraint decides.
            form.add_error(None, "Cette personne vient d'être recensée par un autre agent.")
        except RecenseLocked as refusal:  # the quarter was closed while the form was open
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"{message.format(recense=saved)} Mode : {saved.get_mode_display()} "
                f"({saved.motif_mode}).",
            )
            return redirect("recensement:detail", pk=saved.pk)
    return render(request, "recensement/form.html", {"form": form, "recense": recense})


@recensement_agent
def create(request: HttpRequest) -> HttpResponse:
    return _form(request, None, "{recense} est recensé(e).")


@recensement_agent
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    recense = _recense(request, pk)
    if is_closed(request.collectivite, recense.annee, recense.trimestre):
        messages.error(request, closed_message(recense.annee, recense.trimestre))
        return redirect("recensement:detail", pk=recense.pk)
    return _form(request, recense, "Fiche de {recense} enregistrée.")


@recensement_agent
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    recense = _recense(request, pk)
    closed = is_closed(request.collectivite, recense.annee, recense.trimestre)
    return render(
        request,
        "recensement/detail.html",
        {
            "recense": recense,
            "back_url": list_url(request.GET.get("retour", "")),
            "attestation": recense.attestation,
            "attestations": recense.attestations.select_related("delivree_par", "annulee_par"),
            "demandes_en_ligne": recense.demandes_en_ligne.exclude(fichier_pdf=""),
            "history": history_entries(recense),
            "signataires": Signataire.choices,
            "cancel_form": AttestationCancelForm(),
            "can_cancel": request.affectation.allows(Role.RESPONSABLE),
            "closed": closed,
        },
    )


@recensement_agent
def trimestres(request: HttpRequest) -> HttpResponse:
    """Each quarter's whole state on one line, with the one action that comes next."""
    rows = quarter_rows(
        request.collectivite,
        Recense.objects.for_request(request),
        Trimestre.objects.for_request(request),
    )
    return render(request, "recensement/trimestres.html", {"rows": rows})


@recensement_agent
def statistiques(request: HttpRequest) -> HttpResponse:
    form = StatistiquesForm(request.GET)
    period, collectivite = form.period, request.collectivite
    context = {
        "form": form,
        "period": period,
        "total": statistics.total(collectivite, period),
        "modes": statistics.by_sex_and_mode(collectivite, period),
        "naissance": statistics.born_abroad(collectivite, period),
        "nationalite": statistics.nationality(collectivite, period),
        "demandes": statistics.online_and_counter(collectivite, period),
        "delais": statistics.delays(collectivite, period),
    }
    return render(request, "recensement/statistiques.html", context)


@recensement_agent
def numerotation(request: HttpRequest) -> HttpResponse:
    """Numbering asks for confirmation first (GET, or a POST without `confirme`): it cannot be
    undone."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and not data:
        data = dict(zip(("annee", "trimestre"), due_quarter(), strict=True))
    try:
        annee, trimestre = int(data["annee"]), int(data["trimestre"])
    except (KeyError, ValueError):
        messages.error(request, "Choisissez l'année et le trimestre à numéroter.")
        return redirect("recensement:trimestres")
    if request.method != "POST" or "confirme" not in data:
        return render(
            request,
            "recensement/numerotation.html",
            {
                "annee": annee,
                "trimestre": trimestre,
                "label": quarter_label(annee, trimestre),
                "plan": numbering_plan(request.collectivite, annee, trimestre),
                "closed": is_closed(request.collectivite, annee, trimestre),
                "en_cours": is_current_quarter(annee, trimestre),
            },
        )
    try:
        count = numeroter(request.collectivite, annee, trimestre, request.user)
    except QuarterError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"T{trimestre} {annee} : {count} recensé{'s' if count > 1 else ''} "
            f"numéroté{'s' if count > 1 else ''}.",
        )
    return redirect("recensement:trimestres")


@recensement_agent
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    recense = _recense(request, pk)
    if request.method == "POST":
        name = str(recense)
        try:
            recense.delete()
        except RecenseLocked as refusal:
            messages.error(request, str(refusal))
            return redirect("recensement:detail", pk=recense.pk)
        messages.success(request, f"La fiche de {name} a été supprimée.")
        return redirect("recensement:index")
    refusal = recense.deletion_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect("recensement:detail", pk=recense.pk)
    return render(request, "recensement/delete.html", {"recense": recense})


@require_POST
@recensement_agent
def attestation(request: HttpRequest, pk: int) -> HttpResponse:
    recense = _recense(request, pk)
    try:
        issued = issue_attestation(recense, request.user, request.POST.get("signataire"))
    except AttestationRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("recensement:detail", pk=recense.pk)
    response = HttpResponse(render_attestation_pdf(issued), content_type="application/pdf")
    filename = f"attestation-recensement-{recense.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@recensement_agent
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice individuelle, to print and sign; printing it records nothing."""
    recense = _recense(request, pk)
    response = HttpResponse(render_notice_pdf(recense), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice_filename(recense)}"'
    return response


@require_POST
@agent_required(Role.RESPONSABLE)
def attestation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    recense = _recense(request, pk)
    form = AttestationCancelForm(request.POST)
    issued = recense.attestation
    if issued is None:
        messages.error(request, "Aucune attestation délivrée à annuler.")
    elif not form.is_valid():
        messages.error(request, " ".join(form.errors["motif"]))
    else:
        cancel_attestation(issued, request.user, form.cleaned_data["motif"])
        messages.success(
            request, "Délivrance annulée : l'attestation peut être imprimée une nouvelle fois."
        )
    return redirect("recensement:detail", pk=recense.pk)


def _demande(request: HttpRequest, pk: int) -> DemandeEnLigne:
    return get_object_or_404(DemandeEnLigne.objects.for_request(request), pk=pk)


REPORT_LEVELS = {
    "creee": messages.SUCCESS,
    "doublon": messages.WARNING,
    "ignore": messages.INFO,
    "refuse": messages.ERROR,
}


@recensement_agent
def demandes_index(request: HttpRequest) -> HttpResponse:
    """Online requests (HubEE dossiers): upload, and the queue to validate."""
    form = DemandesUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = [
            demandes.Upload(f.name, f.size, lambda f=f: f)
            for f in request.FILES.getlist("fichiers")
        ]
        for report in demandes.import_uploads(request.collectivite, uploads, request.user):
            messages.add_message(request, REPORT_LEVELS[report.statut], report.message)
        return redirect("recensement:demandes")
    rows = (
        DemandeEnLigne.objects.for_request(request)
        .select_related("recense", "traitee_par")
        .annotate(nb_pieces=Count("pieces_jointes"))
    )
    statut = request.GET.get("statut", StatutDemande.A_TRAITER)
    if statut in StatutDemande.values:
        rows = rows.filter(statut=statut)
    page = page_of(rows, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "recensement/demandes.html",
        {"form": form, "page": page, "statut": statut, "statuts": StatutDemande.choices},
    )


@recensement_agent
def demande_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demande = _demande(request, pk)
    return render(
        request,
        "recensement/demande_detail.html",
        {
            "demande": demande,
            "pieces": demande.pieces_jointes.all(),
            "apercu": demandes.donnees_recense(demande),
            "problems": demandes.problems(demande) if demande.a_traiter else [],
            "refus_form": DemandeRefusForm(),
            "history": history_entries(demande),
        },
    )


def _pdf(name: str, filename: str) -> FileResponse:
    if not files.exists(name):
        raise Http404("Fichier absent.")
    return FileResponse(
        files.open_kept(name), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@recensement_agent
def demande_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The Cerfa copy of the request."""
    demande = _demande(request, pk)
    return _pdf(demande.fichier_pdf, demande.nom_fichier_pdf or f"demande-{demande.pk}.pdf")


@recensement_agent
def demande_piece(request: HttpRequest, pk: int, piece: int) -> FileResponse:
    """An attachment, reached through its request: another collectivité's is not found."""
    attachment = get_object_or_404(_demande(request, pk).pieces_jointes, pk=piece)
    return _pdf(attachment.fichier, attachment.nom)


@require_POST
@recensement_agent
def demande_refuser(request: HttpRequest, pk: int) -> HttpResponse:
    demande = _demande(request, pk)
    form = DemandeRefusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["motif"]))
        return redirect("recensement:demande_detail", pk=demande.pk)
    try:
        demandes.refuse(demande, form.cleaned_data["motif"], request.user)
    except demandes.DemandeError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Demande {demande.identifiant} refusée ; le motif est conservé.")
    return redirect("recensement:demande_detail", pk=demande.pk)


@recensement_agent
def demande_valider(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrant form pre-filled from the request: the agent completes and validates it."""
    demande = _demande(request, pk)
    if not demande.a_traiter:
        messages.error(request, f"Cette demande a déjà été {demande.get_statut_display()}.")
        return redirect("recensement:demande_detail", pk=demande.pk)
    form = demande_form(demande, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recense = demandes.validate(demande, form.save(commit=False), request.user)
        except demandes.DemandeError as refusal:
            messages.error(request, str(refusal))
            return redirect("recensement:demande_detail", pk=demande.pk)
        except RecenseLocked as refusal:  # the quarter was closed while the form was open
            form.add_error(None, str(refusal))
        except IntegrityError:
            form.add_error(None, "Cette personne vient d'être recensée par un autre agent.")
        else:
            messages.success(
                request,
                f"Demande {demande.identifiant} validée : {recense} est recensé(e) au "
                f"{recense.date_recensement:%d/%m/%Y}. Mode : {recense.get_mode_display()} "
                f"({recense.motif_mode}). Imprimez l'attestation.",
            )
            return redirect("recensement:detail", pk=recense.pk)
    return render(
        request,
        "recensement/demande_form.html",
        {"form": form, "demande": demande, "problems": demandes.problems(demande)},
    )
