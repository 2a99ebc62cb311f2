"""Issue 13 item 2: every upload is scanned by ClamAV's daemon before it is stored.

The tests start their own clamd (`/usr/sbin/clamd`, Debian's `clamav-daemon`) on a free port
and a socket in a temporary folder, with one local test signature that matches the EICAR test
string (signature downloads are not available in CI). Without clamd these tests are skipped,
unless REQUIRE_ANTIVIRUS=1, REQUIRE_BROWSER=1 or CI=true, which make that an error.
"""

import html
import io
import logging
import os
import runpy
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

from reenrolment.models import Requirement
from students import antivirus
from students.models import Document
from tests.reenrolment.factories import RequirementFactory
from tests.students.factories import image_bytes, music_student, pdf_bytes, upload

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Portail.Test.EICAR"
# clamd names a signature of a database it did not get from ClamAV with this suffix.
FOUND = f"{SIGNATURE}.UNOFFICIAL"
VIRUS = "Ce fichier contient un virus ou un contenu malveillant ({}) : il n'a pas été enregistré."
UNAVAILABLE = "L'analyse antivirus est momentanément indisponible : réessayez plus tard."


def _required() -> bool:
    return (
        os.environ.get("REQUIRE_ANTIVIRUS") == "1"
        or os.environ.get("REQUIRE_BROWSER") == "1"
        or os.environ.get("CI", "").lower() == "true"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pong(url: str) -> bool:
    try:
        with antivirus._connect(url, time.monotonic() + 1) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16) == b"PONG\0"
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A clamd of our own, with only the test signature: yields its tcp:// and unix:// URLs."""
    if not Path(CLAMD).exists():
        message = f"{CLAMD} is missing (apt-get install clamav-daemon)"
        if _required():
            pytest.fail(f"REQUIRE_ANTIVIRUS/REQUIRE_BROWSER/CI set but {message}")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("clamd")
    database = folder / "db"
    database.mkdir()
    # A body signature (.ndb): any file type, anywhere in the file, the EICAR string's bytes.
    (database / "portail-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    port = _free_port()
    local_socket = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"LocalSocket {local_socket}",
                f"DatabaseDirectory {database}",
                f"LogFile {folder / 'clamd.log'}",
                f"PidFile {folder / 'clamd.pid'}",
                "MaxThreads 2",
                "",
            ]
        )
    )
    output = open(folder / "clamd.out", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [CLAMD, f"--config-file={config}"], stdout=output, stderr=subprocess.STDOUT
    )
    tcp, unix = f"tcp://127.0.0.1:{port}", f"unix://{local_socket}"
    try:
        deadline = time.monotonic() + 30
        while not (_pong(tcp) and _pong(unix)):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "clamd.out").read_text(errors="replace")[-2000:]
                pytest.fail(f"clamd did not start:\n{log}")
            time.sleep(0.05)
        yield {"tcp": tcp, "unix": unix}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test gets its own private folder (this folder's conftest shares one per module)."""
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }


