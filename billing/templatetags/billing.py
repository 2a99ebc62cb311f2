"""French money formatting: `1 186,00 €`."""

from decimal import Decimal

from django import template

register = template.Library()
NBSP = "\u00a0"


def format_euros(value) -> str:
    amount = Decimal(value or 0).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    # No-break spaces, so that an amount never wraps.
    return sign + NBSP.join(groups) + f",{cents}{NBSP}€"


@register.filter
def euros(value) -> str:
    return format_euros(value)


@register.filter
def negate(value):
    return -(value or 0)
