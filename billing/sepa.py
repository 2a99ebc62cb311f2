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
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import InvalidChecksumDigits, InvalidCountryCode, SchwiftyException
from sepaxml import SepaDD

from billing import pdf
from billing.instalments import amount_due_on
from billing.models import (
    Invoice,
    PaymentMode,
    PaymentSchedule,
    SepaDebit,
    SepaExport,
    SepaMandate,
)
from billing.services import cancel_payment, pdfs_deleted_on_error, record_payment
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


DIRECT_DEBIT_MODE = "Prélèvement"


def collection_date(due_on: date) -> date:
    """The date asked of the bank: the due date, or tomorrow when it is today or past (a bank
    refuses a collection date in the past)."""
    return max(due_on, timezone.localdate() + timedelta(days=1))


def _check_creditor() -> None:
    missing = [
        name
        for name, value in [
            ("SEPA_CREDITOR_ID", settings.SEPA_CREDITOR_ID),
            ("SEPA_CREDITOR_IBAN", settings.SEPA_CREDITOR_IBAN),
            ("SEPA_CREDITOR_BIC", settings.SEPA_CREDITOR_BIC),
        ]
        if not value
    ]
    if missing:
        raise ValidationError(
            _("Le prélèvement n'est pas configuré : renseignez %(settings)s.")
            % {"settings": ", ".join(missing)}
        )


def debits_due(due_on: date) -> list[tuple[SepaMandate, list[Invoice], Decimal]]:
    """For each family with an active mandate: its issued invoices to debit on `due_on` (an
    instalment of its échéancier falls that day, or, without an échéancier, the invoice's due
    date is that day) and the sum they owe by then (`instalments.amount_due_on`)."""
    mandates = {
        mandate.family_id: mandate
        for mandate in SepaMandate.objects.active().select_related("family")
    }
    invoices = (
        Invoice.objects.filter(
            kind=Invoice.Kind.INVOICE, number__isnull=False, family_id__in=list(mandates)
        )
        .filter(Q(schedule__isnull=True, due_on=due_on) | Q(schedule__instalments__due_on=due_on))
        .distinct()
        .select_related("schedule")
        .prefetch_related("schedule__instalments")
        .order_by("family_id", "issued_on", "number")
    )
    grouped: dict[int, list[Invoice]] = {}
    for invoice in invoices:
        grouped.setdefault(invoice.family_id, []).append(invoice)
    result = []
    for family_id, family_invoices in grouped.items():
        owed = [
            (invoice, amount_due_on(invoice, due_on, _instalments(invoice)))
            for invoice in family_invoices
        ]
        owed = [(invoice, amount) for invoice, amount in owed if amount > 0]
        if owed:
            total = sum((amount for _invoice, amount in owed), Decimal("0.00"))
            result.append((mandates[family_id], [invoice for invoice, _a in owed], total))
    return result


def _instalments(invoice: Invoice):
    try:
        return list(invoice.schedule.instalments.all())
    except PaymentSchedule.DoesNotExist:
        return None


def _sequence_type(mandate: SepaMandate) -> str:
    """FRST until a debit of the mandate went through (a rejected first debit is sent again
    as FRST), RCUR afterwards."""
    collected = mandate.debits.filter(rejected_on__isnull=True).exists()
    return SepaDebit.Sequence.RECURRING if collected else SepaDebit.Sequence.FIRST


def export_debits(*, due_on: date, user=None) -> SepaExport:
    """Records the debits of `due_on` (one payment per family, allocated to its invoices due
    that day) and produces their pain.008.001.02 file, validated against the schema."""
    _check_creditor()
    mode = PaymentMode.objects.filter(name=DIRECT_DEBIT_MODE).first()
    if mode is None:
        raise ValidationError(
            _("Le mode de règlement « %(mode)s » n'existe pas.") % {"mode": DIRECT_DEBIT_MODE}
        )
    stored = None
    try:
        with pdfs_deleted_on_error(), transaction.atomic():
            # One export at a time: two staff members exporting together would debit twice.
            list(SepaMandate.objects.select_for_update().active().values_list("pk"))
            due = debits_due(due_on)
            if not due:
                raise ValidationError(
                    _(
                        "Aucun prélèvement à exporter pour le %(date)s : aucune facture émise à "
                        "cette échéance ne reste due chez une famille ayant un mandat actif."
                    )
                    % {"date": date_format(due_on, "SHORT_DATE_FORMAT")}
                )
            collection_on = collection_date(due_on)
            name = creditor_name()
            document = SepaDD(
                {
                    "name": name[:70],
                    "IBAN": settings.SEPA_CREDITOR_IBAN,
                    "BIC": settings.SEPA_CREDITOR_BIC,
                    "batch": True,
                    "creditor_id": settings.SEPA_CREDITOR_ID,
                    "currency": "EUR",
                },
                schema="pain.008.001.02",
            )
            received_on = min(due_on, timezone.localdate())
            debits = []
            for mandate, invoices, amount in due:
                numbers = ", ".join(invoice.number for invoice in invoices)
                payment = record_payment(
                    family=mandate.family,
                    received_on=received_on,
                    mode=mode,
                    amount=amount,
                    reference=mandate.rum,
                    invoices=invoices,
                )
                sequence = _sequence_type(mandate)
                debits.append(
                    SepaDebit(
                        mandate=mandate,
                        family=mandate.family,
                        payment=payment,
                        amount=amount,
                        sequence_type=sequence,
                    )
                )
                document.add_payment(
                    {
                        "name": mandate.account_holder,
                        "IBAN": mandate.iban,
                        "amount": int((amount * 100).to_integral_value()),
                        "type": sequence,
                        "collection_date": collection_on,
                        "mandate_id": mandate.rum,
                        "mandate_date": timezone.localtime(mandate.signed_at).date(),
                        "description": f"{name} {numbers}",
                        "endtoend_id": payment.number,
                    }
                )
            xml = document.export(validate=True)
            export = SepaExport(
                due_on=due_on,
                collection_on=collection_on,
                message_id=document.msg_id[:35],
                total=sum((debit.amount for debit in debits), Decimal("0.00")),
                count=len(debits),
                created_by=user,
            )
            stored = default_storage.save(
                f"billing/sepa/{secrets.token_urlsafe(24)}.xml", ContentFile(xml)
            )
            export.xml.name = stored
            export.save()
            for debit in debits:
                debit.export = export
            SepaDebit.objects.bulk_create(debits)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return export


def reject_debit(*, debit: SepaDebit, code: str, rejected_on: date | None = None, user=None):
    """The bank rejected a debit: its receipt is cancelled (the invoices are owed again, the
    family is e-mailed with the reason), the debit keeps the bank's reason code."""
    rejected_on = rejected_on or timezone.localdate()
    if code not in SepaDebit.RejectCode.values:
        raise ValidationError({"code": _("Choisissez le motif de rejet indiqué par la banque.")})
    with transaction.atomic():
        debit = SepaDebit.objects.select_for_update().select_related("payment").get(pk=debit.pk)
        if debit.is_rejected:
            raise ValidationError(_("Ce prélèvement est déjà marqué rejeté."))
        with translation.override("fr"):
            label = str(SepaDebit.RejectCode(code).label)
        cancel_payment(
            payment=debit.payment,
            # Stored as the receipt's cancellation reason: in French, like every issued document.
            reason=f"Prélèvement rejeté par la banque ({label})",
            cancelled_on=rejected_on,
            recorded_by=user,
        )
        debit.rejected_on = rejected_on
        debit.reject_code = code
        debit.save(update_fields=["rejected_on", "reject_code"])
    return debit
