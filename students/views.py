"""The Élèves tab: the students' records and enrolments, their documents, and the download of
a document (families for their own, staff)."""

import logging
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import family_required, get_for_family, private_download
from portal.editing import VersionForm, flash_changes, is_stale, pop_flashed_changes, rebase_form
from portal.history import changes_since, history_page
from students.checklist import QUOTIENT, build_checklist, quotient_item, upload_seasons
from students.forms import DocumentUploadForm, StudentForm
from students.models import HEALTH_KINDS, Document, Season, Student, may_open_documents
from students.services import DocumentNotAccepted, update_student_record, upload_document
from students.uploads import TOO_LARGE_MESSAGE, SizeLimitedUploadHandler

logger = logging.getLogger(__name__)


def _students(family):
    """The family's students with this season's enrolments (one query for all of them)."""
    return list(Student.objects.for_family(family).present().with_current_enrolments())


@family_required
@require_GET
def student_list(request):
    family = request.user.family
    students = _students(family)
    checklists = [build_checklist(family, students, season) for season in upload_seasons(family)]
    rows = []
    for student in students:
        by_season = [(c.season, c.for_student(student)) for c in checklists]
        rows.append((student, [(season, items) for season, items in by_season if items]))
    return render(request, "students/list.html", {"rows": rows})


def _flash_key(student: Student) -> str:
    return f"eleve-{student.pk}"


def season_uploads(family, student, *, seasons=None, upload_form=None) -> list[dict]:
    """The student's documents, one entry per season asking for some (`seasons`, by default
    all those the family provides documents for, `upload_seasons`): the season, and its items
    each with its upload form (the bound `upload_form` for the item it was posted for) or
    None once the document is validated."""
    sections = []
    for season in upload_seasons(family) if seasons is None else seasons:
        uploads = []
        items = build_checklist(family, [student], season).items
        if items and season.is_current:
            items.append(quotient_item(family, season, student))
        for item in items:
            if upload_form is not None and upload_form.item.key == item.key:
                uploads.append((item, upload_form))
            else:
                uploads.append((item, DocumentUploadForm(item=item) if item.can_upload else None))
        if uploads:
            sections.append({"season": season, "uploads": uploads})
    return sections


def _render_detail(
    request, student, form, version_form, *, upload_form=None, conflict=None, status=200
):
    return render(
        request,
        "students/detail.html",
        {
            "student": student,
            "form": form,
            "version_form": version_form,
            "conflict": conflict,
            "seasons": season_uploads(request.user.family, student, upload_form=upload_form),
            "saved_changes": pop_flashed_changes(request, _flash_key(student)),
            "history": history_page(
                student.history.all(), page_number=request.GET.get("historique")
            ),
        },
        status=status,
    )


def _get_student(request, pk, queryset=None):
    """The family's student `pk` (or 404) with this season's enrolments as
    `current_enrolments`."""
    queryset = Student.objects.all() if queryset is None else queryset
    # An archived student (who left the centre) is no longer the family's to edit.
    return get_for_family(request, queryset.present().with_current_enrolments(), pk=pk)


@family_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    if request.method == "POST":
        return _save(request, pk)
    student = _get_student(request, pk)
    return _render_detail(
        request, student, StudentForm(instance=student), VersionForm.for_record(student)
    )


def _save(request, pk):
    with transaction.atomic():
        # Locked until the end of the save: two saves of one student run one after the other.
        student = _get_student(request, pk, Student.objects.select_for_update())
        form = StudentForm(request.POST, instance=student)
        version_form = VersionForm(request.POST)
        if not form.is_valid():
            # Validation wrote the posted values into `student`: show the stored record.
            return _render_detail(request, _get_student(request, pk), form, version_form)
        if is_stale(version_form, student):
            seen = version_form.cleaned_data["version"] if version_form.is_valid() else 0
            current = _get_student(request, pk)
            return _render_detail(
                request,
                current,
                rebase_form(form, instance=_get_student(request, pk)),
                VersionForm.for_record(current),
                conflict=changes_since(current, seen),
            )
        changes = update_student_record(student=student, form=form, user=request.user)
    if changes:
        flash_changes(request, _flash_key(student), changes)
        messages.success(
            request,
            _("Vos modifications sont enregistrées. Un accusé de réception vous est envoyé."),
        )
    else:
        messages.info(request, _("Aucune modification : rien n'a été enregistré."))
    return redirect("students:detail", pk=student.pk)


