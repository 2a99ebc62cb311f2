from django import forms

from accounts.models import User


class DisplayPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["large_text", "high_contrast"]
