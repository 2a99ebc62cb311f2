"""`bench_seed` and the reference page belong to the dev-only `bench` app, which only bench runs
install (BENCH=1): the command is called through its class, the page through a URLconf that
includes it."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from bench.management.commands.bench_seed import Command as BenchSeed
from billing.models import DocumentCounter, Invoice, Payment
from families.models import Family
from students.models import Document, Student
from tests.conftest import log_in


def test_it_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command(BenchSeed(), "--families", "2")


def test_it_generates_families_next_to_the_demo_data(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command(BenchSeed(), "--families", "60")
    assert Family.objects.count() == 61
    assert User.objects.filter(username__startswith="bench").count() == 60
    eight = Student.objects.filter(family__accounts__username="bench000000").count()
    assert eight == 8
    assert Student.objects.count() > 60 * 2
    bench_family = User.objects.get(username="bench000001").family
    assert Invoice.objects.filter(family=bench_family).count() == 10
    assert Payment.objects.filter(family=bench_family).count() == 10
    assert Document.objects.filter(family=bench_family).exists()
    # The real counters continue after the generated numbers: no gap, no duplicate.
    counter = DocumentCounter.objects.get(kind="FAC", year=2026)
    assert Invoice.objects.filter(number=f"2026FAC{counter.last_number:04d}").exists()
    log_in(client, "bench000001", "Bench-Portail-2026")
    assert "2026FAC" in client.get("/facturation/").content.decode()
    assert client.get("/eleves/").status_code == 200


def test_it_writes_nothing_with_dry_run(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command(BenchSeed(), "--families", "3", "--dry-run")
    assert not User.objects.filter(username__startswith="bench").exists()


def test_the_reference_page_runs_the_asked_queries_in_the_portal_layout(family_client, settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "bench"]
    settings.ROOT_URLCONF = "tests.bench.urls"
    path = "/_bench/reference/?queries={}&bytes=20000"
    family_client.get(path.format(0))  # the centre row is created on first use
    counts = {}
    for queries in (0, 5):
        with CaptureQueriesContext(connection) as captured:
            response = family_client.get(path.format(queries))
        assert response.status_code == 200
        counts[queries] = len(captured)
    assert counts[5] - counts[0] == 5
    html = response.content.decode()
    assert "<h1>Référence</h1>" in html
    assert 'id="contenu"' in html  # the portal's layout (base.html)
    assert len(response.content) > 16_000


def test_the_reference_page_needs_a_login(client, settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "bench"]
    settings.ROOT_URLCONF = "tests.bench.urls"
    response = client.get("/_bench/reference/")
    assert response.status_code == 302


def test_drafts_gives_each_family_one_draft_that_issues(db, settings):
    """`bench_seed --drafts` (the billing-run benchmark): one draft per generated family, with
    lines, that an issuing run can issue."""
    from billing import runs

    settings.DEBUG = True
    call_command("seed_demo")
    call_command(BenchSeed(), "--families", "3", "--drafts")
    drafts = Invoice.objects.filter(
        number__isnull=True, family__accounts__username__startswith="bench"
    )
    assert drafts.count() == 3
    assert all(draft.lines.exists() for draft in drafts)
    run = runs.start_issue_run(invoice_ids=drafts.values_list("pk", flat=True))
    assert runs.progress(run).total == 3
