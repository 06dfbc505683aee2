"""The mairie's copy of its electoral lists (REU): polling stations, streets and their division
into stations (découpage), voters, their list memberships, and the movements that alone change
them, so that the tableaux can be derived from movements."""

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mairie.models import CODE_FRANCE, DEPARTEMENT_ETRANGER, Collectivite, Sexe
from mairie.names import validate_name
from mairie.scoping import CollectiviteOwned, CollectiviteQuerySet, SearchableQuerySet
from mairie.text import search_key

# Lengths of the folded search columns.
VOIE_KEY_LENGTH = 130
ELECTEUR_KEY_LENGTH = 360


def audit(*, excluded: tuple[str, ...] = (), unindexed: tuple[str, ...] = ()) -> HistoricalRecords:
    """The history of an electoral model. Its rows are looked up by the object's id only: the
    copied foreign keys carry no index and the agent no constraint (a history row outlives the
    account), which keeps a million-line import from maintaining them for nothing."""
    return HistoricalRecords(
        excluded_fields=list(excluded), no_db_index=list(unindexed), user_db_constraint=False
    )


class Liste(models.TextChoices):
    PRINCIPALE = "p", "liste principale"
    EUROPEENNE = "ce", "liste complémentaire européenne"
    MUNICIPALE = "cm", "liste complémentaire municipale"


BUREAU_CODE_RE = re.compile(r"^[0-9]{4}$")


def normalise_bureau_code(value: str) -> str:
    """A bureau's code as files and agents write it, as the ministry requires it since 2023
    (4 digits): "1", "01" and "00001" -> "0001". Anything else is returned stripped, for
    validate_bureau_code to report."""
    code = value.strip()
    return f"{int(code):04d}" if code.isascii() and code.isdigit() and int(code) < 10_000 else code


def validate_bureau_code(value: str) -> None:
    if not BUREAU_CODE_RE.match(value or ""):
        raise ValidationError(
            f"Code de bureau invalide « {value} » : 4 chiffres (ex. 0001).", code="bureau_code"
        )


class BureauDeVote(CollectiviteOwned):
    code = models.CharField(
        "code",
        max_length=4,
        validators=[validate_bureau_code],
        help_text="4 chiffres (ex. 0001), comme l'exige le ministère depuis 2023.",
    )
    libelle = models.CharField("libellé", max_length=100)
    adresse = models.CharField("adresse", max_length=200, blank=True)
    canton = models.CharField("canton", max_length=10, blank=True)
    circonscription = models.CharField("circonscription", max_length=10, blank=True)

    history = audit(unindexed=("collectivite",))

    class Meta:
        verbose_name = "bureau de vote"
        verbose_name_plural = "bureaux de vote"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "code"], name="unique_bureau_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.libelle}"


class Voie(CollectiviteOwned):
    type_voie = models.CharField("type de voie", max_length=20, blank=True)
    libelle = models.CharField("libellé", max_length=100)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    recherche = models.CharField(max_length=VOIE_KEY_LENGTH, editable=False, db_index=True)

    history = audit(excluded=("recherche",), unindexed=("collectivite",))

    class Meta:
        verbose_name = "voie"
        ordering = ["libelle", "type_voie"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "recherche", "code_postal"], name="unique_voie"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_voie} {self.libelle}".strip()

    def save(self, *args, **kwargs) -> None:
        self.recherche = voie_key(self.type_voie, self.libelle)
        super().save(*args, **kwargs)


def electeur_key_of_folded(nom_key: str, usage_key: str, prenoms_key: str) -> str:
    """What the voters' search reads, from the three names already folded by search_key (the
    REU import folds each name once for many lines), cut to its column (folding may lengthen a
    name). Electeur.save() derives its key from here too."""
    return " ".join(filter(None, (nom_key, usage_key, prenoms_key)))[:ELECTEUR_KEY_LENGTH]


def electeur_key(nom_naissance: str, nom_usage: str, prenoms: str) -> str:
    """What the voters' search reads: the folded birth name, name of use and first names."""
    return electeur_key_of_folded(
        search_key(nom_naissance), search_key(nom_usage), search_key(prenoms)
    )


