"""The RPDE harvester: follow a feed's pages and keep the catalogue in step.

One page at a time: fetch (safely), parse (nothing of a malformed page is used),
then in ONE transaction apply every item (each in its own savepoint, so a bad
item is reported and the rest of the page still lands), move the feed's
position to the page's `next` and update its counters. A harvester killed at any
moment therefore resumes at the first page it had not committed, and since
applying an item twice changes nothing, no item is duplicated or lost.

Both RPDE ordering strategies work unchanged: the harvester never builds `next`
URLs itself, it follows the publisher's, whatever their parameters
(afterTimestamp/afterId or afterChangeNumber).
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.models import QuerySet

from ourlondon.catalogue.models import Activity, Occurrence, Schedule, Venue
from ourlondon.catalogue.recurrence import (
    materialised_sessions,
    rematerialised_schedules,
)
from ourlondon.core import clock
from ourlondon.core.bulkwrite import (
    insert_rows,
    maintain_tables,
    prepared_row_writer,
)
from ourlondon.ingest.bulk import (
    PageResult,
    SessionPageResult,
    apply_embedded_page,
    apply_series_page,
    apply_session_page,
    is_embedded_session,
    is_plain_series,
    is_plain_session,
    settle,
)
from ourlondon.ingest.fetching import FetchError, fetch
from ourlondon.ingest.mapping import (
    Pending,
    Rejected,
    apply_data,
    apply_waiting_items,
    reset_page_cache,
    waiting_sessions,
    withdraw,
)
from ourlondon.ingest.models import Feed, FeedItem, FeedRejection
from ourlondon.ingest.rpde import Item, MalformedPage, Page, parse_page
from ourlondon.search.indexing import (
    count_pending_days,
    refresh_activities,
    refresh_sessions,
)
from ourlondon.search.models import (
    PendingDays,
    SearchCard,
    SearchDocument,
    SearchSession,
)

logger = logging.getLogger(__name__)

# A run stops after this many pages, so a feed whose `next` never ends cannot
# hold the harvester (the next run carries on from where this one stopped).
MAX_PAGES_PER_RUN = 2000
BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600
RESYNC_EVERY = timedelta(days=7)
PAGE_MAX_BYTES = 20 * 1024 * 1024
# How often a long harvest has the tables it writes seen to on PostgreSQL
# (planner statistics and dead rows: see `maintain_tables`).
UPKEEP_EVERY_PAGES = 20
# How long a harvest lets the documents whose days its sessions changed wait
# before it counts their days again (`indexing.count_pending_days`; and when
# it stops): until then a search by day does not see those sessions. Each
# count rewrites every document listed once however many pages listed it,
# so rarer counts rewrite fewer: a million sessions scattered over 40,000
# series make ~440,000 rewrites counted every 20 pages, ~80,000 once a
# minute (docs/feeds.md has the rates measured).
DAYS_EVERY_SECONDS = 60.0
HARVESTED_TABLES = (
    FeedItem,
    FeedRejection,
    Activity,
    Schedule,
    Occurrence,
    Venue,
    SearchDocument,
    SearchSession,
    SearchCard,
    PendingDays,
)


@dataclass
class HarvestReport:
    feed: str
    pages: int = 0
    items: int = 0
    rejected: int = 0
    deleted: int = 0
    outside_london: int = 0
    caught_up: bool = False
    stopped: bool = False
    error: str = ""
    wait_seconds: float = 0.0
    activities: set[int] = field(default_factory=set)
    # How long each page took to write (its one transaction), in seconds.
    page_seconds: list[float] = field(default_factory=list)

    def page_times(self) -> str:
        """The median and 95th percentile of `page_seconds`, for people."""
        if not self.page_seconds:
            return ""
        if len(self.page_seconds) == 1:
            p50 = p95 = self.page_seconds[0]
        else:
            cuts = statistics.quantiles(self.page_seconds, n=20, method="inclusive")
            p50, p95 = cuts[9], cuts[18]
        return f"each page written in p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"

    def summary(self) -> str:
        state = (
            "caught up"
            if self.caught_up
            else "stopped"
            if self.stopped
            else f"waiting {self.wait_seconds:.0f} s"
            if self.wait_seconds
            else "page cap reached"
            if not self.error
            else "failed"
        )
        text = (
            f"{self.feed}: {self.pages} pages, {self.items} items, {self.deleted} "
            f"deleted, {self.rejected} rejected ({self.outside_london} outside "
            f"London); {state}"
        )
        times = self.page_times()
        return (
            text
            + (f": {self.error}" if self.error else "")
            + (f"; {times}" if times else "")
        )


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0)


def _backoff(feed: Feed, suggested: float | None) -> float:
    """Exponential backoff with jitter, or what the server asked for."""
    if suggested is not None:
        return min(suggested, BACKOFF_MAX_SECONDS)
    wait = BACKOFF_BASE_SECONDS * 2 ** min(feed.failures, 10)
    return min(wait * random.uniform(0.8, 1.2), BACKOFF_MAX_SECONDS)


def _fail(
    feed: Feed,
    report: HarvestReport,
    url: str,
    message: str,
    *,
    status: str = Feed.Status.FAILING,
    wait: float | None = None,
) -> HarvestReport:
    now = clock.now()
    feed.failures += 1
    feed.status = status
    feed.last_error = message
    feed.last_error_url = url[:2000]
    feed.last_error_at = now
    if status != Feed.Status.STOPPED:
        report.wait_seconds = _backoff(feed, wait)
        feed.not_before = now + timedelta(seconds=report.wait_seconds)
    feed.save()
    report.error = message
    report.stopped = status == Feed.Status.STOPPED
    logger.warning("feed %s: %s (%s)", feed.name, message, url)
    return report


def _reject(
    feed: Feed,
    kind: str,
    item_id: str,
    reason: str,
    outside: bool,
    *,
    waiting_for: str | None = None,
) -> None:
    FeedRejection.objects.update_or_create(
        feed=feed,
        kind=kind[:64],
        item_id=item_id[:300],
        defaults={
            "reason": reason,
            "outside_london": outside,
            "waiting_for": waiting_for,
        },
    )


def _apply(
    feed: Feed,
    item: Item,
    report: HarvestReport,
    known: dict[tuple[str, str], Stored],
) -> set[int]:
    """Apply one item; its changes land completely or not at all. `known` holds
    the page's items as stored before (read in one query), kept up to date."""
    stored = known.get(_key(item))
    if stored is not None and stored.holds(item):
        return set()  # seen already (a page read again after a restart)
    touched: set[int] = set()
    if item.deleted:
        with transaction.atomic():
            touched = withdraw(feed, item.kind, item.id)
        report.deleted += 1
        FeedRejection.objects.filter(
            feed=feed, kind=item.kind, item_id=item.id
        ).delete()
    kept, _ = FeedItem.objects.update_or_create(
        feed=feed,
        kind=item.kind[:64],
        item_id=item.id[:300],
        defaults={
            "modified": item.modified[:64],
            "deleted": item.deleted,
            "data": item.data,
        },
    )
    known[_key(item)] = Stored(kept.modified, kept.deleted)
    if item.deleted or item.data is None:
        return touched
    try:
        with transaction.atomic():
            touched = apply_data(
                feed,
                item.kind,
                item.id,
                item.data,
                revived=stored is not None and stored.deleted,
            )
    except Pending as waiting:
        reset_page_cache()
        _reject(
            feed,
            item.kind,
            item.id,
            _waiting_reason(waiting),
            False,
            waiting_for=_waiting_for(waiting),
        )
        return set()
    except Rejected as exc:
        reset_page_cache()
        report.rejected += 1
        report.outside_london += exc.outside_london
        _reject(feed, item.kind, item.id, exc.reason, exc.outside_london)
        return set()
    except Exception as exc:  # one bad item must never block the rest of the page
        reset_page_cache()
        logger.exception("feed %s: item %s could not be stored", feed.name, item.id)
        report.rejected += 1
        _reject(feed, item.kind, item.id, f"Could not be stored: {exc}", False)
        return set()
    FeedRejection.objects.filter(feed=feed, kind=item.kind, item_id=item.id).delete()
    return touched


