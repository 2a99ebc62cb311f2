"""Who receives a family's e-mails: one policy (`Family.email_recipients`), the same for every
kind of message. Each sender is tested here or in its app (re-enrolment receipts and decisions:
tests/reenrolment/test_request_form.py and test_decisions.py)."""

from datetime import date

import pytest

from students.services import review_document
from tests.billing.factories import issued_invoice
from tests.factories import ResponsableFactory
from tests.students.factories import DocumentFactory

# Sorted and lower-cased, as the queue stores them.
EVERYONE = ["famille.dupont@example.org", "paul.dupont@example.org"]


@pytest.fixture
def parents(family):
    """The reference e-mail, the first responsable's (the same, typed otherwise) and the
    second responsable's own."""
    family.reference_email = "Famille.Dupont@example.org"
    family.save()
    family.responsables.update(email="famille.dupont@EXAMPLE.org ")
    ResponsableFactory(family=family, rank=2, first_name="Paul", email="paul.dupont@example.org")
    return family


def test_it_is_the_reference_email_and_each_responsables_once(parents):
    assert parents.email_recipients() == [
        "Famille.Dupont@example.org",
        "paul.dupont@example.org",
    ]
    assert parents.email_recipients(also=["ancien@example.org", ""]) == [
        "Famille.Dupont@example.org",
        "paul.dupont@example.org",
        "ancien@example.org",
    ]


def test_without_a_reference_email_the_responsables_still_receive(parents):
    parents.reference_email = ""
    assert parents.email_recipients() == ["famille.dupont@EXAMPLE.org", "paul.dupont@example.org"]


def test_a_new_invoice_goes_to_both_parents(parents, outbox):
    outbox.clear()
    issued_invoice(parents, "186.00", issued_on=date(2026, 10, 5))
    [message] = outbox()
    assert message.to == EVERYONE


def test_a_document_decision_goes_to_both_parents(parents, staff_user, outbox):
    document = DocumentFactory(family=parents)
    outbox.clear()
    review_document(document=document, validate=True, reviewer=staff_user)
    [message] = outbox()
    assert message.to == EVERYONE
