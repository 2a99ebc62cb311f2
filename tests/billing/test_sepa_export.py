"""SEPA direct debits (issue 14): the pain.008.001.02 file of a due date (validated against
the schema), FRST then RCUR, the debit recorded as a payment; a rejection by the bank cancels
that receipt, the amount is owed again and the family is told."""

import os
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sepaxml
import xmlschema
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from billing import sepa, services
from billing.models import FamilyAccount, Invoice, Payment, SepaDebit, SepaExport, SepaMandate
from billing.services import invoice_balance
from tests.billing.factories import draft_invoice, payment, visible_text
from tests.conftest import staff_login
from tests.factories import StaffFactory

XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.008.001.02.xsd")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
TODAY = date.today()
DUE = TODAY + timedelta(days=10)


def mandate_for(family, user, iban="FR7630006000011234567890189"):
    return sepa.sign_mandate(
        family=family,
        user=user,
        account_holder="Marie Dupont",
        iban=iban,
        accepted=True,
        ip="203.0.113.7",
    )


def due_invoice(family, *amounts, due_on=DUE, issued_on=None, **kwargs):
    """An invoice issued with its due date (set on the draft: an issued one never changes)."""
    draft = draft_invoice(family, *amounts, **kwargs)
    Invoice.objects.filter(pk=draft.pk).update(due_on=due_on)
    return services.issue_invoice(invoice=draft, issued_on=issued_on)


def xml_of(export) -> bytes:
    with default_storage.open(export.xml.name, "rb") as stored:
        return stored.read()


def balance(family):
    return FamilyAccount.objects.with_totals().get(pk=family.pk).balance


def test_export_validates_against_pain_008_001_02(family, family_user, other_user):
    mandate_for(family, family_user)
    mandate_for(other_user.family, other_user, iban="DE89370400440532013000")
    first = due_invoice(family, "120.00", "66.00")
    due_invoice(family, "10.00")
    payment(family, "6.00", invoices=[first])  # partly paid: the rest is debited
    due_invoice(other_user.family, "50.00")
    due_invoice(family, "999.00", due_on=DUE + timedelta(days=1))  # another due date

    export = sepa.export_debits(due_on=DUE)

    data = xml_of(export)
    xmlschema.XMLSchema(XSD).validate(data.decode())
    root = ET.fromstring(data)
    assert root.find(".//p:GrpHdr/p:NbOfTxs", NS).text == "2"
    assert root.find(".//p:GrpHdr/p:CtrlSum", NS).text == "240.00"
    assert root.find(".//p:CdtrSchmeId//p:Othr/p:Id", NS).text == "FR11ZZZ123456"
    assert root.find(".//p:ReqdColltnDt", NS).text == DUE.isoformat()
    assert {node.text for node in root.iterfind(".//p:SeqTp", NS)} == {"FRST"}
    assert export.count == 2 and export.total == Decimal("240.00")
    debit = SepaDebit.objects.get(family=family)
    assert debit.amount == Decimal("190.00")
    assert debit.payment.mode_name == "Prélèvement"
    assert invoice_balance(first) == 0
    assert balance(family) == Decimal("999.00")
    # Nothing left to debit on that date: a second export is refused and changes nothing.
    with pytest.raises(ValidationError, match="Aucun prélèvement à exporter"):
        sepa.export_debits(due_on=DUE)
    assert SepaExport.objects.count() == 1


def test_rcur_after_a_first_debit_and_frst_again_after_a_rejected_first(family, family_user):
    mandate_for(family, family_user)
    due_invoice(family, "30.00")
    first = SepaDebit.objects.get(export=sepa.export_debits(due_on=DUE))
    assert first.sequence_type == "FRST"
    sepa.reject_debit(debit=first, code="AM04")
    again = SepaDebit.objects.get(export=sepa.export_debits(due_on=DUE))
    assert again.sequence_type == "FRST"  # the first debit never went through
    due_invoice(family, "40.00", due_on=DUE + timedelta(days=30))
    later = SepaDebit.objects.get(export=sepa.export_debits(due_on=DUE + timedelta(days=30)))
    assert later.sequence_type == "RCUR"
    data = xml_of(later.export)
    xmlschema.XMLSchema(XSD).validate(data.decode())
    assert ET.fromstring(data).find(".//p:SeqTp", NS).text == "RCUR"


