"""Page weight against the finder's budgets, measured on a running site.

    .venv/bin/python bench/page_weight.py http://127.0.0.1:8000 [PATH ...]

For each page (default: home, a results page, its map view and an activity page),
prints the HTML's compressed size as served (gzip from the site), the size of the
compressed HTML up to the end of the tenth result (budget: 14 KB, one TCP
round trip's worth on a new connection), and the page's own CSS and JavaScript as
served compressed by whitenoise (budget for a list page: 60 KB in all). Scripts
the page adds later (the map's Leaflet) are counted separately, since a list page
never loads them.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import urllib.request
from urllib.parse import urljoin

DEFAULT_PATHS = [
    "/",
    "/search/?where=E8+3AA&age=14",
    "/search/?where=E8+3AA&age=14&view=map",
]
HTML_FIRST_RESULTS_BUDGET = 14 * 1024
LIST_PAGE_BUDGET = 60 * 1024


def fetch(url: str) -> tuple[bytes, bytes]:
    """(body as sent, decoded body), asking for gzip as browsers do."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        sent = response.read()
        encoded = response.headers.get("Content-Encoding") == "gzip"
    return sent, gzip.decompress(sent) if encoded else sent


def first_results_bytes(html: bytes, count: int = 10) -> int | None:
    start = html.find(b'<ol class="results"')
    if start < 0:
        return None
    ends = [m.end() for m in re.finditer(rb"</li>", html[start:])]
    if len(ends) < count:
        return None
    return len(gzip.compress(html[: start + ends[count - 1]]))


def measure(base: str, path: str) -> dict[str, object]:
    sent, html = fetch(urljoin(base, path))
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    lazy = re.findall(rb'data-[a-z-]+="(/static/[^"]+\.(?:css|js))"', html)
    own = sum(len(fetch(urljoin(base, a.decode()))[0]) for a in assets)
    later = sum(len(fetch(urljoin(base, a.decode()))[0]) for a in set(lazy))
    return {
        "path": path,
        "html": len(sent),
        "first10": first_results_bytes(html),
        "assets": own,
        "total": len(sent) + own,
        "lazy": later,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="Site root, e.g. http://127.0.0.1:8000")
    parser.add_argument("paths", nargs="*", help="Pages (default: a typical set)")
    options = parser.parse_args(argv)
    paths = options.paths or DEFAULT_PATHS
    if not options.paths:
        _, results = fetch(urljoin(options.base, DEFAULT_PATHS[1]))
        found = re.search(rb'<h3><a href="(/activities/\d+/)"', results)
        if found:
            paths = [*paths, found.group(1).decode()]
    print(
        f"{'page':46} {'html':>8} {'first 10':>9} {'css+js':>8} {'total':>8} "
        f"{'map code':>9}"
    )
    for path in paths:
        row = measure(options.base, path)
        first = "-" if row["first10"] is None else f"{row['first10']:,}"
        print(
            f"{str(row['path'])[:46]:46} {row['html']:>8,} {first:>9} "
            f"{row['assets']:>8,} {row['total']:>8,} {row['lazy']:>9,}"
        )
    print(
        f"(bytes as sent, compressed; budgets: first 10 results <= "
        f"{HTML_FIRST_RESULTS_BUDGET:,}, list page HTML+CSS+JS <= "
        f"{LIST_PAGE_BUDGET:,}; map code loads only on the map view)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
