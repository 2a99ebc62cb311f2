"""The Famille tab: the family record, its receipts and history, and the second responsable's
portal access."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.services import (
    AccessRecentlySent,
    NoEmailAddress,
    grant_portal_access,
    revoke_portal_access,
)
from families.forms import FamilyForm, OptionalResponsableForm, ResponsableForm
from families.models import Family, Responsable
from families.services import update_family_record
from portal.access import family_required, get_for_family
from portal.dates import long_datetime
from portal.editing import VersionForm, flash_changes, is_stale, pop_flashed_changes, rebase_form
from portal.french import of_name
from portal.history import changes_since, history_page
from portal.security_log import log_event

FLASH_KEY = "famille"


@dataclass
class RecordForms:
    family: FamilyForm
    responsables: list[ResponsableForm]

    def is_valid(self) -> bool:
        # Every form is validated, so that every error shows at once.
        return all([self.family.is_valid(), *(form.is_valid() for form in self.responsables)])

    @property
    def has_errors(self) -> bool:
        return any(form.is_bound and form.errors for form in [self.family, *self.responsables])


def _record_forms(family: Family, responsables, data=None) -> RecordForms:
    """The forms of the record. The responsables are the family's own (found by rank in the
    family's rows), so that no posted id can point a form at another family's responsable."""
    by_rank = {responsable.rank: responsable for responsable in responsables}
    forms = RecordForms(
        family=FamilyForm(data, instance=family, prefix="famille"),
        responsables=[
            form_class(
                data,
                instance=by_rank.get(rank) or Responsable(family=family, rank=rank),
                prefix=f"responsable{rank}",
            )
            for rank, form_class in ((1, ResponsableForm), (2, OptionalResponsableForm))
        ],
    )
    # Which form a field belongs to, in the error summary ("Responsable 2 — E-mail").
    for rank, form in enumerate(forms.responsables, start=1):
        form.summary_label = _("Responsable %(rank)s") % {"rank": rank}
    forms.family.summary_label = _("Famille")
    return forms


def _is_main_contact(user) -> bool:
    """The main contact (responsable 1, or an account made before the responsables were
    recorded) manages the second responsable's access."""
    return user.responsable_id is None or user.responsable.rank == 1


def _render(request, forms: RecordForms, version_form: VersionForm, *, conflict=None):
    family = request.user.family
    prefetch_related_objects([family], "responsables")
    accounts = {
        account.responsable_id: account
        for account in User.objects.filter(family=family, responsable__isnull=False).only(
            "responsable_id", "username", "is_active", "last_login"
        )
    }
    return render(
        request,
        "families/detail.html",
        {
            "family": family,
            "forms": forms,
            "version_form": version_form,
            "conflict": conflict,
            "saved_changes": pop_flashed_changes(request, FLASH_KEY),
            "history": history_page(
                family.history.all(), page_number=request.GET.get("historique")
            ),
            "responsables": [
                (responsable, accounts.get(responsable.pk))
                for responsable in family.responsables.all()
            ],
            "is_main_contact": _is_main_contact(request.user),
        },
    )


@family_required
@require_http_methods(["GET", "POST"])
def detail(request):
    if request.method == "POST":
        return _save(request)
    family = request.user.family
    prefetch_related_objects([family], "responsables")
    forms = _record_forms(family, family.responsables.all())
    return _render(request, forms, VersionForm.for_record(family))


def _save(request):
    with transaction.atomic():
        # Locked until the end of the save: two saves of one family run one after the other.
        family = Family.objects.select_for_update().get(pk=request.user.family_id)
        forms = _record_forms(family, family.responsables.all(), request.POST)
        version_form = VersionForm(request.POST)
        if not forms.is_valid():
            return _render(request, forms, version_form)
        if is_stale(version_form, family):
            return _conflict(request, forms, version_form)
        changes = update_family_record(
            family=family,
            family_form=forms.family,
            responsable_forms=forms.responsables,
            user=request.user,
        )
    if changes:
        flash_changes(request, FLASH_KEY, changes)
        messages.success(
            request,
            _("Vos modifications sont enregistrées. Un accusé de réception vous est envoyé."),
        )
    else:
        messages.info(request, _("Aucune modification : rien n'a été enregistré."))
    return redirect("families:detail")


def _conflict(request, forms: RecordForms, version_form: VersionForm):
    """Someone saved the record since this page was read: nothing is saved; the page shows
    what changed meanwhile, and the user's own edits on top of the current record."""
    seen = version_form.cleaned_data["version"] if version_form.is_valid() else 0
    # Validation wrote the posted values into the forms' instances: read the record again.
    current = Family.objects.get(pk=request.user.family_id)
    fresh = _record_forms(current, current.responsables.all())
    rebased = RecordForms(
        family=rebase_form(forms.family, instance=fresh.family.instance),
        responsables=[
            rebase_form(form, instance=fresh_form.instance)
            for form, fresh_form in zip(forms.responsables, fresh.responsables, strict=True)
        ],
    )
    return _render(
        request,
        rebased,
        VersionForm.for_record(current),
        conflict=changes_since(current, seen),
    )


def _second_responsable(request) -> Responsable:
    if not _is_main_contact(request.user):
        raise PermissionDenied(_("Seul le responsable 1 gère les accès au portail."))
    return get_for_family(request, Responsable.objects, rank=2)


@family_required
@require_POST
def send_access(request):
    """The main contact sends the second responsable an own login (identifiant + link)."""
    responsable = _second_responsable(request)
    try:
        account = grant_portal_access(family=request.user.family, responsable=responsable)
    except NoEmailAddress:
        messages.error(
            request,
            _(
                "Indiquez d'abord l'e-mail du responsable 2 dans la fiche, puis envoyez-lui "
                "ses accès."
            ),
        )
    except AccessRecentlySent as recent:
        messages.warning(
            request,
            _(
                "Les accès de %(name)s ont déjà été envoyés le %(when)s : rien n'a été renvoyé. "
                "Un nouvel envoi sera possible à partir du %(next)s."
            )
            % {
                "name": responsable.display_name,
                "when": long_datetime(recent.sent_at),
                "next": long_datetime(recent.next_at),
            },
        )
    else:
        log_event("access_sent", request, account=account.pk, family=account.family_id)
        messages.success(
            request,
            _("Les accès au portail ont été envoyés à %(name)s (%(email)s).")
            % {"name": responsable.display_name, "email": responsable.email},
        )
    return redirect("families:detail")


@family_required
@require_POST
def revoke_access(request):
    """The main contact removes the second responsable's access; their sessions end."""
    responsable = _second_responsable(request)
    account = User.objects.filter(
        family_id=request.user.family_id, responsable=responsable, is_active=True
    ).first()
    if account is not None:
        revoke_portal_access(user=account)
        log_event("access_revoked", request, account=account.pk, family=account.family_id)
        messages.success(
            request,
            _("L'accès au portail %(of_name)s est retiré.")
            % {"of_name": of_name(responsable.display_name)},
        )
    return redirect("families:detail")
