import re
from collections.abc import Iterable

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import HTML, Div, Field
from django import forms
from django.urls import reverse

from mairie.models import CODE_COMMUNE, CODE_FRANCE, Commune, Pays, departement_of
from mairie.names import normalise_name, validate_name
from mairie.pagination import SEARCH_SORT_BELOW
from mairie.places import is_abroad
from mairie.text import search_key

FRANCE_LABEL = "France"
IN_FRANCE, ABROAD = "france", "etranger"
CODE_IN_PARENTHESES = re.compile(rf"\(\s*({CODE_COMMUNE})\s*\)\s*$", re.IGNORECASE)
PLAIN_CODE = re.compile(rf"^\s*({CODE_COMMUNE})\s*$", re.IGNORECASE)


def form_row(*names: str, sizes: tuple[int, ...] = ()) -> Div:
    """Fields side by side on one Bootstrap row, in equal columns unless sizes are given."""
    return Div(
        *[
            Div(Field(name), css_class=f"col-md-{sizes[i] if sizes else 12 // len(names)}")
            for i, name in enumerate(names)
        ],
        css_class="row",
    )


def clean_names(form: forms.Form, names: Iterable[str]) -> None:
    """The names of persons of a form, as stored (see mairie.names), each refused next to its
    field when it breaks the rule of names; called first thing in the form's clean()."""
    for name in names:
        value = form.cleaned_data.get(name)
        if not value:
            continue
        value = form.cleaned_data[name] = normalise_name(value)
        try:
            validate_name(value)
        except forms.ValidationError as error:
            form.add_error(name, error)


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as AAAA-MM-JJ, shown as JJ/MM/AAAA."""

    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CompactForm(forms.Form):
    """Inline forms (list filters, export options) drawn with Bootstrap's small controls."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            small = "form-select form-select-sm"
            if not isinstance(field.widget, forms.Select):
                small = "form-control form-control-sm"
            field.widget.attrs.setdefault("class", small)


SEARCH_HELP = (
    "Chaque mot doit figurer dans le nom ou les prénoms, accents et majuscules ignorés ; "
    "un mot d'une ou deux lettres doit commencer un mot (« DU T » trouve DU TERTRE)."
)


class NameSearchForm(CompactForm):
    """A list's filters, led by the search box over the folded names."""

    q = forms.CharField(
        label="Nom ou prénom",
        required=False,
        help_text=SEARCH_HELP,
        widget=forms.TextInput(attrs={"title": SEARCH_HELP}),
    )

    @property
    def searching(self) -> bool:
        """Whether the box holds a word to look for (punctuation alone filters nothing)."""
        return self.is_bound and self.is_valid() and bool(search_key(self.cleaned_data["q"]))

    @property
    def sort_below(self) -> int:
        """mairie.pagination.page_of's hint: a search may have few enough matches to sort."""
        return SEARCH_SORT_BELOW if self.searching else 0


# --- places (a commune of the INSEE reference, or a country and a town abroad) -------------


def commune_label(commune: Commune) -> str:
    return f"{commune.libelle} ({commune.code})"


def resolve_commune(text: str) -> tuple[str, str, str]:
    """(INSEE code, libellé, 3-character département) for what an agent typed: a code, a name,
    or the autocomplete's "Libellé (code)". Raises ValidationError when unknown or ambiguous."""
    text = text.strip()
    match = CODE_IN_PARENTHESES.search(text) or PLAIN_CODE.match(text)
    if match:
        code = match.group(1).upper()
        commune = Commune.objects.of_code(code)
        if commune:
            return commune.code, commune.libelle, departement_of(commune.code)
        name = CODE_IN_PARENTHESES.sub("", text).strip()
        if not name:
            raise forms.ValidationError(f"Le code INSEE {code} n'existe pas dans le référentiel.")
        # A commune that no longer exists: kept as typed, with its old code.
        return code, name, departement_of(code)
    key = search_key(text)
    candidates = list(Commune.objects.filter(recherche=key).current_first())
    codes = {c.code: c for c in reversed(candidates)}
    if len(codes) == 1:
        commune = next(iter(codes.values()))
        return commune.code, commune.libelle, departement_of(commune.code)
    if not codes:
        raise forms.ValidationError(
            f"Commune « {text} » introuvable : tapez le début du nom ou le code INSEE et "
            "choisissez dans la liste."
        )
    choices = ", ".join(commune_label(c) for c in list(codes.values())[:6])
    raise forms.ValidationError(
        f"Plusieurs communes s'appellent « {text} » : précisez le code INSEE ({choices})."
    )


class CountryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Pays) -> str:
        return obj.nom_complet


def place_fields(prefix: str, label: str, abroad: bool) -> dict[str, forms.Field]:
    """The fields of a place: a commune typed with the INSEE autocomplete (htmx), and, when it
    may be abroad, the choice France / abroad, the country and the town abroad."""
    datalist = f"{prefix}-communes"
    fields: dict[str, forms.Field] = {
        f"{prefix}_commune_saisie": forms.CharField(
            label=f"Commune ({label})",
            required=False,
            max_length=120,
            help_text="Nom ou code INSEE, puis choisissez dans la liste.",
            widget=forms.TextInput(
                attrs={
                    "list": datalist,
                    "autocomplete": "off",
                    "hx-get": reverse("commune_autocomplete"),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": f"#{datalist}",
                    "hx-swap": "innerHTML",
                }
            ),
        )
    }
    if abroad:
        fields[f"{prefix}_ou"] = forms.ChoiceField(
            label=label.capitalize(),
            choices=[(IN_FRANCE, "en France"), (ABROAD, "à l'étranger")],
            initial=IN_FRANCE,
            required=False,
            widget=forms.RadioSelect,
        )
        fields[f"{prefix}_pays_choix"] = CountryField(
            label=f"Pays ({label})",
            queryset=Pays.objects.exclude(code=CODE_FRANCE).with_rattachement(),
            required=False,
            empty_label="— choisir —",
        )
        fields[f"{prefix}_ville"] = forms.CharField(
            label=f"Ville à l'étranger ({label})", required=False, max_length=50
        )
    return fields


def place_layout(prefix: str, abroad: bool) -> Div:
    france = Div(
        Field(f"{prefix}_commune_saisie"),
        HTML(f'<datalist id="{prefix}-communes"></datalist>'),
        css_class="lieu-france",
    )
    if not abroad:
        return france
    return Div(
        InlineRadios(f"{prefix}_ou"),
        france,
        Div(
            Div(Field(f"{prefix}_pays_choix"), css_class="col-md-6"),
            Div(Field(f"{prefix}_ville"), css_class="col-md-6"),
            css_class="row lieu-etranger",
        ),
        css_class="lieu",
    )


def clean_place(
    form: forms.Form, prefix: str, label: str, abroad: bool, required: bool, length: int = 50
) -> tuple[str, str, str, str] | None:
    """(INSEE code, commune or town, 3-character département, country) of the place the agent
    gave in `place_fields`; the département is the commune's, never typed. None when the
    place is in error (the error is added next to its field) or left as it was."""
    data = form.cleaned_data
    if abroad and data.get(f"{prefix}_ou") == ABROAD:
        pays, ville = data.get(f"{prefix}_pays_choix"), data.get(f"{prefix}_ville", "").strip()
        if not pays:
            if required or ville:
                form.add_error(f"{prefix}_pays_choix", f"Choisissez le pays ({label}).")
            return None
        if not ville and required:
            form.add_error(f"{prefix}_ville", f"Indiquez la ville ({label}).")
            return None
        # The code says which country; two INSEE names are longer than 50 characters.
        return pays.code, ville, "", pays.libenr[:length]
    text = data.get(f"{prefix}_commune_saisie", "").strip()
    if not text:
        if required:
            form.add_error(f"{prefix}_commune_saisie", f"Indiquez la commune ({label}).")
        return "", "", "", ""
    try:
        code, libelle, departement = resolve_commune(text)
    except forms.ValidationError as error:
        form.add_error(f"{prefix}_commune_saisie", error)
        return None
    return code, libelle[:length], departement, FRANCE_LABEL


def initial_place(prefix: str, code: str, commune: str, pays: str, abroad: bool) -> dict:
    """The initial values of `place_fields` for a stored place."""
    if not code:
        return {f"{prefix}_commune_saisie": commune} if commune else {}
    if abroad and is_abroad(code):
        country = (
            Pays.objects.filter(code=code, libenr=pays).values_list("pk", flat=True).first()
            or Pays.objects.filter(code=code).values_list("pk", flat=True).first()
        )
        return {f"{prefix}_ou": ABROAD, f"{prefix}_pays_choix": country, f"{prefix}_ville": commune}
    return {f"{prefix}_commune_saisie": f"{commune} ({code})"}