def voie_key(type_voie: str, libelle: str) -> str:
    """Two spellings of one street meet here: "Rue de l'Église" and "RUE DE L EGLISE".
    Cut to its column: a letter may fold to several ("㎉" -> "KCAL")."""
    return search_key(f"{type_voie} {libelle}")[:VOIE_KEY_LENGTH]


class Parite(models.TextChoices):
    TOUS = "tous", "tous les numéros"
    PAIRS = "pairs", "numéros pairs"
    IMPAIRS = "impairs", "numéros impairs"


class DecoupageQuerySet(CollectiviteQuerySet):
    collectivite_path = "voie__collectivite"


class Decoupage(models.Model):
    """One rule of the division: these numbers of this street vote in this bureau."""

    voie = models.ForeignKey(
        Voie, on_delete=models.CASCADE, related_name="decoupages", verbose_name="voie"
    )
    parite = models.CharField("numéros", max_length=7, choices=Parite.choices, default=Parite.TOUS)
    numero_debut = models.PositiveIntegerField("du n°", null=True, blank=True)
    numero_fin = models.PositiveIntegerField("au n°", null=True, blank=True)
    bureau = models.ForeignKey(
        BureauDeVote, on_delete=models.PROTECT, related_name="decoupages", verbose_name="bureau"
    )

    objects = DecoupageQuerySet.as_manager()
    history = audit(unindexed=("voie", "bureau"))

    class Meta:
        verbose_name = "règle de découpage"
        verbose_name_plural = "découpage"
        ordering = ["voie", "numero_debut", "parite"]

    def __str__(self) -> str:
        bounds = ""
        if self.numero_debut is not None or self.numero_fin is not None:
            bounds = f" du {self.numero_debut or 1} au {self.numero_fin or '…'}"
        return f"{self.voie} : {self.get_parite_display()}{bounds} → {self.bureau.code}"

    def covers(self, numero: int | None) -> bool:
        """Whether the rule takes this house number; a street without number goes to a rule
        that covers the whole street only."""
        if numero is None:
            return (
                self.parite == Parite.TOUS and self.numero_debut is None and self.numero_fin is None
            )
        if self.parite == Parite.PAIRS and numero % 2:
            return False
        if self.parite == Parite.IMPAIRS and not numero % 2:
            return False
        if self.numero_debut is not None and numero < self.numero_debut:
            return False
        return not (self.numero_fin is not None and numero > self.numero_fin)


