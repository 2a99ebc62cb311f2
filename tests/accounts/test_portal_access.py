from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import generate_identifiant
from tests.accounts.helpers import link_in
from tests.factories import FamilyFactory, ResponsableFactory, UserFactory


def run_action(staff_client, *families):
    return staff_client.post(
        reverse("admin:families_family_changelist"),
        {"action": "send_portal_access", "_selected_action": [f.pk for f in families]},
        follow=True,
    )


def test_it_generates_readable_unique_identifiants(db):
    UserFactory(username="lefevre.helene")
    assert generate_identifiant("Lefèvre", "Hélène") == "lefevre.helene2"
    assert generate_identifiant("Le Gall-Morvan", "Jean Paul") == "legallmorvan.jeanpaul"


def test_it_creates_the_account_and_emails_the_access(staff_client, outbox, client):
    family = FamilyFactory(name="Lefèvre", reference_email="famille.lefevre@example.org")
    ResponsableFactory(family=family, last_name="Lefèvre", first_name="Hélène")
    response = run_action(staff_client, family)
    assert "Accès au portail envoyés à 1 famille." in response.content.decode()

    user = User.objects.get(family=family)
    assert user.username == "lefevre.helene"
    assert not user.has_usable_password()
    (message,) = outbox()
    assert message.to == ["famille.lefevre@example.org"]
    assert "lefevre.helene" in message.body

    # The family follows the link and chooses its password: it is then connected.
    staff_client.logout()
    response = client.get(link_in(message, "/mot-de-passe-perdu/"), follow=True)
    form_url = response.redirect_chain[-1][0]
    assert "lefevre.helene" in response.content.decode()
    password = "Ma-Premiere-Connexion-2026"
    response = client.post(
        form_url, {"new_password1": password, "new_password2": password}, follow=True
    )
    assert "LEFÈVRE Hélène" in response.content.decode()


def test_running_it_twice_resends_without_duplicating(staff_client, outbox, settings):
    family = FamilyFactory(name="Bernard")
    ResponsableFactory(family=family, last_name="Bernard", first_name="Luc")
    run_action(staff_client, family)
    run_action(staff_client, family)  # at once: not sent again (throttled)
    assert len(outbox()) == 1
    User.objects.filter(family=family).update(
        access_sent_at=timezone.now() - settings.ACCESS_EMAIL_INTERVAL
    )
    run_action(staff_client, family)
    assert User.objects.filter(family=family).count() == 1
    messages = outbox()
    assert len(messages) == 2
    assert all("bernard.luc" in m.body for m in messages)


def test_it_says_which_families_have_no_email(staff_client, outbox):
    family = FamilyFactory(name="Sansmail", reference_email="")
    response = run_action(staff_client, family)
    assert "Aucun e-mail de référence" in response.content.decode()
    assert not User.objects.filter(family=family).exists()
    assert outbox() == []


def test_the_access_e_mail_is_in_the_accounts_language(staff_client, outbox):
    """Sent by staff (whose admin is in French), written in the family's language; a new
    account (responsable 2's) starts in the family's language."""
    family = FamilyFactory(name="Smith", reference_email="smith@example.org")
    first = ResponsableFactory(family=family, last_name="Smith", first_name="Jane")
    second = ResponsableFactory(
        family=family, rank=2, last_name="Smith", first_name="John", email="john@example.org"
    )
    UserFactory(username="smith.jane", family=family, responsable=first, language="en")
    from accounts.services import grant_portal_access

    grant_portal_access(family=family, responsable=second)
    (message,) = outbox()
    assert message.to == ["john@example.org"]
    assert User.objects.get(responsable=second).language == "en"
    assert "Bonjour" not in message.body and "smith.john" in message.body
