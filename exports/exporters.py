"""The export formats, interchangeable: the web page and `manage.py export` both go through
EXPORTERS. An exporter takes its options from a form, lists what would break its format, and
renders (filename, content type, bytes), or, for big files, writes them as a stream."""

import datetime
import io
from dataclasses import dataclass
from typing import BinaryIO

from django import forms
from django.db.models import QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone

from electoral.extraction import liste_a_date
from electoral.forms import BureauCodeField
from electoral.models import BureauDeVote, Liste, validate_list_date
from exports import liste_electorale, pecoto
from exports.liste_recenses import render_liste_recenses_pdf
from exports.streaming import Progress, no_progress
from exports.tableaux import (
    Ordre,
    Tableau,
    build_tableau,
    render_liste_bureau_pdf,
    render_tableau_pdf,
)
from mairie.forms import CompactForm, DateInput
from mairie.models import Affectation, Collectivite, Role
from mairie.problems import Problem
from mairie.text import strip_accents
from recensement.models import Recense, quarter_label
from recensement.services import due_quarter


@dataclass(frozen=True)
class Rendered:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Streamed:
    filename: str
    content_type: str


def previous_quarter(today: datetime.date) -> tuple[int, int]:
    """The quarter whose list is due now (at the start of January, the previous year's T4)."""
    return due_quarter(today)


