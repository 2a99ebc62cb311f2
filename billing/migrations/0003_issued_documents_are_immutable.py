"""On PostgreSQL, the database itself refuses to change or delete an issued document.

The application never does (issued documents are read-only in admin, and `delete()` refuses),
but these triggers also stop a stray script or a manual UPDATE. SQLite (development and tests)
relies on the application alone: its test flushes delete rows one by one.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION billing_refuse_issued_invoice_change() RETURNS trigger AS $$
BEGIN
    IF OLD.number IS NOT NULL THEN
        RAISE EXCEPTION 'issued document % cannot be changed or deleted', OLD.number;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_issued_invoice_change();

CREATE FUNCTION billing_refuse_issued_line_change() RETURNS trigger AS $$
DECLARE
    issued_number varchar;
BEGIN
    SELECT number INTO issued_number FROM billing_invoice
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END;
    IF issued_number IS NOT NULL THEN
        RAISE EXCEPTION 'lines of issued document % cannot be changed', issued_number;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoiceline_immutable BEFORE INSERT OR UPDATE OR DELETE
    ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_issued_line_change();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_refuse_issued_line_change();
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_refuse_issued_invoice_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_default_payment_modes")]

    operations = [migrations.RunPython(create, drop)]
