"""The backup and restore of docs/backup.md, database-agnostic: `dumpdata` with natural keys plus
a tar of MEDIA_ROOT, a wipe, then `loaddata` and the tar back. Everything must match: rows per
model, ledger totals, last numbers and the SHA-256 of every private file."""

import hashlib
import shutil
import tarfile
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, Sum

from accounts.models import User
from billing import services
from billing.ledger import totals
from billing.models import DocumentCounter, Invoice, Payment
from families.models import Family
from tests.billing.factories import draft_invoice
from tests.conftest import log_in
from tests.demo import seed_demo

# As in docs/backup.md: rebuilt by `migrate` (content types, permissions) or not worth keeping.
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in {"contenttypes", "sessions"}
        and model._meta.label != "auth.Permission"
    }


def _ledger() -> dict:
    issued = Invoice.objects.filter(number__isnull=False)
    return {
        "families": {family.pk: totals(family) for family in Family.objects.all()},
        "billed": issued.filter(kind="FAC").aggregate(total=Sum("total"))["total"],
        "credited": issued.filter(kind="AV").aggregate(total=Sum("total"))["total"],
        "paid": Payment.objects.aggregate(total=Sum("amount"))["total"],
        "last_numbers": {
            kind: issued.filter(kind=kind).aggregate(last=Max("number"))["last"]
            for kind in ("FAC", "AV")
        }
        | {"REG": Payment.objects.aggregate(last=Max("number"))["last"]},
        "counters": sorted(DocumentCounter.objects.values_list("kind", "year", "last_number")),
    }


def _file_hashes(root) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _stored_hashes() -> dict[str, str]:
    """The hashes the database holds for the PDFs it issued."""
    return {
        document.pdf.name: document.pdf_sha256
        for model in (Invoice, Payment)
        for document in model.objects.exclude(pdf="")
    }


def _load(dump) -> None:
    """`loaddata`, on PostgreSQL with triggers off for the session, as docs/backup.md says
    (PGOPTIONS there): the immutability triggers refuse the lines of an issued invoice."""
    replica = connection.vendor == "postgresql"
    if replica:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        call_command("loaddata", str(dump), verbosity=0)
    finally:
        if replica:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def _snapshot(media_root) -> dict:
    return {"counts": _counts(), "ledger": _ledger(), "files": _file_hashes(media_root)}


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_total_number_and_file(settings, tmp_path, client):
    seed_demo(settings)
    media_root = settings.MEDIA_ROOT
    before = _snapshot(media_root)
    assert before["counts"]["billing.Invoice"] >= 3 and before["counts"]["students.Document"] >= 3
    assert before["ledger"]["last_numbers"]["FAC"] is not None
    stored = _stored_hashes()
    assert stored and all(before["files"][name] == sha for name, sha in stored.items())

    # Backup: the database with natural keys, then the private files.
    dump = tmp_path / "backup" / "portail.json"
    dump.parent.mkdir()
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        use_base_manager=True,
        exclude=EXCLUDED,
        indent=None,
        output=str(dump),
        verbosity=0,
    )
    archive = dump.parent / "private.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(media_root, arcname="private")

    # The disaster: the database is emptied and the files are gone.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root)
    assert not User.objects.exists() and not Invoice.objects.exists()

    # Restore: the files back, then the rows.
    with tarfile.open(archive) as tar:
        tar.extractall(media_root.parent, filter="data")
    _load(dump)

    after = _snapshot(media_root)
    assert after["counts"] == before["counts"]
    assert after["ledger"] == before["ledger"]
    assert after["files"] == before["files"]
    assert all(after["files"][name] == sha for name, sha in _stored_hashes().items())

    # The restored portal works: the family logs in and downloads a PDF identical to the
    # stored one; the next invoice continues the numbering (counters and sequences restored).
    log_in(client, "demo", "Demo-Portail-2026")
    invoice = Invoice.objects.filter(kind="FAC", number__isnull=False).first()
    response = client.get(f"/facturation/{invoice.number}.pdf")
    assert response.status_code == 200
    assert hashlib.sha256(response.getvalue()).hexdigest() == invoice.pdf_sha256
    family = User.objects.get(username="demo").family
    last = int(before["ledger"]["last_numbers"]["FAC"][-4:])
    year = int(before["ledger"]["last_numbers"]["FAC"][:4])
    draft = draft_invoice(family, "10.00")
    issued = services.issue_invoice(invoice=draft, issued_on=date(year, 12, 1))
    assert issued.number == f"{year}FAC{last + 1:04d}"
