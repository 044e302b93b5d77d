"""Toolkit pages are sanitised: no scripts, event handlers or javascript: links
survive, whatever HTML or Markdown goes in."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ourlondon.support.markup import render_markdown, sanitise_html
from ourlondon.support.models import Toolkit, ToolkitPage

TAGS = [
    "a",
    "p",
    "script",
    "img",
    "iframe",
    "svg",
    "div",
    "style",
    "object",
    "form",
    "math",
    "b",
    "table",
    "td",
    "embed",
    "base",
    "meta",
    "details",
]
HANDLERS = [
    "onclick",
    "onerror",
    "onload",
    "onmouseover",
    "onfocus",
    "ONCLICK",
    "onanimationstart",
    "onpointerenter",
]
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "https://example.org/ok",
    "mailto:a@example.org",
    "/help/",
    "tel:999",
]
ATTRS = [
    "href",
    "src",
    "style",
    "formaction",
    "xlink:href",
    "action",
    "srcdoc",
    "title",
    "background",
]


@st.composite
def html(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "element", "handler", "url"]))
        if kind == "text" or depth > 2:
            parts.append(
                draw(
                    st.text(
                        alphabet=st.characters(blacklist_categories=["Cs"]),
                        max_size=20,
                    )
                )
            )
            continue
        tag = draw(st.sampled_from(TAGS))
        attrs = []
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                attrs.append(f'{draw(st.sampled_from(HANDLERS))}="alert(1)"')
            else:
                quote = draw(st.sampled_from(['"', "'", ""]))
                value = draw(st.sampled_from(URLS))
                attrs.append(f"{draw(st.sampled_from(ATTRS))}={quote}{value}{quote}")
        inner = draw(html(depth=depth + 1))
        closing = draw(st.booleans())
        parts.append(
            f"<{tag} {' '.join(attrs)}>{inner}" + (f"</{tag}>" if closing else "")
        )
    return "".join(parts)


def scheme(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, tabs and newlines
    removed, leading controls and spaces stripped (WHATWG URL parsing)."""
    value = re.sub(r"[\t\n\r]", "", unescape(url)).lstrip("".join(map(chr, range(33))))
    found = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    return found.group(1).lower() if found else None


URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "cite",
    "data",
    "srcset",
    "ping",
}
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "form",
    "img",
}


class Elements(HTMLParser):
    """Every start tag and its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def assert_safe(output: str) -> None:
    parser = Elements()
    parser.feed(output)
    parser.close()
    for tag, attrs in parser.found:
        assert tag not in FORBIDDEN_TAGS, output
        for name, value in attrs:
            assert not name.startswith("on"), output
            assert name != "style", output
            if name in URL_ATTRIBUTES and value is not None:
                assert scheme(value) in (None, "http", "https", "mailto", "tel"), output


@settings(max_examples=150, deadline=None)
@given(html())
def test_generated_html_comes_out_without_scripts_handlers_or_script_links(source):
    assert_safe(sanitise_html(source))


@settings(max_examples=100, deadline=None)
@given(html(), st.text(max_size=40))
def test_markdown_around_generated_html_comes_out_safe(source, words):
    markdown = f"# {words}\n\n{source}\n\n[link]({source[:30]})\n\n{words}"
    assert_safe(render_markdown(markdown))


def test_sanitising_twice_changes_nothing_more():
    dirty = (
        '<p onclick="x">Hi <a href="javascript:alert(1)">there</a></p>'
        "<script>x</script>"
    )
    once = sanitise_html(dirty)
    assert sanitise_html(once) == once


@pytest.mark.parametrize(
    ("markdown", "kept"),
    [
        ("Call [Childline](tel:08001111)", 'href="tel:08001111"'),
        ("[Help](https://example.org/help)", 'href="https://example.org/help"'),
        ("## Prepare\n\n- one\n- two", "<h2>Prepare</h2>"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>"),
    ],
)
def test_ordinary_markdown_survives(markdown, kept):
    assert kept in render_markdown(markdown)


def test_a_markdown_javascript_link_loses_its_target():
    out = render_markdown("[click](javascript:alert(1)) <a href='JavaScript:x'>y</a>")
    assert "javascript" not in out.lower().replace("[click](javascript", "")


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<p onclick="alert(1)">x</p>',
        '<img src="x" onerror="alert(1)">',
        '<iframe src="https://example.org"></iframe>',
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(unsafe):
    with pytest.raises(AssertionError):
        assert_safe(unsafe)


@pytest.mark.django_db
def test_a_toolkit_page_is_sanitised_when_saved():
    page = ToolkitPage(
        toolkit=Toolkit.EDUCATION,
        title="Unsafe",
        slug="unsafe",
        body='Hello <script>alert(1)</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(1)" onclick="x">go</a>',
    )
    page.save()
    stored = ToolkitPage.objects.get(pk=page.pk).body_html
    assert "Hello" in stored
    assert_safe(stored)
    assert "<img" not in stored
