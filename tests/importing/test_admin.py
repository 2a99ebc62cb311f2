"""The admin's import pages (Familles and Élèves lists): French pages, a preview of every row
before anything is written, confirmation, refusal of a file with bad rows, permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from families.models import Family, Responsable
from students.models import Enrolment, Student
from tests.conftest import staff_login
from tests.factories import StaffFactory
from tests.importing.conftest import bad_sample, import_samples, sample
from tests.markup import parse

pytestmark = pytest.mark.django_db

FAMILY_IMPORT = "/admin/families/family/import/"
FAMILY_CONFIRM = "/admin/families/family/process_import/"
STUDENT_IMPORT = "/admin/students/student/import/"
STUDENT_CONFIRM = "/admin/students/student/process_import/"


def upload(client, url, *, resource: int, name: str, data: bytes):
    return client.post(
        url,
        {
            "resource": str(resource),
            "format": "0",
            "import_file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def text_of(page) -> str:
    return parse(page).text


def import_link(client, changelist):
    return parse(client.get(changelist).content.decode()).find("a", class_="import_link")


def confirm_fields(page) -> dict[str, str]:
    """The fields of the preview's confirmation form (the one with the "confirm" button)."""
    (form,) = [
        form for form in parse(page).find_all("form") if form.find_all("input", name="confirm")
    ]
    return {
        field.get("name"): field.get("value") for field in form.find_all("input", type="hidden")
    }


def rows_of(page) -> list[list[str]]:
    """The preview table's rows, each as its cells' texts."""
    table = parse(page).find("table", class_="import-preview")
    return [
        [cell.text for cell in row.find_all("td")] for row in table.find("tbody").find_all("tr")
    ]


@pytest.fixture
def staff_client(client, staff_user):
    return staff_login(client, staff_user)


def test_the_families_list_offers_the_import_in_french(staff_client):
    link = import_link(staff_client, "/admin/families/family/")
    assert (link.get("href"), link.text) == (FAMILY_IMPORT, "Importer")

    form = text_of(staff_client.get(FAMILY_IMPORT).content.decode())
    assert "Fichier à importer" in form
    assert "Familles (familles.csv)" in form
    assert "Responsables (responsables.csv)" in form
    assert "numero_famille, nom, adresse" in form
    assert "dates au format JJ/MM/AAAA" in form


def test_the_preview_lists_every_row_then_the_confirmation_imports(staff_client, catalogue):
    import_samples("familles")
    changed = sample("familles").replace(b"22950;Tr", b"22000;Tr")
    changed += b"F0009;Abgrall;;;29200;Brest;;;\n"

    preview = upload(staff_client, FAMILY_IMPORT, resource=0, name="familles.csv", data=changed)

    page = preview.content.decode()
    assert "Aperçu de l'import" in page
    assert "1 ligne(s) à créer, 1 à mettre à jour, 2 inchangée(s), 0 refusée(s)." in text_of(page)
    rows = rows_of(page)
    assert [row[:2] for row in rows] == [
        ["2", "inchangée"],
        ["3", "inchangée"],
        ["4", "mise à jour"],
        ["5", "créée"],
    ]
    assert rows[2][2] == "code_postal : 22950 → 22000"
    assert rows[3][3:6] == ["F0009", "Abgrall", ""]
    assert rows[0][9] == "02 96 12 34 56"  # phones shown French style
    # Nothing written before the confirmation.
    assert not Family.objects.filter(legacy_id="F0009").exists()
    assert Family.objects.get(legacy_id="F0003").postal_code == "22950"

    response = staff_client.post(FAMILY_CONFIRM, confirm_fields(page), follow=True)

    assert response.redirect_chain[-1][0] == "/admin/families/family/"
    assert "Import terminé : 1 ligne(s) créée(s), 1 mise(s) à jour, 2 inchangée(s)." in text_of(
        response.content.decode()
    )
    assert Family.objects.get(legacy_id="F0009").name == "Abgrall"
    assert Family.objects.get(legacy_id="F0003").postal_code == "22000"


def test_responsables_import_through_the_families_page(staff_client, catalogue):
    import_samples("familles")
    preview = upload(
        staff_client,
        FAMILY_IMPORT,
        resource=1,
        name="responsables.csv",
        data=sample("responsables"),
    )
    staff_client.post(FAMILY_CONFIRM, confirm_fields(preview.content.decode()))

    assert Responsable.objects.count() == 4
    # The import is in each record's history, by the staff member who confirmed it.
    assert Responsable.history.filter(history_user__username="secretariat").count() == 4


