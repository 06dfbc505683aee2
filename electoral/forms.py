import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.forms.models import construct_instance
from django.utils import timezone

from electoral.models import (
    MODIFIABLE_FIELDS,
    BureauDeVote,
    Decision,
    Decoupage,
    Electeur,
    Inscription,
    Liste,
    MembreCommission,
    MotifInscription,
    MotifModification,
    MotifRadiation,
    MotifRetour,
    Mouvement,
    Parite,
    Procuration,
    ReunionCommission,
    Scrutin,
    Voie,
    normalise_bureau_code,
    validate_bureau_code,
    validate_date_effet,
    validate_list_date,
    voie_key,
)
from electoral.procurations import local_voter
from electoral.rules import NAME_FIELDS
from mairie.forms import (
    CompactForm,
    DateInput,
    NameSearchForm,
    clean_names,
    clean_place,
    form_row,
    initial_place,
    place_fields,
    place_layout,
)
from mairie.models import Collectivite


class ScopedForm(forms.ModelForm):
    """A form whose choices of bureaux and voies are the collectivité's own."""

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        self.instance.collectivite = collectivite
        for name, model in (("bureau", BureauDeVote), ("voie", Voie)):
            if name in self.fields:
                self.fields[name].queryset = model.objects.for_collectivite(collectivite)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _unique(self, field: str, message: str, **lookup) -> None:
        model = self._meta.model
        if (
            model.objects.filter(collectivite=self.collectivite, **lookup)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(field, message)


# Derived from the commune (or the country) chosen in the place fields, never typed.
BIRTH_PLACE_FIELDS = [
    "naissance_code_lieu",
    "naissance_commune",
    "naissance_departement",
    "naissance_pays",
]
BIRTH_PLACE_INPUTS = ["naissance_ou", "naissance_commune_saisie", "naissance_pays_choix"]


class ElecteurForm(ScopedForm):
    """The voter's état civil and address; what lists they are on is decided by movements. The
    birth place is chosen as on the registrant's form (commune of the INSEE reference, or
    country and town abroad): its code, département and country follow from it."""

    class Meta:
        model = Electeur
        fields = [name for name in MODIFIABLE_FIELDS if name not in BIRTH_PLACE_FIELDS]
        widgets = {"date_naissance": DateInput(), "sexe": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(place_fields("naissance", "lieu de naissance", abroad=True))
        self.fields["sexe"].choices = self.fields["sexe"].choices[1:]
        self.fields[
            "voie"
        ].help_text = "Voie du découpage : elle décide du bureau. Sans voie, choisissez le bureau."
        self.fields["date_naissance"].required = True
        instance = self.instance
        self.initial.update(
            initial_place(
                "naissance",
                instance.naissance_code_lieu,
                instance.naissance_commune,
                instance.naissance_pays,
                abroad=True,
            )
        )
        self.helper.layout = Layout(
            Fieldset(
                "État civil",
                Field("sexe"),
                form_row("nom_naissance", "nom_usage"),
                form_row("prenoms", "date_naissance"),
                place_layout("naissance", abroad=True),
                Field("nationalite"),
            ),
            Fieldset(
                "Adresse",
                form_row("numero_voie", "voie"),
                form_row("type_voie", "libelle_voie"),
                form_row("complement1", "complement2", "lieu_dit"),
                form_row("code_postal", "ville", "pays"),
            ),
        )

    def clean(self) -> dict:
        data = super().clean()
        self._clean_birth_place(data)
        clean_names(self, NAME_FIELDS)
        voie = data.get("voie")
        if voie:
            # The street of the découpage fills the address parts an agent would retype.
            data["type_voie"], data["libelle_voie"] = voie.type_voie, voie.libelle
            data["code_postal"] = data.get("code_postal") or voie.code_postal
            data["ville"] = data.get("ville") or self.collectivite.nom
        elif not data.get("libelle_voie") and not data.get("lieu_dit"):
            self.add_error("voie", "Choisissez une voie, ou écrivez l'adresse.")
        return data

    def _clean_birth_place(self, data: dict) -> None:
        instance = self.instance
        if instance.pk and not any(
            name in self.changed_data for name in [*BIRTH_PLACE_INPUTS, "naissance_ville"]
        ):
            # Untouched: kept as stored (a REU extraction may name a place the reference lacks).
            place = tuple(getattr(instance, name) for name in BIRTH_PLACE_FIELDS)
        else:
            length = Electeur._meta.get_field("naissance_pays").max_length
            place = clean_place(
                self, "naissance", "lieu de naissance", abroad=True, required=True, length=length
            )
            if place is None:
                return
        for name, value in zip(BIRTH_PLACE_FIELDS, place, strict=True):
            data[name] = value
            setattr(instance, name, value)


class MouvementForm(CompactForm):
    # The services apply the same rule: a form only says it next to the field.
    date_effet = forms.DateField(
        label="Date d'effet", widget=DateInput(), validators=[validate_date_effet]
    )

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_effet"].initial = timezone.localdate()
        if "bureau" in self.fields:
            self.fields["bureau"].queryset = BureauDeVote.objects.for_collectivite(collectivite)


class InscriptionForm(MouvementForm):
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices)
    # The reprise of an REU extraction is the importer's alone: an agent never records one.
    motif = forms.ChoiceField(
        label="Motif",
        choices=[
            (v, label) for v, label in MotifInscription.choices if v != MotifInscription.REPRISE_REU
        ],
    )
    bureau = forms.ModelChoiceField(
        label="Bureau de vote",
        queryset=BureauDeVote.objects.none(),
        required=False,
        empty_label="selon le découpage",
    )
    field_order = ["liste", "motif", "date_effet", "bureau"]


class ModificationForm(MouvementForm):
    motif = forms.ChoiceField(label="Motif", choices=MotifModification.choices)
    bureau = forms.ModelChoiceField(
        label="Nouveau bureau de vote",
        queryset=BureauDeVote.objects.none(),
        required=False,
        empty_label="selon le découpage",
    )
    field_order = ["motif", "date_effet", "bureau"]


class RadiationForm(MouvementForm):
    liste = forms.ChoiceField(label="Liste")
    # No motif chosen in advance: a radiation needs the reason the agent gives.
    motif = forms.ChoiceField(
        label="Motif de la radiation", choices=[("", "— choisir —"), *MotifRadiation.choices]
    )
    field_order = ["liste", "motif", "date_effet"]

    def __init__(self, *args, electeur: Electeur, **kwargs) -> None:
        super().__init__(*args, collectivite=electeur.collectivite, **kwargs)
        active = electeur.inscriptions.actives().values_list("liste", flat=True)
        self.fields["liste"].choices = [(v, label) for v, label in Liste.choices if v in active]


class ElecteurFilterForm(NameSearchForm):
    liste = forms.ChoiceField(
        label="Liste", required=False, choices=[("", "toutes")] + list(Liste.choices)
    )
    bureau = forms.ModelChoiceField(
        label="Bureau", required=False, queryset=BureauDeVote.objects.none(), empty_label="tous"
    )
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "inscrits"), ("radies", "radiés"), ("tous", "tous")],
    )

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = BureauDeVote.objects.for_collectivite(collectivite)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.search(data["q"])
        if data["bureau"]:
            queryset = queryset.filter(bureau=data["bureau"])
        # EXISTS rather than a join: no DISTINCT to sort away on a million voters.
        today = timezone.localdate()
        on_list = Inscription.objects.on_list(today).filter(electeur=OuterRef("pk"))
        ever = Inscription.objects.filter(electeur=OuterRef("pk"))
        if data["liste"]:
            on_list, ever = on_list.filter(liste=data["liste"]), ever.filter(liste=data["liste"])
        if data["statut"] == "radies":
            # From the few radiated inscriptions (partial index), not from every voter.
            radiated = Inscription.objects.filter(radie_le__isnull=False, radie_le__lte=today)
            if data["liste"]:
                radiated = radiated.filter(liste=data["liste"])
            return queryset.filter(pk__in=radiated.values("electeur_id")).exclude(Exists(on_list))
        if data["statut"] == "tous":
            return queryset.filter(Exists(ever)) if data["liste"] else queryset
        return queryset.filter(Exists(on_list))


