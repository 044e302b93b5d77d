"""A brute-force search straight over the catalogue, for tests and benchmarks.

It reads every public activity and session with the ORM and applies the query's
rules in plain Python. It shares only the text parsing and the final ranking with
the real engine, so it checks both backends and the indexing in one go.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ourlondon.catalogue.models import Activity, Occurrence
from ourlondon.search.backends import Candidate
from ourlondon.search.engine import facets, rank
from ourlondon.search.indexing import category_bits, document_text
from ourlondon.search.query import NEXT_OCCURRENCES, Hit, SearchQuery, SearchResult
from ourlondon.search.text import index_tokens, parse_text_query

LONDON = ZoneInfo("Europe/London")


def _sessions(
    query: SearchQuery, activity_id: int
) -> Iterator[tuple[datetime, datetime]]:
    for start, end in (
        Occurrence.objects.filter(
            activity_id=activity_id,
            start__gte=query.start_utc,
            start__lt=query.end_utc,
        )
        .order_by("start", "pk")
        .values_list("start", "end")
    ):
        local = start.astimezone(LONDON)
        if query.weekdays and local.weekday() not in query.weekdays:
            continue
        if query.time_from and local.time().replace(second=0) < query.time_from:
            continue
        if query.time_to and local.time().replace(second=0) > query.time_to:
            continue
        yield start, end


def reference_search(query: SearchQuery) -> SearchResult:
    text = parse_text_query(query.text)
    candidates: list[Candidate] = []
    starts: dict[int, list[tuple[datetime, datetime]]] = {}
    activities = Activity.public.select_related(
        "organisation", "venue"
    ).prefetch_related("types")
    for a in activities:
        types = list(a.types.all())
        categories = {t.category for t in types}
        features = set(a.accessibility or [])
        if a.venue is not None:
            features.update(a.venue.accessibility or [])
        if not text.empty and not text.matches(
            frozenset(index_tokens(document_text(a)))
        ):
            continue
        if query.categories and not categories & query.categories:
            continue
        if query.activity_types and not {t.slug for t in types} & query.activity_types:
            continue
        if query.borough and (a.venue is None or a.venue.borough_id != query.borough):
            continue
        if query.point is not None and a.venue is None:
            continue
        if query.age is not None and (
            (a.age_min is not None and a.age_min > query.age)
            or (a.age_max is not None and a.age_max < query.age)
        ):
            continue
        if query.free and not a.is_free:
            continue
        if not query.accessibility <= features:
            continue
        sessions = list(_sessions(query, a.pk))
        if not sessions:
            continue
        starts[a.pk] = sessions
        day_bits = 0
        for s, _ in sessions:
            day_bits |= 1 << s.astimezone(LONDON).weekday()
        candidates.append(
            Candidate(
                activity_id=a.pk,
                next_start_ts=int(sessions[0][0].timestamp()),
                day_bits=day_bits,
                lat=a.venue.lat if a.venue else None,
                lng=a.venue.lng if a.venue else None,
                borough_id=a.venue.borough_id if a.venue else "",
                is_free=a.is_free,
                category_bits=category_bits(categories),
                age_stated=a.age_min is not None or a.age_max is not None,
                title_tokens=" ".join(index_tokens(a.title)),
            )
        )
    ranked = rank(query, text, candidates)
    start = (query.page - 1) * query.page_size
    page = ranked[start : start + query.page_size]
    hits = tuple(
        Hit(
            activity_id=c.activity_id,
            next_starts=tuple(
                datetime.fromtimestamp(int(s.timestamp()), tz=UTC)
                for s, _ in starts[c.activity_id][:NEXT_OCCURRENCES]
            ),
            next_ends=tuple(
                datetime.fromtimestamp(int(e.timestamp()), tz=UTC)
                for _, e in starts[c.activity_id][:NEXT_OCCURRENCES]
            ),
            distance_km=None if d is None else round(d, 3),
            age_stated=c.age_stated,
            score=score,
        )
        for c, d, score in page
    )
    return SearchResult(
        query=query,
        total=len(ranked),
        hits=hits,
        facets=facets([c for c, _, _ in ranked]),
    )
