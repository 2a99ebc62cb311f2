"""Forms of the Réinscription tab: they validate and turn the answers into `LineChoice`s."""

from datetime import datetime

from django import forms
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.dates import time_range
from reenrolment.services import LineChoice
from students.models import Course, Weekday

WISH_SLOTS = 3


def course_label(course: Course) -> str:
    parts = [course.name]
    if course.weekday:
        parts.append(course.get_weekday_display())
    if course.start_time:
        parts.append(time_range(course.start_time, course.end_time))
    if course.teacher:
        parts.append(course.teacher)
    return " · ".join(parts)


def course_groups(courses, disciplines) -> list[tuple[str, list[tuple[int, str]]]]:
    """The courses as <optgroup>s, one per discipline (in the order of `disciplines`), each in
    timetable order: [("Piano", [(pk, "Piano mercredi · Mercredi · 14 h 00 – …"), …]), …]."""
    by_discipline: dict[int, list[Course]] = {}
    for course in courses:
        by_discipline.setdefault(course.discipline_id, []).append(course)
    groups = []
    for discipline in disciplines:
        its_courses = sorted(
            by_discipline.get(discipline.pk, []),
            key=lambda c: (c.weekday or 8, c.start_time is None, c.start_time, c.name, c.pk),
        )
        if its_courses:
            groups.append(
                (discipline.name, [(course.pk, course_label(course)) for course in its_courses])
            )
    return groups


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return course_label(obj)


def consent_label(requirement) -> str:
    """What the family accepts, with a link to the document it refers to (the PDF staff
    uploaded), in the checkbox's label."""
    if not requirement.document:
        return requirement.text
    return format_html(
        '{} (<a href="{}" target="_blank" rel="noopener">{}</a>)',
        requirement.text,
        reverse("reenrolment:requirement_document", args=[requirement.pk]),
        requirement.document_link_text,
    )