class BureauCodeField(forms.ModelChoiceField):
    """A bureau chosen by its code as agents and commands write it: "1" is bureau 0001."""

    def to_python(self, value):
        return super().to_python(normalise_bureau_code(value) if isinstance(value, str) else value)


class BureauForm(ScopedForm):
    class Meta:
        model = BureauDeVote
        fields = ["code", "libelle", "adresse", "canton", "circonscription"]

    def clean_code(self) -> str:
        code = normalise_bureau_code(self.cleaned_data["code"])
        validate_bureau_code(code)
        self._unique("code", f"Le bureau {code} existe déjà.", code=code)
        return code


class VoieForm(ScopedForm):
    class Meta:
        model = Voie
        fields = ["type_voie", "libelle", "code_postal"]

    def clean(self) -> dict:
        data = super().clean()
        self._unique(
            "libelle",
            "Cette voie existe déjà.",
            recherche=voie_key(data.get("type_voie", ""), data.get("libelle", "")),
            code_postal=data.get("code_postal", ""),
        )
        return data


class DecoupageForm(ScopedForm):
    class Meta:
        model = Decoupage
        fields = ["parite", "numero_debut", "numero_fin", "bureau"]

    def __init__(self, *args, voie: Voie, **kwargs) -> None:
        super().__init__(*args, collectivite=voie.collectivite, **kwargs)
        self.voie = voie
        self.instance.voie = voie

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("numero_debut"), data.get("numero_fin")
        if start is not None and end is not None and start > end:
            self.add_error("numero_fin", "Le dernier numéro précède le premier.")
            return data
        rule = Decoupage(
            voie=self.voie, parite=data.get("parite"), numero_debut=start, numero_fin=end
        )
        for other in self.voie.decoupages.exclude(pk=self.instance.pk).select_related("bureau"):
            if overlaps(rule, other):
                self.add_error(None, f"Cette règle chevauche une règle existante : {other}.")
        return data


