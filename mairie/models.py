"""The collectivité, its agents, and the INSEE reference data (COG)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Substr
from simple_history.models import HistoricalRecords

from mairie import files
from mairie.text import search_key

# An INSEE commune code, the one rule of the project (5 characters): a mainland département
# (01 to 95; Corsica has used 2A/2B since 1976, so never 20) and 3 digits, or an overseas one
# (97x, 98x) and 2 digits. A fragment, for the patterns that find a code inside a text.
CODE_COMMUNE = r"(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5])\d{3}|9[78]\d{3}"
CODE_COMMUNE_RE = re.compile(rf"(?:{CODE_COMMUNE})\Z")
CODE_DEPARTEMENT_RE = re.compile(r"^(0\d{2}|02A|02B|9[78]\d)$")

phone_validator = RegexValidator(
    r"^0\d{9}$", "Le numéro de téléphone doit compter 10 chiffres et commencer par 0."
)


def is_code_commune(value: str) -> bool:
    """Whether `value` is an INSEE commune code as INSEE writes it: 35288, 2A004, 97105."""
    return CODE_COMMUNE_RE.match(value) is not None


def validate_code_commune(value: str) -> None:
    if not is_code_commune(value or ""):
        raise ValidationError(
            "Code INSEE invalide : 5 caractères, chiffres ou 2A/2B pour la Corse "
            "(ex. 35288, 2A004).",
            code="code_commune",
        )


def validate_code_departement(value: str) -> None:
    if not CODE_DEPARTEMENT_RE.match(value or ""):
        raise ValidationError(
            "Code département invalide : 3 caractères (ex. 035, 02A, 971).", code="code_departement"
        )


def departement_of(code_commune: str) -> str:
    """The 3-character département of a commune code: 35288 -> 035, 2A004 -> 02A, 97105 -> 971,
    98735 -> 987."""
    return code_commune[:3] if code_commune[:2] in ("97", "98") else "0" + code_commune[:2]


def departement_as_written(code: str) -> str:
    """A stored (3-character) département as people and INSEE's reference write it:
    035 -> 35, 02A -> 2A, 971 -> 971."""
    return code[1:] if code.startswith("0") else code


def departement_as_written_sql(field: str) -> Case:
    """departement_as_written in the database, for the exports that write millions of rows."""
    return Case(
        When(**{f"{field}__startswith": "0"}, then=Substr(field, 2)),
        default=F(field),
        output_field=models.CharField(),
    )


# INSEE writes "99" as the département of a birth abroad; we store none (the country says it).
DEPARTEMENT_ETRANGER = "99"
# France's own code among INSEE's country codes (99xxx).
CODE_FRANCE = "99100"


def normalise_code_commune(value: str) -> str:
    """A commune code as files spell it, as INSEE writes it: " 2a004" -> "2A004", and "1004"
    (a spreadsheet dropped the leading zero) -> "01004". Anything else is returned stripped,
    for the validators to report."""
    code = value.strip().upper()
    return code.zfill(5) if len(code) == 4 and code.isdigit() else code


def normalise_departement(value: str) -> str:
    """A département code as files spell it, as stored (3 characters): 35 and 035 -> 035,
    2A -> 02A, 971 -> 971; 99 (born abroad) -> "". Anything else is returned stripped, for the
    validators to report."""
    code = value.strip().upper()
    if code.lstrip("0") == DEPARTEMENT_ETRANGER:
        return ""
    if len(code) == 2 or (len(code) == 1 and code.isdigit()):
        return code.zfill(3)
    return code


class CollectiviteQuerySet(models.QuerySet):
    def for_user(self, user) -> "CollectiviteQuerySet":
        """The collectivités an agent belongs to: the only ones whose data they may see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(affectations__user=user).distinct()


