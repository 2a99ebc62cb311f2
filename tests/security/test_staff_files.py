"""Issue 13, item 6: staff open the families' files only with the matching view permission.

`/documents/<id>/` needs the documents' view permission (health documents, medical
certificates and sworn statements alike, the health documents' one too);
`/facturation/<numero>.pdf` needs the invoices' view permission for invoices and credit notes,
the payments' for receipts, cancellations and refunds. Before: any staff account opened all.
"""

import html
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from billing import services as billing_services
from students.models import Document, DocumentKind
from students.services import review_document
from tests.billing.factories import issued_invoice, payment, payment_mode
from tests.conftest import staff_login
from tests.factories import StaffFactory
from tests.students.factories import DocumentFactory, dance_student, pdf_bytes


def agent(*codenames) -> Client:
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = staff_login(Client(), user)
    client.user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    return client


@pytest.fixture
def documents(family):
    dancer, other_dancer = dance_student(family), dance_student(family, first_name="Zoé")
    return {
        "address": DocumentFactory(family=family),
        "statement": DocumentFactory(
            family=family,
            student=dancer,
            kind=DocumentKind.HEALTH_STATEMENT,
            document_date=None,
        ),
        "medical": DocumentFactory(
            family=family,
            student=other_dancer,
            kind=DocumentKind.MEDICAL_CERTIFICATE,
            document_date=None,
        ),
    }


@pytest.fixture
def billing_documents(family):
    """One document of each numbered kind, each with its stored PDF."""
    invoice = issued_invoice(family, "100.00")
    credit_note = billing_services.issue_credit_note(invoice=invoice)
    receipt = payment(family, "130.00")
    cancellation = billing_services.cancel_payment(
        payment=payment(family, "5.00"), reason="Doublon"
    )
    refund = billing_services.refund_overpayment(
        family=family, amount=Decimal("10.00"), mode=payment_mode(), reason="Trop-perçu"
    )
    return {
        "invoice": invoice,
        "credit_note": credit_note,
        "receipt": receipt,
        "cancellation": cancellation,
        "refund": refund,
    }


def document_url(document) -> str:
    return reverse("documents:download", args=[document.pk])


def pdf_url(document) -> str:
    return reverse("billing:pdf", args=[document.number])


def opens(response) -> bool:
    if response.status_code == 200:
        b"".join(response.streaming_content)
        return True
    assert response.status_code in (403, 404), response.status_code
    return False


def test_a_staff_account_without_permission_opens_no_file(documents, billing_documents):
    client = agent()
    for document in documents.values():
        assert not opens(client.get(document_url(document))), document.kind
    for document in billing_documents.values():
        assert not opens(client.get(pdf_url(document))), document.number
    # Nor does a staff member of another department (say, who manages the students).
    client = agent("view_student", "change_student", "view_family")
    assert not any(opens(client.get(document_url(d))) for d in documents.values())
    assert not any(opens(client.get(pdf_url(d))) for d in billing_documents.values())


def test_the_documents_permission_opens_documents_but_not_health_data(documents):
    client = agent("view_document")
    assert opens(client.get(document_url(documents["address"])))
    response = client.get(document_url(documents["statement"]))
    assert response.status_code == 403
    assert not opens(client.get(document_url(documents["medical"])))
    # The review queue's permission alone lets its reader open what it lists, too.
    assert opens(agent("view_documenttoreview").get(document_url(documents["address"])))


def test_the_health_permission_opens_both_health_documents(documents):
    client = agent("view_document", "view_medical_certificate")
    for document in documents.values():
        response = client.get(document_url(document))
        assert response.status_code == 200, document.kind
        assert b"".join(response.streaming_content) == pdf_bytes()
    # The health permission alone is no documents' permission.
    client = agent("view_medical_certificate")
    assert not any(opens(client.get(document_url(d))) for d in documents.values())


def test_each_pdf_needs_the_view_permission_of_its_kind(billing_documents):
    invoices = {"invoice", "credit_note"}
    client = agent("view_invoice")
    for name, document in billing_documents.items():
        assert opens(client.get(pdf_url(document))) == (name in invoices), name
    client = agent("view_payment")
    for name, document in billing_documents.items():
        assert opens(client.get(pdf_url(document))) == (name not in invoices), name
    client = agent("view_invoice", "view_payment")
    assert all(opens(client.get(pdf_url(d))) for d in billing_documents.values())


def test_families_open_their_own_files_only(
    family_client, other_user, documents, billing_documents
):
    other_client = Client()
    other_client.force_login(other_user)
    assert opens(family_client.get(document_url(documents["address"])))
    # Health documents: the family sees their status, does not download them again.
    assert family_client.get(document_url(documents["statement"])).status_code == 404
    assert family_client.get(document_url(documents["medical"])).status_code == 404
    assert all(opens(family_client.get(pdf_url(d))) for d in billing_documents.values())
    for document in documents.values():
        assert other_client.get(document_url(document)).status_code == 404
    for document in billing_documents.values():
        assert other_client.get(pdf_url(document)).status_code == 404


def test_the_family_page_does_not_link_a_sworn_statement(family_client, documents):
    page = family_client.get(f"/eleves/{documents['statement'].student_id}/").content.decode()
    assert document_url(documents["statement"]) not in page
    assert "consultable uniquement par le personnel habilité" in page


def test_the_admin_does_not_link_a_sworn_statement_to_staff_without_the_health_permission(
    documents,
):
    client = agent("view_document", "change_document")
    statement = documents["statement"]
    page = html.unescape(
        client.get(f"/admin/students/document/{statement.pk}/change/").content.decode()
    )
    assert "Document de santé : réservé au personnel habilité." in page
    assert document_url(statement) not in page
    listing = client.get("/admin/students/document/").content.decode()
    assert document_url(statement) not in listing
    assert document_url(documents["address"]) in listing
    # Deciding on it needs the health permission too: the page is read-only, a post refused.
    assert 'name="decision"' not in page
    response = client.post(
        f"/admin/students/document/{statement.pk}/change/", {"decision": "validate"}
    )
    assert response.status_code == 403
    statement.refresh_from_db()
    assert statement.status == Document.Status.RECEIVED
    with pytest.raises(Exception, match="habilité"):
        review_document(document=statement, validate=True, reviewer=client.user)

    client = agent("view_document", "change_document", "view_medical_certificate")
    page = client.get(f"/admin/students/document/{statement.pk}/change/").content.decode()
    assert document_url(statement) in page and 'name="decision"' in page
    response = client.post(
        f"/admin/students/document/{statement.pk}/change/", {"decision": "validate"}
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == Document.Status.VALIDATED


def test_the_admin_ledger_links_only_the_pdfs_the_user_may_open(family, billing_documents):
    client = agent("view_familyaccount", "view_invoice")
    page = client.get(
        reverse("admin:billing_familyaccount_change", args=[family.pk])
    ).content.decode()
    for name, document in billing_documents.items():
        assert document.number in page, name
        assert (pdf_url(document) in page) == (name in {"invoice", "credit_note"}), name
