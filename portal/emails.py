"""Every e-mail of the portal goes through `send_templated_email`.

A message is a template set under `templates/emails/<name>/` (`subject.txt`, `body.txt`,
`body.html`), rendered in its recipient's language (an account's `language` preference, French
by default: `account_language`, and `send_family_email` for what a family receives) and queued
by django-post-office in the current database transaction: if the change rolls back, so does
the e-mail; if SMTP is down, it waits in the queue and is retried by `send_queued_mail`.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from post_office import mail

from portal.models import Centre


def account_language(user) -> str:
    """The language an account's e-mails are written in: its preference, French by default."""
    return _supported(getattr(user, "language", ""))


def _supported(language) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _family_accounts(family) -> list[tuple]:
    """(pk, e-mail, language, responsable's rank) of the family's accounts, the main one first
    (responsable 1's, or the one made before the responsables were recorded)."""
    return sorted(
        family.accounts.values_list("pk", "email", "language", "responsable__rank"),
        key=lambda account: (account[3] or 1, account[0]),
    )


def family_language(family) -> str:
    """The family's language: its main account's preference (French without an account)."""
    accounts = _family_accounts(family)
    return _supported(accounts[0][2] if accounts else "")


def family_languages(family, addresses: Iterable[str]) -> dict[str, list[str]]:
    """`addresses` grouped by the language each is written to: an account's own e-mail in that
    account's preference, any other (the reference e-mail, a student's) in the family's
    language (`family_language`). One query."""
    accounts = _family_accounts(family)
    default = _supported(accounts[0][2] if accounts else "")
    by_address = {}
    for _pk, email, language, _rank in reversed(accounts):  # the main account wins a tie
        if email:
            by_address[email.strip().lower()] = _supported(language)
    grouped: dict[str, list[str]] = {}
    for address in addresses:
        language = by_address.get((address or "").strip().lower(), default)
        grouped.setdefault(language, []).append(address)
    return dict(sorted(grouped.items()))


def send_family_email(
    *,
    family,
    template: str,
    context: dict | Callable[[], dict] | None = None,
    also: Iterable[str] = (),
) -> list:
    """A family's e-mail (receipt, document decision, re-enrolment, invoice…): to
    `family.email_recipients(also=also)`, each address in its own language
    (`family_languages`), whoever triggered it (a staff member's language does not count).
    Context values that depend on the language are lazy strings, or `context` is a callable
    run in each recipient's language. Returns the queued e-mails (post_office `Email`), one
    per language."""
    recipients = family.email_recipients(also=also)
    if not recipients:
        return []
    return [
        send_templated_email(to=addresses, template=template, context=context, language=language)
        for language, addresses in family_languages(family, recipients).items()
    ]


def send_templated_email(
    *,
    to: Iterable[str],
    template: str,
    context: dict | Callable[[], dict] | None = None,
    language: str = "fr",
):
    """Queues one message to `to`, rendered in `language` (a callable `context` is called in
    it: for values rendered in the recipient's language); returns it (post_office `Email`), or
    None without a recipient."""
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    with translation.override(language):
        given = (context() if callable(context) else context) or {}
        full_context = {
            # The caller's centre when it has one at hand (an issuing run: one read per task).
            "centre": given["centre"] if "centre" in given else Centre.objects.current(),
            "site_url": settings.SITE_URL,
            **given,
        }
        subject = render_plain_text(f"emails/{template}/subject.txt", full_context)
        body = render_to_string(f"emails/{template}/body.txt", full_context)
        html = render_to_string(f"emails/{template}/body.html", full_context)
    email = mail.send(
        recipients=recipients,
        sender=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        message=body,
        html_message=html,
    )
    if settings.EMAIL_DELIVER_ON_COMMIT:
        transaction.on_commit(deliver_queued_emails)
    return email


def render_plain_text(template_name: str, context: dict) -> str:
    """A subject is plain text: rendered without HTML autoescaping (no `&#x27;`), on one line."""
    template = get_template(template_name).template
    return " ".join(template.render(Context(context, autoescape=False)).split())


def deliver_queued_emails() -> None:
    """Send what is queued now (local mode); production runs `send_queued_mail` instead."""
    mail.send_queued(processes=1)


def absolute_url(path: str) -> str:
    """A link for an e-mail, from the configured site URL (never the request's Host)."""
    return f"{settings.SITE_URL}{path}"
