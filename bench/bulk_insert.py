"""Fast inserts of generated rows (`bench_seed --families N`): COPY on PostgreSQL (psycopg 3),
`bulk_create` elsewhere. Rows are tuples of the given columns (attnames: "family_id"); every
other column gets its model default (auto_now fields: now), like `Model.save()` would give it.
"""

from django.db import connection
from django.utils import timezone

BATCH = 5_000  # rows per bulk_create (SQLite)


def _defaults(model, columns: list[str]) -> dict:
    now = timezone.now()
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in columns or field.name in columns:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        values[field.column] = field.get_db_prep_save(value, connection)
    return values


def reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (PostgreSQL), in one round trip."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(model, columns: list[str], rows: list[tuple], *, ids: bool = False) -> list[int]:
    """Inserts `rows`; returns their primary keys when `ids` (else an empty list)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return [obj.pk for obj in created] if ids else []
    meta = model._meta
    defaults = _defaults(model, columns)
    names = [meta.get_field(column).column for column in columns] + list(defaults)
    constant = tuple(defaults.values())
    keys = reserve_ids(model, len(rows)) if ids else []
    if ids:
        names.insert(0, meta.pk.column)
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(meta.db_table),
        ", ".join(connection.ops.quote_name(name) for name in names),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if ids:
            for key, row in zip(keys, rows, strict=True):
                copy.write_row((key, *row, *constant))
        else:
            for row in rows:
                copy.write_row((*row, *constant))
    return keys