class Stored(NamedTuple):
    """What a page needs of an item as stored: whether this copy is new. (Read
    for every item of every page: a FeedItem instance each cost more than the
    query.)"""

    modified: str
    deleted: bool

    def holds(self, item: Item) -> bool:
        """This copy of the item is stored already (as stored: cut to the
        column's length)."""
        return self.modified == item.modified[:64] and self.deleted == item.deleted


@dataclass
class Partition:
    """A page's items by how they are applied: plain series (and events of
    their own), sessions naming their series by @id, and sessions carrying it
    (each kind together); the rest one by one (tombstones, facility items, an
    item the feed had deleted before, an id the page carries twice). `new`:
    the stored keys (kind, id) of items not stored yet, once each in the page."""

    series: list[Item] = field(default_factory=list)
    sessions: list[Item] = field(default_factory=list)
    embedded: list[Item] = field(default_factory=list)
    slow: list[Item] = field(default_factory=list)
    new: set[tuple[str, str]] = field(default_factory=set)


def _key(item: Item) -> tuple[str, str]:
    """The item's (kind, id) as stored."""
    return item.kind[:64], item.id[:300]


def _partition(items: list[Item], known: dict[tuple[str, str], Stored]) -> Partition:
    """The page's items as `Partition` sorts them; items seen already are in
    none."""
    counts = Counter((item.kind, item.id) for item in items)
    parts = Partition()
    # As stored (cut to the columns' lengths): two ids alike in their first
    # 300 characters are one row.
    stored_keys = Counter(_key(item) for item in items)
    parts.new = {
        key for key, count in stored_keys.items() if count == 1 and key not in known
    }
    for item in items:
        stored = known.get(_key(item))
        if stored is not None and stored.holds(item):
            continue
        plain = counts[(item.kind, item.id)] == 1 and (
            stored is None or not stored.deleted
        )
        if plain and is_plain_series(item):
            parts.series.append(item)
        elif plain and is_plain_session(item):
            parts.sessions.append(item)
        elif plain and is_embedded_session(item):
            parts.embedded.append(item)
        else:
            parts.slow.append(item)
    return parts


