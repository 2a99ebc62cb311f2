"""Staff in admin: the season's tariff grid, its check, brackets, communes, duplication."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from billing.tariff_demo import demo_grid
from billing.tariff_models import Commune, Fee, QFBracket, TariffGrid
from students.models import Course
from tests.billing.factories import visible_text
from tests.factories import CourseFactory, SeasonFactory


def inline(prefix, *rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def grid_data(season, *brackets, formules=()):
    data = {
        "season": season.pk,
        "membership_fee": "20.00",
        "sibling_second_percent": "10",
        "sibling_third_percent": "20",
        "multi_discipline_percent": "15",
        "instrument_rental_fee": "120.00",
        "adult_age": "18",
    }
    data |= inline("brackets", *brackets)
    data |= inline("formules", *formules)
    return data


def test_staff_create_a_grid_with_brackets_and_formules(staff_client):
    season = SeasonFactory()
    data = grid_data(
        season,
        {"label": "Tranche A", "lower": "0", "upper": "700"},
        {"label": "Tranche B", "lower": "701", "upper": ""},
        formules=[{"position": "1", "name": "Éveil", "kind": "eveil"}],
    )
    response = staff_client.post(reverse("admin:billing_tariffgrid_add"), data)
    assert response.status_code == 302, visible_text(response.content.decode())[:3000]
    grid = TariffGrid.objects.get()
    assert [b.label for b in grid.brackets.all()] == ["Tranche A", "Tranche B"]
    # No fee yet: the grid page lists each missing cell in French.
    page = visible_text(
        staff_client.get(
            reverse("admin:billing_tariffgrid_change", args=[grid.pk])
        ).content.decode()
    )
    assert "Tarif manquant : « Éveil », commune, tranche « Tranche A »." in page
    assert "Tarif manquant : « Éveil », hors commune, tranche « Tranche B »." in page


def test_overlapping_brackets_are_refused_and_nothing_saved(staff_client):
    season = SeasonFactory()
    data = grid_data(
        season,
        {"label": "Tranche A", "lower": "0", "upper": "700"},
        {"label": "Tranche B", "lower": "600", "upper": "1200"},
    )
    response = staff_client.post(reverse("admin:billing_tariffgrid_add"), data)
    assert response.status_code == 200
    assert (
        "Les tranches « Tranche A » (0 € à 700 €) et « Tranche B » (600 € à 1200 €) se "
        "chevauchent : corrigez leurs bornes."
    ) in visible_text(response.content.decode())
    assert not TariffGrid.objects.exists()


def test_a_bracket_with_bounds_reversed_is_refused(staff_client):
    season = SeasonFactory()
    data = grid_data(season, {"label": "Tranche A", "lower": "700", "upper": "100"})
    response = staff_client.post(reverse("admin:billing_tariffgrid_add"), data)
    assert response.status_code == 200
    assert "La borne haute d'une tranche doit être supérieure" in visible_text(
        response.content.decode()
    )
    assert not QFBracket.objects.exists()


def test_a_complete_grid_says_so_and_a_deleted_cell_is_reported(staff_client):
    grid = demo_grid(SeasonFactory())
    url = reverse("admin:billing_tariffgrid_change", args=[grid.pk])
    assert "Grille complète" in visible_text(staff_client.get(url).content.decode())
    Fee.objects.filter(
        formule__name="Éveil", residency="outside", bracket__label="Tranche C"
    ).delete()
    page = visible_text(staff_client.get(url).content.decode())
    assert "Tarif manquant : « Éveil », hors commune, tranche « Tranche C »." in page
    listing = visible_text(
        staff_client.get(reverse("admin:billing_tariffgrid_changelist")).content.decode()
    )
    assert "incomplète (1)" in listing


def test_staff_add_a_fee_cell_on_the_grid_page(staff_client):
    grid = demo_grid(SeasonFactory())
    fee = Fee.objects.filter(grid=grid).first()
    formule, bracket = fee.formule, fee.bracket
    fee.delete()
    url = reverse("admin:billing_tariffgrid_change", args=[grid.pk])
    data = grid_data(grid.season)
    brackets = list(grid.brackets.all())
    formules = list(grid.formules.all())
    fees = list(grid.fees.all())
    data |= inline(
        "brackets",
        *[
            {
                "id": b.pk,
                "grid": grid.pk,
                "label": b.label,
                "lower": b.lower,
                "upper": b.upper or "",
            }
            for b in brackets
        ],
        initial=len(brackets),
    )
    data |= inline(
        "formules",
        *[
            {"id": f.pk, "grid": grid.pk, "position": f.position, "name": f.name, "kind": f.kind}
            for f in formules
        ],
        initial=len(formules),
    )
    data |= inline(
        "fees",
        *[
            {
                "id": f.pk,
                "grid": grid.pk,
                "formule": f.formule_id,
                "residency": f.residency,
                "bracket": f.bracket_id,
                "amount": f.amount,
            }
            for f in fees
        ],
        {
            "formule": formule.pk,
            "residency": fee.residency,
            "bracket": bracket.pk,
            "amount": "-5",
        },
        initial=len(fees),
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert grid.problems()
    data[f"fees-{len(fees)}-amount"] = "150.00"
    response = staff_client.post(url, data)
    assert response.status_code == 302, visible_text(response.content.decode())[:3000]
    assert grid.problems() == []


def test_duplicate_to_the_next_season_copies_grid_and_courses(staff_client):
    season = SeasonFactory()
    grid = demo_grid(season)
    CourseFactory(season=season, name="Piano 2e cycle")
    following = SeasonFactory(
        name="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 6, 30), is_current=False
    )
    url = reverse("admin:billing_tariffgrid_changelist")
    action = {"action": "duplicate_to_next_season", "_selected_action": [grid.pk]}
    response = staff_client.post(url, action, follow=True)
    assert "copiés vers la saison 2027-2028" in visible_text(response.content.decode())
    copy = TariffGrid.objects.get(season=following)
    assert copy.problems() == []
    assert copy.fees.count() == grid.fees.count() == 30
    assert copy.membership_fee == Decimal("20.00")
    assert list(Course.objects.filter(season=following).values_list("name", flat=True)) == [
        "Piano 2e cycle"
    ]
    # Twice: refused, nothing copied again.
    response = staff_client.post(url, action, follow=True)
    assert "La saison 2027-2028 a déjà une grille tarifaire." in visible_text(
        response.content.decode()
    )
    assert TariffGrid.objects.count() == 2
    assert Course.objects.filter(season=following).count() == 1


def test_duplicate_without_a_next_season_is_refused(staff_client):
    grid = demo_grid(SeasonFactory())
    response = staff_client.post(
        reverse("admin:billing_tariffgrid_changelist"),
        {"action": "duplicate_to_next_season", "_selected_action": [grid.pk]},
        follow=True,
    )
    assert "Aucune saison ne suit la saison 2026-2027" in visible_text(response.content.decode())
    assert TariffGrid.objects.count() == 1


def test_staff_add_a_commune_and_a_bad_postal_code_is_refused(staff_client):
    url = reverse("admin:billing_commune_add")
    response = staff_client.post(url, {"name": "Bellerive", "postal_code": "2244"})
    assert response.status_code == 200
    assert "Un code postal compte 5 chiffres" in visible_text(response.content.decode())
    response = staff_client.post(url, {"name": "Bellerive", "postal_code": "22440"})
    assert response.status_code == 302
    assert Commune.objects.get().postal_code == "22440"


def test_staff_enter_a_reduction_line_negative_only(staff_client, family):
    from billing.models import Invoice
    from tests.billing.test_admin import line_formset

    season = SeasonFactory()
    data = {"family": family.pk, "season": season.pk, "label": "Cotisations", "due_on": ""}
    lines = [
        {"position": "1", "student": "", "label": "Piano", "amount": "186.00"},
        {
            "position": "2",
            "student": "",
            "label": "Réduction",
            "amount": "18.60",
            "is_reduction": "on",
        },
    ]
    response = staff_client.post(reverse("admin:billing_invoice_add"), data | line_formset(*lines))
    assert response.status_code == 200
    assert "Une réduction se saisit en montant négatif" in visible_text(response.content.decode())
    assert not Invoice.objects.exists()
    lines[1]["amount"] = "-18.60"
    response = staff_client.post(reverse("admin:billing_invoice_add"), data | line_formset(*lines))
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert [(line.amount, line.is_reduction) for line in invoice.lines.all()] == [
        (Decimal("186.00"), False),
        (Decimal("-18.60"), True),
    ]
