"""The "Historique des modifications" of a record edited through `portal.editing`: who saved
it, when, and what changed (the list stored by `save_record`, or simple-history's diff for rows
saved another way), in the reader's language. Shown by the partial
`templates/includes/history.html`.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from portal.editing import UNLISTED_FIELDS, Change, FieldChange, render_changes


def record_history(**kwargs) -> HistoricalRecords:
    """simple-history for a record edited through `portal.editing`: each save stores the list of
    what changed (field, old → new raw values: `FieldChange`) in `history_change_reason`, as
    JSON.

    Usage on the model: `history = record_history()`.
    """
    return HistoricalRecords(history_change_reason_field=models.JSONField(null=True), **kwargs)


def author_label(user) -> str:
    """Who made a change, as a family should read it: its login, or "le secrétariat"."""
    if user is None:
        return gettext("le portail")
    if getattr(user, "family_id", None) is None:
        return gettext("le secrétariat")
    responsable = getattr(user, "responsable", None)
    if responsable is None:
        return user.get_username()
    return f"{user.get_username()} ({responsable.display_name})"


# The author named in the language of the text it ends up in (an e-mail's recipient's).
author_label_lazy = lazy(author_label, str)


@dataclass
class HistoryEntry:
    """One save of a record: when, by whom, what changed."""

    when: datetime
    author: str
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's history_type)
    changes: list[Change] = field(default_factory=list)

    @property
    def is_creation(self) -> bool:
        return self.kind == "+"


def _ordered(history):
    """Newest first, with the author and their responsable for `author_label`."""
    return history.select_related("history_user__responsable").order_by(
        "-history_date", "-history_id"
    )


def stored_changes(row, older=None) -> list[FieldChange] | list[dict]:
    """What a historical row changed, as stored: the list saved by `save_record`, or, for a
    row saved another way (e.g. by a script), its difference with the row saved before it
    (`older` when at hand)."""
    stored = row.history_change_reason
    if isinstance(stored, list):
        return stored
    if row.history_type == "~":
        previous = older if older is not None else row.prev_record
        return _diff(row, previous) if previous is not None else []
    return []


def _entry(row, older) -> HistoryEntry:
    """The entry of a historical row; `older` is the row saved just before it, when at hand."""
    changes = render_changes(stored_changes(row, older))
    return HistoryEntry(
        when=row.history_date,
        author=author_label(row.history_user),
        kind=row.history_type,
        changes=changes,
    )


def _diff(record, previous) -> list[FieldChange]:
    model = record.instance_type
    delta = record.diff_against(previous, excluded_fields=UNLISTED_FIELDS)
    return [FieldChange.of(model, item.field, item.old, item.new) for item in delta.changes]


def history_page(history, *, page_number=None, per_page: int = 10) -> Page:
    """A page of one record's history (`record.history.all()`), newest first, as
    `HistoryEntry` objects."""
    page = Paginator(_ordered(history), per_page).get_page(page_number)
    rows = list(page.object_list)
    page.object_list = [
        _entry(row, rows[index + 1] if index + 1 < len(rows) else None)
        for index, row in enumerate(rows)
    ]
    return page


def changes_since(record, version: int) -> list[HistoryEntry]:
    """The saves of `record` after `version`, oldest first (shown after a refused save)."""
    rows = list(_ordered(record.history.filter(version__gt=version))[:50])
    rows.reverse()
    return [_entry(row, rows[index - 1] if index else None) for index, row in enumerate(rows)]
