import logging

from django.conf import settings
from django.urls import reverse

from tests.factories import StudentFactory


def test_it_logs_a_failed_login_with_account_and_ip_but_not_the_password(
    client, family_user, caplog
):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        client.post(
            reverse("accounts:login"),
            {"username": "Dupont.Marie", "password": "secret-typed-password"},
            REMOTE_ADDR="203.0.113.7",
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert "login_failed: login=dupont.marie ip=203.0.113.7" in lines
    assert "secret-typed-password" not in caplog.text


def test_it_logs_a_lockout(client, family_user, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        for _ in range(6):
            client.post(
                reverse("accounts:login"),
                {"username": "dupont.marie", "password": "wrong-password-typed"},
                REMOTE_ADDR="203.0.113.8",
            )
    assert "login_locked_out: login=dupont.marie ip=203.0.113.8" in caplog.text
    assert "wrong-password-typed" not in caplog.text


def test_it_logs_logins_and_logouts(client, family_user, password, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        client.post(reverse("accounts:login"), {"username": "dupont.marie", "password": password})
        client.post(reverse("accounts:logout"))
    assert f"login: user={family_user.pk} ip=127.0.0.1" in caplog.text
    assert f"logout: user={family_user.pk} ip=127.0.0.1" in caplog.text
    assert password not in caplog.text


def test_it_never_logs_a_reset_token(client, family_user, outbox, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("accounts:password_reset"), {"login": "dupont.marie"})
        body = outbox()[0].body
    token_path = next(word for word in body.split() if "/mot-de-passe-perdu/" in word)
    token = token_path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in caplog.text


def test_it_logs_another_family_object_with_time_account_and_ip(
    client, family_user, other_user, caplog
):
    theirs = StudentFactory(family=other_user.family)
    client.force_login(family_user)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.get(
            reverse("students:detail", args=[theirs.pk]), REMOTE_ADDR="198.51.100.4"
        )
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.getMessage().startswith("not_found")]
    assert record.getMessage() == (
        f"not_found: what=family_object path=/eleves/{theirs.pk}/ user={family_user.pk} "
        "ip=198.51.100.4"
    )
    # Written with its time by the configured handler.
    config = settings.LOGGING
    assert config["loggers"]["portal.security"] == {
        "handlers": ["console"],
        "level": "INFO",
        "propagate": False,
    }
    formatter = config["handlers"]["console"]["formatter"]
    assert config["formatters"][formatter]["format"].startswith("%(asctime)s")
