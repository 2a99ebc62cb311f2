from datetime import timedelta

from axes.models import AccessAttempt
from django.urls import reverse

LOCK_MESSAGE = "la connexion est bloquée pendant 15 minutes"


def attempt(client, password, username="dupont.marie", ip="203.0.113.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def fail_five_times(client, username="dupont.marie"):
    for _ in range(5):
        attempt(client, "mauvais-mot-de-passe", username=username)


def test_it_locks_an_identifiant_after_five_failures_even_with_the_right_password(
    client, family_user, password
):
    for _ in range(4):
        assert attempt(client, "mauvais-mot-de-passe").status_code == 200
    response = attempt(client, "mauvais-mot-de-passe")
    assert response.status_code == 429
    response = attempt(client, password)
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCK_MESSAGE in html
    assert "Mot de passe perdu" in html
    assert "_auth_user_id" not in client.session


def test_it_counts_case_variants_of_an_identifiant_together(client, family_user, password):
    for username in [
        "dupont.marie",
        "DUPONT.MARIE",
        "Dupont.Marie",
        "dupont.MARIE",
        "DuPont.marie",
    ]:
        attempt(client, "mauvais-mot-de-passe", username=username)
    assert attempt(client, password).status_code == 429


def test_it_does_not_lock_the_same_identifiant_from_another_address(client, family_user, password):
    fail_five_times(client)
    assert attempt(client, password, ip="198.51.100.9").status_code == 302


def test_it_releases_the_lock_after_fifteen_minutes(client, family_user, password):
    fail_five_times(client)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert attempt(client, password).status_code == 302


def test_a_lock_never_blocks_password_reset(client, family_user, outbox):
    fail_five_times(client)
    response = client.post(
        reverse("accounts:password_reset"), {"login": "dupont.marie"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    (message,) = outbox()
    link = next(
        line
        for line in message.body.splitlines()
        if "/mot-de-passe-perdu/" in line and "https" in line
    )
    path = link.strip().removeprefix("https://portail.example.org")
    response = client.get(path, follow=True, REMOTE_ADDR="203.0.113.7")
    new_password = "Un-Tout-Nouveau-Mot-2026"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    client.logout()
    # The successful reset lifted the lock too.
    assert not AccessAttempt.objects.exists()
    assert attempt(client, new_password).status_code == 302


def shift_attempts(minutes):
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(
            attempt_time=row.attempt_time - timedelta(minutes=minutes)
        )


def test_attempts_during_the_lock_do_not_extend_it(client, family_user, password):
    fail_five_times(client)
    shift_attempts(14)
    # The right password during the lock is refused, and does not restart the lock.
    assert attempt(client, password).status_code == 429
    shift_attempts(2)
    assert attempt(client, password).status_code == 302


def test_the_lock_message_says_until_when(client, family_user, password):
    from django.utils import timezone

    fail_five_times(client)
    last = AccessAttempt.objects.get().attempt_time
    end = timezone.localtime(last + timedelta(minutes=15))
    html = attempt(client, password).content.decode()
    assert f"jusqu’à {end.hour} h {end.minute:02d}" in html or (
        f"jusqu'à {end.hour} h {end.minute:02d}" in html
    )
