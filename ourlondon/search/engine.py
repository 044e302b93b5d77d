"""Running a search: the backend finds candidates, this module finishes the job
(exact distance, typo tolerance, sorting, facets, paging) the same way for both
databases, so they return the same results for the same query."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db import connection

from ourlondon.catalogue.vocabulary import Category
from ourlondon.search.backends import Candidate, get_backend
from ourlondon.search.backends.base import Cell
from ourlondon.search.geo import CELL_ZOOM, haversine_km, tile_centre
from ourlondon.search.indexing import CATEGORY_BIT
from ourlondon.search.models import SearchTerm
from ourlondon.search.query import (
    NEXT_OCCURRENCES,
    WEEKDAYS,
    Facets,
    Hit,
    SearchQuery,
    SearchResult,
    Sort,
)
from ourlondon.search.text import (
    STOP_WORDS,
    TextQuery,
    parse_text_query,
    stem,
    synonym_groups,
    words,
)

MIN_SIMILARITY = 0.3


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before, one after."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all distinct trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    union = len(ta | tb)
    return len(ta & tb) / union if union else 0.0


def _vocabulary() -> dict[str, int]:
    return dict(SearchTerm.objects.values_list("token", "documents"))


def _closest_terms(word: str) -> list[tuple[str, int]]:
    """Vocabulary terms that might be what `word` meant (a superset is fine)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT token, documents FROM search_searchterm "
                "WHERE similarity(token, %s) >= %s",
                [word, MIN_SIMILARITY],
            )
            return [(t, int(n)) for t, n in cursor.fetchall()]
    return list(_vocabulary().items())


def correct_text(text: str) -> str | None:
    """The text with unknown words replaced by the closest indexed word, or None.

    Used only when a search finds nothing. Ties go to the more common word, then
    alphabetical order, so both backends choose the same correction.
    """
    vocabulary_has = SearchTerm.objects.filter
    changed = False
    corrected: list[str] = []
    for word in words(text):
        if word in STOP_WORDS:
            continue
        stems = synonym_groups().get(stem(word), frozenset({stem(word)}))
        if vocabulary_has(token__in=stems).exists():
            corrected.append(word)
            continue
        options = sorted(
            (-score, -documents, term)
            for term, documents in _closest_terms(stem(word))
            if (score := similarity(stem(word), term)) >= MIN_SIMILARITY
        )
        if options:
            corrected.append(options[0][2])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


def relevance(text: TextQuery, title_tokens: str) -> float:
    """How well the title answers the query (the body only had to match)."""
    tokens = set(title_tokens.split())
    score = sum(1.0 for group in text.groups if group & tokens)
    if text.prefix and any(t.startswith(text.prefix) for t in tokens):
        score += 1.0
    return score


def _distance(query: SearchQuery, c: Candidate) -> float | None:
    if query.point is None or c.lat is None or c.lng is None:
        return None
    return haversine_km(query.point.lat, query.point.lng, c.lat, c.lng)


def rank(
    query: SearchQuery, text: TextQuery, candidates: Iterable[Candidate]
) -> list[tuple[Candidate, float | None, float]]:
    """Exact filtering and ordering, shared by both backends and the reference."""
    kept: list[tuple[Candidate, float | None, float]] = []
    for c in candidates:
        distance = _distance(query, c)
        if query.radius_km is not None and (
            distance is None or distance > query.radius_km
        ):
            continue
        score = relevance(text, c.title_tokens) if not text.empty else 0.0
        kept.append((c, distance, score))

    def key(item: tuple[Candidate, float | None, float]) -> tuple[object, ...]:
        c, distance, score = item
        unstated = 1 if (query.age is not None and not c.age_stated) else 0
        if query.sort == Sort.DISTANCE:
            return (unstated, distance, c.next_start_ts, c.activity_id)
        if query.sort == Sort.RELEVANCE:
            return (unstated, -score, c.next_start_ts, c.activity_id)
        return (unstated, c.next_start_ts, c.activity_id)

    kept.sort(key=key)
    return kept


