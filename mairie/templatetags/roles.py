from django import template

from mairie.models import Affectation

register = template.Library()


@register.filter
def allows(affectation: Affectation | None, role: str) -> bool:
    """Whether the agent's role covers `role`, by the one rule (`Affectation.allows`):
    {% if current_affectation|allows:"elections" %}."""
    return affectation is not None and affectation.allows(role)
