"""Factories for the Famille tab's tests."""

from tests.factories import ResponsableFactory


def post_data(record, **overrides) -> dict:
    """The Famille form as the page shows it now for the family `record` (as stored), with
    each field's hidden initial value, then `overrides` ("famille-city": "Plérin", …)."""
    from families.models import Family
    from families.views import _record_forms
    from portal.editing import VersionForm

    family = Family.objects.get(pk=record.pk)
    forms = _record_forms(family, family.responsables.all())
    data = {"record-version": str(family.version)}
    for form in [forms.family, *forms.responsables]:
        for name in form.fields:
            value = form[name].field.prepare_value(form[name].value())
            value = "" if value is None else value
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            data[form.add_prefix(name)] = value
            data[form.add_initial_prefix(name)] = value
    assert VersionForm(data).is_valid()
    data.update(overrides)
    return data


def second_responsable(family, **kwargs):
    return ResponsableFactory(family=family, rank=2, **kwargs)


def form_values(page: str, start: str = 'class="pf-family-form"') -> dict:
    """What a browser would post from the page's form that begins with `start`: inputs
    (checked boxes only), textareas and selected options."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.select = {}, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
                if attrs.get("type") == "checkbox" and "checked" not in attrs:
                    return
                self.values[attrs["name"]] = attrs.get("value") or ""
            elif tag == "textarea":
                self.values[attrs["name"]] = ""
            elif tag == "select":
                self.select = attrs["name"]
                self.values.setdefault(self.select, "")
            elif tag == "option" and self.select and "selected" in attrs:
                self.values[self.select] = attrs.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    form = page.split(start)[1].split("</form>")[0]
    parser = Parser()
    parser.feed(form)
    return parser.values