class Collectivite(models.Model):
    code_insee = models.CharField(
        "code INSEE de la commune", max_length=5, unique=True, validators=[validate_code_commune]
    )
    departement = models.CharField(
        "code département",
        max_length=3,
        blank=True,
        validators=[validate_code_departement],
        help_text="3 caractères (035, 02A, 971) ; déduit du code INSEE si laissé vide.",
    )
    nom = models.CharField("nom de la commune", max_length=100)
    adresse = models.TextField("adresse de la mairie", blank=True)
    code_postal = models.CharField(
        "code postal",
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")],
    )
    telephone = models.CharField(
        "téléphone de la mairie", max_length=10, blank=True, validators=[phone_validator]
    )
    courriel = models.EmailField("courriel de la mairie", blank=True)
    maire_nom = models.CharField("nom du maire", max_length=100, blank=True)
    maire_prenom = models.CharField("prénom du maire", max_length=100, blank=True)
    responsable_nom = models.CharField("nom du responsable recensement", max_length=50, blank=True)
    responsable_prenom = models.CharField(
        "prénom du responsable recensement", max_length=50, blank=True
    )
    responsable_qualite = models.CharField(
        "qualité du responsable recensement",
        max_length=30,
        blank=True,
        help_text="Par exemple : adjoint administratif, secrétaire de mairie.",
    )
    responsable_telephone = models.CharField(
        "téléphone du responsable recensement",
        max_length=10,
        blank=True,
        validators=[phone_validator],
    )
    responsable_courriel = models.EmailField(
        "courriel du responsable recensement", max_length=80, blank=True
    )
    sceau = models.ImageField(
        "logo ou sceau",
        upload_to="collectivites/",
        blank=True,
        help_text="Image imprimée sur les documents (attestations, tableaux).",
    )
    duree_conservation_recensement = models.PositiveSmallIntegerField(
        "durée de conservation des données de recensement (années)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Comptée à partir de l'envoi de la liste trimestrielle.",
    )
    # The printer's drift on the pre-printed card stock, measured on the test sheet.
    carte_decalage_horizontal = models.DecimalField(
        "décalage horizontal des cartes électorales (mm)",
        max_digits=4,
        decimal_places=1,
        default=0,
        db_default=0,  # rows written by code that predates the field (migrations' models)
        validators=[MinValueValidator(-30), MaxValueValidator(30)],
        help_text="Positif : vers la droite. Mesuré sur la feuille de test des cartes.",
    )
    carte_decalage_vertical = models.DecimalField(
        "décalage vertical des cartes électorales (mm)",
        max_digits=4,
        decimal_places=1,
        default=0,
        db_default=0,
        validators=[MinValueValidator(-30), MaxValueValidator(30)],
        help_text="Positif : vers le bas. Mesuré sur la feuille de test des cartes.",
    )

    objects = CollectiviteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "collectivité"
        verbose_name_plural = "collectivités"
        ordering = ["nom"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code_insee})"

    def save(self, *args, **kwargs) -> None:
        if not self.departement and self.code_insee:
            self.departement = departement_of(self.code_insee)
        super().save(*args, **kwargs)

    @property
    def telephone_lisible(self) -> str:
        """As printed: "02 99 40 61 61"."""
        return " ".join(self.telephone[i : i + 2] for i in range(0, len(self.telephone), 2))

    @property
    def maire_as_printed(self) -> str:
        """The maire's name as documents print it: "Anne LE GALL"; blank when unset, which
        leaves room to write it by hand."""
        return f"{self.maire_prenom.strip()} {self.maire_nom.strip().upper()}".strip()

    def sceau_uri(self) -> str:
        """The seal's address for printed documents (mairie.files.as_uri); empty when unset or
        missing, since a lost image file must not prevent printing."""
        if not files.exists(self.sceau.name):
            return ""
        return files.as_uri(self.sceau.name)

    def clean(self) -> None:
        if self.code_insee and is_code_commune(self.code_insee):
            expected = departement_of(self.code_insee)
            if not self.departement:
                self.departement = expected
            elif self.departement != expected:
                raise ValidationError(
                    {
                        "departement": f"Le code INSEE {self.code_insee} appartient au "
                        f"département {expected}, pas {self.departement}."
                    }
                )


class Role(models.TextChoices):
    RECENSEMENT = "recensement", "Recensement"
    ELECTIONS = "elections", "Élections"
    RESPONSABLE = "responsable", "Responsable"


