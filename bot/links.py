"""Links in untrusted text (a model's answers and TL;DRs; URLs from sources), judged as a reader's
client would open them.

Links are found as linkify-it finds them (any case, `www.` and bare domains, every scheme), and
read with a WHATWG URL parser (ada), as browsers do: `https://evil.example\\@arxiv.org` goes to
evil.example, whatever Python's `urlsplit` says. A link stays only when it is http(s), carries no
user name, and its host is allowed; a bare domain that is not is defanged (`train[.]py`: still
readable, no longer a link), any other becomes "[link removed]".
"""

from __future__ import annotations

import re
from collections.abc import Collection

import ada_url
from linkify_it import LinkifyIt

REMOVED = "[link removed]"
MAX_URL = 2000  # characters: what browsers and chat platforms reliably take

_FINDER = LinkifyIt()
PASSES = 8
_LINKISH = re.compile(r"[.:@/\\]")
# A Markdown link's target (`[label](url)` or `[label](<url>)`): the label stays, the target goes.
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^()\s<>]*[.:/][^()\s<>]*)>?\s*\)")


# The hosts an answer may link to (the paper's own project page is allowed where it is known).
ALLOWED_HOSTS = ("arxiv.org", "huggingface.co", "doi.org", "github.com")


def web_url(value: object) -> str | None:
    """`value` as a browser would read it (the WHATWG serialisation) if it is an http(s) URL
    with a host and no user name, within MAX_URL; else None (javascript:, blanks, disguises)."""
    if not isinstance(value, str) or len(value) > MAX_URL or not value.strip().isprintable():
        return None
    try:
        url = ada_url.URL(value.strip())
    except ValueError:
        return None
    if url.protocol not in ("http:", "https:") or not url.hostname or url.username or url.password:
        return None
    href = str(url.href)
    return href if len(href) <= MAX_URL else None


def _allowed(url: str, hosts: Collection[str]) -> bool:
    parsed = web_url(url)
    if parsed is None:
        return False
    host = str(ada_url.URL(parsed).hostname)
    return any(host == h or host.endswith(f".{h}") for h in hosts)


def _defanged(schema: str, raw: str) -> str:
    """A bare domain made no link (readable: `train[.]py`); anything else removed."""
    if schema or raw.lower().startswith("www."):
        return REMOVED
    defanged = raw.replace(".", "[.]")
    return REMOVED if _FINDER.match(defanged) else defanged  # `a.io/http://b` hid a link


def _one_pass(text: str, hosts: Collection[str]) -> tuple[str, bool]:
    out, at, changed = [], 0, False
    for match in _FINDER.match(text) or ():
        out.append(text[at : match.index])
        if _allowed(match.url, hosts):
            out.append(match.raw)
        else:
            out.append(_defanged(match.schema, match.raw))
            changed = True
        at = match.last_index
    out.append(text[at:])
    return "".join(out), changed


def defuse_links(text: str, hosts: Collection[str] = ()) -> str:
    """`text` with every link a client could open kept only if its host is one of `hosts` (or a
    subdomain of one)."""
    text = _MD_LINK.sub(lambda m: m[1], text)
    # Not `_FINDER.test()` first: linkify-it-py's test misses links its match finds ("0.ORG<").
    # Again until nothing changes: taking a link out can make its neighbours one ("a.io.http://b").
    for _ in range(PASSES):
        text, changed = _one_pass(text, hosts)
        if not changed:
            return text
    # Not seen in fuzzing: text that keeps making links. Bracket what links are made of.
    return _LINKISH.sub(lambda m: f"[{m[0]}]", text)
