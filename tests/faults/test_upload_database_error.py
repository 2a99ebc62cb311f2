"""A database error after the uploaded file was written: no row, no orphan file, a French
message to the family (and the family can upload again once the database is back)."""

import html

from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, connection
from django.utils import timezone

from students.models import Document
from tests.students.factories import music_student, pdf_bytes, upload


def _files_under(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


class FailDocumentInsert:
    """Lets every query through except the INSERT of the document row, which fails as a lost
    connection or a full disk would."""

    def __init__(self):
        self.failed = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and '"students_document"' in sql:
            self.failed += 1
            raise DatabaseError("injected: the database went away")
        return execute(sql, params, many, context)


def test_it_keeps_neither_row_nor_file_and_tells_the_family_in_french(
    family_client, family, settings, monkeypatch
):
    student = music_student(family, first_name="Léa")
    saved = []
    real_save = FileSystemStorage.save

    def recording_save(storage, name, content, *args, **kwargs):
        saved.append(real_save(storage, name, content, *args, **kwargs))
        return saved[-1]

    monkeypatch.setattr(FileSystemStorage, "save", recording_save)
    url = f"/eleves/{student.pk}/documents/address/"
    data = {"address-document_date": timezone.localdate().isoformat()}

    injected = FailDocumentInsert()
    with connection.execute_wrapper(injected):
        response = family_client.post(
            url, {**data, "address-file": upload("facture.pdf", pdf_bytes())}, follow=True
        )

    # The failure happened after the file was on disk…
    assert injected.failed == 1
    assert len(saved) == 1 and saved[0].startswith("documents/")
    # …and left nothing behind.
    assert not Document.objects.exists()
    assert _files_under(settings.MEDIA_ROOT) == []
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Le document n'a pas pu être enregistré" in page
    assert "Rien n'a été conservé : importez-le à nouveau" in page
    assert "Document reçu" not in page

    # The database is back: the same upload now goes through.
    response = family_client.post(url, {**data, "address-file": upload("facture.pdf", pdf_bytes())})
    assert response.status_code == 302
    document = Document.objects.get()
    assert _files_under(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / document.file.name]
