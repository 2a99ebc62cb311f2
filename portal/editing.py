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
3. Otherwise `form_changes()` lists what changed, language-neutrally (`FieldChange`: model
   field name, raw old → new values); with no change nothing is saved nor sent. With changes
   the forms are saved, then
   `save_record(record, changes=...)` bumps the version and stores the list on the record's
   historical row (simple-history, `history_change_reason` as a JSON field), and
   `portal.receipts.send_change_receipt()` queues the "accusé de réception" in the same
   transaction.
4. The page shows "Éléments modifiés" (`flash_changes` / `pop_flashed_changes` across the
   redirect) and the "Historique des modifications" (`portal.history`), rendered with
   `render_changes()` in the reader's language (labels, choice labels, "(vide)"); the receipt
   is rendered in each recipient's language.

The record's model needs `version = models.PositiveIntegerField(default=1)` and
`history = portal.history.record_history()` (simple-history, with the change list stored as
JSON in `history_change_reason`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy
from phonenumber_field.formfields import PhoneNumberField
from phonenumbers import PhoneNumber

from portal.dates import long_date, long_datetime
from portal.validators import format_phone

# Bookkeeping fields never listed as changes (with a formset's "DELETE" and "ORDER").
UNLISTED_FIELDS = {"id", "version", "created_at", "updated_at", "family"}
FORMSET_FIELDS = {DELETION_FIELD_NAME, ORDERING_FIELD_NAME}

# The form a family edits each record with: its labels (e.g. "Adresse (ligne 1)") and choices
# name a stored change; a field it lacks is named by the model field's verbose_name.
RECORD_FORMS = {
    "families.family": "families.forms.FamilyForm",
    "families.responsable": "families.forms.ResponsableForm",
    "students.student": "students.forms.StudentForm",
}

# What is not a field of the record: a responsable removed, an enrolment added by staff…
EVENTS = {
    "responsable_removed": gettext_lazy("Responsable supprimé(e)"),
    "enrolment_added": gettext_lazy("Inscription ajoutée"),
    "enrolment_removed": gettext_lazy("Inscription retirée"),
}


@dataclass(frozen=True)
class FieldChange:
    """One change as it is stored (history, flash across a redirect): language-neutral.

    Either a model field (`model` "families.family", `field` "city") with raw values (choice
    keys, ISO dates, E.164 phones, booleans), or an `event` of `EVENTS` with data values (a
    name, a course). `section` is a key: "family", or "responsable:<rank>". Labels are given
    in the reader's language when shown (`render_changes`).
    """

    field: str = ""
    old: Any = None
    new: Any = None
    model: str = ""
    section: str = ""
    event: str = ""

    @classmethod
    def of(cls, model, field: str, old, new, *, section: str = "") -> "FieldChange":
        """A change of `field` of a model class (raw Python values)."""
        return cls(
            field=field,
            old=json_value(old),
            new=json_value(new),
            model=model._meta.label_lower,
            section=section,
        )

    def as_json(self) -> dict:
        data = {"old": self.old, "new": self.new, "section": self.section}
        if self.event:
            data["event"] = self.event
        else:
            data.update(model=self.model, field=self.field)
        return data

    def render(self) -> "Change":
        return render_change(self.as_json())


@dataclass(frozen=True)
class Change:
    """One changed field as a reader sees it, in the active language ("" when the field was or
    became empty)."""

    label: str
    old: str
    new: str
    section: str = ""


def json_value(value):
    """A raw value as stored in JSON: dates in ISO, phones in E.164, a related row by its name."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, PhoneNumber):
        return value.as_e164 if value.is_valid() else str(value.raw_input or value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


def section_key(*, rank: int | None = None) -> str:
    """The stored section of a change: the household ("family") or a responsable's."""
    return "family" if rank is None else f"responsable:{rank}"


def _section_label(section) -> str:
    section = str(section or "")
    if section == "family":
        return gettext("Foyer")
    if section.startswith("responsable:") and section[12:].isdigit():
        return gettext("Responsable %(rank)d") % {"rank": int(section[12:])}
    return section  # the format before language-neutral storage: already a label


@cache
def _record_form(model_label: str):
    path = RECORD_FORMS.get(model_label)
    return import_string(path)() if path else None


def _field_of(model_label: str, name: str) -> tuple[str, forms.Field]:
    """The label (active language) and form field naming a stored change."""
    form = _record_form(model_label)
    if form is not None and name in form.fields:
        form_field = form.fields[name]
        return str(form_field.label or name), form_field
    try:
        model_field = apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name, forms.CharField()
    if isinstance(model_field, models.ForeignKey | models.ManyToManyField):
        form_field = forms.CharField()  # stored by its name: no query to show it
    else:
        form_field = model_field.formfield() or forms.CharField()
    return capfirst(str(getattr(model_field, "verbose_name", name))), form_field


def _python_value(form_field: forms.Field, value):
    """The stored (JSON) value back to what `display_value` expects."""
    if not isinstance(value, str) or not value:
        return value
    try:
        if isinstance(form_field, forms.DateTimeField):
            return datetime.fromisoformat(value)
        if isinstance(form_field, forms.DateField):
            return date.fromisoformat(value)
        if isinstance(form_field, forms.TimeField):
            return time.fromisoformat(value)
    except ValueError:
        return value
    return value


def _event_value(value) -> str:
    if isinstance(value, dict) and "course" in value:
        from students.models import format_schedule

        schedule = format_schedule(
            value.get("weekday"),
            _python_value(forms.TimeField(), value.get("start")),
            _python_value(forms.TimeField(), value.get("end")),
        )
        return f"{value['course']} — {schedule}" if schedule else str(value["course"])
    return "" if value is None else str(value)


def render_change(data: dict) -> Change:
    """A stored change (`FieldChange.as_json`) in the active language.

    Rows stored before changes were language-neutral hold a `label` and display values: they
    are shown as they were stored (tolerant reading; no data migration).
    """
    section = _section_label(data.get("section", ""))
    event = data.get("event")
    if event:
        return Change(
            label=str(EVENTS.get(event, event)),
            old=_event_value(data.get("old")),
            new=_event_value(data.get("new")),
            section=section,
        )
    if "field" not in data:
        return Change(
            label=str(data.get("label", "")),
            old=str(data.get("old", "") or ""),
            new=str(data.get("new", "") or ""),
            section=section,
        )
    label, form_field = _field_of(str(data.get("model", "")), str(data["field"]))
    return Change(
        label=label,
        old=display_value(form_field, _python_value(form_field, data.get("old"))),
        new=display_value(form_field, _python_value(form_field, data.get("new"))),
        section=section,
    )


def render_changes(stored) -> list[Change]:
    """The stored list of an edit (a list of `FieldChange` or of their JSON) for a reader."""
    if not isinstance(stored, list):
        return []
    return [
        item.render() if isinstance(item, FieldChange) else render_change(item)
        for item in stored
        if isinstance(item, FieldChange | dict)
    ]


def display_value(form_field: forms.Field, value) -> str:
    """A value as the reader reads it: choice labels, dates, phones "06 12 34 56 78"."""
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


def form_changes(form: forms.BaseForm, *, section: str = "") -> list[FieldChange]:
    """The fields of a valid ModelForm whose value differs from the stored one, stored
    language-neutrally (field name, raw values; see `FieldChange`).

    The stored values are the form's `initial` (for a ModelForm, the instance as it was read in
    this request); a form without an instance compares with empty values.
    """
    model = form._meta.model
    changes = []
    for name, form_field in form.fields.items():
        if (
            name in UNLISTED_FIELDS
            or name in FORMSET_FIELDS
            or name not in form.cleaned_data
            or form_field.widget.is_hidden
        ):
            continue
        old = form.get_initial_for_field(form_field, name)
        new = form.cleaned_data[name]
        if _same(old, new):
            continue
        if isinstance(form_field, forms.ModelChoiceField):
            # A related row is stored by its name (the initial value is its key).
            old = _related_name(form_field, old)
        changes.append(FieldChange.of(model, name, old, new, section=section))
    return changes


def _related_name(form_field: forms.ModelChoiceField, value):
    if value in (None, "") or isinstance(value, models.Model):
        return value
    try:
        return form_field.to_python(value)
    except forms.ValidationError:
        return value


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


def save_record(record: models.Model, *, changes: Sequence[FieldChange], user=None) -> None:
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


def flash_changes(request, key: str, changes: Sequence[FieldChange]) -> None:
    """Keeps the changes for the page shown after the redirect ("Éléments modifiés")."""
    request.session[_FLASH_KEY.format(key)] = [change.as_json() for change in changes]


def pop_flashed_changes(request, key: str) -> list[Change]:
    """The changes flashed before the redirect, in the reader's language."""
    return render_changes(request.session.pop(_FLASH_KEY.format(key), []))