# The size limit must be in place before anything reads the body, CSRF check included: the
# view is exempted, then protected again once the limiting handler is installed.
@csrf_exempt
@family_required
@require_POST
def upload(request, pk, requirement):
    limiter = SizeLimitedUploadHandler(request)
    request.upload_handlers.insert(0, limiter)
    return _upload(request, pk, requirement, limiter)


def upload_season(request, student) -> Season:
    """The season an upload is for: the posted `saison`, one of the seasons the family
    provides documents for (404 otherwise), the current one when none is posted."""
    seasons = upload_seasons(request.user.family)
    wanted = request.POST.get("saison")
    if not wanted:
        return seasons[0] if seasons else None
    season = next((s for s in seasons if str(s.pk) == wanted), None)
    if season is None:
        raise Http404
    return season


def receive_upload(request, *, student, season, requirement, limiter):
    """Takes a posted document for `student`'s `requirement` in `season` (the caller checked
    both belong to the family). Returns None once done (a message says what happened), or
    the bound form with its errors. 404 when the season does not ask for it."""
    items = build_checklist(request.user.family, [student], season).items if season else []
    if requirement == QUOTIENT and items and season.is_current:
        items.append(quotient_item(request.user.family, season, student))
    item = next((i for i in items if i.requirement == requirement), None)
    if item is None:
        raise Http404
    if not item.can_upload:
        messages.info(request, _("Ce document a déjà été validé : rien n'a été importé."))
        return None
    form = DocumentUploadForm(request.POST, request.FILES, item=item)
    valid = form.is_valid()
    if limiter.too_large:
        form.errors["file"] = form.error_class([TOO_LARGE_MESSAGE])
        valid = False
    if not valid:
        return form
    try:
        upload_document(
            family=request.user.family,
            item=item,
            checked=form.cleaned_data["file"],
            kind=form.document_kind,
            document_date=form.cleaned_data.get("document_date"),
            user=request.user,
        )
    except DocumentNotAccepted:
        messages.info(request, _("Ce document a déjà été validé : rien n'a été importé."))
    except DatabaseError:
        # upload_document rolled back and deleted the file: say so rather than a bare 500.
        logger.exception("document upload failed: student=%s", student.pk)
        messages.error(
            request,
            _(
                "Le document n'a pas pu être enregistré à la suite d'un incident technique. "
                "Rien n'a été conservé : importez-le à nouveau dans quelques minutes."
            ),
        )
    else:
        messages.success(
            request,
            _(
                "Document reçu : le secrétariat va le vérifier. Un accusé de réception "
                "vous est envoyé par e-mail."
            ),
        )
    return None


@csrf_protect
def _upload(request, pk, requirement, limiter):
    student = _get_student(request, pk)
    season = upload_season(request, student)
    form = receive_upload(
        request, student=student, season=season, requirement=requirement, limiter=limiter
    )
    if form is None:
        return redirect(reverse("students:detail", args=[student.pk]) + "#documents")
    return _render_detail(
        request,
        student,
        StudentForm(instance=student),
        VersionForm.for_record(student),
        upload_form=form,
        # Over the size limit: 413, the page saying so (the file was not kept).
        status=413 if limiter.too_large else 400,
    )


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg"}


@login_required
@require_GET
def download(request, pk):
    """A document as an attachment, to its family or to staff allowed to open it (health
    documents: only to staff with the dedicated permission; families do not download them
    again)."""
    user = request.user
    queryset = Document.objects.select_related("student", "family")
    if user.is_staff:
        document = get_object_or_404(queryset, pk=pk)
        if not document.may_be_opened_by_staff(user):
            raise PermissionDenied(
                _(
                    "Les documents de santé (certificats médicaux, attestations sur l'honneur) "
                    "sont réservés au personnel habilité."
                )
                if document.is_health_data and may_open_documents(user)
                else _("Vous n'avez pas la permission d'ouvrir les documents des familles.")
            )
    elif user.family_id is not None:
        document = get_for_family(request, queryset.exclude(kind__in=HEALTH_KINDS), pk=pk)
    else:
        raise Http404
    owner = document.student.display_name if document.student else document.family.name
    extension = EXTENSIONS.get(document.content_type, PurePath(document.file.name).suffix)
    filename = f"{slugify(document.get_kind_display())}-{slugify(owner)}{extension}"
    # Staff preview images in the admin; everything else is an attachment.
    inline = user.is_staff and document.is_image and request.GET.get("apercu") == "1"
    return private_download(
        default_storage.open(document.file.name, "rb"),
        filename=filename,
        content_type=document.content_type,
        inline=inline,
    )
