"""The electoral list files (arrêté du 12 novembre 2013): CSV and XML, written as streams.

One declarative list of columns (Django expressions over electoral.extraction.liste_a_date)
compiles to SQL for both databases.

On PostgreSQL the database writes the file and `COPY (SELECT …) TO STDOUT` streams it: for the
CSV, each value goes through defusedcsv's spreadsheet rule expressed as one SQL expression
(DEFUSED_SQL) and COPY quotes it; for the XML, `xmlelement`/`xmlforest` build one `Electeur`
fragment per row, between a head and a tail serialised by lxml. The XML is made by the database
rather than by lxml.etree.xmlfile because xmlfile costs about 40 µs a voter (40 s for a million,
about 10 times the bare COPY of the same rows), where the target is 4 times.

Elsewhere (SQLite) the rows of the same query are written by Python: the CSV by defusedcsv, the
XML by lxml.etree.xmlfile. Both paths give the same bytes (CSV) and the same canonical XML: the
golden and injection tests run on both databases. Neither path holds the file in memory.
"""

import datetime
import io
import operator
import re
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import BinaryIO

from defusedcsv import csv as defusedcsv
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.template.defaultfilters import pluralize
from lxml import etree

from electoral.extraction import liste_a_date
from electoral.models import BureauDeVote, Inscription, Liste, born_abroad
from exports.streaming import Lines, Progress, copy_to
from mairie.models import (
    DEPARTEMENT_ETRANGER,
    Collectivite,
    departement_as_written,
    departement_as_written_sql,
)
from mairie.problems import Problem
from mairie.text import french_number

SCHEMA = Path(__file__).parent / "schemas" / "liste-electorale-v1.xsd"
SCHEMA_VERSION = "1"
ROOT = "ListeElectorale"
ADDRESS = "AdresseElecteur"
# InfoListe is the file's type (arrêté, art. 2: "liste électorale" or "tableau"), not a label.
INFO_LISTE = "liste électorale"
ORDER = ["bureau_code", "electeur__nom_naissance", "electeur__prenoms", "electeur_id"]
PROGRESS_EVERY = 2000
# The columns that may be NULL in SQL (no number, no bureau); the others never are.
NULLABLE = {
    "NoElecteurGeneral",
    "NomBureauDeVote",
    "NoBureauDeVote",
    "CodeCanton",
    "CodeCirconscription",
}
# What the agent reads when a mandatory column (Column.blank) would be blank for a voter; the
# file is refused until the voter's page fills it.
MISSING = {
    "Sexe": "sexe manquant",
    "NomdeNaissance": "nom de naissance manquant",
    "Prenoms": "prénoms manquants",
    "DateDeNaissance": "date de naissance manquante",
    "NomComNaissance": "commune (ou ville à l'étranger) de naissance manquante",
    "DeptNaissance": (
        "département de naissance manquant (né(e) à l'étranger : code pays 99xxx du lieu de "
        "naissance, ou département 99)"
    ),
    "PaysNaissance": "pays de naissance manquant",
    "Nationalite": "nationalité manquante (obligatoire sur une liste complémentaire)",
}
# The voters listed as problems at most; the others are counted.
MAX_PROBLEMS = 50


class FrenchDate(Func):
    """A date as JJ/MM/AAAA, by the database."""

    output_field = CharField()
    template = "to_char(%(expressions)s, 'DD/MM/YYYY')"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="strftime('%%%%d/%%%%m/%%%%Y', %(expressions)s)", **extra
        )


@dataclass(frozen=True)
class Column:
    name: str  # the arrêté's header name, and the XML element's
    expression: Expression
    level: str = "electeur"  # "liste" (root element), "electeur" or "adresse" (AdresseElecteur)
    text: bool = True  # may hold any text (a number cannot start a formula)
    nullable: bool = False
    # A mandatory column's: when its value would be written blank, on the voter's raw fields
    # (no formatting: cheap on a million voters, checked twice per export).
    blank: Q | None = None


