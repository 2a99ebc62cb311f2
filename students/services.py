"""Writes of the Élèves tab: documents (upload, review, purge) and the student record."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.editing import FieldChange, form_changes, save_record
from portal.emails import absolute_url, send_family_email
from portal.french import of_name
from portal.history import author_label_lazy
from portal.receipts import send_change_receipt
from students.checklist import ADDRESS, QUOTIENT, ChecklistItem
from students.models import (
    Document,
    DocumentKind,
    Season,
    Student,
    check_student_of_family,
)
from students.uploads import CheckedFile

SUPERSEDED_MESSAGE = _(
    "Ce document a été remplacé par une nouvelle version de la famille : "
    "c'est la nouvelle version qu'il faut vérifier."
)


class DocumentNotAccepted(Exception):
    """The item takes no new file now (one is already validated)."""


def _document_url(document: Document) -> str:
    if document.student_id is not None:
        return absolute_url(reverse("students:detail", args=[document.student_id]))
    return absolute_url(reverse("students:list"))


def _notify(document: Document, template: str) -> None:
    family = document.family
    prefetch_related_objects([family], "responsables")
    url = _document_url(document)
    send_family_email(
        family=family,
        template=template,
        # In each recipient's language: the kind of document is a label of the portal's.
        context=lambda: {
            "document": document,
            "kind": document.get_kind_display(),
            "student": document.student,
            "url": url,
        },
    )


def upload_document(
    *,
    family,
    item: ChecklistItem,
    checked: CheckedFile,
    kind: str,
    document_date: date | None,
    user,
) -> Document:
    """Stores a checked file and its row together, or neither; queues the receipt e-mail.

    The document is for the item's season (the current one by default). The earlier version
    of the item that season (refused, or still waiting for review and sent by mistake), and
    any from a season before the current one, stay for staff, no longer current.
    """
    check_student_of_family(item.student, family.pk)
    if not item.can_upload or kind not in item.kinds:
        raise DocumentNotAccepted
    current = Season.objects.current()
    season = item.season or current
    if season is None or current is None:
        raise DocumentNotAccepted
    name = None
    try:
        with transaction.atomic():
            slot = Document.objects.select_for_update().filter(
                Q(season=season) | Q(season__starts_on__lt=current.starts_on),
                family=family,
                student=item.student,
                is_current=True,
            )
            if item.requirement == ADDRESS:
                slot = slot.filter(kind=DocumentKind.PROOF_OF_ADDRESS)
            elif item.requirement == QUOTIENT:
                slot = slot.filter(kind=DocumentKind.FAMILY_QUOTIENT)
            else:
                slot = slot.filter(
                    kind__in=[DocumentKind.HEALTH_STATEMENT, DocumentKind.MEDICAL_CERTIFICATE]
                )
            previous = list(slot)
            if any(
                doc.season_id == season.pk and doc.status == Document.Status.VALIDATED
                for doc in previous
            ):
                # Staff validated it meanwhile.
                raise DocumentNotAccepted
            Document.objects.filter(pk__in=[doc.pk for doc in previous]).update(is_current=False)
            name = default_storage.save(
                f"documents/{uuid.uuid4().hex}{checked.extension}", checked.file
            )
            document = Document.objects.create(
                family=family,
                student=item.student,
                season=season,
                kind=kind,
                document_date=document_date if kind == DocumentKind.PROOF_OF_ADDRESS else None,
                file=name,
                content_type=checked.content_type,
                size=checked.size,
                original_name=checked.original_name,
                uploaded_by=user,
            )
            _notify(document, "document_received")
    except BaseException:
        # No orphan file: the row was not written, so the file goes too.
        if name is not None:
            default_storage.delete(name)
        raise
    return document


def refusal_reason(reason: str) -> str:
    """The reason of a refusal (of a supporting document or of a re-enrolment request),
    stripped. The family is told why, so a refusal without a reason is not allowed: the
    database refuses it too (constraints `*_refusal_has_reason`); this is the check that says
    so in French, for every caller (services, admin forms, bulk actions)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            gettext("Indiquez le motif du refus : il est envoyé à la famille."), code="required"
        )
    return reason


def check_quotient(qf_value: int | None, qf_valid_until: date | None) -> None:
    """Validating a quotient familial attestation sets the family's QF and its validity: both
    are required, the validity not in the past."""
    errors = {}
    if qf_value is None:
        errors["qf_value"] = gettext(
            "Indiquez le quotient familial qui figure sur l'attestation (en euros)."
        )
    if qf_valid_until is None:
        errors["qf_valid_until"] = gettext(
            "Indiquez jusqu'à quand le quotient familial est valable."
        )
    elif qf_valid_until < timezone.localdate():
        errors["qf_valid_until"] = gettext(
            "Cette date est passée : le quotient familial ne serait déjà plus valable."
        )
    if errors:
        raise ValidationError(errors)


