"""Staff in Django admin: drafts, issuing, credit notes, payments, accounts, CSV export."""

import csv
import io
from datetime import date

from django.urls import reverse

from billing.models import Invoice, Payment
from tests.billing.factories import (
    draft_invoice,
    issued_invoice,
    payment,
    payment_mode,
    plain,
    visible_text,
)
from tests.factories import SeasonFactory, StudentFactory


def line_formset(*lines, prefix="lines"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data.update({f"{prefix}-{index}-{key}": value for key, value in line.items()})
    return data


def test_staff_create_a_draft_with_lines(staff_client, family):
    season = SeasonFactory()
    student = StudentFactory(family=family, first_name="Léa")
    data = {"family": family.pk, "season": season.pk, "label": "Cotisations", "due_on": ""}
    data |= line_formset(
        {"position": "1", "student": student.pk, "label": "Piano", "amount": "186.00"},
        {"position": "2", "student": "", "label": "Adhésion", "amount": "10.00"},
    )
    response = staff_client.post(reverse("admin:billing_invoice_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get()
    assert invoice.number is None
    assert [line.label for line in invoice.lines.all()] == ["Piano", "Adhésion"]


def test_staff_cannot_enter_a_negative_line(staff_client, family):
    data = {"family": family.pk, "season": "", "label": "", "due_on": ""}
    data |= line_formset({"position": "1", "student": "", "label": "Erreur", "amount": "-5.00"})
    response = staff_client.post(reverse("admin:billing_invoice_add"), data)
    assert response.status_code == 200
    assert not Invoice.objects.exists()


def test_the_issue_action_numbers_and_renders_drafts(
    staff_client, family, django_capture_on_commit_callbacks
):
    draft = draft_invoice(family)
    # The drafts are issued by background tasks (run at once in tests) once the run commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:billing_invoice_changelist"),
            {"action": "issue_selected", "_selected_action": [draft.pk]},
        )
    draft.refresh_from_db()
    assert draft.number == f"{date.today().year}FAC0001"
    assert draft.pdf_sha256
    page = staff_client.get(response["Location"]).content.decode()
    assert 'max="1" value="1"' in page


def test_the_credit_action_issues_a_credit_note(staff_client, family):
    invoice = issued_invoice(family)
    staff_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "credit_selected", "_selected_action": [invoice.pk]},
    )
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.credited_invoice == invoice
    assert note.total == invoice.total


