"""Import of the REU extraction downloaded from ELIRE (the columns and spellings: README).

The file is read once, line by line, and every line is checked here in Python: one code path for
both databases. (On PostgreSQL, a re-import first lets the database set aside the lines that say
exactly what it already says, with the same result: see _Sieve.) Valid lines go to a temporary
staging table (COPY on PostgreSQL, executemany on SQLite); everything after that is set-based
SQL shared by both: which lines are new, changed or unchanged, then, for `apply`, the voters,
their inscriptions, the movements and the audit history, in one transaction. `preview` runs the
same classification and writes nothing.

A voter is the same from one import to the next by their INE, or, without one on either side, by
nom de naissance and prénoms (folded), date de naissance and list.
"""

import codecs
import csv
import dataclasses
import datetime
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import gt, itemgetter
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from electoral.models import (
    ADRESSE_FIELDS,
    BUREAU_CODE_RE,
    ETAT_CIVIL_FIELDS,
    BureauDeVote,
    Electeur,
    Inscription,
    Liste,
    MotifInscription,
    MotifModification,
    Mouvement,
    TypeMouvement,
    electeur_key_of_folded,
    find_voies,
    highest_numeros,
    normalise_bureau_code,
    validate_date_effet,
    voie_key,
)
from electoral.rules import (
    NAME_FIELDS,
    birth_bounds,
    birth_date_problem,
    duplicate_message,
    identity,
)
from mairie.history import save_by
from mairie.models import (
    CODE_COMMUNE,
    CODE_DEPARTEMENT_RE,
    Collectivite,
    normalise_code_commune,
    normalise_departement,
)
from mairie.names import NAME_SEPARATORS, is_name_letter, name_problem
from mairie.text import french_number, search_key, unguard_formula
from mairie.trigram import refresh_after_bulk_load

MAX_REJECTED_LINES = 1000
HISTORY_REASON = "import de l'extraction REU"
# Caches of folded values: names repeat a lot in a list, but a cache must not grow without end.
CACHE_LIMIT = 200_000
# Lines written from which the planner's statistics of the voters' tables are refreshed.
ANALYZE_AFTER = 10_000
# Below this many lines to number, each looks its number up in the index rather than in a hash
# of every number of the bureaux.
FEW_LINES = 100_000
# Lines read between two reports of the reading's progress.
PROGRESS_EVERY = 100_000

# The unknown bureaux an import may create: all (True), none (False), or these codes.
CreateBureaux = bool | Iterable[str]
# Told, in French, where the import stands: the step it starts, or how far the reading is.
Progress = Callable[[str], None]


def _silent(step: str) -> None:
    pass


@dataclass(frozen=True)
class RejectedLine:
    number: int  # as in the file, the header being line 1
    reason: str


@dataclass
class ImportReport:
    """What an import found (preview) or did (apply). `refusal` set: the whole file was refused
    and nothing was read into the lists."""

    file_name: str
    refusal: str = ""
    encoding: str = ""  # set when the file was not UTF-8 and was read as this one
    extraction_date: str = ""  # JJ/MM/AAAA, from the file's column or its name
    lines: int = 0  # voter lines read, the header excluded
    new: int = 0  # lines that add an inscription
    new_voters: int = 0  # of which voters not yet known
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_lines: list[RejectedLine] = field(default_factory=list)  # the first ones, in order
    unknown_columns: list[str] = field(default_factory=list)  # ignored
    missing_columns: list[str] = field(default_factory=list)  # required: the file is refused
    # Bureaux the database does not know: (code, libellé the file gives, lines). Their lines are
    # rejected unless the agent asked for their creation: then they are bureaux_created.
    unknown_bureaux: list[tuple[str, str, int]] = field(default_factory=list)
    bureaux_created: list[tuple[str, str]] = field(default_factory=list)  # (code, libellé)
    absent: int = 0  # active inscriptions (voter × list) the file does not contain: not radiated
    sifted: int = 0  # of the unchanged lines, those PostgreSQL found alone (see _Sieve)
    applied: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    @property
    def ok(self) -> bool:
        return not self.refusal

    def reject(self, number: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_lines) < MAX_REJECTED_LINES:
            self.rejected_lines.append(RejectedLine(number, reason))

    def as_dict(self) -> dict:
        """JSON-ready, e.g. to keep the preview shown to the agent (from_dict reads it back)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        return cls(
            **{
                **data,
                "rejected_lines": [RejectedLine(**line) for line in data["rejected_lines"]],
                "unknown_bureaux": [tuple(bureau) for bureau in data.get("unknown_bureaux", [])],
                "bureaux_created": [tuple(bureau) for bureau in data["bureaux_created"]],
            }
        )


class _Refused(Exception):
    """The file as a whole cannot be imported; the message (French) is for the agent."""


# -- Columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # header of the "field" variant
    aliases: tuple[str, ...] = ()  # the arrêté variant's header first, then other spellings
    required: bool = False


# Every header spelling seen in real files, compared by
# _header_key: case, accents, apostrophes, spaces and punctuation do not count. The README lists
# them: keep both in step.
COLUMNS = (
    Column(
        "commune_code",
        "Code commune",
        ("CodeCommune", "Code UGLE", "Code du l'UGLE", "Code de l'UGLE"),
    ),
    Column(
        "commune_libelle",
        "Libellé commune",
        ("NomCommune", "Libellé UGLE", "Libellé de l'UGLE"),
    ),
    Column("departement", "Code département", ("CodeDepartement",)),
    Column(
        "liste",
        "Type de liste",
        ("TypeListe", "Liste", "Libellé du type de liste", "Code du type de liste"),
        required=True,
    ),
    Column("info_liste", "Libellé de la liste", ("InfoListe",)),
    Column("date_liste", "Date de création de la liste", ("DateCreationListe",)),
    Column("numero_general", "Numéro d'électeur général", ("NoElecteurGeneral",)),
    Column("nom_naissance", "Nom de naissance", ("NomdeNaissance",), required=True),
    Column("nom_usage", "Nom d'usage", ("NomDusage",)),
    Column("prenoms", "Prénoms", ("Prenoms", "Prénom"), required=True),
    Column("sexe", "Sexe", ("Civilite",), required=True),
    Column("date_naissance", "Date de naissance", ("DateDeNaissance",), required=True),
    Column(
        "naissance_code_lieu",
        "Code commune de naissance",
        ("CodeComNaissance", "Code de la commune de naissance"),
    ),
    Column(
        "naissance_commune",
        "Libellé commune de naissance",
        ("NomComNaissance", "Commune de naissance", "Libellé de la commune de naissance"),
    ),
    Column(
        "naissance_departement",
        "Code département de naissance",
        ("DeptNaissance", "Département de naissance", "Code du département de naissance"),
    ),
    Column("naissance_pays", "Libellé pays de naissance", ("PaysNaissance", "Pays de naissance")),
    Column(
        "nationalite",
        "Nationalité",
        ("Nationalite", "Libellé nationalité", "Identifiant nationalité"),
    ),
    Column("numero_voie", "Numéro de voie", ("NumeroVoie",)),
    Column("type_voie", "Type de voie", ("TypeVoie",)),
    Column("libelle_voie", "Libellé de voie", ("LibelleVoie", "Libellé de la voie")),
    Column("complement1", "Complément 1", ("ComplementDeLocalisation1",)),
    Column("complement2", "Complément 2", ("ComplementDeLocalisation2",)),
    Column("lieu_dit", "Lieu-dit", ("LieuDit",)),
    Column("code_postal", "Code postal", ("CodePostal",)),
    Column("ville", "Commune", ("VilleLocalite", "Ville")),
    Column("pays", "Pays", ()),
    Column(
        "bureau_code",
        "Code du bureau de vote",
        ("NoBureauDeVote", "Code bureau de vote", "Numéro du bureau de vote"),
        required=True,
    ),
    Column("bureau_libelle", "Libellé du bureau de vote", ("NomBureauDeVote",)),
    Column(
        "circonscription",
        "Circonscription",
        (
            "CodeCirconscription",
            "Code circonscription législative du bureau de vote",
            "Circonscription législative du bureau de vote",
        ),
    ),
    Column(
        "canton",
        "Canton",
        ("CodeCanton", "Libellé canton du bureau de vote", "Canton du bureau de vote"),
    ),
    # Known, and not kept: a voter's bureau is what the mairie's lists need.
    Column(
        "circonscription_metropolitaine",
        "Libellé circonscription métropolitaine du bureau de vote",
    ),
    Column(
        "ine",
        "Identifiant national électeur",
        ("Identifiant national d'électeur", "INE", "Numéro INE"),
    ),
    Column("numero_ordre", "Numéro d'ordre dans le bureau de vote", ("Numéro d'ordre",)),
)


def _header_key(name: str) -> str:
    """ "Nom de naissance", "NomdeNaissance", "nom_de_naissance" and "NOM DE NAISSANCE" are one
    column, as are "code du l'ugle" and "Code du l’UGLE"."""
    return search_key(name).replace(" ", "")


COLUMN_BY_KEY = {
    _header_key(name): column for column in COLUMNS for name in (column.label, *column.aliases)
}

# Voter fields the file gives, in staging order; date_naissance is the only one not text. What a
# modification changes (electoral.models), less the street, found from its name (find_voies),
# plus what only the REU says: a birth date known in part, and the INE.
_BORN = ETAT_CIVIL_FIELDS.index("date_naissance") + 1
ELECTEUR_FIELDS = [
    *ETAT_CIVIL_FIELDS[:_BORN],
    "date_naissance_incomplete",
    *ETAT_CIVIL_FIELDS[_BORN:],
    *(name for name in ADRESSE_FIELDS if name != "voie"),
    "ine",
]
ADDRESS_FIELDS = [name for name in ADRESSE_FIELDS if name in ELECTEUR_FIELDS]
# A blank value of these says nothing: a file without INE never clears one, and the arrêté's
# file writes the nationality on the complementary lists only.
KEPT_WHEN_BLANK = ("ine", "nationalite")
# Columns read from a line, in this order (a missing optional column reads as "").
SOURCE_FIELDS = [
    "liste",
    *(name for name in ELECTEUR_FIELDS if name != "date_naissance_incomplete"),
    "bureau_code",
    "bureau_libelle",
    "canton",
    "circonscription",
    "numero_ordre",
    "commune_code",
    "date_liste",
]
STAGING_COLUMNS = [
    ("line", "integer"),
    ("vkey", "text"),  # the voter's identity: "I" + INE, or "N" + nkey
    ("nkey", "text"),  # electoral.rules.identity: folded nom | folded prénoms | date
    ("voie_key", "text"),
    ("recherche", "text"),
    ("liste", "text"),
    *((name, "date" if name == "date_naissance" else "text") for name in ELECTEUR_FIELDS),
    ("bureau_code", "text"),
    ("bureau_libelle", "text"),
    ("canton", "text"),
    ("circonscription", "text"),
    ("numero_ordre", "integer"),
]


def _limit(name: str) -> int:
    """A line with a longer value is rejected. Liste, sexe and date are checked on their own;
    the bureau's libellé, canton and circonscription are cut (they only name a new bureau), and
    its code is checked once normalised."""
    if name in ELECTEUR_FIELDS and name not in ("sexe", "date_naissance"):
        return Electeur._meta.get_field(name).max_length
    return 10**6


LIMITS = tuple(_limit(name) for name in SOURCE_FIELDS)
# The names of persons, checked by the rule of names (mairie.names).
# A name the sieve may leave unread (a PostgreSQL regular expression): letters the rule of names
# takes among those most names use (Latin up to Extended-A, precomposed), separators, and one
# letter at least. Any other spelling takes the full path and its check.
_SIFTED_LETTERS = "".join(filter(is_name_letter, map(chr, range(0x41, 0x180))))
_SIFTED_CHARACTERS = _SIFTED_LETTERS + "".join(sorted(NAME_SEPARATORS - {"-"})) + "-"
SIFTED_NAME = f"^[{_SIFTED_CHARACTERS}]*[{_SIFTED_LETTERS}][{_SIFTED_CHARACTERS}]*$"
DEPARTEMENT_AT = SOURCE_FIELDS.index("naissance_departement")
LIEU_AT = SOURCE_FIELDS.index("naissance_code_lieu")
LABELS = {column.field: column.label for column in COLUMNS}


# -- Values ----------------------------------------------------------------------------------------


def _folded(value: str) -> str:
    return search_key(value).replace(" ", "")


LISTE_CODES = {
    _folded(name): code
    for code, names in {
        Liste.PRINCIPALE: ["p", "LP", "principale", "liste principale"],
        Liste.EUROPEENNE: [
            "ce",
            "LCE",
            "européenne",
            "complémentaire européenne",
            "liste complémentaire européenne",
        ],
        Liste.MUNICIPALE: [
            "cm",
            "LCM",
            "municipale",
            "complémentaire municipale",
            "liste complémentaire municipale",
        ],
    }.items()
    for name in names
}
WINDOWS_1252 = "cp1252"
ENCODING_NOTE = (
    "Le fichier n'est pas en UTF-8 : il a été lu en {encoding} (fichier réenregistré par un "
    "tableur). Vérifiez les accents des noms dans l'aperçu."
)
SEXE_CODES = {
    _folded(name): code
    for code, names in {
        "M": ["M", "M.", "Mr", "Monsieur", "H", "homme", "masculin", "1"],
        "F": ["F", "Mme", "Mlle", "Madame", "Mademoiselle", "femme", "féminin", "2"],
    }.items()
    for name in names
}
# JJ/MM/AAAA, maybe followed by a time (arrêté files: "12/05/1960 00:00:00"), or AAAA-MM-JJ.
DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:[ T][0-9:.]+)?")
ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9:.]+)?")
YEAR_RE = re.compile(r"[0-9]{4}")


def _date(raw: str, today: datetime.date, date_effet: datetime.date) -> tuple[str, str, str]:
    """(ISO date, incomplete date as JJ/MM/AAAA, problem): "00/00/1953" and "1953" are
    incomplete (kept as 00/00/1953), not wrong; "31/02/1990" is impossible; a voter under 18
    on the import's date d'effet or a date in the future or over 120 years ago is refused
    (electoral.rules)."""
    if not raw:
        return "", "", "date de naissance manquante"
    if match := DATE_RE.fullmatch(raw):
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE_RE.fullmatch(raw):
        year, month, day = (int(part) for part in match.groups())
    elif YEAR_RE.fullmatch(raw):
        day, month, year = 0, 0, int(raw)
    else:
        return "", "", f"date de naissance illisible « {raw} » (JJ/MM/AAAA attendu)"
    try:
        earliest, latest = birth_bounds(day, month, year)
    except ValueError:
        return "", "", f"date de naissance impossible « {raw} »"
    # The voter must be 18 on the date the import's movements take effect (electoral.rules).
    problem = birth_date_problem(earliest, latest, date_effet, today, raw)
    if problem:
        return "", "", problem
    if not day or not month:
        return "", f"{day:02d}/{month:02d}/{year}", ""
    return earliest.isoformat(), "", ""


def _bureau(raw: str) -> tuple[str, str]:
    """(code as stored, problem) of a bureau code as the file writes it."""
    if not raw:
        return "", "bureau de vote manquant"
    code = normalise_bureau_code(raw)
    if not BUREAU_CODE_RE.match(code):
        return code, f"code du bureau de vote invalide « {code} » (4 chiffres)"
    return code, ""


def _departement(raw: str) -> tuple[str, str]:
    """(code as stored, problem) of a département of birth as the file writes it."""
    code = normalise_departement(raw)
    if code and not CODE_DEPARTEMENT_RE.match(code):
        return code, f"code du département de naissance invalide « {code} »"
    return code, ""


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    """The rows of a csv.reader with the file's line number where each starts."""
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def _header(reader: Iterator[list[str]]) -> list[str]:
    for row in reader:
        if any(cell.strip() for cell in row):
            return row
    raise _Refused("Le fichier est vide.")


