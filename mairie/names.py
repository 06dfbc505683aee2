"""The names of persons: the one rule of what a surname, birth name, usage name or first names may
hold (registrants, their parents, voters: forms, models, online requests and the REU import all
ask `name_problem`). The French names of the demo data are in `mairie.demo_names`.

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
