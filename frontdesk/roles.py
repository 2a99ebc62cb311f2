"""The preset staff roles: Django groups created by a data migration (frontdesk 0002), each
with a set of permissions. docs/staff-roles.md says what each role does and why.

A role is a list of patterns `app_label.codename` (shell wildcards, `fnmatch`) of the
permissions it gets, and of those it never gets, checked after. Patterns of apps not installed
yet match nothing: an app added later grants its permissions to the roles with a migration
calling `grant_roles(apps, only_apps=["newapp"])` (see docs/staff-roles.md).

Nobody gets `accounts.change_user`, `accounts.add_user` or the groups' permissions: whoever may
edit an account may edit its groups and superuser status, i.e. give themselves everything.
Staff accounts and their groups are managed by a superuser.
"""

from fnmatch import fnmatchcase

SECRETARIAT = "Secrétariat"
ACCOUNTING = "Comptabilité"
DIRECTION = "Direction"

# Health documents (medical certificates, sworn statements): special-category data, opened
# only by the Direction (and whoever the centre names individually, see docs/staff-roles.md).
HEALTH_DOCUMENTS = "students.view_medical_certificate"

NEVER = [
    "accounts.add_user",
    "accounts.change_user",
    "accounts.delete_user",
    "auth.*",
    "contenttypes.*",
    "sessions.*",
    "admin.*",
    "otp_*",
]

ROLES: dict[str, dict[str, list[str]]] = {
    SECRETARIAT: {
        "grant": [
            "families.*",
            "students.*",
            "reenrolment.*",
            "preinscription.*",
            "messaging.*",
            "accounts.view_user",
            "billing.view_invoice",
            "billing.view_payment",
            "billing.view_familyaccount",
            "post_office.view_email",
            "post_office.view_log",
            "frontdesk.view_lockedaccount",
            "frontdesk.unlock_account",
        ],
        "deny": [
            HEALTH_DOCUMENTS,
            # The catalogue (seasons, departments, disciplines) is the Direction's.
            "students.add_season",
            "students.change_season",
            "students.delete_season",
            "students.add_department",
            "students.change_department",
            "students.delete_department",
            "students.add_discipline",
            "students.change_discipline",
            "students.delete_discipline",
            "families.delete_family",
            "*.*_historical*",
        ],
    },
    ACCOUNTING: {
        "grant": [
            "billing.*",
            "payments.*",
            "families.view_family",
            "families.view_responsable",
            "students.view_student",
            "students.view_enrolment",
            "students.view_season",
            "students.view_department",
            "students.view_discipline",
            "students.view_course",
            "reenrolment.view_request",
            "post_office.view_email",
            "post_office.view_log",
        ],
        "deny": [HEALTH_DOCUMENTS, "*.*_historical*"],
    },
    DIRECTION: {
        "grant": [
            "families.*",
            "students.*",
            "billing.*",
            "payments.*",
            "reenrolment.*",
            "preinscription.*",
            "messaging.*",
            "frontdesk.*",
            "portal.*",
            "post_office.*",
            "accounts.view_user",
            "accounts.view_passwordresetrequest",
            "axes.view_*",
            "django_tasks_database.view_*",
        ],
        "deny": [],
    },
}


def role_permissions(role: str, keys) -> list[str]:
    """The `app_label.codename` keys among `keys` that `role` gets."""
    spec = ROLES[role]
    deny = [*NEVER, *spec["deny"]]
    return [
        key
        for key in keys
        if any(fnmatchcase(key, pattern) for pattern in spec["grant"])
        and not any(fnmatchcase(key, pattern) for pattern in deny)
    ]


def create_all_permissions(apps) -> None:
    """Django creates permissions after the last migration (post_migrate): a data migration
    that hands them out creates them first, for every app of its state."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant_roles(apps, only_apps=None) -> None:
    """Creates the preset groups if missing and adds to each the permissions its role gets
    (restricted to `only_apps` if given). Never removes a permission a centre gave."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.select_related("content_type")
    if only_apps is not None:
        permissions = permissions.filter(content_type__app_label__in=only_apps)
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*(by_key[key] for key in role_permissions(role, by_key)))
