"""`paperboy` command line (typer). Reads settings once and hands plain values to the core."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from adapters.cli_store import counts, register
from bot.errors import DatabaseUnavailable, PlatformRefused, SourceError
from bot.saved import Format

if TYPE_CHECKING:
    from adapters.settings import Settings
    from bot.domain import FeedSpec

# Each command imports what it uses when it runs: `paperboy --help` loads no database, HTTP or
# model client.

app = typer.Typer(
    help="Paperboy: new research papers from Hugging Face and arXiv, in your team's channels.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_BAD_INPUT = 2


def _settings() -> Settings:
    from adapters.settings import Settings

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Migration steps and per-request lines are noise at INFO; warnings still show.
    for chatty in ("alembic", "httpx", "bm25s"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    return settings


def _fail(message: str) -> None:
    typer.echo(f"paperboy: {message}", err=True)


@app.command()
def parse(
    files: Annotated[
        list[Path], typer.Argument(help="Saved HF JSON, arXiv Atom or RSS responses.")
    ],
    fmt: Annotated[Format, typer.Option("--format", help="Response format.")] = Format.AUTO,
) -> None:
    """Parse saved responses and print one JSON object per paper (JSON Lines)."""
    from bot.records import paper_record
    from bot.saved import parse_saved

    failed = False
    for path in files:
        try:
            batch = parse_saved(path.read_bytes(), fmt)
        except (OSError, SourceError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            _fail(f"{path}: {reason}")
            failed = True
            continue
        for paper in batch.papers:
            sys.stdout.write(json.dumps(paper_record(paper), ensure_ascii=False) + "\n")
        for reason in batch.skipped:
            _fail(f"{path}: skipped {reason}")
    sys.stdout.flush()
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _spec(value: str) -> FeedSpec:
    from bot.feeds import parse_feed_spec

    try:
        return parse_feed_spec(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def fetch(
    source: Annotated[
        str,
        typer.Option(help="hf-daily[:DATE|WEEK|MONTH], arxiv-rss:CATS or arxiv-query:QUERY."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the cards; store nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines records.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=30000, help="Most papers for a query.")] = 100,
) -> None:
    """Fetch papers from a source now."""
    from adapters.compose import open_app
    from adapters.parts import open_sources
    from bot.cards import card_for, render_text
    from bot.feeds import fetch_feed
    from bot.records import paper_record

    spec = _spec(source)
    settings = _settings()

    async def go() -> None:
        if not dry_run:
            async with open_app(settings) as wired:
                papers = await fetch_feed(spec, wired.sources, limit=limit)
                stored = await wired.storage.papers.upsert(papers)
            typer.echo(f"{len(papers)} papers from {spec}: {counts(stored)}", err=True)
            return
        async with open_sources(settings) as sources:  # a dry run creates no database
            papers = await fetch_feed(spec, sources, limit=limit)
        for paper in papers:
            if as_json:
                typer.echo(json.dumps(paper_record(paper), ensure_ascii=False))
            else:
                typer.echo(render_text(card_for(paper)) + "\n")
        typer.echo(f"{len(papers)} papers from {spec}", err=True)

    try:
        asyncio.run(go())
    except SourceError as exc:
        _fail(str(exc))
        raise typer.Exit(1) from None


@app.command()
def run(
    once: Annotated[
        bool, typer.Option("--once", help="One fetch-and-deliver cycle, then exit.")
    ] = False,
) -> None:
    """Run the bot: follow the subscribed feeds, post new papers, and serve the local
    playground (http://127.0.0.1:8787 by default)."""
    from adapters.run import run_bot

    settings = _settings()
    try:
        asyncio.run(run_bot(settings, once=once))
    except* PlatformRefused as refused:
        for exc in refused.exceptions:
            _fail(str(exc))
        raise typer.Exit(1) from None


@app.command()
def doctor() -> None:
    """Check the database, the sources, the configured chat platforms and the language model;
    say what to fix. Exits 1 when any check fails."""
    from adapters.doctor import diagnose, report

    text, status = report(asyncio.run(diagnose(_settings())))
    typer.echo(text)
    raise typer.Exit(status)


discord_app = typer.Typer(help="Discord: installing the bot.", no_args_is_help=True)
app.add_typer(discord_app, name="discord")


@discord_app.command("invite-url")
def discord_invite_url(
    client_id: Annotated[
        str | None,
        typer.Option(help="The application's id (default: read from DISCORD_TOKEN)."),
    ] = None,
) -> None:
    """Print the URL that adds the bot to a server, with exactly the scopes (bot,
    applications.commands) and permissions it uses."""
    from adapters.discord.client import client_id_of, invite_url
    from adapters.settings import Settings

    token = Settings().discord_token
    client_id = client_id or (client_id_of(token.get_secret_value()) if token else None)
    if not client_id:
        _fail("give --client-id (the Application ID in the Developer Portal) or set DISCORD_TOKEN")
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(invite_url(client_id))


register(app)


def main() -> None:
    try:
        app()
    except DatabaseUnavailable as exc:  # a setting to fix, not a crash: no traceback
        _fail(str(exc))
        raise SystemExit(1) from None
