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
        # The account's own responsable (responsable 2 is not greeted as responsable 1).
        "portal_family_name": SimpleLazyObject(lambda: greeting_name(user)) if family else "",
        "portal_tabs": TABS if family is not None else [],
        "current_tab": current_tab_key(request),
    }


def greeting_name(user) -> str:
    if user.responsable_id is not None and user.responsable.family_id == user.family_id:
        return user.responsable.display_name
    return user.family.display_name
