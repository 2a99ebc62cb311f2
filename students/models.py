"""Students, the catalogue (seasons, departments, disciplines, courses), enrolments and the
supporting documents families upload (justificatif de domicile, attestation, certificat)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from families.models import Civility
from portal.dates import time_range
from portal.fields import PhoneNumberField
from portal.history import record_history
from portal.validators import validate_birth_date, validate_mobile_number

SEASON_ENDS_AFTER_START = _("La fin de la saison doit être après son début.")
COURSE_ENDS_AFTER_START = _("L'heure de fin du cours doit être après son heure de début.")


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
                violation_error_message=_(
                    "Une autre saison est déjà la saison en cours : décochez-la d'abord."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="students_season_ends_after_start",
                violation_error_message=SEASON_ENDS_AFTER_START,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": SEASON_ENDS_AFTER_START})


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
    class Category(models.TextChoices):
        """What the discipline is for the tariffs (billing.tariffs)."""

        INSTRUMENT = "instrument", _("Instrument ou chant")
        MUSIC_THEORY = "fm", _("Formation musicale")
        COLLECTIVE = "collective", _("Pratique collective")
        EVEIL = "eveil", _("Éveil")
        DANCE = "dance", _("Danse")

    name = models.CharField(_("nom"), max_length=120, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("département"),
        related_name="disciplines",
        on_delete=models.PROTECT,
    )
    category = models.CharField(
        _("catégorie tarifaire"),
        max_length=12,
        choices=Category.choices,
        blank=True,
        # Rows written by code that predates the field (old migrations' states) get "" too.
        db_default="",
        help_text=_("Détermine la formule de la grille tarifaire qui s'applique."),
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


class CourseQuerySet(models.QuerySet):
    def current_first(self):
        """The current season's courses first, then the others, latest season first (the
        next season before the past ones), then by discipline and name: the order of every
        course list and choice of the admin."""
        return self.order_by(
            models.F("season__is_current").desc(),
            "-season__starts_on",
            "discipline__name",
            "name",
            "pk",
        )

    def for_choices(self, *, keep=None):
        """The courses staff may pick for an enrolment: those of the current season and the
        seasons after it, current season first; `keep` (the pks of the courses already
        chosen) stay even from a past season. (A request line's course is limited to its
        campaign's season and its discipline: `reenrolment.admin.LineAdminForm`.)"""
        current = Season.objects.current()
        choices = self
        if current is not None:
            choices = choices.filter(season__starts_on__gte=current.starts_on)
        if keep:
            choices = choices | self.filter(pk__in=keep)
        return choices.select_related("season", "discipline").current_first()

    def with_counts(self):
        """Each course with `enrolled` and `waiting` (its waiting list's length)."""
        enrolled = (
            Enrolment.objects.filter(course=models.OuterRef("pk"))
            .order_by()
            .values("course")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        waiting = (
            WaitlistEntry.objects.filter(course=models.OuterRef("pk"))
            .order_by()
            .values("course")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            enrolled=Coalesce(models.Subquery(enrolled), 0),
            waiting=Coalesce(models.Subquery(waiting), 0),
        )


class Course(models.Model):
    season = models.ForeignKey(
        Season, verbose_name=_("saison"), related_name="courses", on_delete=models.PROTECT
    )
    discipline = models.ForeignKey(
        Discipline, verbose_name=_("discipline"), related_name="courses", on_delete=models.PROTECT
    )
    name = models.CharField(_("cours"), max_length=150)
    teacher = models.CharField(_("professeur"), max_length=150, blank=True)
    room = models.CharField(_("salle"), max_length=100, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("jour"), choices=Weekday.choices, null=True, blank=True
    )
    start_time = models.TimeField(_("début"), null=True, blank=True)
    end_time = models.TimeField(_("fin"), null=True, blank=True)
    # Empty: not limited. Courses created before places were counted (and collective practices
    # such as a choir) have no set number; inventing one in the migration would refuse or
    # accept students on a figure nobody chose. The counts page shows them as "non limité".
    capacity = models.PositiveSmallIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_(
            "Nombre d'élèves au plus ; une inscription au-delà est refusée sauf forçage par le "
            "secrétariat. Vide : non limité."
        ),
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        ordering = ["season", "discipline__name", "name"]
        permissions = [
            (
                "view_roster",
                _(
                    "Peut consulter, imprimer et exporter les listes d'élèves des cours "
                    "(avec le mobile de référence des familles)"
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True)
                | models.Q(end_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="students_course_ends_after_start",
                violation_error_message=COURSE_ENDS_AFTER_START,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.season})"

    @property
    def choice_label(self) -> str:
        """As course choices show it: "Piano 1er cycle — mercredi 17 h 30 (2026-2027)"."""
        schedule = self.schedule
        name = f"{self.name} — {schedule}" if schedule else self.name
        return f"{name} ({self.season})"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": COURSE_ENDS_AFTER_START})
        errors = {}
        clashes = self.clashing_courses()
        teacher, room = self.teacher.strip(), self.room.strip()
        if teacher and (other := clashes.filter(teacher__iexact=teacher).first()):
            errors["teacher"] = gettext(
                "%(teacher)s donne déjà le cours « %(course)s » sur ce créneau (%(schedule)s) "
                ": choisissez un autre professeur ou un autre horaire."
            ) % {"teacher": teacher, "course": other.name, "schedule": other.schedule}
        if room and (other := clashes.filter(room__iexact=room).first()):
            errors["room"] = gettext(
                "La salle %(room)s est déjà occupée par le cours « %(course)s » sur ce créneau "
                "(%(schedule)s) : choisissez une autre salle ou un autre horaire."
            ) % {"room": room, "course": other.name, "schedule": other.schedule}
        if errors:
            raise ValidationError(errors)

    def clashing_courses(self) -> models.QuerySet:
        """The season's other courses on the same day whose times overlap this one's (a
        course with no end time occupies its start time), none when the slot is unknown."""
        if not (self.season_id and self.weekday and self.start_time):
            return Course.objects.none()
        start, end = self.start_time, self.end_time
        overlap = models.Q(start_time=start) | models.Q(start_time__lt=start, end_time__gt=start)
        if end:
            overlap |= models.Q(start_time__gt=start, start_time__lt=end)
        return (
            Course.objects.filter(overlap, season_id=self.season_id, weekday=self.weekday)
            .exclude(pk=self.pk)
            .order_by("start_time", "name", "pk")
        )

    @property
    def schedule(self) -> str:
        """The day and times as the pages show them ("lundi 17 h 30 – 18 h 30", in the active
        language: portal.dates), "" when unknown."""
        return format_schedule(self.weekday, self.start_time, self.end_time)


def format_schedule(weekday, start_time, end_time) -> str:
    """A course's day and times in the active language ("lundi 17 h 30 – 18 h 30"), "" when
    unknown."""
    parts = []
    if weekday:
        try:
            parts.append(str(Weekday(weekday).label))
        except ValueError:  # a value written outside the choices shows as stored
            parts.append(str(weekday))
    if start_time:
        parts.append(time_range(start_time, end_time))
    return " ".join(parts)


class StudentQuerySet(models.QuerySet):
    def for_family(self, family):
        return self.filter(family=family)

    def present(self):
        """The students still at the centre: not archived (`left_on` empty). A student is
        never deleted (`students.services.archive_students`)."""
        return self.filter(left_on__isnull=True)

    def with_current_enrolments(self):
        """Each student with this season's enrolments (`Enrolment.objects.current()`) as
        `current_enrolments`, course, discipline and department joined, in timetable order:
        one query for all the students."""
        return self.prefetch_related(
            models.Prefetch(
                "enrolments",
                queryset=Enrolment.objects.current()
                .select_related("course__discipline__department")
                .order_by("course__weekday", "course__start_time", "course__name", "pk"),
                to_attr="current_enrolments",
            )
        )


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
    birth_date = models.DateField(
        _("date de naissance"), null=True, blank=True, validators=[validate_birth_date]
    )
    birth_place = models.CharField(_("lieu de naissance"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail de l'élève"), blank=True)
    mobile = PhoneNumberField(
        _("mobile de l'élève"), blank=True, validators=[validate_mobile_number]
    )
    school = models.CharField(_("établissement scolaire"), max_length=150, blank=True)
    school_class = models.CharField(_("classe"), max_length=50, blank=True)
    image_rights = models.BooleanField(_("droit à l'image"), null=True, blank=True)
    image_rights_date = models.DateField(_("date du choix droit à l'image"), null=True, blank=True)
    may_leave_alone = models.BooleanField(
        _("autorisation de sortie seul(e)"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # The student's number in the centre's previous software (importing.resources).
    # A database default too: rows written by code that predates the field (older migrations'
    # states, another release during a rolling deploy) get "" instead of failing NOT NULL.
    legacy_id = models.CharField(
        _("numéro dans l'ancien logiciel"),
        max_length=30,
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    left_on = models.DateField(
        _("a quitté le centre le"),
        null=True,
        blank=True,
        help_text=_(
            "Élève archivé : il n'apparaît plus dans les listes de la famille ni dans les "
            "réinscriptions ; son historique, ses documents et ses factures restent."
        ),
    )

    objects = StudentQuerySet.as_manager()
    # The list of changes of each edit is stored on its historical row (portal.editing).
    history = record_history()

    class Meta:
        verbose_name = _("élève")
        verbose_name_plural = _("élèves")
        ordering = ["family", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["legacy_id"],
                condition=~models.Q(legacy_id=""),
                name="students_unique_legacy_id",
                violation_error_message=_(
                    "Un autre élève a déjà ce numéro dans l'ancien logiciel."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def namesakes(self, students: models.QuerySet | None = None) -> list["Student"]:
        """The other students (of `students`, all by default) with this student's names, case
        aside, and birth date: the same child. None without a birth date."""
        if not (self.birth_date and self.first_name.strip() and self.last_name.strip()):
            return []
        names = (self.first_name.strip().casefold(), self.last_name.strip().casefold())
        # Compared here, not in SQL: SQLite folds the case of ASCII letters only ("LÉA").
        born_that_day = (students if students is not None else Student.objects).filter(
            birth_date=self.birth_date
        )
        return [
            other
            for other in born_that_day.exclude(pk=self.pk).order_by("pk")
            if (other.first_name.strip().casefold(), other.last_name.strip().casefold()) == names
        ]

    def clean(self) -> None:
        # The same child twice in one family is a mistake; in two families it may be a child
        # of separated parents: staff are warned of it (`StudentAdmin`), not stopped.
        twins = self.family_id and self.namesakes(Student.objects.filter(family_id=self.family_id))
        if twins:
            raise ValidationError(
                gettext(
                    "%(name)s, né(e) le %(date)s, est déjà un élève de cette famille : "
                    "un même enfant ne peut pas être enregistré deux fois."
                )
                % {"name": twins[0].display_name, "date": date_format(self.birth_date)},
                code="duplicate",
            )


def check_student_of_family(student, family_id, *, field: str = "student") -> None:
    """Any student chosen for a family (an invoice line, a document) must be one of its own.
    The database cannot check it (the family is on another table): every model's `clean()` and
    every service that takes such a student calls this."""
    if student is None or family_id is None or student.family_id == family_id:
        return
    raise ValidationError(
        {
            field: gettext(
                "%(student)s n'est pas un élève de cette famille : choisissez un de ses élèves."
            )
            % {"student": student.display_name}
        }
    )


class EnrolmentQuerySet(models.QuerySet):
    def current(self):
        """This season's enrolments: those in a course of the season marked current."""
        return self.filter(course__season__is_current=True)


class Enrolment(models.Model):
    student = models.ForeignKey(
        # A student leaves (archived), never deleted: its enrolments stay.
        Student,
        verbose_name=_("élève"),
        related_name="enrolments",
        on_delete=models.PROTECT,
    )
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), related_name="enrolments", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("créée par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    over_capacity = models.BooleanField(
        _("au-delà des places"),
        default=False,
        help_text=_("Inscription forcée par le secrétariat alors que le cours était complet."),
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course"],
                name="students_enrolment_unique",
                violation_error_message=_("Cet élève est déjà inscrit à ce cours."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.course}"


class WaitlistEntry(models.Model):
    """A student waiting for a place in a full course. Positions are 1, 2, 3… in the order
    students were put on the list (or where staff inserted them): leaving the list moves the
    ones behind up (`students.waitlist`); every change locks the course row."""

    course = models.ForeignKey(
        Course, verbose_name=_("cours"), related_name="waitlist", on_delete=models.CASCADE
    )
    student = models.ForeignKey(
        Student, verbose_name=_("élève"), related_name="waitlist", on_delete=models.PROTECT
    )
    position = models.PositiveIntegerField(_("position"))
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    added_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("ajouté par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("place en liste d'attente")
        verbose_name_plural = _("listes d'attente")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["course", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student"],
                name="students_waitlist_once_per_course",
                violation_error_message=_("Cet élève est déjà sur la liste d'attente de ce cours."),
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1),
                name="students_waitlist_position_positive",
                violation_error_message=_("Une position commence à 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.student} — {self.course}"


class DocumentKind(models.TextChoices):
    PROOF_OF_ADDRESS = "address", _("Justificatif de domicile")
    HEALTH_STATEMENT = "statement", _("Attestation sur l'honneur de non contre-indication")
    MEDICAL_CERTIFICATE = "medical", _("Certificat médical")
    FAMILY_QUOTIENT = "qf", _("Attestation de quotient familial (CAF/MSA)")


# Health data: the sworn statement of no contra-indication says as much about a student's
# health as the certificate. Only staff holding HEALTH_DOCUMENTS_PERMISSION open them; families
# see their status but do not download them again.
HEALTH_KINDS = frozenset({DocumentKind.HEALTH_STATEMENT, DocumentKind.MEDICAL_CERTIFICATE})
HEALTH_DOCUMENTS_PERMISSION = "students.view_medical_certificate"
# Whoever the admin lets see a document (the list or the "à vérifier" queue) may open its file.
DOCUMENT_VIEW_PERMISSIONS = (
    "students.view_document",
    "students.change_document",
    "students.view_documenttoreview",
    "students.change_documenttoreview",
)


def may_open_documents(user) -> bool:
    """Staff allowed to open the families' supporting documents (not the health ones)."""
    return user.is_active and user.is_staff and any(map(user.has_perm, DOCUMENT_VIEW_PERMISSIONS))


def may_open_health_documents(user) -> bool:
    """Staff allowed to open medical certificates and sworn health statements too."""
    return may_open_documents(user) and user.has_perm(HEALTH_DOCUMENTS_PERMISSION)


class DocumentQuerySet(models.QuerySet):
    def for_family(self, family):
        return self.filter(family=family)

    def current(self):
        """The latest version of each document (earlier ones are kept for staff)."""
        return self.filter(is_current=True)


class Document(models.Model):
    """A supporting document uploaded by a family, checked by staff.

    One "slot" per requirement and season: the family's proof of address (no student), or a
    dance student's attestation or medical certificate. Uploading again (after a refusal or
    expiry) adds a new row and marks the earlier one as not current: staff keep seeing it.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("reçu – en cours de vérification")
        VALIDATED = "validated", _("validé")
        REFUSED = "refused", _("refusé")

    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="documents",
        on_delete=models.CASCADE,
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("élève"),
        related_name="documents",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    season = models.ForeignKey(
        Season, verbose_name=_("saison"), related_name="documents", on_delete=models.PROTECT
    )
    kind = models.CharField(_("type"), max_length=10, choices=DocumentKind.choices)
    document_date = models.DateField(
        _("date du document"),
        null=True,
        blank=True,
        help_text=_("Pour un justificatif de domicile : la date qui figure dessus."),
    )
    # A random name in private storage (MEDIA_ROOT): never a public URL.
    file = models.FileField(_("fichier"), max_length=200)
    content_type = models.CharField(_("type de contenu"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    is_current = models.BooleanField(_("version en cours"), default=True)
    uploaded_at = models.DateTimeField(_("reçu le"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("déposé par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("vérifié par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-pk"]
        permissions = [
            (
                "view_medical_certificate",
                _(
                    "Peut ouvrir les documents de santé "
                    "(certificats médicaux et attestations sur l'honneur)"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "uploaded_at"]),
            # The "documents à vérifier" queue: its count, dates and pages read this small index
            # alone.
            models.Index(
                fields=["uploaded_at"],
                condition=models.Q(status="received", is_current=True),
                name="students_document_to_review",
            ),
        ]
        constraints = [
            # The proof of address belongs to the family; the dance documents to a student.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="address", student__isnull=True, document_date__isnull=False)
                    | models.Q(kind__in=["statement", "medical"], student__isnull=False)
                    | models.Q(kind="qf", student__isnull=True)
                ),
                name="students_document_kind_owner",
                violation_error_message=_(
                    "Un justificatif de domicile concerne la famille (sans élève) et porte une "
                    "date ; une attestation ou un certificat médical concerne un élève ; une "
                    "attestation de quotient familial concerne la famille."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="students_document_refusal_has_reason",
                violation_error_message=_(
                    "Indiquez le motif du refus : il est envoyé à la famille."
                ),
            ),
            models.UniqueConstraint(
                fields=["family", "season"],
                condition=models.Q(is_current=True, kind="address"),
                name="students_one_current_proof_of_address",
                violation_error_message=_(
                    "Cette famille a déjà un justificatif de domicile en cours pour cette saison."
                ),
            ),
            models.UniqueConstraint(
                fields=["family", "season"],
                condition=models.Q(is_current=True, kind="qf"),
                name="students_one_current_family_quotient",
                violation_error_message=_(
                    "Cette famille a déjà une attestation de quotient familial en cours pour "
                    "cette saison."
                ),
            ),
            models.UniqueConstraint(
                fields=["student", "season"],
                condition=models.Q(is_current=True, kind__in=["statement", "medical"]),
                name="students_one_current_dance_document",
                violation_error_message=_(
                    "Cet élève a déjà une attestation ou un certificat médical en cours "
                    "pour cette saison."
                ),
            ),
        ]

    def __str__(self) -> str:
        owner = self.student or self.family
        return f"{self.get_kind_display()} — {owner} ({self.season})"

    def clean(self) -> None:
        check_student_of_family(self.student, self.family_id)

    @property
    def is_health_data(self) -> bool:
        return self.kind in HEALTH_KINDS

    def may_be_opened_by_staff(self, user) -> bool:
        """Staff open a document with the documents' view permission, a health document only
        with the health documents' permission too. Deciding on it requires the same."""
        if self.is_health_data:
            return may_open_health_documents(user)
        return may_open_documents(user)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DocumentToReview(Document):
    """The admin's "documents à vérifier" list (received, waiting for a decision)."""

    class Meta:
        proxy = True
        verbose_name = _("document à vérifier")
        verbose_name_plural = _("documents à vérifier")
