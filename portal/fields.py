"""The phone number field of every model: django-phonenumber-field's, stored in E.164 and shown
French style ("06 12 34 56 78"), with the portal's input and error message in every form built
from it (the portal's and the admin's)."""

from django.utils.translation import gettext_lazy as _
from phonenumber_field import modelfields
from phonenumber_field.widgets import RegionalPhoneNumberWidget


class PhoneInput(RegionalPhoneNumberWidget):
    """phonenumber_field's input (type="tel", a French number written "06 12 34 56 78") with the
    browser's autofill and the phone keypad on mobiles."""

    def __init__(self, region=None, attrs=None):
        super().__init__(region, {"autocomplete": "tel", "inputmode": "tel", **(attrs or {})})


class PhoneNumberField(modelfields.PhoneNumberField):
    # The library's message gives a landline as its only example, beside help texts that ask
    # for a mobile: ours shows both kinds and a foreign number.
    default_error_messages = {
        "invalid": _(
            "Ce numéro de téléphone n'est pas valide. Exemples : 02 96 12 34 56, "
            "06 12 34 56 78 ou +44 20 7946 0958."
        )
    }

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": PhoneInput, **kwargs})