def _record_outcomes(
    feed: Feed,
    applied: list[Item],
    refused: Sequence[tuple[Item, Rejected | Pending]],
) -> None:
    """The data-quality report for items applied together: reasons for those
    refused (or waiting for their series), none for those applied."""
    for kind in {item.kind for item in applied}:
        FeedRejection.objects.filter(
            feed=feed,
            kind=kind,
            item_id__one_of=[i.id for i in applied if i.kind == kind],
        ).delete()
    FeedRejection.objects.bulk_create(
        [
            FeedRejection(
                feed=feed,
                kind=item.kind[:64],
                item_id=item.id[:300],
                reason=why.reason
                if isinstance(why, Rejected)
                else _waiting_reason(why),
                outside_london=isinstance(why, Rejected) and why.outside_london,
                waiting_for=None if isinstance(why, Rejected) else _waiting_for(why),
            )
            for item, why in refused
        ],
        update_conflicts=True,
        unique_fields=["feed", "kind", "item_id"],
        update_fields=["reason", "outside_london", "waiting_for", "at"],
    )


def _waiting_reason(waiting: Pending) -> str:
    return f"Waiting for its series {waiting}."


def _waiting_for(waiting: Pending) -> str:
    return str(waiting)[:1000]


def _apply_fast(
    feed: Feed, items: list[Item], new: set[tuple[str, str]], report: HarvestReport
) -> tuple[set[int], list[Activity], list[Item]]:
    """Apply plain series items together (see `bulk`). Returns the ids of the
    activities changed, those of them still as loaded (for the search index),
    and the items to apply one by one instead if the database refused the lot
    (then nothing of it is kept)."""
    if not items:
        return set(), [], []
    try:
        with transaction.atomic():
            result = apply_series_page(feed, items)
            _store_items(feed, items, new)
            _record_outcomes(
                feed,
                [item for item, _ in result.applied],
                result.rejected,
            )
            waited = _apply_waiting([series.id for _, series in result.applied])
    except Exception:  # one bad item must never block the rest of the page
        reset_page_cache()
        logger.warning(
            "feed %s: a page's series could not be stored together; storing them "
            "one by one",
            feed.name,
            exc_info=True,
        )
        return set(), [], items
    report.rejected += len(result.rejected)
    report.outside_london += sum(why.outside_london for _, why in result.rejected)
    # Sessions that waited for these series changed them: read afresh.
    loaded = [a for a in result.loaded if a.pk not in waited]
    return result.touched | waited, loaded, []


