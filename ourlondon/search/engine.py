"""Running a search: the backend finds candidates, this module finishes the job
(exact distance, typo tolerance, sorting, facets, paging) the same way for both
databases, so they return the same results for the same query."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from ourlondon.catalogue.vocabulary import Category
from ourlondon.search.backends import Backend, Candidate, get_backend
from ourlondon.search.backends.base import Cell
from ourlondon.search.geo import CELL_ZOOM, haversine_km, tile_centre, tile_xy
from ourlondon.search.indexing import (
    CATEGORY_BIT,
    DAY_BITS,
    HORIZON_DAYS,
    index_day0,
)
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
# Up to this many activities are looked up by id; larger groups by date range.
SMALL_GROUP = 500
LONDON = ZoneInfo("Europe/London")


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


def _within_radius(
    query: SearchQuery, text: TextQuery, candidates: Iterable[Candidate]
) -> list[tuple[Candidate, float | None, float]]:
    """(candidate, distance, relevance) of those within the exact radius."""
    kept: list[tuple[Candidate, float | None, float]] = []
    has_text = not text.empty
    for c in candidates:
        distance = _distance(query, c)
        if query.radius_km is not None and (
            distance is None or distance > query.radius_km
        ):
            continue
        score = relevance(text, c.title_tokens) if has_text else 0.0
        kept.append((c, distance, score))
    return kept


def rank(
    query: SearchQuery, text: TextQuery, candidates: Iterable[Candidate]
) -> list[tuple[Candidate, float | None, float]]:
    """Exact filtering and ordering, shared by both backends and the reference."""
    kept = _within_radius(query, text, candidates)

    kept.sort(key=lambda item: _sort_key(query, *item))
    return kept


def facets(candidates: Sequence[Candidate]) -> Facets:
    # Count distinct bit patterns first: there are few, and expanding each once is
    # much cheaper than testing every bit of every candidate.
    by_categories = Counter(c.category_bits for c in candidates)
    by_days = Counter(c.day_bits for c in candidates)
    category: Counter[str] = Counter()
    for bits, n in by_categories.items():
        for value, bit in CATEGORY_BIT.items():
            if bits & bit:
                category[value] += n
    day: Counter[str] = Counter()
    for bits, n in by_days.items():
        for index, name in enumerate(WEEKDAYS):
            if bits & (1 << index):
                day[name] += n
    borough = Counter(c.borough_id for c in candidates if c.borough_id)
    free = sum(1 for c in candidates if c.is_free)
    paid = len(candidates) - free
    return Facets(
        category={v: category[v] for v in Category.values if category[v]},
        borough=dict(sorted(borough.items())),
        day={d: day[d] for d in WEEKDAYS if day[d]},
        free={k: n for k, n in (("free", free), ("paid", paid)) if n},
    )


@dataclass(frozen=True)
class DayPlan:
    """Which days a query covers, in terms of the documents' day bits.

    `mask_a`/`mask_b` select whole days. When the query starts part-way through
    its first day (sessions already started are not "next"), that day is left out
    of the masks and `partial` names it: an activity counts for it only if it has
    a session in [lo, hi), found in the session table. Values are our own ints, so
    the SQL below embeds them directly.
    """

    mask_a: int
    mask_b: int
    day0: date
    partial: int | None = None
    lo: int = 0
    hi: int = 0

    @property
    def masks(self) -> tuple[int, int]:
        return self.mask_a, self.mask_b

    @property
    def empty(self) -> bool:
        return not self.mask_a and not self.mask_b and self.partial is None

    @property
    def days(self) -> list[int]:
        """Covered day numbers, earliest first."""
        found = [] if self.partial is None else [self.partial]
        found += [
            d
            for d in range(HORIZON_DAYS)
            if _day_bits(d)[0] & self.mask_a or _day_bits(d)[1] & self.mask_b
        ]
        return found

    def today_sql(self, *, per_document: bool = False) -> str:
        """True for documents with a session in [lo, hi) of the partial day.

        Only documents whose bit for that day is set can have one, so the bit is
        tested first. `per_document` probes each such document's sessions by
        index, cheapest when few documents are tested (a place or a word has
        narrowed them); otherwise the day's remaining sessions are listed once.
        """
        if self.partial is None:
            return "(1 = 0)"
        if self.partial == 0:
            # Day 0 (the index was built today, as it is each night): each
            # document carries its last start that day, so "one later today" is a
            # column test, with no session list to build (13,000 at a million)
            # and no probe per document. COALESCE: the test is negated
            # ("none later today"), and NOT of a NULL comparison is not true.
            return f"(COALESCE(d.day0_last_ts, 0) >= {self.lo})"
        bit_a, bit_b = _day_bits(self.partial)
        has_day = f"((d.days_a & {bit_a}) != 0 OR (d.days_b & {bit_b}) != 0)"
        if per_document:
            return (
                f"({has_day} AND EXISTS (SELECT 1 FROM search_searchsession s "
                "WHERE s.activity_id = d.activity_id AND "
                f"s.start_ts >= {self.lo} AND s.start_ts < {self.hi}))"
            )
        return (
            f"({has_day} AND d.activity_id IN (SELECT s.activity_id FROM "
            f"search_searchsession s WHERE s.start_ts >= {self.lo} AND "
            f"s.start_ts < {self.hi}))"
        )

    def member_sql(self, *, per_document: bool = False) -> str:
        return (
            f"((d.days_a & {self.mask_a}) != 0 OR (d.days_b & {self.mask_b}) != 0 "
            f"OR {self.today_sql(per_document=per_document)})"
        )

    def first_day_sql(self, day: int, today: str | None = None) -> str:
        """True for documents whose first covered day with a session is `day`.
        `today` may name a column already holding `today_sql()`."""
        today = today or self.today_sql()
        if day == self.partial:
            return today
        below_a, below_b = _bits_below(self.masks, day)
        at_a, at_b = _day_bits(day)
        return (
            f"(NOT {today} AND (d.days_a & {below_a}) = 0 AND "
            f"(d.days_b & {below_b}) = 0 AND ((d.days_a & {at_a}) != 0 OR "
            f"(d.days_b & {at_b}) != 0))"
        )


def day_plan(query: SearchQuery, day0: date) -> DayPlan | None:
    """The query's days as a `DayPlan`, or None when only the session table can
    answer exactly (a time window, or dates past the bits)."""
    if query.time_from is not None or query.time_to is not None:
        return None
    begins = query.start_utc.astimezone(LONDON)
    first = (begins.date() - day0).days
    last = (query.last_date - day0).days
    if last >= HORIZON_DAYS:
        return None
    partial = None
    lo = hi = 0
    if first >= 0 and begins.time() != time(0):
        if not query.weekdays or begins.weekday() in query.weekdays:
            partial = first
            lo = int(query.start_utc.timestamp())
            next_day = begins.date() + timedelta(days=1)
            hi = int(datetime.combine(next_day, time(0), tzinfo=LONDON).timestamp())
        first += 1
    mask_a = mask_b = 0
    for day in range(max(first, 0), last + 1):
        if query.weekdays and (day0.weekday() + day) % 7 not in query.weekdays:
            continue
        a, b = _day_bits(day)
        mask_a, mask_b = mask_a | a, mask_b | b
    if partial is not None and partial > last:
        partial = None
    return DayPlan(mask_a, mask_b, day0, partial, lo, hi)


def _document_rows(
    backend: Backend, query: SearchQuery, text: TextQuery, plan: DayPlan
) -> list[tuple[Any, ...]]:
    """Rows (id, days_a & mask_a, days_b & mask_b, borough, free, category bits,
    age stated, title tokens, lat, lng, has a session in the partial day) of the
    documents the query matches: the whole answer for queries without a time
    window."""
    where, params = backend.activity_filters(query)
    doc_where, doc_params = backend.document_filters(query, text)
    # Titles only matter for relevance; leaving them out lets a scan stay inside
    # the covering index.
    title = "d.title_tokens" if not text.empty else "''"
    # Documents here are few enough (a place, a word or a borough narrowed them)
    # that probing each one's sessions beats listing all of today's.
    narrowed = query.point is not None or not text.empty or bool(query.borough)
    today = plan.today_sql(per_document=narrowed)
    sql = f"""
        SELECT d.activity_id, d.days_a & {plan.mask_a}, d.days_b & {plan.mask_b},
               d.borough_id, d.is_free, d.category_bits,
               (d.age_min IS NOT NULL OR d.age_max IS NOT NULL), {title},
               d.lat, d.lng, CASE WHEN {today} THEN 1 ELSE 0 END
        FROM search_searchdocument d
        WHERE {
        " AND ".join([plan.member_sql(per_document=narrowed), *where, *doc_where])
    }
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *doc_params])
        return cursor.fetchall()