def facets(candidates: Sequence[Candidate]) -> Facets:
    category: Counter[str] = Counter()
    borough: Counter[str] = Counter()
    day: Counter[str] = Counter()
    free: Counter[str] = Counter()
    for c in candidates:
        for value, bit in CATEGORY_BIT.items():
            if c.category_bits & bit:
                category[value] += 1
        if c.borough_id:
            borough[c.borough_id] += 1
        for index, name in enumerate(WEEKDAYS):
            if c.day_bits & (1 << index):
                day[name] += 1
        free["free" if c.is_free else "paid"] += 1
    return Facets(
        category={v: category[v] for v in Category.values if category[v]},
        borough=dict(sorted(borough.items())),
        day={d: day[d] for d in WEEKDAYS if day[d]},
        free={k: free[k] for k in ("free", "paid") if free[k]},
    )


def search(query: SearchQuery) -> SearchResult:
    """Run `query` on the configured database."""
    backend = get_backend()
    text = parse_text_query(query.text)
    candidates = backend.candidates(query, text)
    ranked = rank(query, text, candidates)
    corrected = None
    if not ranked and not text.empty:
        corrected = correct_text(query.text)
        if corrected:
            text = parse_text_query(corrected)
            ranked = rank(query, text, backend.candidates(query, text))
    kept = [c for c, _, _ in ranked]
    start = (query.page - 1) * query.page_size
    page = ranked[start : start + query.page_size]
    starts = backend.next_starts(
        query, [c.activity_id for c, _, _ in page], NEXT_OCCURRENCES
    )
    hits = tuple(
        Hit(
            activity_id=c.activity_id,
            next_starts=tuple(
                datetime.fromtimestamp(ts, tz=UTC) for ts in starts[c.activity_id]
            ),
            distance_km=None if distance is None else round(distance, 3),
            age_stated=c.age_stated,
            score=score,
        )
        for c, distance, score in page
    )
    return SearchResult(
        query=query,
        total=len(kept),
        hits=hits,
        facets=facets(kept),
        corrected_text=corrected,
    )


def clusters(
    query: SearchQuery,
    *,
    bbox: tuple[float, float, float, float],
    zoom: int,
) -> list[Cell]:
    """Matching activities in the box (min_lng, min_lat, max_lng, max_lat), grouped
    into grid cells of about 64 px at `zoom` (web-mercator tiles of zoom + 2)."""
    backend = get_backend()
    text = parse_text_query(query.text)
    min_lng, min_lat, max_lng, max_lat = bbox
    grid_zoom = min(zoom + 2, CELL_ZOOM)
    shift = CELL_ZOOM - grid_zoom
    where, params = backend.session_filters(query, text)
    clause, extra = backend.box_condition((min_lat, max_lat, min_lng, max_lng))
    where.append(
        f"s.activity_id IN (SELECT d.activity_id FROM search_searchdocument d "
        f"WHERE {clause})"
    )
    params.extend(extra)
    sql = f"""
        SELECT s.cell_x >> {shift} AS gx, s.cell_y >> {shift} AS gy,
               COUNT(DISTINCT s.activity_id), AVG(s.cell_x), AVG(s.cell_y),
               MIN(s.activity_id)
        FROM search_searchsession s
        WHERE {" AND ".join(where)} AND s.cell_x IS NOT NULL
        GROUP BY gx, gy
        ORDER BY gx, gy
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cells = []
    for gx, gy, count, ax, ay, first in rows:
        lat, lng = tile_centre(float(ax) + 0.5, float(ay) + 0.5, CELL_ZOOM)
        cells.append(
            Cell(
                key_x=int(gx),
                key_y=int(gy),
                count=int(count),
                lat=round(lat, 6),
                lng=round(lng, 6),
                activity_id=int(first) if int(count) == 1 else None,
            )
        )
    return cells
