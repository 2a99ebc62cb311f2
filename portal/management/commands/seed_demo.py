"""Demo data for `make run`: idempotent, and refused unless DEBUG=1."""

from datetime import date, time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from billing import demo as billing_demo
from billing import tariff_demo
from families import demo as families_demo
from families.models import Civility, Family, Responsable
from portal.models import Centre
from reenrolment import demo as reenrolment_demo
from students import demo as students_demo
from students.models import Course, Department, Discipline, Enrolment, Season, Student, Weekday

# The disciplines' tariff categories (billing.tariffs).
CATEGORIES = {
    "Piano": Discipline.Category.INSTRUMENT,
    "Violon": Discipline.Category.INSTRUMENT,
    "Formation musicale": Discipline.Category.MUSIC_THEORY,
    "Danse classique": Discipline.Category.DANCE,
    "Danse contemporaine": Discipline.Category.DANCE,
}
DEMO_PASSWORD = "Demo-Portail-2026"
ADMIN_PASSWORD = "Admin-Portail-2026"


class Command(BaseCommand):
    help = "Crée les données de démonstration (uniquement avec DEBUG=1)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Ne rien enregistrer.")

    def handle(self, *args, dry_run=False, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuse de s'exécuter sans DEBUG=1.")
        with transaction.atomic():
            summary = self.seed()
            if dry_run:
                transaction.set_rollback(True)
        for line in summary:
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("--dry-run : rien n'a été enregistré.")

    def seed(self) -> list[str]:
        centre = Centre.objects.current()
        centre.name = "Centre culturel de Bellerive"
        centre.short_name = "Conservatoire de Bellerive"
        centre.address = "2 place de l'Église\n22440 Bellerive"
        centre.phone = "02 96 00 00 00"
        centre.email = "secretariat@centre-culturel.example"
        centre.accessibility_contact = "accessibilite@centre-culturel.example"
        centre.siret = "212 200 000 00017"
        centre.legal_mentions = (
            "Régie municipale du Centre culturel. TVA non applicable, art. 261-4-4° du CGI."
        )
        centre.payment_instructions = (
            "Règlement à réception : chèque à l'ordre du Trésor public, espèces ou carte "
            "bancaire au secrétariat, ou virement."
        )
        centre.save()

        admin, _ = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        admin.is_staff = admin.is_superuser = True
        admin.email = "admin@centre-culturel.example"
        admin.set_password(ADMIN_PASSWORD)
        admin.save()

        season, _ = Season.objects.get_or_create(
            name="2026-2027",
            defaults={"starts_on": date(2026, 9, 1), "ends_on": date(2027, 6, 30)},
        )
        Season.objects.exclude(pk=season.pk).update(is_current=False)
        Season.objects.filter(pk=season.pk).update(is_current=True)

        music, _ = Department.objects.get_or_create(
            name="Musique", defaults={"kind": Department.Kind.MUSIC}
        )
        dance, _ = Department.objects.get_or_create(
            name="Danse", defaults={"kind": Department.Kind.DANCE}
        )
        catalogue = {
            "Piano": music,
            "Violon": music,
            "Formation musicale": music,
            "Danse classique": dance,
            "Danse contemporaine": dance,
        }
        disciplines = {
            name: Discipline.objects.get_or_create(name=name, defaults={"department": dept})[0]
            for name, dept in catalogue.items()
        }
        for name, category in CATEGORIES.items():
            # Only where staff have not chosen one.
            Discipline.objects.filter(name=name, category="").update(category=category)
        courses = {}
        for name, discipline, teacher, weekday, start, end in [
            ("Piano 2e cycle", "Piano", "Mme LE GALL", Weekday.WEDNESDAY, time(14), time(14, 30)),
            (
                "FM 1re année",
                "Formation musicale",
                "M. MORVAN",
                Weekday.WEDNESDAY,
                time(10),
                time(11),
            ),
            ("Violon 1er cycle", "Violon", "Mme RIOU", Weekday.SATURDAY, time(9, 30), time(10)),
            (
                "Classique enfants",
                "Danse classique",
                "Mme PRIGENT",
                Weekday.TUESDAY,
                time(17),
                time(18),
            ),
            (
                "Contemporain ados",
                "Danse contemporaine",
                "M. KERGOAT",
                Weekday.FRIDAY,
                time(18),
                time(19, 30),
            ),
        ]:
            courses[name], _ = Course.objects.get_or_create(
                season=season,
                name=name,
                defaults={
                    "discipline": disciplines[discipline],
                    "teacher": teacher,
                    "weekday": weekday,
                    "start_time": start,
                    "end_time": end,
                },
            )

        family = self.demo_family()
        families_demo.seed_demo(family)
        for first_name, birth, civility, course_names in [
            ("Léa", date(2014, 3, 12), Civility.MADAME, ["Piano 2e cycle", "FM 1re année"]),
            ("Hugo", date(2016, 9, 2), Civility.MONSIEUR, ["Violon 1er cycle", "FM 1re année"]),
            ("Inès", date(2012, 1, 25), Civility.MADAME, ["Classique enfants"]),
        ]:
            student, _ = Student.objects.get_or_create(
                family=family,
                first_name=first_name,
                defaults={"last_name": "Test", "birth_date": birth, "civility": civility},
            )
            for course_name in course_names:
                Enrolment.objects.get_or_create(student=student, course=courses[course_name])
        students_demo.seed_demo(family)
        tariffs_summary = tariff_demo.seed_demo(season, family)

        return [
            *billing_demo.seed_demo(family),
            f"Centre : {centre.name}",
            f"Saison en cours : {season.name}",
            f"Famille de démonstration : identifiant demo / mot de passe {DEMO_PASSWORD}",
            f"Personnel : identifiant admin / mot de passe {ADMIN_PASSWORD}"
            + (
                " (double authentification : activée à la première connexion, avec une "
                "application d'authentification)"
                if not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
                else " (double authentification activée ; pour la réinitialiser : "
                "manage.py reset_staff_2fa admin)"
            ),
            *reenrolment_demo.seed_demo(family),
            *tariffs_summary,
        ]

    def demo_family(self) -> Family:
        user = User.objects.filter(username="demo").select_related("family").first()
        family = user.family if user and user.family else None
        if family is None:
            family = Family.objects.create(name="Test")
        for field, value in {
            "name": "Test",
            "address_line1": "Place de l'Église",
            "postal_code": "22440",
            "city": "Bellerive",
            "home_phone": "+33296000001",
            "reference_email": "famille.test@example.org",
            "reference_mobile": "+33612345678",
        }.items():
            setattr(family, field, value)
        family.save()
        first, _ = Responsable.objects.update_or_create(
            family=family,
            rank=1,
            defaults={
                "civility": Civility.MONSIEUR,
                "last_name": "Test",
                "first_name": "Nicolas",
                "birth_date": date(1982, 5, 14),
                "birth_place": "Saint-Brieuc",
                "birth_department": "22",
                "profession": "Infirmier",
                "mobile": "+33612345678",
                "email": "nicolas.test@example.org",
            },
        )
        Responsable.objects.update_or_create(
            family=family,
            rank=2,
            defaults={
                "civility": Civility.MADAME,
                "last_name": "Test",
                "first_name": "Claire",
                "birth_date": date(1984, 11, 3),
                "birth_place": "Rennes",
                "birth_department": "35",
                "profession": "Professeure des écoles",
                "mobile": "+33687654321",
                "email": "claire.test@example.org",
            },
        )
        if user is None:
            user = User(username="demo")
        user.family = family
        user.responsable = first
        user.email = family.reference_email
        user.first_name, user.last_name = first.first_name, first.last_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        return family
