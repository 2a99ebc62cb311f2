"""Writes to the family record (the family and its responsables) and who is told about them."""

from collections.abc import Iterable

from families.models import Family


def receipt_recipients(family: Family, *, also: Iterable[str] = ()) -> list[str]:
    """Who receives the "accusé de réception" of a change to the family's records (family or
    students): the reference e-mail and each responsable's e-mail, plus `also` (e.g. the old
    reference e-mail when it changed). Uses the prefetch cache of `family.responsables`."""
    addresses = [family.reference_email, *(r.email for r in family.responsables.all()), *also]
    seen, result = set(), []
    for address in addresses:
        key = (address or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(address.strip())
    return result
