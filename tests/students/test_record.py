"""Editing a student's record: French validation, "Éléments modifiés", receipt, history, and
no lost update (the shared mechanism of portal.editing)."""

import html

from django.utils import timezone

from students.forms import StudentForm
from students.models import Student
from tests.factories import StudentFactory


def post_data(student, **overrides) -> dict:
    """The record form as the page shows it now (with hidden initials), then `overrides`."""
    student = Student.objects.get(pk=student.pk)
    form = StudentForm(instance=student)
    data = {"record-version": str(student.version)}
    for name in form.fields:
        value = form[name].field.prepare_value(form[name].value())
        value = "" if value is None else value
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
        data[form.add_initial_prefix(name)] = value
    data.update(overrides)
    return data


def _student(family, **kwargs):
    return StudentFactory(
        family=family,
        first_name="Léa",
        last_name="Test",
        image_rights=False,
        may_leave_alone=False,
        **kwargs,
    )


def test_it_saves_lists_the_changes_and_sends_a_receipt(family_client, family, outbox):
    student = _student(family, school="École Jules Ferry")
    response = family_client.post(
        f"/eleves/{student.pk}/",
        post_data(
            student, school="Collège Jean Macé", mobile="06.11.22.33.44", image_rights="True"
        ),
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "Éléments modifiés" in page
    assert "École Jules Ferry" in page and "Collège Jean Macé" in page
    student.refresh_from_db()
    assert student.school == "Collège Jean Macé"
    assert student.mobile == "+33611223344"
    assert student.image_rights is True
    assert student.image_rights_date == timezone.localdate()
    assert student.version == 2
    message = outbox()[-1]
    assert family.reference_email in message.to
    assert "École Jules Ferry" in message.body and "Collège Jean Macé" in message.body
    assert "06 11 22 33 44" in message.body
    # The history on the page names who changed what.
    assert "modifiée par dupont.marie" in page


def test_the_receipt_elides_de_before_a_vowel(family_client, family, outbox):
    """ "la fiche d'Inès", not "la fiche de Inès" (issue 12, item 19)."""
    student = StudentFactory(
        family=family,
        first_name="Inès",
        last_name="Test",
        school="A",
        image_rights=False,
        may_leave_alone=False,
    )
    response = family_client.post(f"/eleves/{student.pk}/", post_data(student, school="B"))
    assert response.status_code == 302
    message = outbox()[-1]
    assert "modification de la fiche d'Inès" in message.subject
    assert "de Inès" not in message.subject + message.body


def test_it_shows_french_errors_and_saves_nothing(family_client, family, outbox):
    student = _student(family)
    response = family_client.post(
        f"/eleves/{student.pk}/", post_data(student, mobile="02 96 00 00 01", first_name="")
    )
    page = html.unescape(response.content.decode())
    assert "La fiche n'a pas été enregistrée" in page
    assert "Ce champ est obligatoire." in page
    assert "mobile" in page.lower()
    student.refresh_from_db()
    assert student.first_name == "Léa" and student.version == 1
    assert outbox() == []


def test_saving_without_change_says_so_and_sends_nothing(family_client, family, outbox):
    student = _student(family)
    response = family_client.post(f"/eleves/{student.pk}/", post_data(student), follow=True)
    assert "Aucune modification" in response.content.decode()
    assert outbox() == []


def test_a_stale_save_is_refused_and_shows_what_changed(family_client, family):
    student = _student(family, school="École A")
    stale = post_data(student, school_class="CM2")
    family_client.post(f"/eleves/{student.pk}/", post_data(student, school="École B"))
    response = family_client.post(f"/eleves/{student.pk}/", stale)
    page = html.unescape(response.content.decode())
    assert "La fiche a été modifiée pendant que vous la modifiiez" in page
    student.refresh_from_db()
    assert student.school == "École B" and student.school_class == ""
    # The user's own edit is carried over on top of the current record.
    assert 'value="CM2"' in page and 'value="École B"' in page


def test_a_posted_family_is_ignored(family_client, family, other_user):
    student = _student(family)
    family_client.post(
        f"/eleves/{student.pk}/",
        post_data(student, family=str(other_user.family_id), school="X"),
    )
    student.refresh_from_db()
    assert student.family == family and student.school == "X"


def test_the_receipt_goes_to_the_family_and_to_the_students_old_and_new_address(
    family_client, family, outbox
):
    """`Family.email_recipients` through the student record: the family's addresses, plus the
    student's own, the replaced one included (a takeover must not go unnoticed)."""
    student = _student(family, email="lea@example.org")
    family_client.post(
        f"/eleves/{student.pk}/", post_data(student, email="lea.new@example.org"), follow=True
    )
    [message] = outbox()
    family_addresses = [family.reference_email, *(r.email for r in family.responsables.all())]
    assert {address.lower() for address in message.to} == {
        *(address.lower() for address in family_addresses if address),
        "lea@example.org",
        "lea.new@example.org",
    }
