from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.two_factor import admin_has_permission
from portal import views

admin.site.site_header = _("Portail Familles — administration")
admin.site.site_title = _("Portail Familles")
admin.site.index_title = _("Gestion du centre")
# Besides the middleware's redirect: the admin itself refuses a session without the second factor.
admin.site.has_permission = admin_has_permission

portal_patterns = (
    [
        path("", views.landing, name="landing"),
        path("accueil/", views.home, name="home"),
        path("accessibilite/", views.accessibility, name="accessibility"),
        path("sante/", views.health, name="health"),
        # The proxy shows this page when it refuses a body over its own limit (error_page 413).
        path("trop-volumineux/", views.request_too_large_page, name="request_too_large"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("", include("accounts.urls")),
    path("famille/", include("families.urls")),
    path("eleves/", include("students.urls")),
    path("documents/", include("students.document_urls")),
    path("reinscription/", include("reenrolment.urls")),
    path("preinscription/", include("preinscription.urls")),
    path("facturation/payer/", include("payments.urls")),
    path("facturation/", include("billing.urls")),
    # Django's language switch, which also keeps a logged-in account's preference.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

if settings.BENCH:
    urlpatterns.append(path("_bench/", include("bench.urls")))

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