class QuarterForm(CompactForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    trimestre = forms.TypedChoiceField(
        label="Trimestre", coerce=int, choices=[(q, f"T{q}") for q in range(1, 5)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        annee, trimestre = previous_quarter(timezone.localdate())
        self.fields["annee"].initial = annee
        self.fields["trimestre"].initial = trimestre


class Exporter:
    identifier: str
    verbose_name: str
    form_class: type[forms.Form]
    role: str  # the agents who may run it and see its files
    # Files the agent deposits on a portal, whose answer is recorded on the export.
    has_portal_state = False
    # Templates receive the classes themselves: they must not instantiate them.
    do_not_call_in_templates = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.collectivite = collectivite
        self.options = options

    @classmethod
    def form(cls, collectivite: Collectivite, data=None, **kwargs) -> forms.Form:
        """The options form; an exporter whose choices depend on the collectivité overrides it."""
        return cls.form_class(data, **kwargs)

    def describe(self) -> str:
        raise NotImplementedError

    def preview(self) -> list[str]:
        """Lines shown on the page before generating (what the file will hold)."""
        return []

    def problems(self) -> list[Problem]:
        """What would break the format; an export with problems is refused."""
        return []

    def render(self) -> Rendered:
        raise NotImplementedError

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        """Write the file into `out`, reporting (rows done, rows in all) to `progress`. By
        default the rendered bytes at once; big files override this and stream."""
        rendered = self.render()
        out.write(rendered.data)
        return Streamed(rendered.filename, rendered.content_type)


class QuarterExporter(Exporter):
    form_class = QuarterForm
    role = Role.RECENSEMENT

    @property
    def quarter(self) -> tuple[int, int]:
        return self.options["annee"], self.options["trimestre"]

    def recenses(self) -> QuerySet[Recense]:
        annee, trimestre = self.quarter
        return Recense.objects.filter(
            collectivite=self.collectivite, annee=annee, trimestre=trimestre
        ).order_by("numero_inscription", "pk")

    def describe(self) -> str:
        return f"{self.verbose_name} — {quarter_label(*self.quarter)}"

    def portal_text(self) -> str:
        """Proposed for the portal's "description" field: "SAINT-MALO – T1 2026"."""
        return f"{strip_accents(self.collectivite.nom).upper()} – {quarter_label(*self.quarter)}"


class PecotoExporter(QuarterExporter):
    identifier = "pecoto"
    verbose_name = "Fichier PECOTO"
    has_portal_state = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        super().__init__(collectivite, options)
        self.generated = timezone.localdate()
        self._recenses: list[Recense] | None = None

    def _loaded(self) -> list[Recense]:
        if self._recenses is None:
            self._recenses = list(self.recenses())
        return self._recenses

    def problems(self) -> list[Problem]:
        return pecoto.validate(self.collectivite, self._loaded(), *self.quarter, self.generated)

    def render(self) -> Rendered:
        data = pecoto.write(self.collectivite, self._loaded(), *self.quarter, self.generated)
        return Rendered(pecoto.filename(*self.quarter), "text/plain; charset=us-ascii", data)


class ListeRecensesExporter(QuarterExporter):
    identifier = "liste-recenses"
    verbose_name = "Liste des recensés (PDF)"

    def problems(self) -> list[Problem]:
        unnumbered = self.recenses().filter(numero_inscription__isnull=True).count()
        if not self.recenses().exists():
            return [pecoto.PecotoProblem(None, "Trimestre", "", "aucun recensé ce trimestre")]
        if unnumbered:
            return [
                pecoto.PecotoProblem(
                    None,
                    "Trimestre",
                    "numero_inscription",
                    f"{unnumbered} recensé(s) {pecoto.UNNUMBERED}(s) : numérotez d'abord le "
                    "trimestre",
                )
            ]
        return []

    def render(self) -> Rendered:
        annee, trimestre = self.quarter
        data = render_liste_recenses_pdf(
            self.collectivite, list(self.recenses()), annee, trimestre, timezone.localdate()
        )
        return Rendered(f"liste-recenses-{annee}-T{trimestre}.pdf", "application/pdf", data)


class ListeForm(CompactForm):
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices, initial=Liste.PRINCIPALE)
    date = forms.DateField(
        label="Liste au",
        widget=DateInput(),
        help_text="La liste telle qu'elle était ce jour-là (défaut : aujourd'hui).",
        required=False,
    )
    bureau = BureauCodeField(
        label="Bureau",
        queryset=BureauDeVote.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="tous les bureaux",
    )

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the collectivité's own bureaux: another's code is "not one of the choices".
        self.fields["bureau"].queryset = BureauDeVote.objects.filter(collectivite=collectivite)
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"] or timezone.localdate()
        validate_list_date(day)
        return day


class ListeExporter(Exporter):
    """The list of one day (one bureau or all): see exports.liste_electorale."""

    form_class = ListeForm
    role = Role.ELECTIONS
    extension: str
    content_type: str

    @classmethod
    def form(cls, collectivite: Collectivite, data=None, **kwargs) -> forms.Form:
        return cls.form_class(data, collectivite=collectivite, **kwargs)

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        bureau = options["bureau"]
        self.extraction = liste_electorale.Extraction(
            collectivite, options["liste"], options["date"], bureau
        )
        # Kept with the export (JSON) and sent back to the form when it runs.
        super().__init__(
            collectivite,
            {
                "liste": options["liste"],
                "date": options["date"].isoformat(),
                "bureau": bureau.code if bureau else "",
            },
        )

    def describe(self) -> str:
        return f"{self.verbose_name} — {self.extraction.label}"

    def problems(self) -> list[Problem]:
        return self.extraction.problems()

    def preview(self) -> list[str]:
        count = self.extraction.inscriptions().count()
        return [f"{count} électeur{pluralize(count)} sur la liste ce jour-là."]

    @property
    def filename(self) -> str:
        extraction = self.extraction
        bureau = f"-bureau-{extraction.bureau.code}" if extraction.bureau else ""
        return (
            f"liste-{extraction.liste}-{self.collectivite.code_insee}-"
            f"{extraction.date:%Y%m%d}{bureau}.{self.extension}"
        )

    def render(self) -> Rendered:
        out = io.BytesIO()
        streamed = self.write(out, no_progress)
        return Rendered(streamed.filename, streamed.content_type, out.getvalue())


class ListeCsvExporter(ListeExporter):
    identifier = "liste-csv"
    verbose_name = "Liste électorale (CSV)"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        liste_electorale.write_csv(self.extraction, out, progress)
        return Streamed(self.filename, self.content_type)


class ListeXmlExporter(ListeExporter):
    identifier = "liste-xml"
    verbose_name = "Liste électorale (XML)"
    extension = "xml"
    content_type = "application/xml"

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        liste_electorale.write_xml(self.extraction, out, progress)
        return Streamed(self.filename, self.content_type)


def _period_initial() -> tuple[datetime.date, datetime.date]:
    """The quarter just ended: a tableau is usually drawn up for it."""
    annee, trimestre = previous_quarter(timezone.localdate())
    du = datetime.date(annee, 3 * trimestre - 2, 1)
    following = datetime.date(annee + trimestre // 4, 3 * trimestre % 12 + 1, 1)
    return du, following - datetime.timedelta(days=1)


class TableauForm(CompactForm):
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices, initial=Liste.PRINCIPALE)
    du = forms.DateField(label="Du", widget=DateInput())
    au = forms.DateField(label="Au (inclus)", widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["du"].initial, self.fields["au"].initial = _period_initial()

    def clean(self) -> dict:
        data = super().clean()
        du, au = data.get("du"), data.get("au")
        if du and au and du > au:
            self.add_error(
                "au",
                f"La fin de la période ({au:%d/%m/%Y}) précède son début ({du:%d/%m/%Y}).",
            )
        # Kept with the export as JSON, and read back by the same form.
        for name in ("du", "au"):
            if isinstance(data.get(name), datetime.date):
                data[name] = data[name].isoformat()
        return data


class TableauExporter(Exporter):
    identifier = "tableau"
    verbose_name = "Tableau des additions et retranchements (PDF)"
    form_class = TableauForm
    role = Role.ELECTIONS

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        return (
            datetime.date.fromisoformat(self.options["du"]),
            datetime.date.fromisoformat(self.options["au"]),
        )

    def describe(self) -> str:
        du, au = self.period
        return (
            f"Tableau des additions et retranchements — {Liste(self.options['liste']).label}, "
            f"du {du:%d/%m/%Y} au {au:%d/%m/%Y}"
        )

    def preview(self) -> list[str]:
        tableau = self.tableau()
        return [
            f"{tableau.additions} addition(s) et {tableau.retranchements} retranchement(s) "
            f"dans {len(tableau.printed_sections)} bureau(x)."
        ]

    def tableau(self) -> Tableau:
        return build_tableau(self.collectivite, self.options["liste"], *self.period)

    def render(self) -> Rendered:
        du, au = self.period
        joined = render_tableau_pdf(self.tableau())
        filename = f"tableau-{self.options['liste']}-{du:%Y%m%d}-{au:%Y%m%d}.pdf"
        return Rendered(filename, "application/pdf", joined.data)


class ListeBureauForm(CompactForm):
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices, initial=Liste.PRINCIPALE)
    bureau = forms.ChoiceField(label="Bureau de vote")
    ordre = forms.ChoiceField(label="Ordre", choices=Ordre.CHOICES, initial=Ordre.NUMERO)
    date = forms.DateField(
        label="Liste au",
        widget=DateInput(),
        help_text="La liste telle qu'elle était ce jour-là (défaut : aujourd'hui).",
        required=False,
        validators=[validate_list_date],
    )

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bureaux = BureauDeVote.objects.none()
        if collectivite is not None:
            bureaux = BureauDeVote.objects.filter(collectivite=collectivite).order_by("code")
        self.fields["bureau"].choices = [(b.code, str(b)) for b in bureaux]
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self) -> str:
        # Kept with the export as JSON, and read back by the same form.
        return (self.cleaned_data["date"] or timezone.localdate()).isoformat()


class ListeBureauExporter(Exporter):
    identifier = "liste-bureau-pdf"
    verbose_name = "Liste électorale d'un bureau (PDF)"
    form_class = ListeBureauForm
    role = Role.ELECTIONS

    @classmethod
    def form(cls, collectivite: Collectivite, data=None, **kwargs) -> forms.Form:
        return cls.form_class(data, collectivite=collectivite, **kwargs)

    @property
    def bureau(self) -> BureauDeVote:
        return BureauDeVote.objects.select_related("collectivite").get(
            collectivite=self.collectivite, code=self.options["bureau"]
        )

    @property
    def date(self) -> datetime.date:
        # Exports recorded before the option existed were of the day they were made.
        day = self.options.get("date")
        return datetime.date.fromisoformat(day) if day else timezone.localdate()

    def describe(self) -> str:
        return (
            f"Liste électorale du bureau {self.bureau} — {Liste(self.options['liste']).label} "
            f"au {self.date:%d/%m/%Y}"
        )

    def problems(self) -> list[Problem]:
        bureau = self.bureau
        if not liste_a_date(self.collectivite, self.options["liste"], self.date, bureau).exists():
            return [
                Problem(
                    None,
                    f"Bureau {bureau.code}",
                    "",
                    f"aucun électeur inscrit sur cette liste au {self.date:%d/%m/%Y}",
                )
            ]
        return []

    def render(self) -> Rendered:
        bureau, date = self.bureau, self.date
        joined = render_liste_bureau_pdf(bureau, self.options["liste"], self.options["ordre"], date)
        filename = f"liste-{self.options['liste']}-bureau-{bureau.code}-{date:%Y%m%d}.pdf"
        return Rendered(filename, "application/pdf", joined.data)


EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (
        PecotoExporter,
        ListeRecensesExporter,
        ListeCsvExporter,
        ListeXmlExporter,
        TableauExporter,
        ListeBureauExporter,
    )
}


def allowed_kinds(affectation: Affectation) -> list[str]:
    return [kind for kind, exporter in EXPORTERS.items() if affectation.allows(exporter.role)]
