"""CSRF: every POST of the portal without a token is refused (403) and changes nothing.

The list of POST targets is checked against the URL conf: a new view of the portal must be
named here, as a POST target or as GET-only, or the first test fails.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from billing.models import Invoice, PaymentSchedule, SepaMandate
from students.checklist import build_checklist
from students.models import Document, DocumentKind
from tests.accounts.helpers import link_in
from tests.billing.factories import issued_invoice
from tests.families.factories import post_data as family_post_data
from tests.reenrolment.helpers import form_data as request_form_data
from tests.security.conftest import family_state, queued_emails
from tests.students.factories import pdf_bytes, upload
from tests.students.test_record import post_data as student_post_data

# Every namespace of the portal (the admin, staff only, is not part of this sweep).
PORTAL_NAMESPACES = {
    "portal",
    "accounts",
    "families",
    "students",
    "documents",
    "reenrolment",
    "billing",
}

# Views that take no POST at all (a POST is refused by CSRF first, then by the method).
GET_ONLY = {
    "portal:landing",
    "portal:home",
    "portal:health",
    "portal:request_too_large",
    "accounts:password_reset_done",
    "students:list",
    "documents:download",
    "reenrolment:index",
    "reenrolment:request_detail",
    "reenrolment:requirement_document",
    "billing:ledger",
    "billing:attestation",
    "billing:invoice",
    "billing:pdf",
    "billing:mandate_pdf",
    "accounts:two_factor_backup_codes",
}


def portal_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner in PORTAL_NAMESPACES or (not inner and not namespace):
                names |= portal_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace:
            names.add(f"{namespace}:{pattern.name}")
    return names


def _request_upload(request) -> tuple[str, dict]:
    """The first document a request asks for, sent from the request's page."""
    item = build_checklist(
        request.student.family, [request.student], request.campaign.season
    ).items[0]
    data = {f"{item.key}-file": upload("document.pdf", pdf_bytes(), "application/pdf")}
    if item.requirement == "address":
        data[f"{item.key}-document_date"] = timezone.localdate().isoformat()
    else:
        data[f"{item.key}-kind"] = DocumentKind.HEALTH_STATEMENT
    return reverse("reenrolment:upload_document", args=[request.pk, item.requirement]), data


def post_targets(data) -> dict[str, tuple[str, dict]]:
    """Each POST view of a family, with data that it would accept with a token."""
    a = data.a
    student, third = a.students[0], a.students[2]
    dancer = next(pk for pk, requirement in a.upload_requirements if requirement == "dance")
    return {
        "portal:accessibility": (reverse("portal:accessibility"), {"large_text": "on"}),
        "families:detail": (
            reverse("families:detail"),
            family_post_data(a.family, **{"famille-city": "Pirateville"}),
        ),
        "families:send_access": (reverse("families:send_access"), {}),
        "families:revoke_access": (reverse("families:revoke_access"), {}),
        "students:detail": (
            reverse("students:detail", args=[student.pk]),
            student_post_data(
                student, first_name="Pirate", image_rights="True", may_leave_alone="False"
            ),
        ),
        "students:upload_document": (
            reverse("students:upload_document", args=[dancer, "dance"]),
            {
                f"dance-{dancer}-kind": DocumentKind.HEALTH_STATEMENT,
                f"dance-{dancer}-file": upload("attestation.pdf", pdf_bytes(), "application/pdf"),
            },
        ),
        "reenrolment:request_form": (
            reverse("reenrolment:request_form", args=[data.campaign.pk, third.pk]),
            request_form_data(
                data.campaign,
                keep={e.course.discipline: "continue" for e in third.enrolments.all()},
            ),
        ),
        "reenrolment:add_child": (
            reverse("reenrolment:add_child", args=[data.enrolment_campaign.pk]),
            {"first_name": "Pirate", "last_name": "Test", "birth_date": "2019-05-01"},
        ),
        "reenrolment:withdraw": (
            reverse("reenrolment:withdraw", args=[a.requests[0].pk]),
            {"confirm": "yes"},
        ),
        "reenrolment:upload_document": _request_upload(a.requests[1]),
        "billing:mandate": (
            reverse("billing:mandate"),
            {
                "account_holder": "Pirate",
                "iban": "FR7630006000011234567890189",
                "accepted": "on",
            },
        ),
        "billing:invoice_plan": (
            # The latest invoice (the `unpaid_invoice` fixture's in the tests that post).
            reverse(
                "billing:invoice_plan",
                args=[Invoice.objects.filter(family=a.family, kind="FAC").latest("pk").number],
            ),
            {"plan": "terms"},
        ),
        # The mandate the previous POST signs (the family's first RUM).
        "billing:mandate_revoke": (
            reverse("billing:mandate_revoke", args=[f"PF-{a.family.pk}-001"]),
            {},
        ),
        "accounts:password_change": (
            reverse("accounts:password_change"),
            {
                "old_password": "Demo-Portail-2026",
                "new_password1": "Pirate-Mot-De-Passe-2026",
                "new_password2": "Pirate-Mot-De-Passe-2026",
            },
        ),
        "accounts:logout": (reverse("accounts:logout"), {}),
    }