class Electeur(CollectiviteOwned):
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    nom_naissance = models.CharField("nom de naissance", max_length=100, validators=[validate_name])
    nom_usage = models.CharField(
        "nom d'usage", max_length=100, blank=True, validators=[validate_name]
    )
    prenoms = models.CharField("prénoms", max_length=150, validators=[validate_name])
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    # REU extractions carry dates such as 00/00/1953: kept as given when the day is unknown.
    date_naissance_incomplete = models.CharField(
        "date de naissance incomplète", max_length=10, blank=True
    )
    naissance_code_lieu = models.CharField(
        "code INSEE du lieu de naissance", max_length=5, blank=True
    )
    naissance_commune = models.CharField("commune de naissance", max_length=100, blank=True)
    naissance_departement = models.CharField("département de naissance", max_length=3, blank=True)
    naissance_pays = models.CharField("pays de naissance", max_length=100, blank=True)
    nationalite = models.CharField(
        "nationalité", max_length=100, blank=True, help_text="Listes complémentaires seulement."
    )
    numero_voie = models.CharField("numéro", max_length=10, blank=True)
    voie = models.ForeignKey(
        Voie,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="electeurs",
        verbose_name="voie",
    )
    type_voie = models.CharField("type de voie", max_length=20, blank=True)
    libelle_voie = models.CharField("libellé de la voie", max_length=100, blank=True)
    complement1 = models.CharField("complément 1", max_length=100, blank=True)
    complement2 = models.CharField("complément 2", max_length=100, blank=True)
    lieu_dit = models.CharField("lieu-dit", max_length=100, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField("ville", max_length=100, blank=True)
    pays = models.CharField("pays", max_length=100, blank=True)
    bureau = models.ForeignKey(
        BureauDeVote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="electeurs",
        verbose_name="bureau de vote",
    )
    ine = models.CharField("identifiant national d'électeur (INE)", max_length=20, blank=True)
    # Searched with LIKE "%…%": on PostgreSQL a trigram index serves it (migration 0004).
    recherche = models.CharField(max_length=ELECTEUR_KEY_LENGTH, editable=False)
    # Every read filters by collectivité first: the composite indexes below serve it.
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, verbose_name="collectivité", db_index=False
    )

    objects = SearchableQuerySet.as_manager()
    history = audit(excluded=("recherche",), unindexed=("collectivite", "bureau", "voie"))

    class Meta:
        verbose_name = "électeur"
        ordering = ["nom_naissance", "prenoms", "id"]
        indexes = [
            models.Index(fields=["collectivite", "nom_naissance", "prenoms", "id"]),
            # A bureau's voters in name order: a page of them reads 50 index entries.
            models.Index(fields=["collectivite", "bureau", "nom_naissance", "prenoms", "id"]),
            models.Index(fields=["collectivite", "ine"]),
        ]

    def __str__(self) -> str:
        return f"{self.nom_naissance.upper()} {self.prenoms}"

    def save(self, *args, **kwargs) -> None:
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """Derived stored fields; save() calls it, and so must bulk creations."""
        self.recherche = electeur_key(self.nom_naissance, self.nom_usage, self.prenoms)

    @property
    def adresse(self) -> str:
        street = f"{self.numero_voie} {self.type_voie} {self.libelle_voie}".split()
        return " ".join(street)


# A voter's fields a modification changes, by kind (electoral.services.modifier, and the REU
# import, which compares and writes them all but the street, found from the street's name).
ETAT_CIVIL_FIELDS = (
    "sexe",
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "date_naissance",
    "naissance_code_lieu",
    "naissance_commune",
    "naissance_departement",
    "naissance_pays",
    "nationalite",
)
ADRESSE_FIELDS = (
    "numero_voie",
    "voie",
    "type_voie",
    "libelle_voie",
    "complement1",
    "complement2",
    "lieu_dit",
    "code_postal",
    "ville",
    "pays",
)
# What an agent may change (the voter's form shows exactly these).
MODIFIABLE_FIELDS = ETAT_CIVIL_FIELDS + ADRESSE_FIELDS


