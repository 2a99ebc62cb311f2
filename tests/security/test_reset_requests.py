"""The "mot de passe perdu" form does the same work for every login and is throttled
(issue 13, item 5).

Before: an existing login was answered in 8.6 ms, an unknown one in 4.8 ms (the account was
looked up and its e-mail rendered and queued during the request), and 55 e-mails could be
queued to one address in seconds.
"""

import pytest
from django.urls import reverse

from accounts.models import PasswordResetRequest
from tests.factories import ResponsableFactory, UserFactory

IP = "203.0.113.7"


def ask(client, login, ip=IP):
    return client.post(reverse("accounts:password_reset"), {"login": login}, REMOTE_ADDR=ip)


@pytest.fixture
def limits(settings):
    settings.RESET_REQUESTS_PER_ADDRESS = 3
    settings.RESET_REQUESTS_PER_ACCOUNT = 3
    settings.RESET_REQUESTS_PER_IP = 10
    return settings


def test_known_and_unknown_logins_cost_the_same_queries_and_answer_the_same(
    client, family_user, django_assert_num_queries
):
    ask(client, "échauffement")  # the first request of a test client opens its session etc.
    answers, statements = [], []
    for login in ["dupont.marie", "personne.inconnue", family_user.email, "x@example.org"]:
        # A savepoint, one count (per IP), one insert, the savepoint's release.
        with django_assert_num_queries(4) as queries:
            response = ask(client, login)
        answers.append((response.status_code, response["Location"]))
        statements.append([query["sql"].split(" WHERE ")[0][:60] for query in queries][1:-1])
    assert all(shape == statements[0] for shape in statements), statements
    assert not any("accounts_user" in sql for sql in statements[0]), statements[0]
    assert answers == [(302, reverse("accounts:password_reset_done"))] * 4
    done = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert "Si un compte correspond" in done


def test_the_page_sends_nothing_itself_the_timer_does(client, family_user, outbox, mailoutbox):
    ask(client, "dupont.marie")
    assert mailoutbox == []
    (message,) = outbox()
    assert message.to == [family_user.email]


def test_the_fourth_request_for_one_address_sends_nothing(client, family_user, outbox, limits):
    for number in range(5):
        response = ask(client, "dupont.marie", ip=f"198.51.100.{number}")
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(outbox()) == 3


def test_an_account_gets_at_most_three_emails_whatever_alias_is_typed(
    client, family_user, outbox, limits
):
    for number, login in enumerate(
        ["dupont.marie", family_user.email, "DUPONT.MARIE", "ｄｕｐｏｎｔ.marie"]
    ):
        ask(client, login, ip=f"198.51.100.{number}")
    assert len(outbox()) == 3


def test_one_address_asking_for_many_accounts_is_throttled(client, db, outbox, limits):
    for number in range(12):
        UserFactory(username=f"famille.{number}")
    for number in range(12):
        response = ask(client, f"famille.{number}")
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(outbox()) == 10
    assert PasswordResetRequest.objects.count() == 10
    # Another address is not concerned.
    ask(client, "famille.11", ip="198.51.100.1")
    assert len(outbox()) == 11


def test_the_window_ends(client, family_user, outbox, limits):
    from datetime import timedelta

    for _ in range(3):
        ask(client, "dupont.marie")
    outbox.clear()
    PasswordResetRequest.objects.update(
        requested_at=PasswordResetRequest.objects.first().requested_at - timedelta(minutes=61)
    )
    ask(client, "dupont.marie")
    assert len(outbox()) == 1


def test_the_reference_email_reaches_every_active_account_of_the_family(
    client, family_user, outbox
):
    responsable = ResponsableFactory(family=family_user.family, rank=2, email="paul@example.org")
    UserFactory(
        username="dupont.paul",
        family=family_user.family,
        responsable=responsable,
        email=responsable.email,
    )
    ask(client, family_user.family.reference_email)
    assert sorted(message.to[0] for message in outbox()) == sorted(
        [family_user.email, "paul@example.org"]
    )


def test_in_local_mode_the_page_sends_at_once(
    client, family_user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVER_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "dupont.marie")
    assert [message.to for message in mailoutbox] == [[family_user.email]]
