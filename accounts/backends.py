"""Login by identifiant (case-insensitive) or by e-mail address."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from accounts.models import User


def normalise_login(value: str | None) -> str:
    return (value or "").strip().lower()


def axes_username(request, credentials) -> str:
    """django-axes counts failures per normalised login, so "Demo" and "demo" are one."""
    if credentials and credentials.get("username"):
        return normalise_login(credentials.get("username"))
    return normalise_login(request.POST.get("username") if request is not None else "")


def users_for_login(login: str):
    """Accounts that a login names: its identifiant, else its e-mail or the family's
    reference e-mail (several accounts of one family may share that address)."""
    login = normalise_login(login)
    if not login:
        return User.objects.none()
    by_identifiant = User.objects.filter(username__iexact=login)
    if "@" not in login:
        return by_identifiant
    return User.objects.filter(
        Q(username__iexact=login)
        | Q(email__iexact=login)
        | Q(family__reference_email__iexact=login)
    ).order_by("responsable__rank", "pk")


class IdentifiantBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        candidates = list(users_for_login(username)[:3])
        if not candidates:
            # Same cost as a real check, so that timing does not tell whether an account exists.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    def get_user(self, user_id):
        user = User.objects.select_related("family", "responsable").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