@dataclass(frozen=True)
class Extraction:
    """One list of one collectivité as it stood at the end of one day, maybe one bureau only."""

    collectivite: Collectivite
    liste: str
    date: datetime.date
    bureau: BureauDeVote | None = None

    @property
    def label(self) -> str:
        """For people (the export's description): "Liste principale au 10/03/2026"."""
        label = Liste(self.liste).label
        text = f"{label[0].upper()}{label[1:]} au {self.date:%d/%m/%Y}"
        if self.bureau is not None:
            text += f", bureau {self.bureau.code}"
        return text

    @property
    def departement(self) -> str:
        return departement_as_written(self.collectivite.departement)

    def columns(self) -> list[Column]:
        """The 29 columns of the arrêté, in its order."""
        e = "electeur__"
        nationalite = F(f"{e}nationalite") if self.liste != Liste.PRINCIPALE else Value("")
        # Mandatory (arrêté): columns 8 to 15, and 16 on the complementary lists.
        # NomDusage (10) alone may be blank: a voter without a nom d'usage.
        blank = {
            "Sexe": Q(**{f"{e}sexe": ""}),
            "NomdeNaissance": Q(**{f"{e}nom_naissance": ""}),
            "Prenoms": Q(**{f"{e}prenoms": ""}),
            "DateDeNaissance": Q(
                **{f"{e}date_naissance__isnull": True, f"{e}date_naissance_incomplete": ""}
            ),
            "NomComNaissance": Q(**{f"{e}naissance_commune": ""}),
            "DeptNaissance": Q(**{f"{e}naissance_departement__in": ["", "0"]}) & ~born_abroad(e),
            "PaysNaissance": Q(**{f"{e}naissance_pays": ""}),
        }
        if self.liste != Liste.PRINCIPALE:
            blank["Nationalite"] = Q(**{f"{e}nationalite": ""})
        listed = [
            ("TypeListe", Value(self.liste)),
            ("InfoListe", Value(INFO_LISTE)),
            ("DateCreationListe", Value(f"{self.date:%d/%m/%Y}")),
            ("CodeDepartement", Value(self.departement)),
            ("CodeCommune", Value(self.collectivite.code_insee)),
            ("NomCommune", Value(self.collectivite.nom)),
        ]
        electeur = [
            ("NoElecteurGeneral", Cast("numero_a_date", CharField())),
            ("Sexe", F(f"{e}sexe")),
            ("NomdeNaissance", F(f"{e}nom_naissance")),
            ("NomDusage", F(f"{e}nom_usage")),
            ("Prenoms", F(f"{e}prenoms")),
            (
                "DateDeNaissance",
                Coalesce(
                    FrenchDate(f"{e}date_naissance"),
                    F(f"{e}date_naissance_incomplete"),
                    output_field=CharField(),
                ),
            ),
            ("NomComNaissance", F(f"{e}naissance_commune")),
            (
                "DeptNaissance",
                Case(
                    When(born_abroad(e), then=Value(DEPARTEMENT_ETRANGER)),
                    default=departement_as_written_sql(f"{e}naissance_departement"),
                    output_field=CharField(),
                ),
            ),
            ("PaysNaissance", F(f"{e}naissance_pays")),
            ("Nationalite", nationalite),
            ("NomBureauDeVote", F("bureau_libelle")),
            ("NoBureauDeVote", F("bureau_code")),
            ("CodeCanton", F("bureau_canton")),
            ("CodeCirconscription", F("bureau_circonscription")),
        ]
        adresse = [
            ("ComplementDeLocalisation1", F(f"{e}complement1")),
            ("ComplementDeLocalisation2", F(f"{e}complement2")),
            ("NumeroVoie", F(f"{e}numero_voie")),
            ("TypeVoie", F(f"{e}type_voie")),
            ("LibelleVoie", F(f"{e}libelle_voie")),
            ("LieuDit", F(f"{e}lieu_dit")),
            ("CodePostal", F(f"{e}code_postal")),
            ("VilleLocalite", F(f"{e}ville")),
            ("Pays", F(f"{e}pays")),
        ]
        return (
            [Column(name, expression, "liste") for name, expression in listed]
            + [
                Column(
                    name,
                    expression,
                    text=name != "NoElecteurGeneral",
                    nullable=name in NULLABLE,
                    blank=blank.get(name),
                )
                for name, expression in electeur
            ]
            + [Column(name, expression, "adresse") for name, expression in adresse]
        )

    def inscriptions(self) -> QuerySet[Inscription]:
        return liste_a_date(self.collectivite, self.liste, self.date, self.bureau)

    def problems(self) -> list[Problem]:
        """The voters a mandatory column would be blank for, in the file's order, one problem
        per column: MAX_PROBLEMS voters, then the count of the others."""
        mandatory = {
            f"b{index}": column
            for index, column in enumerate(self.columns())
            if column.blank is not None
        }
        incomplete = self.inscriptions().filter(
            reduce(operator.or_, (column.blank for column in mandatory.values()))
        )
        rows = (
            incomplete.annotate(
                **{
                    name: ExpressionWrapper(column.blank, output_field=BooleanField())
                    for name, column in mandatory.items()
                }
            )
            .order_by(*ORDER)
            .values_list("electeur_id", "electeur__nom_naissance", "electeur__prenoms", *mandatory)
        )
        found = list(rows[: MAX_PROBLEMS + 1])
        problems = []
        for electeur_id, nom, prenoms, *values in found[:MAX_PROBLEMS]:
            who = " ".join(f"{nom} {prenoms}".split()) or f"Électeur sans nom (fiche {electeur_id})"
            problems += [
                Problem(None, who, column.name, MISSING[column.name], electeur_id=electeur_id)
                for column, blank in zip(mandatory.values(), values, strict=True)
                if blank
            ]
        if len(found) > MAX_PROBLEMS:
            others = incomplete.count() - MAX_PROBLEMS
            plural = pluralize(others)
            problems.append(
                Problem(
                    None,
                    self.label,
                    "",
                    f"et {french_number(others)} autre{plural} électeur{plural} incomplet{plural}",
                )
            )
        return problems

    def _annotated(self) -> QuerySet[Inscription]:
        columns = self.columns()
        return self.inscriptions().annotate(
            **{f"c{index}": column.expression for index, column in enumerate(columns)}
        )

    def rows(self) -> QuerySet:
        """One row per voter: c0 … c28, the columns in order, sorted as in the file."""
        names = [f"c{index}" for index in range(len(self.columns()))]
        return self._annotated().order_by(*ORDER).values_list(*names)

    def wrapped_sql(self, select: str, levels: tuple[str, ...]) -> tuple[str, list]:
        """`SELECT {select} FROM (the sorted rows) t`: `select` refers to the columns of
        `levels` as t.c0 … t.c28 (a literal % is written %%). The rows are sorted before the
        columns are formatted, so that the sort moves the raw values only; the subquery is kept
        as it is (OFFSET 0) and its order is the order the outer query reads."""
        names = [
            f"c{index}" for index, column in enumerate(self.columns()) if column.level in levels
        ]
        rows = self._annotated().order_by(*ORDER).values_list(*names)
        inner, params = rows.query.sql_with_params()
        return f"SELECT {select} FROM ({inner} OFFSET 0) t", list(params)