def overlaps(a: Decoupage, b: Decoupage) -> bool:
    """Whether two rules of one street share at least one house number."""
    if {a.parite, b.parite} == {Parite.PAIRS, Parite.IMPAIRS}:
        return False
    low = max(a.numero_debut or 0, b.numero_debut or 0)
    high = min(a.numero_fin or 10**9, b.numero_fin or 10**9)
    if low > high:
        return False
    parities = {a.parite, b.parite} - {Parite.TOUS}
    if not parities:
        return True
    wanted = 0 if parities == {Parite.PAIRS} else 1
    first = low if low % 2 == wanted else low + 1
    return first <= high


# Signatures of the files agents pick by mistake instead of the CSV extraction.
NOT_TEXT_SIGNATURES = {
    b"PK\x03\x04": "une archive ZIP ou un classeur Excel/LibreOffice",
    b"%PDF": "un document PDF",
    b"\xd0\xcf\x11\xe0": "un ancien classeur Excel (.xls)",
    b"\x1f\x8b": "une archive compressée (gzip)",
    b"Rar!": "une archive RAR",
    b"7z\xbc\xaf": "une archive 7-Zip",
}
SNIFF_BYTES = 64 * 1024


def sniff_not_text(head: bytes) -> str | None:
    """What the start of a file says it is when it is not a text file, None if it is text."""
    for signature, kind in NOT_TEXT_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if b"\x00" in head:
        return "un fichier binaire"
    return None


class ReuUploadForm(forms.Form):
    fichier = forms.FileField(
        label="Extraction REU (CSV)",
        help_text=(
            "Le fichier CSV téléchargé depuis ELIRE, tel quel ou réenregistré par un tableur "
            "(séparateur « ; » ou « , », UTF-8 ou Windows-1252)."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.txt,text/csv", "class": "form-control"}
        ),
    )

    def clean_fichier(self):
        uploaded = self.cleaned_data["fichier"]
        if not uploaded.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Choisissez le fichier CSV de l'extraction (.csv).")
        limit = settings.MAIRIE_MAX_UPLOAD_MB * 1024 * 1024
        if uploaded.size > limit:
            raise forms.ValidationError(
                f"Fichier trop volumineux ({uploaded.size // (1024 * 1024)} Mo) : "
                f"{settings.MAIRIE_MAX_UPLOAD_MB} Mo au plus."
            )
        uploaded.seek(0)
        kind = sniff_not_text(uploaded.read(SNIFF_BYTES))
        uploaded.seek(0)
        if kind:
            raise forms.ValidationError(
                f"Ce fichier n'est pas un fichier texte CSV : c'est {kind}. Choisissez "
                "l'extraction REU au format CSV telle que téléchargée depuis ELIRE."
            )
        return uploaded


