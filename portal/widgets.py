"""Form widgets that render fast.

Django renders every widget, and every <option> of a <select>, through a template include; a
form page renders dozens of them (each record field plus its hidden initial value, see
`portal.changes.TrackEditsMixin`), and that was most of the page's time. `FastRenderer` (the
FORM_RENDERER) writes the markup of Django's plain widget templates (inputs, checkbox,
textarea, select) in Python, byte for byte what the templates write, and leaves every other
template to Django. `FastSelect` also skips building one option dict per choice, for the long
lists (French departments, INSEE groups), and keeps the markup of `StaticChoices` (lists fixed
at import) per language; `ChoicesReadOnce` lets several fields share one read of a model list.
"""

from html import escape as _html_escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

# The context of `{{ value }}` in a widget template: autoescape, localisation, time zone.
_TEMPLATE_CONTEXT = Context(autoescape=True)


def _escape(text: str) -> str:
    """html.escape(), skipped for the usual text that has nothing to escape (twice faster)."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return _html_escape(text)
    return text


# (id of a lazy text, language) -> (the lazy text, its text): form labels and help texts are
# lazy translations, and making one a string costs a few translation look-ups each time. The
# cache holds the lazy object, so that its id is not reused while it is there.
_LAZY_TEXTS: dict[tuple[int, str], tuple[Promise, str]] = {}
_LAZY_TEXTS_MAX = 4096


def lazy_text(value, language: str):
    """`str(value)` for a lazy translation, remembered per language; other values as they are."""
    if not isinstance(value, Promise):
        return value
    key = (id(value), language)
    hit = _LAZY_TEXTS.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    text = str(value)
    # Lazy texts made anew per form instance (the re-enrolment wish rows' labels) never hit
    # again: the cache is emptied when full rather than grown.
    if len(_LAZY_TEXTS) >= _LAZY_TEXTS_MAX:
        _LAZY_TEXTS.clear()
    _LAZY_TEXTS[key] = (value, text)
    return text


def escape_text(value) -> str:
    """`{{ value }}` in a template: a plain string is escaped, safe text kept, others
    localised then escaped."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if type(value) is str:
        return _escape(value)
    if isinstance(value, SafeData):
        return str(value)
    return render_value_in_context(value, _TEMPLATE_CONTEXT)


