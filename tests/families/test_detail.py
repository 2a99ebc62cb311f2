"""The Famille tab: showing and editing the family record."""

import html
from datetime import date, timedelta

import pytest

from families.models import Family, Responsable
from tests.factories import FamilyFactory, ResponsableFactory
from tests.families.factories import post_data, second_responsable

URL = "/famille/"


def save(client, record, **changes):
    return client.post(URL, post_data(record, **changes), follow=True)


def text(response) -> str:
    """The page as read (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def test_it_redirects_anonymous_visitors_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    response = client.post(URL, {"famille-city": "X"})
    assert response["Location"].startswith("/connexion/")


def test_staff_accounts_use_the_admin(staff_client):
    assert staff_client.get(URL).status_code == 403


def test_it_shows_the_record_french_style(family_client, family):
    family.home_phone = "+33296000001"
    family.save()
    second_responsable(family, last_name="Dupont", first_name="Claire", mobile="+33687654321")
    html = family_client.get(URL).content.decode()
    assert "Fiche famille" in html
    assert "Il faut un mail et un mobile de référence par famille." in html
    assert 'value="06 12 34 56 78"' in html  # reference mobile
    assert 'value="02 96 00 00 01"' in html
    assert 'value="06 87 65 43 21"' in html
    assert 'value="Claire"' in html
    assert "Historique des modifications" in html
    assert "Accès au portail" in html
    # The family's section is laid out by crispy inside the page's form: no second token.
    assert html.count('name="csrfmiddlewaretoken"') == html.count('method="post"')


def test_it_saves_lists_the_changes_and_sends_a_receipt(family_client, family, outbox):
    family.home_phone = "+33296000001"
    family.save()
    main = family.responsables.get()
    response = save(
        family_client,
        family,
        **{
            "famille-city": "Plérin",
            "famille-home_phone": "02.96.11.22.33",
            "responsable1-birth_date": "1982-05-14",
            "responsable1-birth_department": "2A",
            "responsable1-marital_status": "pacse",
            "responsable1-socio_professional_group": "4",
        },
    )
    html = response.content.decode()
    assert "Vos modifications sont enregistrées." in html
    assert "Éléments modifiés" in html
    for text in ["Foyer — Ville", "Bellerive", "Plérin", "02 96 11 22 33", "14 mai 1982"]:
        assert text in html
    assert "2A — Corse-du-Sud" in html
    assert "Pacsé(e)" in html
    assert "Professions intermédiaires" in html

    family.refresh_from_db()
    main.refresh_from_db()
    assert family.city == "Plérin"
    assert family.home_phone == "+33296112233"  # stored normalised
    assert family.version == 2
    assert main.birth_date == date(1982, 5, 14)
    assert main.birth_department == "2A"

    (message,) = outbox()
    assert sorted(message.to) == sorted([family.reference_email, main.email])
    assert "Foyer — Ville : Bellerive → Plérin" in message.body
    assert "Foyer — Téléphone domicile : 02 96 00 00 01 → 02 96 11 22 33" in message.body
    assert "Responsable 1 — Date de naissance : (vide) → 14 mai 1982" in message.body
    assert "par dupont.marie (DUPONT Marie)" in message.body
    assert "https://portail.example.org/famille/" in message.body

    # The "Éléments modifiés" block is shown once, after the save.
    assert "Éléments modifiés" not in family_client.get(URL).content.decode().split("<form")[0]


def test_changing_the_reference_email_tells_the_old_address(family_client, family, outbox):
    old = family.reference_email
    save(family_client, family, **{"famille-reference_email": "nouvelle@example.org"})
    (message,) = outbox()
    assert old in message.to
    assert "nouvelle@example.org" in message.to
    assert f"E-mail de référence : {old} → nouvelle@example.org" in message.body
    # "Mot de passe perdu" now writes to the new address.
    assert family.accounts.get().email == "nouvelle@example.org"


def test_saving_without_change_says_so_and_sends_nothing(family_client, family, outbox):
    response = save(family_client, family, **{"famille-reference_mobile": "0612345678"})
    assert "Aucune modification : rien n'a été enregistré." in text(response)
    family.refresh_from_db()
    assert family.version == 1
    assert outbox() == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("famille-reference_mobile", "02 96 00 00 01", "Indiquez un numéro de téléphone mobile"),
        ("famille-reference_mobile", "", "Ce champ est obligatoire."),
        ("famille-reference_email", "", "Ce champ est obligatoire."),
        ("famille-reference_email", "pas-un-mail", "Saisissez une adresse"),
        ("famille-home_phone", "12 34", "Ce numéro de téléphone n'est pas valide."),
        ("famille-postal_code", "2244", "Le code postal doit comporter 5 chiffres"),
        ("famille-extra_phone_1_label", "Mamie", "Indiquez le numéro correspondant"),
        ("responsable1-mobile", "06 12", "Ce numéro de téléphone n'est pas valide."),
        ("responsable1-last_name", "", "Ce champ est obligatoire."),
        ("responsable1-birth_department", "96", "Sélectionnez un choix valide."),
        ("responsable1-socio_professional_group", "9", "Sélectionnez un choix valide."),
        (
            "responsable1-birth_date",
            (date.today() + timedelta(days=2)).isoformat(),
            "ne peut pas être dans le futur",
        ),
        ("responsable1-birth_date", "1850-01-01", "pas plausible"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field(family_client, family, outbox, field, value, error):
    response = family_client.post(URL, post_data(family, **{field: value, "famille-city": "X"}))
    page = text(response)
    assert response.status_code == 200
    assert "La fiche n'a pas été enregistrée" in page
    # The message is right under its field (linked to it by aria-describedby).
    error_field = "famille-extra_phone_1" if field.endswith("_label") else field
    field_block = page.split(f'id="div_id_{error_field}"')[1].split('<div id="div_id_')[0]
    assert error in field_block
    assert f'id="id_{error_field}_error"' in field_block
    assert 'aria-invalid="true"' in field_block
    family.refresh_from_db()
    assert family.city == "Bellerive"
    assert family.version == 1
    assert outbox() == []


def test_the_second_responsable_is_optional_and_can_be_added(family_client, family, outbox):
    save(family_client, family, **{"famille-city": "Plérin"})
    assert not Responsable.objects.filter(family=family, rank=2).exists()
    outbox.clear()
    response = save(
        family_client,
        family,
        **{
            "responsable2-civility": "m",
            "responsable2-last_name": "Dupont",
            "responsable2-first_name": "Paul",
            "responsable2-email": "paul@example.org",
            "responsable2-mobile": "+44 7911 123456",
        },
    )
    assert "Responsable 2 — Prénom" in text(response)
    second = Responsable.objects.get(family=family, rank=2)
    assert second.mobile == "+447911123456"
    (message,) = outbox()
    assert "paul@example.org" in message.to
    assert "Responsable 2 — Mobile : (vide) → +44 7911 123456" in message.body


def test_mass_assignment_is_ignored(family_client, family, other_user):
    other_family = other_user.family
    other_responsable = other_family.responsables.get()
    mine = family.responsables.get()
    save(
        family_client,
        family,
        **{
            "famille-city": "Plérin",
            "famille-id": other_family.pk,
            "famille-version": 99,
            "famille-name": "Pirate",
            "family": other_family.pk,
            "id": other_family.pk,
            "responsable1-id": other_responsable.pk,
            "responsable1-family": other_family.pk,
            "responsable1-rank": 2,
            "responsable1-last_name": "Changé",
        },
    )
    family.refresh_from_db()
    mine.refresh_from_db()
    other_responsable.refresh_from_db()
    assert (family.city, family.name, family.version) == ("Plérin", family.name, 2)
    assert family.name != "Pirate"
    assert (mine.last_name, mine.rank, mine.family_id) == ("Changé", 1, family.pk)
    assert other_responsable.last_name == "Martin"
    assert Family.objects.get(pk=other_family.pk).version == 1


def test_another_family_only_ever_sees_its_own_record(other_client, family, other_user):
    family.city = "Villedelapremierefamille"
    family.save()
    html = other_client.get(URL).content.decode()
    assert "Martin" in html
    assert "Dupont" not in html
    assert "Villedelapremierefamille" not in html
    # Saving from the other family's session changes only the other family.
    other_client.post(URL, post_data(other_user.family, **{"famille-city": "Ailleurs"}))
    family.refresh_from_db()
    assert family.city == "Villedelapremierefamille"
    assert Family.objects.get(pk=other_user.family_id).city == "Ailleurs"


def test_html_is_escaped_in_the_page_and_the_receipt(family_client, family, outbox):
    evil = '<img src=x onerror="alert(1)">'
    response = save(family_client, family, **{"famille-address_line2": evil})
    html = response.content.decode()
    assert evil not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    (message,) = outbox()
    html_body = message.alternatives[0][0]
    assert evil not in html_body
    assert "&lt;img" in html_body
    assert evil in message.body  # the text part is plain text


def test_the_history_shows_who_changed_what_newest_first(family_client, family, staff_user):
    save(family_client, family, **{"famille-city": "Plérin"})
    family.refresh_from_db()
    save(family_client, family, **{"famille-city": "Saint-Brieuc"})
    html = family_client.get(URL).content.decode()
    history = html.split('id="historique"')[1]
    assert history.index("Saint-Brieuc") < history.index("Bellerive")
    assert "modifiée par dupont.marie (DUPONT Marie)" in history


def test_the_history_is_paginated_with_a_constant_query_count(
    family_client, family, django_assert_max_num_queries
):
    from families.models import Family
    from portal.editing import FieldChange, save_record

    def page_queries():
        with django_assert_max_num_queries(12) as context:
            response = family_client.get(URL)
        assert response.status_code == 200
        return len(context.captured_queries), response.content.decode()

    family_client.get(URL)  # the session's first request
    few, _ = page_queries()
    for number in range(30):
        save_record(
            family,
            changes=[
                FieldChange.of(Family, "city", f"V{number}", f"V{number + 1}", section="family")
            ],
        )
    many, html = page_queries()
    assert many == few
    assert "Page 1 sur 4" in html
    assert "V30" in html
    assert "V1</td>" not in html
    html = family_client.get(URL + "?historique=4").content.decode()
    assert "Page 4 sur 4" in html
    assert "créée par" in html


def test_a_family_without_responsable_yet_can_fill_in_the_first(client, outbox):
    from tests.factories import UserFactory

    user = UserFactory(username="nouvelle.famille")
    client.force_login(user)
    family = user.family
    response = save(
        client,
        family,
        **{
            "responsable1-last_name": "Nouvelle",
            "responsable1-first_name": "Anne",
            "responsable1-email": "anne@example.org",
        },
    )
    assert "Responsable 1 — Nom" in response.content.decode()
    assert family.responsables.get().first_name == "Anne"
    assert ResponsableFactory._meta.model.objects.filter(family=family).count() == 1
    assert FamilyFactory._meta.model.objects.get(pk=family.pk).version == 2


def test_accounts_follow_a_changed_responsable_email(family_client, family, outbox):
    from tests.factories import UserFactory

    claire = second_responsable(family, email="claire@example.org")
    account = UserFactory(username="claire", family=family, responsable=claire, email=claire.email)
    save(family_client, family, **{"responsable2-email": "claire.new@example.org"})
    account.refresh_from_db()
    assert account.email == "claire.new@example.org"
    (receipt,) = outbox()
    assert {"claire@example.org", "claire.new@example.org"} <= set(receipt.to)
