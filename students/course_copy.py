""" "Copier les cours vers la saison suivante": a season's courses copied, as they are (name,
discipline, teacher, room, schedule, places), into the season after it, for staff to adjust.
Also used by the copy of a tariff grid (`billing.tariffs.duplicate_grid`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from students.models import Course, Season


def next_season(season: Season) -> Season | None:
    """The season that starts after `season` (the first one, if several are planned)."""
    return Season.objects.filter(starts_on__gt=season.starts_on).order_by("starts_on", "pk").first()


def copy_courses(source: Season, target: Season, *, skip_existing: bool = False) -> list[Course]:
    """Copies the courses of `source` into `target` in one statement. With `skip_existing`,
    the courses `target` already has (same discipline and name) are left out; without, a
    `target` that already has courses is refused (nothing copied)."""
    with transaction.atomic():
        # Locks the target season: two copies at once cannot both find it empty.
        Season.objects.select_for_update().get(pk=target.pk)
        existing = set(target.courses.values_list("discipline_id", "name"))
        if existing and not skip_existing:
            raise ValidationError(
                gettext(
                    "La saison %(season)s a déjà %(count)d cours : rien n'a été copié. "
                    "Complétez-la à la main, ou supprimez d'abord ses cours."
                )
                % {"season": target, "count": len(existing)},
                code="not_empty",
            )
        return Course.objects.bulk_create(
            Course(
                season=target,
                discipline_id=course.discipline_id,
                name=course.name,
                teacher=course.teacher,
                room=course.room,
                weekday=course.weekday,
                start_time=course.start_time,
                end_time=course.end_time,
                capacity=course.capacity,
            )
            for course in source.courses.order_by("pk")
            if (course.discipline_id, course.name) not in existing
        )


def copy_courses_to_next_season(season: Season) -> tuple[Season, list[Course]]:
    """The admin's action: `season`'s courses into the next season, which must exist and have
    no course yet; refused with a French message otherwise (nothing copied)."""
    target = next_season(season)
    if target is None:
        raise ValidationError(
            gettext(
                "Aucune saison ne suit la saison %(season)s : créez-la d'abord (Élèves → "
                "Saisons), puis copiez les cours."
            )
            % {"season": season},
            code="no_next_season",
        )
    if not season.courses.exists():
        raise ValidationError(
            gettext("La saison %(season)s n'a aucun cours à copier.") % {"season": season},
            code="nothing",
        )
    return target, copy_courses(season, target)
