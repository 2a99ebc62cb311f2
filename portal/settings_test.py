"""Settings for the test suite: the real settings, with fast hashing and e-mails captured."""

import os

os.environ.setdefault("PORTAL_TESTING", "1")

from portal.settings import *  # noqa: F403
from portal.settings import POST_OFFICE

# Tests that measure the real hasher override this; the others need not pay Argon2's cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
POST_OFFICE = {
    **POST_OFFICE,
    "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
}
EMAIL_DELIVER_ON_COMMIT = False
SITE_URL = "https://portail.example.org"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/portail-test-media"))  # noqa: F405, S108
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": MEDIA_ROOT}}}  # noqa: F405
# Tasks run at once, in the request that enqueues them (after its commit); the tests of the
# real backends override TASKS. The RQ tests use their own Redis database, emptied before use.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
RQ_QUEUES = {
    "default": {"URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")},
}
