"""The PECOTO quarterly file (Code du service national R.111-10-1), layout v1 — provisional.

The DSN's official layout is not public: LAYOUT below transcribes the team's v1 table
(exports/specs/pecoto_v1.csv, 1-based inclusive positions), and the writer, the parser and the
validator all work from it, so that the official layout, once obtained, changes only LAYOUT.
"""

# ruff: noqa: E501 (LAYOUT keeps one line per field of the spec)

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from mairie.models import CODE_COMMUNE, Collectivite
from mairie.phone import normalise_phone
from mairie.places import is_abroad
from mairie.problems import Problem
from mairie.text import exchange_text as fold_text
from recensement.models import Recense, quarter_of

RECORD_LENGTHS = {"01": 300, "02": 1352, "99": 14}
NEWLINE = "\r\n"


@dataclass(frozen=True)
class Header:
    """What the 01 and 99 records are written from."""

    collectivite: Collectivite
    annee: int
    trimestre: int
    generated: date
    nombre_recenses: int


Context = Header | Recense

# Formats of the code fields; a value that does not match would be rejected by the portal.
CODE_PAYS = r"99\d{3}"
# A place: a commune of France, or a country (99xxx) for a birth or a residence abroad.
CODE_LIEU = rf"{CODE_COMMUNE}|{CODE_PAYS}"
CODE_POSTAL = r"\d{5}"
DEPARTEMENT = r"0\d\d|02[AB]|9[78]\d"
_PATTERN_HINTS = {
    CODE_COMMUNE: "un code INSEE de commune à 5 caractères",
    CODE_LIEU: "un code INSEE de commune ou de pays à 5 caractères",
    CODE_PAYS: "un code pays INSEE (99xxx)",
    CODE_POSTAL: "un code postal à 5 chiffres",
    DEPARTEMENT: "un code département à 3 caractères (035, 02A, 971)",
}

_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_PHONE = re.compile(r"\d{10}")


def _date(value: date | None) -> str:
    # Not strftime: it does not zero-pad years before 1000 on every platform.
    return f"{value.day:02d}{value.month:02d}{value.year:04d}" if value else ""


@dataclass(frozen=True)
class LayoutField:
    record: str
    name: str
    start: int  # 1-based, inclusive
    length: int
    type: str  # C constant, A text, N number, D date, T phone, E e-mail, F filler
    required: bool
    # What the value is read from: the registrant's field (02), the Header's attribute (01, 99);
    # empty for a constant or a filler. Lengths and codes of the registrant's fields are those
    # of LAYOUT (tests/exports/test_pecoto.py checks every one).
    attribute: str
    codes: tuple[str, ...] = ()
    pattern: str = ""  # a regex the folded value must match, one of _PATTERN_HINTS
    read: Callable[[Context, object], object] | None = None  # when not the attribute as is

    def fold(self, context: Context) -> str:
        """The value as it goes in the file, before padding (its length is what must fit)."""
        if self.type == "C":
            return self.record
        if self.type == "F":
            return ""
        raw = attrgetter(self.attribute)(context)
        if self.read:
            raw = self.read(context, raw)
        if raw is None:
            return ""
        if self.type == "D":
            return _date(raw)
        text = str(raw).strip()
        if self.type == "A":
            return fold_text(text)
        if self.type == "T":
            return normalise_phone(text)
        if self.type == "E":
            return text.lower()
        return text

    def cell(self, folded: str) -> str:
        if self.type == "N":
            return folded.rjust(self.length, "0")
        return folded.ljust(self.length)

    def check(self, value: str) -> str | None:
        """What is wrong with a folded value, in the agent's words; None when it fits."""
        if self.required and not value:
            return "obligatoire"
        if not value:
            return None
        if self.type == "T" and not _PHONE.fullmatch(value):
            return "le téléphone doit compter 10 chiffres"
        if self.type == "E" and not value.isascii():
            return "caractère non ASCII dans le courriel"
        if self.type == "A" and not value.isascii():
            letters = "".join(sorted({char for char in value if not char.isascii()}))
            return f"lettre(s) sans équivalent ASCII « {letters} » : écrivez-la(les) sans accent"
        if self.type == "N" and not (value.isascii() and value.isdigit()):
            return f"« {value} » n'est pas un nombre"
        if len(value) > self.length:
            return f"« {value} » dépasse {self.length} caractères ({len(value)}) : raccourcir"
        if self.codes and value not in self.codes:
            return f"code « {value} » hors de la liste {', '.join(self.codes)}"
        if self.pattern and not re.fullmatch(self.pattern, value):
            return f"« {value} » n'est pas {_PATTERN_HINTS[self.pattern]}"
        return None


