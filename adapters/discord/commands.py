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
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord.publisher import PLATFORM
from adapters.discord.render import card_embed, chunks, fit, safe
from bot.cards import cut_at_word
from bot.commands import Commands, Context, Reply
from bot.domain import Target
from bot.search import SearchError, build_query
from bot.syntax import COMMANDS, Command, CommandError, Kind, Option, Spec, command_from

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
KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
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

    def __init__(self, commands: Commands, search: Command, ctx: Context) -> None:
        super().__init__(timeout=15 * 60)
        self.commands, self.search, self.ctx = commands, search, ctx
        self.page = search.number("page") or 1
        self.previous.disabled = self.page <= 1

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        await interaction.response.defer()  # a search may take a moment; the 3 s hold
        turned = self.search.but(page=page)
        reply = await self.commands.run(turned, self.ctx)
        if reply.error or not reply.cards:
            await interaction.followup.send("No more results.", ephemeral=True)
            return
        texts, embeds = rendered(reply)
        pages = Pages(self.commands, turned, self.ctx)
        await interaction.edit_original_response(content=texts[0], embeds=embeds, view=pages)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Pages]) -> None:
        await self._turn(interaction, self.page - 1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Pages]) -> None:
        await self._turn(interaction, self.page + 1)


RELATED = r"paperboy:related:(?P<paper>[0-9A-Za-z./-]{1,40})"


class RelatedButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=RELATED):
    """A card's "Related papers" button. Its custom id carries the paper, so it works after a
    restart: registered with the client (`Client.add_dynamic_items`), it is dispatched by its
    id pattern, and no view is kept per card. `related_button` gives it something to do."""

    def __init__(self, arxiv_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Related papers",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paperboy:related:{arxiv_id}",
            )
        )
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RelatedButton:
        return cls(match["paper"])


def related_button(commands: Commands) -> type[RelatedButton]:
    """The button, clicked: whoever clicked sees the papers closest to the card's
    (`/papers related ID`), privately."""

    async def private(work: Awaitable[Reply]) -> Reply:
        return replace(await work, private=True)

    class Related(RelatedButton, template=RELATED):
        async def callback(self, interaction: discord.Interaction) -> None:
            command = Command("related", {"paper": self.arxiv_id})
            await answer(interaction, private(commands.run(command, context(interaction))))

    return Related


def _annotation(option: Option) -> Any:
    """The Python type discord.py reads an option's Discord type (and range, choices) from."""
    if option.kind is Kind.NUMBER:
        low = option.low if option.low is not None else 0
        kind: Any = app_commands.Range[int, low, option.high or 2**31 - 1]
    elif option.kind is Kind.FLAG:
        kind = bool
    elif option.kind is Kind.CHOICE:
        kind = Literal[option.choices]
    else:
        kind = str
    return kind if option.required else kind | None


def _parameter(option: Option) -> str:
    return option.name.replace("-", "_")


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

    autocomplete: dict[Kind, AutoComplete] = {Kind.PAPER: paper_choices}
    for spec in COMMANDS.values():
        group.add_command(_subcommand(commands, spec, autocomplete, source_choices))
    return group


AutoComplete = Callable[
    [discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


def _subcommand(
    commands: Commands,
    spec: Spec,
    by_kind: dict[Kind, AutoComplete],
    sources: AutoComplete,
) -> app_commands.Command[Any, ..., None]:
    """One `/papers` subcommand, its options as `bot.syntax` declares them: the callback's
    signature is made from the declaration, which is what discord.py reads the schema from."""
    names = {_parameter(o): o.name for o in spec.options}

    async def callback(interaction: discord.Interaction, **given: Any) -> None:
        ctx = context(interaction)
        try:
            command = command_from(spec.name, {names[k]: v for k, v in given.items()})
        except CommandError as exc:
            await send(interaction, Reply(str(exc), private=True, error=True))
            return

        def pages(_: Reply) -> discord.ui.View | None:
            return Pages(commands, command, ctx) if spec.name == "search" else None

        await answer(interaction, commands.run(command, ctx), pages)

    ordered = sorted(spec.options, key=lambda o: not o.required)  # required ones first
    callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("interaction", KEYWORD, annotation=discord.Interaction)]
        + [inspect.Parameter(_parameter(o), KEYWORD, annotation=_annotation(o)) for o in ordered]
    )
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        _parameter(o): o.help[:100] for o in spec.options
    }
    choices = {_parameter(o): by_kind[o.kind] for o in spec.options if o.kind in by_kind}
    if spec.name == "subscribe":
        choices["source"] = sources
    callback.__discord_app_commands_param_autocomplete__ = choices  # type: ignore[attr-defined]
    return app_commands.Command(name=spec.name, description=spec.help, callback=callback)
