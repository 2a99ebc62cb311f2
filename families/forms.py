"""The family record's forms: used by the Famille tab and, with the same rules, by the admin.

Validation and normalisation of French data come from the model fields (phonenumber_field,
portal.validators); these forms only choose the fields a family may edit and the required ones.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from families.models import Family, Responsable
from portal.editing import TrackEditsMixin, VersionForm, is_stale
from portal.history import changes_since

FAMILY_FIELDS = [
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "home_phone",
    "extra_phone_1_label",
    "extra_phone_1",
    "extra_phone_2_label",
    "extra_phone_2",
    "extra_phone_3_label",
    "extra_phone_3",
    "reference_email",
    "reference_mobile",
]
RESPONSABLE_FIELDS = [
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "birth_place",
    "birth_department",
    "marital_status",
    "socio_professional_group",
    "profession",
    "mobile",
    "work_phone",
    "email",
]


def _family_helper() -> FormHelper:
    """The Famille tab's layout: two sections; postal code and city, and each extra phone's
    label and number, side by side from the `sm` breakpoint."""
    helper = FormHelper()
    helper.form_tag = False  # the page's one <form> also holds the responsables' forms
    helper.disable_csrf = True  # that <form> has its token already
    helper.layout = Layout(
        Fieldset(
            _("Adresse et téléphones"),
            "address_line1",
            "address_line2",
            Row(Column("postal_code", css_class="col-sm-4"), Column("city", css_class="col-sm-8")),
            "home_phone",
            Row(
                *(
                    Column(name, css_class="col-sm-6")
                    for number in (1, 2, 3)
                    for name in (f"extra_phone_{number}_label", f"extra_phone_{number}")
                )
            ),
            css_class="pf-fieldset mb-4",
        ),
        Fieldset(
            _("Contacts de référence"),
            "reference_email",
            "reference_mobile",
            css_class="pf-fieldset mb-4",
        ),
    )
    return helper


class FamilyForm(TrackEditsMixin, forms.ModelForm):
    # Built once: the layout only names fields, it holds nothing of one form.
    helper = _family_helper()

    class Meta:
        model = Family
        fields = FAMILY_FIELDS
        help_texts = {
            "reference_email": _("Les accusés de réception et les factures y sont envoyés."),
            "reference_mobile": _("Un numéro de téléphone mobile, par exemple 06 12 34 56 78."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "Il faut un mail et un mobile de référence par famille."
        self.fields["reference_email"].required = True
        self.fields["reference_mobile"].required = True
        self.fields["address_line1"].label = _("Adresse (ligne 1)")
        self.fields["address_line2"].label = _("Adresse (ligne 2)")
        autocomplete = {
            "address_line1": "address-line1",
            "address_line2": "address-line2",
            "postal_code": "postal-code",
            "city": "address-level2",
            "reference_email": "email",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        cleaned = super().clean()
        for number in (1, 2, 3):
            label, phone = f"extra_phone_{number}_label", f"extra_phone_{number}"
            if cleaned.get(label) and not cleaned.get(phone) and phone not in self.errors:
                self.add_error(phone, _("Indiquez le numéro correspondant à ce libellé."))
        return cleaned


# The responsable's lists start with an explicit "not given" choice (Django's is "---------").
SELECT_FIELDS = ("civility", "birth_department", "marital_status", "socio_professional_group")


class ResponsableForm(TrackEditsMixin, forms.ModelForm):
    class Meta:
        model = Responsable
        fields = RESPONSABLE_FIELDS
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        # In __init__ rather than a formfield_callback: the admin's inlines build their fields
        # with a callback of their own.
        for name in SELECT_FIELDS:
            field = self.fields[name]
            field.choices = [
                ("", _("— Non renseigné —")),
                *(choice for choice in field.choices if choice[0] != ""),
            ]


class OptionalResponsableForm(ResponsableForm):
    """The second responsable: left empty, it is not created."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        kwargs.setdefault("empty_permitted", instance is None or instance.pk is None)
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)


class FamilyAdminForm(FamilyForm):
    """Staff edit the same fields with the same rules, plus the family's name; the version the
    page was read at refuses a save over someone else's (no lost update)."""

    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(FamilyForm.Meta):
        fields = ["name", *FAMILY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # The admin's change view runs in a transaction: the lock lasts until the save.
        stored = Family.objects.select_for_update().only("version").get(pk=self.instance.pk)
        if not is_stale(VersionForm({"record-version": cleaned.get("record_version")}), stored):
            return cleaned
        seen = cleaned.get("record_version") or 0
        details = "; ".join(
            f"{change.section + ' — ' if change.section else ''}{change.label} : "
            f"{change.old or '∅'} → {change.new or '∅'}"
            for entry in changes_since(stored, seen)
            for change in entry.changes
        )
        raise forms.ValidationError(
            _(
                "Cette fiche a été modifiée par quelqu'un d'autre pendant que vous la modifiiez "
                "(%(details)s). Rien n'a été enregistré : ouvrez de nouveau la fiche et "
                "refaites votre modification."
            ),
            params={"details": details or "—"},
            code="stale",
        )
