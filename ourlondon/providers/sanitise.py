"""Provider text is plain text: any HTML in it is removed on save.

Descriptions are escaped when shown, so markup could never run; but a provider
who pastes from a web page or a word processor should see their text, not tags,
and nothing that looks like a script should sit in the catalogue (it is
exported to open-data feeds whose consumers may not escape). nh3 (ammonia, a
maintained sanitiser) parses the text as HTML and keeps only the text: tags and
their attributes go (`onerror=`, `javascript:` links), and so does the content of
`<script>` and `<style>`.
"""

from __future__ import annotations

import html

import nh3


def plain_text(value: str) -> str:
    """`value` with every HTML tag removed and the text kept, unescaped.

    nh3 returns HTML, so its entities are decoded again (`Fish &amp; chips` is
    stored as `Fish & chips`). Decoding can reveal a tag that was written as
    entities (`&lt;b&gt;`), so this repeats until nothing changes: the result is
    stable (`plain_text(plain_text(x)) == plain_text(x)`). Every round that
    changes the text shortens it, so the loop ends within len(value) rounds.
    """
    text = value
    for _ in range(len(value) + 1):
        cleaned = html.unescape(nh3.clean(text, tags=set(), attributes={}))
        if cleaned == text:
            break
        text = cleaned
    return text
