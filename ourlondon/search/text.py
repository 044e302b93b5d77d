"""Text normalisation shared by indexing, both backends and the reference search.

Stemming happens here, in Python (Snowball English), not in the database, so
SQLite FTS5 and PostgreSQL full-text see the same pre-stemmed tokens and cannot
disagree about what "dancing" means. Both store and match plain tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer  # type: ignore[import-untyped] # ships no type hints

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
_WORD_RE = re.compile(r"[a-z0-9]+")
# Words that carry no meaning in a search box. Stems of them are not indexed.
STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into"}
    | {"is", "it", "of", "on", "or", "the", "to", "with", "near", "me", "my", "i"}
    | {"want", "some"}
)
MAX_QUERY_TERMS = 8


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("Café" -> "cafe")."""
    if text.isascii():  # most text, and no diacritics to strip
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    return _WORD_RE.findall(fold(text))


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def index_tokens(text: str) -> list[str]:
    """Stems of the meaningful words of `text`, in order (duplicates kept)."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


@lru_cache(maxsize=1)
def synonym_groups() -> dict[str, frozenset[str]]:
    """stem -> every stem of its synonym group (itself included)."""
    groups: dict[str, set[str]] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        stems = {stem(w) for entry in line.split(",") for w in words(entry)}
        for s in stems:
            groups.setdefault(s, set()).update(stems)
    return {k: frozenset(v) for k, v in groups.items()}


@dataclass(frozen=True)
class TextQuery:
    """A parsed text query: every group must match; a group matches if any of its
    stems is a token of the document. `prefix`, if set, is the last word typed,
    matched as the start of a token (so "bask" finds basketball)."""

    groups: tuple[frozenset[str], ...]
    prefix: str | None = None
    # Set by the engine when the vocabulary says the words are in many documents
    # (a few thousand of a catalogue's): then the text index should not lead a
    # query that a place or a borough narrows more. Changes plans, not answers.
    common: bool = False

    @property
    def empty(self) -> bool:
        return not self.groups and not self.prefix

    def matches(self, tokens: frozenset[str]) -> bool:
        """The reference semantics, used by the brute-force search and tests."""
        if not all(group & tokens for group in self.groups):
            return False
        return self.prefix is None or any(t.startswith(self.prefix) for t in tokens)


def parse_text_query(text: str, *, prefix_last: bool = True) -> TextQuery:
    """Turn what someone typed into a `TextQuery`.

    Every word becomes a group of its stem and its synonyms' stems. With
    `prefix_last`, the last word (3+ letters, no synonyms) also matches as a
    prefix, for people who stop typing early.
    """
    raw = [w for w in words(text) if w not in STOP_WORDS][:MAX_QUERY_TERMS]
    if not raw:
        return TextQuery(groups=())
    synonyms = synonym_groups()
    groups = [synonyms.get(stem(w), frozenset({stem(w)})) for w in raw]
    last = raw[-1]
    if prefix_last and len(last) >= 3 and len(groups[-1]) == 1:
        # The last word matches as itself or as the start of a longer word: the
        # prefix of the stem covers both ("bask" -> "basketbal").
        prefix = min(stem(last), last, key=len)
        return TextQuery(groups=tuple(groups[:-1]), prefix=prefix)
    return TextQuery(groups=tuple(dict.fromkeys(groups)))
