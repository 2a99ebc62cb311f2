"""Staff second factor: a TOTP application (django-otp) and single-use backup codes.

Every staff account must pass it once per session before reaching the admin or any page; a
staff member without a device enrols right after the password step. Family accounts are not
concerned. Throttling of wrong codes is django-otp's (per device, growing delays).
"""

import re
from base64 import b32encode
from dataclasses import dataclass

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.security_log import log_event

TOTP_NAME = "Application d'authentification"
BACKUP_NAME = "Codes de secours"
TOTP_CODE = re.compile(r"^\d{6}$")


def needs_second_factor(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.is_superuser)


def is_verified(request) -> bool:
    """Whether this session passed the second factor (django-otp's middleware)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def admin_has_permission(request) -> bool:
    """AdminSite.has_permission, plus a session verified by the second factor."""
    user = request.user
    return user.is_active and user.is_staff and is_verified(request)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp(user) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed (a reload keeps the
    QR code the person may have scanned already)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing it into an application by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, title: str) -> str:
    """The otpauth:// URL as an inline <svg> element (no image request, no data: URI)."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, border=4, title=title, svgclass="pf-qr", omitsize=True)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 (segno's markup)


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


@dataclass
class Outcome:
    device: Device | None = None
    throttled: bool = False
    wait_seconds: int = 0


def _throttled(device: Device) -> Outcome | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    wait = max(int((until - timezone.now()).total_seconds()) + 1, 1) if until else 1
    return Outcome(throttled=True, wait_seconds=wait)


def _log_failure(request, user, step: str, throttled: bool) -> None:
    # Never the code itself.
    fields = {"user": user.pk, "step": step}
    if throttled:
        fields["throttled"] = "yes"
    log_event("2fa_failed", request, **fields)


def check_code(request, user, code: str) -> Outcome:
    """A login's second step: a 6-digit code goes to the TOTP device, anything else to the
    backup codes (so that one wrong code throttles one device only)."""
    code = normalise_code(code)
    if TOTP_CODE.match(code):
        device = confirmed_totp(user)
        step = "totp"
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        step = "backup"
    if device is None:
        _log_failure(request, user, step, False)
        return Outcome()
    throttled = _throttled(device)
    if throttled:
        _log_failure(request, user, step, True)
        return throttled
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        _log_failure(request, user, step, False)
        return Outcome()
    django_otp.login(request, verified)
    log_event("2fa_verified", request, user=user.pk, method=step)
    return Outcome(device=verified)


def remaining_backup_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def confirm_enrolment(request, user, code: str) -> tuple[Outcome, list[str]]:
    """Checks the first code of the pending device; on success the device is confirmed, the
    account's other devices are replaced, and new backup codes are returned (shown once)."""
    device = pending_totp(user)
    throttled = _throttled(device)
    if throttled:
        _log_failure(request, user, "enrolment", True)
        return throttled, []
    code = normalise_code(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not (TOTP_CODE.match(code) and device.verify_token(code)):
            ok = False
        else:
            ok = True
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = new_backup_codes(user)
    if not ok:
        if not TOTP_CODE.match(code):
            # verify_token was not called: count the failure all the same.
            device.throttle_increment()
        _log_failure(request, user, "enrolment", False)
        return Outcome(), []
    django_otp.login(request, device)
    log_event("2fa_enrolled", request, user=user.pk)
    return Outcome(device=device), codes


def new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODES_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def reset_devices(user) -> int:
    """Deletes every second-factor device of the account: its sessions lose their
    verification at once, and the person enrols again at the next login."""
    with transaction.atomic():
        count = 0
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.filter(user=user)
            count += devices.count()
            devices.delete()
    log_event("2fa_reset", user=user.pk, devices=count)
    return count
