"""`/eleves/` and `/eleves/<id>/`: the family's students, enrolments and documents."""

from datetime import date, time

from students.models import Department, Document
from tests.factories import CourseFactory, EnrolmentFactory, SeasonFactory, StudentFactory
from tests.students.factories import DocumentFactory, dance_student, music_student


def test_it_lists_the_students_with_this_season_s_enrolments(family_client, family):
    student = StudentFactory(family=family, first_name="Léa", last_name="Test")
    EnrolmentFactory(
        student=student,
        course=CourseFactory(
            season=SeasonFactory(),
            name="Piano 2e cycle",
            teacher="Mme LE GALL",
            weekday=3,
            start_time=time(14),
            end_time=time(14, 30),
        ),
    )
    dance_student(family, first_name="Inès")
    html = family_client.get("/eleves/").content.decode()
    assert "Léa TEST" in html and "Inès" in html
    for text in ["Piano", "Musique", "Piano 2e cycle", "Mme LE GALL", "mercredi 14 h 00 – 14 h 30"]:
        assert text in html
    assert "Danse classique" in html and "Mme PRIGENT" in html
    assert "Justificatif de domicile de moins de 3 mois" in html
    assert "à fournir" in html
    assert "bientôt disponible" not in html


def test_a_course_s_day_and_times_show_what_is_known(family_client, family):
    student = StudentFactory(family=family)
    season = SeasonFactory()
    for name, weekday, start, end in [
        ("Sans jour", None, time(9), None),
        ("Sans horaire", 2, None, None),
        ("Ni jour ni horaire", None, None, None),
    ]:
        course = CourseFactory(
            season=season, name=name, teacher="", weekday=weekday, start_time=start, end_time=end
        )
        EnrolmentFactory(student=student, course=course)
    html = family_client.get("/eleves/").content.decode()
    assert '<td data-label="Jour et horaire">9 h 00</td>' in html
    assert '<td data-label="Jour et horaire">mardi</td>' in html
    # No teacher on any course, and no day nor time on the last one.
    assert html.count('<td data-label="Professeur">—</td>') == 3
    assert html.count('<td data-label="Jour et horaire">—</td>') == 1


def test_a_day_or_kind_stored_outside_the_choices_shows_as_stored(family_client, family):
    # Written by an import or a script, not by the admin's forms: the page still opens.
    course = CourseFactory(season=SeasonFactory(), weekday=9, start_time=time(10), end_time=None)
    Department.objects.filter(pk=course.discipline.department_id).update(kind="theatre")
    EnrolmentFactory(student=StudentFactory(family=family), course=course)
    response = family_client.get("/eleves/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td data-label="Jour et horaire">9 10 h 00</td>' in html
    assert "theatre" in html


def test_the_list_shows_document_statuses(family_client, family):
    music_student(family)
    DocumentFactory(family=family, status=Document.Status.VALIDATED)
    html = family_client.get("/eleves/").content.decode()
    assert "validé" in html


def test_the_list_needs_a_constant_number_of_queries(
    family_client, family, django_assert_max_num_queries
):
    for _ in range(2):
        music_student(family)
        dance_student(family)
    with django_assert_max_num_queries(10) as few:
        family_client.get("/eleves/")
    for _ in range(6):
        music_student(family)
        dance_student(family)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = family_client.get("/eleves/").content.decode()
    assert html.count("pf-student card") == 16


def test_the_list_shows_only_the_family_s_students(family_client, other_user):
    StudentFactory(family=other_user.family, first_name="Intrus")
    html = family_client.get("/eleves/").content.decode()
    assert "Intrus" not in html
    assert "Aucun élève" in html


def test_pages_redirect_anonymous_visitors(client, family):
    student = StudentFactory(family=family)
    for url in ["/eleves/", f"/eleves/{student.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_the_detail_shows_the_record_enrolments_and_documents(family_client, family):
    student = dance_student(family, first_name="Inès", school="Collège Jean Macé")
    html = family_client.get(f"/eleves/{student.pk}/").content.decode()
    assert f"Fiche élève : {student.display_name}" in html
    assert "Collège Jean Macé" in html
    assert "Danse classique" in html
    assert "Attestation sur l&#x27;honneur ou certificat médical (danse)" in html
    assert "Importer" in html and "10 Mo au maximum" in html
    assert "Historique des modifications" in html


def test_the_detail_of_another_family_s_student_is_a_404(other_client, family):
    student = StudentFactory(family=family)
    assert other_client.get(f"/eleves/{student.pk}/").status_code == 404
    assert other_client.post(f"/eleves/{student.pk}/", {"last_name": "X"}).status_code == 404


def test_staff_have_no_family_pages(staff_client):
    assert staff_client.get("/eleves/").status_code == 403


def test_the_detail_needs_a_constant_number_of_queries(
    family_client, family, django_assert_max_num_queries
):
    student = music_student(family)
    with django_assert_max_num_queries(12) as few:
        family_client.get(f"/eleves/{student.pk}/")
    for _ in range(5):
        music_student(family)
        dance_student(family)
        DocumentFactory(
            family=family, status=Document.Status.REFUSED, refusal_reason="x", is_current=False
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        family_client.get(f"/eleves/{student.pk}/")


def test_the_enrolments_table_header_follows_the_page_s_language(family_client, family):
    EnrolmentFactory(student=StudentFactory(family=family))
    english = family_client.get("/eleves/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<th scope="col">Teacher</th>' in english
    assert "Professeur" not in english
    french = family_client.get("/eleves/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<th scope="col">Professeur</th>' in french


def test_the_list_and_the_detail_show_only_this_season_s_enrolments(family_client, family):
    """Both pages read `Enrolment.objects.current()` (through `with_current_enrolments`)."""
    student = StudentFactory(family=family, first_name="Léa")
    EnrolmentFactory(student=student, course=CourseFactory(name="Piano cette année"))
    old = SeasonFactory(name="2024-2025", starts_on=date(2024, 9, 1), is_current=False)
    EnrolmentFactory(student=student, course=CourseFactory(season=old, name="Violon l'an passé"))
    for url in ("/eleves/", f"/eleves/{student.pk}/"):
        html = family_client.get(url).content.decode()
        assert "Piano cette année" in html, url
        assert "Violon l" not in html, url
