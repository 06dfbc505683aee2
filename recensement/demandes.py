"""Online registrations received through HubEE (démarche « Recensement citoyen obligatoire »).

A dossier is an XML file with root `RecensementCitoyen`, the PDF copy of the Cerfa 10870 and any
number of attachments (pièces jointes, PDF), uploaded as loose files or as a ZIP of dossiers (one
folder each). Reading is defensive (size limits, no DOCTYPE, no entity, no network, no path
outside the archive); elements are read by name, whitespace stripped, an empty element is "not
given", and whatever cannot be mapped to the registrant's fields is kept with its raw value for
the agent. Each dossier becomes a `DemandeEnLigne` to check, complete in the registrant form and
validate; its identifier is `Formalite/Identifiant`, else the dossier number its files are named
after (HubEE's own test dossier leaves the element empty), else the XML's SHA-256.

Transactions: each dossier is stored in its own transaction, whether it came loose or in a ZIP,
so that one refused dossier does not hold back the others; only what makes a ZIP itself suspect
(unreadable, a path out of it, too many members or bytes) refuses the whole archive.
"""

import datetime
import hashlib
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree

from mairie import files
from mairie.history import save_by
from mairie.models import (
    Collectivite,
    Commune,
    Pays,
    Sexe,
    TypeCommune,
    departement_of,
)
from mairie.names import name_problem, normalise_name
from mairie.phone import normalise_phone
from mairie.problems import Problem
from mairie.text import search_key
from recensement.models import (
    FRANCE,
    DemandeEnLigne,
    PieceJointe,
    Pupille,
    Recense,
    SituationFamiliale,
    StatutDemande,
    identity_key,
    quarter_of,
)
from recensement.rules import OutOfAgeError, decide_mode
from recensement.services import closed_message, is_closed

ROOT = "RecensementCitoyen"
MAX_XML_BYTES = 1_000_000  # a dossier's XML weighs a few kilobytes
MAX_PDF_BYTES = 20_000_000
MAX_ZIP_BYTES = 200_000_000
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_UNCOMPRESSED = 500_000_000
STORAGE = "demandes"

SEXES = {"1": Sexe.MASCULIN, "2": Sexe.FEMININ}
SITUATIONS = {
    "CELIBATAIRE": SituationFamiliale.CELIBATAIRE,
    "MARIE": SituationFamiliale.MARIE,
    "MARIEE": SituationFamiliale.MARIE,
    "MARIE E": SituationFamiliale.MARIE,
    "PACSE": SituationFamiliale.PACSE,
    "PACSEE": SituationFamiliale.PACSE,
    "PACSE E": SituationFamiliale.PACSE,
    "UNION LIBRE": SituationFamiliale.UNION_LIBRE,
    "CONCUBINAGE": SituationFamiliale.UNION_LIBRE,
    "DIVORCE": SituationFamiliale.DIVORCE,
    "DIVORCEE": SituationFamiliale.DIVORCE,
    "DIVORCE E": SituationFamiliale.DIVORCE,
    "VEUF": SituationFamiliale.VEUF,
    "VEUVE": SituationFamiliale.VEUF,
    "VEUF VE": SituationFamiliale.VEUF,
}
PUPILLE_NON = {"", "NON", "N", "FALSE", "0"}
FRENCH_WORDS = {"FRANCAISE", "FRANCAIS", "FRANCE", "FRANCAIS E"}
EXTENSIONS = {"B": "BIS", "T": "TER", "Q": "QUATER", "C": "QUINQUIES"}
# Elements read (or deliberately left aside) by the mapping; any other one is reported.
KNOWN = {
    "Formalite", "Identifiant", "FormaliteType", "DateSoumission", "FormaliteMotifCode",
    "FormaliteModeCode", "Personne", "Civilite", "Sexe", "NomFamille", "NomUsage",
    "PrenomUsuel", "Prenom", "DateNaissance", "PaysNaissance", "Nationalite",
    "CodeINSEENaissance", "LieuNaissance", "Code", "Nom", "AdresseDomicile", "AdresseResidence",
    "PointDeRemise", "Complement", "NumeroVoie", "Extension", "TypeVoie", "NomVoie", "LieuDit",
    "CodePostal", "Localite", "CodeINSEE", "SituationFamille", "SituationMatrimoniale",
    "NombreEnfants", "Pupille", "NombreFrereSoeur", "MethodeContact", "URI", "CanalCode",
    "FiliationPere", "FiliationMere",
}  # fmt: skip


class DossierError(Exception):
    """A file refused as a whole; the message (French) names the file and the reason."""


class DemandeError(Exception):
    """An action on a request is refused; the message (French) is for the agent."""


# --- Reading files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file given by the agent (web page) or on the command line."""

    name: str
    size: int
    open: Callable[[], BinaryIO]

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> "Upload":
        return cls(name or path.name, path.stat().st_size, lambda: path.open("rb"))


@dataclass(frozen=True)
class Entry:
    name: str  # path inside the archive, or the uploaded file's name
    data: bytes
    refused: str = ""  # why the file cannot be kept (too big, unreadable, not a PDF): no data


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _basename(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def _stem(name: str) -> str:
    return PurePosixPath(_basename(name)).stem


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",")


def _too_big(name: str, size: int) -> str:
    """Why a file of that size is refused, or "" when its size is allowed."""
    limit = {".xml": MAX_XML_BYTES, ".pdf": MAX_PDF_BYTES, ".zip": MAX_ZIP_BYTES}[_suffix(name)]
    return f"fichier trop volumineux ({_mb(size)}, {_mb(limit)} au plus)" if size > limit else ""


