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


def hashes(client, counting, username, password="a-wrong-password-1"):
    counting.computations = 0
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return counting.computations


def test_exactly_one_hash_whatever_the_login_names(client, family_user, counting):
    """Issue 13, item 5: the reference e-mail of a family with two accounts cost two hashes
    (340 ms against 182 ms for an unknown address)."""
    from tests.factories import ResponsableFactory, UserFactory

    family_user.set_password("the-real-password-2026")
    family_user.save()
    responsable = ResponsableFactory(family=family_user.family, rank=2, email="paul@example.org")
    second = UserFactory(
        username="dupont.paul",
        family=family_user.family,
        responsable=responsable,
        email=responsable.email,
    )
    never_set = UserFactory(username="sans.mot.de.passe")
    never_set.set_unusable_password()
    never_set.save()
    inactive = UserFactory(username="compte.inactif", is_active=False)
    counts = {
        "unknown identifiant": hashes(client, counting, "personne.inconnue"),
        "unknown e-mail": hashes(client, counting, "personne@example.org"),
        "known identifiant": hashes(client, counting, "dupont.marie"),
        "e-mail of two accounts": hashes(client, counting, family_user.family.reference_email),
        "no password yet": hashes(client, counting, never_set.username),
        "inactive account": hashes(client, counting, inactive.username),
        "outside the allowed characters": hashes(client, counting, "dupont.marıe"),
    }
    assert set(counts.values()) == {1}, counts
    assert second.pk  # the second account exists but costs nothing more
