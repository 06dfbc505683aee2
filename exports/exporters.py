"""The export formats, interchangeable: the web page and `manage.py export` both go through
EXPORTERS. An exporter takes its options from a form, lists what would break its format, and
renders (filename, content type, bytes), or, for big files, writes them as a stream."""

import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from defusedcsv import csv as defusedcsv
from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.template.defaultfilters import pluralize
from django.utils import timezone

from electoral.commission import movements_examined
from electoral.extraction import liste_a_date
from electoral.forms import BureauCodeField
from electoral.jures import latest_birth_year
from electoral.models import (
    BureauDeVote,
    Liste,
    MembreCommission,
    ReunionCommission,
    Scrutin,
    TirageJures,
    validate_list_date,
)
from exports import cartes, emargement, liste_electorale, pecoto, registres
from exports.liste_recenses import render_liste_recenses_pdf
from exports.streaming import Progress, no_progress
from exports.tableaux import (
    Ordre,
    Tableau,
    build_tableau,
    render_liste_bureau_pdf,
    render_tableau_pdf,
)
from mairie.documents import render_pdf
from mairie.forms import CompactForm, DateInput
from mairie.models import Affectation, Collectivite, Role
from mairie.problems import Problem
from mairie.text import strip_accents
from recensement.attestation import lieu_naissance
from recensement.forms import RecenseFilterForm, search_recenses
from recensement.models import ATTESTATION_DELIVREE, Attestation, Mode, Recense, quarter_label
from recensement.notice import notice_filename, render_notice_pdf
from recensement.services import due_quarter, quarters_between


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
    # Its form's choices are the collectivité's own (bureaux, scrutins, registrants…).
    scoped_form = False
    # Templates receive the classes themselves: they must not instantiate them.
    do_not_call_in_templates = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.collectivite = collectivite
        self.options = options

    @classmethod
    def form(cls, collectivite: Collectivite, data=None, **kwargs) -> forms.Form:
        """The options form; given the collectivité when its choices are the collectivité's."""
        if cls.scoped_form:
            kwargs["collectivite"] = collectivite
        return cls.form_class(data, **kwargs)

    @classmethod
    def holding(cls, quarters: list[tuple[int, int]]) -> Q:
        """Its exports that hold registrants of `quarters`, which the retention purge deletes
        with them: none by default."""
        return Q(pk__in=[])

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

    @classmethod
    def holding(cls, quarters: list[tuple[int, int]]) -> Q:
        """Its exports that hold registrants of `quarters` (the retention purge deletes them)."""
        held = Q(pk__in=[])
        for annee, trimestre in quarters:
            held |= Q(parametres__annee=annee, parametres__trimestre=trimestre)
        return held

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


class NoticeForm(CompactForm):
    recense = forms.ModelChoiceField(
        label="N° de fiche du recensé",
        queryset=Recense.objects.none(),
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text="Le numéro qui termine l'adresse de sa fiche (…/recensement/123/).",
    )

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recense"].queryset = Recense.objects.filter(collectivite=collectivite)


class NoticeExporter(Exporter):
    """The notice individuelle of one registrant (recensement.notice), as the registrant's
    page prints it; another collectivité's registrant is not among the choices."""

    identifier = "notice"
    verbose_name = "Notice individuelle d'un recensé (PDF)"
    form_class = NoticeForm
    role = Role.RECENSEMENT

    scoped_form = True

    @classmethod
    def holding(cls, quarters: list[tuple[int, int]]) -> Q:
        """The notice of a registrant of one of `quarters` (its options name the quarter)."""
        return QuarterExporter.holding(quarters)

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.recense = options["recense"]
        super().__init__(
            collectivite,
            {
                "recense": self.recense.pk,
                "annee": self.recense.annee,
                "trimestre": self.recense.trimestre,
            },
        )

    def describe(self) -> str:
        return f"Notice individuelle — {self.recense}"

    def render(self) -> Rendered:
        data = render_notice_pdf(self.recense)
        return Rendered(notice_filename(self.recense), "application/pdf", data)


