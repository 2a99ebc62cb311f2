"""The "accusé de réception" sent after a record was edited (`portal.editing`). Who receives
it, like every e-mail to a family: `Family.email_recipients()`, each in its own language
(`portal.emails.send_family_email`).
"""

from collections.abc import Iterable, Sequence

from django.utils import timezone

from portal.editing import FieldChange, render_changes
from portal.emails import send_family_email


def send_change_receipt(
    *,
    family,
    record_label,
    changes: Sequence[FieldChange],
    author,
    record_url: str,
    also: Iterable[str] = (),
) -> None:
    """The "accusé de réception": queued in the caller's transaction, lists old → new values,
    rendered in each recipient's language.

    `record_label` names the record in a sentence ("la fiche famille", "la fiche de Léa") and
    `author` who made the change: lazy strings (or plain data), so that each recipient reads
    them in their language. `also` adds addresses to the family's (see
    `Family.email_recipients`).
    """
    changed_at = timezone.localtime()
    send_family_email(
        family=family,
        also=also,
        template="record_changed",
        context=lambda: {
            "record_label": str(record_label),
            "changes": render_changes(list(changes)),
            "author": str(author),
            "changed_at": changed_at,
            "record_url": record_url,
        },
    )
