"""An invoice line's student is one of the invoice's family's students, wherever it is chosen."""

import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import services
from billing.models import Invoice, InvoiceLine
from tests.billing.factories import draft_invoice
from tests.billing.test_admin import line_formset
from tests.factories import FamilyFactory, SeasonFactory, StudentFactory

OTHER_FAMILY_ERROR = "n'est pas un élève de cette famille"


@pytest.fixture
def stranger(db):
    return StudentFactory(family=FamilyFactory(name="TEST"), first_name="Léa")


def test_it_refuses_a_new_draft_with_another_familys_student(staff_client, family, stranger):
    data = {"family": family.pk, "season": SeasonFactory().pk, "label": "Cotisations", "due_on": ""}
    data |= line_formset(
        {"position": "1", "student": stranger.pk, "label": "Piano", "amount": "186.00"}
    )
    response = staff_client.post(reverse("admin:billing_invoice_add"), data)
    assert response.status_code == 200
    assert OTHER_FAMILY_ERROR in html.unescape(response.content.decode())
    assert not Invoice.objects.exists()


def test_a_drafts_lines_offer_only_its_familys_students(staff_client, family, stranger):
    own = StudentFactory(family=family, first_name="Hugo")
    draft = draft_invoice(family, "10.00", student=own)
    url = reverse("admin:billing_invoice_change", args=[draft.pk])
    page = staff_client.get(url).content.decode()
    choices = re.search(r'<select name="lines-0-student".*?</select>', page, re.S).group()
    assert "Hugo" in choices
    assert "Léa TEST" not in choices
    line = draft.lines.get()
    data = {"family": family.pk, "season": draft.season_id, "label": "Cotisations", "due_on": ""}
    data |= {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-invoice": draft.pk,
        "lines-0-position": "1",
        "lines-0-student": stranger.pk,
        "lines-0-label": "Piano",
        "lines-0-amount": "10.00",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Choisissez un élève de la famille de la facture" in html.unescape(
        response.content.decode()
    )
    line.refresh_from_db()
    assert line.student == own


def test_the_model_refuses_another_familys_student(family, stranger):
    draft = draft_invoice(family, "10.00")
    line = InvoiceLine(invoice=draft, student=stranger, label="Piano", amount=Decimal("10.00"))
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert OTHER_FAMILY_ERROR in " ".join(error.value.message_dict["student"])


def test_the_services_refuse_another_familys_student(family, stranger):
    with pytest.raises(ValidationError, match=OTHER_FAMILY_ERROR):
        services.create_draft_invoice(
            family=family,
            lines=[services.LineData(label="Piano", amount=Decimal("10.00"), student=stranger)],
        )
    assert not Invoice.objects.exists()
    # A line written around the forms is caught when the draft is issued.
    draft = draft_invoice(family, "10.00")
    draft.lines.update(student=stranger)
    with pytest.raises(ValidationError, match=OTHER_FAMILY_ERROR):
        services.issue_invoice(invoice=draft)
    draft.refresh_from_db()
    assert draft.number is None
