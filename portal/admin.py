from collections.abc import Sequence

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from post_office import admin as post_office_admin
from post_office.models import STATUS, Attachment, Email, EmailTemplate, Log
from simple_history.admin import SimpleHistoryAdmin

from portal.dates import long_datetime
from portal.editing import render_changes
from portal.history import stored_changes
from portal.models import Centre


class FrenchTitlesMixin:
    """Pages titled by what they show: a list by its plural ("Documents à vérifier"), not
    Django's "Sélectionnez l'objet document à vérifier à changer"; a record's page by its kind
    ("Famille"), the record itself as the subtitle below."""

    def changelist_view(self, request, extra_context=None):
        if IS_POPUP_VAR not in request.GET:
            title = capfirst(self.opts.verbose_name_plural)
            extra_context = {"title": title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            extra_context = {"title": capfirst(self.opts.verbose_name), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)


class PortalModelAdmin(FrenchTitlesMixin, admin.ModelAdmin):
    """The base of the portal's admin pages."""


class ReadOnlyAdminMixin:
    """A list to read (and act on through its actions): nothing is added, edited or deleted
    through the admin's forms."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def report_action(
    modeladmin,
    request,
    *,
    done: int,
    done_text: str,
    problems: Sequence[tuple[str, Sequence[str]]] = (),
) -> None:
    """One message for a bulk action, however many rows it touched: what was done, then each
    kind of row left out and why ("12 factures émises. 2 non émises : …"). Green when all went
    well, orange when part did, red when nothing did."""
    problems = [(label, items) for label, items in problems if items]
    parts = [done_text] if done or not problems else []
    parts += [
        gettext("%(problem)s : %(list)s.")
        % {"problem": label, "list": " ; ".join(item.rstrip(".") for item in items)}
        for label, items in problems
    ]
    if not problems:
        level = messages.SUCCESS
    elif done:
        level = messages.WARNING
    else:
        level = messages.ERROR
    modeladmin.message_user(request, " ".join(parts), level)


class ListedChangesHistoryAdmin(FrenchTitlesMixin, SimpleHistoryAdmin):
    """simple-history's admin history of a record edited through `portal.editing`: each row
    lists what changed (before → after) as the family's history does, in the staff member's
    language (changes are stored language-neutrally)."""

    object_history_list_template = "admin/history_list.html"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # Newest first: a row saved without a stored list is compared with the one after it.
        rows = list(historical_records)
        for index, row in enumerate(rows):
            older = rows[index + 1] if index + 1 < len(rows) else None
            row.listed_changes = render_changes(stored_changes(row, older))


@admin.register(Centre)
class CentreAdmin(PortalModelAdmin):
    def has_add_permission(self, request):
        return not Centre.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


# django-post-office: the e-mails the portal sent, in French (locale/fr completes its
# catalogue). A sent e-mail is a record: nothing of it can be edited, and only a failed one can
# be queued again (by the worker, which sends queued e-mails).
for model in (Email, Log, Attachment, EmailTemplate):
    admin.site.unregister(model)


@admin.register(Email)
class PortalEmailAdmin(FrenchTitlesMixin, post_office_admin.EmailAdmin):
    # Without post_office's "Renvoyer" link, a GET that sent the e-mail again at once.
    change_form_template = "admin/change_form.html"
    actions = ["requeue_failed"]
    list_display = ["to_display", "shortened_subject", "status", "last_updated_fr"]

    @admin.display(description=_("dernière mise à jour"), ordering="last_updated")
    def last_updated_fr(self, email):
        return long_datetime(email.last_updated)

    def get_urls(self):
        return [url for url in super().get_urls() if url.name != "resend"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == STATUS.sent:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Remettre en file d'attente les e-mails en échec"))
    def requeue_failed(self, request, queryset):
        failed = queryset.filter(status=STATUS.failed)
        count = failed.update(status=STATUS.queued)
        skipped = queryset.count() - count
        text = ngettext(
            "%(count)d e-mail remis en file d'attente.",
            "%(count)d e-mails remis en file d'attente.",
            count,
        ) % {"count": count}
        if skipped:
            text += " " + ngettext(
                "%(count)d autre, qui n'est pas en échec, est inchangé.",
                "%(count)d autres, qui ne sont pas en échec, sont inchangés.",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, text, messages.SUCCESS if count else messages.WARNING)


@admin.register(Log)
class PortalEmailLogAdmin(FrenchTitlesMixin, post_office_admin.LogAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class PortalAttachmentAdmin(FrenchTitlesMixin, post_office_admin.AttachmentAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailTemplate)
class PortalEmailTemplateAdmin(FrenchTitlesMixin, post_office_admin.EmailTemplateAdmin):
    pass
