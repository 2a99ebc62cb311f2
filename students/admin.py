from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from importing.admin import LegacyImportMixin
from importing.resources import EnrolmentResource, StudentResource
from portal.admin import ListedChangesHistoryAdmin, PortalModelAdmin
from students.capacity import CourseFull, check_place, enrol, lock_course
from students.course_copy import copy_courses_to_next_season
from students.forms import StudentForm
from students.models import (
    Course,
    Department,
    Discipline,
    Document,
    DocumentKind,
    DocumentToReview,
    Enrolment,
    Season,
    Student,
    WaitlistEntry,
    may_open_health_documents,
)
from students.rosters import Roster, may_view_rosters, roster, roster_csv, roster_pdf, season_counts
from students.services import (
    SUPERSEDED_MESSAGE,
    archive_students,
    check_quotient,
    record_enrolment_changes,
    refusal_reason,
    restore_students,
    review_document,
    update_student_record,
)
from students.waitlist import add, leave, promote_first


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, course):
        return course.choice_label


class EnrolmentAdminForm(forms.ModelForm):
    """One enrolment of the student's page. The courses offered are those of the current
    season and the next ones, current season first (an existing enrolment keeps its course:
    to change it, delete it and add the other). A full course is refused unless staff tick
    "Inscrire au-delà des places" (`students.capacity`)."""

    course = CourseChoiceField(label=_("cours"), queryset=Course.objects.none())
    override = forms.BooleanField(
        label=_("Inscrire au-delà des places"),
        required=False,
        help_text=_("Cours complet : forcer l'inscription (enregistré avec votre nom)."),
    )

    class Meta:
        model = Enrolment
        fields = ["course"]

    # Set per request by `EnrolmentInline.get_formset`: the choices, read once for all rows.
    courses = Course.objects.none()
    course_choices = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["course"]
        field.queryset = self.courses
        if self.course_choices is not None:
            field.choices = self.course_choices
        if self.instance.pk:
            field.disabled = True
            self.fields["override"].disabled = True

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        if self.instance.pk or course is None or cleaned.get("DELETE"):
            return cleaned
        # The admin's request runs in one transaction: the course stays locked until the
        # enrolment is written (`StudentAdmin.save_formset` → `enrol`).
        try:
            check_place(lock_course(course), override=cleaned.get("override", False))
        except CourseFull as error:
            query = urlencode(
                {
                    "course": course.pk,
                    **({"student": self.instance.student_id} if self.instance.student_id else {}),
                }
            )
            url = f"{reverse('admin:students_waitlistentry_add')}?{query}"
            self.add_error(
                "course",
                format_html(
                    '{} <a href="{}">{}</a>',
                    error.messages[0],
                    url,
                    _("Mettre sur la liste d'attente"),
                ),
            )
        return cleaned


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    form = EnrolmentAdminForm
    extra = 0
    fields = ["course", "override", "over_capacity", "created_by", "created_at"]
    readonly_fields = ["over_capacity", "created_by", "created_at"]

    def get_queryset(self, request):
        # The row title (str) names the student and the course.
        return (
            super().get_queryset(request).select_related("student", "course__season", "created_by")
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        kept = list(obj.enrolments.values_list("course_id", flat=True)) if obj else []
        courses = Course.objects.for_choices(keep=kept)
        choices = [("", "---------"), *((c.pk, c.choice_label) for c in courses)]
        formset.form = type(
            "EnrolmentForm", (formset.form,), {"courses": courses, "course_choices": choices}
        )
        return formset


class StudentAdminForm(StudentForm):
    """The family's form and rules, plus the family; staff may leave the consents unknown."""

    class Meta(StudentForm.Meta):
        fields = ["family", *StudentForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("image_rights", "may_leave_alone"):
            self.fields[name].required = False
            self.fields[name].empty_value = None


class PresenceFilter(admin.SimpleListFilter):
    title = _("présence")
    parameter_name = "presence"

    def lookups(self, request, model_admin):
        return [("present", _("élèves actuels")), ("left", _("archivés (partis)"))]

    def queryset(self, request, queryset):
        if self.value() == "present":
            return queryset.present()
        if self.value() == "left":
            return queryset.exclude(left_on=None)
        return queryset


@admin.register(Student)
class StudentAdmin(LegacyImportMixin, ListedChangesHistoryAdmin):
    form = StudentAdminForm
    # "Importer": the previous software's files (importing/, docs/import.md).
    resource_classes = [StudentResource, EnrolmentResource]
    list_display = ["last_name", "first_name", "family", "birth_date", "left_on"]
    list_select_related = ["family"]
    list_filter = [PresenceFilter]
    readonly_fields = ["left_on"]
    actions = ["archive", "restore"]

    # A student is never deleted (its enrolments, requests, consents, documents and invoices
    # are history): one who leaves is archived.
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Archiver (l'élève a quitté le centre)"), permissions=["change"])
    def archive(self, request, queryset):
        count = archive_students(queryset, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d élève archivé : il n'apparaît plus dans les listes de la famille.",
                "%(count)d élèves archivés : ils n'apparaissent plus dans les listes de la "
                "famille.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Réactiver (l'élève revient au centre)"), permissions=["change"])
    def restore(self, request, queryset):
        count = restore_students(queryset, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d élève réactivé.", "%(count)d élèves réactivés.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("family__responsables")

    search_fields = ["last_name", "first_name", "family__name"]
    autocomplete_fields = ["family"]
    inlines = [EnrolmentInline]

    def save_model(self, request, obj, form, change):
        # A staff edit is saved as the family's are: version, listed changes, receipt.
        if not change or not update_student_record(student=obj, form=form, user=request.user):
            super().save_model(request, obj, form, change)
        if not change or {"first_name", "last_name", "birth_date"} & set(form.changed_data):
            self._warn_of_namesakes(request, obj)

    def _warn_of_namesakes(self, request, student):
        """The same child in another family may be a child of separated parents, or a
        mistake: staff are told, and decide."""
        others = student.namesakes(
            Student.objects.exclude(family_id=student.family_id).prefetch_related(
                "family__responsables"
            )
        )
        families = [other.family for other in others]
        if families:
            messages.warning(
                request,
                gettext(
                    "Attention : %(name)s, né(e) le %(date)s, est aussi élève de la famille "
                    "%(families)s. Vérifiez qu'il ne s'agit pas d'un doublon."
                )
                % {
                    "name": student.display_name,
                    "date": date_format(student.birth_date),
                    "families": ", ".join(str(family) for family in families),
                },
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Enrolment:
            return super().save_formset(request, form, formset, change)
        # New enrolments go through the one enrolment rule (places, waiting list).
        formset.save(commit=False)
        for enrolment in formset.deleted_objects:
            enrolment.delete()
            self._tell_of_waiting_students(request, enrolment.course)
        for enrolment_form in formset.forms:
            if (
                enrolment_form.instance.pk
                or enrolment_form in formset.deleted_forms
                or not enrolment_form.has_changed()
            ):
                continue
            enrol(
                form.instance,
                enrolment_form.cleaned_data["course"],
                override=enrolment_form.cleaned_data.get("override", False),
                by=request.user,
            )

    def _tell_of_waiting_students(self, request, course):
        """A place freed in a course others wait for: staff are pointed to the promotion."""
        waiting = course.waitlist.count()
        if waiting:
            messages.info(
                request,
                ngettext(
                    "Une place s'est libérée au cours « %(course)s » : %(count)d élève attend. "
                    "Inscrivez-le depuis la liste des cours (action « Inscrire le premier de la "
                    "liste d'attente »).",
                    "Une place s'est libérée au cours « %(course)s » : %(count)d élèves "
                    "attendent. Inscrivez le premier depuis la liste des cours (action "
                    "« Inscrire le premier de la liste d'attente »).",
                    waiting,
                )
                % {"course": course, "count": waiting},
            )

    def save_related(self, request, form, formsets, change):
        # Enrolments staff add or remove here are listed in the student's history.
        student = form.instance
        before = set(student.enrolments.values_list("course_id", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(student.enrolments.values_list("course_id", flat=True))
        courses = Course.objects.in_bulk(before ^ after)
        record_enrolment_changes(
            student=student,
            added=[courses[pk] for pk in sorted(after - before)],
            removed=[courses[pk] for pk in sorted(before - after)],
            user=request.user,
        )


@admin.register(Season)
class SeasonAdmin(PortalModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "is_current"]
    actions = ["copy_courses_to_next_season"]

    @admin.action(
        description=_("Copier les cours vers la saison suivante"), permissions=["add_course"]
    )
    def copy_courses_to_next_season(self, request, queryset):
        seasons = list(queryset[:2])
        if len(seasons) != 1:
            self.message_user(
                request,
                gettext("Choisissez une seule saison : celle dont les cours sont copiés."),
                messages.ERROR,
            )
            return
        try:
            target, copied = copy_courses_to_next_season(seasons[0])
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d cours copié de la saison %(source)s vers la saison %(target)s : "
                "vérifiez ses professeurs, salles, horaires et places.",
                "%(count)d cours copiés de la saison %(source)s vers la saison %(target)s : "
                "vérifiez leurs professeurs, salles, horaires et places.",
                len(copied),
            )
            % {"count": len(copied), "source": seasons[0], "target": target},
            messages.SUCCESS,
        )

    def has_add_course_permission(self, request):
        return request.user.has_perm("students.add_course")


@admin.register(Department)
class DepartmentAdmin(PortalModelAdmin):
    list_display = ["name", "kind"]


@admin.register(Discipline)
class DisciplineAdmin(PortalModelAdmin):
    list_display = ["name", "department", "category"]
    list_editable = ["category"]
    list_filter = ["department", "category"]
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(PortalModelAdmin):
    list_display = [
        "name",
        "discipline",
        "season",
        "teacher",
        "room",
        "weekday",
        "start_time",
        "end_time",
        "capacity",
        "enrolled",
        "waiting",
        "roster_link",
    ]
    list_select_related = ["discipline", "season"]
    list_filter = ["season", "discipline__department"]
    search_fields = ["name", "discipline__name", "teacher", "room"]
    readonly_fields = ["roster_link", "waiting_list"]
    actions = ["promote_first_waiting"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def get_ordering(self, request):
        # The current season first (then the next one, then the past ones).
        return [F("season__is_current").desc(), "-season__starts_on", "discipline__name", "name"]

    def get_search_results(self, request, queryset, search_term):
        # Autocompletes (and searches) list the current season first as well.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.current_first(), may_have_duplicates

    @admin.display(description=_("inscrits"), ordering="enrolled")
    def enrolled(self, course):
        return course.enrolled

    @admin.display(description=_("en attente"), ordering="waiting")
    def waiting(self, course):
        return course.waiting

    @admin.display(description=_("liste des élèves"))
    def roster_link(self, course):
        if course.pk is None:
            return "—"
        url = reverse("admin:students_course_roster", args=[course.pk])
        return format_html('<a href="{}">{}</a>', url, _("Liste"))

    @admin.display(description=_("liste d'attente"))
    def waiting_list(self, course):
        """In order, each student linking to their place (to move or remove it)."""
        if course.pk is None:
            return "—"
        entries = [
            (
                reverse("admin:students_waitlistentry_change", args=[entry.pk]),
                entry.position,
                entry.student,
            )
            for entry in course.waitlist.select_related("student").order_by("position")
        ]
        if not entries:
            return _("Personne n'attend une place.")
        return format_html(
            "<ol>{}</ol>",
            format_html_join("", '<li value="{1}"><a href="{0}">{2}</a></li>', entries),
        )

    @admin.action(
        description=_("Inscrire le premier de la liste d'attente (place libérée)"),
        permissions=["change"],
    )
    def promote_first_waiting(self, request, queryset):
        for course in queryset.order_by("pk"):
            try:
                enrolment = promote_first(course, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            record_enrolment_changes(student=enrolment.student, added=[course], user=request.user)
            self.message_user(
                request,
                gettext("%(student)s est inscrit(e) au cours « %(course)s ».")
                % {"student": enrolment.student, "course": course},
                messages.SUCCESS,
            )

    def get_urls(self):
        own = [
            path(
                "effectifs/",
                self.admin_site.admin_view(self.counts_view),
                name="students_course_counts",
            ),
            path(
                "<int:pk>/liste/",
                self.admin_site.admin_view(self.roster_view),
                name="students_course_roster",
            ),
            path(
                "<int:pk>/liste.pdf",
                self.admin_site.admin_view(self.roster_pdf_view),
                name="students_course_roster_pdf",
            ),
            path(
                "<int:pk>/liste.csv",
                self.admin_site.admin_view(self.roster_csv_view),
                name="students_course_roster_csv",
            ),
        ]
        return [*own, *super().get_urls()]

    def _roster(self, request, pk) -> Roster:
        if not may_view_rosters(request.user):
            raise PermissionDenied
        course = get_object_or_404(Course.objects.select_related("season", "discipline"), pk=pk)
        return roster(course)

    def roster_view(self, request, pk):
        data = self._roster(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Liste des élèves — %(course)s") % {"course": data.course},
            "course": data.course,
            "roster": data,
        }
        return TemplateResponse(request, "admin/students/course/roster.html", context)

    def roster_pdf_view(self, request, pk):
        name, mimetype, data = roster_pdf(self._roster(request, pk))
        response = HttpResponse(data, content_type=mimetype)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response

    def roster_csv_view(self, request, pk):
        name, data = roster_csv(self._roster(request, pk))
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def counts_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        seasons = list(Season.objects.order_by("-starts_on"))
        chosen = request.GET.get("saison", "")
        season = next((s for s in seasons if str(s.pk) == chosen), None) or next(
            (s for s in seasons if s.is_current), seasons[0] if seasons else None
        )
        if season is None:
            self.message_user(
                request, gettext("Aucune saison : créez-en une d'abord."), messages.ERROR
            )
            return redirect("admin:students_season_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Effectifs par cours, discipline et département"),
            "seasons": seasons,
            "counts": season_counts(season),
            "may_view_rosters": may_view_rosters(request.user),
        }
        return TemplateResponse(request, "admin/students/course/counts.html", context)


class WaitlistEntryForm(forms.ModelForm):
    """Puts a student on a course's waiting list (last, or at a position), or moves them."""

    course = CourseChoiceField(label=_("cours"), queryset=Course.objects.none())
    at_position = forms.IntegerField(
        label=_("position"),
        min_value=1,
        required=False,
        help_text=_(
            "Vide : à la suite de la liste. Les élèves à partir de là reculent d'une place."
        ),
    )

    class Meta:
        model = WaitlistEntry
        fields = ["student", "course"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.for_choices(
            keep=[self.instance.course_id] if self.instance.course_id else None
        )
        if self.instance.pk:
            self.fields["at_position"].initial = self.instance.position
            self.fields["student"].disabled = True
            self.fields["course"].disabled = True

    def clean(self):
        cleaned = super().clean()
        student, course = cleaned.get("student"), cleaned.get("course")
        enrolled = Enrolment.objects.filter(student=student, course=course)
        if student and course and not self.instance.pk and enrolled.exists():
            self.add_error(
                "student",
                gettext("%(student)s est déjà inscrit(e) au cours « %(course)s ».")
                % {"student": student, "course": course},
            )
        return cleaned


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(PortalModelAdmin):
    form = WaitlistEntryForm
    list_display = ["course", "position", "student", "added_at", "added_by"]
    list_select_related = ["course__season", "student", "added_by"]
    list_filter = ["course__season", "course__discipline"]
    search_fields = ["student__last_name", "student__first_name", "course__name"]
    autocomplete_fields = ["student"]
    fields = ["student", "course", "at_position"]

    def get_ordering(self, request):
        return [F("course__season__is_current").desc(), "course__name", "course_id", "position"]

    def save_model(self, request, obj, form, change):
        entry = add(
            form.cleaned_data["student"] if not change else obj.student,
            form.cleaned_data["course"] if not change else obj.course,
            position=form.cleaned_data.get("at_position"),
            by=request.user,
        )
        obj.pk, obj.position = entry.pk, entry.position

    def delete_model(self, request, obj):
        leave(obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset.order_by("-position"):
            leave(entry)


class DocumentReviewForm(forms.ModelForm):
    """Validate, or refuse with the reason sent to the family: one step."""

    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("validate", _("Valider")), ("refuse", _("Refuser"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif (si refus)"),
        help_text=_("Envoyé à la famille par e-mail et affiché sur le portail."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    qf_value = forms.IntegerField(
        label=_("Quotient familial (€)"),
        help_text=_("Attestation de quotient familial : la valeur qui y figure."),
        min_value=0,
        required=False,
    )
    qf_valid_until = forms.DateField(
        label=_("Quotient familial valable jusqu'au"),
        help_text=_("Attestation de quotient familial : la fin de sa validité."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )

    class Meta:
        model = Document
        fields = []

    def clean(self):
        cleaned = super().clean()
        if not self.instance.is_current:
            raise ValidationError(SUPERSEDED_MESSAGE, code="superseded")
        if cleaned.get("decision") == "refuse":
            try:
                cleaned["reason"] = refusal_reason(cleaned.get("reason", ""))
            except ValidationError as error:
                self.add_error("reason", error)
        elif (
            cleaned.get("decision") == "validate"
            and self.instance.kind == DocumentKind.FAMILY_QUOTIENT
        ):
            try:
                check_quotient(cleaned.get("qf_value"), cleaned.get("qf_valid_until"))
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    if field not in self.errors:
                        self.add_error(field, messages_)
        return cleaned


QF_FIELDS = ("qf_value", "qf_valid_until")


def _may_open_certificates(request) -> bool:
    """Medical certificates and sworn health statements (health data)."""
    return may_open_health_documents(request.user)


def _restricted(field_name: str) -> str:
    return "preview_restricted" if field_name == "preview" else field_name


@admin.register(Document)
class DocumentAdmin(PortalModelAdmin):
    form = DocumentReviewForm
    list_display = [
        "kind",
        "family",
        "student",
        "season",
        "status",
        "document_date",
        "uploaded_at",
        "version",
        "download_link",
    ]
    list_select_related = ["family", "student", "season"]

    def get_queryset(self, request):
        # A family is shown as its first responsable's name: one query for the whole page.
        return super().get_queryset(request).prefetch_related("family__responsables")

    list_filter = ["status", "kind", "season", "is_current"]
    search_fields = ["family__name", "student__last_name", "student__first_name"]
    date_hierarchy = "uploaded_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "family",
                    "student",
                    "season",
                    "kind",
                    "document_date",
                    "status",
                    "version",
                    "refusal_reason",
                ]
            },
        ),
        (_("Fichier"), {"fields": ["preview", "original_name", "content_type", "size"]}),
        (_("Vérification"), {"fields": ["decision", "reason", "qf_value", "qf_valid_until"]}),
        (
            _("Suivi"),
            {
                "fields": [
                    "uploaded_at",
                    "uploaded_by",
                    "reviewed_at",
                    "reviewed_by",
                    "earlier_versions",
                ]
            },
        ),
    ]

    # Everything is read-only but the decision: staff review a document, they do not edit it.
    readonly_fields = [
        name
        for _name, options in fieldsets
        for name in options["fields"]
        if name not in DocumentReviewForm.declared_fields
    ]

    def has_add_permission(self, request):
        return False

    # A document goes with its file: `purge_documents` deletes both; the admin deletes neither.
    def has_delete_permission(self, request, obj=None):
        return False

    # Whether the user may open medical certificates decides which columns and fields are
    # shown (chosen per request: the ModelAdmin instance is shared by every request).
    def get_list_display(self, request):
        if _may_open_certificates(request):
            return self.list_display
        return [*self.list_display[:-1], "download_link_restricted"]

    def get_readonly_fields(self, request, obj=None):
        if _may_open_certificates(request):
            return self.readonly_fields
        return [*self.readonly_fields, "preview_restricted"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.fieldsets
        if obj is None or obj.kind != DocumentKind.FAMILY_QUOTIENT:
            # The QF and its validity are set when validating a QF attestation only.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f not in QF_FIELDS]})
                for name, options in fieldsets
            ]
        if _may_open_certificates(request):
            return fieldsets
        return [
            (name, {**options, "fields": [_restricted(f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=_("Version"), ordering="is_current")
    def version(self, document):
        """A version the family replaced stays, marked as such, for the record."""
        return _("en cours") if document.is_current else _("remplacé")

    @admin.display(description=_("Fichier"))
    def download_link(self, document):
        url = reverse("documents:download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Télécharger"))

    @admin.display(description=_("Fichier"))
    def download_link_restricted(self, document):
        if document.is_health_data:
            return _("réservé")
        return self.download_link(document)

    @admin.display(description=_("Aperçu"))
    def preview(self, document):
        url = reverse("documents:download", args=[document.pk])
        link = format_html('<a href="{}">{}</a>', url, _("Télécharger"))
        if document.is_image:
            return format_html(
                '<img src="{}?apercu=1" alt="{}" width="600"><br>{}',
                url,
                _("Aperçu du document"),
                link,
            )
        return link

    @admin.display(description=_("Aperçu"))
    def preview_restricted(self, document):
        if document.is_health_data:
            return _("Document de santé : réservé au personnel habilité.")
        return self.preview(document)

    @admin.display(description=_("Versions précédentes"))
    def earlier_versions(self, document):
        earlier = Document.objects.filter(
            family_id=document.family_id, student_id=document.student_id, is_current=False
        ).exclude(pk=document.pk)
        if document.student_id is None:
            earlier = earlier.filter(kind=document.kind)
        rows = [
            (
                reverse("admin:students_document_change", args=[version.pk]),
                f"{version.get_kind_display()} — {version.season} — "
                f"{version.uploaded_at:%d/%m/%Y} — {version.get_status_display()} — "
                f"{_('remplacé')}",
            )
            for version in earlier.select_related("season")
        ]
        return format_html_join("", '<div><a href="{}">{}</a></div>', rows) or "—"

    def has_change_permission(self, request, obj=None):
        # Deciding on a document requires being allowed to open it (health documents: the
        # health documents' permission).
        if obj is not None and not obj.may_be_opened_by_staff(request.user):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        review_document(
            document=obj,
            validate=form.cleaned_data["decision"] == "validate",
            reason=form.cleaned_data.get("reason", ""),
            reviewer=request.user,
            qf_value=form.cleaned_data.get("qf_value"),
            qf_valid_until=form.cleaned_data.get("qf_valid_until"),
        )


@admin.register(DocumentToReview)
class DocumentToReviewAdmin(DocumentAdmin):
    """The "documents à vérifier": the current versions waiting for a decision."""

    list_filter = ["kind", "season"]
    # The queue is the filtered list itself: a second count of it would read the same rows.
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(status=Document.Status.RECEIVED, is_current=True)
        )
