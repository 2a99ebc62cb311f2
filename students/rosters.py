"""A course's roster (its students, their age, the family's reference mobile for emergencies:
an HTML page, a PDF to print, a CSV for a spreadsheet) and the season's counts per course,
discipline and department.

The roster holds personal data (names, ages, mobile numbers): only staff with the permission
`students.view_roster` open it; it holds no health data (documents stay behind
`students.view_medical_certificate`).

The CSV is written for Excel in French: UTF-8 with a byte order mark (Excel reads accents
right) and `;` between columns (Excel's separator where the decimal mark is a comma).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext

from billing.pdf import PDF_MIMETYPE, html_to_pdf, logo_url
from billing.tariffs import age_on
from families.models import Responsable
from portal.models import Centre
from portal.validators import format_phone
from students.models import Course, Enrolment, Season, WaitlistEntry

ROSTER_PERMISSION = "students.view_roster"


def may_view_rosters(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(ROSTER_PERMISSION)


@dataclass(frozen=True)
class RosterRow:
    last_name: str
    first_name: str
    birth_date: date | None
    age: int | None
    family: str
    mobile: str  # French display ("06 12 34 56 78"), "" when the family gave none
    may_leave_alone: bool | None
    over_capacity: bool


@dataclass
class Roster:
    course: Course
    rows: list[RosterRow]
    waiting: list[WaitlistEntry]
    on: date

    @property
    def free_places(self) -> int | None:
        if self.course.capacity is None:
            return None
        return max(self.course.capacity - len(self.rows), 0)

    @property
    def slug(self) -> str:
        return slugify(f"{self.course.name}-{self.course.season.name}") or str(self.course.pk)


def _mobile(family) -> str:
    """The family's reference mobile, else the first responsable's mobile."""
    numbers = [family.reference_mobile, *(r.mobile for r in family.responsables.all())]
    return next((format_phone(number) for number in numbers if number), "")


def roster(course: Course, *, on: date | None = None) -> Roster:
    """The course's students by name (three queries whatever their number), their age on
    `on` (today by default), and its waiting list."""
    on = on or timezone.localdate()
    enrolments = (
        Enrolment.objects.filter(course=course)
        .select_related("student__family")
        .prefetch_related(
            Prefetch(
                "student__family__responsables",
                queryset=Responsable.objects.order_by("rank", "pk"),
            )
        )
        .order_by("student__last_name", "student__first_name", "pk")
    )
    rows = [
        RosterRow(
            last_name=enrolment.student.last_name.upper(),
            first_name=enrolment.student.first_name,
            birth_date=enrolment.student.birth_date,
            age=age_on(enrolment.student.birth_date, on) if enrolment.student.birth_date else None,
            family=str(enrolment.student.family),
            mobile=_mobile(enrolment.student.family),
            may_leave_alone=enrolment.student.may_leave_alone,
            over_capacity=enrolment.over_capacity,
        )
        for enrolment in enrolments
    ]
    waiting = list(
        WaitlistEntry.objects.filter(course=course)
        .select_related("student")
        .order_by("position", "pk")
    )
    return Roster(course=course, rows=rows, waiting=waiting, on=on)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("oui") if value else gettext("non")


def roster_csv(data: Roster) -> tuple[str, bytes]:
    """(file name, bytes): UTF-8 with BOM, `;`-separated, French headers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            gettext("Nom"),
            gettext("Prénom"),
            gettext("Date de naissance"),
            gettext("Âge"),
            gettext("Famille"),
            gettext("Mobile de référence"),
            gettext("Sortie seul(e)"),
        ]
    )
    for row in data.rows:
        writer.writerow(
            [
                row.last_name,
                row.first_name,
                row.birth_date.strftime("%d/%m/%Y") if row.birth_date else "",
                "" if row.age is None else row.age,
                row.family,
                row.mobile,
                _yes_no(row.may_leave_alone),
            ]
        )
    return f"liste-{data.slug}.csv", out.getvalue().encode("utf-8-sig")


def roster_pdf(data: Roster) -> tuple[str, str, bytes]:
    """(file name, mimetype, bytes): the roster to print (billing.pdf's WeasyPrint rendering,
    in French)."""
    centre = Centre.objects.current()
    context = {
        "roster": data,
        "course": data.course,
        "centre": centre,
        "logo_url": logo_url(centre),
        "on": date_format(data.on),
    }
    return f"liste-{data.slug}.pdf", PDF_MIMETYPE, html_to_pdf("students/pdf/roster.html", context)


@dataclass
class CountLine:
    """One line of the counts page: a course, or the total of a discipline or department."""

    label: str
    capacity: int | None  # None: not limited (a total with one unlimited course too)
    enrolled: int = 0
    waiting: int = 0
    courses: int = 1
    course: Course | None = None

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.enrolled, 0)

    def add(self, other: "CountLine") -> None:
        limited = self.capacity is not None and other.capacity is not None
        self.capacity = self.capacity + other.capacity if limited else None
        self.enrolled += other.enrolled
        self.waiting += other.waiting
        self.courses += other.courses


@dataclass
class DisciplineCounts:
    total: CountLine
    courses: list[CountLine] = field(default_factory=list)


@dataclass
class DepartmentCounts:
    total: CountLine
    disciplines: list[DisciplineCounts] = field(default_factory=list)


@dataclass
class SeasonCounts:
    season: Season
    departments: list[DepartmentCounts]
    total: CountLine


def season_counts(season: Season) -> SeasonCounts:
    """Places, enrolled, free places and waiting students of every course of `season`,
    totalled per discipline, department and for the season: one query for the courses."""
    courses = (
        Course.objects.filter(season=season)
        .with_counts()
        .select_related("discipline__department")
        .order_by("discipline__department__name", "discipline__name", "name", "pk")
    )
    departments: dict[int, DepartmentCounts] = {}
    disciplines: dict[int, DisciplineCounts] = {}
    total = CountLine(label=gettext("Total de la saison"), capacity=0, courses=0)
    for course in courses:
        line = CountLine(
            label=course.name,
            capacity=course.capacity,
            enrolled=course.enrolled,
            waiting=course.waiting,
            course=course,
        )
        discipline = course.discipline
        department = discipline.department
        if department.pk not in departments:
            departments[department.pk] = DepartmentCounts(
                total=CountLine(label=department.name, capacity=0, courses=0)
            )
        if discipline.pk not in disciplines:
            disciplines[discipline.pk] = DisciplineCounts(
                total=CountLine(label=discipline.name, capacity=0, courses=0)
            )
            departments[department.pk].disciplines.append(disciplines[discipline.pk])
        disciplines[discipline.pk].courses.append(line)
        for counts in (disciplines[discipline.pk].total, departments[department.pk].total, total):
            counts.add(line)
    return SeasonCounts(season=season, departments=list(departments.values()), total=total)
