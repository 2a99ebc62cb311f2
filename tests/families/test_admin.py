"""Staff edit families in the admin with the Famille tab's rules, receipt and history."""

import html

import pytest

from accounts.models import User
from families.models import Family
from tests.factories import FamilyFactory, ResponsableFactory, StudentFactory, UserFactory
from tests.families.factories import form_values, post_data, second_responsable

CHANGELIST = "/admin/families/family/"


def change_url(family) -> str:
    return f"/admin/families/family/{family.pk}/change/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def admin_form(staff_client, family) -> dict:
    response = staff_client.get(change_url(family))
    assert response.status_code == 200
    return form_values(response.content.decode(), 'id="family_form"')


@pytest.fixture
def families(db):
    lefevre = FamilyFactory(
        name="Lefèvre",
        city="Plérin",
        reference_email="lefevre@example.org",
        reference_mobile="+33611111111",
    )
    ResponsableFactory(family=lefevre, last_name="Lefèvre", first_name="Hélène")
    UserFactory(username="lefevre.helene", family=lefevre)
    morvan = FamilyFactory(
        name="Morvan",
        city="Lannion",
        reference_email="morvan@example.org",
        reference_mobile="+33622222222",
        address_line1="",
    )
    ResponsableFactory(family=morvan, last_name="Morvan", first_name="Yann")
    return lefevre, morvan


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Lefèvre", "LEFÈVRE Hélène"),
        ("lefevre.helene", "LEFÈVRE Hélène"),
        ("morvan@example.org", "MORVAN Yann"),
        ("06 22 22 22 22", "MORVAN Yann"),
        ("Lannion", "MORVAN Yann"),
        ("Yann", "MORVAN Yann"),
    ],
)
def test_staff_find_families_by_name_identifiant_email_phone_and_city(
    staff_client, families, term, found
):
    page = text(staff_client.get(CHANGELIST, {"q": term}))
    assert found in page
    other = {"LEFÈVRE Hélène", "MORVAN Yann"} - {found}
    assert other.pop() not in page


def test_the_list_shows_mobiles_french_style_in_a_constant_number_of_queries(
    staff_client, families, django_assert_max_num_queries
):
    staff_client.get(CHANGELIST)  # the session's first request
    with django_assert_max_num_queries(20) as few:
        page = text(staff_client.get(CHANGELIST))
    assert "06 11 11 11 11" in page and "06 22 22 22 22" in page
    for _ in range(5):
        family = FamilyFactory(home_phone="+33296000001", extra_phone_1="+442079460958")
        ResponsableFactory(family=family, mobile="+33687000003", work_phone="+33296000010")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(staff_client.get(CHANGELIST))
    assert page.count("06 12 34 56 78") == 5


def test_staff_filter_incomplete_records(staff_client, families):
    page = text(staff_client.get(CHANGELIST, {"fiche": "incomplete"}))
    assert "MORVAN Yann" in page
    assert "LEFÈVRE Hélène" not in page


def test_the_change_page_shows_responsables_students_and_access_links(staff_client, family):
    second_responsable(family, last_name="Dupont", first_name="<b>Claire</b>")
    StudentFactory(family=family, first_name="Léa")
    page = staff_client.get(change_url(family)).content.decode()
    assert "Léa" in page
    assert "Envoyer les accès au portail" in page
    assert f"/admin/families/family/{family.pk}/acces/2/" in page
    assert "<b>Claire</b>" not in page
    assert "&lt;b&gt;Claire&lt;/b&gt;" in page
    # The responsables' lists are the portal's, with the same first choice.
    assert ">— Non renseigné —</option>" in page
    assert "---------" not in page.split('name="responsables-0-birth_department"')[1][:300]


def test_staff_edits_follow_the_same_validation(staff_client, family, outbox):
    data = admin_form(staff_client, family)
    response = staff_client.post(
        change_url(family),
        {**data, "reference_mobile": "02 96 00 00 01", "postal_code": "123"},
    )
    page = text(response)
    assert "Indiquez un numéro de téléphone mobile" in page
    assert "Le code postal doit comporter 5 chiffres" in page
    assert Family.objects.get(pk=family.pk).version == 1
    assert outbox() == []


