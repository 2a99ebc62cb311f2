"""Staff's side of the pré-inscription: the applications, flagged when they may duplicate an
existing family, and the answer to each wish (place in a course, waiting list with its
position, refusal with a reason) through `services.decide_wishes`."""

from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.access import private_download
from portal.admin import PortalModelAdmin
from portal.security_log import log_event
from reenrolment.admin import COURSE_ORDER, course_choice_label
from students.models import HEALTH_KINDS, Course, may_open_documents, may_open_health_documents

from . import services
from .models import (
    ApplicantResponsable,
    ApplicantStudent,
    Application,
    ApplicationConsent,
    ApplicationDocument,
    Wish,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ResponsableInline(ReadOnlyInline):
    model = ApplicantResponsable
    fields = ["rank", "civility", "last_name", "first_name", "email", "mobile"]


class StudentInline(ReadOnlyInline):
    model = ApplicantStudent
    fields = ["last_name", "first_name", "birth_date", "student"]


class ConsentInline(ReadOnlyInline):
    model = ApplicationConsent
    fields = ["requirement", "accepted_at"]


class DocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    fields = ["kind", "student", "document_date", "uploaded_at", "open_link"]

    @admin.display(description=_("fichier"))
    def open_link(self, document):
        if document.pk is None:
            return "—"
        url = reverse("admin:preinscription_application_document", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Ouvrir"))


class WishAdminForm(forms.ModelForm):
    """One wish: its course (of the wish's discipline in the period's season), its answer, the
    waiting list position and the refusal reason; saved through `services.decide_wishes`."""

    answer = forms.ChoiceField(label=_("Réponse"), choices=Wish.Decision.choices, required=False)
    position = forms.IntegerField(
        label=_("Position sur la liste d'attente"),
        min_value=1,
        required=False,
        help_text=_("Vide : à la suite de la liste de la discipline."),
    )
    reason = forms.CharField(
        label=_("Motif du refus"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Wish
        fields = ["course"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wish = self.instance
        field = self.fields["course"]
        courses = Course.objects.none()
        if wish.pk:
            courses = Course.objects.filter(
                season_id=wish.application.campaign.season_id, discipline_id=wish.discipline_id
            )
        field.queryset = courses.order_by(*COURSE_ORDER)
        field.label_from_instance = course_choice_label
        field.help_text = _("Obligatoire pour accepter.")
        self.fields["answer"].initial = wish.decision
        self.fields["position"].initial = wish.waitlist_position
        self.fields["reason"].initial = wish.refusal_reason
        if wish.pk and wish.decision == Wish.Decision.ACCEPTED:
            for name in ("course", "answer", "position", "reason"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        self.wish_decision = None
        wish = self.instance
        answer = cleaned.get("answer")
        if not wish.pk or not answer or self.fields["answer"].disabled:
            return cleaned
        position = cleaned.get("position")
        reason = (cleaned.get("reason") or "").strip()
        course = cleaned.get("course")
        unchanged = answer == wish.decision and (
            answer == Wish.Decision.PENDING
            or (answer == Wish.Decision.WAITLISTED and position in (None, wish.waitlist_position))
            or (answer == Wish.Decision.REFUSED and reason == wish.refusal_reason)
        )
        if unchanged:
            return cleaned
        try:
            services.check_wish_decision(
                wish,
                answer,
                season=wish.application.campaign.season,
                course=course,
                reason=reason,
            )
        except services.DecisionError as error:
            field = {"decision": "answer"}.get(error.field, error.field)
            self.add_error(field if field in self.fields else None, str(error))
            return cleaned
        self.wish_decision = services.WishDecision(wish.pk, answer, course, position, reason)
        return cleaned


class WishInline(admin.TabularInline):
    model = Wish
    form = WishAdminForm
    extra = 0
    can_delete = False
    fields = ["student", "preference", "discipline", "course", "answer", "position", "reason"]
    readonly_fields = ["student", "preference", "discipline"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("student", "discipline", "course", "application__campaign__season")
        )


class DuplicateFilter(admin.SimpleListFilter):
    title = _("doublon possible")
    parameter_name = "doublon"

    def lookups(self, request, model_admin):
        return [("oui", _("Oui")), ("non", _("Non"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(duplicate_total__gt=0)
        if self.value() == "non":
            return queryset.filter(duplicate_total=0)
        return queryset


class ToDecideFilter(admin.SimpleListFilter):
    title = _("réponse")
    parameter_name = "a_decider"

    def lookups(self, request, model_admin):
        return [("oui", _("Vœux à décider"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.to_decide()
        return queryset


@admin.register(Application)
class ApplicationAdmin(PortalModelAdmin):
    list_display = [
        "reference",
        "applicant",
        "campaign",
        "submitted_at",
        "status",
        "is_complete",
        "duplicate_flag",
        "family_link",
    ]
    list_filter = ["campaign", "status", ToDecideFilter, "is_complete", DuplicateFilter]
    search_fields = [
        "reference",
        "email",
        "responsables__last_name",
        "students__last_name",
        "students__first_name",
    ]
    date_hierarchy = "submitted_at"
    inlines = [ResponsableInline, StudentInline, WishInline, DocumentInline, ConsentInline]
    readonly_fields = [
        "reference",
        "campaign",
        "status",
        "submitted_at",
        "email",
        "reference_mobile",
        "home_phone",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "comment",
        "is_complete",
        "duplicates",
        "family_link",
        "decided_at",
        "decided_by",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "campaign", "status", "submitted_at", "is_complete"]}),
        (
            _("Coordonnées"),
            {
                "fields": [
                    "email",
                    "reference_mobile",
                    "home_phone",
                    "address_line1",
                    "address_line2",
                    "postal_code",
                    "city",
                    "comment",
                ]
            },
        ),
        (_("Familles existantes"), {"fields": ["duplicates", "family_link"]}),
        (_("Réponse"), {"fields": ["decided_at", "decided_by"]}),
    ]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("campaign", "family")
            .prefetch_related("responsables")
            .annotate(duplicate_total=Count("possible_duplicates", distinct=True))
        )

    @admin.display(description=_("demandeur"))
    def applicant(self, application):
        return application.family_name

    @admin.display(description=_("doublon possible"), boolean=True, ordering="duplicate_total")
    def duplicate_flag(self, application):
        return application.duplicate_total > 0

    @admin.display(description=_("familles existantes semblables"))
    def duplicates(self, application):
        families = list(application.possible_duplicates.all())
        if not families:
            return _("Aucune")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:families_family_change", args=[family.pk]), str(family))
                for family in families
            ),
        )

    @admin.display(description=_("famille créée"))
    def family_link(self, application):
        if application.family_id is None:
            return "—"
        url = reverse("admin:families_family_change", args=[application.family_id])
        return format_html(
            '<a href="{}">{}</a> — {}',
            url,
            application.family,
            _("« Envoyer les accès au portail » depuis ses responsables."),
        )

    def delete_model(self, request, obj):
        services.delete_applications(Application.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_applications(queryset)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Wish:
            formset.save()
            return
        # Nothing is saved by the formset itself (the admin's history reads these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        decisions = [
            f.wish_decision for f in formset.forms if getattr(f, "wish_decision", None) is not None
        ]
        if not decisions:
            return
        application = services.decide_wishes(
            application=form.instance, decisions=decisions, by=request.user
        )
        log_event(
            "preinscription_decided",
            request,
            application=application.pk,
            family=application.family_id or "",
        )
        if application.family_id is not None:
            messages.info(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("La famille est créée :"),
                    reverse("admin:families_family_change", args=[application.family_id]),
                    _("envoyez-lui ses accès au portail depuis sa fiche."),
                ),
            )

    def get_urls(self):
        return [
            path(
                "documents/<int:pk>/",
                self.admin_site.admin_view(self.document_view),
                name="preinscription_application_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, pk):
        """A document uploaded with an application, to staff allowed to open the families'
        documents (health documents: with that permission too)."""
        document = get_object_or_404(ApplicationDocument, pk=pk)
        allowed = (
            may_open_health_documents(request.user)
            if document.kind in HEALTH_KINDS
            else may_open_documents(request.user)
        )
        if not (allowed and self.has_view_permission(request)):
            raise PermissionDenied
        extension = PurePath(document.file.name).suffix
        return private_download(
            default_storage.open(document.file.name, "rb"),
            filename=f"{slugify(document.get_kind_display())}-{document.application_id}{extension}",
            content_type=document.content_type,
        )
