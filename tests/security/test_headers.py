"""Security headers on every kind of answer, with production-like HTTPS settings: pages,
error pages (400, 403, 404, 405, 500) and downloads (documents, invoice, credit-note and
receipt PDFs, the payment certificate).

Public pages are covered in tests/portal/test_headers.py; here, everything else.
"""

import pytest
from django.test import Client
from django.urls import reverse

HSTS = "max-age=31536000; includeSubDomains; preload"


@pytest.fixture(autouse=True)
def _production_https(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


@pytest.fixture
def client_a(two_families):
    client = Client(raise_request_exception=False)
    client.force_login(two_families.a.user)
    return client


def assert_secure(response, *, private=True):
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["object-src"] == ["'none'"], csp
    assert directives["base-uri"] == ["'none'"], csp
    assert directives["frame-ancestors"] == ["'none'"], csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response["Strict-Transport-Security"] == HSTS
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    if private:
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_logged_in_pages(two_families, client_a):
    a = two_families.a
    for url in [
        reverse("portal:home"),
        reverse("families:detail"),
        reverse("students:list"),
        reverse("students:detail", args=[a.students[0].pk]),
        reverse("reenrolment:index"),
        reverse("reenrolment:request_detail", args=[a.requests[0].pk]),
        reverse("billing:ledger"),
        reverse("billing:invoice", args=[a.invoices[0].number]),
        reverse("portal:accessibility"),
    ]:
        response = client_a.get(url, secure=True)
        assert response.status_code == 200, url
        assert_secure(response)


def test_error_pages_seen_logged_in(two_families, client_a, monkeypatch):
    b = two_families.b
    not_found = client_a.get(reverse("students:detail", args=[b.students[0].pk]), secure=True)
    assert not_found.status_code == 404
    assert "Page introuvable" in not_found.content.decode()
    assert_secure(not_found)

    method = client_a.post(reverse("billing:ledger"), secure=True)
    assert method.status_code == 405
    assert_secure(method)

    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(two_families.a.user)
    forged = csrf.post(reverse("families:detail"), secure=True)
    assert forged.status_code == 403
    assert "Formulaire expiré" in forged.content.decode()
    assert_secure(forged)

    def broken(family):
        raise RuntimeError("boom")

    monkeypatch.setattr("portal.views.home_cards", broken)
    error = client_a.get(reverse("portal:home"), secure=True)
    assert error.status_code == 500
    assert "boom" not in error.content.decode()
    assert_secure(error)


def test_the_forbidden_page_of_a_staff_account(two_families, staff_client):
    response = staff_client.get(reverse("families:detail"), secure=True)
    assert response.status_code == 403
    assert "réservé aux familles" in response.content.decode()
    assert_secure(response)


def test_anonymous_error_pages(db, client):
    not_found = client.get("/nulle-part/", secure=True)
    assert not_found.status_code == 404
    assert "Page introuvable" in not_found.content.decode()
    assert_secure(not_found, private=False)

    bad_host = client.get(reverse("accounts:login"), secure=True, HTTP_HOST="evil.example")
    assert bad_host.status_code == 400
    assert "evil.example" not in bad_host.content.decode()
    assert_secure(bad_host, private=False)


def test_downloads_are_private_attachments(two_families, client_a):
    a = two_families.a
    credit_note = next(i for i in a.invoices if i.is_credit_note)
    invoice = next(i for i in a.invoices if not i.is_credit_note)
    season = invoice.season
    # Families do not download their health documents again: their proof of address.
    document = [d for d in a.documents if not d.is_health_data][-1]
    downloads = {
        reverse("documents:download", args=[document.pk]): "application/pdf",
        reverse("billing:pdf", args=[invoice.number]): "application/pdf",
        reverse("billing:pdf", args=[credit_note.number]): "application/pdf",
        reverse("billing:pdf", args=[a.payments[0].number]): "application/pdf",
        reverse("billing:attestation") + f"?periode=s{season.pk}": "application/pdf",
    }
    for url, content_type in downloads.items():
        response = client_a.get(url, secure=True)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment; filename="), url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"%PDF-"), url
        assert_secure(response)
