"""Staff side of billing: drafts and their lines, issuing, credit notes, payments, family
accounts and the accountant's CSV export. Issued documents are read-only here."""

import csv
import dataclasses
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing import runs, sepa, services
from billing.forms import (
    CancelPaymentForm,
    CreditNoteForm,
    DraftInvoiceForm,
    ExportForm,
    InvoiceLineForm,
    PaymentForm,
    RefundForm,
    RejectDebitForm,
    SepaExportForm,
)
from billing.ledger import build_ledger
from billing.models import (
    FamilyAccount,
    Instalment,
    Invoice,
    InvoiceLine,
    IssueRun,
    Payment,
    PaymentAllocation,
    PaymentMode,
    PaymentReminder,
    PaymentReminderItem,
    PaymentSchedule,
    SepaDebit,
    SepaExport,
    SepaMandate,
    model_for_number,
    staff_may_open_pdf,
)
from billing.templatetags.billing import format_euros
from portal.access import private_download
from portal.admin import PortalModelAdmin, report_action
from portal.csv import csv_cell
from students.models import Student


def pdf_link(document) -> str:
    if not document.pdf:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', reverse("billing:pdf", args=[document.number]), _("PDF")
    )


@admin.register(PaymentMode)
class PaymentModeAdmin(PortalModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]

    def has_delete_permission(self, request, obj=None):
        # A mode already used by a payment is protected by the database anyway.
        return obj is None or not Payment.objects.filter(mode=obj).exists()


class InvoiceLineFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # A new draft is unsaved while its lines are validated: give them the draft itself, so
        # that `InvoiceLine.clean` knows its family.
        form.instance.invoice = self.instance
        return form


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    form = InvoiceLineForm
    formset = InvoiceLineFormSet
    extra = 1
    autocomplete_fields = ["student", "discipline"]
    readonly_fields = ["student_name"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.family_id and "student" in formset.form.base_fields:
            # A draft's family is known: its few students, in a plain list, instead of a search
            # over every family's.
            field = formset.form.base_fields["student"]
            field.widget = forms.Select()
            field.queryset = Student.objects.filter(family_id=obj.family_id)
            field.error_messages["invalid_choice"] = _(
                "Choisissez un élève de la famille de la facture."
            )
        return formset

    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_issued

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class InvoiceStateFilter(admin.SimpleListFilter):
    """Draft (no number yet) or issued, instead of the raw "Vide / Non vide" on the number."""

    title = _("état")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", _("Brouillon")), ("issued", _("Émise")), ("overdue", _("En retard"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            # Past due and still owed (the admin dashboard links here).
            overdue = Invoice.objects.overdue(timezone.localdate()).values("pk")
            return queryset.filter(pk__in=overdue)
        if self.value() == "draft":
            return queryset.filter(number__isnull=True)
        if self.value() == "issued":
            return queryset.filter(number__isnull=False)
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(PortalModelAdmin):
    form = DraftInvoiceForm
    inlines = [InvoiceLineInline]
    autocomplete_fields = ["family"]
    list_display = [
        "__str__",
        "kind",
        "family",
        "season",
        "issued_on",
        "total_display",
        "pdf_download",
    ]
    list_filter = ["kind", InvoiceStateFilter, "season"]
    search_fields = ["number", "family__name", "family_name", "label"]
    list_select_related = ["family", "season"]
    actions = ["issue_selected", "credit_selected"]
    readonly_fields = [
        "number",
        "kind",
        "credited_invoice",
        "issued_on",
        "total",
        "family_name",
        "family_address",
        "centre_name",
        "pdf_sha256",
        "pdf_download",
        "credit_note_link",
    ]

    @admin.display(description=_("correction"))
    def credit_note_link(self, obj):
        if not obj.is_issued or obj.is_credit_note:
            return "—"
        url = reverse("admin:billing_invoice_credit", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Émettre un avoir pour cette facture"))

    def get_urls(self):
        credit = path(
            "<int:pk>/avoir/",
            self.admin_site.admin_view(self.credit_view),
            name="billing_invoice_credit",
        )
        return [credit, *super().get_urls()]

    def credit_view(self, request, pk):
        """A credit note for part of an invoice (one line), or for what remains of it."""
        invoice = get_object_or_404(Invoice, pk=pk, number__isnull=False, kind="FAC")
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        form = CreditNoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            amount = form.cleaned_data["amount"]
            lines = None
            if amount is not None:
                lines = [services.LineData(label=form.cleaned_data["label"], amount=amount)]
            try:
                note = services.issue_credit_note(
                    invoice=invoice, lines=lines, label=form.cleaned_data["label"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Avoir %(note)s émis pour %(invoice)s.")
                    % {"note": note.number, "invoice": invoice.number},
                )
                return redirect("admin:billing_invoice_change", note.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Avoir pour la facture %s") % invoice.number,
            "invoice": invoice,
            "remaining": services.remaining_to_credit(invoice),
            "form": form,
        }
        return render(request, "admin/billing/invoice/credit.html", context)

    @admin.display(description=_("total"))
    def total_display(self, obj):
        return format_euros(obj.total) if obj.is_issued else _("brouillon")

    @admin.display(description=_("PDF"))
    def pdf_download(self, obj):
        return pdf_link(obj)

    def get_queryset(self, request):
        # A family is shown as its first responsable's name: one query for the whole page.
        return (
            super()
            .get_queryset(request)
            .select_related("family", "season")
            .prefetch_related("family__responsables")
        )

    def get_fields(self, request, obj=None):
        if obj is None or not obj.is_issued:
            return ["family", "season", "label", "due_on"]
        return ["family", "season", "label", "due_on", *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        # Issued: view only. Drafts: editable.
        return (obj is None or not obj.is_issued) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.is_issued) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # Only drafts can go (the queryset refuses issued documents anyway), and not while a run
        # issues them.
        drafts = queryset.filter(number__isnull=True)
        busy = runs.busy_invoice_ids(drafts.values_list("pk", flat=True))
        if busy:
            self.message_user(
                request,
                ngettext(
                    "%(count)d brouillon en cours d'émission n'a pas été supprimé.",
                    "%(count)d brouillons en cours d'émission n'ont pas été supprimés.",
                    len(busy),
                )
                % {"count": len(busy)},
                messages.WARNING,
            )
        super().delete_queryset(request, drafts.exclude(pk__in=busy))

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and runs.busy_invoice_ids([object_id]):
            self.message_user(
                request,
                _("Ce brouillon est en cours d'émission : il ne peut pas être supprimé."),
                messages.ERROR,
            )
            return redirect("admin:billing_invoice_change", object_id)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description=_("Émettre les brouillons sélectionnés (numéro et PDF)"))
    def issue_selected(self, request, queryset):
        """Starts an issuing run: the drafts are issued in the background, and the run's page
        shows the progress."""
        try:
            run = runs.start_issue_run(
                invoice_ids=queryset.values_list("pk", flat=True), user=request.user
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        self.message_user(
            request,
            _("%(run)s lancée : les brouillons sont émis en arrière-plan.") % {"run": run},
        )
        return redirect("admin:billing_issuerun_change", run.pk)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A draft a run is issuing is not edited: the row is locked while the edit is checked
        # and saved, so an edit and the run's issue of the draft never interleave.
        if request.method == "POST" and object_id is not None:
            with transaction.atomic():
                invoice = Invoice.objects.select_for_update().filter(pk=object_id).first()
                if invoice is not None and not invoice.is_issued:
                    try:
                        runs.check_not_being_issued(invoice)
                    except ValidationError as error:
                        self.message_user(request, " ".join(error.messages), messages.ERROR)
                        return redirect("admin:billing_invoice_change", invoice.pk)
                return super().changeform_view(request, object_id, form_url, extra_context)
        if object_id is not None and runs.busy_invoice_ids([object_id]):
            # Said before anything is typed, not only when it is saved.
            self.message_user(
                request,
                _("Ce brouillon est en cours d'émission : il ne peut plus être modifié."),
                messages.WARNING,
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Émettre un avoir total pour les factures sélectionnées"))
    def credit_selected(self, request, queryset):
        notes, failures = [], []
        for invoice in queryset.filter(number__isnull=False, kind=Invoice.Kind.INVOICE):
            try:
                note = services.issue_credit_note(invoice=invoice)
            except ValidationError as error:
                failures.append(f"{invoice} — {' '.join(error.messages)}")
            else:
                notes.append(note.number)
        report_action(
            self,
            request,
            done=len(notes),
            done_text=ngettext(
                "%(count)d avoir émis%(numbers)s.",
                "%(count)d avoirs émis%(numbers)s.",
                len(notes),
            )
            % {"count": len(notes), "numbers": number_range(notes)},
            problems=[
                (
                    ngettext(
                        "%(count)d facture sans avoir",
                        "%(count)d factures sans avoir",
                        len(failures),
                    )
                    % {"count": len(failures)},
                    failures,
                )
            ],
        )


@admin.register(IssueRun)
class IssueRunAdmin(PortalModelAdmin):
    """Issuing runs, started by the action "Émettre" on drafts: each one's progress, its
    failures with their reason, and "Reprendre" after a worker stopped."""

    list_display = ["__str__", "created_by", "created_at", "progress_display", "finished_at"]
    list_select_related = ["created_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _may_resume(self, request) -> bool:
        return request.user.has_perm("billing.change_invoice")

    def get_queryset(self, request):
        # The list's counts in its one query, however many runs it shows.
        return runs.with_counts(super().get_queryset(request))

    @admin.display(description=_("avancement"))
    def progress_display(self, obj):
        return _("%(done)d / %(total)d (%(failed)d non émises)") % {
            "done": obj.item_count - obj.pending_count,
            "total": obj.item_count,
            "failed": obj.failed_count,
        }

    def get_urls(self):
        own = [
            path(
                "<int:pk>/progression.json",
                self.admin_site.admin_view(self.progress_view),
                name="billing_issuerun_progress",
            ),
            path(
                "<int:pk>/reprendre/",
                self.admin_site.admin_view(self.resume_view),
                name="billing_issuerun_resume",
            ),
        ]
        return [*own, *super().get_urls()]

    def _run(self, request, pk) -> IssueRun:
        run = get_object_or_404(IssueRun, pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(request, object_id)
        progress = runs.progress(run)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(run),
            "run": run,
            "progress": progress,
            "failures": runs.failures(run),
            "may_resume": self._may_resume(request) and not progress.finished,
        }
        return render(request, "admin/billing/issuerun/run.html", context)

    def progress_view(self, request, pk):
        """The run's progress, read by the page's script every few seconds."""
        run = self._run(request, pk)
        progress = runs.progress(run)
        return JsonResponse(
            {
                "total": progress.total,
                "done": progress.done,
                "issued": progress.issued,
                "skipped": progress.skipped,
                "failed": progress.failed,
                "pending": progress.pending,
                "percent": progress.percent,
                "finished": progress.finished,
            }
        )

    def resume_view(self, request, pk):
        run = self._run(request, pk)
        if request.method != "POST" or not self._may_resume(request):
            raise PermissionDenied
        with transaction.atomic():
            count = runs.resume_run(run)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d brouillon renvoyé aux tâches de fond.",
                    "%(count)d brouillons renvoyés aux tâches de fond.",
                    count,
                )
                % {"count": count},
            )
        else:
            self.message_user(request, _("Cette émission est terminée : rien à reprendre."))
        return redirect("admin:billing_issuerun_change", run.pk)


def number_range(numbers: list[str]) -> str:
    """The numbers a bulk action gave, as " (2026FAC0001 … 2026FAC0040)"."""
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f" ({numbers[0]})"
    return f" ({numbers[0]} … {numbers[-1]})"


class PaymentAllocationInline(admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    can_delete = False
    readonly_fields = ["invoice", "amount"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(PortalModelAdmin):
    """Receipts, and their counter-entries (cancellations, refunds): recorded through the
    services, never changed nor deleted."""

    form = PaymentForm
    autocomplete_fields = ["family"]
    list_display = [
        "__str__",
        "kind",
        "family",
        "received_on",
        "mode_name",
        "amount_display",
        "cancellation_display",
        "pdf_download",
    ]
    list_filter = ["kind", "mode", "season"]
    search_fields = ["number", "reference", "reason", "family__name", "family_name"]
    list_select_related = ["family", "cancellation"]
    date_hierarchy = "received_on"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("cancellation", "cancelled_payment")
            .prefetch_related("family__responsables")
        )

    inlines = [PaymentAllocationInline]

    @admin.display(description=_("montant"))
    def amount_display(self, obj):
        return format_euros(obj.amount)

    @admin.display(description=_("PDF"))
    def pdf_download(self, obj):
        return pdf_link(obj)

    @admin.display(description=_("annulation"))
    def cancellation_display(self, obj):
        cancellation = obj.cancellation_or_none() if obj.is_receipt else None
        if cancellation is None:
            return "—"
        url = reverse("admin:billing_payment_change", args=[cancellation.pk])
        return format_html('<a href="{}">{}</a>', url, cancellation.number)

    @admin.display(description=_("correction"))
    def cancel_link(self, obj):
        cancellation = obj.cancellation_or_none()
        if cancellation is not None:
            url = reverse("admin:billing_payment_change", args=[cancellation.pk])
            return format_html(
                '{} <a href="{}">{}</a>', _("Reçu annulé par"), url, cancellation.number
            )
        url = reverse("admin:billing_payment_cancel", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Annuler ce reçu (avec un motif)"))

    def get_inlines(self, request, obj):
        # Allocations are made by the service from the chosen invoices, then shown read-only.
        return [] if obj is None or not obj.is_receipt else self.inlines

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*PaymentForm.Meta.fields, "invoice_numbers"]
        fields = [
            "number",
            "kind",
            "family",
            "received_on",
            "mode_name",
            "amount",
            "reference",
            "season",
            "family_name",
            "pdf_sha256",
            "pdf_download",
        ]
        if obj.is_receipt:
            if obj.cancellation_or_none() or self._may_cancel(request):
                fields.append("cancel_link")
        else:
            fields += ["cancelled_payment", "reason", "recorded_by"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        payment = services.record_payment(
            family=data["family"],
            received_on=data["received_on"],
            mode=data["mode"],
            amount=data["amount"],
            reference=data["reference"],
            season=data["season"],
            invoices=data["invoices"],
        )
        obj.pk, obj.number = payment.pk, payment.number
        self.message_user(request, _("Reçu %s émis.") % payment.number)

    @staticmethod
    def _may_cancel(request) -> bool:
        return request.user.has_perm("billing.cancel_payment")

    def get_urls(self):
        cancel = path(
            "<int:pk>/annuler/",
            self.admin_site.admin_view(self.cancel_view),
            name="billing_payment_cancel",
        )
        return [cancel, *super().get_urls()]

    def cancel_view(self, request, pk):
        """Cancels a receipt with a reason: a numbered counter-entry; the receipt stays."""
        payment = get_object_or_404(Payment, pk=pk, kind=Payment.Kind.RECEIPT)
        if not self._may_cancel(request):
            raise PermissionDenied
        existing = payment.cancellation_or_none()
        if existing is not None:
            self.message_user(
                request,
                _("Le reçu %(number)s est déjà annulé (%(cancellation)s).")
                % {"number": payment.number, "cancellation": existing.number},
                messages.WARNING,
            )
            return redirect("admin:billing_payment_change", payment.pk)
        form = CancelPaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                cancellation = services.cancel_payment(
                    payment=payment,
                    reason=form.cleaned_data["reason"],
                    cancelled_on=form.cleaned_data["on"],
                    recorded_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Reçu %(number)s annulé : annulation %(cancellation)s émise.")
                    % {"number": payment.number, "cancellation": cancellation.number},
                )
                return redirect("admin:billing_payment_change", cancellation.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Annuler le reçu %s") % payment.number,
            "payment": payment,
            "form": form,
        }
        return render(request, "admin/billing/payment/cancel.html", context)


def _ledger_for(user, family):
    """The family's ledger; a document whose PDF the user may not open is listed unlinked."""
    ledger = build_ledger(family)
    allowed = {model: staff_may_open_pdf(user, model) for model in (Invoice, Payment)}
    rows = [
        row if allowed[model_for_number(row.number)] else dataclasses.replace(row, pdf_url="")
        for row in ledger.rows
    ]
    return dataclasses.replace(ledger, rows=rows)


@admin.register(FamilyAccount)
class FamilyAccountAdmin(PortalModelAdmin):
    list_display = ["name", "balance_display"]
    search_fields = ["name", "responsables__last_name", "reference_email"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    @admin.display(description=_("solde (dû par la famille)"), ordering="balance")
    def balance_display(self, obj):
        return format_euros(obj.balance)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        family = get_object_or_404(FamilyAccount, pk=object_id)
        if not self.has_view_permission(request, family):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compte de %s") % family,
            "family": family,
            "ledger": _ledger_for(request.user, family),
            "may_refund": request.user.has_perm("billing.refund_payment"),
        }
        return render(request, "admin/billing/familyaccount/ledger.html", context)

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="billing_familyaccount_export",
        )
        refund = path(
            "<int:pk>/remboursement/",
            self.admin_site.admin_view(self.refund_view),
            name="billing_familyaccount_refund",
        )
        return [export, refund, *super().get_urls()]

    def refund_view(self, request, pk):
        """Refunds (part of) a family's credit: a numbered refund, with its reason."""
        family = get_object_or_404(FamilyAccount, pk=pk)
        if not request.user.has_perm("billing.refund_payment"):
            raise PermissionDenied
        credit = services.refundable(family)
        form = RefundForm(request.POST or None, initial={"amount": credit or None})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                refund = services.refund_overpayment(
                    family=family,
                    amount=data["amount"],
                    mode=data["mode"],
                    reason=data["reason"],
                    refunded_on=data["on"],
                    reference=data["reference"],
                    recorded_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Remboursement %(number)s de %(amount)s enregistré.")
                    % {"number": refund.number, "amount": format_euros(refund.amount)},
                )
                return redirect("admin:billing_familyaccount_change", family.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Rembourser un trop-perçu : %s") % family,
            "family": family,
            "credit": credit,
            "form": form,
        }
        return render(request, "admin/billing/familyaccount/refund.html", context)

    def export_view(self, request):
        """The operations of a period, as CSV for the accountant (semicolons, French decimals)."""
        form = ExportForm(request.GET or None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Exporter les opérations d'une période"),
                "form": form,
            }
            return render(request, "admin/billing/familyaccount/export.html", context)
        # An accounting export, French like the PDFs, whatever the staff member's language.
        with translation.override("fr"):
            return operations_csv(form.cleaned_data["start"], form.cleaned_data["end"])


def operations_csv(start: date, end: date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="operations-{start}-{end}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # so that spreadsheet software reads UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        ["Date", "Type", "Numéro", "Famille", "Libellé", "Mode de règlement", "Débit", "Crédit"]
    )
    rows = []
    for invoice in Invoice.objects.filter(
        number__isnull=False, issued_on__range=(start, end)
    ).select_related("credited_invoice"):
        amount = str(invoice.total).replace(".", ",")
        rows.append(
            [
                invoice.issued_on,
                invoice.get_kind_display(),
                invoice.number,
                invoice.family_name,
                # A credit note's label is its reason: the accountant needs it.
                f"{invoice.ledger_label} — {invoice.typed_label}"
                if invoice.is_credit_note and invoice.typed_label
                else invoice.ledger_label,
                "",
                "" if invoice.is_credit_note else amount,
                amount if invoice.is_credit_note else "",
            ]
        )
    for payment in Payment.objects.filter(received_on__range=(start, end)).select_related(
        "cancelled_payment"
    ):
        amount = str(payment.amount).replace(".", ",")
        if payment.is_receipt:
            label = payment.reference
        else:
            # A counter-entry: its label and reason, on the debit side.
            label = f"{payment.ledger_label} — {payment.reason}"
        rows.append(
            [
                payment.received_on,
                payment.get_kind_display(),
                payment.number,
                payment.family_name,
                label,
                payment.mode_name,
                "" if payment.is_receipt else amount,
                amount if payment.is_receipt else "",
            ]
        )
    rows.sort(key=lambda row: (row[0], row[2]))
    for row in rows:
        writer.writerow([row[0].strftime("%d/%m/%Y"), *(csv_cell(cell) for cell in row[1:])])
    return response


class PaymentReminderItemInline(admin.TabularInline):
    model = PaymentReminderItem
    extra = 0
    can_delete = False
    fields = ["invoice", "level", "amount_due_display"]
    readonly_fields = fields

    @admin.display(description=_("reste dû"))
    def amount_due_display(self, obj):
        return format_euros(obj.amount_due)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PaymentReminder)
class PaymentReminderAdmin(PortalModelAdmin):
    """The reminders `manage.py send_payment_reminders` sent: read-only, a record of what each
    family was told and when."""

    list_display = ["sent_at", "family", "level", "invoice_numbers", "amount_due_display"]
    list_filter = ["level", "sent_at"]
    date_hierarchy = "sent_at"
    search_fields = ["family__name", "items__invoice__number"]
    fields = ["family", "level", "sent_at", "amount_due_display"]
    readonly_fields = fields
    inlines = [PaymentReminderItemInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("family")
            .prefetch_related("items__invoice")
        )

    @admin.display(description=_("factures"))
    def invoice_numbers(self, obj):
        return ", ".join(item.invoice.number for item in obj.items.all())

    @admin.display(description=_("montant dû"), ordering="amount_due")
    def amount_due_display(self, obj):
        return format_euros(obj.amount_due)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SepaMandate)
class SepaMandateAdmin(PortalModelAdmin):
    """Mandates are signed by families online: staff read them (the IBAN in full only with
    `billing.view_full_iban`) and never change or delete what was signed."""

    list_display = ["rum", "family", "account_holder", "iban_display", "signed_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["rum", "family__name", "account_holder"]
    list_select_related = ["family"]
    fields = [
        "rum",
        "family",
        "account_holder",
        "iban_display",
        "bic",
        "creditor_name",
        "creditor_id",
        "mandate_text",
        "signer_name",
        "signed_by",
        "signed_at",
        "signed_ip",
        "revoked_at",
        "revoked_by",
        "pdf_display",
        "pdf_sha256",
    ]
    readonly_fields = fields

    @staticmethod
    def _iban_field(request) -> str:
        return "iban" if request.user.has_perm("billing.view_full_iban") else "iban_display"

    def get_list_display(self, request):
        return [self._iban_field(request) if f == "iban_display" else f for f in self.list_display]

    def get_fields(self, request, obj=None):
        return [self._iban_field(request) if f == "iban_display" else f for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("IBAN"))
    def iban_display(self, obj):
        return obj.masked_iban

    @admin.display(description=_("PDF"))
    def pdf_display(self, obj):
        if not obj.pdf:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:billing_sepamandate_pdf", args=[obj.pk]), _("PDF")
        )

    def get_urls(self):
        view = path(
            "<int:pk>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name="billing_sepamandate_pdf",
        )
        return [view, *super().get_urls()]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        mandate = get_object_or_404(SepaMandate.objects.exclude(pdf=""), pk=pk)
        return private_download(
            default_storage.open(mandate.pdf.name, "rb"),
            filename=f"mandat-{mandate.rum}.pdf",
            content_type="application/pdf",
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _xml_download(export):
    return private_download(
        default_storage.open(export.xml.name, "rb"),
        filename=f"prelevements-{export.due_on.isoformat()}-{export.pk}.xml",
        content_type="application/xml",
    )


@admin.register(SepaExport)
class SepaExportAdmin(PortalModelAdmin):
    """pain.008 files: "Ajouter" exports the debits of a due date (the file is downloaded at
    once and kept here)."""

    list_display = ["message_id", "due_on", "collection_on", "count", "total", "created_at", "file"]
    fields = ["message_id", "due_on", "collection_on", "count", "total", "created_by", "file"]
    readonly_fields = fields

    @admin.display(description=_("fichier pain.008"))
    def file(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:billing_sepaexport_xml", args=[obj.pk]), "XML"
        )

    def get_urls(self):
        view = path(
            "<int:pk>/xml/",
            self.admin_site.admin_view(self.xml_view),
            name="billing_sepaexport_xml",
        )
        return [view, *super().get_urls()]

    def xml_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _xml_download(get_object_or_404(SepaExport, pk=pk))

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SepaExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                export = sepa.export_debits(due_on=form.cleaned_data["due_on"], user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _xml_download(export)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Exporter les prélèvements d'une échéance (pain.008)"),
            "form": form,
        }
        return render(request, "admin/billing/sepaexport/export.html", context)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SepaDebit)
class SepaDebitAdmin(PortalModelAdmin):
    list_display = [
        "receipt",
        "family",
        "mandate",
        "iban",
        "amount",
        "sequence_type",
        "export",
        "status",
    ]
    list_filter = [("rejected_on", admin.EmptyFieldListFilter), "sequence_type"]
    list_select_related = ["family", "mandate", "payment", "export"]
    search_fields = ["family__name", "mandate__rum", "payment__number"]
    fields = [
        "receipt",
        "family",
        "mandate",
        "iban",
        "amount",
        "sequence_type",
        "export",
        "rejected_on",
        "reject_code",
        "status",
    ]
    readonly_fields = fields

    @admin.display(description=_("règlement"))
    def receipt(self, obj):
        return obj.payment.number

    @admin.display(description=_("IBAN"))
    def iban(self, obj):
        return obj.mandate.masked_iban

    def _status_field(self, request) -> str:
        return "status" if request.user.has_perm("billing.cancel_payment") else "status_plain"

    def get_list_display(self, request):
        field = self._status_field(request)
        return [field if f == "status" else f for f in self.list_display]

    def get_fields(self, request, obj=None):
        field = self._status_field(request)
        return [field if f == "status" else f for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("état"))
    def status_plain(self, obj):
        if obj.is_rejected:
            return _("rejeté (%(code)s)") % {"code": obj.reject_code}
        return _("transmis")

    @admin.display(description=_("état"))
    def status(self, obj):
        """With the link to mark it rejected (for staff who may cancel receipts)."""
        if obj.is_rejected:
            return self.status_plain(obj)
        return format_html(
            '{} — <a href="{}">{}</a>',
            _("transmis"),
            reverse("admin:billing_sepadebit_reject", args=[obj.pk]),
            _("marquer rejeté"),
        )

    def get_urls(self):
        view = path(
            "<int:pk>/rejeter/",
            self.admin_site.admin_view(self.reject_view),
            name="billing_sepadebit_reject",
        )
        return [view, *super().get_urls()]

    def reject_view(self, request, pk):
        """The bank rejected the debit: its receipt is cancelled with the bank's reason."""
        if not request.user.has_perm("billing.cancel_payment"):
            raise PermissionDenied
        debit = get_object_or_404(SepaDebit.objects.select_related("payment", "mandate"), pk=pk)
        form = RejectDebitForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                sepa.reject_debit(
                    debit=debit,
                    code=form.cleaned_data["code"],
                    rejected_on=form.cleaned_data["on"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Prélèvement %(number)s marqué rejeté : la somme est de nouveau due.")
                    % {"number": debit.payment.number},
                )
                return redirect("admin:billing_sepadebit_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Marquer rejeté le prélèvement %s") % debit.payment.number,
            "debit": debit,
            "form": form,
        }
        return render(request, "admin/billing/sepadebit/reject.html", context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = Instalment
    fields = ["position", "due_on", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentSchedule)
class PaymentScheduleAdmin(PortalModelAdmin):
    """The échéanciers families chose (read here; a family changes its own until paid)."""

    list_display = ["invoice", "invoice_family", "plan", "chosen_at"]
    list_filter = ["plan"]
    list_select_related = ["invoice__family"]
    search_fields = ["invoice__number", "invoice__family__name"]
    fields = ["invoice", "plan", "chosen_at", "chosen_by"]
    readonly_fields = fields
    inlines = [InstalmentInline]

    @admin.display(description=_("famille"))
    def invoice_family(self, obj):
        return obj.invoice.family

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Register the tariffs' pages and the billing runs' pages.
from billing import billing_run_admin, tariff_admin  # noqa: E402, F401
