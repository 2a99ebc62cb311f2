"""The "accusé de réception" sent after a record was edited (`portal.editing`). Who receives
it, like every e-mail to a family: `Family.email_recipients()`.
"""

from collections.abc import Iterable, Sequence

from django.utils import timezone

from portal.editing import Change
from portal.emails import send_templated_email


def send_change_receipt(
    *,
    to: Iterable[str],
    record_label: str,
    changes: Sequence[Change],
    author: str,
    record_url: str,
) -> None:
    """The "accusé de réception": queued in the caller's transaction, lists old → new values.

    `record_label` names the record in a sentence: "la fiche famille", "la fiche de Léa".
    """
    send_templated_email(
        to=to,
        template="record_changed",
        context={
            "record_label": record_label,
            "changes": list(changes),
            "author": author,
            "changed_at": timezone.localtime(),
            "record_url": record_url,
        },
    )
