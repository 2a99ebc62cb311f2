"""No lost update: a save over someone else's save is refused and the edit can be re-applied."""

import html

from families.models import Family
from tests.factories import ResponsableFactory, UserFactory
from tests.families.factories import form_values, post_data

URL = "/famille/"


def test_a_stale_save_shows_what_changed_meanwhile_and_reapplies_the_edit(
    client, family_user, family, outbox
):
    # The second responsable has an own login on the same family.
    claire = ResponsableFactory(family=family, rank=2, last_name="Dupont", first_name="Claire")
    claire_user = UserFactory(username="dupont.claire", family=family, responsable=claire)
    client.force_login(family_user)
    read_by_marie = post_data(family)  # Marie opens the page...

    # ...meanwhile Claire changes the address and saves.
    other = client.__class__()
    other.force_login(claire_user)
    other.post(URL, post_data(family, **{"famille-address_line1": "2 rue Neuve"}))
    assert Family.objects.get(pk=family.pk).version == 2
    outbox.clear()

    # Marie saves her own edit, made on the page as she read it.
    response = client.post(URL, {**read_by_marie, "famille-city": "Plérin"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "La fiche a été modifiée pendant que vous la modifiiez" in page
    assert "Rien n'a été enregistré." in page
    conflict = page.split('id="modifie-entre-temps"')[1].split("</div>\n</div>")[0]
    assert "par dupont.claire (DUPONT Claire)" in conflict
    assert "Foyer — Adresse (ligne 1)" in conflict
    assert "2 rue Neuve" in conflict
    family.refresh_from_db()
    assert (family.city, family.address_line1) == ("Bellerive", "2 rue Neuve")
    assert outbox() == []

    # The form holds Claire's address and Marie's city, at the current version: saving it
    # again keeps both.
    values = form_values(response.content.decode())
    assert values["record-version"] == "2"
    assert values["famille-address_line1"] == "2 rue Neuve"
    assert values["famille-city"] == "Plérin"
    response = client.post(URL, values, follow=True)
    assert "Vos modifications sont enregistrées." in html.unescape(response.content.decode())
    family.refresh_from_db()
    assert (family.city, family.address_line1, family.version) == ("Plérin", "2 rue Neuve", 3)
    (receipt,) = outbox()
    assert "Foyer — Ville : Bellerive → Plérin" in receipt.body
    assert "Adresse" not in receipt.body.split("Éléments modifiés")[1].split("Consulter")[0]


def test_a_missing_version_is_refused_rather_than_overwriting(family_client, family):
    data = post_data(family, **{"famille-city": "Plérin"})
    del data["record-version"]
    response = family_client.post(URL, data)
    assert "La fiche a été modifiée pendant que vous la modifiiez" in html.unescape(
        response.content.decode()
    )
    assert Family.objects.get(pk=family.pk).city == "Bellerive"