def _flag(r: Recense, value: bool) -> str:
    return "O" if value else "N"


def _residence(r: Recense, value: str) -> str:
    """The résidence block stays blank when it is the domicile."""
    return "" if r.residence_identique else value


def _acquisition(r: Recense, value: date | None) -> date | None:
    return value if r.nationalite == "A" else None


def _lines(h: Header, nombre_recenses: int) -> int:
    return nombre_recenses + 2  # the 01 and 99 records


_F = LayoutField
_YES_NO = ("O", "N")

# One line per field, as in the spec's table; the formatter would split the longer ones.
# fmt: off
LAYOUT: tuple[LayoutField, ...] = (
    _F("01", "type_enregistrement", 1, 2, "C", True, ""),
    _F("01", "code_commune", 3, 5, "A", True, "collectivite.code_insee", pattern=CODE_COMMUNE),
    _F("01", "code_departement", 8, 3, "A", True, "collectivite.departement", pattern=DEPARTEMENT),
    _F("01", "libelle_commune", 11, 50, "A", True, "collectivite.nom"),
    _F("01", "annee", 61, 4, "N", True, "annee"),
    _F("01", "trimestre", 65, 1, "N", True, "trimestre", codes=("1", "2", "3", "4")),
    _F("01", "date_generation", 66, 8, "D", True, "generated"),
    _F("01", "responsable_nom", 74, 50, "A", True, "collectivite.responsable_nom"),
    _F("01", "responsable_prenom", 124, 50, "A", True, "collectivite.responsable_prenom"),
    _F("01", "responsable_qualite", 174, 30, "A", True, "collectivite.responsable_qualite"),
    _F("01", "responsable_telephone", 204, 10, "T", False, "collectivite.responsable_telephone"),
    _F("01", "responsable_courriel", 214, 80, "E", False, "collectivite.responsable_courriel"),
    _F("01", "nombre_recenses", 294, 6, "N", True, "nombre_recenses"),
    _F("01", "filler", 300, 1, "F", False, ""),
    _F("02", "type_enregistrement", 1, 2, "C", True, ""),
    _F("02", "numero_inscription", 3, 4, "N", True, "numero_inscription"),
    _F("02", "mode", 7, 1, "A", True, "mode", codes=("R", "G", "N")),
    _F("02", "date_recensement", 8, 8, "D", True, "date_recensement"),
    _F("02", "sexe", 16, 1, "A", True, "sexe", codes=("M", "F")),
    _F("02", "nom_naissance", 17, 50, "A", True, "nom_naissance"),
    _F("02", "nom_usage", 67, 50, "A", False, "nom_usage"),
    _F("02", "prenoms", 117, 60, "A", True, "prenoms"),
    _F("02", "date_naissance", 177, 8, "D", True, "date_naissance"),
    _F("02", "code_lieu_naissance", 185, 5, "A", True, "naissance_code_lieu", pattern=CODE_LIEU),
    _F("02", "lieu_naissance", 190, 50, "A", True, "naissance_commune"),
    _F("02", "departement_naissance", 240, 3, "A", False, "naissance_departement", pattern=DEPARTEMENT),
    _F("02", "pays_naissance", 243, 50, "A", True, "naissance_pays"),
    _F("02", "nationalite", 293, 1, "A", True, "nationalite", codes=("N", "A")),
    _F("02", "date_acquisition_nationalite", 294, 8, "D", False, "date_acquisition_nationalite", read=_acquisition),
    _F("02", "double_nationalite", 302, 5, "A", False, "double_nationalite", pattern=CODE_PAYS),
    _F("02", "domicile_numero", 307, 6, "A", False, "domicile_numero"),
    _F("02", "domicile_voie", 313, 60, "A", True, "domicile_voie"),
    _F("02", "domicile_complement", 373, 38, "A", False, "domicile_complement"),
    _F("02", "domicile_code_postal", 411, 5, "A", False, "domicile_code_postal", pattern=CODE_POSTAL),
    _F("02", "domicile_commune", 416, 50, "A", True, "domicile_commune"),
    _F("02", "domicile_code_lieu", 466, 5, "A", True, "domicile_code_lieu", pattern=CODE_LIEU),
    _F("02", "domicile_pays", 471, 50, "A", True, "domicile_pays"),
    _F("02", "residence_numero", 521, 6, "A", False, "residence_numero", read=_residence),
    _F("02", "residence_voie", 527, 60, "A", False, "residence_voie", read=_residence),
    _F("02", "residence_complement", 587, 38, "A", False, "residence_complement", read=_residence),
    _F("02", "residence_code_postal", 625, 5, "A", False, "residence_code_postal", read=_residence, pattern=CODE_POSTAL),
    _F("02", "residence_commune", 630, 50, "A", False, "residence_commune", read=_residence),
    _F("02", "residence_code_lieu", 680, 5, "A", False, "residence_code_lieu", read=_residence, pattern=CODE_LIEU),
    _F("02", "residence_pays", 685, 50, "A", False, "residence_pays", read=_residence),
    _F("02", "telephone_fixe", 735, 10, "T", False, "telephone_fixe"),
    _F("02", "telephone_portable", 745, 10, "T", False, "telephone_portable"),
    _F("02", "courriel", 755, 80, "E", False, "courriel"),
    _F("02", "pere_connu", 835, 1, "A", True, "pere_connu", read=_flag, codes=_YES_NO),
    _F("02", "pere_nom", 836, 50, "A", False, "pere_nom"),
    _F("02", "pere_prenoms", 886, 60, "A", False, "pere_prenoms"),
    _F("02", "pere_date_naissance", 946, 8, "D", False, "pere_date_naissance"),
    _F("02", "pere_code_lieu_naissance", 954, 5, "A", False, "pere_naissance_code_lieu", pattern=CODE_LIEU),
    _F("02", "pere_lieu_naissance", 959, 50, "A", False, "pere_naissance_commune"),
    _F("02", "pere_nationalite", 1009, 5, "A", False, "pere_nationalite", pattern=CODE_PAYS),
    _F("02", "mere_connu", 1014, 1, "A", True, "mere_connu", read=_flag, codes=_YES_NO),
    _F("02", "mere_nom", 1015, 50, "A", False, "mere_nom"),
    _F("02", "mere_prenoms", 1065, 60, "A", False, "mere_prenoms"),
    _F("02", "mere_date_naissance", 1125, 8, "D", False, "mere_date_naissance"),
    _F("02", "mere_code_lieu_naissance", 1133, 5, "A", False, "mere_naissance_code_lieu", pattern=CODE_LIEU),
    _F("02", "mere_lieu_naissance", 1138, 50, "A", False, "mere_naissance_commune"),
    _F("02", "mere_nationalite", 1188, 5, "A", False, "mere_nationalite", pattern=CODE_PAYS),
    _F("02", "nombre_freres_soeurs", 1193, 2, "N", True, "nombre_freres_soeurs"),
    _F("02", "situation_familiale", 1195, 1, "A", True, "situation_familiale", codes=("C", "M", "P", "L", "D", "V")),
    _F("02", "nombre_enfants", 1196, 2, "N", True, "nombre_enfants"),
    _F("02", "pupille", 1198, 1, "A", True, "pupille", codes=("0", "E", "N")),
    _F("02", "situation_scolaire", 1199, 1, "A", True, "situation_scolaire", codes=("S", "E", "A", "N")),
    _F("02", "etablissement", 1200, 50, "A", False, "etablissement"),
    _F("02", "diplome", 1250, 2, "N", True, "diplome", codes=("00", "01", "02", "03", "04", "05")),
    _F("02", "specialite", 1252, 50, "A", False, "specialite"),
    _F("02", "profession", 1302, 50, "A", False, "profession"),
    _F("02", "situation_particuliere", 1352, 1, "A", True, "situation_particuliere", read=_flag, codes=_YES_NO),
    _F("99", "type_enregistrement", 1, 2, "C", True, ""),
    _F("99", "nombre_recenses", 3, 6, "N", True, "nombre_recenses"),
    _F("99", "nombre_lignes", 9, 6, "N", True, "nombre_recenses", read=_lines),
)
# fmt: on

