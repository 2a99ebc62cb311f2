"""The four files of the previous software (docs/import.md) as django-import-export resources.

Each row is matched on a stable key of the old software (a family's or a student's number,
stored in `legacy_id`; a responsable by its family and rank; an enrolment by its student and
course), so that importing the same file again changes nothing: an unchanged row is skipped and
reported as such, without a save (no history row). Every row goes through the model's
`full_clean()` (phones, postal code, birth date, duplicates, constraints): a bad row is
rejected with a French reason per column, and a file with any rejected row imports nothing
(`import_file` and the admin roll the whole file back).
"""

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext, gettext_lazy
from import_export import resources
from import_export.fields import Field
from import_export.results import RowResult

from families.models import Family, Responsable
from importing.widgets import (
    CivilityWidget,
    CourseWidget,
    FrenchDateWidget,
    LegacyKeyWidget,
    PhoneWidget,
    PostalCodeWidget,
    RankWidget,
    TextWidget,
    YesNoWidget,
)
from students.models import Enrolment, Student

# What a row's import type means to the person importing (the preview, the command).
STATUS_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("créée"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("mise à jour"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("inchangée"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("rejetée"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("rejetée"),
}


def text_field(attribute: str, column: str, widget=None) -> Field:
    return Field(attribute=attribute, column_name=column, widget=widget or TextWidget())


def family_key() -> LegacyKeyWidget:
    return LegacyKeyWidget(
        Family,
        missing=gettext_lazy("Le numéro de famille est obligatoire."),
        unknown=gettext_lazy(
            "Famille n° %(value)s inconnue : importez d'abord le fichier des familles."
        ),
    )


class LegacyResource(resources.ModelResource):
    """What the four files share: columns checked before any row, duplicates within the file
    refused, French reasons per row, the record's version bumped on an update."""

    #: the columns a file must have (the others are optional)
    required_columns: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        store_row_values = True
        store_instance = True  # the preview shows the values as imported
        skip_html_diff = True  # its own list of changes instead (import-export's has inline styles)
        use_transactions = True

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, *args, **kw):
        # A file with wrong columns is refused before any row is read: no row to list.
        try:
            self.check_columns(dataset.headers or [])
        except ValueError as error:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            self.handle_import_error(result, error, raise_errors)
            return result
        return super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, *args, **kw
        )

    def before_import(self, dataset, **kwargs):
        self.line_numbers = getattr(dataset, "line_numbers", None)
        self.seen_keys: dict[tuple, int] = {}

    def check_columns(self, headers: list[str]) -> None:
        missing = [column for column in self.required_columns if column not in headers]
        if missing:
            raise ValueError(
                gettext(
                    "Colonnes manquantes : %(missing)s. La première ligne du fichier doit "
                    "nommer les colonnes %(expected)s (docs/import.md)."
                )
                % {
                    "missing": ", ".join(missing),
                    "expected": ", ".join(self.column_names()),
                }
            )
        # Another kind's file (students chosen as families: numero_famille and nom would
        # match) would overwrite records with the wrong values: a column of no use here says so.
        unknown = [column for column in headers if column and column not in self.column_names()]
        if unknown:
            raise ValueError(
                gettext(
                    "Colonnes inconnues dans un fichier « %(kind)s » : %(unknown)s. Vérifiez "
                    "que c'est le bon fichier ; les colonnes possibles sont %(expected)s "
                    "(docs/import.md)."
                )
                % {
                    "kind": self.get_display_name(),
                    "unknown": ", ".join(unknown),
                    "expected": ", ".join(self.column_names()),
                }
            )

    @classmethod
    def column_names(cls) -> list[str]:
        return [field.column_name for field in cls().get_import_fields()]

    def line_number(self, row_number: int) -> int:
        """The row's line in the file (its header is line 1)."""
        if self.line_numbers and row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1

    #: the columns that name the row's record (twice in a file: a duplicate)
    key_columns: tuple[str, ...] = ()

    def row_key(self, row) -> tuple[str, ...]:
        return tuple(str(row.get(column) or "").strip() for column in self.key_columns)

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if isinstance(value, str):
                row[column] = value.strip()
        key = self.row_key(row)
        if all(key):
            line = self.line_number(kwargs["row_number"])
            first = self.seen_keys.setdefault(tuple(part.casefold() for part in key), line)
            if first != line:
                raise ValidationError(
                    gettext(
                        "Ligne en double : la ligne %(line)s du fichier désigne déjà la même "
                        "fiche (%(key)s)."
                    )
                    % {"line": first, "key": " ; ".join(key)}
                )

    def get_instance(self, instance_loader, row):
        # A key that does not resolve (an unknown family) makes a new instance here: the
        # field's own error is then reported on the row with any other.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None and hasattr(instance, "version"):
            instance.version += 1  # forms opened before the import refuse to overwrite it

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.line = self.line_number(kwargs["row_number"])
        row_result.status = STATUS_LABELS.get(row_result.import_type, row_result.import_type)
        row_result.rejected = row_result.import_type in (
            RowResult.IMPORT_TYPE_INVALID,
            RowResult.IMPORT_TYPE_ERROR,
        )
        if row_result.rejected:
            row_result.reasons = list(self.reasons(row_result))
            row_result.cells = [row.get(column, "") for column in self.get_diff_headers()]
        else:
            row_result.cells = self.exported(row_result.instance)
            row_result.reasons = list(self.changes(row_result))
        return row_result

    def exported(self, instance) -> list[str]:
        return [str(self.export_field(field, instance)) for field in self.get_import_fields()]

    def changes(self, row_result) -> Iterable[str]:
        """What an update changes, column by column: "code_postal : 22950 → 22000"."""
        if row_result.import_type != RowResult.IMPORT_TYPE_UPDATE:
            return
        before = self.exported(row_result.original)
        for column, old, new in zip(self.get_diff_headers(), before, row_result.cells, strict=True):
            if old != new:
                yield f"{column} : {old or gettext('(vide)')} → {new or gettext('(vide)')}"

    def reasons(self, row_result) -> Iterable[str]:
        """Why the row is rejected, one French sentence per problem, led by its column."""
        columns = {field.attribute: field.column_name for field in self.get_import_fields()}
        error = row_result.validation_error
        if error is not None:
            messages = (
                error.message_dict
                if hasattr(error, "error_dict")
                else {NON_FIELD_ERRORS: error.messages}
            )
            for attribute, texts in messages.items():
                column = columns.get(attribute)
                for text in texts:
                    yield f"{column} : {text}" if column else text
        for problem in row_result.errors:
            yield gettext("Erreur inattendue : %(error)s") % {"error": problem.error}


class FamilyResource(LegacyResource):
    legacy_id = text_field("legacy_id", "numero_famille")
    name = text_field("name", "nom")
    address_line1 = text_field("address_line1", "adresse")
    address_line2 = text_field("address_line2", "complement_adresse")
    postal_code = text_field("postal_code", "code_postal", PostalCodeWidget())
    city = text_field("city", "ville")
    home_phone = text_field("home_phone", "telephone_domicile", PhoneWidget())
    reference_mobile = text_field("reference_mobile", "mobile", PhoneWidget())
    reference_email = text_field("reference_email", "email")

    required_columns = ("numero_famille", "nom")
    key_columns = ("numero_famille",)

    class Meta(LegacyResource.Meta):
        model = Family
        name = gettext_lazy("Familles (familles.csv)")
        import_id_fields = ["legacy_id"]
        fields = [
            "legacy_id",
            "name",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "home_phone",
            "reference_mobile",
            "reference_email",
        ]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not row.get("numero_famille"):
            raise ValidationError({"legacy_id": gettext("Le numéro de famille est obligatoire.")})


class ResponsableResource(LegacyResource):
    family = Field(attribute="family", column_name="numero_famille", widget=family_key())
    rank = Field(attribute="rank", column_name="rang", widget=RankWidget())
    civility = Field(attribute="civility", column_name="civilite", widget=CivilityWidget())
    last_name = text_field("last_name", "nom")
    first_name = text_field("first_name", "prenom")
    birth_date = Field(
        attribute="birth_date", column_name="date_naissance", widget=FrenchDateWidget()
    )
    mobile = text_field("mobile", "mobile", PhoneWidget())
    work_phone = text_field("work_phone", "telephone_professionnel", PhoneWidget())
    email = text_field("email", "email")
    profession = text_field("profession", "profession")

    required_columns = ("numero_famille", "nom", "prenom")
    key_columns = ("numero_famille", "rang")

    class Meta(LegacyResource.Meta):
        model = Responsable
        name = gettext_lazy("Responsables (responsables.csv)")
        import_id_fields = ["family", "rank"]
        fields = [
            "family",
            "rank",
            "civility",
            "last_name",
            "first_name",
            "birth_date",
            "mobile",
            "work_phone",
            "email",
            "profession",
        ]

    def row_key(self, row) -> tuple[str, ...]:
        family, rank = super().row_key(row)
        return family, rank or "1"  # an empty rank is rank 1


class StudentResource(LegacyResource):
    legacy_id = text_field("legacy_id", "numero_eleve")
    family = Field(attribute="family", column_name="numero_famille", widget=family_key())
    civility = Field(attribute="civility", column_name="civilite", widget=CivilityWidget())
    last_name = text_field("last_name", "nom")
    first_name = text_field("first_name", "prenom")
    birth_date = Field(
        attribute="birth_date", column_name="date_naissance", widget=FrenchDateWidget()
    )
    email = text_field("email", "email")
    mobile = text_field("mobile", "mobile", PhoneWidget())
    school = text_field("school", "etablissement_scolaire")
    school_class = text_field("school_class", "classe")
    image_rights = Field(attribute="image_rights", column_name="droit_image", widget=YesNoWidget())
    may_leave_alone = Field(
        attribute="may_leave_alone", column_name="sortie_seul", widget=YesNoWidget()
    )

    required_columns = ("numero_eleve", "numero_famille", "nom", "prenom")
    key_columns = ("numero_eleve",)

    class Meta(LegacyResource.Meta):
        model = Student
        name = gettext_lazy("Élèves (eleves.csv)")
        import_id_fields = ["legacy_id"]
        fields = [
            "legacy_id",
            "family",
            "civility",
            "last_name",
            "first_name",
            "birth_date",
            "email",
            "mobile",
            "school",
            "school_class",
            "image_rights",
            "may_leave_alone",
        ]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not row.get("numero_eleve"):
            raise ValidationError({"legacy_id": gettext("Le numéro d'élève est obligatoire.")})


class EnrolmentResource(LegacyResource):
    student = Field(
        attribute="student",
        column_name="numero_eleve",
        widget=LegacyKeyWidget(
            Student,
            missing=gettext_lazy("Le numéro d'élève est obligatoire."),
            unknown=gettext_lazy(
                "Élève n° %(value)s inconnu : importez d'abord le fichier des élèves."
            ),
        ),
    )
    season = Field(column_name="saison", readonly=True)
    discipline = Field(column_name="discipline", readonly=True)
    course = Field(attribute="course", column_name="cours", widget=CourseWidget())

    required_columns = ("numero_eleve", "saison", "discipline", "cours")
    key_columns = ("numero_eleve", "saison", "discipline", "cours")

    class Meta(LegacyResource.Meta):
        model = Enrolment
        name = gettext_lazy("Inscriptions (inscriptions.csv)")
        import_id_fields = ["student", "course"]
        fields = ["student", "season", "discipline", "course"]

    def dehydrate_season(self, enrolment):
        return enrolment.course.season.name if enrolment.course_id else ""

    def dehydrate_discipline(self, enrolment):
        return enrolment.course.discipline.name if enrolment.course_id else ""


# The files by kind, in the order they are imported (`import_legacy <kind> <file>`).
RESOURCES = {
    "familles": FamilyResource,
    "responsables": ResponsableResource,
    "eleves": StudentResource,
    "inscriptions": EnrolmentResource,
}
