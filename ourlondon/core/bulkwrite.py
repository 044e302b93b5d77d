"""Many rows into one table with one `executemany`, on SQLite and PostgreSQL.

Django's `bulk_create` builds one multi-row INSERT per batch and, on SQLite,
splits batches at 999 parameters: for a wide model that is a statement every few
dozen rows, and the SQL compiler then costs more than the writing. The harvester
and the search indexer write tens of thousands of rows a second, so they use
these instead. No primary keys come back: callers that need them read them
with one query by their natural key.
"""

from __future__ import annotations

import functools
import operator
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import Any

from django.db import connection, models

from ourlondon.core import clock

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
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    clause = ""
    if conflict:
        target = ", ".join(quote(c) for c in conflict)
        if update:
            assignments = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update)
            clause = f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
        else:
            clause = f" ON CONFLICT ({target}) DO NOTHING"
    if connection.vendor == "postgresql":
        return _insert_postgresql(table, names, rows, clause)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch):
            # sqlite3 runs executemany as one prepared statement in C.
            cursor.executemany(sql + clause, chunk)
            written += len(chunk)
    return written


def update_rows(
    model: type[models.Model],
    key: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Set `columns` of the rows whose `key` column matches: each row is the
    columns' database-ready values, then its key. One prepared UPDATE for all
    (`bulk_update` builds a CASE per column per row: at a page of 500 rows
    that cost more than everything else a harvest does)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    written = 0
    if connection.vendor == "postgresql":
        # By COPY into a staging table, then one UPDATE ... FROM it (psycopg's
        # executemany is a statement a row; a VALUES list of a page's 500
        # schedules took psycopg longer to bind than the server to apply).
        names = [*columns, key]
        assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns)
        return _staged(
            table,
            ", ".join(quote(c) for c in names),
            rows,
            lambda staging: (
                f"UPDATE {table} SET {assignments} FROM {staging} AS s "
                f"WHERE {table}.{quote(key)} = s.{quote(key)}"
            ),
        )
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(key)} = %s"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 5000):
            # sqlite3 runs executemany as one prepared statement in C.
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def update_instances(objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """`bulk_update(objects, fields)` as one prepared statement (`update_rows`),
    each value prepared as its field would prepare it. Like bulk_update, no
    `auto_now` is applied: set such fields before."""
    if not objects:
        return 0
    model = type(objects[0])
    meta = model._meta
    by_name = {f.name: f for f in meta.concrete_fields}
    chosen = [by_name[name] for name in fields]
    attnames = [str(f.attname) for f in chosen] + [str(meta.pk.attname)]
    write = prepared_row_writer(model, attnames)
    read = operator.attrgetter(*attnames)
    return update_rows(
        model,
        str(meta.pk.column),
        [str(f.column) for f in chosen],
        (write(read(obj)) for obj in objects),
    )


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    pending: list[Sequence[Any]] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= size:
            yield pending
            pending = []
    if pending:
        yield pending


def _insert_postgresql(
    table: str, names: str, rows: Iterable[Sequence[Any]], clause: str
) -> int:
    """psycopg's executemany sends one statement per row; rows go by COPY
    instead: straight into the table, or for upserts into a staging table and
    then one INSERT ... SELECT (a multi-row VALUES of 500 feed items cost
    psycopg more to parse on the client than the server took to write)."""
    if clause:
        return _staged(
            table,
            names,
            rows,
            lambda staging: (
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}{clause}"
            ),
        )
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 20000):
            _copy(cursor, table, names, chunk)
            written += len(chunk)
    return written


def _copy(cursor: Any, table: str, names: str, chunk: list[Sequence[Any]]) -> None:
    """COPY a chunk of rows into `names` of `table`. A chunk is read whole
    before its COPY starts: the rows may come from a server-side cursor on this
    same connection, which cannot be read while a COPY is in progress."""
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in chunk:
            copy.write_row(row)


def _staged(
    table: str, names: str, rows: Iterable[Sequence[Any]], then: Callable[[str], str]
) -> int:
    """COPY `rows` into a temporary table shaped like `names` of `table`, a
    chunk at a time, and run `then(staging table)` after each chunk. Emptied
    after each use and at commit, so transaction pooling is safe."""
    staging = f"_bulk_{zlib.crc32((table + names).encode()):08x}"
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "
            f"AS SELECT {names} FROM {table} WITH NO DATA"
        )
        for chunk in _chunks(rows, 20000):
            _copy(cursor, staging, names, chunk)
            cursor.execute(then(staging))
            cursor.execute(f"TRUNCATE {staging}")
            written += len(chunk)
    return written


