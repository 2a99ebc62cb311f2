"""Staff side of the tariffs: the season's grid (brackets, formules, fees), the centre's
communes, instrument rentals, and copying a grid to the next season."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing import tariffs
from billing.tariff_models import (
    Commune,
    Fee,
    Formule,
    InstrumentRental,
    QFBracket,
    TariffGrid,
    brackets_overlap,
    overlap_message,
)
from portal.admin import PortalModelAdmin


class BracketFormSet(BaseInlineFormSet):
    """Refuses overlapping brackets among the forms (new ones are not in the database yet)."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("lower") is not None
        ]
        for index, form in enumerate(kept):
            for other in kept[index + 1 :]:
                a = QFBracket(
                    label=form.cleaned_data.get("label", ""),
                    lower=form.cleaned_data["lower"],
                    upper=form.cleaned_data.get("upper"),
                )
                b = QFBracket(
                    label=other.cleaned_data.get("label", ""),
                    lower=other.cleaned_data["lower"],
                    upper=other.cleaned_data.get("upper"),
                )
                if brackets_overlap((a.lower, a.upper), (b.lower, b.upper)):
                    raise ValidationError(overlap_message(a, b))


class QFBracketInline(admin.TabularInline):
    model = QFBracket
    fields = ["label", "lower", "upper"]
    formset = BracketFormSet
    extra = 0


class FormuleInline(admin.TabularInline):
    model = Formule
    fields = ["position", "name", "kind"]
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    fields = ["formule", "residency", "bracket", "amount"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        grid_id = getattr(request, "_tariff_grid_id", None)
        if db_field.name == "formule":
            kwargs["queryset"] = Formule.objects.filter(grid_id=grid_id)
        elif db_field.name == "bracket":
            kwargs["queryset"] = QFBracket.objects.filter(grid_id=grid_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TariffGrid)
class TariffGridAdmin(PortalModelAdmin):
    list_display = ["__str__", "season", "membership_fee", "grid_status"]
    readonly_fields = ["grid_check"]
    fields = [
        "season",
        "grid_check",
        "membership_fee",
        "sibling_second_percent",
        "sibling_third_percent",
        "multi_discipline_percent",
        "instrument_rental_fee",
        "adult_age",
    ]
    inlines = [QFBracketInline, FormuleInline, FeeInline]
    actions = ["duplicate_to_next_season"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("season")

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._tariff_grid_id = obj.pk if obj else None
        return super().get_form(request, obj, change, **kwargs)

    def get_inlines(self, request, obj):
        # The fees pick the grid's formules and brackets: saved first.
        return self.inlines if obj is not None else [QFBracketInline, FormuleInline]

    @admin.display(description=_("contrôle de la grille"))
    def grid_check(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        problems = obj.problems()
        if not problems:
            return gettext("Grille complète : chaque formule a un tarif par résidence et tranche.")
        return format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((problem,) for problem in problems)),
        )

    @admin.display(description=_("état"))
    def grid_status(self, obj):
        problems = obj.problems()
        if not problems:
            return gettext("complète")
        return gettext("incomplète (%(count)s)") % {"count": len(problems)}

    @admin.action(description=_("Dupliquer vers la saison suivante"))
    def duplicate_to_next_season(self, request, queryset):
        for grid in queryset.order_by("season__starts_on"):
            try:
                copy = tariffs.duplicate_grid(grid)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext(
                        "Grille et cours de la saison %(source)s copiés vers la saison "
                        "%(target)s : vérifiez les tarifs."
                    )
                    % {"source": grid.season, "target": copy.season},
                    messages.SUCCESS,
                )


@admin.register(Commune)
class CommuneAdmin(PortalModelAdmin):
    list_display = ["name", "postal_code"]
    search_fields = ["name", "postal_code"]


@admin.register(InstrumentRental)
class InstrumentRentalAdmin(PortalModelAdmin):
    list_display = ["student", "instrument", "season"]
    list_filter = ["season"]
    search_fields = ["student__last_name", "student__first_name", "instrument"]
    autocomplete_fields = ["student"]
