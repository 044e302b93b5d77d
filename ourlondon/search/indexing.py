"""Building the search index from the catalogue.

`rebuild_index` replaces the whole index in one transaction (readers on SQLite WAL
and PostgreSQL keep seeing the old one until it commits). `refresh_activities`
re-indexes a few activities after an edit. Both write the backend's own
structures (FTS5/R*Tree on SQLite) through `search.backends`.
`refresh_sessions` adds and removes a harvest's sessions; with
`defer_days` the documents that gained days wait in `PendingDays` until
`count_pending_days` counts their days again.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from ourlondon.catalogue.models import Activity, ActivityType, Occurrence
from ourlondon.catalogue.queries import HIDDEN_ORGANISATION_STATES
from ourlondon.catalogue.recurrence import Materialised
from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.core import clock
from ourlondon.core.bulkwrite import (
    datetime_reader,
    insert_instances,
    insert_rows,
    update_rows,
)
from ourlondon.search.backends import get_backend
from ourlondon.search.cards import build_card
from ourlondon.search.geo import morton, tile_xy
from ourlondon.search.models import (
    PendingDays,
    SearchCard,
    SearchDocument,
    SearchIndexState,
    SearchSession,
    SearchTerm,
)
from ourlondon.search.text import index_tokens

LONDON = ZoneInfo("Europe/London")
CATEGORY_BIT = {value: 1 << i for i, value in enumerate(Category.values)}
ACCESS_BIT = {value: 1 << i for i, value in enumerate(AccessibilityFeature.values)}
BATCH = 2000
SESSION_BATCH = 20000


def category_bits(categories: Iterable[str]) -> int:
    bits = 0
    for category in categories:
        bits |= CATEGORY_BIT.get(category, 0)
    return bits


def access_bits(features: Iterable[str]) -> int:
    bits = 0
    for feature in features:
        bits |= ACCESS_BIT.get(feature, 0)
    return bits


def document_text(
    activity: Activity, types: Sequence[ActivityType] | None = None
) -> str:
    """Everything a person might type to find this activity. `types`: its
    types, if the caller has them already."""
    return " ".join(_document_parts(activity, types))


def _document_parts(
    activity: Activity, types: Sequence[ActivityType] | None = None
) -> list[str]:
    parts = [activity.title, activity.description, activity.organisation.name]
    for activity_type in activity.types.all() if types is None else types:
        parts.append(activity_type.label)
        parts.extend(activity_type.alt_labels or [])
        parts.append(Category(activity_type.category).label)
    if activity.venue is not None:
        parts.append(activity.venue.name)
    return parts


@lru_cache(maxsize=16384)
def _shared_tokens(text: str) -> tuple[str, ...]:
    """`index_tokens` of text many activities share (organisation and venue
    names, type labels): a harvest indexes thousands of activities a second."""
    return tuple(index_tokens(text))


def document_tokens(
    activity: Activity, types: Sequence[ActivityType] | None = None
) -> list[str]:
    """`index_tokens(document_text(activity))`, the shared parts from a cache
    (the same tokens: words never run across the spaces that join the parts)."""
    title, description, *shared = _document_parts(activity, types)
    tokens = index_tokens(title) + index_tokens(description)
    for part in shared:
        tokens.extend(_shared_tokens(part))
    return tokens


@dataclass(frozen=True)
class IndexReport:
    documents: int
    sessions: int
    seconds: float


def is_public(activity: Activity) -> bool:
    """What `Activity.public` would return, for one in memory."""
    return (
        activity.status == Activity.Status.PUBLISHED
        and activity.organisation.verification not in HIDDEN_ORGANISATION_STATES
    )


def _public_activities(ids: Iterable[int] | None = None) -> Iterator[Activity]:
    queryset = (
        Activity.public.select_related("organisation", "venue", "venue__borough")
        .defer("venue__borough__outline")
        .prefetch_related("types")
        .order_by("pk")
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    yield from queryset.iterator(chunk_size=BATCH)


def _document(
    activity: Activity, now: datetime, types: list[ActivityType]
) -> SearchDocument:
    venue = activity.venue
    features = set(activity.accessibility or [])
    if venue is not None:
        features.update(venue.accessibility or [])
    return SearchDocument(
        activity_id=activity.pk,
        title=activity.title,
        tokens=" ".join(sorted(set(document_tokens(activity, types)))),
        title_tokens=" ".join(index_tokens(activity.title)),
        lat=venue.lat if venue else None,
        lng=venue.lng if venue else None,
        borough_id=venue.borough_id if venue else "",
        age_min=activity.age_min,
        age_max=activity.age_max,
        is_free=activity.is_free,
        category_bits=category_bits(t.category for t in types),
        access_bits=access_bits(features),
        type_slugs=" " + " ".join(sorted(t.slug for t in types)) + " ",
        indexed_at=now,
    )


DAY_BITS = 62  # bits used per word; see SearchDocument.days_a
HORIZON_DAYS = 2 * DAY_BITS


@dataclass(slots=True)
class SessionFields:
    """What session rows and day bits need of a `SearchDocument`, as a plain
    row: `refresh_sessions` reads hundreds a page, and a model instance each
    cost more than the query."""

    days_a: int
    days_b: int
    day0_last_ts: int | None
    beyond: bool
    lat: float | None
    lng: float | None
    cell_x: int | None
    cell_y: int | None
    quad: int | None
    borough_id: str
    is_free: bool
    age_min: int | None
    age_max: int | None
    category_bits: int


@dataclass(slots=True)
class DayBits:
    """A document's day bits alone, as `_count_listed` reads them."""

    days_a: int
    days_b: int
    day0_last_ts: int | None
    beyond: bool


