"""The checklist computed from enrolments: music → proof of address; dance → certificate."""

from datetime import date

from students.checklist import ItemStatus, build_checklist, documents_needed, months_before
from students.models import Document, DocumentKind
from tests.factories import SeasonFactory, StudentFactory
from tests.students.factories import DocumentFactory, dance_student, music_student


def test_music_asks_for_one_proof_of_address_per_family(family):
    music_student(family)
    music_student(family)
    items = build_checklist(family).items
    assert [(item.requirement, item.status) for item in items] == [
        ("address", ItemStatus.TO_PROVIDE)
    ]


def test_dance_asks_for_a_document_per_student(family):
    first = dance_student(family, first_name="Anna")
    second = dance_student(family, first_name="Zoé")
    items = build_checklist(family).items
    assert [(item.requirement, item.student) for item in items] == [
        ("dance", first),
        ("dance", second),
    ]
    assert items[0].kinds == [DocumentKind.HEALTH_STATEMENT, DocumentKind.MEDICAL_CERTIFICATE]


def test_nothing_is_asked_without_an_enrolment_this_season(family):
    StudentFactory(family=family)
    old = SeasonFactory(name="2024-2025", starts_on=date(2024, 9, 1), is_current=False)
    student = StudentFactory(family=family)
    from tests.factories import CourseFactory, EnrolmentFactory

    EnrolmentFactory(student=student, course=CourseFactory(season=old))
    assert build_checklist(family).items == []


def test_statuses_follow_the_current_document(family):
    music_student(family)
    document = DocumentFactory(family=family)
    assert build_checklist(family).items[0].status == ItemStatus.RECEIVED
    document.status = Document.Status.VALIDATED
    document.save()
    item = build_checklist(family).items[0]
    assert item.status == ItemStatus.VALIDATED and not item.can_upload
    document.status, document.refusal_reason = Document.Status.REFUSED, "Illisible"
    document.save()
    item = build_checklist(family).items[0]
    assert item.status == ItemStatus.REFUSED and item.can_upload


def test_a_previous_season_s_document_has_expired(family):
    music_student(family)
    old = SeasonFactory(name="2025-2026", starts_on=date(2025, 9, 1), is_current=False)
    DocumentFactory(family=family, season=old, status=Document.Status.VALIDATED)
    item = build_checklist(family).items[0]
    assert item.status == ItemStatus.EXPIRED and item.can_upload


def test_three_months_before_keeps_the_day_or_the_month_s_end():
    assert months_before(date(2026, 11, 28), 3) == date(2026, 8, 28)
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 2, 15), 3) == date(2025, 11, 15)


def test_it_takes_four_queries_whatever_the_number_of_students(family, django_assert_num_queries):
    for _ in range(5):
        music_student(family)
        dance_student(family)
    # The season, what each student takes in it (enrolments and requests), the students, the
    # documents.
    with django_assert_num_queries(4):
        assert len(build_checklist(family).items) == 6


def test_the_rule_is_one_function_of_what_each_student_takes(family):
    """`documents_needed` is what the checklist and the Réinscription tab both read."""
    lea = StudentFactory.build(family=family, first_name="Léa")
    ines = StudentFactory.build(family=family, first_name="Inès")
    noe = StudentFactory.build(family=family, first_name="Noé")
    needed = documents_needed([(lea, {"music", "dance"}), (ines, {"music"}), (noe, {"dance"})])
    assert [(n.requirement, n.student) for n in needed] == [
        ("address", None),
        ("dance", lea),
        ("dance", noe),
    ]
    assert [n.label for n in needed[:2]] == [
        "Justificatif de domicile de moins de 3 mois",
        "Attestation sur l'honneur ou certificat médical (danse)",
    ]
    assert documents_needed([(lea, set())]) == []