def _document_candidates(
    backend: Backend, query: SearchQuery, text: TextQuery, plan: DayPlan
) -> list[Candidate]:
    if plan.empty:
        return []
    day0 = plan.day0
    patterns: dict[tuple[int, int, int], tuple[int, int]] = {}

    def describe(a: int, b: int, today: int) -> tuple[int, int]:
        """(first day, weekday bits) of a masked day pattern."""
        weekdays = 0
        if today and plan.partial is not None:
            first = plan.partial
            weekdays |= 1 << ((day0.weekday() + plan.partial) % 7)
        elif a:
            first = (a & -a).bit_length() - 1
        else:
            first = DAY_BITS + (b & -b).bit_length() - 1
        for bits, offset in ((a, 0), (b, DAY_BITS)):
            while bits:
                low = bits & -bits
                weekdays |= 1 << ((day0.weekday() + offset + low.bit_length() - 1) % 7)
                bits ^= low
        return first, weekdays

    result = []
    for row in _document_rows(backend, query, text, plan):
        key = (int(row[1]), int(row[2]), int(row[10]))
        found = patterns.get(key)
        if found is None:
            found = patterns[key] = describe(*key)
        result.append(
            Candidate(
                int(row[0]),
                None,
                found[1],
                row[8],
                row[9],
                row[3],
                bool(row[4]),
                int(row[5]),
                bool(row[6]),
                row[7],
                found[0],
            )
        )
    return result


