from django.utils.functional import SimpleLazyObject

from portal.models import Centre
from portal.navigation import TABS, current_tab_key


def portal(request):
    user = getattr(request, "user", None)
    family = getattr(user, "family", None) if user is not None and user.is_authenticated else None
    return {
        "centre": SimpleLazyObject(Centre.objects.current),
        "portal_family": family,
        "portal_tabs": TABS if family is not None else [],
        "current_tab": current_tab_key(request),
    }
