"""Staff chase missing documents and write to families (admin)."""

import uuid

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from families.models import Responsable
from messaging.forms import ComposeForm
from messaging.models import Delivery, FamilyMissingDocuments, Message, MessageTemplate
from messaging.placeholders import PLACEHOLDERS
from messaging.services import (
    AlreadySent,
    NothingToSend,
    last_reminders,
    preview,
    send_document_reminders,
    send_message,
)
from portal.admin import PortalModelAdmin, report_action
from portal.dates import long_datetime
from students.chasing import missing_documents
from students.models import Season

SEND_PERMISSION = "messaging.send_message"


def may_send(request) -> bool:
    return request.user.has_perm(SEND_PERMISSION)


def email_status(delivery) -> str:
    """The outbox status of a delivery's e-mails ("envoyé", "en file d'attente"…)."""
    statuses = sorted({email.get_status_display() for email in delivery.emails.all()})
    return ", ".join(str(status) for status in statuses) or "—"


# --- saved templates ----------------------------------------------------------------------


@admin.register(MessageTemplate)
class MessageTemplateAdmin(PortalModelAdmin):
    list_display = ["name", "subject", "updated_fr"]
    search_fields = ["name", "subject"]

    @admin.display(description=_("modifié le"), ordering="updated_at")
    def updated_fr(self, template):
        return long_datetime(template.updated_at)


# --- messages sent ------------------------------------------------------------------------


class ReadOnlyDeliveryInline(admin.TabularInline):
    """Deliveries as recorded: read, never added, changed or deleted from a page."""

    model = Delivery
    extra = 0
    can_delete = False

    @admin.display(description=_("statut des e-mails"))
    def status(self, delivery):
        return email_status(delivery)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyDeliveryInline):
    """The families a message reached (read-only)."""

    fields = ["family", "addresses", "subject", "status"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("family")
            .prefetch_related(
                "emails",
                Prefetch("family__responsables", queryset=Responsable.objects.order_by("rank")),
            )
        )


@admin.register(Message)
class MessageAdmin(PortalModelAdmin):
    list_display = ["subject", "kind", "audience", "sent_at_fr", "sent_by", "family_count"]
    list_filter = ["kind", "season"]
    search_fields = ["subject", "audience"]
    fields = ["kind", "subject", "body", "template", "season", "audience", "sent_by", "sent_at"]
    readonly_fields = fields
    inlines = [DeliveryInline]

    @admin.display(description=_("envoyé le"), ordering="sent_at")
    def sent_at_fr(self, message):
        return long_datetime(message.sent_at)

    @admin.display(description=_("familles"), ordering="family_count")
    def family_count(self, message):
        return message.family_count

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sent_by", "season", "template")
            .annotate(family_count=Count("deliveries"))
        )

    def has_add_permission(self, request):
        return may_send(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:messaging_message_compose")

    def get_urls(self):
        return [
            path(
                "ecrire/",
                self.admin_site.admin_view(
                    require_http_methods(["GET", "POST"])(self.compose_view)
                ),
                name="messaging_message_compose",
            ),
            *super().get_urls(),
        ]

    def compose_view(self, request):
        """Write to families: pick them, write or pick a template, preview, send."""
        if not may_send(request):
            raise PermissionDenied
        if request.method == "GET":
            initial = {"token": uuid.uuid4()}
            template = MessageTemplate.objects.filter(pk=request.GET.get("modele") or None)
            if template:
                initial.update(
                    modele=template[0], objet=template[0].subject, texte=template[0].body
                )
            return render_compose(self, request, ComposeForm(initial=initial))
        form = ComposeForm(request.POST)
        if "charger" in request.POST:
            return self._load_template(request, form)
        if "modifier" in request.POST or not form.is_valid():
            return render_compose(self, request, form)
        families = form.families()
        if not families.exists():
            form.add_error(None, gettext("Aucune famille ne correspond à ce choix."))
            return render_compose(self, request, form)
        if "envoyer" not in request.POST:
            shown = preview(families, form.cleaned_data["objet"], form.cleaned_data["texte"])
            return render_compose(self, request, form, shown)
        try:
            sent = send_message(
                families=families,
                subject=form.cleaned_data["objet"],
                body=form.cleaned_data["texte"],
                sent_by=request.user,
                audience=form.audience(),
                token=form.cleaned_data["token"],
                template=form.cleaned_data.get("modele"),
            )
        except AlreadySent as already:
            self.message_user(
                request,
                gettext("Ce message a déjà été envoyé le %(when)s : rien n'a été renvoyé.")
                % {"when": long_datetime(already.message.sent_at)},
                messages.WARNING,
            )
            return redirect("admin:messaging_message_change", already.message.pk)
        except NothingToSend:
            form.add_error(
                None,
                gettext("Aucune des familles choisies n'a d'adresse e-mail : rien n'a été envoyé."),
            )
            return render_compose(self, request, form)
        report_sent(self, request, sent)
        return redirect("admin:messaging_message_change", sent.message.pk)

    def _load_template(self, request, form):
        data = request.POST.copy()
        template = MessageTemplate.objects.filter(pk=data.get("modele") or None).first()
        if template is not None:
            data["objet"], data["texte"] = template.subject, template.body
        return render_compose(self, request, ComposeForm(data))


def render_compose(modeladmin, request, form, shown=None):
    return TemplateResponse(
        request,
        "admin/messaging/message/compose.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": Message._meta,
            "title": gettext("Écrire aux familles"),
            "form": form,
            "preview": shown,
            "placeholders": [(f"{{{name}}}", label) for name, label in PLACEHOLDERS.items()],
            "compose_url": reverse("admin:messaging_message_compose"),
        },
    )


