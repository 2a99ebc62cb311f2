"""Checking an uploaded supporting document (OWASP File Upload Cheat Sheet).

The type is decided from the content (libmagic), never from the name or the browser's
Content-Type, and the extension must agree with it. Images are decoded and re-encoded as JPEG
(which drops EXIF/GPS and anything hidden after the image data); PDFs must parse and must not be
encrypted nor carry active content (scripts, actions, embedded files…). Whatever is refused
raises a `ValidationError` with a French message, before anything is stored.
"""

import io
import re
import threading
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import magic
import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, JpegImagePlugin
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    StreamObject,
    read_object,
)

from students.antivirus import scan_upload

pillow_heif.register_heif_opener()

MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Pixels decoded at most: 25 megapixels (75 MB in RGB), a 24-megapixel photo (5712 × 4284, the
# default of recent phones) decoded whole. Any image larger than that is refused from its header,
# before decoding (a 49-megapixel PNG of 155 KB used to take 295 MB), except a JPEG of up to
# MAX_IMAGE_PIXELS (a phone's 48- or 50-megapixel mode), which the JPEG decoder itself decodes at
# half size (Image.draft): it is stored at that size.
MAX_DECODED_PIXELS = 25_000_000
MAX_IMAGE_PIXELS = 50_000_000
JPEG_QUALITY = 85

# Content type found by libmagic -> extensions the file's name may have.
ACCEPTED = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg", ".jpe"},
    "image/png": {".png"},
    "image/heic": {".heic", ".heif"},
    "image/heif": {".heic", ".heif"},
}
ACCEPTED_EXTENSIONS = sorted({ext for exts in ACCEPTED.values() for ext in exts})

# Markers of content a browser or an interpreter would run, found anywhere in a file that
# claims to be a PDF or an image: such polyglots are refused outright.
_ACTIVE_CONTENT = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed)\b|<\?php|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
# The chunks are scanned with their whitespace runs squeezed to one space: a marker is then at
# most a few bytes long, whatever whitespace it hides behind, and always fits in the overlap.
_WHITESPACE_RUN = re.compile(rb"\s+")
# A ZIP (or JAR, or Office file) appended to an image or PDF ends with this record.
_ZIP_END = b"PK\x05\x06"
# The same actions written anywhere in the file's uncompressed objects (e.g. an /OpenAction).
_PDF_ACTIVE_NAMES = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)\b")
# The file is scanned in chunks (Django keeps large uploads in a temporary file): only the
# decoded image of a photo is ever whole in memory, never the uploaded bytes.
_CHUNK = 1024 * 1024
_OVERLAP = 4096

TOO_LARGE_MESSAGE = _("Le fichier dépasse 10 Mo : réduisez-le (ou photographiez une seule page).")


