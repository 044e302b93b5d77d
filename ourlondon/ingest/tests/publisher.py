"""A fake OpenActive publisher for tests: items in memory, served as a real RPDE
feed by a real HTTP server on 127.0.0.1, in either ordering strategy.

`Publisher.upsert` / `delete` change the publisher's state the way a booking
system would (a new `modified` or change number each time); the server answers
pages of `page_size` items after the position in the URL, and the last page has
no items and points at itself, as RPDE 1.0 says.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ourlondon.ingest.models import Feed

FOOTBALL = "https://openactive.io/activity-list#0a5f732d-e806-4e51-ad40-0a7de0239c8c"
BOXING = "https://openactive.io/activity-list#d4417bb3-383f-489b-b0c7-731b82f3b220"


def series_data(
    series_id: str,
    *,
    name: str = "Hackney Youth Football",
    postcode: str = "E8 3AA",
    activity: str = FOOTBALL,
    age: tuple[int | None, int | None] = (11, 16),
    price: float | None = 0,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://openactive.io/",
        "@type": "SessionSeries",
        "@id": f"https://publisher.example/series/{series_id}",
        "name": name,
        "description": f"{name}: all welcome.",
        "organizer": {"@type": "Organization", "name": "Hackney Sports Trust"},
        "activity": [{"@type": "Concept", "@id": activity, "prefLabel": "Football"}],
        "location": {
            "@type": "Place",
            "name": "Marsh Pavilion",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "1 Marsh Lane",
                "postalCode": postcode,
            },
        },
        "url": f"https://publisher.example/book/{series_id}",
    }
    low, high = age
    if low is not None or high is not None:
        data["ageRange"] = {"@type": "QuantitativeValue"}
        if low is not None:
            data["ageRange"]["minValue"] = low
        if high is not None:
            data["ageRange"]["maxValue"] = high
    if price is not None:
        data["offers"] = [{"@type": "Offer", "price": price, "priceCurrency": "GBP"}]
    data.update(extra)
    return data


def session_data(
    session_id: str, series_id: str, start: datetime, *, minutes: int = 90
) -> dict[str, Any]:
    return {
        "@context": "https://openactive.io/",
        "@type": "ScheduledSession",
        "@id": f"https://publisher.example/sessions/{session_id}",
        "superEvent": f"https://publisher.example/series/{series_id}",
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(minutes=minutes)).isoformat(),
    }


@dataclass
class Entry:
    kind: str
    id: str
    modified: int
    data: dict[str, Any] | None  # None: deleted


@dataclass
class Publisher:
    """One feed's items. `strategy` is "modified" (afterTimestamp/afterId) or
    "change" (afterChangeNumber)."""

    kind: str = "SessionSeries"
    page_size: int = 3
    strategy: str = "modified"
    entries: dict[str, Entry] = field(default_factory=dict)
    clock: int = 1000
    # Test hooks: a function given the query that may return (status, headers,
    # body) instead of the page.
    intercept: (
        Callable[[dict[str, list[str]]], tuple[int, dict[str, str], bytes] | None]
        | None
    ) = None
    requests: list[str] = field(default_factory=list)

    def _tick(self, modified: int | None) -> int:
        self.clock += 1
        return modified if modified is not None else self.clock

    def upsert(
        self, item_id: str, data: dict[str, Any], *, modified: int | None = None
    ) -> None:
        self.entries[item_id] = Entry(self.kind, item_id, self._tick(modified), data)

    def delete(self, item_id: str, *, modified: int | None = None) -> None:
        self.entries[item_id] = Entry(self.kind, item_id, self._tick(modified), None)

    def live(self) -> dict[str, dict[str, Any]]:
        return {k: e.data for k, e in self.entries.items() if e.data is not None}

    def _ordered(self) -> list[Entry]:
        if self.strategy == "change":
            return sorted(self.entries.values(), key=lambda e: e.modified)
        return sorted(self.entries.values(), key=lambda e: (e.modified, e.id))

    def page(self, query: dict[str, list[str]], base: str, here: str) -> dict[str, Any]:
        ordered = self._ordered()
        if self.strategy == "change":
            after = int(query.get("afterChangeNumber", ["0"])[0])
            rest = [e for e in ordered if e.modified > after]
        else:
            ts = query.get("afterTimestamp")
            after_id = query.get("afterId", [""])[0]
            if ts:
                position = (int(ts[0]), after_id)
                rest = [e for e in ordered if (e.modified, e.id) > position]
            else:
                rest = ordered
        chunk = rest[: self.page_size]
        items = []
        for e in chunk:
            item: dict[str, Any] = {
                "state": "deleted" if e.data is None else "updated",
                "kind": e.kind,
                "id": e.id,
                "modified": e.modified,
            }
            if e.data is not None:
                item["data"] = e.data
            items.append(item)
        if chunk:
            last = chunk[-1]
            if self.strategy == "change":
                next_url = f"{base}?afterChangeNumber={last.modified}"
            else:
                next_url = f"{base}?afterTimestamp={last.modified}&afterId={last.id}"
        else:
            next_url = here  # the last page points at itself
        return {
            "next": next_url,
            "items": items,
            "license": "https://creativecommons.org/licenses/by/4.0/",
        }


@contextmanager
def serve(publishers: dict[str, Publisher]) -> Iterator[str]:
    """Serve each publisher at /<name> on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            name = parts.path.strip("/")
            publisher = publishers.get(name)
            query = parse_qs(parts.query)
            if publisher is None:
                self.send_error(404)
                return
            publisher.requests.append(self.path)
            status, headers, body = 200, {"Content-Type": "application/json"}, b""
            answer = publisher.intercept(query) if publisher.intercept else None
            if answer is not None:
                status, headers, body = answer
            else:
                host = f"http://{self.headers['Host']}"
                page = publisher.page(query, f"{host}/{name}", host + self.path)
                body = json.dumps(page).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def approved_feed(
    base: str, name: str, kind: str = "SessionSeries", **fields: Any
) -> Feed:
    """A feed of the publisher served at `base`/`name`, approved by a moderator."""
    return Feed.objects.create(
        name=name,
        publisher="Test publisher",
        kind=kind,
        url=f"{base}/{name}",
        **{"approved": True, **fields},
    )
