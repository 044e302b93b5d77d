"""Many rows into one table with one `executemany`, on SQLite and PostgreSQL.

Django's `bulk_create` builds one multi-row INSERT per batch and, on SQLite,
splits batches at 999 parameters: for a wide model that is a statement every few
dozen rows, and the SQL compiler then costs more than the writing. The harvester
and the search indexer write tens of thousands of rows a second, so they use
these instead. No primary keys come back: callers that need them read them
with one query by their natural key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

# Values of these fields go to the driver as they are.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def _writable(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    batch: int = 5000,
) -> int:
    """Insert rows of database-ready values into `columns` of `model`'s table.

    With `conflict` (the columns of a unique constraint) and `update`, a row
    that already exists has those columns overwritten instead (an upsert, the
    same SQL on both databases); with `conflict` alone it is left as it is.
    """
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if conflict:
        target = ", ".join(quote(c) for c in conflict)
        if update:
            assignments = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update)
            sql += f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
        else:
            sql += f" ON CONFLICT ({target}) DO NOTHING"
    written = 0
    pending: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                written += len(pending)
                pending.clear()
        if pending:
            cursor.executemany(sql, pending)
            written += len(pending)
    return written


def insert_instances(
    objects: Sequence[models.Model],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
) -> int:
    """Insert unsaved model instances (every concrete field but an automatic
    primary key; `auto_now` fields are set as `save()` would set them).

    `conflict` and `update` name fields, as in `insert_rows`.
    """
    if not objects:
        return 0
    model = type(objects[0])
    fields = _writable(model)
    prepare = [
        None if field.get_internal_type() in _PLAIN else field for field in fields
    ]

    def values(obj: models.Model) -> list[Any]:
        row = []
        for field, prepared_by in zip(fields, prepare, strict=True):
            value = field.pre_save(obj, add=True)
            if prepared_by is not None:
                value = prepared_by.get_db_prep_save(value, connection)
            row.append(value)
        return row

    column = {field.name: str(field.column) for field in fields}
    return insert_rows(
        model,
        list(column.values()),
        (values(obj) for obj in objects),
        conflict=[column[name] for name in conflict],
        update=[column[name] for name in update],
    )


def datetime_writer() -> Callable[[datetime], Any]:
    """Aware datetimes as the database driver wants them, for `insert_rows`.

    What Django's `adapt_datetimefield_value` does, without its per-value
    checks: SQLite stores naive text in the connection's zone (UTC); drivers
    that know time zones take the datetime as it is."""
    if connection.vendor != "sqlite":
        return lambda value: value
    zone = connection.timezone

    def to_text(value: datetime) -> str:
        return value.astimezone(zone).replace(tzinfo=None).isoformat(" ")

    return to_text


def datetime_reader() -> Callable[[Any], datetime]:
    """The inverse, for rows read with a raw cursor: aware datetimes."""
    if connection.vendor != "sqlite":
        return lambda value: value
    zone = connection.timezone

    def from_text(value: str | datetime) -> datetime:
        # Django's SQLite connection already parses columns declared datetime.
        naive = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return naive.replace(tzinfo=zone)

    return from_text
