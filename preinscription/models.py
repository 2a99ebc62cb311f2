"""Pré-inscription: a new family applies without an account during a pré-inscription period
(a `reenrolment.Campaign` of kind PREREGISTRATION), staff decide each wish in admin.

An application holds what the applicant typed (responsables, address, students, wishes in
order of preference, consents) and the documents uploaded with it, until staff accept a wish:
the family, its responsables, students and enrolments are then created from it
(`preinscription.services.decide_wishes`). The writes go through `preinscription.services`.
"""

import secrets

from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from families.models import Civility
from portal.fields import PhoneNumberField
from portal.validators import validate_birth_date, validate_mobile_number, validate_postal_code
from students.models import DocumentKind

TOKEN_SALT = "preinscription.status"


def new_access_key() -> str:
    return secrets.token_urlsafe(24)


class ApplicationQuerySet(models.QuerySet):
    def to_decide(self):
        """The applications with a wish still waiting for the staff's answer."""
        return self.filter(
            models.Exists(
                Wish.objects.filter(
                    application=models.OuterRef("pk"), decision=Wish.Decision.PENDING
                )
            )
        )

    def abandoned(self, now=None):
        """Applications never completed (a document the wishes need is missing) whose period
        has closed, with no family created from them: their uploads are purged."""
        from django.utils import timezone

        now = now or timezone.now()
        return self.filter(is_complete=False, family__isnull=True, campaign__closes_at__lte=now)


