"""Movements on the electoral lists, each applied in one transaction, and the numbering.

A voter joins a list, leaves it or changes bureau only through these functions, which record
the Mouvement the tableaux are derived from. Their set-based twin is the REU import
(electoral.reu.apply), which writes the same rows for a whole extraction at once: both take
their vocabulary from electoral.models (the fields a modification changes, the next numéro
d'ordre, the street of an address, the search key), and a test checks that inscribing voters
here and importing the same voters write the same voters, inscriptions and movements."""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.utils import bulk_update_with_history

from electoral.models import (
    ADRESSE_FIELDS,
    MODIFIABLE_FIELDS,
    BureauDeVote,
    Decoupage,
    Electeur,
    Inscription,
    Liste,
    Mouvement,
    TypeMouvement,
    Voie,
    find_voie,
    next_numero,
    validate_date_effet,
)
from electoral.rules import (
    duplicate_message,
    same_identity,
    voter_birth_problem,
    voter_name_problem,
)
from mairie.history import save_by
from mairie.models import Collectivite
from mairie.text import search_key

LEADING_NUMBER = re.compile(r"^\s*(\d+)")

# The fields of a voter's identity (electoral.rules): a change of them is checked again.
IDENTITY_FIELDS = {"nom_naissance", "prenoms", "date_naissance"}


class MouvementRefused(Exception):
    """The movement cannot be applied; the message (French) is for the agent. `field`: the
    voter's field at fault, for a form to show it there; `duplicate`: the voter already
    recorded with this identity, for a form to link to."""

    def __init__(self, message: str, field: str | None = None, duplicate=None) -> None:
        super().__init__(message)
        self.field = field
        self.duplicate = duplicate


def check_names(electeur: Electeur) -> None:
    """The rule of names of persons (mairie.names) on the voter's names."""
    field, problem = voter_name_problem(electeur)
    if problem:
        label = Electeur._meta.get_field(field).verbose_name
        raise MouvementRefused(f"{capfirst(label)} : {problem}.", field=field)


def check_voter(electeur: Electeur, date_effet: datetime.date) -> None:
    """The rules of electoral.rules for a voter joining a list or changing état civil on
    `date_effet`: names under the rule of names, an age and a birth date that can be, and no
    other voter of that identity."""
    check_names(electeur)
    problem = voter_birth_problem(electeur, date_effet, timezone.localdate())
    if problem:
        raise MouvementRefused(f"{capfirst(problem)}.", field="date_naissance")
    existing = same_identity(electeur)
    if existing is not None:
        raise MouvementRefused(
            f"{capfirst(duplicate_message(existing))} : une seconde fiche est refusée.",
            duplicate=existing,
        )


@dataclass(frozen=True)
class BureauResolution:
    bureau: BureauDeVote | None
    problem: str  # empty when exactly one rule covers the address


def house_number(numero_voie: str) -> int | None:
    """ "12 BIS" -> 12; "" -> None."""
    match = LEADING_NUMBER.match(numero_voie or "")
    return int(match.group(1)) if match else None


def resolve_bureau(voie: Voie | None, numero_voie: str) -> BureauResolution:
    """The bureau of an address by the découpage; no rule or two rules are reported, not
    guessed."""
    address = f"{numero_voie} {voie}".strip() if voie else numero_voie
    if voie is None:
        return BureauResolution(None, "adresse hors des voies du découpage")
    number = house_number(numero_voie)
    rules = [rule for rule in voie.decoupages.all() if rule.covers(number)]
    if not rules:
        return BureauResolution(None, f"aucune règle du découpage ne couvre « {address} »")
    if len(rules) > 1:
        listed = " ; ".join(str(rule) for rule in rules)
        return BureauResolution(
            None, f"« {address} » est couvert par {len(rules)} règles : {listed}"
        )
    return BureauResolution(rules[0].bureau, "")


# The voters listed by name on the découpage check at most; the others are counted.
MAX_CONTRADICTIONS = 200


@dataclass
class ControleDecoupage:
    # Addresses (with their number of voters) that no rule or two rules cover.
    problems: list[dict]
    # Voters whose bureau is not the découpage's for their address: (voter, expected bureau).
    contradictions: list[tuple[Electeur, BureauDeVote]]
    contradictions_total: int


