"""SQLite backend: FTS5 for text, an R*Tree for space.

Both are plain tables beside the Django ones, created by migration 0002 and
written by `search.indexing` through this class. Tokens arrive pre-stemmed, so the
FTS5 tokenizer only splits on spaces (unicode61, diacritics already removed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection

from ourlondon.search.backends.base import Backend
from ourlondon.search.text import TextQuery

if TYPE_CHECKING:
    from ourlondon.search.models import SearchDocument

FTS = "search_fts"
RTREE = "search_rtree"


def _quote(token: str) -> str:
    # Tokens are [a-z0-9]+ (search.text), so quoting cannot be escaped out of.
    return '"' + token.replace('"', "") + '"'


def fts_expression(text: TextQuery) -> str:
    parts = [
        "(" + " OR ".join(_quote(t) for t in sorted(group)) + ")"
        for group in text.groups
    ]
    if text.prefix:
        parts.append(_quote(text.prefix) + "*")
    return " AND ".join(parts)


class SqliteBackend(Backend):
    vendor = "sqlite"

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS}")
            cursor.execute(f"DELETE FROM {RTREE}")

    def add_documents(self, documents: Sequence[SearchDocument]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS} (rowid, tokens) VALUES (%s, %s)",
                [(d.activity_id, d.tokens) for d in documents],
            )
            cursor.executemany(
                f"INSERT INTO {RTREE} VALUES (%s, %s, %s, %s, %s)",
                [
                    (d.activity_id, d.lat, d.lat, d.lng, d.lng)
                    for d in documents
                    if d.lat is not None
                ],
            )

    def remove_documents(self, activity_ids: Sequence[int]) -> None:
        ids = list(activity_ids)
        if not ids:
            return
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS} WHERE rowid IN ({marks})", ids)
            cursor.execute(f"DELETE FROM {RTREE} WHERE id IN ({marks})", ids)

    def analyse(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")

    def text_condition(
        self, text: TextQuery, *, leads: bool = True
    ) -> tuple[str, list[Any]]:
        # The unary + stops SQLite from using the IN list to find rows (it then
        # starts from another index and tests membership in the list instead).
        column = "d.activity_id" if leads else "+d.activity_id"
        return (
            f"{column} IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)",
            [fts_expression(text)],
        )

    def box_condition(
        self, box: tuple[float, float, float, float]
    ) -> tuple[str, list[Any]]:
        min_lat, max_lat, min_lng, max_lng = box
        return (
            f"d.activity_id IN (SELECT id FROM {RTREE} WHERE min_lat >= %s AND "
            "max_lat <= %s AND min_lng >= %s AND max_lng <= %s)",
            [min_lat, max_lat, min_lng, max_lng],
        )

    def type_condition(self, slugs: Sequence[str]) -> tuple[str, list[Any]]:
        clause = " OR ".join(["instr(d.type_slugs, %s) > 0"] * len(slugs))
        return f"({clause})", [f" {slug} " for slug in slugs]
