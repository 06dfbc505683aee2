"""Every generated file is kept: who made it, when, from which parameters, and its SHA-256."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mairie.scoping import CollectiviteOwned


class Statut(models.TextChoices):
    EN_ATTENTE = "en_attente", "en attente"
    EN_COURS = "en_cours", "en cours"
    TERMINE = "termine", "terminé"
    ECHEC = "echec", "échec"


class EtatPortail(models.TextChoices):
    """What the Ma JDC portal says of a deposited PECOTO file."""

    DEPOSE = "depose", "Déposé"
    RECU = "recu", "Reçu – En cours"
    PEC_TERMINEE = "pec_terminee", "PEC terminée"
    REJETE = "rejete", "Rejeté"


class Export(CollectiviteOwned):
    kind = models.CharField("type", max_length=40)
    parametres = models.JSONField("paramètres", default=dict)
    description = models.CharField("description", max_length=200)
    fichier = models.CharField("fichier (sous MEDIA_ROOT)", max_length=300, blank=True)
    nom_fichier = models.CharField("nom du fichier", max_length=200, blank=True)
    content_type = models.CharField("type de contenu", max_length=100, blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="généré par",
    )
    cree_le = models.DateTimeField("généré le", default=timezone.now)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.EN_ATTENTE
    )
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    erreur = models.TextField("erreur", blank=True)
    etat_portail = models.CharField(
        "état sur le portail", max_length=20, choices=EtatPortail.choices, blank=True
    )
    message_portail = models.TextField("message du portail", blank=True)
    etat_portail_le = models.DateTimeField("état du portail enregistré le", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["progression"])

    class Meta:
        verbose_name = "export"
        ordering = ["-cree_le", "-id"]
        indexes = [models.Index(fields=["collectivite", "kind", "-cree_le"])]

    def __str__(self) -> str:
        return f"{self.description} ({self.cree_le:%d/%m/%Y %H:%M})"

    @property
    def pending(self) -> bool:
        return self.statut in (Statut.EN_ATTENTE, Statut.EN_COURS)

    @property
    def downloadable(self) -> bool:
        return self.statut == Statut.TERMINE and bool(self.fichier)
