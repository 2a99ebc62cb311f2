"""`students.uploads.check_upload`: real files, good and bad."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from students.uploads import MAX_UPLOAD_SIZE, check_upload
from tests.students.factories import image_bytes, pdf_bytes, upload


def test_it_keeps_a_valid_pdf_as_is():
    content = pdf_bytes()
    checked = check_upload(upload("facture-edf.PDF", content))
    assert checked.content == content
    assert checked.content_type == "application/pdf"
    assert checked.extension == ".pdf"
    assert checked.original_name == "facture-edf.PDF"


def test_it_reencodes_a_jpeg_and_strips_exif_and_gps():
    original = image_bytes("JPEG", gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825) is not None
    checked = check_upload(upload("photo.jpg", original))
    assert checked.content_type == "image/jpeg"
    assert checked.content != original
    reencoded = Image.open(io.BytesIO(checked.content))
    assert reencoded.format == "JPEG"
    assert dict(reencoded.getexif()) == {}
    assert b"PhoneMaker" not in checked.content


@pytest.mark.parametrize(("name", "fmt"), [("photo.png", "PNG"), ("IMG_0001.HEIC", "HEIF")])
def test_it_converts_png_and_heic_photos_to_jpeg(name, fmt):
    checked = check_upload(upload(name, image_bytes(fmt)))
    assert checked.content_type == "image/jpeg"
    assert checked.extension == ".jpg"
    assert Image.open(io.BytesIO(checked.content)).format == "JPEG"


def _truncated_jpeg() -> bytes:
    content = image_bytes("JPEG", size=(400, 300))
    return content[: len(content) // 2]


def _bomb_png() -> bytes:
    output = io.BytesIO()
    Image.new("1", (8000, 8000)).save(output, "PNG")
    return output.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.pdf", b"", "Le fichier est vide."),
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "pas accepté"),
        ("page.jpg", b"<html><body onload=alert(1)>x</body></html>", "pas accepté"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "pas accepté"),
        ("programme.jpg", b"MZ\x90\x00\x03" + b"\x00" * 300 + b"PE\x00\x00", "pas accepté"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "pas accepté"),
        ("scan.jpg", pdf_bytes(), "ne correspond pas"),
        ("photo.pdf", image_bytes("JPEG"), "ne correspond pas"),
        ("photo.jpg", image_bytes("JPEG") + b"<script>alert(1)</script>", "code"),
        ("doc.pdf", pdf_bytes() + b"<html><script>alert(1)</script>", "code"),
        ("protege.pdf", pdf_bytes(password="secret"), "protégé par un mot de passe"),
        ("script.pdf", pdf_bytes(javascript="app.alert(1);"), "contenu actif"),
        ("casse.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF", "illisible"),
        ("coupee.jpg", _truncated_jpeg(), "incomplète ou endommagée"),
        ("bombe.png", _bomb_png(), "trop grande"),
    ],
)
def test_it_refuses_bad_files_with_a_french_message(name, content, message):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert message in " ".join(error.value.messages)


def test_it_refuses_a_file_over_10_mb():
    content = pdf_bytes() + b"\n%" + b"0" * MAX_UPLOAD_SIZE
    with pytest.raises(ValidationError, match="10 Mo"):
        check_upload(upload("gros.pdf", content))


def test_it_refuses_a_truncated_image_even_after_weasyprint_is_loaded():
    import weasyprint  # noqa: F401  (sets Pillow's LOAD_TRUNCATED_IMAGES globally)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(ValidationError, match="incomplète ou endommagée"):
        check_upload(upload("coupee.jpg", _truncated_jpeg()))
    assert ImageFile.LOAD_TRUNCATED_IMAGES


class _ReadSizes(io.BytesIO):
    """A file that remembers the largest read asked of it."""

    largest = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def _large_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": "x" * (6 * 1024 * 1024)})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_it_checks_a_large_pdf_in_chunks_and_keeps_the_file_itself():
    from django.core.files.uploadedfile import UploadedFile

    from students.uploads import _CHUNK

    content = _large_pdf()
    stream = _ReadSizes(content)
    uploaded = UploadedFile(stream, name="releve.pdf", size=len(content))
    checked = check_upload(uploaded)
    assert checked.size == len(content)
    assert checked.file is uploaded
    assert stream.largest <= _CHUNK
    assert checked.content == content


def test_it_finds_code_across_the_border_of_two_chunks():
    from students.uploads import _CHUNK

    content = pdf_bytes()
    padding = b"%" + b"0" * (_CHUNK - len(content) - 4) + b"\n"
    hidden = content + padding + b"<script>alert(1)</script>"
    assert hidden.index(b"<script") < _CHUNK < hidden.index(b"<script") + 7
    with pytest.raises(ValidationError, match="code"):
        check_upload(upload("doc.pdf", hidden))


@pytest.mark.parametrize(
    "marker", [b"<" + b" " * 6000 + b"script>", b"<!doctype" + b"\n" * 6000 + b"html>"]
)
def test_it_finds_code_hidden_behind_a_long_whitespace_run_across_chunks(marker):
    from students.uploads import _CHUNK, _OVERLAP

    content = pdf_bytes()
    padding = b"%" + b"0" * (_CHUNK - len(content) - 5000) + b"\n"
    hidden = content + padding + marker + b"alert(1)"
    # The marker starts further before the chunks' border than their overlap reaches.
    start = len(content + padding)
    assert start + _OVERLAP < _CHUNK < start + len(marker)
    with pytest.raises(ValidationError, match="code"):
        check_upload(upload("doc.pdf", hidden))
