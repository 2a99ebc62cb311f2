import pytest
from django.test import Client
from django.urls import path

from portal import urls as portal_urls


def boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*portal_urls.urlpatterns, path("boom/", boom)]
handler500 = portal_urls.handler500
handler404 = portal_urls.handler404


def test_it_shows_a_french_404_in_the_layout(family_client):
    response = family_client.get("/nexiste-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in html
    assert "pf-header" in html


@pytest.mark.urls("tests.portal.test_errors")
def test_it_shows_a_french_500_without_traceback(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Erreur du serveur" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html


def test_it_shows_a_french_page_when_csrf_fails(db, family_user, password):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {"username": family_user.username, "password": password})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
