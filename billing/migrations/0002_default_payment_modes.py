from django.db import migrations

MODES = [
    "Chèque",
    "Espèces",
    "Carte bancaire",
    "Prélèvement",
    "Virement",
    "Chèques vacances ANCV",
]


def create_modes(apps, schema_editor):
    PaymentMode = apps.get_model("billing", "PaymentMode")
    for position, name in enumerate(MODES, start=1):
        PaymentMode.objects.get_or_create(name=name, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_modes, migrations.RunPython.noop)]
