from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
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
