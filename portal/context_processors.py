from django.utils.functional import SimpleLazyObject

from portal.models import Centre
from portal.navigation import TABS, current_tab_key


def portal(request):
    user = getattr(request, "user", None)
    family = getattr(user, "family", None) if user is not None and user.is_authenticated else None
    return {
        "centre": SimpleLazyObject(Centre.objects.current),
        "portal_family": family,
        # Computed once per page, however many times the layout and the page show it.
        "portal_family_name": SimpleLazyObject(lambda: family.display_name) if family else "",
        "portal_tabs": TABS if family is not None else [],
        "current_tab": current_tab_key(request),
    }
