"""Demo billing for the demo family: two seasons of invoices, a credit note and payments.

Idempotent: nothing is added once the family has issued invoices (issued documents are never
changed, so a second run must not re-issue them).
"""

from datetime import date
from decimal import Decimal

from billing import services
from billing.models import Invoice, PaymentMode
from students.models import Discipline, Season

FEES = {
    "Piano": Decimal("186.00"),
    "Violon": Decimal("186.00"),
    "Formation musicale": Decimal("66.00"),
    "Danse classique": Decimal("142.00"),
    "Danse contemporaine": Decimal("142.00"),
}


def seed_demo(family) -> list[str]:
    if Invoice.objects.filter(family=family, number__isnull=False).exists():
        return ["Facturation : déjà créée"]
    previous, _ = Season.objects.get_or_create(
        name="2025-2026",
        defaults={"starts_on": date(2025, 9, 1), "ends_on": date(2026, 6, 30)},
    )
    current = Season.objects.current()
    students = {student.first_name: student for student in family.students.all()}
    disciplines = {discipline.name: discipline for discipline in Discipline.objects.all()}
    # The migration creates the usual modes; a flushed database (tests) may have lost them.
    modes = {
        name: PaymentMode.objects.get_or_create(name=name)[0]
        for name in ("Chèque", "Chèques vacances ANCV", "Carte bancaire", "Virement", "Espèces")
    }

    def line(first_name: str, discipline: str) -> services.LineData:
        student = students.get(first_name)
        return services.LineData(
            label=f"Cotisation {discipline}",
            amount=FEES[discipline],
            student=student,
            discipline=disciplines.get(discipline),
        )

    old = services.create_draft_invoice(
        family=family,
        season=previous,
        label="Cotisations 2025-2026",
        due_on=date(2025, 12, 15),
        lines=[
            line("Léa", "Piano"),
            line("Léa", "Formation musicale"),
            line("Inès", "Danse classique"),
        ],
    )
    old = services.issue_invoice(invoice=old, issued_on=date(2025, 11, 19))
    services.record_payment(
        family=family,
        received_on=date(2025, 12, 2),
        mode=modes["Chèque"],
        amount=Decimal("200.00"),
        reference="Chèque n° 1234567",
        invoices=[old],
    )
    services.record_payment(
        family=family,
        received_on=date(2026, 1, 10),
        mode=modes["Chèques vacances ANCV"],
        amount=Decimal("194.00"),
        reference="ANCV 5 × 20 € + 94 €",
        invoices=[old],
    )
    new = services.create_draft_invoice(
        family=family,
        season=current,
        label=f"Cotisations {current.name}" if current else "Cotisations",
        due_on=date(2026, 12, 15),
        lines=[
            line("Léa", "Piano"),
            line("Léa", "Formation musicale"),
            line("Hugo", "Violon"),
            line("Hugo", "Formation musicale"),
            line("Inès", "Danse classique"),
        ],
    )
    new = services.issue_invoice(invoice=new, issued_on=date(2026, 10, 5))
    services.issue_credit_note(
        invoice=new,
        lines=[
            services.LineData(
                label="Remise famille (3 élèves) — 10 % sur la FM", amount=Decimal("13.20")
            )
        ],
        issued_on=date(2026, 10, 12),
    )
    services.record_payment(
        family=family,
        received_on=date(2026, 10, 20),
        mode=modes["Carte bancaire"],
        amount=Decimal("300.00"),
        reference="Secrétariat",
        invoices=[new],
    )
    return ["Facturation : 2 factures, 1 avoir, 3 règlements"]
