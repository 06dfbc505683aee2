"""Places of the notices and lists: a commune (its INSEE code) or a country (INSEE 99xxx)."""

from django.db.models import Q

from mairie.models import CODE_FRANCE

COUNTRY_PREFIX = "99"


def is_abroad(code_lieu: str) -> bool:
    """The one definition of a place abroad: its INSEE code is a country's (99xxx), France's own
    (99100) excepted; an empty code is not abroad."""
    return code_lieu.startswith(COUNTRY_PREFIX) and code_lieu != CODE_FRANCE


def abroad(field: str) -> Q:
    """is_abroad as a query condition on the code field `field`."""
    return Q(**{f"{field}__startswith": COUNTRY_PREFIX}) & ~Q(**{field: CODE_FRANCE})
