"""The admin index opens on what waits: counts, links to the filtered lists, permissions."""

import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.conftest import staff_login
from tests.frontdesk.helpers import staff_with, waiting_things

pytestmark = pytest.mark.django_db

INDEX = "/admin/"
ITEMS = {
    "documents": ("/admin/students/documenttoreview/", "Documents à vérifier"),
    "requests": (
        "/admin/reenrolment/request/?a_decider=oui",
        "Demandes de réinscription à décider",
    ),
    "applications": (
        "/admin/preinscription/application/?a_decider=oui",
        "Pré-inscriptions à décider",
    ),
    "invoices": ("/admin/billing/invoice/?state=overdue", "Factures en retard"),
    "emails": ("/admin/post_office/email/?status__exact=1", "E-mails en échec"),
    "locked": ("/admin/frontdesk/lockedaccount/", "Comptes bloqués (trop d'échecs de connexion)"),
}


def dashboard(client) -> dict[str, str]:
    """The dashboard's links: {href: text}."""
    page = client.get(INDEX).content.decode()
    section = re.search(r'<section class="module frontdesk-dashboard".*?</section>', page, re.S)
    if section is None:
        return {}
    return {
        html.unescape(href): html.unescape(text)
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', section.group(0))
    }


def test_each_item_counts_what_waits_and_links_to_its_filtered_list(client, staff_user):
    waiting_things(families=2)
    staff_login(client, staff_user)
    links = dashboard(client)
    assert links == {
        url: f"{label} : {6 if key == 'requests' else 2}" for key, (url, label) in ITEMS.items()
    }


def test_the_linked_lists_show_the_same_rows(client, staff_user):
    waiting_things(families=2)
    staff_login(client, staff_user)
    for key, (url, _label) in ITEMS.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = re.search(
            r'<table id="result_list">.*?<tbody>(.*?)</tbody>', response.content.decode(), re.S
        )
        assert body is not None, key
        assert body.group(1).count("<tr") == (6 if key == "requests" else 2), key


def test_an_empty_dashboard_says_zero(client, staff_user):
    staff_login(client, staff_user)
    links = dashboard(client)
    assert links[ITEMS["documents"][0]] == "Documents à vérifier : 0"
    assert links[ITEMS["locked"][0]] == "Comptes bloqués (trop d'échecs de connexion) : 0"


def test_staff_see_only_the_items_whose_list_they_may_see(client):
    waiting_things()
    staff_login(client, staff_with("students.view_documenttoreview", "billing.view_invoice"))
    assert dashboard(client) == {
        ITEMS["documents"][0]: "Documents à vérifier : 1",
        ITEMS["invoices"][0]: "Factures en retard : 1",
    }


def test_staff_without_any_of_the_lists_get_no_dashboard(client):
    waiting_things()
    staff_login(client, staff_with("families.view_family"))
    page = client.get(INDEX).content.decode()
    assert "À traiter" not in page
    assert dashboard(client) == {}


def test_the_number_of_queries_does_not_grow_with_what_waits(client, staff_user):
    staff_login(client, staff_user)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as few:
        client.get(INDEX)
    waiting_things(families=3)
    with CaptureQueriesContext(connection) as many:
        client.get(INDEX)
    assert len(many) == len(few)


def test_each_item_costs_one_query(client):
    agent = staff_with("families.view_family")
    staff_login(client, agent)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as none:
        client.get(INDEX)
    agent.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_documenttoreview", "view_email"])
    )
    with CaptureQueriesContext(connection) as two:
        client.get(INDEX)
    assert len(two) == len(none) + 2


def test_the_dashboard_is_a_labelled_section_with_a_heading(client, staff_user):
    staff_login(client, staff_user)
    page = client.get(INDEX).content.decode()
    assert (
        '<section class="module frontdesk-dashboard" aria-labelledby="frontdesk-dashboard-title">'
        in page
    )
    assert '<h2 id="frontdesk-dashboard-title">À traiter</h2>' in page
    assert page.count("<h1") == 1


def test_the_dashboard_is_in_english_for_an_english_reader(client, staff_user):
    waiting_things()
    staff_login(client, staff_user)
    client.cookies["django_language"] = "en"
    page = html.unescape(client.get(INDEX).content.decode())
    assert "Documents to review: 1" in page
    assert "Overdue invoices: 1" in page


def test_a_provider_of_an_app_not_installed_is_skipped(rf, staff_user):
    from frontdesk.dashboard import PROVIDERS, Provider, dashboard_items

    request = rf.get(INDEX)
    request.user = staff_user
    later = Provider("notinstalled.services.waiting", "Demandes à décider")
    with translation.override("fr"):
        items = dashboard_items(request, providers=[later, PROVIDERS[0]])
    assert [item.text for item in items] == ["Documents à vérifier : 0"]
