from django.db import migrations

# payments.services.ONLINE_MODE
ONLINE_MODE = "Paiement en ligne (carte bancaire)"


def create_mode(apps, schema_editor):
    PaymentMode = apps.get_model("billing", "PaymentMode")
    PaymentMode.objects.get_or_create(name=ONLINE_MODE, defaults={"position": 35})


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_payment_attempts"), ("billing", "0002_default_payment_modes")]

    operations = [migrations.RunPython(create_mode, migrations.RunPython.noop)]