def report_sent(modeladmin, request, sent) -> None:
    report_action(
        modeladmin,
        request,
        done=sent.delivered,
        done_text=ngettext(
            "Message mis en file d'attente pour %(count)d famille.",
            "Message mis en file d'attente pour %(count)d familles.",
            sent.delivered,
        )
        % {"count": sent.delivered},
        problems=[
            (
                gettext("Aucune adresse e-mail, rien n'a été envoyé à"),
                [str(family) for family in sent.without_address],
            )
        ],
    )


@admin.action(description=_("Écrire aux familles sélectionnées"), permissions=["send_message"])
def write_to_families(modeladmin, request, queryset):
    """Family list action: the message form, with the selected families as recipients."""
    pks = ",".join(str(pk) for pk in queryset.order_by().values_list("pk", flat=True))
    form = ComposeForm(initial={"familles": pks, "token": uuid.uuid4()}, selection=True)
    return render_compose(modeladmin, request, form)


# --- a family's history -------------------------------------------------------------------


class FamilyDeliveryInline(ReadOnlyDeliveryInline):
    """On a family's admin page: the messages and reminders it received, newest first."""

    verbose_name = _("message ou relance reçu")
    verbose_name_plural = _("Messages et relances reçus")
    fields = ["sent_at", "kind", "subject_link", "sent_by", "addresses", "status"]
    readonly_fields = fields

    @admin.display(description=_("envoyé le"))
    def sent_at(self, delivery):
        return long_datetime(delivery.message.sent_at)

    @admin.display(description=_("type"))
    def kind(self, delivery):
        return delivery.message.get_kind_display()

    @admin.display(description=_("objet"))
    def subject_link(self, delivery):
        url = reverse("admin:messaging_message_change", args=[delivery.message_id])
        return format_html('<a href="{}">{}</a>', url, delivery.subject)

    @admin.display(description=_("envoyé par"))
    def sent_by(self, delivery):
        return delivery.message.sent_by

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("message__sent_by")
            .prefetch_related("emails")
            .order_by("-message__sent_at", "-pk")
        )


# --- missing documents ----------------------------------------------------------------------


