"""Generated families for benchmarks (`bench_seed --families N`), written with COPY on
PostgreSQL (bulk inserts elsewhere) so that 100 000 families take minutes, not hours.

Each batch writes accounts, families, responsables, students and enrolments here, then the
documents (`bench.seed_students`) and ledgers (`bench.seed_billing`) of the same batch from its
`SeededFamily` and `SeededStudent` rows (plain records, not model instances).
"""

import random
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from bench import seed_billing, seed_students
from bench.bulk_insert import insert
from families.models import Civility, Family, Responsable
from students.models import Course, Enrolment, Season, Student

BENCH_PASSWORD = "Bench-Portail-2026"
BATCH = 10_000  # families per transaction


@dataclass(slots=True)
class SeededFamily:
    pk: int
    name: str
    address_line1: str
    postal_code: str
    city: str
    reference_email: str


@dataclass(slots=True)
class SeededStudent:
    pk: int
    family_id: int
    first_name: str
    last_name: str

    def __str__(self) -> str:  # as Student.display_name
        return f"{self.first_name} {self.last_name.upper()}".strip()


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
MOBILE = "+33612345678"
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


def generate_families(count: int, *, seed: int = 2026, stdout=None, drafts: bool = False) -> int:
    """`drafts`: each family also gets one draft invoice (the billing-run benchmark)."""
    rng = random.Random(seed)
    season = Season.objects.current()
    courses = list(Course.objects.filter(season=season).values_list("pk", flat=True))
    courses = courses if season else []
    # One hash for every generated account: hashing 100 000 passwords would take hours.
    password_hash = make_password(BENCH_PASSWORD)
    start = User.objects.filter(username__startswith="bench").count()
    created = 0
    while created < count:
        size = min(BATCH, count - created)
        with transaction.atomic():
            _generate_batch(start + created, size, rng, season, courses, password_hash, drafts)
        created += size
        if stdout is not None:
            stdout.write(f"  {created}/{count} familles générées")
    return created


def _generate_batch(
    first: int, size: int, rng, season, courses, password_hash, drafts: bool = False
) -> None:
    families = [
        SeededFamily(
            0,
            rng.choice(LAST_NAMES),
            f"{rng.randint(1, 120)} rue des Lilas",
            "22440",
            "Bellerive",
            f"bench{first + i:06d}@example.org",
        )
        for i in range(size)
    ]
    family_ids = insert(
        Family,
        ["name", "address_line1", "postal_code", "city", "reference_email", "reference_mobile"],
        [
            (f.name, f.address_line1, f.postal_code, f.city, f.reference_email, MOBILE)
            for f in families
        ],
        ids=True,
    )
    for family, pk in zip(families, family_ids, strict=True):
        family.pk = pk
    civilities = [Civility.MADAME.value, Civility.MONSIEUR.value]
    responsable_ids = insert(
        Responsable,
        ["family_id", "rank", "civility", "last_name", "first_name", "mobile", "email"],
        [
            (
                f.pk,
                1,
                rng.choice(civilities),
                f.name,
                rng.choice(FIRST_NAMES),
                MOBILE,
                f.reference_email,
            )
            for f in families
        ],
        ids=True,
    )
    insert(
        User,
        ["username", "password", "family_id", "responsable_id", "email"],
        [
            (f"bench{first + i:06d}", password_hash, f.pk, responsable, f.reference_email)
            for i, (f, responsable) in enumerate(zip(families, responsable_ids, strict=True))
        ],
    )
    students = [
        SeededStudent(0, f.pk, rng.choice(FIRST_NAMES), f.name)
        for i, f in enumerate(families)
        for _ in range(students_per_family(first + i, rng))
    ]
    student_ids = insert(
        Student,
        ["family_id", "last_name", "first_name", "birth_date"],
        [
            (
                s.family_id,
                s.last_name,
                s.first_name,
                date(rng.randint(2008, 2020), rng.randint(1, 12), rng.randint(1, 28)),
            )
            for s in students
        ],
        ids=True,
    )
    for student, pk in zip(students, student_ids, strict=True):
        student.pk = pk
    if courses:
        insert(
            Enrolment,
            ["student_id", "course_id"],
            [
                (student.pk, course)
                for student in students
                for course in rng.sample(courses, k=min(len(courses), rng.randint(1, 2)))
            ],
        )
    for seeder in (seed_students.bulk_seed, seed_billing.bulk_seed):
        seeder(families=families, students=students, season=season, rng=rng)
    if drafts:
        seed_billing.bulk_seed_drafts(families=families, students=students, season=season)
