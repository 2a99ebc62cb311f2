from django.contrib import admin

from portal.models import Centre


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not Centre.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
