from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from electoral import imports, statistics
from electoral.cartes_revenues import RetourRefused, enregistrer_retour, find_inscription
from electoral.commission import (
    CommissionRefused,
    decider,
    movements_examined,
    planifier,
    scrutin_windows,
)
from electoral.forms import (
    BureauForm,
    CarteRevenueForm,
    DecisionCommissionForm,
    DecoupageForm,
    ElecteurFilterForm,
    ElecteurForm,
    InscriptionForm,
    MembreCommissionForm,
    ModificationForm,
    ProcurationFilterForm,
    ProcurationForm,
    RadiationForm,
    ReunionCommissionForm,
    ReuUploadForm,
    ScrutinForm,
    StatistiquesForm,
    TirageJuresForm,
    VoieForm,
)
from electoral.jures import TirageRefused, drawn_voters, tirer
from electoral.models import (
    BureauDeVote,
    CarteRevenue,
    Decoupage,
    Electeur,
    ImportReu,
    Inscription,
    Liste,
    MembreCommission,
    Procuration,
    ReunionCommission,
    Scrutin,
    TirageJures,
    TypeMouvement,
    Voie,
)
from electoral.procurations import ProcurationRefused, enregistrer, resilier
from electoral.services import (
    MODIFIABLE_FIELDS,
    MouvementRefused,
    controle_decoupage,
    inscrire,
    modifier,
    radier,
    refonte,
)
from mairie.history import history_entries, save_by
from mairie.models import Role
from mairie.pagination import page_of
from mairie.scoping import agent_required

PAGE_SIZE = 50
IMPORTS_PAGE_SIZE = 20
elections_agent = agent_required(Role.ELECTIONS)


def _electeur(request: HttpRequest, pk: int) -> Electeur:
    return get_object_or_404(Electeur.objects.for_request(request), pk=pk)


@elections_agent
def index(request: HttpRequest) -> HttpResponse:
    # Always bound: with no filter, the page lists the voters on a list.
    filters = ElecteurFilterForm(request.GET, collectivite=request.collectivite)
    electeurs = filters.filter(Electeur.objects.for_request(request))
    electeurs = electeurs.select_related("bureau").prefetch_related(
        Prefetch("inscriptions", queryset=Inscription.objects.on_list())
    )
    page = page_of(
        electeurs.order_by("nom_naissance", "prenoms", "id"),
        request.GET.get("page"),
        PAGE_SIZE,
        sort_below=filters.sort_below,
    )
    return render(
        request,
        "electoral/index.html",
        {"filters": filters, "page": page, "listes": Liste.choices},
    )


@elections_agent
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    electeur = _electeur(request, pk)
    inscriptions = list(
        electeur.inscriptions.select_related("bureau").order_by("radie_le", "liste")
    )
    return render(
        request,
        "electoral/detail.html",
        {
            "electeur": electeur,
            "inscriptions": inscriptions,
            # Radier needs a list the voter is still on.
            "radiable": any(inscription.radie_le is None for inscription in inscriptions),
            "mouvements": electeur.mouvements.select_related(
                "bureau_avant", "bureau_apres", "cree_par"
            ),
            "history": history_entries(electeur),
            "procurations": Procuration.objects.for_request(request)
            .filter(Q(mandant=electeur) | Q(mandataire=electeur))
            .select_related("mandant", "scrutin"),
            "today": timezone.localdate(),
        },
    )


def _movement_page(request, template: str, forms: dict, apply, success: str, context: dict):
    """Validate every form, apply the movement in one transaction, or show the refusal."""
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        try:
            with transaction.atomic():
                electeur = apply()
        except MouvementRefused as refusal:
            _refused(request, forms.get("form"), refusal)
        else:
            messages.success(request, success.format(electeur=electeur))
            return redirect("electoral:detail", pk=electeur.pk)
    return render(request, template, {**forms, **context})


