"""Writes to the family record (the family and its responsables) and who is told about them."""

from collections.abc import Sequence

from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import revoke_portal_access, sync_account_emails
from families.models import Family, Responsable
from portal.editing import FieldChange, form_changes, save_record, section_key
from portal.emails import absolute_url
from portal.history import author_label_lazy
from portal.receipts import send_change_receipt


def _section(responsable: Responsable) -> str:
    return section_key(rank=responsable.rank)


@transaction.atomic
def update_family_record(
    *,
    family: Family,
    family_form: forms.ModelForm,
    responsable_forms: Sequence[forms.ModelForm],
    user,
    removed_responsables: Sequence[Responsable] = (),
) -> list[FieldChange]:
    """Saves what the validated forms change in the family record, as one edit.

    `family` is the locked row the forms were built on; each responsable form's instance has
    its family and rank set (a new second responsable is an unsaved instance). Returns the
    changes; with none, nothing is saved and nothing is sent. Otherwise the family's version is
    bumped, its history row lists every change, the accounts follow the new e-mail addresses
    and the receipt goes to the reference e-mail and each responsable's e-mail, and also to
    the addresses being replaced (a takeover must not go unnoticed).
    """
    changes = form_changes(family_form, section=section_key())
    replaced_emails = [family_form.initial.get("reference_email", "")]
    changed_forms = []
    for form in responsable_forms:
        if form.instance.pk is None and not form.has_changed():
            continue
        form_list = form_changes(form, section=_section(form.instance))
        if form_list:
            changes.extend(form_list)
            changed_forms.append(form)
        replaced_emails.append(form.initial.get("email", ""))
    for responsable in removed_responsables:
        changes.append(
            FieldChange(
                event="responsable_removed",
                old=responsable.display_name,
                new="",
                section=_section(responsable),
            )
        )
        replaced_emails.append(responsable.email)
    if not changes:
        return []

    for responsable in removed_responsables:
        # Their login must not survive them (nor become the main contact's, as an account
        # without responsable is).
        for account in User.objects.filter(family=family, responsable=responsable):
            revoke_portal_access(user=account)
        responsable.delete()
    for form in changed_forms:
        responsable = form.save(commit=False)
        responsable.family = family
        responsable.save()
    # The family form's values are already on `family` (validation put them there).
    save_record(family, changes=changes, user=user)
    getattr(family, "_prefetched_objects_cache", {}).pop("responsables", None)
    sync_account_emails(family=family)
    send_change_receipt(
        family=family,
        also=replaced_emails,
        record_label=gettext_lazy("la fiche famille"),
        changes=changes,
        author=author_label_lazy(user),
        record_url=absolute_url(reverse("families:detail")),
    )
    return changes
