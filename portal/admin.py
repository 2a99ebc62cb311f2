from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.editing import render_changes
from portal.history import stored_changes
from portal.models import Centre


class ListedChangesHistoryAdmin(SimpleHistoryAdmin):
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
class CentreAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not Centre.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