def find_voies(
    collectivite: Collectivite, addresses: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The street (id) of each address, given as (folded name as voie_key gives it, postcode):
    the collectivité's street of that name with the same postcode, else the first created of
    that name; an address without one is left out. The voter services (one address) and the
    REU import (every address of a file at once) attach voters to streets by this rule only."""
    wanted = set(addresses)
    names = sorted({name for name, _ in wanted})
    first: dict[str, int] = {}
    by_postcode: dict[tuple[str, str], int] = {}
    for start in range(0, len(names), 500):  # a bounded number of query parameters
        streets = (
            Voie.objects.filter(collectivite=collectivite, recherche__in=names[start : start + 500])
            .order_by("-pk")
            .values_list("pk", "recherche", "code_postal")
        )
        for pk, name, code_postal in streets:  # the lowest id last: the first created wins
            first[name] = by_postcode[name, code_postal] = pk
    found = {}
    for name, code_postal in wanted:
        pk = by_postcode.get((name, code_postal)) or first.get(name)
        if pk is not None:
            found[name, code_postal] = pk
    return found


def find_voie(
    collectivite: Collectivite, type_voie: str, libelle: str, code_postal: str
) -> Voie | None:
    """The street of one address, by find_voies's rule."""
    address = (voie_key(type_voie, libelle), code_postal)
    pk = find_voies(collectivite, [address]).get(address)
    return None if pk is None else Voie.objects.get(pk=pk)


def born_abroad(prefix: str = "") -> Q:
    """The one definition of a voter born abroad (`prefix`: the path to the Electeur, e.g.
    "electeur__"): the birthplace's INSEE code is a country's (99xxx, France's excepted), or
    the département of birth is 99; with neither code, a country of birth other than France."""
    code, departement, pays = (
        f"{prefix}naissance_{name}" for name in ("code_lieu", "departement", "pays")
    )
    return (
        (Q(**{f"{code}__startswith": "99"}) & ~Q(**{code: CODE_FRANCE}))
        | Q(**{f"{departement}__in": [DEPARTEMENT_ETRANGER, f"0{DEPARTEMENT_ETRANGER}"]})
        | (
            Q(**{code: "", departement: ""})
            & ~Q(**{pays: ""})
            & ~Q(**{f"{pays}__iexact": "France"})
        )
    )


def validate_date_effet(value: datetime.date) -> None:
    """A movement takes effect on the day it is recorded or before, never later: so the list of
    any day up to today is read from the data alone, and every screen, count and file of that
    day says the same (a radiation dated next week would be half applied until then)."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            f"La date d'effet ({value:%d/%m/%Y}) ne peut pas être dans le futur : un mouvement "
            f"prend effet au plus tard le jour où il est enregistré ({today:%d/%m/%Y}).",
            code="date_effet_future",
        )


def validate_list_date(value: datetime.date) -> None:
    """A list is drawn up as it stands or stood, not as it may be: a date up to today."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            f"La liste ne peut être établie qu'à une date passée ou aujourd'hui "
            f"({today:%d/%m/%Y}), pas au {value:%d/%m/%Y}.",
            code="liste_future",
        )


def on_list_on(day: datetime.date, prefix: str = "") -> Q:
    """The one definition of "on the list at the end of `day`" for an inscription (`prefix`:
    the path to it, e.g. "inscriptions__"): inscribed on or before the day, not radiated on or
    before it."""
    return Q(**{f"{prefix}inscrit_le__lte": day}) & (
        Q(**{f"{prefix}radie_le__isnull": True}) | Q(**{f"{prefix}radie_le__gt": day})
    )


class InscriptionQuerySet(CollectiviteQuerySet):
    collectivite_path = "electeur__collectivite"  # the bureau may be unknown

    def actives(self) -> "InscriptionQuerySet":
        """The inscriptions not closed by a radiation: what a new movement may change."""
        return self.filter(radie_le__isnull=True)

    def on_list(self, day: datetime.date | None = None) -> "InscriptionQuerySet":
        """Who is on the list at the end of `day` (today by default): the one answer that the
        screens, the counts, the files and the PDFs all ask."""
        return self.filter(on_list_on(day or timezone.localdate()))


