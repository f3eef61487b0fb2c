"""Discord's `/papers` schema is generated from `bot.syntax`: the two cannot drift apart."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands import papers_group
from bot.commands import Commands
from bot.syntax import COMMANDS, Kind

TYPES = {
    Kind.TEXT: discord.AppCommandOptionType.string,
    Kind.PAPER: discord.AppCommandOptionType.string,
    Kind.CHOICE: discord.AppCommandOptionType.string,
    Kind.NUMBER: discord.AppCommandOptionType.integer,
    Kind.FLAG: discord.AppCommandOptionType.boolean,
}


def test_every_command_and_option_reaches_discord_as_declared() -> None:
    unused: Any = None  # the schema is built without touching the stores
    group = papers_group(Commands(unused, unused, unused, unused))
    subcommands = {c.name: c for c in group.commands}
    assert set(subcommands) == set(COMMANDS)
    for name, spec in COMMANDS.items():
        command = subcommands[name]
        assert isinstance(command, app_commands.Command)
        assert command.description == spec.help
        params = {p.name: p for p in command.parameters}
        assert set(params) == {o.name.replace("-", "_") for o in spec.options}
        for option in spec.options:
            param = params[option.name.replace("-", "_")]
            assert param.type is TYPES[option.kind], option.name
            assert param.required is option.required, option.name
            assert param.description == option.help[:100]
            if option.kind is Kind.NUMBER:
                assert (param.min_value, param.max_value) == (
                    option.low or 0,
                    option.high or 2**31 - 1,
                )
            if option.kind is Kind.CHOICE:
                assert [c.value for c in param.choices] == list(option.choices)
            assert param.autocomplete is (option.kind is Kind.PAPER or option.name == "source")
    # What the fake gateway receives when the tree is synced: the declared payload.
    payload = group.to_dict(
        discord.app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    )
    assert {o["name"] for o in payload["options"]} == set(COMMANDS)
