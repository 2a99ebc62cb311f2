"""The portal's form markup (Bootstrap 5): `{% load portal_forms %}`, then `{{ form|bs_form }}`
for a whole form or `{{ form.field|bs_field }}` for one field.

Each field is a `mb-3` block: its label (with `*` when required), the widget (`form-control`,
`form-select` or `form-check-input`, plus `is-invalid` and `aria-invalid` when in error), its
error messages in `#<id>_error.invalid-feedback` and its help text in `#<id>_helptext`, both
named by the widget's `aria-describedby` (Django sets it; for radio buttons and checkbox lists
it is on their `<fieldset>`). Hidden fields, and each field's hidden initial value
(`portal.changes.TrackEditsMixin`, radio buttons included), come out as Django writes them,
less the `aria-describedby` Django also gives a hidden initial (no assistive technology reads
a hidden input). The markup is crispy-bootstrap5's, which the portal used before.

It is written in Python rather than in template partials because a form page renders dozens of
fields: one include per field, label, error list and help text cost most of the page's time.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from portal.widgets import attrs_html, escape_string, escape_text, lazy_text, write_widget

register = template.Library()

_REQUIRED_MARK = '<span class="asteriskField">*</span>'


def _classes(*names: str) -> str:
    return " ".join(name for name in names if name)


class _Field:
    """What the markup of one field reads, looked up once (BoundField recomputes its errors,
    label and id on each access)."""

    __slots__ = (
        "auto_id",
        "bound",
        "described_by",
        "errors",
        "field",
        "help",
        "label",
        "required",
        "widget",
    )

    def __init__(self, bound: BoundField, language: str):
        self.bound = bound
        self.field = bound.field
        self.widget = bound.field.widget
        self.auto_id = bound.auto_id
        self.label = lazy_text(bound.label, language) or ""
        self.required = bound.field.required
        self.errors = bound.errors
        self.help = lazy_text(bound.help_text, language)
        # BoundField.aria_describedby
        described_by = []
        if self.auto_id and not self.widget.attrs.get("aria-describedby"):
            if self.help:
                described_by.append(f"{self.auto_id}_helptext")
            if self.errors:
                described_by.append(f"{self.auto_id}_error")
        self.described_by = " ".join(described_by)

    def _attrs(self, widget: forms.Widget, attrs: dict, id_: str) -> dict:
        """The attributes BoundField.as_widget() gives a (single, not fieldset) widget, except
        `aria-describedby` on a hidden input, which no assistive technology reads."""
        bound = self.bound
        if (
            self.required
            and widget.use_required_attribute(bound.initial)
            and bound.form.use_required_attribute
        ):
            attrs["required"] = True
        if self.field.disabled:
            attrs["disabled"] = True
        if not widget.is_hidden:
            if self.errors:
                attrs["aria-invalid"] = "true"
            if self.described_by and not attrs.get("aria-describedby"):
                attrs["aria-describedby"] = self.described_by
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", id_)
        return attrs

    def widget_html(self, css_class: str) -> str:
        """The widget with our classes added to its own, then its hidden initial value."""
        bound, field, widget = self.bound, self.field, self.widget
        if isinstance(widget, forms.MultiWidget):  # subwidgets with attributes of their own
            html = bound.as_widget(attrs={"class": css_class})
            value = None
        else:
            if field.localize:
                widget.is_localized = True
            own = widget.attrs.get("class")
            attrs = self._attrs(
                widget, {"class": f"{own} {css_class}" if own else css_class}, self.auto_id
            )
            value = bound.value()
            html = write_widget(widget, bound.html_name, value, attrs, bound.form.renderer)
        if field.show_hidden_initial:
            html += self.hidden_initial_html(value)
        return html

    def hidden_initial_html(self, value=None) -> str:
        """BoundField.as_hidden(only_initial=True); `value` is bound.value() if known."""
        bound, form = self.bound, self.bound.form
        widget = self.field.hidden_widget()
        if self.field.localize:
            widget.is_localized = True
        name = bound.html_initial_name
        if name in form.data:
            value = widget.value_from_datadict(form.data, form.files, name)
        elif value is None:
            value = bound.value()
        attrs = self._attrs(widget, {}, bound.html_initial_id)
        return write_widget(widget, name, value, attrs, form.renderer)

    def errors_html(self) -> str:
        if not self.errors:
            return ""
        auto_id = self.auto_id
        messages = "".join(
            f'<p id="error_{number}_{auto_id}"><strong>{escape_text(error)}</strong></p>'
            for number, error in enumerate(self.errors, start=1)
        )
        return f'<div id="{auto_id}_error" class="invalid-feedback">{messages}</div>'

    def help_html(self) -> str:
        if not self.help:
            return ""
        # Help texts are ours (and Django's password validators', a <ul>): not escaped.
        id_html = f' id="{self.auto_id}_helptext"' if self.auto_id else ""
        return f'<div{id_html} class="form-text">{self.help}</div>'

    def label_text(self) -> str:
        return escape_text(self.label) + (_REQUIRED_MARK if self.required else "")

    def label_html(self) -> str:
        if not self.label:
            return ""
        for_id = self.bound.id_for_label
        for_html = f' for="{escape_string(for_id)}"' if for_id else ""
        css = "form-label requiredField" if self.required else "form-label"
        return f'<label{for_html} class="{css}">{self.label_text()}</label>'

    def wrap(self, inner: str, css: str = "mb-3") -> str:
        form = self.bound.form
        has_classes = hasattr(form, "error_css_class") or hasattr(form, "required_css_class")
        extra = self.bound.css_classes() if has_classes else ""
        return (
            f'<div id="div_{self.auto_id}" class="{css} {extra}">{inner}</div>'
            if extra
            else (f'<div id="div_{self.auto_id}" class="{css}">{inner}</div>')
        )


def _checkbox(f: _Field, invalid: str) -> str:
    css = "form-check-label requiredField" if f.required else "form-check-label"
    inner = (
        f.widget_html(_classes("form-check-input", invalid))
        + f'<label for="{escape_string(f.bound.id_for_label)}" class="{css}">'
        f"{f.label_text()}</label>" + f.errors_html() + f.help_html()
    )
    return f'<div class="mb-3">{f.wrap(inner, css="form-check")}</div>'


def _choices(f: _Field, invalid: str) -> str:
    """Radio buttons or a checkbox list: one `form-check` per option, in a fieldset whose
    legend is the label; the errors follow the last option."""
    bound, widget = f.bound, f.widget
    id_ = widget.attrs.get("id") or f.auto_id
    attrs = bound.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(bound.html_name, widget.format_value(bound.value()), attrs)
    # The widget's own class joins ours (one class attribute per input).
    input_css = _classes("form-check-input", widget.attrs.get("class", ""), invalid)
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
                f"{attrs_html({k: v for k, v in option['attrs'].items() if k != 'class'})}>"
                f'<label for="{escape_string(option["attrs"].get("id", ""))}" '
                f'class="form-check-label">{escape_text(option["label"])}</label>'
                f"{f.errors_html() if last else ''}</div>"
            )
    inner = f"<div>{''.join(parts)}</div>{f.help_html()}"
    if f.field.show_hidden_initial:
        inner += f.hidden_initial_html()
    if f.label:
        described = bound.aria_describedby
        described_html = f' aria-describedby="{described}"' if described else ""
        css = "form-label requiredField fs-6" if f.required else "form-label fs-6"
        inner = (
            f'<fieldset{described_html}><legend class="{css}">{f.label_text()}</legend>'
            f"{inner}</fieldset>"
        )
    return f.wrap(inner)


def _file(f: _Field, invalid: str) -> str:
    """A file input; with a stored file, a link to it (and the "clear" box if optional)."""
    data = f.bound.subwidgets[0].data
    parts = []
    if data.get("is_initial"):
        clear = ""
        if not data["required"]:
            disabled = " disabled" if f.field.disabled else ""
            clear = (
                '<span class="align-self-center ml-2"><span class="form-check">'
                f'<input type="checkbox" name="{escape_string(data["checkbox_name"])}" '
                f'id="{escape_string(data["checkbox_id"])}" class="form-check-input"{disabled}>'
                f'<label class="form-check-label mb-0" for="{escape_string(data["checkbox_id"])}">'
                f"{escape_text(data['clear_checkbox_label'])}</label></span></span>"
            )
        value = f.bound.value()
        parts.append(
            '<div class="input-group mb-2">'
            f'<span class="input-group-text">{escape_text(data["initial_text"])}</span>'
            '<div class="form-control d-flex h-auto"><span class="text-break flex-grow-1">'
            f'<a href="{escape_string(value.url)}">{escape_text(value.name)}</a></span>'
            f"{clear}</div></div>"
        )
    attrs = {name: value for name, value in data["attrs"].items() if name != "class"}
    css = _classes("form-control", f.widget.attrs.get("class", ""), invalid)
    wrapper_class = ' class="is-invalid"' if invalid else ""
    parts.append(
        f"<div{wrapper_class}>"
        f'<input type="{escape_string(data["type"])}" name="{escape_string(data["name"])}" '
        f'class="{css}"{attrs_html(attrs)}>{f.errors_html()}{f.help_html()}</div>'
    )
    if f.field.show_hidden_initial:
        parts.append(f.hidden_initial_html())
    return f.wrap(f.label_html() + "".join(parts))


def render_field(bound: BoundField, language: str | None = None) -> SafeString:
    if bound.is_hidden:
        return mark_safe(str(bound))  # noqa: S308  (Django's own rendering)
    f = _Field(bound, language or get_language())
    widget = f.widget
    invalid = "is-invalid" if f.errors else ""
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
        html = _choices(f, invalid)
    elif isinstance(widget, forms.CheckboxInput):
        html = _checkbox(f, invalid)
    elif isinstance(widget, forms.FileInput):
        html = _file(f, invalid)
    else:
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget_html = f.widget_html(f"{css} {invalid}" if invalid else css)
        html = f.wrap(f.label_html() + widget_html + f.errors_html() + f.help_html())
    return SafeString(html)  # every value escaped above or by Django


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
    language = get_language()
    parts.extend(render_field(bound, language) for bound in form)
    return mark_safe("".join(parts))  # noqa: S308  (built by render_field)
