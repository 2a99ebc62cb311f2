"""factory_boy factories for the whole suite."""

from datetime import date

import factory

from accounts.models import User
from families.models import Family, Responsable
from students.models import Course, Department, Discipline, Enrolment, Season, Student

PASSWORD = "Un-Mot-De-Passe-Solide-2026"


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    name = factory.Faker("last_name", locale="fr_FR")
    address_line1 = factory.Faker("street_address", locale="fr_FR")
    postal_code = "22440"
    city = "Bellerive"
    reference_email = factory.Sequence(lambda n: f"famille{n}@example.org")
    reference_mobile = "+33612345678"


class ResponsableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsable

    family = factory.SubFactory(FamilyFactory)
    rank = 1
    last_name = factory.LazyAttribute(lambda o: o.family.name)
    first_name = factory.Faker("first_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"responsable{n}@example.org")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"famille{n}")
    email = factory.LazyAttribute(lambda o: o.family.reference_email if o.family else "")
    family = factory.SubFactory(FamilyFactory)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.Sequence(lambda n: f"agent{n}@centre.example")
    family = None
    is_staff = True
    is_superuser = True


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season
        django_get_or_create = ["name"]

    name = "2026-2027"
    starts_on = date(2026, 9, 1)
    ends_on = date(2027, 6, 30)
    is_current = True


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = "Musique"
    kind = Department.Kind.MUSIC


class DisciplineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discipline
        django_get_or_create = ["name"]

    name = "Piano"
    department = factory.SubFactory(DepartmentFactory)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    season = factory.SubFactory(SeasonFactory)
    discipline = factory.SubFactory(DisciplineFactory)
    name = factory.LazyAttribute(lambda o: f"{o.discipline.name} 1er cycle")
    teacher = "Mme LE GALL"
    weekday = 3


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    family = factory.SubFactory(FamilyFactory)
    last_name = factory.LazyAttribute(lambda o: o.family.name)
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = date(2014, 3, 12)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(CourseFactory)
