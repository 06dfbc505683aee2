"""The registrant (notice individuelle, Cerfa 10870) and the issuance of their attestation.

Text lengths and codes are those of the PECOTO layout v1 (exports.pecoto.LAYOUT), so that
whatever an agent types fits the quarterly file; tests/exports/test_pecoto.py compares every field
of the layout with this model and the registrant form. Accents are stored as typed; exports fold
them.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mairie.models import (
    CODE_FRANCE,
    Departement,
    Pays,
    Sexe,
    departement_as_written,
    phone_validator,
)
from mairie.names import validate_name
from mairie.places import is_abroad
from mairie.scoping import CollectiviteOwned, SearchableQuerySet
from mairie.text import search_key
from recensement.rules import OutOfAgeError, decide_mode

FRANCE = CODE_FRANCE

postal_code_validator = RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")


class Mode(models.TextChoices):
    RECENSE = "R", "recensé"
    REGULARISE = "G", "régularisé"
    NON_RECENSE = "N", "non recensé"


class Nationalite(models.TextChoices):
    NAISSANCE = "N", "français(e) de naissance"
    ACQUISE = "A", "devenu(e) français(e)"


class SituationFamiliale(models.TextChoices):
    CELIBATAIRE = "C", "célibataire"
    MARIE = "M", "marié(e)"
    PACSE = "P", "pacsé(e)"
    UNION_LIBRE = "L", "union libre"
    DIVORCE = "D", "divorcé(e)"
    VEUF = "V", "veuf / veuve"


class Pupille(models.TextChoices):
    NON = "0", "non"
    ETAT = "E", "pupille de l'État"
    NATION = "N", "pupille de la Nation"


class SituationScolaire(models.TextChoices):
    SECONDAIRE = "S", "enseignement secondaire"
    SUPERIEUR = "E", "enseignement supérieur"
    APPRENTISSAGE = "A", "apprentissage"
    NON_SCOLARISE = "N", "non scolarisé(e)"


class Diplome(models.TextChoices):
    AUCUN = "00", "aucun"
    BREVET = "01", "brevet"
    CAP_BEP = "02", "CAP / BEP"
    BAC = "03", "baccalauréat"
    BAC_2 = "04", "bac + 2"
    BAC_3 = "05", "bac + 3 ou plus"


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def identity_key(nom_naissance: str, prenoms: str) -> str:
    """What makes two registrations the same person (with the birth date): accents, case and
    punctuation ignored."""
    return f"{search_key(nom_naissance)}|{search_key(prenoms)}"


# The fields holding an INSEE country code (a place's code is one when it starts with 99), with
# the country's name stored next to it.
COUNTRY_CODE_FIELDS = [
    ("naissance_code_lieu", "naissance_pays"),
    ("residence_code_lieu", "residence_pays"),
    ("pere_naissance_code_lieu", "pere_naissance_pays"),
    ("mere_naissance_code_lieu", "mere_naissance_pays"),
    ("double_nationalite", ""),
    ("pere_nationalite", ""),
    ("mere_nationalite", ""),
]


def departement_name(code: str) -> str:
    """The département's name for its stored code (029 -> Finistère: the INSEE reference
    writes 29); the code itself when unknown."""
    name = (
        Departement.objects.filter(code=departement_as_written(code))
        .values_list("nccenr", flat=True)
        .first()
    )
    return name or code


def country_name(code: str) -> str:
    """The INSEE name of a country code (99134 -> Espagne); the code when unknown."""
    name = Pays.objects.filter(code=code).current_first().values_list("libenr", flat=True).first()
    return name or code


def nationality_name(code: str) -> str:
    """A nationality as the form offers it: "française", else the country's name."""
    return "française" if code == CODE_FRANCE else country_name(code)


