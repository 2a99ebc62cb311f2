from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class DisplayPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["large_text", "high_contrast", "language"]
        help_texts = {
            "language": _("La langue du portail et des e-mails que vous recevez du centre."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not posted (an older page): the account keeps its language.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language
