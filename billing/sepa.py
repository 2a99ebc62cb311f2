"""SEPA direct debit: mandates signed online, the pain.008 file of a due date, rejections.

A mandate is signed by a responsable on the Facturation tab: account holder and IBAN (checked
with schwifty), the mandate text accepted, and the signature recorded (date and time, IP,
account) with a PDF copy. A mandate is never deleted: it is revoked, and a new one (new RUM)
replaces it.

The export for a due date debits, for each family with an active mandate, what is still owed
on its issued invoices due that day. Each debit is recorded at once as a payment (mode
"Prélèvement", a numbered receipt) allocated to the invoice, and listed in the pain.008.001.02
file (validated against the schema sepaxml ships). A debit the bank rejects is marked so with
the bank's reason code: its receipt is cancelled (a numbered counter-entry, see
`billing.services.cancel_payment`), the amount is owed again, and the family is e-mailed.
The sequence type is FRST for a mandate's first debit (and again after a rejected first one),
RCUR afterwards.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import InvalidChecksumDigits, InvalidCountryCode, SchwiftyException

from billing import pdf
from billing.models import SepaMandate
from families.models import Family
from portal.models import Centre


def creditor_name(centre: Centre | None = None) -> str:
    return settings.SEPA_CREDITOR_NAME or (centre or Centre.objects.current()).name


def creditor_id() -> str:
    return settings.SEPA_CREDITOR_ID


def mandate_text(*, name: str, ics: str) -> str:
    """The wording the SEPA rulebook requires on a CORE mandate (in the current language)."""
    return _(
        "En signant ce formulaire de mandat, vous autorisez (A) %(creditor)s à envoyer des "
        "instructions à votre banque pour débiter votre compte, et (B) votre banque à débiter "
        "votre compte conformément aux instructions de %(creditor)s (identifiant créancier SEPA "
        "%(ics)s). Vous bénéficiez du droit d'être remboursé par votre banque selon les "
        "conditions décrites dans la convention que vous avez passée avec elle. Une demande de "
        "remboursement doit être présentée dans les 8 semaines suivant la date de débit de votre "
        "compte pour un prélèvement autorisé."
    ) % {"creditor": name, "ics": ics}


def clean_iban(value: str) -> IBAN:
    """The IBAN typed by a family, or a French message saying what is wrong with it."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Indiquez l'IBAN du compte à débiter."))
    try:
        iban = IBAN(value)
    except InvalidChecksumDigits as error:
        raise ValidationError(
            _("Cet IBAN n'est pas valide : sa clé de contrôle est fausse. Vérifiez chaque chiffre.")
        ) from error
    except InvalidCountryCode as error:
        raise ValidationError(
            _("Cet IBAN n'est pas valide : il doit commencer par le code d'un pays (FR76…).")
        ) from error
    except SchwiftyException as error:
        raise ValidationError(
            _(
                "Cet IBAN n'est pas valide : sa longueur ou son format ne correspond pas à celui "
                "de son pays."
            )
        ) from error
    return iban


def _next_rum(family: Family) -> str:
    count = SepaMandate.objects.filter(family=family).count()
    return f"PF-{family.pk}-{count + 1:03d}"


def _store_pdf(mandate: SepaMandate, centre: Centre) -> str:
    data = pdf.render_mandate(mandate, centre=centre)
    mandate.pdf.name = default_storage.save(
        f"billing/mandats/{secrets.token_urlsafe(24)}.pdf", ContentFile(data)
    )
    mandate.pdf_sha256 = pdf.sha256(data)
    return mandate.pdf.name


def sign_mandate(
    *, family: Family, user, account_holder: str, iban: str, accepted: bool, ip: str
) -> SepaMandate:
    """A responsable signs a mandate for the family's account; an active mandate is revoked
    by the new one, in the same transaction (kept, never deleted)."""
    errors = {}
    account_holder = (account_holder or "").strip()
    if not account_holder:
        errors["account_holder"] = _("Indiquez le titulaire du compte.")
    try:
        parsed = clean_iban(iban)
    except ValidationError as error:
        errors["iban"] = error.messages
    if not accepted:
        errors["accepted"] = _(
            "Pour signer le mandat, cochez la case indiquant que vous avez lu "
            "et acceptez son texte."
        )
    if not creditor_id():
        errors["__all__"] = _("Le prélèvement n'est pas encore proposé par le centre.")
    if errors:
        raise ValidationError(errors)
    centre = Centre.objects.current()
    stored = None
    try:
        with transaction.atomic():
            family = Family.objects.select_for_update().get(pk=family.pk)
            now = timezone.now()
            SepaMandate.objects.filter(family=family, revoked_at__isnull=True).update(
                revoked_at=now, revoked_by=user
            )
            name = creditor_name(centre)
            with translation.override("fr"):
                text = mandate_text(name=name, ics=creditor_id())
            responsable = getattr(user, "responsable", None)
            mandate = SepaMandate(
                family=family,
                rum=_next_rum(family),
                account_holder=account_holder,
                iban=parsed.compact,
                bic=str(parsed.bic or "")[:11] if parsed.bic else "",
                creditor_name=name,
                creditor_id=creditor_id(),
                mandate_text=text,
                signed_at=now,
                signed_ip=ip,
                signed_by=user,
                signer_name=responsable.display_name if responsable else user.get_username(),
            )
            stored = _store_pdf(mandate, centre)
            mandate.save()
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return mandate


def revoke_mandate(*, mandate: SepaMandate, user) -> SepaMandate:
    with transaction.atomic():
        mandate = SepaMandate.objects.select_for_update().get(pk=mandate.pk)
        if not mandate.is_active:
            raise ValidationError(_("Ce mandat est déjà révoqué."))
        mandate.revoked_at = timezone.now()
        mandate.revoked_by = user
        mandate.save(update_fields=["revoked_at", "revoked_by"])
    return mandate
