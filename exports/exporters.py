"""The export formats, interchangeable: the web page and `manage.py export` both go through
EXPORTERS. An exporter takes its options from a form, lists what would break its format, and
renders (filename, content type, bytes)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from exports import pecoto
from exports.liste_recenses import render_liste_recenses_pdf
from exports.pecoto import Problem
from mairie.forms import CompactForm
from mairie.models import Affectation, Collectivite, Role
from mairie.text import strip_accents
from recensement.models import Recense, quarter_label, quarter_of


@dataclass(frozen=True)
class Rendered:
    filename: str
    content_type: str
    data: bytes


def previous_quarter(today: datetime.date) -> tuple[int, int]:
    """The quarter whose list is due now (at the start of January, the previous year's T4)."""
    quarter = quarter_of(today)
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


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
            return [Problem(None, "Trimestre", "", "aucun recensé ce trimestre")]
        if unnumbered:
            return [
                Problem(
                    None,
                    "Trimestre",
                    "numero_inscription",
                    f"{unnumbered} recensé(s) non numéroté(s) : numérotez d'abord le trimestre",
                )
            ]
        return []

    def render(self) -> Rendered:
        annee, trimestre = self.quarter
        data = render_liste_recenses_pdf(
            self.collectivite, list(self.recenses()), annee, trimestre, timezone.localdate()
        )
        return Rendered(f"liste-recenses-{annee}-T{trimestre}.pdf", "application/pdf", data)


EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter for exporter in (PecotoExporter, ListeRecensesExporter)
}


def allowed_kinds(affectation: Affectation) -> list[str]:
    return [kind for kind, exporter in EXPORTERS.items() if affectation.allows(exporter.role)]