def test_a_staff_edit_sends_the_same_receipt_and_is_in_the_history(staff_client, family, outbox):
    data = admin_form(staff_client, family)
    data["city"] = "Plérin"
    data["reference_mobile"] = "07 81 23 45 67"
    data["responsables-0-first_name"] = "Marie-Anne"
    response = staff_client.post(change_url(family), data, follow=True)
    assert response.status_code == 200
    family.refresh_from_db()
    assert (family.city, family.reference_mobile, family.version) == (
        "Plérin",
        "+33781234567",
        2,
    )
    (receipt,) = outbox()
    assert family.reference_email in receipt.to
    assert "par le secrétariat" in receipt.body
    assert "Foyer — Ville : Bellerive → Plérin" in receipt.body
    assert "Responsable 1 — Prénom : Marie → Marie-Anne" in receipt.body
    assert "Supprimer" not in receipt.body  # the inline's DELETE box is not a change
    # One history row for the whole edit, with its author.
    history = text(staff_client.get(f"/admin/families/family/{family.pk}/history/"))
    assert "secretariat (secrétariat)" in history
    assert "Responsable 1 — Prénom : Marie → Marie-Anne" in history
    # The family sees it too.
    family_user = family.accounts.get()
    staff_client.force_login(family_user)
    assert "modifiée par le secrétariat" in text(staff_client.get("/famille/"))


def test_a_staff_save_over_a_family_save_is_refused(staff_client, family, outbox):
    data = admin_form(staff_client, family)  # staff open the record...
    family_client = staff_client.__class__()
    family_client.force_login(family.accounts.get())
    family_client.post("/famille/", post_data(family, **{"famille-city": "Plérin"}))
    outbox.clear()
    response = staff_client.post(change_url(family), {**data, "address_line2": "Bât. C"})
    page = text(response)
    assert "modifiée par quelqu'un d'autre" in page
    assert "Ville : Bellerive → Plérin" in page
    family.refresh_from_db()
    assert (family.city, family.address_line2) == ("Plérin", "")
    assert outbox() == []


def test_staff_send_and_remove_a_responsables_portal_access(staff_client, family, outbox):
    claire = second_responsable(family, last_name="Dupont", first_name="Claire", email="c@ex.org")
    url = f"/admin/families/family/{family.pk}/acces/2/"
    page = text(staff_client.get(url))
    assert "c@ex.org" in page
    response = staff_client.post(url, {"action": "send"}, follow=True)
    assert "Accès au portail envoyés à c@ex.org (identifiant dupont.claire)." in text(response)
    (message,) = outbox()
    assert message.to == ["c@ex.org"]
    account = User.objects.get(responsable=claire)
    staff_client.post(url, {"action": "revoke"})
    account.refresh_from_db()
    assert not account.is_active


def test_the_access_page_names_the_address_the_access_is_sent_to(staff_client, family, outbox):
    """The main contact's access goes to the reference e-mail (`access_email`), not to the
    responsable's own: the page says where, before staff send it."""
    family.responsables.filter(rank=1).update(email="perso@ex.org")
    url = f"/admin/families/family/{family.pk}/acces/1/"
    page = text(staff_client.get(url))
    assert f"sera envoyé à : <strong>{family.reference_email}</strong>" in page
    assert "perso@ex.org" not in page
    staff_client.post(url, {"action": "send"})
    (message,) = outbox()
    assert message.to == [family.reference_email]


