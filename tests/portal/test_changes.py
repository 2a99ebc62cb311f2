"""The shared record-editing mechanism (portal.editing, portal.history, portal.receipts), exercised
on the Family record."""

from django import forms

from families.models import Family
from portal.editing import (
    Change,
    FieldChange,
    TrackEditsMixin,
    VersionForm,
    form_changes,
    is_stale,
    rebase_form,
    render_changes,
    save_record,
)
from portal.history import author_label, changes_since, history_page
from portal.receipts import send_change_receipt
from tests.factories import FamilyFactory, ResponsableFactory, StaffFactory, UserFactory


def city(old, new) -> FieldChange:
    return FieldChange.of(Family, "city", old, new)


class AddressForm(TrackEditsMixin, forms.ModelForm):
    class Meta:
        model = Family
        fields = ["address_line1", "postal_code", "city", "home_phone"]


def test_it_lists_changed_fields_with_french_display_values(db):
    family = FamilyFactory(city="Bellerive", home_phone="+33296000001", postal_code="22440")
    form = AddressForm(
        {
            "address_line1": family.address_line1,
            "postal_code": "22440",
            "city": "Plérin",
            "home_phone": "02 96 00 00 02",
        },
        instance=family,
    )
    assert form.is_valid(), form.errors
    changes = form_changes(form, section="family")
    # Stored language-neutrally: field names and raw values.
    assert [change.as_json() for change in changes] == [
        {
            "model": "families.family",
            "field": "city",
            "old": "Bellerive",
            "new": "Plérin",
            "section": "family",
        },
        {
            "model": "families.family",
            "field": "home_phone",
            "old": "+33296000001",
            "new": "+33296000002",
            "section": "family",
        },
    ]
    # Shown in the reader's language.
    assert render_changes(changes) == [
        Change("Ville", "Bellerive", "Plérin", "Foyer"),
        Change("Téléphone domicile", "02 96 00 00 01", "02 96 00 00 02", "Foyer"),
    ]


def test_a_phone_typed_differently_is_not_a_change(db):
    family = FamilyFactory(home_phone="+33296000001")
    data = {"address_line1": family.address_line1, "postal_code": family.postal_code}
    form = AddressForm({**data, "city": family.city, "home_phone": "0296000001"}, instance=family)
    assert form.is_valid(), form.errors
    assert form_changes(form) == []


def test_a_stale_version_is_detected(db):
    family = FamilyFactory()
    assert not is_stale(VersionForm({"record-version": str(family.version)}), family)
    assert is_stale(VersionForm({"record-version": str(family.version - 1 or 99)}), family)
    assert is_stale(VersionForm({}), family)


def test_rebase_keeps_only_the_users_edits_on_top_of_the_current_record(db):
    family = FamilyFactory(city="Bellerive", address_line1="1 rue A", home_phone="")
    read = AddressForm(instance=family)
    posted = {
        "address_line1": "1 rue A",
        "initial-address_line1": read["address_line1"].value(),
        "postal_code": "22440",
        "initial-postal_code": "22440",
        "city": "Plérin",  # the user's edit
        "initial-city": "Bellerive",
        "home_phone": "",
        "initial-home_phone": "",
    }
    # Meanwhile someone else changes the address.
    Family.objects.filter(pk=family.pk).update(address_line1="2 rue B", version=2)
    family.refresh_from_db()
    form = AddressForm(posted, instance=family)
    assert form.is_valid()
    assert form.changed_data == ["city"]
    rebased = rebase_form(form, instance=Family.objects.get(pk=family.pk))
    assert rebased.is_valid()
    assert rebased.cleaned_data["address_line1"] == "2 rue B"
    assert rebased.cleaned_data["city"] == "Plérin"
    assert render_changes(form_changes(rebased)) == [Change("Ville", "Bellerive", "Plérin")]


def test_history_pages_show_who_changed_what_newest_first(db, django_assert_max_num_queries):
    user = UserFactory(username="dupont.marie")
    family = user.family
    staff = StaffFactory()
    for number in range(12):
        author = staff if number % 2 else user
        save_record(family, changes=[city(f"V{number}", f"V{number + 1}")], user=author)
    with django_assert_max_num_queries(2):
        page = history_page(family.history.all(), page_number=1, per_page=5)
        entries = list(page)
    assert [e.changes[0].new for e in entries] == ["V12", "V11", "V10", "V9", "V8"]
    assert entries[0].author == "le secrétariat"
    assert entries[1].author == "dupont.marie"
    last = history_page(family.history.all(), page_number=3, per_page=5)
    assert last[-1].is_creation
    assert history_page(family.history.all(), page_number="x", per_page=5).number == 1


