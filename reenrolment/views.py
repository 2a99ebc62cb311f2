"""The Réinscription tab: open campaigns, one request per student, its follow-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import family_required, get_for_family, private_download
from reenrolment import services
from reenrolment.forms import ChildForm, RequestForm
from reenrolment.models import Campaign, Line, Request, Requirement
from students.checklist import upload_seasons
from students.models import Course, Student
from students.uploads import SizeLimitedUploadHandler
from students.views import receive_upload, season_uploads

REQUEST_PREFETCH = [
    "lines__discipline__department",
    "lines__preferred_course",
    "lines__assigned_course",
    "consents__requirement",
]


# How many requests of closed campaigns the page lists, newest first.
PAST_REQUESTS = 30


def _sections(campaigns: list[Campaign], family, now) -> tuple[list[dict], list[Request]]:
    """One section per open campaign: its eligible students (`Campaign.eligibility`), their
    requests and the documents these ask for; and the requests of closed campaigns. The same
    number of queries whatever the number of students."""
    eligible = {campaign.pk: f"eligible_{campaign.pk}" for campaign in campaigns}
    students = list(
        Student.objects.for_family(family)
        .with_current_enrolments()
        .annotate(
            **{
                eligible[campaign.pk]: ExpressionWrapper(
                    campaign.eligibility(), output_field=BooleanField()
                )
                for campaign in campaigns
            }
        )
        .order_by("first_name", "pk")
    )
    by_pk = {student.pk: student for student in students}
    requests: dict[int, dict[int, Request]] = {campaign.pk: {} for campaign in campaigns}
    past = []
    # One query for both: an open campaign closes after every closed one, so its requests come
    # first, and there is at most one per campaign and student.
    for request in (
        Request.objects.for_family(family)
        .filter(campaign__opens_at__lte=now)
        .select_related("campaign")
        .order_by("-campaign__closes_at", "student__first_name", "pk")[
            : PAST_REQUESTS + len(students) * len(campaigns)
        ]
    ):
        request.student = by_pk[request.student_id]
        if request.campaign_id in requests:
            requests[request.campaign_id][request.student_id] = request
        else:
            past.append(request)
    lines = Line.objects.select_related("discipline__department")
    # The past requests' lines too: their status reads each line's answer (`status_label`).
    prefetch_related_objects(
        [request for answered in requests.values() for request in answered.values()]
        + past[:PAST_REQUESTS],
        Prefetch("lines", queryset=lines),
    )
    sections = []
    for campaign in campaigns:
        answered = requests[campaign.pk]
        rows = [
            (student, answered.get(student.pk))
            for student in students
            if getattr(student, eligible[campaign.pk])
        ]
        sections.append(
            {
                "campaign": campaign,
                "rows": rows,
                "documents": services.documents_needed(
                    [request for student, request in rows if request is not None],
                    campaign.season,
                ),
            }
        )
    return sections, past[:PAST_REQUESTS]


@family_required
@require_GET
def index(request):
    family = request.user.family
    now = timezone.now()
    campaigns = list(
        Campaign.objects.of_families()
        .open(now)
        .select_related("season")
        .order_by("closes_at", "pk")
    )
    sections, past_requests = _sections(campaigns, family, now)
    upcoming = None if campaigns else Campaign.objects.of_families().upcoming(now).first()
    return render(
        request,
        "reenrolment/index.html",
        {
            "sections": sections,
            "upcoming": upcoming,
            "past_requests": past_requests,
        },
    )


def _open_campaign_or_redirect(request, campaign: Campaign, now):
    if campaign.is_open(now):
        return None
    messages.error(request, str(services.CampaignNotOpen(campaign, now)))
    return redirect("reenrolment:index")


@family_required
@require_http_methods(["GET", "POST"])
def request_form(request, campaign_pk: int, student_pk: int):
    family = request.user.family
    campaign = get_object_or_404(
        Campaign.objects.of_families().select_related("season"), pk=campaign_pk
    )
    student = get_for_family(
        request,
        campaign.eligible_students(family).with_current_enrolments(),
        pk=student_pk,
    )
    now = timezone.now()
    if closed := _open_campaign_or_redirect(request, campaign, now):
        return closed
    existing = (
        Request.objects.filter(campaign=campaign, student=student).prefetch_related("lines").first()
    )
    if existing is not None and existing.is_decided:
        messages.info(request, _("Cette demande a reçu une réponse : elle ne peut plus changer."))
        return redirect("reenrolment:request_detail", pk=existing.pk)

    # A réinscription starts from this season's disciplines; an inscription from wishes only.
    current: dict = {}
    for enrolment in [] if campaign.is_enrolment else student.current_enrolments:
        if enrolment.course.season_id != campaign.season_id:
            current.setdefault(enrolment.course.discipline, []).append(enrolment.course)
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        initial={
            "revision": existing.revision if existing else 0,
            "comment": existing.comment if existing else "",
        },
        campaign=campaign,
        offered=campaign.disciplines.order_by("name"),
        courses=Course.objects.filter(season=campaign.season).select_related("discipline"),
        current=current,
        requirements=campaign.requirements.all(),
        initial_lines=list(existing.lines.all()) if existing else [],
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.submit_request(
                campaign=campaign,
                student=student,
                lines=form.lines,
                comment=form.cleaned_data["comment"],
                requirements=form.accepted_requirements(),
                revision=form.cleaned_data["revision"],
            )
        except (services.CampaignNotOpen, services.RequestLocked) as error:
            messages.error(request, str(error))
            return redirect("reenrolment:index")
        outcome_messages = {
            services.Outcome.CREATED: (
                messages.SUCCESS,
                _("Votre demande est envoyée. Un accusé de réception vous est adressé par e-mail."),
            ),
            services.Outcome.CHANGED: (
                messages.SUCCESS,
                _(
                    "Votre demande est modifiée. "
                    "Un accusé de réception vous est adressé par e-mail."
                ),
            ),
            services.Outcome.DUPLICATE: (
                messages.INFO,
                _("Une demande existe déjà pour cet élève : la voici. Rien n'a été ajouté."),
            ),
            services.Outcome.STALE: (
                messages.WARNING,
                _(
                    "Cette demande a été modifiée entre-temps (dans un autre onglet ?) : "
                    "voici sa version actuelle. Vos dernières saisies n'ont pas été enregistrées."
                ),
            ),
        }
        level, text = outcome_messages[result.outcome]
        messages.add_message(request, level, text)
        return redirect("reenrolment:request_detail", pk=result.request.pk)
    return render(
        request,
        "reenrolment/request_form.html",
        {"campaign": campaign, "student": student, "form": form, "existing": existing},
    )


def _family_request(request, pk: int) -> Request:
    return get_for_family(
        request,
        Request.objects.select_related("campaign__season", "student").prefetch_related(
            *REQUEST_PREFETCH
        ),
        family_field="student__family",
        pk=pk,
    )


def _asked_documents(request, reenrolment_request: Request, *, upload_form=None) -> list:
    """The documents the request's season asks for the student (`build_checklist`), each with
    its upload form while not validated: uploaded right here. None once withdrawn or
    refused."""
    family = request.user.family
    season = reenrolment_request.campaign.season
    if not reenrolment_request.asks_documents or season not in upload_seasons(family):
        return []
    sections = season_uploads(
        family, reenrolment_request.student, seasons=[season], upload_form=upload_form
    )
    return sections[0]["uploads"] if sections else []


def _render_request_detail(
    request, reenrolment_request: Request, *, upload_form=None, too_large=False
):
    return render(
        request,
        "reenrolment/request_detail.html",
        {
            "req": reenrolment_request,
            "campaign": reenrolment_request.campaign,
            "can_change": reenrolment_request.can_be_changed(),
            "uploads": _asked_documents(request, reenrolment_request, upload_form=upload_form),
        },
        status=200 if upload_form is None else 413 if too_large else 400,
    )


@family_required
@require_GET
def request_detail(request, pk: int):
    return _render_request_detail(request, _family_request(request, pk))


# As the Élèves upload (students.views.upload): the size limit before the CSRF check.
@csrf_exempt
@family_required
@require_POST
def upload_document(request, pk: int, requirement: str):
    limiter = SizeLimitedUploadHandler(request)
    request.upload_handlers.insert(0, limiter)
    return _upload_document(request, pk, requirement, limiter)


@csrf_protect
def _upload_document(request, pk: int, requirement: str, limiter):
    reenrolment_request = _family_request(request, pk)
    if not _asked_documents(request, reenrolment_request):
        raise Http404
    form = receive_upload(
        request,
        student=reenrolment_request.student,
        season=reenrolment_request.campaign.season,
        requirement=requirement,
        limiter=limiter,
    )
    if form is None:
        return redirect(
            reverse("reenrolment:request_detail", args=[reenrolment_request.pk]) + "#documents"
        )
    return _render_request_detail(
        request, reenrolment_request, upload_form=form, too_large=limiter.too_large
    )


@login_required
@require_GET
def requirement_document(request, pk: int):
    """The PDF a consent refers to (the season's règlement), shown in the browser to any
    logged-in user: families read it before ticking, staff check it."""
    requirement = get_object_or_404(Requirement.objects.exclude(document=""), pk=pk)
    return private_download(
        default_storage.open(requirement.document.name, "rb"),
        filename=f"{slugify(requirement.name) or 'document'}.pdf",
        content_type="application/pdf",
        inline=True,
    )


@family_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    """Withdrawing asks first: a page that says what withdrawing means, whose form confirms it
    explicitly (`confirm`), so that no click withdraws by mistake, with or without
    JavaScript."""
    reenrolment_request = _family_request(request, pk)
    campaign = reenrolment_request.campaign
    now = timezone.now()
    if reenrolment_request.is_withdrawn:
        return redirect("reenrolment:request_detail", pk=reenrolment_request.pk)
    if closed := _open_campaign_or_redirect(request, campaign, now):
        return closed
    if reenrolment_request.is_decided:
        messages.error(request, _("Cette demande a reçu une réponse : elle ne peut plus changer."))
        return redirect("reenrolment:request_detail", pk=reenrolment_request.pk)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "reenrolment/withdraw_confirm.html",
            {"req": reenrolment_request, "campaign": campaign},
        )
    try:
        services.withdraw_request(request=reenrolment_request)
    except (services.CampaignNotOpen, services.RequestLocked) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Votre demande est retirée. Un accusé de réception vous est adressé par e-mail."),
        )
    return redirect("reenrolment:request_detail", pk=reenrolment_request.pk)


@family_required
@require_http_methods(["GET", "POST"])
def add_child(request, campaign_pk: int):
    campaign = get_object_or_404(
        Campaign.objects.select_related("season"),
        pk=campaign_pk,
        kind=Campaign.Kind.ENROLMENT,
    )
    now = timezone.now()
    if closed := _open_campaign_or_redirect(request, campaign, now):
        return closed
    family = request.user.family
    form = ChildForm(
        request.POST if request.method == "POST" else None, initial={"last_name": family.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            student = services.add_child(campaign=campaign, family=family, **form.cleaned_data)
        except services.CampaignNotOpen as error:
            messages.error(request, str(error))
            return redirect("reenrolment:index")
        except services.DecisionError as error:  # pragma: no cover - kind checked above
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error)
            return render(
                request, "reenrolment/child_form.html", {"campaign": campaign, "form": form}
            )
        messages.success(
            request,
            _("%(name)s est ajouté(e) à votre famille : faites maintenant sa demande.")
            % {"name": student.display_name},
        )
        return redirect("reenrolment:request_form", campaign_pk=campaign.pk, student_pk=student.pk)
    return render(request, "reenrolment/child_form.html", {"campaign": campaign, "form": form})