def test_families_cannot_reach_the_admin_access_page(family_client, family):
    second_responsable(family, email="c@ex.org")
    response = family_client.post(f"/admin/families/family/{family.pk}/acces/2/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not User.objects.filter(responsable__rank=2).exists()


def test_removing_a_responsable_removes_their_access(staff_client, family, outbox):
    claire = second_responsable(family, last_name="Dupont", first_name="Claire")
    account = UserFactory(username="dupont.claire", family=family, responsable=claire)
    data = admin_form(staff_client, family)
    index = next(k for k, v in data.items() if k.endswith("-id") and v == str(claire.pk))
    data[index.replace("-id", "-DELETE")] = "on"
    staff_client.post(change_url(family), data)
    assert not family.responsables.filter(rank=2).exists()
    account.refresh_from_db()
    assert not account.is_active
    (receipt,) = outbox()
    assert "Responsable 2 — Responsable supprimé(e) : DUPONT Claire → (vide)" in receipt.body


def test_html_is_escaped_in_the_admin_history(staff_client, family):
    family_client = staff_client.__class__()
    family_client.force_login(family.accounts.get())
    family_client.post("/famille/", post_data(family, **{"famille-city": "<script>x</script>"}))
    page = staff_client.get(f"/admin/families/family/{family.pk}/history/").content.decode()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "dupont.marie" in page


def test_staff_add_a_family_with_its_first_responsable(staff_client, outbox):
    page = staff_client.get("/admin/families/family/add/").content.decode()
    data = form_values(page, 'id="family_form"')
    data.update(
        {
            "name": "Kergoat",
            "postal_code": "22000",
            "city": "Saint-Brieuc",
            "reference_email": "kergoat@example.org",
            "reference_mobile": "0611223344",
            "responsables-TOTAL_FORMS": "1",
            "responsables-0-rank": "1",
            "responsables-0-last_name": "Kergoat",
            "responsables-0-first_name": "Erwan",
        }
    )
    response = staff_client.post("/admin/families/family/add/", data, follow=True)
    assert response.status_code == 200, response.content.decode()[:3000]
    family = Family.objects.get(name="Kergoat")
    assert family.reference_mobile == "+33611223344"
    assert str(family) == "KERGOAT Erwan"
    assert outbox() == []  # a new record: nothing changed for anyone yet


def test_staff_find_a_family_by_several_words_short_ones_included(staff_client, families):
    le_gall = FamilyFactory(name="Le Gall")
    ResponsableFactory(family=le_gall, last_name="Le Gall", first_name="Anne")
    page = text(staff_client.get(CHANGELIST, {"q": "le gall anne"}))
    assert "LE GALL Anne" in page
    assert "LEFÈVRE Hélène" not in page
    assert "MORVAN Yann" not in page


def test_the_bulk_access_action_shows_one_summary_message(staff_client, outbox, db):
    from django.contrib.messages import get_messages

    reached = [
        FamilyFactory(name=f"Famille{n}", reference_email=f"f{n}@example.org") for n in range(3)
    ]
    for family in reached:
        ResponsableFactory(family=family, rank=1, email=family.reference_email)
    silent = FamilyFactory(name="Sansmail", reference_email="")
    ResponsableFactory(family=silent, rank=1, email="", last_name="Sansmail", first_name="Jean")

    response = staff_client.post(
        CHANGELIST,
        {"action": "send_portal_access", "_selected_action": [f.pk for f in [*reached, silent]]},
    )

    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "warning"
    assert str(message) == (
        "Accès au portail envoyés à 3 familles. "
        "Aucun e-mail de référence, rien n'a été envoyé à : SANSMAIL Jean."
    )
    assert len(outbox()) == 3


def test_pressing_send_again_does_not_send_the_access_again(staff_client, family, outbox, settings):
    """Each POST sent one more e-mail: within ACCESS_EMAIL_INTERVAL, one e-mail per account,
    and the page says when it went and when it may go again."""
    from datetime import timedelta

    from django.utils import timezone

    claire = second_responsable(family, last_name="Dupont", first_name="Claire", email="c@ex.org")
    url = f"/admin/families/family/{family.pk}/acces/2/"
    staff_client.post(url, {"action": "send"})
    account = User.objects.get(responsable=claire)
    assert account.access_sent_at is not None

    response = staff_client.post(url, {"action": "send"}, follow=True)

    page = text(response)
    assert "Les accès ont déjà été envoyés à c@ex.org le " in page
    assert "rien n'a été renvoyé. Un nouvel envoi sera possible à partir du " in page
    assert len(outbox()) == 1
    assert "Derniers accès envoyés le " in text(staff_client.get(url))

    # Once the interval has passed, the button sends again.
    User.objects.filter(pk=account.pk).update(
        access_sent_at=timezone.now() - settings.ACCESS_EMAIL_INTERVAL - timedelta(seconds=1)
    )
    staff_client.post(url, {"action": "send"})
    assert len(outbox()) == 2


def test_the_bulk_access_action_does_not_resend_within_the_interval(staff_client, outbox, db):
    from django.contrib.messages import get_messages

    family = FamilyFactory(name="Morvan", reference_email="morvan@example.org")
    ResponsableFactory(family=family, rank=1, email="morvan@example.org", last_name="Morvan")
    data = {"action": "send_portal_access", "_selected_action": [family.pk]}
    staff_client.post(CHANGELIST, data, follow=True)

    response = staff_client.post(CHANGELIST, data)

    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert str(message).startswith(
        "Accès déjà envoyés il y a moins de 10 minutes, non renvoyés à : MORVAN"
    )
    assert len(outbox()) == 1