def escape_string(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template (attribute values: no localisation)."""
    if type(value) is str:
        return _escape(value)
    if isinstance(value, SafeData):
        return str(value)
    return _escape(str(value))


_ATTRIBUTE_NAMES: dict[str, str] = {}


def attrs_html(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes: False drops the attribute, True writes its
    bare name."""
    parts = []
    for name, value in attrs.items():
        name_html = _ATTRIBUTE_NAMES.get(name)
        if name_html is None:
            name_html = escape_string(name)
            if len(_ATTRIBUTE_NAMES) < 256:
                _ATTRIBUTE_NAMES[name] = name_html
        if value is True:
            parts.append(f" {name_html}")
        elif value is not False:
            parts.append(f' {name_html}="{escape_string(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    value_html = "" if value is None else f' value="{escape_string(value)}"'
    return (
        f'<input type="{escape_string(widget["type"])}" name="{escape_string(widget["name"])}"'
        f"{value_html}{attrs_html(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{escape_string(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{escape_text(value) if value else ''}</textarea>"
    )


def select_html(name, attrs: dict, groups) -> str:
    """What django/forms/widgets/select.html writes (with the blank line its option template's
    last newline leaves after each option), from
    (group name or None, [(value, label, option attributes as HTML)])."""
    parts = []
    for group_name, options in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_text(group_name)}">')
        for value, label, option_attrs in options:
            parts.append(
                f'\n  <option value="{escape_string(value)}"{option_attrs}>'
                f"{escape_text(label)}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return f'<select name="{escape_string(name)}"{attrs_html(attrs)}>{"".join(parts)}\n</select>'


def _select(widget: dict) -> str | None:
    if any(
        option["template_name"] != "django/forms/widgets/select_option.html"
        for _group, options, _index in widget["optgroups"]
        for option in options
    ):
        return None  # a widget with options of its own: its templates render it
    return select_html(
        widget["name"],
        widget["attrs"],
        (
            (
                group_name,
                [
                    (option["value"], option["label"], attrs_html(option["attrs"]))
                    for option in options
                ],
            )
            for group_name, options, _index in widget["optgroups"]
        ),
    )


# Django's widget templates that are only `{% include "django/forms/widgets/input.html" %}`
# (tests/portal/test_form_markup.py checks that they still are).
INPUT_TEMPLATES = [
    f"django/forms/widgets/{name}.html"
    for name in [
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
]
_WRITERS = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


def write_widget(widget: forms.Widget, name: str, value, attrs: dict, renderer=None) -> str:
    """`widget.render(...)`, written directly when it is a plain widget FastRenderer writes."""
    writer = _WRITERS.get(widget.template_name)
    if (
        writer is not None
        and type(widget).render is forms.Widget.render
        and (renderer is None or isinstance(renderer, FastRenderer))
    ):
        html = writer(widget.get_context(name, value, attrs)["widget"])
        if html is not None:
            return SafeString(html)  # every value escaped by the writer
    return widget.render(name, value, attrs, renderer=renderer)


class FastRenderer(DjangoTemplates):
    """The FORM_RENDERER: Django's plain widget templates written in Python, everything else
    (forms, error lists, other widgets) rendered by the templates."""

    def render(self, template_name, context, request=None):
        writer = _WRITERS.get(template_name)
        html = writer(context["widget"]) if writer is not None else None
        if html is None:
            return super().render(template_name, context, request=request)
        return html


class StaticChoices(BaseChoiceIterator):
    """Choices fixed at import (labels may be lazy translations), shared by every form
    instance: Django neither copies nor re-normalises them for each form, and `FastSelect`
    keeps their escaped options per language."""

    def __init__(self, choices):
        self.choices = tuple(normalize_choices(choices))
        self._options = {}

    def __iter__(self):
        return iter(self.choices)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def options(self) -> list:
        """[(group label HTML or None, [(value, '<option value=".."', '>label</option>')])]
        in the active language."""
        language = get_language()
        options = self._options.get(language)
        if options is None:
            options = self._options[language] = [
                (escape_text(group), [_option_parts(value, label) for value, label in items])
                if isinstance(items, list | tuple)
                else (None, [_option_parts(group, items)])
                for group, items in self.choices
            ]
        return options


class ChoicesReadOnce(BaseChoiceIterator):
    """Choices read on first use only, then shared (a ModelChoiceField's choices query the
    database each time they are iterated: at each render, and to decide `required`)."""

    def __init__(self, choices):
        self.source = choices
        self.choices = None

    def __iter__(self):
        if self.choices is None:
            # Not list(): it would ask a ModelChoiceIterator its length, one more query.
            self.choices = [choice for choice in self.source]
        return iter(self.choices)


def _option_parts(value, label) -> tuple[str, str, str]:
    value = "" if value is None else str(value)
    return value, f'\n  <option value="{escape_string(value)}"', f">{escape_text(label)}</option>\n"


class FastSelect(forms.Select):
    """A <select> written straight from its choices (no option dict per choice), from cached
    markup when they are `StaticChoices`."""

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(self.choices, StaticChoices):
            groups = self.choices.options()
        else:
            groups = StaticChoices(self.choices).options()
        selected_values = set(self.format_value(value))
        has_selected = False
        parts = []
        for group_html, options in groups:
            if group_html:
                parts.append(f'\n  <optgroup label="{group_html}">')
            for option_value, start, end in options:
                if option_value in selected_values and (
                    not has_selected or self.allow_multiple_selected
                ):
                    has_selected = True
                    parts.extend((start, " selected", end))
                else:
                    parts.extend((start, end))
            if group_html:
                parts.append("\n  </optgroup>")
        return mark_safe(  # noqa: S308  (every value escaped)
            f'<select name="{escape_string(name)}"'
            f"{attrs_html(self.build_attrs(self.attrs, attrs))}>{''.join(parts)}\n</select>"
        )
