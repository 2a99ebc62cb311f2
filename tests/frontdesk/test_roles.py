"""The preset roles (data migration) and the permissions' French names."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from frontdesk.roles import ACCOUNTING, DIRECTION, ROLES, SECRETARIAT

HEALTH = "students.view_medical_certificate"
EXPECTED = {
    SECRETARIAT: {
        "has": [
            "families.change_family",
            "families.add_family",
            "families.change_responsable",
            "students.change_student",
            "students.view_roster",
            "students.change_course",
            "students.view_documenttoreview",
            "students.change_documenttoreview",
            "students.view_document",
            "reenrolment.change_request",
            "reenrolment.change_campaign",
            "preinscription.view_application",
            "preinscription.change_application",
            "messaging.send_message",
            "messaging.add_messagetemplate",
            "billing.view_invoice",
            "post_office.view_email",
            "frontdesk.view_lockedaccount",
            "frontdesk.unlock_account",
            "accounts.view_user",
        ],
        "lacks": [
            HEALTH,
            "billing.add_payment",
            "billing.cancel_payment",
            "billing.refund_payment",
            "billing.change_invoice",
            "billing.view_full_iban",
            "students.change_season",
            "families.delete_family",
            "accounts.change_user",
            "auth.change_group",
        ],
    },
    ACCOUNTING: {
        "has": [
            "billing.view_invoice",
            "billing.add_invoice",
            "billing.change_invoice",
            "billing.add_payment",
            "billing.cancel_payment",
            "billing.refund_payment",
            "billing.view_familyaccount",
            "billing.view_sepamandate",
            "billing.add_billingrun",
            "payments.view_paymentattempt",
            "families.view_family",
            "students.view_student",
            "post_office.view_email",
        ],
        "lacks": [
            HEALTH,
            "students.view_document",
            "families.change_family",
            "preinscription.view_application",
            "messaging.send_message",
            "students.view_roster",
            "frontdesk.unlock_account",
            "accounts.change_user",
            "auth.change_group",
        ],
    },
    DIRECTION: {
        "has": [
            HEALTH,
            "students.view_document",
            "students.change_season",
            "families.change_family",
            "billing.cancel_payment",
            "billing.refund_payment",
            "reenrolment.change_campaign",
            "preinscription.change_application",
            "messaging.send_message",
            "frontdesk.unlock_account",
            "portal.change_centre",
            "payments.view_paymentattempt",
            "students.view_roster",
            "post_office.change_email",
            "axes.view_accessattempt",
        ],
        "lacks": [
            "accounts.add_user",
            "accounts.change_user",
            "auth.change_group",
            "auth.add_group",
            "otp_totp.delete_totpdevice",
        ],
    },
}


def keys(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def check_roles():
    for role, expected in EXPECTED.items():
        granted = keys(Group.objects.get(name=role))
        assert set(expected["has"]) <= granted, (role, set(expected["has"]) - granted)
        assert not set(expected["lacks"]) & granted, (role, set(expected["lacks"]) & granted)


@pytest.mark.django_db
def test_the_migration_created_the_three_roles():
    assert set(ROLES) == {"Secrétariat", "Comptabilité", "Direction"}
    check_roles()


@pytest.mark.django_db
def test_only_the_direction_opens_health_documents():
    holders = Group.objects.filter(permissions__codename="view_medical_certificate").values_list(
        "name", flat=True
    )
    assert list(holders) == [DIRECTION]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_migration_creates_the_roles_and_keeps_a_centres_own_permissions():
    _migrate([("frontdesk", "0001_locked_accounts")])
    Group.objects.filter(name__in=ROLES).delete()
    # The centre had made its own "Comptabilité", with a permission the role does not give.
    own = Group.objects.create(name=ACCOUNTING)
    own.permissions.add(Permission.objects.get(codename="view_logentry"))
    # Forward to every app's latest migration (an app's own grant may depend on this one).
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    check_roles()
    assert "admin.view_logentry" in keys(Group.objects.get(name=ACCOUNTING))


@pytest.mark.django_db
def test_permission_names_are_french():
    assert not Permission.objects.filter(name__startswith="Can ").exists()
    names = dict(
        Permission.objects.filter(
            content_type__app_label__in=["families", "students", "billing", "frontdesk"]
        ).values_list("codename", "name")
    )
    assert names["add_family"] == "Peut ajouter famille"
    assert names["change_family"] == "Peut modifier famille"
    assert names["delete_responsable"] == "Peut supprimer responsable"
    assert names["view_invoice"] == "Peut voir facture ou avoir"
    assert names["view_documenttoreview"] == "Peut voir document à vérifier"
    assert names["view_historicalfamily"] == "Peut voir historique de famille"
    assert names["view_lockedaccount"] == "Peut voir compte bloqué"
    # Custom permissions keep their own (French) names.
    assert names["unlock_account"] == "Peut débloquer la connexion d'un compte"
    assert names["view_medical_certificate"].startswith("Peut ouvrir les documents de santé")


@pytest.mark.django_db
def test_permissions_django_creates_later_are_named_in_french_too():
    """A model added later gets its permissions from Django's create_permissions, in English,
    after its migration: the next post_migrate names them in French."""
    Permission.objects.filter(content_type__app_label="families").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    names = set(
        Permission.objects.filter(content_type__app_label="families").values_list("name", flat=True)
    )
    assert "Peut ajouter famille" in names
    assert not [name for name in names if name.startswith("Can ")]


@pytest.mark.django_db
def test_a_renamed_model_is_renamed_at_the_next_migrate():
    Permission.objects.filter(codename="view_family").update(name="Can view famille (ancien)")
    call_command("migrate", verbosity=0)
    assert Permission.objects.get(codename="view_family").name == "Peut voir famille"