def _apply_waiting(series_ids: list[str]) -> set[int]:
    """Sessions that arrived before these series (a session feed harvested
    before its series feed), applied together per feed by the session mapper;
    any it leaves, one by one."""
    by_feed: dict[int, tuple[Feed, list[FeedItem]]] = {}
    for stored in waiting_sessions(series_ids):
        if stored.data:
            by_feed.setdefault(stored.feed_id, (stored.feed, []))[1].append(stored)
    touched: set[int] = set()
    for feed, waiting in by_feed.values():
        pairs = [
            (
                Item(stored.kind, stored.item_id, stored.modified, False, stored.data),
                stored,
            )
            for stored in waiting
        ]
        result = apply_session_page(feed, [item for item, _ in pairs])
        _record_outcomes(feed, result.applied, [*result.rejected, *result.waiting])
        touched |= result.touched
        left = {id(item) for item in result.leftover}
        touched |= apply_waiting_items(s for item, s in pairs if id(item) in left)
    return touched


def _apply_sessions(
    feed: Feed, items: list[Item], new: set[tuple[str, str]], report: HarvestReport
) -> tuple[SessionPageResult, list[Item]]:
    """Apply plain sessions together (see `bulk`). Returns what changed and the
    items to apply one by one instead: those the session mapper left, or all
    of them if the database refused the lot."""
    if not items:
        return SessionPageResult(), []
    try:
        with transaction.atomic():
            result = apply_session_page(feed, items)
            leftover = {id(item) for item in result.leftover}
            _store_items(
                feed, [item for item in items if id(item) not in leftover], new
            )
            _record_outcomes(feed, result.applied, [*result.rejected, *result.waiting])
    except Exception:  # one bad item must never block the rest of the page
        reset_page_cache()
        logger.warning(
            "feed %s: a page's sessions could not be stored together; storing them "
            "one by one",
            feed.name,
            exc_info=True,
        )
        return SessionPageResult(), items
    report.rejected += len(result.rejected)
    return result, result.leftover


def _apply_embedded(
    feed: Feed, items: list[Item], new: set[tuple[str, str]], report: HarvestReport
) -> tuple[PageResult, SessionPageResult, list[Item]]:
    """Apply sessions that carry their series together (see `bulk`). Returns
    what changed of the series (`touched` whole) and of the sessions, and the
    items to apply one by one instead: those the mapper left, or all of them
    if the database refused the lot."""
    if not items:
        return PageResult(), SessionPageResult(), []
    try:
        with transaction.atomic():
            series, sessions = apply_embedded_page(feed, items)
            leftover = {id(item) for item in sessions.leftover}
            _store_items(
                feed, [item for item in items if id(item) not in leftover], new
            )
            _record_outcomes(
                feed, sessions.applied, [*sessions.rejected, *sessions.waiting]
            )
    except Exception:  # one bad item must never block the rest of the page
        reset_page_cache()
        logger.warning(
            "feed %s: a page's sessions and their series could not be stored "
            "together; storing them one by one",
            feed.name,
            exc_info=True,
        )
        return PageResult(), SessionPageResult(), items
    report.rejected += len(sessions.rejected)
    report.outside_london += sum(why.outside_london for _, why in sessions.rejected)
    return series, sessions, sessions.leftover


def _index(
    touched: set[int], loaded: list[Activity], sessions: SessionPageResult
) -> None:
    """Materialise and re-index what the page changed: `touched` whole; the
    series that only gained, changed or lost sessions, just those sessions."""
    materialised = materialised_sessions(touched)
    if touched:
        refresh_activities(touched, loaded=loaded, materialised=materialised)
    only = sessions.touched - touched
    if not only:
        return
    removed, written = rematerialised_schedules(
        s for s in sessions.schedules if s.activity_id in only
    )
    refresh_sessions(
        only,
        removed=removed + sessions.removed_sessions,
        written=written,
        defer_days=True,
    )


