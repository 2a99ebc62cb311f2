"""Accueil: a card while the family record is incomplete."""

import html


def accueil(client) -> str:
    return html.unescape(client.get("/accueil/").content.decode())


def test_it_asks_to_complete_the_record(family_client, family):
    family.reference_mobile = ""
    family.save()
    page = accueil(family_client)
    assert "Fiche famille incomplète" in page
    assert "Il manque : mobile de référence." in page
    assert 'href="/famille/"' in page


def test_no_card_once_the_record_is_complete(family_client, family, django_assert_max_num_queries):
    accueil(family_client)  # the centre row is created on first use
    with django_assert_max_num_queries(9):
        page = accueil(family_client)
    assert "Fiche famille incomplète" not in page
