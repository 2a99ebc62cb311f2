"""The portal's language cookie (Django's `django_language`), set for a person whose account
prefers a language (see `accounts.User.language` and docs/i18n.md)."""

from django.conf import settings


def set_language_cookie(response, language: str) -> None:
    """Shows the portal in `language` from the next page on (as the footer's switch does)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def follow_account_language(request, response, user) -> None:
    """After logging in: a person who never chose a language on this browser sees the portal
    in their account's, when it is not the default one (a choice made on the browser wins)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = getattr(user, "language", "")
    if language and language != settings.LANGUAGE_CODE and language in dict(settings.LANGUAGES):
        set_language_cookie(response, language)
