"""Model and form fields for French data, so that every ModelForm (the portal's and the
admin's) validates and normalises the same way.

`PhoneNumberField` is a CharField storing E.164; its form field accepts any usual writing
("06 12 34 56 78", "+33 6 12 34 56 78", "0033…", international numbers), normalises it, and
shows the stored value French style in the input.
"""

from django import forms
from django.db import models
from simple_history.models import HistoricalRecords

from portal.validators import (
    format_phone,
    normalise_phone,
    validate_mobile_number,
    validate_phone_number,
)


class PhoneNumberFormField(forms.CharField):
    def __init__(self, *, mobile: bool = False, **kwargs):
        self.mobile = mobile
        # Room for spaces and prefixes as people type them; the stored value is E.164.
        kwargs["max_length"] = 30
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
        return attrs

    def to_python(self, value):
        return normalise_phone(super().to_python(value), mobile=self.mobile)

    def prepare_value(self, value):
        return format_phone(value) if isinstance(value, str) else value


class PhoneNumberField(models.CharField):
    """A phone number stored in E.164; `mobile=True` accepts only mobile numbers."""

    def __init__(self, *args, mobile: bool = False, **kwargs):
        self.mobile = mobile
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_mobile_number if mobile else validate_phone_number)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.mobile:
            kwargs["mobile"] = True
        if kwargs.get("max_length") == 20:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": PhoneNumberFormField, "mobile": self.mobile, **kwargs}
        )


def record_history(**kwargs) -> HistoricalRecords:
    """simple-history for a record edited through portal.editing: each save stores the list of
    what changed (label, old → new) in `history_change_reason`, as JSON.

    Usage on the model: `history = record_history()`.
    """
    return HistoricalRecords(history_change_reason_field=models.JSONField(null=True), **kwargs)
