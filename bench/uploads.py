"""Uploads over HTTP for `make bench`: a logged-in family sends a 10 MB PDF and a 12 MP JPEG
through its student's page (multipart, CSRF token, the real upload view), while the memory of
the gunicorn worker that serves the request is watched.

Peak memory is the kernel's own high-water mark: VmHWM of /proc/<pid>/status, reset to the
current RSS just before the request (`echo 5 > /proc/<pid>/clear_refs`), read just after. The
worker that served the request is the one whose CPU time moved.
"""

import io
import re
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path


def sample_pdf() -> bytes:
    """A valid ~10 MB PDF (3 pages; a long metadata string makes it big)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Subject": "x" * (10 * 1024 * 1024 - 100_000)})
    pdf = io.BytesIO()
    writer.write(pdf)
    return pdf.getvalue()


def sample_jpeg() -> bytes:
    """A 12 MP (4000 x 3000) photo; noise makes it as large as a JPEG of that size gets."""
    from PIL import Image

    photo = io.BytesIO()
    Image.effect_noise((4000, 3000), 64).convert("RGB").save(photo, "JPEG", quality=90)
    return photo.getvalue()


def workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(rf"^PPid:\s+{master}$", status.read_text(), re.MULTILINE):
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


def memory_kb(pid: int) -> dict:
    text = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE).group(1))
        for key in ("VmRSS", "VmHWM")
    }


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def multipart(fields: dict, file_field: str, filename: str, content: bytes, content_type: str):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
    )
    parts.append(content)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(
    session, base_url: str, master: int, target: dict, name: str, content: bytes, content_type: str
) -> dict:
    """One upload by `session` (a logged-in family); the serving worker's memory and the time."""
    html = session.opener.open(base_url + target["page"]).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body, header = multipart(
        {"csrfmiddlewaretoken": token, **target["fields"]},
        target["file_field"],
        name,
        content,
        content_type,
    )
    request = urllib.request.Request(
        base_url + target["action"],
        data=body,
        headers={"Content-Type": header, "Referer": base_url + target["page"]},
    )
    pids = workers(master)
    before = {}
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        before[pid] = (memory_kb(pid)["VmRSS"], cpu_ticks(pid))
    started = time.perf_counter()
    try:
        response = session.opener.open(request)
        status, location = response.status, None
    except urllib.error.HTTPError as exc:  # the 302 after a successful upload (no redirects)
        status, location = exc.code, exc.headers.get("Location")
    elapsed = time.perf_counter() - started
    after = {pid: (memory_kb(pid)["VmHWM"], cpu_ticks(pid)) for pid in pids}
    served_by = max(pids, key=lambda pid: after[pid][1] - before[pid][1])
    accepted = False
    if status == 302 and location:
        page = session.opener.open(base_url + location.split("#")[0]).read().decode()
        accepted = "Document reçu" in page
    return {
        "file": name,
        "bytes": len(content),
        "status": status,
        "accepted": accepted,
        "seconds": elapsed,
        "worker": served_by,
        "baseline_rss_mb": before[served_by][0] / 1024,
        "peak_rss_mb": after[served_by][0] / 1024,
    }


def measure(sessions_for, base_url: str, master: int, targets: list[dict]) -> list[dict]:
    """`sessions_for(username)` logs a family in; one upload per target (a PDF, then a JPEG)."""
    files = [
        ("justificatif.pdf", sample_pdf(), "application/pdf"),
        ("photo.jpg", sample_jpeg(), "image/jpeg"),
    ]
    return [
        upload(sessions_for(target["username"]), base_url, master, target, *file)
        for target, file in zip(targets, files, strict=False)
    ]


def describe(result: dict) -> tuple[str, str]:
    kind = "PDF" if result["file"].endswith(".pdf") else "12 MP JPEG"
    label = f"Upload over HTTP of a {result['bytes'] / 1e6:.1f} MB {kind}"
    outcome = "accepted" if result["accepted"] else f"NOT accepted (HTTP {result['status']})"
    return label, (
        f"{result['seconds'] * 1000:.0f} ms, worker RSS {result['baseline_rss_mb']:.0f} MB "
        f"before, peak {result['peak_rss_mb']:.0f} MB "
        f"(+{result['peak_rss_mb'] - result['baseline_rss_mb']:.0f} MB), {outcome}"
    )