class Application(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("reçue")
        DECIDED = "decided", _("réponse donnée")

    campaign = models.ForeignKey(
        "reenrolment.Campaign",
        verbose_name=_("période de pré-inscription"),
        related_name="applications",
        on_delete=models.PROTECT,
    )
    reference = models.CharField(_("référence"), max_length=20, unique=True, blank=True)
    # Random; the status link carries it signed (`status_token`).
    access_key = models.CharField(max_length=64, default=new_access_key, editable=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    email = models.EmailField(_("e-mail de référence"))
    reference_mobile = PhoneNumberField(
        _("mobile de référence"), validators=[validate_mobile_number]
    )
    home_phone = PhoneNumberField(_("téléphone domicile"), blank=True)
    address_line1 = models.CharField(_("adresse"), max_length=200)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=120)
    comment = models.TextField(_("commentaire"), blank=True)
    is_complete = models.BooleanField(
        _("dossier complet"),
        default=False,
        help_text=_("Tous les justificatifs que demandent les vœux sont déposés."),
    )
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    # The language the form was filled in: the e-mails are written in it.
    language = models.CharField(_("langue"), max_length=10, default="fr")
    submitted_at = models.DateTimeField(_("déposée le"))
    decided_at = models.DateTimeField(_("réponse donnée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("réponse donnée par"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    family = models.OneToOneField(
        "families.Family",
        verbose_name=_("famille créée"),
        null=True,
        blank=True,
        related_name="preinscription",
        on_delete=models.SET_NULL,
    )
    possible_duplicates = models.ManyToManyField(
        "families.Family",
        verbose_name=_("familles existantes semblables"),
        blank=True,
        related_name="+",
        help_text=_("Mêmes nom, prénom et date de naissance d'un élève, même e-mail ou téléphone."),
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("pré-inscription")
        verbose_name_plural = _("pré-inscriptions")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.family_name}"

    @property
    def family_name(self) -> str:
        main = self.main_responsable
        return main.display_name if main else ""

    @property
    def main_responsable(self):
        responsables = sorted(self.responsables.all(), key=lambda r: r.rank)
        return responsables[0] if responsables else None

    @property
    def status_token(self) -> str:
        return signing.Signer(salt=TOKEN_SALT).sign(f"{self.pk}.{self.access_key}")

    @classmethod
    def from_token(cls, token: str, queryset=None):
        """The application a status link points to, or None (bad signature or key)."""
        try:
            value = signing.Signer(salt=TOKEN_SALT).unsign(token)
        except signing.BadSignature:
            return None
        pk, _sep, key = value.partition(".")
        if not pk.isdigit():
            return None
        application = (queryset if queryset is not None else cls.objects).filter(pk=pk).first()
        if application is None or not constant_time_compare(application.access_key, key):
            return None
        return application

    def email_recipients(self) -> list[str]:
        addresses = [self.email, *(r.email for r in self.responsables.all())]
        seen, result = set(), []
        for address in addresses:
            key = (address or "").strip().lower()
            if key and key not in seen:
                seen.add(key)
                result.append(address.strip())
        return result


class ApplicantResponsable(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("pré-inscription"),
        related_name="responsables",
        on_delete=models.CASCADE,
    )
    rank = models.PositiveSmallIntegerField(
        _("rang"), choices=[(1, _("Responsable 1")), (2, _("Responsable 2"))]
    )
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = PhoneNumberField(_("mobile"), blank=True, validators=[validate_mobile_number])

    class Meta:
        verbose_name = _("responsable")
        verbose_name_plural = _("responsables")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "rank"], name="preinscription_one_responsable_per_rank"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()


class ApplicantStudent(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("pré-inscription"),
        related_name="students",
        on_delete=models.CASCADE,
    )
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), validators=[validate_birth_date])
    student = models.OneToOneField(
        "students.Student",
        verbose_name=_("élève créé"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("enfant ou élève")
        verbose_name_plural = _("enfants ou élèves")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()


class Wish(models.Model):
    """One wished discipline of a student, in order of preference (1 first)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("en attente de réponse")
        ACCEPTED = "accepted", _("acceptée")
        WAITLISTED = "waitlisted", _("liste d'attente")
        REFUSED = "refused", _("refusée")

    # The application too (its student's): staff answer the wishes on the application's page.
    application = models.ForeignKey(
        Application,
        verbose_name=_("pré-inscription"),
        related_name="wishes",
        on_delete=models.CASCADE,
    )
    student = models.ForeignKey(
        ApplicantStudent, verbose_name=_("élève"), related_name="wishes", on_delete=models.CASCADE
    )
    discipline = models.ForeignKey(
        "students.Discipline",
        verbose_name=_("discipline"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    preference = models.PositiveSmallIntegerField(_("préférence"))
    decision = models.CharField(
        _("réponse"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    course = models.ForeignKey(
        "students.Course",
        verbose_name=_("cours attribué"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    waitlist_position = models.PositiveIntegerField(
        _("position sur la liste d'attente"), null=True, blank=True
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    decided_at = models.DateTimeField(_("réponse donnée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("vœu")
        verbose_name_plural = _("vœux")
        ordering = ["student__pk", "preference"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "discipline"],
                name="preinscription_one_wish_per_discipline",
                violation_error_message=_("Cette discipline est déjà demandée pour cet élève."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="accepted") | Q(course__isnull=False),
                name="preinscription_accepted_wish_has_course",
                violation_error_message=_("Choisissez le cours où l'élève est inscrit."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="waitlisted") | Q(waitlist_position__isnull=False),
                name="preinscription_waitlist_has_position",
                violation_error_message=_("Une liste d'attente demande une position."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="refused") | ~Q(refusal_reason=""),
                name="preinscription_refusal_has_reason",
                violation_error_message=_(
                    "Indiquez le motif du refus : il est envoyé à la famille."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.discipline} ({self.preference})"

    @property
    def answer_label(self) -> str:
        """The staff's answer as the applicant reads it: with the course, the position or the
        reason."""
        if self.decision == self.Decision.ACCEPTED and self.course_id:
            return _("acceptée (%(course)s)") % {"course": self.course.name}
        if self.decision == self.Decision.WAITLISTED:
            return _("liste d'attente (position %(position)s)") % {
                "position": self.waitlist_position
            }
        if self.decision == self.Decision.REFUSED:
            return _("refusée (%(reason)s)") % {"reason": self.refusal_reason}
        return self.get_decision_display()


class ApplicationDocument(models.Model):
    """A supporting document uploaded with an application (or later from the status link),
    checked as the Élèves tab's (`students.uploads.check_upload`), in private storage. Copied
    to the family's documents when a family is created from the application."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("pré-inscription"),
        related_name="documents",
        on_delete=models.CASCADE,
    )
    student = models.ForeignKey(
        ApplicantStudent,
        verbose_name=_("élève"),
        null=True,
        blank=True,
        related_name="documents",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("type"), max_length=10, choices=DocumentKind.choices)
    document_date = models.DateField(_("date du document"), null=True, blank=True)
    file = models.FileField(_("fichier"), max_length=200)
    content_type = models.CharField(_("type de contenu"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("justificatif")
        verbose_name_plural = _("justificatifs")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        owner = self.student or self.application
        return f"{self.get_kind_display()} — {owner}"


class ApplicationConsent(models.Model):
    """A required consent (règlement intérieur…) as the applicant ticked it, with the date."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("pré-inscription"),
        related_name="consents",
        on_delete=models.CASCADE,
    )
    requirement = models.ForeignKey(
        "reenrolment.Requirement",
        verbose_name=_("consentement"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    accepted_at = models.DateTimeField(_("accepté le"))

    class Meta:
        verbose_name = _("consentement donné")
        verbose_name_plural = _("consentements donnés")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"],
                name="preinscription_one_consent_per_requirement",
            ),
        ]

    def __str__(self) -> str:
        return str(self.requirement)


class SubmissionAttempt(models.Model):
    """One posted application form (valid or not), for the rate limits per IP address and per
    e-mail (in the database: shared by every process and machine)."""

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("envoi du formulaire de pré-inscription")
        verbose_name_plural = _("envois du formulaire de pré-inscription")
        indexes = [models.Index(fields=["ip_address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.created_at}"