FIELDS: dict[str, tuple[LayoutField, ...]] = {
    record: tuple(f for f in LAYOUT if f.record == record) for record in RECORD_LENGTHS
}

# Each field as the agents name it, and the field of the registrant form (or of the collectivité
# settings, for the 01 record) where it is typed: what the validator's problems say and link to.
# A place (code, commune, département, pays) is typed at once, from its "en France / à
# l'étranger" choice.
# fmt: off
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "type_enregistrement": ("type d'enregistrement", ""),
    "code_commune": ("code INSEE de la commune", "code_insee"),
    "code_departement": ("département de la commune", "departement"),
    "libelle_commune": ("nom de la commune", "nom"),
    "annee": ("année", ""),
    "trimestre": ("trimestre", ""),
    "date_generation": ("date de génération", ""),
    "responsable_nom": ("nom du responsable recensement", "responsable_nom"),
    "responsable_prenom": ("prénom du responsable recensement", "responsable_prenom"),
    "responsable_qualite": ("qualité du responsable recensement", "responsable_qualite"),
    "responsable_telephone": ("téléphone du responsable recensement", "responsable_telephone"),
    "responsable_courriel": ("courriel du responsable recensement", "responsable_courriel"),
    "nombre_recenses": ("nombre de recensés", ""),
    "filler": ("remplissage", ""),
    "numero_inscription": ("n° d'inscription", ""),
    "mode": ("mode (recensé, régularisé, non recensé)", "date_recensement"),
    "date_recensement": ("date de recensement", "date_recensement"),
    "sexe": ("sexe", "sexe"),
    "nom_naissance": ("nom de naissance", "nom_naissance"),
    "nom_usage": ("nom d'usage", "nom_usage"),
    "prenoms": ("prénoms", "prenoms"),
    "date_naissance": ("date de naissance", "date_naissance"),
    "code_lieu_naissance": ("code INSEE du lieu de naissance", "naissance_ou"),
    "lieu_naissance": ("commune ou ville de naissance", "naissance_ou"),
    "departement_naissance": ("département de naissance", "naissance_ou"),
    "pays_naissance": ("pays de naissance", "naissance_ou"),
    "nationalite": ("nationalité", "nationalite"),
    "date_acquisition_nationalite": ("date d'acquisition de la nationalité", "date_acquisition_nationalite"),
    "double_nationalite": ("double nationalité", "double_nationalite"),
    "domicile_numero": ("numéro (domicile)", "domicile_numero"),
    "domicile_voie": ("voie (domicile)", "domicile_voie"),
    "domicile_complement": ("complément d'adresse (domicile)", "domicile_complement"),
    "domicile_code_postal": ("code postal (domicile)", "domicile_code_postal"),
    "domicile_commune": ("commune (domicile)", "domicile_commune_saisie"),
    "domicile_code_lieu": ("code INSEE de la commune (domicile)", "domicile_commune_saisie"),
    "domicile_pays": ("pays (domicile)", "domicile_commune_saisie"),
    "residence_numero": ("numéro (résidence)", "residence_numero"),
    "residence_voie": ("voie (résidence)", "residence_voie"),
    "residence_complement": ("complément d'adresse (résidence)", "residence_complement"),
    "residence_code_postal": ("code postal (résidence)", "residence_code_postal"),
    "residence_commune": ("commune ou ville (résidence)", "residence_ou"),
    "residence_code_lieu": ("code INSEE du lieu (résidence)", "residence_ou"),
    "residence_pays": ("pays (résidence)", "residence_ou"),
    "telephone_fixe": ("téléphone fixe", "telephone_fixe"),
    "telephone_portable": ("téléphone portable", "telephone_portable"),
    "courriel": ("courriel", "courriel"),
    "pere_connu": ("père déclaré", "pere_non_declare"),
    "pere_nom": ("nom de naissance du père", "pere_nom"),
    "pere_prenoms": ("prénoms du père", "pere_prenoms"),
    "pere_date_naissance": ("date de naissance du père", "pere_date_naissance"),
    "pere_code_lieu_naissance": ("code INSEE du lieu de naissance du père", "pere_naissance_ou"),
    "pere_lieu_naissance": ("lieu de naissance du père", "pere_naissance_ou"),
    "pere_nationalite": ("nationalité du père", "pere_nationalite"),
    "mere_connu": ("mère déclarée", "mere_non_declare"),
    "mere_nom": ("nom de naissance de la mère", "mere_nom"),
    "mere_prenoms": ("prénoms de la mère", "mere_prenoms"),
    "mere_date_naissance": ("date de naissance de la mère", "mere_date_naissance"),
    "mere_code_lieu_naissance": ("code INSEE du lieu de naissance de la mère", "mere_naissance_ou"),
    "mere_lieu_naissance": ("lieu de naissance de la mère", "mere_naissance_ou"),
    "mere_nationalite": ("nationalité de la mère", "mere_nationalite"),
    "nombre_freres_soeurs": ("nombre de frères et sœurs", "nombre_freres_soeurs"),
    "situation_familiale": ("situation familiale", "situation_familiale"),
    "nombre_enfants": ("nombre d'enfants", "nombre_enfants"),
    "pupille": ("pupille", "pupille"),
    "situation_scolaire": ("situation scolaire", "situation_scolaire"),
    "etablissement": ("établissement", "etablissement"),
    "diplome": ("diplôme le plus élevé", "diplome"),
    "specialite": ("spécialité", "specialite"),
    "profession": ("profession", "profession"),
    "situation_particuliere": ("situation particulière", "situation_particuliere"),
    "nombre_lignes": ("nombre de lignes", ""),
}
# fmt: on


