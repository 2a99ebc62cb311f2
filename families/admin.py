from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.services import NoEmailAddress, grant_portal_access
from families.models import Family, Responsable


class ResponsableInline(admin.StackedInline):
    model = Responsable
    extra = 0
    max_num = 2


@admin.register(Family)
class FamilyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "city", "reference_email", "reference_mobile"]
    search_fields = ["name", "reference_email", "city", "responsables__last_name"]
    inlines = [ResponsableInline]
    actions = ["send_portal_access"]
    exclude = ["version"]

    @admin.action(description=_("Envoyer les accès au portail"))
    def send_portal_access(self, request, queryset):
        sent, missing = 0, []
        for family in queryset.prefetch_related("responsables"):
            try:
                grant_portal_access(family=family)
            except NoEmailAddress:
                missing.append(str(family))
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Accès au portail envoyés à %(count)d famille.",
                    "Accès au portail envoyés à %(count)d familles.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if missing:
            self.message_user(
                request,
                _("Aucun e-mail de référence, rien n'a été envoyé à : %(families)s")
                % {"families": ", ".join(missing)},
                messages.ERROR,
            )
