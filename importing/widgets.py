"""How the cells of the previous software's files become field values, each refusing a bad
value with a French message (a ValueError, which import-export reports on the row's column)."""

from datetime import date, datetime

from django.utils.translation import gettext
from import_export import widgets

from families.models import Civility
from portal.validators import format_phone
from students.models import Course, Discipline, Season


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class TextWidget(widgets.CharWidget):
    """A text cell, trimmed; an empty cell is an empty text."""

    def clean(self, value, row=None, **kwargs):
        return _text(value)


class PhoneWidget(TextWidget):
    """A phone as typed; the model's field reads it (French by default) and refuses it when
    invalid. Shown French style in the preview."""

    def render(self, value, obj=None, **kwargs):
        return format_phone(value)


class PostalCodeWidget(TextWidget):
    """A spreadsheet drops the leading zero of "01000": four digits get it back."""

    def clean(self, value, row=None, **kwargs):
        value = _text(value).replace(" ", "")
        return value.zfill(5) if value.isdigit() and len(value) == 4 else value


class RankWidget(widgets.Widget):
    """A responsable's rank: 1 or 2 (empty: 1)."""

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return 1
        if value in ("1", "2"):
            return int(value)
        raise ValueError(gettext("Rang « %(value)s » inconnu : écrivez 1 ou 2.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return str(value or "")


class FrenchDateWidget(widgets.Widget):
    """JJ/MM/AAAA, as French software writes dates."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, date):
            return value
        value = _text(value)
        if not value:
            return None
        try:
            return datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            raise ValueError(
                gettext("« %(value)s » n'est pas une date au format JJ/MM/AAAA.") % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class YesNoWidget(widgets.Widget):
    """oui / non (or o / n, 1 / 0); empty: not known."""

    YES = {"oui", "o", "1", "vrai", "x"}
    NO = {"non", "n", "0", "faux"}

    def clean(self, value, row=None, **kwargs):
        value = _text(value).lower()
        if not value:
            return None
        if value in self.YES:
            return True
        if value in self.NO:
            return False
        raise ValueError(
            gettext("« %(value)s » n'est pas une réponse attendue : écrivez oui ou non.")
            % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return gettext("oui") if value else gettext("non")


class CivilityWidget(widgets.Widget):
    """Mme / M. (or Madame / Monsieur)."""

    VALUES = {
        "mme": Civility.MADAME,
        "madame": Civility.MADAME,
        "m": Civility.MONSIEUR,
        "m.": Civility.MONSIEUR,
        "mr": Civility.MONSIEUR,
        "monsieur": Civility.MONSIEUR,
    }

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return ""
        try:
            return self.VALUES[value.lower()]
        except KeyError:
            raise ValueError(
                gettext("Civilité « %(value)s » inconnue : écrivez Mme ou M.") % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return {Civility.MADAME: "Mme", Civility.MONSIEUR: "M."}.get(value, "")


class LegacyKeyWidget(widgets.ForeignKeyWidget):
    """A family or a student named by its number in the previous software (`legacy_id`),
    which must have been imported first."""

    def __init__(self, model, *, missing: str, unknown: str):
        super().__init__(model, field="legacy_id")
        self.missing, self.unknown = missing, unknown

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            raise ValueError(self.missing)
        try:
            return self.model.objects.get(legacy_id=value)
        except self.model.DoesNotExist:
            raise ValueError(self.unknown % {"value": value}) from None


class CourseWidget(widgets.ForeignKeyWidget):
    """A course named by its season, discipline and name (columns saison, discipline, cours),
    case aside: courses are created in the admin before enrolments are imported."""

    def __init__(self):
        super().__init__(Course, field="name")

    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        season_name, discipline_name = _text(row.get("saison")), _text(row.get("discipline"))
        if not (name and season_name and discipline_name):
            raise ValueError(gettext("La saison, la discipline et le cours sont obligatoires."))
        season = Season.objects.filter(name__iexact=season_name).first()
        if season is None:
            raise ValueError(
                gettext("Saison « %(season)s » inconnue : créez-la avant l'import.")
                % {"season": season_name}
            )
        discipline = Discipline.objects.filter(name__iexact=discipline_name).first()
        if discipline is None:
            raise ValueError(
                gettext("Discipline « %(discipline)s » inconnue : créez-la avant l'import.")
                % {"discipline": discipline_name}
            )
        courses = list(
            Course.objects.filter(season=season, discipline=discipline, name__iexact=name)[:2]
        )
        if not courses:
            raise ValueError(
                gettext(
                    "Cours « %(course)s » inconnu en %(discipline)s pour la saison %(season)s : "
                    "créez-le avant l'import."
                )
                % {"course": name, "discipline": discipline.name, "season": season.name}
            )
        if len(courses) > 1:
            raise ValueError(
                gettext(
                    "Plusieurs cours « %(course)s » en %(discipline)s pour la saison %(season)s : "
                    "renommez-les pour les distinguer."
                )
                % {"course": name, "discipline": discipline.name, "season": season.name}
            )
        return courses[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""
