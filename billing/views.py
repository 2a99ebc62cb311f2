"""The Facturation tab: ledger, invoice detail, PDFs and the payment certificate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from billing import pdf
from billing.forms import AttestationForm, LedgerFilterForm
from billing.ledger import Period, build_attestation, build_ledger, period_choices, totals
from billing.models import Invoice, Payment
from billing.services import family_address, invoice_balance
from families.models import Family
from portal.access import family_required, get_for_family, log_not_found
from portal.models import Centre


@family_required
@require_GET
def ledger(request):
    family = request.user.family
    periods = period_choices()
    form = LedgerFilterForm(request.GET or None, periods=periods)
    filters = {"period": Period(), "kind": "", "text": ""}
    if form.is_bound and form.is_valid():
        filters = {
            "period": form.cleaned_data["periode"],
            "kind": form.cleaned_data["type"],
            "text": form.cleaned_data["q"],
        }
    is_filtered = filters != {"period": Period(), "kind": "", "text": ""}
    result = build_ledger(family, **filters)
    context = {
        "form": form,
        "ledger": result,
        "is_filtered": is_filtered,
        "account": totals(family) if is_filtered else result.totals,
        "attestation_form": AttestationForm(periods=periods),
    }
    return render(request, "billing/ledger.html", context)


@family_required
@require_GET
def invoice_detail(request, number: str):
    invoice = get_for_family(
        request,
        Invoice.objects.filter(number__isnull=False).select_related("season", "credited_invoice"),
        number=number,
    )
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "allocations": invoice.allocations.select_related("payment"),
        "credit_notes": invoice.credit_notes.filter(number__isnull=False),
        "balance": None if invoice.is_credit_note else invoice_balance(invoice),
    }
    return render(request, "billing/invoice_detail.html", context)


def attachment(filename: str, mimetype: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def document_pdf(request, number: str):
    """The stored PDF of an invoice, credit note or receipt: to its family, or to staff."""
    model = Payment if "REG" in number else Invoice
    queryset = model.objects.filter(number=number)
    if not request.user.is_staff:
        if request.user.family_id is None:
            raise Http404
        queryset = queryset.filter(family_id=request.user.family_id)
    document = queryset.only("number", "pdf").first()
    if document is None or not document.pdf:
        log_not_found(request, "billing document")
        raise Http404
    with default_storage.open(document.pdf.name, "rb") as stored:
        data = stored.read()
    return attachment(f"{document.number}.pdf", pdf.PDF_MIMETYPE, data)


@family_required
@require_GET
def attestation(request):
    form = AttestationForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choisissez une saison ou une année pour l'attestation."))
        return redirect("billing:ledger")
    family = Family.objects.prefetch_related("responsables").get(pk=request.user.family_id)
    document = build_attestation(
        family,
        period=form.cleaned_data["periode"],
        family_name=family.display_name,
        address=family_address(family),
    )
    return attachment(*pdf.render_attestation(document, centre=Centre.objects.current()))
