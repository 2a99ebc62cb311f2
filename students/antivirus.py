"""Scanning uploads with ClamAV's daemon (clamd), through its INSTREAM protocol.

`ANTIVIRUS_URL` says where clamd listens (`tcp://host:port` or `unix:///path`); empty, nothing
is scanned (the demo). When it is set, a file is stored only once clamd has answered that it is
clean: a virus, and equally a daemon that is down, times out or answers with an error, refuse
the upload with a French message, and the event goes to the `portal.security` log.

The protocol (clamd(8)): send `zINSTREAM\\0`, then the file in chunks, each prefixed by its
length as a 4-byte big-endian integer, then a zero length; clamd answers `stream: OK`,
`stream: <signature> FOUND` or `<reason> ERROR`, ended by a NUL byte.
"""

import logging
import socket
import struct
import time
from pathlib import PurePath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("portal.security")

_CHUNK = 64 * 1024
_MAX_REPLY = 4096

VIRUS_MESSAGE = _(
    "Ce fichier contient un virus ou un contenu malveillant (%(signature)s) : "
    "il n'a pas été enregistré."
)
UNAVAILABLE_MESSAGE = _("L'analyse antivirus est momentanément indisponible : réessayez plus tard.")


class AntivirusError(Exception):
    """clamd could not give a verdict (unreachable, timeout, error answer)."""


def _connect(url: str, deadline: float) -> socket.socket:
    parts = urlsplit(url)
    remaining = max(deadline - time.monotonic(), 0.001)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(remaining)
        try:
            sock.connect(parts.path)
        except OSError:
            sock.close()
            raise
        return sock
    if parts.scheme == "tcp" and parts.hostname:
        return socket.create_connection((parts.hostname, parts.port or 3310), timeout=remaining)
    raise AntivirusError(f"unsupported ANTIVIRUS_URL {url!r}")


def scan_stream(file, *, url: str, timeout: float) -> str | None:
    """Sends `file` (from its start) to clamd: None when clean, else the signature's name.

    Raises `AntivirusError` or `OSError` (including timeouts) when there is no verdict;
    `timeout` bounds the whole exchange, not each read.
    """
    deadline = time.monotonic() + timeout

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("antivirus scan took too long")
        return left

    file.seek(0)
    with _connect(url, deadline) as sock:
        sock.settimeout(remaining())
        sock.sendall(b"zINSTREAM\0")
        while chunk := file.read(_CHUNK):
            sock.settimeout(remaining())
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.settimeout(remaining())
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0") and len(reply) < _MAX_REPLY:
            sock.settimeout(remaining())
            data = sock.recv(_MAX_REPLY)
            if not data:
                break
            reply += data
    file.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer == "stream: OK":
        return None
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return answer.removeprefix("stream: ").removesuffix(" FOUND").strip() or "?"
    raise AntivirusError(f"unexpected answer from clamd: {answer[:200]!r}")


def scan_upload(uploaded) -> None:
    """Refuses (`ValidationError`) an upload that clamd finds infected or cannot scan.

    Does nothing when `ANTIVIRUS_URL` is empty.
    """
    url = settings.ANTIVIRUS_URL
    if not url:
        return
    name = PurePath(uploaded.name or "").name[:255]
    try:
        signature = scan_stream(uploaded, url=url, timeout=settings.ANTIVIRUS_TIMEOUT)
    except (AntivirusError, OSError) as exc:
        log.error("upload refused, antivirus unavailable: file=%r error=%s", name, exc)
        raise ValidationError(UNAVAILABLE_MESSAGE, code="antivirus_unavailable") from exc
    if signature is not None:
        log.warning("upload refused, virus found: signature=%s file=%r", signature, name)
        raise ValidationError(VIRUS_MESSAGE, code="virus", params={"signature": signature})
