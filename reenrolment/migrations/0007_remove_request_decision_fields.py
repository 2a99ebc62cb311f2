"""Step 3 of 3: the answers live on the lines only; the database keeps them complete."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reenrolment", "0006_request_decisions_onto_lines")]

    operations = [
        migrations.RemoveField(
            model_name="request",
            name="refusal_reason",
        ),
        migrations.RemoveField(
            model_name="request",
            name="waitlist_position",
        ),
        migrations.AddConstraint(
            model_name="line",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decision", "waitlisted"), _negated=True),
                    ("waitlist_position__isnull", False),
                    _connector="OR",
                ),
                name="reenrolment_line_waitlist_has_position",
                violation_error_message="Une liste d'attente demande une position.",
            ),
        ),
        migrations.AddConstraint(
            model_name="line",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decision", "refused"), _negated=True),
                    models.Q(("refusal_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="reenrolment_line_refusal_has_reason",
                violation_error_message="Indiquez le motif du refus : il est envoyé à la famille.",
            ),
        ),
        migrations.AddConstraint(
            model_name="line",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "stop"), _negated=True),
                    ("decision", "pending"),
                    _connector="OR",
                ),
                name="reenrolment_line_stopped_has_no_answer",
                violation_error_message=(
                    "Une discipline que l'élève arrête ne reçoit pas de réponse."
                ),
            ),
        ),
    ]
