"""IDOR sweep: family A's session reaches nothing of family B's, by any URL, GET or POST.

Every object URL of family B (students, documents, invoices, credit notes, receipts,
re-enrolment requests, and each POST target) answers 404 to family A, with a valid CSRF token
so that it is the ownership check that answers; the refusal is logged with account and IP;
nothing of B changes. Then ids and numbers around A's own find nothing that is not A's.
"""

import logging
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reenrolment.models import Request
from students.models import Document, DocumentKind
from tests.security.conftest import family_state
from tests.students.factories import pdf_bytes, upload
from tests.students.test_record import post_data as student_post_data

IP = "203.0.113.9"


@pytest.fixture
def client_a(two_families):
    """Family A's session, with CSRF checks on and a valid token at hand."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)
    client.force_login(two_families.a.user)
    client.get(reverse("families:detail"))
    client.token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client


def post(client, url, data=None):
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.token})


def get_urls(fam, campaign) -> list[str]:
    """Every GET URL that names one object of the family."""
    urls = [reverse("students:detail", args=[s.pk]) for s in fam.students]
    urls += [reverse("documents:download", args=[d.pk]) for d in fam.documents]
    urls += [reverse("billing:invoice", args=[i.number]) for i in fam.invoices]
    urls += [reverse("billing:pdf", args=[d.number]) for d in [*fam.invoices, *fam.payments]]
    urls += [reverse("reenrolment:request_detail", args=[r.pk]) for r in fam.requests]
    urls += [reverse("reenrolment:request_form", args=[campaign.pk, s.pk]) for s in fam.students]
    return urls


def post_targets(fam, campaign) -> list[tuple[str, dict]]:
    """Every POST URL that names one object of the family, with data that would be valid."""
    request_data = {"revision": 0, "comment": "Pirate"}
    for requirement in campaign.requirements.all():
        request_data[f"consent_{requirement.pk}"] = "on"
    targets = [
        (
            reverse("students:detail", args=[s.pk]),
            student_post_data(s, first_name="Pirate", image_rights="True", may_leave_alone="True"),
        )
        for s in fam.students
    ]
    targets += [
        (
            reverse("students:upload_document", args=[pk, requirement]),
            {
                f"{requirement}-{pk}-kind": DocumentKind.HEALTH_STATEMENT,
                f"{requirement}-{pk}-file": upload("pirate.pdf", pdf_bytes(), "application/pdf"),
                "address-document_date": timezone.localdate().isoformat(),
                "address-file": upload("pirate.pdf", pdf_bytes(), "application/pdf"),
            },
        )
        for pk, requirement in fam.upload_requirements
    ]
    targets += [
        (reverse("reenrolment:request_form", args=[campaign.pk, s.pk]), request_data)
        for s in fam.students
    ]
    targets += [
        (reverse("reenrolment:withdraw", args=[r.pk]), {"confirm": "yes"}) for r in fam.requests
    ]
    return targets


def security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "portal.security"]


def test_the_sweep_covers_every_kind_of_object(two_families):
    b = two_families.b
    assert len(b.students) == 3
    assert len(b.documents) >= 3
    assert {d.student is not None for d in b.documents} == {True, False}
    assert {i.is_credit_note for i in b.invoices} == {True, False}
    assert len(b.payments) == 3
    assert len(b.requests) == 2
    assert {requirement for _, requirement in b.upload_requirements} == {"address", "dance"}


def test_family_a_reaches_its_own_objects(two_families, client_a):
    """The control: the same URLs with A's own objects answer (so a 404 below is a refusal)."""
    # Health documents (sworn statements, certificates) are not downloaded again by families.
    health = {
        reverse("documents:download", args=[d.pk])
        for d in two_families.a.documents
        if d.is_health_data
    }
    for url in get_urls(two_families.a, two_families.campaign):
        assert client_a.get(url).status_code == (404 if url in health else 200), url
    own_request = two_families.a.requests[0]
    response = post(
        client_a, reverse("reenrolment:withdraw", args=[own_request.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert Request.objects.get(pk=own_request.pk).is_withdrawn


def test_every_get_url_of_another_family_is_a_logged_404(two_families, client_a, caplog):
    urls = get_urls(two_families.b, two_families.campaign)
    for url in urls:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="portal.security"):
            response = client_a.get(url)
        assert response.status_code == 404, url
        assert "Page introuvable" in response.content.decode()
        # Nothing of B shows, not even in the error page.
        assert "Martin" not in response.content.decode()
        lines = security_lines(caplog)
        assert len(lines) == 1, (url, lines)
        assert f"path={url}" in lines[0]
        assert f"user={two_families.a.user.pk}" in lines[0]
        assert f"ip={IP}" in lines[0]


def test_every_post_target_of_another_family_is_a_404_and_changes_nothing(
    two_families, client_a, caplog
):
    before = family_state(two_families.b.family)
    for url, data in post_targets(two_families.b, two_families.campaign):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="portal.security"):
            response = post(client_a, url, data)
        assert response.status_code == 404, url
        lines = security_lines(caplog)
        assert len(lines) == 1, (url, lines)
        assert f"user={two_families.a.user.pk} ip={IP}" in lines[0]
    assert family_state(two_families.b.family) == before


def test_get_only_object_urls_refuse_a_post_the_same_way_for_any_id(two_families, client_a):
    """A POST to a download or a detail page says 405 whether the object is B's or does not
    exist: the method check tells nothing about who owns what."""
    b = two_families.b
    for name, theirs, missing in [
        ("documents:download", b.documents[0].pk, 999_999),
        ("billing:invoice", b.invoices[0].number, "2099FAC9999"),
        ("billing:pdf", b.payments[0].number, "2099REG9999"),
        ("reenrolment:request_detail", b.requests[0].pk, 999_999),
    ]:
        their_response = post(client_a, reverse(name, args=[theirs]))
        missing_response = post(client_a, reverse(name, args=[missing]))
        assert their_response.status_code == missing_response.status_code == 405, name


def test_access_actions_touch_only_the_own_family(two_families, client_a, outbox):
    """Sending or revoking the second responsable's access names no object: from A's session
    it acts on A's second responsable, never on B's."""
    before = family_state(two_families.b.family)
    outbox.clear()
    assert post(client_a, reverse("families:send_access")).status_code == 302
    assert post(client_a, reverse("families:revoke_access")).status_code == 302
    assert family_state(two_families.b.family) == before
    recipients = {address for message in outbox() for address in message.to}
    assert recipients == {"claire.test@example.org"}
    assert two_families.b.family.accounts.filter(responsable__rank=2, is_active=True).exists()


def neighbours(values, spread=20) -> set[int]:
    return {n for value in values for n in range(max(1, value - spread), value + spread + 1)}


def test_ids_around_family_a_own_find_nothing_else(two_families, client_a):
    a, campaign = two_families.a, two_families.campaign
    own = {
        "students:detail": {s.pk for s in a.students},
        "documents:download": {d.pk for d in a.documents if not d.is_health_data},
        "reenrolment:request_detail": {r.pk for r in a.requests},
    }
    for name, own_ids in own.items():
        for pk in neighbours(own_ids):
            response = client_a.get(reverse(name, args=[pk]))
            assert response.status_code == (200 if pk in own_ids else 404), (name, pk)
    own_students = own["students:detail"]
    for pk in neighbours(own_students):
        response = client_a.get(reverse("reenrolment:request_form", args=[campaign.pk, pk]))
        assert response.status_code == (200 if pk in own_students else 404), pk
    # B's documents really were in the sweep.
    assert {d.pk for d in two_families.b.documents} <= neighbours(own["documents:download"])
    assert Document.objects.filter(pk__gt=max(own["documents:download"]) + 20).count() == 0


def test_numbers_around_family_a_own_find_nothing_else(two_families, client_a):
    a = two_families.a
    own = {d.number for d in [*a.invoices, *a.payments]}
    parsed = [re.fullmatch(r"(\d{4})(FAC|AV|REG)(\d+)", number).groups() for number in own]
    years = {int(year) for year, _, _ in parsed}
    numbers = {
        f"{year}{kind}{seq:04d}"
        for year in years
        for kind in ("FAC", "AV", "REG")
        for seq in neighbours({int(seq) for _, k, seq in parsed if k == kind} or {1})
    }
    assert {d.number for d in [*two_families.b.invoices, *two_families.b.payments]} <= numbers
    for number in sorted(numbers):
        pdf = client_a.get(reverse("billing:pdf", args=[number]))
        assert pdf.status_code == (200 if number in own else 404), number
        if "REG" not in number:
            page = client_a.get(reverse("billing:invoice", args=[number]))
            invoice_numbers = {i.number for i in a.invoices}
            assert page.status_code == (200 if number in invoice_numbers else 404), number
