"""The names of persons: the one rule of what a surname, birth name, usage name or first names may
hold (registrants, their parents, voters: forms, models, online requests and the REU import all
ask `name_problem`), and the French names of the demo data of every module.

A name is stored as typed (accents kept, composed), and a surname is shown and printed in
capitals (`|upper` in templates, `str.upper()` in code): the history, the searches (folded) and
the exchange files (which fold to capitals themselves) read the stored value.
"""

import re
import unicodedata
from functools import lru_cache

from django.core.exceptions import ValidationError

from mairie.text import strip_accents

# Between the letters of a name: space, hyphen, apostrophe (typewriter or typographic).
NAME_SEPARATORS = frozenset(" -'\u2019")
_ASCII_NAME = re.compile(r"[A-Za-z' \-]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
NAME_RULE = (
    "un nom ne s'écrit qu'en lettres latines (accentuées ou non), espaces, traits d'union et "
    "apostrophes"
)


@lru_cache(maxsize=4096)
def is_name_letter(char: str) -> bool:
    """A Latin letter, accented or not, that exchange files can write in capitals without
    accents (é -> E, œ -> OE, ß -> SS, ł -> L): not a Greek or Cyrillic letter, nor a letter
    with no ASCII form (þ, ð), nor a compatibility form (ﬃ, fullwidth Ａ) a font may lack."""
    base, *marks = unicodedata.normalize("NFD", char)
    if not base.isalpha() or unicodedata.decomposition(base):
        return False
    if not all(unicodedata.combining(mark) for mark in marks):
        return False
    folded = strip_accents(base)
    return folded.isascii() and folded.isalpha()


def _shown(char: str) -> str:
    """A refused character as an agent can read it: invisible ones by their code point."""
    if char.isprintable() and not char.isspace() and unicodedata.category(char)[0] != "M":
        return f"« {char} »"
    return f"U+{ord(char):04X}"


def name_problem(value: str) -> str:
    """Why `value` cannot be a person's name, in French (lower case, no full stop, to follow a
    field's label), or "" when it can: Latin letters with their accents, spaces, hyphens and
    apostrophes, and at least one letter. An empty value is for the caller to require."""
    if not value:
        return ""
    if value.isascii() and _ASCII_NAME.fullmatch(value):  # the common case, for big imports
        return "" if _ASCII_LETTER.search(value) else f"aucune lettre : {NAME_RULE}"
    text = unicodedata.normalize("NFC", value)
    refused = dict.fromkeys(c for c in text if c not in NAME_SEPARATORS and not is_name_letter(c))
    if refused:
        plural = "s" if len(refused) > 1 else ""
        shown = ", ".join(map(_shown, refused))
        return f"caractère{plural} non admis {shown} : {NAME_RULE}"
    if not any(map(is_name_letter, text)):
        return f"aucune lettre : {NAME_RULE}"
    return ""


def validate_name(value: str) -> None:
    """Model and form validator of the names of persons."""
    problem = name_problem(value)
    if problem:
        raise ValidationError(f"{problem[0].upper()}{problem[1:]}.", code="nom")


def normalise_name(value: str) -> str:
    """A name as stored: composed accents (a decomposed é typed on some keyboards is one
    letter), one space between words, none at the ends."""
    return " ".join(unicodedata.normalize("NFC", value).split())


NOMS = [
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MÜLLER", "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "MASSON", "MARCHAND", "DUVAL", "DENIS",
    "DUMONT", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN", "BLANCHARD", "JOLY",
    "RIVIÈRE", "BRUNET", "GAILLARD", "BARBIER", "LE GOFF", "LE GALL", "LE ROUX", "KERBRAT",
    "LE BIHAN", "GUILLOU", "SANTONI", "ALBERTINI", "PAOLI", "CASANOVA", "N'DIAYE", "DA SILVA",
    "DOS SANTOS", "BENALI", "NGUYEN", "SAINT-JEAN", "D'ALMEIDA", "LE MOAL-PRIGENT",
]  # fmt: skip

# (first year of birth, masculine first names, feminine first names), oldest generation first.
PRENOMS_PAR_GENERATION = [
    (
        1900,
        [
            "Jean", "Pierre", "André", "René", "Marcel", "Louis", "Roger", "Henri", "Georges",
            "Joseph", "Maurice", "Robert", "Lucien", "Raymond", "Marius", "Ange-Marie",
        ],
        [
            "Marie", "Jeanne", "Yvonne", "Madeleine", "Suzanne", "Marguerite", "Germaine",
            "Odette", "Simone", "Denise", "Paulette", "Renée", "Marie-Thérèse", "Lucienne",
        ],
    ),
    (
        1946,
        [
            "Michel", "Alain", "Bernard", "Gérard", "Daniel", "Patrick", "Jacques", "Claude",
            "Philippe", "Jean-Pierre", "Jean-Claude", "Serge", "Christian", "Guy", "Yves",
        ],
        [
            "Monique", "Françoise", "Martine", "Nicole", "Catherine", "Christiane", "Danielle",
            "Brigitte", "Annie", "Sylvie", "Évelyne", "Chantal", "Josiane", "Marie-Claude",
        ],
    ),
    (
        1966,
        [
            "Christophe", "Stéphane", "Laurent", "Frédéric", "Olivier", "Éric", "Thierry",
            "Pascal", "Sébastien", "Nicolas", "David", "Franck", "Jérôme", "Jean-François",
            "Yannick", "Hervé",
        ],
        [
            "Nathalie", "Isabelle", "Valérie", "Sandrine", "Véronique", "Sophie", "Céline",
            "Karine", "Christelle", "Stéphanie", "Virginie", "Corinne", "Anne-Sophie", "Gaëlle",
        ],
    ),
    (
        1986,
        [
            "Thomas", "Kévin", "Julien", "Maxime", "Alexandre", "Quentin", "Romain", "Anthony",
            "Florian", "Guillaume", "Mathieu", "Lucas", "Hugo", "Théo", "Enzo", "Loïc", "Mehdi",
        ],
        [
            "Julie", "Laura", "Marine", "Camille", "Manon", "Pauline", "Émilie", "Élodie",
            "Mélanie", "Sarah", "Léa", "Chloé", "Océane", "Inès", "Maëlle", "Anaïs",
        ],
    ),
]  # fmt: skip


def prenoms_of_generation(year: int) -> tuple[list[str], list[str]]:
    """(masculine, feminine) first names given in the year of birth `year`."""
    chosen = PRENOMS_PAR_GENERATION[0]
    for generation in PRENOMS_PAR_GENERATION:
        if year >= generation[0]:
            chosen = generation
    return chosen[1], chosen[2]
