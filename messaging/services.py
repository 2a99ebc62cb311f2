"""Sending to families: a message written by staff, or a reminder of missing documents.

Each sending is one `Message` row (who, what, when, to whom as chosen) and one `Delivery` per
family reached (what it received, to which addresses, the queued e-mails), all in one
transaction with the e-mails it queues (post_office outbox, sent by `send_queued_mail`). The
form's one-time key (`Message.token`, unique) makes a second submission of the same form send
nothing more.
"""

import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from families.models import Family, Responsable
from messaging.models import Delivery, Message, MessageTemplate
from messaging.placeholders import placeholder_values, validate_placeholders
from portal.emails import absolute_url, send_family_email
from students.chasing import missing_documents
from students.models import Course, Department, Discipline, Enrolment, Season, Student


class AlreadySent(Exception):
    """The form was submitted again: its message is already sent."""

    def __init__(self, message: Message):
        super().__init__(message.pk)
        self.message = message


class NothingToSend(Exception):
    """No family would receive anything (none chosen, none with an address, nothing missing
    any more): nothing is recorded."""


def families_enrolled(
    *,
    season: Season,
    course: Course | None = None,
    discipline: Discipline | None = None,
    department: Department | None = None,
) -> QuerySet:
    """The families with a present student (not archived) enrolled in `season` in `course`,
    a course of `discipline` or a course of `department`. Families that left (every student
    archived, or no enrolment that season) are not among them."""
    enrolments = Enrolment.objects.filter(course__season=season, student__left_on__isnull=True)
    if course is not None:
        enrolments = enrolments.filter(course=course)
    if discipline is not None:
        enrolments = enrolments.filter(course__discipline=discipline)
    if department is not None:
        enrolments = enrolments.filter(course__discipline__department=department)
    return Family.objects.filter(pk__in=enrolments.values("student__family_id"))


def with_recipients(families: QuerySet) -> QuerySet:
    """`families` ordered by name with what addressing and placeholders read prefetched."""
    return families.order_by("name", "pk").prefetch_related(
        Prefetch("responsables", queryset=Responsable.objects.defer("mobile", "work_phone")),
        Prefetch(
            "students",
            queryset=Student.objects.present().order_by("first_name", "pk"),
            to_attr="present_students",
        ),
    )


def render_text(text: str, values: dict[str, str]) -> str:
    validate_placeholders(text)
    return text.format(**values)


@dataclass
class Preview:
    count: int  # families reached (with at least one address)
    without_address: list[Family] = field(default_factory=list)
    family: Family | None = None  # the first recipient, rendered below
    subject: str = ""
    body: str = ""
    first_families: list[Family] = field(default_factory=list)


PREVIEW_NAMES = 20


def preview(families: QuerySet, subject: str, body: str) -> Preview:
    """The recipient count and the message as the first recipient family reads it. Queries
    do not depend on the number of families (only the first ones are loaded)."""
    families = with_recipients(families)
    count = families.count()
    first = list(families[:PREVIEW_NAMES])
    reached = [family for family in first if family.email_recipients()]
    result = Preview(count=count, first_families=first)
    if reached:
        values = placeholder_values(reached[0])
        result.family = reached[0]
        result.subject = render_text(subject, values)
        result.body = render_text(body, values)
    return result


def _record(*, token, kind, subject, body, sent_by, audience, template=None, season=None):
    try:
        with transaction.atomic():
            return Message.objects.create(
                token=token,
                kind=kind,
                subject=subject,
                body=body,
                sent_by=sent_by,
                audience=audience[:300],
                template=template,
                season=season,
                sent_at=timezone.now(),
            )
    except IntegrityError:
        raise AlreadySent(Message.objects.get(token=token)) from None


def _deliver(message: Message, family: Family, template: str, context) -> Delivery | None:
    emails = send_family_email(family=family, template=template, context=context)
    if not emails:
        return None
    delivery = Delivery.objects.create(
        message=message,
        family=family,
        addresses=", ".join(family.email_recipients()),
        subject=emails[0].subject,
        body=emails[0].message,
    )
    delivery.emails.set(emails)
    return delivery


@dataclass
class Sent:
    message: Message
    delivered: int
    without_address: list[Family]


@transaction.atomic
def send_message(
    *,
    families: QuerySet,
    subject: str,
    body: str,
    sent_by,
    audience: str,
    token: uuid.UUID,
    template: MessageTemplate | None = None,
) -> Sent:
    """Queues the message to each family (placeholders replaced for it, in the body of the
    `family_message` e-mail, written in each recipient's language) and records it. Raises
    `AlreadySent` when `token` was used, `ValidationError` for an unknown placeholder,
    `NothingToSend` when no family has an address."""
    validate_placeholders(subject)
    validate_placeholders(body)
    message = _record(
        token=token,
        kind=Message.Kind.MESSAGE,
        subject=subject,
        body=body,
        sent_by=sent_by,
        audience=audience,
        template=template,
    )
    delivered, without_address = 0, []
    for family in with_recipients(families):
        values = placeholder_values(family)
        context = {"subject": render_text(subject, values), "body": render_text(body, values)}
        if _deliver(message, family, "family_message", context) is None:
            without_address.append(family)
        else:
            delivered += 1
    if not delivered:
        raise NothingToSend  # rolls the Message back
    return Sent(message, delivered, without_address)


def reminder_context(season: Season, missing) -> dict:
    """The `documents_reminder` e-mail's context: what is missing (the family's, then per
    student), each with the link of the Élèves tab's page where it is uploaded."""

    def link(item):
        return absolute_url(item.url)

    return {
        "season": season,
        "family_items": [(item, link(item)) for item in missing.family_items],
        "by_student": [
            (student, [(item, link(item)) for item in items])
            for student, items in missing.by_student
        ],
        "url": absolute_url(reverse("students:list")),
    }


@transaction.atomic
def send_document_reminders(
    *, season: Season, families: QuerySet, sent_by, token: uuid.UUID, audience: str
) -> Sent:
    """E-mails each of `families` that still misses documents for `season` what is missing
    (per student, with the upload links) and records it (`Message` of kind reminder). A
    family with nothing missing any more gets nothing; `NothingToSend` when no family gets
    anything."""
    message = _record(
        token=token,
        kind=Message.Kind.DOCUMENTS_REMINDER,
        subject=reminder_subject(season),
        body="",
        sent_by=sent_by,
        audience=audience,
        season=season,
    )
    missing = missing_documents(season, families.values("pk"))
    delivered, without_address = 0, []
    for family in with_recipients(Family.objects.filter(pk__in=list(missing))):
        context = reminder_context(season, missing[family.pk])
        if _deliver(message, family, "documents_reminder", context) is None:
            without_address.append(family)
        else:
            delivered += 1
    if not delivered:
        raise NothingToSend  # rolls the Message back
    return Sent(message, delivered, without_address)


def reminder_subject(season: Season) -> str:
    return gettext("Relance : documents manquants pour la saison %(season)s") % {"season": season}


def last_reminders(season: Season) -> QuerySet:
    """Deliveries of reminders for `season` (for "last reminded" subqueries)."""
    return Delivery.objects.filter(
        message__kind=Message.Kind.DOCUMENTS_REMINDER, message__season=season
    )
