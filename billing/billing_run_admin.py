"""Staff side of billing runs: "Facturer la saison" (the run's add page), the preview with its
anomalies, excluding a family, "Émettre" (an issuing run, `billing.runs`) and cancelling."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from billing import billing_runs
from billing.billing_run_models import BillingRun, Period
from portal.admin import PortalModelAdmin
from students.models import Season


class StartBillingRunForm(forms.Form):
    season = forms.ModelChoiceField(
        label=_("Saison"),
        queryset=Season.objects.order_by("-starts_on"),
        error_messages={
            "required": _("Choisissez la saison à facturer."),
            "invalid_choice": _("Choisissez une saison de la liste."),
        },
    )
    period = forms.ChoiceField(
        label=_("Période"),
        choices=Period.choices,
        error_messages={
            "required": _("Choisissez la période à facturer."),
            "invalid_choice": _("Choisissez l'année ou le trimestre 1, 2 ou 3."),
        },
    )


@admin.register(BillingRun)
class BillingRunAdmin(PortalModelAdmin):
    """A season's billing: one draft per family, previewed, then issued in the background."""

    list_display = ["__str__", "status", "created_by", "created_at"]
    list_filter = ["status", "season"]
    list_select_related = ["season", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _may_act(self, request) -> bool:
        return request.user.has_perm("billing.add_billingrun") and request.user.has_perm(
            "billing.change_invoice"
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/exclure/<int:row>/",
                self.admin_site.admin_view(self.exclude_view),
                name="billing_billingrun_exclude",
            ),
            path(
                "<int:pk>/emettre/",
                self.admin_site.admin_view(self.issue_view),
                name="billing_billingrun_issue",
            ),
            path(
                "<int:pk>/reprendre/",
                self.admin_site.admin_view(self.resume_view),
                name="billing_billingrun_resume",
            ),
            path(
                "<int:pk>/annuler/",
                self.admin_site.admin_view(self.cancel_view),
                name="billing_billingrun_cancel",
            ),
        ]
        return [*own, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request) or not self._may_act(request):
            raise PermissionDenied
        form = StartBillingRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = billing_runs.start_billing_run(
                    season=form.cleaned_data["season"],
                    period=form.cleaned_data["period"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("%(run)s lancée : les brouillons sont préparés en arrière-plan.")
                    % {"run": run},
                )
                return redirect("admin:billing_billingrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Facturer la saison"),
            "form": form,
        }
        return render(request, "admin/billing/billingrun/start.html", context)

    def _run(self, request, pk) -> BillingRun:
        run = get_object_or_404(BillingRun.objects.select_related("season", "created_by"), pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(run),
            "run": run,
            "preview": billing_runs.preview(run),
            "may_act": self._may_act(request),
            "Status": BillingRun.Status,
        }
        return render(request, "admin/billing/billingrun/run.html", context)

    def _post(self, request, pk) -> BillingRun:
        run = self._run(request, pk)
        if request.method != "POST" or not self._may_act(request):
            raise PermissionDenied
        return run

    def exclude_view(self, request, pk, row):
        run = self._post(request, pk)
        try:
            excluded = billing_runs.exclude_family(run, row)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(family)s exclue de la facturation : son brouillon est supprimé.")
                % {"family": excluded.family},
            )
        return redirect("admin:billing_billingrun_change", run.pk)

    def issue_view(self, request, pk):
        run = self._post(request, pk)
        try:
            issue_run = billing_runs.issue(run, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:billing_billingrun_change", run.pk)
        self.message_user(
            request,
            _("%(run)s lancée : les brouillons sont émis en arrière-plan.") % {"run": issue_run},
        )
        return redirect("admin:billing_issuerun_change", issue_run.pk)

    def resume_view(self, request, pk):
        run = self._post(request, pk)
        with transaction.atomic():
            resumed = billing_runs.resume_build(run)
        if resumed:
            self.message_user(
                request, _("Préparation relancée : les familles déjà traitées sont conservées.")
            )
        else:
            self.message_user(request, _("Les brouillons de cette facturation sont déjà prêts."))
        return redirect("admin:billing_billingrun_change", run.pk)

    def cancel_view(self, request, pk):
        run = self._post(request, pk)
        try:
            count = billing_runs.cancel(run)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Facturation annulée : %(count)d brouillon(s) supprimé(s).") % {"count": count},
            )
        return redirect("admin:billing_billingrun_change", run.pk)
