"""Message text as HTML for the playground: everything escaped; `> ` lines as quotes (how answers
quote the paper), and links to the hosts answers cite as links. Never raw HTML from a paper."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# The hosts answers and cards link to; any other URL stays plain text.
LINKED = ("arxiv.org", "huggingface.co", "doi.org", "github.com")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def _linked(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in LINKED)


def _line(text: str) -> Markup:
    out, last = Markup(""), 0
    for match in _URL.finditer(text):
        out += escape(text[last : match.start()])
        url = match[0]
        if _linked(url):
            out += Markup('<a href="{0}" rel="noopener nofollow" target="_blank">{0}</a>').format(
                url
            )
        else:
            out += escape(url)
        last = match.end()
    return out + escape(text[last:])


def rich_text(text: str) -> Markup:
    """`text` as safe HTML: lines, quotes (`> `) grouped in a blockquote, allowed links."""
    parts: list[Markup] = []
    quote: list[Markup] = []
    for line in text.split("\n"):
        if line.startswith("> ") or line == ">":
            quote.append(_line(line[2:]))
            continue
        if quote:
            parts.append(Markup("<blockquote>{}</blockquote>").format(Markup("<br>").join(quote)))
            quote = []
        parts.append(_line(line) + Markup("<br>"))
    if quote:
        parts.append(Markup("<blockquote>{}</blockquote>").format(Markup("<br>").join(quote)))
    return Markup("").join(parts)
