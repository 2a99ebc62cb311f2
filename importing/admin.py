"""The admin's import pages (django-import-export's ImportMixin) for the previous software's
files: the Familles list imports families and responsables, the Élèves list students and
enrolments. A preview (dry run) lists every row with what it would do or why it is refused;
the import is confirmed only when no row is refused, and is all-or-nothing."""

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from import_export.admin import ImportMixin
from import_export.signals import post_import

from importing.formats import LegacyCSV, UnreadableFile
from importing.services import summarize


class LegacyImportMixin(ImportMixin):
    """On a ModelAdmin with `resource_classes` from importing.resources."""

    import_template_name = "admin/importing/import.html"
    # The rows' changes are in each record's history; the admin log gets one entry per row.
    skip_admin_log = False

    def get_import_formats(self):
        return [LegacyCSV]

    def has_import_permission(self, request):
        """Adding and changing every kind of record the admin's files write."""
        models = {resource._meta.model for resource in self.resource_classes}
        return all(
            request.user.has_perm(
                f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"
            )
            for model in models
            for action in ("add", "change")
        )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # The confirmed import is all-or-nothing too (the data may have changed since the
        # preview): a refused row rolls the file back.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "import_columns_help": gettext(
                "Fichier CSV exporté de l'ancien logiciel, en UTF-8 ou Windows-1252, colonnes "
                "séparées par « ; » ou « , », dates au format JJ/MM/AAAA. Importez dans "
                "l'ordre : familles, responsables, élèves, inscriptions. Un aperçu montre "
                "chaque ligne avant la confirmation ; rien n'est importé si une ligne est "
                "refusée."
            ),
        }

    def process_result(self, result, request):
        summary = summarize(result)
        if not summary.ok:
            messages.error(
                request,
                gettext(
                    "Import annulé : %(count)s ligne(s) refusée(s), rien n'a été enregistré. "
                    "Importez à nouveau le fichier pour voir les raisons."
                )
                % {"count": len(summary.rejected) or len(summary.file_errors)},
            )
            return HttpResponseRedirect(
                reverse("admin:%s_%s_import" % self.get_model_info())  # noqa: UP031
            )
        self.generate_log_entries(result, request)
        messages.success(
            request,
            gettext(
                "Import terminé : %(created)s ligne(s) créée(s), %(updated)s mise(s) à jour, "
                "%(unchanged)s inchangée(s)."
            )
            % {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            },
        )
        post_import.send(sender=None, model=self.model)
        return HttpResponseRedirect(
            reverse("admin:%s_%s_changelist" % self.get_model_info())  # noqa: UP031
        )