def test_a_history_page_takes_the_same_queries_whatever_its_length(db, django_assert_num_queries):
    family = FamilyFactory()
    user = UserFactory(family=family, responsable=ResponsableFactory(family=family))
    save_record(family, changes=[city("A", "B")], user=user)
    with django_assert_num_queries(2) as short:  # the count, then the page with its authors
        assert len(history_page(family.history.all(), per_page=5)) == 2
    for number in range(8):
        save_record(family, changes=[city(f"V{number}", f"V{number + 1}")], user=user)
    with django_assert_num_queries(len(short.captured_queries)):
        page = history_page(family.history.all(), per_page=5)
        entries = list(page)
    assert len(entries) == 5 and page.paginator.num_pages == 2
    assert {entry.author for entry in entries} == {author_label(user)}


def test_a_responsables_change_names_them_after_the_login(db):
    family = FamilyFactory()
    responsable = ResponsableFactory(family=family, last_name="Dupont", first_name="Marie")
    user = UserFactory(username="dupont.marie", family=family, responsable=responsable)
    save_record(family, changes=[city("A", "B")], user=user)
    assert history_page(family.history.all())[0].author == "dupont.marie (DUPONT Marie)"
    assert author_label(user) == "dupont.marie (DUPONT Marie)"


def test_a_save_outside_the_mechanism_is_diffed_with_the_previous_row(
    db, django_assert_num_queries
):
    family = FamilyFactory(city="Bellerive", postal_code="22440")
    family.city = "Plérin"
    family.save()
    with django_assert_num_queries(2):  # the previous row is on the page already
        (entry, creation) = history_page(family.history.all())
    assert entry.changes == [Change("Ville", "Bellerive", "Plérin")]
    assert creation.is_creation
    # The last row of a page is compared with the row on the next page.
    (entry,) = history_page(family.history.all(), per_page=1)
    assert entry.changes == [Change("Ville", "Bellerive", "Plérin")]


def test_changes_since_a_version_lists_the_saves_made_meanwhile(db):
    family = FamilyFactory()
    save_record(family, changes=[city("A", "B")])
    save_record(family, changes=[city("B", "C")])
    entries = changes_since(family, 2)
    assert [e.changes for e in entries] == [[Change("Ville", "B", "C")]]
    assert family.version == 3


def test_the_receipt_lists_old_and_new_values_escaped(db, outbox):
    family = FamilyFactory(reference_email="a@example.org")
    send_change_receipt(
        family=family,
        also=["A@example.org ", "b@example.org"],
        record_label="la fiche famille",
        changes=[
            FieldChange.of(Family, "city", "<b>Avant</b>", "Après", section="family"),
            FieldChange.of(Family, "address_line2", "", "1 rue"),
        ],
        author="dupont.marie",
        record_url="https://portail.example.org/famille/",
    )
    (message,) = outbox()
    assert message.to == ["a@example.org", "b@example.org"]
    assert message.subject.startswith("Accusé de réception : modification de la fiche famille")
    assert "Foyer — Ville : <b>Avant</b> → Après" in message.body
    assert "Adresse (ligne 2) : (vide) → 1 rue" in message.body
    assert "La fiche famille a été modifiée" in message.body
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Avant&lt;/b&gt;" in html
    assert "<b>Avant</b>" not in html


def test_a_change_stored_before_language_neutral_storage_is_still_shown(db):
    """Rows saved before changes were stored by field name hold display texts: they read as
    they were stored (no migration of old rows)."""
    family = FamilyFactory()
    save_record(family, changes=[])
    family.history.filter(history_type="~").update(
        history_change_reason=[
            {"label": "Ville", "old": "Bellerive", "new": "Plérin", "section": "Foyer"},
            {"label": "School", "old": "", "new": "Collège B", "section": ""},
        ]
    )
    (entry, _creation) = history_page(family.history.all())
    assert entry.changes == [
        Change("Ville", "Bellerive", "Plérin", "Foyer"),
        Change("School", "", "Collège B", ""),
    ]


def test_a_receipt_goes_to_each_address_in_its_accounts_language(db, outbox):
    from families.models import Family

    family = FamilyFactory(reference_email="famille@example.org")
    first = ResponsableFactory(family=family, rank=1, email="marie@example.org")
    second = ResponsableFactory(family=family, rank=2, email="john@example.org")
    UserFactory(family=family, responsable=first, email="marie@example.org", language="fr")
    UserFactory(family=family, responsable=second, email="john@example.org", language="en")
    send_change_receipt(
        family=family,
        record_label=Family._meta.verbose_name,
        changes=[FieldChange.of(Family, "city", "A", "B", section="family")],
        author="dupont.marie",
        record_url="https://portail.example.org/famille/",
    )
    by_address = {tuple(message.to): message for message in outbox()}
    # The reference e-mail follows the main account (responsable 1's).
    assert set(by_address) == {("famille@example.org", "marie@example.org"), ("john@example.org",)}
    assert "Foyer — Ville : A → B" in by_address["famille@example.org", "marie@example.org"].body
    assert "Household — Town : A → B" in by_address["john@example.org",].body
    # The HTML part declares the language it is written in (screen readers pronounce it so).
    assert (
        '<html lang="fr">'
        in by_address["famille@example.org", "marie@example.org"].alternatives[0][0]
    )
    assert '<html lang="en">' in by_address["john@example.org",].alternatives[0][0]
