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
from phonenumber_field.phonenumber import PhoneNumber, to_python

FRANCE = 33  # the country calling code
OLDEST_AGE = 120

# INSEE codes: metropolitan departments (Corsica as 2A/2B, and 20 for people born there before
# 1976), overseas departments, and 99 for "born abroad" as on INSEE forms.
_DEPARTMENTS = [
    ("01", "Ain"),
    ("02", "Aisne"),
    ("03", "Allier"),
    ("04", "Alpes-de-Haute-Provence"),
    ("05", "Hautes-Alpes"),
    ("06", "Alpes-Maritimes"),
    ("07", "Ardèche"),
    ("08", "Ardennes"),
    ("09", "Ariège"),
    ("10", "Aube"),
    ("11", "Aude"),
    ("12", "Aveyron"),
    ("13", "Bouches-du-Rhône"),
    ("14", "Calvados"),
    ("15", "Cantal"),
    ("16", "Charente"),
    ("17", "Charente-Maritime"),
    ("18", "Cher"),
    ("19", "Corrèze"),
    ("2A", "Corse-du-Sud"),
    ("2B", "Haute-Corse"),
    ("20", "Corse (avant 1976)"),
    ("21", "Côte-d'Or"),
    ("22", "Côtes-d'Armor"),
    ("23", "Creuse"),
    ("24", "Dordogne"),
    ("25", "Doubs"),
    ("26", "Drôme"),
    ("27", "Eure"),
    ("28", "Eure-et-Loir"),
    ("29", "Finistère"),
    ("30", "Gard"),
    ("31", "Haute-Garonne"),
    ("32", "Gers"),
    ("33", "Gironde"),
    ("34", "Hérault"),
    ("35", "Ille-et-Vilaine"),
    ("36", "Indre"),
    ("37", "Indre-et-Loire"),
    ("38", "Isère"),
    ("39", "Jura"),
    ("40", "Landes"),
    ("41", "Loir-et-Cher"),
    ("42", "Loire"),
    ("43", "Haute-Loire"),
    ("44", "Loire-Atlantique"),
    ("45", "Loiret"),
    ("46", "Lot"),
    ("47", "Lot-et-Garonne"),
    ("48", "Lozère"),
    ("49", "Maine-et-Loire"),
    ("50", "Manche"),
    ("51", "Marne"),
    ("52", "Haute-Marne"),
    ("53", "Mayenne"),
    ("54", "Meurthe-et-Moselle"),
    ("55", "Meuse"),
    ("56", "Morbihan"),
    ("57", "Moselle"),
    ("58", "Nièvre"),
    ("59", "Nord"),
    ("60", "Oise"),
    ("61", "Orne"),
    ("62", "Pas-de-Calais"),
    ("63", "Puy-de-Dôme"),
    ("64", "Pyrénées-Atlantiques"),
    ("65", "Hautes-Pyrénées"),
    ("66", "Pyrénées-Orientales"),
    ("67", "Bas-Rhin"),
    ("68", "Haut-Rhin"),
    ("69", "Rhône"),
    ("70", "Haute-Saône"),
    ("71", "Saône-et-Loire"),
    ("72", "Sarthe"),
    ("73", "Savoie"),
    ("74", "Haute-Savoie"),
    ("75", "Paris"),
    ("76", "Seine-Maritime"),
    ("77", "Seine-et-Marne"),
    ("78", "Yvelines"),
    ("79", "Deux-Sèvres"),
    ("80", "Somme"),
    ("81", "Tarn"),
    ("82", "Tarn-et-Garonne"),
    ("83", "Var"),
    ("84", "Vaucluse"),
    ("85", "Vendée"),
    ("86", "Vienne"),
    ("87", "Haute-Vienne"),
    ("88", "Vosges"),
    ("89", "Yonne"),
    ("90", "Territoire de Belfort"),
    ("91", "Essonne"),
    ("92", "Hauts-de-Seine"),
    ("93", "Seine-Saint-Denis"),
    ("94", "Val-de-Marne"),
    ("95", "Val-d'Oise"),
    ("971", "Guadeloupe"),
    ("972", "Martinique"),
    ("973", "Guyane"),
    ("974", "La Réunion"),
    ("975", "Saint-Pierre-et-Miquelon"),
    ("976", "Mayotte"),
]
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


# 01000 to 98999: metropolitan (Corsica is 20xxx) and overseas postal codes; never 00xxx or 99xxx.
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
