"""Median time to render one invoice PDF with WeasyPrint (the invoice of `seed_demo`).

Run after `make run` (or `manage.py migrate && DEBUG=1 manage.py seed_demo`):
    DEBUG=1 .venv/bin/python bench/billing_pdf.py [runs]
Nothing is written: the PDF is rendered in memory only.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from billing import pdf  # noqa: E402
from billing.models import Invoice  # noqa: E402
from portal.models import Centre  # noqa: E402


def main(runs: int) -> None:
    invoice = Invoice.objects.filter(kind="FAC", number__isnull=False).order_by("-pk").first()
    if invoice is None:
        sys.exit("No issued invoice: run `DEBUG=1 python manage.py seed_demo` first.")
    centre = Centre.objects.current()
    pdf.render_invoice(invoice, centre=centre)  # warm-up: fonts and templates load once
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        _name, _mimetype, data = pdf.render_invoice(invoice, centre=centre)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"invoice {invoice.number} ({invoice.lines.count()} lines, {len(data)} bytes): "
        f"median {statistics.median(timings):.0f} ms, min {min(timings):.0f} ms, "
        f"max {max(timings):.0f} ms over {runs} renders"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
