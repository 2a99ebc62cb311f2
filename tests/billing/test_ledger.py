"""The Facturation tab's ledger: rows, totals, balance wording, filters, query count."""

from datetime import date
from decimal import Decimal
from html import unescape

from django.test import Client
from django.urls import reverse

from billing import services
from billing.ledger import Period, build_ledger, totals
from tests.billing.factories import draft_invoice, issued_invoice, payment, plain, visible_text
from tests.conftest import staff_login
from tests.factories import SeasonFactory

URL = reverse("billing:ledger")


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return plain(unescape(response.content.decode()))


def seasons():
    previous = SeasonFactory(
        name="2025-2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30), is_current=False
    )
    return previous, SeasonFactory()


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    assert client.get(URL)["Location"].startswith("/connexion/?next=/facturation/")


def test_it_shows_each_operation_with_links_and_the_totals(family_client, family):
    invoice = issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 10, 5))
    note = services.issue_credit_note(
        invoice=invoice,
        lines=[services.LineData(label="Remise", amount=Decimal("10.00"))],
        issued_on=date(2026, 10, 6),
    )
    received = payment(family, "50.00", received_on=date(2026, 10, 7), reference="Chq 42")
    html = page(family_client)
    for heading in [
        "Date",
        "Mode de règlement",
        "Numéro d'opération",
        "Libellé",
        "Débit",
        "Crédit",
    ]:
        assert '<th scope="col"' in html and f">{heading}</th>" in html
    # Newest first.
    assert html.index("2026REG0001") < html.index("2026AV0001") < html.index("2026FAC0001")
    assert f'href="/facturation/{received.number}.pdf"' in html
    assert f'href="/facturation/{note.number}.pdf"' in html
    assert f'href="/facturation/factures/{invoice.number}/"' in html
    assert '<td data-label="Date">7 octobre 2026</td>' in html
    assert '<td data-label="Date">5 octobre 2026</td>' in html  # French dates
    assert "RÈGLEMENT (Chq 42)" in html
    assert "AVOIR sur 2026FAC0001" in html
    assert "Montant total facturé" in html and "186,00 €" in html
    assert "Montant total réglé" in html and "60,00 €" in html
    assert "126,00 € — Vous devez 126,00 € au centre." in html
    assert "Totaux de toutes vos opérations" in html


def test_it_says_when_the_family_has_a_credit_or_owes_nothing(family_client, family):
    assert "Votre compte est soldé : vous ne devez rien." in page(family_client)
    assert "Aucune opération pour le moment." in page(family_client)
    issued_invoice(family, "100.00")
    payment(family, "130.00")
    assert "Vous avez un crédit de 30,00 € auprès du centre (rien à payer)." in page(family_client)


def test_the_filters_narrow_the_rows_and_the_totals_say_so(family_client, family):
    previous, current = seasons()
    issued_invoice(family, "300.00", season=previous, issued_on=date(2025, 11, 19))
    payment(family, "300.00", received_on=date(2025, 12, 1), season=previous)
    issued_invoice(family, "186.00", season=current, issued_on=date(2026, 10, 5), label="Danse")
    payment(family, "86.00", received_on=date(2026, 10, 20), season=current, reference="CB")

    html = page(family_client, periode=f"s{previous.pk}")
    assert "2025FAC0001" in html and "2026FAC0001" not in html
    assert "Totaux des opérations affichées" in html
    assert "Ces totaux ne portent que sur les opérations affichées" in html
    assert "300,00 €" in html
    # The account's own balance stays visible above the filtered table.
    assert "Solde de votre compte : Vous devez 100,00 € au centre." in visible_text(html)

    html = page(family_client, periode="a2026")
    assert "2026FAC0001" in html and "2026REG0001" in html and "2025FAC0001" not in html
    assert "2 opérations correspondent à votre recherche" in html

    html = page(family_client, type="REG")
    assert "2025REG0001" in html and "2026REG0001" in html and "FAC0001" not in html
    assert "386,00 €" in html  # paid in the selection

    html = page(family_client, q="danse")
    assert (
        "2026FAC0001" in html
        and "2025FAC0001" not in html
        and "REG" not in html.split("<tbody>")[1].split("</tbody>")[0]
    )