def _refused(request: HttpRequest, form, refusal: MouvementRefused) -> None:
    """A refusal about the voter's own data shows on the voter's form, next to the field at
    fault or above it with a link to the voter already recorded; any other, as a message."""
    if form is not None and refusal.field in form.fields:
        form.add_error(refusal.field, str(refusal))
    elif form is not None and refusal.duplicate is not None:
        form.duplicate = refusal.duplicate
        form.add_error(None, str(refusal))
    else:
        messages.error(request, str(refusal))


def _inscrire(electeur: Electeur, movement: InscriptionForm, request: HttpRequest) -> Electeur:
    options = movement.cleaned_data
    inscrire(
        electeur,
        options["liste"],
        options["motif"],
        options["date_effet"],
        request.user,
        bureau=options["bureau"],
    )
    return electeur


@elections_agent
def inscription(request: HttpRequest) -> HttpResponse:
    data = request.POST or None
    form = ElecteurForm(data, collectivite=request.collectivite)
    movement = InscriptionForm(data, collectivite=request.collectivite)

    def apply() -> Electeur:
        return _inscrire(form.save(commit=False), movement, request)

    return _movement_page(
        request,
        "electoral/inscription.html",
        {"form": form, "movement": movement},
        apply,
        "{electeur} est inscrit(e).",
        {},
    )


@elections_agent
def inscription_liste(request: HttpRequest, pk: int) -> HttpResponse:
    """An existing voter joins another list (an EU citizen on both complementary lists)."""
    electeur = _electeur(request, pk)
    movement = InscriptionForm(request.POST or None, collectivite=request.collectivite)

    def apply() -> Electeur:
        return _inscrire(electeur, movement, request)

    return _movement_page(
        request,
        "electoral/mouvement.html",
        {"movement": movement},
        apply,
        "{electeur} est inscrit(e) sur une nouvelle liste.",
        {"electeur": electeur, "title": "Inscription sur une autre liste"},
    )


@elections_agent
def modification(request: HttpRequest, pk: int) -> HttpResponse:
    electeur = _electeur(request, pk)
    data = request.POST or None
    # A second copy for the form: the service compares against the stored voter.
    form = ElecteurForm(data, instance=_electeur(request, pk), collectivite=request.collectivite)
    movement = ModificationForm(data, collectivite=request.collectivite)

    def apply() -> Electeur:
        options = movement.cleaned_data
        # Every field the page shows is saved, whatever the motif: none is silently dropped.
        changes = {name: form.cleaned_data[name] for name in MODIFIABLE_FIELDS}
        modifier(
            electeur,
            changes,
            options["motif"],
            options["date_effet"],
            request.user,
            bureau=options["bureau"],
        )
        return electeur

    return _movement_page(
        request,
        "electoral/inscription.html",
        {"form": form, "movement": movement},
        apply,
        "{electeur} : modification enregistrée.",
        {"electeur": electeur},
    )


@elections_agent
def radiation(request: HttpRequest, pk: int) -> HttpResponse:
    electeur = _electeur(request, pk)
    if not electeur.inscriptions.actives().exists():
        # Else the form would offer no list and could only fail.
        messages.error(request, f"{electeur} n'est inscrit(e) sur aucune liste : rien à radier.")
        return redirect("electoral:detail", pk=electeur.pk)
    movement = RadiationForm(request.POST or None, electeur=electeur)

    def apply() -> Electeur:
        options = movement.cleaned_data
        radier(electeur, options["liste"], options["motif"], options["date_effet"], request.user)
        return electeur

    return _movement_page(
        request,
        "electoral/mouvement.html",
        {"movement": movement},
        apply,
        "{electeur} est radié(e).",
        {"electeur": electeur, "title": "Radiation"},
    )


@elections_agent
def bureaux(request: HttpRequest) -> HttpResponse:
    rows = BureauDeVote.objects.for_request(request).order_by("code")
    counts = defaultdict(dict)
    for row in (
        Inscription.objects.on_list()
        .for_request(request)
        .values("bureau", "liste")
        .annotate(n=Count("id"))
    ):
        counts[row["bureau"]][row["liste"]] = row["n"]
    table = [
        (bureau, [counts[bureau.pk].get(liste, 0) for liste in Liste.values]) for bureau in rows
    ]
    return render(request, "electoral/bureaux.html", {"table": table, "listes": Liste.choices})


