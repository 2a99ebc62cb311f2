import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from families.models import Family, Responsable
from students.models import Student
from tests.conftest import log_in


def test_it_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")


def test_it_is_idempotent_and_the_demo_family_can_log_in(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Family.objects.count() == 1
    assert Responsable.objects.count() == 2
    assert Student.objects.count() == 3
    assert User.objects.filter(username="admin", is_staff=True).count() == 1
    log_in(client, "demo", "Demo-Portail-2026")
    html = client.get("/accueil/").content.decode()
    assert "TEST Nicolas" in html


def test_it_writes_nothing_with_dry_run(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--dry-run")
    assert not Family.objects.exists()


def test_it_fills_the_demo_family_record_completely(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    family = Family.objects.get()
    assert family.missing_fields() == []
    assert family.extra_phone_1_label
    first, second = family.responsables.order_by("rank")
    for responsable in (first, second):
        assert responsable.marital_status
        assert responsable.socio_professional_group
        assert responsable.work_phone.country_code == 33
        assert responsable.birth_department
    log_in(client, "demo", "Demo-Portail-2026")
    html = client.get("/famille/").content.decode()
    assert 'value="Claire"' in html
    assert "06 12 34 56 78" in html


def test_it_gives_the_demo_family_two_seasons_of_invoices_a_credit_note_and_payments(
    db, settings, client
):
    from billing.models import Invoice, Payment

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    family = User.objects.get(username="demo").family
    invoices = Invoice.objects.filter(family=family, kind="FAC", number__isnull=False)
    assert invoices.values("season").distinct().count() == 2
    assert Invoice.objects.filter(family=family, kind="AV", number__isnull=False).count() == 1
    assert Payment.objects.filter(family=family).count() >= 3
    log_in(client, "demo", "Demo-Portail-2026")
    html = client.get("/facturation/").content.decode()
    assert "AVOIR sur" in html
    assert "Chèques vacances ANCV" in html


def test_it_opens_a_reenrolment_campaign_for_the_next_season(db, settings, client):
    from reenrolment.models import Campaign
    from students.models import Course

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    campaign = Campaign.objects.get(kind="reenrolment")
    assert campaign.is_open()
    assert campaign.season.name == "2027-2028"
    assert Course.objects.filter(season=campaign.season).count() == 5
    assert campaign.disciplines.count() == 5
    assert campaign.requirements.count() == 2
    log_in(client, "demo", "Demo-Portail-2026")
    html = client.get("/reinscription/").content.decode()
    assert "Réinscriptions 2027-2028" in html
    assert "Faire la demande de Léa" in html
    assert "Réinscriptions 2027-2028" in client.get("/accueil/").content.decode()


def test_the_demo_family_has_music_and_dance_students_with_documents(db, settings, client):
    from students.checklist import build_checklist
    from students.models import Document

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    family = User.objects.get(username="demo").family
    items = {item.key.split("-")[0]: item for item in build_checklist(family).items}
    assert set(items) == {"address", "dance"}
    assert items["address"].status == "received"
    assert items["dance"].status == "validated"
    assert set(Document.objects.values_list("status", flat=True)) == {
        "received",
        "validated",
        "refused",
    }
    log_in(client, "demo", "Demo-Portail-2026")
    html = client.get("/eleves/").content.decode()
    assert "Léa" in html and "Inès" in html and "Danse classique" in html


def test_its_reglement_consent_links_a_small_pdf(
    db, settings, client, django_capture_on_commit_callbacks
):
    from reenrolment.models import Campaign, Requirement

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the same file
    reglement = Requirement.objects.get(name="Règlement intérieur")
    assert reglement.document.name.startswith("reglements/")
    assert Requirement.objects.exclude(document="").count() == 1
    log_in(client, "demo", "Demo-Portail-2026")
    response = client.get(f"/reinscription/consentements/{reglement.pk}/document/")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and len(content) == reglement.document_size < 100_000
    campaign = Campaign.objects.get(kind="reenrolment")
    student = campaign.eligible_students(Student.objects.first().family).first()
    form = client.get(f"/reinscription/campagnes/{campaign.pk}/eleves/{student.pk}/")
    assert f"/reinscription/consentements/{reglement.pk}/document/" in form.content.decode()


def test_it_opens_a_preregistration_period_on_the_landing_page(db, settings, client):
    from reenrolment.models import Campaign

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    period = Campaign.objects.get(kind="preregistration")
    assert period.is_open() and period.season.name == "2027-2028"
    assert "/preinscription/" in client.get("/").content.decode()
    assert client.get("/preinscription/").status_code == 200
    log_in(client, "demo", "Demo-Portail-2026")
    assert "Pré-inscriptions 2027-2028" not in client.get("/reinscription/").content.decode()
