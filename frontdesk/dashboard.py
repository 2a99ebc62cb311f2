"""The admin index's dashboard: what waits for the staff, each with its count and a link to
the admin list that shows it.

Each provider names a queryset (a dotted path, imported when the dashboard is drawn, so that a
provider can name an app's function without this module importing it) whose model has an admin
list; an item is shown only to staff who may see that list (its ModelAdmin's own view
permission check), and costs one COUNT query. To add an item, add a provider to PROVIDERS, e.g.

    Provider(
        "courses.services.full_courses",
        _("Cours complets"),
        query="…",  # the admin list's filter that shows the same rows, if any
    ),

A provider whose app is not installed is skipped.

An item reads "Documents à vérifier : 3" (a label and a number, not a plural sentence: French
says "0 document", which a msgid with an English plural rule cannot give).
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from post_office.models import STATUS, Email

from billing.models import Invoice
from reenrolment.models import Request
from students.models import Document, DocumentToReview


def documents_to_review():
    return DocumentToReview.objects.current().filter(status=Document.Status.RECEIVED)


def requests_to_decide():
    return Request.objects.to_decide()


def overdue_invoices():
    return Invoice.objects.overdue(timezone.localdate())


def failed_emails():
    return Email.objects.filter(status=STATUS.failed)


@dataclass(frozen=True)
class Provider:
    # Dotted path of a function returning the queryset of what waits.
    source: str
    # What waits, as a plural noun phrase: _("Documents à vérifier").
    label: str
    # The admin list's filter showing the same rows ("status__exact=1"); empty: the whole list.
    query: str = ""

    def item(self, request) -> "Item | None":
        app_label = self.source.split(".", 1)[0]
        if "." not in self.source or not apps.is_installed(app_label):
            return None
        queryset = import_string(self.source)()
        model_admin = admin.site._registry.get(queryset.model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            return None
        opts = queryset.model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            return None
        count = queryset.count()
        return Item(
            text=gettext("%(label)s : %(count)d") % {"label": self.label, "count": count},
            count=count,
            url=f"{url}?{self.query}" if self.query else url,
        )


@dataclass(frozen=True)
class Item:
    text: str
    count: int
    url: str


PROVIDERS = [
    Provider(
        "frontdesk.dashboard.documents_to_review",
        _("Documents à vérifier"),
    ),
    Provider(
        "frontdesk.dashboard.requests_to_decide",
        _("Demandes de réinscription à décider"),
        query="a_decider=oui",
    ),
    Provider(
        "preinscription.services.applications_to_decide",
        _("Pré-inscriptions à décider"),
        query="a_decider=oui",
    ),
    Provider(
        "frontdesk.dashboard.overdue_invoices",
        _("Factures en retard"),
        query="state=overdue",
    ),
    Provider(
        "frontdesk.dashboard.failed_emails",
        _("E-mails en échec"),
        query=f"status__exact={STATUS.failed}",
    ),
    Provider(
        "frontdesk.models.locked_accounts",
        _("Comptes bloqués (trop d'échecs de connexion)"),
    ),
]


def dashboard_items(request, providers=None) -> list[Item]:
    """The items `request.user` may see, in the order of PROVIDERS."""
    items = (provider.item(request) for provider in providers or PROVIDERS)
    return [item for item in items if item is not None]
