"""Permission names in French.

Django names the default permissions in English when it creates them ("Can add famille"),
whatever the language: after each app's migrations (post_migrate, right after Django's own
create_permissions) its default permissions are renamed "Peut ajouter famille", "Peut modifier
…", "Peut supprimer …", "Peut voir …", from the model's French verbose name. Every model gets
this, including the ones of apps added later; a renamed model is renamed again at the next
migrate. Custom permissions keep the (French) name given in their model's Meta.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, router
from django.utils import translation

# Stored names (the admin shows them as they are), hence plain French.
VERBS = {
    "add": "Peut ajouter",
    "change": "Peut modifier",
    "delete": "Peut supprimer",
    "view": "Peut voir",
}
NAME_MAX_LENGTH = 255


def french_name(action: str, model) -> str:
    with translation.override("fr"):
        # django-simple-history's records of a model ("historical famille", untranslated).
        recorded = getattr(model, "instance_type", None)
        if recorded is not None:
            verbose_name = f"historique de {recorded._meta.verbose_name}"
        else:
            verbose_name = str(model._meta.verbose_name)
    return f"{VERBS[action]} {verbose_name}"[:NAME_MAX_LENGTH]


def name_permissions_in_french(
    app_config, using=DEFAULT_DB_ALIAS, apps=global_apps, verbosity=1, **kwargs
) -> int:
    """Renames the default permissions of `app_config`'s models; returns how many changed."""
    try:
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return 0
    if not router.allow_migrate_model(using, Permission):
        return 0
    label = app_config.label
    permissions = Permission.objects.using(using).filter(content_type__app_label=label)
    changed = []
    for permission in permissions.select_related("content_type"):
        action, _sep, model_name = permission.codename.partition("_")
        if action not in VERBS or model_name != permission.content_type.model:
            continue  # a custom permission: its Meta names it
        try:
            model = global_apps.get_model(label, model_name)
        except LookupError:
            continue  # a model that no longer exists
        name = french_name(action, model)
        if permission.name != name:
            permission.name = name
            changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
    if changed and verbosity >= 2:
        print(f"Renamed {len(changed)} permissions of {label} in French.")
    return len(changed)
