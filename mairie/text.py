"""Text folding shared by searches and exchange files (INSEE style: uppercase, no diacritics)."""

import re
import unicodedata

# Letters and marks that Unicode does not decompose into ASCII, written as INSEE writes them.
_LIGATURES = str.maketrans(
    {
        "Œ": "OE",
        "œ": "OE",
        "Æ": "AE",
        "æ": "AE",
        "ß": "SS",
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "ı": "i",
        "’": "'",
        "ʼ": "'",
    }
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_OUTSIDE_EXCHANGE = re.compile(r"[^A-Z0-9 '\-./]")
_SPACES = re.compile(r" +")


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_key(value: str) -> str:
    """Uppercase ASCII words separated by one space: 'L'Haÿ-les-Roses' -> 'L HAY LES ROSES'."""
    if value.isascii():  # the common case, a quarter of the cost (million-line imports)
        return _NOT_ALNUM.sub(" ", value.upper()).strip()
    return _NOT_ALNUM.sub(" ", strip_accents(value).upper()).strip()


def french_number(count: int) -> str:
    """1 000 000, as French writes a count (narrow no-break spaces between thousands)."""
    return f"{count:,}".replace(",", "\u202f")


def _exchange_char(char: str) -> str:
    # A letter with no ASCII form is kept: validators report it rather than lose it.
    if not char.isascii():
        return char if char.isalpha() else " "
    return " " if _OUTSIDE_EXCHANGE.match(char) else char


def exchange_text(value: str) -> str:
    """Text as exchange files write it (INSEE style, ASCII, single spaces):
    "Zoé  Cœur, L'Haÿ" -> "ZOE COEUR L'HAY"."""
    kept = "".join(map(_exchange_char, strip_accents(value).upper()))
    return _SPACES.sub(" ", kept).strip()


# What a CSV writer guards against spreadsheet formulas (defusedcsv's rule, which the list
# export follows): a value starting with one of these, not a number, gets a leading apostrophe.
FORMULA_STARTS = ("@", "+", "-", "=", "|", "%")


def unguard_formula(value: str) -> str:
    """A value as it was before a CSV writer guarded it: "'=1+2" -> "=1+2", "'\\|x" -> "|x"."""
    if value[:1] == "'" and (value[1:2] in FORMULA_STARTS or value[1:3] == "\\|"):
        return value[1:].replace("\\|", "|")
    return value