def test_a_rejection_makes_the_amount_due_again_and_tells_the_family(family, family_user, outbox):
    mandate_for(family, family_user)
    invoice = due_invoice(family, "75.00")
    debit = SepaDebit.objects.get(export=sepa.export_debits(due_on=DUE))
    assert balance(family) == 0
    outbox.clear()

    sepa.reject_debit(debit=debit, code="AM04")

    debit.refresh_from_db()
    assert debit.reject_code == "AM04" and debit.rejected_on == TODAY
    cancellation = Payment.objects.get(cancelled_payment=debit.payment)
    assert "AM04" in cancellation.reason and "provision insuffisante" in cancellation.reason
    assert invoice_balance(invoice) == Decimal("75.00")
    assert balance(family) == Decimal("75.00")
    [message] = outbox()
    assert "AM04" in message.body and debit.payment.number in message.body
    with pytest.raises(ValidationError, match="déjà marqué rejeté"):
        sepa.reject_debit(debit=debit, code="AM04")


def test_exporting_without_a_mandate_is_refused(family):
    due_invoice(family, "75.00")
    with pytest.raises(ValidationError, match="ayant un mandat actif"):
        sepa.export_debits(due_on=DUE)
    assert not Payment.objects.filter(mode_name="Prélèvement").exists()
    assert not SepaExport.objects.exists()


def test_a_revoked_mandate_is_not_debited(family, family_user):
    mandate = mandate_for(family, family_user)
    sepa.revoke_mandate(mandate=mandate, user=family_user)
    due_invoice(family, "75.00")
    with pytest.raises(ValidationError, match="Aucun prélèvement"):
        sepa.export_debits(due_on=DUE)


def agent(client, *codenames):
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="billing", codename__in=codenames)
    )
    return staff_login(client, user)


def test_staff_export_then_reject_in_admin(client, family, family_user, outbox):
    mandate_for(family, family_user)
    invoice = due_invoice(family, "75.00")
    staff = agent(client, "add_sepaexport", "view_sepaexport", "view_sepadebit", "cancel_payment")
    add = reverse("admin:billing_sepaexport_add")
    empty = staff.post(add, {"due_on": (DUE + timedelta(days=3)).isoformat()})
    assert empty.status_code == 200
    assert "Aucun prélèvement à exporter" in visible_text(empty.content.decode())
    assert not SepaExport.objects.exists()

    response = staff.post(add, {"due_on": DUE.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    data = b"".join(response.streaming_content)
    xmlschema.XMLSchema(XSD).validate(data.decode())
    debit = SepaDebit.objects.get()
    listing = visible_text(
        staff.get(reverse("admin:billing_sepadebit_changelist")).content.decode()
    )
    assert debit.payment.number in listing and "FR76 •••• •••• 0189" in listing
    outbox.clear()
    reject = reverse("admin:billing_sepadebit_reject", args=[debit.pk])
    assert staff.post(reject, {"code": "MD01"}).status_code == 302
    debit.refresh_from_db()
    assert debit.reject_code == "MD01"
    assert invoice_balance(invoice) == Decimal("75.00")
    assert len(outbox()) == 1


def test_rejecting_needs_the_cancel_permission(client, family, family_user):
    mandate_for(family, family_user)
    due_invoice(family, "75.00")
    debit = SepaDebit.objects.get(export=sepa.export_debits(due_on=DUE))
    staff = agent(client, "view_sepadebit")
    reject = reverse("admin:billing_sepadebit_reject", args=[debit.pk])
    listing = staff.get(reverse("admin:billing_sepadebit_changelist")).content.decode()
    assert "transmis" in listing and reject not in listing  # no link it may not follow
    assert staff.post(reject, {"code": "MD01"}).status_code == 403
    assert not SepaDebit.objects.get().is_rejected


def test_mandate_model_is_never_deleted(family, family_user):
    mandate = mandate_for(family, family_user)
    with pytest.raises(Exception, match="ne peut pas être supprimé"):
        mandate.delete()
    assert SepaMandate.objects.count() == 1


def test_exporting_without_the_creditors_account_is_refused(family, family_user, settings):
    mandate_for(family, family_user)
    due_invoice(family, "75.00")
    settings.SEPA_CREDITOR_IBAN = ""
    with pytest.raises(ValidationError, match="renseignez SEPA_CREDITOR_IBAN"):
        sepa.export_debits(due_on=DUE)
    assert not SepaExport.objects.exists()
    assert not Payment.objects.filter(mode_name="Prélèvement").exists()
