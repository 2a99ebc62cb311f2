"""Chasing missing supporting documents across families, for a season.

What a family must provide is the checklist's rule (`students.checklist.build_checklists`): a
document is missing when its item needs attention (à fournir, refusé, expiré; the optional
quotient familial attestation only when refused). A document waiting for review is not
missing: staff have it. Constant number of queries, however many families.
"""

from dataclasses import dataclass, field

from students.checklist import ChecklistItem, build_checklists
from students.models import Season


@dataclass
class MissingDocuments:
    """A family's missing documents for a season: the family's own (proof of address,
    quotient familial) first, then each student's."""

    family_id: int
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def family_items(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.student is None]

    @property
    def by_student(self) -> list[tuple]:
        """[(student, [items])] in the checklist's order."""
        grouped: dict[int, tuple] = {}
        for item in self.items:
            if item.student is not None:
                grouped.setdefault(item.student.pk, (item.student, []))[1].append(item)
        return list(grouped.values())


def missing_documents(season: Season, families=None) -> dict[int, MissingDocuments]:
    """{family pk: its missing documents} for the families (among `families`, instances, pks
    or a queryset; every family when None) missing at least one document for `season`."""
    missing = {}
    for family_id, checklist in build_checklists(season, families).items():
        items = [item for item in checklist.items if item.needs_attention]
        if items:
            missing[family_id] = MissingDocuments(family_id, items)
    return missing
