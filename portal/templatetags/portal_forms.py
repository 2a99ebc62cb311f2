"""The portal's form markup (Bootstrap 5): `{% load portal_forms %}`, then `{{ form|bs_form }}`
for a whole form or `{{ form.field|bs_field }}` for one field.

Each field is a `mb-3` block: its label (with `*` when required), the widget (`form-control`,
`form-select` or `form-check-input`, plus `is-invalid` and `aria-invalid` when in error), its
error messages in `#<id>_error.invalid-feedback` and its help text in `#<id>_helptext`, both
named by the widget's `aria-describedby` (Django sets it; for radio buttons and checkbox lists
it is on their `<fieldset>`). Hidden fields, and each field's hidden initial value
(`portal.changes.TrackEditsMixin`), come out as Django writes them.

It is written in Python rather than in template partials because a form page renders dozens of
fields: one include per field, label, error list and help text cost most of the page's time.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe

from portal.widgets import attrs_html, escape_string, escape_text

register = template.Library()

_REQUIRED_MARK = '<span class="asteriskField">*</span>'


def _classes(*names: str) -> str:
    return " ".join(name for name in names if name)


def _widget(bound: BoundField, css_class: str) -> str:
    """The widget with our classes added to its own, then its hidden initial value if any."""
    own = bound.field.widget.attrs.get("class", "")
    html = bound.as_widget(attrs={"class": _classes(own, css_class)})
    if bound.field.show_hidden_initial:
        html += bound.as_hidden(only_initial=True)
    return html


def _errors(bound: BoundField) -> str:
    errors = bound.errors
    if not errors:
        return ""
    auto_id = bound.auto_id
    messages = "".join(
        f'<p id="error_{number}_{auto_id}"><strong>{escape_text(error)}</strong></p>'
        for number, error in enumerate(errors, start=1)
    )
    return f'<div id="{auto_id}_error" class="invalid-feedback">{messages}</div>'


def _help(bound: BoundField) -> str:
    if not bound.help_text:
        return ""
    # Help texts are written by us (and by Django's password validators, as a <ul>): not escaped.
    id_html = f' id="{bound.auto_id}_helptext"' if bound.auto_id else ""
    return f'<div{id_html} class="form-text">{bound.help_text}</div>'


def _label_text(bound: BoundField) -> str:
    return escape_text(bound.label) + (_REQUIRED_MARK if bound.field.required else "")


def _label(bound: BoundField) -> str:
    if not bound.label:
        return ""
    for_id = bound.id_for_label
    for_html = f' for="{escape_string(for_id)}"' if for_id else ""
    css = _classes("form-label", "requiredField" if bound.field.required else "")
    return f'<label{for_html} class="{css}">{_label_text(bound)}</label>'


def _wrapper(bound: BoundField, inner: str, css: str = "mb-3") -> str:
    return (
        f'<div id="div_{bound.auto_id}" class="{_classes(css, bound.css_classes())}">{inner}</div>'
    )


def _checkbox(bound: BoundField, invalid: str) -> str:
    css = _classes("form-check-label", "requiredField" if bound.field.required else "")
    inner = (
        _widget(bound, _classes("form-check-input", invalid))
        + f'<label for="{escape_string(bound.id_for_label)}" class="{css}">'
        f"{_label_text(bound)}</label>" + _errors(bound) + _help(bound)
    )
    return f'<div class="mb-3">{_wrapper(bound, inner, css="form-check")}</div>'


def _choices(bound: BoundField, invalid: str) -> str:
    """Radio buttons or a checkbox list: one `form-check` per option, in a fieldset whose
    legend is the label; the errors follow the last option."""
    widget = bound.field.widget
    id_ = widget.attrs.get("id") or bound.auto_id
    attrs = bound.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(bound.html_name, widget.format_value(bound.value()), attrs)
    input_css = _classes("form-check-input", invalid)
    name = escape_string(bound.html_name)
    parts = []
    for group_number, (group_name, options, _index) in enumerate(groups, start=1):
        if group_name:
            parts.append(f"<strong>{escape_text(group_name)}</strong>")
        for option_number, option in enumerate(options, start=1):
            last = group_number == len(groups) and option_number == len(options)
            parts.append(
                f'<div class="form-check"><input type="{option["type"]}" class="{input_css}" '
                f'name="{name}" value="{escape_string(option["value"])}"'
                f"{attrs_html(option['attrs'])}>"
                f'<label for="{escape_string(option["attrs"].get("id", ""))}" '
                f'class="form-check-label">{escape_text(option["label"])}</label>'
                f"{_errors(bound) if last else ''}</div>"
            )
    inner = f"<div>{''.join(parts)}</div>{_help(bound)}"
    if bound.field.show_hidden_initial:
        inner += bound.as_hidden(only_initial=True)
    if bound.label:
        described = bound.aria_describedby
        described_html = f' aria-describedby="{described}"' if described else ""
        css = _classes("form-label", "requiredField" if bound.field.required else "", "fs-6")
        inner = (
            f'<fieldset{described_html}><legend class="{css}">{_label_text(bound)}</legend>'
            f"{inner}</fieldset>"
        )
    return _wrapper(bound, inner)


def _file(bound: BoundField, invalid: str) -> str:
    """A file input; with a stored file, a link to it (and the "clear" box if optional)."""
    widget = bound.field.widget
    data = bound.subwidgets[0].data
    parts = []
    if data.get("is_initial"):
        clear = ""
        if not data["required"]:
            disabled = " disabled" if bound.field.disabled else ""
            clear = (
                '<span class="align-self-center ml-2"><span class="form-check">'
                f'<input type="checkbox" name="{escape_string(data["checkbox_name"])}" '
                f'id="{escape_string(data["checkbox_id"])}" class="form-check-input"{disabled}>'
                f'<label class="form-check-label mb-0" for="{escape_string(data["checkbox_id"])}">'
                f"{escape_text(data['clear_checkbox_label'])}</label></span></span>"
            )
        value = bound.value()
        parts.append(
            '<div class="input-group mb-2">'
            f'<span class="input-group-text">{escape_text(data["initial_text"])}</span>'
            '<div class="form-control d-flex h-auto"><span class="text-break flex-grow-1">'
            f'<a href="{escape_string(value.url)}">{escape_text(value.name)}</a></span>'
            f"{clear}</div></div>"
        )
    attrs = {name: value for name, value in data["attrs"].items() if name != "class"}
    if bound.field.disabled:
        attrs["disabled"] = True
    css = _classes("form-control", widget.attrs.get("class", ""), invalid)
    wrapper_class = ' class="is-invalid"' if invalid else ""
    parts.append(
        f"<div{wrapper_class}>"
        f'<input type="{escape_string(data["type"])}" name="{escape_string(data["name"])}" '
        f'class="{css}"{attrs_html(attrs)}>{_errors(bound)}{_help(bound)}</div>'
    )
    return _wrapper(bound, _label(bound) + "".join(parts))


def render_field(bound: BoundField) -> SafeString:
    if bound.is_hidden:
        return mark_safe(str(bound))  # noqa: S308  (Django's own rendering)
    widget = bound.field.widget
    invalid = "is-invalid" if bound.errors else ""
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
        html = _choices(bound, invalid)
    elif isinstance(widget, forms.CheckboxInput):
        html = _checkbox(bound, invalid)
    elif isinstance(widget, forms.FileInput):
        html = _file(bound, invalid)
    else:
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        inner = _widget(bound, _classes(css, invalid)) + _errors(bound) + _help(bound)
        html = _wrapper(bound, _label(bound) + inner)
    return mark_safe(html)  # noqa: S308  (every value escaped above or by Django)


@register.filter
def bs_field(bound: BoundField) -> SafeString:
    """One field: `{{ form.email|bs_field }}`."""
    return render_field(bound)


@register.filter
def bs_form(form: forms.BaseForm) -> SafeString:
    """A whole form: its errors that belong to no field, then each field in order."""
    parts = []
    if errors := form.non_field_errors():
        items = "".join(f"<li>{escape_text(error)}</li>" for error in errors)
        parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    parts.extend(render_field(bound) for bound in form)
    return mark_safe("".join(parts))  # noqa: S308  (built by render_field)