_ITEM_COLUMNS = [
    "feed_id",
    "kind",
    "item_id",
    "modified",
    "deleted",
    "data",
    "updated_at",
    "seen_at",
]


def _store_items(feed: Feed, items: list[Item], new: set[tuple[str, str]]) -> None:
    """The items as published, written in one statement or two (rows straight
    from the items: a model instance each cost more than its write). Those in
    `new` (see `Partition`) are inserted plainly, the rest upserted: most of a
    first harvest is new, and on PostgreSQL an upsert goes through a staging
    table, the rows copied twice."""
    now = clock.now()
    write = prepared_row_writer(FeedItem, _ITEM_COLUMNS)

    def rows(chosen: list[Item]) -> Iterator[Sequence[object]]:
        for item in chosen:
            yield write(
                (
                    feed.pk,
                    *_key(item),
                    item.modified[:64],
                    item.deleted,
                    item.data,
                    now,
                    now,
                )
            )

    fresh: list[Item] = []
    seen: list[Item] = []
    for item in items:
        (fresh if _key(item) in new else seen).append(item)
    if fresh:
        insert_rows(FeedItem, _ITEM_COLUMNS, rows(fresh))
    if seen:
        insert_rows(
            FeedItem,
            _ITEM_COLUMNS,
            rows(seen),
            conflict=_ITEM_COLUMNS[:3],
            update=_ITEM_COLUMNS[3:],
        )


@dataclass(frozen=True)
class _PageFailure:
    """Why a page could not be used, and what that makes of the feed."""

    message: str
    status: str = Feed.Status.FAILING
    wait: float | None = None


def _fetch_page(url: str, allow_private: bool) -> Page | _PageFailure:
    """One page fetched and parsed, or why not. Runs on the prefetch thread, so
    it must not touch the database."""
    try:
        result = fetch(
            url,
            headers={"Accept": "application/json"},
            max_bytes=PAGE_MAX_BYTES,
            allow_private=allow_private,
        )
    except FetchError as exc:
        return _PageFailure(str(exc))
    if result.status in (429, 503):
        return _PageFailure(
            f"The server is busy (HTTP {result.status}); trying again later.",
            Feed.Status.BACKING_OFF,
            retry_after_seconds(result.headers.get("retry-after"), clock.now()),
        )
    if result.status in (404, 410):
        return _PageFailure(
            f"The feed is gone (HTTP {result.status}): harvesting stopped until "
            "a moderator checks it.",
            Feed.Status.STOPPED,
        )
    if not result.ok:
        return _PageFailure(f"HTTP {result.status} from the feed.")
    try:
        # Relative `next` links resolve against where the page came from.
        return parse_page(result.body, url=result.url)
    except MalformedPage as exc:
        return _PageFailure(f"Malformed page: {exc}")


def _sweep(feed: Feed, report: HarvestReport) -> None:
    """After a full re-read: withdraw what the publisher no longer lists but never
    sent a tombstone for."""
    started = feed.resync_started_at
    with transaction.atomic():
        vanished = FeedItem.objects.filter(feed=feed, deleted=False).filter(
            models.Q(seen_at__lt=started) | models.Q(seen_at__isnull=True)
        )
        touched: set[int] = set()
        for item in vanished:
            touched |= withdraw(feed, item.kind, item.item_id)
            item.deleted = True
            item.save(update_fields=["deleted", "updated_at"])
            report.deleted += 1
        if touched:
            refresh_activities(touched)
        feed.resync_started_at = None
        feed.save(update_fields=["resync_started_at"])


def _stored(feed: Feed, items: Sequence[Item]) -> QuerySet[FeedItem]:
    """These items as stored. By kind too: the unique index is (feed, kind,
    item_id), and without the kind SQLite read every item of the feed for each
    page (a million-session feed went at half the rate of a 20,000 one)."""
    return FeedItem.objects.filter(
        feed=feed,
        kind__one_of={item.kind[:64] for item in items},
        item_id__one_of=[item.id[:300] for item in items],
    )


