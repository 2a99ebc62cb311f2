""" "Débloquer" on a family's admin page, and the list of locked-out accounts."""

import html
import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.conftest import log_in, staff_login
from tests.frontdesk.helpers import fail_logins, staff_with

pytestmark = pytest.mark.django_db


def change_url(family) -> str:
    return f"/admin/families/family/{family.pk}/change/"


def unlock_url(family) -> str:
    return f"/admin/families/family/{family.pk}/debloquer/"


def is_locked_out(username, password) -> bool:
    response = Client().post(
        "/connexion/", {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7"
    )
    return response.status_code == 429


def test_a_locked_family_logs_in_again_after_debloquer(client, staff_user, family, password):
    fail_logins(Client(), "dupont.marie")
    assert is_locked_out("dupont.marie", password)
    staff_login(client, staff_user)
    page = html.unescape(client.get(change_url(family)).content.decode())
    assert "Trop d'échecs de connexion : l'identifiant dupont.marie est bloqué." in page
    assert f'<form method="post" action="{unlock_url(family)}">' in page

    response = client.post(unlock_url(family), follow=True)
    assert response.redirect_chain == [(change_url(family), 302)]
    page = html.unescape(response.content.decode())
    assert "Connexion débloquée pour l'identifiant dupont.marie : il peut se reconnecter." in page
    assert "Trop d'échecs de connexion" not in page
    assert not AccessAttempt.objects.filter(username="dupont.marie").exists()
    log_in(Client(), "dupont.marie", password)


def test_the_account_lock_from_many_addresses_is_lifted_too(client, staff_user, family, password):
    for index in range(4):
        fail_logins(Client(), "dupont.marie", ip=f"198.51.100.{index + 1}")
    assert is_locked_out("dupont.marie", password)
    staff_login(client, staff_user)
    client.post(unlock_url(family))
    assert not is_locked_out("dupont.marie", password)


def test_another_familys_lock_stays(client, staff_user, family, other_user, password):
    fail_logins(Client(), "dupont.marie")
    fail_logins(Client(), "martin.paul", ip="198.51.100.20")
    staff_login(client, staff_user)
    client.post(unlock_url(family))
    assert AccessAttempt.objects.filter(username="martin.paul").exists()
    response = Client().post(
        "/connexion/",
        {"username": "martin.paul", "password": password},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 429


def test_nothing_locked_says_so_and_shows_no_button(client, staff_user, family):
    staff_login(client, staff_user)
    page = client.get(change_url(family)).content.decode()
    assert unlock_url(family) not in page
    response = client.post(unlock_url(family), follow=True)
    assert "Aucun compte n&#x27;était bloqué : rien n&#x27;a changé." in response.content.decode()


def test_unlocking_is_logged(client, staff_user, family, family_user, caplog):
    fail_logins(Client(), "dupont.marie")
    staff_login(client, staff_user)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        client.post(unlock_url(family), REMOTE_ADDR="192.0.2.10")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert (
        f"account_unlocked: account={family_user.pk} family={family.pk} attempts=1 "
        f"user={staff_user.pk} ip=192.0.2.10"
    ) in lines
    record = next(r for r in caplog.records if r.getMessage().startswith("account_unlocked"))
    assert record.levelno == logging.INFO


def test_staff_without_the_unlock_permission_get_403_and_no_button(client, family, password):
    fail_logins(Client(), "dupont.marie")
    staff_login(client, staff_with("families.view_family", "families.change_family"))
    page = client.get(change_url(family)).content.decode()
    assert unlock_url(family) not in page
    assert client.post(unlock_url(family)).status_code == 403
    assert is_locked_out("dupont.marie", password)


def test_the_unlock_permission_alone_does_not_open_a_family(client, family, password):
    fail_logins(Client(), "dupont.marie")
    staff_login(client, staff_with("frontdesk.unlock_account", "frontdesk.view_lockedaccount"))
    assert client.post(unlock_url(family)).status_code == 403
    assert is_locked_out("dupont.marie", password)


def test_the_secretariat_role_may_unlock(client, family, password):
    from django.contrib.auth.models import Group

    fail_logins(Client(), "dupont.marie")
    agent = staff_with()
    agent.groups.add(Group.objects.get(name="Secrétariat"))
    staff_login(client, agent)
    assert client.post(unlock_url(family)).status_code == 302
    assert not is_locked_out("dupont.marie", password)


def test_a_get_unlocks_nothing(client, staff_user, family, password):
    fail_logins(Client(), "dupont.marie")
    staff_login(client, staff_user)
    assert client.get(unlock_url(family)).status_code == 405
    assert is_locked_out("dupont.marie", password)


def test_a_post_without_the_csrf_token_is_refused(staff_user, family, password):
    fail_logins(Client(), "dupont.marie")
    client = Client(enforce_csrf_checks=True)
    staff_login(client, staff_user)
    assert client.post(unlock_url(family)).status_code == 403
    assert is_locked_out("dupont.marie", password)


def test_anonymous_visitors_are_sent_to_the_login(client, family, password):
    fail_logins(Client(), "dupont.marie")
    response = client.post(unlock_url(family))
    assert response.status_code == 302
    assert is_locked_out("dupont.marie", password)


def test_the_locked_accounts_list_and_its_action(client, staff_user, family_user, password):
    fail_logins(Client(), "dupont.marie")
    staff_login(client, staff_user)
    page = html.unescape(client.get("/admin/frontdesk/lockedaccount/").content.decode())
    assert "dupont.marie" in page
    assert "Bloqué jusqu'au" in page
    response = client.post(
        "/admin/frontdesk/lockedaccount/",
        {"action": "unlock", "_selected_action": [family_user.pk]},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "Connexion débloquée pour l'identifiant dupont.marie" in page
    assert not is_locked_out("dupont.marie", password)


def test_the_list_action_needs_the_unlock_permission(client, family_user, password):
    fail_logins(Client(), "dupont.marie")
    staff_login(client, staff_with("frontdesk.view_lockedaccount"))
    page = client.get("/admin/frontdesk/lockedaccount/").content.decode()
    assert "dupont.marie" in page
    assert 'value="unlock"' not in page
    client.post(
        "/admin/frontdesk/lockedaccount/",
        {"action": "unlock", "_selected_action": [family_user.pk]},
    )
    assert is_locked_out("dupont.marie", password)