def _csv_reason(error: csv.Error) -> str:
    """The csv module's English message, in the agent's words."""
    if "field larger than field limit" in str(error):
        return f"une valeur dépasse {csv.field_size_limit():,} caractères".replace(",", " ")
    return "guillemets ou séparateurs mal placés"


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such; otherwise the file was
    saved by a French spreadsheet, in Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return WINDOWS_1252
    return "utf-8-sig"


def _separator(sample: str) -> str:
    """`;` as ELIRE and the arrêté write it, or `,`: whichever the header line holds more of."""
    header = next((line for line in sample.splitlines() if line.strip()), "")
    return "," if header.count(",") > header.count(";") else ";"


@dataclass(frozen=True)
class FileName:
    """What an extraction's file name says, for the columns a file may lack:
    "extraction_LP_com35288_04-12-2026.csv"."""

    commune: str = ""
    liste: str = ""
    date: str = ""  # JJ/MM/AAAA

    COMMUNE = re.compile(rf"com({CODE_COMMUNE})(?![0-9])", re.IGNORECASE)
    LISTE = re.compile(r"(?<![A-Z])(LP|LCE|LCM)(?![A-Z])", re.IGNORECASE)
    DATE = re.compile(r"(?<![0-9])([0-9]{2})-([0-9]{2})-([0-9]{4})(?![0-9])")

    @classmethod
    def of(cls, name: str) -> "FileName":
        commune = cls.COMMUNE.search(name)
        liste = cls.LISTE.search(name)
        date = cls.DATE.search(name)
        return cls(
            commune=commune.group(1).upper() if commune else "",
            liste=LISTE_CODES[_folded(liste.group(1))] if liste else "",
            date="/".join(date.groups()) if date else "",
        )


# -- Reading the file ----------------------------------------------------------------------------


