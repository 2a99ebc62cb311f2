"""Demo data of the Famille tab: the demo family's record filled in completely."""

from families.models import Family, MaritalStatus, Responsable, SocioProfessionalGroup

FAMILY_VALUES = {
    "address_line2": "Résidence Les Tilleuls, bâtiment B",
    "extra_phone_1_label": "Grand-mère (Annick)",
    "extra_phone_1": "+33296000002",
    "extra_phone_2_label": "Voisine",
    "extra_phone_2": "+33687000003",
}
RESPONSABLE_VALUES = {
    1: {
        "marital_status": MaritalStatus.MARRIED,
        "socio_professional_group": SocioProfessionalGroup.INTERMEDIATE,
        "work_phone": "+33296000010",
    },
    2: {
        "marital_status": MaritalStatus.MARRIED,
        "socio_professional_group": SocioProfessionalGroup.INTERMEDIATE,
        "work_phone": "+33296000020",
    },
}


def seed_demo(family: Family) -> None:
    """Idempotent: only sets values, and saves only what differs."""
    changed = [name for name, value in FAMILY_VALUES.items() if getattr(family, name) != value]
    for name in changed:
        setattr(family, name, FAMILY_VALUES[name])
    if changed:
        family.save(update_fields=changed)
    for responsable in Responsable.objects.filter(family=family, rank__in=RESPONSABLE_VALUES):
        values = RESPONSABLE_VALUES[responsable.rank]
        fields = [name for name, value in values.items() if getattr(responsable, name) != value]
        for name in fields:
            setattr(responsable, name, values[name])
        if fields:
            responsable.save(update_fields=fields)
