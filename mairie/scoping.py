"""The one place that decides which collectivité's data a request may see.

`request.collectivite` is the agent's current collectivité (chosen in the navbar, kept in the
session, always one the agent belongs to); models holding personal data inherit
`CollectiviteOwned` and views reach them only through `Model.objects.for_request(request)`,
so another collectivité's object is simply not found (404).
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from mairie.models import Affectation, Collectivite
from mairie.text import search_key

SESSION_KEY = "collectivite_id"


def _affectations(request: HttpRequest) -> list[Affectation]:
    if not request.user.is_authenticated:
        return []
    return list(
        Affectation.objects.filter(user=request.user)
        .select_related("collectivite")
        .order_by("collectivite__nom")
    )


def _current(request: HttpRequest) -> Affectation | None:
    affectations = request.affectations
    chosen = request.session.get(SESSION_KEY)
    for affectation in affectations:
        if affectation.collectivite_id == chosen:
            return affectation
    return affectations[0] if affectations else None


class CurrentCollectiviteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.affectations = _affectations(request)
        request.affectation = _current(request)
        request.collectivite = request.affectation.collectivite if request.affectation else None
        return self.get_response(request)


def select_collectivite(request: HttpRequest, affectation: Affectation) -> None:
    request.session[SESSION_KEY] = affectation.collectivite_id


def collectivite_context(request: HttpRequest) -> dict:
    if not hasattr(request, "affectations"):
        return {}
    return {
        "affectations": request.affectations,
        "current_affectation": request.affectation,
        "current_collectivite": request.collectivite,
    }


def agent_required(role: str | None = None) -> Callable:
    """Refuse (403) a user with no current collectivité, or whose role there does not cover
    `role` (any role when None)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.affectation is None:
                raise PermissionDenied("Vous n'êtes rattaché(e) à aucune collectivité.")
            if role is not None and not request.affectation.allows(role):
                raise PermissionDenied("Votre rôle dans cette collectivité ne donne pas accès.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class CollectiviteQuerySet(models.QuerySet):
    # The lookup from the model to its collectivité: a model reaching it through another
    # (an inscription through its voter) names the path in its own queryset.
    collectivite_path = "collectivite"

    def for_request(self, request: HttpRequest) -> "CollectiviteQuerySet":
        if request.collectivite is None:
            return self.none()
        return self.for_collectivite(request.collectivite)

    def for_collectivite(self, collectivite: Collectivite) -> "CollectiviteQuerySet":
        return self.filter(**{self.collectivite_path: collectivite})


SHORT_WORD = 3  # letters: a trigram


class SearchableQuerySet(CollectiviteQuerySet):
    """For models keeping their folded names in `recherche` (registrants, voters)."""

    def search(self, text: str) -> "SearchableQuerySet":
        """Every word must appear in a name, accents, case and punctuation ignored; a word of
        one or two letters must start a word of the name ("DU T" finds "DU TERTRE", not every
        name holding a T). It also keeps the search fast on PostgreSQL: a fragment that short
        has no trigram, but the start of a word has (" DU")."""
        queryset = self
        for word in search_key(text).split():
            if len(word) < SHORT_WORD:
                queryset = queryset.filter(
                    Q(recherche__startswith=word) | Q(recherche__contains=f" {word}")
                )
            else:
                queryset = queryset.filter(recherche__contains=word)
        return queryset


class CollectiviteOwned(models.Model):
    """Base of every model holding a collectivité's data (registrants, voters, exports)."""

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, verbose_name="collectivité"
    )

    objects = CollectiviteQuerySet.as_manager()

    class Meta:
        abstract = True
