"""The Facturation tab: ledger, invoice detail, PDFs and the payment certificate."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing import instalments, pdf, sepa
from billing.forms import AttestationForm, LedgerFilterForm, MandateForm, PaymentPlanForm
from billing.ledger import (
    Period,
    build_attestation,
    build_ledger,
    operation_periods,
    period_choices,
    totals,
)
from billing.models import (
    Invoice,
    PaymentSchedule,
    SepaMandate,
    model_for_number,
    staff_may_open_pdf,
)
from billing.services import family_address, invoice_balance
from billing.tariffs import quotient_status
from families.models import Family
from payments import backend as payment_backend
from portal.access import family_required, get_for_family, log_not_found, private_download
from portal.client_ip import client_ip
from portal.models import Centre


@family_required
@require_GET
def ledger(request):
    family = request.user.family
    operations = operation_periods(family)
    form = LedgerFilterForm(request.GET or None, periods=period_choices(operations))
    filters = {"period": Period(), "kind": "", "text": ""}
    if form.is_bound and form.is_valid():
        filters = {
            "period": form.cleaned_data["periode"],
            "kind": form.cleaned_data["type"],
            "text": form.cleaned_data["q"],
        }
    is_filtered = filters != {"period": Period(), "kind": "", "text": ""}
    result = build_ledger(family, **filters)
    account = totals(family) if is_filtered else result.totals
    context = {
        "form": form,
        "ledger": result,
        "is_filtered": is_filtered,
        "account": account,
        # As for reminders (`billing.reminders`): a family whose account is settled (it paid
        # without allocating to the invoice) is not shown as late.
        "show_overdue": account.balance > 0,
        "attestation_form": AttestationForm(periods=period_choices(operations, paid_only=True)),
        "quotient": quotient_status(family),
        "online_payment": payment_backend.is_enabled(),
    }
    return render(request, "billing/ledger.html", context)


@family_required
@require_GET
def invoice_detail(request, number: str):
    return _invoice_page(request, number)


def _invoice_page(request, number: str, plan_form=None):
    """An issued invoice or credit note of the family, with its échéancier's form."""
    invoice = get_for_family(
        request,
        Invoice.objects.filter(number__isnull=False).select_related("season", "credited_invoice"),
        number=number,
    )
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        # A cancelled receipt's share is shown as such, and no longer counts as paid.
        "allocations": invoice.allocations.select_related("payment").annotate(
            cancelled_by=F("payment__cancellation__number")
        ),
        "credit_notes": invoice.credit_notes.filter(number__isnull=False),
        "balance": None if invoice.is_credit_note else invoice_balance(invoice),
        "online_payment": payment_backend.is_enabled(),
    }
    if not invoice.is_credit_note:
        schedule = PaymentSchedule.objects.filter(invoice=invoice).first()
        context["schedule"] = schedule
        context["instalments"] = list(schedule.instalments.all()) if schedule else []
        context["plan_form"] = plan_form or PaymentPlanForm(
            initial={"plan": schedule.plan if schedule else PaymentSchedule.Plan.ONCE}
        )
        context["plan_changeable"] = context["balance"] == invoice.total
    return render(request, "billing/invoice_detail.html", context)


@family_required
@require_POST
def invoice_plan(request, number: str):
    """The family chooses (or changes) the invoice's échéancier."""
    invoice = get_for_family(
        request,
        Invoice.objects.filter(number__isnull=False, kind=Invoice.Kind.INVOICE),
        number=number,
    )
    form = PaymentPlanForm(request.POST)
    if form.is_valid():
        try:
            instalments.choose_plan(
                invoice=invoice, plan=form.cleaned_data["plan"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("L'échéancier de la facture %(number)s est enregistré.") % {"number": number},
            )
            return redirect("billing:invoice", number=number)
    return _invoice_page(request, number, plan_form=form)


@login_required
@require_GET
def document_pdf(request, number: str):
    """The stored PDF of an invoice, credit note, receipt, cancellation or refund: to its
    family, or to staff allowed to view that kind of document."""
    model = model_for_number(number)
    if model is None:
        raise Http404
    queryset = model.objects.filter(number=number)
    if request.user.is_staff:
        if not staff_may_open_pdf(request.user, model):
            raise PermissionDenied(
                _("Vous n'avez pas la permission d'ouvrir ce document comptable.")
            )
    else:
        if request.user.family_id is None:
            raise Http404
        queryset = queryset.filter(family_id=request.user.family_id)
    document = queryset.only("number", "pdf").first()
    if document is None or not document.pdf:
        log_not_found(request, "billing_document")
        raise Http404
    return private_download(
        default_storage.open(document.pdf.name, "rb"),
        filename=f"{document.number}.pdf",
        content_type=pdf.PDF_MIMETYPE,
    )


@family_required
@require_GET
def attestation(request):
    family = Family.objects.prefetch_related("responsables").get(pk=request.user.family_id)
    periods = period_choices(operation_periods(family), paid_only=True)
    form = AttestationForm(request.GET, periods=periods)
    if not form.is_valid():
        for error in form.errors.get("periode", []):
            messages.error(request, error)
        return redirect("billing:ledger")
    document = build_attestation(
        family,
        period=form.cleaned_data["periode"],
        family_name=family.display_name,
        address=family_address(family),
    )
    if document.paid <= 0:  # nothing paid in the period: no "0,00 € … pour servir et valoir"
        messages.error(request, AttestationForm.NO_PAYMENT)
        return redirect("billing:ledger")
    filename, mimetype, data = pdf.render_attestation(document, centre=Centre.objects.current())
    return private_download(io.BytesIO(data), filename=filename, content_type=mimetype)


def _mandates_of(request):
    return SepaMandate.objects.filter(family_id=request.user.family_id)


@family_required
def mandate(request):
    """The family's SEPA mandates: the active one (IBAN masked), signing one (or a replacement),
    the revoked ones kept with their PDF copies."""
    form = MandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signed = sepa.sign_mandate(
                family=request.user.family,
                user=request.user,
                account_holder=form.cleaned_data["account_holder"],
                iban=form.cleaned_data["iban"],
                accepted=form.cleaned_data["accepted"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(None if field == "__all__" else field, messages_)
        else:
            messages.success(
                request,
                _("Votre mandat %(rum)s est signé. Sa copie PDF est disponible ci-dessous.")
                % {"rum": signed.rum},
            )
            return redirect("billing:mandate")
    mandates = list(_mandates_of(request).select_related("signed_by"))
    name = sepa.creditor_name()
    context = {
        "form": form,
        "mandates": mandates,
        "active": next((m for m in mandates if m.is_active), None),
        "creditor_name": name,
        "creditor_id": sepa.creditor_id(),
        "mandate_text": sepa.mandate_text(name=name, ics=sepa.creditor_id()),
    }
    return render(request, "billing/mandate.html", context)


@family_required
@require_POST
def mandate_revoke(request, rum: str):
    found = get_for_family(request, SepaMandate.objects.all(), rum=rum)
    try:
        sepa.revoke_mandate(mandate=found, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Le mandat %(rum)s est révoqué : plus aucun prélèvement ne sera fait avec lui.")
            % {"rum": found.rum},
        )
    return redirect("billing:mandate")


@family_required
@require_GET
def mandate_pdf(request, rum: str):
    found = get_for_family(request, SepaMandate.objects.exclude(pdf=""), rum=rum)
    return private_download(
        default_storage.open(found.pdf.name, "rb"),
        filename=f"mandat-{found.rum}.pdf",
        content_type=pdf.PDF_MIMETYPE,
    )
