"""Billing a season (docs/billing.md, "La facturation d'une saison"): staff start a run in
admin, it builds one draft per family from the tariff grid, the preview shows the families,
the total and the anomalies; staff exclude a family, then "Émettre" issues the drafts in the
background. A family is never billed twice for one period."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import billing_runs, services
from billing.models import BillingRun, BillingRunFamily, Invoice
from billing.tariff_demo import demo_grid, seed_communes
from billing.tariff_models import Fee
from billing.tariffs import grid_for
from tests.billing.test_corrections import client_of
from tests.billing.test_tariffs_rules import child, enrol, family_with
from tests.factories import ResponsableFactory, SeasonFactory, StaffFactory

D = Decimal
NBSP = "\u00a0"
ADD = "admin:billing_billingrun_add"


def euros(text):
    return text.replace(" ", NBSP) + NBSP + "€"


@pytest.fixture
def season(db):
    """As in test_tariffs_rules: 2026-2027 with the demo grid and communes."""
    season = SeasonFactory()
    demo_grid(season)
    seed_communes()
    return season


@pytest.fixture
def families(season):
    """Léa's family: commune, QF in bracket A, Piano + FM (320 € a year). The Moreau family: no
    QF, no postal code, a dance course and a course without a tariff category (470 €). A family
    without enrolment gets no draft."""
    lea_family = family_with("22440", qf=640)
    ResponsableFactory(family=lea_family, last_name="Durand", first_name="Léa-Mère")
    enrol(season, child(lea_family, "Léa", date(2014, 3, 12)), "Piano", "Formation musicale")
    moreau = family_with("")
    ResponsableFactory(family=moreau, last_name="Moreau", first_name="Jeanne")
    enrol(season, child(moreau, "Tom", date(2015, 1, 5)), "Danse classique", "Théâtre")
    idle = family_with("22440", qf=640)
    ResponsableFactory(family=idle, last_name="Sansinscription")
    return lea_family, moreau


def start(client, capture, season, period="year"):
    with capture(execute=True):
        return client.post(reverse(ADD), {"season": season.pk, "period": period})


def page_of(client, run):
    return client.get(reverse("admin:billing_billingrun_change", args=[run.pk])).content.decode()


def issue(client, capture, run):
    with capture(execute=True):
        return client.post(reverse("admin:billing_billingrun_issue", args=[run.pk]))


def test_a_run_builds_one_draft_per_family_and_previews_total_and_anomalies(
    staff_client,
    season,
    families,
    django_capture_on_commit_callbacks,
):
    lea_family, moreau = families
    response = start(staff_client, django_capture_on_commit_callbacks, season)

    run = BillingRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:billing_billingrun_change", args=[run.pk])
    (message,) = get_messages(response.wsgi_request)
    assert "lancée : les brouillons sont préparés en arrière-plan" in str(message)
    run.refresh_from_db()
    assert run.status == BillingRun.Status.READY
    drafts = Invoice.objects.filter(number__isnull=True).order_by("pk")
    assert [draft.family for draft in drafts] == [lea_family, moreau]
    assert {draft.billing_period for draft in drafts} == {"year"}
    assert all(draft.season == season for draft in drafts)

    page = page_of(staff_client, run)
    assert f"2 familles à facturer, total {euros('790,00')}." in page
    assert "À vérifier d'abord" in page
    anomalies = page.split('id="billing-run-anomalies"')[1].split("</ul>")[0]
    assert "MOREAU Jeanne" in anomalies and "DURAND" not in anomalies
    assert "Pas de quotient familial validé" in anomalies
    assert "Code postal absent ou invalide" in anomalies
    assert "n&#x27;a pas de catégorie tarifaire" in anomalies
    for draft in drafts:
        assert reverse("admin:billing_invoice_change", args=[draft.pk]) in page
    assert "Sansinscription" not in page
    assert "Émettre" in page


def test_staff_correct_a_draft_then_exclude_a_family_and_issue_the_run(
    staff_client,
    season,
    families,
    outbox,
    django_capture_on_commit_callbacks,
):
    lea_family, moreau = families
    start(staff_client, django_capture_on_commit_callbacks, season)
    run = BillingRun.objects.get()
    moreau_row = run.families.get(family=moreau)
    moreau_draft = moreau_row.invoice

    response = staff_client.post(
        reverse("admin:billing_billingrun_exclude", args=[run.pk, moreau_row.pk])
    )
    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=moreau_draft.pk).exists()
    page = page_of(staff_client, run)
    assert f"1 famille à facturer, total {euros('320,00')}." in page
    excluded = page.split('id="billing-run-excluded"')[1].split("</ul>")[0]
    assert "MOREAU Jeanne" in excluded

    outbox.clear()
    response = issue(staff_client, django_capture_on_commit_callbacks, run)
    run.refresh_from_db()
    assert run.status == BillingRun.Status.ISSUING and run.issue_run is not None
    assert response["Location"] == reverse("admin:billing_issuerun_change", args=[run.issue_run.pk])
    (invoice,) = Invoice.objects.all()
    year = date.today().year
    assert invoice.number == f"{year}FAC0001" and invoice.family == lea_family
    assert invoice.total == D("320.00") and invoice.pdf
    sent = [message for message in outbox() if invoice.number in message.body]
    assert len(sent) == 1
    # Issued: neither issued again, nor excluded, nor cancelled.
    again = issue(staff_client, django_capture_on_commit_callbacks, run)
    (message,) = list(get_messages(again.wsgi_request))[-1:]
    assert "ne peut pas être émise" in str(message)
    assert Invoice.objects.count() == 1


def test_a_second_run_for_the_same_period_is_refused_unless_the_first_was_cancelled(
    staff_client,
    season,
    families,
    django_capture_on_commit_callbacks,
):
    start(staff_client, django_capture_on_commit_callbacks, season, "1")
    first = BillingRun.objects.get()

    response = start(staff_client, django_capture_on_commit_callbacks, season, "1")
    assert response.status_code == 200
    assert (
        "La saison 2026-2027 est déjà facturée pour la période « trimestre 1 » : annulez "
        "d&#x27;abord cette facturation pour en lancer une autre."
    ) in response.content.decode()
    assert BillingRun.objects.count() == 1 and Invoice.objects.count() == 2
    # Another period is another run.
    start(staff_client, django_capture_on_commit_callbacks, season, "2")
    assert BillingRun.objects.count() == 2

    staff_client.post(reverse("admin:billing_billingrun_cancel", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == BillingRun.Status.CANCELLED
    assert Invoice.objects.filter(billing_period="1").count() == 0
    start(staff_client, django_capture_on_commit_callbacks, season, "1")
    assert BillingRun.objects.filter(period="1", status="ready").count() == 1
    assert Invoice.objects.filter(billing_period="1").count() == 2


def test_a_family_already_invoiced_for_the_period_is_skipped_and_listed(
    staff_client,
    season,
    families,
    django_capture_on_commit_callbacks,
):
    lea_family, _moreau = families
    earlier = services.create_draft_invoice(
        family=lea_family,
        season=season,
        lines=[services.LineData(label="Trimestre 1", amount=D("120.00"))],
    )
    earlier.billing_period = "1"
    earlier.save(update_fields=["billing_period"])
    earlier = services.issue_invoice(invoice=earlier)

    start(staff_client, django_capture_on_commit_callbacks, season, "1")

    run = BillingRun.objects.get()
    assert run.families.get(family=lea_family).state == BillingRunFamily.State.ALREADY_INVOICED
    assert Invoice.objects.filter(family=lea_family).count() == 1
    page = page_of(staff_client, run)
    invoiced = page.split('id="billing-run-invoiced"')[1].split("</ul>")[0]
    assert "DURAND" in invoiced and earlier.number in invoiced
    assert "1 famille à facturer" in page


def test_the_database_refuses_a_second_invoice_for_a_family_season_and_period(
    season,
    families,
):
    lea_family, _ = families

    def draft():
        invoice = Invoice(family=lea_family, season=season, billing_period="2")
        invoice.save()
        return invoice

    draft()
    with pytest.raises(
        ValidationError, match="déjà une facture pour cette saison et cette période"
    ):
        Invoice(family=lea_family, season=season, billing_period="2").validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        draft()
    # Drafts typed by hand (no period) are not concerned.
    Invoice.objects.create(family=lea_family, season=season)
    Invoice.objects.create(family=lea_family, season=season)


def test_an_amount_different_from_the_previous_term_is_an_anomaly(
    staff_client,
    season,
    families,
    django_capture_on_commit_callbacks,
):
    lea_family, moreau = families
    start(staff_client, django_capture_on_commit_callbacks, season, "1")
    issue(staff_client, django_capture_on_commit_callbacks, BillingRun.objects.get())
    # Léa's family adds a dance course for the second term; the Moreau family changes nothing.
    enrol(season, lea_family.students.get(), "Danse contemporaine")

    start(staff_client, django_capture_on_commit_callbacks, season, "2")

    run = BillingRun.objects.get(period="2")
    assert all("précédent" not in text for text in run.families.get(family=moreau).anomalies)
    (difference,) = [
        text for text in run.families.get(family=lea_family).anomalies if "précédent" in text
    ]
    assert difference == (
        f"Montant différent du trimestre précédent : {euros('151,00')} (hors adhésion) "
        f"contre {euros('100,00')}."
    )
    anomalies = page_of(staff_client, run).split('id="billing-run-anomalies"')[1]
    assert "Montant différent du trimestre précédent" in anomalies.split("</ul>")[0]


def test_a_missing_or_incomplete_grid_is_refused_and_nothing_is_created(
    staff_client,
    season,
    families,
    django_capture_on_commit_callbacks,
):
    Fee.objects.filter(formule__name="Éveil", residency="commune").first().delete()

    response = start(staff_client, django_capture_on_commit_callbacks, season)

    assert response.status_code == 200
    assert "Tarif manquant : « Éveil », commune" in response.content.decode()
    assert not BillingRun.objects.exists() and not Invoice.objects.exists()


def test_the_demo_families_are_billed_with_a_run(
    db, settings, staff_client, outbox, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from families.models import Family
    from students.models import Season

    settings.DEBUG = True
    call_command("seed_demo")
    family = Family.objects.get(accounts__username="demo")
    season = Season.objects.current()

    start(staff_client, django_capture_on_commit_callbacks, season)

    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.READY
    row = run.families.get(family=family)
    assert row.state == BillingRunFamily.State.DRAFTED and row.anomalies == []
    assert sum(line.amount for line in row.invoice.lines.all()) == D("1130.00")
    outbox.clear()
    issue(staff_client, django_capture_on_commit_callbacks, run)
    row.invoice.refresh_from_db()
    assert row.invoice.number and row.invoice.total == D("1130.00") and row.invoice.pdf
    assert any(row.invoice.number in message.body for message in outbox())


def test_the_preview_page_takes_the_same_queries_whatever_the_number_of_families(
    staff_client,
    season,
    families,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    start(staff_client, django_capture_on_commit_callbacks, season)
    run = BillingRun.objects.get()
    url = reverse("admin:billing_billingrun_change", args=[run.pk])
    with CaptureQueriesContext(connection) as few:
        first = staff_client.get(url)
    assert first.status_code == 200, first
    baseline = len(few.captured_queries)
    assert baseline > 5
    run.delete()
    Invoice.objects.all().delete()
    for index in range(4):
        family = family_with("")
        ResponsableFactory(family=family, last_name=f"Famille{index}")
        enrol(season, child(family, "Zoé", date(2013, 5, 1)), "Chorale")
    start(staff_client, django_capture_on_commit_callbacks, season)
    run = BillingRun.objects.get()
    # A draft deleted by hand in "Factures et avoirs" leaves its family without a link.
    run.families.filter(family__responsables__last_name="Famille0").get().invoice.delete()
    url = reverse("admin:billing_billingrun_change", args=[run.pk])
    with django_assert_max_num_queries(baseline):
        page = staff_client.get(url).content.decode()
    assert "6 familles à facturer" in page


NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_build_cut_short_resumes_without_drafting_a_family_twice(
    staff_client, season, families, settings, django_capture_on_commit_callbacks
):
    lea_family, moreau = families
    settings.TASKS = NO_WORKER
    start(staff_client, django_capture_on_commit_callbacks, season)
    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.BUILDING and not Invoice.objects.exists()
    page = page_of(staff_client, run)
    assert "Les brouillons sont en préparation en arrière-plan." in page
    assert "Reprendre la préparation" in page and "Émettre" not in page
    # The worker drafted the first family, then was killed.
    billing_runs.build_family(run, lea_family, grid_for(season), "year")

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:billing_billingrun_resume", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == BillingRun.Status.READY
    assert sorted(Invoice.objects.values_list("family_id", flat=True)) == sorted(
        [lea_family.pk, moreau.pk]
    )
    assert "2 familles à facturer" in page_of(staff_client, run)


def test_staff_who_may_only_view_see_the_preview_but_cannot_act(
    staff_client, season, families, django_capture_on_commit_callbacks
):
    start(staff_client, django_capture_on_commit_callbacks, season)
    run = BillingRun.objects.get()
    row = run.families.first()
    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="billing", codename="view_billingrun")
    )
    client = client_of(viewer)

    page = client.get(reverse("admin:billing_billingrun_change", args=[run.pk])).content.decode()
    assert "2 familles à facturer" in page
    assert "Exclure" not in page and 'value="Émettre"' not in page
    assert client.get(reverse(ADD)).status_code == 403
    for url in [
        reverse("admin:billing_billingrun_exclude", args=[run.pk, row.pk]),
        reverse("admin:billing_billingrun_issue", args=[run.pk]),
        reverse("admin:billing_billingrun_cancel", args=[run.pk]),
    ]:
        assert client.post(url).status_code == 403
    assert Invoice.objects.filter(number__isnull=True).count() == 2
    run.refresh_from_db()
    assert run.status == BillingRun.Status.READY
