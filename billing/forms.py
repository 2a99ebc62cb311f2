"""Forms of the Facturation tab (they only validate) and of the billing admin."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing.ledger import (
    KIND_CANCELLATION,
    KIND_CREDIT_NOTE,
    KIND_INVOICE,
    KIND_PAYMENT,
    KIND_REFUND,
    Period,
)
from billing.models import Invoice, InvoiceLine, Payment, PaymentMode

KIND_CHOICES = [
    ("", _("Toutes les opérations")),
    (KIND_INVOICE, _("Factures")),
    (KIND_CREDIT_NOTE, _("Avoirs")),
    (KIND_PAYMENT, _("Règlements")),
    (KIND_CANCELLATION, _("Annulations de reçus")),
    (KIND_REFUND, _("Remboursements")),
]


class PeriodField(forms.ChoiceField):
    """A season or a civil year, cleaned into a `Period`."""

    periods: dict[str, Period] = {}

    def load_choices(self, options) -> None:
        """Called by each form instance with the family's periods (`ledger.period_choices`)."""
        self.periods = {key: period for key, _label, period in options}
        self.choices = [("", _("Toutes périodes"))] if not self.required else []
        self.choices += [(key, label) for key, label, _period in options]

    def clean(self, value):
        value = super().clean(value)
        return self.periods.get(value, Period())


class PeriodForm(forms.Form):
    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["periode"].load_choices(periods)


class LedgerFilterForm(PeriodForm):
    periode = PeriodField(label=_("Saison ou année"), required=False)
    type = forms.ChoiceField(label=_("Type d'opération"), choices=KIND_CHOICES, required=False)
    q = forms.CharField(label=_("Numéro ou libellé"), required=False, max_length=50, strip=True)


class AttestationForm(PeriodForm):
    """Offers only the periods with payments (`period_choices(…, paid_only=True)`), the latest
    season first: there is nothing to attest in the others."""

    NO_PAYMENT = _(
        "Choisissez une saison ou une année où figure au moins un de vos règlements : "
        "une attestation de paiement ne porte pas sur une période sans règlement."
    )
    periode = PeriodField(
        label=_("Saison ou année civile"),
        error_messages={
            "required": _("Choisissez une saison ou une année pour l'attestation."),
            "invalid_choice": NO_PAYMENT,
        },
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, periods=periods, **kwargs)
        if periods:
            self.fields["periode"].initial = periods[0][0]


class DraftInvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["family", "season", "label", "due_on"]


class InvoiceLineForm(forms.ModelForm):
    class Meta:
        model = InvoiceLine
        fields = ["position", "student", "discipline", "label", "amount", "is_reduction"]

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("amount")
        if amount is None:
            return cleaned
        if cleaned.get("is_reduction"):
            if amount > 0:
                self.add_error(
                    "amount",
                    _("Une réduction se saisit en montant négatif (ex. -12,00)."),
                )
        elif amount < 0:
            self.add_error("amount", _("Une ligne de facture ne peut pas être négative."))
        return cleaned


