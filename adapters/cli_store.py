"""`paperboy db upgrade`, `import`, `show` and `search`: the commands that use the store."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.domain import Sort
from bot.errors import SchemaOutOfDate
from bot.ids import parse_arxiv_id

if TYPE_CHECKING:
    from bot.domain import UpsertResult

# Each command imports the store, the settings and the clients when it runs (see adapters.cli).

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 1


def counts(result: UpsertResult) -> str:
    return f"{result.new:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged"


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"paperboy: {message}", err=True)
    return typer.Exit(code)


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date like 2026-06-12", param_hint=name
        ) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest revision."""
    from adapters.settings import Settings
    from storage import upgrade

    settings = Settings()
    before, after = asyncio.run(upgrade(settings.database_url))
    where = settings.database_url_for_display()
    if before == after:
        typer.echo(f"{where}: schema already at revision {after}")
    else:
        typer.echo(f"{where}: schema upgraded from {before or 'empty'} to revision {after}")


@db_app.command("reindex")
def db_reindex() -> None:
    """Rebuild the search index from the database (it is derived data; safe at any time)."""
    from adapters.settings import Settings
    from storage import open_store

    settings = Settings()

    async def go() -> None:
        store = await open_store(settings.database_url, settings.search_index)
        try:
            indexed = await store.index.rebuild(store.engine)
        finally:
            await store.close()
        where = settings.database_url_for_display()
        typer.echo(f"{where}: search index rebuilt, {indexed:,} papers indexed")

    _run(go())


def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="HF JSON, arXiv Atom/RSS, or arXiv snapshot JSON Lines (.gz ok)."),
    ],
) -> None:
    """Store papers from saved responses and the arXiv metadata snapshot."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from adapters.compose import open_app
    from adapters.settings import Settings
    from bot.importer import import_files

    settings = Settings()
    total = sum(p.stat().st_size for p in files if p.is_file())
    console = Console(stderr=True)
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )

    async def go() -> None:
        async with open_app(settings) as wired:
            store = wired.storage.papers
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("importing", total=total)
                report = await import_files(files, store, lambda n: bar.advance(task, n))
                # Indexed now, so the first search does not answer while the index catches up.
                step = bar.add_task("indexing for search", total=None)
                await store.catch_up_index(lambda n: bar.advance(step, n))
        typer.echo(f"{counts(report.stored)}, {report.bad:,} bad records")
        for sample in report.bad_samples:
            typer.echo(f"  bad: {sample}", err=True)
        if report.bad > len(report.bad_samples):
            typer.echo(
                f"  ... and {report.bad - len(report.bad_samples):,} more bad records", err=True
            )
        for failure in report.failed_files:
            typer.echo(f"paperboy: {failure}", err=True)
        if report.failed_files:
            raise typer.Exit(EXIT_BAD_INPUT)

    _run(go())


def show(
    arxiv_id: Annotated[str, typer.Argument(help="An arXiv id or URL.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Print a stored paper's card (text) or record (json)."""
    from adapters.compose import open_app
    from adapters.settings import Settings
    from bot.cards import card_for, render_text
    from bot.records import iso_utc, paper_record

    if fmt not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise _fail(f"{arxiv_id!r} is not an arXiv id or URL", EXIT_BAD_INPUT)
    settings = Settings()

    async def go() -> None:
        async with open_app(settings) as wired:
            store = wired.storage.papers
            paper = await store.get(parsed.id)
            history = await store.versions(parsed.id) if paper else []
        if paper is None:
            raise _fail(
                f"{parsed.id} is not stored; `paperboy search {parsed.id}` fetches it",
                EXIT_NOT_FOUND,
            )
        if fmt == "json":
            record = paper_record(paper)
            record["versions"] = [
                {"version": v.version, "updated": iso_utc(v.updated)} for v in history
            ]
            typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            typer.echo(render_text(card_for(paper)))
            if history:
                typer.echo(
                    "Versions: " + ", ".join(_version(v.version, v.updated) for v in history)
                )

    _run(go())


def _version(number: int, updated: datetime | None) -> str:
    return f"v{number} ({updated.date().isoformat()})" if updated else f"v{number}"


def search(
    query: Annotated[
        str, typer.Argument(help='Words, "phrases", -excluded words, or arXiv ids/URLs.')
    ],
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    category: Annotated[str | None, typer.Option(help="arXiv category, e.g. cs.LG.")] = None,
    author: Annotated[str | None, typer.Option(help="Author name.")] = None,
    sort: Annotated[Sort, typer.Option(help="relevance, recent or upvotes.")] = Sort.RELEVANCE,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False,
) -> None:
    """Search stored papers (and Hugging Face live when the store knows little)."""
    from adapters.compose import open_app
    from adapters.settings import Settings
    from bot.cards import ARXIV
    from bot.records import iso_utc
    from bot.search import SearchError, build_query

    settings = Settings()
    try:
        checked = build_query(
            query,
            since=_day(since, "--since"),
            until=_day(until, "--until"),
            category=category,
            author=author,
            sort=sort,
            limit=limit,
            offset=offset,
        )
    except SearchError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None

    async def go() -> None:
        async with open_app(settings) as app:
            page = await app.finder.search(checked)
        for rank, hit in enumerate(page.hits, start=offset + 1):
            paper = hit.paper
            if as_json:
                typer.echo(
                    json.dumps(
                        {
                            "rank": rank,
                            "arxiv_id": paper.arxiv_id,
                            "title": paper.title,
                            "score": hit.score,
                            "live": hit.live,
                            "published": iso_utc(paper.published),
                            "upvotes": paper.upvotes,
                            "abs_url": f"{ARXIV}/abs/{paper.arxiv_id}",
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                day = paper.published.date().isoformat() if paper.published else "undated"
                live = " · live from Hugging Face" if hit.live else ""
                typer.echo(f"{rank}. {paper.title or paper.arxiv_id}")
                typer.echo(f"   arXiv:{paper.arxiv_id} · {day}{live}")
        if page.note:
            typer.echo(f"note: {page.note}", err=True)
        if not page.hits:
            typer.echo("No papers found.", err=True)

    _run(go())


def ask(
    arxiv_id: Annotated[str, typer.Argument(help="An arXiv id or URL.")],
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: Annotated[bool, typer.Option("--json", help="A JSON object.")] = False,
) -> None:
    """Ask about a paper: answered from its full text, with the passages cited."""
    from adapters.compose import open_app
    from adapters.settings import Settings
    from bot.search import build_query

    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise _fail(f"{arxiv_id!r} is not an arXiv id or URL", EXIT_BAD_INPUT)
    if not question.strip() or len(question) > 2000:
        raise _fail("ask a question of 1 to 2,000 characters", EXIT_BAD_INPUT)
    settings = Settings()

    async def go() -> None:
        async with open_app(settings) as app:
            page = await app.finder.search(build_query(parsed.id))
            if not page.hits:
                raise _fail(
                    f"no paper {parsed.id}" + (f" ({page.note})" if page.note else ""),
                    EXIT_NOT_FOUND,
                )
            answered = await app.threads.about(page.hits[0].paper, question, "cli", "cli")
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "arxiv_id": parsed.id,
                        "question": question,
                        "answer": answered.text,
                        "read": str(answered.source),
                        "by_model": answered.by_model,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            typer.echo(answered.text)

    _run(go())


def _run(coroutine: object) -> None:
    try:
        asyncio.run(coroutine)  # type: ignore[arg-type]
    except SchemaOutOfDate as exc:
        typer.echo(f"paperboy: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("import")(import_command)
    app.command()(show)
    app.command()(search)
    app.command()(ask)
