from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from families.models import Family
from portal.fields import PhoneInput
from portal.validators import (
    BIRTH_DEPARTMENT_CHOICES,
    format_phone,
    validate_birth_date,
    validate_mobile_number,
    validate_postal_code,
)


def phone_field(name="home_phone"):
    """The form field of a model's phone, as every ModelForm builds it."""
    return Family._meta.get_field(name).formfield(required=False)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("02 96 00 00 01", "+33296000001"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_a_phone_is_typed_any_usual_way_and_stored_in_e164(db, typed, stored):
    assert phone_field().clean(typed).as_e164 == stored
    family = Family.objects.create(name="Test", home_phone=typed)
    assert Family.objects.values_list("home_phone", flat=True).get(pk=family.pk) == stored


def test_an_empty_phone_stays_empty():
    assert phone_field().clean("  ") == ""


@pytest.mark.parametrize(
    "typed", ["123", "06 12 34 56 7", "06 12 34 56 78 9", "abc", "+33 1", "00 00 00 00 00"]
)
def test_it_refuses_bad_phone_numbers_in_french(typed):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        phone_field().clean(typed)
    assert "Ce numéro de téléphone n'est pas valide. Exemples : 02 96" in str(error.value)


@pytest.mark.parametrize("typed", ["02 96 00 00 01", "+44 20 7946 0958", "01 23 45 67 89"])
def test_the_mobile_rule_refuses_landlines(typed):
    with pytest.raises(ValidationError, match="Indiquez un numéro de téléphone mobile"):
        validate_mobile_number(phone_field().clean(typed))


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "07 81 23 45 67", "+44 7911 123456", ""])
def test_the_mobile_rule_accepts_mobiles(typed):
    validate_mobile_number(phone_field().clean(typed))


def test_the_mobile_rule_is_on_the_reference_mobile_and_the_students():
    from students.models import Student

    assert validate_mobile_number in Family._meta.get_field("reference_mobile").validators
    assert validate_mobile_number in Student._meta.get_field("mobile").validators
    assert validate_mobile_number not in Family._meta.get_field("home_phone").validators


def test_it_shows_numbers_french_style():
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone(phone_field().clean("0296000001")) == "02 96 00 00 01"
    assert format_phone("+442079460958") == "+44 20 7946 0958"
    assert format_phone("+262262123456") == "+262 262 12 34 56"
    assert format_phone("") == ""
    assert format_phone(None) == ""
    assert format_phone("pas un numéro") == "pas un numéro"


def test_the_phone_input_shows_the_number_as_it_is_displayed():
    html = PhoneInput().render("tel", phone_field().clean("+33612345678"))
    assert 'type="tel"' in html
    assert 'autocomplete="tel"' in html
    assert 'inputmode="tel"' in html
    assert 'value="06 12 34 56 78"' in html
    foreign = phone_field().clean("+442079460958")
    assert 'value="+44 20 7946 0958"' in PhoneInput().render("tel", foreign)
    assert not phone_field().has_changed("+33612345678", "06 12 34 56 78")


@pytest.mark.parametrize("code", ["22440", "01000", "20000", "97400", "98000", "75001"])
def test_it_accepts_french_postal_codes(code):
    validate_postal_code(code)


@pytest.mark.parametrize("code", ["2244", "224400", "00100", "99000", "2A000", "abcde", "22 440"])
def test_it_refuses_bad_postal_codes(code):
    with pytest.raises(ValidationError, match="5 chiffres"):
        validate_postal_code(code)


def test_birth_departments_include_corsica_overseas_and_abroad():
    codes = dict(BIRTH_DEPARTMENT_CHOICES)
    for code in ["01", "22", "2A", "2B", "20", "95", "971", "974", "976", "977", "988", "99"]:
        assert code in codes
    for code in ["00", "96", "979", "2C", "100"]:
        assert code not in codes
    assert codes["22"] == "22 — Côtes-d'Armor"
    assert codes["20"] == "20 — Corse (avant 1976)"
    assert str(codes["99"]) == "Né(e) à l'étranger"
    assert [code for code, _label in BIRTH_DEPARTMENT_CHOICES][18:22] == ["19", "2A", "2B", "20"]


def test_it_accepts_plausible_birth_dates():
    validate_birth_date(date(1982, 5, 14))
    validate_birth_date(date.today())


@pytest.mark.parametrize(
    "born", [date.today() + timedelta(days=1), date(1890, 1, 1), date(2226, 1, 1)]
)
def test_it_refuses_future_or_implausible_birth_dates(born):
    with pytest.raises(ValidationError):
        validate_birth_date(born)
