"""What waits for the staff, built through the real code paths, and staff with given rights."""

from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from post_office.models import STATUS, Email

from accounts.models import User
from preinscription.models import ApplicantStudent, Application, Wish
from reenrolment.models import Campaign, Line, Request
from tests.billing.factories import issued_invoice, payment
from tests.factories import (
    DisciplineFactory,
    FamilyFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)
from tests.reenrolment.factories import CampaignFactory, LineFactory, RequestFactory
from tests.students.factories import DocumentFactory


def fail_logins(client, username, times=5, ip="203.0.113.7"):
    """Wrong passwords through the login form, as an attacker (or a forgetful parent) types."""
    for _ in range(times):
        client.post(
            reverse("accounts:login"),
            {"username": username, "password": "mauvais-mot-de-passe"},
            REMOTE_ADDR=ip,
        )


PREREGISTRATION = Campaign.Kind.PREREGISTRATION


def waiting_things(families: int = 1) -> None:
    """Per family: a document to review, 3 requests to decide (sent, being reviewed, answered
    for one discipline only), a pré-inscription with a wish waiting, an overdue invoice, a
    failed e-mail and a locked-out account; and, not waiting, a validated document, an accepted
    request, a request answered for every discipline, a pré-inscription answered, an overdue
    invoice paid, a sent e-mail and an account with only 2 failures."""
    long_ago = timezone.localdate() - timedelta(days=90)
    client = Client()
    for index in range(families):
        ip = f"203.0.113.{index + 1}"
        family = FamilyFactory()
        DocumentFactory(family=family)
        for status in (Request.Status.SUBMITTED, Request.Status.REVIEWING):
            RequestFactory(student=StudentFactory(family=family), status=status)
        RequestFactory(student=StudentFactory(family=family), status=Request.Status.ACCEPTED)
        # Answered for one discipline, another still waits: to decide; all answered: not.
        for waits in (True, False):
            partial = RequestFactory(
                student=StudentFactory(family=family), status=Request.Status.PARTIAL
            )
            refused = {"decision": Line.Decision.REFUSED, "refusal_reason": "Complet"}
            LineFactory(request=partial, discipline=DisciplineFactory(name="Piano"), **refused)
            LineFactory(
                request=partial,
                discipline=DisciplineFactory(name="Violon"),
                **({"decision": Line.Decision.PENDING} if waits else refused),
            )
        # A pré-inscription with a wish waiting, and one answered.
        for decision in (Wish.Decision.PENDING, Wish.Decision.REFUSED):
            application = Application.objects.create(
                campaign=CampaignFactory(
                    name="Pré-inscriptions", kind=Campaign.Kind.PREREGISTRATION
                ),
                reference=f"PRE-{index}-{decision}",
                email="candidat@example.org",
                address_line1="3 rue des Lilas",
                postal_code="22440",
                city="Ploufragan",
                submitted_at=timezone.now(),
            )
            child = ApplicantStudent.objects.create(
                application=application,
                last_name="Le Gall",
                first_name="Maël",
                birth_date=date(2016, 4, 2),
            )
            Wish.objects.create(
                application=application,
                student=child,
                discipline=DisciplineFactory(),
                preference=1,
                decision=decision,
                refusal_reason="Complet" if decision == Wish.Decision.REFUSED else "",
            )
        issued_invoice(family, "100.00", issued_on=long_ago)
        paid = issued_invoice(family, "80.00", issued_on=long_ago)
        payment(family, "80.00", invoices=[paid])
        Email.objects.create(
            from_email="portail@example.org",
            to=[family.reference_email],
            subject="Échec",
            status=STATUS.failed,
        )
        Email.objects.create(
            from_email="portail@example.org",
            to=[family.reference_email],
            subject="Parti",
            status=STATUS.sent,
        )
        locked = UserFactory(family=family)
        fail_logins(client, locked.username, ip=ip)
        almost = UserFactory(family=FamilyFactory())
        fail_logins(client, almost.username, times=2, ip=ip)


def staff_with(*codenames: str) -> User:
    """A staff member (not superuser) with exactly these permissions (`app_label.codename`)."""
    agent = StaffFactory(is_superuser=False)
    for key in codenames:
        app_label, codename = key.split(".")
        agent.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=agent.pk)
