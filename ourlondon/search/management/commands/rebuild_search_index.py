"""Rebuild the search index from the public catalogue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ourlondon.search.indexing import rebuild_index


class Command(BaseCommand):
    help = (
        "Replace the search index (documents, sessions, FTS/R*Tree or GIN/GiST) "
        "with the current public catalogue, in one transaction. Safe to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = rebuild_index(progress=lambda m: self.stderr.write(m))
        self.stdout.write(
            f"Search index: {report.documents:,} activities, "
            f"{report.sessions:,} sessions ({report.seconds:.1f} s)."
        )