class Inscription(models.Model):
    """A voter's membership of one list, with their number (numéro d'ordre) in their bureau."""

    electeur = models.ForeignKey(
        Electeur, on_delete=models.CASCADE, related_name="inscriptions", verbose_name="électeur"
    )
    liste = models.CharField("liste", max_length=2, choices=Liste.choices)
    # The bureau in which the number applies: the voter's, kept in step by the services.
    # Indexed by the (bureau, liste, numero_ordre) index below.
    bureau = models.ForeignKey(
        BureauDeVote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inscriptions",
        verbose_name="bureau de vote",
        db_index=False,
    )
    numero_ordre = models.PositiveIntegerField("numéro d'ordre", null=True, blank=True)
    inscrit_le = models.DateField("inscrit le")
    radie_le = models.DateField("radié le", null=True, blank=True)

    objects = InscriptionQuerySet.as_manager()
    history = audit(unindexed=("electeur", "bureau"))

    class Meta:
        verbose_name = "inscription sur une liste"
        ordering = ["liste"]
        indexes = [
            models.Index(fields=["bureau", "liste", "numero_ordre"]),
            # The radiated voters' filter starts from these few rows.
            models.Index(
                fields=["electeur"], condition=Q(radie_le__isnull=False), name="inscription_radiee"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["electeur", "liste"],
                condition=Q(radie_le__isnull=True),
                name="une_inscription_active_par_liste",
            ),
            models.UniqueConstraint(
                fields=["bureau", "liste", "numero_ordre"],
                condition=Q(radie_le__isnull=True),
                name="unique_numero_ordre",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.electeur} — {self.get_liste_display()}"

    @property
    def radiation_a_venir(self) -> bool:
        """A radiation recorded before dates to come were refused, not yet in effect."""
        return self.radie_le is not None and self.radie_le > timezone.localdate()


def highest_numeros(lists: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The highest numéro d'ordre among the active inscriptions of each of these lists of a
    bureau, given as (bureau id, liste); a list without any is left out. The one rule of
    numbering: a voter joining a bureau's list takes the next number (next_numero, and the REU
    import for the lines that bring no free number of their own). Each is read off the
    (bureau, liste, numéro) index."""
    highest = {}
    for bureau, liste in set(lists):
        numero = (
            Inscription.objects.actives()
            .filter(bureau_id=bureau, liste=liste)
            .aggregate(last=Max("numero_ordre"))["last"]
        )
        if numero is not None:
            highest[bureau, liste] = numero
    return highest


def next_numero(bureau: BureauDeVote, liste: str) -> int:
    """The number a voter joining the bureau's list takes: one more than the highest active
    one (highest_numeros). The caller holds the bureau's row lock, so that two inscriptions
    never share one."""
    return highest_numeros([(bureau.pk, liste)]).get((bureau.pk, liste), 0) + 1


def active_count(collectivite, liste: str = Liste.PRINCIPALE) -> int:
    """The voters on the list today, as the voters' page lists them."""
    return Inscription.objects.on_list().for_collectivite(collectivite).filter(liste=liste).count()


class TypeMouvement(models.TextChoices):
    INSCRIPTION = "inscription", "inscription"
    RADIATION = "radiation", "radiation"
    MODIFICATION = "modification", "modification"


class MotifInscription(models.TextChoices):
    VOLONTAIRE = "volontaire", "inscription volontaire"
    OFFICE_JEUNE = "office_jeune", "inscription d'office (jeune majeur)"
    NATURALISATION = "naturalisation", "inscription d'office (naturalisation)"
    DECISION_JUSTICE = "justice", "décision de justice"
    REPRISE_REU = "reprise_reu", "reprise de l'extraction REU"


class MotifRadiation(models.TextChoices):
    DECES = "deces", "décès"
    AUTRE_COMMUNE = "autre_commune", "inscription dans une autre commune"
    PERTE_NATIONALITE = "perte_nationalite", "perte de nationalité"
    DECISION_JUSTICE = "justice", "décision de justice"
    PERTE_ATTACHE = "perte_attache", "perte d'attache avec la commune"
    OFFICE = "office", "radiation d'office"
    CONSULAIRE = "consulaire", "inscription sur une liste consulaire"


class MotifModification(models.TextChoices):
    ADRESSE = "adresse", "changement d'adresse"
    BUREAU = "bureau", "changement de bureau"
    ETAT_CIVIL = "etat_civil", "modification d'état civil"


class Mouvement(CollectiviteOwned):
    """The only way a voter joins, leaves or changes bureau; the tableaux are read from here.
    Read by voter or by collectivité and period: the other foreign keys (bureaux, agent), only
    checked when a bureau or an account is deleted, carry no index of their own."""

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, verbose_name="collectivité", db_index=False
    )
    electeur = models.ForeignKey(
        Electeur, on_delete=models.PROTECT, related_name="mouvements", verbose_name="électeur"
    )
    type = models.CharField("mouvement", max_length=12, choices=TypeMouvement.choices)
    liste = models.CharField("liste", max_length=2, choices=Liste.choices)
    motif = models.CharField("motif", max_length=20)
    date_effet = models.DateField("date d'effet")
    bureau_avant = models.ForeignKey(
        BureauDeVote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bureau avant",
        db_index=False,
    )
    bureau_apres = models.ForeignKey(
        BureauDeVote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bureau après",
        db_index=False,
    )
    changements = models.JSONField("changements", default=dict, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisi par",
        db_index=False,
    )
    cree_le = models.DateTimeField("saisi le", default=timezone.now)

    class Meta:
        verbose_name = "mouvement"
        ordering = ["-date_effet", "-cree_le", "-id"]
        indexes = [models.Index(fields=["collectivite", "liste", "date_effet"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} de {self.electeur} ({self.date_effet:%d/%m/%Y})"

    @property
    def motif_label(self) -> str:
        choices = {
            TypeMouvement.INSCRIPTION: MotifInscription,
            TypeMouvement.RADIATION: MotifRadiation,
            TypeMouvement.MODIFICATION: MotifModification,
        }[self.type]
        return str(dict(choices.choices).get(self.motif, self.motif))


class StatutImport(models.TextChoices):
    ANALYSE = "analyse", "analyse en cours"
    APERCU = "apercu", "à confirmer"
    REFUSE = "refuse", "refusé"  # the file as a whole: nothing to confirm
    IMPORT = "import", "import en cours"
    APPLIQUE = "applique", "importé"
    ABANDONNE = "abandonne", "abandonné"
    ECHEC = "echec", "échec"


class ImportReu(CollectiviteOwned):
    """An uploaded REU extraction: previewed first, imported only once an agent confirms."""

    fichier = models.CharField("fichier (sous MEDIA_ROOT)", max_length=300)
    nom_fichier = models.CharField("nom du fichier", max_length=200)
    taille = models.PositiveBigIntegerField("taille (octets)")
    statut = models.CharField(
        "statut", max_length=10, choices=StatutImport.choices, default=StatutImport.ANALYSE
    )
    rapport = models.JSONField("rapport", default=dict)
    erreur = models.TextField("erreur", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="déposé par",
    )
    cree_le = models.DateTimeField("déposé le", default=timezone.now)
    applique_le = models.DateTimeField("importé le", null=True, blank=True)

    history = audit(unindexed=("collectivite",))

    class Meta:
        verbose_name = "import d'extraction REU"
        ordering = ["-cree_le", "-id"]

    def __str__(self) -> str:
        return f"{self.nom_fichier} ({self.cree_le:%d/%m/%Y %H:%M})"

    @property
    def running(self) -> bool:
        return self.statut in (StatutImport.ANALYSE, StatutImport.IMPORT)


class Scrutin(CollectiviteOwned):
    """An election held in the commune: the procurations and the émargement lists name it."""

    libelle = models.CharField("scrutin", max_length=100, help_text="Ex. : Élections municipales")
    premier_tour = models.DateField("premier tour")
    second_tour = models.DateField("second tour", null=True, blank=True)

    history = audit(unindexed=("collectivite",))

    class Meta:
        verbose_name = "scrutin"
        ordering = ["-premier_tour", "libelle"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "libelle", "premier_tour"], name="un_scrutin_par_date"
            ),
            models.CheckConstraint(
                condition=Q(second_tour__isnull=True) | Q(second_tour__gt=models.F("premier_tour")),
                name="second_tour_apres_le_premier",
                violation_error_message="Le second tour suit le premier.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.premier_tour:%d/%m/%Y})"


class Tours(models.TextChoices):
    PREMIER = "1", "premier tour"
    SECOND = "2", "second tour"
    LES_DEUX = "12", "les deux tours"


class ProcurationQuerySet(CollectiviteQuerySet):
    def active_on(self, day: datetime.date) -> "ProcurationQuerySet":
        """The procurations that hold on `day`: within their validity, not cancelled by then.
        An expired one drops out by itself."""
        return self.filter(debut__lte=day, fin__gte=day).exclude(resiliee_le__lte=day)


class Procuration(CollectiviteOwned):
    """A vote by proxy (Code électoral L.71 to L.78, R.72 and following): the mandant, a voter
    of the commune, lets the mandataire vote in their place, for one scrutin or for a period.
    Since 2022 the mandataire may be inscribed in another commune: they are named and known by
    their INE, and linked to the voter when they are one of this commune's."""

    mandant = models.ForeignKey(
        Electeur,
        on_delete=models.PROTECT,
        related_name="procurations_donnees",
        verbose_name="mandant",
    )
    mandataire = models.ForeignKey(
        Electeur,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procurations_recues",
        verbose_name="mandataire inscrit dans la commune",
    )
    mandataire_ine = models.CharField("INE du mandataire", max_length=20)
    mandataire_nom = models.CharField(
        "nom de naissance du mandataire", max_length=100, validators=[validate_name]
    )
    mandataire_prenoms = models.CharField(
        "prénoms du mandataire", max_length=150, validators=[validate_name]
    )
    mandataire_date_naissance = models.DateField(
        "date de naissance du mandataire", null=True, blank=True
    )
    mandataire_commune = models.CharField(
        "commune d'inscription du mandataire", max_length=100, blank=True
    )
    scrutin = models.ForeignKey(
        Scrutin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procurations",
        verbose_name="scrutin",
    )
    tours = models.CharField("tours", max_length=2, choices=Tours.choices, blank=True)
    debut = models.DateField("valable à partir du")
    fin = models.DateField("valable jusqu'au")
    etablie_le = models.DateField("établie le")
    etablie_par = models.CharField(
        "autorité qui l'a établie",
        max_length=150,
        help_text="Ex. : Commissariat de Rennes, Consulat général de France à Londres",
    )
    hors_de_france = models.BooleanField("établie hors de France", default=False)
    resiliee_le = models.DateField("résiliée le", null=True, blank=True)

    objects = ProcurationQuerySet.as_manager()
    history = audit(unindexed=("collectivite", "mandant", "mandataire", "scrutin"))

    class Meta:
        verbose_name = "procuration"
        ordering = ["-debut", "-id"]
        indexes = [
            models.Index(fields=["collectivite", "fin"]),
            models.Index(fields=["collectivite", "mandataire_ine"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=models.F("debut")),
                name="procuration_fin_apres_debut",
                violation_error_message="La fin de validité précède son début.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mandant} à {self.mandataire_display}"

    @property
    def mandataire_display(self) -> str:
        return f"{self.mandataire_nom.upper()} {self.mandataire_prenoms}"

    @property
    def validite(self) -> str:
        if self.scrutin_id:
            days = f"{self.debut:%d/%m/%Y}"
            if self.fin != self.debut:
                days = f"{days} et {self.fin:%d/%m/%Y}"
            return f"{self.scrutin.libelle}, {self.get_tours_display()} ({days})"
        return f"du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"


class TirageJures(CollectiviteOwned):
    """A public draw of the jurés d'assises' liste préparatoire (Code de procédure pénale,
    art. 259 to 261), kept with its seed so that anyone can draw it again and find the same
    names from the same list."""

    annee = models.PositiveSmallIntegerField("année du tirage")
    nombre = models.PositiveIntegerField("nombre de jurés fixé par l'arrêté préfectoral")
    liste_au = models.DateField("liste électorale au")
    graine = models.CharField("graine du tirage", max_length=64)
    eligibles = models.PositiveIntegerField("électeurs pouvant être tirés")
    tires = models.JSONField("électeurs tirés, dans l'ordre du tirage", default=list)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="tiré par",
    )
    cree_le = models.DateTimeField("tiré le", default=timezone.now)

    history = audit(unindexed=("collectivite",))

    class Meta:
        verbose_name = "tirage des jurés d'assises"
        verbose_name_plural = "tirages des jurés d'assises"
        ordering = ["-cree_le", "-id"]

    def __str__(self) -> str:
        return f"Tirage des jurés {self.annee} ({self.cree_le:%d/%m/%Y})"


class QualiteMembre(models.TextChoices):
    CONSEILLER = "conseiller", "conseiller municipal"
    ADMINISTRATION = "administration", "délégué de l'administration"
    TRIBUNAL = "tribunal", "délégué du président du tribunal judiciaire"


class MembreCommission(CollectiviteOwned):
    """A member of the commission de contrôle (Code électoral L.19)."""

    nom = models.CharField("nom", max_length=100, validators=[validate_name])
    prenoms = models.CharField("prénoms", max_length=150, validators=[validate_name])
    qualite = models.CharField("qualité", max_length=20, choices=QualiteMembre.choices)
    adresse = models.TextField("adresse postale", blank=True)
    courriel = models.EmailField("courriel", blank=True)
    actif = models.BooleanField("membre en fonctions", default=True)

    history = audit(unindexed=("collectivite",))

    class Meta:
        verbose_name = "membre de la commission de contrôle"
        verbose_name_plural = "membres de la commission de contrôle"
        ordering = ["-actif", "qualite", "nom", "prenoms"]

    def __str__(self) -> str:
        return f"{self.nom.upper()} {self.prenoms}"


class ReunionCommission(CollectiviteOwned):
    """A meeting of the commission de contrôle: it examines the movements since its last
    meeting and the agents' decisions contested before it (L.18, L.19)."""

    date = models.DateField("date")
    heure = models.TimeField("heure")
    lieu = models.CharField("lieu", max_length=150, default="Mairie, salle du conseil")
    depuis = models.DateField(
        "mouvements examinés depuis le",
        help_text="Le lendemain de la réunion précédente, ou la date donnée pour la première.",
    )

    history = audit(unindexed=("collectivite",))

    class Meta:
        verbose_name = "réunion de la commission de contrôle"
        verbose_name_plural = "réunions de la commission de contrôle"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(depuis__lte=models.F("date")),
                name="reunion_periode_ordonnee",
                violation_error_message="La période examinée finit à la date de la réunion.",
            )
        ]

    def __str__(self) -> str:
        return f"Réunion du {self.date:%d/%m/%Y}"


class Decision(models.TextChoices):
    MAINTENUE = "maintenue", "décision du maire maintenue"
    REFORMEE = "reformee", "décision du maire réformée"


class DecisionCommission(models.Model):
    """The commission's decision on one contested inscription or radiation."""

    reunion = models.ForeignKey(
        ReunionCommission,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name="réunion",
    )
    mouvement = models.ForeignKey(
        Mouvement, on_delete=models.PROTECT, related_name="+", verbose_name="mouvement examiné"
    )
    decision = models.CharField("décision", max_length=10, choices=Decision.choices)
    observations = models.TextField("motifs", blank=True)

    history = audit(unindexed=("reunion", "mouvement"))

    class Meta:
        verbose_name = "décision de la commission de contrôle"
        ordering = ["reunion", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reunion", "mouvement"], name="une_decision_par_mouvement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} — {self.mouvement}"


class MotifRetour(models.TextChoices):
    NPAI = "npai", "n'habite pas à l'adresse indiquée"
    DECEDE = "decede", "destinataire décédé"
    REFUSE = "refuse", "pli refusé"
    AUTRE = "autre", "autre motif"


class CarteRevenue(CollectiviteOwned):
    """A voter card the post brought back (R.25: kept at the mairie, then at the bureau on the
    day of the vote): often the sign of a voter who left, for the commission de contrôle."""

    electeur = models.ForeignKey(
        Electeur, on_delete=models.PROTECT, related_name="cartes_revenues", verbose_name="électeur"
    )
    liste = models.CharField("liste", max_length=2, choices=Liste.choices)
    revenue_le = models.DateField("revenue le", default=timezone.localdate)
    motif = models.CharField("motif", max_length=10, choices=MotifRetour.choices)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
        db_index=False,
    )

    history = audit(unindexed=("collectivite", "electeur"))

    class Meta:
        verbose_name = "carte électorale revenue"
        verbose_name_plural = "cartes électorales revenues"
        ordering = ["-revenue_le", "-id"]

    def __str__(self) -> str:
        return f"Carte de {self.electeur} revenue le {self.revenue_le:%d/%m/%Y}"
