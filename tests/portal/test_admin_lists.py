"""The admin lists' row checkboxes, written without the widget templates, still select rows."""

from tests.factories import FamilyFactory, ResponsableFactory

CHANGELIST = "/admin/families/family/"


def test_it_renders_one_labelled_checkbox_per_row_with_the_name_escaped(staff_client, db):
    family = FamilyFactory(name="Le Goff")
    ResponsableFactory(family=family, rank=1, last_name="<b>Le Goff</b>", first_name="Anne")

    page = staff_client.get(CHANGELIST).content.decode()

    assert (
        f'<input type="checkbox" name="_selected_action" value="{family.pk}" '
        'class="action-select" aria-label="Choisir cet objet pour une action - '
        '&lt;B&gt;LE GOFF&lt;/B&gt; Anne">'
    ) in page
    assert "<b>Le Goff</b>" not in page


def test_it_applies_an_action_to_the_rows_ticked(staff_client, outbox, db):
    family = FamilyFactory(name="Morvan", reference_email="morvan@example.org")
    ResponsableFactory(family=family, rank=1, email="morvan@example.org")

    response = staff_client.post(
        CHANGELIST,
        {"action": "send_portal_access", "_selected_action": [str(family.pk)]},
    )

    assert response.status_code == 302
    assert [message.to for message in outbox()] == [["morvan@example.org"]]