class ScrutinForm(ScopedForm):
    class Meta:
        model = Scrutin
        fields = ["libelle", "premier_tour", "second_tour"]
        widgets = {"premier_tour": DateInput(), "second_tour": DateInput()}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("libelle") and data.get("premier_tour"):
            self._unique(
                "premier_tour",
                "Ce scrutin est déjà enregistré à cette date.",
                libelle=data["libelle"],
                premier_tour=data["premier_tour"],
            )
        return data


class DureeProcuration(models.TextChoices):
    SCRUTIN = "scrutin", "pour un scrutin"
    PERIODE = "periode", "pour une durée (un an au plus, trois hors de France)"


class ProcurationForm(ScopedForm):
    """What the procuration's volet says. The rules (electoral.procurations) are checked by
    the service when it records it; the form only reads the fields."""

    duree = forms.ChoiceField(
        label="Procuration établie",
        choices=DureeProcuration.choices,
        initial=DureeProcuration.SCRUTIN,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Procuration
        fields = [
            "mandataire_ine",
            "mandataire_nom",
            "mandataire_prenoms",
            "mandataire_date_naissance",
            "mandataire_commune",
            "scrutin",
            "tours",
            "debut",
            "fin",
            "etablie_le",
            "etablie_par",
            "hors_de_france",
        ]
        widgets = {
            "mandataire_date_naissance": DateInput(),
            "debut": DateInput(),
            "fin": DateInput(),
            "etablie_le": DateInput(),
        }
        help_texts = {
            "mandataire_ine": "Si le mandataire est électeur de la commune, son nom est repris de "
            "la liste.",
            "debut": "Pour une procuration d'une durée.",
            "fin": "Pour une procuration d'une durée.",
        }

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, collectivite=collectivite, **kwargs)
        self.fields["scrutin"].queryset = Scrutin.objects.for_collectivite(collectivite)
        self.fields["etablie_le"].initial = timezone.localdate()
        # Filled from the list when the INE is a voter of the commune.
        for name in ("mandataire_nom", "mandataire_prenoms", "debut", "fin"):
            self.fields[name].required = False
        self.helper.layout = Layout(
            Fieldset(
                "Mandataire",
                form_row("mandataire_ine", "mandataire_date_naissance", sizes=(6, 6)),
                form_row("mandataire_nom", "mandataire_prenoms", "mandataire_commune"),
            ),
            Fieldset(
                "Validité",
                Field("duree"),
                form_row("scrutin", "tours", sizes=(8, 4)),
                form_row("debut", "fin"),
            ),
            Fieldset("Établissement", form_row("etablie_le", "etablie_par", "hors_de_france")),
        )

    def clean(self) -> dict:
        clean_names(self, ("mandataire_nom", "mandataire_prenoms"))
        data = super().clean()
        data["mandataire_ine"] = (data.get("mandataire_ine") or "").strip().upper()
        local = local_voter(self.collectivite, data.get("mandataire_ine") or "")
        if local is None:
            for name in ("mandataire_nom", "mandataire_prenoms", "mandataire_date_naissance"):
                if name in data and not data[name]:
                    self.add_error(
                        name, "Obligatoire pour un mandataire inscrit dans une autre commune."
                    )
        if data.get("duree") == DureeProcuration.SCRUTIN:
            if not data.get("scrutin"):
                self.add_error("scrutin", "Choisissez le scrutin.")
            if not data.get("tours"):
                self.add_error("tours", "Choisissez le ou les tours.")
        else:
            data["scrutin"] = None
            for name in ("debut", "fin"):
                if name in data and not data[name]:
                    self.add_error(name, "Obligatoire pour une procuration d'une durée.")
        return data

    def _post_clean(self) -> None:
        # The mandant and the period are set by the view and the service, which then runs the
        # model's own checks (electoral.procurations.enregistrer).
        construct_instance(self, self.instance, self._meta.fields)