@pytest.fixture
def security_log(caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        yield lambda: [r.getMessage() for r in caplog.records if r.name == "portal.security"]


def eicar_pdf() -> bytes:
    """A valid one-page PDF whose (uncompressed) page content carries the EICAR string in a
    comment: it passes every other check of the upload pipeline."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    content = StreamObject()
    content.set_data(b"% " + EICAR + b"\nq Q\n")
    page[NameObject("/Contents")] = writer._add_object(content)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _post_address(client, student, file):
    return client.post(
        f"/eleves/{student.pk}/documents/address/",
        {"address-document_date": timezone.localdate().isoformat(), "address-file": file},
    )


def _stored_files() -> list[str]:
    try:
        return default_storage.listdir("documents")[1]
    except FileNotFoundError:
        return []


def _page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_a_pdf_carrying_the_eicar_string_is_refused_logged_and_not_stored(
    family_client, family, settings, clamd, security_log, transport
):
    settings.ANTIVIRUS_URL = clamd[transport]
    student = music_student(family)
    response = _post_address(family_client, student, upload("facture.pdf", eicar_pdf()))
    assert response.status_code == 400
    assert VIRUS.format(FOUND) in _page_text(response)
    assert not Document.objects.exists()
    assert _stored_files() == []
    assert f"upload refused, virus found: signature={FOUND} file='facture.pdf'" in (security_log())


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("facture.pdf", pdf_bytes(), "application/pdf"), ("photo.jpg", image_bytes(), "image/jpeg")],
)
def test_a_clean_file_is_scanned_then_stored(
    family_client, family, settings, clamd, monkeypatch, name, content, content_type
):
    settings.ANTIVIRUS_URL = clamd["tcp"]
    verdicts = []
    scan_stream = antivirus.scan_stream

    def spy(file, **kwargs):
        verdicts.append(scan_stream(file, **kwargs))
        return verdicts[-1]

    monkeypatch.setattr(antivirus, "scan_stream", spy)
    student = music_student(family)
    response = _post_address(family_client, student, upload(name, content))
    assert response.status_code == 302
    assert verdicts == [None]  # clamd answered "stream: OK"
    document = Document.objects.get()
    assert document.content_type == content_type
    assert default_storage.exists(document.file.name)


def test_a_daemon_that_is_down_refuses_the_upload(family_client, family, settings, security_log):
    settings.ANTIVIRUS_URL = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    student = music_student(family)
    response = _post_address(family_client, student, upload("facture.pdf", pdf_bytes()))
    assert response.status_code == 400
    assert UNAVAILABLE in _page_text(response)
    assert not Document.objects.exists()
    assert _stored_files() == []
    assert any(
        line.startswith("upload refused, antivirus unavailable: file='facture.pdf'")
        for line in security_log()
    )


def test_a_daemon_that_does_not_answer_times_out_and_refuses(
    family_client, family, settings, security_log
):
    with socket.socket() as silent:  # accepts connections (backlog), never reads nor answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.ANTIVIRUS_URL = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        settings.ANTIVIRUS_TIMEOUT = 1
        student = music_student(family)
        started = time.monotonic()
        response = _post_address(family_client, student, upload("facture.pdf", pdf_bytes()))
        assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert UNAVAILABLE in _page_text(response)
    assert not Document.objects.exists()
    assert _stored_files() == []
    assert any("antivirus unavailable" in line for line in security_log())


def test_without_antivirus_url_nothing_is_scanned(family_client, family, settings, monkeypatch):
    settings.ANTIVIRUS_URL = ""

    def no_scan(*args, **kwargs):
        raise AssertionError("scanned although ANTIVIRUS_URL is empty")

    monkeypatch.setattr(antivirus, "scan_stream", no_scan)
    student = music_student(family)
    response = _post_address(family_client, student, upload("facture.pdf", eicar_pdf()))
    assert response.status_code == 302
    assert Document.objects.count() == 1


def test_the_reglement_staff_upload_is_scanned_too(staff_client, settings, clamd, security_log):
    settings.ANTIVIRUS_URL = clamd["tcp"]
    requirement = RequirementFactory()
    response = staff_client.post(
        f"/admin/reenrolment/requirement/{requirement.pk}/change/",
        {
            "name": requirement.name,
            "text": requirement.text,
            "url": "",
            "document": upload("reglement.pdf", eicar_pdf()),
        },
    )
    assert response.status_code == 200
    assert VIRUS.format(FOUND) in _page_text(response)
    assert not Requirement.objects.get().document
    assert any(f"signature={SIGNATURE}" in line for line in security_log())


def test_the_setting_is_off_by_default_and_checked(monkeypatch):
    settings_file = str(Path(__file__).resolve().parents[2] / "portal" / "settings.py")
    monkeypatch.delenv("ANTIVIRUS_URL", raising=False)
    assert runpy.run_path(settings_file)["ANTIVIRUS_URL"] == ""
    monkeypatch.setenv("ANTIVIRUS_URL", "unix:///run/clamav/clamd.ctl")
    assert runpy.run_path(settings_file)["ANTIVIRUS_URL"] == "unix:///run/clamav/clamd.ctl"
    monkeypatch.setenv("ANTIVIRUS_URL", "http://127.0.0.1:3310")
    with pytest.raises(ImproperlyConfigured, match="ANTIVIRUS_URL"):
        runpy.run_path(settings_file)