class SeasonFilter(admin.SimpleListFilter):
    """The season the documents are chased for: the current one unless another is chosen."""

    title = _("saison")
    parameter_name = "saison"

    def lookups(self, request, model_admin):
        return [(str(season.pk), season.name) for season in Season.objects.order_by("-starts_on")]

    def choices(self, changelist):
        # No "Tout": the list is always about one season.
        season = self.season()
        for value, label in self.lookup_choices:
            yield {
                "selected": season is not None and str(season.pk) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def season(self) -> Season | None:
        if not hasattr(self, "_season"):
            pk = self.value()
            season = Season.objects.filter(pk=pk).first() if pk and pk.isdigit() else None
            self._season = season or Season.objects.current()
        return self._season

    def queryset(self, request, queryset):
        season = self.season()
        request.chased_season = season
        if season is None:
            request.missing_documents = {}
            return queryset.none()
        missing = missing_documents(season)
        request.missing_documents = missing
        last = last_reminders(season).filter(family=OuterRef("pk")).order_by()
        return queryset.filter(pk__in=list(missing)).annotate(
            last_reminded_at=Subquery(
                last.values("family").annotate(last=Max("message__sent_at")).values("last")
            )
        )


class MissingDocumentsChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        missing = getattr(request, "missing_documents", {})
        for family in self.result_list:
            family.missing = missing.get(family.pk)


def missing_html(missing) -> str:
    if missing is None:
        return "—"
    lines = [(gettext("Famille"), item.label, item.status_label) for item in missing.family_items]
    lines += [
        (student.display_name, item.label, item.status_label)
        for student, items in missing.by_student
        for item in items
    ]
    return format_html(
        '<ul class="missing-documents">{}</ul>',
        format_html_join("", "<li><strong>{}</strong> : {} ({})</li>", lines),
    )


@admin.register(FamilyMissingDocuments)
class FamilyMissingDocumentsAdmin(PortalModelAdmin):
    list_display = ["__str__", "missing_documents", "last_reminded"]
    list_display_links = None
    list_filter = [SeasonFilter]
    search_fields = ["name", "reference_email", "responsables__last_name"]
    actions = ["send_reminders"]
    list_per_page = 50

    def get_queryset(self, request):
        responsables = Responsable.objects.defer("mobile", "work_phone")
        return (
            super()
            .get_queryset(request)
            .defer("home_phone", "extra_phone_1", "extra_phone_2", "extra_phone_3")
            .prefetch_related(Prefetch("responsables", queryset=responsables))
        )

    def get_changelist(self, request, **kwargs):
        return MissingDocumentsChangeList

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_message_permission(self, request):
        return may_send(request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        season = getattr(request, "chased_season", None)
        if hasattr(response, "context_data") and season is not None:
            response.context_data["title"] = gettext("Documents manquants — saison %(season)s") % {
                "season": season
            }
        return response

    @admin.display(description=_("documents manquants"))
    def missing_documents(self, family):
        return missing_html(getattr(family, "missing", None))

    @admin.display(description=_("dernière relance"), ordering="last_reminded_at")
    def last_reminded(self, family):
        when = getattr(family, "last_reminded_at", None)
        return long_datetime(when) if when else gettext("jamais")

    @admin.action(
        description=_("Relancer par e-mail les familles sélectionnées"),
        permissions=["send_message"],
    )
    def send_reminders(self, request, queryset):
        """A confirmation page (what each family will be told), then the sending."""
        season = getattr(request, "chased_season", None) or Season.objects.current()
        if season is None:
            self.message_user(request, gettext("Aucune saison en cours."), messages.ERROR)
            return None
        if request.POST.get("post") == "yes":
            return self._send_reminders(request, queryset, season)
        families = list(queryset)
        missing = missing_documents(season, [family.pk for family in families])
        return TemplateResponse(
            request,
            "admin/messaging/familymissingdocuments/confirm_reminders.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Relancer les familles : documents manquants"),
                "season": season,
                "rows": [
                    (family, missing_html(missing.get(family.pk)), self.last_reminded(family))
                    for family in families
                    if family.pk in missing
                ],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "token": uuid.uuid4(),
                "query_string": request.GET.urlencode(),
            },
        )

    def _send_reminders(self, request, queryset, season):
        try:
            token = uuid.UUID(request.POST.get("token", ""))
        except ValueError:
            self.message_user(
                request, gettext("Formulaire incomplet : rien n'a été envoyé."), messages.ERROR
            )
            return None
        try:
            sent = send_document_reminders(
                season=season,
                families=queryset,
                sent_by=request.user,
                token=token,
                audience=gettext("Documents manquants, saison %(season)s") % {"season": season},
            )
        except AlreadySent as already:
            self.message_user(
                request,
                gettext("Cette relance a déjà été envoyée le %(when)s : rien n'a été renvoyé.")
                % {"when": long_datetime(already.message.sent_at)},
                messages.WARNING,
            )
            return None
        except NothingToSend:
            self.message_user(
                request,
                gettext(
                    "Aucune des familles sélectionnées ne manque de document ou n'a d'adresse "
                    "e-mail : rien n'a été envoyé."
                ),
                messages.WARNING,
            )
            return None
        report_action(
            self,
            request,
            done=sent.delivered,
            done_text=ngettext(
                "Relance mise en file d'attente pour %(count)d famille.",
                "Relance mise en file d'attente pour %(count)d familles.",
                sent.delivered,
            )
            % {"count": sent.delivered},
            problems=[
                (
                    gettext("Aucune adresse e-mail, rien n'a été envoyé à"),
                    [str(family) for family in sent.without_address],
                )
            ],
        )
        return None