class CsvExporter(Exporter):
    """A CSV file of rows: the exporter gives its French header and yields its rows, and this
    base writes them (";", CRLF, UTF-8) through defusedcsv, so that no value starting like a
    spreadsheet formula is read as one."""

    header: list[str]
    content_type = "text/csv; charset=utf-8"

    @property
    def filename(self) -> str:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def rows(self) -> Iterator[list]:
        raise NotImplementedError

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        class Utf8:
            def write(self, text: str) -> int:
                return out.write(text.encode("utf-8"))

        writer = defusedcsv.writer(Utf8(), delimiter=";", lineterminator="\r\n")
        writer.writerow(self.header)
        total = self.count()
        for done, row in enumerate(self.rows(), start=1):
            writer.writerow(row)
            progress(done, total)
        return Streamed(self.filename, self.content_type)

    def render(self) -> Rendered:
        out = io.BytesIO()
        streamed = self.write(out, no_progress)
        return Rendered(streamed.filename, streamed.content_type, out.getvalue())


def _date(day: datetime.date | datetime.datetime | None) -> str:
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    return f"{day:%d/%m/%Y}" if day else ""


class RecensesCsvExporter(CsvExporter):
    """The registrants of a search of the list (its filters are the options), one line each,
    in the list's order: the file of the search the agent sees."""

    identifier = "recenses-csv"
    verbose_name = "Recensés d'une recherche (CSV)"
    form_class = RecenseFilterForm
    role = Role.RECENSEMENT
    header = [
        "N° d'inscription",
        "Trimestre",
        "Nom de naissance",
        "Nom d'usage",
        "Prénoms",
        "Sexe",
        "Date de naissance",
        "Lieu de naissance",
        "Nationalité",
        "Date de recensement",
        "Mode",
        "Délai",
        "Adresse",
        "Complément",
        "Code postal",
        "Commune",
        "Téléphones",
        "Courriel",
        "Attestation délivrée le",
    ]

    @classmethod
    def form(cls, collectivite: Collectivite, data=None, **kwargs) -> forms.Form:
        quarters = quarters_between(Recense.objects.for_collectivite(collectivite))
        return cls.form_class(data, quarters=quarters, **kwargs)

    @classmethod
    def holding(cls, quarters: list[tuple[int, int]]) -> Q:
        """A search of one of `quarters`, or of no quarter in particular, may hold their
        registrants."""
        return Q(parametres__trimestre="") | Q(
            parametres__trimestre__in=[f"{annee}-{trimestre}" for annee, trimestre in quarters]
        )

    def recenses(self) -> QuerySet[Recense]:
        return search_recenses(Recense.objects.for_collectivite(self.collectivite), self.options)

    def describe(self) -> str:
        o = self.options
        field = RecenseFilterForm.base_fields
        criteria = [
            f"« {o['q']} »" if o["q"] else "",
            f"né(e) le {datetime.date.fromisoformat(o['date_naissance']):%d/%m/%Y}"
            if o["date_naissance"]
            else "",
            quarter_label(*map(int, o["trimestre"].split("-"))) if o["trimestre"] else "",
            Mode(o["mode"]).label if o["mode"] else "",
            dict(field["numerote"].choices)[o["numerote"]] if o["numerote"] else "",
            f"attestation {dict(field['attestation'].choices)[o['attestation']]}"
            if o["attestation"]
            else "",
        ]
        said = ", ".join(c for c in criteria if c) or "tous les recensés"
        return f"Recensés (CSV) — {said}"[:200]

    def preview(self) -> list[str]:
        count = self.count()
        return [f"{count} recensé{pluralize(count)} dans le fichier."]

    def problems(self) -> list[Problem]:
        if not self.recenses().exists():
            return [Problem(None, "Recherche", "", "aucun recensé ne correspond à cette recherche")]
        return []

    @property
    def filename(self) -> str:
        return f"recenses-{self.collectivite.code_insee}-{timezone.localdate():%Y%m%d}.csv"

    def count(self) -> int:
        return self.recenses().count()

    def rows(self) -> Iterator[list]:
        delivered = Attestation.objects.filter(ATTESTATION_DELIVREE, recense=OuterRef("pk"))
        recenses = self.recenses().annotate(
            attestation_le=Subquery(delivered.values("delivree_le")[:1])
        )
        for r in recenses.iterator(chunk_size=2000):
            yield [
                f"{r.numero_inscription:04d}" if r.numero_inscription is not None else "",
                quarter_label(r.annee, r.trimestre),
                r.nom_naissance.upper(),
                r.nom_usage.upper(),
                r.prenoms,
                r.get_sexe_display(),
                _date(r.date_naissance),
                lieu_naissance(r),
                r.get_nationalite_display(),
                _date(r.date_recensement),
                r.get_mode_display(),
                r.motif_mode,
                f"{r.domicile_numero} {r.domicile_voie}".strip(),
                r.domicile_complement,
                r.domicile_code_postal,
                r.domicile_commune,
                ", ".join(r.telephones),
                r.courriel,
                _date(r.attestation_le),
            ]


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

    scoped_form = True

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

    scoped_form = True

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