# What session rows read of a document, and what day bits read and set.
SessionDocument = SearchDocument | SessionFields
DocumentDays = SessionDocument | DayBits


def _reset_days(doc: DocumentDays) -> None:
    doc.days_a = doc.days_b = 0
    doc.day0_last_ts = None
    doc.beyond = False


def _mark_day(doc: DocumentDays, start_ts: int, local: datetime, day0: date) -> None:
    """Set the document's day bits for a session starting at `local`."""
    day = (local.date() - day0).days
    if day == 0:
        doc.day0_last_ts = max(doc.day0_last_ts or start_ts, start_ts)
    if day < DAY_BITS:
        doc.days_a |= 1 << day
    elif day < HORIZON_DAYS:
        doc.days_b |= 1 << (day - DAY_BITS)
    else:
        doc.beyond = True


def _session_rows(
    documents: Mapping[int, SessionDocument],
    since: datetime,
    day0: date,
    materialised: Materialised | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Session rows for the index; sets each document's day bits on the way.

    `materialised`: the documents' sessions just written from its `since` on,
    so only those before it (if any) are read from the database."""
    for doc in documents.values():
        _reset_days(doc)
        # A stored document (`refresh_sessions`) has its cell already.
        if doc.quad is None and doc.lat is not None and doc.lng is not None:
            doc.cell_x, doc.cell_y = tile_xy(doc.lat, doc.lng)
            doc.quad = morton(doc.cell_x, doc.cell_y)
    for pk, activity_id, start, end in _sessions(documents, since, materialised):
        doc = documents[activity_id]
        local = start.astimezone(LONDON)
        start_ts = int(start.timestamp())
        _mark_day(doc, start_ts, local, day0)
        yield (
            pk,
            activity_id,
            start_ts,
            int(end.timestamp()),
            local.weekday(),
            local.hour * 60 + local.minute,
            doc.borough_id,
            doc.is_free,
            doc.age_min,
            doc.age_max,
            doc.category_bits,
            doc.cell_x,
            doc.cell_y,
        )


def _sessions(
    documents: Mapping[int, SessionDocument],
    since: datetime,
    materialised: Materialised | None,
) -> Iterator[tuple[int, int, datetime, datetime]]:
    if materialised is None:
        yield from _occurrences(list(documents), since)
        return
    if since < materialised.since:
        yield from _occurrences(list(documents), since, before=materialised.since)
    for row in materialised.rows:
        if row[1] in documents and row[2] >= since:
            yield row


def _occurrences(
    activity_ids: list[int], since: datetime, *, before: datetime | None = None
) -> Iterator[tuple[int, int, datetime, datetime]]:
    """(id, activity id, start, end) of their sessions from `since`, read with a
    plain cursor: the ORM's per-value converters cost more than the reading
    when a harvest indexes thousands of sessions a second."""
    if not activity_ids:
        return
    query = (
        Occurrence.objects.filter(start__gte=since, activity_id__one_of=activity_ids)
        .order_by()
        .values_list("pk", "activity_id", "start", "end")
    )
    if before is not None:
        query = query.filter(start__lt=before)
    sql, params = query.query.sql_with_params()
    read = datetime_reader()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(SESSION_BATCH):
            for pk, activity_id, start, end in rows:
                yield pk, activity_id, read(start), read(end)


_SESSION_COLUMNS = [
    "occurrence_id",
    "activity_id",
    "start_ts",
    "end_ts",
    "weekday",
    "minute",
    "borough_id",
    "is_free",
    "age_min",
    "age_max",
    "category_bits",
    "cell_x",
    "cell_y",
]


def _insert_sessions(rows: Iterable[tuple[Any, ...]]) -> int:
    return insert_rows(SearchSession, _SESSION_COLUMNS, rows, batch=SESSION_BATCH)


def _index_window_start(now: datetime) -> datetime:
    """Sessions from the start of today (London) on are searchable."""
    today = now.astimezone(LONDON).date()
    return datetime.combine(today, time(0), tzinfo=LONDON)


def _write_terms() -> None:
    counts: Counter[str] = Counter()
    for tokens in SearchDocument.objects.values_list("tokens", flat=True).iterator(
        chunk_size=BATCH
    ):
        counts.update(tokens.split())
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create(
        (SearchTerm(token=t[:100], documents=n) for t, n in counts.items()),
        batch_size=5000,
    )


def _read(
    activities: Iterable[Activity], now: datetime
) -> tuple[dict[int, SearchDocument], list[tuple[int, str]]]:
    """The documents and (activity id, card) rows of these activities (not
    yet saved)."""
    documents: dict[int, SearchDocument] = {}
    cards: list[tuple[int, str]] = []
    for activity in activities:
        types = list(activity.types.all())
        documents[activity.pk] = _document(activity, now, types)
        card = json.dumps(build_card(activity, types), separators=(",", ":"))
        cards.append((activity.pk, card))
    return documents, cards


def _insert_cards(cards: list[tuple[int, str]]) -> None:
    insert_rows(SearchCard, ["activity_id", "card"], cards)


def _write_documents(documents: Iterable[SearchDocument]) -> None:
    backend = get_backend()
    batch: list[SearchDocument] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) >= BATCH:
            insert_instances(batch)
            backend.add_documents(batch)
            batch.clear()
    if batch:
        insert_instances(batch)
        backend.add_documents(batch)


def index_day0() -> date:
    # Plain SQL: every search asks, and the ORM's model load cost ~0.4 ms.
    with connection.cursor() as cursor:
        cursor.execute("SELECT day0 FROM search_searchindexstate ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return clock.today()
    day0 = row[0]
    # SQLite returns the ISO text, PostgreSQL a date.
    return date.fromisoformat(day0) if isinstance(day0, str) else day0


def rebuild_index(
    *, now: datetime | None = None, progress: Callable[[str], None] | None = None
) -> IndexReport:
    """Replace the whole index with the current public catalogue, in one
    transaction; then let the database tidy up after it where it can."""
    report = _rebuild_index(now=now, progress=progress)
    if not connection.in_atomic_block:
        get_backend().vacuum()
    return report


@transaction.atomic
def _rebuild_index(
    *, now: datetime | None, progress: Callable[[str], None] | None
) -> IndexReport:
    started = clock.now()
    now = now or started
    since = _index_window_start(now)
    day0 = since.date()
    SearchSession.objects.all().delete()
    SearchDocument.objects.all().delete()
    PendingDays.objects.all().delete()  # counted again from the sessions
    get_backend().clear()
    SearchIndexState.objects.all().delete()
    SearchIndexState.objects.create(day0=day0, built_at=now)
    SearchCard.objects.all().delete()
    documents, cards = _read(_public_activities(), now)
    if progress:
        progress(f"{len(documents):,} activities read")
    sessions = _insert_sessions(_session_rows(documents, since, day0))
    if progress:
        progress(f"{sessions:,} sessions indexed")
    _write_documents(documents.values())
    _insert_cards(cards)
    _write_terms()
    get_backend().analyse()
    seconds = (clock.now() - started).total_seconds()
    return IndexReport(documents=len(documents), sessions=sessions, seconds=seconds)


@transaction.atomic
def refresh_activities(
    activity_ids: Iterable[int],
    *,
    now: datetime | None = None,
    loaded: Sequence[Activity] = (),
    materialised: Materialised | None = None,
) -> int:
    """Re-index these activities (dropping any that are no longer public).

    `loaded`: some of them already in memory with organisation, venue, borough
    and types (as `for_display` loads them), so they need not be read again.
    `materialised`: what `materialised_sessions` just wrote for all of
    `activity_ids`, so their sessions need not be read back.
    """
    now = now or clock.now()
    ids = sorted(set(activity_ids))
    if not SearchIndexState.objects.exists():
        SearchIndexState.objects.create(
            day0=_index_window_start(now).date(), built_at=now
        )
    day0 = index_day0()
    since = datetime.combine(day0, time(0), tzinfo=LONDON)
    SearchSession.objects.filter(activity_id__in=ids).delete()
    SearchDocument.objects.filter(activity_id__in=ids).delete()
    get_backend().remove_documents(ids)
    SearchCard.objects.filter(activity_id__in=ids).delete()
    wanted = set(ids)
    given = {a.pk: a for a in loaded if a.pk in wanted}
    public = [a for a in given.values() if is_public(a)]
    rest = [i for i in ids if i not in given]
    if rest:
        public += _public_activities(rest)
    documents, cards = _read(public, now)
    _insert_sessions(_session_rows(documents, since, day0, materialised))
    _write_documents(documents.values())
    _insert_cards(cards)
    # New words join the vocabulary (typo correction suggests only known words).
    # One query for the lot: an import refreshes hundreds of activities at once.
    tokens = {t[:100] for doc in documents.values() for t in doc.tokens.split()}
    # Known words are left as they are (ignore_conflicts, without a model
    # instance per word).
    insert_rows(
        SearchTerm,
        ["token", "documents"],
        ((t, 1) for t in sorted(tokens)),
        conflict=["token"],
    )
    return len(documents)


_SESSION_FIELDS = [f.name for f in dataclass_fields(SessionFields)]


@transaction.atomic
def refresh_sessions(
    activity_ids: Iterable[int],
    *,
    removed: Sequence[int],
    written: Materialised,
    defer_days: bool = False,
) -> None:
    """Re-index only the sessions of these activities, whose details (so their
    documents' text and filters, cards and words) have not changed: a booking
    system's session feed adds, moves and cancels a series' sessions one at a
    time, and `refresh_activities` rewrites the whole series for each.

    `removed`: ids of their sessions that are gone; `written`: their sessions
    just written (`rematerialised_schedules`). Activities not in the index
    (not public) stay out of it. `defer_days`: documents that gained days are
    listed in `PendingDays` for `count_pending_days` instead of rewritten
    (one that lost a session still has its days counted again here)."""
    ids = sorted(set(activity_ids))
    if not SearchIndexState.objects.exists():
        refresh_activities(ids)
        return
    day0 = index_day0()
    since = datetime.combine(day0, time(0), tzinfo=LONDON)
    lost: set[int] = set()
    if removed:  # one value however many (`one_of`): no batches needed
        gone = SearchSession.objects.filter(occurrence_id__one_of=removed)
        lost.update(gone.values_list("activity_id", flat=True))
        gone.delete()
    # What session rows and day bits need, not the text (nor its converters).
    documents = {
        row[0]: SessionFields(*row[1:])
        for row in SearchDocument.objects.filter(activity_id__one_of=ids).values_list(
            "activity_id", *_SESSION_FIELDS
        )
    }
    if not documents:
        return
    stored = {pk: _days_of(d) for pk, d in documents.items()}
    # Only the new sessions are written (none read back), marking their days.
    _insert_sessions(_session_rows(documents, max(since, written.since), day0, written))
    # A document that lost a session has its days counted again from the
    # sessions left (at once: a day it no longer has must not be searched).
    recount = lost & set(documents)
    counted = _recount_days({pk: documents[pk] for pk in recount}, stored, day0)
    # New sessions only add days to what was stored.
    changed: list[tuple[int, DaysRow]] = []
    for pk, doc in documents.items():
        if pk in recount:
            continue
        days_a, days_b, last, beyond = stored[pk]
        doc.days_a |= days_a
        doc.days_b |= days_b
        doc.beyond = doc.beyond or beyond
        doc.day0_last_ts = _latest(doc.day0_last_ts, last)
        # Unchanged rows are left alone: each update rewrites the covering
        # indexes.
        if (days := _days_of(doc)) != stored[pk]:
            changed.append((pk, days))
    if defer_days:
        insert_rows(PendingDays, ["activity_id"], ((pk,) for pk, _ in changed))
        changed = []
    _write_days(counted + changed)


_DAY_COLUMNS = ["days_a", "days_b", "day0_last_ts", "beyond"]
DaysRow = tuple[int, int, int | None, bool]
# Activities whose days are counted again at a time.
RECOUNT_BATCH = 5000


def _days_of(doc: DocumentDays) -> DaysRow:
    return (doc.days_a, doc.days_b, doc.day0_last_ts, doc.beyond)


def _latest(one: int | None, other: int | None) -> int | None:
    return other if one is None else one if other is None else max(one, other)


def _write_days(rows: Iterable[tuple[int, DaysRow]]) -> None:
    update_rows(
        SearchDocument,
        "activity_id",
        _DAY_COLUMNS,
        ((*days, pk) for pk, days in rows),
    )


def _recount_days(
    documents: Mapping[int, DocumentDays],
    stored: Mapping[int, DaysRow],
    day0: date,
) -> list[tuple[int, DaysRow]]:
    """Count these documents' days again from their sessions in the index;
    those whose days differ from `stored`, with their new days."""
    if not documents:
        return []
    for doc in documents.values():
        _reset_days(doc)
    for activity_id, start_ts in SearchSession.objects.filter(
        activity_id__one_of=sorted(documents)
    ).values_list("activity_id", "start_ts"):
        _mark_day(
            documents[activity_id],
            start_ts,
            datetime.fromtimestamp(start_ts, LONDON),
            day0,
        )
    return [
        (pk, days)
        for pk, doc in documents.items()
        if (days := _days_of(doc)) != stored[pk]
    ]


def _count_listed(activity_ids: Sequence[int], day0: date) -> int:
    """`_recount_days` for these documents, read and written here; returns
    how many changed. On PostgreSQL they are locked first, so an activity
    re-indexed meanwhile by another connection is counted after it, not over
    it."""
    documents = {
        row[0]: DayBits(*row[1:])
        for row in SearchDocument.objects.select_for_update()
        .filter(activity_id__one_of=activity_ids)
        .order_by("activity_id")
        .values_list("activity_id", *_DAY_COLUMNS)
    }
    stored = {pk: _days_of(doc) for pk, doc in documents.items()}
    changed = _recount_days(documents, stored, day0)
    _write_days(changed)
    return len(changed)


@transaction.atomic
def count_pending_days() -> int:
    """Count again the days of the documents listed in `PendingDays` (a
    harvest's, `refresh_sessions(defer_days=True)`), and clear the list.
    Returns how many documents changed.

    Counted from the sessions, not added from what was listed: whatever
    happened to an activity since (sessions cancelled, re-indexed, the index
    rebuilt) its days come out as a rebuild would count them."""
    listed = array("q")
    activity_ids: set[int] = set()
    # Streamed: a long harvest lists hundreds of thousands.
    for pk, activity_id in PendingDays.objects.values_list(
        "pk", "activity_id"
    ).iterator(chunk_size=RECOUNT_BATCH):
        listed.append(pk)
        activity_ids.add(activity_id)
    if not listed:
        return 0
    day0 = index_day0()
    ordered = sorted(activity_ids)
    changed = 0
    for start in range(0, len(ordered), RECOUNT_BATCH):
        changed += _count_listed(ordered[start : start + RECOUNT_BATCH], day0)
    # Exactly those read: another connection may be listing more meanwhile.
    for start in range(0, len(listed), RECOUNT_BATCH * 10):
        PendingDays.objects.filter(
            pk__one_of=listed[start : start + RECOUNT_BATCH * 10].tolist()
        ).delete()
    return changed


def refresh_changed(*, since: datetime) -> int:
    """Re-index activities edited after `since` (admin, imports)."""
    changed = Activity.all_objects.filter(updated_at__gte=since).values_list(
        "pk", flat=True
    )
    return refresh_activities(changed)


def stale_after(hours: int = 24) -> datetime:
    return clock.now() - timedelta(hours=hours)