# --- CSV -------------------------------------------------------------------------------------

# defusedcsv's rule, for the COPY path: a value starting with @ + - = | % that is not a number
# gets a leading apostrophe and its | escaped. The first character is tested by its code
# (ascii(): @ + - = | %), much cheaper than comparing strings on a million rows.
DEFUSED_SQL = (
    "CASE WHEN ascii({v}) IN (64, 43, 45, 61, 124, 37) "
    "AND {v} !~ '^-?[0-9,.]+\\n?$' "
    "THEN '''' || replace({v}, '|', '\\|') ELSE {v} END"
)
# No value is NULL (the nullable columns go through COALESCE), so COPY's NULL marker can be a
# string no value is: COPY then writes an empty value as nothing, as the csv module does, where
# with the default marker (the empty string) it would write "". (A value made of that one
# control character alone would be quoted: still the same value when read.)
NULL_MARKER = "E'\\x01'"


def csv_header(extraction: Extraction) -> bytes:
    return (";".join(column.name for column in extraction.columns()) + "\r\n").encode()


def write_csv(
    extraction: Extraction, out: BinaryIO, progress: Progress, every: int = PROGRESS_EVERY
) -> int:
    """The list CSV into `out`, progress reported every `every` rows (on PostgreSQL, every
    block read from COPY); returns the number of voters."""
    out.write(csv_header(extraction))
    if connection.vendor == "postgresql":
        sql, params = copy_csv_sql(extraction)
        lines = Lines(b'"', prefix=csv_prefix(extraction), end=b"\r\n")
        return copy_to(sql, params, out, lines, progress, extraction.inscriptions().count)
    total = extraction.inscriptions().count()
    writer = defusedcsv.writer(_Utf8(out), delimiter=";", lineterminator="\r\n")
    done = 0
    for done, row in enumerate(extraction.rows().iterator(chunk_size=2000), start=1):
        writer.writerow(row)
        if not done % every:
            progress(done, total)
    return done


class _Utf8:
    """The csv writer writes text; the file takes bytes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode())


def copy_csv_sql(extraction: Extraction) -> tuple[str, list]:
    """The voter's columns (the list's own are the sink's prefix), each made safe by SQL."""
    expressions = []
    for index, column in enumerate(extraction.columns()):
        if column.level == "liste":
            continue
        value = f"COALESCE(t.c{index}, '')" if column.nullable else f"t.c{index}"
        expressions.append(DEFUSED_SQL.format(v=value) if column.text else value)
    sql, params = extraction.wrapped_sql(", ".join(expressions), ("electeur", "adresse"))
    options = f"FORMAT csv, DELIMITER ';', NULL {NULL_MARKER}"
    return f"COPY ({sql}) TO STDOUT WITH ({options})", params