def _commit_page(feed: Feed, page: Page, report: HarvestReport, *, last: bool) -> None:
    """The page's items and the feed's new position, in one transaction."""
    before = (report.rejected, report.deleted, report.outside_london)
    now = clock.now()
    reset_page_cache()
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        # Not `data`: decoding 500 stored items cost more than the query.
        known = {
            (kind, item_id): Stored(modified, deleted)
            for kind, item_id, modified, deleted in _stored(
                feed, page.items
            ).values_list("kind", "item_id", "modified", "deleted")
        }
        parts = _partition(page.items, known)
        touched, loaded, refused = _apply_fast(feed, parts.series, parts.new, report)
        # Before the sessions by @id: those may name a series carried here.
        carried, joined, left = _apply_embedded(feed, parts.embedded, parts.new, report)
        touched |= carried.touched
        loaded = [a for a in loaded if a.pk not in carried.touched] + carried.loaded
        refused += left
        # After the series: a session finds its series if the page carries it.
        by_reference, left = _apply_sessions(feed, parts.sessions, parts.new, report)
        joined.absorb(by_reference)
        refused += left
        # In the page's order: a session after its series finds it.
        one_by_one = {id(item) for item in parts.slow + refused}
        changed: set[int] = set()
        for item in page.items:
            if id(item) in one_by_one:
                changed |= _apply(feed, item, report, known)
        touched |= changed
        # What the items applied one by one changed must be read afresh.
        loaded = [a for a in loaded if a.pk not in changed]
        # Items stored together were marked seen as they were written.
        together = {
            id(item) for item in parts.series + parts.embedded + parts.sessions
        } - one_by_one
        seen = [item for item in page.items if id(item) not in together]
        if seen:
            _stored(feed, seen).update(seen_at=now)
        for bad in page.rejected:
            report.rejected += 1
            _reject(feed, bad.kind, bad.id or "(no id)", bad.reason, False)
        _index(touched, loaded, joined)
        feed.next_url = page.next_url[:2000]
        feed.pages += 1
        feed.items_seen += len(page.items) + len(page.rejected)
        feed.items_rejected += report.rejected - before[0]
        feed.items_deleted += report.deleted - before[1]
        feed.items_outside_london += report.outside_london - before[2]
        feed.last_success_at = now
        feed.failures = 0
        feed.not_before = None
        feed.status = Feed.Status.CAUGHT_UP if last else Feed.Status.HARVESTING
        # A poll that found only the empty last page is a quiet one.
        quiet = last and not page.items and not page.rejected and report.pages == 0
        feed.quiet_polls = feed.quiet_polls + 1 if quiet else 0
        feed.save()
        report.activities |= touched | joined.touched
    settle(carried.stamps)  # committed: these series are as stored
    report.pages += 1
    report.items += len(page.items) + len(page.rejected)


class _Upkeep:
    """The harvested tables' upkeep (`maintain_tables`: planner statistics
    and dead rows, PostgreSQL only) on a connection of their own, in a thread,
    while the harvest goes on. ANALYZE and VACUUM do not block writers, and
    the harvester's connection waits either for its own Python or for its own
    server process, so the second core was idle: on the same connection the
    ANALYZE runs were 4.3 s of a 200,000-session harvest's 43 s. One at a
    time; upkeep asked for while one runs is left to the next."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="harvest-upkeep"
        )
        self._running: Future[None] | None = None

    def start(self) -> None:
        if self._running is None or self._running.done():
            self._running = self._pool.submit(self._run)

    @staticmethod
    def _run() -> None:
        try:
            if connection.vendor == "postgresql":
                # Never waits long for a lock: the harvest waits for this at
                # its end, and its caller's transaction may hold one.
                with connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '10s'")
            maintain_tables(HARVESTED_TABLES)
        except Exception:
            # Stale statistics and dead rows slow queries down; they never
            # make them wrong.
            logger.warning("Could not see to the harvested tables", exc_info=True)
        finally:
            connections.close_all()  # this thread's own

    def finish(self) -> None:
        """Wait for upkeep still running (what the harvest wrote is planned
        from it next), then stop the thread."""
        self._pool.shutdown(wait=True)


def _count_days() -> None:
    """The days of the documents whose sessions changed, counted again
    (`DAYS_EVERY_SECONDS`, and as the harvest ends: with any an interrupted
    harvest left). Never fails a harvest: what it could not count waits for
    the next."""
    try:
        count_pending_days()
    except DatabaseError:
        logger.warning("Could not count the harvested days for search", exc_info=True)


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL: this transaction's COMMIT returns once its WAL is written,
    not flushed (`synchronous_commit` for this transaction only; SQLite's
    `synchronous=normal` already does the same in WAL mode). Safe here: a
    crash of the server can lose only the last moments' pages whole, each
    with the position that follows it, so the next run fetches them again as
    after any interruption. Each flush cost ~8 ms, on every page."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _unmap_database() -> None:
    """No memory-mapped SQLite file for the harvester. The map (settings'
    SQLITE_MMAP_BYTES) speeds up searches, but a harvest writes through
    SQLite's own cache and gained nothing from it (100,000 sessions: 5,041
    items/s mapped, 5,147 not), while every page of the file it touched
    counted in its RSS: 1,141 MB at a million sessions, its own memory 171 MB."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")


