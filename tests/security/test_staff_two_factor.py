"""Issue 13, item 7: every staff account passes a TOTP second factor (django-otp) before the
admin or any page; enrolment with a QR code and backup codes; recovery by a command; families
are not concerned; django-axes still throttles /admin/login/."""

import html
import io
import logging
import re
import time
from base64 import b32encode

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import log_in, staff_login
from tests.factories import PASSWORD, StaffFactory
from tests.students.factories import DocumentFactory

SETUP = "/connexion/double-authentification/"
VERIFY = "/connexion/verification/"
BACKUP = "/connexion/codes-de-secours/"


def code_of(device: TOTPDevice, offset: int = 0) -> str:
    """The application's current code (offset in time steps)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + offset * device.step
    return f"{generator.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    valid = {code_of(device, offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def staff(db):
    return StaffFactory(username="secretariat")


@pytest.fixture
def enrolled(staff):
    """A staff member with a confirmed application and backup codes."""
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    backup = StaticDevice.objects.create(user=staff, name="Codes de secours", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345")
    return device


def password_login(client, username="secretariat"):
    return log_in(client, username, PASSWORD)


ADMIN_PAGES = [
    "/admin/",
    "/admin/families/family/",
    "/admin/accounts/user/",
    "/admin/billing/invoice/",
    "/admin/accounts/user/add/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_staff_member_without_a_device_is_sent_to_enrolment_from_every_admin_page(
    client, staff, path
):
    password_login(client)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert client.post(path, {}).status_code == 302


def test_nor_can_an_unverified_staff_session_download_a_family_document(client, staff, family):
    document = DocumentFactory(family=family)
    password_login(client)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_the_password_login_of_a_staff_member_leads_to_enrolment_then_the_admin(client, staff):
    response = client.post("/connexion/", {"username": "secretariat", "password": PASSWORD})
    response = client.get(response["Location"])
    # The family home is not for staff: after the second factor, the admin.
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_enrolment_shows_a_qr_code_and_the_secret_then_backup_codes_once(client, staff, caplog):
    password_login(client)
    page = client.get(SETUP + "?next=/admin/families/family/")
    assert page.status_code == 200
    body = text(page)
    assert "Activer la double authentification" in body
    # The QR code is an inline <svg> (the CSP allows no inline script, and no image request).
    assert re.search(r"<svg [^>]*role=\"img\"", body)
    assert "data:" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", body).group(1)
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()
    # A reload keeps the same secret (the QR code may have been scanned already).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.post(SETUP, {"code": code_of(device), "next": "/admin/families/family/"})
    assert response.status_code == 302
    assert response["Location"] == BACKUP
    device.refresh_from_db()
    assert device.confirmed
    assert "2fa_enrolled" in caplog.text

    shown = client.get(BACKUP)
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10
    stored = StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    assert set(codes) == set(stored)
    assert "ne seront plus jamais affichés" in text(shown)
    assert 'href="/admin/families/family/"' in shown.content.decode()
    # Once only.
    again = client.get(BACKUP)
    assert again.status_code == 302
    assert codes[0] not in again.content.decode()
    # The session is verified: the admin opens.
    assert client.get("/admin/families/family/").status_code == 200


def test_a_wrong_enrolment_code_is_refused_in_french_and_logged_without_it(client, staff, caplog):
    password_login(client)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    bad = wrong_code(device)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.post(SETUP, {"code": bad})
    assert response.status_code == 200
    assert "Code incorrect. Vérifiez que l'heure de votre téléphone est juste" in text(response)
    assert f"2fa_failed: user={staff.pk} step=enrolment" in caplog.text
    assert bad not in caplog.text
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert client.get("/admin/").status_code == 302


def test_an_enrolled_staff_member_gives_a_code_in_every_new_session(client, enrolled, caplog):
    password_login(client)
    response = client.get("/admin/families/family/")
    assert response.status_code == 302
    assert response["Location"] == VERIFY + "?next=%2Fadmin%2Ffamilies%2Ffamily%2F"
    # Enrolled already: no new secret is offered to whoever has the password.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=enrolled.user).count() == 1

    page = client.get(response["Location"])
    assert "Double authentification" in text(page)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.post(
            VERIFY, {"code": code_of(enrolled), "next": "/admin/families/family/"}
        )
    assert response["Location"] == "/admin/families/family/"
    assert "2fa_verified" in caplog.text
    assert client.get("/admin/families/family/").status_code == 200

    client.post("/deconnexion/")
    password_login(client)
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    # Another browser with the password only gets nothing either.
    other = Client()
    password_login(other)
    assert other.get("/admin/").status_code == 302


def test_wrong_login_codes_are_refused_then_throttled_and_logged(client, enrolled, caplog):
    password_login(client)
    bad = wrong_code(enrolled)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        first = client.post(VERIFY, {"code": bad})
        # django-otp's throttling: right after a failure, even the right code waits.
        second = client.post(VERIFY, {"code": code_of(enrolled)})
    assert first.status_code == 200
    assert "Code incorrect." in text(first)
    assert "Trop de codes erronés : attendez" in text(second)
    assert f"2fa_failed: user={enrolled.user_id} step=totp ip=" in caplog.text
    assert "step=totp throttled" in caplog.text
    assert bad not in caplog.text
    assert client.get("/admin/").status_code == 302


def test_a_backup_code_logs_in_once(client, enrolled):
    password_login(client)
    response = client.post(VERIFY, {"code": "ABCD 2345", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert "Il vous en reste 0" in text(client.get("/admin/"))
    client.post("/deconnexion/")

    password_login(client)
    refused = client.post(VERIFY, {"code": "abcd2345"})
    assert refused.status_code == 200
    assert "Code incorrect." in text(refused)
    assert client.get("/admin/").status_code == 302


def test_the_reset_command_deletes_the_devices_and_the_person_enrols_again(
    client, enrolled, caplog
):
    staff = enrolled.user
    password_login(client)
    client.post(VERIFY, {"code": code_of(enrolled)})
    assert client.get("/admin/").status_code == 200

    with caplog.at_level(logging.INFO, logger="portal.security"):
        call_command("reset_staff_2fa", "Secretariat", stdout=io.StringIO())
    assert f"2fa_reset: user={staff.pk} devices=2" in caplog.text
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    # The verified session loses its access at once; the next step is a new enrolment.
    response = client.get("/admin/")
    assert response["Location"].startswith(SETUP)

    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("reset_staff_2fa", "personne")


def test_the_reset_command_refuses_a_family_account(family_user):
    with pytest.raises(CommandError, match="n'est pas un compte du personnel"):
        call_command("reset_staff_2fa", family_user.username)


def test_families_log_in_as_before(client, family_user):
    response = log_in(client, "dupont.marie", PASSWORD)
    assert response["Location"] == "/accueil/"
    assert client.get("/accueil/").status_code == 200
    assert client.get("/famille/").status_code == 200
    assert not TOTPDevice.objects.exists()
    # The second-factor pages are not theirs.
    assert client.get(SETUP).status_code == 403
    assert client.get(VERIFY).status_code == 403


def test_the_admin_login_page_leads_to_the_second_factor_too(client, enrolled):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "secretariat", "password": PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_axes_still_locks_the_admin_login_after_five_failures(client, staff):
    def attempt(password):
        return client.post(
            "/admin/login/", {"username": "secretariat", "password": password, "next": "/admin/"}
        )

    for _ in range(4):
        assert attempt("pas-le-bon").status_code == 200
    assert attempt("pas-le-bon").status_code == 429  # the fifth failure locks
    locked = client.post(
        "/admin/login/", {"username": "secretariat", "password": PASSWORD, "next": "/admin/"}
    )
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in text(locked)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", [SETUP, VERIFY])
def test_the_second_factor_forms_refuse_a_post_without_csrf_token(staff, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)  # the password step
    if path == VERIFY:
        TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    response = client.post(path, {"code": "123456"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


def test_the_admin_lists_devices_without_their_secrets(client, enrolled):
    staff_client = staff_login(client, enrolled.user)
    totp = staff_client.get(f"/admin/otp_totp/totpdevice/{enrolled.pk}/change/")
    assert totp.status_code == 200
    assert enrolled.key not in totp.content.decode()
    assert staff_client.get(f"/admin/otp_totp/totpdevice/{enrolled.pk}/config/").status_code == 403
    backup = StaticDevice.objects.get(user=enrolled.user)
    static = staff_client.get(f"/admin/otp_static/staticdevice/{backup.pk}/change/")
    assert static.status_code == 200
    assert "abcd2345" not in static.content.decode()


@pytest.mark.parametrize("model_admin", list(admin.site._registry), ids=str)
def test_no_admin_list_opens_before_the_second_factor(client, staff, model_admin):
    client.force_login(staff)  # the password step only
    meta = model_admin._meta
    response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_a_password_reset_does_not_skip_the_second_factor(client, enrolled, outbox):
    from tests.accounts.helpers import link_in

    client.post("/mot-de-passe-perdu/", {"login": "secretariat"})
    path = link_in(outbox()[-1], "/mot-de-passe-perdu/")
    form_url = client.get(path)["Location"]
    new = "Une-Nouvelle-Phrase-2026"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"].startswith(VERIFY)
