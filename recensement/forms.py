import datetime
import re

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.http import QueryDict
from django.utils import timezone

from mairie.forms import (
    ABROAD,
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
from mairie.models import Collectivite, Pays, Sexe
from mairie.phone import normalise_phone
from mairie.text import exchange_text
from recensement import demandes
from recensement.models import (
    FRANCE,
    DemandeEnLigne,
    Mode,
    Nationalite,
    Pupille,
    Recense,
    identity_key,
    quarter_label,
    quarter_of,
)
from recensement.services import closed_message, closed_quarters
from recensement.statistics import Period

PARENT_FIELDS = ["nom", "prenoms", "date_naissance", "nationalite"]
PHONE_FIELDS = ["telephone_fixe", "telephone_portable"]
PARENT_TEXT = ["nom", "prenoms", "naissance_ville"]
# The names of persons (mairie.names): the registrant's and their parents'.
NAME_FIELDS = [
    "nom_naissance",
    "nom_usage",
    "prenoms",
    *(f"{parent}_{name}" for parent in ("pere", "mere") for name in ("nom", "prenoms")),
]
# Written in the PECOTO file as INSEE text (capitals, no accents): what it cannot carry is
# refused here, not found at export time.
EXCHANGE_TEXT_FIELDS = [
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "naissance_ville",
    "domicile_numero",
    "domicile_voie",
    "domicile_complement",
    "residence_numero",
    "residence_voie",
    "residence_complement",
    "residence_ville",
    *(f"{parent}_{name}" for parent in ("pere", "mere") for name in PARENT_TEXT),
    "etablissement",
    "specialite",
    "profession",
]
POSTAL_CODE_FIELDS = ["domicile_code_postal", "residence_code_postal"]
# What the attestation prints of the person and a change of which it no longer matches.
ATTESTATION_FIELDS = {
    "nom_naissance": "le nom de naissance",
    "nom_usage": "le nom d'usage",
    "prenoms": "les prénoms",
    "date_naissance": "la date de naissance",
}


def born_word(recense: Recense) -> str:
    return "née" if recense.sexe == Sexe.FEMININ else "né"


def _country_choices(include_france: bool) -> list[tuple[str, str]]:
    countries = Pays.objects.exclude(code=FRANCE).with_rattachement().order_by("libenr")
    choices = [("", "—")]
    if include_france:
        choices.append((FRANCE, "française"))
    return choices + [(pays.code, pays.nom_complet) for pays in countries]


# Places of the notice: (prefix, label, may be abroad)
PLACES = [
    ("naissance", "lieu de naissance", True),
    ("domicile", "domicile", False),
    ("residence", "résidence", True),
    ("pere_naissance", "lieu de naissance du père", True),
    ("mere_naissance", "lieu de naissance de la mère", True),
]
PARENTS = [("pere", "Père"), ("mere", "Mère")]


class RecenseForm(forms.ModelForm):
    # Wider than the stored 10 digits: spaces, dots and +33 are accepted, then removed.
    telephone_fixe = forms.CharField(
        label="Téléphone fixe", required=False, max_length=20, help_text="10 chiffres."
    )
    telephone_portable = forms.CharField(
        label="Téléphone portable", required=False, max_length=20, help_text="10 chiffres."
    )
    pere_non_declare = forms.BooleanField(label="Père non déclaré", required=False)
    mere_non_declare = forms.BooleanField(label="Mère non déclarée", required=False)
    # Asked for (outside the layout) only when a printed attestation would stop matching.
    confirme_attestation = forms.BooleanField(
        label="Je confirme la modification : l'attestation imprimée ne correspondra plus.",
        required=False,
    )

    class Meta:
        model = Recense
        fields = [
            "date_recensement",
            "inscription_d_office",
            "sexe",
            "nom_naissance",
            "nom_usage",
            "prenoms",
            "date_naissance",
            "nationalite",
            "date_acquisition_nationalite",
            "double_nationalite",
            "domicile_numero",
            "domicile_voie",
            "domicile_complement",
            "domicile_code_postal",
            "residence_identique",
            "residence_numero",
            "residence_voie",
            "residence_complement",
            "residence_code_postal",
            "telephone_fixe",
            "telephone_portable",
            "courriel",
            "pere_nom",
            "pere_prenoms",
            "pere_date_naissance",
            "pere_nationalite",
            "mere_nom",
            "mere_prenoms",
            "mere_date_naissance",
            "mere_nationalite",
            "nombre_freres_soeurs",
            "situation_familiale",
            "nombre_enfants",
            "pupille",
            "situation_scolaire",
            "etablissement",
            "diplome",
            "specialite",
            "profession",
            "situation_particuliere",
            "situation_particuliere_detail",
        ]
        widgets = {
            "date_recensement": DateInput(),
            "date_naissance": DateInput(),
            "date_acquisition_nationalite": DateInput(),
            "pere_date_naissance": DateInput(),
            "mere_date_naissance": DateInput(),
            "sexe": forms.RadioSelect,
            "nationalite": forms.RadioSelect,
            "situation_particuliere_detail": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, collectivite: Collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        self.instance.collectivite = collectivite
        self.duplicate: Recense | None = None
        self.attestation_changes: list[str] = []
        for prefix, label, abroad in PLACES:
            self.fields.update(place_fields(prefix, label, abroad))
        self.fields["double_nationalite"] = forms.ChoiceField(
            label="Double nationalité", choices=_country_choices(False), required=False
        )
        for parent in ("pere", "mere"):
            self.fields[f"{parent}_nationalite"] = forms.ChoiceField(
                label=self.fields[f"{parent}_nationalite"].label.split(" (")[0],
                choices=_country_choices(True),
                required=False,
                initial=FRANCE,
            )
        self.fields["sexe"].choices = self.fields["sexe"].choices[1:]
        self.fields["nationalite"].choices = Nationalite.choices
        for name, field in self.fields.items():
            model_field = next((f for f in Recense._meta.fields if f.name == name), None)
            if (
                isinstance(field, forms.CharField)
                and model_field
                and field.max_length == model_field.max_length
            ):
                field.widget.attrs.setdefault("maxlength", field.max_length)
                limit = f"{field.max_length} caractères au plus."
                field.help_text = f"{field.help_text} {limit}".strip()
        self._initial_places()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = "recensement/partials/recense_form_fields.html"
        self.helper.layout = self._layout()

    def _initial_places(self) -> None:
        instance = self.instance
        if not instance.pk:  # a new registrant mostly lives in the collectivité
            self.initial.setdefault(
                "domicile_commune_saisie",
                f"{self.collectivite.nom} ({self.collectivite.code_insee})",
            )
            self.initial.setdefault("domicile_code_postal", self.collectivite.code_postal)
        self.initial["pere_non_declare"] = not instance.pere_connu
        self.initial["mere_non_declare"] = not instance.mere_connu
        for prefix, _, abroad in PLACES:
            code = getattr(instance, f"{prefix}_code_lieu")
            if code:
                commune, pays = (getattr(instance, f"{prefix}_{n}") for n in ("commune", "pays"))
                self.initial.update(initial_place(prefix, code, commune, pays, abroad))

    def _layout(self) -> Layout:
        return Layout(
            Fieldset(
                "Recensement",
                form_row("date_recensement", "inscription_d_office", sizes=(4, 8)),
            ),
            Fieldset(
                "État civil",
                InlineRadios("sexe"),
                form_row("nom_naissance", "nom_usage"),
                form_row("prenoms", "date_naissance", sizes=(8, 4)),
                place_layout("naissance", True),
            ),
            Fieldset(
                "Nationalité",
                Div(
                    InlineRadios("nationalite"),
                    Div(Field("date_acquisition_nationalite"), css_class="acquisition"),
                    css_class="nationalite",
                ),
                Field("double_nationalite"),
            ),
            Fieldset(
                "Adresses",
                HTML('<h2 class="h6 mt-2">Domicile</h2>'),
                form_row("domicile_numero", "domicile_voie", sizes=(2, 10)),
                form_row("domicile_complement", "domicile_code_postal", sizes=(8, 4)),
                place_layout("domicile", False),
                Div(
                    Field("residence_identique"),
                    Div(
                        HTML('<h2 class="h6 mt-2">Résidence</h2>'),
                        form_row("residence_numero", "residence_voie", sizes=(2, 10)),
                        form_row("residence_complement", "residence_code_postal", sizes=(8, 4)),
                        place_layout("residence", True),
                        css_class="residence-details",
                    ),
                    css_class="residence",
                ),
                HTML('<h2 class="h6 mt-2">Contact</h2>'),
                form_row("telephone_fixe", "telephone_portable", "courriel"),
            ),
            Fieldset(
                "Filiation",
                *[self._parent_layout(parent, title) for parent, title in PARENTS],
            ),
            Fieldset(
                "Informations diverses",
                form_row(
                    "nombre_freres_soeurs", "situation_familiale", "nombre_enfants", "pupille"
                ),
                form_row("situation_scolaire", "etablissement"),
                form_row("diplome", "specialite", "profession"),
                Div(
                    Field("situation_particuliere"),
                    Div(Field("situation_particuliere_detail"), css_class="particuliere-detail"),
                    css_class="particuliere",
                ),
            ),
        )

    @staticmethod
    def _parent_layout(parent: str, title: str) -> Div:
        return Div(
            HTML(f'<h2 class="h6 mt-2">{title}</h2>'),
            Field(f"{parent}_non_declare"),
            Div(
                form_row(f"{parent}_nom", f"{parent}_prenoms"),
                form_row(f"{parent}_date_naissance", f"{parent}_nationalite"),
                place_layout(f"{parent}_naissance", True),
                css_class="parent-details",
            ),
            css_class="parent",
        )

    def clean_date_recensement(self) -> datetime.date:
        day = self.cleaned_data["date_recensement"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                "La date de recensement ne peut pas être dans le futur : c'est le jour où la "
                "personne s'est présentée en mairie."
            )
        return day

    def _clean_phone(self, name: str) -> str:
        value = normalise_phone(self.cleaned_data.get(name, ""))
        if value and not re.fullmatch(r"0\d{9}", value):
            raise forms.ValidationError(
                "Le numéro de téléphone doit compter 10 chiffres (ex. 06 12 34 56 78)."
            )
        return value

    def clean_telephone_fixe(self) -> str:
        return self._clean_phone("telephone_fixe")

    def clean_telephone_portable(self) -> str:
        return self._clean_phone("telephone_portable")

    def clean(self) -> dict:
        data = super().clean()
        self._clean_place("naissance", "lieu de naissance", abroad=True, required=True)
        self._clean_place("domicile", "domicile", abroad=False, required=True)
        if data.get("nationalite") == Nationalite.ACQUISE:
            if not data.get("date_acquisition_nationalite"):
                self.add_error(
                    "date_acquisition_nationalite",
                    "Indiquez la date à laquelle la personne est devenue française.",
                )
        else:
            data["date_acquisition_nationalite"] = None
        if data.get("residence_identique", True):
            for name in ("numero", "voie", "complement", "code_postal"):
                data[f"residence_{name}"] = ""
            self._set_place("residence", "", "", "", "")
        else:
            if not data.get("residence_voie"):
                self.add_error("residence_voie", "Indiquez l'adresse de résidence.")
            self._clean_place("residence", "résidence", abroad=True, required=True)
        # A pupille de l'État has no filiation on the notice (instruction of 5 January 2004).
        pupille_etat = data.get("pupille") == Pupille.ETAT
        for parent, _ in PARENTS:
            declared = not data.get(f"{parent}_non_declare") and not pupille_etat
            self._clean_parent(parent, declared)
        clean_names(self, NAME_FIELDS)  # a parent not declared has none left to check
        if not data.get("situation_particuliere"):
            data["situation_particuliere_detail"] = ""
        self._guard_quarter(data.get("date_recensement"))
        self._guard_duplicate(data)
        self._guard_attestation(data)
        for name in EXCHANGE_TEXT_FIELDS:
            self._clean_exchange_text(name)
        residence_in_france = not data.get("residence_identique", True) and (
            data.get("residence_ou") != ABROAD
        )
        for name, in_france in zip(POSTAL_CODE_FIELDS, (True, residence_in_france), strict=True):
            if data.get(name) and not re.fullmatch(r"\d{5}", data[name].strip()):
                self.add_error(name, "Le code postal compte 5 chiffres.")
            elif in_france and not data.get(name) and name not in self.errors:
                self.add_error(name, "Indiquez le code postal (adresse en France).")
        return data

    def _clean_exchange_text(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if not value or name in self.errors:
            return
        folded, limit = exchange_text(value), self.fields[name].max_length
        others = "".join(sorted({char for char in folded if not char.isascii()}))
        if others:
            self.add_error(
                name,
                f"Lettre(s) sans équivalent latin « {others} » : écrivez le texte en lettres "
                "latines, comme sur le document présenté.",
            )
        elif not folded:
            self.add_error(name, "Ce texte ne contient ni lettre ni chiffre.")
        elif len(folded) > limit:
            self.add_error(
                name,
                f"Écrit en capitales sans accents, ce texte compte {len(folded)} caractères "
                f"({limit} au plus) : « {folded[:30]}… ».",
            )

    def _guard_quarter(self, day) -> None:
        """Said next to the date: no registrant can be added to a closed quarter, and a numbered
        one keeps its quarter. (A closed quarter's registrant is refused by Recense.save itself,
        and the edit view does not offer it.)"""
        if day is None:
            return
        instance = self.instance  # still the stored values: the form updates it after clean()
        quarter = (day.year, quarter_of(day))
        if quarter in closed_quarters(self.collectivite):
            self.add_error(
                "date_recensement",
                f"{closed_message(*quarter)} Un recensement à cette date ne peut plus y être "
                "ajouté.",
            )
        elif instance.numero_inscription and quarter != (instance.annee, instance.trimestre):
            self.add_error(
                "date_recensement",
                f"Cette personne a le n° {instance.numero_inscription:04d} au "
                f"{quarter_label(instance.annee, instance.trimestre)} : la date de recensement "
                "ne peut plus changer de trimestre.",
            )

    def _clean_parent(self, parent: str, declared: bool) -> None:
        setattr(self.instance, f"{parent}_connu", declared)
        if not declared:
            for name in PARENT_FIELDS:
                self.cleaned_data[f"{parent}_{name}"] = None if name == "date_naissance" else ""
            self._set_place(f"{parent}_naissance", "", "", "", "")
            return
        for name, message in (("nom", "Indiquez le nom"), ("prenoms", "Indiquez les prénoms")):
            if not self.cleaned_data.get(f"{parent}_{name}"):
                self.add_error(f"{parent}_{name}", f"{message}, ou cochez « non déclaré(e) ».")
        self._clean_place(f"{parent}_naissance", "naissance", abroad=True, required=False)

    def _set_place(self, prefix: str, code: str, commune: str, departement: str, pays: str):
        setattr(self.instance, f"{prefix}_code_lieu", code)
        setattr(self.instance, f"{prefix}_commune", commune)
        setattr(self.instance, f"{prefix}_departement", departement)
        setattr(self.instance, f"{prefix}_pays", pays)

    def _clean_place(self, prefix: str, label: str, abroad: bool, required: bool) -> None:
        place = clean_place(self, prefix, label, abroad=abroad, required=required)
        if place is not None:
            self._set_place(prefix, *place)

    def _guard_attestation(self, data: dict) -> None:
        """Once the attestation is delivered, changing what it prints of the person is asked
        for again: the printed paper keeps the old values and the mairie prints no duplicate."""
        instance = self.instance  # still the stored values: the form updates it after clean()
        if not instance.pk:
            return
        self.attestation_changes = [
            words
            for name, words in ATTESTATION_FIELDS.items()
            if name in data and data[name] != getattr(instance, name)
        ]
        issued = instance.attestation if self.attestation_changes else None
        if issued is None:
            self.attestation_changes = []
            return
        if data.get("confirme_attestation"):
            return
        self.add_error(
            None,
            f"L'attestation de recensement a été délivrée le {issued.delivree_le:%d/%m/%Y} : "
            f"en changeant {' et '.join(self.attestation_changes)}, l'attestation imprimée ne "
            "correspondra plus à la fiche (un responsable peut annuler la délivrance pour en "
            "imprimer une nouvelle). Confirmez la modification pour l'enregistrer.",
        )

    def _guard_duplicate(self, data: dict) -> None:
        nom, prenoms, born = (data.get(k) for k in ("nom_naissance", "prenoms", "date_naissance"))
        if not (nom and prenoms and born):
            return
        self.duplicate = (
            Recense.objects.for_collectivite(self.collectivite)
            .filter(identite=identity_key(nom, prenoms), date_naissance=born)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if self.duplicate:
            self.add_error(
                None,
                f"Cette personne est déjà recensée : {self.duplicate}, "
                f"{born_word(self.duplicate)} le {born:%d/%m/%Y}, "
                f"recensé(e) le {self.duplicate.date_recensement:%d/%m/%Y}. "
                "Un second recensement est refusé.",
            )


def demande_form(demande: DemandeEnLigne, data=None) -> RecenseForm:
    """The registrant form pre-filled from the request; the date of recensement is the
    submission date (the legal date of the declaration) and cannot be changed."""
    form = RecenseForm(
        data, instance=demandes.donnees_recense(demande), collectivite=demande.collectivite
    )
    for name in ("date_recensement", "inscription_d_office"):
        form.fields[name].disabled = True
    form.fields["date_recensement"].help_text = "Date de la demande en ligne (date légale)."
    if not demande.donnees.get("domicile_code_lieu"):  # not guessed: the agent enters it
        form.initial["domicile_commune_saisie"] = ""
    return form


class RecenseFilterForm(NameSearchForm):
    """The registrants list's search; its cleaned data are also the options of the CSV export
    of that search (exports.exporters.RecensesCsvExporter), kept as JSON with the export."""

    date_naissance = forms.DateField(label="Né(e) le", required=False, widget=DateInput())
    trimestre = forms.ChoiceField(label="Trimestre", required=False)
    mode = forms.ChoiceField(
        label="Mode", required=False, choices=[("", "tous")] + list(Mode.choices)
    )
    numerote = forms.ChoiceField(
        label="Numérotation",
        required=False,
        choices=[("", "tous"), ("oui", "numérotés"), ("non", "non numérotés")],
    )
    attestation = forms.ChoiceField(
        label="Attestation",
        required=False,
        choices=[("", "toutes"), ("oui", "délivrée"), ("non", "non délivrée")],
    )

    def __init__(self, *args, quarters: list[tuple[int, int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trimestre"].choices = [("", "tous")] + [
            (f"{year}-{quarter}", f"T{quarter} {year}") for year, quarter in quarters
        ]

    def clean_date_naissance(self) -> str:
        day = self.cleaned_data["date_naissance"]
        return day.isoformat() if day else ""

    @classmethod
    def query(cls, data, *keep: str) -> str:
        """The search of `data` as a query string: its own fields (and `keep`), nothing else."""
        query = QueryDict(mutable=True)
        for name in [*cls.base_fields, *keep]:
            if data.get(name):
                query[name] = data[name]
        return query.urlencode()

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        return search_recenses(queryset, self.cleaned_data)


def search_recenses(queryset, criteria: dict):
    """The registrants of `queryset` matching the list's search (RecenseFilterForm's cleaned
    data): the list's page and its CSV export read them through this one function."""
    if criteria.get("q"):
        queryset = queryset.search(criteria["q"])
    if criteria.get("date_naissance"):
        queryset = queryset.filter(date_naissance=criteria["date_naissance"])
    if criteria.get("trimestre"):
        year, quarter = criteria["trimestre"].split("-")
        queryset = queryset.filter(annee=int(year), trimestre=int(quarter))
    if criteria.get("mode"):
        queryset = queryset.filter(mode=criteria["mode"])
    if criteria.get("numerote"):
        queryset = queryset.filter(numero_inscription__isnull=criteria["numerote"] == "non")
    if criteria.get("attestation"):
        queryset = queryset.attestation_delivree(criteria["attestation"] == "oui")
    return queryset


class StatistiquesForm(CompactForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100, required=False)
    trimestre = forms.TypedChoiceField(
        label="Trimestre",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "toute l'année")] + [(q, f"T{q}") for q in range(1, 5)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].initial = timezone.localdate().year

    @property
    def period(self) -> Period:
        """The chosen year or quarter; the current year when none (or a wrong one) is given."""
        if self.is_valid() and self.cleaned_data["annee"]:
            return Period(self.cleaned_data["annee"], self.cleaned_data["trimestre"])
        return Period(timezone.localdate().year)


class AttestationCancelForm(forms.Form):
    motif = forms.CharField(
        label="Motif de l'annulation",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        error_messages={"required": "Indiquez le motif de l'annulation."},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,.pdf,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class DemandesUploadForm(forms.Form):
    fichiers = MultipleFileField(
        label="Dossiers HubEE",
        help_text=(
            "Les fichiers d'un dossier (XML, copie PDF du Cerfa, pièces jointes), ou l'archive "
            "ZIP de plusieurs dossiers."
        ),
        error_messages={"required": "Choisissez au moins un fichier."},
    )


class DemandeRefusForm(forms.Form):
    motif = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Conservé avec la demande.",
        error_messages={
            "required": "Indiquez le motif du refus : il est conservé avec la demande."
        },
    )