def csv_prefix(extraction: Extraction) -> bytes:
    """The list's own columns, the same on every line, as the Python path writes them."""
    text = io.StringIO()
    values = [c.expression.value for c in extraction.columns() if c.level == "liste"]
    defusedcsv.writer(text, delimiter=";", lineterminator=";").writerow(values)
    return text.getvalue().encode()


# --- XML -------------------------------------------------------------------------------------

# XML 1.0 has no place for these; a value keeps its tabs and line breaks only.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_SQL = "'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f]'"
XML_QUOTE, XML_QUOTE_SQL = b"\x03", "\\x03"


def _xml_value(value: str | None) -> str:
    return CONTROL.sub("", value or "")


def _list_element(extraction: Extraction) -> etree._Element:
    root = etree.Element(ROOT, version=SCHEMA_VERSION)
    for column in extraction.columns():
        if column.level == "liste":
            etree.SubElement(root, column.name).text = _xml_value(column.expression.value)
    return root


def _xml_ends(extraction: Extraction) -> tuple[bytes, bytes]:
    """The file up to the first Electeur, and after the last."""
    whole = etree.tostring(_list_element(extraction), encoding="UTF-8", xml_declaration=True)
    closing = f"</{ROOT}>".encode()
    assert whole.endswith(closing)
    return whole[: -len(closing)] + b"\n", closing + b"\n"


def write_xml(
    extraction: Extraction, out: BinaryIO, progress: Progress, every: int = PROGRESS_EVERY
) -> int:
    """The list XML into `out`, progress reported every `every` rows (on PostgreSQL, every
    block read from COPY); returns the number of voters."""
    if connection.vendor == "postgresql":
        head, tail = _xml_ends(extraction)
        out.write(head)
        lines = Lines(XML_QUOTE, keep_quote=False)
        count = extraction.inscriptions().count
        done = copy_to(*copy_xml_sql(extraction), out, lines, progress, count)
        out.write(tail)
        return done
    total = extraction.inscriptions().count()
    columns = extraction.columns()
    done = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(ROOT, version=SCHEMA_VERSION):
            for column in columns:
                if column.level == "liste":
                    xf.write(_leaf(column.name, column.expression.value))
            xf.write("\n")
            for done, row in enumerate(extraction.rows().iterator(chunk_size=2000), start=1):
                electeur = etree.Element("Electeur")
                adresse = None
                for column, value in zip(columns, row, strict=True):
                    if column.level == "adresse" and adresse is None:
                        adresse = etree.SubElement(electeur, ADDRESS)
                    value = _xml_value(value)
                    if column.level != "liste" and value:
                        parent = adresse if column.level == "adresse" else electeur
                        etree.SubElement(parent, column.name).text = value
                xf.write(electeur)
                xf.write("\n")
                if not done % every:
                    progress(done, total)
    out.write(b"\n")
    return done


def _leaf(name: str, text: str) -> etree._Element:
    element = etree.Element(name)
    element.text = _xml_value(text)
    return element


def copy_xml_sql(extraction: Extraction) -> tuple[str, list]:
    """One `Electeur` fragment per row. Control characters are dropped from the values of the
    rows that have some (one test per row, the rare rows cleaned column by column). COPY
    writes the fragment in CSV format with a delimiter and a quote character that no fragment
    holds (control characters): no escaping at all, and a fragment with a line break (data)
    comes between two quote characters, which Lines drops."""
    columns = [
        (index, column)
        for index, column in enumerate(extraction.columns())
        if column.level != "liste"
    ]

    def forest(level: str) -> str:
        return ", ".join(
            f"NULLIF(CASE WHEN u.dirty THEN regexp_replace(u.c{index}, {CONTROL_SQL}, '', 'g') "
            f"ELSE u.c{index} END, '') AS \"{column.name}\""
            for index, column in columns
            if column.level == level
        )

    element = (
        f'xmlelement(name "Electeur", xmlforest({forest("electeur")}), '
        f'xmlelement(name "{ADDRESS}", xmlforest({forest("adresse")})))::text'
    )
    everything = ", ".join(f"t.c{index}" for index, _ in columns)
    dirty = f"t.*, concat({everything}) ~ {CONTROL_SQL} AS dirty"
    sql, params = extraction.wrapped_sql(dirty, ("electeur", "adresse"))
    sql = f"SELECT {element} FROM ({sql} OFFSET 0) u"
    options = f"FORMAT csv, DELIMITER E'\\x02', QUOTE E'{XML_QUOTE_SQL}'"
    return f"COPY ({sql}) TO STDOUT WITH ({options})", params


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))