class RequestForm(forms.Form):
    """One student's request: each discipline of this season kept or stopped, new wishes from
    the campaign's catalogue, a comment and the required consents.

    `current` maps each discipline of this season to its courses; `initial_lines` (the
    request being changed) pre-fills the form instead of this season's enrolments."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    KEEP_CHOICES = [("continue", _("Continue")), ("stop", _("Arrête"))]

    def __init__(
        self, *args, campaign, offered, courses, current, requirements, initial_lines, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.offered = {discipline.pk: discipline for discipline in offered}
        self.current = current
        self.requirements = list(requirements)
        lines = {line.discipline_id: line for line in initial_lines}

        self.keep_names = []
        for discipline, its_courses in current.items():
            name = f"keep_{discipline.pk}"
            self.keep_names.append(name)
            label = f"{discipline.name} ({', '.join(c.name for c in its_courses)})"
            field = forms.ChoiceField(
                label=label, choices=self.KEEP_CHOICES, widget=forms.RadioSelect
            )
            if discipline.pk not in self.offered:
                field.disabled = True
                field.initial = "stop"
                field.help_text = _("Cette discipline n'est pas proposée dans cette campagne.")
            elif discipline.pk in lines:
                field.initial = "stop" if lines[discipline.pk].kind == "stop" else "continue"
            else:
                field.initial = "stop" if initial_lines else "continue"
            self.fields[name] = field

        wishes = [line for line in initial_lines if line.kind == "wish"]
        self.wish_count = max(WISH_SLOTS, len(wishes) + 1)
        course_queryset = courses.filter(discipline__in=list(self.offered))
        for i in range(self.wish_count):
            wish = wishes[i] if i < len(wishes) else None
            self.fields[f"wish_{i}_discipline"] = forms.ModelChoiceField(
                label=_("Discipline"),
                queryset=offered,
                required=False,
                empty_label=_("— aucune —"),
                initial=wish.discipline_id if wish else None,
            )
            self.fields[f"wish_{i}_course"] = CourseChoiceField(
                label=_("Cours souhaité (facultatif)"),
                queryset=course_queryset,
                required=False,
                empty_label=_("— indifférent —"),
                initial=wish.preferred_course_id if wish else None,
            )
            self.fields[f"wish_{i}_weekday"] = forms.TypedChoiceField(
                label=_("Jour souhaité (facultatif)"),
                choices=[("", _("— indifférent —")), *Weekday.choices],
                coerce=int,
                empty_value=None,
                required=False,
                initial=wish.preferred_weekday if wish else None,
            )
            self.fields[f"wish_{i}_time"] = forms.CharField(
                label=_("Horaire souhaité (facultatif)"),
                max_length=100,
                required=False,
                help_text=_("Ex. après 17 h"),
                initial=wish.preferred_time if wish else "",
            )
        # Every wish row lists the same disciplines and courses: one list read for all rows, so
        # the page's queries do not grow with the number of wishes. The courses are grouped by
        # discipline (<optgroup>): without JavaScript the family sees which course is of which
        # discipline (and `clean` refuses a course of another one); static/js/reenrolment.js
        # then keeps only the chosen discipline's group.
        disciplines = [self.fields[f"wish_{i}_discipline"] for i in range(self.wish_count)]
        choices = [*iter(disciplines[0].choices)]  # iter(): list() would COUNT the rows first
        for field in disciplines:
            field.choices = choices
        course_choices = course_groups(course_queryset, self.offered.values())
        for i in range(self.wish_count):
            field = self.fields[f"wish_{i}_course"]
            field.choices = [("", field.empty_label), *course_choices]
            field.widget.attrs["data-follows"] = self[f"wish_{i}_discipline"].auto_id
        for requirement in self.requirements:
            self.fields[f"consent_{requirement.pk}"] = forms.BooleanField(
                label=consent_label(requirement),
                required=True,
                error_messages={"required": _("Cette case doit être cochée pour envoyer.")},
                initial=bool(initial_lines),
            )

    def keep_fields(self):
        return [self[name] for name in self.keep_names]

    def wish_rows(self):
        return [
            [self[f"wish_{i}_{part}"] for part in ("discipline", "course", "weekday", "time")]
            for i in range(self.wish_count)
        ]

    def consent_fields(self):
        return [
            (requirement, self[f"consent_{requirement.pk}"]) for requirement in self.requirements
        ]

    def clean(self):
        cleaned = super().clean()
        lines: list[LineChoice] = []
        seen: set[int] = set()
        for discipline in self.current:
            choice = cleaned.get(f"keep_{discipline.pk}", "stop")
            lines.append(LineChoice(discipline=discipline, kind=choice))
            seen.add(discipline.pk)
        for i in range(self.wish_count):
            discipline = cleaned.get(f"wish_{i}_discipline")
            course = cleaned.get(f"wish_{i}_course")
            if discipline is None and course is not None:
                discipline = course.discipline
            if discipline is None:
                continue
            if course is not None and course.discipline_id != discipline.pk:
                self.add_error(
                    f"wish_{i}_course", _("Ce cours n'est pas un cours de la discipline choisie.")
                )
                continue
            if discipline.pk in seen:
                self.add_error(
                    f"wish_{i}_discipline", _("Cette discipline figure déjà dans la demande.")
                )
                continue
            seen.add(discipline.pk)
            lines.append(
                LineChoice(
                    discipline=discipline,
                    kind="wish",
                    preferred_course=course,
                    preferred_weekday=cleaned.get(f"wish_{i}_weekday"),
                    preferred_time=cleaned.get(f"wish_{i}_time", ""),
                )
            )
        if not self.errors and not any(line.kind != "stop" for line in lines):
            raise forms.ValidationError(
                _(
                    "Choisissez au moins une discipline. Si l'élève arrête tout, "
                    "n'envoyez pas de demande (ou retirez celle déjà envoyée)."
                )
            )
        self.lines = lines
        return cleaned

    def accepted_requirements(self):
        return [r for r in self.requirements if self.cleaned_data.get(f"consent_{r.pk}")]


class ChildForm(forms.Form):
    """A new child of the family. `shown_at`, signed, says when the form was shown: posted again
    (a double click, the browser re-sending it), the child it added since is recognised
    (`reenrolment.services.add_child`)."""

    SALT = "reenrolment.ChildForm.shown_at"

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        # <input type="date"> only shows a value written YYYY-MM-DD.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    shown_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["shown_at"] = signing.dumps(timezone.now().isoformat(), salt=self.SALT)

    def clean_shown_at(self) -> datetime | None:
        """When the form was shown; None for a missing or altered value (no recognition)."""
        try:
            return datetime.fromisoformat(
                signing.loads(self.cleaned_data["shown_at"], salt=self.SALT)
            )
        except (signing.BadSignature, TypeError, ValueError):
            return None