class PaymentForm(forms.ModelForm):
    """Staff record a payment; the receipt is issued by `billing.services.record_payment`."""

    invoice_numbers = forms.CharField(
        label=_("Factures réglées"),
        required=False,
        help_text=_(
            "Facultatif : numéros des factures de cette famille, séparés par des espaces "
            "(ex. 2026FAC0012 2026FAC0040). Le montant est affecté aux plus anciennes d'abord."
        ),
    )

    class Meta:
        model = Payment
        fields = ["family", "received_on", "mode", "amount", "reference", "season"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "mode" in self.fields:  # absent when admin shows a recorded payment, read-only
            self.fields["mode"].queryset = PaymentMode.objects.filter(is_active=True)
            self.fields["received_on"].initial = date.today

    def clean(self):
        cleaned = super().clean()
        numbers = set(re.split(r"[\s,;]+", cleaned.get("invoice_numbers", "").strip().upper()))
        numbers.discard("")
        family = cleaned.get("family")
        invoices = []
        if numbers and family:
            invoices = list(
                Invoice.objects.filter(family=family, kind=Invoice.Kind.INVOICE, number__in=numbers)
            )
            unknown = numbers - {invoice.number for invoice in invoices}
            if unknown:
                self.add_error(
                    "invoice_numbers",
                    _("Factures introuvables pour cette famille : %s") % ", ".join(sorted(unknown)),
                )
        cleaned["invoices"] = invoices
        return cleaned


class CreditNoteForm(forms.Form):
    """Staff credit part of an invoice; leave the amount empty to credit all of it."""

    label = forms.CharField(label=_("Motif (libellé de la ligne)"), max_length=200)
    amount = forms.DecimalField(
        label=_("Montant de l'avoir"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Vide : avoir du montant restant de la facture, ligne par ligne."),
    )


# A native date picker: the browser shows the staff member's format and sends ISO dates.
ISO_DATE = {"type": "date"}


class CancelPaymentForm(forms.Form):
    """Staff cancel a receipt: `billing.services.cancel_payment` (field names match its errors)."""

    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ex. chèque revenu impayé, règlement saisi deux fois. Envoyé à la famille."),
    )
    on = forms.DateField(
        label=_("Date de l'annulation"),
        initial=date.today,
        widget=forms.DateInput(ISO_DATE, format="%Y-%m-%d"),
    )


class RefundForm(forms.Form):
    """Staff refund a family's credit: `billing.services.refund_overpayment`."""

    amount = forms.DecimalField(
        label=_("Montant remboursé"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    mode = forms.ModelChoiceField(
        label=_("Mode de remboursement"), queryset=PaymentMode.objects.filter(is_active=True)
    )
    on = forms.DateField(
        label=_("Date du remboursement"),
        initial=date.today,
        widget=forms.DateInput(ISO_DATE, format="%Y-%m-%d"),
    )
    reference = forms.CharField(
        label=_("Référence"),
        max_length=100,
        required=False,
        help_text=_("N° de chèque, de virement…"),
    )
    reason = forms.CharField(
        label=_("Motif du remboursement"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Envoyé à la famille."),
    )


# The page asks for DD/MM/YYYY in every language (English input formats would read MM/DD).
EXPORT_DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class ExportForm(forms.Form):
    start = forms.DateField(label=_("Du"), input_formats=EXPORT_DATE_FORMATS)
    end = forms.DateField(label=_("Au"), input_formats=EXPORT_DATE_FORMATS)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise ValidationError(_("La date de début doit précéder la date de fin."))
        return cleaned


class MandateForm(forms.Form):
    """A SEPA mandate's signature on the Facturation tab; `billing.sepa.sign_mandate` checks
    again and records it."""

    account_holder = forms.CharField(
        label=_("Titulaire du compte"),
        max_length=70,
        required=False,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=50,
        required=False,
        help_text=_(
            "27 caractères pour un compte en France, commençant par FR ; les espaces sont acceptés."
        ),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    accepted = forms.BooleanField(
        label=_("J'ai lu le texte du mandat ci-dessus et je l'accepte : je signe ce mandat."),
        required=False,
    )


class SepaExportForm(forms.Form):
    due_on = forms.DateField(
        label=_("Échéance à prélever"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RejectDebitForm(forms.Form):
    code = forms.ChoiceField(label=_("Motif de rejet de la banque"), choices=())
    on = forms.DateField(
        label=_("Date du rejet"),
        required=False,
        help_text=_("Aujourd'hui si vide."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        from billing.models import SepaDebit

        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "—"), *SepaDebit.RejectCode.choices]


class PaymentPlanForm(forms.Form):
    plan = forms.ChoiceField(
        label=_("Comment souhaitez-vous régler cette facture ?"),
        widget=forms.RadioSelect,
        choices=(),
    )

    def __init__(self, *args, **kwargs):
        from billing.models import PaymentSchedule

        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = PaymentSchedule.Plan.choices