class _Reader:
    """Reads the file once and yields the staging rows of its valid lines (all text, "" for
    NULL), recording rejected lines in the report."""

    def __init__(
        self,
        path: Path,
        collectivite: Collectivite,
        report: ImportReport,
        progress: Progress,
        date_effet: datetime.date,
    ) -> None:
        self.path = path
        self.collectivite = collectivite
        self.date_effet = date_effet
        self.report = report
        self.progress = progress
        self.named = FileName.of(report.file_name)
        self.present: set[str] = set()
        self.positions: dict[str, int] = {}
        self.read_bytes: Callable[[], int] = lambda: 0
        self.size = 1
        self.dated = False
        # Values seen, and what they became: names, dates and codes repeat a lot in a list.
        self.caches: tuple[dict, ...] = tuple({} for _ in range(9))

    def rows(self) -> Iterator[tuple[str, ...]]:
        """The staging rows of the whole file."""
        encoding = _encoding(self.path)
        if encoding == WINDOWS_1252:
            self.report.encoding = "Windows-1252"
        with self.path.open(encoding=encoding, errors="replace", newline="") as file:
            self.read_bytes = file.buffer.tell  # ahead of the line by a read-ahead at most
            self.size = self.path.stat().st_size or 1
            separator = _separator(file.read(1 << 16))
            file.seek(0)
            reader = csv.reader(file, delimiter=separator)
            try:
                self.columns(_header(reader))
                yield from self._lines(_numbered(reader))
            except csv.Error as error:
                raise _Refused(
                    f"Le fichier n'est pas un CSV lisible (ligne {reader.line_num}) : "
                    f"{_csv_reason(error)}."
                ) from error
        if not self.report.lines:
            raise _Refused("Le fichier ne contient que la ligne d'en-tête : aucun électeur.")

    def rows_of(self, numbered: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[str, ...]]:
        """The staging rows of some lines (line number, cells) of a file whose header
        `columns` has read: the same checks as for the whole file."""
        return self._lines(numbered)

    def columns(self, header: list[str]) -> None:
        """Map the header's columns (refusing a file without the required ones)."""
        if header and header[0].startswith("\ufeff"):  # a BOM under a Windows-1252 reading
            header[0] = header[0][1:]
        self.report.unknown_columns = []
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            key = _header_key(name)
            if not key:
                continue
            column = COLUMN_BY_KEY.get(key)
            if column is None:
                self.report.unknown_columns.append(name.strip())
            elif column.field in positions:
                self.report.unknown_columns.append(f"{name.strip()} (en double)")
            else:
                positions[column.field] = index
        named = {"liste": self.named.liste}
        self.report.missing_columns = [
            f"{column.label} ({column.aliases[0]})"
            for column in COLUMNS
            if column.required and column.field not in positions and not named.get(column.field)
        ]
        if self.report.missing_columns:
            raise _Refused(
                "Colonnes obligatoires absentes : "
                + ", ".join(self.report.missing_columns)
                + ". Le fichier n'est pas importé."
            )
        code_insee = self.collectivite.code_insee
        if "commune_code" not in positions and self.named.commune not in ("", code_insee):
            raise _Refused(
                f"Le nom du fichier désigne la commune {self.named.commune}, pas "
                f"{code_insee} ({self.collectivite.nom}). Le fichier n'est pas importé."
            )
        self.positions = positions
        self.present = set(positions) | {"date_naissance_incomplete"}
        self.width = len(header)
        # Index `width` is the "" appended to every line: what a missing column reads; the
        # list named by the file name is appended after it.
        defaults = {"liste": self.width + 1}
        self.get = itemgetter(
            *(positions.get(name, defaults.get(name, self.width)) for name in SOURCE_FIELDS)
        )

    def report_progress(self) -> None:
        percent = min(99, 100 * self.read_bytes() // self.size)
        lines = french_number(self.report.lines)
        self.progress(f"lecture du fichier : {lines} lignes lues ({percent}\u00a0%)")

    def _lines(self, numbered: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[str, ...]]:
        report, width, get = self.report, self.width, self.get
        code_insee = self.collectivite.code_insee
        today = timezone.localdate()
        listes, sexes, dates, voies, communes, departements, bureaux, folded, names = self.caches
        folded[""] = ""

        def name_problems(*values: str) -> Iterator[str]:
            for name, value in zip(NAME_FIELDS, values, strict=True):
                problem = names.get(value)
                if problem is None:
                    problem = name_problem(value)
                    if len(names) < CACHE_LIMIT:
                        names[value] = problem
                if problem:
                    yield f"{LABELS[name].lower()} : {problem}"

        padding = ["", self.named.liste]

        def fold(value: str) -> str:
            key = search_key(value)
            if len(folded) < CACHE_LIMIT:
                folded[value] = key
            return key

        for number, row in numbered:
            if len(row) != width:
                if not any(row):
                    continue  # blank line
                if len(row) > width and not any(cell.strip() for cell in row[width:]):
                    row = row[:width]
                else:
                    report.lines += 1
                    report.reject(number, f"{len(row)} colonnes au lieu de {width}")
                    continue
            report.lines += 1
            if not report.lines % PROGRESS_EVERY:
                self.report_progress()
            row.extend(padding)
            values = tuple(map(str.strip, get(row)))
            joined = "\t".join(values)
            if "\x00" in joined:
                # PostgreSQL stores no NUL character: a damaged line, not a value to keep.
                report.reject(number, "caractère nul (octet 0) dans la ligne : fichier abîmé ?")
                continue
            if joined[:1] == "'" or "\t'" in joined:
                values = tuple(map(unguard_formula, values))
            (
                liste,
                sexe,
                nom,
                nom_usage,
                prenoms,
                date,
                code_lieu,
                commune_naissance,
                departement_naissance,
                pays_naissance,
                nationalite,
                numero_voie,
                type_voie,
                libelle_voie,
                complement1,
                complement2,
                lieu_dit,
                code_postal,
                ville,
                pays,
                ine,
                bureau,
                bureau_libelle,
                canton,
                circonscription,
                numero_ordre,
                commune,
                date_liste,
            ) = values
            # Codes as stored, whatever their spelling: 35 and 035, 1 and 0001 are one code.
            code = communes.get(commune)
            if code is None:
                code = communes[commune] = normalise_code_commune(commune)
            commune = code
            code = communes.get(code_lieu)
            if code is None:
                code = communes[code_lieu] = normalise_code_commune(code_lieu)
            code_lieu = code
            checked = departements.get(departement_naissance)
            if checked is None:
                checked = departements[departement_naissance] = _departement(departement_naissance)
            departement, departement_problem = checked
            checked = bureaux.get(bureau)
            if checked is None:
                checked = bureaux[bureau] = _bureau(bureau)
            bureau, bureau_problem = checked
            problems = []
            code = listes.get(liste)
            if code is None:
                code = listes[liste] = LISTE_CODES.get(_folded(liste), "")
            if not code:
                problems.append(
                    f"type de liste inconnu « {liste} »" if liste else "type de liste manquant"
                )
            sexe_code = sexes.get(sexe)
            if sexe_code is None:
                sexe_code = sexes[sexe] = SEXE_CODES.get(_folded(sexe), "")
            if not sexe_code:
                problems.append(f"sexe inconnu « {sexe} »" if sexe else "sexe manquant")
            if not nom:
                problems.append("nom de naissance manquant")
            if not prenoms:
                problems.append("prénoms manquants")
            checked = names.get(nom), names.get(nom_usage), names.get(prenoms)
            if None in checked or any(checked):
                problems.extend(name_problems(nom, nom_usage, prenoms))
            parsed = dates.get(date)
            if parsed is None:
                parsed = _date(date, today, self.date_effet)
                if len(dates) < CACHE_LIMIT:
                    dates[date] = parsed
            iso, incomplete, problem = parsed
            if problem:
                problems.append(problem)
            if bureau_problem:
                problems.append(bureau_problem)
            if departement_problem:
                problems.append(departement_problem)
            if commune and commune != code_insee:
                problems.append(f"électeur d'une autre commune (code commune {commune})")
            if any(map(gt, map(len, values), LIMITS)):
                problems.extend(
                    f"{LABELS[name].lower()} de plus de {limit} caractères"
                    for name, value, limit in zip(SOURCE_FIELDS, values, LIMITS, strict=True)
                    if len(value) > limit
                )
            if not self.dated:  # the first line's, as a list file repeats it on every line
                self.dated = True
                report.extraction_date = date_liste[:10] or self.named.date
            if problems:
                report.reject(number, " ; ".join(problems))
                continue
            nom_key = folded.get(nom) or fold(nom)
            prenoms_key = folded.get(prenoms) or fold(prenoms)
            usage_key = folded.get(nom_usage)
            if usage_key is None:
                usage_key = fold(nom_usage)
            recherche = electeur_key_of_folded(nom_key, usage_key, prenoms_key)
            nkey = identity(nom_key, prenoms_key, iso or incomplete)
            street = ""
            if libelle_voie:
                street = voies.get((type_voie, libelle_voie))
                if street is None:
                    street = voies[type_voie, libelle_voie] = voie_key(type_voie, libelle_voie)
            yield (
                str(number),
                f"I{ine}" if ine else f"N{nkey}",
                nkey,
                street,
                recherche,
                code,
                sexe_code,
                nom,
                nom_usage,
                prenoms,
                iso,
                incomplete,
                code_lieu,
                commune_naissance,
                departement,
                pays_naissance,
                nationalite,
                numero_voie,
                type_voie,
                libelle_voie,
                complement1,
                complement2,
                lieu_dit,
                code_postal,
                ville,
                pays,
                ine,
                bureau,
                bureau_libelle[:100],
                canton[:10],
                circonscription[:10],
                numero_ordre if numero_ordre.isdigit() and len(numero_ordre) < 10 else "",
            )


# -- The two databases ---------------------------------------------------------------------------


def _copy_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class _CopySource:
    """The file-like object COPY ... FROM STDIN reads: text-format lines, "" meaning NULL."""

    def __init__(self, rows: Iterable[tuple[str, ...]], width: int) -> None:
        self.chunks = self._chunks(rows, width)
        self.error: BaseException | None = None

    @staticmethod
    def _chunks(rows: Iterable[tuple[str, ...]], width: int) -> Iterator[str]:
        batch = []
        for row in rows:
            line = "\t".join(row)
            if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != width - 1:
                line = "\t".join(_copy_escape(value) for value in row)
            batch.append(line)
            if len(batch) == 2000:
                yield "\n".join(batch) + "\n"
                batch = []
        if batch:
            yield "\n".join(batch) + "\n"

    def read(self, size: int = -1) -> str:
        try:
            return next(self.chunks, "")
        except BaseException as error:
            # psycopg2 turns it into QueryCanceled: keep the real one for the caller.
            self.error = error
            raise


class _Database:
    """What differs between PostgreSQL and SQLite: bulk loading, a few SQL spellings, and
    session settings; the statements themselves are shared."""

    distinct = "IS DISTINCT FROM"
    work = "TEMPORARY"  # the kind of table work_table names

    def __init__(self, cursor) -> None:
        self.cursor = cursor

    def work_table(self, name: str) -> str:
        """The name of the work table `name`, created `CREATE {work} TABLE`, that a statement
        may read in parallel: a temporary table here, dropped with the others."""
        return name

    def bytewise(self, expression: str) -> str:
        """A text sort key compared byte by byte, where only grouping or locality matters, not
        the alphabet's order."""
        return expression

    def setup(self) -> None:
        pass

    def teardown(self) -> None:
        pass

    def analyze(self, table: str) -> None:
        pass

    def analyze_written(self) -> None:
        pass


class _Postgres(_Database):
    work = "UNLOGGED"

    def __init__(self, cursor) -> None:
        super().__init__(cursor)
        self.work_tables: list[str] = []
        self.session = 0

    def work_table(self, name: str) -> str:
        # An ordinary (unlogged) table, named after the session: PostgreSQL's parallel workers
        # read them, not temporary ones. Created in the import's transaction, no other session
        # sees it; a rollback takes it away, and teardown drops it.
        if not self.session:
            self.cursor.execute("SELECT pg_backend_pid()")
            self.session = self.cursor.fetchone()[0]
        table = f"{name}_{self.session}"
        if table not in self.work_tables:
            self.work_tables.append(table)
        return table

    def bytewise(self, expression: str) -> str:
        # The database's collation compares through the C library and without abbreviated
        # keys: sorting a million names by it takes a second more (2.7 s against 1.9 s).
        return f'{expression} COLLATE "C"'

    def setup(self) -> None:
        # Foreign keys checked statement by statement, not all at commit: errors surface here.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET LOCAL work_mem = '256MB'")
        # Compiling these one-off statements costs more than it saves.
        self.cursor.execute("SET LOCAL jit = off")

    def teardown(self) -> None:
        for table in self.work_tables:
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
        # Back to Django's deferred foreign keys for the rest of an enclosing transaction.
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def analyze(self, table: str) -> None:
        self.cursor.execute(f"ANALYZE {table}")

    def analyze_written(self) -> None:
        # The next import (or page) plans its joins on these, and every search reads through
        # the trigram index's pending list: a bulk load leaves both stale.
        refresh_after_bulk_load(Electeur, Inscription)

    def load(
        self, table: str, columns: list[str], rows: Iterable[tuple[str, ...]], null: str = ""
    ) -> None:
        """COPY the rows into the table; `null` is the value that stands for NULL ("" by
        default: a value "\\N" keeps empty strings)."""
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text, NULL '{null}')"
        source = _CopySource(rows, len(columns))
        raw = self.cursor.cursor
        try:
            if hasattr(raw, "copy_expert"):
                raw.copy_expert(sql, source, size=1 << 16)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    for chunk in source.chunks:
                        copy.write(chunk)
        except Exception:  # the driver's own error class: the cursor is not Django's here
            if source.error is not None:
                raise source.error from None
            raise

    def next_id(self, table: str, order: str) -> str:
        self.cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = self.cursor.fetchone()[0]
        return f"nextval('{sequence}')"

    def json_changes(self, pairs: list[tuple[str, str]]) -> str:
        body = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"jsonb_strip_nulls(jsonb_build_object({body}))"

    def json_pair(self, old: str, new: str) -> str:
        return f"jsonb_build_array({old}, {new})"

    def date_text(self, expression: str) -> str:
        return f"to_char({expression}, 'DD/MM/YYYY')"

    def nom_key(self, nkey: str) -> str:
        """The folded birth name an identity (electoral.rules.identity) starts with."""
        return f"split_part({nkey}, '|', 1)"

    def rows_of(self, table: str, column: str, keys: str) -> str:
        """The rows of `table` whose `column` is one of the `keys` (a query), each read through
        the column's index: for a few keys, the planner would scan the table to hash it."""
        return f"(SELECT * FROM {table} WHERE {column} = ANY(ARRAY({keys})))"


class _Sqlite(_Database):
    distinct = "IS NOT"

    def load(self, table: str, columns: list[str], rows: Iterable[tuple[str, ...]]) -> None:
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        batch = []
        for row in rows:
            batch.append([value or None for value in row])
            if len(batch) == 5000:
                self.cursor.executemany(sql, batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)

    def next_id(self, table: str, order: str) -> str:
        # One writer at a time on SQLite: the largest id ever given is safe to count from.
        return (
            f"(SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = '{table}') "
            f"+ row_number() OVER (ORDER BY {order})"
        )

    def json_changes(self, pairs: list[tuple[str, str]]) -> str:
        body = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"json_patch('{{}}', json_object({body}))"

    def json_pair(self, old: str, new: str) -> str:
        return f"json_array({old}, {new})"

    def date_text(self, expression: str) -> str:
        return f"strftime('%%d/%%m/%%Y', {expression})"

    def nom_key(self, nkey: str) -> str:
        return f"substr({nkey}, 1, instr({nkey}, '|') - 1)"

    def rows_of(self, table: str, column: str, keys: str) -> str:
        return table


class _CountedLines:
    """A binary file that counts its physical lines as COPY reads it: no second reading."""

    def __init__(self, file) -> None:
        self.file = file
        self.newlines = 0
        self.last = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        if chunk:
            self.newlines += chunk.count(b"\n")
            self.last = chunk[-1:]
        return chunk

    def lines(self) -> int:
        return self.newlines + (self.last not in (b"\n", b""))


HASH_ONLY = ("enable_nestloop", "enable_mergejoin")  # planner settings, for one statement


