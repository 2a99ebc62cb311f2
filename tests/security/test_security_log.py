import logging
import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.security_log import log_event
from portal.sessions import ACTIVITY_KEY
from tests.accounts.helpers import link_in
from tests.conftest import log_in, staff_login
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


# Every event, as written by the configured handler (issue 13 item 8).

FAMILY_IP = "203.0.113.50"
STAFF_IP = "198.51.100.60"
WRONG_PASSWORD = "Mauvais-Mot-De-Passe-Tape"
NEW_PASSWORD = "Nouvelle-Phrase-Secrete-2026"
RESET_PASSWORD = "Phrase-Choisie-Par-Le-Lien-2026"
LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 (INFO|WARNING) portal\.security (\S+): ")


def console_handler() -> logging.Handler:
    (handler,) = [
        h for h in logging.getLogger("portal.security").handlers if h.get_name() == "console"
    ]
    return handler


def configured_lines(caplog) -> list[str]:
    """The captured security records, formatted by the handler that settings.LOGGING sets."""
    handler = console_handler()
    return [handler.format(r) for r in caplog.records if r.name == "portal.security"]


def test_every_security_event_has_utc_time_client_ip_and_no_secret(
    family_user, password, other_user, staff_user, outbox, caplog
):
    family = Client(REMOTE_ADDR=FAMILY_IP)
    staff = Client(REMOTE_ADDR=STAFF_IP)
    secrets = {password, WRONG_PASSWORD, NEW_PASSWORD, RESET_PASSWORD}
    session_keys = set()

    def remember_session(client):
        session_keys.add(client.cookies[settings.SESSION_COOKIE_NAME].value)

    # Logged in outside the capture: force_login's request has no address.
    staff_login(staff, staff_user)
    remember_session(staff)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        family.post(
            reverse("accounts:login"), {"username": "dupont.marie", "password": WRONG_PASSWORD}
        )
        log_in(family, "dupont.marie", password)
        remember_session(family)
        theirs = StudentFactory(family=other_user.family)
        assert family.get(reverse("students:detail", args=[theirs.pk])).status_code == 404
        response = family.post(
            reverse("accounts:password_change"),
            {
                "old_password": password,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        remember_session(family)
        family.post(reverse("accounts:logout"))

        outbox.clear()
        family.post(reverse("accounts:password_reset"), {"login": "Dupont.Marie"})
        family.post(reverse("accounts:password_reset"), {"login": "personne.inconnue"})
        (message,) = outbox()
        link = link_in(message, "/mot-de-passe-perdu/")
        uidb64, token = link.strip("/").split("/")[-2:]
        secrets |= {link, token, uidb64}
        form_url = family.get(link, follow=True).redirect_chain[-1][0]
        response = family.post(
            form_url, {"new_password1": RESET_PASSWORD, "new_password2": RESET_PASSWORD}
        )
        assert response.status_code == 302
        remember_session(family)
        session = family.session
        session[ACTIVITY_KEY] -= 3600
        session.save()
        assert family.get(reverse("portal:home")).status_code == 302

        staff.post(
            reverse("admin:families_family_changelist"),
            {"action": "send_portal_access", "_selected_action": [family_user.family_id]},
        )
        staff.post(
            reverse("admin:families_family_access", args=[family_user.family_id, 1]),
            {"action": "revoke"},
        )
        # Staff two-factor authentication calls the same function on a wrong code.
        request = RequestFactory().post("/admin/login/", REMOTE_ADDR=STAFF_IP)
        request.user = staff_user
        log_event("2fa_failed", request, user=staff_user.pk)

        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            family.post(
                reverse("accounts:login"),
                {"username": "personne.bloquee", "password": WRONG_PASSWORD},
            )

    lines = configured_lines(caplog)
    events = {}
    for line in lines:
        match = LINE.match(line)
        assert match, line
        events.setdefault(match.group(2), []).append(line)
    assert set(events) >= {
        "login_failed",
        "login",
        "not_found",
        "password_changed",
        "logout",
        "password_reset_requested",
        "password_reset_sent",
        "password_reset_done",
        "session_expired",
        "access_sent",
        "access_revoked",
        "2fa_failed",
        "login_locked_out",
    }, sorted(events)
    for line in lines:
        ip = STAFF_IP if f"user={staff_user.pk} " in line else FAMILY_IP
        assert line.endswith(f" ip={ip}"), line
        for secret in secrets | session_keys:
            assert secret not in line, (secret, line)
    # The page records what was typed; the timer's lookup logs what it sent, with the
    # request's address (the answer never says whether an account matched).
    assert [line.split(": ", 1)[1] for line in events["password_reset_requested"]] == [
        f"login=dupont.marie ip={FAMILY_IP}",
        f"login=personne.inconnue ip={FAMILY_IP}",
    ]
    assert [line.split(": ", 1)[1] for line in events["password_reset_sent"]] == [
        f"user={family_user.pk} ip={FAMILY_IP}"
    ]
    # The staff action names the staff user and the account it acted on.
    assert events["access_sent"][0].endswith(
        f"access_sent: account={family_user.pk} family={family_user.family_id} "
        f"user={staff_user.pk} ip={STAFF_IP}"
    )
    assert events["password_changed"][0].endswith(f"user={family_user.pk} ip={FAMILY_IP}")
    assert events["password_reset_done"][0].endswith(f"user={family_user.pk} ip={FAMILY_IP}")


def test_the_time_is_utc_whatever_the_time_zone(settings):
    record = logging.LogRecord("portal.security", logging.INFO, __file__, 1, "x", None, None)
    record.created = 1_796_205_929.5  # 2026-12-02 10:05:29 UTC, 11:05:29 in Paris
    assert console_handler().format(record) == "2026-12-02T10:05:29+00:00 INFO portal.security x"


def test_a_typed_login_cannot_forge_a_field_or_a_line(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        client.post(
            reverse("accounts:login"),
            {"username": "x ip=10.0.0.1\nlogin: user=1", "password": WRONG_PASSWORD},
            REMOTE_ADDR="203.0.113.7",
        )
    (line,) = configured_lines(caplog)
    assert "\n" not in line
    assert line.endswith(' login_failed: login="x ip=10.0.0.1\\nlogin: user=1" ip=203.0.113.7')


def test_a_secret_is_refused_as_a_field():
    for field in ("password", "token", "uidb64", "session_key", "reset_url"):
        with pytest.raises(ValueError):
            log_event("password_changed", None, **{field: "x"})
