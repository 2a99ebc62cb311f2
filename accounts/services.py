"""Portal access: accounts for families, the e-mails that hand them out, and resets."""

import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.backends import users_for_login
from accounts.identifiants import normalise_login
from accounts.models import PasswordResetRequest, User
from accounts.tokens import access_token_generator, link_validity_hours, reset_token_generator
from portal.emails import absolute_url, account_language, family_language, send_templated_email
from portal.security_log import log_event


class NoEmailAddress(Exception):
    """The family (or responsable) has no e-mail address to send the access to."""


class AccessRecentlySent(Exception):
    """The access e-mail went to this address less than ACCESS_EMAIL_INTERVAL ago."""

    def __init__(self, user: User):
        super().__init__(user.username)
        self.user = user
        self.sent_at = user.access_sent_at
        self.next_at = user.access_sent_at + settings.ACCESS_EMAIL_INTERVAL


def set_password_url(user: User, *, generator=reset_token_generator) -> str:
    """The one-time link to choose a password: a "mot de passe perdu" link by default, a
    portal access link (longer lived) with `access_token_generator`."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return absolute_url(path)


def _ascii_slug(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", value.lower())


def generate_identifiant(last_name: str, first_name: str = "") -> str:
    """Readable and unique: "dupont.marie", then "dupont.marie2", "dupont.marie3"…"""
    base = ".".join(part for part in (_ascii_slug(last_name), _ascii_slug(first_name)) if part)
    base = (base or "famille")[:140]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


def account_email(user: User) -> str:
    if user.email:
        return user.email
    if user.family_id:
        return user.family.reference_email
    return ""


def access_email(family, responsable=None) -> str:
    """Where an account's e-mails go: the reference e-mail for the main contact (responsable 1,
    or an account made before the responsables were recorded), else the responsable's own."""
    if responsable is None or responsable.rank == 1:
        return family.reference_email or (responsable.email if responsable else "")
    return responsable.email


def sync_account_emails(*, family) -> None:
    """After the family record changed: each account follows its new e-mail address, so that
    "mot de passe perdu" writes to the address the family gave, not to the replaced one."""
    for user in User.objects.filter(family=family).select_related("responsable"):
        email = access_email(family, user.responsable)
        if email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])


@transaction.atomic
def revoke_portal_access(*, user: User) -> None:
    """Removes an account's access: it can no longer log in, and its open sessions end (the
    password hash changes, which Django checks on every request, and the account is inactive).
    Sending the access again reactivates it."""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])


@transaction.atomic
def grant_portal_access(*, family, responsable=None) -> User:
    """Create the account of a family (or of one responsable) if it has none, and e-mail its
    identifiant with a link to choose the password. Calling it again re-sends the e-mail, but
    not twice to the same address within ACCESS_EMAIL_INTERVAL (AccessRecentlySent): each press
    of the button would otherwise send one more."""
    if responsable is None:
        responsable = family.main_responsable
    is_main = responsable is None or responsable.rank == 1
    email = access_email(family, responsable)
    if not email:
        raise NoEmailAddress(str(family))
    accounts = User.objects.filter(family=family)
    user = accounts.filter(responsable=responsable).first() if responsable else None
    if user is None and is_main:
        # An account made before the responsables were recorded is the main one.
        user = accounts.filter(responsable__isnull=True).order_by("pk").first()
    now = timezone.now()
    if user is not None:
        # Locked: two presses at once send one e-mail.
        user = User.objects.select_for_update().get(pk=user.pk)
        if (
            user.is_active
            and user.email == email
            and user.access_sent_at is not None
            and now < user.access_sent_at + settings.ACCESS_EMAIL_INTERVAL
        ):
            raise AccessRecentlySent(user)
    if user is None:
        last = responsable.last_name if responsable else family.name
        first = responsable.first_name if responsable else ""
        user = User(
            username=generate_identifiant(last, first),
            family=family,
            responsable=responsable,
            email=email,
            first_name=first,
            last_name=last,
            # A new account (e.g. responsable 2's) starts in the family's language.
            language=family_language(family),
        )
        user.set_unusable_password()
        user.save()
    else:
        changed = []
        if user.email != email:
            user.email = email
            changed.append("email")
        if responsable is not None and user.responsable_id is None:
            user.responsable = responsable
            changed.append("responsable")
        if not user.is_active:
            # Access removed earlier and granted again: the link lets them choose a password.
            user.is_active = True
            changed.append("is_active")
        if changed:
            user.save(update_fields=changed)
    user.access_sent_at = now
    user.save(update_fields=["access_sent_at"])
    send_templated_email(
        to=[email],
        template="portal_access",
        language=account_language(user),
        context={
            "user": user,
            "family": family,
            "set_password_url": set_password_url(user, generator=access_token_generator),
            "valid_hours": link_validity_hours("access"),
        },
    )
    return user


