"""`field__one_of=values`: `field__in` for long lists, as one parameter.

Django prepares an `__in` list value by value (and the query builder walks it
once more first): with 500 ids that cost about as much as running the query,
and the harvester runs about ten such queries a page. `one_of` hands the whole
list to the database as one value: a JSON array read by `json_each` on SQLite,
an array compared with `= ANY` on PostgreSQL. Both use the column's index as
`IN` does (`ingest/tests/test_query_plans.py` checks the harvester's plans).

SQLite does not know how long the list is (it guesses a couple of dozen
values): with an ORDER BY on the same query it may read the whole table in
key order to spare the sort. Sort such results in Python (`bulk._venues`).

Only plain values: `str` for text columns, `int` for integer and key columns;
anything else is a `TypeError` (use `__in`). Pass a set (or any iterable but a
list or tuple) to skip the query builder's own walk through a list too.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.sql.compiler import SQLCompiler

_TYPES = (str, int)


class OneOf(Lookup[Any]):
    lookup_name = "one_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[str | int]:
        if hasattr(self.rhs, "resolve_expression") or isinstance(self.rhs, str | bytes):
            raise TypeError("one_of takes an iterable of values, not a query or text")
        values = list(dict.fromkeys(self.rhs))
        for value in values:
            # bool is an int, and True would match 1: not a plain value here.
            if not isinstance(value, _TYPES) or isinstance(value, bool):
                raise TypeError(
                    f"one_of takes str and int values only, not {type(value).__name__}"
                )
        return values

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet  # as `__in=[]`: matches nothing
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            # Typed as the column, so the column's index serves (an array of
            # Python ints could otherwise arrive as numeric[]).
            kind = self.lhs.output_field.db_type(connection)
            return f"{lhs} = ANY(%s::{kind}[])", (*lhs_params, self.rhs)
        if connection.vendor == "sqlite":
            return (
                f"{lhs} IN (SELECT value FROM json_each(%s))",
                (*lhs_params, json.dumps(self.rhs)),
            )
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", (*lhs_params, *self.rhs)


Field.register_lookup(OneOf)
# Relations keep lookups of their own (`activity_id__one_of`: ids, not rows).
ForeignObject.register_lookup(OneOf)
