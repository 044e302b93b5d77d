"""What a backend does, and the SQL both backends share.

A backend turns a `SearchQuery` into candidates: every matching activity with its
next matching session, the weekdays it has matching sessions on, and the fields
needed to sort, page and count facets. It may over-match on space (a bounding
box); `search.engine` applies the exact distance test and everything else in
Python, identically for both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection

from ourlondon.search.geo import bounding_box
from ourlondon.search.query import SearchQuery
from ourlondon.search.text import TextQuery

if TYPE_CHECKING:
    from ourlondon.search.models import SearchDocument

DOC = "search_searchdocument"
SESSION = "search_searchsession"


@dataclass(slots=True)
class Candidate:
    """A matching activity. `next_start_ts` is its next matching session (UTC epoch
    seconds); the document path leaves it None until needed and gives `first_day`,
    the first matching day counted from the index's day 0, instead."""

    activity_id: int
    next_start_ts: int | None
    day_bits: int  # weekdays (bit 0 = Monday) with a matching session
    lat: float | None
    lng: float | None
    borough_id: str
    is_free: bool
    category_bits: int
    age_stated: bool
    title_tokens: str
    first_day: int = 0


@dataclass(frozen=True, slots=True)
class Cell:
    key_x: int
    key_y: int
    count: int
    lat: float
    lng: float
    activity_id: int | None  # set when the cell holds a single activity


