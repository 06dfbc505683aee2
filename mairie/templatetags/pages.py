from django import template

from mairie.text import french_number

register = template.Library()


@register.filter
def nombre(value) -> str:
    """A count as French writes it: {{ count|nombre }} shows 12 345."""
    try:
        return french_number(int(value))
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current address with another page number, the list's filters kept."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
