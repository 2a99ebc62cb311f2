from django import forms
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from accounts.models import User


class DisplayPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["large_text", "high_contrast"]


class PhoneInput(RegionalPhoneNumberWidget):
    """phonenumber_field's input (type="tel", a French number written "06 12 34 56 78") with the
    browser's autofill and the phone keypad on mobiles."""

    def __init__(self, region=None, attrs=None):
        super().__init__(region, {"autocomplete": "tel", "inputmode": "tel", **(attrs or {})})
