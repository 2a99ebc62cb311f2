"""Step 2 of 3: a request's decision becomes that of each of its requested lines (continued or
wished; a stopped discipline has no answer): accepted, waiting list at the request's position,
or refused with the request's reason.

Backwards, a request answered line by line ("partial") gets one decision back: accepted if a
line is (its enrolments exist), else the waiting list at its lines' first position, else
refused with its lines' reasons."""

from django.db import migrations

DECIDED = ("accepted", "waitlisted", "refused")


def forwards(apps, schema_editor):
    Request = apps.get_model("reenrolment", "Request")
    Line = apps.get_model("reenrolment", "Line")
    for request in Request.objects.filter(status__in=DECIDED).only(
        "pk", "status", "waitlist_position", "refusal_reason"
    ):
        Line.objects.filter(request=request).exclude(kind="stop").update(
            decision=request.status,
            waitlist_position=(
                request.waitlist_position if request.status == "waitlisted" else None
            ),
            refusal_reason=request.refusal_reason if request.status == "refused" else "",
        )


def backwards(apps, schema_editor):
    Request = apps.get_model("reenrolment", "Request")
    Line = apps.get_model("reenrolment", "Line")
    for request in Request.objects.filter(status__in=(*DECIDED, "partial")):
        lines = list(Line.objects.filter(request=request).exclude(kind="stop").order_by("pk"))
        answers = {line.decision for line in lines}
        status = request.status
        if status == "partial":
            status = next(
                (answer for answer in DECIDED if answer in answers), "reviewing"
            )
        request.status = status
        request.waitlist_position = None
        request.refusal_reason = ""
        if status == "waitlisted":
            positions = [line.waitlist_position for line in lines if line.waitlist_position]
            request.waitlist_position = min(positions, default=1)
        elif status == "refused":
            reasons = dict.fromkeys(line.refusal_reason for line in lines if line.refusal_reason)
            request.refusal_reason = " ; ".join(reasons) or "—"
        request.save(update_fields=["status", "waitlist_position", "refusal_reason"])


class Migration(migrations.Migration):
    dependencies = [("reenrolment", "0005_line_decisions")]

    operations = [migrations.RunPython(forwards, backwards)]
