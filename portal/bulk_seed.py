"""Generated families for benchmarks (`seed_demo --families N`), written with bulk inserts so
that 100 000 families take minutes, not hours.

Each tab app may add its own rows for the generated families: list a function
`bulk_seed(*, families, students, season, rng)` in EXTRA_SEEDERS.
"""

import random
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.models import User
from families.models import Civility, Family, Responsable
from students.models import Course, Enrolment, Season, Student

BENCH_PASSWORD = "Bench-Portail-2026"
BATCH = 2_000
EXTRA_SEEDERS: list[str] = ["students.bulk_seed.bulk_seed", "billing.bulk_seed.bulk_seed"]

LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "Le Gall",
    "Morvan",
    "Prigent",
    "Kergoat",
    "Riou",
    "Guillou",
    "Tanguy",
    "Hamon",
    "Collin",
]
FIRST_NAMES = [
    "Marie",
    "Jean",
    "Camille",
    "Louis",
    "Léa",
    "Hugo",
    "Inès",
    "Lucas",
    "Chloé",
    "Nathan",
    "Manon",
    "Gabriel",
    "Emma",
    "Jules",
    "Alice",
    "Tom",
    "Zoé",
    "Maël",
]


def students_per_family(index: int, rng: random.Random) -> int:
    """About 2.5 on average; every 50th family has 8, for the query-count comparison."""
    if index % 50 == 0:
        return 8
    return rng.choice([1, 2, 2, 3, 3, 4])


def generate_families(count: int, *, seed: int = 2026, stdout=None) -> int:
    rng = random.Random(seed)  # noqa: S311  (repeatable fake data, not secrets)
    season = Season.objects.current()
    courses = list(Course.objects.filter(season=season)) if season else []
    # One hash for every generated account: hashing 100 000 passwords would take hours.
    password_hash = make_password(BENCH_PASSWORD)
    start = User.objects.filter(username__startswith="bench").count()
    created = 0
    while created < count:
        size = min(BATCH, count - created)
        with transaction.atomic():
            families = Family.objects.bulk_create(
                [
                    Family(
                        name=rng.choice(LAST_NAMES),
                        address_line1=f"{rng.randint(1, 120)} rue des Lilas",
                        postal_code="22440",
                        city="Bellerive",
                        reference_email=f"bench{start + created + i:06d}@example.org",
                        reference_mobile="+33612345678",
                    )
                    for i in range(size)
                ]
            )
            responsables = Responsable.objects.bulk_create(
                [
                    Responsable(
                        family=family,
                        rank=1,
                        civility=rng.choice([Civility.MADAME, Civility.MONSIEUR]),
                        last_name=family.name,
                        first_name=rng.choice(FIRST_NAMES),
                        mobile="+33612345678",
                        email=family.reference_email,
                    )
                    for family in families
                ]
            )
            User.objects.bulk_create(
                [
                    User(
                        username=f"bench{start + created + i:06d}",
                        password=password_hash,
                        family=family,
                        responsable=responsable,
                        email=family.reference_email,
                    )
                    for i, (family, responsable) in enumerate(
                        zip(families, responsables, strict=True)
                    )
                ]
            )
            students = Student.objects.bulk_create(
                [
                    Student(
                        family=family,
                        last_name=family.name,
                        first_name=rng.choice(FIRST_NAMES),
                        birth_date=date(
                            rng.randint(2008, 2020), rng.randint(1, 12), rng.randint(1, 28)
                        ),
                    )
                    for i, family in enumerate(families)
                    for _ in range(students_per_family(start + created + i, rng))
                ]
            )
            if courses:
                Enrolment.objects.bulk_create(
                    [
                        Enrolment(student=student, course=course)
                        for student in students
                        for course in rng.sample(courses, k=min(len(courses), rng.randint(1, 2)))
                    ],
                    ignore_conflicts=True,
                )
            for path in EXTRA_SEEDERS:
                import_string(path)(families=families, students=students, season=season, rng=rng)
        created += size
        if stdout is not None:
            stdout.write(f"  {created}/{count} familles générées")
    return created
