from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.editing import Change
from portal.models import Centre


class ListedChangesHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin history of a record edited through `portal.editing`: each row
    lists what changed (before → after) as the family's history does, under French headers."""

    history_list_display = ["listed_changes"]
    object_history_list_template = "admin/history_list.html"

    @admin.display(description=_("modifications"))
    def listed_changes(self, record):
        stored = record.history_change_reason
        if not isinstance(stored, list):
            return ""
        changes = [Change.from_json(item) for item in stored if isinstance(item, dict)]
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}{} : {} → {}</li>",
                (
                    (f"{c.section} — " if c.section else "", c.label, c.old or "∅", c.new or "∅")
                    for c in changes
                ),
            ),
        )


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not Centre.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