def _sort_key(
    query: SearchQuery, c: Candidate, distance: float | None, score: float
) -> tuple[object, ...]:
    unstated = 1 if (query.age is not None and not c.age_stated) else 0
    if query.sort == Sort.DISTANCE:
        return (unstated, distance, c.next_start_ts, c.activity_id)
    if query.sort == Sort.RELEVANCE:
        return (unstated, -score, c.next_start_ts, c.activity_id)
    return (unstated, c.next_start_ts, c.activity_id)


def _page_of_documents(
    backend: Backend,
    query: SearchQuery,
    text: TextQuery,
    plan: DayPlan,
    kept: list[tuple[Candidate, float | None, float]],
) -> list[tuple[Candidate, float | None, float]]:
    """The page, in exact order, fetching exact next starts only where needed.

    `kept` holds (candidate, distance, score). Candidates are sorted by (age
    stated, distance or relevance, first day); only those whose partial key falls
    between the page's first and last get their exact next session, which
    settles the order inside a day.
    """
    sort = query.sort
    with_age = query.age is not None

    def partial(item: tuple[Candidate, float | None, float]) -> tuple[object, ...]:
        c, distance, score = item
        unstated = 1 if (with_age and not c.age_stated) else 0
        if sort == Sort.DISTANCE:
            return (unstated, distance, c.first_day)
        if sort == Sort.RELEVANCE:
            return (unstated, -score, c.first_day)
        return (unstated, c.first_day)

    keys = sorted((partial(item), index) for index, item in enumerate(kept))
    start = (query.page - 1) * query.page_size
    end = min(start + query.page_size, len(kept))
    if start >= end:
        return []
    low = bisect_left(keys, (keys[start][0], -1))
    high = bisect_right(keys, (keys[end - 1][0], len(kept)))
    group = [kept[index] for _, index in keys[low:high]]
    # The group's next sessions all fall on its first days: ask the sessions of
    # just those days, a narrow range the start_ts index answers quickly.
    day0 = plan.day0
    first_days = [c.first_day for c, _, _ in group]
    narrow = replace(
        query,
        date_from=day0 + timedelta(days=min(first_days)),
        date_to=day0 + timedelta(days=max(first_days)),
    )
    ids = [c.activity_id for c, _, _ in group]
    starts = backend.first_starts(
        narrow, text, ids if len(ids) <= SMALL_GROUP else None
    )
    for c, _, _ in group:
        c.next_start_ts = starts[c.activity_id]
    group.sort(key=lambda item: _sort_key(query, *item))
    return group[start - low : end - low]


