"""The electoral list files (arrêté du 12 novembre 2013): CSV and XML, written as streams.

One declarative list of columns (Django expressions over electoral.extraction.liste_a_date)
compiles to SQL. On PostgreSQL the whole file is produced by the database and streamed by
`COPY (SELECT …) TO STDOUT`: for the CSV, each value goes through the spreadsheet-safety rule as
one SQL expression (DEFUSED_SQL) and COPY quotes it; for the XML, `xmlelement`/`xmlforest` build
one `Electeur` per row. Elsewhere (SQLite) the same query's rows are written by Python: the CSV
with defusedcsv, the XML with lxml.etree.xmlfile. Both paths give the same bytes (CSV) and the
same canonical XML; the golden tests run on both databases.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from defusedcsv import csv as defusedcsv
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    Func,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Substr
from lxml import etree

from electoral.extraction import liste_a_date
from electoral.models import BureauDeVote, Inscription, Liste
from exports.streaming import CopySink, CrlfLines, Progress, copy_to
from mairie.models import Collectivite

SCHEMA = Path(__file__).parent / "schemas" / "liste-electorale-v1.xsd"
SCHEMA_VERSION = "1"
ROOT = "ListeElectorale"
ADDRESS = "AdresseElecteur"
ORDER = ["bureau_code", "electeur__nom_naissance", "electeur__prenoms", "electeur_id"]
PROGRESS_EVERY = 2000


class FrenchDate(Func):
    """A date as JJ/MM/AAAA, by the database."""

    output_field = CharField()
    template = "to_char(%(expressions)s, 'DD/MM/YYYY')"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="strftime('%%%%d/%%%%m/%%%%Y', %(expressions)s)", **extra
        )


def insee_departement(field: str) -> Expression:
    """Stored on 3 characters (035, 02A, 971); INSEE writes 35, 2A, 971."""
    return Case(
        When(**{f"{field}__startswith": "0"}, then=Substr(field, 2)),
        default=F(field),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Column:
    name: str  # the arrêté's header name, and the XML element's
    expression: Expression
    level: str = "electeur"  # "liste" (root element), "electeur" or "adresse" (AdresseElecteur)


@dataclass(frozen=True)
class Extraction:
    """One list of one collectivité as it stood at the end of one day, maybe one bureau only."""

    collectivite: Collectivite
    liste: str
    date: datetime.date
    bureau: BureauDeVote | None = None

    @property
    def info(self) -> str:
        label = Liste(self.liste).label
        text = f"{label[0].upper()}{label[1:]} au {self.date:%d/%m/%Y}"
        if self.bureau is not None:
            text += f", bureau {self.bureau.code}"
        return text

    @property
    def departement(self) -> str:
        code = self.collectivite.departement
        return code[1:] if len(code) == 3 and code.startswith("0") else code

    def columns(self) -> list[Column]:
        """The 29 columns of the arrêté, in its order."""
        e = "electeur__"
        nationalite = F(f"{e}nationalite") if self.liste != Liste.PRINCIPALE else Value("")
        listed = [
            ("TypeListe", Value(self.liste)),
            ("InfoListe", Value(self.info)),
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
            ("DeptNaissance", insee_departement(f"{e}naissance_departement")),
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
            + [Column(name, expression) for name, expression in electeur]
            + [Column(name, expression, "adresse") for name, expression in adresse]
        )

    def inscriptions(self) -> QuerySet[Inscription]:
        return liste_a_date(self.collectivite, self.liste, self.date, self.bureau)

    def _annotated(self) -> QuerySet[Inscription]:
        columns = self.columns()
        return self.inscriptions().annotate(
            **{f"c{index}": column.expression for index, column in enumerate(columns)}
        )

    def rows(self) -> QuerySet:
        """One row per voter: c0 … c28, the columns in order, sorted as in the file."""
        names = [f"c{index}" for index in range(len(self.columns()))]
        return self._annotated().order_by(*ORDER).values_list(*names)

    def wrapped_sql(self, select: str) -> tuple[str, list]:
        """`SELECT {select} FROM (the rows, with their sort keys s0 … s3) t ORDER BY s0 … s3`:
        `select` refers to the columns as t.c0 … t.c28 (a literal % is written %%)."""
        names = [f"c{index}" for index in range(len(self.columns()))]
        keys = {f"s{index}": F(name) for index, name in enumerate(ORDER)}
        rows = self._annotated().annotate(**keys).order_by().values_list(*names, *keys)
        inner, params = rows.query.sql_with_params()
        order = ", ".join(f"t.{key}" for key in keys)
        return f"SELECT {select} FROM ({inner}) t ORDER BY {order}", list(params)


# --- CSV -------------------------------------------------------------------------------------

# defusedcsv's rule, for the COPY path: a value starting with @ + - = | % that is not a number
# gets a leading apostrophe and its | escaped; an empty value is written as nothing (NULL).
DEFUSED_SQL = (
    "NULLIF(CASE WHEN left({v}, 1) IN ('@', '+', '-', '=', '|', '%%') "
    "AND {v} !~ '^-?[0-9,.]+\\n?$' "
    "THEN '''' || replace({v}, '|', '\\|') ELSE {v} END, '')"
)


def csv_header(extraction: Extraction) -> bytes:
    return (";".join(column.name for column in extraction.columns()) + "\r\n").encode()


def write_csv(
    extraction: Extraction, out: BinaryIO, progress: Progress, every: int = PROGRESS_EVERY
) -> int:
    """The list CSV into `out`, progress reported every `every` rows; returns the number of
    voters."""
    out.write(csv_header(extraction))
    total = extraction.inscriptions().count()
    if connection.vendor == "postgresql":
        sql, params = copy_csv_sql(extraction)
        return copy_to(sql, params, CopySink(out, total, progress, CrlfLines(), every))
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
    count = len(extraction.columns())
    select = ", ".join(DEFUSED_SQL.format(v=f"t.c{index}") for index in range(count))
    sql, params = extraction.wrapped_sql(select)
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')", params


# --- XML -------------------------------------------------------------------------------------

# XML 1.0 has no place for these; a value keeps its tabs and line breaks only.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_SQL = "'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f]'"


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
    """The list XML into `out`, progress reported every `every` rows; returns the number of
    voters."""
    total = extraction.inscriptions().count()
    if connection.vendor == "postgresql":
        head, tail = _xml_ends(extraction)
        out.write(head)
        done = copy_to(*copy_xml_sql(extraction), CopySink(out, total, progress, every=every))
        out.write(tail)
        return done
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
    """One `Electeur` fragment per row, with no line break, tab or backslash left raw (they
    become character references), so that COPY's text format writes it as it is."""

    def forest(level: str) -> str:
        return ", ".join(
            f"NULLIF(regexp_replace(t.c{index}, {CONTROL_SQL}, '', 'g'), '') AS \"{column.name}\""
            for index, column in enumerate(extraction.columns())
            if column.level == level
        )

    element = (
        f'xmlelement(name "Electeur", xmlforest({forest("electeur")}), '
        f'xmlelement(name "{ADDRESS}", xmlforest({forest("adresse")})))::text'
    )
    for raw, reference in (("\\", "&#92;"), ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;")):
        element = f"replace({element}, chr({ord(raw)}), '{reference}')"
    sql, params = extraction.wrapped_sql(element)
    return f"COPY ({sql}) TO STDOUT", params


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))
