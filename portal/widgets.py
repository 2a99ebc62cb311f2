"""Form widgets that render fast.

Django renders every <option> of a <select> through a template include; with the portal's long
lists (French departments, INSEE groups) that was a large share of a form page's time. FastSelect
writes the same markup directly.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def _options_html(options) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (
                option["value"],
                flatatt({**option["attrs"], "selected": option["selected"]}),
                option["label"],
            )
            for option in options
        ),
    )


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                groups.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>', group_name, _options_html(options)
                    )
                )
            else:
                groups.append(_options_html(options))
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # noqa: S308  (each part built by format_html)
        )
