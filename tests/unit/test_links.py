"""Links in untrusted text are found as linkify-it finds them and judged by the host a browser
would open; Hypothesis checks that no text makes the sanitizer raise or lets a foreign link by."""

from __future__ import annotations

import ada_url
import pytest
from hypothesis import given
from hypothesis import strategies as st
from linkify_it import LinkifyIt

from bot.links import REMOVED, defuse_links, web_url
from bot.qa.llm import ALLOWED_HOSTS, sanitize

ALLOWED = ("arxiv.org", "github.com")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("see https://arxiv.org/abs/2401.00001.", "see https://arxiv.org/abs/2401.00001."),
        ("HTTPS://ARXIV.ORG/abs/1 is fine", "HTTPS://ARXIV.ORG/abs/1 is fine"),
        ("see arxiv.org/abs/2401.00001", "see arxiv.org/abs/2401.00001"),
        ("https://export.arxiv.org/x", "https://export.arxiv.org/x"),
        ("see HTTPS://EVIL.EXAMPLE/x now", f"see {REMOVED} now"),
        ("go to www.evil.com today", f"go to {REMOVED} today"),
        # Browsers read the backslash as a slash: this goes to evil.example.
        ("https://evil.example\\@arxiv.org/abs/1", REMOVED),
        ("https://evil.example%2f@arxiv.org/", REMOVED),  # a user name is a disguise
        ("https://arxiv.org.evil.com/", REMOVED),
        ("https://\u0430rxiv.org/", REMOVED),  # a Cyrillic a: another host
        ("ftp://arxiv.org/x and mailto:a@b.com", f"{REMOVED} and {REMOVED}"),
        ("[the code](HTTPS://EVIL.COM/x) here", "the code here"),
        ("[paper](<https://arxiv.org/abs/1>)", "paper"),
        ("we ship train.py and evil.com", "we ship train[.]py and evil[.]com"),
        ("an unfinished http://[ link", "an unfinished http://[ link"),
        ("no links at all: Table 2.1, v1.2.3, e.g.", "no links at all: Table 2.1, v1.2.3, e.g."),
    ],
)
def test_links_kept_only_when_a_browser_would_open_an_allowed_host(text: str, shown: str) -> None:
    assert defuse_links(text, ALLOWED) == shown


@pytest.mark.parametrize(
    ("url", "read"),
    [
        ("https://github.com/o/r", "https://github.com/o/r"),
        (" HTTPS://Lab.Example.org/demo ", "https://lab.example.org/demo"),
        ("https://evil.example\\@github.com/", "https://evil.example/@github.com/"),
        ("https://u:p@github.com/", None),
        ("javascript:alert(1)", None),
        ("http://[", None),
        ("https://x.org/" + "a" * 2000, None),
        ("https://x.org/\x00", None),
        (42, None),
    ],
)
def test_source_urls_are_read_as_browsers_read_them(url: object, read: str | None) -> None:
    assert web_url(url) == read


FRAGMENTS = st.sampled_from(
    [
        "http://",
        "HTTPS://",
        "https://",
        "www.",
        "//",
        "\\",
        "@",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        ".",
        "/",
        ":",
        "%2f",
        "arxiv.org",
        "evil.com",
        "EVIL.COM",
        "github.com",
        "xn--80a",
        "\u0430",
        " ",
        "\n",
        "mailto:",
        "ftp://",
        "x",
        "1",
    ]
)
TEXTS = st.one_of(st.text(max_size=80), st.lists(FRAGMENTS, max_size=25).map("".join))
_FINDER = LinkifyIt()


@given(TEXTS)
def test_no_text_raises_or_lets_a_foreign_link_by(text: str) -> None:
    out = sanitize(text)  # never raises
    for match in _FINDER.match(out) or ():
        url = web_url(match.url)
        assert url is not None, (text, out, match.raw)
        host = str(ada_url.URL(url).hostname)
        assert any(host == h or host.endswith(f".{h}") for h in ALLOWED_HOSTS), (text, out)


def test_text_that_keeps_making_links_is_made_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    # Taking out `HTTP://0` makes `0.AL.` a link: a second pass is needed, and past the passes
    # allowed, what links are made of is bracketed.
    assert defuse_links("0.AL.HTTP://0") == f"0[.]AL.{REMOVED}"
    monkeypatch.setattr("bot.links.PASSES", 1)
    inert = defuse_links("0.AL.HTTP://0")
    assert inert == f"0[.]AL[.]{REMOVED}" and not _FINDER.match(inert)