class PecotoProblem(Problem):
    """A problem of the PECOTO file, its field named as the agents name it (FIELD_NAMES)."""

    @property
    def label(self) -> str:
        return FIELD_NAMES[self.field][0] if self.field in FIELD_NAMES else self.field

    @property
    def form_field(self) -> str:
        return FIELD_NAMES[self.field][1] if self.field in FIELD_NAMES else ""

    @property
    def needs_numbering(self) -> bool:
        return self.field == "numero_inscription" and UNNUMBERED in self.message


HEADER_WHO = "Collectivité (paramètres)"
UNNUMBERED = "non numéroté"


class PecotoError(Exception):
    """The file cannot be written as is; `problems` says what the agents must fix first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problème(s) empêchent le fichier PECOTO")
        self.problems = problems


def filename(annee: int, trimestre: int) -> str:
    return f"RE_{annee:04d}{trimestre}.txt"


def _who(r: Recense) -> str:
    name = " ".join([r.nom_naissance, *r.prenoms.split()[:1]])
    numero = (
        f"n° {r.numero_inscription:04d}" if r.numero_inscription is not None else "non numéroté"
    )
    return f"{name} ({numero})"


def _rules(values: dict[str, str]) -> dict[str, str]:
    """The conditional rules of the spec's descriptions, on the folded values of one 02 record."""
    found = {}
    if values["nationalite"] == "A" and not values["date_acquisition_nationalite"]:
        found["date_acquisition_nationalite"] = (
            "date d'acquisition obligatoire pour une personne devenue française"
        )
    if is_abroad(values["code_lieu_naissance"]) and values["departement_naissance"]:
        found["departement_naissance"] = "doit rester vide pour une naissance à l'étranger"
    if not is_abroad(values["domicile_code_lieu"]) and not values["domicile_code_postal"]:
        found["domicile_code_postal"] = "obligatoire pour une adresse en France"
    residence = [f.name for f in FIELDS["02"] if f.name.startswith("residence_")]
    if any(values[name] for name in residence):
        for part in ("voie", "commune", "code_lieu", "pays"):
            if not values[f"residence_{part}"]:
                found[f"residence_{part}"] = "obligatoire quand la résidence diffère du domicile"
        if not is_abroad(values["residence_code_lieu"]) and not values["residence_code_postal"]:
            found["residence_code_postal"] = "obligatoire pour une adresse en France"
    for parent, absent in (("pere", "le père"), ("mere", "la mère")):
        if values[f"{parent}_connu"] == "N":
            for f in FIELDS["02"]:
                other = f.name.startswith(f"{parent}_") and f.name != f"{parent}_connu"
                if other and values[f.name]:
                    found[f.name] = f"doit rester vide quand {absent} n'est pas déclaré(e)"
    return found


