"""What the portal's crispy-bootstrap5 templates (templates/bootstrap5/) read from a field.

The pack's field.html renders each widget with `{{ field }}`: Django's widget templates, one
include per widget, attribute list and <option>. Ours writes the common widgets (text-like
inputs, checkbox, textarea, single select) itself from Django's own widget context, the way the
pack already writes radio buttons and file inputs; other widgets keep the pack's rendering.
Why: on the long forms (Famille, fiche élève) it more than halves the page's render time.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html

register = template.Library()

# Django's plain widget templates, which field.html writes itself.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "date",
        "datetime",
        "time",
        "tel",
        "url",
        "search",
        "password",
        "color",
        "checkbox",
    )
}
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


@register.filter
def widget_kind(field: BoundField) -> str:
    """How field.html renders the field: with the pack's templates ("choices": radio buttons
    and checkbox lists; "file"), written by field.html ("checkbox", "input", "textarea",
    "select": Django's plain widgets, one value), or with `{% crispy_field %}` ("checkbox-other",
    "other": widgets with templates or rendering of their own, several-valued selects)."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
        return "choices"
    if isinstance(widget, forms.FileInput):
        return "file"
    plain = type(widget).render is forms.Widget.render
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox" if plain and widget.template_name in INPUT_TEMPLATES else "checkbox-other"
    if not plain or getattr(widget, "allow_multiple_selected", False):  # several hidden initials
        return "other"
    if widget.template_name in INPUT_TEMPLATES:
        return "input"
    if widget.template_name == TEXTAREA_TEMPLATE:
        return "textarea"
    if (
        widget.template_name == SELECT_TEMPLATE
        and widget.option_template_name == OPTION_TEMPLATE
        # its options have no attributes but `selected`
        and not widget.option_inherits_attrs
        and type(widget).create_option is forms.Select.create_option
    ):
        return "select"
    return "other"


@register.filter
def widget_context(field: BoundField, css_class: str) -> dict:
    """The context Django's widget template gets from `{{ field }}` (BoundField.as_widget()),
    with `css_class`, and `is-invalid` for a field in error, added to the widget's class."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    classes = [widget.attrs.get("class", ""), css_class, "is-invalid" if field.errors else ""]
    attrs["class"] = " ".join(name for name in classes if name)
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]


def initial_value(field: BoundField):
    """The value of the field's hidden initial input, as BoundField.as_hidden(only_initial=True)
    gives it: the posted initial value if there is one (after a conflict,
    `portal.editing.rebase_form`), else the field's."""
    widget = field.field.hidden_widget()
    if field.field.localize:
        widget.is_localized = True
    if field.html_initial_name in field.form.data:
        return widget.format_value(field.form._widget_data_value(widget, field.html_initial_name))
    return widget.format_value(field.value())


@register.filter
def hidden_initial(field: BoundField) -> str:
    """The field's initial value as hidden input(s), as `{{ field }}` adds it when the form asks
    for it (`show_hidden_initial`: `portal.editing.TrackEditsMixin` needs it to tell which
    fields the user edited): written here for one value, by Django's widget for a checkbox list
    (one hidden input per value)."""
    if not field.field.show_hidden_initial:
        return ""
    if type(field.field.hidden_widget()) is not forms.HiddenInput:
        return field.as_hidden(only_initial=True)
    value = initial_value(field)
    return format_html(
        '<input type="hidden" name="{}"{} id="{}">',
        field.html_initial_name,
        "" if value is None else format_html(' value="{}"', value),
        field.html_initial_id,
    )