@dataclass(frozen=True)
class CheckedFile:
    """What will be stored: a safe file (the upload itself for a PDF, the re-encoded JPEG for
    an image), its size, exact type and extension, and the original name."""

    file: File
    size: int
    content_type: str
    extension: str
    original_name: str

    @property
    def content(self) -> bytes:
        """The whole file (small files and tests: storing goes through `file` in chunks)."""
        self.file.seek(0)
        return self.file.read()


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (nothing big is kept in memory).

    Put first in `request.upload_handlers`; the view then finds `too_large` set and no file.
    """

    def __init__(self, request=None, *, limit: int = MAX_UPLOAD_SIZE):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Declared far too large: refuse without reading the body at all.
        if content_length and content_length > self.limit + 64 * 1024:
            self.too_large = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            # Declared too large: the rest of the body is not even read (the server closes
            # the connection).
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            # The rest is read and thrown away chunk by chunk, so the page can answer.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _refuse(message) -> ValidationError:
    return ValidationError(message, code="refused")


@dataclass
class _Scan:
    size: int = 0
    active_content: bool = False
    pdf_active_names: bool = False
    tail: bytes = b""


def _scan(uploaded) -> _Scan:
    """One pass over the file in overlapping chunks, reading at most the limit plus one byte."""
    found = _Scan()
    uploaded.seek(0)
    carry = b""
    while found.size <= MAX_UPLOAD_SIZE:
        chunk = uploaded.read(min(_CHUNK, MAX_UPLOAD_SIZE + 1 - found.size))
        if not chunk:
            break
        found.size += len(chunk)
        window = carry + _WHITESPACE_RUN.sub(b" ", chunk)
        found.active_content = found.active_content or bool(_ACTIVE_CONTENT.search(window))
        found.pdf_active_names = found.pdf_active_names or bool(_PDF_ACTIVE_NAMES.search(window))
        found.tail = (found.tail + chunk)[-65536:]
        carry = window[-_OVERLAP:]
    uploaded.seek(0)
    return found


def check_upload(uploaded) -> CheckedFile:
    """Checks an uploaded file, then has the antivirus scan it (`students.antivirus`, when
    `ANTIVIRUS_URL` is set); returns what may be stored, or raises."""
    checked = _check_content(uploaded)
    scan_upload(uploaded)
    return checked


def _check_content(uploaded) -> CheckedFile:
    """Checks an uploaded file's content; returns what may be stored, or raises."""
    if uploaded.size is not None and uploaded.size > MAX_UPLOAD_SIZE:
        raise _refuse(TOO_LARGE_MESSAGE)
    scan = _scan(uploaded)
    if not scan.size:
        raise _refuse(_("Le fichier est vide."))
    if scan.size > MAX_UPLOAD_SIZE:
        raise _refuse(TOO_LARGE_MESSAGE)

    content_type = magic.from_buffer(uploaded.read(65536), mime=True)
    uploaded.seek(0)
    if content_type not in ACCEPTED:
        raise _refuse(
            _(
                "Ce type de fichier n'est pas accepté. Envoyez un PDF ou une image JPEG "
                "(les photos PNG et HEIC sont aussi acceptées)."
            )
        )
    original_name = PurePath(uploaded.name or "").name[:255]
    extension = PurePath(original_name.lower()).suffix
    if extension not in ACCEPTED[content_type]:
        raise _refuse(
            _(
                "L'extension du fichier ne correspond pas à son contenu : renommez-le "
                "ou enregistrez-le de nouveau en PDF ou en JPEG."
            )
        )
    if scan.active_content or _ZIP_END in scan.tail:
        raise _refuse(_("Ce fichier contient du code ou un autre fichier caché : il est refusé."))

    if content_type == "application/pdf":
        _check_pdf(uploaded, active_names=scan.pdf_active_names)
        uploaded.seek(0)
        return CheckedFile(uploaded, scan.size, "application/pdf", ".pdf", original_name)
    jpeg = _reencode_image(uploaded)
    return CheckedFile(ContentFile(jpeg), len(jpeg), "image/jpeg", ".jpg", original_name)


def _check_pdf(uploaded, *, active_names: bool) -> None:
    try:
        reader = PdfReader(uploaded, strict=False)
        if reader.is_encrypted:
            raise _refuse(
                _("Ce PDF est protégé par un mot de passe : envoyez une version non protégée.")
            )
        if len(reader.pages) == 0:
            raise _refuse(_("Ce PDF ne contient aucune page."))
        if active_names or pdf_has_active_content(reader):
            raise _refuse(PDF_ACTIVE_CONTENT_MESSAGE)
        for page in reader.pages:
            page.mediabox  # noqa: B018 (each page must be readable)
    except ValidationError:
        raise
    # A hostile file can make the parser raise nearly anything (zlib, struct, recursion…):
    # whatever it is, the PDF is refused with a message, never a server error.
    except Exception as exc:
        raise _refuse(_("Ce PDF est illisible ou endommagé.")) from exc


# --- PDF active content ----------------------------------------------------------------------
# Every object of the PDF is walked (through pypdf, which decodes `#xx` escapes in names and
# opens object streams), wherever it sits: the catalog's /OpenAction, the /AA of the catalog,
# pages, annotations and form fields, the /Names trees, annotations' /A, /Next chains, and
# objects no other object points to. Any of these makes the PDF refused.

PDF_ACTIVE_CONTENT_MESSAGE = _(
    "Ce PDF contient du contenu actif (JavaScript, lancement de programme…) : enregistrez-le "
    "à nouveau en PDF simple (Imprimer > Enregistrer en PDF) puis déposez-le."
)
# Values of an action's /S.
_PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/RichMediaExecute",
        "/GoToE",
        # Opens another file, possibly on a network share (which leaks the reader's credentials).
        "/GoToR",
    }
)
# A link (/URI action) to a script or a local or network file, not to a web page.
_PDF_ACTIVE_URI = re.compile(
    r"[\x00-\x20]*(?:javascript|vbscript|data|file)\s*:|[\x00-\x20]*[\\/]{2}", re.I
)
# Values of /Type or /Subtype: embedded files, file attachment and rich media annotations.
_PDF_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia"})
# Keys: scripts (/JS, the /JavaScript name tree), embedded files (/EmbeddedFiles name tree,
# a file specification's /EF), XFA forms, rich media.
_PDF_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/EmbeddedFiles",
        "/EF",
        "/XFA",
        "/RichMediaContent",
        "/RichMediaSettings",
    }
)
# A bound on the work done for one file (a scanned 10 MB PDF has a few thousand objects).
_PDF_MAX_NODES = 2_000_000


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _is_active(dictionary: DictionaryObject) -> bool:
    if not _PDF_ACTIVE_KEYS.isdisjoint(dictionary.keys()):
        return True
    action = str(_resolved(dict.get(dictionary, "/S")))
    if action in _PDF_ACTIVE_ACTIONS:
        return True
    if action == "/URI":
        uri = _resolved(dict.get(dictionary, "/URI"))
        uri = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
        if _PDF_ACTIVE_URI.match(uri):
            return True
    return any(
        str(_resolved(dict.get(dictionary, key))) in _PDF_ACTIVE_TYPES
        for key in ("/Type", "/Subtype")
    )