class _Sieve:
    """PostgreSQL, a re-import: most lines say what the database already says. The file is
    loaded as it is by COPY (reu_raw), and the lines whose every value equals the voter's, found
    in SQL (reu_cand), are counted unchanged without being read in Python; the others go
    through the full checks, so the result is the full path's (tested on crafted files).

    A line is sifted out only when nothing can make the full path see it otherwise: it has an
    INE (letters and digits), which is one known voter's; each of its values, as stored, equals
    the voter's, its names being spelt as the rule of names takes them (SIFTED_NAME), and its
    coded values (list, sexe, date, codes) read through the same Python functions as the full
    path, once per distinct value; its voter has an active inscription on its list in its
    bureau, which is also the voter's; and every line of that INE is such a line, on a
    different list. Whatever else (COPY refuses the file, a value spans two lines, a
    blank line, the header not on line 1, not UTF-8) and the whole file takes the full path."""

    BATCH = 10_000

    def __init__(self, owner: "_Import", reader: _Reader) -> None:
        self.owner = owner
        self.reader = reader
        self.same = 0
        self.others = 0
        self.rows = 0
        self.lines = 0  # physical lines of the file, counted as COPY reads it
        self.raw = owner.db.work_table("reu_raw")

    def map(self, name: str) -> str:
        return self.owner.db.work_table(f"reu_map_{name}")

    def run(self) -> bool:
        header = self.header()
        if header is None:
            return False
        separator, names = header
        reader = self.reader
        reader.columns(names)
        if "ine" not in reader.positions or not self.known_voters():
            return False
        self.owner.progress("lecture du fichier (copie en base)")
        if not self.copy(separator, len(names)):
            return False
        rows = self.rows
        if not rows or rows + 1 != self.lines:
            self.owner.sql(f"DROP TABLE {self.raw}")
            return False
        self.owner.lap("copie du fichier")
        self.date()
        self.owner.progress("recherche des lignes inchangées")
        self.maps()
        self.owner.lap("valeurs codées")
        self.others = self.sift()
        self.same = rows - self.others
        return True

    def header(self) -> tuple[str, list[str]] | None:
        """The separator and the header, when line 1 is the header and in UTF-8."""
        with self.reader.path.open("rb") as file:
            first = file.readline(1 << 16)
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        if not text.strip() or text.count('"') % 2:
            return None
        separator = _separator(text)
        return separator, next(csv.reader([text.rstrip("\r\n")], delimiter=separator))

    def known_voters(self) -> bool:
        return Inscription.objects.for_collectivite(self.reader.collectivite).actives().exists()

    def column(self, name: str) -> str:
        return f"r.c{self.reader.positions[name]}"

    def copy(self, separator: str, width: int) -> bool:
        columns = [f"c{index}" for index in range(width)]
        cursor = self.owner.cursor
        sql = (
            f"COPY {self.raw} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, HEADER true, "
            f"DELIMITER '{separator}', ENCODING 'UTF8', FORCE_NOT_NULL ({', '.join(columns)}))"
        )
        try:
            with transaction.atomic():
                # A cached sequence: numbering a million rows costs nothing then (0.3 s without).
                cursor.execute(
                    f"CREATE {self.owner.db.work} TABLE {self.raw} (rn bigint GENERATED ALWAYS "
                    "AS IDENTITY (CACHE 100000), "
                    + ", ".join(f"{column} text" for column in columns)
                    + ")"
                )
                raw = cursor.cursor
                with self.reader.path.open("rb") as file:
                    counted = _CountedLines(file)
                    if hasattr(raw, "copy_expert"):
                        raw.copy_expert(sql, counted, size=1 << 16)
                    else:  # psycopg 3
                        with raw.copy(sql) as copy:
                            while chunk := counted.read(1 << 16):
                                copy.write(chunk)
                self.rows = raw.rowcount
                self.lines = counted.lines()
        except connection.Database.Error:
            return False  # a line COPY cannot read: the full path reports it
        return True

    def date(self) -> None:
        """The extraction's date, from line 2 as the full path takes it."""
        reader = self.reader
        value = ""
        if "date_liste" in reader.positions:
            value = self.owner.value(
                f"SELECT {self.column('date_liste')} FROM {self.raw} r WHERE r.rn = 1"
            )
        reader.dated = True
        reader.report.extraction_date = value.strip()[:10] or reader.named.date

    def maps(self) -> None:
        """reu_map: what each distinct coded value of the file becomes, as the full path reads
        it; a value it would reject is left out."""
        reader, c = self.reader, self.reader.collectivite
        today = timezone.localdate()
        bureaux = dict(BureauDeVote.objects.filter(collectivite=c).values_list("code", "pk"))

        def liste(value: str) -> str | None:
            return LISTE_CODES.get(_folded(value)) or None

        def sexe(value: str) -> str | None:
            return SEXE_CODES.get(_folded(value)) or None

        def date(value: str) -> str | None:
            iso, incomplete, problem = _date(value, today, reader.date_effet)
            return None if problem else f"{iso}|{incomplete}"

        def departement(value: str) -> str | None:
            code, problem = _departement(value)
            return None if problem or len(value) > LIMITS[DEPARTEMENT_AT] else code

        def lieu(value: str) -> str | None:
            return normalise_code_commune(value) if len(value) <= LIMITS[LIEU_AT] else None

        def commune(value: str) -> str | None:
            return "ok" if not value or normalise_code_commune(value) == c.code_insee else None

        def bureau(value: str) -> str | None:
            code, problem = _bureau(value)
            return None if problem else str(bureaux.get(code, "")) or None

        readers = {
            "liste": liste,
            "sexe": sexe,
            "date_naissance": date,
            "naissance_departement": departement,
            "naissance_code_lieu": lieu,
            "commune_code": commune,
            "bureau_code": bureau,
        }
        self.mapped = [name for name in readers if name in reader.positions]
        # The distinct values, in parallel scans: the columns of few values together, the
        # birth places together, the dates alone (a GROUPING SETS pass is not parallel).
        groups = [
            [name for name in group if name in self.mapped]
            for group in (
                ("liste", "sexe", "commune_code", "bureau_code"),
                ("naissance_departement", "naissance_code_lieu"),
                ("date_naissance",),
            )
        ]
        groups = [group for group in groups if group]
        width = max(map(len, groups))
        self.owner.sql(
            " UNION ALL ".join(
                f"SELECT {index} AS g, "
                + ", ".join(group + ["NULL"] * (width - len(group)))
                + " FROM (SELECT DISTINCT "
                + ", ".join(f"{self.column(name)} AS {name}" for name in group)
                + f" FROM {self.raw} r) d{index}"
                for index, group in enumerate(groups)
            )
        )
        distinct: dict[str, set[str]] = {name: set() for name in self.mapped}
        for group, *values in self.owner.cursor.fetchall():
            for name, value in zip(groups[group], values, strict=False):
                distinct[name].add(value)
        rows: dict[str, list[tuple[str, str]]] = {name: [] for name in self.mapped}
        rejected: set[str] = set()
        for name, values in distinct.items():
            for value in values:
                result = readers[name](value.strip())
                if result is None:
                    rejected.add(name)
                else:
                    rows[name].append((value, result))
        # A column whose every value reads as itself is compared as it is, without a join: the
        # list codes and sexes of an ELIRE file, mostly; so is a commune column whose every
        # value is the collectivité's ("ok"): there is nothing left to compare.
        self.direct = {
            name
            for name in self.mapped
            if name not in rejected
            and all(value == ("ok" if name == "commune_code" else raw) for raw, value in rows[name])
        }
        # One table per value, its own statistics: joined as one, they were planned as empty.
        for name in self.mapped:
            if name in self.direct:
                continue
            table = self.map(name)
            self.owner.sql(
                f"CREATE {self.owner.db.work} TABLE {table} (raw text PRIMARY KEY, value text)"
            )
            self.owner.db.load(table, ["raw", "value"], rows[name], null="\\N")
            self.owner.db.analyze(table)

    def sift(self) -> int:
        """The number of lines that take the full path."""
        reader, column = self.reader, self.column
        joins, conditions = [], []
        for name in self.mapped:
            if name not in self.direct:
                joins.append(
                    f"LEFT JOIN {self.map(name)} m_{name} ON m_{name}.raw = {column(name)}"
                )

        def read(name: str) -> str:
            return column(name) if name in self.direct else f"m_{name}.value"

        liste = read("liste") if "liste" in self.mapped else f"'{reader.named.liste}'"
        coded = {
            "sexe": f"e.sexe = {read('sexe')}",
            "date_naissance": (
                "COALESCE(e.date_naissance::text, '') || '|' || e.date_naissance_incomplete"
                f" = {read('date_naissance')}"
            ),
            "naissance_departement": f"e.naissance_departement = {read('naissance_departement')}",
            "naissance_code_lieu": f"e.naissance_code_lieu = {read('naissance_code_lieu')}",
            "bureau_code": f"e.bureau_id = {read('bureau_code')}::bigint"
            " AND i.bureau_id = e.bureau_id",
            "commune_code": "1 = 1"
            if "commune_code" in self.direct
            else ("m_commune_code.value = 'ok'"),
        }
        for name in ELECTEUR_FIELDS:
            if name not in reader.positions or name == "ine":
                continue
            if name in coded:
                continue
            if name in KEPT_WHEN_BLANK:
                conditions.append(f"({column(name)} = '' OR {column(name)} = e.{name})")
            else:
                conditions.append(f"{column(name)} = e.{name}")
        conditions += [coded[name] for name in self.mapped if name in coded]
        # A name the full path would refuse, as the database may hold from before the rule.
        names = [name for name in NAME_FIELDS if name in reader.positions]
        conditions += [f"({column(name)} = '' OR {column(name)} ~ %s)" for name in names]

        ine = column("ine")
        same = " AND ".join(
            [f"{ine} ~ '^[0-9A-Za-z]+$'", "e.nom_naissance <> ''", "e.prenoms <> ''", *conditions]
        )
        # Every line, with its voter when it says what the voter says (else NULL). Hashed on the
        # INE and the list alone, the other values compared on the pair found (IS TRUE: NULL is
        # no match, as in ON): hashing every value on both sides took 1 s more. The planner
        # would rather probe the INE index a million times (10 s) or sort both sides (6 s).
        for setting in HASH_ONLY:
            self.owner.sql(f"SET LOCAL {setting} = off")
        self.owner.sql(
            "CREATE TEMPORARY TABLE reu_cand AS "
            f"SELECT r.ctid AS tid, {ine} AS ine, {liste} AS liste, e.id AS electeur_id "
            f"FROM {self.raw} r {' '.join(joins)} "
            "LEFT JOIN (electoral_electeur e JOIN electoral_inscription i"
            "  ON i.electeur_id = e.id AND i.radie_le IS NULL)"
            f" ON e.collectivite_id = %s AND e.ine = {ine} AND i.liste = {liste}"
            f" AND e.ine <> '' AND ({same}) IS TRUE",
            [reader.collectivite.pk, *(SIFTED_NAME for _ in names)],
        )
        for setting in HASH_ONLY:
            self.owner.sql(f"RESET {setting}")
        # An INE with a line that does not say what its voter says, with two lines on one list,
        # or that two voters share: all its lines take the full path, and so do the lines of
        # that INE spelt with spaces or signs the full path strips.
        bit = "CASE liste WHEN 'p' THEN 1 WHEN 'ce' THEN 2 WHEN 'cm' THEN 4 ELSE 8 END"
        lists = " + ".join(f"(bit_or({bit}) >> {shift} & 1)" for shift in range(4))
        self.owner.sql(
            "CREATE TEMPORARY TABLE reu_unsure AS "
            "SELECT DISTINCT regexp_replace(ine, '[^0-9A-Za-z]', '', 'g') AS ine FROM reu_cand "
            f"GROUP BY ine HAVING bool_or(electeur_id IS NULL) OR COUNT(*) <> {lists}"
        )
        # The lines that take the full path: a few; the others, a million, are written nowhere
        # else (their voters, when matching by name needs them: _Import.match_by_name).
        self.owner.sql(
            "CREATE TEMPORARY TABLE reu_other AS SELECT DISTINCT c.tid FROM reu_cand c "
            "WHERE c.electeur_id IS NULL OR EXISTS (SELECT 1 FROM reu_unsure u WHERE u.ine = c.ine)"
        )
        return self.owner.value("SELECT COUNT(*) FROM reu_other")

    def other_lines(self) -> Iterator[list[tuple[int, list[str]]]]:
        """The lines not sifted out, in batches of (line number, cells): no statement may run
        on the connection while COPY loads a batch."""
        width = self.reader.width
        cells = ", ".join(f"r.c{index}" for index in range(width))
        with connection.chunked_cursor() as lines:
            # By their row addresses: a few lines among a million are read, not a million.
            lines.execute(
                f"SELECT r.rn + 1, {cells} FROM {self.raw} r"
                " WHERE r.ctid = ANY(ARRAY(SELECT o.tid FROM reu_other o)) ORDER BY r.rn"
            )
            while batch := lines.fetchmany(self.BATCH):
                yield [(row[0], list(row[1:])) for row in batch]


