"""The attestation de recensement: who signs it, its PDF, and its one-time issuance.

The mairie issues it once and never a duplicate (code du service national, L.113-2); its content
follows the instruction of 5 January 2004, article 7.
"""

from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from mairie.documents import render_pdf
from mairie.history import save_by
from mairie.models import Collectivite, Sexe, departement_as_written
from mairie.places import is_abroad
from recensement.models import ATTESTATION_DELIVREE, Attestation, Mode, Recense


class AttestationRefused(Exception):
    """The attestation cannot be issued or cancelled; the message (French) is for the agent."""


class Signataire(models.TextChoices):
    MAIRE = "maire", "Le maire"
    DELEGATION = "delegation", "Le responsable recensement, par délégation du maire"


def _lower_first(text: str) -> str:
    # A qualité follows a comma ("…, adjoint administratif") but acronyms (DGS) keep their case.
    return text if text.split()[0].isupper() else text[:1].lower() + text[1:]


def signataire_text(collectivite: Collectivite, signataire: str) -> str:
    """The signatory line printed under "Fait à …": name and quality of the maire or delegate."""
    # Views pass the posted value unchecked: a missing one is the agent's to choose, not a crash.
    if signataire not in Signataire.values:
        raise AttestationRefused("Choisissez le signataire de l'attestation.")
    settings_hint = "complétez les paramètres de la collectivité dans l'administration."
    if signataire == Signataire.MAIRE:
        prenom, nom = collectivite.maire_prenom.strip(), collectivite.maire_nom.strip()
        if not (prenom and nom):
            raise AttestationRefused(
                f"Le nom et le prénom du maire ne sont pas renseignés : {settings_hint}"
            )
        return f"{collectivite.maire_as_printed}, maire"
    prenom, nom = collectivite.responsable_prenom.strip(), collectivite.responsable_nom.strip()
    qualite = collectivite.responsable_qualite.strip()
    if not (prenom and nom):
        raise AttestationRefused(
            f"Le nom et le prénom du responsable recensement ne sont pas renseignés : "
            f"{settings_hint}"
        )
    # Article 7 requires the quality of a delegated signatory, not only their name.
    if not qualite:
        raise AttestationRefused(
            f"La qualité du responsable recensement n'est pas renseignée : {settings_hint}"
        )
    return f"Pour le maire et par délégation, {prenom} {nom.upper()}, {_lower_first(qualite)}"


def lieu_naissance(recense: Recense) -> str:
    """As printed on documents: "Saint-Malo (35)" or "Madrid (Espagne)"."""
    if is_abroad(recense.naissance_code_lieu):
        return f"{recense.naissance_commune} ({recense.naissance_pays})"
    departement = recense.naissance_departement
    if not departement:
        return recense.naissance_commune
    return f"{recense.naissance_commune} ({departement_as_written(departement)})"


def render_attestation_pdf(attestation: Attestation) -> bytes:
    """The printable attestation: one A4 page, fonts and images from the local disk only."""
    recense = attestation.recense
    collectivite = recense.collectivite
    return render_pdf(
        "recensement/attestation_pdf.html",
        {
            "attestation": attestation,
            "recense": recense,
            "collectivite": collectivite,
            "e": "e" if recense.sexe == Sexe.FEMININ else "",
            "lieu_naissance": lieu_naissance(recense),
            "domicile": recense.address_lines("domicile"),
            "delivree_le": timezone.localtime(attestation.delivree_le),
        },
    )


def _refuse_if_issued(recense: Recense) -> None:
    issued = (
        recense.attestations.filter(ATTESTATION_DELIVREE).select_related("delivree_par").first()
    )
    if issued is None:
        return
    agent = issued.delivree_par.get_full_name() or issued.delivree_par.get_username()
    raise AttestationRefused(
        f"L'attestation de recensement a déjà été délivrée le "
        f"{timezone.localtime(issued.delivree_le):%d/%m/%Y à %H:%M} par {agent}. "
        "La mairie ne délivre pas de duplicata : en cas de perte, la personne demande un "
        "certificat de recensement au centre du service national (CSN)."
    )


def issue_attestation(recense: Recense, user: AbstractUser, signataire: str) -> Attestation:
    """Record the one issuance of the person's attestation (refused if a valid one exists)."""
    if recense.mode == Mode.NON_RECENSE:
        raise AttestationRefused(
            "Cette personne a été inscrite d'office sans s'être présentée : aucune attestation "
            "de recensement ne lui est délivrée. Si elle se présente, enregistrez son recensement."
        )
    text = signataire_text(recense.collectivite, signataire)
    with transaction.atomic():
        # The lock serialises two agents clicking "Délivrer" at the same time.
        locked = Recense.objects.select_for_update().get(pk=recense.pk)
        _refuse_if_issued(locked)
        attestation = Attestation(recense=locked, delivree_par=user, signataire=text)
        try:
            with transaction.atomic():
                save_by(attestation, user)
        except IntegrityError:
            # The partial unique constraint caught an issuance the lock did not see.
            _refuse_if_issued(locked)
            raise
    return attestation


def cancel_attestation(attestation: Attestation, user: AbstractUser, motif: str) -> None:
    """Cancel an issuance (e.g. printed with an error) so that a new one can be issued."""
    motif = motif.strip()
    if not motif:
        raise AttestationRefused("Indiquez le motif de l'annulation.")
    with transaction.atomic():
        locked = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if locked.annulee_le is not None:
            raise AttestationRefused(
                "Cette attestation a déjà été annulée le "
                f"{timezone.localtime(locked.annulee_le):%d/%m/%Y à %H:%M}."
            )
        attestation.annulee_le = timezone.now()
        attestation.annulee_par = user
        attestation.motif_annulation = motif
        save_by(attestation, user, update_fields=["annulee_le", "annulee_par", "motif_annulation"])