# Posted by a visitor who is not logged in (tested below, with their own clients).
ANONYMOUS_POSTS = {"accounts:login", "accounts:password_reset", "accounts:password_reset_confirm"}
# Posted by staff between the password and the admin (see test_staff_two_factor.py).
STAFF_POSTS = {"accounts:two_factor_setup", "accounts:two_factor_verify"}


def test_every_portal_url_is_known_as_a_post_target_or_get_only(two_families):
    posts = set(post_targets(two_families)) | ANONYMOUS_POSTS | STAFF_POSTS
    assert not posts & GET_ONLY
    assert portal_url_names() == posts | GET_ONLY


def everything(data) -> dict:
    return {
        "a": family_state(data.a.family),
        "b": family_state(data.b.family),
        "emails": queued_emails(),
        "documents": Document.objects.count(),
        "mandates": list(SepaMandate.objects.values_list("rum", "revoked_at")),
        "schedules": PaymentSchedule.objects.count(),
    }


def refused(response) -> bool:
    return response.status_code == 403 and "Formulaire expiré" in response.content.decode()


@pytest.fixture
def uploadable(two_families):
    """A's dance attestation was refused: a new file may be sent (the upload is a real one)."""
    Document.objects.filter(
        family=two_families.a.family, kind=DocumentKind.HEALTH_STATEMENT
    ).update(status=Document.Status.REFUSED, refusal_reason="Illisible")


@pytest.fixture
def unpaid_invoice(two_families):
    """An invoice of A's with nothing paid yet: its échéancier may still be chosen."""
    return issued_invoice(two_families.a.family, "90.00")


def test_every_logged_in_post_without_a_token_is_refused_and_changes_nothing(
    two_families, uploadable, unpaid_invoice
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(two_families.a.user)
    # GET-only views too: the CSRF check comes before the method check.
    urls = [url for url, _ in post_targets(two_families).values()]
    urls += [
        reverse(name, args=args)
        for name, args in [
            ("portal:home", []),
            ("students:list", []),
            ("documents:download", [two_families.a.documents[0].pk]),
            ("billing:pdf", [two_families.a.invoices[0].number]),
        ]
    ]
    before = everything(two_families)
    for url, data in post_targets(two_families).values():
        assert refused(client.post(url, data)), url
    for url in urls:
        assert refused(client.post(url)), url
    assert everything(two_families) == before
    # Still logged in: the logout without a token did not end the session.
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_same_posts_with_a_token_are_accepted(two_families, uploadable, unpaid_invoice):
    """The control: each refusal above is the missing token's, not bad data's."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(two_families.a.user)
    client.get(reverse("families:detail"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    documents = Document.objects.count()
    for name, (url, data) in post_targets(two_families).items():
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 302, (name, response.content.decode()[:3000])
    assert Document.objects.count() == documents + 2
    user = User.objects.get(pk=two_families.a.user.pk)
    assert user.large_text
    assert user.check_password("Pirate-Mot-De-Passe-2026")
    assert user.family.city == "Pirateville"


def test_login_without_a_token_is_refused(two_families):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": "demo", "password": "Demo-Portail-2026"}
    )
    assert refused(response)
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert client.get(reverse("portal:home")).status_code == 302


def test_password_reset_without_a_token_is_refused_and_sends_nothing(two_families):
    client = Client(enforce_csrf_checks=True)
    emails = queued_emails()
    assert refused(client.post(reverse("accounts:password_reset"), {"login": "demo"}))
    assert queued_emails() == emails


def test_choosing_a_new_password_without_a_token_is_refused(two_families, outbox):
    user = two_families.a.user
    outbox.clear()
    Client().post(reverse("accounts:password_reset"), {"login": "demo"})
    client = Client(enforce_csrf_checks=True)
    response = client.get(link_in(outbox()[-1], "/mot-de-passe-perdu/"), follow=True)
    form_url = response.redirect_chain[-1][0]
    assert "Choisir un mot de passe" in response.content.decode()
    new = {"new_password1": "Pirate-Mot-De-Passe-2026", "new_password2": "Pirate-Mot-De-Passe-2026"}
    assert refused(client.post(form_url, new))
    assert User.objects.get(pk=user.pk).check_password("Demo-Portail-2026")
