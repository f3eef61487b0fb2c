"""Cards and replies as Slack Block Kit, within every Block Kit limit.

Untrusted text (titles, abstracts, answers, what people typed) goes into `plain_text` where Slack
has it, and into mrkdwn only escaped (`&`, `<`, `>`: Slack's own rule), so nothing can become
`<!channel>`, `<!here>`, a user mention or a disguised link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.cards import compact_count, cut_at_word, cut_escaped
from bot.domain import Card
from bot.text import split_message

# Block Kit limits (PLATFORMS.md §2; slack_sdk models/blocks).
BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_URL = 3000
FALLBACK_TEXT = 3000  # of Slack's 40,000: the notification line, not the message
Block = dict[str, Any]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Escaped `text` within `limit`, cut at a word before escaping (no entity split)."""
    return cut_escaped(text, limit, escape)


def web_url(url: str | None, limit: int = BUTTON_URL) -> str | None:
    if not url or len(url) > limit:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": cut_at_word(text, limit) or "…", "emoji": False}


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def card_blocks(card: Card, *, links: bool = True, image: bool = True) -> list[Block]:
    version = f"v{card.version}" if card.version else ""
    blocks: list[Block] = [{"type": "header", "text": plain(card.title, HEADER_TEXT)}]
    byline = card.authors + (f" · {card.organization}" if card.organization else "")
    facts = [f"arXiv:{card.arxiv_id}{version}"]
    if card.published:
        facts.append(card.published.isoformat())
    if card.updated:
        facts.append(f"updated {card.updated.isoformat()}")
    if card.upvotes is not None:
        facts.append(f"▲ {compact_count(card.upvotes)}")
    if card.categories:
        facts.append(", ".join(card.categories[:6]))
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn(clip(byline, 300)), mrkdwn(clip(" · ".join(facts), 300))],
        }
    )
    if card.why:
        blocks.append({"type": "context", "elements": [mrkdwn(clip(f"Why here: {card.why}", 300))]})
    if card.tldr:
        label = "*TL;DR* (AI summary): " if card.tldr_is_ai else "*TL;DR*: "
        tldr: Block = {
            "type": "section",
            "text": mrkdwn(label + clip(card.tldr, SECTION_TEXT - len(label))),
        }
        if image and (url := web_url(card.image_url)):
            tldr["accessory"] = {"type": "image", "image_url": url, "alt_text": "thumbnail"}
        blocks.append(tldr)
    if links:  # never empty: "Related papers" is always there
        blocks.append({"type": "actions", "elements": link_buttons(card)})
    return blocks


RELATED_ACTION = "papers_related"


def link_buttons(card: Card) -> list[Block]:
    """The card's links, then "Related papers" (the app answers its click: `papers_related`)."""
    links: list[Block] = [
        {
            "type": "button",
            "action_id": f"link-{n}",  # Slack sends a click to the app; it is acknowledged
            "text": plain(link.label, BUTTON_TEXT),
            "url": url,
        }
        for n, link in enumerate(card.links[: ACTIONS_ELEMENTS - 1])
        if (url := web_url(link.url))
    ]
    related = {
        "type": "button",
        "action_id": RELATED_ACTION,
        "text": plain("Related papers", BUTTON_TEXT),
        "value": card.arxiv_id,
    }
    return [*links, related]


def fallback(card: Card) -> str:
    """The notification and screen-reader text of a card."""
    return clip(f"{card.title} (arXiv:{card.arxiv_id})", FALLBACK_TEXT)


def text_blocks(text: str) -> list[Block]:
    """Plain text as sections (each within 3000 characters), split at lines then words."""
    return [
        {"type": "section", "text": mrkdwn(part)}
        for part in split_message(escape(text), SECTION_TEXT)
    ]


def fallback_text(text: str) -> str:
    """A message's notification text: escaped, and short (the blocks carry the whole)."""
    return clip(text, FALLBACK_TEXT) or "…"


def fit(blocks: list[Block], room: int = BLOCKS) -> list[Block]:
    """At most `room` blocks: the rest is dropped whole (never a block cut in half)."""
    return blocks[:room]
