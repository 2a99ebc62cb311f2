"""The household (famille) and its guardians (responsables)."""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.fields import PhoneNumberField
from portal.history import record_history
from portal.validators import (
    BIRTH_DEPARTMENT_CHOICES,
    validate_birth_date,
    validate_mobile_number,
    validate_postal_code,
)


class Civility(models.TextChoices):
    MADAME = "mme", _("Madame")
    MONSIEUR = "m", _("Monsieur")


class MaritalStatus(models.TextChoices):
    SINGLE = "celibataire", _("Célibataire")
    MARRIED = "marie", _("Marié(e)")
    CIVIL_UNION = "pacse", _("Pacsé(e)")
    COHABITING = "concubinage", _("En concubinage")
    SEPARATED = "separe", _("Séparé(e)")
    DIVORCED = "divorce", _("Divorcé(e)")
    WIDOWED = "veuf", _("Veuf, veuve")


class SocioProfessionalGroup(models.TextChoices):
    """INSEE PCS 2020, groups (first level)."""

    FARMERS = "1", _("Agriculteurs exploitants")
    SELF_EMPLOYED = "2", _("Artisans, commerçants et chefs d'entreprise")
    EXECUTIVES = "3", _("Cadres et professions intellectuelles supérieures")
    INTERMEDIATE = "4", _("Professions intermédiaires")
    EMPLOYEES = "5", _("Employés")
    WORKERS = "6", _("Ouvriers")
    RETIRED = "7", _("Retraités")
    NOT_WORKING = "8", _("Autres personnes sans activité professionnelle")


# Without these the record is "incomplete" (Accueil card, admin filter).
COMPLETENESS_FIELDS = [
    "reference_email",
    "reference_mobile",
    "address_line1",
    "postal_code",
    "city",
]


class FamilyQuerySet(models.QuerySet):
    def incomplete(self):
        missing = models.Q()
        for name in COMPLETENESS_FIELDS:
            missing |= models.Q(**{name: ""})
        return self.filter(missing)


class Family(models.Model):
    name = models.CharField(_("nom de la famille"), max_length=150)
    address_line1 = models.CharField(_("adresse"), max_length=200, blank=True)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=120, blank=True)
    home_phone = PhoneNumberField(_("téléphone domicile"), blank=True)
    reference_email = models.EmailField(_("e-mail de référence"), blank=True)
    reference_mobile = PhoneNumberField(
        _("mobile de référence"), blank=True, validators=[validate_mobile_number]
    )
    extra_phone_1_label = models.CharField(
        _("libellé téléphone supplémentaire 1"), max_length=60, blank=True
    )
    extra_phone_1 = PhoneNumberField(_("téléphone supplémentaire 1"), blank=True)
    extra_phone_2_label = models.CharField(
        _("libellé téléphone supplémentaire 2"), max_length=60, blank=True
    )
    extra_phone_2 = PhoneNumberField(_("téléphone supplémentaire 2"), blank=True)
    extra_phone_3_label = models.CharField(
        _("libellé téléphone supplémentaire 3"), max_length=60, blank=True
    )
    extra_phone_3 = PhoneNumberField(_("téléphone supplémentaire 3"), blank=True)
    # The quotient familial staff read on the family's validated CAF/MSA attestation (the
    # tariff bracket: billing.tariffs); none, or past its validity: the highest bracket.
    qf_value = models.PositiveIntegerField(_("quotient familial (€)"), null=True, blank=True)
    qf_valid_until = models.DateField(
        _("quotient familial valable jusqu'au"), null=True, blank=True
    )
    # The family's number in the centre's previous software: the key a new import of its
    # export matches on (importing.resources), so that importing the same file twice changes
    # nothing.
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
    # Bumped on every save of the record: a form carries the version it was read at, and a
    # save against an older version is refused instead of silently overwriting (no lost update).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = FamilyQuerySet.as_manager()
    history = record_history()

    class Meta:
        verbose_name = _("famille")
        verbose_name_plural = _("familles")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["legacy_id"],
                condition=~models.Q(legacy_id=""),
                name="families_unique_legacy_id",
                violation_error_message=_(
                    "Une autre famille a déjà ce numéro dans l'ancien logiciel."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """As the old portal shows it: the first responsable as "NOM Prénom"."""
        main = self.main_responsable
        if main is not None:
            return main.display_name
        return self.name.upper()

    def valid_qf(self, on=None) -> int | None:
        """The family's quotient familial if validated and still valid `on` (today)."""
        from django.utils import timezone

        on = on or timezone.localdate()
        if self.qf_value is None or self.qf_valid_until is None or self.qf_valid_until < on:
            return None
        return self.qf_value

    def missing_fields(self) -> list[str]:
        """Labels of what the record lacks to be complete (see COMPLETENESS_FIELDS)."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in COMPLETENESS_FIELDS
            if not getattr(self, name)
        ]

    def email_recipients(self, *, also: Iterable[str] = ()) -> list[str]:
        """Who receives the family's e-mails, whatever the message (receipt of a change,
        document received or reviewed, invoice issued, re-enrolment receipt or decision): the
        reference e-mail and each responsable's own e-mail, so that both parents are told,
        plus `also` (e.g. an address being replaced, or the student's), each address once
        (case-insensitive). Uses the prefetch cache of `responsables`."""
        addresses = [self.reference_email, *(r.email for r in self.responsables.all()), *also]
        seen, result = set(), []
        for address in addresses:
            key = (address or "").strip().lower()
            if key and key not in seen:
                seen.add(key)
                result.append(address.strip())
        return result

    @property
    def main_responsable(self):
        # Uses the prefetch cache when the caller prefetched responsables.
        responsables = sorted(self.responsables.all(), key=lambda r: (r.rank, r.pk))
        return responsables[0] if responsables else None


class Responsable(models.Model):
    family = models.ForeignKey(
        Family, verbose_name=_("famille"), related_name="responsables", on_delete=models.CASCADE
    )
    rank = models.PositiveSmallIntegerField(
        _("rang"), default=1, choices=[(1, _("Responsable 1")), (2, _("Responsable 2"))]
    )
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    birth_date = models.DateField(
        _("date de naissance"), null=True, blank=True, validators=[validate_birth_date]
    )
    birth_place = models.CharField(_("lieu de naissance"), max_length=150, blank=True)
    birth_department = models.CharField(
        _("département de naissance"), max_length=3, choices=BIRTH_DEPARTMENT_CHOICES, blank=True
    )
    marital_status = models.CharField(
        _("situation familiale"), max_length=20, choices=MaritalStatus.choices, blank=True
    )
    socio_professional_group = models.CharField(
        _("code socio-professionnel"),
        max_length=2,
        choices=SocioProfessionalGroup.choices,
        blank=True,
    )
    profession = models.CharField(_("profession"), max_length=150, blank=True)
    mobile = PhoneNumberField(_("mobile"), blank=True)
    work_phone = PhoneNumberField(_("téléphone professionnel"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    history = record_history()

    class Meta:
        verbose_name = _("responsable")
        verbose_name_plural = _("responsables")
        ordering = ["family", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "rank"],
                name="families_one_responsable_per_rank",
                violation_error_message=_("Cette famille a déjà un responsable à ce rang."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.format_name(self.last_name, self.first_name)

    @staticmethod
    def format_name(last_name: str, first_name: str) -> str:
        """ "NOM Prénom", as the portal shows a responsable."""
        return f"{last_name.upper()} {first_name}".strip()