def test_an_issued_invoice_is_read_only_in_admin(staff_client, family):
    invoice = issued_invoice(family)
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])
    html = staff_client.get(url).content.decode()
    assert invoice.number in html
    assert 'name="_save"' not in html
    # The PDF is offered through the checked download view, never by its storage path.
    assert f'href="/facturation/{invoice.number}.pdf"' in html
    assert invoice.pdf.name not in html
    response = staff_client.post(url, {"family": family.pk, "label": "Changé"})
    assert response.status_code == 403
    delete = staff_client.post(
        reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    invoice.refresh_from_db()
    assert invoice.label == "Cotisations"


def test_staff_record_a_payment_and_its_receipt(staff_client, family):
    invoice = issued_invoice(family, "186.00")
    mode = payment_mode("Espèces")
    data = {
        "family": family.pk,
        "received_on": date.today().isoformat(),
        "mode": mode.pk,
        "amount": "100.00",
        "reference": "Guichet",
        "season": "",
        "invoice_numbers": invoice.number.lower(),
    }
    response = staff_client.post(reverse("admin:billing_payment_add"), data, follow=True)
    assert "errornote" not in response.content.decode(), response.content.decode()[-6000:]
    received = Payment.objects.get()
    assert received.number == f"{date.today().year}REG0001"
    assert received.allocations.get().amount == 100
    assert received.pdf_sha256
    assert f"Reçu {received.number} émis." in response.content.decode()
    html = staff_client.get(reverse("admin:billing_payment_change", args=[received.pk]))
    assert received.number in html.content.decode()
    assert 'name="_save"' not in html.content.decode()
    assert received.pdf.name not in html.content.decode()


def test_staff_cannot_allocate_a_payment_to_another_familys_invoice(
    staff_client, family, other_user
):
    foreign = issued_invoice(other_user.family)
    data = {
        "family": family.pk,
        "received_on": date.today().isoformat(),
        "mode": payment_mode().pk,
        "amount": "10.00",
        "invoice_numbers": foreign.number,
    }
    response = staff_client.post(reverse("admin:billing_payment_add"), data)
    assert "Factures introuvables pour cette famille" in response.content.decode()
    assert not Payment.objects.exists()


def test_staff_cannot_record_a_payment_of_zero(staff_client, family):
    data = {
        "family": family.pk,
        "received_on": date.today().isoformat(),
        "mode": payment_mode().pk,
        "amount": "0",
    }
    response = staff_client.post(reverse("admin:billing_payment_add"), data)
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_staff_see_each_familys_balance_and_ledger(staff_client, family):
    issued_invoice(family, "186.00")
    payment(family, "86.00")
    html = plain(
        staff_client.get(reverse("admin:billing_familyaccount_changelist")).content.decode()
    )
    assert "100,00 €" in html
    html = plain(
        staff_client.get(
            reverse("admin:billing_familyaccount_change", args=[family.pk])
        ).content.decode()
    )
    assert "Solde : 100,00 € (la famille doit cette somme)" in visible_text(html)
    assert "FAC0001" in html and "REG0001" in html


def test_staff_export_a_periods_operations_as_csv(staff_client, family):
    issued_invoice(family, "186.00", issued_on=date(2026, 10, 5))
    payment(family, "86.00", received_on=date(2026, 10, 20), mode="Virement")
    issued_invoice(family, "50.00", issued_on=date(2026, 11, 2))
    url = reverse("admin:billing_familyaccount_export")
    assert "Du" in staff_client.get(url).content.decode()
    response = staff_client.get(url, {"start": "01/10/2026", "end": "31/10/2026"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Date", "Type", "Numéro"]
    assert [row[2] for row in rows[1:]] == ["2026FAC0001", "2026REG0001"]
    assert rows[1][6] == "186,00" and rows[2][5] == "Virement" and rows[2][7] == "86,00"


def test_families_cannot_reach_the_billing_admin(family_client):
    response = family_client.get(reverse("admin:billing_invoice_changelist"))
    assert response.status_code == 302


def test_staff_credit_part_of_an_invoice(staff_client, family):
    invoice = issued_invoice(family, "120.00", "66.00")
    change = staff_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    url = reverse("admin:billing_invoice_credit", args=[invoice.pk])
    assert url in change.content.decode()
    assert "186,00" in plain(staff_client.get(url).content.decode())
    response = staff_client.post(url, {"label": "Absence prolongée", "amount": "200.00"})
    assert "dépasse" in response.content.decode()
    response = staff_client.post(
        url, {"label": "Absence prolongée", "amount": "40.00"}, follow=True
    )
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.total == 40
    assert [line.label for line in note.lines.all()] == ["Absence prolongée"]
    assert f"Avoir {note.number} émis pour {invoice.number}." in response.content.decode()


def test_staff_cannot_date_a_payment_after_today(staff_client, family):
    from datetime import timedelta

    data = {
        "family": family.pk,
        "received_on": (date.today() + timedelta(days=1)).isoformat(),
        "mode": payment_mode().pk,
        "amount": "10.00",
    }
    response = staff_client.post(reverse("admin:billing_payment_add"), data)
    assert "Un règlement ne peut pas être daté après aujourd" in response.content.decode()
    assert not Payment.objects.exists()


def test_the_csv_keeps_a_credit_notes_reason_and_quotes_formulas(staff_client, family):
    from billing import services

    invoice = issued_invoice(family, "186.00", issued_on=date(2026, 10, 5))
    services.issue_credit_note(
        invoice=invoice, label="Absence prolongée", issued_on=date(2026, 10, 6)
    )
    payment(family, "86.00", received_on=date(2026, 10, 20), reference="-1+2")
    url = reverse("admin:billing_familyaccount_export")
    response = staff_client.get(url, {"start": "01/10/2026", "end": "31/10/2026"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    note = next(row for row in rows if row[1] == "Avoir")
    assert "Absence prolongée" in note[4]
    assert rows[-1][4] == "'-1+2"


def test_the_invoice_list_filters_by_state_draft_or_issued(staff_client, family):
    html = staff_client.get(reverse("admin:billing_invoice_changelist")).content.decode()
    assert "Par état" in html and "Brouillon" in html and "Émise" in html
    assert "Non vide" not in html
    drafts = staff_client.get(reverse("admin:billing_invoice_changelist") + "?state=draft")
    assert drafts.status_code == 200


def test_a_bulk_issue_shows_one_summary_page(
    staff_client, family, django_capture_on_commit_callbacks
):
    drafts = [draft_invoice(family) for _ in range(3)]
    late = draft_invoice(family)
    Invoice.objects.filter(pk=late.pk).update(due_on=date(2020, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:billing_invoice_changelist"),
            {"action": "issue_selected", "_selected_action": [d.pk for d in [*drafts, late]]},
        )

    page = staff_client.get(response["Location"]).content.decode()
    assert 'max="4" value="4"' in page
    assert '<span data-field="issued">3</span>' in page
    assert '<span data-field="failed">1</span>' in page
    assert "L&#x27;échéance ne peut pas précéder la date d&#x27;émission." in page


def test_a_bulk_credit_shows_one_summary_message(staff_client, family):
    from django.contrib.messages import get_messages

    invoices = [issued_invoice(family) for _ in range(2)]

    response = staff_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "credit_selected", "_selected_action": [i.pk for i in invoices]},
    )

    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "success"
    assert str(message).startswith("2 avoirs émis (")
