"""PostgreSQL backend: full-text search (tsvector, GIN) and a GiST point index.

Tokens arrive pre-stemmed by Snowball English (search.text), so the tsvector uses
the 'simple' configuration: stemming them again with 'english' would stem twice
and could disagree with SQLite. Indexes are expression indexes on the Django
table, created by migration 0002 on PostgreSQL only. See ADR 0004.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from ourlondon.search.backends.base import DOC, SESSION, Backend
from ourlondon.search.text import TextQuery


def tsquery_expression(text: TextQuery) -> str:
    parts = ["(" + " | ".join(sorted(group)) + ")" for group in text.groups]
    if text.prefix:
        parts.append(f"{text.prefix}:*")
    return " & ".join(parts)


class PostgresBackend(Backend):
    vendor = "postgresql"

    def analyse(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DOC}")
            cursor.execute(f"ANALYZE {SESSION}")

    def vacuum(self) -> None:
        # A rebuild rewrites every row: until VACUUM sets the visibility map,
        # PostgreSQL cannot answer from the covering indexes alone (index-only
        # scans) and reads the table too. Measured at 100,000 sessions: broad
        # searches p50 6.2 -> 2.8 ms.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {DOC}")
            cursor.execute(f"VACUUM ANALYZE {SESSION}")

    def text_condition(
        self, text: TextQuery, *, leads: bool = True
    ) -> tuple[str, list[Any]]:
        # PostgreSQL's planner weighs the GIN index from statistics: no hint.
        return (
            "to_tsvector('simple'::regconfig, d.tokens) @@ "
            "to_tsquery('simple'::regconfig, %s)",
            [tsquery_expression(text)],
        )

    def row_text_condition(self, text: TextQuery) -> tuple[str, list[Any]]:
        # Tokens are [a-z0-9]+ joined by single spaces (search.text), so a word is
        # a token exactly when " word " occurs in " tokens ", and a prefix when
        # " prefix" occurs in " tokens": what the tsquery asks, without building
        # a tsvector from the text for every document met.
        clauses: list[str] = []
        params: list[Any] = []
        for group in text.groups:
            words = sorted(group)
            clauses.append(
                "("
                + " OR ".join(["strpos(' ' || d.tokens || ' ', %s) > 0"] * len(words))
                + ")"
            )
            params.extend(f" {word} " for word in words)
        if text.prefix:
            clauses.append("strpos(' ' || d.tokens, %s) > 0")
            params.append(f" {text.prefix}")
        return "(" + " AND ".join(clauses) + ")", params

    def box_condition(
        self, box: tuple[float, float, float, float]
    ) -> tuple[str, list[Any]]:
        min_lat, max_lat, min_lng, max_lng = box
        return (
            "d.lat IS NOT NULL AND point(d.lng, d.lat) <@ "
            "box(point(%s, %s), point(%s, %s))",
            [min_lng, min_lat, max_lng, max_lat],
        )

    def type_condition(self, slugs: Sequence[str]) -> tuple[str, list[Any]]:
        clause = " OR ".join(["strpos(d.type_slugs, %s) > 0"] * len(slugs))
        return f"({clause})", [f" {slug} " for slug in slugs]
