"""Cards and replies as Discord embeds, buttons and messages, within every Discord limit.

Untrusted text (titles, abstracts, answers, what people typed) is escaped for Discord's markdown
and mention syntax; the client also sends `allowed_mentions: {"parse": []}` with every message,
so nothing can ping anyone even if an escape were missed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import discord

from bot.cards import compact_count, cut_at_word, cut_escaped
from bot.domain import Card
from bot.text import split_message

# Discord's limits (discord-api-docs, resources/message.mdx "Embed Limits" and Create Message).
TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000  # all embeds of one message together
EMBEDS = 10
CONTENT = 2000
BUTTON_LABEL = 80
BUTTONS = 25
THREAD_NAME = 100
URL = 2048
BUTTON_URL = 512  # a link button's URL (message components docs)
FACT = 300  # a field's value on a card: a fact, not an essay, whatever the source says


def safe(text: str) -> str:
    """`text` shown as typed: no markdown, no mention, no masked link."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def clip(text: str, limit: int) -> str:
    """`safe` text within `limit`, cut at a word (before escaping, so no escape is split)."""
    return cut_escaped(text, limit, safe)


def web_url(url: str | None, limit: int = URL) -> str | None:
    """`url` if Discord will take it as a link (http or https, within `limit`), else None."""
    if not url or len(url) > limit:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def thread_name(title: str) -> str:
    """A thread's name (plain text, 1-100 characters)."""
    return cut_at_word(" ".join(title.split()), THREAD_NAME) or "Paper"


def card_embed(card: Card, footer: str = "") -> discord.Embed:
    version = f"v{card.version}" if card.version else ""
    abs_url = next((link.url for link in card.links if link.label == "arXiv"), None)
    embed = discord.Embed(
        title=clip(card.title, TITLE),
        url=web_url(abs_url),
        colour=discord.Colour(0xB31B1B),
    )
    byline = card.authors + (f" · {card.organization}" if card.organization else "")
    embed.set_author(name=cut_at_word(byline, AUTHOR))
    if card.published:
        dates = card.published.isoformat()
        if card.updated:
            dates += f" (updated {card.updated.isoformat()})"
        embed.add_field(name="Published", value=dates, inline=True)
    if card.upvotes is not None:
        comments = f" · {card.num_comments} 💬" if card.num_comments else ""
        embed.add_field(name="Upvotes", value=f"▲ {compact_count(card.upvotes)}{comments}")
    if card.categories:
        embed.add_field(name="Categories", value=clip(", ".join(card.categories), FACT))
    if card.venue:
        embed.add_field(name="Venue", value=clip(card.venue, FACT), inline=False)
    if card.keywords:
        embed.add_field(name="Keywords", value=clip(", ".join(card.keywords), FACT))
    if card.why:
        embed.add_field(name="Why here", value=clip(card.why, FACT), inline=False)
    if image := web_url(card.image_url):
        embed.set_thumbnail(url=image)
    embed.set_footer(text=cut_at_word(f"arXiv:{card.arxiv_id}{version}{footer}", FOOTER))
    # The TL;DR takes what the 6000-character total leaves.
    embed.description = _description(card, min(DESCRIPTION, EMBED_TOTAL - len(embed)))
    return embed


def _description(card: Card, room: int) -> str | None:
    label = "**TL;DR** (AI summary)" if card.tldr_is_ai else "**TL;DR**"
    if not card.tldr or room < len(label) + 20:
        return None
    return f"{label}: {clip(card.tldr, room - len(label) - 2)}"


def link_buttons(card: Card) -> discord.ui.View:
    """The card's links as link buttons (one row; the arXiv abstract, PDF, HF page, code ...)."""
    view = discord.ui.View(timeout=None)
    for link in card.links[:5]:
        if url := web_url(link.url, BUTTON_URL):
            label = cut_at_word(link.label, BUTTON_LABEL)
            view.add_item(discord.ui.Button(label=label, url=url))
    return view


def fit(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """As many embeds as one message takes: at most 10, at most 6000 characters together."""
    kept: list[discord.Embed] = []
    total = 0
    for embed in embeds[:EMBEDS]:
        size = len(embed)  # discord.py counts what Discord sums toward the 6000
        if total + size > EMBED_TOTAL:
            break
        kept.append(embed)
        total += size
    return kept


def chunks(text: str, limit: int = CONTENT) -> list[str]:
    """`text` in messages of at most `limit` characters, split at lines, then words: nothing of
    a long answer is lost."""
    return split_message(text, limit) or ["…"]
