"""The error summary at the top of a form lists every error, each field's linked to the field
(issue 12, item 21): one include (`{% error_summary %}`), also used by crispy's errors.html, so
every portal form has it."""

import html
import re

from django.urls import reverse

from tests.families.factories import post_data, second_responsable


def summary(page: str) -> str:
    [block] = re.findall(r'<div class="alert alert-danger pf-error-summary".*?</div>', page, re.S)
    return html.unescape(block)


def test_the_famille_summary_links_responsable_2s_errors(family_client, family):
    second_responsable(family, last_name="Dupont", first_name="Claire")
    response = family_client.post(
        "/famille/",
        post_data(
            family,
            **{
                "responsable2-mobile": "06 12",
                "responsable2-email": "pas-un-mail",
                "famille-postal_code": "2244",
            },
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    block = summary(page)
    assert "La fiche n'a pas été enregistrée : corrigez les champs signalés ci-dessous." in block
    links = re.findall(r'<a href="#([^"]+)" class="alert-link">([^<]+)</a> : ([^<]+)</li>', block)
    anchors = {anchor: (label, message) for anchor, label, message in links}
    assert set(anchors) == {
        "id_responsable2-mobile",
        "id_responsable2-email",
        "id_famille-postal_code",
    }
    assert anchors["id_responsable2-mobile"][0] == "Responsable 2 — Mobile"
    assert "Ce numéro de téléphone n'est pas valide." in anchors["id_responsable2-mobile"][1]
    assert anchors["id_famille-postal_code"][0].startswith("Famille — ")
    # Every link reaches an element of the page.
    for anchor in anchors:
        assert f'id="{anchor}"' in page
    # One summary: the crispy forms below do not repeat it.
    assert page.count("pf-error-summary") == 1


def test_a_crispy_form_gets_the_summary_too(family_client):
    """The password change form is rendered by `{{ form|crispy }}` (crispy's errors.html)."""
    response = family_client.post(
        reverse("accounts:password_change"),
        {"old_password": "", "new_password1": "", "new_password2": ""},
    )
    page = response.content.decode()
    block = summary(page)
    assert "Le formulaire contient 3 erreurs :" in block
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'href="#id_{name}"' in block
    assert page.count("pf-error-summary") == 1


def test_radio_buttons_are_linked_by_their_first_option(family_client, family):
    """A field without a single input (radio buttons) links to its first option."""
    from django import forms

    from portal.templatetags.error_summary import summary_items

    class Form(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    [item] = summary_items([Form({})])
    assert item.anchor == "id_choice_0"