class ProcurationFilterForm(CompactForm):
    statut = forms.ChoiceField(
        label="Procurations",
        required=False,
        choices=[
            ("", "en cours ou à venir"),
            ("expirees", "expirées ou résiliées"),
            ("toutes", "toutes"),
        ],
    )
    scrutin = forms.ModelChoiceField(
        label="Scrutin", required=False, queryset=Scrutin.objects.none(), empty_label="tous"
    )

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scrutin"].queryset = Scrutin.objects.for_collectivite(collectivite)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        today = timezone.localdate()
        if data["scrutin"]:
            scrutin = data["scrutin"]
            last = scrutin.second_tour or scrutin.premier_tour
            queryset = queryset.filter(debut__lte=last, fin__gte=scrutin.premier_tour)
        in_force = Q(fin__gte=today) & (Q(resiliee_le__isnull=True) | Q(resiliee_le__gt=today))
        if data["statut"] == "":
            return queryset.filter(in_force)
        if data["statut"] == "expirees":
            return queryset.exclude(in_force)
        return queryset


class StatistiquesForm(CompactForm):
    au = forms.DateField(
        label="Au", required=False, widget=DateInput(), validators=[validate_list_date]
    )

    @property
    def day(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data["au"]:
            return self.cleaned_data["au"]
        return timezone.localdate()


class TirageJuresForm(CompactForm):
    annee = forms.IntegerField(label="Année du tirage", min_value=2000, max_value=2100)
    nombre = forms.IntegerField(
        label="Nombre de jurés (arrêté préfectoral)",
        min_value=1,
        max_value=10_000,
        help_text="Trois fois ce nombre d'électeurs seront tirés.",
    )
    graine = forms.CharField(
        label="Graine",
        required=False,
        max_length=64,
        help_text="Laisser vide pour une graine au hasard ; la même graine redonne le même tirage.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].initial = timezone.localdate().year


class MembreCommissionForm(ScopedForm):
    class Meta:
        model = MembreCommission
        fields = ["qualite", "nom", "prenoms", "adresse", "courriel"]
        widgets = {"adresse": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict:
        clean_names(self, ("nom", "prenoms"))
        return super().clean()


class ReunionCommissionForm(ScopedForm):
    class Meta:
        model = ReunionCommission
        fields = ["date", "heure", "lieu", "depuis"]
        widgets = {
            "date": DateInput(),
            "heure": forms.TimeInput(attrs={"type": "time"}),
            "depuis": DateInput(),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["depuis"].required = False
        self.fields[
            "depuis"
        ].help_text = "Vide : le lendemain de la réunion précédente (obligatoire pour la première)."

    def _post_clean(self) -> None:
        # The service sets `depuis` from the previous meeting, then runs the model's checks.
        construct_instance(self, self.instance, self._meta.fields)


class DecisionCommissionForm(CompactForm):
    mouvement = forms.ModelChoiceField(
        label="Mouvement contesté", queryset=Mouvement.objects.none()
    )
    decision = forms.ChoiceField(label="Décision", choices=Decision.choices)
    observations = forms.CharField(
        label="Motifs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, movements, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mouvement"].queryset = movements
        self.fields["mouvement"].label_from_instance = lambda m: (
            f"{m.date_effet:%d/%m/%Y} — {m.get_type_display()} ({m.motif_label}) de {m.electeur}"
        )


class CarteRevenueForm(CompactForm):
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices, initial=Liste.PRINCIPALE)
    bureau = forms.ModelChoiceField(
        label="Bureau", queryset=BureauDeVote.objects.none(), required=False, empty_label="—"
    )
    reference = forms.CharField(
        label="Numéro d'ordre ou INE",
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text="Tapez ou scannez ce qui est imprimé sur la carte.",
    )
    motif = forms.ChoiceField(label="Motif du retour", choices=MotifRetour.choices)

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = BureauDeVote.objects.for_collectivite(collectivite)
