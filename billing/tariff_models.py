"""The season's tariff grid, as the town council votes it: formules, quotient familial (QF)
brackets, residency (the centre's communes) and a fee per (formule × residency × bracket),
with the reductions and extras of the season. The rules that use it: `billing.tariffs`."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Residency(models.TextChoices):
    COMMUNE = "commune", _("commune")
    OUTSIDE = "outside", _("hors commune")


class Commune(models.Model):
    """One of the communes whose residents pay the "commune" fee (the centre's list)."""

    name = models.CharField(_("nom"), max_length=120)
    postal_code = models.CharField(_("code postal"), max_length=5)

    class Meta:
        verbose_name = _("commune du territoire")
        verbose_name_plural = _("communes du territoire")
        ordering = ["name", "postal_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "postal_code"],
                name="billing_commune_unique",
                violation_error_message=_("Cette commune figure déjà dans la liste."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.postal_code})"

    def clean(self) -> None:
        code = (self.postal_code or "").strip()
        if not (len(code) == 5 and code.isdigit()):
            raise ValidationError(
                {"postal_code": gettext("Un code postal compte 5 chiffres (ex. 69100).")}
            )
        self.postal_code = code


class TariffGrid(models.Model):
    """A season's grid and its settings: reductions, adhésion, instrument rental."""

    season = models.OneToOneField(
        "students.Season",
        verbose_name=_("saison"),
        related_name="tariff_grid",
        on_delete=models.PROTECT,
    )
    membership_fee = models.DecimalField(
        _("adhésion annuelle (par famille)"),
        max_digits=8,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    sibling_second_percent = models.DecimalField(
        _("réduction fratrie, 2e enfant (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=PERCENT,
    )
    sibling_third_percent = models.DecimalField(
        _("réduction fratrie, 3e enfant et suivants (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=PERCENT,
    )
    multi_discipline_percent = models.DecimalField(
        _("réduction plusieurs disciplines (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=PERCENT,
        help_text=_("Sur chaque formule d'un élève après la plus chère."),
    )
    instrument_rental_fee = models.DecimalField(
        _("location d'instrument (par an)"),
        max_digits=8,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    adult_age = models.PositiveSmallIntegerField(
        _("âge adulte"),
        default=18,
        help_text=_("Âge atteint au début de la saison à partir duquel un élève est adulte."),
    )

    class Meta:
        verbose_name = _("grille tarifaire")
        verbose_name_plural = _("grilles tarifaires")
        ordering = ["-season__starts_on"]

    def __str__(self) -> str:
        return gettext("Grille tarifaire %(season)s") % {"season": self.season}

    def missing_cells(self) -> list[str]:
        """One French message per (formule × residency × bracket) without a fee: the grid is
        usable only when this is empty. Three queries."""
        formules = list(self.formules.all())
        brackets = list(self.brackets.all())
        present = set(self.fees.values_list("formule_id", "residency", "bracket_id"))
        return [
            gettext("Tarif manquant : « %(formule)s », %(residency)s, tranche « %(bracket)s ».")
            % {"formule": formule.name, "residency": residency.label, "bracket": bracket.label}
            for formule in formules
            for residency in Residency
            for bracket in brackets
            if (formule.pk, residency.value, bracket.pk) not in present
        ]

    def problems(self) -> list[str]:
        """What prevents billing with this grid, in French (empty: usable)."""
        problems = []
        if not self.brackets.exists():
            problems.append(gettext("La grille n'a aucune tranche de quotient familial."))
        if not self.formules.exists():
            problems.append(gettext("La grille n'a aucune formule."))
        brackets = list(self.brackets.all())
        problems += [
            overlap_message(a, b)
            for index, a in enumerate(brackets)
            for b in brackets[index + 1 :]
            if brackets_overlap((a.lower, a.upper), (b.lower, b.upper))
        ]
        return problems + self.missing_cells()


def bracket_bounds(lower: int, upper: int | None) -> str:
    if upper is None:
        return gettext("%(lower)s € et plus") % {"lower": lower}
    return gettext("%(lower)s € à %(upper)s €") % {"lower": lower, "upper": upper}


def brackets_overlap(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """Closed intervals [lower, upper] (upper None: no limit) overlap."""
    (a_low, a_up), (b_low, b_up) = a, b
    return (a_up is None or b_low <= a_up) and (b_up is None or a_low <= b_up)


class QFBracket(models.Model):
    """A quotient familial bracket of a season, bounds included (in euros)."""

    grid = models.ForeignKey(
        TariffGrid, verbose_name=_("grille"), related_name="brackets", on_delete=models.CASCADE
    )
    label = models.CharField(_("libellé"), max_length=40, help_text=_("Ex. Tranche A"))
    lower = models.PositiveIntegerField(_("QF à partir de (€)"))
    upper = models.PositiveIntegerField(
        _("QF jusqu'à (€, inclus)"), null=True, blank=True, help_text=_("Vide : sans limite.")
    )

    class Meta:
        verbose_name = _("tranche de quotient familial")
        verbose_name_plural = _("tranches de quotient familial")
        ordering = ["grid", "lower"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "label"],
                name="billing_bracket_label_unique",
                violation_error_message=_("Une tranche de cette grille porte déjà ce libellé."),
            ),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gte=models.F("lower")),
                name="billing_bracket_bounds_ordered",
                violation_error_message=_(
                    "La borne haute d'une tranche doit être supérieure ou égale à sa borne basse."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.bounds})"

    @property
    def bounds(self) -> str:
        return bracket_bounds(self.lower, self.upper)

    def contains(self, value: int) -> bool:
        return self.lower <= value and (self.upper is None or value <= self.upper)

    def clean(self) -> None:
        if self.lower is not None and self.upper is not None and self.upper < self.lower:
            raise ValidationError(
                {
                    "upper": gettext(
                        "La borne haute d'une tranche doit être supérieure ou égale à sa borne "
                        "basse."
                    )
                }
            )
        # Overlaps are checked on all the grid's brackets together (the admin's formset,
        # `TariffGrid.problems`): one bracket's check would read its neighbours' old bounds.


def overlap_message(a, b) -> str:
    return gettext(
        "Les tranches « %(a)s » (%(a_bounds)s) et « %(b)s » (%(b_bounds)s) se chevauchent : "
        "corrigez leurs bornes."
    ) % {
        "a": a.label,
        "a_bounds": bracket_bounds(a.lower, a.upper),
        "b": b.label,
        "b_bounds": bracket_bounds(b.lower, b.upper),
    }


class Formule(models.Model):
    """What a student is billed for, as the grid names it; `kind` says which enrolments and
    age it applies to (rules in docs/billing.md, `billing.tariffs.formule_kinds_for`)."""

    class Kind(models.TextChoices):
        MUSIC_CHILD = "music_child", _("Parcours musique enfant (FM + instrument)")
        ADULT_INSTRUMENT = "adult_instrument", _("Adulte instrument")
        COLLECTIVE = "collective", _("Pratique collective seule (ou FM seule)")
        EVEIL = "eveil", _("Éveil")
        DANCE = "dance", _("Danse (par cours hebdomadaire)")

    grid = models.ForeignKey(
        TariffGrid, verbose_name=_("grille"), related_name="formules", on_delete=models.CASCADE
    )
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("s'applique à"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("formule")
        verbose_name_plural = _("formules")
        ordering = ["grid", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "kind"],
                name="billing_one_formule_per_kind",
                violation_error_message=_("Cette grille a déjà une formule de ce type."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """One cell of the grid: the yearly fee of a formule for a residency and a QF bracket."""

    grid = models.ForeignKey(
        TariffGrid, verbose_name=_("grille"), related_name="fees", on_delete=models.CASCADE
    )
    formule = models.ForeignKey(
        Formule, verbose_name=_("formule"), related_name="fees", on_delete=models.CASCADE
    )
    residency = models.CharField(_("résidence"), max_length=10, choices=Residency.choices)
    bracket = models.ForeignKey(
        QFBracket, verbose_name=_("tranche"), related_name="fees", on_delete=models.CASCADE
    )
    amount = models.DecimalField(
        _("tarif annuel"), max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        verbose_name = _("tarif")
        verbose_name_plural = _("tarifs")
        ordering = ["grid", "formule__position", "residency", "bracket__lower"]
        constraints = [
            models.UniqueConstraint(
                fields=["formule", "residency", "bracket"],
                name="billing_one_fee_per_cell",
                violation_error_message=_(
                    "Un tarif existe déjà pour cette formule, cette résidence et cette tranche."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="billing_fee_not_negative",
                violation_error_message=_("Un tarif ne peut pas être négatif."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.formule} · {self.get_residency_display()} · {self.bracket.label}"

    def clean(self) -> None:
        errors = {}
        if self.formule_id and self.grid_id and self.formule.grid_id != self.grid_id:
            errors["formule"] = gettext("Choisissez une formule de cette grille.")
        if self.bracket_id and self.grid_id and self.bracket.grid_id != self.grid_id:
            errors["bracket"] = gettext("Choisissez une tranche de cette grille.")
        if errors:
            raise ValidationError(errors)


class InstrumentRental(models.Model):
    """An instrument the centre lends a student for a season: an extra line on the bill."""

    season = models.ForeignKey(
        "students.Season",
        verbose_name=_("saison"),
        related_name="instrument_rentals",
        on_delete=models.PROTECT,
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("élève"),
        related_name="instrument_rentals",
        on_delete=models.PROTECT,
    )
    instrument = models.CharField(_("instrument"), max_length=100)

    class Meta:
        verbose_name = _("location d'instrument")
        verbose_name_plural = _("locations d'instruments")
        ordering = ["season", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "student", "instrument"],
                name="billing_one_rental_per_instrument",
                violation_error_message=_("Cet élève loue déjà cet instrument pour cette saison."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} — {self.student}"