def _entry(name: str, data: bytes) -> Entry:
    refused = _too_big(name, len(data))
    if not refused and _suffix(name) == ".pdf" and not data.startswith(b"%PDF-"):
        refused = "ce n'est pas un PDF"
    return Entry(name, b"", refused) if refused else Entry(name, data)


def _read(upload: Upload) -> Entry:
    """A loose XML or PDF; a refused one is kept with its reason, to refuse its dossier."""
    refused = _too_big(upload.name, upload.size)
    if refused:
        return Entry(upload.name, b"", refused)
    with upload.open() as handle:
        return _entry(upload.name, handle.read(upload.size + 1))


def _safe_member(name: str) -> bool:
    """False for a path escaping the archive's folder (zip slip): absolute, drive, or '..'."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return False
    return ".." not in PurePosixPath(normalised).parts


def _read_zip(upload: Upload) -> tuple[list[Entry], list[str]]:
    """The XML and PDF members of an archive, and the names of the members left aside. What
    makes the archive itself suspect (unreadable, too many members, a path out of it, too much
    once decompressed) refuses it whole; a member too big or unreadable is kept with its reason,
    to refuse its dossier alone. Every path is checked before anything is read; sizes are
    checked on the bytes actually read."""
    refused = _too_big(upload.name, upload.size)
    if refused:
        raise DossierError(f"{upload.name} : {refused} : refusé, rien n'est enregistré.")
    with upload.open() as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError) as error:
            raise DossierError(
                f"{upload.name} : archive ZIP illisible (fichier endommagé ou d'un autre format) : "
                "refusée, rien n'est enregistré."
            ) from error
        with archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise DossierError(
                    f"{upload.name} : {len(members)} fichiers dans l'archive, "
                    f"{MAX_ZIP_MEMBERS} au plus : archive refusée, rien n'est enregistré."
                )
            for member in members:
                if not _safe_member(member.filename):
                    raise DossierError(
                        f"{upload.name} : le chemin « {member.filename} » sort du dossier de "
                        "l'archive : archive refusée, rien n'est enregistré."
                    )
            entries, ignored, total = [], [], 0
            for member in members:
                if member.is_dir():
                    continue
                if _suffix(member.filename) not in (".xml", ".pdf"):
                    ignored.append(member.filename)
                    continue
                refused = _too_big(member.filename, member.file_size)
                if refused:
                    entries.append(Entry(member.filename, b"", refused))
                    continue
                try:
                    with archive.open(member) as stream:
                        data = stream.read(member.file_size + 1)
                except MEMBER_ERRORS as error:
                    entries.append(Entry(member.filename, b"", _unreadable_member(member, error)))
                    continue
                total += len(data)
                if total > MAX_ZIP_UNCOMPRESSED:
                    raise DossierError(
                        f"{upload.name} : contenu décompressé trop volumineux "
                        f"({_mb(MAX_ZIP_UNCOMPRESSED)} au plus) : archive refusée, rien n'est "
                        "enregistré."
                    )
                entries.append(_entry(member.filename, data))
    return entries, ignored


# What can go wrong reading one member of an archive (zlib's error for damaged deflated data,
# NotImplementedError for a compression method Python does not read).
MEMBER_ERRORS = (
    zipfile.BadZipFile,
    RuntimeError,
    OSError,
    EOFError,
    zlib.error,
    NotImplementedError,
)


def _unreadable_member(member: zipfile.ZipInfo, error: Exception) -> str:
    """Why a member could not be read, in French: the exception's own text is English."""
    if member.flag_bits & 0x1:  # the ZIP format's "encrypted" bit
        return "protégé par un mot de passe dans l'archive"
    if isinstance(error, NotImplementedError):
        return "compressé d'une façon non prise en charge dans l'archive"
    return "illisible dans l'archive (contenu endommagé)"


# libxml2's messages are English: the frequent mistakes said in French, the others generically.
XML_ERRORS = {
    etree.ErrorTypes.ERR_DOCUMENT_EMPTY: "fichier vide ou qui n'est pas du XML",
    etree.ErrorTypes.ERR_DOCUMENT_END: "contenu après la fin de l'élément racine",
    etree.ErrorTypes.ERR_TAG_NAME_MISMATCH: "balise fermante différente de la balise ouverte",
    etree.ErrorTypes.ERR_TAG_NOT_FINISHED: "fichier coupé : une balise n'est pas fermée",
    etree.ErrorTypes.ERR_INVALID_ENCODING: "octets invalides dans l'encodage du fichier",
    etree.ErrorTypes.ERR_INVALID_CHAR: "caractère interdit en XML",
    etree.ErrorTypes.ERR_UNDECLARED_ENTITY: "entité non déclarée (un « & » seul s'écrit &amp;)",
    etree.ErrorTypes.ERR_ATTRIBUTE_NOT_STARTED: "valeur d'attribut sans guillemets",
    etree.ErrorTypes.ERR_ATTRIBUTE_REDEFINED: "attribut répété",
    etree.ErrorTypes.ERR_LT_IN_ATTRIBUTE: "« < » dans la valeur d'un attribut",
    etree.ErrorTypes.ERR_NAME_REQUIRED: "nom de balise invalide",
}


def _xml_error(error: etree.XMLSyntaxError) -> str:
    return XML_ERRORS.get(error.code, "syntaxe XML incorrecte")


