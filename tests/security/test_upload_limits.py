"""Issue 13 item 9, uploads: a body over the limit answers 413 with a French page, stored files
are private to the portal's user (0600 in 0700 folders), and an image with too many pixels is
refused from its header, before it is decoded."""

import io
import os
import stat

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageFile

from students.models import Document
from students.uploads import MAX_UPLOAD_SIZE, check_upload
from tests.students.factories import music_student, pdf_bytes, upload

TOO_LARGE_PAGE = "Envoi trop volumineux"


def _post_address(client, student, file, **extra):
    return client.post(
        f"/eleves/{student.pk}/documents/address/",
        {"address-document_date": timezone.localdate().isoformat(), "address-file": file},
        **extra,
    )


# --- 413 -------------------------------------------------------------------------------------


def test_a_document_over_10_mb_answers_413_with_the_french_message(family_client, family):
    student = music_student(family)
    big = upload("gros.pdf", b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_SIZE + 1))
    response = _post_address(family_client, student, big)
    assert response.status_code == 413
    assert "Le fichier dépasse 10 Mo" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("path", ["/connexion/", "/eleves/1/documents/address/"])
def test_a_body_declared_over_the_limit_answers_413_unread(db, client, path, monkeypatch):
    from django.core.handlers.wsgi import WSGIRequest

    def never(self):
        raise AssertionError("the body should not have been read")

    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", never)
    monkeypatch.setattr(WSGIRequest, "read", never)
    response = client.generic(
        "POST",
        path,
        b"x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_SIZE + 1),
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert TOO_LARGE_PAGE in html and "10 Mo" in html
    assert '<html lang="fr"' in html


def test_too_much_form_data_answers_413_not_400(db, client):
    response = client.post(
        "/connexion/",
        {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "x"},
    )
    assert response.status_code == 413
    assert TOO_LARGE_PAGE in response.content.decode()


def test_the_documented_proxy_limit_is_the_portal_s():
    deployment = (settings.BASE_DIR / "docs" / "deployment.md").read_text()
    megabytes = settings.MAX_REQUEST_BODY_SIZE // (1024 * 1024)
    assert f"client_max_body_size {megabytes}m;" in deployment


def test_the_proxy_s_error_page_is_the_portal_s_413_page(db, client):
    response = client.get("/trop-volumineux/")
    assert response.status_code == 413
    assert TOO_LARGE_PAGE in response.content.decode()


# --- stored files: 0600 in 0700 folders ------------------------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _folders_up_to_media_root(path):
    root = os.path.realpath(settings.MEDIA_ROOT)
    folder = os.path.dirname(os.path.realpath(path))
    while folder.startswith(root + os.sep):
        yield folder
        folder = os.path.dirname(folder)


def _pdf_of_about(size: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.add_metadata({"/Subject": "x" * size})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# Over FILE_UPLOAD_MAX_MEMORY_SIZE, Django keeps the upload in a temporary file, then moves it.
@pytest.mark.parametrize("size", [10, 3 * 1024 * 1024], ids=["in-memory", "temporary-file"])
def test_an_uploaded_document_is_stored_0600_in_0700_folders(family_client, family, size):
    content = _pdf_of_about(size)
    old_umask = os.umask(0o022)  # a usual umask: the modes come from the settings, not from it
    try:
        student = music_student(family)
        response = _post_address(family_client, student, upload("justificatif.pdf", content))
    finally:
        os.umask(old_umask)
    assert response.status_code == 302
    path = default_storage.path(Document.objects.get().file.name)
    assert _mode(path) == 0o600
    folders = list(_folders_up_to_media_root(path))
    assert folders and all(_mode(folder) == 0o700 for folder in folders)


def test_an_invoice_pdf_is_stored_0600_in_0700_folders(db, family):
    from tests.billing.factories import issued_invoice

    old_umask = os.umask(0o022)
    try:
        invoice = issued_invoice(family, "120.00")
    finally:
        os.umask(old_umask)
    path = default_storage.path(invoice.pdf.name)
    assert _mode(path) == 0o600
    folders = list(_folders_up_to_media_root(path))
    assert folders and all(_mode(folder) == 0o700 for folder in folders)


# --- images: pixels counted from the header, before decoding ---------------------------------


def _png(size, mode="1") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size).save(output, "PNG", optimize=True)
    return output.getvalue()


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The size of every image Pillow decodes (ImageFile.load, called again once decoded)."""
    sizes = []
    load = ImageFile.ImageFile.load

    def recording_load(self):
        sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return sizes


def test_a_49_megapixel_png_is_refused_without_being_decoded(family_client, family, monkeypatch):
    content = _png((7000, 7000))
    assert len(content) < 200 * 1024  # a small file: only decoding it would be costly

    def never(self):
        raise AssertionError("the image should have been refused from its header")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    monkeypatch.setattr(Image.Image, "load", never)
    student = music_student(family)
    response = _post_address(family_client, student, upload("plan.png", content))
    assert response.status_code == 400
    assert "Cette image est trop grande (nombre de pixels)." in response.content.decode()
    assert not Document.objects.exists()


def test_a_24_megapixel_phone_photo_is_decoded_whole(decoded_sizes):
    checked = check_upload(upload("photo.png", _png((5712, 4284))))
    assert set(decoded_sizes) == {(5712, 4284)}
    assert Image.open(io.BytesIO(checked.content)).size == (5712, 4284)


def test_a_48_megapixel_jpeg_is_decoded_at_half_size(decoded_sizes):
    output = io.BytesIO()
    Image.new("L", (8064, 6048)).save(output, "JPEG")
    checked = check_upload(upload("photo.jpg", output.getvalue()))
    assert set(decoded_sizes) == {(4032, 3024)}
    assert Image.open(io.BytesIO(checked.content)).size == (4032, 3024)