# -- The import ----------------------------------------------------------------------------------

TEMPORARY_TABLES = [
    "reu_unmatched",
    "reu_born",
    "reu_name",
    "reu_twin",
    "reu_shared",
    "reu_other",
    "reu_cand",
    "reu_unsure",
    "reu_staging",
    "reu_voter",
    "reu_match",
    "reu_existing",
    "reu_line",
    "reu_voie",
    "reu_highest",
    "reu_update",
    "reu_new",
    "reu_numero",
    "reu_ins",
]


def _named(recherche: str, nom: str) -> str:
    """Whether a voter's search column (electeur_key) starts with the folded birth name `nom`,
    as a whole word: a condition only, the exact identity is compared afterwards. Not a LIKE:
    the planner would probe the trigram index once per line (seconds), not scan once."""
    return f"substr({recherche}, 1, length({nom}) + 1) IN ({nom}, {nom} || ' ')"


def _unmatched(identity: str) -> str:
    """Whether the identity of `identity` (an alias of reu_voter or reu_staging) has no known
    voter: no row of reu_match."""
    return f"NOT EXISTS (SELECT 1 FROM reu_match m WHERE m.vkey = {identity}.vkey)"


def _born_alike(voter: str, line: str) -> tuple[str, str]:
    """The two ways a known voter (`voter`, a table alias) is born on the day of a line
    (`line`): the same date, or no date and the same incomplete one. Matching by name and the
    twins check read their candidates with these same conditions."""
    return (
        f"{voter}.date_naissance = {line}.date_naissance",
        f"{voter}.date_naissance IS NULL"
        f" AND {voter}.date_naissance_incomplete = {line}.date_naissance_incomplete",
    )


def _table(model) -> str:
    return model._meta.db_table


def _history_columns(model) -> list[str]:
    own = {field.column for field in model._meta.concrete_fields}
    history = model.history.model
    return [field.column for field in history._meta.concrete_fields if field.column in own]