# Fields whose pre_save only reads the attribute, unless auto_now(_add).
_READ_ONLY_PRE_SAVE = {
    models.Field.pre_save,
    models.DateField.pre_save,
    models.DateTimeField.pre_save,
    models.TimeField.pre_save,
}


def _own_pre_save(field: models.Field[Any, Any]) -> bool:
    """Whether saving sets the field some other way than `insert_instances`
    does (only DateTimeField's auto_now(_add) is done here)."""
    if type(field).pre_save not in _READ_ONLY_PRE_SAVE:
        return True
    automatic = getattr(field, "auto_now", False) or getattr(
        field, "auto_now_add", False
    )
    return automatic and field.get_internal_type() != "DateTimeField"


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """The field's value as the driver wants it. Dates and times, the common
    case, go straight to the backend's adapter (what get_db_prep_save ends
    in, after checks a plain date or naive time passes anyway)."""
    ops = connection.ops
    kind = field.get_internal_type()

    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if kind == "DateField":
        adapt_date = _remembered(ops.adapt_datefield_value)

        def prepare_date(value: Any) -> Any:
            if type(value) is date:
                return adapt_date(value)
            if value is None:  # most one-off schedules' end_date
                return None
            return field.get_db_prep_save(value, connection)

        return prepare_date
    if kind == "TimeField":
        adapt_time = _remembered(ops.adapt_timefield_value)

        def prepare_time(value: Any) -> Any:
            if type(value) is time and value.tzinfo is None:
                return adapt_time(value)
            if value is None:
                return None
            return field.get_db_prep_save(value, connection)

        return prepare_time
    if kind == "JSONField":
        # What JSONField.get_db_prep_save ends in for plain Python data (None
        # is SQL NULL); its checks for expressions cost twice the encoding.
        adapt_json = ops.adapt_json_value
        encoder = getattr(field, "encoder", None)

        # An empty list or object (a schedule's `exceptions`, mostly) is
        # encoded once, not once a row.
        empty: dict[type, Any] = {
            list: adapt_json([], encoder),
            dict: adapt_json({}, encoder),
        }

        def prepare_json(value: Any) -> Any:
            if value is None:
                return None
            if not value and type(value) in empty:
                return empty[type(value)]
            if isinstance(value, dict | list | str | int | float | bool):
                return adapt_json(value, encoder)
            return field.get_db_prep_save(value, connection)

        return prepare_json
    return prepare


def prepared_row_writer(
    model: type[models.Model], columns: Sequence[str]
) -> Callable[[Sequence[Any]], list[Any]]:
    """For `insert_rows` of Python values: each value of a row prepared as its
    field (by attname: "activity_id", "start_date") would prepare it."""
    by_column = {str(f.attname): f for f in model._meta.concrete_fields}
    writer = datetime_writer()
    prepared: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        field = by_column[name]
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            prepared.append((index, _datetime_preparer(field, writer)))
        elif kind not in _PLAIN:
            prepared.append((index, _preparer(field)))

    def write(values: Sequence[Any]) -> list[Any]:
        row = list(values)
        for index, prepare in prepared:
            row[index] = prepare(row[index])
        return row

    return write


