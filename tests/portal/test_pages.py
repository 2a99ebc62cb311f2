import pytest
from django.urls import reverse

FAMILY_PAGES = [
    ("portal:home", "Bienvenue"),
    ("families:detail", "Fiche famille"),
    ("students:list", "Fiches élèves"),
    ("reenrolment:index", "Réinscription"),
    ("billing:ledger", "Facturation"),
    ("accounts:password_change", "Modifier votre mot de passe"),
]


@pytest.mark.parametrize(("url_name", "heading"), FAMILY_PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client, db, url_name, heading):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


@pytest.mark.parametrize(("url_name", "heading"), FAMILY_PAGES)
def test_it_shows_each_tab_with_its_heading_and_marks_it_current(family_client, url_name, heading):
    response = family_client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert f'href="{reverse(url_name)}" aria-current="page"' in html
    assert html.count('aria-current="page"') == 1


def test_it_shows_the_centre_and_family_name_in_the_header(family_client, family_user):
    html = family_client.get(reverse("portal:home")).content.decode()
    assert "DUPONT Marie" in html
    assert "Conservatoire" in html
    for label in ["Accueil", "Famille", "Élèves", "Réinscription", "Facturation", "Accessibilité"]:
        assert f">{label}</a>" in html
    assert 'action="/deconnexion/"' in html
    assert 'lang="fr"' in html
    assert 'href="#contenu"' in html


def test_it_welcomes_the_family_with_what_the_portal_offers(family_client):
    html = family_client.get(reverse("portal:home")).content.decode()
    assert "Bienvenue, DUPONT Marie" in html
    assert "de consulter vos factures" in html
    assert "de procéder aux réinscriptions ou inscriptions" in html


def test_it_shows_the_landing_with_the_user_access(client, db):
    html = client.get("/").content.decode()
    assert "Accès usager" in html
    assert 'href="/connexion/"' in html
    assert 'href="/admin/"' in html


def test_it_sends_a_logged_in_family_from_the_landing_to_accueil(family_client):
    response = family_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_it_refuses_family_pages_to_staff_in_french(staff_client):
    response = staff_client.get(reverse("portal:home"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_it_escapes_html_in_the_family_name(family_client, family_user):
    responsable = family_user.responsable
    responsable.first_name = "<script>alert(1)</script>"
    responsable.save()
    html = family_client.get(reverse("portal:home")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_bench_reference_page_is_not_served_outside_benchmarks(family_client):
    assert family_client.get("/_bench/reference/").status_code == 404


def test_accueil_costs_the_same_queries_whatever_the_family_has(
    family_client, family, django_assert_max_num_queries
):
    from tests.factories import EnrolmentFactory

    family_client.get(reverse("portal:home"))  # the centre row is created on first use
    with django_assert_max_num_queries(11):
        family_client.get(reverse("portal:home"))
    for _ in range(6):
        EnrolmentFactory(student__family=family)
    with django_assert_max_num_queries(11):
        html = family_client.get(reverse("portal:home")).content.decode()
    assert "Bienvenue, DUPONT Marie" in html


def test_the_second_responsable_is_greeted_by_name(client, family_user, password):
    from tests.conftest import log_in
    from tests.factories import ResponsableFactory, UserFactory

    second = ResponsableFactory(
        family=family_user.family, rank=2, last_name="Dupont", first_name="Jean"
    )
    UserFactory(username="dupont.jean", family=family_user.family, responsable=second)
    log_in(client, "dupont.jean", password)
    html = client.get(reverse("portal:home")).content.decode()
    assert "Bienvenue, DUPONT Jean" in html
    assert "DUPONT Marie" not in html