@elections_agent
def bureau_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    bureau = get_object_or_404(BureauDeVote.objects.for_request(request), pk=pk) if pk else None
    form = BureauForm(request.POST or None, instance=bureau, collectivite=request.collectivite)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Bureau {saved} enregistré.")
        return redirect("electoral:bureaux")
    return render(request, "electoral/form.html", {"form": form, "title": "Bureau de vote"})


@require_POST
@elections_agent
def bureau_refonte(request: HttpRequest, pk: int) -> HttpResponse:
    bureau = get_object_or_404(BureauDeVote.objects.for_request(request), pk=pk)
    liste = request.POST.get("liste", "")
    if liste not in Liste.values:
        messages.error(request, "Choisissez la liste à renuméroter.")
    else:
        count = refonte(bureau, liste, request.user)
        messages.success(
            request,
            f"Refonte du bureau {bureau.code}, {Liste(liste).label} : "
            f"{count} électeurs renumérotés.",
        )
    return redirect("electoral:bureaux")


@elections_agent
def voies(request: HttpRequest) -> HttpResponse:
    rows = Voie.objects.for_request(request).prefetch_related(
        Prefetch("decoupages", queryset=Decoupage.objects.select_related("bureau"))
    )
    form = VoieForm(request.POST or None, collectivite=request.collectivite)
    if request.method == "POST" and form.is_valid():
        voie = form.save()
        messages.success(request, f"Voie {voie} ajoutée : indiquez son découpage.")
        return redirect("electoral:voie", pk=voie.pk)
    page = page_of(rows, request.GET.get("page"), PAGE_SIZE)
    return render(request, "electoral/voies.html", {"page": page, "form": form})


@elections_agent
def voie(request: HttpRequest, pk: int) -> HttpResponse:
    street = get_object_or_404(Voie.objects.for_request(request), pk=pk)
    form = DecoupageForm(request.POST or None, voie=street)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Règle de découpage ajoutée.")
        return redirect("electoral:voie", pk=street.pk)
    rules = street.decoupages.select_related("bureau")
    return render(request, "electoral/voie.html", {"voie": street, "rules": rules, "form": form})


@require_POST
@elections_agent
def decoupage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Decoupage.objects.for_request(request), pk=pk)
    street = rule.voie
    rule.delete()
    messages.success(request, "Règle supprimée.")
    return redirect("electoral:voie", pk=street.pk)


@elections_agent
def controle(request: HttpRequest) -> HttpResponse:
    """The découpage against the voters on a list: addresses it cannot place, and voters whose
    bureau is not the one it gives their address."""
    return render(
        request, "electoral/controle.html", {"controle": controle_decoupage(request.collectivite)}
    )


@elections_agent
def import_reu(request: HttpRequest) -> HttpResponse:
    """Upload an ELIRE extraction: analysed in the background, imported once confirmed."""
    form = ReuUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = imports.start(request.collectivite, form.cleaned_data["fichier"], request.user)
        return redirect("electoral:import_reu_detail", pk=pending.pk)
    rows = ImportReu.objects.for_request(request).select_related("cree_par")
    page = page_of(rows, request.GET.get("page"), IMPORTS_PAGE_SIZE)
    return render(request, "electoral/import_reu.html", {"form": form, "page": page})


@elections_agent
def import_reu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pending = get_object_or_404(ImportReu.objects.for_request(request), pk=pk)
    # htmx polls the report block while the worker analyses or imports.
    template = "electoral/partials/import_rapport.html" if request.htmx else None
    return render(
        request,
        template or "electoral/import_reu_detail.html",
        {"import": pending, "etape": imports.status(pending)},
    )


