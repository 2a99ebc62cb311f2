"""Login by identifiant (case-insensitive) or by e-mail address.

One normal form everywhere: at account creation (User.normalize_username), lookup
(users_for_login) and throttling (axes_username) a login is NFKC-normalised and casefolded, so
"DUPONT.Marie", "ｄｕｐｏｎｔ.marie" (full width) and "dupont.marie" are the same account. A
login that is neither an identifiant of the allowed characters nor an ASCII e-mail address
("vıctim", dotless ı) names no account: the database's own case folding (PostgreSQL's UPPER
turns "ı" into "I") never gets to decide.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Case, F, IntegerField, Q, Value, When

from accounts.identifiants import is_identifiant, normalise_login
from accounts.models import User

__all__ = ["account_for_login", "axes_username", "normalise_login", "users_for_login"]


def is_valid_login(login: str) -> bool:
    """A normalised login that may name an account: an identifiant or an ASCII e-mail."""
    if is_identifiant(login):
        return True
    if "@" not in login or not login.isascii():
        return False
    try:
        validate_email(login)
    except ValidationError:
        return False
    return True


def users_for_login(login: str):
    """Accounts that a login names, best first: its identifiant, else the accounts whose own
    e-mail it is, then those of the family whose reference e-mail it is (several accounts of
    one family may share that address); active accounts first, then the main responsable."""
    login = normalise_login(login)
    if not is_valid_login(login):
        return User.objects.none()
    if "@" not in login:
        return User.objects.filter(username__iexact=login)
    return (
        User.objects.filter(
            Q(username__iexact=login)
            | Q(email__iexact=login)
            | Q(family__reference_email__iexact=login)
        )
        .annotate(
            match=Case(
                When(username__iexact=login, then=Value(0)),
                When(email__iexact=login, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by(
            F("is_active").desc(), "match", F("responsable__rank").asc(nulls_first=True), "pk"
        )
    )


def account_for_login(login: str) -> User | None:
    """The one account a login resolves to (the best of users_for_login), or None."""
    return users_for_login(login).first()


def throttle_key(login: str | None) -> str:
    """What login failures are counted under: the resolved account's identifiant whatever
    alias was typed (its case or Unicode variants, its e-mail, the family's reference e-mail);
    an unknown login is counted under its normal form."""
    login = normalise_login(login)
    user = account_for_login(login) if login else None
    return normalise_login(user.username) if user is not None else login


def axes_username(request, credentials) -> str:
    """django-axes' AXES_USERNAME_CALLABLE. Called several times per attempt: the account is
    looked up once per request."""
    if credentials and credentials.get("username"):
        typed = credentials.get("username")
    else:
        typed = request.POST.get("username") if request is not None else ""
    if request is None:
        return throttle_key(typed)
    cache = request.__dict__.setdefault("_throttle_keys", {})
    if typed not in cache:
        cache[typed] = throttle_key(typed)
    return cache[typed]


def _dummy_hash(password: str) -> None:
    """The cost of one password check, for a login that checks none."""
    User().set_password(password)


class IdentifiantBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """Exactly one password hash per attempt, whatever the login names (nothing, one
        account, an e-mail shared by several, an account without a password yet): the time
        taken tells nothing. An e-mail shared by several accounts logs in the best one only."""
        if not username or not password:
            return None
        user = account_for_login(username)
        if user is None or not user.has_usable_password():
            _dummy_hash(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        user = User.objects.select_related("family", "responsable").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
