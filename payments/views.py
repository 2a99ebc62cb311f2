"""Paying online: the family's summary and start, the return page, the service's notification,
and the simulated service of the `dummy` backend (development, tests)."""

from urllib.parse import urlencode, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from billing.models import Invoice
from payments import backend, services
from payments.forms import InvoiceChoiceForm
from payments.models import PaymentAttempt, PaymentNotification
from portal.access import family_required, get_for_family, log_not_found


def _chosen_numbers(data) -> list[str] | None:
    numbers = [number for number in data.getlist("facture") if number]
    return numbers or None


@family_required
@require_http_methods(["GET", "POST"])
def start(request):
    """GET: what will be paid (the invoices chosen, or all those owed) and the amount, computed
    here; the family may change the choice. POST: the payment starts and the family is sent to
    the service."""
    if not backend.is_enabled():
        raise Http404
    family = request.user.family
    data = request.POST if request.method == "POST" else request.GET
    numbers = _chosen_numbers(data)
    one_invoice = backend.one_invoice_per_payment()
    payable = list(services.payable_invoices(family.pk))
    if numbers is None and one_invoice and payable:
        numbers = [payable[0].number]
    chosen, error = None, None
    try:
        chosen = services.basket(family, numbers)
    except Invoice.DoesNotExist:
        log_not_found(request, "payment_invoice")
        raise Http404 from None
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.method == "POST" and chosen is not None:
        try:
            _attempt, url = services.start_payment(
                family=family, user=request.user, numbers=[i.number for i in chosen.invoices]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except services.ServiceUnavailable:
            error = _(
                "Le service de paiement n'a pas pu créer le paiement. Rien n'a été payé : "
                "réessayez dans quelques minutes, ou réglez auprès du centre."
            )
        else:
            return redirect(url)
    selected = [invoice.number for invoice in chosen.invoices] if chosen else numbers or []
    context = {
        "payable": payable,
        "choice_form": InvoiceChoiceForm(
            initial={"facture": selected[0] if one_invoice and selected else selected},
            payable=payable,
            one_invoice=one_invoice,
        ),
        "basket": chosen,
        "pending": services.pending_attempt(family.pk),
        "error": error,
        "one_invoice": one_invoice,
    }
    return render(request, "payments/start.html", context)


@csrf_exempt  # the service may send the family back with a cross-site POST: nothing is changed
@require_http_methods(["GET", "POST"])
def payment_return(request, reference: str):
    """The family back from the service: the attempt's state as the service reported it. Never
    records anything itself; with a service that answers status lookups (PayFiP), an unfinished
    payment is verified server to server."""
    if request.method == "POST":
        # A cross-site POST carries no SameSite=Lax session cookie: come back as a GET.
        return redirect("payments:return", reference=reference)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.family_id is None:
        raise Http404
    attempt = get_for_family(
        request, PaymentAttempt.objects.select_related("payment"), reference=reference
    )
    attempt = services.verify(attempt)
    context = {
        "attempt": attempt,
        "invoices": attempt.invoices.order_by("issued_on", "number"),
        "credit": services.credit_left(attempt),
    }
    return render(request, "payments/return.html", context)


@csrf_exempt  # called by the payment service, server to server: verified by eopayment instead
@require_http_methods(["GET", "POST"])
def notify(request):
    if not backend.is_enabled():
        raise Http404
    query = request.body.decode("utf-8", "replace") if request.method == "POST" else ""
    query = query or request.META.get("QUERY_STRING", "")
    outcome, content = services.handle_notification(query, request=request)
    if outcome == PaymentNotification.Outcome.REJECTED:
        return HttpResponseBadRequest("refused", content_type="text/plain")
    if outcome == PaymentNotification.Outcome.UNVERIFIED:
        return HttpResponse("try again later", status=503, content_type="text/plain")
    return HttpResponse(content or "OK", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def simulator(request):
    """The `dummy` backend's payment service, simulated by the portal for the demo and the
    tests: the family chooses the outcome; the service's notification is then applied as the
    real service's would be (server side), and the family is sent back to the return page."""
    if backend.name() != "dummy":
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    transaction_id = params.get("transaction_id", "")
    return_path = urlsplit(params.get("return_url", "")).path
    attempt = PaymentAttempt.objects.filter(transaction_id=transaction_id, backend="dummy").first()
    if attempt is None or not return_path.startswith("/"):
        raise Http404
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        if outcome not in {"ok", "refused", "cancelled"}:
            return HttpResponseBadRequest()
        fields = {
            "transaction_id": transaction_id,
            "orderid": params.get("orderid", ""),
            "amount": params.get("amount", ""),
            "signed": "1",
        }
        if outcome != "refused":
            fields[outcome] = "1"
        else:
            fields["reason"] = "refused"
        services.handle_notification(urlencode(fields), request=request)
        return redirect(return_path)
    context = {
        "params": {
            key: params.get(key, "")
            for key in ["transaction_id", "orderid", "amount", "return_url", "subject"]
        },
        "attempt": attempt,
    }
    return render(request, "payments/simulator.html", context)
