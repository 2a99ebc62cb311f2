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
