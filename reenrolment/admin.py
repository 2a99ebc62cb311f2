"""Staff side of the campaigns: set them up, review the requests, decide, export.

A decision (one by one in the request's page, or in bulk from the list) goes through
`reenrolment.services.decide`, which e-mails the family and, on acceptance, creates the
enrolments in the courses shown in the "cours attribué" column.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import PortalModelAdmin, report_action
from portal.csv import csv_cell
from reenrolment import services
from reenrolment.models import Campaign, Consent, Line, Request, Requirement
from students.models import Course
from students.services import refusal_reason
from students.uploads import check_upload


class RequirementAdminForm(forms.ModelForm):
    """The PDF goes through the same checks as the families' uploads (`check_upload`), and
    must be a PDF."""

    class Meta:
        model = Requirement
        fields = ["name", "text", "document", "url"]
        widgets = {"document": forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"})}

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not isinstance(document, UploadedFile):  # unchanged, or cleared
            return document
        checked = check_upload(document)
        if checked.content_type != "application/pdf":
            raise forms.ValidationError(_("Le document doit être un PDF."), code="not_pdf")
        self.instance.document_size = checked.size
        return document

    def save(self, commit=True):
        if not self.cleaned_data.get("document"):
            self.instance.document_size = 0
        return super().save(commit)


@admin.register(Requirement)
class RequirementAdmin(PortalModelAdmin):
    form = RequirementAdminForm
    list_display = ["name", "document_link", "url"]
    search_fields = ["name", "text"]

    @admin.display(description=_("Document (PDF)"))
    def document_link(self, requirement):
        if not requirement.document:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("reenrolment:requirement_document", args=[requirement.pk]),
            requirement.document_link_text,
        )


@admin.register(Campaign)
class CampaignAdmin(PortalModelAdmin):
    list_display = ["name", "season", "kind", "opens_at", "closes_at", "request_count"]
    list_filter = ["season", "kind"]
    filter_horizontal = ["disciplines", "requirements"]
    fieldsets = [
        (None, {"fields": ["name", "season", "kind", ("opens_at", "closes_at")]}),
        (_("Offre"), {"fields": ["disciplines", "instructions"]}),
        (_("Pièces et consentements"), {"fields": ["requirements", "documents_note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(request_total=Count("requests"))

    @admin.display(description=_("demandes"), ordering="request_total")
    def request_count(self, campaign):
        return campaign.request_total


# The order of the "cours attribué" choices: as a timetable.
COURSE_ORDER = ["discipline__name", "weekday", "start_time", "name", "pk"]


def course_choice_label(course: Course) -> str:
    """ "Piano mercredi — mercredi 14h00–14h30 — M. Durand": what tells courses apart."""
    return " — ".join(part for part in (course.name, course.schedule, course.teacher) if part)


class LineAdminForm(forms.ModelForm):
    """One line of the request's page: its "cours attribué" and its answer.

    The "cours attribué" offers the courses of the line's discipline in the season the
    request's campaign enrols for (and the model refuses any other, `Line.clean`). The answer
    is not a model field of the form: it goes through `services.decide_lines` (which creates
    the enrolment, derives the request's status and e-mails the family), see
    `RequestAdmin.save_related`. An accepted line is final; a stopped one has no answer."""

    # Not required: a submission without it leaves the answer as it is.
    answer = forms.ChoiceField(label=_("Réponse"), choices=Line.Decision.choices, required=False)
    position = forms.IntegerField(
        label=_("Position sur la liste d'attente"),
        min_value=1,
        required=False,
        help_text=_(
            "Vide : à la suite de la liste du cours attribué (sans cours attribué : de la "
            "discipline)."
        ),
        widget=forms.NumberInput(attrs={"style": "width: 5em"}),
    )
    reason = forms.CharField(
        label=_("Motif du refus"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override = forms.BooleanField(
        label=_("Au-delà des places"),
        required=False,
        help_text=_("Cours complet : accepter quand même (enregistré avec votre nom)."),
    )

    class Meta:
        model = Line
        fields = ["assigned_course"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        line = self.instance
        field = self.fields["assigned_course"]
        courses = Course.objects.none()
        if line.pk:
            courses = Course.objects.filter(
                season_id=line.request.campaign.season_id, discipline_id=line.discipline_id
            )
        field.queryset = courses.order_by(*COURSE_ORDER)
        field.label_from_instance = course_choice_label
        self.fields["answer"].initial = line.decision
        self.fields["position"].initial = line.waitlist_position
        self.fields["reason"].initial = line.refusal_reason
        if line.pk and (line.is_accepted or not line.is_requested):
            for name in ("assigned_course", "answer", "position", "reason", "override"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        self.line_decision = None
        line = self.instance
        answer = cleaned.get("answer")
        if not line.pk or not answer or self.fields["answer"].disabled:
            return cleaned
        position = cleaned.get("position")
        reason = (cleaned.get("reason") or "").strip()
        unchanged = answer == line.decision and (
            answer == Line.Decision.PENDING
            or (answer == Line.Decision.WAITLISTED and position in (None, line.waitlist_position))
            or (answer == Line.Decision.REFUSED and reason == line.refusal_reason)
        )
        if unchanged:
            return cleaned
        if line.request.is_withdrawn:
            self.add_error("answer", _("La famille a retiré cette demande."))
            return cleaned
        try:
            services.check_line_decision(
                line,
                answer,
                season=line.request.campaign.season,
                reason=reason,
                course=cleaned.get("assigned_course"),
                override=cleaned.get("override", False),
            )
        except services.DecisionError as error:
            field = {"decision": "answer"}.get(error.field, error.field)
            self.add_error(field if field in self.fields else None, str(error))
            return cleaned
        self.line_decision = services.LineDecision(
            line.pk, answer, position, reason, override=cleaned.get("override", False)
        )
        return cleaned


class LineInline(admin.TabularInline):
    model = Line
    form = LineAdminForm
    extra = 0
    can_delete = False
    fields = [
        "discipline",
        "kind",
        "preferred_course",
        "preferred_weekday",
        "preferred_time",
        "assigned_course",
        "answer",
        "position",
        "reason",
        "override",
    ]
    readonly_fields = [
        "discipline",
        "kind",
        "preferred_course",
        "preferred_weekday",
        "preferred_time",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("discipline", "preferred_course", "request__campaign__season")
        )


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ["requirement", "accepted_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


DECISIONS = [
    ("", _("— pas de changement —")),
    (Request.Status.REVIEWING, _("En cours d'examen")),
    (Request.Status.ACCEPTED, _("Acceptées (crée les inscriptions)")),
    (Request.Status.WAITLISTED, _("Liste d'attente")),
    (Request.Status.REFUSED, _("Refusées")),
]


class RequestDecisionForm(forms.ModelForm):
    """A decision for every discipline of the request not accepted yet (a line whose answer
    is changed in the same submission keeps its own); each line is answered on its own in the
    "Disciplines demandées" table."""

    decision = forms.ChoiceField(
        label=_("Toutes les disciplines"),
        choices=DECISIONS,
        required=False,
        help_text=_(
            "Réponse donnée à chaque discipline demandée qui n'est pas encore acceptée ; "
            "pour répondre discipline par discipline, utilisez le tableau ci-dessous."
        ),
    )
    position = forms.IntegerField(
        label=_("Position sur la liste d'attente"),
        min_value=1,
        required=False,
        help_text=_("Vide : à la suite de la liste de chaque discipline."),
    )
    reason = forms.CharField(
        label=_("Motif du refus"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Request
        fields = []

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision:
            try:
                services.check_decision(
                    self.instance,
                    decision,
                    position=cleaned.get("position"),
                    reason=cleaned.get("reason", ""),
                )
            except services.DecisionError as error:
                self.add_error(error.field, str(error))
        return cleaned


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus (envoyé aux familles)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        # Checked by `refusal_reason`, whose message explains why.
        required=False,
    )

    def clean_reason(self):
        return refusal_reason(self.cleaned_data["reason"])


class ToDecideFilter(admin.SimpleListFilter):
    """The requests waiting for an answer (`RequestQuerySet.to_decide`; the admin dashboard
    links here)."""

    title = _("à décider")
    parameter_name = "a_decider"

    def lookups(self, request, model_admin):
        return [("oui", _("en attente d'une réponse"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(pk__in=Request.objects.to_decide().values("pk"))
        return queryset


@admin.register(Request)
class RequestAdmin(PortalModelAdmin):
    form = RequestDecisionForm
    list_display = ["student", "family", "campaign", "status_label", "disciplines", "submitted_at"]
    list_filter = [ToDecideFilter, "campaign", "status", "lines__discipline"]
    list_select_related = ["student__family", "campaign"]
    search_fields = ["student__last_name", "student__first_name", "student__family__name"]
    date_hierarchy = "submitted_at"
    inlines = [LineInline, ConsentInline]
    actions = ["mark_reviewing", "accept", "waitlist", "refuse", "export_csv"]
    readonly_fields = [
        "campaign",
        "student",
        "status_label",
        "comment",
        "submitted_at",
        "updated_at",
        "decided_at",
        "decided_by",
    ]
    fieldsets = [
        (None, {"fields": readonly_fields}),
        (_("Décision"), {"fields": ["decision", "position", "reason"]}),
    ]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("lines__discipline", "student__family__responsables")
        )

    @admin.display(description=_("famille"), ordering="student__family__name")
    def family(self, obj):
        return obj.student.family

    @admin.display(description=_("statut"), ordering="status")
    def status_label(self, obj):
        return obj.status_label

    @admin.display(description=_("disciplines demandées"))
    def disciplines(self, obj):
        return ", ".join(line.discipline.name for line in obj.lines.all() if line.is_requested)

    def save_model(self, request, obj, form, change):
        """Nothing of the request itself is edited here: the decisions are applied once the
        lines (their assigned courses) are saved, in `save_related`."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        decisions = [
            line_form.line_decision
            for formset in formsets
            if formset.model is Line
            for line_form in formset.forms
            if getattr(line_form, "line_decision", None)
        ]
        decision = form.cleaned_data.get("decision")
        try:
            if decision == Request.Status.REVIEWING:
                services.decide(request=form.instance, status=decision, by=request.user)
            elif decision:
                # The lines answered one by one keep their own answer.
                own = {planned.line_id for planned in decisions}
                decisions += [
                    planned
                    for planned in services.plan_decision(
                        form.instance,
                        decision,
                        position=form.cleaned_data.get("position"),
                        reason=form.cleaned_data.get("reason", ""),
                    )
                    if planned.line_id not in own
                ]
                if not decisions:
                    services.decide(request=form.instance, status=decision, by=request.user)
            if decisions:
                services.decide_lines(request=form.instance, decisions=decisions, by=request.user)
        except services.DecisionError as error:
            messages.error(request, str(error))

    def _bulk(self, request, queryset, status, reason=""):
        done, errors = services.decide_many(
            requests=queryset, status=status, reason=reason, by=request.user
        )
        report_action(
            self,
            request,
            done=done,
            done_text=ngettext("%(n)d demande traitée.", "%(n)d demandes traitées.", done)
            % {"n": done},
            problems=[
                (
                    ngettext(
                        "%(n)d demande non traitée", "%(n)d demandes non traitées", len(errors)
                    )
                    % {"n": len(errors)},
                    errors,
                )
            ],
        )

    @admin.action(description=_("Passer en cours d'examen"))
    def mark_reviewing(self, request, queryset):
        self._bulk(request, queryset, Request.Status.REVIEWING)

    @admin.action(
        description=_(
            "Accepter toutes les disciplines demandées (crée les inscriptions, e-mail aux familles)"
        )
    )
    def accept(self, request, queryset):
        self._bulk(request, queryset, Request.Status.ACCEPTED)

    @admin.action(
        description=_(
            "Mettre en liste d'attente les disciplines non acceptées (par ordre de dépôt)"
        )
    )
    def waitlist(self, request, queryset):
        self._bulk(request, queryset, Request.Status.WAITLISTED)

    @admin.action(description=_("Refuser les disciplines non acceptées (avec un motif)"))
    def refuse(self, request, queryset):
        form = RefusalForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._bulk(request, queryset, Request.Status.REFUSED, form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "admin/reenrolment/request/refuse.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refuser les demandes"),
                "opts": self.model._meta,
                "form": form,
                "requests": queryset.select_related("student", "campaign"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Exporter en CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="demandes-{stamp}.csv"'
        # A BOM and semicolons: what a French spreadsheet opens without an import wizard.
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                "campagne",
                "famille",
                "e-mail",
                "élève",
                "statut",
                "positions",
                "motifs",
                "continue",
                "arrête",
                "vœux",
                "cours attribués",
                "commentaire",
                "déposée le",
            ]
        )
        requests = queryset.select_related("campaign", "student__family").prefetch_related(
            "lines__discipline", "lines__preferred_course", "lines__assigned_course"
        )
        for req in requests.order_by("campaign", "submitted_at", "pk"):
            lines = list(req.lines.all())

            def names(kind, lines=lines):
                return ", ".join(line.discipline.name for line in lines if line.kind == kind)

            wishes = ", ".join(
                line.discipline.name
                + (f" ({line.preferred_course.name})" if line.preferred_course else "")
                + (f" ({line.get_preferred_weekday_display()})" if line.preferred_weekday else "")
                + (f" ({line.preferred_time})" if line.preferred_time else "")
                for line in lines
                if line.kind == Line.Kind.WISH
            )
            writer.writerow(
                csv_cell(value)
                for value in [
                    req.campaign.name,
                    req.student.family.name,
                    req.student.family.reference_email,
                    req.student.display_name,
                    req.get_status_display(),
                    ", ".join(
                        f"{line.discipline.name} : {line.waitlist_position}"
                        for line in lines
                        if line.decision == Line.Decision.WAITLISTED
                    ),
                    ", ".join(
                        f"{line.discipline.name} : {line.refusal_reason}"
                        for line in lines
                        if line.decision == Line.Decision.REFUSED
                    ),
                    names(Line.Kind.CONTINUE),
                    names(Line.Kind.STOP),
                    wishes,
                    ", ".join(line.assigned_course.name for line in lines if line.assigned_course),
                    req.comment,
                    timezone.localtime(req.submitted_at).strftime("%d/%m/%Y %H:%M"),
                ]
            )
        return response
