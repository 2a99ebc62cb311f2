"""The new-invoice e-mail and the Accueil card."""

from datetime import date

from django.urls import reverse

from tests.billing.factories import draft_invoice, issued_invoice, payment, plain


def test_a_new_invoice_sends_an_email_with_a_link_and_no_attachment(family, outbox):
    family.reference_email = "famille.dupont@example.org"
    family.save()
    outbox.clear()
    draft = draft_invoice(family)
    assert outbox() == []
    issued_invoice(family, "186.00", issued_on=date(2026, 10, 5))
    [message] = outbox()
    # The family's policy: the reference e-mail and each responsable's.
    assert message.to == sorted(["famille.dupont@example.org", family.responsables.get().email])
    assert "Nouvelle facture 2026FAC0001" in message.subject
    body = plain(message.body)
    assert "facture 2026FAC0001, d'un montant de 186,00 €" in body
    assert "https://portail.example.org/facturation/factures/2026FAC0001/" in body
    assert message.attachments == []
    html = message.alternatives[0][0]
    assert 'href="https://portail.example.org/facturation/factures/2026FAC0001/"' in html
    assert draft.number is None


def test_the_home_page_shows_a_card_when_the_balance_is_due(family_client, family):
    home = reverse("portal:home")
    assert "Solde à régler" not in family_client.get(home).content.decode()
    issued_invoice(family, "186.00")
    html = plain(family_client.get(home).content.decode())
    assert "Solde à régler" in html
    assert "Vous devez 186,00 € au centre." in html
    assert 'href="/facturation/"' in html
    payment(family, "186.00")
    assert "Solde à régler" not in family_client.get(home).content.decode()


def test_a_credit_note_and_a_receipt_are_emailed_with_a_link(family, outbox):
    from billing import services

    invoice = issued_invoice(family, "186.00", issued_on=date(2026, 10, 5))
    outbox.clear()
    services.issue_credit_note(invoice=invoice, label="Absence prolongée")
    [message] = outbox()
    assert "Nouvel avoir" in message.subject and message.attachments == []
    body = plain(message.body)
    assert "Motif : Absence prolongée" in body
    assert "https://portail.example.org/facturation/factures/" in body
    outbox.clear()
    received = payment(family, "86.00")
    [message] = outbox()
    assert received.number in message.subject and message.attachments == []
    assert f"https://portail.example.org/facturation/{received.number}.pdf" in message.body