def controle_decoupage(collectivite: Collectivite) -> ControleDecoupage:
    """The voters on a list today against the découpage, each distinct address (and bureau)
    resolved once."""
    voters = Electeur.objects.for_collectivite(collectivite).filter(
        Exists(Inscription.objects.on_list().filter(electeur=OuterRef("pk")))
    )
    streets = {
        voie.pk: voie
        for voie in Voie.objects.for_collectivite(collectivite).prefetch_related(
            Prefetch("decoupages", queryset=Decoupage.objects.select_related("bureau"))
        )
    }
    keys = ("voie", "numero_voie", "type_voie", "libelle_voie", "lieu_dit")
    problems: dict[tuple, dict] = {}  # by address, whatever the bureaux of its voters
    wrong, total = Q(pk__in=[]), 0
    expected: dict[tuple[int, str], BureauDeVote] = {}
    addresses = (
        voters.values(*keys, "bureau")
        .annotate(electeurs=Count("id"))
        .order_by("libelle_voie", "numero_voie", "bureau")
    )
    for address in addresses:
        resolution = resolve_bureau(streets.get(address["voie"]), address["numero_voie"])
        if resolution.problem:
            place = tuple(address[key] for key in keys)
            if place in problems:
                problems[place]["electeurs"] += address["electeurs"]
            else:
                problems[place] = {**address, "problem": resolution.problem}
        elif resolution.bureau.pk != address["bureau"]:
            if total < MAX_CONTRADICTIONS:  # enough groups to list that many voters
                expected[address["voie"], address["numero_voie"]] = resolution.bureau
                wrong |= Q(
                    voie=address["voie"],
                    numero_voie=address["numero_voie"],
                    bureau=address["bureau"],
                )
            total += address["electeurs"]
    listed = voters.filter(wrong).select_related("bureau", "voie")
    listed = listed.order_by("voie__libelle", "numero_voie", "nom_naissance", "prenoms", "id")
    contradictions = [
        (electeur, expected[electeur.voie_id, electeur.numero_voie])
        for electeur in listed[:MAX_CONTRADICTIONS]
    ]
    return ControleDecoupage(list(problems.values()), contradictions, total)


def _lock(bureau: BureauDeVote) -> None:
    # Numbers are given under the bureau's row lock: two inscriptions never share one.
    BureauDeVote.objects.select_for_update().filter(pk=bureau.pk).first()


def _next_numero(bureau: BureauDeVote, liste: str) -> int:
    _lock(bureau)
    return next_numero(bureau, liste)


def _bureau_for(electeur: Electeur, bureau: BureauDeVote | None) -> BureauDeVote:
    if bureau is not None:
        if bureau.collectivite_id != electeur.collectivite_id:
            raise MouvementRefused("Ce bureau de vote n'est pas celui de la collectivité.")
        return bureau
    resolution = resolve_bureau(electeur.voie, electeur.numero_voie)
    if resolution.bureau is None:
        raise MouvementRefused(
            f"Bureau de vote introuvable : {resolution.problem}. Choisissez le bureau."
        )
    return resolution.bureau


def _check_date_effet(date_effet: datetime.date) -> None:
    try:
        validate_date_effet(date_effet)
    except ValidationError as error:
        raise MouvementRefused(error.messages[0]) from error


def _record(electeur: Electeur, kind: str, liste: str, motif: str, date_effet, user, **extra):
    return Mouvement.objects.create(
        collectivite=electeur.collectivite,
        electeur=electeur,
        type=kind,
        liste=liste,
        motif=motif,
        date_effet=date_effet,
        cree_par=user,
        **extra,
    )


def inscrire(
    electeur: Electeur,
    liste: str,
    motif: str,
    date_effet: datetime.date,
    user: AbstractBaseUser | None,
    bureau: BureauDeVote | None = None,
) -> Inscription:
    """Put a voter (new or already on another list) on `liste`, in their bureau (given, or by
    the découpage), with the next numéro d'ordre."""
    if liste not in Liste.values:
        raise MouvementRefused("Liste inconnue.")
    _check_date_effet(date_effet)
    with transaction.atomic():
        if electeur.pk is None:
            check_voter(electeur, date_effet)
        else:
            problem = voter_birth_problem(electeur, date_effet, timezone.localdate())
            if problem:
                raise MouvementRefused(f"{electeur} : {problem}.")
        chosen = _bureau_for(electeur, bureau or electeur.bureau)
        if electeur.pk and electeur.inscriptions.actives().filter(liste=liste).exists():
            raise MouvementRefused(f"{electeur} est déjà inscrit(e) sur la {Liste(liste).label}.")
        if electeur.pk is None or electeur.bureau_id != chosen.pk:
            # Else nothing of the voter changes: no save, no empty history record.
            electeur.bureau = chosen
            save_by(electeur, user)
        inscription = Inscription(
            electeur=electeur,
            liste=liste,
            bureau=chosen,
            numero_ordre=_next_numero(chosen, liste),
            inscrit_le=date_effet,
        )
        save_by(inscription, user)
        _record(
            electeur, TypeMouvement.INSCRIPTION, liste, motif, date_effet, user, bureau_apres=chosen
        )
        return inscription