MAX_AGGREGATE_DAYS = 31
# Above this many matching documents, counting in the database beats listing;
# a text matching this many is "common" (TextQuery.common) and does not lead when
# a place or a borough narrows the query more.
BROAD_QUERY = 2000


def _estimated_matches(text: TextQuery) -> int:
    """An upper bound on the documents the text matches, from the vocabulary.

    Plain SQL, one statement: every search with words asks this, and the ORM's
    two aggregates cost ~0.8 ms, a fifth of a small search at a million sessions.
    Tokens are [a-z0-9]+ (search.text), so a prefix needs no LIKE escaping.
    """
    parts: list[str] = []
    params: list[Any] = []
    for group in text.groups:
        words = sorted(group)
        marks = ", ".join(["%s"] * len(words))
        parts.append(
            "SELECT COALESCE(SUM(documents), 0) FROM search_searchterm "
            f"WHERE token IN ({marks})"
        )
        params.extend(words)
    if text.prefix:
        parts.append(
            "SELECT COALESCE(SUM(documents), 0) FROM search_searchterm "
            "WHERE token LIKE %s"
        )
        params.append(text.prefix + "%")
    if not parts:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return min(int(n) for (n,) in cursor.fetchall())


def _bits_below(masks: tuple[int, int], day: int) -> tuple[int, int]:
    """The parts of the masks for days before `day`."""
    mask_a, mask_b = masks
    if day <= DAY_BITS:
        return mask_a & ((1 << day) - 1), 0
    return mask_a, mask_b & ((1 << (day - DAY_BITS)) - 1)


def _day_bits(day: int) -> tuple[int, int]:
    return (1 << day, 0) if day < DAY_BITS else (0, 1 << (day - DAY_BITS))


