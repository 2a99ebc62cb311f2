"""Issue 13 item 1: PDFs carrying active content are refused, wherever it sits and however the
names are written (`#xx` escapes, object streams), and clean PDFs still pass.

The PDFs are written byte by byte here (`_pdf`), so that names can be escaped and objects put
in a compressed object stream listed by a cross-reference stream, as real tools do.
"""

import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from students.models import Document
from students.uploads import check_upload
from tests.students.factories import music_student, upload

ACTIVE = "Ce PDF contient du contenu actif (JavaScript, lancement de programme…)"
UNREADABLE = "Ce PDF est illisible ou endommagé."


def _xref_table(out: bytearray, offsets: dict[int, int], size: int) -> None:
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (
            b"%010d 00000 n \n" % offsets[number]
            if number in offsets
            else b"0" * 10 + b" 65535 f \n"
        )
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start)


def _xref_stream(out: bytearray, offsets, size, in_stream: dict[int, int], stream_number: int):
    """A compressed cross-reference stream (PDF 1.5), objects of `in_stream` in the ObjStm."""
    xref_number = size
    offsets = {**offsets, xref_number: len(out)}
    rows = b"\x00" + b"\x00" * 4 + b"\xff\xff"
    for number in range(1, xref_number + 1):
        if number in in_stream:
            rows += (
                b"\x02" + stream_number.to_bytes(4, "big") + in_stream[number].to_bytes(2, "big")
            )
        elif number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
        else:
            rows += b"\x00" * 5 + b"\xff\xff"
    packed = zlib.compress(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
        b" /Length %d >>\nstream\n" % (xref_number, xref_number + 1, len(packed))
    )
    out += packed + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]


