"""The fee rules (billing.tariffs.compute_family_lines) on the worked examples of
docs/billing.md ("Tarifs"), with the demo grid (billing.tariff_demo)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.tariff_demo import demo_grid, seed_communes
from billing.tariff_models import Fee, InstrumentRental
from billing.tariffs import YEAR, compute_family_lines, term_share
from students.models import Department, Discipline
from tests.factories import (
    CourseFactory,
    DepartmentFactory,
    EnrolmentFactory,
    FamilyFactory,
    SeasonFactory,
    StudentFactory,
)

D = Decimal


@pytest.fixture
def season(db):
    season = SeasonFactory()  # 2026-2027, starts on 1 September 2026
    demo_grid(season)
    seed_communes()  # Bellerive 22440, Plérin 22190
    return season


def discipline(name, category):
    kind = Department.Kind.DANCE if category == "dance" else Department.Kind.MUSIC
    department = DepartmentFactory(name="Danse" if kind == "dance" else "Musique", kind=kind)
    return Discipline.objects.get_or_create(
        name=name, defaults={"department": department, "category": category}
    )[0]


def enrol(season, student, *names):
    categories = {
        "Piano": "instrument",
        "Violon": "instrument",
        "Trompette": "instrument",
        "Formation musicale": "fm",
        "Orchestre": "collective",
        "Chorale": "collective",
        "Éveil musical": "eveil",
        "Danse classique": "dance",
        "Danse contemporaine": "dance",
        "Théâtre": "",
    }
    for name in names:
        course = CourseFactory(
            season=season, discipline=discipline(name, categories[name]), name=f"{name} cours"
        )
        EnrolmentFactory(student=student, course=course)


def family_with(postal_code, qf=None):
    family = FamilyFactory(postal_code=postal_code)
    if qf is not None:
        family.qf_value = qf
        family.qf_valid_until = timezone.localdate() + timedelta(days=365)
        family.save()
    return family


def child(family, first_name, born):
    return StudentFactory(family=family, first_name=first_name, birth_date=born)


def amounts(bill):
    return [(line.label, line.amount) for line in bill.lines]


def test_example_1_one_child_commune_bracket_a(season):
    family = family_with("22440", qf=640)
    lea = child(family, "Léa", date(2014, 3, 12))
    enrol(season, lea, "Piano", "Formation musicale")
    bill = compute_family_lines(family, season, YEAR)
    assert amounts(bill) == [
        ("Parcours musique enfant : FM + instrument — Tranche A, commune", D("300.00")),
        ("Adhésion 2026-2027 (par famille)", D("20.00")),
    ]
    assert bill.lines[0].student == lea
    assert bill.total == D("320.00") and bill.anomalies == []
    terms = [compute_family_lines(family, season, term).total for term in (1, 2, 3)]
    assert terms == [D("120.00"), D("100.00"), D("100.00")]


def test_example_2_two_children_outside_no_qf_dance_and_rental(season):
    family = family_with("35000")
    hugo = child(family, "Hugo", date(2016, 9, 2))
    ines = child(family, "Inès", date(2012, 1, 25))
    enrol(season, hugo, "Violon", "Formation musicale")
    enrol(season, ines, "Danse classique", "Danse contemporaine")
    InstrumentRental.objects.create(season=season, student=hugo, instrument="Violon 3/4")
    bill = compute_family_lines(family, season, YEAR)
    assert amounts(bill) == [
        ("Danse 1 cours/semaine — Tranche C, hors commune", D("450.00")),
        ("Danse 1 cours/semaine — Tranche C, hors commune", D("450.00")),
        ("Parcours musique enfant : FM + instrument — Tranche C, hors commune", D("840.00")),
        (
            "Réduction plusieurs disciplines (-15 %) sur « Danse 1 cours/semaine »",
            D("-67.50"),
        ),
        ("Réduction fratrie (2e enfant, -10 %)", D("-83.25")),
        ("Location d'instrument : Violon 3/4", D("120.00")),
        ("Adhésion 2026-2027 (par famille)", D("20.00")),
    ]
    assert bill.lines[4].student == ines and bill.lines[4].is_reduction
    assert bill.total == D("1729.25")
    assert [a.code for a in bill.anomalies] == ["no_qf"]
    # The lines make a draft as they are.
    invoice = services.create_draft_invoice(family=family, season=season, lines=bill.lines)
    assert sum(line.amount for line in invoice.lines.all()) == D("1729.25")


def test_example_3_three_children_bracket_b_terms_with_cents(season):
    family = family_with("22190", qf=950)
    emma = child(family, "Emma", date(2019, 5, 10))
    lucas = child(family, "Lucas", date(2017, 2, 3))
    chloe = child(family, "Chloé", date(2011, 11, 20))
    enrol(season, emma, "Éveil musical")
    enrol(season, lucas, "Trompette", "Formation musicale", "Orchestre")
    enrol(season, chloe, "Chorale")
    bill = compute_family_lines(family, season, YEAR)
    assert amounts(bill) == [
        ("Pratique collective seule — Tranche B, commune", D("125.00")),
        ("Parcours musique enfant : FM + instrument — Tranche B, commune", D("420.00")),
        ("Éveil — Tranche B, commune", D("180.00")),
        ("Réduction fratrie (2e enfant, -10 %)", D("-18.00")),
        ("Réduction fratrie (3e enfant, -20 %)", D("-25.00")),
        ("Adhésion 2026-2027 (par famille)", D("20.00")),
    ]
    assert [line.student for line in bill.lines[3:5]] == [emma, chloe]
    assert bill.total == D("702.00")
    term_1, term_2, term_3 = (compute_family_lines(family, season, t) for t in (1, 2, 3))
    assert (term_1.total, term_2.total, term_3.total) == (D("247.33"), D("227.33"), D("227.34"))
    assert amounts(term_3)[0] == (
        "Pratique collective seule — Tranche B, commune — trimestre 3/3",
        D("41.68"),
    )
    assert amounts(term_3)[4] == (
        "Réduction fratrie (3e enfant, -20 %) — trimestre 3/3",
        D("-8.34"),
    )


def test_example_4_adult_instrument_and_dance_bracket_c(season):
    family = family_with("22440", qf=1500)
    paul = child(family, "Paul", date(1981, 6, 1))
    enrol(season, paul, "Piano", "Danse contemporaine")
    bill = compute_family_lines(family, season, YEAR)
    assert amounts(bill) == [
        ("Adulte instrument — Tranche C, commune", D("630.00")),
        ("Danse 1 cours/semaine — Tranche C, commune", D("300.00")),
        (
            "Réduction plusieurs disciplines (-15 %) sur « Danse 1 cours/semaine »",
            D("-45.00"),
        ),
        ("Adhésion 2026-2027 (par famille)", D("20.00")),
    ]
    assert bill.total == D("905.00")


def test_example_5_anomalies_unknown_commune_and_enrolment_without_formule(season):
    family = family_with("")
    sam = child(family, "Sam", date(2013, 4, 4))
    enrol(season, sam, "Théâtre", "Chorale")
    bill = compute_family_lines(family, season, YEAR)
    assert amounts(bill) == [
        ("Pratique collective seule — Tranche C, hors commune", D("240.00")),
        ("Adhésion 2026-2027 (par famille)", D("20.00")),
    ]
    messages = {a.code: a.message for a in bill.anomalies}
    assert set(messages) == {"no_qf", "unknown_commune", "no_formule"}
    assert "Code postal absent ou invalide" in messages["unknown_commune"]
    assert "« Théâtre cours » (Théâtre) n'a pas de catégorie tarifaire" in messages["no_formule"]


def test_an_expired_qf_bills_the_highest_bracket(season):
    family = family_with("22440", qf=640)
    family.qf_valid_until = timezone.localdate() - timedelta(days=1)
    family.save()
    enrol(season, child(family, "Léa", date(2014, 3, 12)), "Piano")
    bill = compute_family_lines(family, season, YEAR)
    assert bill.bracket.label == "Tranche C" and bill.lines[0].amount == D("540.00")


def test_a_family_without_enrolment_gets_no_line(season):
    bill = compute_family_lines(family_with("22440", qf=640), season, 1)
    assert bill.lines == [] and bill.total == D("0.00")


def test_an_incomplete_grid_or_a_bad_period_is_refused(season):
    family = family_with("22440", qf=640)
    with pytest.raises(ValidationError, match="Période inconnue"):
        compute_family_lines(family, season, 4)
    Fee.objects.filter(formule__name="Éveil", residency="commune").first().delete()
    with pytest.raises(ValidationError, match="Tarif manquant : « Éveil », commune"):
        compute_family_lines(family, season, YEAR)
    other = SeasonFactory(
        name="2030-2031", starts_on=date(2030, 9, 1), ends_on=date(2031, 6, 30), is_current=False
    )
    with pytest.raises(ValidationError, match="La saison 2030-2031 n'a pas de grille tarifaire"):
        compute_family_lines(family, other, YEAR)


def test_term_shares_add_up_to_the_yearly_amount():
    for amount in (D("125.00"), D("0.01"), D("-25.00"), D("100.00"), D("-0.02")):
        assert sum(term_share(amount, term) for term in (1, 2, 3)) == amount


def test_a_positive_reduction_or_a_negative_total_is_refused(season):
    family = family_with("22440")
    with pytest.raises(ValidationError, match="Une réduction ne peut pas être positive"):
        services.create_draft_invoice(
            family=family, lines=[services.LineData("R", D("5.00"), is_reduction=True)]
        )
    with pytest.raises(ValidationError, match="Le total d'une facture ne peut pas être négatif"):
        services.create_draft_invoice(
            family=family,
            lines=[
                services.LineData("A", D("5.00")),
                services.LineData("R", D("-6.00"), is_reduction=True),
            ],
        )


def test_the_rules_take_a_constant_number_of_queries(season, django_assert_max_num_queries):
    family = family_with("22440", qf=640)
    enrol(season, child(family, "Léa", date(2014, 3, 12)), "Piano")
    with django_assert_max_num_queries(20) as few:
        compute_family_lines(family, season, YEAR)
    for index in range(4):
        enrol(
            season, child(family, f"Enfant{index}", date(2015, 1, index + 1)), "Violon", "Chorale"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        compute_family_lines(family, season, YEAR)


def test_the_demo_family_is_billed_from_the_demo_grid(db, settings):
    from django.core.management import call_command

    from families.models import Family
    from students.models import Season

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    family = Family.objects.get(accounts__username="demo")
    season = Season.objects.current()
    assert season.tariff_grid.problems() == []
    bill = compute_family_lines(family, season, YEAR)
    assert amounts(bill) == [
        ("Danse 1 cours/semaine — Tranche B, commune", D("240.00")),
        ("Parcours musique enfant : FM + instrument — Tranche B, commune", D("420.00")),
        ("Parcours musique enfant : FM + instrument — Tranche B, commune", D("420.00")),
        ("Réduction fratrie (2e enfant, -10 %)", D("-42.00")),
        ("Réduction fratrie (3e enfant, -20 %)", D("-48.00")),
        ("Location d'instrument : Violon", D("120.00")),
        ("Adhésion 2026-2027 (par famille)", D("20.00")),
    ]
    assert bill.total == D("1130.00") and bill.anomalies == []
    assert [line.student.first_name for line in bill.lines[3:6]] == ["Hugo", "Inès", "Hugo"]


def test_a_bill_with_reductions_is_issued_with_its_lines_on_the_pdf(season):
    from tests.billing.factories import pdf_text

    family = family_with("35000")
    hugo = child(family, "Hugo", date(2016, 9, 2))
    ines = child(family, "Inès", date(2012, 1, 25))
    enrol(season, hugo, "Violon", "Formation musicale")
    enrol(season, ines, "Danse classique", "Danse contemporaine")
    bill = compute_family_lines(family, season, YEAR)
    draft = services.create_draft_invoice(family=family, season=season, lines=bill.lines)
    invoice = services.issue_invoice(invoice=draft)
    assert invoice.total == bill.total == D("1609.25")
    text = pdf_text(invoice.pdf.read())
    assert "Réduction fratrie (2e enfant, -10 %)" in text
    assert "-83,25 €" in text
    # A full credit note copies the reductions too.
    credit_note = services.issue_credit_note(invoice=invoice, label="Erreur de tarif")
    assert credit_note.total == D("1609.25")
