"""The form staff write a message to families with (admin: "Écrire aux familles")."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from families.models import Family
from messaging.models import MessageTemplate
from messaging.placeholders import validate_placeholders
from messaging.services import families_enrolled
from students.models import Course, Department, Discipline, Season


def open_seasons():
    """The current season and the later ones (messages go to the families there now)."""
    current = Season.objects.filter(is_current=True).values("starts_on")[:1]
    return Season.objects.filter(Q(is_current=True) | Q(starts_on__gt=current)).order_by(
        "starts_on"
    )


class ComposeForm(forms.Form):
    # A selection made on the families' list: their pks, comma-separated.
    familles = forms.CharField(widget=forms.HiddenInput, required=False)
    cours = forms.ModelChoiceField(label=_("Cours"), queryset=Course.objects.none(), required=False)
    discipline = forms.ModelChoiceField(
        label=_("Discipline"), queryset=Discipline.objects.all(), required=False
    )
    departement = forms.ModelChoiceField(
        label=_("Département"), queryset=Department.objects.all(), required=False
    )
    saison = forms.ModelChoiceField(
        label=_("Saison"),
        queryset=Season.objects.none(),
        required=False,
        help_text=_("Pour une discipline ou un département (la saison en cours par défaut)."),
    )
    modele = forms.ModelChoiceField(
        label=_("Modèle"),
        queryset=MessageTemplate.objects.all(),
        required=False,
        help_text=_("Son objet et son texte sont repris quand vous laissez les vôtres vides."),
    )
    objet = forms.CharField(
        label=_("Objet"),
        max_length=200,
        required=False,
        validators=[validate_placeholders],
    )
    texte = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(
            attrs={"rows": 12, "cols": 80, "aria-describedby": "placeholders-help"}
        ),
        required=False,
        validators=[validate_placeholders],
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    CRITERIA = ("cours", "discipline", "departement")

    def __init__(self, *args, selection: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        seasons = open_seasons()
        self.fields["saison"].queryset = seasons
        self.fields["cours"].queryset = Course.objects.filter(season__in=seasons).select_related(
            "season"
        )
        self.selection = selection or bool(
            self.data.get("familles") or self.initial.get("familles")
        )
        if self.selection:
            for name in ("saison", *self.CRITERIA):
                del self.fields[name]

    @property
    def selection_count(self) -> int:
        value = self.data.get("familles") if self.is_bound else self.initial.get("familles")
        return len([part for part in (value or "").split(",") if part.strip()])

    def clean_familles(self) -> list[int]:
        value = self.cleaned_data.get("familles") or ""
        try:
            pks = sorted({int(part) for part in value.split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError(gettext("La sélection de familles est invalide.")) from None
        return pks

    def clean(self):
        data = super().clean()
        if self.selection:
            if not data.get("familles"):
                raise forms.ValidationError(gettext("Aucune famille n'est sélectionnée."))
        else:
            chosen = [name for name in self.CRITERIA if data.get(name)]
            if not chosen:
                raise forms.ValidationError(
                    gettext(
                        "Choisissez les destinataires : un cours, une discipline ou un département."
                    )
                )
            if len(chosen) > 1:
                raise forms.ValidationError(
                    gettext(
                        "Choisissez un seul critère : un cours, une discipline ou un département."
                    )
                )
            if not data.get("cours") and not data.get("saison"):
                data["saison"] = Season.objects.current()
                if data["saison"] is None:
                    self.add_error("saison", gettext("Aucune saison en cours : choisissez-en une."))
        template = data.get("modele")
        for name, attribute in (("objet", "subject"), ("texte", "body")):
            if not data.get(name) and template is not None and name not in self.errors:
                data[name] = getattr(template, attribute)
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("Ce champ est obligatoire (ou choisissez un modèle)."))
        return data

    def families(self):
        """The recipient families (a queryset)."""
        data = self.cleaned_data
        if self.selection:
            return Family.objects.filter(pk__in=data["familles"])
        if data.get("cours"):
            course = data["cours"]
            return families_enrolled(season=course.season, course=course)
        return families_enrolled(
            season=data["saison"],
            discipline=data.get("discipline"),
            department=data.get("departement"),
        )

    def audience(self) -> str:
        """Who was chosen, as the sent message records it."""
        data = self.cleaned_data
        if self.selection:
            count = len(data["familles"])
            return ngettext(
                "Sélection de %(count)d famille", "Sélection de %(count)d familles", count
            ) % {"count": count}
        if data.get("cours"):
            return gettext("Cours : %(course)s") % {"course": data["cours"]}
        if data.get("discipline"):
            return gettext("Discipline : %(name)s (%(season)s)") % {
                "name": data["discipline"],
                "season": data["saison"],
            }
        return gettext("Département : %(name)s (%(season)s)") % {
            "name": data["departement"],
            "season": data["saison"],
        }
