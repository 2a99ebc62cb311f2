"""The échéancier of an invoice (issue 14): the family chooses at once / by term / monthly
direct debit on the invoice's page; instalments total the invoice to the cent (cents on the
last); the pain.008 export debits the instalments due that day."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import instalments, sepa
from billing.models import PaymentSchedule, SepaDebit
from billing.services import invoice_balance
from tests.billing.factories import payment, visible_text
from tests.billing.test_sepa_export import XSD, due_invoice, mandate_for, xml_of
from tests.factories import SeasonFactory

OCT = date(2026, 10, 5)


@pytest.fixture
def invoice(family):
    season = SeasonFactory(starts_on=date(2026, 9, 1), ends_on=date(2027, 7, 31))
    return due_invoice(
        family, "186.00", "100.01", season=season, due_on=OCT, issued_on=date(2026, 9, 20)
    )


def choose(client, invoice, plan):
    return client.post(reverse("billing:invoice_plan", args=[invoice.number]), {"plan": plan})


def test_split_totals_to_the_cent_with_cents_on_the_last():
    assert instalments.split(Decimal("286.01"), 10) == [Decimal("28.60")] * 9 + [Decimal("28.61")]
    assert instalments.split(Decimal("100.00"), 3) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]


def test_monthly_debit_needs_a_mandate_then_gives_ten_instalments(
    family_client, family, family_user, invoice
):
    refused = choose(family_client, invoice, "monthly")
    assert refused.status_code == 200
    assert "demande un mandat de prélèvement SEPA actif" in visible_text(refused.content.decode())
    assert not PaymentSchedule.objects.exists()

    mandate_for(family, family_user)
    assert choose(family_client, invoice, "monthly").status_code == 302

    schedule = PaymentSchedule.objects.get(invoice=invoice)
    rows = list(schedule.instalments.values_list("due_on", "amount"))
    assert [day for day, _ in rows] == [
        date(2026, 10, 5),
        date(2026, 11, 5),
        date(2026, 12, 5),
        date(2027, 1, 5),
        date(2027, 2, 5),
        date(2027, 3, 5),
        date(2027, 4, 5),
        date(2027, 5, 5),
        date(2027, 6, 5),
        date(2027, 7, 5),
    ]
    assert sum(amount for _, amount in rows) == invoice.total == Decimal("286.01")
    assert rows[-1][1] == Decimal("28.61")
    page = visible_text(
        family_client.get(reverse("billing:invoice", args=[invoice.number])).content.decode()
    )
    assert "Prélèvement mensuel" in page and "28,61 €" in page and "5 juillet 2027" in page


def test_by_term_gives_three_instalments(family_client, invoice):
    assert choose(family_client, invoice, "terms").status_code == 302
    rows = list(PaymentSchedule.objects.get().instalments.values_list("due_on", "amount"))
    assert rows == [
        (date(2026, 10, 5), Decimal("95.33")),
        (date(2027, 1, 5), Decimal("95.33")),
        (date(2027, 4, 5), Decimal("95.35")),
    ]


def test_the_plan_is_fixed_once_something_was_paid(family_client, family, invoice):
    payment(family, "10.00", invoices=[invoice])
    response = choose(family_client, invoice, "terms")
    assert "ne peut plus être changé" in visible_text(response.content.decode())
    assert not PaymentSchedule.objects.exists()


def test_another_familys_invoice_plan_is_a_404(other_client, invoice):
    assert choose(other_client, invoice, "terms").status_code == 404
    assert not PaymentSchedule.objects.exists()


def test_the_export_debits_the_due_instalment_and_again_after_a_rejection(
    family, family_user, invoice
):
    import xmlschema

    mandate_for(family, family_user)
    instalments.choose_plan(invoice=invoice, plan="monthly")
    october = SepaDebit.objects.get(export=sepa.export_debits(due_on=OCT))
    assert october.amount == Decimal("28.60")
    xmlschema.XMLSchema(XSD).validate(xml_of(october.export).decode())
    assert invoice_balance(invoice) == Decimal("257.41")
    sepa.reject_debit(debit=october, code="AM04")
    # November's debit takes November's instalment and the rejected October one.
    november = SepaDebit.objects.get(export=sepa.export_debits(due_on=date(2026, 11, 5)))
    assert november.amount == Decimal("57.20")
    assert november.sequence_type == "FRST"
    assert invoice_balance(invoice) == Decimal("228.81")


def test_staff_read_the_schedule_in_admin(staff_client, invoice):
    instalments.choose_plan(invoice=invoice, plan="terms")
    schedule = PaymentSchedule.objects.get()
    page = visible_text(
        staff_client.get(
            reverse("admin:billing_paymentschedule_change", args=[schedule.pk])
        ).content.decode()
    )
    assert invoice.number in page and "95,35" in page
