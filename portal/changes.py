"""Editing a record the way every tab does it (Famille, Élèves): what changed, the receipt, the
history, and no lost update.

A record tab uses it like this (see `families/views.py` and `families/services.py`):

1. The page shows the record's forms (mix `TrackEditsMixin` into each ModelForm) and a
   `VersionForm` carrying the record's `version` at reading time.
2. On POST, inside `transaction.atomic()`, the record is read again with `select_for_update()`.
   If the forms are valid but `is_stale(version_form, record)`, nothing is saved: the page
   shows `changes_since(record, version)` ("modifié entre-temps") and the forms rebuilt with
   `rebase_form()`: the user's own edits applied on top of the current record, ready to be
   saved again.
3. Otherwise `form_changes()` lists what changed (label, old → new, French display); with no
   change nothing is saved nor sent. With changes the forms are saved, then
   `save_record(record, changes=...)` bumps the version and stores the list on the record's
   historical row (simple-history, `history_change_reason` as a JSON field), and
   `send_change_receipt()` queues the "accusé de réception" in the same transaction.
4. The page shows "Éléments modifiés" (`flash_changes` / `pop_flashed_changes` across the
   redirect) and the "Historique des modifications" (`history_page` and the partial
   `templates/includes/history.html`).

The record's model needs `version = models.PositiveIntegerField(default=1)` and
`history = portal.fields.record_history()` (simple-history, with the change list stored as
JSON in `history_change_reason`). Who receives a family's receipts:
`families.services.receipt_recipients(family)`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from portal.emails import send_templated_email
from portal.fields import PhoneNumberFormField
from portal.validators import format_phone

# Bookkeeping fields never listed as changes.
UNLISTED_FIELDS = {"id", "version", "created_at", "updated_at", "family"}


@dataclass(frozen=True)
class Change:
    """One changed field, with French display values ("" when the field was or became empty)."""

    label: str
    old: str
    new: str
    section: str = ""

    def as_json(self) -> dict:
        return {"label": self.label, "old": self.old, "new": self.new, "section": self.section}

    @classmethod
    def from_json(cls, data: dict) -> "Change":
        return cls(
            label=str(data.get("label", "")),
            old=str(data.get("old", "")),
            new=str(data.get("new", "")),
            section=str(data.get("section", "")),
        )


def display_value(form_field: forms.Field, value) -> str:
    """A value as the family reads it: choice labels, dates in French, phones "06 12 34 56 78"."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("Oui") if value else gettext("Non")
    if isinstance(form_field, PhoneNumberFormField):
        return format_phone(value)
    choices = getattr(form_field, "choices", None)
    if choices:
        labels = {str(key): label for key, label in choices if not isinstance(label, list | tuple)}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y")
    return str(value)


def _same(old, new) -> bool:
    empty = (None, "")
    if old in empty and new in empty:
        return True
    return old == new


def form_changes(form: forms.BaseForm, *, section: str = "") -> list[Change]:
    """The fields of a valid form whose value differs from the stored one.

    The stored values are the form's `initial` (for a ModelForm, the instance as it was read in
    this request); a form without an instance compares with empty values.
    """
    changes = []
    for name, form_field in form.fields.items():
        if name in UNLISTED_FIELDS or name not in form.cleaned_data or form_field.widget.is_hidden:
            continue
        old = form.get_initial_for_field(form_field, name)
        new = form.cleaned_data[name]
        if _same(old, new):
            continue
        changes.append(
            Change(
                label=str(form_field.label or name),
                old=display_value(form_field, old),
                new=display_value(form_field, new),
                section=section,
            )
        )
    return changes


class TrackEditsMixin:
    """Renders each field's initial value in a hidden input, so that after a conflict we know
    which fields the user really edited (`form.changed_data`) and can re-apply only those."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            form_field.show_hidden_initial = True


class VersionForm(forms.Form):
    """The version of the record the page was read at (optimistic concurrency)."""

    prefix = "record"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def for_record(cls, record) -> "VersionForm":
        return cls(initial={"version": record.version})


def is_stale(version_form: VersionForm, record) -> bool:
    """True when the record was saved by someone else since the page was read (or when the
    version is missing: then we cannot tell, and refuse rather than overwrite)."""
    if not version_form.is_valid():
        return True
    return version_form.cleaned_data["version"] != record.version


def rebase_form(form: forms.BaseForm, *, instance=None, **kwargs) -> forms.BaseForm:
    """The same form, bound to the current record with only the user's edits applied on top.

    Fields the user did not touch take the current stored value (so that re-saving does not
    undo what someone else changed meanwhile); hidden initials become the current values.
    `instance` must be read again from the database: validating a ModelForm writes the posted
    values into its instance.
    """
    current = form.__class__(instance=instance, prefix=form.prefix, **kwargs)
    edited = set(form.changed_data)
    data = form.data.copy()
    for name in current.fields:
        stored = current[name].value()
        stored = "" if stored is None else stored
        if name not in edited:
            _set(data, form.add_prefix(name), stored)
        _set(data, form.add_initial_prefix(name), stored)
    return form.__class__(data=data, instance=instance, prefix=form.prefix, **kwargs)


def _set(data, key: str, value) -> None:
    if hasattr(data, "setlist"):  # a QueryDict (request.POST)
        data.setlist(key, list(value) if isinstance(value, list | tuple) else [value])
    else:
        data[key] = value


def save_record(record: models.Model, *, changes: Sequence[Change], user=None) -> None:
    """Bumps the record's version and saves it, storing the changes on its historical row.

    Call it after saving the record's related rows, even when only those changed: the record's
    own historical row is where the history of the whole edit is kept.
    """
    record.version += 1
    record._change_reason = [change.as_json() for change in changes]
    if user is not None and user.is_authenticated:
        record._history_user = user
    record.save()


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


def send_change_receipt(
    *,
    to: Iterable[str],
    record_label: str,
    changes: Sequence[Change],
    author: str,
    record_url: str,
) -> None:
    """The "accusé de réception": queued in the caller's transaction, lists old → new values.

    `record_label` names the record in a sentence: "la fiche famille", "la fiche de Léa".
    """
    send_templated_email(
        to=to,
        template="record_changed",
        context={
            "record_label": record_label,
            "changes": list(changes),
            "author": author,
            "changed_at": timezone.localtime(),
            "record_url": record_url,
        },
    )


_FLASH_KEY = "portal.changes:{}"


def flash_changes(request, key: str, changes: Sequence[Change]) -> None:
    """Keeps the changes for the page shown after the redirect ("Éléments modifiés")."""
    request.session[_FLASH_KEY.format(key)] = [change.as_json() for change in changes]


def pop_flashed_changes(request, key: str) -> list[Change]:
    return [Change.from_json(item) for item in request.session.pop(_FLASH_KEY.format(key), [])]


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
