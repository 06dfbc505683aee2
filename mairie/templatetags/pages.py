from django import template
from django.forms import BoundField

from mairie.aide import section_for
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


@register.simple_tag
def error_summary(*forms) -> dict:
    """What partials/form_errors.html says above a form (RGAA 11.10): the forms' own errors,
    then each field in error with its label and the id its link leads to, in the form's order;
    and whether a field is required, for the legend of the asterisk. A form may be missing
    (an optional second form): it is skipped."""
    non_field_errors, fields, required = [], [], False
    for form in filter(None, forms):
        non_field_errors += form.non_field_errors()
        for field in form:
            required = required or (field.field.required and not field.is_hidden)
            if field.errors:
                fields.append(
                    {"label": field.label, "anchor": _anchor(field), "errors": field.errors}
                )
    return {
        "count": len(non_field_errors) + len(fields),
        "non_field_errors": non_field_errors,
        "fields": fields,
        "required": required,
    }


def _anchor(field: BoundField) -> str:
    """The id of the input a field's label points to; a group of radios or checkboxes has no
    label target of its own: its first choice. None for a hidden field."""
    if field.is_hidden or not field.auto_id:
        return ""
    return field.id_for_label or f"{field.auto_id}_0"


@register.simple_tag(takes_context=True)
def help_section(context) -> str:
    """The id of the help section for the page being shown (mairie.aide)."""
    request = context.get("request")
    return section_for(request) if request is not None else ""
