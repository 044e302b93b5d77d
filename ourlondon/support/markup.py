"""Toolkit pages: Markdown written by staff in the admin, turned into HTML that is
safe to show on a public page.

Staff are trusted, but their accounts may not be, and text is pasted from
elsewhere: so the HTML is sanitised whatever produced it. markdown-it-py renders
CommonMark with raw HTML allowed (staff may need a table), then nh3 (ammonia)
keeps only an allow-list of tags and attributes and only http, https, mailto
and tel links. Scripts, styles, event handlers (`onclick=`), `javascript:` and
`data:` URLs and iframes never survive. Both run when a page is saved
(`ToolkitPage.save`), so a request only ever reads finished HTML.
"""

from __future__ import annotations

from typing import Final

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS: Final = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "dd",
        "dl",
        "dt",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_SCHEMES: Final = frozenset({"http", "https", "mailto", "tel"})

_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")


def sanitise_html(html: str) -> str:
    """`html` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown (CommonMark, tables) to sanitised HTML."""
    return sanitise_html(_markdown.render(text))
