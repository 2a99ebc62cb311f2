"""The season's fees from its tariff grid (billing.tariff_models): residency, quotient familial
bracket, the formule of each student, reductions and extras. Rules and worked examples:
docs/billing.md ("Tarifs")."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.tariff_models import (
    Commune,
    Fee,
    Formule,
    InstrumentRental,
    QFBracket,
    Residency,
    TariffGrid,
)
from students.course_copy import copy_courses, next_season
from students.models import Discipline, Enrolment, Season


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
        copy_courses(grid.season, target, skip_existing=True)
    return copy


# --- The fees of a family for a season -----------------------------------------------------

YEAR = "year"
TERMS = (1, 2, 3)
CENT = Decimal("0.01")


class AnomalyCode(models.TextChoices):
    NO_QF = "no_qf", _("pas de quotient familial validé")
    UNKNOWN_COMMUNE = "unknown_commune", _("commune inconnue")
    NO_FORMULE = "no_formule", _("inscription sans formule")
    NO_BIRTH_DATE = "no_birth_date", _("date de naissance inconnue")


@dataclass(frozen=True)
class Anomaly:
    code: str  # AnomalyCode
    message: str  # French (the active language), for staff


@dataclass
class FamilyBill:
    """What `compute_family_lines` returns: the lines to put on the family's draft, their
    total, and what staff should look at first."""

    family: object
    season: Season
    period: str | int
    lines: list  # billing.services.LineData
    total: Decimal
    anomalies: list[Anomaly] = field(default_factory=list)
    bracket: QFBracket | None = None
    residency: str = Residency.OUTSIDE


def _percent(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def term_share(amount: Decimal, term: int) -> Decimal:
    """A term's share of a yearly amount: a third rounded down to the cent for terms 1 and 2,
    the rest on term 3 (the three add up to the amount). A negative amount (a reduction) is
    split as its absolute value."""
    sign = -1 if amount < 0 else 1
    cents = int(abs(amount) * 100)
    third = cents // 3
    share = cents - 2 * third if term == 3 else third
    return (sign * Decimal(share) / 100).quantize(CENT)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def formule_kinds_for(categories: list[str], *, adult: bool) -> list[str]:
    """The formules a student's enrolments call for (docs/billing.md, "Quelle formule"), one
    entry per formule line, from the tariff categories of their disciplines (one entry per
    enrolment): Éveil once; with an instrument, the music course (child) or Adulte
    instrument, FM and collective practice included; else FM or collective practice alone:
    Pratique collective seule once; each dance course: one Danse line."""
    kinds = []
    present = set(categories)
    Category = Discipline.Category
    if Category.EVEIL in present:
        kinds.append(Formule.Kind.EVEIL)
    if Category.INSTRUMENT in present:
        kinds.append(Formule.Kind.ADULT_INSTRUMENT if adult else Formule.Kind.MUSIC_CHILD)
    elif present & {Category.MUSIC_THEORY, Category.COLLECTIVE}:
        kinds.append(Formule.Kind.COLLECTIVE)
    kinds += [Formule.Kind.DANCE] * categories.count(Category.DANCE)
    return kinds


def _period_label(period) -> str:
    if period == YEAR:
        return ""
    return gettext("trimestre %(term)s/3") % {"term": period}


def compute_family_lines(family, season: Season, period, *, grid: TariffGrid | None = None):
    """The lines of `family`'s bill for `season` and `period`, from the season's tariff grid.

    `period` is "year" (`YEAR`) or a term 1, 2 or 3: a term is each yearly line split in three
    (`term_share`: a third rounded down to the cent on terms 1 and 2, the remaining cents on
    term 3); the adhésion is billed whole, with the year or term 1 only. Returns a `FamilyBill`:
    `lines` (`billing.services.LineData`, ready for `billing.services.create_draft_invoice`:
    one line per formule with its student, then the reductions, negative and each labelled
    (several disciplines, sibling), the instrument rentals, the adhésion), their `total`, the
    family's `bracket` and `residency`, and `anomalies` for staff (no valid QF, unknown
    commune, enrolment without formule, student without birth date). Rules and worked
    examples: docs/billing.md ("Tarifs").

    Raises ValidationError (French messages, nothing written) when the season has no grid or
    an incomplete one (`TariffGrid.problems`), or `period` is not one of those above. `grid`:
    the season's grid already checked (a billing run loads it once for all families). Reads
    only: a handful of queries, the same whatever the number of students."""
    from billing.services import LineData

    if period != YEAR and period not in TERMS:
        raise ValidationError(
            gettext("Période inconnue : choisissez l'année ou le trimestre 1, 2 ou 3.")
        )
    grid = grid or grid_for(season)
    brackets = list(grid.brackets.all())
    formules = {formule.kind: formule for formule in grid.formules.all()}
    fees = {(fee.formule_id, fee.residency, fee.bracket_id): fee.amount for fee in grid.fees.all()}
    anomalies: list[Anomaly] = []

    qf_value = family.valid_qf()
    bracket = bracket_for(brackets, qf_value)
    if qf_value is None:
        anomalies.append(
            Anomaly(
                AnomalyCode.NO_QF,
                gettext(
                    "Pas de quotient familial validé en cours de validité : tranche la plus "
                    "haute (%(bracket)s)."
                )
                % {"bracket": bracket.label},
            )
        )
    residency, unknown = residency_of(family)
    if unknown:
        anomalies.append(
            Anomaly(
                AnomalyCode.UNKNOWN_COMMUNE,
                gettext("Code postal absent ou invalide (« %(code)s ») : tarif hors commune.")
                % {"code": family.postal_code},
            )
        )
    residency_label = Residency(residency).label

    enrolments = (
        Enrolment.objects.filter(
            course__season=season, student__family=family, student__left_on__isnull=True
        )
        .select_related("student", "course__discipline")
        .order_by("student__birth_date", "student__first_name", "student_id", "course__name")
    )
    by_student: dict[int, tuple] = {}
    for enrolment in enrolments:
        student = enrolment.student
        by_student.setdefault(student.pk, (student, []))[1].append(enrolment)

    # Each student's formule lines (yearly amounts), most expensive first.
    students = []
    for student, student_enrolments in by_student.values():
        if student.birth_date is None:
            adult = False
            anomalies.append(
                Anomaly(
                    AnomalyCode.NO_BIRTH_DATE,
                    gettext("%(student)s : date de naissance inconnue, tarif enfant.")
                    % {"student": student.display_name},
                )
            )
        else:
            adult = age_on(student.birth_date, season.starts_on) >= grid.adult_age
        categories = []
        dance_disciplines = []
        for enrolment in student_enrolments:
            discipline = enrolment.course.discipline
            if not discipline.category:
                anomalies.append(
                    Anomaly(
                        AnomalyCode.NO_FORMULE,
                        gettext(
                            "%(student)s : le cours « %(course)s » (%(discipline)s) n'a pas de "
                            "catégorie tarifaire, aucune formule ne s'applique."
                        )
                        % {
                            "student": student.display_name,
                            "course": enrolment.course.name,
                            "discipline": discipline.name,
                        },
                    )
                )
                continue
            categories.append(discipline.category)
            if discipline.category == Discipline.Category.DANCE:
                dance_disciplines.append(discipline)
        fee_lines = []
        for kind in formule_kinds_for(categories, adult=adult):
            formule = formules.get(kind)
            if formule is None:
                anomalies.append(
                    Anomaly(
                        AnomalyCode.NO_FORMULE,
                        gettext(
                            "%(student)s : la grille n'a pas de formule « %(kind)s », rien "
                            "n'est facturé pour elle."
                        )
                        % {"student": student.display_name, "kind": Formule.Kind(kind).label},
                    )
                )
                continue
            discipline = dance_disciplines.pop(0) if kind == Formule.Kind.DANCE else None
            fee_lines.append((formule, discipline, fees[(formule.pk, residency, bracket.pk)]))
        if fee_lines:
            fee_lines.sort(key=lambda line: (-line[2], line[0].position))
            students.append((student, fee_lines))

    yearly: list[LineData] = []
    reductions: list[LineData] = []
    nets = []
    for student, fee_lines in students:
        net = Decimal("0.00")
        for index, (formule, discipline, amount) in enumerate(fee_lines):
            yearly.append(
                LineData(
                    label=gettext("%(formule)s — %(bracket)s, %(residency)s")
                    % {
                        "formule": formule.name,
                        "bracket": bracket.label,
                        "residency": residency_label,
                    },
                    amount=amount,
                    student=student,
                    discipline=discipline,
                )
            )
            net += amount
            if index and grid.multi_discipline_percent:
                reduction = _percent(amount, grid.multi_discipline_percent)
                net -= reduction
                reductions.append(
                    LineData(
                        label=gettext(
                            "Réduction plusieurs disciplines (-%(percent)s %%) sur « %(formule)s »"
                        )
                        % {
                            "percent": _number(grid.multi_discipline_percent),
                            "formule": formule.name,
                        },
                        amount=-reduction,
                        student=student,
                        is_reduction=True,
                    )
                )
        nets.append((student, net))
    # Siblings: the child with the highest fees pays in full, then the next ones get the
    # grid's reduction (the oldest first on equal fees).
    for rank, (student, net) in enumerate(sorted(nets, key=lambda pair: -pair[1]), start=1):
        percent = grid.sibling_second_percent if rank == 2 else grid.sibling_third_percent
        if rank == 1 or not percent:
            continue
        reductions.append(
            LineData(
                label=gettext("Réduction fratrie (%(rank)se enfant, -%(percent)s %%)")
                % {"rank": rank, "percent": _number(percent)},
                amount=-_percent(net, percent),
                student=student,
                is_reduction=True,
            )
        )
    rentals = InstrumentRental.objects.filter(
        season=season, student__family=family, student__left_on__isnull=True
    ).select_related("student")
    extras = [
        LineData(
            label=gettext("Location d'instrument : %(instrument)s")
            % {"instrument": rental.instrument},
            amount=grid.instrument_rental_fee,
            student=rental.student,
        )
        for rental in rentals.order_by("student__birth_date", "student_id", "instrument")
        if grid.instrument_rental_fee
    ]
    lines = [*yearly, *reductions, *extras]
    if period != YEAR:
        suffix = _period_label(period)
        lines = [
            replace(line, label=f"{line.label} — {suffix}", amount=term_share(line.amount, period))
            for line in lines
        ]
    if students and grid.membership_fee and period in (YEAR, 1):
        lines.append(
            LineData(
                label=gettext("Adhésion %(season)s (par famille)") % {"season": season.name},
                amount=grid.membership_fee,
            )
        )
    total = sum((line.amount for line in lines), Decimal("0.00"))
    return FamilyBill(
        family=family,
        season=season,
        period=period,
        lines=lines,
        total=total,
        anomalies=anomalies,
        bracket=bracket,
        residency=residency,
    )


def _number(value: Decimal) -> str:
    """10.00 → "10", 12.50 → "12,5" (a percentage in a label)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")
