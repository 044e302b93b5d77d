"""Search: one typed query, two database backends (SQLite, PostgreSQL), one answer."""
