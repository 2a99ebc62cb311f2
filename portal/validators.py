"""French data: validators shared by every record the families edit, and the display of phones.

Phone numbers are phonenumber_field's (`PHONENUMBER_DEFAULT_REGION = "FR"`, any international
number accepted), stored in E.164 (`+33612345678`) and shown French style by `format_phone`.
"""

from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.fr.fr_department import DEPARTMENT_CHOICES_PER_REGION
from phonenumber_field.phonenumber import PhoneNumber, to_python

FRANCE = 33  # the country calling code
OLDEST_AGE = 120

# Birth departments: django-localflavor's INSEE list (metropolitan, Corsica as 2A/2B, overseas
# departments and communities), plus the two codes INSEE forms also use: 20 for Corsica before
# 1976, and 99 for "born abroad".
_DEPARTMENTS = [(code, name) for code, name, _region in DEPARTMENT_CHOICES_PER_REGION]
_DEPARTMENTS.insert(_DEPARTMENTS.index(("2B", "Haute-Corse")) + 1, ("20", "Corse (avant 1976)"))
BORN_ABROAD = "99"
BIRTH_DEPARTMENT_CHOICES = [
    *((code, f"{code} — {name}") for code, name in _DEPARTMENTS),
    (BORN_ABROAD, _("Né(e) à l'étranger")),
]


def validate_mobile_number(number) -> None:
    """The reference mobile (and a student's) must be a mobile: phonenumber_field checks that a
    number is valid, not what kind it is."""
    number = to_python(number)
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        return  # empty, or already refused as invalid by the field itself
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            _("Indiquez un numéro de téléphone mobile (par exemple 06 12 34 56 78)."),
            code="not_mobile",
        )


def format_phone(number) -> str:
    """French display: "06 12 34 56 78" for a French number, "+44 20 7946 0958" otherwise (as
    phonenumber_field's input shows them)."""
    number = to_python(number)
    if not number:
        return ""
    if not number.is_valid():
        return str(number)  # as it was typed
    if number.country_code == FRANCE:
        return number.as_national
    return number.as_international


# 01000 to 98999: metropolitan (Corsica is 20xxx) and overseas postal codes; never 00xxx or 99xxx
# (localflavor's FRZipCodeField, a form field only, takes any five digits).
validate_postal_code = RegexValidator(
    r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$",
    _("Le code postal doit comporter 5 chiffres (par exemple 22440)."),
    code="invalid_postal_code",
)


def validate_birth_date(value: date) -> None:
    """In the past, and plausible for a living person (at most 120 years ago)."""
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            _("La date de naissance ne peut pas être dans le futur."), code="future"
        )
    try:
        oldest = today.replace(year=today.year - OLDEST_AGE)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_AGE, day=28)
    if value < oldest:
        raise ValidationError(
            _("Cette date de naissance n'est pas plausible : vérifiez l'année."),
            code="implausible",
        )