class ScrutinField(forms.ModelChoiceField):
    """A scrutin chosen from the page's list, or named by its libellé in a command (the most
    recent of that name)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not value.strip().isdigit():
            found = self.queryset.filter(libelle__iexact=value.strip()).order_by("-premier_tour")
            value = found.values_list("pk", flat=True).first() or value
        return super().to_python(value)


class EmargementForm(CompactForm):
    scrutin = ScrutinField(label="Scrutin", queryset=Scrutin.objects.none())
    tours = forms.TypedChoiceField(
        label="Tours",
        coerce=int,
        choices=[(1, "premier tour"), (2, "deux tours")],
        initial=2,
        help_text="Une colonne de signature par tour.",
    )
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices, initial=Liste.PRINCIPALE)
    bureau = BureauCodeField(
        label="Bureau",
        queryset=BureauDeVote.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="tous (un fichier par bureau, en ZIP)",
    )
    date = forms.DateField(
        label="Liste au",
        widget=DateInput(),
        required=False,
        help_text="Défaut : aujourd'hui.",
        validators=[validate_list_date],
    )

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scrutin"].queryset = Scrutin.objects.filter(collectivite=collectivite)
        self.fields["bureau"].queryset = BureauDeVote.objects.filter(collectivite=collectivite)
        self.fields["date"].initial = timezone.localdate()


class EmargementExporter(Exporter):
    """Listes d'émargement: see exports.emargement."""

    identifier = "emargement"
    verbose_name = "Listes d'émargement (PDF)"
    form_class = EmargementForm
    role = Role.ELECTIONS

    scoped_form = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.bureau = options["bureau"]
        self.settings = emargement.Options(
            collectivite,
            options["liste"],
            options["scrutin"],
            options["tours"],
            options["date"] or timezone.localdate(),
        )
        super().__init__(
            collectivite,
            {
                "scrutin": options["scrutin"].pk,
                "tours": options["tours"],
                "liste": options["liste"],
                "bureau": self.bureau.code if self.bureau else "",
                "date": self.settings.date.isoformat(),
            },
        )

    def describe(self) -> str:
        where = f"bureau {self.bureau.code}" if self.bureau else "tous les bureaux"
        return (
            f"Listes d'émargement — {self.settings.scrutin.libelle}, "
            f"{Liste(self.settings.liste).label}, {where}, liste au {self.settings.date:%d/%m/%Y}"
        )

    def _voters(self) -> QuerySet:
        return liste_a_date(self.collectivite, self.settings.liste, self.settings.date, self.bureau)

    def preview(self) -> list[str]:
        count = self._voters().count()
        proxies = len(emargement.mandataires(self.settings))
        return [
            f"{count} électeur{pluralize(count)} ; {proxies} procuration{pluralize(proxies)} "
            "portée(s) à côté du nom du mandant."
        ]

    def problems(self) -> list[Problem]:
        problems = []
        scrutin = self.settings.scrutin
        if self.settings.tours == 2 and scrutin.second_tour is None:
            problems.append(
                Problem(None, "Scrutin", "", f"« {scrutin.libelle} » n'a pas de second tour")
            )
        if not self._voters().exists():
            problems.append(Problem(None, "Liste", "", "aucun électeur sur cette liste ce jour-là"))
        return problems

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        if self.bureau is not None:
            emargement.write_bureau(self.settings, self.bureau, out)
            progress(1, 1)
            return Streamed(emargement.filename(self.settings, self.bureau), "application/pdf")
        emargement.write_zip(self.settings, out, progress)
        name = (
            f"emargement-{self.settings.liste}-{self.collectivite.code_insee}-"
            f"{self.settings.scrutin.premier_tour:%Y%m%d}.zip"
        )
        return Streamed(name, "application/zip")

    def render(self) -> Rendered:
        out = io.BytesIO()
        streamed = self.write(out, no_progress)
        return Rendered(streamed.filename, streamed.content_type, out.getvalue())


