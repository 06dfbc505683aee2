"""Phone numbers as agents type them and as they are stored and exported: 10 digits."""

import re

# Separators people write between the pairs of digits.
_SEPARATORS = re.compile(r"[\s.\-/]")


def normalise_phone(value: str) -> str:
    """'06 12 34 56 78', '06.12.34.56.78', '06-12-34-56-78', '+33 6 12 34 56 78' and
    '0033 6 12 34 56 78' all become '0612345678'; what is left is for the validators to judge."""
    digits = _SEPARATORS.sub("", value)
    if digits.startswith("+33"):
        return "0" + digits[3:]
    if digits.startswith("0033"):
        return "0" + digits[4:]
    return digits
