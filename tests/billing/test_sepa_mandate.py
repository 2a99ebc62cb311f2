"""SEPA mandates signed online (issue 14): IBAN checked, text accepted, signature recorded with
a RUM and a PDF copy, IBAN masked, revocation and replacement, scoped to the family."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.urls import reverse

from billing.models import SepaMandate
from tests.billing.factories import pdf_text, visible_text
from tests.conftest import staff_login
from tests.factories import StaffFactory

MANDATE = reverse("billing:mandate")
IBAN = "FR76 3000 6000 0112 3456 7890 189"
MASKED = "FR76 •••• •••• 0189"


def sign(client, iban=IBAN, accepted=True, holder="Marie Dupont", **extra):
    data = {"account_holder": holder, "iban": iban}
    if accepted:
        data["accepted"] = "on"
    return client.post(MANDATE, data, **extra)


def test_a_responsable_signs_a_mandate(family_client, family, family_user):
    ledger = family_client.get(reverse("billing:ledger")).content.decode()
    assert f'href="{MANDATE}"' in ledger  # the Facturation tab leads to it
    page = visible_text(family_client.get(MANDATE).content.decode())
    assert "En signant ce formulaire de mandat, vous autorisez (A)" in page
    assert "FR11ZZZ123456" in page  # the ICS from settings

    response = sign(family_client, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    mandate = SepaMandate.objects.get(family=family)
    assert mandate.rum == f"PF-{family.pk}-001"
    assert mandate.iban == "FR7630006000011234567890189"
    assert mandate.account_holder == "Marie Dupont"
    assert mandate.signed_ip == "203.0.113.7"
    assert mandate.signed_by == family_user
    assert mandate.signed_at is not None
    assert "FR11ZZZ123456" in mandate.mandate_text
    with default_storage.open(mandate.pdf.name, "rb") as stored:
        data = stored.read()
    text = pdf_text(data)
    assert mandate.rum in text and "FR11ZZZ123456" in text and MASKED in text
    assert "0112 3456" not in text  # masked in the copy too
    page = visible_text(family_client.get(MANDATE).content.decode())
    assert MASKED in page and "3000 6000 0112" not in page
    download = family_client.get(reverse("billing:mandate_pdf", args=[mandate.rum]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("FR76 3000 6000 0112 3456 7890 188", "sa clé de contrôle est fausse"),
        ("FR76 3000 6000 0112", "sa longueur ou son format"),
        ("", "Indiquez l'IBAN"),
    ],
)
def test_a_wrong_iban_is_refused_in_french(family_client, family, iban, message):
    response = sign(family_client, iban=iban)
    assert response.status_code == 200
    assert message in visible_text(response.content.decode())
    assert not SepaMandate.objects.exists()


def test_signing_without_accepting_the_text_is_refused(family_client, family):
    response = sign(family_client, accepted=False)
    assert response.status_code == 200
    assert "cochez la case" in visible_text(response.content.decode())
    assert not SepaMandate.objects.exists()


def test_revoke_then_replace_keeps_the_old_mandate(family_client, family):
    sign(family_client)
    first = SepaMandate.objects.get()
    response = family_client.post(reverse("billing:mandate_revoke", args=[first.rum]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.revoked_at is not None

    sign(family_client, iban="DE89 3704 0044 0532 0130 00", holder="Paul Dupont")
    second = SepaMandate.objects.get(revoked_at__isnull=True)
    assert second.rum == f"PF-{family.pk}-002"
    # A replacement signed over an active mandate revokes it.
    sign(family_client)
    assert SepaMandate.objects.filter(family=family).count() == 3
    assert SepaMandate.objects.active().get().rum == f"PF-{family.pk}-003"
    page = visible_text(family_client.get(MANDATE).content.decode())
    assert first.rum in page and second.rum in page and "révoqué le" in page


def test_another_familys_mandate_is_a_404(family_client, other_client, family):
    sign(family_client)
    mandate = SepaMandate.objects.get()
    other_client.logout()
    from tests.factories import UserFactory

    other_client.force_login(UserFactory(username="autre.famille"))
    assert other_client.get(reverse("billing:mandate_pdf", args=[mandate.rum])).status_code == 404
    revoke = other_client.post(reverse("billing:mandate_revoke", args=[mandate.rum]))
    assert revoke.status_code == 404
    mandate.refresh_from_db()
    assert mandate.revoked_at is None


def test_staff_see_the_iban_masked_unless_permitted(client, family_client, family):
    sign(family_client)
    mandate = SepaMandate.objects.get()
    agent = StaffFactory(is_superuser=False)
    agent.user_permissions.add(Permission.objects.get(codename="view_sepamandate"))
    staff_login(client, agent)
    change = reverse("admin:billing_sepamandate_change", args=[mandate.pk])
    page = visible_text(client.get(change).content.decode())
    assert MASKED in page and "FR7630006000011234567890189" not in page
    listing = visible_text(
        client.get(reverse("admin:billing_sepamandate_changelist")).content.decode()
    )
    assert MASKED in listing
    assert (
        client.get(reverse("admin:billing_sepamandate_pdf", args=[mandate.pk])).status_code == 200
    )
    # Signed data is read-only: no change form, no deletion.
    assert client.post(change, {"account_holder": "X"}).status_code == 403
    agent.user_permissions.add(Permission.objects.get(codename="view_full_iban"))
    page = visible_text(client.get(change).content.decode())
    assert "FR7630006000011234567890189" in page


def test_without_an_ics_no_mandate_can_be_signed(family_client, family, settings):
    settings.SEPA_CREDITOR_ID = ""
    page = visible_text(family_client.get(MANDATE).content.decode())
    assert "Le prélèvement n'est pas encore proposé par le centre." in page
    assert "Signer le mandat" not in page
    response = sign(family_client)
    assert "pas encore proposé" in visible_text(response.content.decode())
    assert not SepaMandate.objects.exists()
