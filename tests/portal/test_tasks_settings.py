"""TASKS_BACKEND chooses where background tasks wait: the database (default) or Redis (rq)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.TASKS['default']['BACKEND']); print('django_rq' in settings.INSTALLED_APPS)"
)


def settings_with(**env):
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TASKS_BACKEND", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environ |= {"PORTAL_TESTING": "1", "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=environ, capture_output=True, text=True
    )


def test_tasks_wait_in_the_database_by_default():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_tasks_db.DatabaseBackend", "False"]


def test_the_rq_backend_installs_django_rq_for_its_workers():
    result = settings_with(TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_tasks_rq.RQBackend", "True"]


def test_an_unknown_tasks_backend_is_refused():
    result = settings_with(TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be database or rq, not 'celery'." in result.stderr


def test_make_run_starts_a_worker_beside_the_web_server():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py db_worker" in run
    assert "trap 'kill $$worker" in run
