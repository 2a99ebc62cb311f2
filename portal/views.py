"""Landing, Accueil, Accessibilité, health check and error pages."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from portal import sessions
from portal.access import family_required
from portal.cards import home_cards
from portal.forms import DisplayPreferencesForm
from portal.language import set_language_cookie


@require_safe
def landing(request):
    if request.user.is_authenticated and request.user.family_id:
        return HttpResponseRedirect(reverse("portal:home"))
    from preinscription.services import open_period

    return render(request, "portal/landing.html", {"preregistration": open_period()})


@family_required
@require_GET
def home(request):
    family = request.user.family
    return render(request, "portal/home.html", {"family": family, "cards": home_cards(family)})


@require_http_methods(["GET", "POST"])
def accessibility(request):
    """The accessibility statement is public; display and language preferences are saved per
    account (the language is also the one of the account's e-mails)."""
    form = None
    if request.user.is_authenticated:
        form = DisplayPreferencesForm(
            request.POST if request.method == "POST" else None, instance=request.user
        )
        if request.method == "POST" and form.is_valid():
            user = form.save()
            response = redirect("portal:accessibility")
            # The portal follows the chosen language at once (as the footer's switch does).
            set_language_cookie(response, user.language)
            with translation.override(user.language):
                messages.success(request, _("Vos préférences d'affichage sont enregistrées."))
            return response
    elif request.method == "POST":
        return redirect("accounts:login")
    context = {
        "form": form,
        "session_idle_minutes": sessions.idle_minutes(),
        "session_max_hours": sessions.absolute_hours(),
    }
    return render(request, "portal/accessibility.html", context)


@require_POST
def set_language(request):
    """The footer's language switch (Django's), which a logged-in person's account also keeps
    as its preference: its e-mails are then written in that language."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and check_for_language(language)
        and user.language != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response


@never_cache
@require_GET
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        # More form data than DATA_UPLOAD_MAX_MEMORY_SIZE: Django raises it as a bad request.
        return request_too_large(request)
    return render(request, "errors/400.html", status=400)


def request_too_large(request):
    return render(request, "errors/413.html", status=413)


@require_GET
def request_too_large_page(request):
    """The page the proxy shows when it refuses a body over its limit (nginx's `error_page 413`
    redirects there with a GET)."""
    return request_too_large(request)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


def server_error(request):
    # No request context: the database may be the very thing that failed.
    template = loader.get_template("errors/500.html")
    return HttpResponseServerError(template.render({"is_server_error": True}))