def radier(
    electeur: Electeur,
    liste: str,
    motif: str,
    date_effet: datetime.date,
    user: AbstractBaseUser | None,
) -> None:
    _check_date_effet(date_effet)
    with transaction.atomic():
        inscription = electeur.inscriptions.actives().filter(liste=liste).first()
        if inscription is None:
            raise MouvementRefused(f"{electeur} n'est pas inscrit(e) sur la {Liste(liste).label}.")
        inscription.radie_le = date_effet
        save_by(inscription, user)
        _record(
            electeur,
            TypeMouvement.RADIATION,
            liste,
            motif,
            date_effet,
            user,
            bureau_avant=inscription.bureau,
        )


def display_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def modifier(
    electeur: Electeur,
    changes: dict,
    motif: str,
    date_effet: datetime.date,
    user: AbstractBaseUser | None,
    bureau: BureauDeVote | None = None,
) -> None:
    """Change address or état civil; a new address (or an explicit bureau) moves the voter's
    active inscriptions to that bureau with new numbers. One movement per list concerned."""
    unknown = set(changes) - set(MODIFIABLE_FIELDS)
    if unknown:
        raise MouvementRefused(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    _check_date_effet(date_effet)
    with transaction.atomic():
        electeur = Electeur.objects.select_for_update().get(pk=electeur.pk)
        before = electeur.bureau
        changed = {}
        for name, value in changes.items():
            if getattr(electeur, name) != value:
                changed[name] = [display_value(getattr(electeur, name)), display_value(value)]
                setattr(electeur, name, value)
        if IDENTITY_FIELDS & set(changed):
            check_voter(electeur, date_effet)
        elif "nom_usage" in changed:
            check_names(electeur)
        moves_address = any(name in ADRESSE_FIELDS for name in changed)
        after = before
        if bureau is not None or moves_address:
            after = _bureau_for(electeur, bureau)
        if not changed and after == before:
            raise MouvementRefused("Aucun changement.")
        electeur.bureau = after
        save_by(electeur, user)
        inscriptions = list(electeur.inscriptions.actives())
        if after != before:
            changed["bureau"] = [before.code if before else "", after.code]
            for inscription in inscriptions:
                inscription.bureau = after
                inscription.numero_ordre = _next_numero(after, inscription.liste)
                save_by(inscription, user)
        for inscription in inscriptions:
            _record(
                electeur,
                TypeMouvement.MODIFICATION,
                inscription.liste,
                motif,
                date_effet,
                user,
                bureau_avant=before,
                bureau_apres=after,
                changements=changed,
            )


def refonte(bureau: BureauDeVote, liste: str, user: AbstractBaseUser | None) -> int:
    """Renumber a bureau's list alphabetically (nom de naissance, prénoms, date de naissance)
    from 1; every new number is kept in the history with who did it."""
    with transaction.atomic():
        _lock(bureau)
        inscriptions = list(
            Inscription.objects.actives()
            .filter(bureau=bureau, liste=liste)
            .select_related("electeur")
        )
        inscriptions.sort(
            key=lambda i: (
                search_key(i.electeur.nom_naissance),
                search_key(i.electeur.prenoms),
                i.electeur.date_naissance or datetime.date.min,
                i.electeur.pk,
            )
        )
        # Clear first: the unique (bureau, liste, numéro) constraint holds at every statement.
        Inscription.objects.filter(pk__in=[i.pk for i in inscriptions]).update(numero_ordre=None)
        for numero, inscription in enumerate(inscriptions, start=1):
            inscription.numero_ordre = numero
        bulk_update_with_history(
            inscriptions,
            Inscription,
            ["numero_ordre"],
            batch_size=1000,
            default_user=user,
            default_change_reason=f"refonte du bureau {bureau.code}",
        )
        return len(inscriptions)


def new_electeur(collectivite: Collectivite, **fields) -> Electeur:
    """An unsaved voter of the collectivité, with its street found by name when it exists
    (electoral.models.find_voie: the same postcode first, as the REU import finds it)."""
    electeur = Electeur(collectivite=collectivite, **fields)
    if electeur.voie is None and electeur.libelle_voie:
        electeur.voie = find_voie(
            collectivite, electeur.type_voie, electeur.libelle_voie, electeur.code_postal
        )
    return electeur