def send_password_reset(user: User) -> None:
    send_templated_email(
        to=[account_email(user)],
        template="password_reset",
        language=account_language(user),
        context={
            "user": user,
            "reset_url": set_password_url(user),
            "valid_hours": link_validity_hours("reset"),
        },
    )


def send_password_changed(user: User) -> None:
    send_templated_email(
        to=[account_email(user)],
        template="password_changed",
        language=account_language(user),
        context={
            "user": user,
            "reset_request_url": absolute_url(reverse("accounts:password_reset")),
        },
    )


def record_password_reset_request(*, login: str, ip_address: str | None) -> None:
    """What the "mot de passe perdu" page does, the same whether or not the login names an
    account: one count and one insert; nothing is looked up or sent here
    (process_password_resets does it later). Beyond RESET_REQUESTS_PER_IP requests from one
    address within RESET_REQUEST_WINDOW, the request is not even recorded."""
    now = timezone.now()
    recent = PasswordResetRequest.objects.filter(
        ip_address=ip_address, requested_at__gte=now - settings.RESET_REQUEST_WINDOW
    )
    if recent.count() >= settings.RESET_REQUESTS_PER_IP:
        return
    PasswordResetRequest.objects.create(
        login=normalise_login(login)[:254], ip_address=ip_address, requested_at=now
    )
    if settings.EMAIL_DELIVER_ON_COMMIT:
        # Local mode: no timer runs `send_password_resets`.
        transaction.on_commit(process_password_resets)


def process_password_resets(limit: int = 500) -> int:
    """Sends the reset e-mails of the pending requests (`manage.py send_password_resets`, run
    by the same timer as `send_queued_mail`, just before it). A request sends nothing once
    its address (the login as typed, normalised) was asked RESET_REQUESTS_PER_ADDRESS times
    within RESET_REQUEST_WINDOW, nor to an account that already got RESET_REQUESTS_PER_ACCOUNT
    e-mails in it. Returns the number of e-mails queued."""
    sent = 0
    pending = PasswordResetRequest.objects.filter(processed_at__isnull=True).order_by("pk")
    for pk in list(pending.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            request = (
                PasswordResetRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, processed_at__isnull=True)
                .first()
            )
            if request is None:
                continue
            since = request.requested_at - settings.RESET_REQUEST_WINDOW
            earlier = PasswordResetRequest.objects.filter(
                login=request.login, requested_at__gte=since, pk__lt=request.pk
            )
            if earlier.count() < settings.RESET_REQUESTS_PER_ADDRESS:
                for user in users_for_login(request.login).filter(is_active=True):
                    already = user.password_reset_requests.filter(requested_at__gte=since)
                    if already.count() < settings.RESET_REQUESTS_PER_ACCOUNT:
                        send_password_reset(user)
                        request.sent_to.add(user)
                        # Where the request came from (the timer has no request of its own).
                        log_event("password_reset_sent", user=user.pk, ip=request.ip_address)
                        sent += 1
            request.processed_at = timezone.now()
            request.save(update_fields=["processed_at"])
    # Kept a day, for the throttling windows and for staff's questions.
    PasswordResetRequest.objects.filter(
        processed_at__isnull=False, requested_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return sent
