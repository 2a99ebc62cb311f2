"""In-process probe for `make bench`: which paths each family's pages have, and each page's
size and query count (for a family with 1 student and one with 8). Prints JSON."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.seed import BENCH_PASSWORD  # noqa: E402
from portal.management.commands.seed_demo import ADMIN_PASSWORD  # noqa: E402


def staff_device():
    """The demo admin's second factor for the benchmark: a known TOTP device (the bench's own
    database only), whose key the HTTP sessions of bench/run.py use to pass the code step."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = User.objects.get(username="admin")
    device = TOTPDevice.objects.filter(user=admin, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)


def staff_login(client, user):
    """force_login, then the session marked as having passed the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_device().persistent_id
    session.save()


def try_reverse(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def first_student_path(user):
    student = user.family.students.order_by("pk").first()
    return try_reverse("students:detail", pk=student.pk) if student else None


def first_invoice_pdf(user):
    try:
        from billing.models import Invoice
    except ImportError:
        return None
    invoice = (
        Invoice.objects.filter(family=user.family, number__isnull=False).order_by("pk").first()
    )
    return try_reverse("billing:pdf", number=invoice.number) if invoice else None


PAGES = [
    ("Accueil", lambda u: "/accueil/", False),
    ("Famille", lambda u: "/famille/", False),
    ("Élèves", lambda u: "/eleves/", False),
    ("Un élève", first_student_path, False),
    ("Réinscription", lambda u: "/reinscription/", False),
    ("Facturation", lambda u: "/facturation/", False),
    ("Facture PDF", first_invoice_pdf, False),
    ("Admin : recherche de famille", lambda u: "/admin/families/family/?q=Martin", True),
    ("Admin : recherche de famille (rare)", lambda u: "/admin/families/family/?q=Kergoat+Zo", True),
    ("Admin : documents à vérifier", lambda u: "/admin/students/documenttoreview/", True),
]


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def login_timing(known: str, runs: int = 15) -> tuple[dict, dict]:
    """A wrong password for a known identifiant vs an unknown identifiant, interleaved: the
    answer must take the same time (no account enumeration). Each attempt comes from its own
    loopback address, so that the lock-out after 5 failures never shortens one."""
    times = {"known": [], "unknown": []}
    for attempt in range(runs * 2):
        kind = "known" if attempt % 2 == 0 else "unknown"
        client = Client(REMOTE_ADDR=f"127.0.{attempt // 250}.{attempt % 250 + 1}")
        username = known if kind == "known" else f"personne.inconnue{attempt}"
        started = time.perf_counter()
        response = client.post("/connexion/", {"username": username, "password": "Faux-2026!x"})
        times[kind].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    known_ms, unknown_ms = (statistics.median(times[k]) for k in ("known", "unknown"))
    line = {
        f"Failed login, median of {runs} (in-process): known identifiant vs unknown": (
            f"{known_ms:.0f} ms vs {unknown_ms:.0f} ms "
            f"({(unknown_ms - known_ms) / known_ms * 100:+.1f} %; target within 10 %)"
        )
    }
    return line, {"login_known_ms": known_ms, "login_unknown_ms": unknown_ms}


def extras(typical) -> tuple[dict, dict]:
    """PDF rendering vs serving (uploads are measured over HTTP, see bench/uploads.py), and one
    admin family search at a time (the target: under 200 ms at 100 000 families). Returns the
    lines for results.md and the figures the verdicts are drawn from."""
    from billing.models import Invoice
    from billing.pdf import render_invoice
    from portal.models import Centre

    found, measures = {}, {"admin_search_ms": {}}
    staff = Client()
    staff_login(staff, User.objects.get(username="admin"))
    for query in ("Martin", "Kergoat Zo"):
        path = f"/admin/families/family/?q={query.replace(' ', '+')}"
        search = median_ms(lambda path=path: staff.get(path), 7)
        found[f'Admin family search "{query}", one request at a time (in-process, median of 7)'] = (
            f"{search:.0f} ms"
        )
        measures["admin_search_ms"][query] = search
    line, timings = login_timing(typical.username)
    found.update(line)
    measures.update(timings)
    invoice = Invoice.objects.filter(family=typical.family, number__isnull=False).first()
    if invoice is not None:
        centre = Centre.objects.current()
        render = median_ms(lambda: render_invoice(invoice, centre=centre), 20)
        client = Client()
        client.force_login(typical)
        path = reverse("billing:pdf", kwargs={"number": invoice.number})

        def download():
            response = client.get(path)
            return b"".join(response.streaming_content) if response.streaming else response.content

        serve = median_ms(download, 20)
        found["Invoice PDF: WeasyPrint render, median of 20"] = f"{render:.0f} ms"
        found["Invoice PDF: serving the stored file, median of 20 (in-process)"] = f"{serve:.1f} ms"
    return found, measures


def upload_targets(count: int = 2) -> list[dict]:
    """Generated families (not among the load's sessions) with a document they may upload
    through their student's page, one for each measured upload."""
    from datetime import timedelta

    from django.utils import timezone

    from students.checklist import ADDRESS, build_checklist
    from students.models import DocumentKind

    targets = []
    users = User.objects.filter(username__startswith="bench").select_related("family")
    for user in users.order_by("-username")[:500]:
        item = next((i for i in build_checklist(user.family).items if i.can_upload), None)
        if item is None:
            continue
        if item.requirement == ADDRESS:
            extra = {"document_date": (timezone.localdate() - timedelta(days=10)).isoformat()}
        else:
            extra = {"kind": DocumentKind.HEALTH_STATEMENT}
        targets.append(
            {
                "username": user.username,
                "page": reverse("students:detail", args=[item.page_student.pk]),
                "action": reverse(
                    "students:upload_document", args=[item.page_student.pk, item.requirement]
                ),
                "fields": {f"{item.key}-{name}": value for name, value in extra.items()},
                "file_field": f"{item.key}-file",
            }
        )
        if len(targets) == count:
            break
    return targets


def measure(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    size = len(body)
    return len(queries), size


def main():
    families = (
        User.objects.filter(username__startswith="bench")
        .annotate(students=Count("family__students"))
        .order_by("username")
    )
    # 200 families spread over the whole range, not the first 200 created: at 100 000 families
    # their rows are scattered over the tables as a real family's are.
    every = list(
        User.objects.filter(username__startswith="bench")
        .order_by("username")
        .values_list("username", flat=True)
    )
    usernames = every[:: max(len(every) // 200, 1)][:200]
    small = families.filter(students=1).first()
    large = families.filter(students=8).first()
    typical = families.filter(students__gte=2).first() or small
    admin = User.objects.get(username="admin")
    client = Client()
    pages = []
    by_name = {
        u.username: u for u in User.objects.filter(username__in=usernames).select_related("family")
    }
    for name, path_for, staff in PAGES:
        entry = {"name": name, "staff": staff, "paths": {}}
        for username in usernames:
            path = path_for(by_name[username]) if not staff else path_for(admin)
            if path:
                entry["paths"][username] = path
        if not entry["paths"]:
            continue
        counts = {}
        for label, user in (("typical", typical), ("small", small), ("large", large)):
            if staff:
                staff_login(client, admin)
            else:
                client.force_login(user)
            path = path_for(admin if staff else user)
            counts[label] = measure(client, path) if path else (None, 0)
        entry["queries"], entry["bytes"] = counts["typical"]
        entry["queries_small"] = counts["small"][0]
        entry["queries_large"] = counts["large"][0]
        pages.append(entry)
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/connexion/", {"username": usernames[0], "password": BENCH_PASSWORD}
        )
    assert response.status_code == 302, response.status_code
    pages.append(
        {
            "name": "Connexion (POST)",
            "staff": False,
            "absolute": True,
            "paths": {u: "/connexion/" for u in usernames},
            "queries": len(queries),
            "queries_small": len(queries),
            "queries_large": len(queries),
            "bytes": 0,
        }
    )
    client.force_login(typical)
    reference_queries, _ = measure(client, "/_bench/reference/?queries=0&bytes=1000")
    extra, measures = extras(typical)
    print(
        json.dumps(
            {
                "usernames": usernames,
                "password": BENCH_PASSWORD,
                "admin_password": ADMIN_PASSWORD,
                "admin_totp_key": staff_device().key,
                "pages": pages,
                "reference_base_queries": reference_queries,
                "extra": extra,
                "measures": measures,
                "uploads": upload_targets(),
            }
        )
    )


main()
