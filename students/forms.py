"""Forms of the Élèves tab: the student record, and the upload of a supporting document."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dates import long_date
from portal.editing import TrackEditsMixin
from students.checklist import ADDRESS, QUOTIENT, ChecklistItem, oldest_proof_of_address_date
from students.models import DocumentKind, Student
from students.uploads import ACCEPTED, ACCEPTED_EXTENSIONS, check_upload

YES_NO = [(True, _("Oui")), (False, _("Non"))]


def _yes_no_field(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )


class StudentForm(TrackEditsMixin, forms.ModelForm):
    image_rights = _yes_no_field(
        _("Droit à l'image"),
        _("J'autorise le centre à utiliser des photos ou vidéos de l'élève (spectacles, site)."),
    )
    may_leave_alone = _yes_no_field(
        _("Autorisation de sortie"),
        _("L'élève peut quitter seul(e) le centre après son cours."),
    )

    class Meta:
        model = Student
        fields = [
            "civility",
            "last_name",
            "first_name",
            "birth_date",
            "birth_place",
            "email",
            "mobile",
            "school",
            "school_class",
            "image_rights",
            "may_leave_alone",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "email": _("Facultatif : pour les adolescents et les adultes."),
            "mobile": _("Facultatif : un numéro de mobile, par exemple 06 12 34 56 78."),
        }


class DocumentUploadForm(forms.Form):
    """One item of the checklist: "Parcourir" (the file input) then "Importer".

    The file is fully checked here (`students.uploads.check_upload`); `cleaned_data["file"]`
    is then the `CheckedFile` to store.
    """

    kind = forms.ChoiceField(
        label=_("Type de document"),
        choices=[
            (DocumentKind.HEALTH_STATEMENT, DocumentKind.HEALTH_STATEMENT.label),
            (DocumentKind.MEDICAL_CERTIFICATE, DocumentKind.MEDICAL_CERTIFICATE.label),
        ],
        widget=forms.RadioSelect,
    )
    document_date = forms.DateField(
        label=_("Date du justificatif"),
        help_text=_("La date qui figure sur le document : il doit dater de moins de 3 mois."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "PDF ou JPEG (les photos PNG et HEIC sont acceptées et converties en JPEG), "
            "10 Mo au maximum."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join([*ACCEPTED_EXTENSIONS, *sorted(ACCEPTED)])}
        ),
    )

    def __init__(self, *args, item: ChecklistItem, **kwargs):
        kwargs.setdefault("prefix", item.key)
        super().__init__(*args, **kwargs)
        self.item = item
        if item.requirement == ADDRESS:
            del self.fields["kind"]
        elif item.requirement == QUOTIENT:
            del self.fields["kind"]
            del self.fields["document_date"]
        else:
            del self.fields["document_date"]

    def clean_document_date(self):
        value = self.cleaned_data["document_date"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(_("Cette date est dans le futur."))
        oldest = oldest_proof_of_address_date(today)
        if value < oldest:
            raise forms.ValidationError(
                _(
                    "Le justificatif de domicile doit dater de moins de 3 mois "
                    "(du %(date)s ou plus récent)."
                )
                % {"date": long_date(oldest)}
            )
        return value

    def clean_file(self):
        return check_upload(self.cleaned_data["file"])

    @property
    def document_kind(self) -> str:
        if self.item.requirement == ADDRESS:
            return DocumentKind.PROOF_OF_ADDRESS
        if self.item.requirement == QUOTIENT:
            return DocumentKind.FAMILY_QUOTIENT
        return self.cleaned_data["kind"]
