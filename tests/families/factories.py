"""Factories for the Famille tab's tests."""

from tests.factories import ResponsableFactory


def post_data(record, **overrides) -> dict:
    """The Famille form as the page shows it now for the family `record` (as stored), with
    each field's hidden initial value, then `overrides` ("famille-city": "Plérin", …)."""
    from families.models import Family
    from families.views import _record_forms
    from portal.changes import VersionForm

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