def harvest_feed(
    feed: Feed,
    *,
    max_pages: int = MAX_PAGES_PER_RUN,
    allow_private: bool = False,
    now: datetime | None = None,
) -> HarvestReport:
    """Harvest `feed` from its position until caught up, an error, or the cap."""
    report = HarvestReport(feed=feed.name)
    if not feed.approved:
        report.error = "The feed is not approved by a moderator, so it is not fetched."
        return report
    now = now or clock.now()
    if feed.last_full_sync_at is None or now - feed.last_full_sync_at > RESYNC_EVERY:
        # Weekly, start again from the first page: anything missed is put right,
        # and what is not seen again by the end is swept away.
        feed.next_url = ""
        feed.last_full_sync_at = now
        # Real time, like the pages' seen_at (`now` may be a test's clock).
        feed.resync_started_at = clock.now()
        feed.save(update_fields=["next_url", "last_full_sync_at", "resync_started_at"])
    url = feed.next_url or feed.url
    allow = allow_private or getattr(settings, "SAFE_FETCH_ALLOW_PRIVATE", False)
    _unmap_database()
    # The next page is fetched and parsed while this one is written: a real
    # publisher takes 0.1-1 s to answer, which would otherwise add to every
    # page's own work. Still only one request in flight, and only a committed
    # page moves the feed's position (a prefetched page lost to a crash is
    # simply fetched again).
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="harvest-fetch")
    upkeep = _Upkeep()
    days_counted = time.monotonic()
    try:
        pending = pool.submit(_fetch_page, url, allow)
        for number in range(max_pages):
            fetched = pending.result()
            if isinstance(fetched, _PageFailure):
                return _fail(
                    feed,
                    report,
                    url,
                    fetched.message,
                    status=fetched.status,
                    wait=fetched.wait,
                )
            page = fetched
            last = page.is_last or (
                not page.items and not page.rejected and page.next_url == url
            )
            if not last and number + 1 < max_pages:
                pending = pool.submit(_fetch_page, page.next_url, allow)
            started = time.perf_counter()
            _commit_page(feed, page, report, last=last)
            report.page_seconds.append(time.perf_counter() - started)
            if report.pages % UPKEEP_EVERY_PAGES == 0:
                upkeep.start()
            if time.monotonic() - days_counted >= DAYS_EVERY_SECONDS:
                _count_days()
                days_counted = time.monotonic()
            if last:
                report.caught_up = True
                if feed.resync_started_at is not None:
                    _sweep(feed, report)
                return report
            url = page.next_url
    finally:
        # An error while committing must not wait for a fetch nobody will read.
        pool.shutdown(wait=False, cancel_futures=True)
        _count_days()
        upkeep.finish()
    report.error = (
        f"Stopped after {max_pages} pages in one run; it carries on from there next "
        "time (a feed whose `next` never ends is caught here)."
    )
    Feed.objects.filter(pk=feed.pk).update(last_error=report.error)
    return report
