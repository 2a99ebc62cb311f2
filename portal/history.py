"""The "Historique des modifications" of a record edited through `portal.editing`: who saved
it, when, and what changed (the list stored by `save_record`, or simple-history's diff for rows
saved another way). Shown by the partial `templates/includes/history.html`.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext

from portal.editing import UNLISTED_FIELDS, Change, display_value


def author_label(user) -> str:
    """Who made a change, as a family should read it: its login, or "le secrétariat"."""
    if user is None:
        return gettext("le portail")
    responsable = getattr(user, "responsable", None)
    return _author_text(
        user.get_username(),
        is_family=getattr(user, "family_id", None) is not None,
        responsable_name=responsable.display_name if responsable is not None else None,
    )


def _author_text(username: str, *, is_family: bool, responsable_name: str | None) -> str:
    if not is_family:
        return gettext("le secrétariat")
    return f"{username} ({responsable_name})" if responsable_name else username


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


# What an entry shows, read without the records' other columns nor the author's whole rows.
_ENTRY_COLUMNS = (
    "history_id",
    "history_date",
    "history_type",
    "history_change_reason",
    "history_user_id",
    "history_user__username",
    "history_user__family_id",
    "history_user__responsable_id",
    "history_user__responsable__last_name",
    "history_user__responsable__first_name",
)


def _row_author(row: dict) -> str:
    """`author_label` of a row of `_ENTRY_COLUMNS`."""
    if row["history_user_id"] is None:
        return author_label(None)
    responsable_name = None
    if row["history_user__responsable_id"] is not None:
        responsable_name = apps.get_model("families", "Responsable").format_name(
            row["history_user__responsable__last_name"],
            row["history_user__responsable__first_name"],
        )
    return _author_text(
        row["history_user__username"],
        is_family=row["history_user__family_id"] is not None,
        responsable_name=responsable_name,
    )


def _needs_diff(row: dict, previous: dict | None) -> bool:
    return (
        previous is not None
        and row["history_type"] == "~"
        and not isinstance(row["history_change_reason"], list)
    )


def _entries(history, pairs) -> list[HistoryEntry]:
    """The entries of (row, the row saved just before it or None) pairs of `_ENTRY_COLUMNS`.

    Rows saved with a stored change list (all the portal's saves) need nothing more; the whole
    records of rows saved without one (e.g. by a script) are read in one more query, to compare.
    """
    to_diff = {
        row["history_id"]: previous["history_id"]
        for row, previous in pairs
        if _needs_diff(row, previous)
    }
    records = {}
    if to_diff:
        ids = set(to_diff) | set(to_diff.values())
        records = {record.history_id: record for record in history.filter(history_id__in=ids)}
    entries = []
    for row, _previous in pairs:
        stored = row["history_change_reason"]
        if isinstance(stored, list):
            changes = [Change.from_json(item) for item in stored if isinstance(item, dict)]
        elif row["history_id"] in to_diff:
            record = records[row["history_id"]]
            changes = _diff(record, records[to_diff[row["history_id"]]])
        else:
            changes = []
        entries.append(
            HistoryEntry(
                when=row["history_date"],
                author=_row_author(row),
                kind=row["history_type"],
                changes=changes,
            )
        )
    return entries


def _diff(record, previous) -> list[Change]:
    """For rows saved outside `save_record` (e.g. a script): compare with the previous row."""
    model = record.instance_type
    delta = record.diff_against(previous, excluded_fields=UNLISTED_FIELDS)
    changes = []
    for item in delta.changes:
        model_field = model._meta.get_field(item.field)
        form_field = model_field.formfield() or forms.CharField()
        changes.append(
            Change(
                label=capfirst(str(model_field.verbose_name)),
                old=display_value(form_field, item.old),
                new=display_value(form_field, item.new),
            )
        )
    return changes


def history_of(record) -> models.QuerySet:
    """`record.history.all()` as a plain queryset of the historical rows: simple-history builds a
    new manager class at each `record.history` access, which costs as much as a small query."""
    history_model = type(record).__dict__["history"].model  # the descriptor, not its manager
    return history_model._default_manager.filter(**{record._meta.pk.attname: record.pk})


def _ordered(history):
    return history.order_by("-history_date", "-history_id").values(*_ENTRY_COLUMNS)


def history_page(history, *, page_number=None, per_page: int = 10) -> Page:
    """A page of one record's history (`history_of(record)`), newest first.

    `page.object_list` holds `HistoryEntry` objects. On the first page of a history that fits
    in it (the usual case) one narrow query: the page plus the row just after it (to show what
    changed in rows saved without a stored list), whose length gives the count. Otherwise one
    more for the count. Whole records are read (one more query) only for rows saved without a
    stored list; nothing per entry.
    """
    paginator = Paginator(_ordered(history), per_page)
    first_rows = None
    if str(page_number or 1) == "1":
        first_rows = list(paginator.object_list[: per_page + 1])
        if len(first_rows) <= per_page:
            paginator.count = len(first_rows)  # a cached property: no count query
    page = paginator.get_page(page_number)
    if first_rows is not None and page.number == 1:
        rows = first_rows
    else:
        start = (page.number - 1) * per_page
        rows = list(paginator.object_list[start : start + per_page + 1])
    page.object_list = _entries(
        history,
        [
            (row, rows[index + 1] if index + 1 < len(rows) else None)
            for index, row in enumerate(rows[:per_page])
        ],
    )
    return page


def changes_since(record, version: int) -> list[HistoryEntry]:
    """The saves of `record` after `version`, oldest first (shown after a refused save)."""
    history = history_of(record).filter(version__gt=version)
    rows = list(_ordered(history)[:50])
    rows.reverse()
    return _entries(
        history, [(row, rows[index - 1] if index else None) for index, row in enumerate(rows)]
    )
