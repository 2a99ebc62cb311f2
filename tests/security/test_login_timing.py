"""An unknown identifiant costs one password hash, like a known one: timing tells nothing.

Measured in seconds by `make bench`; here the cost is counted, which is deterministic.
"""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    computations = 0

    def encode(self, password, salt):
        CountingHasher.computations += 1
        return super().encode(password, salt)


@pytest.fixture
def counting(settings):
    settings.PASSWORD_HASHERS = ["tests.security.test_login_timing.CountingHasher"]
    CountingHasher.computations = 0
    return CountingHasher


def attempt(client, username):
    client.post(reverse("accounts:login"), {"username": username, "password": "a-wrong-password-1"})


def test_unknown_and_known_identifiants_cost_the_same(client, family_user, counting):
    family_user.set_password("the-real-password-2026")
    family_user.save()
    counting.computations = 0
    attempt(client, "dupont.marie")
    known = counting.computations
    counting.computations = 0
    attempt(client, "personne.inconnue")
    unknown = counting.computations
    counting.computations = 0
    attempt(client, "personne.inconnue@example.org")
    unknown_email = counting.computations
    assert known == unknown == unknown_email == 1
