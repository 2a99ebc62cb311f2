"""The error summary at the top of a form: every error, each field's linked to the field.

`{% error_summary form other_form … %}` renders `includes/error_summary.html` for one or more
forms (the Famille page has three: Responsable 1, Responsable 2, the family). A form's
`summary_label` (optional) prefixes its fields' labels ("Responsable 2 — E-mail"). The forms it
lists are marked, so that crispy's `bootstrap5/errors.html` (which calls the same tag for a form
rendered with `{{ form|crispy }}`) does not list them a second time.
"""

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    label: str
    message: str
    anchor: str  # the id of the field's input ("" for an error of the whole form)


def field_anchor(bound_field) -> str:
    """The id of the element a link to the field should reach: its input, or for radio
    buttons and checkbox lists (no single input) the first option."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    return f"{bound_field.auto_id}_0" if bound_field.auto_id else ""


def summary_items(forms) -> list[SummaryItem]:
    items = []
    for form in forms:
        if form is None or not form.is_bound or not form.errors:
            continue
        prefix = getattr(form, "summary_label", "")
        for message in form.non_field_errors():
            items.append(SummaryItem(label=prefix, message=message, anchor=""))
        for name, field in form.fields.items():
            if name not in form.errors or field.widget.is_hidden:
                continue
            bound = form[name]
            label = str(bound.label or name)
            if prefix:
                label = gettext("%(form)s — %(field)s") % {"form": prefix, "field": label}
            for message in bound.errors:
                items.append(SummaryItem(label=label, message=message, anchor=field_anchor(bound)))
        # Errors of hidden fields (a stale version…) have no field to link to.
        for field in form.hidden_fields():
            for message in field.errors:
                items.append(SummaryItem(label=prefix, message=message, anchor=""))
    return items


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms, title=None):
    forms = [form for form in forms if form is not None]
    for form in forms:
        form.error_summary_shown = True
    return {"items": summary_items(forms), "title": title}
