from collections import defaultdict

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from electoral import imports
from electoral.forms import (
    BureauForm,
    DecoupageForm,
    ElecteurFilterForm,
    ElecteurForm,
    InscriptionForm,
    ModificationForm,
    RadiationForm,
    ReuUploadForm,
    VoieForm,
)
from electoral.models import (
    BureauDeVote,
    Decoupage,
    Electeur,
    ImportReu,
    Inscription,
    Liste,
    Voie,
)
from electoral.services import (
    MODIFIABLE_FIELDS,
    MouvementRefused,
    controle_decoupage,
    inscrire,
    modifier,
    radier,
    refonte,
)
from mairie.history import history_entries
from mairie.models import Role
from mairie.pagination import page_of
from mairie.scoping import agent_required

PAGE_SIZE = 50
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
        .filter(bureau__collectivite=request.collectivite)
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
    rule = get_object_or_404(Decoupage, pk=pk, voie__collectivite=request.collectivite)
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
    recent = ImportReu.objects.for_request(request).select_related("cree_par")[:20]
    return render(request, "electoral/import_reu.html", {"form": form, "imports": recent})


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
