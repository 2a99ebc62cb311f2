"""Re-enrolment campaigns, the families' requests, and the staff's decisions on them.

A campaign enrols for one season during a window of date-times. A family sends one request per
student per campaign (a database constraint, so double submissions cannot duplicate it); the
request lists the disciplines the student continues and the new wishes. Staff decide: accepted
(enrolments are created in the campaign's season), waiting list (with a position) or refused
(with a reason). The writes go through `reenrolment.services`.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from students.models import Enrolment, Student, Weekday


class CampaignQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__gt=now).order_by("opens_at")

    def of_families(self):
        """The campaigns the Réinscription tab offers to families with an account (a
        pré-inscription period is for new families, on the public `preinscription` pages)."""
        return self.exclude(kind=Campaign.Kind.PREREGISTRATION)

    def preregistrations(self):
        """The pré-inscription periods of new families (`preinscription` app)."""
        return self.filter(kind=Campaign.Kind.PREREGISTRATION)


def requirement_document_name(instance, filename: str) -> str:
    """A random name in private storage: the file is served by a view, never by its name."""
    return f"reglements/{uuid.uuid4().hex}.pdf"


class Requirement(models.Model):
    """A consent a family must tick (règlement intérieur, droit à l'image…), with the PDF it
    refers to (the season's règlement), uploaded by staff and linked from the checkbox."""

    name = models.CharField(_("intitulé"), max_length=150, unique=True)
    text = models.TextField(
        _("texte à accepter"),
        help_text=_("Ce que la famille déclare accepter, affiché à côté de la case à cocher."),
    )
    url = models.URLField(_("lien vers le document"), blank=True)
    document = models.FileField(
        _("document (PDF)"),
        upload_to=requirement_document_name,
        max_length=200,
        blank=True,
        help_text=_(
            "Le document que la famille accepte (le règlement intérieur de la saison…), en "
            "PDF : un lien l'ouvre depuis la case à cocher."
        ),
    )
    document_size = models.PositiveIntegerField(_("taille du document (octets)"), default=0)

    class Meta:
        verbose_name = _("consentement requis")
        verbose_name_plural = _("consentements requis")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def document_link_text(self) -> str:
        return _("%(name)s (PDF, %(size)s, nouvel onglet)") % {
            "name": self.name,
            "size": filesizeformat(self.document_size),
        }


class Campaign(models.Model):
    class Kind(models.TextChoices):
        REENROLMENT = "reenrolment", _("Réinscription des élèves actuels")
        ENROLMENT = "enrolment", _("Inscription de nouveaux élèves des familles connues")
        PREREGISTRATION = "preregistration", _("Pré-inscription de nouvelles familles")

    name = models.CharField(_("nom"), max_length=150, help_text=_("Ex. Réinscriptions 2027-2028"))
    season = models.ForeignKey(
        "students.Season",
        verbose_name=_("saison concernée"),
        related_name="campaigns",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    disciplines = models.ManyToManyField(
        "students.Discipline", verbose_name=_("disciplines proposées"), related_name="+"
    )
    instructions = models.TextField(_("consignes aux familles"), blank=True)
    requirements = models.ManyToManyField(
        Requirement, verbose_name=_("consentements requis"), blank=True, related_name="campaigns"
    )
    documents_note = models.TextField(
        _("autres documents à fournir"),
        blank=True,
        help_text=_(
            "Affiché aux familles en plus des justificatifs demandés selon les disciplines "
            "(domicile pour la musique, attestation ou certificat médical pour la danse)."
        ),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="reenrolment_campaign_closes_after_opening",
                violation_error_message=_("La clôture doit être postérieure à l'ouverture."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def is_enrolment(self) -> bool:
        return self.kind == self.Kind.ENROLMENT

    def eligibility(self) -> Q:
        """Who this campaign is for, as a condition on students: the one rule, read by the
        request form, the Réinscription page and the Accueil card. In a réinscription, the
        students enrolled this season (unless it is the campaign's season); in an inscription
        (new students), the students who are not pupils: enrolled neither this season nor in
        the campaign's season (a new child, a former pupil coming back). Either way, the
        students who already sent a request to it, and never an archived student (one who
        left the centre)."""
        present = Q(left_on__isnull=True)  # an archived student has left the centre
        requested = Request.objects.filter(student=models.OuterRef("pk"), campaign=self)
        if self.is_enrolment:
            pupil = Enrolment.objects.filter(
                Q(course__season__is_current=True) | Q(course__season_id=self.season_id),
                student=models.OuterRef("pk"),
            )
            return present & (~Q(models.Exists(pupil)) | Q(models.Exists(requested)))
        enrolled = (
            Enrolment.objects.current()
            .filter(student=models.OuterRef("pk"))
            .exclude(course__season_id=self.season_id)
        )
        return present & (Q(models.Exists(enrolled)) | Q(models.Exists(requested)))

    def eligible_students(self, family):
        """The family's students this campaign is for (see `eligibility`)."""
        return Student.objects.for_family(family).filter(self.eligibility())

    def awaits_answer_from(self, family) -> bool:
        """In an inscription, whether the family has sent no request; in a réinscription,
        whether one of its `eligible_students` has none."""
        requests = Request.objects.filter(campaign=self)
        if self.is_enrolment:
            return not requests.for_family(family).exists()
        unanswered = ~models.Exists(requests.filter(student=models.OuterRef("pk")))
        return self.eligible_students(family).filter(unanswered).exists()


class RequestQuerySet(models.QuerySet):
    def for_family(self, family):
        return self.filter(student__family=family)

    def asking_documents(self):
        """The requests whose disciplines ask for supporting documents in their campaign's
        season (`students.checklist`): all but the withdrawn and the refused ones."""
        return self.exclude(status__in=Request.NOT_ASKING_DOCUMENTS)

    def to_decide(self):
        """The requests waiting for the staff's answer (the admin dashboard's count): sent or
        being reviewed, or answered for some disciplines while another still waits."""
        waiting = Line.objects.filter(request=OuterRef("pk"), decision=Line.Decision.PENDING)
        return self.filter(
            Q(status__in=Request.TO_DECIDE)
            | Q(status=Request.Status.PARTIAL) & Exists(waiting.exclude(kind=Line.Kind.STOP))
        )


class Request(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("envoyée")
        REVIEWING = "reviewing", _("en cours d'examen")
        ACCEPTED = "accepted", _("acceptée")
        WAITLISTED = "waitlisted", _("liste d'attente")
        REFUSED = "refused", _("refusée")
        # Some lines are decided, not all in the same way (or some wait for their answer).
        PARTIAL = "partial", _("réponse par discipline")
        WITHDRAWN = "withdrawn", _("retirée")

    # The family may still change these; the others derive from the staff's decisions on the
    # lines (`derived_status`).
    OPEN_STATUSES = (Status.SUBMITTED, Status.REVIEWING, Status.WITHDRAWN)
    TO_DECIDE = (Status.SUBMITTED, Status.REVIEWING)
    DECIDED_STATUSES = (Status.ACCEPTED, Status.WAITLISTED, Status.REFUSED, Status.PARTIAL)
    # No document is asked for these (`RequestQuerySet.asking_documents`).
    NOT_ASKING_DOCUMENTS = (Status.WITHDRAWN, Status.REFUSED)

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), related_name="requests", on_delete=models.PROTECT
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("élève"),
        related_name="reenrolment_requests",
        on_delete=models.PROTECT,  # a student leaves (archived): the request stays
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    comment = models.TextField(_("commentaire de la famille"), blank=True)
    # Bumped by every change of the family: a form carries the revision it was read at, and a
    # submission against another revision (a double click, a second tab) changes nothing.
    revision = models.PositiveIntegerField(_("révision"), default=1)
    submitted_at = models.DateTimeField(_("déposée le"))
    updated_at = models.DateTimeField(_("modifiée le"))
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        ordering = ["-submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "student"],
                name="reenrolment_one_request_per_student",
                violation_error_message=_("Cet élève a déjà une demande dans cette campagne."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.campaign}"

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED_STATUSES

    @property
    def asks_documents(self) -> bool:
        return self.status not in self.NOT_ASKING_DOCUMENTS

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    def can_be_changed(self, now=None) -> bool:
        return self.status in self.OPEN_STATUSES and self.campaign.is_open(now)

    @property
    def status_label(self) -> str:
        """As the family reads it: with the waiting list positions, the refusal reasons, or
        each line's answer when they differ (from `lines`, prefetched with their
        disciplines where requests are listed)."""
        if self.status not in (self.Status.WAITLISTED, self.Status.REFUSED, self.Status.PARTIAL):
            return self.get_status_display()
        lines = [line for line in self.lines.all() if line.is_requested]
        if not lines:
            return self.get_status_display()
        if self.status == self.Status.PARTIAL:
            return " ; ".join(f"{line.discipline.name} : {line.answer_label}" for line in lines)
        if len(lines) == 1:
            return lines[0].answer_label
        if self.status == self.Status.WAITLISTED:
            details = " ; ".join(
                _("%(discipline)s : position %(position)s")
                % {"discipline": line.discipline.name, "position": line.waitlist_position}
                for line in lines
            )
            return _("liste d'attente (%(details)s)") % {"details": details}
        reasons = {line.refusal_reason for line in lines}
        if len(reasons) == 1:
            return lines[0].answer_label
        details = " ; ".join(f"{line.discipline.name} : {line.refusal_reason}" for line in lines)
        return _("refusée (%(reason)s)") % {"reason": details}

    def derived_status(self, lines) -> str:
        """The status the staff's answers on `lines` (all the request's lines) give: that of
        every requested line when they agree, `PARTIAL` when they differ or some still wait,
        `REVIEWING` when none is answered. A request without requested line (the student
        stops everything) keeps its status."""
        answers = {line.decision for line in lines if line.is_requested}
        if not answers:
            return self.status
        if answers == {Line.Decision.PENDING}:
            return self.Status.REVIEWING
        if len(answers) == 1:
            return self.Status(answers.pop())
        return self.Status.PARTIAL


class Line(models.Model):
    """One discipline of a request: continued from this season, or a new wish."""

    class Kind(models.TextChoices):
        CONTINUE = "continue", _("continue")
        STOP = "stop", _("arrête")
        WISH = "wish", _("nouveau vœu")

    class Decision(models.TextChoices):
        """The staff's answer to a continued or wished discipline (a stopped one has none)."""

        PENDING = "pending", _("en attente de réponse")
        ACCEPTED = "accepted", _("acceptée")
        WAITLISTED = "waitlisted", _("liste d'attente")
        REFUSED = "refused", _("refusée")

    request = models.ForeignKey(
        Request, verbose_name=_("demande"), related_name="lines", on_delete=models.CASCADE
    )
    discipline = models.ForeignKey(
        "students.Discipline",
        verbose_name=_("discipline"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("choix"), max_length=10, choices=Kind.choices)
    preferred_course = models.ForeignKey(
        "students.Course",
        verbose_name=_("cours souhaité"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    preferred_weekday = models.PositiveSmallIntegerField(
        _("jour souhaité"), choices=Weekday.choices, null=True, blank=True
    )
    preferred_time = models.CharField(_("horaire souhaité"), max_length=100, blank=True)
    assigned_course = models.ForeignKey(
        "students.Course",
        verbose_name=_("cours attribué"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
        help_text=_(
            "Choisi par le secrétariat ; laissé vide, il est choisi à l'acceptation : le cours "
            "souhaité, sinon le cours de la discipline au jour souhaité le moins rempli."
        ),
    )
    decision = models.CharField(
        _("réponse"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    waitlist_position = models.PositiveIntegerField(
        _("position sur la liste d'attente"), null=True, blank=True
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        verbose_name = _("discipline demandée")
        verbose_name_plural = _("disciplines demandées")
        ordering = ["request", "kind", "discipline__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "discipline"],
                name="reenrolment_one_line_per_discipline",
                violation_error_message=_("Cette discipline figure déjà dans la demande."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="waitlisted") | Q(waitlist_position__isnull=False),
                name="reenrolment_line_waitlist_has_position",
                violation_error_message=_("Une liste d'attente demande une position."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="refused") | ~Q(refusal_reason=""),
                name="reenrolment_line_refusal_has_reason",
                violation_error_message=_(
                    "Indiquez le motif du refus : il est envoyé à la famille."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="stop") | Q(decision="pending"),
                name="reenrolment_line_stopped_has_no_answer",
                violation_error_message=_(
                    "Une discipline que l'élève arrête ne reçoit pas de réponse."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.discipline} ({self.get_kind_display()})"

    @property
    def is_requested(self) -> bool:
        return self.kind != self.Kind.STOP

    @property
    def is_answered(self) -> bool:
        return self.decision != self.Decision.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.decision == self.Decision.ACCEPTED

    @property
    def answer_label(self) -> str:
        """The staff's answer as the family reads it: with the position or the reason."""
        if self.decision == self.Decision.WAITLISTED:
            return _("liste d'attente (position %(position)s)") % {
                "position": self.waitlist_position
            }
        if self.decision == self.Decision.REFUSED:
            return _("refusée (%(reason)s)") % {"reason": self.refusal_reason}
        return self.get_decision_display()

    def course_error(self, course, season) -> str:
        """Why `course` cannot be this line's course in `season` (the campaign's), "" if it
        can: it must be a course of the line's discipline in that season."""
        if course is None or (
            course.discipline_id == self.discipline_id and course.season_id == season.pk
        ):
            return ""
        return _(
            "Le cours attribué doit être un cours de %(discipline)s de la saison %(season)s."
        ) % {"discipline": self.discipline, "season": season}

    def clean(self):
        super().clean()
        if self.assigned_course_id and self.request_id and self.discipline_id:
            error = self.course_error(self.assigned_course, self.request.campaign.season)
            if error:
                raise ValidationError({"assigned_course": error})


class Consent(models.Model):
    """A required consent as the family ticked it, with the date."""

    request = models.ForeignKey(
        Request, verbose_name=_("demande"), related_name="consents", on_delete=models.CASCADE
    )
    requirement = models.ForeignKey(
        Requirement, verbose_name=_("consentement"), related_name="+", on_delete=models.PROTECT
    )
    accepted_at = models.DateTimeField(_("accepté le"))

    class Meta:
        verbose_name = _("consentement donné")
        verbose_name_plural = _("consentements donnés")
        ordering = ["requirement__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "requirement"],
                name="reenrolment_one_consent_per_requirement",
                violation_error_message=_(
                    "Ce consentement est déjà enregistré pour cette demande."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.requirement)
