""" "Copier les cours vers la saison suivante": everything or nothing, with a clear message."""

import html

import pytest

from students.models import Course
from tests.factories import CourseFactory, SeasonFactory


def _act(client, season):
    response = client.post(
        "/admin/students/season/",
        {"action": "copy_courses_to_next_season", "_selected_action": [season.pk]},
        follow=True,
    )
    return html.unescape(response.content.decode())


def test_the_courses_are_copied_to_the_next_season(centre, staff_client):
    centre.piano_course.weekday, centre.piano_course.teacher = 3, "M. RIOU"
    centre.piano_course.save()
    page = _act(staff_client, centre.current)
    assert "2 cours copiés de la saison 2026-2027 vers la saison 2027-2028" in page
    copy = Course.objects.get(season=centre.next, name="Piano mercredi")
    assert (copy.discipline, copy.capacity, copy.room, copy.teacher, copy.weekday) == (
        centre.piano,
        2,
        "Salle 1",
        "M. RIOU",
        3,
    )
    assert not copy.enrolments.exists()
    assert Course.objects.filter(season=centre.current).count() == 2


def test_a_next_season_with_courses_is_refused_and_nothing_copied(centre, staff_client):
    CourseFactory(season=centre.next, discipline=centre.dance, name="Déjà là")
    page = _act(staff_client, centre.current)
    assert "La saison 2027-2028 a déjà 1 cours : rien n'a été copié." in page
    assert list(Course.objects.filter(season=centre.next).values_list("name", flat=True)) == [
        "Déjà là"
    ]


def test_without_a_next_season_nothing_is_copied(centre, staff_client):
    page = _act(staff_client, centre.next)
    assert "Aucune saison ne suit la saison 2027-2028 : créez-la d'abord" in page
    assert Course.objects.count() == 2


def test_a_season_without_courses_says_so(centre, staff_client):
    SeasonFactory(
        name="2024-2025",
        starts_on=centre.previous.starts_on.replace(year=2024),
        ends_on=centre.previous.ends_on.replace(year=2025),
        is_current=False,
    )
    page = _act(staff_client, centre.previous)
    assert "n'a aucun cours à copier" in page


def test_one_season_at_a_time(centre, staff_client):
    response = staff_client.post(
        "/admin/students/season/",
        {
            "action": "copy_courses_to_next_season",
            "_selected_action": [centre.current.pk, centre.previous.pk],
        },
        follow=True,
    )
    assert "Choisissez une seule saison" in html.unescape(response.content.decode())
    assert not Course.objects.filter(season=centre.next).exists()


@pytest.mark.parametrize("perm", ["add_course"])
def test_staff_without_course_creation_do_not_get_the_action(centre, client, perm):
    from django.contrib.auth.models import Permission

    from tests.conftest import staff_login
    from tests.factories import StaffFactory

    clerk = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_season"))
    staff_login(client, clerk)
    page = client.get("/admin/students/season/").content.decode()
    assert "copy_courses_to_next_season" not in page
    clerk.user_permissions.add(Permission.objects.get(codename=perm))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    staff_login(client, clerk)
    assert "copy_courses_to_next_season" in client.get("/admin/students/season/").content.decode()