def parse_xml(name: str, data: bytes) -> etree._Element:
    """The root of a dossier, parsed without DTD, entity, network nor huge tree; a DOCTYPE is
    refused outright (entity expansion, external files)."""
    if len(data) > MAX_XML_BYTES:
        raise DossierError(
            f"{name} : fichier trop volumineux ({_mb(len(data))}, {_mb(MAX_XML_BYTES)} au plus) : "
            "refusé, rien n'est enregistré."
        )
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DossierError(
            f"{name} : le fichier contient une déclaration DOCTYPE ou ENTITY, interdite dans un "
            "dossier HubEE : refusé, rien n'est enregistré."
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise DossierError(
            f"{name} : XML mal formé, ligne {error.lineno} ({_xml_error(error)}) : refusé, rien "
            "n'est enregistré."
        ) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a DOCTYPE encoded in UTF-16
        raise DossierError(f"{name} : déclaration DOCTYPE interdite : refusé.")
    if etree.QName(root).localname != ROOT:
        raise DossierError(
            f"{name} : l'élément racine est <{etree.QName(root).localname}>, pas <{ROOT}> : "
            "ce n'est pas un dossier de recensement citoyen en ligne."
        )
    return root


# --- Mapping ---------------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    if parent is None:
        return None
    return next((c for c in parent if _local(c) == name), None)


def _children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if parent is None else [c for c in parent if _local(c) == name]


def _text(parent: etree._Element | None, name: str) -> str:
    element = _child(parent, name)
    return " ".join((element.text or "").split()) if element is not None else ""


def _block(root: etree._Element, name: str) -> etree._Element | None:
    return next(root.iter(f"{{*}}{name}"), None)


def _empty(element: etree._Element | None) -> bool:
    return element is None or not "".join(element.itertext()).strip()


def _declared(block: etree._Element | None) -> bool:
    """Something is given in the block besides the codes that only type its places
    (`LieuNaissance/Code` COMMUNE or AUTRE): a form left blank is not a declaration."""
    return block is not None and any(
        (element.text or "").strip() for element in block.iter() if _local(element) != "Code"
    )


def _path(element: etree._Element) -> str:
    names = [_local(e) for e in reversed(list(element.iterancestors()))][1:]
    return "/".join([*names, _local(element)])


def _date(value: str) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _submitted(value: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        day = _date(value)
        if day is None:
            return None
        moment = datetime.datetime.combine(day, datetime.time(12))
    if timezone.is_naive(moment):  # HubEE writes the local time of metropolitan France
        moment = timezone.make_aware(moment)
    return moment


def _prenoms(usuel: str, autres: str) -> str:
    """All first names in order: the usual one first, then the others (once)."""
    others = autres.replace(",", " ").split()
    names = usuel.split()
    if others[: len(names)] == names:
        return " ".join(others)
    return " ".join(names + others)


@dataclass
class Mapped:
    identifiant: str
    date_soumission: datetime.datetime
    nom: str
    donnees: dict = field(default_factory=dict)
    non_reprises: list[dict] = field(default_factory=list)


class _Mapper:
    """Maps one dossier; `note` keeps what cannot be mapped with its raw value."""

    def __init__(self, countries: dict[str, Pays]) -> None:
        self.countries = countries
        self.values: dict = {}
        self.notes: list[dict] = []

    def note(self, element: str, value: str, reason: str) -> None:
        self.notes.append({"element": element, "valeur": value, "raison": reason})

    def country(self, value: str) -> Pays | None:
        key = search_key(value)
        if key in FRENCH_WORDS:
            return self.countries.get("FRA")
        return self.countries.get(key) if len(key) == 3 else None

    # Places

    def commune(self, code: str) -> Commune | None:
        """A current commune (or Paris/Lyon/Marseille arrondissement) of the COG."""
        return Commune.objects.of_code(code, current=True)

    def unknown_commune(self, element: str, code: str, declared: str, what: str) -> None:
        # Called when the code designates no current commune: one that no longer exists.
        old = Commune.objects.of_code(code)
        if old:
            parent = Commune.objects.of_code(old.comparent, current=True)
            kind = "déléguée" if old.typecom == TypeCommune.COMD else "associée"
            now = f"{parent.libelle} ({parent.code})" if parent else old.comparent
            self.note(
                element,
                code,
                f"code d'une ancienne commune ({old.libelle}, aujourd'hui commune {kind} de "
                f"{now}) : {what} à vérifier et à saisir",
            )
        else:
            self.note(
                element,
                code,
                f"code INSEE inconnu du référentiel (commune déclarée : {declared or '—'}) : "
                f"{what} à saisir",
            )

    def set_place(self, prefix: str, code: str, commune: str, departement: str, pays: str):
        self.values.update(
            {
                f"{prefix}_code_lieu": code,
                f"{prefix}_commune": commune,
                f"{prefix}_departement": departement,
                f"{prefix}_pays": pays,
            }
        )

    def birth_place(self, block: etree._Element, prefix: str, required: bool) -> None:
        path = _local(block)
        pays_raw = _text(block, "PaysNaissance")
        code = _text(block, "CodeINSEENaissance").upper()
        lieux = {
            _text(lieu, "Code").upper(): _text(lieu, "Nom")
            for lieu in _children(block, "LieuNaissance")
        }
        ville = lieux.get("COMMUNE", "")
        pays = self.country(pays_raw) if pays_raw else None
        if pays_raw and pays is None:
            self.note(f"{path}/PaysNaissance", pays_raw, "code pays ISO inconnu du référentiel")
            return
        if pays is not None and pays.code != FRANCE:
            if not ville:
                self.note(f"{path}/LieuNaissance", "", "ville de naissance à l'étranger absente")
            if code:
                self.note(
                    f"{path}/CodeINSEENaissance", code, f"ignoré : né(e) à l'étranger ({pays})"
                )
            self.set_place(prefix, pays.code, ville, "", pays.libenr)
            return
        if not code:
            if required or ville:
                self.note(
                    f"{path}/CodeINSEENaissance",
                    "",
                    f"code INSEE de la commune de naissance absent (commune déclarée : "
                    f"{ville or '—'}) : lieu de naissance à saisir",
                )
            return
        commune = self.commune(code)
        if commune is None:
            self.unknown_commune(f"{path}/CodeINSEENaissance", code, ville, "lieu de naissance")
            return
        self.set_place(
            prefix, commune.code, commune.libelle, departement_of(commune.code), "France"
        )
        if ville and search_key(ville) not in (search_key(commune.libelle), commune.ncc):
            self.note(
                f"{path}/LieuNaissance",
                ville,
                f"nom déclaré différent de celui du code {code} ({commune.libelle}) : "
                "le code est repris, à vérifier",
            )

    def address(self, block: etree._Element | None, prefix: str) -> bool:
        """Maps an address block; False when it is absent or empty."""
        if _empty(block):
            return False
        path = _local(block)
        numero = _text(block, "NumeroVoie")
        extension = _text(block, "Extension").upper()
        if extension:
            numero = f"{numero} {EXTENSIONS.get(extension, extension)}".strip()
        nom_voie, lieu_dit = _text(block, "NomVoie"), _text(block, "LieuDit")
        voie = " ".join(p for p in (_text(block, "TypeVoie"), nom_voie) if p) or lieu_dit
        complement = ", ".join(
            p
            for p in (
                _text(block, "PointDeRemise"),
                _text(block, "Complement"),
                lieu_dit if nom_voie else "",
            )
            if p
        )
        code_postal = _text(block, "CodePostal")
        self.values.update(
            {
                f"{prefix}_numero": numero,
                f"{prefix}_voie": voie,
                f"{prefix}_complement": complement,
                f"{prefix}_code_postal": code_postal,
            }
        )
        if code_postal and not re.fullmatch(r"\d{5}", code_postal):
            self.note(f"{path}/CodePostal", code_postal, "code postal invalide (5 chiffres)")
        code, localite = _text(block, "CodeINSEE").upper(), _text(block, "Localite")
        what = "commune de l'adresse"
        if not code:
            self.note(
                f"{path}/CodeINSEE",
                localite,
                f"code INSEE de la commune absent (localité déclarée : {localite or '—'}) : "
                f"{what} à saisir",
            )
            return True
        commune = self.commune(code)
        if commune is None:
            self.unknown_commune(f"{path}/CodeINSEE", code, localite, what)
            return True
        self.set_place(
            prefix, commune.code, commune.libelle, departement_of(commune.code), "France"
        )
        return True

    # Names of persons: mapped only when the rule of names (mairie.names) takes them, else
    # listed with their raw value for the agent to type them as on the documents shown.

    def surname(self, block: etree._Element, element: str, target: str, what: str) -> None:
        value = _text(block, element)
        problem = name_problem(value)
        if problem:
            self.note(f"{_local(block)}/{element}", value, f"{problem} ; {what} à saisir")
        else:
            self.values[target] = normalise_name(value)

    def first_names(self, block: etree._Element, target: str) -> None:
        usuel, autres = _text(block, "PrenomUsuel"), _text(block, "Prenom")
        value = _prenoms(usuel, autres)
        problem = name_problem(value)
        if not problem:
            self.values[target] = normalise_name(value)
            return
        element = "PrenomUsuel" if name_problem(_prenoms(usuel, "")) else "Prenom"
        raw = usuel if element == "PrenomUsuel" else autres
        self.note(f"{_local(block)}/{element}", raw, f"{problem} ; prénoms à saisir")

    # The dossier

    def person(self, personne: etree._Element) -> None:
        values = self.values
        sexe = _text(personne, "Sexe")
        if sexe in SEXES:
            values["sexe"] = SEXES[sexe]
        else:
            self.note("Personne/Sexe", sexe, "valeur attendue : 1 (masculin) ou 2 (féminin)")
        if not _text(personne, "NomFamille"):
            self.note("Personne/NomFamille", "", "nom de famille absent")
        self.surname(personne, "NomFamille", "nom_naissance", "nom de famille")
        self.surname(personne, "NomUsage", "nom_usage", "nom d'usage")
        self.first_names(personne, "prenoms")
        born = _text(personne, "DateNaissance")
        if _date(born):
            values["date_naissance"] = _date(born).isoformat()
        else:
            self.note("Personne/DateNaissance", born, "date de naissance invalide (JJ/MM/AAAA)")
        nationalite = _text(personne, "Nationalite")
        country = self.country(nationalite) if nationalite else None
        if nationalite and (country is None or country.code != FRANCE):
            self.note(
                "Personne/Nationalite",
                nationalite,
                "nationalité autre que française ou inconnue : le recensement concerne les "
                "Français, à vérifier (nationalité acquise ?)",
            )
        self.birth_place(personne, "naissance", required=True)
        if not self.address(_child(personne, "AdresseDomicile"), "domicile"):
            self.note("Personne/AdresseDomicile", "", "adresse du domicile absente")
        residence = self.residence(_child(personne, "AdresseResidence"))
        values["residence_identique"] = not residence
        self.family(_child(personne, "SituationFamille"))
        self.contacts(_children(personne, "MethodeContact"))

    def residence(self, block: etree._Element | None) -> bool:
        """True when a residence distinct from the domicile is declared."""
        before = dict(self.values)
        if not self.address(block, "residence"):
            return False
        parts = ("numero", "voie", "complement", "code_postal", "code_lieu")
        if all(
            self.values.get(f"residence_{p}", "") == before.get(f"domicile_{p}", "") for p in parts
        ):
            for key in [k for k in self.values if k.startswith("residence_")]:
                del self.values[key]
            return False
        return True

    def count(self, block: etree._Element, name: str, target: str) -> None:
        raw = _text(block, name)
        if not raw:
            return
        if raw.isdigit() and int(raw) <= 99:
            self.values[target] = int(raw)
        else:
            self.note(f"SituationFamille/{name}", raw, "nombre attendu (0 à 99)")

    def family(self, block: etree._Element | None) -> None:
        if block is None:
            return
        word = _text(block, "SituationMatrimoniale")
        if word:
            code = SITUATIONS.get(search_key(word))
            if code:
                self.values["situation_familiale"] = code
            else:
                self.note(
                    "SituationFamille/SituationMatrimoniale", word, "situation familiale inconnue"
                )
        self.count(block, "NombreEnfants", "nombre_enfants")
        self.count(block, "NombreFrereSoeur", "nombre_freres_soeurs")
        pupille = search_key(_text(block, "Pupille"))
        if pupille in PUPILLE_NON:
            self.values["pupille"] = Pupille.NON
        elif "NATION" in pupille:
            self.values["pupille"] = Pupille.NATION
        elif "ETAT" in pupille:
            self.values["pupille"] = Pupille.ETAT
        else:
            self.note(
                "SituationFamille/Pupille",
                _text(block, "Pupille"),
                "pupille : préciser de l'État ou de la Nation",
            )

    def contacts(self, methods: list[etree._Element]) -> None:
        for method in methods:
            canal, uri = _text(method, "CanalCode").upper(), _text(method, "URI")
            if not uri:
                continue
            element = f"MethodeContact ({canal or '?'})"
            if canal == "EMAIL":
                address = re.sub(r"^mailto:", "", uri, flags=re.IGNORECASE)
                try:
                    validate_email(address)
                except ValidationError:
                    self.note(element, uri, "adresse électronique invalide")
                    continue
                if "courriel" in self.values:
                    self.note(element, uri, "second courriel : non repris")
                else:
                    self.values["courriel"] = address
            elif canal == "TEL":
                number = normalise_phone(re.sub(r"^tel:", "", uri, flags=re.IGNORECASE))
                if not re.fullmatch(r"0\d{9}", number):
                    self.note(element, uri, "numéro de téléphone invalide (10 chiffres)")
                    continue
                target = "telephone_portable" if number[:2] in ("06", "07") else "telephone_fixe"
                if target in self.values:
                    self.note(element, uri, "numéro supplémentaire : non repris")
                else:
                    self.values[target] = number
            else:
                self.note(element, uri, f"canal de contact inconnu ({canal or 'absent'})")

    def parent(self, block: etree._Element | None, parent: str) -> None:
        values = self.values
        if not _declared(block):
            values[f"{parent}_connu"] = False
            return
        values[f"{parent}_connu"] = True
        path = _local(block)
        self.surname(block, "NomFamille", f"{parent}_nom", "nom de famille")
        self.first_names(block, f"{parent}_prenoms")
        born = _text(block, "DateNaissance")
        if born and _date(born):
            values[f"{parent}_date_naissance"] = _date(born).isoformat()
        elif born:
            self.note(f"{path}/DateNaissance", born, "date de naissance invalide (JJ/MM/AAAA)")
        nationalite = _text(block, "Nationalite")
        if nationalite:
            country = self.country(nationalite)
            if country:
                values[f"{parent}_nationalite"] = country.code
            else:
                self.note(f"{path}/Nationalite", nationalite, "nationalité inconnue")
        self.birth_place(block, f"{parent}_naissance", required=False)

    def unknown_elements(self, root: etree._Element) -> None:
        for element in root.iter():
            if len(element) == 0 and _local(element) not in KNOWN and (element.text or "").strip():
                self.note(_path(element), element.text.strip(), "élément inconnu : non repris")

    def lengths(self) -> None:
        for name, value in self.values.items():
            limit = Recense._meta.get_field(name).max_length
            if isinstance(value, str) and limit and len(value) > limit:
                label = Recense._meta.get_field(name).verbose_name
                self.note(
                    name,
                    value,
                    f"{label} trop long ({len(value)} caractères, {limit} au plus) : à raccourcir",
                )


def countries() -> dict[str, Pays]:
    """The COG countries by ISO alpha-3 code, current ones first."""
    found: dict[str, Pays] = {}
    for pays in Pays.objects.exclude(codeiso3="").current_first():
        found.setdefault(pays.codeiso3.upper(), pays)
    return found


def map_dossier(name: str, root: etree._Element, known: dict[str, Pays]) -> Mapped:
    """The registrant's fields of a dossier and what could not be mapped; the identifier is
    `Formalite/Identifiant` as written, empty when the dossier does not give it."""
    formalite, personne = _block(root, "Formalite"), _block(root, "Personne")
    identifiant = _text(formalite, "Identifiant")
    raw_date = _text(formalite, "DateSoumission")
    submitted = _submitted(raw_date)
    if submitted is None:
        raise DossierError(
            f"{name} : date de soumission (Formalite/DateSoumission) absente ou invalide "
            f"(« {raw_date} ») : c'est la date légale du recensement."
        )
    if personne is None:
        raise DossierError(f"{name} : élément <Personne> absent.")
    mapper = _Mapper(known)
    mapper.person(personne)
    mapper.parent(_block(root, "FiliationPere"), "pere")
    mapper.parent(_block(root, "FiliationMere"), "mere")
    mapper.unknown_elements(root)
    mapper.lengths()
    values = mapper.values
    surname = values.get("nom_naissance", "").upper()  # shown as a surname is: in capitals
    nom = " ".join(p for p in (surname, values.get("prenoms")) if p)
    return Mapped(identifiant, submitted, nom[:200], values, mapper.notes)


# --- Storing ---------------------------------------------------------------------------------

# HubEE names the attachments after the dossier: A-1-N8F602RR-recensementCitoyen-jf-1.pdf.
DOSSIER_NUMBER = re.compile(r"[A-Z]-\d+-[A-Z0-9]{4,}(?=-|$)")


def dossier_number(name: str) -> str:
    """The HubEE dossier number a file's name starts with, or ""."""
    found = DOSSIER_NUMBER.match(_stem(name))
    return found.group() if found else ""


def _carries(name: str, token: str) -> bool:
    """The file's name is the token, or starts with it and a separator (RC-104-livret.pdf
    carries RC-104, RC-1040.pdf does not)."""
    stem, token = _stem(name).casefold(), token.casefold()
    return stem == token or (stem.startswith(token) and not stem[len(token)].isalnum())


@dataclass
class Report:
    """What became of one file."""

    fichier: str
    statut: str  # "creee", "doublon", "refuse", "ignore"
    message: str
    demande: DemandeEnLigne | None = None


@dataclass
class _Dossier:
    xml: Entry
    label: str  # how the reports name it
    root: etree._Element | None = None
    refused: str = ""  # the report's message when the XML itself is refused
    pdfs: list[Entry] = field(default_factory=list)

    @classmethod
    def read(cls, xml: Entry, label: str) -> "_Dossier":
        dossier = cls(xml, label)
        if xml.refused:
            dossier.refused = f"{label} : {xml.refused} : refusé, rien n'est enregistré."
            return dossier
        try:
            dossier.root = parse_xml(label, xml.data)
        except DossierError as error:
            dossier.refused = str(error)
        return dossier

    @property
    def written_identifiant(self) -> str:
        return "" if self.root is None else _text(_block(self.root, "Formalite"), "Identifiant")

    def claims(self, pdf: Entry) -> bool:
        """The PDF's name carries this dossier's identifier, its XML's name, or the dossier
        number its XML's name starts with."""
        tokens = (self.written_identifiant, _stem(self.xml.name), dossier_number(self.xml.name))
        return any(token and _carries(pdf.name, token) for token in tokens)

    def cerfa(self) -> Entry | None:
        """The Cerfa copy among the PDFs: named as the XML (demande.xml and demande.pdf;
        HubEE's 10870-XML.xml and 10870-PDF.pdf), else the only one not named after a dossier
        (attachments are: A-1-N8F602RR-recensementCitoyen-jf-1.pdf)."""
        stem, written = _stem(self.xml.name), self.written_identifiant
        names = {stem.casefold(), re.sub("xml$", "pdf", stem, flags=re.IGNORECASE).casefold()}
        named = [pdf for pdf in self.pdfs if _stem(pdf.name).casefold() in names]
        if named:
            return named[0]
        unnamed = [
            pdf
            for pdf in self.pdfs
            if not dossier_number(pdf.name) and not (written and _carries(pdf.name, written))
        ]
        return unnamed[0] if len(unnamed) == 1 else None

    def identifiant(self, digest: str) -> str:
        """`Formalite/Identifiant`; when empty (HubEE's own test dossier), the dossier number
        its files are named after; when none is, the XML's SHA-256."""
        if self.written_identifiant:
            return self.written_identifiant
        names = [self.xml.name, *(pdf.name for pdf in self.pdfs)]
        numbers = sorted({number for number in map(dossier_number, names) if number})
        if len(numbers) > 1:
            raise DossierError(
                f"{self.label} : identifiant du dossier vide et fichiers de plusieurs dossiers "
                f"({', '.join(numbers)}) : refusé, rien n'est enregistré ; déposez chaque "
                "dossier à part."
            )
        return numbers[0] if numbers else digest


def _group(entries: list[Entry], label: Callable[[str], str]) -> tuple[list[_Dossier], list[Entry]]:
    """The dossiers of a set of files, folder by folder: each XML with the PDFs of its folder,
    all of them when it is the folder's only XML, else those it claims by their name. Returns
    the dossiers and the PDFs that no dossier (or more than one) claims."""
    folders: dict[str, list[Entry]] = {}
    for entry in entries:
        folder = str(PurePosixPath(entry.name.replace("\\", "/")).parent)
        folders.setdefault(folder, []).append(entry)
    dossiers, alone = [], []
    for content in folders.values():
        here = [_Dossier.read(e, label(e.name)) for e in content if _suffix(e.name) == ".xml"]
        for pdf in (e for e in content if _suffix(e.name) == ".pdf"):
            owners = here if len(here) == 1 else [d for d in here if d.claims(pdf)]
            if len(owners) == 1:
                owners[0].pdfs.append(pdf)
            else:
                alone.append(pdf)
        dossiers += here
    return dossiers, alone


def _prepare(dossier: _Dossier, digest: str, known: dict[str, Pays]) -> Mapped:
    if dossier.refused:
        raise DossierError(dossier.refused)
    for pdf in dossier.pdfs:
        if pdf.refused:
            raise DossierError(
                f"{dossier.label} : fichier joint {_basename(pdf.name)} refusé : {pdf.refused} ; "
                "dossier refusé, rien n'est enregistré."
            )
    mapped = map_dossier(dossier.label, dossier.root, known)
    mapped.identifiant = dossier.identifiant(digest)
    if len(mapped.identifiant) > DemandeEnLigne._meta.get_field("identifiant").max_length:
        raise DossierError(f"{dossier.label} : identifiant du dossier trop long : refusé.")
    return mapped


def _keep(collectivite: Collectivite, data: bytes, suffix: str, written: list[str]) -> str:
    """Keeps a file of the request; returns its name in the storage."""
    name = f"{STORAGE}/{collectivite.code_insee}/{uuid.uuid4().hex}{suffix}"
    written.append(files.keep(name, [data]).name)
    return written[-1]


def _files(cerfa: Entry | None, attachments: list[Entry]) -> str:
    """How the report names what came with the XML."""
    count = len(attachments)
    pieces = f"{count} pièce{'s' if count > 1 else ''} jointe{'s' if count > 1 else ''}"
    if cerfa and attachments:
        return f"avec son PDF {_basename(cerfa.name)} et {pieces}"
    if cerfa:
        return f"avec son PDF {_basename(cerfa.name)}"
    return f"sans copie du Cerfa, avec {pieces}" if attachments else "sans PDF"


def _store(
    collectivite: Collectivite,
    dossier: _Dossier,
    mapped: Mapped,
    digest: str,
    user: AbstractBaseUser | None,
    written: list[str],
) -> Report:
    label = dossier.label
    received = DemandeEnLigne.objects.for_collectivite(collectivite)
    existing, same = received.filter(sha256=digest).first(), "même contenu"
    if existing is None:
        existing = received.filter(identifiant=mapped.identifiant).first()
        same = "même identifiant"
    if existing is not None:
        return Report(
            label,
            "doublon",
            f"{label} : demande {existing.identifiant} déjà reçue le "
            f"{timezone.localtime(existing.deposee_le):%d/%m/%Y} ({same}) : non dupliquée.",
            existing,
        )
    cerfa = dossier.cerfa()
    attachments = sorted((p for p in dossier.pdfs if p is not cerfa), key=lambda p: p.name)
    demande = DemandeEnLigne(
        collectivite=collectivite,
        identifiant=mapped.identifiant,
        sha256=digest,
        date_soumission=mapped.date_soumission,
        nom=mapped.nom,
        fichier_xml=_keep(collectivite, dossier.xml.data, ".xml", written),
        nom_fichier_xml=_basename(dossier.xml.name)[:255],
        fichier_pdf=_keep(collectivite, cerfa.data, ".pdf", written) if cerfa else "",
        nom_fichier_pdf=_basename(cerfa.name)[:255] if cerfa else "",
        donnees=mapped.donnees,
        non_reprises=mapped.non_reprises,
        deposee_par=user,
    )
    save_by(demande, user)  # also from the command, where no request says who
    PieceJointe.objects.bulk_create(
        PieceJointe(
            demande=demande,
            fichier=_keep(collectivite, pdf.data, ".pdf", written),
            nom=_basename(pdf.name)[:255],
            taille=len(pdf.data),
        )
        for pdf in attachments
    )
    return Report(
        label,
        "creee",
        f"{label} : demande {demande.identifiant} enregistrée ({demande.nom or 'sans nom'}), "
        f"{_files(cerfa, attachments)}.",
        demande,
    )


def _import_dossier(
    collectivite: Collectivite,
    dossier: _Dossier,
    user: AbstractBaseUser | None,
    known: dict[str, Pays],
) -> Report:
    """One dossier, one transaction: the request with its Cerfa copy and its attachments, or
    nothing (and no file left on disk); the other dossiers of the same upload do not wait."""
    digest = hashlib.sha256(dossier.xml.data).hexdigest()
    try:
        mapped = _prepare(dossier, digest, known)
    except DossierError as error:
        return Report(dossier.label, "refuse", str(error))
    written: list[str] = []
    try:
        with transaction.atomic():
            return _store(collectivite, dossier, mapped, digest, user, written)
    except IntegrityError:
        files.delete(*written)
        return Report(
            dossier.label,
            "refuse",
            f"{dossier.label} : le même dossier vient d'être déposé par un autre agent : rien "
            "n'est enregistré, réessayez pour voir le résultat.",
        )
    except BaseException:
        files.delete(*written)
        raise


def _unclaimed(label: str, pdf: Entry) -> Report:
    if pdf.refused:
        return Report(label, "refuse", f"{label} : {pdf.refused} : refusé, rien n'est enregistré.")
    return Report(label, "ignore", f"{label} : PDF sans dossier XML correspondant : ignoré.")


def _import_zip(
    collectivite: Collectivite,
    upload: Upload,
    user: AbstractBaseUser | None,
    known: dict[str, Pays],
) -> list[Report]:
    try:
        entries, ignored = _read_zip(upload)
    except DossierError as error:
        return [Report(upload.name, "refuse", str(error))]
    dossiers, alone = _group(entries, lambda inner: f"{upload.name} : {inner}")
    if not dossiers:
        return [
            Report(
                upload.name,
                "refuse",
                f"{upload.name} : aucun dossier XML dans l'archive : rien n'est enregistré.",
            )
        ]
    reports = [_import_dossier(collectivite, dossier, user, known) for dossier in dossiers]
    reports += [_unclaimed(f"{upload.name} : {e.name}", e) for e in alone]
    reports += [
        Report(f"{upload.name} : {n}", "ignore", f"{upload.name} : {n} : ni XML ni PDF : ignoré.")
        for n in ignored
    ]
    return reports


def import_uploads(
    collectivite: Collectivite,
    uploads: Iterable[Upload],
    user: AbstractBaseUser | None = None,
) -> list[Report]:
    """Store each dossier of the uploaded files (XML, Cerfa copy and attachments in PDF, ZIP of
    dossiers) as a request to validate, each in its own transaction; a dossier already received
    (same identifier or same XML content) is reported, not duplicated. One report per dossier
    or file left aside, in order."""
    known = countries()
    reports: list[Report] = []
    loose: list[Entry] = []
    for upload in uploads:
        suffix = _suffix(upload.name)
        if suffix == ".zip":
            reports += _import_zip(collectivite, upload, user, known)
        elif suffix in (".xml", ".pdf"):
            loose.append(_read(upload))
        else:
            reports.append(
                Report(
                    upload.name,
                    "refuse",
                    f"{upload.name} : type de fichier non pris en charge (XML, PDF ou ZIP).",
                )
            )
    dossiers, alone = _group(loose, lambda name: name)
    reports += [_import_dossier(collectivite, dossier, user, known) for dossier in dossiers]
    reports += [_unclaimed(e.name, e) for e in alone]
    return reports


# --- Checking, completing, validating, refusing -----------------------------------------------


def donnees_recense(demande: DemandeEnLigne) -> Recense:
    """The registrant the request describes, not saved: the form starts from it."""
    values = {}
    for name, value in demande.donnees.items():
        if Recense._meta.get_field(name).get_internal_type() == "DateField" and value:
            value = datetime.date.fromisoformat(value)
        values[name] = value
    return Recense(
        collectivite=demande.collectivite, date_recensement=demande.date_recensement, **values
    )


def in_collectivite(collectivite: Collectivite, code: str) -> bool:
    """The commune itself, or one of its municipal arrondissements (Paris, Lyon, Marseille)."""
    return (
        code == collectivite.code_insee
        or Commune.objects.filter(
            code=code, typecom=TypeCommune.ARM, comparent=collectivite.code_insee
        ).exists()
    )


def problems(demande: DemandeEnLigne) -> list[Problem]:
    """Why the request may have to be refused: domicile elsewhere, age outside 16–25 on the
    submission date, person already registered (the registrant form's duplicate guard)."""
    found = []
    values, collectivite = demande.donnees, demande.collectivite
    code = values.get("domicile_code_lieu", "")
    if code and not in_collectivite(collectivite, code):
        found.append(
            Problem(
                None,
                str(demande),
                "domicile_code_lieu",
                f"Le domicile déclaré ({values.get('domicile_commune')}, {code}) n'est pas dans "
                f"la collectivité ({collectivite}) : la demande relève de la mairie du domicile.",
            )
        )
    day = demande.date_recensement
    if is_closed(collectivite, day.year, quarter_of(day)):
        found.append(
            Problem(
                None,
                str(demande),
                "date_recensement",
                f"{closed_message(day.year, quarter_of(day))} Une demande du "
                f"{day:%d/%m/%Y} ne peut plus y être enregistrée.",
            )
        )
    born = values.get("date_naissance")
    if born:
        try:
            decide_mode(datetime.date.fromisoformat(born), demande.date_recensement)
        except OutOfAgeError as error:
            found.append(
                Problem(None, str(demande), error.field, f"À la date de la demande : {error}")
            )
    if born and values.get("nom_naissance") and values.get("prenoms"):
        recense = (
            Recense.objects.for_collectivite(collectivite)
            .filter(
                identite=identity_key(values["nom_naissance"], values["prenoms"]),
                date_naissance=born,
            )
            .exclude(pk=demande.recense_id)
            .first()
        )
        if recense:
            found.append(
                Problem(
                    recense.pk,
                    str(recense),
                    "",
                    f"Cette personne est déjà recensée : {recense}, recensé(e) le "
                    f"{recense.date_recensement:%d/%m/%Y}.",
                )
            )
    return found


def _locked(demande: DemandeEnLigne) -> DemandeEnLigne:
    locked = DemandeEnLigne.objects.select_for_update().get(pk=demande.pk)
    if not locked.a_traiter:
        raise DemandeError(f"Cette demande a déjà été {locked.get_statut_display()}.")
    return locked


def validate(demande: DemandeEnLigne, recense: Recense, user: AbstractBaseUser) -> Recense:
    """Create the registrant completed from the request (the validation form's, not yet saved)
    and mark the request done, linked to it, in one transaction."""
    with transaction.atomic():
        locked = _locked(demande)
        recense.save()
        locked.statut, locked.recense = StatutDemande.VALIDEE, recense
        locked.traitee_le, locked.traitee_par = timezone.now(), user
        save_by(locked, user)
    return recense


def refuse(demande: DemandeEnLigne, motif: str, user: AbstractBaseUser) -> None:
    motif = motif.strip()
    if not motif:
        raise DemandeError("Indiquez le motif du refus : il est conservé avec la demande.")
    with transaction.atomic():
        locked = _locked(demande)
        locked.statut, locked.motif_refus = StatutDemande.REFUSEE, motif
        locked.traitee_le, locked.traitee_par = timezone.now(), user
        save_by(locked, user)