def _pdf(catalog=b"", page=b"", objects=None, *, compressed=()) -> bytes:
    """A one-page PDF: catalog 1, pages 2, page 3, then `objects` (4, 5…). The objects whose
    numbers are in `compressed` go into a Flate-compressed object stream."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b" >>",
        **(objects or {}),
    }
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        if number not in compressed:
            offsets[number] = len(out)
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max(objects) + 1
    if not compressed:
        _xref_table(out, offsets, size)
        return bytes(out)
    header, data, in_stream = b"", b"", {}
    for index, number in enumerate(sorted(compressed)):
        header += b"%d %d " % (number, len(data))
        data += objects[number] + b"\n"
        in_stream[number] = index
    packed = zlib.compress(header + data)
    stream_number = size
    offsets[stream_number] = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (stream_number, len(in_stream), len(header), len(packed))
    )
    out += packed + b"\nendstream\nendobj\n"
    _xref_stream(out, offsets, size + 1, in_stream, stream_number)
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


ACTIVE_PDFS = {
    # The issue's own example: /S written with a name escape.
    "openaction-escaped-javascript": _pdf(
        b"/OpenAction << /S /Java#53cript /JS (app.alert\\(1\\)) >>"
    ),
    # Every name of the action escaped: nothing readable for a byte scan.
    "openaction-all-names-escaped": _pdf(
        b"/OpenAction << /S /Java#53cript /J#53 (app.alert\\(1\\)) >>"
    ),
    "openaction-escaped-launch": _pdf(b"/OpenAction << /S /L#61unch /F (calc.exe) >>"),
    "catalog-aa": _pdf(b"/AA << /WC << /S /Java#53cript /J#53 (app.alert\\(1\\)) >> >>"),
    "page-open-action": _pdf(page=b"/AA << /O << /S /L#61unch /F (cmd.exe) >> >>"),
    "annotation-action": _pdf(
        page=b"/Annots [4 0 R]",
        objects={
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100]"
            b" /A << /S /L#61unch /F (cmd.exe) >> >>"
        },
    ),
    "next-chain-after-a-goto": _pdf(
        b"/OpenAction 4 0 R",
        objects={
            4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>",
            5: b"<< /S /Import#44ata /F (donnees.fdf) >>",
        },
    ),
    "form-field-submit": _pdf(
        b"/AcroForm << /Fields [4 0 R] >>",
        page=b"/Annots [4 0 R]",
        objects={
            4: b"<< /FT /Tx /T (nom) /Type /Annot /Subtype /Widget /Rect [0 0 100 20] /P 3 0 R"
            b" /AA << /K << /S /Submit#46orm /F (https://example.org/x) >> >> >>"
        },
    ),
    "object-stream-openaction": _pdf(
        b"/OpenAction 4 0 R",
        objects={4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"},
        compressed={1, 4},
    ),
    "object-stream-names-tree": _pdf(
        b"/Names 4 0 R",
        objects={
            4: b"<< /JavaScript 5 0 R >>",
            5: b"<< /Names [(x) 6 0 R] >>",
            6: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        },
        compressed={1, 4, 5, 6},
    ),
    "object-stream-annotation": _pdf(
        page=b"/Annots [4 0 R]",
        objects={
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>",
            5: b"<< /S /Launch /F (calc.exe) >>",
        },
        compressed={2, 3, 4, 5},
    ),
    "embedded-file": _pdf(
        b"/Names << /Embedded#46iles << /Names [(a.exe) 4 0 R] >> >>",
        objects={
            4: b"<< /Type /Filespec /F (a.exe) /E#46 << /F 5 0 R >> >>",
            5: _stream(b"/Type /Embedded#46ile", b"MZ"),
        },
    ),
    "embedded-file-in-object-stream": _pdf(
        b"/Names 6 0 R",
        objects={
            4: b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
            5: _stream(b"/Type /EmbeddedFile", b"MZ"),
            6: b"<< /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        },
        compressed={1, 4, 6},
    ),
    "file-attachment-annotation": _pdf(
        page=b"/Annots [4 0 R]",
        objects={
            4: b"<< /Type /Annot /Subtype /File#41ttachment /Rect [0 0 9 9] /FS (a.exe) >>",
        },
    ),
    "rich-media-annotation": _pdf(
        page=b"/Annots [4 0 R]",
        objects={4: b"<< /Type /Annot /Subtype /Rich#4dedia /Rect [0 0 9 9] >>"},
    ),
    "xfa-form": _pdf(
        b"/AcroForm << /Fields [] /X#46A 4 0 R >>",
        objects={4: _stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")},
    ),
    "xfa-form-in-object-stream": _pdf(
        b"/AcroForm 5 0 R",
        objects={
            4: _stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>"),
            5: b"<< /Fields [] /XFA 4 0 R >>",
        },
        compressed={1, 5},
    ),
    # The cross-reference is broken: pypdf rebuilds it by scanning the file, which does not list
    # the objects of object streams, while a PDF reader repairing the file does find them.
    "object-stream-behind-a-broken-xref": _pdf(
        b"/OpenAction 4 0 R",
        objects={4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"},
        compressed={4},
    ).replace(b"startxref\n", b"startxref\n9"),
    # Links that open a file on a network share (leaking the reader's credentials) or run a
    # script rather than a web page.
    "remote-go-to": _pdf(
        b"/OpenAction << /S /GoTo#52 /F (\\\\\\\\serveur\\\\partage\\\\x.pdf) /D [0 /Fit] >>"
    ),
    "javascript-uri-in-object-stream": _pdf(
        page=b"/Annots [4 0 R]",
        objects={
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>",
            5: b"<< /S /URI /URI ( JavaScript:app.alert\\(1\\)) >>",
        },
        compressed={3, 4, 5},
    ),
    "file-uri": _pdf(b"/OpenAction << /S /URI /URI <66696c653a2f2f2f6574632f706173737764> >>"),
    # A reference cycle (4 -> 5 -> 4) with the script at its far end: the walk ends and finds it.
    "cycle-with-a-script": _pdf(
        b"/OpenAction 4 0 R",
        objects={
            4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>",
            5: b"<< /S /GoTo /D [3 0 R /Fit] /Next [4 0 R 6 0 R] >>",
            6: b"<< /S /Java#53cript /J#53 7 0 R >>",
            7: _stream(b"", b"app.alert(1)"),
        },
    ),
}


@pytest.mark.parametrize("name", list(ACTIVE_PDFS))
def test_active_content_is_refused_wherever_it_sits(name):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(f"{name}.pdf", ACTIVE_PDFS[name]))
    assert ACTIVE in " ".join(error.value.messages)


def _post_address(client, student, file):
    return client.post(
        f"/eleves/{student.pk}/documents/address/",
        {"address-document_date": timezone.localdate().isoformat(), "address-file": file},
    )


def test_the_family_is_told_how_to_make_a_plain_pdf_and_nothing_is_stored(family_client, family):
    student = music_student(family)
    content = ACTIVE_PDFS["openaction-all-names-escaped"]
    response = _post_address(family_client, student, upload("justificatif.pdf", content))
    assert response.status_code == 400
    html = response.content.decode()
    assert "enregistrez-le à nouveau en PDF simple (Imprimer &gt; Enregistrer en PDF)" in html
    assert not Document.objects.exists()


def test_a_cycle_of_harmless_actions_is_walked_and_accepted():
    content = _pdf(
        b"/OpenAction 4 0 R",
        objects={
            4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>",
            5: b"<< /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>",
        },
    )
    assert check_upload(upload("cycle.pdf", content)).content == content


@pytest.mark.parametrize(
    "content",
    [
        # Compressed objects and cross-reference stream, a link to a web page: all harmless.
        _pdf(
            page=b"/Annots [4 0 R]",
            objects={
                4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>",
                5: b"<< /S /URI /URI (https://example.org/) >>",
            },
            compressed={1, 2, 3, 4, 5},
        ),
        _pdf(),
    ],
    ids=["object-streams-and-a-link", "plain"],
)
def test_a_clean_pdf_passes(content):
    assert check_upload(upload("clean.pdf", content)).content == content


def test_a_pdf_rendered_by_weasyprint_like_the_invoices_passes(db, family):
    from tests.billing.factories import issued_invoice

    invoice = issued_invoice(family, "120.00", "66.00")
    content = default_storage.open(invoice.pdf.name).read()
    assert check_upload(upload("facture.pdf", content)).content == content


def test_a_link_to_a_web_page_rendered_by_weasyprint_passes():
    import weasyprint

    content = weasyprint.HTML(
        string="<h1>Attestation</h1><p><a href='https://example.org/'>site</a></p>"
    ).write_pdf()
    assert check_upload(upload("attestation.pdf", content)).content == content


def _damaged_object_stream(content: bytes) -> bytes:
    """The object stream's compressed bytes overwritten (same length: offsets still right)."""
    start = content.index(b"stream\n", content.index(b"/Type /ObjStm")) + len(b"stream\n")
    return content[:start] + b"\x00" * 12 + content[start + 12 :]


@pytest.mark.parametrize(
    "content",
    [
        # Nested far deeper than any parser's recursion allows.
        _pdf(b"/Extra " + b"[" * 20000 + b"]" * 20000),
        # An object stream that does not inflate (pypdf alone would read it as empty).
        _damaged_object_stream(
            _pdf(
                b"/OpenAction 4 0 R", objects={4: b"<< /S /GoTo /D [3 0 R /Fit] >>"}, compressed={4}
            )
        ),
        # No cross-reference at all.
        _pdf()[: _pdf().rindex(b"xref")] + b"%%EOF\n",
    ],
    ids=["deep-nesting", "damaged-object-stream", "no-xref"],
)
def test_a_malformed_pdf_is_refused_with_a_french_message(family_client, family, content):
    student = music_student(family)
    response = _post_address(family_client, student, upload("abime.pdf", content))
    assert response.status_code == 400
    assert UNREADABLE in response.content.decode()
    assert not Document.objects.exists()


def test_an_encrypted_pdf_is_refused_with_a_french_message():
    from tests.students.factories import pdf_bytes

    with pytest.raises(ValidationError, match="protégé par un mot de passe"):
        check_upload(upload("protege.pdf", pdf_bytes(password="secret")))
