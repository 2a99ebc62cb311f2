"""The season's fees from its tariff grid (billing.tariff_models): residency, quotient familial
bracket, the formule of each student, reductions and extras. Rules and worked examples:
docs/billing.md ("Tarifs")."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from billing.tariff_models import Commune, Fee, Formule, QFBracket, Residency, TariffGrid
from students.models import Course, Season


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
