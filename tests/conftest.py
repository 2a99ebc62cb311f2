"""Fixtures shared by the whole suite: families (owner and outsider), staff, e-mails."""

import pytest
from django.core import mail
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from post_office.mail import send_queued

from accounts.services import process_password_resets
from tests.factories import PASSWORD, ResponsableFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its private files in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def family_user(db):
    """The owner: a family account with its main responsable."""
    user = UserFactory(username="dupont.marie")
    responsable = ResponsableFactory(family=user.family, last_name="Dupont", first_name="Marie")
    user.responsable = responsable
    user.save()
    return user


@pytest.fixture
def family(family_user):
    return family_user.family


@pytest.fixture
def other_user(db):
    """The outsider: another family's account."""
    user = UserFactory(username="martin.paul")
    ResponsableFactory(family=user.family, last_name="Martin", first_name="Paul")
    return user


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="secretariat")


@pytest.fixture
def family_client(client, family_user):
    client.force_login(family_user)
    return client


@pytest.fixture
def other_client(client, other_user):
    client.force_login(other_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    staff_login(client, staff_user)
    return client


def staff_login(client, user):
    """Logs a staff account in with its second factor passed (as after the code's page): a
    confirmed TOTP device, recorded in the session as django-otp does."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def outbox(db):
    """Delivers what the portal queued (as the e-mail timer does: `send_password_resets` then
    `send_queued_mail`), then gives the messages."""

    class Outbox:
        def __call__(self):
            process_password_resets()
            send_queued(processes=1)
            return mail.outbox

        def clear(self):
            process_password_resets()
            send_queued(processes=1)
            mail.outbox.clear()

    return Outbox()


def log_in(client, username, password):
    """Logs in through the real login form (django-axes needs the request)."""
    response = client.post("/connexion/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
