"""Issue 12, item 22: dates and times are written one way throughout, "2 décembre 2026" and
"10 h 00 – 11 h 00" in French, "2 December 2026" and "10:00 – 11:00" in English."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from billing import services as billing_services
from billing.models import Invoice
from portal import dates
from tests.billing.factories import draft_invoice, payment, visible_text
from tests.factories import CourseFactory, EnrolmentFactory, SeasonFactory, StudentFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _back_to_french():
    """A request in English leaves English active in this thread: later tests expect French."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


@pytest.fixture
def student(family):
    student = StudentFactory(family=family, first_name="Léa", last_name="Test")
    for name, weekday, start, end in [
        ("FM 1re année", 3, time(10), time(11)),
        ("Violon 1er cycle", 6, time(9, 30), None),
    ]:
        EnrolmentFactory(
            student=student,
            course=CourseFactory(
                season=SeasonFactory(),
                name=name,
                weekday=weekday,
                start_time=start,
                end_time=end,
            ),
        )
    return student


def test_the_student_page_writes_course_times_the_french_way(family_client, student):
    for url in [reverse("students:list"), reverse("students:detail", args=[student.pk])]:
        text = visible_text(family_client.get(url).content.decode())
        assert "mercredi 10 h 00 – 11 h 00" in text
        assert "samedi 9 h 30" in text
        assert "10h00" not in text and "09h30" not in text


def test_the_student_page_writes_course_times_the_english_way(family_client, student):
    english(family_client)
    text = visible_text(
        family_client.get(reverse("students:detail", args=[student.pk])).content.decode()
    )
    assert "Wednesday 10:00 – 11:00" in text
    assert "Saturday 9:30" in text


def test_the_student_page_writes_its_dates_in_words(family_client, student):
    student.image_rights = True
    student.image_rights_date = date(2026, 12, 2)
    student.save()
    text = visible_text(
        family_client.get(reverse("students:detail", args=[student.pk])).content.decode()
    )
    assert "Choix enregistré le 2 décembre 2026." in text
    assert "02/12/2026" not in text


def test_the_ledger_and_an_invoice_write_their_dates_in_words(family_client, family):
    draft = draft_invoice(family, "120.00")
    Invoice.objects.filter(pk=draft.pk).update(due_on=date(2026, 11, 1))  # before it is issued
    draft.refresh_from_db()
    invoice = billing_services.issue_invoice(invoice=draft, issued_on=date(2026, 10, 5))
    payment(family, "50.00", received_on=date(2026, 10, 7), invoices=[invoice])
    ledger = visible_text(family_client.get(reverse("billing:ledger")).content.decode())
    assert "7 octobre 2026" in ledger and "5 octobre 2026" in ledger
    assert "07/10/2026" not in ledger and "05/10/2026" not in ledger

    detail = visible_text(
        family_client.get(reverse("billing:invoice", args=[invoice.number])).content.decode()
    )
    assert "Date d'émission 5 octobre 2026" in detail
    assert "Échéance 1er novembre 2026" in detail
    assert "le 7 octobre 2026" in detail

    english(family_client)
    ledger = visible_text(family_client.get(reverse("billing:ledger")).content.decode())
    assert "7 October 2026" in ledger and "5 October 2026" in ledger
    detail = visible_text(
        family_client.get(reverse("billing:invoice", args=[invoice.number])).content.decode()
    )
    assert "1 November 2026" in detail


def test_the_history_writes_when_in_words(family_client, student):
    response = family_client.get(reverse("students:detail", args=[student.pk]))
    when = student.history.first().history_date.astimezone(PARIS)
    text = visible_text(response.content.decode())
    assert dates.long_datetime(when) in text
    assert f"à {when.hour} h {when:%M}" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["2 décembre 2026", "1er mai 2027", "10 h 00 – 11 h 00", "9 h 30", "à 23 h 59"]),
        ("en", ["2 December 2026", "1 May 2027", "10:00 – 11:00", "9:30", "at 23:59"]),
    ],
)
def test_one_way_of_writing_dates_and_times(language, expected):
    with translation.override(language):
        written = [
            dates.long_date(date(2026, 12, 2)),
            dates.long_date(date(2027, 5, 1)),
            dates.time_range(time(10), time(11)),
            dates.time_range(time(9, 30), None),
            dates.long_datetime(datetime(2027, 6, 30, 23, 59, tzinfo=PARIS)),
        ]
    for value, text in zip(written, expected, strict=True):
        assert text in value


def test_a_receipt_e_mail_writes_its_date_in_words(family, outbox):
    outbox.clear()
    payment(family, "50.00", received_on=date(2026, 10, 7))
    [message] = outbox()
    body = visible_text(message.body)
    assert "de 50,00 € du 7 octobre 2026" in body.replace("\xa0", " ")
    assert "07/10/2026" not in body