def test_a_filtered_view_never_states_a_false_account_status(family_client, family):
    """Issue 12, item 16: the payments alone (a credit of 386 €) are not the account (owes 100)."""
    previous, current = seasons()
    issued_invoice(family, "300.00", season=previous, issued_on=date(2025, 11, 19))
    payment(family, "300.00", received_on=date(2025, 12, 1), season=previous)
    issued_invoice(family, "186.00", season=current, issued_on=date(2026, 10, 5))
    payment(family, "86.00", received_on=date(2026, 10, 20), season=current)

    text = visible_text(page(family_client, type="REG"))
    assert "Vous avez un crédit" not in text and "rien à payer" not in text
    totals_text = text.split("Totaux des opérations affichées", 1)[1]
    assert "Total facturé des opérations affichées 0,00 €" in totals_text
    assert "Total réglé des opérations affichées (règlements et avoirs) 386,00 €" in totals_text
    assert "Différence sur les opérations affichées (facturé moins réglé) -386,00 €" in totals_text
    assert (
        "Solde de votre compte (toutes opérations) 100,00 € — Vous devez 100,00 € au centre."
        in totals_text
    )
    assert text.count("Vous devez 100,00 € au centre.") == 2  # the alert above, the totals


def test_a_search_without_result_says_so_in_words(family_client, family):
    issued_invoice(family, issued_on=date(2026, 1, 5))
    text = visible_text(page(family_client, q="introuvable"))
    assert "0 opération" not in text
    assert "Aucune opération ne correspond à votre recherche." in text
    assert "Solde de votre compte : Vous devez 186,00 € au centre." in text


def test_it_ignores_an_invalid_filter(family_client, family):
    issued_invoice(family, issued_on=date(2026, 1, 5))
    html = page(family_client, periode="s999999", type="XYZ")
    assert "2026FAC0001" in html
    assert "Totaux de toutes vos opérations" in html


def test_drafts_stay_invisible_to_the_family(family_client, family):
    draft_invoice(family, "777.00")
    html = page(family_client)
    assert "777,00" not in html
    assert "Aucune opération pour le moment." in html


def test_it_shows_only_the_familys_own_operations(family_client, family, other_user):
    issued_invoice(other_user.family, "999.00")
    html = page(family_client)
    assert "999,00" not in html and "FAC0001" not in html


def test_its_query_count_does_not_grow_with_the_operations(
    family_client, family, django_assert_max_num_queries
):
    issued_invoice(family, issued_on=date(2026, 1, 1))
    payment(family)
    # Session, user, seasons, invoices, payments, centre, responsables: the totals are the rows'.
    with django_assert_max_num_queries(7) as few:
        page(family_client)
    for day in range(2, 7):
        invoice = issued_invoice(family, issued_on=date(2026, 1, day))
        services.issue_credit_note(invoice=invoice, issued_on=date(2026, 1, day))
        payment(family)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(family_client)
    assert html.count("/facturation/2026FAC0006.pdf") == 1
    assert html.count("AVOIR sur 2026FAC0006") == 1


def test_a_filtered_ledger_adds_only_the_account_totals(
    family_client, family, django_assert_max_num_queries
):
    for day in range(1, 6):
        issued_invoice(family, issued_on=date(2026, 2, day))
        payment(family)
    with django_assert_max_num_queries(9):  # the account's two aggregates
        html = page(family_client, type="FAC", q="2026")
    assert "5 opérations correspondent à votre recherche" in html


def test_the_ledger_the_card_and_the_staff_list_show_one_balance(
    family_client, family, staff_user, other_user
):
    """Every reader of a family's balance counts the same (`billing.models.accounted`,
    `balance_of`): credit notes and payments deduct, drafts and other families never count."""
    invoice = issued_invoice(family, "120.00", "66.00")
    services.issue_credit_note(
        invoice=invoice, lines=[services.LineData(label="Geste", amount=Decimal("20.00"))]
    )
    draft_invoice(family, "999.00")
    payment(family, "50.00")
    issued_invoice(other_user.family, "500.00")
    assert totals(family).balance == Decimal("116.00")  # 186 − 20 − 50

    assert "Vous devez 116,00 € au centre." in plain(
        family_client.get(reverse("portal:home")).content.decode()
    )
    assert "116,00 €" in page(family_client)
    staff = Client()
    staff_login(staff, staff_user)
    html = staff.get(reverse("admin:billing_familyaccount_changelist")).content.decode()
    assert "116,00 €" in plain(html) and "999,00" not in plain(html)


def test_the_ledgers_totals_are_the_accounts_for_every_filter(family):
    """The ledger sums the rows it shows: the same rule as `with_totals`, for every filter."""
    previous, _current = seasons()
    invoice = issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 10, 5))
    services.issue_credit_note(invoice=invoice, issued_on=date(2026, 10, 6))
    issued_invoice(family, "35.50", issued_on=date(2025, 10, 5))
    draft_invoice(family)
    payment(family, "50.00", received_on=date(2026, 10, 7), reference="Chq 42")
    payment(family, "12.25", received_on=date(2025, 11, 7))
    for filters in [
        {},
        {"period": Period(season=previous)},
        {"period": Period(year=2026)},
        {"kind": "FAC"},
        {"kind": "AV"},
        {"kind": "REG"},
        {"text": "Chq"},
    ]:
        assert build_ledger(family, **filters).totals == totals(family, **filters), filters
