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


def test_it_opens_a_reenrolment_campaign_for_the_next_season(db, settings, client):
    from reenrolment.models import Campaign
    from students.models import Course

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    campaign = Campaign.objects.get()
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
