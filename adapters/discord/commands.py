"""`/papers` as one Discord command group; each subcommand's options become the words of the
shared command set (`bot.commands`), so every platform behaves the same.

Every command answers within Discord's 3-second window: a reply ready within 2 seconds is sent
as is (private where it should be); a slower one is deferred first ("Paperboy is thinking...")
and sent as a follow-up.

Default member permissions apply to a whole top-level command, so setting Manage Channels on
`/papers` would also forbid `search` to everyone else; instead the bot checks the asker's
resolved permissions in the channel for the subcommands that change subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

import discord
from discord import app_commands

from adapters.discord.publisher import PLATFORM
from adapters.discord.render import card_embed, chunks, fit, safe
from bot.cards import cut_at_word
from bot.commands import Commands, Context, Reply
from bot.domain import Target
from bot.search import SearchError, build_query

log = logging.getLogger(__name__)

ANSWER_WITHIN = 2.0  # seconds before deferring; Discord's deadline is 3
CHOICES = 25
SOURCES = (
    "hf-daily",
    "arxiv-rss:cs.LG",
    "arxiv-rss:cs.CL",
    "arxiv-rss:cs.CV",
    "arxiv-rss:cs.AI",
    "arxiv-rss:cs.LG+cs.CL+cs.AI",
    "arxiv-rss:stat.ML",
    "arxiv-query:",
)
FAILED = Reply("Something went wrong on our side; please try again.", private=True, error=True)


def context(interaction: discord.Interaction) -> Context:
    """Where and by whom: in a thread, the target is its parent channel and the thread is kept."""
    channel = interaction.channel
    channel_id = interaction.channel_id or 0
    thread = None
    if isinstance(channel, discord.Thread):
        thread, channel_id = str(channel.id), channel.parent_id
    return Context(
        Target(PLATFORM, str(channel_id)),
        str(interaction.user.id),
        can_manage=interaction.permissions.manage_channels,
        thread=thread,
    )


def options(**values: object) -> list[str]:
    """`name=value` words for the options given (underscores become hyphens)."""
    out = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        out.append(f"{name.replace('_', '-')}={value}")
    return out


def rendered(reply: Reply) -> tuple[list[str], list[discord.Embed]]:
    """The reply as message texts (escaped, within 2000 each) and its cards as embeds."""
    embeds = fit([card_embed(card) for card in reply.cards])
    texts = chunks(safe(reply.text)) if reply.text else []
    return texts, embeds


async def send(
    interaction: discord.Interaction, reply: Reply, view: discord.ui.View | None = None
) -> None:
    texts, embeds = rendered(reply)
    first = texts[0] if texts else None
    shown = view or discord.utils.MISSING
    if not interaction.response.is_done():
        await interaction.response.send_message(
            first, embeds=embeds, ephemeral=reply.private, view=shown
        )
    elif reply.private:
        # Deferred in public ("thinking..."), but the answer is for the asker alone.
        await interaction.delete_original_response()
        await interaction.followup.send(first or "", embeds=embeds, ephemeral=True)
    else:
        await interaction.edit_original_response(content=first, embeds=embeds, view=view)
    for more in texts[1:]:
        await interaction.followup.send(more, ephemeral=reply.private)


async def answer(
    interaction: discord.Interaction,
    work: Awaitable[Reply],
    view_for: Callable[[Reply], discord.ui.View | None] = lambda _: None,
) -> None:
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
    if not done:
        await interaction.response.defer(thinking=True)
    try:
        reply = await task
    except Exception:
        log.exception("/papers failed for %s", interaction.user.id)
        reply = FAILED
    await send(interaction, reply, None if reply.error else view_for(reply))


class Pages(discord.ui.View):
    """Previous / next buttons under a search reply (for whoever sees it, for 15 minutes)."""

    def __init__(self, commands: Commands, query: list[str], page: int, ctx: Context) -> None:
        super().__init__(timeout=15 * 60)
        self.commands, self.query, self.page, self.ctx = commands, query, page, ctx
        self.previous.disabled = page <= 1

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        await interaction.response.defer()  # a search may take a moment; the 3 s hold
        reply = await self.commands.run([*self.query, f"page={page}"], self.ctx)
        if reply.error or not reply.cards:
            await interaction.followup.send("No more results.", ephemeral=True)
            return
        texts, embeds = rendered(reply)
        pages = Pages(self.commands, self.query, page, self.ctx)
        await interaction.edit_original_response(content=texts[0], embeds=embeds, view=pages)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Pages]) -> None:
        await self._turn(interaction, self.page - 1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Pages]) -> None:
        await self._turn(interaction, self.page + 1)


def papers_group(commands: Commands) -> app_commands.Group:
    group = app_commands.Group(
        name="papers", description="Research papers: search, subscribe, ask", guild_only=True
    )

    async def paper_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Papers in the store matching what is typed so far (the store only: instant)."""
        try:
            hits = await commands.papers.search(build_query(current, limit=CHOICES, as_typed=True))
        except SearchError:
            return []
        return [
            app_commands.Choice(
                name=cut_at_word(f"{h.paper.arxiv_id} {h.paper.title or ''}".strip(), 100),
                value=h.paper.arxiv_id,
            )
            for h in hits
        ]

    async def source_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = [current[:100]] if current and current not in SOURCES else []
        return [
            app_commands.Choice(name=s, value=s)
            for s in [*typed, *SOURCES]
            if current.lower() in s.lower()
        ][:CHOICES]

    def run(interaction: discord.Interaction, tokens: list[str]) -> Awaitable[Reply]:
        return commands.run(tokens, context(interaction))

    @group.command(description="Search papers by words, with optional filters")
    @app_commands.describe(
        query="Words or a phrase in quotes; an arXiv id or URL finds that paper",
        since="From this date (YYYY-MM-DD)",
        until="Up to this date (YYYY-MM-DD)",
        category="An arXiv category such as cs.LG",
        author="An author's name",
    )
    async def search(
        interaction: discord.Interaction,
        query: str,
        since: str | None = None,
        until: str | None = None,
        category: str | None = None,
        author: str | None = None,
        sort: Literal["relevance", "recent", "upvotes"] | None = None,
        page: app_commands.Range[int, 1, 100] | None = None,
    ) -> None:
        # The query stays one piece: its "quoted phrases" are phrases.
        tokens = [
            "search",
            query,
            *options(since=since, until=until, category=category, author=author, sort=sort),
        ]
        ctx = context(interaction)
        await answer(
            interaction,
            commands.run([*tokens, *options(page=page)], ctx),
            lambda _: Pages(commands, tokens, page or 1, ctx),
        )

    @group.command(description="Show a paper's card")
    @app_commands.describe(paper="An arXiv id or URL")
    @app_commands.autocomplete(paper=paper_choices)
    async def show(interaction: discord.Interaction, paper: str) -> None:
        await answer(interaction, run(interaction, ["show", paper]))

    @group.command(description="Ask about a paper (in its thread, the paper is known)")
    @app_commands.describe(question="Your question", paper="An arXiv id (outside a thread)")
    @app_commands.autocomplete(paper=paper_choices)
    async def ask(
        interaction: discord.Interaction, question: str, paper: str | None = None
    ) -> None:
        await answer(interaction, run(interaction, ["ask", *([paper] if paper else []), question]))

    @group.command(description="Post new papers from a source in this channel")
    @app_commands.describe(
        source="hf-daily, arxiv-rss:cs.LG+cs.CL or arxiv-query:QUERY",
        keywords='A rule over title and abstract: diffusion AND (video OR audio) NOT "survey"',
        categories="Only these arXiv categories, comma-separated",
        authors="Only papers by these authors, separated by ;",
        min_upvotes="Only papers with at least this many Hugging Face upvotes",
        cap="At most this many papers a day",
        every="instant (default), or a daily or weekly digest",
        at="The digest's time, HH:MM",
        tz="The digest's time zone, e.g. Europe/Berlin",
        day="The weekly digest's day, e.g. monday",
        top="Papers in a digest",
        compact="The digest as one list instead of cards",
        catch_up="Also post this many of the source's current papers now",
    )
    @app_commands.autocomplete(source=source_choices)
    async def subscribe(
        interaction: discord.Interaction,
        source: str,
        keywords: str | None = None,
        categories: str | None = None,
        authors: str | None = None,
        min_upvotes: app_commands.Range[int, 0, 100_000] | None = None,
        cap: app_commands.Range[int, 1, 1000] | None = None,
        every: Literal["instant", "daily", "weekly"] | None = None,
        at: str | None = None,
        tz: str | None = None,
        day: str | None = None,
        top: app_commands.Range[int, 1, 50] | None = None,
        compact: bool | None = None,
        catch_up: app_commands.Range[int, 0, 20] | None = None,
    ) -> None:
        chosen = options(
            catch_up=catch_up,
            keywords=keywords,
            categories=categories,
            authors=authors,
            min_upvotes=min_upvotes,
            cap=cap,
            every=every,
            at=at,
            tz=tz,
            day=day,
            top=top,
            compact=compact,
        )
        await answer(interaction, run(interaction, ["subscribe", source, *chosen]))

    @group.command(description="Stop a subscription of this channel")
    @app_commands.describe(subscription="Its number (see /papers subscriptions)")
    async def unsubscribe(interaction: discord.Interaction, subscription: int) -> None:
        await answer(interaction, run(interaction, ["unsubscribe", str(subscription)]))

    @group.command(description="Resume a subscription paused because posting failed")
    @app_commands.describe(subscription="Its number (see /papers subscriptions)")
    async def resume(interaction: discord.Interaction, subscription: int) -> None:
        await answer(interaction, run(interaction, ["resume", str(subscription)]))

    @group.command(description="This channel's subscriptions")
    async def subscriptions(interaction: discord.Interaction) -> None:
        await answer(interaction, run(interaction, ["subscriptions"]))

    @group.command(description="Why a paper was (or was not) posted here")
    @app_commands.describe(paper="An arXiv id or URL")
    @app_commands.autocomplete(paper=paper_choices)
    async def why(interaction: discord.Interaction, paper: str) -> None:
        await answer(interaction, run(interaction, ["why", paper]))

    @group.command(description="Post this channel's digest now")
    async def digest(interaction: discord.Interaction) -> None:
        await answer(interaction, run(interaction, ["digest"]))

    @group.command(description="This channel's most liked papers (reactions on cards)")
    @app_commands.describe(days="Over the last this many days (default 7)")
    async def top(
        interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] | None = None
    ) -> None:
        await answer(interaction, run(interaction, ["top", *options(days=days)]))

    @group.command(description="How to use Paperboy")
    async def help(interaction: discord.Interaction) -> None:
        await answer(interaction, run(interaction, ["help"]))

    return group
