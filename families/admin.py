"""Staff edit families with the same forms, rules, receipt and history as the Famille tab."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from phonenumber_field.phonenumber import PhoneNumber, to_python

from accounts.models import User
from accounts.services import (
    AccessRecentlySent,
    NoEmailAddress,
    access_email,
    grant_portal_access,
    revoke_portal_access,
)
from families.forms import RESPONSABLE_FIELDS, FamilyAdminForm, ResponsableForm
from families.models import Family, Responsable
from families.services import update_family_record
from frontdesk.admin import FamilyUnlockMixin
from importing.admin import LegacyImportMixin
from importing.resources import FamilyResource, ResponsableResource
from messaging.admin import FamilyDeliveryInline, may_send, write_to_families
from portal.admin import ListedChangesHistoryAdmin, report_action
from portal.dates import long_datetime
from portal.french import of_name
from portal.security_log import log_event
from portal.validators import format_phone
from students.models import Student

PHONE_FIELDS = [
    "home_phone",
    "reference_mobile",
    "extra_phone_1",
    "extra_phone_2",
    "extra_phone_3",
    "responsables__mobile",
    "responsables__work_phone",
]


def family_ids_matching(word: str):
    """Ids of the families with `word` in a searched field, as one UNION subquery."""
    by_family = [
        Family.objects.filter(**{f"{name}__icontains": word}).order_by().values("pk")
        for name in ("name", "city", "reference_email")
    ]
    by_responsable = [
        Responsable.objects.filter(**{f"{name}__icontains": word}).order_by().values("family_id")
        for name in ("last_name", "first_name", "email")
    ]
    by_account = User.objects.filter(username__icontains=word, family__isnull=False).order_by()
    # SQLite refuses ORDER BY inside compound statements: every part is unordered.
    return by_family[0].union(*by_family[1:], *by_responsable, by_account.values("family_id"))


class ResponsableAdminForm(ResponsableForm):
    class Meta(ResponsableForm.Meta):
        fields = ["rank", *RESPONSABLE_FIELDS]


class ResponsableInline(admin.StackedInline):
    model = Responsable
    form = ResponsableAdminForm
    extra = 0
    max_num = 2
    readonly_fields = ["portal_access"]

    @admin.display(description=_("Accès au portail"))
    def portal_access(self, responsable):
        if responsable.pk is None:
            return "—"
        account = getattr(responsable, "account", None)
        if account is None:
            state = _("aucun compte")
        elif account.is_active:
            state = _("identifiant %(username)s") % {"username": account.username}
        else:
            state = _("accès retiré (identifiant %(username)s)") % {"username": account.username}
        url = reverse(
            "admin:families_family_access",
            kwargs={"family_id": responsable.family_id, "rank": responsable.rank},
        )
        return format_html(
            '{} — <a href="{}">{}</a>', state, url, _("Envoyer les accès au portail")
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


class StudentInline(admin.TabularInline):
    """Shown for reference; a student's record is edited on its own page."""

    model = Student
    fields = ["first_name", "last_name", "birth_date", "left_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class IncompleteFilter(admin.SimpleListFilter):
    title = _("fiche")
    parameter_name = "fiche"

    def lookups(self, request, model_admin):
        return [("incomplete", _("incomplète")), ("complete", _("complète"))]

    def queryset(self, request, queryset):
        incomplete = Family.objects.incomplete().values("pk")
        if self.value() == "incomplete":
            return queryset.filter(pk__in=incomplete)
        if self.value() == "complete":
            return queryset.exclude(pk__in=incomplete)
        return queryset


class PortalAccessFilter(admin.SimpleListFilter):
    title = _("accès au portail")
    parameter_name = "acces"

    def lookups(self, request, model_admin):
        return [("yes", _("au moins un accès actif")), ("no", _("aucun accès actif"))]

    def queryset(self, request, queryset):
        active = User.objects.filter(is_active=True, family__isnull=False).values("family_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


class SecondResponsableFilter(admin.SimpleListFilter):
    title = _("responsable 2")
    parameter_name = "responsable2"

    def lookups(self, request, model_admin):
        return [("yes", _("oui")), ("no", _("non"))]

    def queryset(self, request, queryset):
        second = Responsable.objects.filter(rank=2).values("family_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=second)
        if self.value() == "no":
            return queryset.exclude(pk__in=second)
        return queryset


class FamilyChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # phonenumber_field parses every phone it loads, and the list shows only the reference
        # mobile: loading the other phones made a page of 100 families ~30 % slower.
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer("home_phone", "extra_phone_1", "extra_phone_2", "extra_phone_3")


@admin.register(Family)
class FamilyAdmin(FamilyUnlockMixin, LegacyImportMixin, ListedChangesHistoryAdmin):
    form = FamilyAdminForm
    # "Importer": the previous software's files (importing/, docs/import.md).
    resource_classes = [FamilyResource, ResponsableResource]
    list_display = ["__str__", "name", "city", "reference_email", "reference_mobile_fr"]
    list_filter = [IncompleteFilter, PortalAccessFilter, SecondResponsableFilter]
    # Counting all families on every search page costs a full scan at 100 000 families.
    show_full_result_count = False
    search_fields = [
        "name",
        "city",
        "reference_email",
        "responsables__last_name",
        "responsables__first_name",
        "responsables__email",
        "accounts__username",
    ]
    inlines = [ResponsableInline, StudentInline, FamilyDeliveryInline]
    actions = ["send_portal_access", write_to_families]

    def has_send_message_permission(self, request):
        return may_send(request)

    def get_queryset(self, request):
        # The responsables name the family (__str__); their phones are not shown.
        responsables = Responsable.objects.defer("mobile", "work_phone")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("responsables", queryset=responsables))
        )

    def get_changelist(self, request, **kwargs):
        return FamilyChangeList

    @admin.display(description=_("mobile de référence"), ordering="reference_mobile")
    def reference_mobile_fr(self, family):
        return format_phone(family.reference_mobile)

    def get_search_results(self, request, queryset, search_term):
        """Each word must match a family field, a responsable or an identifiant.

        Each word becomes `pk IN (a UNION of one indexed lookup per field)`: no join, no
        DISTINCT over the whole table, and on PostgreSQL every lookup is answered by a trigram
        index (migration 0003). A phone number, however it is typed, finds the stored E.164
        number.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        number = to_python(term)
        if isinstance(number, PhoneNumber) and number.is_valid():
            family_phones = Q()
            for name in PHONE_FIELDS:
                if "__" not in name:
                    family_phones |= Q(**{name: number})
            by_responsable = Responsable.objects.filter(Q(mobile=number) | Q(work_phone=number))
            return queryset.filter(
                family_phones | Q(pk__in=by_responsable.values("family_id"))
            ), False
        words = term.split()
        # A word under 3 letters ("le" in "le gall") matches nearly every family and no
        # trigram index can serve it: the longer words of the search are enough to narrow it.
        for word in [w for w in words if len(w) >= 3] or words:
            queryset = queryset.filter(pk__in=family_ids_matching(word))
        return queryset, False

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        # An edit is saved in save_related, with its responsables, as one change: one history
        # row, one receipt to the family.

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is not Responsable:
                self.save_formset(request, form, formset, change=change)
                continue
            deleted = formset.deleted_forms
            kept = [f for f in formset.forms if f not in deleted]
            new = [f for f in kept if f.instance.pk is None and f.has_changed()]
            changed = [f for f in kept if f.instance.pk is not None and f.has_changed()]
            removed = [f.instance for f in deleted if f.instance.pk]
            update_family_record(
                family=form.instance,
                family_form=form,
                responsable_forms=kept,
                removed_responsables=removed,
                user=request.user,
            )
            # What formset.save() would have recorded, for the admin's change message.
            formset.new_objects = [f.instance for f in new]
            formset.changed_objects = [(f.instance, f.changed_data) for f in changed]
            formset.deleted_objects = removed
        return None

    def get_urls(self):
        return [
            path(
                "<int:family_id>/acces/<int:rank>/",
                self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.access_view)),
                name="families_family_access",
            ),
            *super().get_urls(),
        ]

    def access_view(self, request, family_id, rank):
        """ "Envoyer les accès au portail" (or remove them) for one responsable."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        family = get_object_or_404(Family, pk=family_id)
        responsable = get_object_or_404(Responsable, family=family, rank=rank)
        account = User.objects.filter(family=family, responsable=responsable).first()
        change_url = reverse("admin:families_family_change", args=[family.pk])
        if request.method == "POST":
            self._change_access(request, family, responsable, account)
            return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/families/family/portal_access.html",
            {
                **self.admin_site.each_context(request),
                "opts": Family._meta,
                "title": _("Accès au portail %(of_name)s")
                % {"of_name": of_name(responsable.display_name)},
                "family": family,
                "responsable": responsable,
                "email": access_email(family, responsable),
                "account": account,
                "change_url": change_url,
            },
        )

    def _change_access(self, request, family, responsable, account) -> None:
        if request.POST.get("action") == "revoke":
            if account is not None:
                revoke_portal_access(user=account)
                log_event("access_revoked", request, account=account.pk, family=family.pk)
                self.message_user(request, _("L'accès au portail est retiré."), messages.SUCCESS)
            return
        try:
            user = grant_portal_access(family=family, responsable=responsable)
        except NoEmailAddress:
            self.message_user(
                request,
                _("Aucune adresse e-mail pour ce responsable : rien n'a été envoyé."),
                messages.ERROR,
            )
        except AccessRecentlySent as recent:
            self.message_user(request, recently_sent_message(recent), messages.WARNING)
        else:
            log_event("access_sent", request, account=user.pk, family=family.pk)
            self.message_user(
                request,
                _("Accès au portail envoyés à %(email)s (identifiant %(username)s).")
                % {"email": user.email, "username": user.username},
                messages.SUCCESS,
            )

    @admin.action(description=_("Envoyer les accès au portail (responsable 1)"))
    def send_portal_access(self, request, queryset):
        sent, no_email, recent = 0, [], []
        for family in queryset.prefetch_related("responsables"):
            try:
                user = grant_portal_access(family=family)
            except NoEmailAddress:
                no_email.append(str(family))
            except AccessRecentlySent as error:
                recent.append(
                    _("%(family)s (le %(when)s)")
                    % {"family": family, "when": long_datetime(error.sent_at)}
                )
            else:
                log_event("access_sent", request, account=user.pk, family=family.pk)
                sent += 1
        report_action(
            self,
            request,
            done=sent,
            done_text=ngettext(
                "Accès au portail envoyés à %(count)d famille.",
                "Accès au portail envoyés à %(count)d familles.",
                sent,
            )
            % {"count": sent},
            problems=[
                (_("Aucun e-mail de référence, rien n'a été envoyé à"), no_email),
                (
                    _("Accès déjà envoyés il y a moins de %(minutes)d minutes, non renvoyés à")
                    % {"minutes": interval_minutes()},
                    recent,
                ),
            ],
        )


def interval_minutes() -> int:
    return int(settings.ACCESS_EMAIL_INTERVAL.total_seconds() // 60)


def recently_sent_message(recent: AccessRecentlySent) -> str:
    return _(
        "Les accès ont déjà été envoyés à %(email)s le %(when)s : rien n'a été renvoyé. "
        "Un nouvel envoi sera possible à partir du %(next)s."
    ) % {
        "email": recent.user.email,
        "when": long_datetime(recent.sent_at),
        "next": long_datetime(recent.next_at),
    }
