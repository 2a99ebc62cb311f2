"""The certificates' permission now covers both health documents (medical certificates and
sworn health statements): its codename stays (groups keep it), its name says so."""

from django.db import migrations

NEW_NAME = (
    "Peut ouvrir les documents de santé (certificats médicaux et attestations sur l'honneur)"
)
OLD_NAME = "Peut ouvrir les certificats médicaux"


def rename(name):
    def run(apps, schema_editor):
        # Django creates missing permissions after migrating, but never renames existing ones.
        Permission = apps.get_model("auth", "Permission")
        Permission.objects.filter(
            content_type__app_label="students", codename="view_medical_certificate"
        ).update(name=name)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("students", "0007_student_left_on_and_protected_history"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="document",
            options={
                "ordering": ["-uploaded_at", "-pk"],
                "permissions": [("view_medical_certificate", NEW_NAME)],
                "verbose_name": "document",
                "verbose_name_plural": "documents",
            },
        ),
        migrations.RunPython(rename(NEW_NAME), rename(OLD_NAME)),
    ]