class _Import:
    def __init__(
        self,
        cursor,
        collectivite: Collectivite,
        path: Path,
        report: ImportReport,
        user: AbstractBaseUser | None,
        progress: Progress,
        sift: bool = True,
        create_bureaux: CreateBureaux = False,
        date_effet: datetime.date | None = None,
    ) -> None:
        self.cursor = cursor
        self.collectivite = collectivite
        self.path = path
        self.report = report
        self.user = user
        self.progress = progress
        self.now = timezone.now()
        self.date_effet = date_effet or timezone.localdate()
        self.present: set[str] = set()  # the voter fields the file has a column for
        vendors = {"postgresql": _Postgres, "sqlite": _Sqlite}
        if connection.vendor not in vendors:
            raise NotImplementedError(f"Import REU : base {connection.vendor} non prise en charge.")
        self.db = vendors[connection.vendor](cursor)
        self.started = time.perf_counter()
        self.sift = sift
        self.create_bureaux = (
            create_bureaux if create_bureaux is True else set(create_bureaux or ())
        )
        self.sifted = 0  # lines the sieve found unchanged, never read in Python
        self.by_name = False  # whether lines were matched by name (reu_born)
        self.matched = 0  # the identities of the file matched with a known voter (reu_match)

    # Helpers

    def sql(self, statement: str, params: Iterable = ()) -> int:
        self.cursor.execute(statement, list(params))
        return self.cursor.rowcount

    def value(self, statement: str, params: Iterable = ()):
        self.cursor.execute(statement, list(params))
        return self.cursor.fetchone()[0]

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.report.timings[step] = round(now - self.started, 3)
        self.started = now

    def history(self, model, kind: str, join: str) -> None:
        """Audit records, set-based, as django-simple-history writes them one by one: who, when,
        and the row as it now is. `join` picks the rows from `t`, the model's table."""
        history = model.history.model
        columns = _history_columns(model)
        user_column = history._meta.get_field("history_user").column
        self.sql(
            f"INSERT INTO {_table(history)} ({', '.join(columns)}, history_date, "
            f"history_change_reason, history_type, {user_column}) "
            f"SELECT {', '.join('t.' + column for column in columns)}, %s, %s, %s, "
            f"{self.user_param(history._meta.get_field('history_user'))} "
            f"FROM {_table(model)} t {join}",
            [
                connection.ops.adapt_datetimefield_value(self.now),
                HISTORY_REASON,
                kind,
                self.user.pk if self.user else None,
            ],
        )

    def created(self, table: str, column: str) -> str:
        """The rows of `t` created with the ids of `table`.`column`, in the order of their ids:
        read off the primary key between the lowest and the highest, not among every
        collectivité's rows. When the new ids are every id in between (no one else took one
        meanwhile), no other row can be there: they are read without a join (2 to 3 s less
        on a million)."""
        self.sql(f"SELECT MIN({column}), MAX({column}), COUNT(*) FROM {table}")
        low, high, count = self.cursor.fetchone()
        if not count:
            return "WHERE 1 = 0"
        between = f"WHERE t.id BETWEEN {int(low)} AND {int(high)} ORDER BY t.id"
        if count == high - low + 1:
            return between
        return f"JOIN {table} n ON n.{column} = t.id {between}"

    def new_voters(self, voter: str) -> str:
        """The WHERE clause that keeps the identities `voter` (a reu_voter) of no known voter:
        none when no identity was matched (a first import), where the anti-join would read an
        empty table a million times."""
        if not self.matched:
            return ""
        return f"WHERE {_unmatched(voter)}"

    def staged(self, name: str) -> str:
        """A voter field from `p`, the voter's first line, as stored: NULL (blank) is ""."""
        if name == "date_naissance":
            return "p.date_naissance"
        return f"COALESCE(p.{name}, '')"

    def user_param(self, field) -> str:
        """The importing agent's id as a typed SQL value for `field`, a foreign key to users."""
        return f"CAST(%s AS {field.db_type(connection)})"

    def differs(self, name: str) -> str:
        """Whether voter `e` differs from `p`, the first line of the voter in the file: the one
        whose values the voter takes, so that a re-import finds nothing to change."""
        if name in KEPT_WHEN_BLANK:
            return f"(COALESCE(p.{name}, '') <> '' AND e.{name} <> p.{name})"
        if name == "date_naissance":
            return f"(e.date_naissance {self.db.distinct} p.date_naissance)"
        return f"(e.{name} <> {self.staged(name)})"

    # Steps

    def run(self, apply: bool) -> None:
        if apply:
            # One import at a time per collectivité, and no number given meanwhile (the
            # services number under the bureau's lock).
            Collectivite.objects.select_for_update().filter(pk=self.collectivite.pk).first()
            list(BureauDeVote.objects.select_for_update().filter(collectivite=self.collectivite))
        self.db.setup()
        for table in TEMPORARY_TABLES:
            self.sql(f"DROP TABLE IF EXISTS {table}")
        self.progress("lecture du fichier")
        self.stage()
        self.progress("rapprochement avec les électeurs déjà connus")
        self.reject_duplicates()
        self.bureaux(apply)
        self.match()
        self.reject_twins()
        self.progress("classement des lignes : nouvelles, modifiées, inchangées")
        self.classify()
        if apply:
            self.write()
            self.report.applied = True
            if self.report.new + self.report.changed >= ANALYZE_AFTER:
                self.progress("mise à jour des statistiques de la base")
                self.db.analyze_written()
                self.lap("statistiques")
        for table in TEMPORARY_TABLES:
            self.sql(f"DROP TABLE IF EXISTS {table}")
        self.db.teardown()

    def stage(self) -> None:
        columns = ", ".join(f"{name} {kind}" for name, kind in STAGING_COLUMNS)
        self.sql(f"CREATE TEMPORARY TABLE reu_staging ({columns})")
        reader = _Reader(self.path, self.collectivite, self.report, self.progress, self.date_effet)
        staging = [name for name, _ in STAGING_COLUMNS]
        sieve = _Sieve(self, reader) if self.sift and isinstance(self.db, _Postgres) else None
        if sieve is not None and sieve.run():
            self.sifted = self.report.sifted = sieve.same
            self.lap("lignes inchangées")
            self.progress(f"vérification des {french_number(sieve.others)} autres lignes")
            for batch in sieve.other_lines():
                self.db.load("reu_staging", staging, reader.rows_of(batch))
            self.report.lines += self.sifted
        else:
            self.db.load("reu_staging", staging, reader.rows())
        self.present = reader.present
        self.db.analyze("reu_staging")
        self.lap("lecture et table de travail")

    def reject_duplicates(self) -> None:
        self.sql(
            "SELECT s.line, d.first_line FROM reu_staging s JOIN ("
            "  SELECT vkey, liste, MIN(line) AS first_line FROM reu_staging"
            "  GROUP BY vkey, liste HAVING COUNT(*) > 1"
            ") d ON d.vkey = s.vkey AND d.liste = s.liste "
            "WHERE s.line <> d.first_line ORDER BY s.line"
        )
        duplicates = self.cursor.fetchall()
        if duplicates:
            for line, first in duplicates:
                self.report.reject(
                    line, f"électeur en double : même électeur et même liste qu'à la ligne {first}"
                )
            self.report.rejected_lines.sort(key=lambda rejected: rejected.number)
            self.sql(
                "DELETE FROM reu_staging WHERE line IN ("
                "  SELECT line FROM ("
                "    SELECT line, MIN(line) OVER (PARTITION BY vkey, liste) AS first_line"
                "    FROM reu_staging) d"
                "  WHERE line <> first_line)"
            )
        self.lap("doublons")

    def bureaux(self, apply: bool) -> None:
        """Bureaux the file names and the database does not know: created only when the agent
        asked for them (never silently); else their lines are rejected."""
        self.sql(
            "SELECT s.bureau_code, COALESCE(s.bureau_libelle, ''), COALESCE(s.canton, ''),"
            " COALESCE(s.circonscription, ''), f.lines "
            "FROM reu_staging s JOIN ("
            "  SELECT bureau_code, MIN(line) AS line, COUNT(*) AS lines FROM reu_staging"
            "  GROUP BY bureau_code"
            ") f ON f.line = s.line "
            "WHERE NOT EXISTS (SELECT 1 FROM electoral_bureaudevote b"
            "  WHERE b.collectivite_id = %s AND b.code = s.bureau_code) "
            "ORDER BY s.bureau_code",
            [self.collectivite.pk],
        )
        missing = self.cursor.fetchall()
        self.report.unknown_bureaux = [
            (code, libelle or f"Bureau {code}", lines) for code, libelle, _, _, lines in missing
        ]
        create = self.create_bureaux
        created = [row for row in missing if create is True or row[0] in create]
        refused = sorted({row[0] for row in missing} - {row[0] for row in created})
        if apply:
            for code, libelle, canton, circonscription, _ in created:
                bureau = BureauDeVote(
                    collectivite=self.collectivite,
                    code=code,
                    libelle=libelle or f"Bureau {code}",
                    canton=canton,
                    circonscription=circonscription,
                )
                save_by(bureau, self.user)
        # In a preview, what the import would create.
        self.report.bureaux_created = [
            (code, libelle or f"Bureau {code}") for code, libelle, *_ in created
        ]
        if refused:
            self.reject_unknown_bureaux(refused)
        self.lap("bureaux")

    def reject_unknown_bureaux(self, codes: list[str]) -> None:
        """The lines of bureaux not created: counted all, the first ones kept in the report."""
        chosen = f"bureau_code IN ({', '.join(['%s'] * len(codes))})"
        self.sql(
            f"SELECT line, bureau_code FROM reu_staging WHERE {chosen} ORDER BY line LIMIT %s",
            [*codes, MAX_REJECTED_LINES],
        )
        first = self.cursor.fetchall()
        removed = self.sql(f"DELETE FROM reu_staging WHERE {chosen}", codes)
        report = self.report
        report.rejected += removed
        report.rejected_lines += [
            RejectedLine(line, f"bureau de vote {code} inconnu : non créé, ligne non importée")
            for line, code in first
        ]
        report.rejected_lines.sort(key=lambda rejected: rejected.number)
        del report.rejected_lines[MAX_REJECTED_LINES:]

    def match(self) -> None:
        """reu_match: the known voter of each identity of the file, by INE first, then by
        folded names, birth date and list when one side has no INE."""
        c = self.collectivite.pk
        self.sql(
            "CREATE TEMPORARY TABLE reu_voter AS "
            "SELECT vkey, MIN(line) AS primary_line, MAX(COALESCE(ine, '')) AS ine "
            "FROM reu_staging GROUP BY vkey"
        )
        self.sql("CREATE TEMPORARY TABLE reu_match (vkey text, electeur_id bigint)")
        self.sql(
            "INSERT INTO reu_match (vkey, electeur_id) "
            "SELECT v.vkey, MIN(e.id) FROM reu_voter v "
            "JOIN electoral_electeur e ON e.collectivite_id = %s AND e.ine = v.ine "
            "WHERE v.ine <> '' GROUP BY v.vkey",
            [c],
        )
        self.db.analyze("reu_match")  # planned as empty otherwise: a nested loop over 1M lines
        self.matched = self.value("SELECT COUNT(*) FROM reu_match")
        known = Electeur.objects.filter(collectivite=self.collectivite).exists()
        if known and self.value(f"SELECT COUNT(*) FROM reu_voter v {self.new_voters('v')}"):
            self.match_by_name(
                unmatched_without_ine=self.value(
                    f"SELECT COUNT(*) FROM reu_voter v WHERE v.ine = '' AND {_unmatched('v')}"
                )
            )
        self.db.analyze("reu_match")
        self.matched = self.value("SELECT COUNT(*) FROM reu_match")
        self.lap("rapprochement")

    def match_by_name(self, unmatched_without_ine: int) -> None:
        self.sql(
            "CREATE TEMPORARY TABLE reu_existing "
            "(electeur_id bigint, liste text, nkey text, ine text)"
        )
        # Only a voter born on the day of a line still unmatched, whose folded search column
        # starts with that line's folded birth name, can be its voter: a few among a million
        # on a re-import. An identity holds the ISO date, or the incomplete one when the voter
        # has no date.
        # A work table: the scans of the voters below run in parallel (0.4 s against 0.7 s).
        unmatched = self.db.work_table("reu_unmatched")
        self.sql(
            f"CREATE {self.db.work} TABLE {unmatched} AS "
            "SELECT DISTINCT s.date_naissance, s.date_naissance_incomplete,"
            f" {self.db.nom_key('s.nkey')} AS nom FROM reu_staging s"
            f" WHERE {_unmatched('s')}"
        )
        self.db.analyze(unmatched)
        named = _named("e.recherche", "u.nom")
        # A hash of the few lines, probed by one scan of the voters. Kept whole (reu_born):
        # the twins of the new voters are among them (twins_of_known_voters).
        self.sql(
            "CREATE TEMPORARY TABLE reu_born AS "
            + " UNION ".join(
                f"SELECT e.id FROM {unmatched} u JOIN electoral_electeur e"
                f" ON e.collectivite_id = %s AND {born} AND {named}"
                for born in _born_alike("e", "u")
            ),
            [self.collectivite.pk] * 2,
        )
        self.db.analyze("reu_born")
        self.by_name = True
        # Voters already matched are no line's; nor are those the sieve set aside, which all
        # have an INE: they matter only when lines without INE are left.
        self.sql(
            "CREATE TEMPORARY TABLE reu_name AS SELECT b.id FROM reu_born b "
            "WHERE NOT EXISTS (SELECT 1 FROM reu_match m WHERE m.electeur_id = b.id)"
        )
        self.db.analyze("reu_name")
        if self.sifted and unmatched_without_ine:
            self.sql(
                # The few lines of these voters first, then those set aside: not the anti-join
                # of a million lines (0.2 s).
                "WITH taken AS MATERIALIZED (SELECT c.electeur_id, c.tid FROM reu_cand c"
                " JOIN reu_name b ON b.id = c.electeur_id) "
                "DELETE FROM reu_name WHERE id IN (SELECT t.electeur_id FROM taken t"
                " WHERE NOT EXISTS (SELECT 1 FROM reu_other o WHERE o.tid = t.tid))"
            )
        query = (
            "SELECT e.id, i.liste, e.nom_naissance, e.prenoms, e.date_naissance,"
            " e.date_naissance_incomplete, e.ine "
            "FROM reu_name b JOIN electoral_electeur e ON e.id = b.id "
            "JOIN electoral_inscription i ON i.electeur_id = e.id AND i.radie_le IS NULL"
        )
        if not unmatched_without_ine:
            query += " WHERE e.ine = ''"

        # Names are folded in Python (mairie.text.search_key), as for the file's lines.
        with connection.chunked_cursor() as voters:
            voters.execute(query)
            # In batches: no query may run on the connection while a COPY does.
            while batch := voters.fetchmany(10_000):
                rows = []
                for pk, liste, nom, prenoms, date, incomplete, ine in batch:
                    born = str(date) if date else incomplete
                    rows.append(
                        (str(pk), liste, identity(search_key(nom), search_key(prenoms), born), ine)
                    )
                self.db.load("reu_existing", ["electeur_id", "liste", "nkey", "ine"], rows)
        self.db.analyze("reu_existing")
        # Best candidate per identity, then one identity per voter (the earliest line).
        self.sql(
            "INSERT INTO reu_match (vkey, electeur_id) "
            "SELECT vkey, electeur_id FROM ("
            "  SELECT vkey, electeur_id,"
            "   row_number() OVER (PARTITION BY electeur_id ORDER BY primary_line) AS rank"
            "  FROM ("
            "    SELECT v.vkey, v.primary_line, MIN(x.electeur_id) AS electeur_id"
            "    FROM reu_voter v JOIN reu_staging s ON s.vkey = v.vkey"
            "    JOIN reu_existing x ON x.nkey = s.nkey AND x.liste = s.liste"
            "     AND (v.ine = '' OR COALESCE(x.ine, '') = '')"
            f"    WHERE {_unmatched('v')}"
            "    GROUP BY v.vkey, v.primary_line"
            "  ) candidates"
            ") ranked WHERE rank = 1"
        )

    def reject_twins(self) -> None:
        """The lines of a voter the file would create with the identity (electoral.rules) of a
        voter of the collectivité, or of a voter of an earlier line (one already known first):
        one voter per identity. The same whether the sieve set lines aside or not: a line it
        sets aside says what its voter says, and every voter is compared as stored first."""
        twins: dict[str, str] = {}
        new = _unmatched("v")
        twins.update(self.twins_of_known_voters(new))
        # The identities of two voters of the file, in one pass over it: a few, or none. In a
        # table of their own, counted: as a subquery, they were planned as a million rows and
        # every line of the file was hashed to be joined with them (1.5 s more).
        self.sql(
            "CREATE TEMPORARY TABLE reu_shared AS "
            "SELECT nkey FROM reu_staging GROUP BY nkey HAVING MIN(vkey) <> MAX(vkey)"
        )
        self.db.analyze("reu_shared")
        self.sql(
            "WITH ident AS ("
            "  SELECT v.vkey, v.primary_line, p.nkey,"
            f"  CASE WHEN {new} THEN 1 ELSE 0 END AS new"
            "  FROM reu_shared s JOIN reu_staging p ON p.nkey = s.nkey"
            "  JOIN reu_voter v ON v.primary_line = p.line"
            "), ranked AS ("
            "  SELECT vkey, new, primary_line, first_value(primary_line) OVER ("
            "   PARTITION BY nkey ORDER BY new, primary_line) AS kept"
            "  FROM ident"
            ") "
            "SELECT vkey, kept FROM ranked WHERE new = 1 AND primary_line <> kept "
            "ORDER BY primary_line"
        )
        for vkey, kept in self.cursor.fetchall():
            twins.setdefault(
                vkey,
                "électeur en double : même nom de naissance, mêmes prénoms et même date de "
                f"naissance qu'à la ligne {kept}",
            )
        if twins:
            self.sql("CREATE TEMPORARY TABLE reu_twin (vkey text, reason text)")
            self.db.load("reu_twin", ["vkey", "reason"], twins.items())
            self.sql(
                "SELECT s.line, t.reason FROM reu_staging s JOIN reu_twin t ON t.vkey = s.vkey"
            )
            for line, reason in self.cursor.fetchall():
                self.report.reject(line, reason)
            self.report.rejected_lines.sort(key=lambda rejected: rejected.number)
            for table in ("reu_staging", "reu_voter"):
                self.sql(f"DELETE FROM {table} WHERE vkey IN (SELECT vkey FROM reu_twin)")
        self.lap("électeurs en double")

    def twins_of_known_voters(self, new: str) -> dict[str, str]:
        """The new voters (`new`: the SQL condition on `v`, a reu_voter) who have the identity
        of a known voter, with the reason their lines are rejected."""
        twins: dict[str, str] = {}
        if not self.by_name:
            return twins  # no known voter, or every line has its voter: no new voter
        # Known voters born on a new voter's date whose name starts as theirs: few rows, whose
        # identity is folded here as the file's lines were. Matching by name found them all
        # (reu_born), for the lines then unmatched.
        electeurs = self.db.rows_of("electoral_electeur", "id", "SELECT id FROM reu_born")
        self.sql(
            # The new voters first: joined last, they were planned as one row, then scanned
            # once per candidate.
            f"WITH n AS MATERIALIZED (SELECT v.vkey, v.primary_line FROM reu_voter v WHERE {new}) "
            + " UNION ALL ".join(
                "SELECT v.vkey, v.primary_line, e.id, p.nkey, e.nom_naissance, e.prenoms,"
                " e.date_naissance, e.date_naissance_incomplete "
                "FROM n v JOIN reu_staging p ON p.line = v.primary_line "
                f"JOIN {electeurs} e ON e.collectivite_id = %s AND {born} "
                f"WHERE {_named('e.recherche', self.db.nom_key('p.nkey'))}"
                for born in _born_alike("e", "p")
            )
            + " ORDER BY 2, 3",
            [self.collectivite.pk] * 2,
        )
        for vkey, _, _, nkey, nom, prenoms, date, incomplete in self.cursor.fetchall():
            born = str(date) if date else incomplete
            if vkey not in twins and identity(search_key(nom), search_key(prenoms), born) == nkey:
                existing = Electeur(
                    nom_naissance=nom,
                    prenoms=prenoms,
                    date_naissance=datetime.date.fromisoformat(born) if date else None,
                    date_naissance_incomplete=incomplete,
                )
                twins[vkey] = f"électeur en double : {duplicate_message(existing)}"
        return twins

    def classify(self) -> None:
        """reu_line: each valid line, its voter and active inscription, and what differs."""
        c = self.collectivite.pk
        compared = [name for name in ELECTEUR_FIELDS if name in self.present]
        electeur_differs = " OR ".join(
            [self.differs(name) for name in compared] + ["COALESCE(eb.code, '') <> p.bureau_code"]
        )
        address = [self.differs(name) for name in ADDRESS_FIELDS if name in self.present]
        address_differs = " OR ".join(address) if address else "1 = 0"
        inscription_differs = "COALESCE(ib.code, '') <> s.bureau_code"
        electeurs, inscriptions = "electoral_electeur", "electoral_inscription"
        if self.matched < FEW_LINES:
            matched = "SELECT electeur_id FROM reu_match"
            electeurs = self.db.rows_of(electeurs, "id", matched)
            inscriptions = self.db.rows_of(inscriptions, "electeur_id", matched)
        if not self.matched:
            # A first import: every line is new, nothing to compare (a third of the time). Every
            # line of reu_staging has its voter in reu_voter: no need to join them.
            self.sql(
                "CREATE TEMPORARY TABLE reu_line AS "
                "SELECT s.line, s.vkey, s.liste, CAST(NULL AS bigint) AS electeur_id,"
                " CAST(NULL AS bigint) AS inscription_id, CAST(NULL AS bigint) AS bureau_avant_id,"
                " b.id AS bureau_id, 'new' AS etat, 0 AS e_change, 0 AS a_change, 0 AS b_change,"
                " s.numero_ordre AS wanted "
                "FROM reu_staging s "
                "LEFT JOIN electoral_bureaudevote b ON b.collectivite_id = %s"
                " AND b.code = s.bureau_code",
                [c],
            )
        else:
            self.sql(
                "CREATE TEMPORARY TABLE reu_line AS "
                "SELECT s.line, s.vkey, s.liste, m.electeur_id, i.id AS inscription_id,"
                " i.bureau_id AS bureau_avant_id, b.id AS bureau_id,"
                f" CASE WHEN i.id IS NULL THEN 'new'"
                f"  WHEN ({electeur_differs}) OR ({inscription_differs}) THEN 'changed'"
                f"  ELSE 'unchanged' END AS etat,"
                f" CASE WHEN e.id IS NOT NULL AND ({electeur_differs}) THEN 1 ELSE 0 END"
                " AS e_change,"
                f" CASE WHEN e.id IS NOT NULL AND ({address_differs}) THEN 1 ELSE 0 END"
                " AS a_change,"
                f" CASE WHEN i.id IS NOT NULL AND ({inscription_differs}) THEN 1 ELSE 0 END"
                "  AS b_change, s.numero_ordre AS wanted "
                "FROM reu_staging s "
                "JOIN reu_voter v ON v.vkey = s.vkey JOIN reu_staging p ON p.line = v.primary_line "
                "LEFT JOIN reu_match m ON m.vkey = s.vkey "
                f"LEFT JOIN {electeurs} e ON e.id = m.electeur_id "
                "LEFT JOIN electoral_bureaudevote eb ON eb.id = e.bureau_id "
                f"LEFT JOIN {inscriptions} i ON i.electeur_id = m.electeur_id"
                " AND i.liste = s.liste AND i.radie_le IS NULL "
                "LEFT JOIN electoral_bureaudevote ib ON ib.id = i.bureau_id "
                "LEFT JOIN electoral_bureaudevote b ON b.collectivite_id = %s"
                " AND b.code = s.bureau_code",
                [c],
            )
        self.db.analyze("reu_line")
        self.sql("SELECT etat, COUNT(*) FROM reu_line GROUP BY etat")
        counts = dict(self.cursor.fetchall())
        self.report.new = counts.get("new", 0)
        self.report.changed = counts.get("changed", 0)
        self.report.unchanged = counts.get("unchanged", 0)
        self.report.new_voters = self.value(
            f"SELECT COUNT(*) FROM reu_voter v {self.new_voters('v')}"
        )
        self.report.unchanged += self.sifted
        # The collectivité's active inscriptions, counted by their bureaux (an inscription's
        # bureau is its voter's, one of the collectivité's: the services keep it so), then
        # those without a bureau by their voters: not a join of every voter with every
        # inscription (0.06 s instead of 0.45 s for a million).
        self.report.absent = (
            self.value(
                "SELECT (SELECT COUNT(*) FROM electoral_inscription i"
                "  WHERE i.radie_le IS NULL AND i.bureau_id IN"
                "  (SELECT b.id FROM electoral_bureaudevote b WHERE b.collectivite_id = %s))"
                " + (SELECT COUNT(*) FROM electoral_inscription i"
                "  JOIN electoral_electeur e ON e.id = i.electeur_id"
                "  WHERE i.bureau_id IS NULL AND i.radie_le IS NULL AND e.collectivite_id = %s)",
                [c, c],
            )
            - self.value("SELECT COUNT(DISTINCT inscription_id) FROM reu_line")
            - self.sifted
        )
        self.lap("classement")

    def write(self) -> None:
        self.progress("écriture des électeurs modifiés")
        self.streets()
        self.modification_movements()
        self.update_voters()
        self.progress(f"écriture des {french_number(self.report.new_voters)} nouveaux électeurs")
        self.create_voters()
        self.progress("écriture des inscriptions et des mouvements")
        self.number()
        self.move_inscriptions()
        self.create_inscriptions()

    def streets(self) -> None:
        """reu_voie: the collectivité's street of each address of the file, by the rule of
        electoral.models.find_voies (the same postcode first), as the voter services find it."""
        self.sql(
            "SELECT DISTINCT voie_key, COALESCE(code_postal, '') FROM reu_staging"
            " WHERE voie_key IS NOT NULL"
        )
        found = find_voies(self.collectivite, self.cursor.fetchall())
        self.sql(
            "CREATE TEMPORARY TABLE reu_voie (voie_key text, code_postal text, voie_id bigint)"
        )
        rows = ((key, code_postal, str(pk)) for (key, code_postal), pk in found.items())
        # Loaded as the staging table is: a blank postcode becomes NULL, hence the COALESCE of
        # the joins.
        self.db.load("reu_voie", ["voie_key", "code_postal", "voie_id"], rows)
        self.lap("voies")

    def modification_movements(self) -> None:
        """One movement per changed line (voter × list), as electoral.services.modifier records
        them, with what changed from what to what; written before the voters change."""
        pairs = []
        for name in (name for name in ELECTEUR_FIELDS if name in self.present):
            if name == "date_naissance":
                old = f"COALESCE({self.db.date_text('e.date_naissance')}, '')"
                new = f"COALESCE({self.db.date_text('p.date_naissance')}, '')"
            else:
                old, new = f"e.{name}", self.staged(name)
            pairs.append(
                (name, f"CASE WHEN {self.differs(name)} THEN {self.db.json_pair(old, new)} END")
            )
        # The street the new address finds, named as the services name it (str(Voie)).
        street = "COALESCE(TRIM({0}.type_voie || ' ' || {0}.libelle), '')"
        pairs.append(
            (
                "voie",
                f"CASE WHEN l.a_change = 1 AND e.voie_id {self.db.distinct} rv.voie_id THEN "
                + self.db.json_pair(street.format("ov"), street.format("nv"))
                + " END",
            )
        )
        pairs.append(
            (
                "bureau",
                "CASE WHEN l.b_change = 1 THEN "
                + self.db.json_pair("COALESCE(ib.code, '')", "s.bureau_code")
                + " WHEN COALESCE(eb.code, '') <> p.bureau_code THEN "
                + self.db.json_pair("COALESCE(eb.code, '')", "p.bureau_code")
                + " END",
            )
        )
        motif = (
            f"CASE WHEN l.a_change = 1 THEN '{MotifModification.ADRESSE}'"
            f" WHEN l.b_change = 1 OR COALESCE(eb.code, '') <> p.bureau_code"
            f" THEN '{MotifModification.BUREAU}'"
            f" ELSE '{MotifModification.ETAT_CIVIL}' END"
        )
        self.movements(
            TypeMouvement.MODIFICATION,
            motif,
            "l.bureau_avant_id",
            "l.bureau_id",
            self.db.json_changes(pairs),
            "FROM reu_line l JOIN reu_staging s ON s.line = l.line "
            "JOIN reu_voter v ON v.vkey = l.vkey JOIN reu_staging p ON p.line = v.primary_line "
            "JOIN electoral_electeur e ON e.id = l.electeur_id "
            "LEFT JOIN electoral_bureaudevote eb ON eb.id = e.bureau_id "
            "LEFT JOIN electoral_bureaudevote ib ON ib.id = l.bureau_avant_id "
            "LEFT JOIN reu_voie rv ON rv.voie_key = p.voie_key"
            " AND COALESCE(rv.code_postal, '') = COALESCE(p.code_postal, '') "
            "LEFT JOIN electoral_voie ov ON ov.id = e.voie_id "
            "LEFT JOIN electoral_voie nv ON nv.id = rv.voie_id "
            "WHERE l.etat = 'changed'",
        )
        self.lap("mouvements de modification")

    def movements(
        self, kind: str, motif: str, avant: str, apres: str, changements: str, source: str
    ) -> None:
        """Movements of the lines `l` of `source`, as electoral.services records them."""
        self.sql(
            f"INSERT INTO {_table(Mouvement)} (collectivite_id, electeur_id, type, liste, motif,"
            " date_effet, bureau_avant_id, bureau_apres_id, changements, cree_par_id, cree_le) "
            f"SELECT %s, l.electeur_id, '{kind}', l.liste, {motif}, %s, {avant}, {apres},"
            f" {changements}, {self.user_param(Mouvement._meta.get_field('cree_par'))}, %s"
            f" {source}",
            [
                self.collectivite.pk,
                connection.ops.adapt_datefield_value(self.date_effet),
                self.user.pk if self.user else None,
                connection.ops.adapt_datetimefield_value(self.now),
            ],
        )

    def update_voters(self) -> None:
        """Changed voters take the values of their first line; a column the file lacks, and an
        INE the file does not give, keep their value."""
        self.sql(
            "CREATE TEMPORARY TABLE reu_update AS "
            "SELECT l.electeur_id, MIN(v.primary_line) AS primary_line,"
            " MAX(l.a_change) AS a_change "
            "FROM reu_line l JOIN reu_voter v ON v.vkey = l.vkey "
            "WHERE l.e_change = 1 GROUP BY l.electeur_id"
        )
        if not self.value("SELECT COUNT(*) FROM reu_update"):
            return
        table = _table(Electeur)
        assignments = [
            f"{name} = CASE WHEN COALESCE(p.{name}, '') <> '' THEN p.{name} ELSE {table}.{name} END"
            if name in KEPT_WHEN_BLANK
            else f"{name} = {self.staged(name)}"
            for name in ELECTEUR_FIELDS
            if name in self.present
        ]
        self.sql(
            f"UPDATE {table} SET {', '.join(assignments)},"
            " recherche = COALESCE(p.recherche, ''), bureau_id = b.id,"
            f" voie_id = CASE WHEN u.a_change = 1 THEN rv.voie_id ELSE {table}.voie_id END "
            "FROM reu_update u JOIN reu_staging p ON p.line = u.primary_line "
            "JOIN electoral_bureaudevote b ON b.collectivite_id = %s AND b.code = p.bureau_code "
            "LEFT JOIN reu_voie rv ON rv.voie_key = p.voie_key"
            " AND COALESCE(rv.code_postal, '') = COALESCE(p.code_postal, '') "
            f"WHERE {table}.id = u.electeur_id",
            [self.collectivite.pk],
        )
        self.history(Electeur, "~", "JOIN reu_update u ON u.electeur_id = t.id")
        self.lap("électeurs modifiés")

    def create_voters(self) -> None:
        # Ids, hence rows, in the order of the name indexes: each index grows at a few places
        # instead of everywhere at once (a third less time on a million voters). Byte order is
        # the index's for names in capitals, and close to it otherwise: locality is all it is for.
        def order(table: str, line: str) -> str:
            nom, prenoms = f"{table}.nom_naissance", f"{table}.prenoms"
            return f"{self.db.bytewise(nom)}, {self.db.bytewise(prenoms)}, {line}"

        ids = self.db.next_id(_table(Electeur), order("v", "v.primary_line"))
        self.sql(
            "CREATE TEMPORARY TABLE reu_new AS "
            f"SELECT v.vkey, v.primary_line, {ids} AS electeur_id FROM ("
            "  SELECT r.vkey, r.primary_line, p.nom_naissance, p.prenoms FROM reu_voter r"
            "  JOIN reu_staging p ON p.line = r.primary_line"
            f"  {self.new_voters('r')}"
            f"  ORDER BY {order('p', 'r.primary_line')}"
            ") v"
        )
        if not self.report.new_voters:
            return
        given = [name for name in ELECTEUR_FIELDS if name in self.present]
        blank = [name for name in ELECTEUR_FIELDS if name not in self.present]
        values = [self.staged(name) for name in given] + [
            "NULL" if name == "date_naissance" else "''" for name in blank
        ]
        self.sql(
            f"INSERT INTO {_table(Electeur)} (id, collectivite_id, {', '.join(given + blank)},"
            " recherche, bureau_id, voie_id) "
            f"SELECT n.electeur_id, %s, {', '.join(values)}, COALESCE(p.recherche, ''), b.id,"
            " rv.voie_id "
            "FROM reu_new n JOIN reu_staging p ON p.line = n.primary_line "
            "JOIN electoral_bureaudevote b ON b.collectivite_id = %s AND b.code = p.bureau_code "
            "LEFT JOIN reu_voie rv ON rv.voie_key = p.voie_key"
            " AND COALESCE(rv.code_postal, '') = COALESCE(p.code_postal, '') "
            "ORDER BY n.electeur_id",
            [self.collectivite.pk, self.collectivite.pk],
        )
        self.history(Electeur, "+", self.created("reu_new", "electeur_id"))
        self.lap("électeurs créés")

    def number(self) -> None:
        """reu_numero: the numéro d'ordre of each line joining a bureau's list: the file's when
        it is free there (first line wins), else the next after the highest."""
        self.sql(
            "SELECT DISTINCT bureau_id, liste FROM reu_line WHERE etat = 'new' OR b_change = 1"
        )
        lists = self.cursor.fetchall()
        # The others take the next numbers after the highest (electoral.models.highest_numeros)
        # and the file's numbers kept.
        highest = highest_numeros(lists)
        self.sql(
            "CREATE TEMPORARY TABLE reu_highest (bureau_id bigint, liste text, numero integer)"
        )
        self.db.load(
            "reu_highest",
            ["bureau_id", "liste", "numero"],
            ((str(bureau), liste, str(numero)) for (bureau, liste), numero in highest.items()),
        )
        # Whether the file's number is free: looked up in the index line by line for a few
        # lines (a LIMIT is never hashed), as a hashed set of the numbers of these bureaux only
        # (not of every collectivité's) for a first import.
        few = self.report.new + self.report.changed < FEW_LINES
        bureaux = ", ".join(sorted({str(int(bureau)) for bureau, _ in lists if bureau}))
        taken = (
            "SELECT 1 FROM electoral_inscription i WHERE i.bureau_id = n.bureau_id"
            " AND i.liste = n.liste AND i.numero_ordre = n.wanted AND i.radie_le IS NULL"
        )
        if not few:
            taken += f" AND i.bureau_id IN ({bureaux or 'NULL'})"
        free = f"({taken} LIMIT 1) IS NULL" if few else f"NOT EXISTS ({taken})"
        # `free` is read once per line (MATERIALIZED), and only the lines left without a
        # number of their own are sorted to take the next ones.
        self.sql(
            "CREATE TEMPORARY TABLE reu_numero AS "
            "WITH free AS MATERIALIZED ("
            "  SELECT n.line, n.bureau_id, n.liste,"
            f"   CASE WHEN n.wanted > 0 AND {free} THEN n.wanted END AS wanted"
            "  FROM (SELECT l.line, l.bureau_id, l.liste, l.wanted FROM reu_line l"
            "   WHERE l.etat = 'new' OR l.b_change = 1) n"
            "), kept AS ("
            "  SELECT line, bureau_id, liste,"
            # The number first: a sort that compares it first seldom goes further, one that
            # starts with the bureau (20 values) and the list (1 to 3) compares every column of
            # nearly every pair (0.4 s against 3.2 s on a million lines).
            "   CASE WHEN wanted IS NOT NULL AND row_number() OVER ("
            "    PARTITION BY wanted, bureau_id, liste ORDER BY line) = 1 THEN wanted END"
            "   AS numero"
            "  FROM free"
            "), base AS ("
            "  SELECT bureau_id, liste, MAX(numero) AS base FROM ("
            "   SELECT bureau_id, liste, numero FROM kept"
            "   UNION ALL"
            "   SELECT bureau_id, liste, numero FROM reu_highest"
            "  ) taken GROUP BY bureau_id, liste"
            ") "
            "SELECT line, numero FROM kept WHERE numero IS NOT NULL "
            "UNION ALL "
            "SELECT k.line, COALESCE(b.base, 0) + row_number() OVER ("
            " PARTITION BY k.bureau_id, k.liste ORDER BY k.line) "
            "FROM kept k LEFT JOIN base b ON b.bureau_id = k.bureau_id AND b.liste = k.liste "
            "WHERE k.numero IS NULL"
        )
        self.lap("numéros d'ordre")

    def move_inscriptions(self) -> None:
        table = _table(Inscription)
        moved = self.sql(
            f"UPDATE {table} SET bureau_id = l.bureau_id, numero_ordre = r.numero "
            "FROM reu_line l JOIN reu_numero r ON r.line = l.line "
            f"WHERE {table}.id = l.inscription_id AND l.b_change = 1"
        )
        if moved:
            self.history(
                Inscription, "~", "JOIN reu_line l ON l.inscription_id = t.id AND l.b_change = 1"
            )
        self.lap("inscriptions déplacées")

    def create_inscriptions(self) -> None:
        if not self.report.new:
            return
        # In the voters' order, as they were created: see create_voters.
        order = "l.electeur_id, l.liste"
        self.sql(
            "CREATE TEMPORARY TABLE reu_ins AS "
            f"SELECT {self.db.next_id(_table(Inscription), order)} AS inscription_id,"
            " l.electeur_id, l.liste, l.bureau_id, l.numero FROM ("
            "  SELECT COALESCE(l.electeur_id, n.electeur_id) AS electeur_id, l.liste,"
            "   l.bureau_id, r.numero"
            "  FROM reu_line l JOIN reu_numero r ON r.line = l.line"
            "  LEFT JOIN reu_new n ON n.vkey = l.vkey"
            "  WHERE l.etat = 'new' ORDER BY 1, 2"
            ") l"
        )
        self.sql(
            f"INSERT INTO {_table(Inscription)} (id, electeur_id, liste, bureau_id, numero_ordre,"
            " inscrit_le) "
            "SELECT inscription_id, electeur_id, liste, bureau_id, numero, %s FROM reu_ins "
            "ORDER BY inscription_id",
            [connection.ops.adapt_datefield_value(self.date_effet)],
        )
        self.history(Inscription, "+", self.created("reu_ins", "inscription_id"))
        self.movements(
            TypeMouvement.INSCRIPTION,
            f"'{MotifInscription.REPRISE_REU}'",
            "NULL",
            "l.bureau_id",
            "'{}'",
            "FROM reu_ins l ORDER BY l.inscription_id",
        )
        self.lap("inscriptions créées")


