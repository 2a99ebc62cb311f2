"""The locked-out accounts' list, and "Débloquer" on a family's page (FamilyUnlockMixin)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from frontdesk.models import LockedAccount, locked_accounts
from frontdesk.services import unlock_accounts
from portal.admin import PortalModelAdmin, ReadOnlyAdminMixin
from portal.dates import long_datetime

UNLOCK_PERMISSION = "frontdesk.unlock_account"


def may_unlock(request) -> bool:
    return request.user.has_perm(UNLOCK_PERMISSION)


def unlocked_message(unlocked) -> str:
    if not unlocked:
        return _("Aucun compte n'était bloqué : rien n'a changé.")
    return ngettext(
        "Connexion débloquée pour l'identifiant %(usernames)s : il peut se reconnecter.",
        "Connexion débloquée pour les identifiants %(usernames)s : ils peuvent se reconnecter.",
        len(unlocked),
    ) % {"usernames": ", ".join(account.username for account in unlocked)}


@admin.register(LockedAccount)
class LockedAccountAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Read-only: the accounts locked out now, and the action that unlocks them."""

    list_display = ["username", "family", "is_staff", "last_failure"]
    list_select_related = ["family"]
    search_fields = ["username", "family__name"]
    actions = ["unlock"]

    def get_queryset(self, request):
        last = (
            AccessAttempt.objects.filter(username=OuterRef("username"))
            .order_by()
            .values("username")
            .annotate(last=Max("attempt_time"))
            .values("last")
        )
        return locked_accounts().select_related("family").annotate(last_failure_at=Subquery(last))

    @admin.display(description=_("bloqué jusqu'au"), ordering="last_failure_at")
    def last_failure(self, account):
        if account.last_failure_at is None:
            return "—"
        return long_datetime(account.last_failure_at + settings.AXES_COOLOFF_TIME)

    def has_unlock_permission(self, request):
        return may_unlock(request)

    @admin.action(description=_("Débloquer les comptes sélectionnés"), permissions=["unlock"])
    def unlock(self, request, queryset):
        unlocked = unlock_accounts(queryset, request)
        self.message_user(
            request, unlocked_message(unlocked), messages.SUCCESS if unlocked else messages.INFO
        )


class FamilyUnlockMixin:
    """For FamilyAdmin: the family's page says which of its accounts are locked out and, to
    staff with `frontdesk.unlock_account`, offers "Débloquer" (a POST to `unlock_view`)."""

    def get_urls(self):
        return [
            path(
                "<int:family_id>/debloquer/",
                self.admin_site.admin_view(require_POST(self.unlock_view)),
                name="families_family_unlock",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if may_unlock(request) and str(object_id).isdigit():
            extra_context["locked_accounts"] = list(
                locked_accounts().filter(family_id=object_id).order_by("username")
            )
            extra_context["lockout_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return super().change_view(request, object_id, form_url, extra_context)

    def unlock_view(self, request, family_id):
        family = get_object_or_404(self.model, pk=family_id)
        if not (self.has_view_or_change_permission(request, family) and may_unlock(request)):
            raise PermissionDenied
        unlocked = unlock_accounts(User.objects.filter(family=family).order_by("username"), request)
        self.message_user(
            request, unlocked_message(unlocked), messages.SUCCESS if unlocked else messages.INFO
        )
        return redirect(reverse("admin:families_family_change", args=[family.pk]))
