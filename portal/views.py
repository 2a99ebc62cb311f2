"""Landing, Accueil, Accessibilité, health check and error pages."""

from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from portal.access import family_required
from portal.cards import home_cards
from portal.forms import DisplayPreferencesForm


@require_safe
def landing(request):
    if request.user.is_authenticated and request.user.family_id:
        return HttpResponseRedirect(reverse("portal:home"))
    return render(request, "portal/landing.html")


@family_required
@require_GET
def home(request):
    family = request.user.family
    return render(request, "portal/home.html", {"family": family, "cards": home_cards(family)})


@require_http_methods(["GET", "POST"])
def accessibility(request):
    """The accessibility statement is public; display preferences are saved per account."""
    form = None
    if request.user.is_authenticated:
        form = DisplayPreferencesForm(
            request.POST if request.method == "POST" else None, instance=request.user
        )
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Vos préférences d'affichage sont enregistrées."))
            return redirect("portal:accessibility")
    elif request.method == "POST":
        return redirect("accounts:login")
    return render(request, "portal/accessibility.html", {"form": form})


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
    return render(request, "errors/400.html", status=400)


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
