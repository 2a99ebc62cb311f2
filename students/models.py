"""Students, the catalogue (seasons, departments, disciplines, courses) and enrolments."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from families.models import Civility


class SeasonQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).first()


class Season(models.Model):
    name = models.CharField(_("nom"), max_length=20, unique=True, help_text=_("Ex. 2026-2027"))
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    is_current = models.BooleanField(_("saison en cours"), default=False)

    objects = SeasonQuerySet.as_manager()

    class Meta:
        verbose_name = _("saison")
        verbose_name_plural = _("saisons")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="students_one_current_season",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    class Kind(models.TextChoices):
        MUSIC = "music", _("Musique")
        DANCE = "dance", _("Danse")

    name = models.CharField(_("nom"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Discipline(models.Model):
    name = models.CharField(_("nom"), max_length=120, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("département"),
        related_name="disciplines",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("lundi")
    TUESDAY = 2, _("mardi")
    WEDNESDAY = 3, _("mercredi")
    THURSDAY = 4, _("jeudi")
    FRIDAY = 5, _("vendredi")
    SATURDAY = 6, _("samedi")
    SUNDAY = 7, _("dimanche")


class Course(models.Model):
    season = models.ForeignKey(
        Season, verbose_name=_("saison"), related_name="courses", on_delete=models.PROTECT
    )
    discipline = models.ForeignKey(
        Discipline, verbose_name=_("discipline"), related_name="courses", on_delete=models.PROTECT
    )
    name = models.CharField(_("cours"), max_length=150)
    teacher = models.CharField(_("professeur"), max_length=150, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("jour"), choices=Weekday.choices, null=True, blank=True
    )
    start_time = models.TimeField(_("début"), null=True, blank=True)
    end_time = models.TimeField(_("fin"), null=True, blank=True)

    class Meta:
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        ordering = ["season", "discipline__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.season})"


class StudentQuerySet(models.QuerySet):
    def for_family(self, family):
        return self.filter(family=family)


class Student(models.Model):
    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="students",
        on_delete=models.CASCADE,
    )
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_place = models.CharField(_("lieu de naissance"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail de l'élève"), blank=True)
    mobile = models.CharField(_("mobile de l'élève"), max_length=20, blank=True)
    school = models.CharField(_("établissement scolaire"), max_length=150, blank=True)
    school_class = models.CharField(_("classe"), max_length=50, blank=True)
    image_rights = models.BooleanField(_("droit à l'image"), null=True, blank=True)
    image_rights_date = models.DateField(_("date du choix droit à l'image"), null=True, blank=True)
    may_leave_alone = models.BooleanField(
        _("autorisation de sortie seul(e)"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = StudentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("élève")
        verbose_name_plural = _("élèves")
        ordering = ["family", "first_name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()


class Enrolment(models.Model):
    student = models.ForeignKey(
        Student, verbose_name=_("élève"), related_name="enrolments", on_delete=models.CASCADE
    )
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), related_name="enrolments", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["student", "course"], name="students_enrolment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.course}"
