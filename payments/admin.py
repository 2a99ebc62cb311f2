"""Staff: online payment attempts (read-only, with the service's raw notifications) and the
day's online payments for the régie's accounts, as a page and as CSV."""

import csv
from datetime import date

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.templatetags.billing import format_euros
from payments.models import PaymentAttempt, PaymentNotification
from payments.services import credit_left
from portal.csv import csv_cell


class NotificationInline(admin.TabularInline):
    model = PaymentNotification
    extra = 0
    can_delete = False
    fields = ["received_at", "source", "result", "outcome", "detail", "raw", "bank_data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DayForm(forms.Form):
    jour = forms.DateField(label=_("Jour"), required=False)


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "family",
        "amount_display",
        "state",
        "backend",
        "created_at",
        "receipt",
        "credit",
    ]
    list_filter = ["state", "backend", "created_at"]
    search_fields = ["reference", "order_id", "transaction_id", "family__name"]
    date_hierarchy = "created_at"
    list_select_related = ["family", "payment"]
    inlines = [NotificationInline]
    fields = [
        "reference",
        "family",
        "invoices",
        "amount",
        "subject",
        "order_id",
        "backend",
        "transaction_id",
        "state",
        "bank_status",
        "payment",
        "created_by",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("payment__allocations")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("montant"), ordering="amount")
    def amount_display(self, obj):
        return format_euros(obj.amount)

    @admin.display(description=_("reçu"))
    def receipt(self, obj):
        return obj.payment.number if obj.payment else "—"

    @admin.display(description=_("crédit laissé sur le compte"))
    def credit(self, obj):
        left = credit_left(obj)
        return format_euros(left) if left else "—"

    def get_urls(self):
        day = path(
            "jour/",
            self.admin_site.admin_view(self.day_view),
            name="payments_paymentattempt_day",
        )
        return [day, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "day_url": reverse("admin:payments_paymentattempt_day"),
        }
        return super().changelist_view(request, extra_context)

    def day_view(self, request):
        """The online payments recorded on a day (today by default), for the régie's accounts;
        `?format=csv` downloads them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DayForm(request.GET or None)
        day = timezone.localdate()
        if form.is_valid() and form.cleaned_data["jour"]:
            day = form.cleaned_data["jour"]
        attempts = (
            PaymentAttempt.objects.filter(state=PaymentAttempt.State.PAID, payment__received_on=day)
            .select_related("family", "payment")
            .prefetch_related("invoices", "payment__allocations")
            .order_by("payment__number")
        )
        if request.GET.get("format") == "csv":
            return day_csv(day, attempts)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Paiements en ligne du %(day)s") % {"day": day.strftime("%d/%m/%Y")},
            "form": form,
            "day": day,
            "attempts": attempts,
            "total": attempts.aggregate(total=Sum("amount"))["total"],
        }
        return render(request, "admin/payments/paymentattempt/day.html", context)


def day_csv(day: date, attempts) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="paiements-en-ligne-{day}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # so that spreadsheet software reads UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "Date",
            "Reçu",
            "Famille",
            "Factures",
            "Montant",
            "Référence du paiement",
            "Référence transmise",
            "Identifiant du service",
            "Crédit laissé",
        ]
    )
    for attempt in attempts:
        writer.writerow(
            [
                attempt.payment.received_on,
                attempt.payment.number,
                csv_cell(attempt.payment.family_name),
                " ".join(invoice.number for invoice in attempt.invoices.all()),
                str(attempt.amount).replace(".", ","),
                attempt.reference,
                attempt.order_id,
                csv_cell(attempt.transaction_id or ""),
                str(credit_left(attempt)).replace(".", ","),
            ]
        )
    return response


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(admin.ModelAdmin):
    """Every message of the service, refused ones included (also those about no known
    payment), as received."""

    list_display = ["received_at", "attempt", "source", "result", "outcome", "detail"]
    list_filter = ["outcome", "source", "received_at"]
    search_fields = ["attempt__reference", "raw", "detail"]
    list_select_related = ["attempt"]
    fields = ["received_at", "attempt", "source", "result", "outcome", "detail", "raw", "bank_data"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
