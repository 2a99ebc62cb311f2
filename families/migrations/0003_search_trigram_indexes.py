"""Trigram indexes for the admin's family search on PostgreSQL (no-op on SQLite).

Django's `icontains` on PostgreSQL is `UPPER(col::text) LIKE UPPER('%word%')`; a GIN trigram
index on that expression answers it without reading the whole table. Creating the pg_trgm
extension needs a role allowed to (the database owner on PostgreSQL ≥ 13, where it is trusted).
"""

from django.db import migrations

INDEXES = [
    ("families_family", "name"),
    ("families_family", "city"),
    ("families_family", "reference_email"),
    ("families_responsable", "last_name"),
    ("families_responsable", "first_name"),
    ("families_responsable", "email"),
    ("accounts_user", "username"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm "
            f"ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0002_record_editing"),
        ("accounts", "0002_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
