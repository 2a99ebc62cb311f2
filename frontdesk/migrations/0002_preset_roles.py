"""The preset staff roles: groups Secrétariat, Comptabilité and Direction with their
permissions (frontdesk.roles; docs/staff-roles.md). A group of that name the centre already
made keeps its permissions and gets the role's added; nothing is removed on the way back."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from frontdesk.roles import grant_roles

    grant_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0007_password_reset_request"),
        ("families", "0008_family_legacy_id"),
        ("students", "0012_course_capacity_waitlist_roster"),
        ("billing", "0016_billing_runs"),
        ("reenrolment", "0008_campaign_kind_preregistration"),
        ("portal", "0001_initial"),
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        ("axes", "0010_accessattemptexpiration"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("preinscription", "0001_applications"),
        ("messaging", "0001_messages_and_reminders"),
        ("payments", "0002_online_payment_mode"),
        ("frontdesk", "0001_locked_accounts"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