def _numbering(r: Recense, counts: Counter, annee: int, trimestre: int) -> dict[str, str]:
    found = {}
    numero = r.numero_inscription
    if numero is None:
        found["numero_inscription"] = f"{UNNUMBERED} : numérotez d'abord le trimestre"
    elif not 1 <= numero <= 9999:
        found["numero_inscription"] = f"numéro {numero} hors de 1 à 9999"
    elif counts[numero] > 1:
        found["numero_inscription"] = f"numéro {numero:04d} donné à plusieurs recensés"
    day = r.date_recensement
    if day and (day.year, quarter_of(day)) != (annee, trimestre):
        found["date_recensement"] = (
            f"recensé(e) le {day:%d/%m/%Y}, hors du trimestre T{trimestre} {annee}"
        )
    return found


def _record_problems(
    record: str, context: Context, specific: dict[str, str], recense_id: int | None, who: str
) -> list[Problem]:
    """Specific rules first: they say more than the generic check of the same field."""
    problems = []
    for f in FIELDS[record]:
        message = specific.get(f.name) or f.check(f.fold(context))
        if message:
            problems.append(PecotoProblem(recense_id, who, f.name, message))
    return problems


def validate(
    collectivite: Collectivite,
    recenses: Sequence[Recense],
    annee: int,
    trimestre: int,
    generated: date,
) -> list[Problem]:
    """Everything that keeps the file from being written, header first, then each registrant
    in the given order, fields in layout order."""
    header = Header(collectivite, annee, trimestre, generated, len(recenses))
    problems = [
        problem
        for record in ("01", "99")
        for problem in _record_problems(record, header, {}, None, HEADER_WHO)
    ]
    if not recenses:
        problems.append(
            PecotoProblem(
                None, f"Liste T{trimestre} {annee}", "nombre_recenses", "aucun recensé ce trimestre"
            )
        )
    counts = Counter(r.numero_inscription for r in recenses)
    for r in recenses:
        values = {f.name: f.fold(r) for f in FIELDS["02"]}
        specific = {**_rules(values), **_numbering(r, counts, annee, trimestre)}
        problems += _record_problems("02", r, specific, r.pk, _who(r))
    return problems


