"""Every e-mail of the portal goes through `send_templated_email`.

A message is a template set under `templates/emails/<name>/` (`subject.txt`, `body.txt`,
`body.html`), rendered in French and queued by django-post-office in the current database
transaction: if the change rolls back, so does the e-mail; if SMTP is down, it waits in the
queue and is retried by `send_queued_mail`.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from post_office import mail

from portal.models import Centre


def send_templated_email(
    *, to: Iterable[str], template: str, context: dict | None = None, language: str = "fr"
) -> None:
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return
    full_context = {
        "centre": Centre.objects.current(),
        "site_url": settings.SITE_URL,
        **(context or {}),
    }
    with translation.override(language):
        subject = render_plain_text(f"emails/{template}/subject.txt", full_context)
        body = render_to_string(f"emails/{template}/body.txt", full_context)
        html = render_to_string(f"emails/{template}/body.html", full_context)
    mail.send(
        recipients=recipients,
        sender=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        message=body,
        html_message=html,
    )
    if settings.EMAIL_DELIVER_ON_COMMIT:
        transaction.on_commit(deliver_queued_emails)


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