def _place(prefix: str, label: str, required: bool = True) -> dict[str, models.Field]:
    """The four stored parts of a place (birth, address): INSEE code of the commune or 99xxx
    country code, commune or town abroad, 3-character département (blank abroad), country."""
    blank = not required
    return {
        f"{prefix}_code_lieu": models.CharField(
            f"code INSEE du lieu ({label})", max_length=5, blank=blank
        ),
        f"{prefix}_commune": models.CharField(
            f"commune ou ville à l'étranger ({label})", max_length=50, blank=blank
        ),
        f"{prefix}_departement": models.CharField(
            f"département ({label})", max_length=3, blank=True
        ),
        f"{prefix}_pays": models.CharField(f"pays ({label})", max_length=50, blank=blank),
    }


# An issuance of the attestation counts as delivered until it is cancelled: the detail page, the
# list's filter, the refusal of a second issuance and the uniqueness constraint read this one rule.
ATTESTATION_DELIVREE = models.Q(annulee_le__isnull=True)


class RecenseQuerySet(SearchableQuerySet):
    def attestation_delivree(self, delivered: bool = True) -> "RecenseQuerySet":
        """The registrants whose attestation is delivered (or, `delivered` false, is not)."""
        issued = models.Exists(
            Attestation.objects.filter(ATTESTATION_DELIVREE, recense=models.OuterRef("pk"))
        )
        return self.filter(issued if delivered else ~issued)


