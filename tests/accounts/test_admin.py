"""Staff read django-axes' login-throttling records in French, with readable dates."""

import html
from datetime import UTC, datetime, timedelta

from axes.models import AccessAttempt, AccessLog
from django.utils import timezone

ATTEMPTS = "/admin/axes/accessattempt/"


def attempt(username: str, failures: int, when: datetime) -> AccessAttempt:
    record = AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.1",
        user_agent="Firefox",
        path_info="/connexion/",
        failures_since_start=failures,
        get_data="",
        post_data="",
    )
    AccessAttempt.objects.filter(pk=record.pk).update(attempt_time=when)
    record.refresh_from_db()
    return record


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_attempts_list_is_french_with_readable_dates(staff_client):
    attempt("dupont", 5, datetime(2026, 12, 2, 0, 5, 29, 523377, tzinfo=UTC))
    attempt("martin", 5, timezone.now() - timedelta(minutes=1))
    attempt("durand", 2, timezone.now())

    page = text(staff_client.get(ATTEMPTS))

    assert "<h1>Tentatives de connexion</h1>" in page
    for english in ("Locked Out", "Attempt Remaining", "+00:00", "Attempted Access"):
        assert english not in page
    # Paris time: 00:05 UTC is 1 h 05; the lock (15 minutes) ended at 1 h 20.
    assert "2 décembre 2026 à 1 h 05" in page
    assert "blocage terminé le 2 décembre 2026 à 1 h 20" in page
    assert "bloqué jusqu'au " in page
    assert "3 essais restants" in page
    assert "Identifiant saisi" in page


def test_an_attempts_page_is_titled_in_french(staff_client):
    record = attempt("dupont", 5, datetime(2026, 12, 2, 0, 5, 29, tzinfo=UTC))

    page = text(staff_client.get(f"{ATTEMPTS}{record.pk}/change/"))

    assert "Attempted Access" not in page
    assert "<h1>Tentative de connexion</h1>" in page
    assert "Tentative de dupont, 2 décembre 2026 à 1 h 05" in page
    assert 'name="username"' not in page  # a record, not a form


def test_the_admin_index_names_the_sections_in_french(staff_client):
    AccessLog.objects.create(username="dupont", ip_address="192.0.2.1", user_agent="x")

    page = text(staff_client.get("/admin/"))

    assert "Sécurité des connexions" in page
    assert "E-mails" in page
    assert ">Axes<" not in page and "Post Office" not in page


def test_the_clean_up_action_removes_finished_locks_with_one_message(staff_client):
    from django.contrib.messages import get_messages

    old = attempt("dupont", 5, timezone.now() - timedelta(hours=2))
    current = attempt("martin", 5, timezone.now())

    response = staff_client.post(
        ATTEMPTS,
        {"action": "clean_up_expired", "_selected_action": [old.pk, current.pk]},
    )

    (message,) = get_messages(response.wsgi_request)
    assert str(message) == "1 tentative supprimée."
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["martin"]
