"""The public pré-inscription pages: the application form (no account), the status page the
receipt e-mail links to (a signed, unguessable token) with the upload of a missing document,
and the règlement the consents refer to."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import private_download
from portal.client_ip import client_ip_or_none
from portal.security_log import log_event
from reenrolment.models import Campaign, Requirement
from students.checklist import ADDRESS, DANCE
from students.uploads import TOO_LARGE_MESSAGE, SizeLimitedUploadHandler

from . import services
from .forms import MAX_STUDENTS, FamilyForm, ResponsableForm, StudentForm, upload_form
from .models import Application

logger = logging.getLogger(__name__)


class ApplicationPage:
    """Every form of the application page, bound to one POST (or unbound)."""

    def __init__(self, campaign, data=None, files=None):
        disciplines = list(campaign.disciplines.select_related("department").order_by("name"))
        self.campaign = campaign
        self.responsables = [
            ResponsableForm(data, prefix="r1"),
            ResponsableForm(data, prefix="r2", optional=True),
        ]
        self.responsables[0].summary_label = _("Responsable 1")
        self.responsables[1].summary_label = _("Responsable 2")
        self.family = FamilyForm(
            data, prefix="famille", requirements=campaign.requirements.order_by("name")
        )
        self.family.summary_label = _("Coordonnées")
        self.students = []
        for number in range(1, MAX_STUDENTS + 1):
            student = StudentForm(
                data, prefix=f"eleve{number}", disciplines=disciplines, optional=number > 1
            )
            student.summary_label = _("Élève %(number)s") % {"number": number}
            document = upload_form(
                data, files, requirement=DANCE, key=f"eleve{number}-danse", optional=True
            )
            document.summary_label = _("Élève %(number)s — danse") % {"number": number}
            self.students.append((number, student, document))
        self.address_document = upload_form(
            data, files, requirement=ADDRESS, key="domicile", optional=True
        )
        self.address_document.summary_label = _("Justificatif de domicile")

    @property
    def forms(self):
        return [
            *self.responsables,
            self.family,
            *(form for _number, student, document in self.students for form in (student, document)),
            self.address_document,
        ]

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.forms])
        for _number, student, document in self.students:
            if document.has_changed() and not student.has_changed():
                document.add_error("file", _("Indiquez d'abord l'élève que ce document concerne."))
                valid = False
        return valid

    def data(self) -> services.ApplicationData:
        responsables = [self.responsables[0].cleaned_data]
        if self.responsables[1].has_changed():
            responsables.append(self.responsables[1].cleaned_data)
        students = []
        for _number, student, document in self.students:
            if not student.has_changed():
                continue
            students.append(
                services.StudentData(
                    last_name=student.cleaned_data["last_name"],
                    first_name=student.cleaned_data["first_name"],
                    birth_date=student.cleaned_data["birth_date"],
                    disciplines=student.wished_disciplines,
                    document=_uploaded(document),
                )
            )
        family = {
            name: value for name, value in self.family.cleaned_data.items() if name in FAMILY_FIELDS
        }
        return services.ApplicationData(
            family=family,
            responsables=responsables,
            students=students,
            consents=self.family.accepted_requirements(),
            address_document=_uploaded(self.address_document),
        )


FAMILY_FIELDS = FamilyForm.Meta.fields


def _uploaded(form) -> services.UploadedDocument | None:
    if not form.has_changed() or not form.cleaned_data.get("file"):
        return None
    return services.UploadedDocument(
        kind=form.document_kind,
        checked=form.cleaned_data["file"],
        document_date=form.cleaned_data.get("document_date"),
    )


def _render_form(request, page, *, status=200):
    return render(
        request,
        "preinscription/apply.html",
        {"campaign": page.campaign, "page": page},
        status=status,
    )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def apply(request):
    """The application form during a pré-inscription period; otherwise when the next opens."""
    if request.method == "POST":
        # Before anything reads the body (CSRF check included): see students.views.upload.
        limiter = SizeLimitedUploadHandler(request, limit=settings.MAX_REQUEST_BODY_SIZE)
        request.upload_handlers.insert(0, limiter)
        return _apply_post(request, limiter)
    return _apply_get(request)


@csrf_protect
def _apply_get(request):
    campaign = services.open_period()
    if campaign is None:
        upcoming = Campaign.objects.preregistrations().upcoming().first()
        return render(request, "preinscription/closed.html", {"upcoming": upcoming})
    return _render_form(request, ApplicationPage(campaign))


@csrf_protect
def _apply_post(request, limiter):
    campaign = services.open_period()
    if campaign is None:
        messages.error(
            request, _("La pré-inscription est close : votre demande n'a pas été envoyée.")
        )
        return redirect("preinscription:apply")
    page = ApplicationPage(campaign, request.POST, request.FILES)
    ip_address = client_ip_or_none(request)
    email = request.POST.get("famille-email", "")
    refusal = services.rate_limit_message(ip_address=ip_address, email=email)
    services.record_attempt(ip_address=ip_address, email=email)
    if refusal:
        log_event("preinscription_throttled", request)
        page.family.is_valid()
        page.family.add_error(None, refusal)
        return _render_form(request, page, status=429)
    if page.family.is_robot:
        log_event("preinscription_honeypot", request)
        page.family.is_valid()
        page.family.add_error(
            None,
            _(
                "Votre demande n'a pas pu être envoyée. Si vous n'êtes pas un robot, laissez "
                "vide le champ « Site web » puis envoyez-la à nouveau."
            ),
        )
        return _render_form(request, page, status=400)
    valid = page.is_valid()
    if limiter.too_large:
        page.address_document.add_error(
            None,
            _(
                "Les fichiers dépassent ensemble la taille permise : envoyez la demande avec un "
                "seul fichier, puis ajoutez les autres depuis le lien reçu par e-mail."
            ),
        )
        valid = False
    if not valid:
        return _render_form(request, page, status=413 if limiter.too_large else 400)
    try:
        application = services.submit_application(
            campaign=campaign,
            data=page.data(),
            ip_address=ip_address,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except services.PeriodClosed:
        messages.error(
            request, _("La pré-inscription est close : votre demande n'a pas été envoyée.")
        )
        return redirect("preinscription:apply")
    except DatabaseError:
        logger.exception("pré-inscription failed")
        page.family.add_error(
            None,
            _(
                "Votre demande n'a pas pu être enregistrée à la suite d'un incident technique. "
                "Rien n'a été conservé : envoyez-la à nouveau dans quelques minutes."
            ),
        )
        return _render_form(request, page, status=503)
    log_event("preinscription_received", request, application=application.pk)
    messages.success(
        request,
        _(
            "Votre pré-inscription est enregistrée sous la référence %(reference)s. Un récépissé "
            "vous est envoyé par e-mail avec le lien de cette page, pour suivre la réponse du "
            "centre."
        )
        % {"reference": application.reference},
    )
    return redirect("preinscription:status", token=application.status_token)


def _application(token: str) -> Application:
    application = Application.from_token(
        token, services._with_everything(Application.objects.all())
    )
    if application is None:
        raise Http404
    return application


def _render_status(request, application, *, bound=None, status=200):
    slots = []
    for slot in services.document_slots(application):
        form = None
        if slot.document is None and application.family_id is None:
            if bound is not None and bound.item.key == slot.key:
                form = bound
            else:
                form = upload_form(requirement=slot.requirement, key=slot.key, optional=False)
        slots.append((slot, form))
    return render(
        request,
        "preinscription/status.html",
        {"application": application, "slots": slots, "token": application.status_token},
        status=status,
    )


# The page of a private link: never stored by a browser's or a proxy's cache.
@never_cache
@cache_control(private=True)
@require_GET
def status(request, token):
    return _render_status(request, _application(token))


@never_cache
@cache_control(private=True)
@csrf_exempt
@require_POST
def add_document(request, token, key):
    limiter = SizeLimitedUploadHandler(request)
    request.upload_handlers.insert(0, limiter)
    return _add_document(request, token, key, limiter)


@csrf_protect
def _add_document(request, token, key, limiter):
    application = _application(token)
    slot = next(
        (s for s in services.document_slots(application) if s.key == key and s.document is None),
        None,
    )
    if slot is None or application.family_id is not None:
        raise Http404
    form = upload_form(
        request.POST, request.FILES, requirement=slot.requirement, key=slot.key, optional=False
    )
    valid = form.is_valid()
    if limiter.too_large:
        form.errors["file"] = form.error_class([TOO_LARGE_MESSAGE])
        valid = False
    if not valid:
        return _render_status(
            request, application, bound=form, status=413 if limiter.too_large else 400
        )
    try:
        services.add_document(
            application=application,
            requirement=slot.requirement,
            student=slot.student,
            kind=form.document_kind,
            checked=form.cleaned_data["file"],
            document_date=form.cleaned_data.get("document_date"),
        )
    except services.PeriodClosed:
        raise Http404 from None
    messages.success(request, _("Document reçu : le secrétariat va le vérifier."))
    return redirect("preinscription:status", token=application.status_token)


@require_GET
def requirement_document(request, pk: int):
    """The PDF a consent of an open pré-inscription period refers to (the règlement), for
    applicants without an account."""
    now = timezone.now()
    requirement = get_object_or_404(
        Requirement.objects.exclude(document="")
        .filter(campaigns__in=Campaign.objects.preregistrations().open(now))
        .distinct(),
        pk=pk,
    )
    return private_download(
        default_storage.open(requirement.document.name, "rb"),
        filename=f"{slugify(requirement.name) or 'document'}.pdf",
        content_type="application/pdf",
        inline=True,
    )