class Backend:
    vendor = ""

    # Index maintenance -------------------------------------------------------
    def clear(self) -> None:
        """Empty the backend's own structures (the Django tables are done)."""

    def add_documents(self, documents: Sequence[SearchDocument]) -> None:
        """Add documents to the backend's own structures."""

    def remove_documents(self, activity_ids: Sequence[int]) -> None:
        """Remove documents from the backend's own structures."""

    def analyse(self) -> None:
        """Refresh planner statistics after a rebuild."""

    def vacuum(self) -> None:
        """Tidy up after a rebuild, outside any transaction."""

    # Queries -----------------------------------------------------------------
    def text_condition(
        self, text: TextQuery, *, leads: bool = True
    ) -> tuple[str, list[Any]]:
        """The text test on documents `d`. `leads=False` asks the database not
        to start from the text index (another filter narrows more)."""
        raise NotImplementedError

    def row_text_condition(self, text: TextQuery) -> tuple[str, list[Any]]:
        """The text test on a document `d` met one at a time (a correlated
        subquery), where no index leads; the same answer as `text_condition`."""
        return self.text_condition(text, leads=False)

    def box_condition(
        self, box: tuple[float, float, float, float]
    ) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def type_condition(self, slugs: Sequence[str]) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def day_bits_sql(self) -> str:
        # The weekdays are distinct powers of two, so their distinct sum is the OR.
        return "SUM(DISTINCT 1 << s.weekday)"

    def session_filters(
        self, query: SearchQuery, text: TextQuery, *, documents: bool = True
    ) -> tuple[list[str], list[Any]]:
        """WHERE clauses on the session table `s` (activity filters included)."""
        where = ["s.start_ts >= %s", "s.start_ts < %s"]
        params: list[Any] = [
            int(query.start_utc.timestamp()),
            int(query.end_utc.timestamp()),
        ]
        if query.weekdays:
            days = sorted(query.weekdays)
            where.append(f"s.weekday IN ({', '.join(['%s'] * len(days))})")
            params.extend(days)
        if query.time_from is not None:
            where.append("s.minute >= %s")
            params.append(query.time_from.hour * 60 + query.time_from.minute)
        if query.time_to is not None:
            where.append("s.minute <= %s")
            params.append(query.time_to.hour * 60 + query.time_to.minute)
        copied, copied_params = self.activity_filters(query, alias="s")
        where += copied
        params += copied_params
        doc_where, params_doc = (
            self.document_filters(query, text) if documents else ([], [])
        )
        if doc_where:
            where.append(
                f"s.activity_id IN (SELECT d.activity_id FROM {DOC} d WHERE "
                + " AND ".join(doc_where)
                + ")"
            )
            params.extend(params_doc)
        return where, params

    def document_filters(
        self, query: SearchQuery, text: TextQuery, *, with_point: bool = True
    ) -> tuple[list[str], list[Any]]:
        """WHERE clauses on the document table `d` that sessions do not carry."""
        doc_where: list[str] = []
        if not text.empty:
            # A common word (thousands of documents) read first costs a lookup
            # per document; a borough or a radius narrows far more. At 1,000,000
            # sessions: "music" (15,700 documents) in one borough (2,100) took
            # 42 ms led by FTS5.
            narrower = bool(query.borough) or (
                with_point and query.point is not None and query.radius_km is not None
            )
            clause, extra = self.text_condition(
                text, leads=not (text.common and narrower)
            )
            doc_where.append(clause)
            params_doc = extra
        else:
            params_doc = []
        if query.accessibility:
            from ourlondon.search.indexing import access_bits

            bits = access_bits(query.accessibility)
            doc_where.append("(d.access_bits & %s) = %s")
            params_doc.extend([bits, bits])
        if query.activity_types:
            clause, extra = self.type_condition(sorted(query.activity_types))
            doc_where.append(clause)
            params_doc.extend(extra)
        if with_point and query.point is not None and query.radius_km is not None:
            clause, extra = self.box_condition(
                bounding_box(query.point.lat, query.point.lng, query.radius_km)
            )
            doc_where.append(clause)
            params_doc.extend(extra)
        return doc_where, params_doc

    def activity_filters(
        self, query: SearchQuery, *, alias: str = "d"
    ) -> tuple[list[str], list[Any]]:
        """The activity filters that both tables carry (free, age, categories,
        borough), on the document table `d` or the session table `s`."""
        where: list[str] = []
        params: list[Any] = []
        if query.free:
            # An equality (not a bare boolean) so an index led by is_free can
            # seek to the free half instead of scanning all of it.
            where.append(f"{alias}.is_free = %s")
            params.append(True)
        if query.age is not None:
            where.append(f"({alias}.age_min IS NULL OR {alias}.age_min <= %s)")
            where.append(f"({alias}.age_max IS NULL OR {alias}.age_max >= %s)")
            params.extend([query.age, query.age])
        if query.categories:
            from ourlondon.search.indexing import category_bits

            where.append(f"({alias}.category_bits & %s) != 0")
            params.append(category_bits(query.categories))
        if query.borough:
            where.append(f"{alias}.borough_id = %s")
            params.append(query.borough)
        return where, params

    def first_starts(
        self,
        query: SearchQuery,
        text: TextQuery,
        activity_ids: Sequence[int] | None = None,
    ) -> dict[int, int]:
        """The first matching session start of every matching activity (of these
        activities, when given: they already passed the document filters).
        Meant for narrow date ranges, where the start_ts index is selective."""
        if activity_ids is not None:
            where, params = self.session_filters(query, text, documents=False)
            where.append(f"s.activity_id IN ({', '.join(['%s'] * len(activity_ids))})")
            params.extend(activity_ids)
        else:
            where, params = self.session_filters(query, text)
        sql = (
            f"SELECT s.activity_id, MIN(s.start_ts) FROM {SESSION} s "
            f"WHERE {' AND '.join(where)} GROUP BY s.activity_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {int(a): int(ts) for a, ts in cursor.fetchall()}

    def candidates(self, query: SearchQuery, text: TextQuery) -> list[Candidate]:
        """Every matching activity, from the session table (exact next start)."""
        where, params = self.session_filters(query, text)
        grouped = f"""
            SELECT s.activity_id AS activity_id, MIN(s.start_ts) AS next_ts,
                   {self.day_bits_sql()} AS day_bits,
                   MAX(s.borough_id) AS borough_id, MAX(s.category_bits) AS cats,
                   MAX(CASE WHEN s.is_free THEN 1 ELSE 0 END) AS is_free,
                   MAX(CASE WHEN s.age_min IS NOT NULL OR s.age_max IS NOT NULL
                       THEN 1 ELSE 0 END) AS stated
            FROM {SESSION} s
            WHERE {" AND ".join(where)}
            GROUP BY s.activity_id
        """
        if query.point is None and text.empty:
            # Sessions carry every field ranking and facets need: skip the join.
            sql = grouped
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            return [
                Candidate(
                    int(r[0]),
                    int(r[1]),
                    int(r[2]),
                    None,
                    None,
                    r[3],
                    bool(r[5]),
                    int(r[4]),
                    bool(r[6]),
                    "",
                )
                for r in rows
            ]
        sql = f"""
            SELECT m.activity_id, m.next_ts, m.day_bits, d.lat, d.lng, d.borough_id,
                   d.is_free, d.category_bits,
                   (d.age_min IS NOT NULL OR d.age_max IS NOT NULL), d.title_tokens
            FROM ({grouped}) m
            JOIN {DOC} d ON d.activity_id = m.activity_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            Candidate(
                int(r[0]),
                int(r[1]),
                int(r[2]),
                r[3],
                r[4],
                r[5],
                bool(r[6]),
                int(r[7]),
                bool(r[8]),
                r[9],
            )
            for r in rows
        ]

    def next_starts(
        self, query: SearchQuery, activity_ids: Sequence[int], limit: int
    ) -> dict[int, list[tuple[int, int]]]:
        """The first `limit` matching sessions (start, end) of each activity."""
        if not activity_ids:
            return {}
        where, params = self.session_filters(
            query, TextQuery(groups=()), documents=False
        )
        ids = list(activity_ids)
        where.append(f"s.activity_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
        sql = f"""
            SELECT activity_id, start_ts, end_ts FROM (
                SELECT s.activity_id, s.start_ts, s.end_ts, ROW_NUMBER() OVER (
                    PARTITION BY s.activity_id ORDER BY s.start_ts, s.occurrence_id
                ) AS n
                FROM {SESSION} s WHERE {" AND ".join(where)}
            ) ranked WHERE n <= %s ORDER BY activity_id, start_ts
        """
        result: dict[int, list[tuple[int, int]]] = {i: [] for i in ids}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            for activity_id, start_ts, end_ts in cursor.fetchall():
                result[int(activity_id)].append((int(start_ts), int(end_ts)))
        return result