def _datetime_preparer(
    field: models.Field[Any, Any], writer: Callable[[datetime], Any]
) -> Callable[[Any], Any]:
    """Aware datetimes by the quick writer; anything else (None, a naive value
    Django would warn about) as Django prepares it."""

    def prepare(value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return writer(value)
        return field.get_db_prep_save(value, connection)

    return prepare


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
    # One attrgetter reads a row's plain values in C; only the other fields
    # go through Django's per-value preparation. `auto_now(_add)` fields get
    # one time for the whole call (bulk_create would read the clock per row).
    read = operator.attrgetter(*(field.attname for field in fields))
    now = clock.now()
    stamped: list[int] = []
    prepared: list[tuple[int, Callable[[Any], Any]]] = []
    if any(_own_pre_save(field) for field in fields):
        raise ValueError(f"{model.__name__} has a field set on save: use bulk_create")
    writer = datetime_writer()
    for index, field in enumerate(fields):
        kind = field.get_internal_type()
        if kind == "DateTimeField" and (
            getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ):
            stamped.append(index)
        if kind == "DateTimeField":
            prepared.append((index, _datetime_preparer(field, writer)))
        elif kind not in _PLAIN:
            prepared.append((index, _preparer(field)))

    def values(obj: models.Model) -> list[Any]:
        row = list(read(obj)) if len(fields) > 1 else [read(obj)]
        for index in stamped:
            row[index] = now
            setattr(obj, fields[index].attname, now)
        for index, prepare in prepared:
            row[index] = prepare(row[index])
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
    # Only values already in the zone are remembered: equal values in one
    # zone are the same instant (in a zone with clock changes, two instants
    # an hour apart can compare equal).
    in_zone = _remembered(lambda value: value.replace(tzinfo=None).isoformat(" "))

    def to_text(value: datetime) -> str:
        if value.tzinfo is zone:  # the sessions materialised, `now`
            return in_zone(value)
        return value.astimezone(zone).replace(tzinfo=None).isoformat(" ")

    return to_text


# How many values `_remembered` keeps: a page's rows have a few hundred
# distinct dates, times and timestamps.
_REMEMBERED = 4096


def _remembered(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert` with its recent results kept by value. Rows written together
    repeat the same dates, times and stamps (every feed item of a page has the
    same `updated_at`), and formatting one as text (`isoformat`, 2-3% of a
    harvest's instructions) costs far more than a cache lookup. For hashable
    values whose equal values convert alike."""
    return functools.lru_cache(maxsize=_REMEMBERED)(convert)


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


_sequences: dict[tuple[str, str, str], str] = {}


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for rows about to be inserted with them, so
    the caller knows each row's id without reading the rows back.

    Must run in the transaction that inserts the rows, after it has written
    something (on SQLite the write lock then keeps other writers out until
    commit). SQLite: after the table's AUTOINCREMENT high-water mark, which
    the inserted ids then raise; PostgreSQL: from the column's sequence.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence by name, looked up once: nextval(pg_get_serial_sequence
            # (...)) looks it up again for every row (2.7 against 0.3 us an id).
            key = (connection.alias, table, column)
            if key not in _sequences:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                _sequences[key] = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequences[key], count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT MAX(x) FROM (SELECT MAX({quote(column)}) AS x FROM "
            f"{quote(table)} UNION ALL SELECT seq FROM sqlite_sequence "
            "WHERE name = %s)",
            [table],
        )
        highest = cursor.fetchone()[0] or 0
    return list(range(highest + 1, highest + 1 + count))


# Statistics are taken again once a table has changed by this many rows plus
# this share of its size (autovacuum's own defaults are 50 rows and a tenth);
# a table is vacuumed once it holds this many dead rows (old versions of
# updated or deleted ones) plus this share of its live ones (autovacuum's: 50
# and a fifth).
STALE_ROWS = 1000
STALE_SHARE = 0.1
DEAD_ROWS = 1000
DEAD_SHARE = 0.2


def maintain_tables(tables: Iterable[type[models.Model]]) -> list[str]:
    """On PostgreSQL, ANALYZE those of these models' tables whose planner
    statistics are stale, and VACUUM (with ANALYZE) those full of dead rows;
    returns the names of the tables seen to (none on SQLite).

    What autovacuum does after the fact, and never where it is turned off.
    Statistics: a table grown from nothing by one long write keeps the plans of
    an empty one: at a million feed items, looking up a page's 500 items read
    the index's whole (feed, kind) prefix and filtered (260 ms a query) instead
    of seeking each id (1.5 ms). Dead rows: every update of a search document's
    day bits leaves the old row and its entries in all eight indexes (full
    text, map point and the covering ones) behind; unvacuumed, a million
    sessions' harvest left 40,000 documents in 1,257 MB (97 MB vacuumed), and
    index-only scans of the covering indexes read the table too until VACUUM
    sets its visibility map. VACUUM cannot run in a transaction: inside one,
    only ANALYZE. Call it between transactions, e.g. every few pages of a
    harvest (the harvester does, on a thread of its own)."""
    if connection.vendor != "postgresql":
        return []
    names = sorted({model._meta.db_table for model in tables})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, dead FROM (SELECT relname, "
            "n_dead_tup > %s + %s * n_live_tup AS dead, "
            "n_mod_since_analyze > %s + %s * n_live_tup AS stale "
            "FROM pg_stat_user_tables WHERE relname = ANY(%s)) AS t "
            "WHERE dead OR stale ORDER BY relname",
            [DEAD_ROWS, DEAD_SHARE, STALE_ROWS, STALE_SHARE, names],
        )
        found = cursor.fetchall()
        for name, dead in found:
            vacuum = dead and not connection.in_atomic_block
            verb = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
            cursor.execute(f"{verb} {quote(name)}")
    return [str(name) for name, _ in found]