@require_POST
@elections_agent
def import_reu_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (imported in the background, in one transaction) or abandon an analysed file."""
    pending = get_object_or_404(ImportReu.objects.for_request(request), pk=pk)
    try:
        if request.POST.get("decision") == "confirmer":
            imports.confirm(pending, request.user, bool(request.POST.get("creer_bureaux")))
            messages.success(request, "Import lancé : le résultat s'affiche ci-dessous.")
        else:
            imports.abandon(pending, request.user)
            messages.success(request, "Import abandonné : rien n'a été modifié.")
    except imports.ImportClosed as closed:
        messages.error(request, str(closed))
    return redirect("electoral:import_reu_detail", pk=pending.pk)


@elections_agent
def scrutins(request: HttpRequest) -> HttpResponse:
    form = ScrutinForm(request.POST or None, collectivite=request.collectivite)
    if request.method == "POST" and form.is_valid():
        scrutin = form.save()
        messages.success(request, f"Scrutin {scrutin} enregistré.")
        return redirect("electoral:scrutins")
    rows = Scrutin.objects.for_request(request).annotate(nombre=Count("procurations"))
    return render(request, "electoral/scrutins.html", {"form": form, "scrutins": rows})


@elections_agent
def procurations(request: HttpRequest) -> HttpResponse:
    filters = ProcurationFilterForm(request.GET, collectivite=request.collectivite)
    rows = filters.filter(Procuration.objects.for_request(request))
    page = page_of(
        rows.select_related("mandant", "mandataire", "scrutin"),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "electoral/procurations.html",
        {"filters": filters, "page": page, "today": timezone.localdate()},
    )


@elections_agent
def procuration(request: HttpRequest, pk: int) -> HttpResponse:
    mandant = _electeur(request, pk)
    form = ProcurationForm(request.POST or None, collectivite=request.collectivite)
    form.instance.mandant = mandant
    if request.method == "POST" and form.is_valid():
        try:
            saved = enregistrer(form.instance, request.user)
        except ProcurationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, f"Procuration de {mandant} à {saved.mandataire_display} enregistrée."
            )
            return redirect("electoral:detail", pk=mandant.pk)
    return render(request, "electoral/procuration.html", {"form": form, "electeur": mandant})


@require_POST
@elections_agent
def procuration_resiliation(request: HttpRequest, pk: int) -> HttpResponse:
    proxy = get_object_or_404(Procuration.objects.for_request(request), pk=pk)
    try:
        resilier(proxy, timezone.localdate(), request.user)
    except ProcurationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Procuration de {proxy} résiliée.")
    return redirect("electoral:detail", pk=proxy.mandant_id)


@elections_agent
def statistiques(request: HttpRequest) -> HttpResponse:
    form = StatistiquesForm(request.GET)
    day = form.day
    collectivite = request.collectivite
    pyramide, sans_date = statistics.age_pyramid(collectivite, day)
    note = (
        f"{sans_date} électeur(s) sans date de naissance complète, hors pyramide."
        if sans_date
        else ""
    )
    context = {
        "form": form,
        "bureaux": statistics.voters_per_bureau(collectivite, day),
        "pyramide": pyramide,
        "pyramide_note": note,
        "inscriptions": statistics.movements_per_month(
            collectivite, day, TypeMouvement.INSCRIPTION
        ),
        "radiations": statistics.movements_per_month(collectivite, day, TypeMouvement.RADIATION),
        "nouveaux": statistics.new_since_last_scrutin(collectivite, day),
    }
    return render(request, "electoral/statistiques.html", context)


@elections_agent
def jures(request: HttpRequest) -> HttpResponse:
    form = TirageJuresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tirage = tirer(
                request.collectivite,
                data["annee"],
                data["nombre"],
                request.user,
                day=timezone.localdate(),
                graine=data["graine"],
            )
        except TirageRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"{tirage} : {len(tirage.tires)} électeurs tirés.")
            return redirect("electoral:tirage", pk=tirage.pk)
    tirages = TirageJures.objects.for_request(request).select_related("cree_par")
    return render(request, "electoral/jures.html", {"form": form, "tirages": tirages})


@elections_agent
def tirage(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(TirageJures.objects.for_request(request), pk=pk)
    return render(
        request,
        "electoral/tirage.html",
        {"tirage": draw, "electeurs": drawn_voters(draw), "history": history_entries(draw)},
    )


@elections_agent
def commission(request: HttpRequest) -> HttpResponse:
    collectivite = request.collectivite
    membre = MembreCommissionForm(
        request.POST if "membre" in request.POST else None, collectivite=collectivite
    )
    reunion = ReunionCommissionForm(
        request.POST if "reunion" in request.POST else None, collectivite=collectivite
    )
    if membre.is_bound and membre.is_valid():
        saved = membre.save()
        messages.success(request, f"{saved} ajouté(e) à la commission de contrôle.")
        return redirect("electoral:commission")
    if reunion.is_bound and reunion.is_valid():
        try:
            meeting = planifier(reunion.instance, request.user)
        except CommissionRefused as refusal:
            reunion.add_error("depuis", str(refusal))
        else:
            messages.success(request, f"{meeting} enregistrée.")
            return redirect("electoral:reunion", pk=meeting.pk)
    context = {
        "membre_form": membre,
        "reunion_form": reunion,
        "membres": MembreCommission.objects.for_request(request),
        "reunions": ReunionCommission.objects.for_request(request).annotate(
            nombre=Count("decisions")
        ),
        "windows": scrutin_windows(collectivite, timezone.localdate()),
    }
    return render(request, "electoral/commission.html", context)


@require_POST
@elections_agent
def membre_retrait(request: HttpRequest, pk: int) -> HttpResponse:
    membre = get_object_or_404(MembreCommission.objects.for_request(request), pk=pk)
    membre.actif = False
    save_by(membre, request.user)
    messages.success(request, f"{membre} n'est plus membre en fonctions.")
    return redirect("electoral:commission")


@elections_agent
def reunion(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(ReunionCommission.objects.for_request(request), pk=pk)
    movements = movements_examined(meeting)
    form = DecisionCommissionForm(request.POST or None, movements=movements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decider(
                meeting, data["mouvement"], data["decision"], data["observations"], request.user
            )
        except CommissionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Décision enregistrée au registre.")
            return redirect("electoral:reunion", pk=meeting.pk)
    tableau = {"kind": "tableau", "liste": Liste.PRINCIPALE}
    tableau |= {"du": f"{meeting.depuis:%Y-%m-%d}", "au": f"{meeting.date:%Y-%m-%d}"}
    context = {
        "reunion": meeting,
        "form": form,
        "decisions": meeting.decisions.select_related("mouvement__electeur"),
        "mouvements": movements.count(),
        "tableau_query": urlencode(tableau),
    }
    return render(request, "electoral/reunion.html", context)


@elections_agent
def cartes_revenues(request: HttpRequest) -> HttpResponse:
    form = CarteRevenueForm(request.POST or None, collectivite=request.collectivite)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inscription = find_inscription(
                request.collectivite, data["liste"], data["reference"], data["bureau"]
            )
            retour = enregistrer_retour(
                inscription, data["motif"], timezone.localdate(), request.user
            )
        except RetourRefused as refusal:
            form.add_error("reference", str(refusal))
        else:
            messages.success(request, f"{retour} : enregistrée.")
            # The same bureau and list stay chosen for the next card of the bundle.
            query = urlencode(
                {"liste": data["liste"], "bureau": data["bureau"].pk if data["bureau"] else ""}
            )
            return redirect(f"{reverse('electoral:cartes_revenues')}?{query}")
    if request.method == "GET":
        form = CarteRevenueForm(
            initial={
                "liste": request.GET.get("liste", Liste.PRINCIPALE),
                "bureau": request.GET.get("bureau"),
            },
            collectivite=request.collectivite,
        )
    rows = CarteRevenue.objects.for_request(request).select_related("electeur__bureau", "cree_par")
    page = page_of(rows, request.GET.get("page"), PAGE_SIZE)
    return render(request, "electoral/cartes_revenues.html", {"form": form, "page": page})
