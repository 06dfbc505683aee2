from crispy_forms.layout import Div, Field
from django import forms

from mairie.names import normalise_name, validate_name
from mairie.pagination import SEARCH_SORT_BELOW
from mairie.text import search_key


def form_row(*names: str, sizes: tuple[int, ...] = ()) -> Div:
    """Fields side by side on one Bootstrap row, in equal columns unless sizes are given."""
    return Div(
        *[
            Div(Field(name), css_class=f"col-md-{sizes[i] if sizes else 12 // len(names)}")
            for i, name in enumerate(names)
        ],
        css_class="row",
    )


def clean_names(form: forms.Form, names: list[str]) -> None:
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
