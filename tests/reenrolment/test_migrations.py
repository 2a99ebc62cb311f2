"""The data migration that turns the request-level decisions into line answers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reenrolment", "0005_line_decisions")]
AFTER = [("reenrolment", "0007_remove_request_decision_fields")]
WHEN = datetime(2027, 5, 2, 9, tzinfo=ZoneInfo("Europe/Paris"))


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_request_decisions_become_line_answers_and_back():
    apps = _migrate(BEFORE)
    Season = apps.get_model("students", "Season")
    Department = apps.get_model("students", "Department")
    Discipline = apps.get_model("students", "Discipline")
    Family = apps.get_model("families", "Family")
    Student = apps.get_model("students", "Student")
    Campaign = apps.get_model("reenrolment", "Campaign")
    Request = apps.get_model("reenrolment", "Request")
    Line = apps.get_model("reenrolment", "Line")

    season = Season.objects.create(
        name="2027-2028",
        starts_on=datetime(2027, 9, 1).date(),
        ends_on=datetime(2028, 6, 30).date(),
    )
    music = Department.objects.create(name="Musique", kind="music")
    piano = Discipline.objects.create(name="Piano", department=music)
    violin = Discipline.objects.create(name="Violon", department=music)
    family = Family.objects.create(name="DUPONT", reference_email="dupont@example.org")
    campaign = Campaign.objects.create(
        name="Réinscriptions",
        season=season,
        kind="reenrolment",
        opens_at=WHEN,
        closes_at=WHEN.replace(month=6),
    )
    decided = {
        "accepted": {},
        "waitlisted": {"waitlist_position": 3},
        "refused": {"refusal_reason": "Complet"},
        "submitted": {},
    }
    for i, (status, fields) in enumerate(decided.items()):
        student = Student.objects.create(family=family, first_name=f"E{i}", last_name="DUPONT")
        request = Request.objects.create(
            campaign=campaign,
            student=student,
            status=status,
            submitted_at=WHEN,
            updated_at=WHEN,
            **fields,
        )
        Line.objects.create(request=request, discipline=piano, kind="continue")
        Line.objects.create(request=request, discipline=violin, kind="stop")

    apps = _migrate(AFTER)
    Line = apps.get_model("reenrolment", "Line")
    answers = {
        line.request.status: (line.decision, line.waitlist_position, line.refusal_reason)
        for line in Line.objects.filter(kind="continue").select_related("request")
    }
    assert answers == {
        "accepted": ("accepted", None, ""),
        "waitlisted": ("waitlisted", 3, ""),
        "refused": ("refused", None, "Complet"),
        "submitted": ("pending", None, ""),
    }
    assert set(Line.objects.filter(kind="stop").values_list("decision", flat=True)) == {"pending"}

    # A request answered line by line goes back to one decision.
    Request = apps.get_model("reenrolment", "Request")
    partial = Request.objects.get(status="submitted")
    Line.objects.filter(request=partial, kind="continue").update(
        decision="waitlisted", waitlist_position=5
    )
    Request.objects.filter(pk=partial.pk).update(status="partial")
    apps = _migrate(BEFORE)
    Request = apps.get_model("reenrolment", "Request")
    back = {
        request.pk: (request.status, request.waitlist_position, request.refusal_reason)
        for request in Request.objects.all()
    }
    assert sorted(back.values(), key=str) == sorted(
        [
            ("accepted", None, ""),
            ("waitlisted", 3, ""),
            ("refused", None, "Complet"),
            ("waitlisted", 5, ""),
        ],
        key=str,
    )
    _migrate(AFTER)
