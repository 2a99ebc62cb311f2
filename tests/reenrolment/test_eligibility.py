"""Who a campaign is for is written three ways (`Campaign.eligible_students` in SQL for the
request form, `Campaign.admits` in Python for the Réinscription page, `awaits_answer_from` for
the Accueil card): on the same family they must agree."""

import pytest

from reenrolment.models import Campaign
from students.checklist import with_current_enrolments
from students.models import Student
from tests.factories import StudentFactory
from tests.reenrolment.conftest import enrol
from tests.reenrolment.factories import CampaignFactory, RequestFactory


def _verdicts(campaign, family):
    eligible = set(campaign.eligible_students(family).values_list("pk", flat=True))
    requested = set(campaign.requests.values_list("student_id", flat=True))
    students = with_current_enrolments(Student.objects.for_family(family))
    admitted = {s.pk for s in students if campaign.admits(s, has_request=s.pk in requested)}
    return eligible, admitted, campaign.awaits_answer_from(family)


@pytest.mark.parametrize("kind", [Campaign.Kind.REENROLMENT, Campaign.Kind.ENROLMENT])
def test_the_three_readings_of_eligibility_agree(family, school, kind):
    campaign = CampaignFactory(kind=kind, disciplines=[school.piano, school.dance])
    enrolled = StudentFactory(family=family, first_name="Léa")
    enrol(enrolled, school.piano)
    enrolled_and_asked = StudentFactory(family=family, first_name="Inès")
    enrol(enrolled_and_asked, school.dance)
    asked_only = StudentFactory(family=family, first_name="Noé")
    not_enrolled = StudentFactory(family=family, first_name="Zoé")
    for student in (enrolled_and_asked, asked_only):
        RequestFactory(campaign=campaign, student=student)

    eligible, admitted, waiting = _verdicts(campaign, family)
    if kind == Campaign.Kind.ENROLMENT:
        expected = {enrolled.pk, enrolled_and_asked.pk, asked_only.pk, not_enrolled.pk}
        assert waiting is False  # the family has answered
    else:
        expected = {enrolled.pk, enrolled_and_asked.pk, asked_only.pk}
        assert waiting is True  # Léa, enrolled this season, has no request yet
    assert eligible == admitted == expected

    RequestFactory(campaign=campaign, student=enrolled)
    eligible, admitted, waiting = _verdicts(campaign, family)
    assert eligible == admitted == expected | {enrolled.pk}
    assert waiting is False
