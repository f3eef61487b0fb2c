"""The `/papers` command set on a real store (both engines), as any adapter will call it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.commands import Commands, Context
from bot.domain import Cadence, Decided, Decision, Every, Origin, Outcome, Paper, Target
from bot.finder import Finder
from bot.qa.service import Answerer
from bot.threads import ThreadAnswers
from storage import Storage, open_storage

HERE = Target("fake", "general")
ADMIN = Context(HERE, "ada", can_manage=True)
MEMBER = Context(HERE, "bob", can_manage=False)
NOW = datetime(2026, 6, 12, 12, tzinfo=UTC)


@pytest.fixture
async def commands(db_url: str) -> AsyncIterator[tuple[Commands, Storage]]:
    storage = await open_storage(db_url)
    await storage.papers.upsert(
        [
            Paper(
                arxiv_id="2606.00001",
                title="Diffusion video models",
                abstract="Video.",
                published=NOW,
                sources=frozenset({Origin.ARXIV_API}),
            ),
        ]
    )
    yield (
        Commands(
            storage.subscriptions,
            storage.ledger,
            storage.papers,
            Finder(storage.papers, live_search=False),
            clock=lambda: NOW,
        ),
        storage,
    )
    await storage.close()


async def test_subscribe_list_and_unsubscribe(commands: tuple[Commands, Storage]) -> None:
    cmd, storage = commands
    reply = await cmd.handle(
        'subscribe arxiv-rss:cs.CV keywords="diffusion AND video" min-upvotes=10 '
        'categories=cs.CV,cs.LG cap=5 authors="Ada Lovelace; Alan Turing"',
        ADMIN,
    )
    assert not reply.error, reply.text
    assert reply.text.startswith("Subscribed: #")
    (sub,) = await storage.subscriptions.for_target(HERE)
    rules = sub.rules
    assert str(rules.keywords) == "diffusion AND video"
    assert (rules.min_upvotes, rules.daily_cap, rules.categories, rules.authors) == (
        10,
        5,
        frozenset({"cs.CV", "cs.LG"}),
        ("Ada Lovelace", "Alan Turing"),
    )
    listed = await cmd.handle("subscriptions", MEMBER)
    assert listed.text == (
        f'#{sub.id} arxiv-rss:cs.CV keywords="diffusion AND video" categories=cs.CV,cs.LG '
        f'authors="Ada Lovelace;Alan Turing" min-upvotes=10 cap=5'
    )
    elsewhere = Context(Target("fake", "other"), "ada", can_manage=True)
    assert (await cmd.handle(f"unsubscribe {sub.id}", elsewhere)).error  # not that channel's
    assert (await cmd.handle(f"unsubscribe #{sub.id}", ADMIN)).text == f"Unsubscribed #{sub.id}."
    assert "no subscriptions" in (await cmd.handle("subscriptions", ADMIN)).text


async def test_resume_a_paused_subscription(commands: tuple[Commands, Storage]) -> None:
    cmd, storage = commands
    await cmd.handle("subscribe hf-daily", ADMIN)
    (sub,) = await storage.subscriptions.for_target(HERE)
    assert (await cmd.handle(f"resume {sub.id}", ADMIN)).text == f"#{sub.id} is not paused."
    await storage.subscriptions.pause(sub.id, "paused: missing access")
    assert "(paused: missing access)" in (await cmd.handle("subscriptions", MEMBER)).text
    assert (await cmd.handle(f"resume #{sub.id}", MEMBER)).error  # needs the permission
    assert (await cmd.handle(f"resume #{sub.id}", ADMIN)).text.startswith(f"Resumed #{sub.id}")
    assert (await storage.subscriptions.for_target(HERE))[0].paused is None
    assert "no subscription #999" in (await cmd.handle("resume 999", ADMIN)).text


async def test_changes_need_permission(commands: tuple[Commands, Storage]) -> None:
    cmd, storage = commands
    reply = await cmd.handle("subscribe hf-daily", MEMBER)
    assert reply.error and reply.private and "permission to manage the channel" in reply.text
    assert await storage.subscriptions.for_target(HERE) == []


def test_words_keep_phrases_and_never_fail_on_quotes() -> None:
    from bot.search import parse_terms
    from bot.syntax import split_words

    assert split_words('search "large language models" since=2026-01-01') == [
        "search",
        '"large language models"',
        "since=2026-01-01",
    ]
    assert split_words("search “curly phrase” Bayes' rule and Hoeffding's") == [
        "search",
        '"curly phrase"',
        "Bayes'",
        "rule",
        "and",
        "Hoeffding's",
    ]
    assert split_words("subscribe hf-daily keywords='a AND b' authors=\"A B;C D\"") == [
        "subscribe",
        "hf-daily",
        "keywords='a AND b'",
        'authors="A B;C D"',
    ]
    assert split_words('search "unclosed <@U1>') == ["search", '"unclosed', "<@U1>"]
    # What `search` gives the query parser: the phrase is still a phrase.
    words = split_words('search "large language models" agents')[1:]
    assert parse_terms(" ".join(words)).phrases == (("large", "language", "models"),)


async def test_search_phrases_and_unbalanced_quotes(commands: tuple[Commands, Storage]) -> None:
    cmd, _ = commands
    found = await cmd.handle('search "video models"', MEMBER)
    assert "Diffusion video models" in found.text
    assert "Diffusion video models" in (await cmd.handle('search "diffusion', MEMBER)).text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subscribe", "name one source"),
        ("subscribe twitter", "unknown source 'twitter'"),
        ("subscribe hf-daily:2026-06-12", "without a date"),
        ("subscribe hf-daily min-upvotes=lots", "min-upvotes must be a whole number"),
        ("subscribe hf-daily keywords='(diffusion'", "not closed"),
        ("subscribe hf-daily colour=red", "unknown option 'colour'"),
        # Hugging Face's records carry no arXiv categories: the rule would turn all away.
        ("subscribe hf-daily categories=cs.CL", "come without arXiv categories"),
        ("subscribe arxiv-rss:cs.LG categories=cs.LG;DROP", "categories: name arXiv categories"),
        ("subscribe arxiv-rss:cs.LG categories=" + "x" * 400, "at most 300 characters"),
        ('subscribe hf-daily keywords="(diffusion"', "not closed"),
        ("search x" + "y" * 2000, "please keep it under 1,000"),
        ("search diffusion sort=best", "sort must be relevance, recent or upvotes"),
        ("search diffusion since=yesterday", "since must be a date"),
        ("why", "say which paper"),
        ("why not-an-id", "say which paper"),
        ("unsubscribe all", "subscription must be a whole number, not 'all'; use: unsubscribe ID"),
        ("unsubscribe", "say which subscription"),
        ("dance", "Unknown command 'dance'"),
    ],
)
async def test_bad_input_gets_a_clear_private_message(
    commands: tuple[Commands, Storage], text: str, message: str
) -> None:
    cmd, _ = commands
    reply = await cmd.handle(text, ADMIN)
    assert reply.error and reply.private
    assert message in reply.text


async def test_a_search_page_past_the_end_says_where_the_results_end(
    commands: tuple[Commands, Storage],
) -> None:
    cmd, storage = commands
    assert (await cmd.handle("search diffusion", MEMBER)).text.startswith("Page 1:")
    past = await cmd.handle("search diffusion page=2", MEMBER)
    assert past.text == "Page 2 is past the end: 1 paper on page 1."
    nothing = await cmd.handle("search zebras page=2", MEMBER)
    assert nothing.text == "No papers found."
    many = [
        Paper(arxiv_id=f"2606.{n:05d}", title=f"Graph networks {n}", published=NOW)
        for n in range(100, 163)
    ]
    await storage.papers.upsert(many)
    beyond = await cmd.handle("search graph page=14", MEMBER)  # 63 papers: pages 1-13
    assert beyond.text == "Page 14 is past the end: 63 papers on pages 1-13."
    by_id = await cmd.handle("search 2606.00001 page=2", MEMBER)  # not the paper again
    assert by_id.text == "Page 2 is past the end: 1 paper on page 1."


async def test_search_show_and_why(commands: tuple[Commands, Storage]) -> None:
    cmd, storage = commands
    assert (await cmd.handle("why 2606.00001", MEMBER)).text == "This channel has no subscriptions."
    found = await cmd.handle("search diffusion sort=recent", MEMBER)
    assert found.text == "Page 1:\n1. Diffusion video models (arXiv:2606.00001)"
    assert [c.arxiv_id for c in found.cards] == ["2606.00001"]
    shown = await cmd.handle("show https://arxiv.org/abs/2606.00001v2", MEMBER)
    assert shown.cards[0].title == "Diffusion video models"
    assert (await cmd.handle("show 2606.99999", MEMBER)).error

    await cmd.handle("subscribe hf-daily", ADMIN)
    (sub,) = await storage.subscriptions.for_target(HERE)
    await storage.ledger.record(
        [
            Decided(
                sub.id,
                "2606.00001",
                Decision(Outcome.FILTERED, "upvotes: 3 < 10"),
                NOW - timedelta(hours=1),
            )
        ],
        NOW - timedelta(hours=1),
    )
    why = await cmd.handle("why arXiv:2606.00001", MEMBER)
    assert why.text == f"2606.00001:\n#{sub.id}: filtered (upvotes: 3 < 10), 2026-06-12 11:00 UTC"
    assert (await cmd.handle("why 2401.12345", MEMBER)).text == (
        f"2401.12345:\n#{sub.id}: not listed by its feed so far"
    )
    await cmd.handle("subscribe hf-daily min-upvotes=10 upvote-window=5", ADMIN)
    second = max(s.id for s in await storage.subscriptions.for_target(HERE))
    assert (await storage.subscriptions.for_target(HERE))[-1].rules.upvote_window_days == 5
    assert f"#{second}: not listed by its feed so far" in (
        (await cmd.handle("why 2401.12345", MEMBER)).text
    )


async def test_digest_subscription_and_digest_now(commands: tuple[Commands, Storage]) -> None:
    cmd, storage = commands
    reply = await cmd.handle(
        "subscribe hf-daily every=weekly day=friday at=08:30 tz=Europe/Berlin top=5", ADMIN
    )
    assert (
        "New papers hf-daily lists will go into a digest here "
        "(weekly on Friday at 08:30 Europe/Berlin, top 5)."
    ) in reply.text
    (sub,) = await storage.subscriptions.for_target(HERE)
    assert sub.cadence == Cadence(
        every=Every.WEEKLY, at=time(8, 30), tz="Europe/Berlin", weekday=4, top=5
    )
    assert (
        "(weekly on Friday at 08:30 Europe/Berlin, top 5)"
        in (await cmd.handle("subscriptions", ADMIN)).text
    )
    # Without a running engine the command says so instead of pretending.
    assert "not running here" in (await cmd.handle("digest", ADMIN)).text
    for bad, message in (
        ("every=hourly", "every must be"),
        ("tz=Mars/Base", "unknown time zone"),
        ("at=25:00", "at must be a time"),
        ("day=someday", "day must be a weekday"),
        ("top=99", "between 1 and 50"),
    ):
        assert message in (await cmd.handle(f"subscribe hf-daily {bad}", ADMIN)).text


async def test_ask(commands: tuple[Commands, Storage]) -> None:
    cmd, storage = commands
    assert "not running here" in (await cmd.handle("ask 2606.00001 what is it about?", MEMBER)).text
    cmd.threads = ThreadAnswers(storage.papers, storage.threads, Answerer())  # abstracts, quoted
    answer = (await cmd.handle("ask 2606.00001 what about video?", MEMBER)).text
    assert answer.startswith("> Video.\n> (Abstract)") and "From the paper's abstract" in answer
    assert "ask ARXIV_ID QUESTION" in (await cmd.handle("ask 2606.00001", MEMBER)).text


async def test_help(commands: tuple[Commands, Storage]) -> None:
    cmd, _ = commands
    assert "subscribe SOURCE" in (await cmd.handle("", MEMBER)).text
    assert (await cmd.handle("help", MEMBER)).private


async def test_related_lists_papers_like_it_and_says_how(
    commands: tuple[Commands, Storage],
) -> None:
    cmd, storage = commands
    await storage.papers.upsert(
        [
            Paper(
                arxiv_id=f"2606.0000{n}",
                title=title,
                abstract=abstract,
                published=NOW,
                sources=frozenset({Origin.ARXIV_API}),
            )
            for n, title, abstract in (
                (2, "Video diffusion models, faster", "Video."),
                (3, "Tokenizers for code", "Byte pairs."),
            )
        ]
    )
    reply = await cmd.handle("related 2606.00001", MEMBER)
    assert not reply.error, reply.text
    first, *rest = reply.text.splitlines()
    assert first.startswith("Related to “Diffusion video models” (arXiv:2606.00001), page 1")
    assert "not by meaning" in first
    assert rest == ["1. Video diffusion models, faster (arXiv:2606.00002)"]
    assert [c.arxiv_id for c in reply.cards] == ["2606.00002"]
    assert (await cmd.handle("related nonsense", MEMBER)).error
    assert (await cmd.handle("related 2606.09999", MEMBER)).error
    assert (await cmd.handle("related 2606.00001 page=10", MEMBER)).error
