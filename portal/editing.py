"""Editing a record the way every tab does it (Famille, Élèves): what changed, and no lost
update.

A record tab uses it like this (see `families/views.py` and `families/services.py`):

1. The page shows the record's forms (mix `TrackEditsMixin` into each ModelForm) and a
   `VersionForm` carrying the record's `version` at reading time.
2. On POST, inside `transaction.atomic()`, the record is read again with `select_for_update()`.
   If the forms are valid but `is_stale(version_form, record)`, nothing is saved: the page
   shows `portal.history.changes_since(record, version)` ("modifié entre-temps") and the forms
   rebuilt with `rebase_form()`: the user's own edits applied on top of the current record,
   ready to be saved again.
3. Otherwise `form_changes()` lists what changed (label, old → new, French display); with no
   change nothing is saved nor sent. With changes the forms are saved, then
   `save_record(record, changes=...)` bumps the version and stores the list on the record's
   historical row (simple-history, `history_change_reason` as a JSON field), and
   `portal.receipts.send_change_receipt()` queues the "accusé de réception" in the same
   transaction.
4. The page shows "Éléments modifiés" (`flash_changes` / `pop_flashed_changes` across the
   redirect) and the "Historique des modifications" (`portal.history`).

The record's model needs `version = models.PositiveIntegerField(default=1)` and
`history = portal.history.record_history()` (simple-history, with the change list stored as
JSON in `history_change_reason`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.db import models
from django.utils.translation import gettext
from phonenumber_field.formfields import PhoneNumberField

from portal.dates import long_date, long_datetime
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
    if isinstance(form_field, PhoneNumberField):
        return format_phone(value)
    choices = getattr(form_field, "choices", None)
    if choices:
        labels = {str(key): label for key, label in choices if not isinstance(label, list | tuple)}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, datetime):
        return long_datetime(value)
    if isinstance(value, date):
        return long_date(value)
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


_FLASH_KEY = "portal.editing:{}"


def flash_changes(request, key: str, changes: Sequence[Change]) -> None:
    """Keeps the changes for the page shown after the redirect ("Éléments modifiés")."""
    request.session[_FLASH_KEY.format(key)] = [change.as_json() for change in changes]


def pop_flashed_changes(request, key: str) -> list[Change]:
    return [Change.from_json(item) for item in request.session.pop(_FLASH_KEY.format(key), [])]
