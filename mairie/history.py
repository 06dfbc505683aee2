"""The audit trail of a model registered with django-simple-history, as agents read it."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models

KINDS = {"+": "Création", "~": "Modification", "-": "Suppression"}


def save_by(instance: models.Model, user, **kwargs) -> None:
    """Save `instance`, its history record naming `user` as who made the change. Only a view
    knows the request's user (the middleware's); commands and tasks call the services too, so
    every service that saves an audited object says who, through here. `user` None leaves the
    request's, if any."""
    if user is not None:
        instance._history_user = user
    instance.save(**kwargs)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    date: datetime
    user: str
    kind: str
    changes: list[Change]


def _display(record: models.Model, field_name: str) -> str:
    field = record._meta.get_field(field_name)
    value = getattr(record, field.attname)
    if field.is_relation and value is not None:
        try:
            return str(getattr(record, field.name))
        except field.related_model.DoesNotExist:
            return f"n° {value} (supprimé)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def history_entries(obj: models.Model) -> list[HistoryEntry]:
    """Newest first: who, when, and for a modification which fields went from what to what."""
    records = list(obj.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = record._meta.get_field(change.field)
                changes.append(
                    Change(
                        str(field.verbose_name),
                        _display(previous, change.field),
                        _display(record, change.field),
                    )
                )
        user = record.history_user
        entries.append(
            HistoryEntry(
                record.history_date,
                (user.get_full_name() or user.username) if user else "système",
                KINDS.get(record.history_type, record.history_type),
                changes,
            )
        )
        previous = record
    return entries[::-1]