def _every_object(reader: PdfReader):
    """The trailer, then every object of the cross-reference (object streams' included)."""
    yield reader.trailer
    for generation, entries in list(reader.xref.items()):
        for idnum in list(entries):
            yield IndirectObject(idnum, generation, reader)
    for idnum in list(reader.xref_objStm):
        yield IndirectObject(idnum, 0, reader)


def _objects_in_stream(stream: StreamObject, reader: PdfReader) -> list:
    """Every object an object stream holds, read from the stream itself: when pypdf rebuilds a
    broken cross-reference it does not list them, while another reader may still find them.
    A stream that does not decode raises (the PDF is then refused as unreadable)."""
    data = stream.get_data()
    first = int(stream["/First"])
    count = int(stream["/N"])
    numbers = data[:first].split()
    if count < 0 or len(numbers) < 2 * count:
        # pypdf decodes a damaged stream as nothing at all.
        raise _refuse(_("Ce PDF est illisible ou endommagé."))
    buffer = io.BytesIO(data)
    objects = []
    for offset in numbers[1 : 2 * count : 2]:
        buffer.seek(first + int(offset))
        objects.append(read_object(buffer, reader))
    return objects


def pdf_has_active_content(reader: PdfReader) -> bool:
    """Whether any object of the PDF is a script, an action that runs or sends something, an
    embedded file, rich media or an XFA form. Walked without recursion, each indirect object
    once (reference cycles end)."""
    seen: set[tuple[int, int]] = set()
    stack = list(_every_object(reader))
    stack.reverse()
    nodes = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        nodes += 1
        if nodes > _PDF_MAX_NODES:
            raise _refuse(_("Ce PDF est illisible ou endommagé."))
        if isinstance(item, DictionaryObject):  # streams included (their dictionary)
            if _is_active(item):
                return True
            stack.extend(dict.values(item))
            if isinstance(item, StreamObject) and _resolved(dict.get(item, "/Type")) == "/ObjStm":
                stack.extend(_objects_in_stream(item, reader))
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))
    return False


# WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES to True when it is imported (billing
# renders PDFs in the same process), which would let a truncated upload through padded with
# grey. Decoding an upload switches it off for that call, under a lock.
_TRUNCATION_FLAG_LOCK = threading.Lock()


def _load_whole(image) -> None:
    with _TRUNCATION_FLAG_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _limit_decoded_pixels(image) -> None:
    """From the header alone (nothing decoded yet): refuses an image that would decode to more
    than MAX_DECODED_PIXELS, or has a JPEG decoded at a reduced scale that fits."""
    width, height = image.size
    if width * height <= MAX_DECODED_PIXELS:
        return
    if isinstance(image, JpegImagePlugin.JpegImageFile) and width * height <= MAX_IMAGE_PIXELS:
        image.draft(None, ((width + 1) // 2, (height + 1) // 2))
        width, height = image.size
        if width * height <= MAX_DECODED_PIXELS:
            return
    raise _refuse(_("Cette image est trop grande (nombre de pixels)."))


def _reencode_image(uploaded) -> bytes:
    """Decodes the whole image and writes a fresh JPEG: no metadata, no trailing data.

    Read from the uploaded file, turned upright in place, and encoded without Huffman
    optimisation (which buffers every coefficient of the image: as much memory again as the
    decoded image, for a slightly smaller file).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                _limit_decoded_pixels(image)
                _load_whole(image)
                ImageOps.exif_transpose(image, in_place=True)
                if image.mode != "RGB":
                    image = image.convert("RGB")
                output = io.BytesIO()
                image.save(output, "JPEG", quality=JPEG_QUALITY)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(_("Cette image est trop grande (nombre de pixels).")) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise _refuse(_("Cette image est incomplète ou endommagée.")) from exc
    return output.getvalue()