class CartesForm(CompactForm):
    liste = forms.ChoiceField(label="Liste", choices=Liste.choices, initial=Liste.PRINCIPALE)
    bureau = BureauCodeField(
        label="Bureau",
        queryset=BureauDeVote.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="tous les bureaux",
    )
    depuis = forms.DateField(
        label="Inscrits ou modifiés depuis",
        widget=DateInput(),
        required=False,
        help_text="Vide : toutes les cartes.",
    )
    date = forms.DateField(
        label="Liste au",
        widget=DateInput(),
        required=False,
        help_text="Défaut : aujourd'hui.",
        validators=[validate_list_date],
    )
    test = forms.BooleanField(
        label="Feuille de test seulement",
        required=False,
        help_text="Les cadres et les champs des quatre cartes, pour vérifier l'alignement.",
    )

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = BureauDeVote.objects.filter(collectivite=collectivite)
        self.fields["date"].initial = timezone.localdate()


class CartesExporter(Exporter):
    """Cartes électorales on the pre-printed stock: see exports.cartes."""

    identifier = "cartes"
    verbose_name = "Cartes électorales (PDF)"
    form_class = CartesForm
    role = Role.ELECTIONS

    scoped_form = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.test = bool(options.get("test"))
        self.settings = cartes.Options(
            collectivite,
            options["liste"],
            options["date"] or timezone.localdate(),
            options["bureau"],
            options["depuis"],
        )
        super().__init__(
            collectivite,
            {
                "liste": options["liste"],
                "bureau": options["bureau"].code if options["bureau"] else "",
                "depuis": options["depuis"].isoformat() if options["depuis"] else "",
                "date": self.settings.date.isoformat(),
                "test": "on" if self.test else "",
            },
        )

    def describe(self) -> str:
        if self.test:
            return "Cartes électorales — feuille de test de l'alignement"
        s = self.settings
        where = f"bureau {s.bureau.code}" if s.bureau else "tous les bureaux"
        since = f", inscrits ou modifiés depuis le {s.depuis:%d/%m/%Y}" if s.depuis else ""
        return f"Cartes électorales — {Liste(s.liste).label}, {where}{since}"

    def preview(self) -> list[str]:
        if self.test:
            return ["Une feuille A4 : les quatre cartes, leurs cadres et leurs champs."]
        count = cartes.inscriptions(self.settings).count()
        sheets = -(-count // cartes.PER_SHEET)
        return [f"{count} carte{pluralize(count)}, au moins {sheets} feuille{pluralize(sheets)}."]

    def problems(self) -> list[Problem]:
        if not self.test and not cartes.inscriptions(self.settings).exists():
            return [Problem(None, "Liste", "", "aucune carte à imprimer pour ces options")]
        return []

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        s = self.settings
        if self.test:
            cartes.write_test_sheet(self.collectivite, out)
            return Streamed("cartes-feuille-de-test.pdf", "application/pdf")
        cartes.write_cards(s, out, progress)
        stem = f"cartes-{s.liste}-{self.collectivite.code_insee}-{s.date:%Y%m%d}"
        if s.bureau:
            return Streamed(f"{stem}-bureau-{s.bureau.code}.pdf", "application/pdf")
        return Streamed(f"{stem}.zip", "application/zip")

    def render(self) -> Rendered:
        out = io.BytesIO()
        streamed = self.write(out, no_progress)
        return Rendered(streamed.filename, streamed.content_type, out.getvalue())


class PeriodeForm(CompactForm):
    du = forms.DateField(label="Du", widget=DateInput())
    au = forms.DateField(label="Au (inclus)", widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["du"].initial = today.replace(day=1)
        self.fields["au"].initial = today

    def clean(self) -> dict:
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La fin de la période précède son début.")
        return data


class CartesRevenuesExporter(Exporter):
    identifier = "cartes-revenues"
    verbose_name = "Cartes électorales revenues (PDF)"
    form_class = PeriodeForm
    role = Role.ELECTIONS

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.du, self.au = options["du"], options["au"]
        super().__init__(collectivite, {"du": self.du.isoformat(), "au": self.au.isoformat()})

    def describe(self) -> str:
        return f"Cartes électorales revenues — du {self.du:%d/%m/%Y} au {self.au:%d/%m/%Y}"

    def render(self) -> Rendered:
        out = io.BytesIO()
        cartes.write_returned(self.collectivite, self.du, self.au, out)
        name = (
            f"cartes-revenues-{self.collectivite.code_insee}-{self.du:%Y%m%d}-{self.au:%Y%m%d}.pdf"
        )
        return Rendered(name, "application/pdf", out.getvalue())


class RegistreProcurationsForm(CompactForm):
    bureau = BureauCodeField(
        label="Bureau",
        queryset=BureauDeVote.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="tous (un fichier par bureau, en ZIP)",
    )

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = BureauDeVote.objects.filter(collectivite=collectivite)


class RegistreProcurationsExporter(Exporter):
    """The register of the procurations in force or to come, per bureau of the mandants."""

    identifier = "registre-procurations"
    verbose_name = "Registre des procurations (PDF)"
    form_class = RegistreProcurationsForm
    role = Role.ELECTIONS

    scoped_form = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.bureau = options["bureau"]
        self.day = timezone.localdate()
        super().__init__(collectivite, {"bureau": self.bureau.code if self.bureau else ""})

    def bureaux(self) -> list[BureauDeVote]:
        if self.bureau:
            return [self.bureau]
        return list(BureauDeVote.objects.for_collectivite(self.collectivite).order_by("code"))

    def describe(self) -> str:
        where = f"bureau {self.bureau.code}" if self.bureau else "tous les bureaux"
        return f"Registre des procurations — {where}, au {self.day:%d/%m/%Y}"

    def write(self, out: BinaryIO, progress: Progress) -> Streamed:
        if self.bureau:
            registres.write_registre_procurations(self.collectivite, self.bureau, self.day, out)
            name = f"procurations-{self.collectivite.code_insee}-bureau-{self.bureau.code}.pdf"
            return Streamed(name, "application/pdf")
        every = self.bureaux()
        with zipfile.ZipFile(out, "w") as archive:
            for index, bureau in enumerate(every, start=1):
                buffer = io.BytesIO()
                registres.write_registre_procurations(self.collectivite, bureau, self.day, buffer)
                archive.writestr(f"procurations-bureau-{bureau.code}.pdf", buffer.getvalue())
                progress(index, len(every))
        return Streamed(f"procurations-{self.collectivite.code_insee}.zip", "application/zip")

    def render(self) -> Rendered:
        out = io.BytesIO()
        streamed = self.write(out, no_progress)
        return Rendered(streamed.filename, streamed.content_type, out.getvalue())


def record_form(name: str, label: str, model) -> type[CompactForm]:
    """A form choosing one of the collectivité's `model` records (by id: the page's list, or a
    command's --NAME): another collectivité's is not one of the choices."""

    def __init__(self, *args, collectivite: Collectivite | None = None, **kwargs) -> None:
        CompactForm.__init__(self, *args, **kwargs)
        self.fields[name].queryset = model.objects.filter(collectivite=collectivite)

    field = forms.ModelChoiceField(label=label, queryset=model.objects.none())
    return type(f"{model.__name__}Form", (CompactForm,), {name: field, "__init__": __init__})


class RecordExporter(Exporter):
    """A document of one record (a draw, a meeting): the form's one field names it."""

    role = Role.ELECTIONS
    option: str  # the form's field
    label: str

    scoped_form = True

    def __init__(self, collectivite: Collectivite, options: dict) -> None:
        self.record = options[self.option]
        super().__init__(collectivite, {self.option: self.record.pk})


class TirageExporter(RecordExporter):
    form_class = record_form("tirage", "Tirage", TirageJures)
    option = "tirage"

    @property
    def tirage(self) -> TirageJures:
        return self.record

    def describe(self) -> str:
        return f"{self.label} — tirage {self.tirage.annee} du {self.tirage.cree_le:%d/%m/%Y}"

    @property
    def stem(self) -> str:
        return f"jures-{self.collectivite.code_insee}-{self.tirage.annee}-{self.tirage.pk}"


class JuresPvExporter(TirageExporter):
    identifier = "jures-pv"
    verbose_name = "Jurés d'assises : procès-verbal du tirage (PDF)"
    label = "Procès-verbal du tirage des jurés d'assises"

    def render(self) -> Rendered:
        data = render_pdf(
            "electoral/jures_pv_pdf.html",
            {
                "collectivite": self.collectivite,
                "tirage": self.tirage,
                "annee_suivante": self.tirage.annee + 1,
                "derniere_annee": latest_birth_year(self.tirage.annee),
            },
        )
        return Rendered(f"{self.stem}-proces-verbal.pdf", "application/pdf", data)


class JuresListeExporter(TirageExporter):
    identifier = "jures-liste"
    verbose_name = "Jurés d'assises : liste préparatoire (PDF)"
    label = "Liste préparatoire des jurés d'assises"

    def render(self) -> Rendered:
        out = io.BytesIO()
        registres.write_liste_preparatoire(self.tirage, out)
        return Rendered(f"{self.stem}-liste-preparatoire.pdf", "application/pdf", out.getvalue())


class JuresCsvExporter(TirageExporter, CsvExporter):
    identifier = "jures-csv"
    verbose_name = "Jurés d'assises : liste préparatoire pour le greffe (CSV)"
    label = "Liste préparatoire des jurés d'assises (CSV)"
    header = registres.CSV_HEADER

    @property
    def filename(self) -> str:
        return f"{self.stem}.csv"

    def count(self) -> int:
        return len(self.tirage.tires)

    def rows(self) -> Iterator[list]:
        return iter(registres.jures_csv_rows(self.tirage))


class ReunionExporter(RecordExporter):
    form_class = record_form("reunion", "Réunion", ReunionCommission)
    option = "reunion"

    @property
    def reunion(self) -> ReunionCommission:
        return self.record

    def describe(self) -> str:
        return f"{self.label} — réunion du {self.reunion.date:%d/%m/%Y}"

    @property
    def stem(self) -> str:
        return f"commission-{self.collectivite.code_insee}-{self.reunion.date:%Y%m%d}"


class ConvocationsExporter(ReunionExporter):
    identifier = "commission-convocations"
    verbose_name = "Commission de contrôle : convocations (PDF)"
    label = "Convocations de la commission de contrôle"

    def membres(self):
        return MembreCommission.objects.for_collectivite(self.collectivite).filter(actif=True)

    def problems(self) -> list[Problem]:
        if not self.membres().exists():
            return [Problem(None, "Commission", "", "aucun membre en fonctions à convoquer")]
        return []

    def preview(self) -> list[str]:
        count = self.membres().count()
        return [f"{count} convocation{pluralize(count)}, une page par membre en fonctions."]

    def render(self) -> Rendered:
        data = render_pdf(
            "electoral/convocation_pdf.html",
            {
                "collectivite": self.collectivite,
                "reunion": self.reunion,
                "membres": list(self.membres()),
                "mouvements": movements_examined(self.reunion).count(),
                "aujourdhui": timezone.localdate(),
            },
        )
        return Rendered(f"{self.stem}-convocations.pdf", "application/pdf", data)


class RegistreDecisionsExporter(ReunionExporter):
    identifier = "commission-registre"
    verbose_name = "Commission de contrôle : registre des décisions (PDF)"
    label = "Registre des décisions de la commission de contrôle"

    def render(self) -> Rendered:
        out = io.BytesIO()
        registres.write_registre_decisions(self.reunion, out)
        return Rendered(f"{self.stem}-registre.pdf", "application/pdf", out.getvalue())


EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (
        PecotoExporter,
        ListeRecensesExporter,
        NoticeExporter,
        RecensesCsvExporter,
        ListeCsvExporter,
        ListeXmlExporter,
        TableauExporter,
        ListeBureauExporter,
        EmargementExporter,
        CartesExporter,
        CartesRevenuesExporter,
        RegistreProcurationsExporter,
        JuresPvExporter,
        JuresListeExporter,
        JuresCsvExporter,
        ConvocationsExporter,
        RegistreDecisionsExporter,
    )
}


def allowed_kinds(affectation: Affectation) -> list[str]:
    return [kind for kind, exporter in EXPORTERS.items() if affectation.allows(exporter.role)]
