from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from portal.fields import PhoneNumberFormField
from portal.validators import (
    BIRTH_DEPARTMENT_CHOICES,
    format_phone,
    normalise_phone,
    validate_birth_date,
    validate_postal_code,
)


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
        ("  ", ""),
    ],
)
def test_it_normalises_good_phone_numbers_to_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["123", "06 12 34 56 7", "06 12 34 56 78 9", "abc", "+33 1", "00 00 00 00 00"]
)
def test_it_refuses_bad_phone_numbers_in_french(typed):
    with pytest.raises(ValidationError, match="n'est pas valide"):
        normalise_phone(typed)


@pytest.mark.parametrize("typed", ["02 96 00 00 01", "+44 20 7946 0958", "01 23 45 67 89"])
def test_the_mobile_variant_refuses_landlines(typed):
    with pytest.raises(ValidationError, match="mobile"):
        normalise_phone(typed, mobile=True)


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "07 81 23 45 67", "+44 7911 123456"])
def test_the_mobile_variant_accepts_mobiles(typed):
    assert normalise_phone(typed, mobile=True).startswith("+")


def test_it_shows_numbers_french_style():
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone("+442079460958") == "+44 20 7946 0958"
    assert format_phone("") == ""
    assert format_phone("pas un numéro") == "pas un numéro"
    html = Template("{% load portal_format %}{{ n|phone_fr }}").render(
        Context({"n": "+33296000001"})
    )
    assert html == "02 96 00 00 01"


def test_the_phone_form_field_normalises_and_shows_french_style():
    field = PhoneNumberFormField(required=False)
    assert field.clean("06 12 34 56 78") == "+33612345678"
    assert field.prepare_value("+33612345678") == "06 12 34 56 78"
    assert not field.has_changed("+33612345678", "0612345678")
    with pytest.raises(ValidationError):
        PhoneNumberFormField(mobile=True).clean("02 96 00 00 01")


@pytest.mark.parametrize("code", ["22440", "01000", "20000", "97400", "98000", "75001"])
def test_it_accepts_french_postal_codes(code):
    validate_postal_code(code)


@pytest.mark.parametrize("code", ["2244", "224400", "00100", "99000", "2A000", "abcde", "22 440"])
def test_it_refuses_bad_postal_codes(code):
    with pytest.raises(ValidationError, match="5 chiffres"):
        validate_postal_code(code)


def test_birth_departments_include_corsica_overseas_and_abroad():
    codes = dict(BIRTH_DEPARTMENT_CHOICES)
    for code in ["01", "22", "2A", "2B", "95", "971", "974", "976", "99"]:
        assert code in codes
    for code in ["00", "96", "977", "2C", "100"]:
        assert code not in codes
    assert codes["22"] == "22 — Côtes-d'Armor"
    assert str(codes["99"]) == "Né(e) à l'étranger"


def test_it_accepts_plausible_birth_dates():
    validate_birth_date(date(1982, 5, 14))
    validate_birth_date(date.today())


@pytest.mark.parametrize(
    "born", [date.today() + timedelta(days=1), date(1890, 1, 1), date(2226, 1, 1)]
)
def test_it_refuses_future_or_implausible_birth_dates(born):
    with pytest.raises(ValidationError):
        validate_birth_date(born)