class Recense(CollectiviteOwned):
    # Recensement
    date_recensement = models.DateField("date de recensement", default=timezone.localdate)
    inscription_d_office = models.BooleanField(
        "inscrit(e) d'office par la mairie (non recensé)",
        default=False,
        help_text="Personne portée sur la liste sans s'être présentée.",
    )
    mode = models.CharField("mode", max_length=1, choices=Mode.choices, editable=False)
    motif_mode = models.CharField("délai", max_length=120, editable=False, blank=True)
    annee = models.PositiveSmallIntegerField("année", editable=False)
    trimestre = models.PositiveSmallIntegerField("trimestre", editable=False)
    numero_inscription = models.PositiveSmallIntegerField(
        "n° d'inscription", null=True, blank=True, editable=False
    )

    # État civil
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    nom_naissance = models.CharField("nom de naissance", max_length=50, validators=[validate_name])
    nom_usage = models.CharField(
        "nom d'usage",
        max_length=50,
        blank=True,
        validators=[validate_name],
        help_text="Seulement sur présentation d'un document qui en donne le droit.",
    )
    prenoms = models.CharField(
        "prénoms",
        max_length=60,
        validators=[validate_name],
        help_text="Tous les prénoms, dans l'ordre de l'acte, séparés par une espace.",
    )
    date_naissance = models.DateField("date de naissance")
    # The four parts of each place (see _place) are added to the class namespace.
    locals().update(_place("naissance", "naissance"))

    # Nationalité
    nationalite = models.CharField(
        "nationalité", max_length=1, choices=Nationalite.choices, default=Nationalite.NAISSANCE
    )
    date_acquisition_nationalite = models.DateField(
        "date d'acquisition de la nationalité", null=True, blank=True
    )
    double_nationalite = models.CharField(
        "double nationalité (code pays INSEE)", max_length=5, blank=True
    )

    # Adresses
    domicile_numero = models.CharField("numéro", max_length=6, blank=True)
    domicile_voie = models.CharField("voie (type et libellé)", max_length=60)
    domicile_complement = models.CharField("complément", max_length=38, blank=True)
    domicile_code_postal = models.CharField(
        "code postal", max_length=5, blank=True, validators=[postal_code_validator]
    )
    locals().update(_place("domicile", "domicile"))
    residence_identique = models.BooleanField("résidence identique au domicile", default=True)
    residence_numero = models.CharField("numéro", max_length=6, blank=True)
    residence_voie = models.CharField("voie (type et libellé)", max_length=60, blank=True)
    residence_complement = models.CharField("complément", max_length=38, blank=True)
    residence_code_postal = models.CharField(
        "code postal", max_length=5, blank=True, validators=[postal_code_validator]
    )
    locals().update(_place("residence", "résidence", required=False))
    telephone_fixe = models.CharField(
        "téléphone fixe", max_length=10, blank=True, validators=[phone_validator]
    )
    telephone_portable = models.CharField(
        "téléphone portable", max_length=10, blank=True, validators=[phone_validator]
    )
    courriel = models.EmailField("courriel", max_length=80, blank=True)

    # Filiation
    pere_connu = models.BooleanField("père déclaré", default=True)
    pere_nom = models.CharField(
        "nom de naissance du père", max_length=50, blank=True, validators=[validate_name]
    )
    pere_prenoms = models.CharField(
        "prénoms du père", max_length=60, blank=True, validators=[validate_name]
    )
    pere_date_naissance = models.DateField("date de naissance du père", null=True, blank=True)
    locals().update(_place("pere_naissance", "naissance du père", required=False))
    pere_nationalite = models.CharField(
        "nationalité du père (code pays INSEE)", max_length=5, blank=True
    )
    mere_connu = models.BooleanField("mère déclarée", default=True)
    mere_nom = models.CharField(
        "nom de naissance de la mère", max_length=50, blank=True, validators=[validate_name]
    )
    mere_prenoms = models.CharField(
        "prénoms de la mère", max_length=60, blank=True, validators=[validate_name]
    )
    mere_date_naissance = models.DateField("date de naissance de la mère", null=True, blank=True)
    locals().update(_place("mere_naissance", "naissance de la mère", required=False))
    mere_nationalite = models.CharField(
        "nationalité de la mère (code pays INSEE)", max_length=5, blank=True
    )

    # Informations diverses
    nombre_freres_soeurs = models.PositiveSmallIntegerField(
        "nombre de frères et sœurs", default=0, validators=[MaxValueValidator(99)]
    )
    situation_familiale = models.CharField(
        "situation familiale",
        max_length=1,
        choices=SituationFamiliale.choices,
        default=SituationFamiliale.CELIBATAIRE,
    )
    nombre_enfants = models.PositiveSmallIntegerField(
        "nombre d'enfants", default=0, validators=[MaxValueValidator(99)]
    )
    pupille = models.CharField(
        "pupille", max_length=1, choices=Pupille.choices, default=Pupille.NON
    )
    situation_scolaire = models.CharField(
        "situation scolaire", max_length=1, choices=SituationScolaire.choices
    )
    etablissement = models.CharField("établissement", max_length=50, blank=True)
    diplome = models.CharField(
        "diplôme le plus élevé", max_length=2, choices=Diplome.choices, default=Diplome.AUCUN
    )
    specialite = models.CharField("spécialité", max_length=50, blank=True)
    profession = models.CharField("profession", max_length=50, blank=True)
    situation_particuliere = models.BooleanField(
        "situation particulière à signaler (handicap, maladie)", default=False
    )
    situation_particuliere_detail = models.TextField(
        "précisions (usage interne, jamais exportées)", blank=True
    )

    # Folded names for accent-insensitive search (LIKE "%…%": a trigram index on PostgreSQL,
    # migration 0004) and the duplicate guard.
    recherche = models.CharField(max_length=170, editable=False)
    identite = models.CharField(max_length=115, editable=False)

    cree_le = models.DateTimeField("saisi le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    objects = RecenseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recherche", "identite", "modifie_le"])

    class Meta:
        verbose_name = "recensé"
        ordering = ["-date_recensement", "nom_naissance", "prenoms", "id"]
        # The list's order, whole or by quarter: a page reads 50 index entries, never sorts.
        indexes = [
            models.Index(
                fields=["collectivite", "-date_recensement", "nom_naissance", "prenoms", "id"],
                name="recense_liste",
            ),
            models.Index(
                fields=["collectivite", "annee", "trimestre", "-date_recensement", "nom_naissance"],
                name="recense_trimestre",
            ),
            # The registrants still to number: a few among many.
            models.Index(
                fields=["collectivite", "-date_recensement", "nom_naissance", "prenoms", "id"],
                condition=models.Q(numero_inscription__isnull=True),
                name="recense_non_numerote",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "identite", "date_naissance"], name="unique_recense"
            ),
            models.UniqueConstraint(
                fields=["collectivite", "annee", "trimestre", "numero_inscription"],
                name="unique_numero_inscription",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom_naissance.upper()} {self.prenoms}"

    def save(self, *args, **kwargs) -> None:
        stored = (self.annee, self.trimestre) if self.pk else None
        self.prepare()
        refuse_if_closed(self.collectivite_id, stored, (self.annee, self.trimestre))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refused once numbered (the number is on the quarter's list) and in a closed quarter
        (its list was taken in charge as it is). The purge of expired quarters deletes through
        querysets, past this guard."""
        refusal = self.deletion_refusal()
        if refusal:
            raise RecenseLocked(refusal)
        return super().delete(*args, **kwargs)

    def deletion_refusal(self) -> str:
        """Why this registrant may not be deleted; empty when it may."""
        if self.numero_inscription is not None:
            return (
                f"{self} a reçu le n° d'inscription {self.numero_inscription:04d} : une fiche "
                "numérotée ne peut plus être supprimée."
            )
        closed = closed_among(self.collectivite_id, (self.annee, self.trimestre))
        return closed_message(*closed) if closed else ""

    def clean(self) -> None:
        if self.date_naissance and self.date_recensement:
            try:
                self.decide_mode()
            except OutOfAgeError as error:
                raise ValidationError({error.field: str(error)}) from error

    def prepare(self) -> None:
        """Derived stored fields; save() calls it, and so must bulk creations."""
        self.recherche = search_key(f"{self.nom_naissance} {self.nom_usage} {self.prenoms}")
        self.identite = identity_key(self.nom_naissance, self.prenoms)
        self.annee, self.trimestre = self.date_recensement.year, quarter_of(self.date_recensement)
        self.decide_mode()

    def decide_mode(self) -> None:
        """Mode and its reason from the dates (raises OutOfAgeError outside 16–25 years)."""
        acquisition = (
            self.date_acquisition_nationalite if self.nationalite == Nationalite.ACQUISE else None
        )
        decision = decide_mode(self.date_naissance, self.date_recensement, acquisition)
        if self.inscription_d_office:
            self.mode, self.motif_mode = Mode.NON_RECENSE, "inscrit(e) d'office par la mairie"
        else:
            self.mode = Mode.REGULARISE if decision.late else Mode.RECENSE
            self.motif_mode = decision.reason

    def place_name(self, prefix: str) -> str:
        """A stored place as read: "Quimper (Finistère)" in France, "Madrid, Espagne" abroad."""
        commune = getattr(self, f"{prefix}_commune")
        if is_abroad(getattr(self, f"{prefix}_code_lieu")):
            return f"{commune}, {getattr(self, f'{prefix}_pays')}"
        departement = getattr(self, f"{prefix}_departement")
        return f"{commune} ({departement_name(departement)})" if departement else commune

    def address_lines(self, prefix: str) -> list[str]:
        """A stored address ("domicile", "residence") as printed, line by line: number and
        street, complement, postal code and commune, and the country abroad."""
        names = ("numero", "voie", "complement", "code_postal", "commune", "code_lieu", "pays")
        part = {name: getattr(self, f"{prefix}_{name}") for name in names}
        lines = [
            f"{part['numero']} {part['voie']}".strip(),
            part["complement"].strip(),
            f"{part['code_postal']} {part['commune']}".strip(),
        ]
        if is_abroad(part["code_lieu"]):
            lines.append(part["pays"])
        return [line for line in lines if line]

    @property
    def lieu_naissance(self) -> str:
        return self.place_name("naissance")

    @property
    def pere_lieu_naissance(self) -> str:
        return self.place_name("pere_naissance") if self.pere_naissance_commune else ""

    @property
    def mere_lieu_naissance(self) -> str:
        return self.place_name("mere_naissance") if self.mere_naissance_commune else ""

    @property
    def double_nationalite_nom(self) -> str:
        return country_name(self.double_nationalite) if self.double_nationalite else ""

    @property
    def pere_nationalite_nom(self) -> str:
        return nationality_name(self.pere_nationalite) if self.pere_nationalite else ""

    @property
    def mere_nationalite_nom(self) -> str:
        return nationality_name(self.mere_nationalite) if self.mere_nationalite else ""

    @property
    def telephones(self) -> list[str]:
        """The phone numbers to call, each once ("06 12 34 56 78"), landline first."""
        numbers = dict.fromkeys(n for n in (self.telephone_fixe, self.telephone_portable) if n)
        return [" ".join(n[i : i + 2] for i in range(0, len(n), 2)) for n in numbers]

    @property
    def attestation(self) -> "Attestation | None":
        """The valid (not cancelled) issuance of the attestation, if any."""
        return self.attestations.filter(ATTESTATION_DELIVREE).first()


class Trimestre(CollectiviteOwned):
    """A quarterly tranche of the classe (R*111-9); closed once the DSN has taken its file in
    charge ("PEC terminée"): its registrants and numbers can no longer change."""

    annee = models.PositiveSmallIntegerField("année")
    trimestre = models.PositiveSmallIntegerField("trimestre")
    cloture_le = models.DateTimeField("clos le", null=True, blank=True)
    cloture_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="clos par",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "trimestre"
        ordering = ["-annee", "-trimestre"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "annee", "trimestre"], name="unique_trimestre"
            )
        ]

    def __str__(self) -> str:
        return quarter_label(self.annee, self.trimestre)


def quarter_label(annee: int, trimestre: int) -> str:
    return f"T{trimestre} {annee}"


def closed_message(annee: int, trimestre: int) -> str:
    return (
        f"Le trimestre {quarter_label(annee, trimestre)} est clos : sa liste a été prise en "
        "charge par le service national (PEC terminée), ses fiches ne peuvent plus changer."
    )


class RecenseLocked(Exception):
    """The registrant may no longer be changed or deleted; the message (French) is for the
    agent."""


def closed_among(collectivite_id: int, *quarters: tuple[int, int] | None) -> tuple[int, int] | None:
    """The first closed one of the quarters (None are skipped)."""
    given = [quarter for quarter in quarters if quarter]
    if not given:
        return None
    wanted = models.Q()
    for annee, trimestre in given:
        wanted |= models.Q(annee=annee, trimestre=trimestre)
    return (
        Trimestre.objects.filter(wanted, collectivite_id=collectivite_id, cloture_le__isnull=False)
        .values_list("annee", "trimestre")
        .first()
    )


def refuse_if_closed(collectivite_id: int, *quarters: tuple[int, int] | None) -> None:
    """The one guard of closed quarters (R*111-9: the list sent is final), called by the
    registrant's own save() and delete() so that no way in can forget it."""
    closed = closed_among(collectivite_id, *quarters)
    if closed:
        raise RecenseLocked(closed_message(*closed))


def current_quarter_count(collectivite) -> int:
    today = timezone.localdate()
    return Recense.objects.filter(
        collectivite=collectivite, annee=today.year, trimestre=quarter_of(today)
    ).count()


def unnumbered_count(collectivite) -> int:
    return Recense.objects.filter(
        collectivite=collectivite, numero_inscription__isnull=True
    ).count()


class Attestation(models.Model):
    """One issuance of the attestation de recensement: the mairie issues no duplicate."""

    recense = models.ForeignKey(
        Recense, on_delete=models.CASCADE, related_name="attestations", verbose_name="recensé"
    )
    delivree_le = models.DateTimeField("délivrée le", default=timezone.now)
    delivree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="délivrée par",
    )
    signataire = models.CharField("signataire", max_length=200)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)
    annulee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="annulée par",
    )
    motif_annulation = models.TextField("motif de l'annulation", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "attestation de recensement"
        ordering = ["-delivree_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["recense"],
                condition=ATTESTATION_DELIVREE,
                name="une_attestation_valide",
            )
        ]

    def __str__(self) -> str:
        return f"Attestation de {self.recense} du {self.delivree_le:%d/%m/%Y}"