def _aggregate(
    backend: Backend,
    query: SearchQuery,
    text: TextQuery,
    plan: DayPlan,
) -> tuple[int, Facets, list[tuple[Candidate, float | None, float]]] | None:
    """Total, facets and page computed in the database, for broad queries.

    Used for soonest-first searches with no place to measure from, over at most
    a month: one aggregate pass counts everything (no row reaches Python), and
    the page comes from walking the sessions of the right day in start order.
    Returns None when the query needs the candidate path instead.
    """
    if query.sort != Sort.SOONEST or query.radius_km is not None:
        return None
    if query.borough or query.activity_types or (not text.empty and not text.common):
        # Selective queries have few candidates: listing them is cheaper than
        # scanning every document to count.
        return None
    days = plan.days
    if not days or len(days) > MAX_AGGREGATE_DAYS:
        return None
    day0 = plan.day0
    stated = "(d.age_min IS NOT NULL OR d.age_max IS NOT NULL)"
    groups = [(u, d) for u in ((0, 1) if query.age is not None else (0,)) for d in days]
    columns = ["COUNT(*)", "SUM(CASE WHEN d.is_free THEN 1 ELSE 0 END)"]
    columns += [
        f"SUM(CASE WHEN (d.category_bits & {bit}) != 0 THEN 1 ELSE 0 END)"
        for bit in CATEGORY_BIT.values()
    ]
    for weekday in range(7):
        wa = wb = 0
        for d in days:
            if d != plan.partial and (day0.weekday() + d) % 7 == weekday:
                a, b = _day_bits(d)
                wa, wb = wa | a, wb | b
        today = ""
        if plan.partial is not None and (day0.weekday() + plan.partial) % 7 == weekday:
            today = " OR d.today = 1"
        columns.append(
            f"SUM(CASE WHEN (d.days_a & {wa}) != 0 OR (d.days_b & {wb}) != 0{today} "
            "THEN 1 ELSE 0 END)"
        )
    where, params = backend.activity_filters(query)
    doc_where, doc_params = backend.document_filters(query, text)
    # A word leads (the text index lists its documents): probing each one's
    # sessions for "later today" beats listing all of today's sessions (~13,000
    # at a million) for a few thousand documents. Measured at 1,000,000:
    # "dance" counted in 26 -> 19 ms.
    by_document = not text.empty
    where = [plan.member_sql(per_document=by_document), *where, *doc_where]
    mask_a, mask_b = plan.masks
    # Each document's first covered day as one integer, grouped on, so counting
    # per first day costs one GROUP BY rather than a CASE per day: -1 = the rest
    # of today; a positive power of two = that bit of days_a; otherwise -(bit of
    # days_b) - 1. The inner query tests "has a session later today" once per row.
    # "|| ''" keeps the planner off the borough index: walking it would fetch
    # every row from the table, where the covering index holds all we need.
    sql = f"""
        SELECT d.borough_id || '' AS b, d.first_key, d.stated, {", ".join(columns)}
        FROM (
            SELECT d.borough_id, d.is_free, d.category_bits, d.days_a, d.days_b,
                   d.today,
                   CASE WHEN d.today = 1 THEN -1
                        WHEN (d.days_a & {mask_a}) != 0
                        THEN (d.days_a & {mask_a}) & -(d.days_a & {mask_a})
                        ELSE -((d.days_b & {mask_b}) & -(d.days_b & {mask_b})) - 1
                   END AS first_key,
                   {
        "CASE WHEN " + stated + " THEN 1 ELSE 0 END" if query.age is not None else "1"
    } AS stated
            FROM (
                SELECT d.borough_id, d.is_free, d.category_bits, d.days_a, d.days_b,
                       d.age_min, d.age_max,
                       CASE WHEN {plan.today_sql(per_document=by_document)}
                            THEN 1 ELSE 0 END AS today
                FROM search_searchdocument d WHERE {" AND ".join(where)}
            ) d
        ) d GROUP BY b, d.first_key, d.stated
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *doc_params])
        rows = cursor.fetchall()
    totals = [0] * len(columns)
    borough: dict[str, int] = {}
    by_group: dict[tuple[int, int], int] = {}
    for row in rows:
        first_key, is_stated = int(row[1]), int(row[2])
        if first_key == -1:
            first_day = plan.partial if plan.partial is not None else 0
        elif first_key > 0:
            first_day = first_key.bit_length() - 1
        else:
            first_day = DAY_BITS + (-first_key - 1).bit_length() - 1
        count = int(row[3])
        group = (0 if is_stated else 1, first_day)
        by_group[group] = by_group.get(group, 0) + count
        if row[0]:
            borough[row[0]] = borough.get(row[0], 0) + count
        for i, value in enumerate(row[3:]):
            totals[i] += int(value or 0)
    total, free = totals[0], totals[1]
    cats = totals[2 : 2 + len(CATEGORY_BIT)]
    weekdays = totals[2 + len(CATEGORY_BIT) : 9 + len(CATEGORY_BIT)]
    per_group = [by_group.get(group, 0) for group in groups]
    result_facets = Facets(
        category={v: n for v, n in zip(CATEGORY_BIT, cats, strict=True) if n},
        borough=dict(sorted(borough.items())),
        day={WEEKDAYS[w]: n for w, n in enumerate(weekdays) if n},
        free={k: n for k, n in (("free", free), ("paid", total - free)) if n},
    )
    start = (query.page - 1) * query.page_size
    end = min(start + query.page_size, total)
    page: list[tuple[Candidate, float | None, float]] = []
    offset = 0
    for (unstated, d), count in zip(groups, per_group, strict=True):
        if offset >= end:
            break
        if offset + count > start and count:
            skip = max(start - offset, 0)
            want = min(end, offset + count) - offset - skip
            ids = _first_on_day(
                backend, query, text, plan, d, unstated, skip + want, day0, count
            )
            for activity_id, first_ts, age_stated in ids[skip : skip + want]:
                page.append(
                    (
                        Candidate(
                            activity_id,
                            first_ts,
                            0,
                            None,
                            None,
                            "",
                            False,
                            0,
                            age_stated,
                            "",
                            d,
                        ),
                        None,
                        0.0,
                    )
                )
        offset += count
    return total, result_facets, page


def _first_on_day(
    backend: Backend,
    query: SearchQuery,
    text: TextQuery,
    plan: DayPlan,
    day: int,
    unstated: int,
    limit: int,
    day0: date,
    size: int,
) -> list[tuple[int, int, bool]]:
    """The first `limit` (activity, first start, age stated) whose first matching
    day is `day`, in order of
    their first session that day (then id). A small group (`size` activities) is
    listed from the documents and its starts looked up by id; a large one is read
    from that day's sessions in start order, stopping once `limit` are found."""
    narrow = replace(
        query,
        date_from=day0 + timedelta(days=day),
        date_to=day0 + timedelta(days=day),
    )
    doc_where, doc_params = backend.document_filters(query, text)
    stated = "(d.age_min IS NOT NULL OR d.age_max IS NOT NULL)"
    if size <= SMALL_GROUP:
        where, params = backend.activity_filters(query)
        where += [plan.first_day_sql(day), *doc_where]
        if query.age is not None:
            where.append(f"NOT {stated}" if unstated else stated)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.activity_id, {stated} FROM search_searchdocument d "
                f"WHERE {' AND '.join(where)}",
                [*params, *doc_params],
            )
            ages = {int(row[0]): bool(row[1]) for row in cursor.fetchall()}
        starts = backend.first_starts(narrow, text, list(ages))
        ordered = sorted((ts, activity_id) for activity_id, ts in starts.items())
        return [(a, ts, ages[a]) for ts, a in ordered[:limit]]
    where, params = backend.session_filters(narrow, text, documents=False)
    session_stated = "(s.age_min IS NOT NULL OR s.age_max IS NOT NULL)"
    if query.age is not None:
        where.append(f"NOT {session_stated}" if unstated else session_stated)
    # The document test is a correlated subquery, not a join, on purpose: the
    # database must walk that day's sessions in start order and stop at the
    # LIMIT, and a join lets PostgreSQL (misjudging the bit tests as very
    # selective) start from the documents instead and sort thousands of rows.
    # The text test is inside it too, in the backend's cheapest form for one
    # document at a time: an IN on SQLite, with no index on the session side to
    # lead with (the word's documents, probed one by one, then a sort: 35 ms
    # for "dance" at a million), and a string test on PostgreSQL, where
    # to_tsvector on each document met cost 250 ms for "art".
    other_where, other_params = backend.document_filters(query, TextQuery(groups=()))
    text_params: list[Any] = []
    if not text.empty:
        clause, text_params = backend.row_text_condition(text)
        other_where.append(clause)
    # Every session walked on the partial day is in [lo, hi), so its activity
    # has one there: nothing to test. On a later day, "none later today" is
    # probed for the few documents the walk meets, not by listing today's
    # sessions (at a million, listing them cost more than the whole walk).
    today = "(1 = 1)" if day == plan.partial else plan.today_sql(per_document=True)
    check = " AND ".join([plan.first_day_sql(day, today), *other_where])
    where.append(
        f"(SELECT {check} FROM search_searchdocument d "
        "WHERE d.activity_id = s.activity_id)"
    )
    doc_params = [*other_params, *text_params]
    sql = (
        f"SELECT s.activity_id, s.start_ts, {session_stated} "
        "FROM search_searchsession s "
        f"WHERE {' AND '.join(where)} ORDER BY s.start_ts, s.activity_id LIMIT %s"
    )
    # An activity can have several sessions that day: read a few more rows than
    # activities wanted, and more again in the rare case that was not enough. The
    # LIMIT lets the database walk sessions in start order and stop early. Each
    # row walked costs a document probe, and for a word that most documents lack
    # that is many probes per row kept: twice the page (not four times plus 64)
    # made "art" on PostgreSQL at a million 28 -> 10 ms.
    rows_wanted = 2 * limit + 8
    while True:
        found: dict[int, tuple[int, int, bool]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *doc_params, rows_wanted])
            rows = cursor.fetchall()
        for activity_id, start_ts, age_stated in rows:
            if int(activity_id) not in found:
                found[int(activity_id)] = (
                    int(activity_id),
                    int(start_ts),
                    bool(age_stated),
                )
            if len(found) >= limit:
                return list(found.values())
        if len(rows) < rows_wanted:
            return list(found.values())
        rows_wanted *= 4


