"""`{{ field|hidden_initial }}`: a field's initial value as a hidden input, for the templates of
crispy-bootstrap5 that write a widget's markup themselves (radio buttons, checkbox lists, file
inputs) and so skip what `{{ field }}` adds when `show_hidden_initial` is set
(`portal.changes.TrackEditsMixin` needs it to tell which fields the user edited)."""

from django import template
from django.forms.boundfield import BoundField

register = template.Library()


@register.filter
def hidden_initial(field: BoundField) -> str:
    if not field.field.show_hidden_initial:
        return ""
    return field.as_hidden(only_initial=True)