def test_a_file_with_bad_rows_is_refused_with_every_reason(staff_client):
    page = upload(
        staff_client, FAMILY_IMPORT, resource=0, name="familles.csv", data=bad_sample("familles")
    ).content.decode()

    text = text_of(page)
    assert "Fichier refusé" in text
    assert "1 ligne(s) à créer, 0 à mettre à jour, 0 inchangée(s), 5 refusée(s)." in text
    assert "Rien ne sera importé" in text
    rows = rows_of(page)
    assert [row[:2] for row in rows] == [
        ["2", "créée"],
        ["3", "rejetée"],
        ["4", "rejetée"],
        ["5", "rejetée"],
        ["6", "rejetée"],
        ["7", "rejetée"],
    ]
    assert "nom : Ce champ ne peut pas être vide." in rows[2][2]
    assert "Ligne en double" in rows[3][2]
    assert 'name="confirm"' not in page  # nothing to confirm
    assert not Family.objects.exists()


def test_an_unreadable_file_gets_a_french_message(staff_client):
    page = upload(
        staff_client,
        FAMILY_IMPORT,
        resource=0,
        name="familles.csv",
        data=b"numero_famille;nom\nF1;A\nF2;B;C\n",
    ).content.decode()

    assert "La ligne 3 du fichier a 3 colonnes au lieu de 2" in text_of(page)
    assert not Family.objects.exists()


def test_students_and_enrolments_import_through_the_students_page(staff_client, catalogue):
    import_samples("familles", "responsables")
    assert import_link(staff_client, "/admin/students/student/").get("href") == STUDENT_IMPORT

    for resource, kind in enumerate(["eleves", "inscriptions"]):
        preview = upload(
            staff_client, STUDENT_IMPORT, resource=resource, name=f"{kind}.csv", data=sample(kind)
        ).content.decode()
        assert "0 refusée(s)" in text_of(preview)
        staff_client.post(STUDENT_CONFIRM, confirm_fields(preview))

    assert Student.objects.count() == 4
    assert Enrolment.objects.count() == 5


def test_a_confirmation_that_no_longer_validates_writes_nothing(staff_client, catalogue):
    import_samples("familles", "eleves")
    preview = upload(
        staff_client,
        STUDENT_IMPORT,
        resource=1,
        name="inscriptions.csv",
        data=sample("inscriptions"),
    ).content.decode()
    # Between the preview and the confirmation, a course of the file is renamed.
    catalogue["Classique enfants"].name = "Classique 1"
    catalogue["Classique enfants"].save()

    response = staff_client.post(STUDENT_CONFIRM, confirm_fields(preview), follow=True)

    assert "Import annulé : 1 ligne(s) refusée(s), rien n'a été enregistré." in text_of(
        response.content.decode()
    )
    assert not Enrolment.objects.exists()


def test_the_import_needs_the_permissions_to_add_and_change_the_records(client):
    agent = StaffFactory(is_superuser=False)
    agent.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_family", "change_family", "add_family", "change_responsable"]
        )
    )
    staff_login(client, agent)

    assert not parse(client.get("/admin/families/family/").content.decode()).find_all(
        "a", class_="import_link"
    )
    assert client.get(FAMILY_IMPORT).status_code == 403
    response = upload(client, FAMILY_IMPORT, resource=0, name="f.csv", data=sample("familles"))
    assert response.status_code == 403
    assert not Family.objects.exists()

    agent.user_permissions.add(Permission.objects.get(codename="add_responsable"))
    client.force_login(agent)
    staff_login(client, agent)
    assert client.get(FAMILY_IMPORT).status_code == 200


def test_the_preview_follows_the_staff_members_language(staff_client, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = upload(
        staff_client, FAMILY_IMPORT, resource=0, name="familles.csv", data=bad_sample("familles")
    ).content.decode()

    text = text_of(page)
    assert "File refused" in text
    assert "1 row(s) to create, 0 to update, 0 unchanged, 5 refused." in text
    assert [row[1] for row in rows_of(page)][:2] == ["created", "refused"]
    # A reason comes from the same catalogue as the forms' messages.
    assert "Duplicate row: line 2 of the file already names the same record (F0004)." in text


def test_a_file_of_another_kind_is_refused_as_a_whole(staff_client, catalogue):
    import_samples("familles")

    page = upload(
        staff_client, FAMILY_IMPORT, resource=0, name="eleves.csv", data=sample("eleves")
    ).content.decode()

    text = text_of(page)
    assert "Fichier refusé" in text
    assert "Colonnes inconnues dans un fichier « Familles (familles.csv) » : numero_eleve" in text
    assert "Rien ne sera importé : corrigez le fichier" in text
    assert not parse(page).find_all("table", class_="import-preview")
    assert 'name="confirm"' not in page
    assert Family.objects.get(legacy_id="F0001").name == "Le Bihan"
