"""Every database constraint a staff form can hit speaks French (and English), never its name."""

import html
from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from students.models import Season
from tests.factories import SeasonFactory

PROJECT_APPS = ["portal", "accounts", "families", "students", "billing", "reenrolment"]


@pytest.fixture(autouse=True)
def _back_to_french():
    """A request in English leaves English active in this thread: later tests expect French."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def project_constraints():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_has_its_own_message():
    constraints = list(project_constraints())
    assert len(constraints) > 20
    missing = [
        f"{model.__name__}.{constraint.name}"
        for model, constraint in constraints
        if constraint.violation_error_message in (None, constraint.default_violation_error_message)
    ]
    assert missing == []
    with translation.override("fr"):
        for _model, constraint in constraints:
            message = str(constraint.get_violation_error_message())
            assert constraint.name not in message
            assert "contrainte" not in message.lower()


def _second_current_season(client):
    return client.post(
        "/admin/students/season/add/",
        {
            "name": "2027-2028",
            "starts_on": "2027-09-01",
            "ends_on": "2028-06-30",
            "is_current": "on",
        },
    )


def test_a_second_current_season_is_refused_in_french(staff_client):
    SeasonFactory()
    response = _second_current_season(staff_client)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Une autre saison est déjà la saison en cours : décochez-la d'abord." in page
    assert "students_one_current_season" not in page
    assert not Season.objects.filter(name="2027-2028").exists()


def test_a_second_current_season_is_refused_in_english(staff_client):
    SeasonFactory()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _second_current_season(staff_client)
    page = html.unescape(response.content.decode())
    assert "Another season is already the current season: untick it first." in page
    assert "students_one_current_season" not in page
    assert Season.objects.filter(is_current=True).count() == 1
    assert Season.objects.filter(starts_on=date(2027, 9, 1)).count() == 0
