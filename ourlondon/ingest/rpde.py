"""RPDE 1.0 pages, parsed: bytes in, a checked `Page` out, no database.

Realtime Paged Data Exchange (https://openactive.io/realtime-paged-data-exchange/):
each page holds `items` in (modified, id) or changeNumber order and the URL of
the `next` page; the last page has no items and a `next` equal to its own URL. An
item is `updated` (with `data`) or `deleted` (a tombstone, no data).

A page that is not RPDE (not JSON, no `next`, `items` not a list) raises
`MalformedPage`: nothing of it may be committed. One bad item does not spoil the
page: it comes back in `Page.rejected` with its reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin


class MalformedPage(ValueError):
    """The page as a whole cannot be read as RPDE."""


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    modified: str
    deleted: bool
    data: dict[str, Any] | None


@dataclass(frozen=True)
class Rejected:
    kind: str
    id: str
    reason: str


@dataclass(frozen=True)
class Page:
    url: str
    next_url: str
    items: list[Item] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    license: str = ""

    @property
    def is_last(self) -> bool:
        """No items and `next` pointing back here: the publisher has no more."""
        return not self.items and not self.rejected and self.next_url == self.url


def _scalar(value: Any) -> str | None:
    """An id or modified value as text: strings and integers (of any size)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_item(raw: Any) -> Item | Rejected:
    if not isinstance(raw, dict):
        return Rejected("", "", "An item must be a JSON object.")
    raw_kind = raw.get("kind")
    kind = raw_kind if isinstance(raw_kind, str) else ""
    item_id = _scalar(raw.get("id"))
    if item_id is None:
        return Rejected(kind, "", "The item has no id (a string or an integer).")
    state = raw.get("state")
    if state not in ("updated", "deleted"):
        return Rejected(
            kind, item_id, f"state must be updated or deleted, not {state!r}."
        )
    if not kind:
        return Rejected("", item_id, "The item has no kind.")
    modified = _scalar(raw.get("modified"))
    if modified is None:
        return Rejected(kind, item_id, "The item has no modified value.")
    if state == "deleted":
        return Item(kind, item_id, modified, True, None)
    data = raw.get("data")
    if not isinstance(data, dict):
        return Rejected(kind, item_id, "An updated item must carry its data object.")
    return Item(kind, item_id, modified, False, data)


def parse_page(body: bytes, *, url: str) -> Page:
    """Parse one page fetched from `url` (relative `next` URLs are resolved)."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPage(f"The page is not JSON: {exc}.") from exc
    if not isinstance(document, dict):
        raise MalformedPage("An RPDE page must be a JSON object.")
    next_url = document.get("next")
    if not isinstance(next_url, str) or not next_url.strip():
        raise MalformedPage("The page has no `next` URL.")
    items = document.get("items")
    if not isinstance(items, list):
        raise MalformedPage("The page's `items` must be a list.")
    parsed: list[Item] = []
    rejected: list[Rejected] = []
    for raw in items:
        result = parse_item(raw)
        if isinstance(result, Item):
            parsed.append(result)
        else:
            rejected.append(result)
    license_url = document.get("license")
    return Page(
        url=url,
        next_url=urljoin(url, next_url.strip()),
        items=parsed,
        rejected=rejected,
        license=license_url if isinstance(license_url, str) else "",
    )
