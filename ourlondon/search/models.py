"""The search index: denormalised copies of what public search reads.

Rebuilt from the catalogue by `search/indexing.py`; never edited by hand. Keeping
it separate from the catalogue lets both backends add their own structures beside
it (FTS5 and R*Tree on SQLite; tsvector/GIN and GiST on PostgreSQL; see the
migrations) while the Django schema stays identical on both.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """One public activity, flattened for filtering and text search."""

    # A plain id rather than a foreign key: the index is rebuilt wholesale and must
    # not cascade or lock catalogue rows while it is.
    activity_id = models.BigIntegerField(primary_key=True)
    title = models.CharField(max_length=200)
    # Pre-stemmed tokens (search/text.py), space-separated: what both backends index.
    tokens = models.TextField()
    title_tokens = models.TextField()
    lat = models.FloatField(null=True)
    lng = models.FloatField(null=True)
    borough_id = models.CharField(max_length=9, blank=True)
    age_min = models.SmallIntegerField(null=True)
    age_max = models.SmallIntegerField(null=True)
    is_free = models.BooleanField()
    # Bit i set = category/feature i (in the order of the TextChoices), so "any of
    # these categories" and "all of these features" are one integer test each.
    category_bits = models.IntegerField()
    access_bits = models.IntegerField()
    type_slugs = models.TextField()  # " slug1 slug2 " for exact word tests
    # Which days (counted from SearchIndexState.day0, London dates) have at least
    # one session: bit i of days_a is day i (0-61), bit i of days_b is day 62 + i.
    # Lets date and weekday filters, totals, facets and clusters run over one row
    # per activity instead of one per session. 62 bits keep clear of the sign bit.
    days_a = models.BigIntegerField(default=0)
    days_b = models.BigIntegerField(default=0)
    # The start (UTC epoch seconds) of its last session on day 0, if any: "has a
    # session later today" is then `day0_last_ts >= now`, a column test instead
    # of a look at the session table (every search sent "from now" asks it).
    day0_last_ts = models.BigIntegerField(null=True)
    # Sessions after the 124 days the bits cover (far-off one-off events).
    beyond = models.BooleanField(default=False)
    cell_x = models.IntegerField(null=True)
    cell_y = models.IntegerField(null=True)
    # (cell_x, cell_y) interleaved bit by bit (a Morton code): rows sorted by it
    # are grouped by place, so clustering streams through an index, one group per
    # location, instead of sorting every activity.
    quad = models.BigIntegerField(null=True)
    indexed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Text + borough searches walk one borough's documents and test each
            # against the word's matches: with the filters' columns here, only
            # the matches' rows (for their title words) are read. 0.2-0.6 ms of
            # ~1.5 per search at a million sessions.
            models.Index(
                fields=[
                    "borough_id",
                    "days_a",
                    "days_b",
                    "day0_last_ts",
                    "is_free",
                    "category_bits",
                    "age_min",
                    "age_max",
                    "lat",
                    "lng",
                    "activity_id",
                ],
                name="searchdoc_borough_cover",
            ),
            # Covers the whole-catalogue scans (broad searches, clusters), so they
            # read this narrow index instead of rows that carry the token text.
            models.Index(
                fields=[
                    "days_a",
                    "days_b",
                    "day0_last_ts",
                    "is_free",
                    "category_bits",
                    "age_min",
                    "age_max",
                    "borough_id",
                    "lat",
                    "lng",
                    "cell_x",
                    "cell_y",
                    "activity_id",
                ],
                name="searchdoc_scan",
            ),
            # Free searches over all of London ("free this weekend") count the
            # free half only: at 1,000,000 sessions 25 -> 18 ms under load.
            models.Index(
                fields=[
                    "is_free",
                    "days_a",
                    "days_b",
                    "day0_last_ts",
                    "category_bits",
                    "age_min",
                    "age_max",
                    "borough_id",
                    "activity_id",
                ],
                name="searchdoc_free",
            ),
            # The same filters keyed by id: when a word's or a place's documents
            # lead (FTS5 or the R*Tree lists them), counting and listing them
            # reads this narrow index instead of the row holding the token text.
            # At 1,000,000 sessions, counting "dance" (8,171 documents) took 9.6
            # -> 3.6 ms; listing 5 km around EC1 14.6 -> 7.8 ms.
            models.Index(
                fields=[
                    "activity_id",
                    "days_a",
                    "days_b",
                    "day0_last_ts",
                    "is_free",
                    "category_bits",
                    "age_min",
                    "age_max",
                    "borough_id",
                    "lat",
                    "lng",
                ],
                name="searchdoc_by_id",
            ),
            models.Index(
                fields=[
                    "quad",
                    "days_a",
                    "days_b",
                    "day0_last_ts",
                    "is_free",
                    "category_bits",
                    "age_min",
                    "age_max",
                    "borough_id",
                    "cell_x",
                    "cell_y",
                    "activity_id",
                ],
                name="searchdoc_quad",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SearchSession(models.Model):
    """One upcoming session of a public activity, with the activity's filters copied
    on so most queries are answered from this table and its indexes alone."""

    occurrence_id = models.BigIntegerField(primary_key=True)
    activity_id = models.BigIntegerField()
    start_ts = models.BigIntegerField()  # UTC epoch seconds
    end_ts = models.BigIntegerField()
    weekday = models.SmallIntegerField()  # London local, 0 = Monday
    minute = models.SmallIntegerField()  # London local start, minutes after midnight
    borough_id = models.CharField(max_length=9, blank=True)
    is_free = models.BooleanField()
    age_min = models.SmallIntegerField(null=True)
    age_max = models.SmallIntegerField(null=True)
    category_bits = models.IntegerField()
    # Web-mercator tile of the venue at zoom 18 (null when online), so clusters at
    # zoom z group by (cell_x >> (18 - z - 1), cell_y >> ...) with no trigonometry.
    cell_x = models.IntegerField(null=True)
    cell_y = models.IntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["activity_id", "start_ts"], name="searchsess_activity"
            ),
            # Walking a day's sessions in (start, activity) order is how a page of
            # a broad search is found (engine._first_on_day): this order lets the
            # walk stop at its LIMIT with no sort, and the copied filters make it
            # covering, so it never reads the table.
            models.Index(
                fields=[
                    "start_ts",
                    "activity_id",
                    "is_free",
                    "age_min",
                    "age_max",
                    "category_bits",
                ],
                name="searchsess_start",
            ),
            models.Index(fields=["borough_id", "start_ts"], name="searchsess_borough"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}@{self.start_ts}"


class PendingDays(models.Model):
    """Documents whose days a harvest changed and has not written yet: they
    are counted again from their sessions later
    (`indexing.refresh_sessions(defer_days=True)`, `count_pending_days`).

    A booking system's session feed adds a session to thousands of series a
    page, and writing each new day to its document rewrote the document in
    all five covering indexes, page after page. Listed here instead (no
    index: a row costs an append), each document is counted once for many
    pages: a million sessions went into SQLite in 110.0 s instead of 139.7.
    Until then a search by day does not see those new days, as if their
    sessions had not been harvested yet; nothing it shows is wrong.
    """

    activity_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"days of {self.activity_id}"


class SearchCard(models.Model):
    """What a list of results shows of an activity, as JSON text (search/cards.py).

    Kept apart from SearchDocument so the rows searches read stay narrow.
    """

    activity_id = models.BigIntegerField(primary_key=True)
    card = models.TextField()

    def __str__(self) -> str:
        return str(self.activity_id)


class SearchIndexState(models.Model):
    """The one row saying which London date is day 0 of the documents' day bits."""

    day0 = models.DateField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"index from {self.day0}"


class SearchTerm(models.Model):
    """Every indexed token with how many documents hold it: the vocabulary for
    typo tolerance and for choosing which index should lead a query."""

    token = models.CharField(max_length=100, primary_key=True)
    documents = models.IntegerField()

    def __str__(self) -> str:
        return self.token