def _find(
    backend: Backend, query: SearchQuery, text: TextQuery
) -> tuple[int, Facets, list[tuple[Candidate, float | None, float]]]:
    """(total, facets, the page in order)."""
    plan = day_plan(query, index_day0())
    if plan is not None:
        aggregated = _aggregate(backend, query, text, plan)
        if aggregated is not None:
            return aggregated
        within = _within_radius(
            query, text, _document_candidates(backend, query, text, plan)
        )
        page = _page_of_documents(backend, query, text, plan, within)
        return len(within), facets([c for c, _, _ in within]), page
    ranked = rank(query, text, backend.candidates(query, text))
    start = (query.page - 1) * query.page_size
    kept = [c for c, _, _ in ranked]
    return len(kept), facets(kept), ranked[start : start + query.page_size]


def _parse(text: str) -> TextQuery:
    """The parsed text, marked common when the vocabulary counts many documents
    for it (one lookup per word, here, rather than one per statement)."""
    parsed = parse_text_query(text)
    if parsed.empty:
        return parsed
    return replace(parsed, common=_estimated_matches(parsed) >= BROAD_QUERY)


def search(query: SearchQuery) -> SearchResult:
    """Run `query` on the configured database."""
    backend = get_backend()
    text = _parse(query.text)
    total, found_facets, page = _find(backend, query, text)
    corrected = None
    if not total and not text.empty:
        corrected = correct_text(query.text)
        if corrected:
            text = _parse(corrected)
            total, found_facets, page = _find(backend, query, text)
    starts = backend.next_starts(
        query, [c.activity_id for c, _, _ in page], NEXT_OCCURRENCES
    )
    hits = tuple(
        Hit(
            activity_id=c.activity_id,
            next_starts=tuple(
                datetime.fromtimestamp(ts, tz=UTC) for ts, _ in starts[c.activity_id]
            ),
            next_ends=tuple(
                datetime.fromtimestamp(te, tz=UTC) for _, te in starts[c.activity_id]
            ),
            distance_km=None if distance is None else round(distance, 3),
            age_stated=c.age_stated,
            score=score,
        )
        for c, distance, score in page
    )
    return SearchResult(
        query=query,
        total=total,
        hits=hits,
        facets=found_facets,
        corrected_text=corrected,
    )


