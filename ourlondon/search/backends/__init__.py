"""Search backends, chosen by the database in use (see `get_backend`)."""

from __future__ import annotations

from django.db import connection

from ourlondon.search.backends.base import Backend, Candidate


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        from ourlondon.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if connection.vendor == "sqlite":
        from ourlondon.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    raise NotImplementedError(f"No search backend for {connection.vendor}")


__all__ = ["Backend", "Candidate", "get_backend"]
