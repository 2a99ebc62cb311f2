"""The admin lists' row checkboxes (Django's own): one per row, labelled with the row's object
for screen readers, and ticking rows applies an action to them."""

from html.parser import HTMLParser

from tests.factories import FamilyFactory, ResponsableFactory

CHANGELIST = "/admin/families/family/"


class RowCheckboxes(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "_selected_action":
            self.found[attrs["value"]] = attrs


def test_each_row_has_a_checkbox_labelled_with_its_family_escaped(staff_client, db):
    family = FamilyFactory(name="Le Goff")
    ResponsableFactory(family=family, rank=1, last_name="<b>Le Goff</b>", first_name="Anne")
    other = FamilyFactory(name="Riou")

    page = staff_client.get(CHANGELIST).content.decode()

    boxes = RowCheckboxes(page).found
    assert set(boxes) == {str(family.pk), str(other.pk)}
    assert boxes[str(family.pk)]["type"] == "checkbox"
    assert "action-select" in boxes[str(family.pk)]["class"]
    # The parser unescapes attributes: the label reads as the family's name, in French.
    assert boxes[str(family.pk)]["aria-label"] == (
        "Choisir cet objet pour une action - <B>LE GOFF</B> Anne"
    )
    assert "<b>Le Goff</b>" not in page and "<B>LE GOFF</B>" not in page


def test_it_applies_an_action_to_the_rows_ticked(staff_client, outbox, db):
    family = FamilyFactory(name="Morvan", reference_email="morvan@example.org")
    ResponsableFactory(family=family, rank=1, email="morvan@example.org")
    FamilyFactory(name="Hamon", reference_email="hamon@example.org")

    response = staff_client.post(
        CHANGELIST,
        {"action": "send_portal_access", "_selected_action": [str(family.pk)]},
    )

    assert response.status_code == 302
    assert [message.to for message in outbox()] == [["morvan@example.org"]]


PORTAL_APPS = {"portal", "accounts", "families", "students", "billing", "reenrolment"}


def registered(app_labels):
    from django.contrib import admin

    return [model for model in admin.site._registry if model._meta.app_label in app_labels]


def test_every_portal_list_is_titled_by_what_it_lists(staff_client, db):
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.text import capfirst

    models = registered(PORTAL_APPS | {"auth", "axes", "post_office"})
    assert len(models) > 15
    for model in models:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = staff_client.get(url).content.decode()
        assert "Sélectionnez" not in page, url
        title = escape(capfirst(opts.verbose_name_plural))
        assert f"<h1>{title}</h1>" in page, url
        assert f"<title>{title} |" in page, url


def test_a_document_to_review_page_is_titled_by_its_kind(staff_client, family):
    from tests.students.factories import DocumentFactory

    document = DocumentFactory(family=family)

    page = staff_client.get(f"/admin/students/documenttoreview/{document.pk}/change/")

    html = page.content.decode()
    assert "<h1>Document à vérifier</h1>" in html
    assert "Modification de document à vérifier" not in html
