"""Importing the previous software's files (importing.services, the `import_legacy` command):
the sample set, a second run, bad rows, dry runs, encodings and separators."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from families.models import Family, Responsable
from importing.formats import UnreadableFile
from importing.services import import_file, summarize
from students.models import Enrolment, Student
from tests.importing.conftest import BAD, ORDER, SAMPLE, bad_sample, import_samples, sample

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return sum(model.history.count() for model in (Family, Responsable, Student))


def test_the_sample_set_imports_every_record(catalogue):
    summaries = import_samples()

    assert {kind: summary.created for kind, summary in summaries.items()} == {
        "familles": 3,
        "responsables": 4,
        "eleves": 4,
        "inscriptions": 5,
    }
    assert all(summary.ok and not summary.updated for summary in summaries.values())
    family = Family.objects.get(legacy_id="F0002")
    assert family.name == "Kerhervé"
    assert family.address_line2 == "Bâtiment B"
    assert family.postal_code == "22000"
    assert family.reference_mobile == "+33781223344"
    assert family.reference_email == "kerherve@example.fr"
    lebihan = Family.objects.get(legacy_id="F0001")
    assert lebihan.home_phone == "+33296123456"
    soizic, yann = lebihan.responsables.order_by("rank")
    assert (soizic.civility, soizic.first_name, soizic.birth_date) == (
        "mme",
        "Soizic",
        date(1982, 3, 14),
    )
    assert (yann.rank, yann.civility, yann.mobile, yann.profession) == (
        2,
        "m",
        "+33698765432",
        "Boulanger",
    )
    maelys = Student.objects.get(legacy_id="E0101")
    assert maelys.family == lebihan
    assert maelys.first_name == "Maëlys"
    assert maelys.birth_date == date(2014, 6, 5)
    assert maelys.school == "Collège Jean Racine, Saint-Brieuc"  # a quoted cell with a comma
    assert (maelys.image_rights, maelys.may_leave_alone) == (True, False)
    assert Student.objects.get(legacy_id="E0201").mobile == "+33611223344"
    assert {e.course.name for e in Enrolment.objects.filter(student=maelys)} == {
        "Piano 2e cycle",
        "FM 1re année",
    }


def test_a_second_run_changes_nothing(catalogue):
    import_samples()
    versions = list(Family.objects.order_by("pk").values_list("version", flat=True))
    before = history_rows()

    summaries = import_samples()

    for kind in ORDER:
        summary = summaries[kind]
        assert (summary.created, summary.updated, summary.rejected) == (0, 0, [])
        assert summary.unchanged > 0
    assert summaries["inscriptions"].unchanged == 5
    assert history_rows() == before
    assert list(Family.objects.order_by("pk").values_list("version", flat=True)) == versions
    assert Enrolment.objects.count() == 5


def test_a_changed_row_updates_its_record_only(catalogue):
    import_samples("familles")
    family = Family.objects.get(legacy_id="F0003")
    changed = sample("familles").replace(b"22950;Tr", b"22000;Tr")

    summary = summarize(import_file("familles", changed))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    family.refresh_from_db()
    assert family.postal_code == "22000"
    assert family.version == 2  # a form opened before the import refuses to overwrite it
    assert family.history.count() == 2


def test_a_dry_run_writes_nothing(catalogue):
    result = import_file("familles", sample("familles"), dry_run=True)

    assert summarize(result).created == 3
    assert not Family.objects.exists()
    assert not Family.history.exists()


def test_windows_1252_and_commas_are_read(catalogue):
    text = sample("familles").decode("utf-8-sig").replace(";", ",")
    summary = summarize(import_file("familles", text.encode("cp1252")))

    assert summary.created == 3
    assert Family.objects.get(legacy_id="F0003").address_line1 == "5 place de l'Église"


def test_a_leading_zero_lost_by_a_spreadsheet_comes_back(db):
    data = b"numero_famille;nom;code_postal\nF1;Abgrall;1000\n"

    assert summarize(import_file("familles", data)).created == 1
    assert Family.objects.get().postal_code == "01000"


def reasons(summary) -> dict[int, list[str]]:
    return {row.line: row.reasons for row in summary.rejected}


def test_bad_families_are_rejected_with_their_reason_and_nothing_is_created(db):
    summary = summarize(import_file("familles", bad_sample("familles")))

    rejected = reasons(summary)
    assert sorted(rejected) == [3, 4, 5, 6, 7]
    assert set(rejected[3]) == {
        "code_postal : Le code postal doit comporter 5 chiffres (par exemple 22440).",
        "telephone_domicile : Ce numéro de téléphone n'est pas valide. Exemples : "
        "02 96 12 34 56, 06 12 34 56 78 ou +44 20 7946 0958.",
    }
    assert rejected[4] == ["nom : Ce champ ne peut pas être vide."]
    assert rejected[5] == [
        "Ligne en double : la ligne 2 du fichier désigne déjà la même fiche (F0004)."
    ]
    assert set(rejected[6]) == {
        "code_postal : Le code postal doit comporter 5 chiffres (par exemple 22440).",
        "mobile : Indiquez un numéro de téléphone mobile (par exemple 06 12 34 56 78).",
        "email : Saisissez une adresse de courriel valide.",
    }
    assert rejected[7] == ["numero_famille : Le numéro de famille est obligatoire."]
    # The good first row is not imported either: a file is all or nothing.
    assert not Family.objects.exists()
    assert not Family.history.exists()


def test_bad_students_are_rejected_with_their_reason(catalogue):
    import_samples("familles", "responsables", "eleves")
    students = Student.objects.count()

    summary = summarize(import_file("eleves", bad_sample("eleves")))

    rejected = reasons(summary)
    assert rejected == {
        2: ["date_naissance : La date de naissance ne peut pas être dans le futur."],
        3: ["date_naissance : « 31/02/2015 » n'est pas une date au format JJ/MM/AAAA."],
        4: [
            "numero_famille : Famille n° F9999 inconnue : importez d'abord le fichier des familles."
        ],
        5: ["prenom : Ce champ ne peut pas être vide."],
        6: [
            "Maëlys LE BIHAN, né(e) le 5 juin 2014, est déjà un élève de cette famille : un "
            "même enfant ne peut pas être enregistré deux fois."
        ],
        7: [
            "civilite : Civilité « Mlle » inconnue : écrivez Mme ou M.",
            "droit_image : « peut-être » n'est pas une réponse attendue : écrivez oui ou non.",
            "mobile : Indiquez un numéro de téléphone mobile (par exemple 06 12 34 56 78).",
        ],
    }
    assert Student.objects.count() == students


def test_bad_enrolments_are_rejected_with_their_reason(catalogue):
    import_samples("familles", "eleves")

    summary = summarize(import_file("inscriptions", bad_sample("inscriptions")))

    assert reasons(summary) == {
        2: [
            "cours : Cours « Piano 3e cycle » inconnu en Piano pour la saison 2026-2027 : "
            "créez-le avant l'import."
        ],
        3: ["numero_eleve : Élève n° E0999 inconnu : importez d'abord le fichier des élèves."],
        4: ["cours : Saison « 2031-2032 » inconnue : créez-la avant l'import."],
        5: ["cours : Discipline « Harpe » inconnue : créez-la avant l'import."],
        7: [
            "Ligne en double : la ligne 6 du fichier désigne déjà la même fiche "
            "(E0201 ; 2026-2027 ; Danse contemporaine ; Contemporain ados)."
        ],
    }
    assert not Enrolment.objects.exists()


def test_a_file_without_the_key_columns_is_refused_before_any_row(db):
    summary = summarize(import_file("familles", b"nom;ville\nAbgrall;Brest\n"))

    assert summary.file_errors == [
        "Colonnes manquantes : numero_famille. La première ligne du fichier doit nommer les "
        "colonnes numero_famille, nom, adresse, complement_adresse, code_postal, ville, "
        "telephone_domicile, mobile, email (docs/import.md)."
    ]
    assert not Family.objects.exists()


def test_an_unreadable_file_is_refused_with_a_french_message(db):
    with pytest.raises(UnreadableFile, match="La ligne 3 du fichier a 3 colonnes au lieu de 2"):
        import_file("familles", b"numero_famille;nom\nF1;A\nF2;B;C\n")
    with pytest.raises(UnreadableFile, match="Le fichier est vide"):
        import_file("familles", b"")


def test_the_command_imports_and_summarises(catalogue, capsys):
    for kind in ORDER:
        call_command("import_legacy", kind, str(SAMPLE / f"{kind}.csv"))
    out = capsys.readouterr().out
    assert "familles.csv (familles) : 3 créée(s), 0 mise(s) à jour, 0 inchangée(s)" in out
    assert "inscriptions.csv (inscriptions) : 5 créée(s)" in out

    call_command("import_legacy", "familles", str(SAMPLE / "familles.csv"))
    assert "0 créée(s), 0 mise(s) à jour, 3 inchangée(s), 0 rejetée(s)" in capsys.readouterr().out


def test_the_command_dry_run_writes_nothing(catalogue, capsys):
    call_command("import_legacy", "familles", str(SAMPLE / "familles.csv"), "--dry-run")

    out = capsys.readouterr().out
    assert "3 créée(s)" in out
    assert "--dry-run : rien n'a été enregistré." in out
    assert not Family.objects.exists()


def test_the_command_lists_rejected_rows_and_fails(db, capsys):
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_legacy", "familles", str(BAD / "familles.csv"))

    err = capsys.readouterr().err
    assert "ligne 4 : nom : Ce champ ne peut pas être vide." in err
    assert not Family.objects.exists()


def test_another_kinds_file_is_refused_before_any_row(catalogue):
    import_samples("familles")

    # The students' file has numero_famille and nom too: as families, it would rename them.
    summary = summarize(import_file("familles", sample("eleves")))

    assert summary.file_errors == [
        "Colonnes inconnues dans un fichier « Familles (familles.csv) » : numero_eleve, "
        "civilite, prenom, date_naissance, etablissement_scolaire, classe, droit_image, "
        "sortie_seul. Vérifiez que c'est le bon fichier ; les colonnes possibles sont "
        "numero_famille, nom, adresse, complement_adresse, code_postal, ville, "
        "telephone_domicile, mobile, email (docs/import.md)."
    ]
    assert not summary.updated
    assert Family.objects.get(legacy_id="F0001").name == "Le Bihan"
    assert Family.history.count() == 3
