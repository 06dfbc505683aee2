"""Places of the notices and lists: a commune (its INSEE code) or a country (INSEE 99xxx)."""

from mairie.models import CODE_FRANCE


def is_abroad(code_lieu: str) -> bool:
    """The one definition of a place abroad: its INSEE code is a country's (99xxx), France's own
    (99100) excepted; an empty code is not abroad."""
    return code_lieu.startswith("99") and code_lieu != CODE_FRANCE