def _line(record: str, context: Context) -> str:
    line = "".join(f.cell(f.fold(context)) for f in FIELDS[record])
    assert len(line) == RECORD_LENGTHS[record], (record, len(line))
    assert _PRINTABLE.fullmatch(line), record
    return line + NEWLINE


def write(
    collectivite: Collectivite,
    recenses: Sequence[Recense],
    annee: int,
    trimestre: int,
    generated: date,
) -> bytes:
    """The file's bytes; raises PecotoError rather than write a truncated or invalid value."""
    problems = validate(collectivite, recenses, annee, trimestre, generated)
    if problems:
        raise PecotoError(problems)
    header = Header(collectivite, annee, trimestre, generated, len(recenses))
    ordered = sorted(recenses, key=attrgetter("numero_inscription"))
    lines = [_line("01", header), *(_line("02", r) for r in ordered), _line("99", header)]
    return "".join(lines).encode("ascii")


def parse(data: bytes) -> list[dict[str, str]]:
    """The file's records as {"record": "02", field: stripped value, …}; ValueError (with the
    line number) on a line that is not a well-formed record of the layout."""
    if not data.endswith(NEWLINE.encode()):
        raise ValueError("le fichier doit se terminer par CRLF")
    records = []
    for number, raw in enumerate(data[: -len(NEWLINE)].split(NEWLINE.encode()), start=1):
        line = raw.decode("ascii", errors="replace")
        if not _PRINTABLE.fullmatch(line):
            raise ValueError(f"ligne {number} : caractère hors ASCII imprimable")
        record = line[:2]
        if record not in RECORD_LENGTHS:
            raise ValueError(f"ligne {number} : type d'enregistrement « {record} » inconnu")
        if len(line) != RECORD_LENGTHS[record]:
            raise ValueError(
                f"ligne {number} : {len(line)} caractères au lieu de {RECORD_LENGTHS[record]}"
            )
        values = {"record": record}
        for f in FIELDS[record]:
            values[f.name] = line[f.start - 1 : f.start - 1 + f.length].strip()
        records.append(values)
    kinds = [values["record"] for values in records]
    if kinds[0] != "01" or kinds[-1] != "99" or set(kinds[1:-1]) - {"02"}:
        raise ValueError("le fichier doit compter un 01, puis des 02, puis un 99")
    count, lines = f"{len(records) - 2:06d}", f"{len(records):06d}"
    if records[0]["nombre_recenses"] != count:
        raise ValueError("ligne 1 : nombre_recenses ne correspond pas au fichier")
    if (records[-1]["nombre_recenses"], records[-1]["nombre_lignes"]) != (count, lines):
        raise ValueError(f"ligne {len(records)} : les totaux ne correspondent pas au fichier")
    return records
