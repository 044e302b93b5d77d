"""Provider text is plain text: tags are stripped when it is saved.

Titles and descriptions are shown escaped, so markup could never run; but a
listing's text also leaves through the API, feeds and emails, where whoever
reads it may not escape it. So what a provider types (in the editor or a
spreadsheet) or a feed publishes is stored without any markup: nh3 (ammonia)
with no tags allowed removes tags, comments, and `<script>`/`<style>` with their
content, and keeps the words.
"""

from __future__ import annotations

import html
from typing import Final

import nh3

# Entity-escaped markup ("&lt;script&gt;") becomes markup once unescaped, so
# cleaning repeats until nothing changes; real text settles in one or two passes.
_MAX_PASSES: Final = 5


def plain_text(value: str) -> str:
    """`value` without any HTML: tags dropped, text kept, entities decoded."""
    text = value
    for _ in range(_MAX_PASSES):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            return cleaned
        text = cleaned
    # Still changing after several passes: deliberately nested markup. Whatever
    # is left is escaped so that no "<" survives as the start of a tag.
    return text.replace("<", "‹").replace(">", "›")
