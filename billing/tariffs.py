"""The season's fees from its tariff grid (billing.tariff_models): residency, quotient familial
bracket, the formule of each student, reductions and extras. Rules and worked examples:
docs/billing.md ("Tarifs")."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from billing.tariff_models import Commune, Fee, Formule, QFBracket, Residency, TariffGrid
from students.models import Course, Season


@dataclass(frozen=True)
class QuotientStatus:
    """The family's quotient familial as the Facturation tab shows it, for a season."""

    season: Season
    bracket: QFBracket
    qf_value: int | None  # validated and valid; None: the highest bracket applies
    valid_until: date | None


def bracket_for(brackets: list[QFBracket], qf_value: int | None) -> QFBracket | None:
    """The bracket of `qf_value`; the highest one (greatest lower bound) without a QF or when
    no bracket contains it."""
    if not brackets:
        return None
    if qf_value is not None:
        for bracket in brackets:
            if bracket.contains(qf_value):
                return bracket
    return max(brackets, key=lambda bracket: bracket.lower)


def quotient_status(family, season: Season | None = None) -> QuotientStatus | None:
    """The family's bracket for `season` (the current one by default): one query; None when
    the season has no grid or brackets."""
    brackets = QFBracket.objects.select_related("grid__season")
    if season is None:
        brackets = brackets.filter(grid__season__is_current=True)
    else:
        brackets = brackets.filter(grid__season=season)
    brackets = list(brackets)
    qf_value = family.valid_qf()
    bracket = bracket_for(brackets, qf_value)
    if bracket is None:
        return None
    return QuotientStatus(
        season=bracket.grid.season,
        bracket=bracket,
        qf_value=qf_value,
        valid_until=family.qf_valid_until if qf_value is not None else None,
    )


def residency_of(family) -> tuple[str, bool]:
    """(residency, unknown commune): "commune" when the family's postal code is one of the
    centre's communes, else "hors commune"; `unknown` when the postal code is empty or not 5
    digits (billed "hors commune" and reported as an anomaly)."""
    code = (family.postal_code or "").strip()
    if not (len(code) == 5 and code.isdigit()):
        return Residency.OUTSIDE, True
    if Commune.objects.filter(postal_code=code).exists():
        return Residency.COMMUNE, False
    return Residency.OUTSIDE, False


def grid_for(season: Season) -> TariffGrid:
    """The season's grid, refused (ValidationError, in French) when missing or incomplete."""
    grid = TariffGrid.objects.filter(season=season).select_related("season").first()
    if grid is None:
        raise ValidationError(
            gettext("La saison %(season)s n'a pas de grille tarifaire.") % {"season": season}
        )
    problems = grid.problems()
    if problems:
        raise ValidationError(problems)
    return grid


def next_season(season: Season) -> Season | None:
    return Season.objects.filter(starts_on__gt=season.starts_on).order_by("starts_on", "pk").first()


def duplicate_grid(grid: TariffGrid) -> TariffGrid:
    """Copies a season's grid (settings, brackets, formules, fees) and its courses to the next
    season, for staff to edit. Refused, changing nothing, when there is no next season or it
    already has a grid. Courses already in the next season (same discipline and name) are not
    copied twice."""
    target = next_season(grid.season)
    if target is None:
        raise ValidationError(
            gettext(
                "Aucune saison ne suit la saison %(season)s : créez-la d'abord (Élèves → Saisons)."
            )
            % {"season": grid.season}
        )
    with transaction.atomic():
        if TariffGrid.objects.select_for_update().filter(season=target).exists():
            raise ValidationError(
                gettext("La saison %(season)s a déjà une grille tarifaire.") % {"season": target}
            )
        brackets = list(grid.brackets.all())
        formules = list(grid.formules.all())
        fees = list(grid.fees.all())
        copy = TariffGrid.objects.get(pk=grid.pk)
        copy.pk = None
        copy.season = target
        copy.save()
        new_brackets = {}
        for bracket in brackets:
            new_brackets[bracket.pk] = QFBracket.objects.create(
                grid=copy, label=bracket.label, lower=bracket.lower, upper=bracket.upper
            )
        new_formules = {}
        for formule in formules:
            new_formules[formule.pk] = Formule.objects.create(
                grid=copy, name=formule.name, kind=formule.kind, position=formule.position
            )
        Fee.objects.bulk_create(
            Fee(
                grid=copy,
                formule=new_formules[fee.formule_id],
                bracket=new_brackets[fee.bracket_id],
                residency=fee.residency,
                amount=fee.amount,
            )
            for fee in fees
        )
        existing = set(target.courses.values_list("discipline_id", "name"))
        Course.objects.bulk_create(
            Course(
                season=target,
                discipline_id=course.discipline_id,
                name=course.name,
                teacher=course.teacher,
                room=course.room,
                weekday=course.weekday,
                start_time=course.start_time,
                end_time=course.end_time,
            )
            for course in grid.season.courses.all()
            if (course.discipline_id, course.name) not in existing
        )
    return copy
