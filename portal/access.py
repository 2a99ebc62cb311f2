"""Access rules shared by every family page.

Family data is always looked up with the logged-in family in the query itself, so that another
family's object is a 404 (never a 403, which would confirm that it exists).
"""

import logging
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from portal.client_ip import client_ip

security_log = logging.getLogger("portal.security")


def family_required(view):
    """Logged in, and as a family (staff accounts have no family: they use /admin/)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.family_id is None:
            raise PermissionDenied("Cet espace est réservé aux familles.")
        return view(request, *args, **kwargs)

    return wrapper


def log_not_found(request, what: str = "family object") -> None:
    """The security log line of a family object that is not the visitor's (or not at all)."""
    security_log.warning(
        "not-found %s: path=%s user=%s ip=%s",
        what,
        request.path,
        request.user.pk,
        client_ip(request),
    )


def get_for_family(request, queryset, *, family_field: str = "family", **lookup):
    """One object of the logged-in family, or 404 (and a security log line)."""
    try:
        return get_object_or_404(queryset, **{family_field: request.user.family_id}, **lookup)
    except Http404:
        log_not_found(request)
        raise


def private_download(file, *, filename: str, content_type: str, inline: bool = False):
    """A private file (a document, a PDF) after the ownership check: an attachment unless
    `inline`, of the exact type (never sniffed), never stored by a browser or a proxy."""
    response = FileResponse(
        file, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
