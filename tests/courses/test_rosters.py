"""A course's roster (page, PDF, CSV) for staff with the roster permission, and the season's
counts per course, discipline and department."""

import csv
import html
import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from students import waitlist
from tests.billing.factories import pdf_text
from tests.conftest import staff_login
from tests.courses.conftest import new_student
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    FamilyFactory,
    ResponsableFactory,
    StaffFactory,
)


def _page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def enrolled(centre):
    """Two pianists: Lou (family mobile 06 11 22 33 44), Zoé (no family mobile: her
    responsable's); Max waits."""
    lou_family = FamilyFactory(name="Durand", reference_mobile="+33611223344")
    lou = new_student("Lou", family=lou_family, birth_date=date(2015, 1, 10), may_leave_alone=True)
    zoe_family = FamilyFactory(name="Martin", reference_mobile="")
    ResponsableFactory(
        family=zoe_family, last_name="Martin", first_name="Paul", mobile="+33655667788"
    )
    zoe = new_student("Zoé", "Martin", family=zoe_family, birth_date=date(2012, 6, 1))
    for student in (lou, zoe):
        EnrolmentFactory(student=student, course=centre.piano_course)
    waitlist.add(new_student("Max", "Petit"), centre.piano_course)
    return centre.piano_course


def roster_url(course, suffix="/") -> str:
    return f"/admin/students/course/{course.pk}/liste{suffix}"


def test_the_roster_page_lists_students_ages_and_mobiles(enrolled, staff_client):
    page = _page(staff_client.get(roster_url(enrolled)))
    assert "2 inscrits pour 2 places : 0 libres." in page
    assert page.index("DURAND Lou") < page.index("MARTIN Zoé")
    assert "06 11 22 33 44" in page and "06 55 66 77 88" in page
    assert "Max PETIT" in page  # waiting
    assert roster_url(enrolled, ".pdf") in page and roster_url(enrolled, ".csv") in page


def test_the_csv_opens_in_excel_with_french_headers(enrolled, staff_client):
    response = staff_client.get(roster_url(enrolled, ".csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="liste-piano-mercredi-2026-2027.csv"' in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Âge",
        "Famille",
        "Mobile de référence",
        "Sortie seul(e)",
    ]
    assert rows[1][:4] == ["DURAND", "Lou", "10/01/2015", rows[1][3]]
    assert rows[1][5:] == ["06 11 22 33 44", "oui"]
    assert rows[2][0:2] == ["MARTIN", "Zoé"] and rows[2][5] == "06 55 66 77 88"
    assert len(rows) == 3


def test_the_pdf_prints_the_roster(enrolled, staff_client):
    response = staff_client.get(roster_url(enrolled, ".pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "LISTE DES ÉLÈVES" in text
    assert "DURAND Lou" in text and "06 11 22 33 44" in text
    assert "2 inscrits pour 2 places" in text


@pytest.mark.parametrize("suffix", ["/", ".pdf", ".csv"])
def test_staff_without_the_roster_permission_are_refused(enrolled, client, suffix):
    clerk = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_course"))
    staff_login(client, clerk)
    assert client.get(roster_url(enrolled, suffix)).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_roster"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    staff_login(client, clerk)
    assert client.get(roster_url(enrolled, suffix)).status_code == 200


def test_anonymous_visitors_go_to_the_login(enrolled, client):
    response = client.get(roster_url(enrolled, ".csv"))
    assert response.status_code == 302


def test_the_counts_page_totals_courses_disciplines_and_departments(enrolled, centre, staff_client):
    CourseFactory(season=centre.current, discipline=centre.piano, name="Piano jeudi", capacity=5)
    EnrolmentFactory(course=centre.dance_course)
    course_list = _page(staff_client.get("/admin/students/course/"))
    assert 'href="/admin/students/course/effectifs/"' in course_list
    assert f'href="/admin/students/course/{enrolled.pk}/liste/"' in course_list
    page = _page(staff_client.get("/admin/students/course/effectifs/"))
    assert "Effectifs de la saison 2026-2027" in page
    cells = lambda *values: "".join(f"<td>{v}</td>" for v in values)  # noqa: E731
    # Piano mercredi: 2 places, 2 enrolled, 0 free, 1 waiting; Piano jeudi: 5, 0, 5, 0.
    assert cells(2, 2, 0, 1) in page and cells(5, 0, 5, 0) in page
    assert cells(7, 2, 5, 1) in page  # Piano, and the Musique department
    assert cells("non limité", 1, "—", 0) in page  # dance: not limited
    assert cells("non limité", 3, "—", 1) in page  # the season
    other = _page(staff_client.get(f"/admin/students/course/effectifs/?saison={centre.next.pk}"))
    assert "La saison 2027-2028 n'a aucun cours." in other


def test_the_counts_page_queries_do_not_grow_with_courses(centre, staff_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get("/admin/students/course/effectifs/").status_code == 200
        return len(captured)

    before = queries()
    for index in range(5):
        course = CourseFactory(season=centre.current, discipline=centre.dance, name=f"D{index}")
        EnrolmentFactory(course=course)
    assert queries() == before


def test_the_counts_page_needs_the_course_view_permission(centre, client):
    staff_login(client, StaffFactory(is_superuser=False))
    assert client.get("/admin/students/course/effectifs/").status_code == 403
