"""Each line of a request gets its own answer (issue 12, item 4), step 1 of 3: the line's
fields. The request's waiting list position and refusal reason go in 0005, once 0004 has
copied the decisions onto the lines."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reenrolment", "0004_request_student_protected"),
        ("students", "0004_phonenumber_field"),
    ]

    operations = [
        # Removed here (not in 0005) so that going back re-adds them after 0004's reverse has
        # put the positions and reasons back on the requests.
        migrations.RemoveConstraint(
            model_name="request",
            name="reenrolment_waitlist_has_position",
        ),
        migrations.RemoveConstraint(
            model_name="request",
            name="reenrolment_refusal_has_reason",
        ),
        migrations.AddField(
            model_name="line",
            name="decision",
            field=models.CharField(
                choices=[
                    ("pending", "en attente de réponse"),
                    ("accepted", "acceptée"),
                    ("waitlisted", "liste d'attente"),
                    ("refused", "refusée"),
                ],
                default="pending",
                max_length=20,
                verbose_name="réponse",
            ),
        ),
        migrations.AddField(
            model_name="line",
            name="refusal_reason",
            field=models.TextField(blank=True, verbose_name="motif du refus"),
        ),
        migrations.AddField(
            model_name="line",
            name="waitlist_position",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="position sur la liste d'attente"
            ),
        ),
        migrations.AlterField(
            model_name="request",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "envoyée"),
                    ("reviewing", "en cours d'examen"),
                    ("accepted", "acceptée"),
                    ("waitlisted", "liste d'attente"),
                    ("refused", "refusée"),
                    ("partial", "réponse par discipline"),
                    ("withdrawn", "retirée"),
                ],
                default="submitted",
                max_length=20,
                verbose_name="statut",
            ),
        ),
    ]
