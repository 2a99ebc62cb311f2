"""Staff's side: the applications list (filters, duplicate flag), and the answer to each wish
on the application's page: accept (creates the family, responsables, students, documents
and enrolments), waiting list with its position, refusal with a reason."""

import pytest
from django.urls import reverse
from django.utils import timezone

from families.models import Family
from preinscription.models import Application, Wish
from preinscription.services import applications_to_decide
from students.models import Document, Enrolment, Student
from tests.conftest import staff_login
from tests.factories import FamilyFactory, StaffFactory
from tests.preinscription.conftest import form_data
from tests.preinscription.helpers import apply, status_path
from tests.students.factories import pdf_bytes, upload

CHANGELIST = reverse("admin:preinscription_application_changelist")


def change_url(application):
    return reverse("admin:preinscription_application_change", args=[application.pk])


def inline(prefix, rows, fields=lambda row: {}):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data[f"{prefix}-{index}-id"] = row.pk
        data[f"{prefix}-{index}-application"] = row.application_id
        for name, value in fields(row).items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def decide(client, application, answers: dict):
    """Posts the application's page with `answers`: {wish: {answer, course, position, reason}}."""
    wishes = list(application.wishes.order_by("pk"))

    def fields(wish):
        answer = answers.get(wish, {})
        return {
            "answer": answer.get("answer", wish.decision),
            "course": getattr(answer.get("course"), "pk", "") or (wish.course_id or ""),
            "position": answer.get("position", wish.waitlist_position or ""),
            "reason": answer.get("reason", wish.refusal_reason),
        }

    data = {
        **inline("responsables", list(application.responsables.all())),
        **inline("students", list(application.students.all())),
        **inline("wishes", wishes, fields),
        **inline("documents", list(application.documents.all())),
        **inline("consents", list(application.consents.all())),
    }
    return client.post(change_url(application), data)


@pytest.fixture
def application(client, school):
    data = form_data(school, **{"domicile-document_date": timezone.localdate().isoformat()})
    data["domicile-file"] = upload("facture.pdf", pdf_bytes())
    assert client.post("/preinscription/", data).status_code == 302
    client.logout()
    return Application.objects.get()


@pytest.fixture
def staff(client, db):
    staff_login(client, StaffFactory(username="secretariat"))
    return client


def wish(application, discipline):
    return application.wishes.get(discipline=discipline)


def test_the_list_shows_filters_and_flags_duplicates(client, school):
    FamilyFactory(name="Connue", reference_email="anne.legall@example.org")
    flagged = apply(client, school)
    clean = apply(
        client,
        school,
        **{
            "famille-email": "autre@example.org",
            "r1-email": "",
            "r1-mobile": "",
            "famille-reference_mobile": "06 98 76 54 32",
        },
    )
    staff_login(client, StaffFactory(username="secretariat"))
    html = client.get(CHANGELIST).content.decode()
    assert flagged.reference in html and clean.reference in html
    html = client.get(CHANGELIST + "?doublon=oui").content.decode()
    assert flagged.reference in html and clean.reference not in html
    html = client.get(CHANGELIST + "?a_decider=oui").content.decode()
    assert flagged.reference in html
    page = client.get(change_url(flagged)).content.decode()
    assert "CONNUE" in page
    assert (
        reverse("admin:families_family_change", args=[Family.objects.get(name="Connue").pk]) in page
    )
    assert set(applications_to_decide()) == {flagged, clean}


def test_accepting_creates_the_family_and_enrolments(application, staff, school, outbox):
    outbox.clear()
    response = decide(
        staff,
        application,
        {
            wish(application, school.piano): {"answer": "accepted", "course": school.piano_course},
            wish(application, school.dance): {"answer": "waitlisted"},
            wish(application, school.violin): {"answer": "refused", "reason": "Classe complète"},
        },
    )
    assert response.status_code == 302, response.content.decode()[:5000]
    application.refresh_from_db()
    family = application.family
    assert family is not None
    assert (family.name, family.reference_email, family.city) == (
        "Le Gall",
        "anne.legall@example.org",
        "Ploufragan",
    )
    assert family.reference_mobile.as_e164 == "+33611223344"
    assert [r.display_name for r in family.responsables.all()] == ["LE GALL Anne"]
    students = {s.first_name: s for s in Student.objects.filter(family=family)}
    assert set(students) == {"Maël", "Lou"}
    assert str(students["Lou"].birth_date) == "2018-09-12"
    assert list(
        Enrolment.objects.filter(student__family=family).values_list(
            "student__first_name", "course__name"
        )
    ) == [("Maël", "Piano mercredi")]
    document = Document.objects.get(family=family)
    assert (document.kind, document.season) == ("address", school.campaign.season)
    assert document.file.name != application.documents.get().file.name
    dance = wish(application, school.dance)
    assert (dance.decision, dance.waitlist_position) == ("waitlisted", 1)
    assert application.status == Application.Status.DECIDED
    assert not applications_to_decide().exists()
    (message,) = outbox()
    assert message.to == ["anne.legall@example.org"]
    assert "Piano : acceptée (Piano mercredi)" in message.body
    assert "Danse classique : liste d'attente (position 1)" in message.body
    assert "Violon : refusée (Classe complète)" in message.body
    assert status_path(application) in message.body
    # The applicant reads it on the status page.
    html = staff.get(status_path(application)).content.decode()
    assert "Piano : acceptée (Piano mercredi)" in html
    # The application's page leads to the family, whose page sends the portal access.
    page = staff.get(change_url(application)).content.decode()
    family_url = reverse("admin:families_family_change", args=[family.pk])
    assert family_url in page
    assert "Envoyer les accès au portail" in staff.get(family_url).content.decode()
    response = staff.post(
        reverse("admin:families_family_access", kwargs={"family_id": family.pk, "rank": 1})
    )
    assert response.status_code == 302
    (access,) = outbox()[1:]
    assert access.to == ["anne.legall@example.org"]


