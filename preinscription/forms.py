"""The public application form (several forms on one page, each with its prefix) and the
upload of a missing document from the status link."""

from dataclasses import dataclass

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from students.forms import DocumentUploadForm

from .models import ApplicantResponsable, ApplicantStudent, Application

MAX_STUDENTS = 3
MAX_WISHES = 3
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@dataclass(frozen=True)
class UploadSlot:
    """What `students.forms.DocumentUploadForm` reads of a checklist item: the requirement
    (address or dance) and a key unique on the page (the form's prefix)."""

    requirement: str
    key: str


def upload_form(data=None, files=None, *, requirement: str, key: str, optional: bool):
    """The Élèves tab's upload form (same checks: `students.uploads.check_upload`); optional
    on the application form (left empty, it is ignored)."""
    return DocumentUploadForm(
        data,
        files,
        item=UploadSlot(requirement, key),
        empty_permitted=optional,
        use_required_attribute=not optional,
    )


def consent_label(requirement) -> str:
    """What the applicant accepts, with a link to the document it refers to (the règlement),
    readable without an account during the period (`views.requirement_document`)."""
    if not requirement.document:
        return requirement.text
    return format_html(
        '{} (<a href="{}" target="_blank" rel="noopener">{}</a>)',
        requirement.text,
        reverse("preinscription:requirement_document", args=[requirement.pk]),
        requirement.document_link_text,
    )


class ResponsableForm(forms.ModelForm):
    class Meta:
        model = ApplicantResponsable
        fields = ["civility", "last_name", "first_name", "email", "mobile"]
        help_texts = {"mobile": _("Par exemple 06 12 34 56 78.")}

    def __init__(self, *args, optional=False, **kwargs):
        if optional:
            kwargs.setdefault("empty_permitted", True)
            kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        civility = self.fields["civility"]
        civility.choices = [("", _("— Non renseigné —")), *civility.choices[1:]]


class FamilyForm(forms.ModelForm):
    """The household's contact details, the consents and the honeypot."""

    # A field people do not see (hidden with CSS, skipped by screen readers and the keyboard):
    # robots filling every field give themselves away.
    website = forms.CharField(label=_("Site web (ne pas remplir)"), required=False)

    class Meta:
        model = Application
        fields = [
            "email",
            "reference_mobile",
            "home_phone",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "comment",
        ]
        help_texts = {
            "email": _("Le récépissé et les réponses du centre y sont envoyés."),
            "reference_mobile": _("Par exemple 06 12 34 56 78."),
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.requirements = list(requirements)
        for requirement in self.requirements:
            self.fields[f"consent_{requirement.pk}"] = forms.BooleanField(
                label=consent_label(requirement),
                error_messages={"required": _("Cochez cette case pour envoyer la demande.")},
            )

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))

    def consent_fields(self):
        return [self[f"consent_{requirement.pk}"] for requirement in self.requirements]

    def accepted_requirements(self):
        return [r for r in self.requirements if self.cleaned_data.get(f"consent_{r.pk}")]


class StudentForm(forms.ModelForm):
    """One child (or adult) and the disciplines wished, in order of preference."""

    class Meta:
        model = ApplicantStudent
        fields = ["last_name", "first_name", "birth_date"]
        widgets = {"birth_date": DATE_WIDGET}

    def __init__(self, *args, disciplines=(), optional=False, **kwargs):
        if optional:
            kwargs.setdefault("empty_permitted", True)
            kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        self.disciplines = {str(d.pk): d for d in disciplines}
        choices = [("", _("— Aucune —"))] + [(str(d.pk), d.name) for d in disciplines]
        for number in range(1, MAX_WISHES + 1):
            self.fields[f"wish_{number}"] = forms.ChoiceField(
                label=_("Discipline souhaitée n° %(number)s") % {"number": number},
                choices=choices,
                required=number == 1,
                help_text=_("Votre premier choix.") if number == 1 else _("Facultatif."),
                error_messages={"required": _("Choisissez au moins une discipline.")},
            )

    def clean(self):
        cleaned = super().clean()
        chosen = []
        for number in range(1, MAX_WISHES + 1):
            value = cleaned.get(f"wish_{number}")
            if not value:
                continue
            if value in chosen:
                self.add_error(
                    f"wish_{number}", _("Cette discipline est déjà choisie pour cet élève.")
                )
            chosen.append(value)
        return cleaned

    @property
    def wished_disciplines(self):
        values = [self.cleaned_data.get(f"wish_{n}") for n in range(1, MAX_WISHES + 1)]
        return [self.disciplines[value] for value in dict.fromkeys(v for v in values if v)]