class StatutDemande(models.TextChoices):
    A_TRAITER = "a_traiter", "à traiter"
    VALIDEE = "validee", "validée"
    REFUSEE = "refusee", "refusée"


class DemandeEnLigne(CollectiviteOwned):
    """A dossier of the online procedure "Recensement citoyen obligatoire" received through
    HubEE (XML `RecensementCitoyen`, its Cerfa copy in `fichier_pdf`, its attachments as
    `PieceJointe`), waiting for an agent to complete and validate it into a registrant, or to
    refuse it with a message that is kept."""

    identifiant = models.CharField("identifiant du dossier", max_length=100)
    sha256 = models.CharField("empreinte SHA-256 du XML", max_length=64)
    date_soumission = models.DateTimeField("soumise le")
    nom = models.CharField("nom déclaré", max_length=200, blank=True)
    fichier_xml = models.CharField("fichier XML (sous MEDIA_ROOT)", max_length=300)
    nom_fichier_xml = models.CharField("nom du fichier XML", max_length=255)
    fichier_pdf = models.CharField("fichier PDF (sous MEDIA_ROOT)", max_length=300, blank=True)
    nom_fichier_pdf = models.CharField("nom du fichier PDF", max_length=255, blank=True)
    # The registrant's fields as mapped from the XML (Recense field names, dates in ISO).
    donnees = models.JSONField("données reprises", default=dict)
    # [{"element": …, "valeur": …, "raison": …}]: what could not be mapped, with the raw value.
    non_reprises = models.JSONField("éléments non repris", default=list)
    statut = models.CharField(
        "statut", max_length=10, choices=StatutDemande.choices, default=StatutDemande.A_TRAITER
    )
    motif_refus = models.TextField("motif du refus", blank=True)
    recense = models.ForeignKey(
        Recense,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes_en_ligne",
        verbose_name="recensé",
    )
    deposee_le = models.DateTimeField("déposée le", default=timezone.now)
    deposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déposée par",
    )
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="traitée par",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande en ligne"
        verbose_name_plural = "demandes en ligne"
        ordering = ["-date_soumission", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "identifiant"], name="unique_demande_identifiant"
            ),
            models.UniqueConstraint(fields=["collectivite", "sha256"], name="unique_demande_sha"),
        ]

    def __str__(self) -> str:
        return f"Demande {self.identifiant} ({self.nom or 'sans nom'})"

    @property
    def a_traiter(self) -> bool:
        return self.statut == StatutDemande.A_TRAITER

    @property
    def date_recensement(self) -> datetime.date:
        """The legal date of the declaration: the day it was submitted online."""
        return timezone.localdate(self.date_soumission)


class PieceJointe(models.Model):
    """A PDF of the HubEE dossier besides its XML and its Cerfa copy (identity document, livret
    de famille…), kept with the request; reached only through the request, hence scoped as it
    is."""

    demande = models.ForeignKey(
        DemandeEnLigne,
        on_delete=models.CASCADE,
        related_name="pieces_jointes",
        verbose_name="demande",
    )
    fichier = models.CharField("fichier (sous MEDIA_ROOT)", max_length=300)
    nom = models.CharField("nom du fichier", max_length=255)
    taille = models.PositiveIntegerField("taille en octets")

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["nom", "id"]

    def __str__(self) -> str:
        return self.nom


def pending_demandes_count(collectivite) -> int:
    return DemandeEnLigne.objects.filter(
        collectivite=collectivite, statut=StatutDemande.A_TRAITER
    ).count()
