"""The demo season's tariff grid (also the grid of docs/billing.md's worked examples).

Idempotent: a season that already has a grid keeps it."""

from decimal import Decimal

from billing.tariff_models import Commune, Fee, Formule, QFBracket, Residency, TariffGrid

BRACKETS = [("Tranche A", 0, 700), ("Tranche B", 701, 1200), ("Tranche C", 1201, None)]

# Yearly fee per formule: (commune A, B, C), (hors commune A, B, C).
FEES = [
    (
        Formule.Kind.MUSIC_CHILD,
        "Parcours musique enfant : FM + instrument",
        ("300", "420", "540"),
        ("600", "720", "840"),
    ),
    (
        Formule.Kind.COLLECTIVE,
        "Pratique collective seule",
        ("90", "125", "150"),
        ("180", "210", "240"),
    ),
    (Formule.Kind.EVEIL, "Éveil", ("150", "180", "210"), ("300", "330", "360")),
    (
        Formule.Kind.DANCE,
        "Danse 1 cours/semaine",
        ("180", "240", "300"),
        ("330", "390", "450"),
    ),
    (
        Formule.Kind.ADULT_INSTRUMENT,
        "Adulte instrument",
        ("450", "540", "630"),
        ("750", "840", "930"),
    ),
]

COMMUNES = [("Bellerive", "22440"), ("Plérin", "22190")]


def seed_communes() -> None:
    for name, code in COMMUNES:
        Commune.objects.get_or_create(name=name, postal_code=code)


def demo_grid(season) -> TariffGrid:
    """The standard grid for `season`: 3 brackets, 5 formules, every cell filled; adhésion
    20 €, sibling reductions 10 % (2nd child) and 20 % (3rd and following), 15 % on each
    further formule of a student, instrument rental 120 € a year."""
    existing = TariffGrid.objects.filter(season=season).first()
    if existing is not None:
        return existing
    grid = TariffGrid.objects.create(
        season=season,
        membership_fee=Decimal("20.00"),
        sibling_second_percent=Decimal("10"),
        sibling_third_percent=Decimal("20"),
        multi_discipline_percent=Decimal("15"),
        instrument_rental_fee=Decimal("120.00"),
    )
    brackets = [
        QFBracket.objects.create(grid=grid, label=label, lower=lower, upper=upper)
        for label, lower, upper in BRACKETS
    ]
    for position, (kind, name, commune, outside) in enumerate(FEES, start=1):
        formule = Formule.objects.create(grid=grid, name=name, kind=kind, position=position)
        for residency, amounts in ((Residency.COMMUNE, commune), (Residency.OUTSIDE, outside)):
            Fee.objects.bulk_create(
                Fee(
                    grid=grid,
                    formule=formule,
                    residency=residency,
                    bracket=bracket,
                    amount=Decimal(amount),
                )
                for bracket, amount in zip(brackets, amounts, strict=True)
            )
    return grid


def seed_demo(season, family) -> list[str]:
    """The demo season's grid, the communes, the demo family's validated QF (tranche B, valid
    until the season's end unless staff set another) and Hugo's violin rental."""
    from billing.tariff_models import InstrumentRental

    seed_communes()
    grid = demo_grid(season)
    if family.qf_value is None:
        family.qf_value = 850
        family.qf_valid_until = season.ends_on
        family.save(update_fields=["qf_value", "qf_valid_until"])
    hugo = family.students.filter(first_name="Hugo").first()
    if hugo is not None:
        InstrumentRental.objects.get_or_create(season=season, student=hugo, instrument="Violon")
    return [f"Grille tarifaire : {grid.season.name} (complète), quotient familial 850 €"]