class Affectation(models.Model):
    """An agent (Django user) working for one collectivité, with one role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="affectations",
        verbose_name="agent",
    )
    collectivite = models.ForeignKey(
        Collectivite,
        on_delete=models.CASCADE,
        related_name="affectations",
        verbose_name="collectivité",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "affectation d'agent"
        verbose_name_plural = "affectations des agents"
        ordering = ["collectivite__nom", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "collectivite"], name="unique_affectation")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.collectivite.nom} ({self.get_role_display()})"

    def allows(self, role: str) -> bool:
        """The responsable does both jobs; other agents only their own."""
        return self.role in (role, Role.RESPONSABLE)


# --- INSEE reference data (Code officiel géographique), columns named as in INSEE's files ---


class Region(models.Model):
    code = models.CharField("code", max_length=2, primary_key=True)
    cheflieu = models.CharField("chef-lieu", max_length=5)
    tncc = models.CharField("type de nom", max_length=1)
    ncc = models.CharField("nom en majuscules", max_length=200)
    nccenr = models.CharField("nom enrichi", max_length=200)
    libelle = models.CharField("libellé", max_length=200)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.code})"


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    region_code = models.CharField("région", max_length=2)
    cheflieu = models.CharField("chef-lieu", max_length=5)
    tncc = models.CharField("type de nom", max_length=1)
    ncc = models.CharField("nom en majuscules", max_length=200)
    nccenr = models.CharField("nom enrichi", max_length=200)
    libelle = models.CharField("libellé", max_length=200)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.code})"


class TypeCommune(models.TextChoices):
    COM = "COM", "Commune"
    COMD = "COMD", "Commune déléguée"
    COMA = "COMA", "Commune associée"
    ARM = "ARM", "Arrondissement municipal"
    SRM = "SRM", "Secteur municipal"


class CommuneQuerySet(models.QuerySet):
    def current_first(self) -> "CommuneQuerySet":
        """Current communes, then municipal arrondissements, then the delegated or associated
        communes sharing their code."""
        rank = Case(
            When(typecom=TypeCommune.COM, then=Value(0)),
            When(typecom=TypeCommune.ARM, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return self.order_by(rank, "typecom")

    def of_code(self, code: str, current: bool = False) -> "Commune | None":
        """The commune an INSEE code designates: the current commune (or municipal
        arrondissement: Paris, Lyon, Marseille), else, unless `current`, the delegated or
        associated commune that kept the code of a commune that no longer exists."""
        if not is_code_commune(code):
            return None
        communes = self.filter(code=code)
        if current:
            communes = communes.filter(typecom__in=(TypeCommune.COM, TypeCommune.ARM))
        return communes.current_first().first()


class Commune(models.Model):
    typecom = models.CharField("type", max_length=4, choices=TypeCommune.choices)
    # Municipal sectors (SRM) have longer codes than communes: 13055SR01.
    code = models.CharField("code INSEE", max_length=10, db_index=True)
    region_code = models.CharField("région", max_length=2, blank=True)
    departement_code = models.CharField("département", max_length=3, blank=True)
    tncc = models.CharField("type de nom", max_length=1)
    ncc = models.CharField("nom en majuscules", max_length=200)
    nccenr = models.CharField("nom enrichi", max_length=200)
    libelle = models.CharField("libellé", max_length=200)
    comparent = models.CharField("commune parente", max_length=5, blank=True)
    # The libellé folded to uppercase ASCII words, for accent-insensitive search on any database.
    recherche = models.CharField(max_length=200, editable=False, db_index=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["libelle", "code"]
        constraints = [
            models.UniqueConstraint(fields=["typecom", "code"], name="unique_commune_type_code")
        ]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.departement_code})"

    def save(self, *args, **kwargs) -> None:
        self.recherche = search_key(self.libelle)
        super().save(*args, **kwargs)


class Sexe(models.TextChoices):
    MASCULIN = "M", "masculin"
    FEMININ = "F", "féminin"


class Actualite(models.TextChoices):
    """INSEE's ACTUAL column."""

    PAYS = "1", "pays"
    DISPARU = "2", "pays ou territoire disparu"
    TERRITOIRE_SANS_CODE = "3", "territoire sans code propre"
    TERRITOIRE = "4", "territoire ayant son code propre"


class PaysQuerySet(models.QuerySet):
    def current_first(self) -> "PaysQuerySet":
        """Countries, then territories with their own code, then the others; by code within."""
        rank = Case(
            When(actual=Actualite.PAYS, then=Value(0)),
            When(actual=Actualite.TERRITOIRE, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return self.order_by(rank, "code")

    def with_rattachement(self) -> "PaysQuerySet":
        """Annotates `rattachement`, the name of the country a territory belongs to."""
        country = Pays.objects.filter(code=OuterRef("crpay")).current_first()
        return self.annotate(rattachement=Subquery(country.values("libenr")[:1]))


class Pays(models.Model):
    # An INSEE file may give one code several rows, hence the key (code, libcog); the 2025 file
    # bundled here has one row per code.
    code = models.CharField("code INSEE", max_length=5, db_index=True)
    actual = models.CharField("actualité", max_length=1, choices=Actualite.choices)
    crpay = models.CharField(
        "code du pays de rattachement",
        max_length=5,
        blank=True,
        help_text="Pour un territoire : le code INSEE du pays dont il relève (Féroé : 99101).",
    )
    libcog = models.CharField("nom en majuscules", max_length=200)
    libenr = models.CharField("nom", max_length=200)
    codeiso2 = models.CharField("code ISO alpha-2", max_length=2, blank=True)
    codeiso3 = models.CharField("code ISO alpha-3", max_length=3, blank=True)
    codenum3 = models.CharField("code ISO numérique", max_length=3, blank=True)

    objects = PaysQuerySet.as_manager()

    class Meta:
        verbose_name = "pays"
        verbose_name_plural = "pays"
        ordering = ["libenr"]
        constraints = [
            models.UniqueConstraint(fields=["code", "libcog"], name="unique_pays_code_libelle")
        ]

    def __str__(self) -> str:
        return f"{self.libenr} ({self.code})"

    @property
    def nom_complet(self) -> str:
        """As offered for choice: "Féroé (Danemark)"; needs `with_rattachement()`."""
        rattachement = getattr(self, "rattachement", "")
        return f"{self.libenr} ({rattachement})" if rattachement else self.libenr