def clusters(
    query: SearchQuery,
    *,
    bbox: tuple[float, float, float, float],
    zoom: int,
) -> list[Cell]:
    """Matching activities in the box (min_lng, min_lat, max_lng, max_lat), grouped
    into grid cells of about 64 px at `zoom` (web-mercator tiles of zoom + 2).

    Counts are of activities, each at its venue; online activities have no place.
    Both paths first group by exact location (zoom-18 cell), then merge locations
    into grid cells here.
    """
    backend = get_backend()
    text = _parse(query.text)
    min_lng, min_lat, max_lng, max_lat = bbox
    x0, y0 = tile_xy(max_lat, min_lng)
    x1, y1 = tile_xy(min_lat, max_lng)
    shift = CELL_ZOOM - min(zoom + 2, CELL_ZOOM)
    plan = day_plan(query, index_day0())
    if query.point is not None:
        # A radius is a circle: find the activities exactly, then place them.
        if plan is not None:
            found = [
                c
                for c, _, _ in _within_radius(
                    query, text, _document_candidates(backend, query, text, plan)
                )
            ]
        else:
            found = [
                c for c, _, _ in rank(query, text, backend.candidates(query, text))
            ]
        by_place: dict[tuple[int, int], list[int]] = {}
        for c in found:
            if c.lat is None or c.lng is None:
                continue
            x, y = tile_xy(c.lat, c.lng)
            if x0 <= x <= x1 and y0 <= y <= y1:
                entry = by_place.setdefault((x, y), [0, c.activity_id])
                entry[0] += 1
                entry[1] = min(entry[1], c.activity_id)
        places = [(x, y, n, first) for (x, y), (n, first) in by_place.items()]
        return _merge_places(places, shift)
    if plan is not None:
        # One row per activity, and the index sorted by location: no big sort.
        where, params = backend.activity_filters(query)
        doc_where, doc_params = backend.document_filters(query, text)
        where = [
            plan.member_sql(),
            "d.quad IS NOT NULL",
            "d.cell_x BETWEEN %s AND %s",
            "d.cell_y BETWEEN %s AND %s",
            *where,
            *doc_where,
        ]
        params = [x0, x1, y0, y1, *params, *doc_params]
        sql = f"""
            SELECT MIN(d.cell_x), MIN(d.cell_y), COUNT(*), MIN(d.activity_id)
            FROM search_searchdocument d WHERE {" AND ".join(where)}
            GROUP BY d.quad
        """
    else:
        where, params = backend.session_filters(query, text)
        where += ["s.cell_x BETWEEN %s AND %s", "s.cell_y BETWEEN %s AND %s"]
        params += [x0, x1, y0, y1]
        sql = f"""
            SELECT cx, cy, COUNT(*), MIN(activity_id) FROM (
                SELECT DISTINCT s.activity_id AS activity_id, s.cell_x AS cx,
                       s.cell_y AS cy
                FROM search_searchsession s WHERE {" AND ".join(where)}
            ) m GROUP BY cx, cy
        """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        places = cursor.fetchall()
    return _merge_places(places, shift)


def _merge_places(places: Sequence[Sequence[Any]], shift: int) -> list[Cell]:
    """Merge (cell_x, cell_y, count, first id) locations into grid cells."""
    merged: dict[tuple[int, int], list[int]] = {}
    for x, y, count, first in places:
        key = (int(x) >> shift, int(y) >> shift)
        cell = merged.get(key)
        if cell is None:
            merged[key] = [int(count), int(x) * int(count), int(y) * int(count), first]
        else:
            cell[0] += int(count)
            cell[1] += int(x) * int(count)
            cell[2] += int(y) * int(count)
            cell[3] = min(cell[3], first)
    cells = []
    for (gx, gy), (count, sum_x, sum_y, first) in sorted(merged.items()):
        lat, lng = tile_centre(sum_x / count + 0.5, sum_y / count + 0.5, CELL_ZOOM)
        cells.append(
            Cell(
                key_x=gx,
                key_y=gy,
                count=count,
                lat=round(lat, 6),
                lng=round(lng, 6),
                activity_id=int(first) if count == 1 else None,
            )
        )
    return cells
