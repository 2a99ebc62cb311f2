"""Who a campaign is for: one rule (`Campaign.eligibility`), read by the request form (404 to a
student it is not for), the Réinscription page (the students it lists) and the Accueil card
(shown while an eligible student has no request)."""

from datetime import date

import pytest
from django.urls import reverse

from reenrolment.models import Campaign
from students.models import Season
from tests.factories import CourseFactory, EnrolmentFactory, SeasonFactory, StudentFactory
from tests.reenrolment.conftest import enrol
from tests.reenrolment.factories import CampaignFactory, RequestFactory
from tests.reenrolment.helpers import form_url, text


def _readings(client, campaign, family, students):
    """What each caller says: the rule itself, the form, the page, the card."""
    eligible = set(campaign.eligible_students(family).values_list("pk", flat=True))
    form = {s.pk for s in students if client.get(form_url(campaign, s)).status_code != 404}
    page = text(client.get(reverse("reenrolment:index")))
    listed = {s.pk for s in students if s.display_name in page}
    card = "Faire ma demande" in text(client.get(reverse("portal:home")))
    return eligible, form, listed, card


@pytest.mark.parametrize("kind", [Campaign.Kind.REENROLMENT, Campaign.Kind.ENROLMENT])
def test_the_form_the_page_and_the_card_follow_one_rule(family_client, family, school, kind):
    campaign = CampaignFactory(kind=kind, disciplines=[school.piano, school.dance])
    enrolled = StudentFactory(family=family, first_name="Léa")
    enrol(enrolled, school.piano)
    enrolled_and_asked = StudentFactory(family=family, first_name="Inès")
    enrol(enrolled_and_asked, school.dance)
    asked_only = StudentFactory(family=family, first_name="Noé")
    not_enrolled = StudentFactory(family=family, first_name="Zoé")
    for student in (enrolled_and_asked, asked_only):
        RequestFactory(campaign=campaign, student=student)
    students = [enrolled, enrolled_and_asked, asked_only, not_enrolled]

    eligible, form, listed, card = _readings(family_client, campaign, family, students)
    if kind == Campaign.Kind.ENROLMENT:
        # New students: Léa, a pupil this season, is not offered (issue 12, item 19); Inès,
        # a pupil who already asked, keeps her request.
        expected = {enrolled_and_asked.pk, asked_only.pk, not_enrolled.pk}
        assert card is False  # the family has answered
    else:
        expected = {enrolled.pk, enrolled_and_asked.pk, asked_only.pk}
        assert card is True  # Léa, enrolled this season, has no request yet
    assert eligible == form == listed == expected

    RequestFactory(campaign=campaign, student=enrolled)
    expected.add(enrolled.pk)
    eligible, form, listed, card = _readings(family_client, campaign, family, students)
    assert eligible == form == listed == expected
    assert card is False


def test_a_new_students_campaign_does_not_offer_the_pupils(family_client, family, school):
    """An inscription is for new students: a pupil of this season, or one already enrolled in
    the campaign's season, is neither listed nor offered a form; a new child and a former
    pupil (enrolled in an earlier season only) are."""
    campaign = CampaignFactory(kind=Campaign.Kind.ENROLMENT, disciplines=[school.piano])
    pupil = StudentFactory(family=family, first_name="Léa")
    enrol(pupil, school.piano)
    next_pupil = StudentFactory(family=family, first_name="Inès")
    EnrolmentFactory(student=next_pupil, course=school.piano_next)
    new_child = StudentFactory(family=family, first_name="Zoé")
    former = StudentFactory(family=family, first_name="Noé")
    old_season = SeasonFactory(
        name="2020-2021", starts_on=date(2020, 9, 1), ends_on=date(2021, 6, 30), is_current=False
    )
    EnrolmentFactory(
        student=former, course=CourseFactory(season=old_season, discipline=school.piano)
    )

    page = text(family_client.get(reverse("reenrolment:index")))
    assert "Léa" not in page
    assert "Inès" not in page
    assert "Faire la demande de Zoé" in page
    assert "Faire la demande de Noé" in page
    assert family_client.get(form_url(campaign, pupil)).status_code == 404
    assert family_client.get(form_url(campaign, next_pupil)).status_code == 404
    assert family_client.get(form_url(campaign, new_child)).status_code == 200
    assert set(campaign.eligible_students(family)) == {new_child, former}


def test_an_enrolment_in_the_campaigns_own_season_does_not_make_a_student_eligible(
    family_client, family, school
):
    """Enrolled only in the season the réinscription is for (already re-enrolled): not asked."""
    campaign = CampaignFactory(disciplines=[school.piano])
    student = StudentFactory(family=family, first_name="Léa")
    EnrolmentFactory(student=student, course=school.piano_next)
    Season.objects.update(is_current=False)
    Season.objects.filter(pk=campaign.season_id).update(is_current=True)
    assert not campaign.eligible_students(family).exists()
    assert family_client.get(form_url(campaign, student)).status_code == 404
    assert "Faire ma demande" not in text(family_client.get(reverse("portal:home")))


@pytest.mark.parametrize("kind", [Campaign.Kind.REENROLMENT, Campaign.Kind.ENROLMENT])
def test_an_archived_student_is_not_asked_to_re_enrol(family_client, family, school, kind):
    from django.utils import timezone

    campaign = CampaignFactory(kind=kind, disciplines=[school.piano])
    stays = StudentFactory(family=family, first_name="Léa")
    left = StudentFactory(family=family, first_name="Inès", left_on=timezone.localdate())
    if kind == Campaign.Kind.REENROLMENT:  # an inscription is for children who are not pupils
        enrol(stays, school.piano)
        enrol(left, school.piano)
    eligible, form, listed, _card = _readings(family_client, campaign, family, [stays, left])
    assert eligible == form == listed == {stays.pk}
