"""French elision before a first name (`portal.french`): "de Léa", "d'Inès"."""

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.french import elides, of_name


@pytest.mark.parametrize(
    "name",
    [
        "Inès",
        "Élodie",
        "Émile",
        "Anaïs",
        "Oscar",
        "Ugo",
        "Îlona",
        "Yves",
        "Yvonne",
        "Hugo",
        "Hélène",
        "Œnone",
        "  Inès",
        "inès",
    ],
)
def test_it_elides_before_a_vowel_or_a_mute_h(name):
    assert elides(name)
    assert of_name(name) == f"d'{name}"


@pytest.mark.parametrize(
    "name", ["Léa", "Zoé", "Yann", "Yasmine", "Harry", "Hans", "Noé", "", "Jean-Inès"]
)
def test_it_keeps_de_before_a_consonant_or_an_aspirated_h(name):
    assert not elides(name)
    assert of_name(name) == f"de {name}"


def test_the_template_filter_and_its_english():
    template = Template("{% load french %}{{ name|of_name }}")
    assert template.render(Context({"name": "Inès"}, autoescape=False)) == "d'Inès"
    assert template.render(Context({"name": "Léa"})) == "de Léa"
    with translation.override("en"):
        assert of_name("Inès") == "for Inès"
        assert of_name("Léa") == "for Léa"