def test_a_waiting_list_position_is_kept_or_chosen(application, staff, school, client):
    decide(
        staff,
        application,
        {wish(application, school.dance): {"answer": "waitlisted", "position": 4}},
    )
    assert wish(application, school.dance).waitlist_position == 4
    assert application.__class__.objects.get().family is None  # nothing accepted yet
    assert not Family.objects.exists()
    decide(staff, application, {wish(application, school.violin): {"answer": "waitlisted"}})
    assert wish(application, school.violin).waitlist_position == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"answer": "accepted"}, "Choisissez le cours où l&#x27;élève est inscrit."),
        # Only the courses of the wish's discipline in the period's season are offered.
        ({"answer": "accepted", "course": "violin_course"}, "Sélectionnez un choix valide"),
        ({"answer": "accepted", "course": "other_piano_course"}, "Sélectionnez un choix valide"),
        ({"answer": "refused", "reason": "  "}, "Indiquez le motif du refus"),
    ],
)
def test_a_wrong_answer_is_refused_and_nothing_is_created(
    application, staff, school, outbox, answer, message
):
    outbox.clear()
    if "course" in answer:
        answer = {**answer, "course": getattr(school, answer["course"])}
    response = decide(staff, application, {wish(application, school.piano): answer})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert wish(application, school.piano).decision == Wish.Decision.PENDING
    assert not Family.objects.exists()
    assert outbox() == []


@pytest.mark.parametrize(
    ("course", "message"),
    [
        ("violin_course", "Le cours doit être un cours de Piano de la saison 2027-2028."),
        ("other_piano_course", "Le cours doit être un cours de Piano de la saison 2027-2028."),
    ],
)
def test_the_service_checks_the_course_too(application, school, course, message):
    from preinscription import services

    decision = services.WishDecision(
        wish(application, school.piano).pk, "accepted", getattr(school, course)
    )
    with pytest.raises(services.DecisionError, match=message):
        services.decide_wishes(application=application, decisions=[decision])
    assert not Family.objects.exists()


def test_an_accepted_wish_is_final(application, staff, school):
    decide(
        staff,
        application,
        {wish(application, school.piano): {"answer": "accepted", "course": school.piano_course}},
    )
    decide(
        staff,
        application,
        {wish(application, school.piano): {"answer": "refused", "reason": "Non"}},
    )
    assert wish(application, school.piano).decision == Wish.Decision.ACCEPTED
    # Accepting another wish later uses the same family.
    decide(
        staff,
        application,
        {wish(application, school.violin): {"answer": "accepted", "course": school.violin_course}},
    )
    assert Family.objects.count() == 1
    assert Enrolment.objects.count() == 2


def test_acceptance_is_atomic(application, staff, school, monkeypatch):
    from preinscription import services

    def broken(*args, **kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr(services, "_enrol", broken)
    with pytest.raises(RuntimeError):
        services.decide_wishes(
            application=application,
            decisions=[
                services.WishDecision(
                    wish(application, school.piano).pk, "accepted", school.piano_course
                )
            ],
        )
    assert not Family.objects.exists()
    assert not Student.objects.exists()
    assert not Document.objects.exists()
    assert wish(application, school.piano).decision == Wish.Decision.PENDING


def test_staff_open_an_application_document_with_the_permission(application, client, school):
    from django.contrib.auth.models import Permission

    document = application.documents.get()
    url = reverse("admin:preinscription_application_document", args=[document.pk])
    clerk = StaffFactory(username="accueil", is_superuser=False)
    clerk.user_permissions.add(*Permission.objects.filter(codename="view_application"))
    staff_login(client, clerk)
    assert client.get(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_document"))
    staff_login(client, clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_deleting_an_application_deletes_its_files(
    application, staff, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    name = application.documents.get().file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:preinscription_application_delete", args=[application.pk]),
            {"post": "yes"},
        )
    assert response.status_code == 302
    assert not Application.objects.exists()
    assert not default_storage.exists(name)


def test_a_full_course_is_refused_and_nothing_is_created(application, staff, school):
    from tests.factories import EnrolmentFactory, StudentFactory

    school.piano_course.capacity = 1
    school.piano_course.save()
    EnrolmentFactory(course=school.piano_course, student=StudentFactory())
    response = decide(
        staff,
        application,
        {wish(application, school.piano): {"answer": "accepted", "course": school.piano_course}},
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "Le cours « Piano mercredi" in page and "est complet (1 places)" in page
    application.refresh_from_db()
    assert application.family is None
    assert wish(application, school.piano).decision == "pending"
    assert Enrolment.objects.filter(course=school.piano_course).count() == 1
