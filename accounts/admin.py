import axes.admin  # noqa: F401  (registers axes' own admin first, replaced below)
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from portal.admin import FrenchTitlesMixin
from portal.dates import long_datetime

for model in (AccessAttempt, AccessFailureLog, AccessLog, Group):
    admin.site.unregister(model)


@admin.register(Group)
class PortalGroupAdmin(FrenchTitlesMixin, GroupAdmin):
    """Staff groups (who may open medical certificates…), titled like every other list."""


@admin.register(User)
class PortalUserAdmin(FrenchTitlesMixin, UserAdmin):
    list_display = [
        "username",
        "email",
        "family",
        "responsable",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_select_related = ["family", "responsable"]
    search_fields = ["username", "email", "family__name", "last_name", "first_name"]
    autocomplete_fields = ["family"]
    raw_id_fields = ["responsable"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Portail"), {"fields": ("family", "responsable", "large_text", "high_contrast")}),
    )


# django-axes: the login-throttling records, in French and with readable dates. Its French
# catalogue names the fields; what it lacks is in locale/fr (see docs/i18n.md). Its records'
# own names ("Attempted Access: 2026-12-02 00:05:29.523377+00:00") title their pages.
def _attempt_str(record) -> str:
    return _("Tentative de %(login)s, %(when)s") % {
        "login": record.username or "?",
        "when": long_datetime(record.attempt_time),
    }


AccessAttempt.__str__ = _attempt_str
AccessFailureLog.__str__ = _attempt_str
AccessLog.__str__ = lambda record: (
    _("Connexion de %(login)s, %(when)s")
    % {
        "login": record.username or "?",
        "when": long_datetime(record.attempt_time),
    }
)


def lock_ends_at(attempt: AccessAttempt):
    """A lock ends AXES_COOLOFF_TIME after its last counted attempt (see accounts.views)."""
    return attempt.attempt_time + settings.AXES_COOLOFF_TIME


class LockedOutFilter(admin.SimpleListFilter):
    title = _("blocage")
    parameter_name = "locked_out"

    def lookups(self, request, model_admin):
        return [("yes", _("bloqué")), ("no", _("non bloqué"))]

    def queryset(self, request, queryset):
        limit = settings.AXES_FAILURE_LIMIT
        if self.value() == "yes":
            return queryset.filter(failures_since_start__gte=limit)
        if self.value() == "no":
            return queryset.filter(failures_since_start__lt=limit)
        return queryset


class AxesRecordAdmin(FrenchTitlesMixin, admin.ModelAdmin):
    """Read-only records: what was tried, when, from where."""

    date_hierarchy = "attempt_time"
    search_fields = ["ip_address", "username", "user_agent", "path_info"]

    @admin.display(description=_("date"), ordering="attempt_time")
    def when(self, record):
        return long_datetime(record.attempt_time)

    @admin.display(description=_("identifiant saisi"), ordering="username")
    def login(self, record):
        return record.username or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesRecordAdmin):
    list_display = ["when", "login", "ip_address", "path_info", "failures_since_start", "state"]
    list_filter = [LockedOutFilter, "path_info"]
    fields = [
        "when",
        "login",
        "ip_address",
        "path_info",
        "failures_since_start",
        "state",
        "user_agent",
    ]
    readonly_fields = fields
    actions = ["clean_up_expired"]

    @admin.display(description=_("état"))
    def state(self, attempt):
        limit = settings.AXES_FAILURE_LIMIT
        if attempt.failures_since_start < limit:
            left = limit - attempt.failures_since_start
            return ngettext("%(count)d essai restant", "%(count)d essais restants", left) % {
                "count": left
            }
        end = lock_ends_at(attempt)
        if end <= timezone.now():
            return _("blocage terminé le %(when)s") % {"when": long_datetime(end)}
        return _("bloqué jusqu'au %(when)s") % {"when": long_datetime(end)}

    @admin.action(description=_("Supprimer celles dont le blocage est terminé"))
    def clean_up_expired(self, request, queryset):
        # (Deleting an attempt through the delete action lifts its lock at once.)
        threshold = timezone.now() - settings.AXES_COOLOFF_TIME
        _total, deleted = queryset.filter(attempt_time__lt=threshold).delete()
        count = deleted.get(AccessAttempt._meta.label, 0)
        self.message_user(
            request,
            ngettext("%(count)d tentative supprimée.", "%(count)d tentatives supprimées.", count)
            % {"count": count},
        )


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(AxesRecordAdmin):
    list_display = ["when", "login", "ip_address", "path_info", "locked_out"]
    list_filter = ["locked_out", "path_info"]
    fields = ["when", "login", "ip_address", "path_info", "locked_out", "user_agent"]
    readonly_fields = fields


@admin.register(AccessLog)
class AccessLogAdmin(AxesRecordAdmin):
    list_display = ["when", "login", "ip_address", "logged_out", "path_info"]
    list_filter = ["path_info"]
    fields = ["when", "login", "ip_address", "path_info", "logged_out", "user_agent"]
    readonly_fields = fields

    @admin.display(description=_("déconnexion"), ordering="logout_time")
    def logged_out(self, record):
        return long_datetime(record.logout_time) if record.logout_time else "—"