def review_document(
    *,
    document: Document,
    validate: bool,
    reason: str = "",
    reviewer,
    qf_value: int | None = None,
    qf_valid_until: date | None = None,
) -> None:
    """Staff validate or refuse (with a reason, see `refusal_reason`) a received document; the
    family is told. Deciding on a document requires being allowed to open it (a medical
    certificate or a sworn health statement: the health documents' permission). Validating a
    quotient familial attestation sets the family's QF and its validity (`check_quotient`)."""
    if not document.may_be_opened_by_staff(reviewer):
        raise PermissionDenied(
            gettext("Seul le personnel habilité à ouvrir ce document peut en décider.")
        )
    reason = "" if validate else refusal_reason(reason)
    is_quotient = document.kind == DocumentKind.FAMILY_QUOTIENT
    if validate and is_quotient:
        check_quotient(qf_value, qf_valid_until)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not locked.is_current:
            raise ValidationError(SUPERSEDED_MESSAGE, code="superseded")
        locked.status = Document.Status.VALIDATED if validate else Document.Status.REFUSED
        locked.refusal_reason = reason
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = reviewer
        locked.save(update_fields=["status", "refusal_reason", "reviewed_at", "reviewed_by"])
        if validate and is_quotient:
            family = type(locked.family).objects.select_for_update().get(pk=locked.family_id)
            family.qf_value = qf_value
            family.qf_valid_until = qf_valid_until
            family.save(update_fields=["qf_value", "qf_valid_until", "updated_at"])
        _notify(locked, "document_validated" if validate else "document_refused")
    document.refresh_from_db()


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


@dataclass
class PurgeSummary:
    counts: dict[str, int]
    files: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def purge_previous_seasons(*, dry_run: bool = False) -> PurgeSummary:
    """Deletes the documents (rows and files) of seasons that ended before the current one.

    Health data (certificates, attestations) and proofs of address are kept no longer than
    needed. Files are deleted after the rows' transaction commits.
    """
    current = Season.objects.current()
    if current is None:
        return PurgeSummary(counts={}, files=0)
    old = Document.objects.filter(season__starts_on__lt=current.starts_on)
    counts = {str(label): old.filter(kind=value).count() for value, label in DocumentKind.choices}
    names = list(old.values_list("file", flat=True))
    if not dry_run:
        with transaction.atomic():
            old.delete()
            transaction.on_commit(lambda: _delete_files(names))
    return PurgeSummary(counts=counts, files=len(names))


def update_student_record(*, student, form, user) -> list:
    """Saves what the validated form changes in the student's record, as one edit.

    With no change nothing is saved nor sent. Otherwise the version is bumped, the history row
    lists the changes, the "droit à l'image" choice is dated, and the receipt goes to the
    family (and to the student's e-mail, old and new).
    """
    changes = form_changes(form)
    if not changes:
        return []
    with transaction.atomic():
        if form.initial.get("image_rights") != form.cleaned_data["image_rights"]:
            student.image_rights_date = timezone.localdate()
        # The form's values are already on `student` (validation put them there).
        save_record(student, changes=changes, user=user)
        family = student.family
        prefetch_related_objects([family], "responsables")
        send_change_receipt(
            family=family,
            also=[form.initial.get("email", ""), student.email],
            record_label=_student_record_label(student.first_name),
            changes=changes,
            author=author_label_lazy(user),
            record_url=absolute_url(reverse("students:detail", args=[student.pk])),
        )
    return changes


def _record_label(first_name: str) -> str:
    return gettext("la fiche %(of_name)s") % {"of_name": of_name(first_name)}


# Rendered in each receipt's language.
_student_record_label = lazy(_record_label, str)


def _course_data(course) -> dict:
    """A course as the history stores it (shown "Piano — lundi 17h30–18h30" in the reader's
    language)."""
    return {
        "course": course.name,
        "weekday": course.weekday,
        "start": course.start_time.isoformat() if course.start_time else None,
        "end": course.end_time.isoformat() if course.end_time else None,
    }


def record_enrolment_changes(*, student, added=(), removed=(), user=None) -> list[FieldChange]:
    """Lists enrolments staff added or removed in the student's history (one history row, with
    its author): "Inscription ajoutée : Piano — lundi 17 h 30". Nothing is saved without change.
    """
    changes = [
        FieldChange(event="enrolment_added", old="", new=_course_data(course)) for course in added
    ] + [
        FieldChange(event="enrolment_removed", old=_course_data(course), new="")
        for course in removed
    ]
    if changes:
        save_record(student, changes=changes, user=user)
    return changes


def _left_on_change(old: date | None, new: date | None) -> FieldChange:
    return FieldChange.of(Student, "left_on", old, new)


def archive_students(students, *, user=None, on: date | None = None) -> int:
    """A student leaves the centre: archived (`left_on`, today by default), never deleted.
    Its record, history, enrolments, requests, consents, documents and invoices stay; it no
    longer shows in the family's lists nor in re-enrolments. Those already archived keep
    their date. Listed in each student's history; returns how many were archived."""
    on = on or timezone.localdate()
    archived = 0
    with transaction.atomic():
        for student in students.present().select_for_update().order_by("pk"):
            student.left_on = on
            save_record(student, changes=[_left_on_change(None, on)], user=user)
            archived += 1
    return archived


def restore_students(students, *, user=None) -> int:
    """An archived student comes back to the centre (and to the family's lists)."""
    restored = 0
    with transaction.atomic():
        for student in students.exclude(left_on=None).select_for_update().order_by("pk"):
            left_on, student.left_on = student.left_on, None
            save_record(student, changes=[_left_on_change(left_on, None)], user=user)
            restored += 1
    return restored
