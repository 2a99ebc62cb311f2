from django import forms
from django.utils.translation import gettext_lazy as _

from billing.templatetags.billing import format_euros


class InvoiceChoiceForm(forms.Form):
    """The invoices to pay, among the family's invoices still owed: several, or one (PayFiP)."""

    facture = forms.MultipleChoiceField(
        label=_("Factures restant à payer"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, payable, one_invoice: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                invoice.number,
                _("Facture %(number)s (reste %(owed)s)")
                % {"number": invoice.number, "owed": format_euros(invoice.owed)},
            )
            for invoice in payable
        ]
        if one_invoice:
            self.fields["facture"] = forms.ChoiceField(
                label=_("Facture à payer"), widget=forms.RadioSelect, choices=choices
            )
        else:
            self.fields["facture"].choices = choices