def write_extraction(path: Path, inscriptions: Iterable[tuple[Electeur, str]]) -> None:
    """Write an extraction, as ELIRE gives it (the "field" variant of COLUMNS, ";"-separated),
    of these voters (with their bureau) each on a list: the file this import reads back into
    the same voters. The numéros d'ordre are left blank: the import gives the next ones."""
    header = [column.label for column in COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for electeur, liste in inscriptions:
            born = electeur.date_naissance
            bureau = electeur.bureau
            values = {name: getattr(electeur, name) for name in ELECTEUR_FIELDS}
            values |= {
                "commune_code": electeur.collectivite.code_insee,
                "commune_libelle": electeur.collectivite.nom,
                "liste": liste,
                "date_naissance": born.strftime("%d/%m/%Y")
                if born
                else electeur.date_naissance_incomplete,
                "bureau_code": bureau.code,
                "bureau_libelle": bureau.libelle,
                "canton": bureau.canton,
                "circonscription": bureau.circonscription,
            }
            writer.writerow([values.get(column.field, "") for column in COLUMNS])


def _read(
    collectivite: Collectivite,
    path: str | Path,
    user: AbstractBaseUser | None,
    apply: bool,
    progress: Progress,
    file_name: str,
    sift: bool,
    create_bureaux: CreateBureaux,
    date_effet: datetime.date | None = None,
) -> ImportReport:
    path = Path(path)
    report = ImportReport(file_name=file_name or path.name)
    if date_effet is not None:
        validate_date_effet(date_effet)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _Import(
                cursor,
                collectivite,
                path,
                report,
                user,
                progress,
                sift,
                create_bureaux,
                date_effet,
            ).run(apply)
            if not apply:
                transaction.set_rollback(True)
    except _Refused as refusal:
        return ImportReport(
            file_name=report.file_name,
            refusal=str(refusal),
            encoding=report.encoding,
            unknown_columns=report.unknown_columns,
            missing_columns=report.missing_columns,
        )
    return report


def preview(
    collectivite: Collectivite,
    path: str | Path,
    progress: Progress = _silent,
    file_name: str = "",
    sift: bool = True,
    create_bureaux: CreateBureaux = False,
) -> ImportReport:
    """What importing the file would do, line by line; nothing is written. `file_name`, the
    name the agent gave the file (default: the path's), may name the commune, list and date.
    `sift=False` sends every line through the full checks, as on SQLite (see _Sieve).
    `create_bureaux`: see apply."""
    return _read(collectivite, path, None, False, progress, file_name, sift, create_bureaux)


def apply(
    collectivite: Collectivite,
    path: str | Path,
    user: AbstractBaseUser | None,
    progress: Progress = _silent,
    file_name: str = "",
    sift: bool = True,
    create_bureaux: CreateBureaux = False,
    date_effet: datetime.date | None = None,
) -> ImportReport:
    """Import the file in one transaction: new voters and inscriptions (movement "reprise de
    l'extraction REU"), changed voters (modification movement), each with its history record
    by `user`. A bureau the database does not know is created only when the agent asked for
    it (`create_bureaux`: True for all, or their codes), else its lines are rejected. Voters
    absent from the file are counted, not radiated: a radiation needs a reason an agent
    gives. The movements take effect today, or on `date_effet` (a past day: the demo's takeover
    of the lists two years ago), on which a new voter must be 18."""
    return _read(
        collectivite, path, user, True, progress, file_name, sift, create_bureaux, date_effet
    )
