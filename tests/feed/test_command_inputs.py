"""Any text a person types gives a reply, never an exception (issue #15: Unicode digits, NUL
bytes, an empty author, far dates and deep parentheses took commands down), on both engines."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import Commands, Context
from bot.domain import Target
from bot.finder import Finder
from bot.keywords import KeywordError, parse_keywords
from bot.search import SearchError, build_query
from bot.text import whole_number
from storage import open_storage

HERE = Target("fake", "general")
ADMIN = Context(HERE, "ada", can_manage=True)
VERBS = ["search x", "subscribe hf-daily", "unsubscribe", "resume", "top", "why", "show"]
OPTIONS = ["page", "days", "cap", "catch-up", "min-upvotes", "upvote-window", "top"]
ODD = ["²", "①", "٣", "\x00", "-1", "99999999999999999999", "1e3", " 7", "0x10", "๒"]


@pytest.fixture
def run(db_url: str) -> Iterator[tuple[asyncio.AbstractEventLoop, Commands]]:
    loop = asyncio.new_event_loop()
    storage = loop.run_until_complete(open_storage(db_url))
    commands = Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        Finder(storage.papers, live_search=False),
    )
    yield loop, commands
    loop.run_until_complete(storage.close())
    loop.close()


@pytest.mark.parametrize(
    "text",
    [
        "search x page=²",
        "unsubscribe ²",
        "unsubscribe #①",
        "top days=①",
        "subscribe hf-daily cap=①",
        "subscribe hf-daily catch-up=٣",
        "search hello\x00world",
        "subscribe hf-daily keywords=a\x00b",
        "unsubscribe 99999999999999999999",
        "search author=-",
        "search x since=0001-01-01 until=9999-12-31",
        "subscribe hf-daily keywords=" + "(" * 3000 + "a",
    ],
)
def test_odd_numbers_and_nul_bytes_get_a_clear_message(
    run: tuple[asyncio.AbstractEventLoop, Commands], text: str
) -> None:
    loop, commands = run
    reply = loop.run_until_complete(commands.handle(text, ADMIN))
    assert reply.error, reply.text
    assert reply.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    verb=st.sampled_from(VERBS),
    option=st.sampled_from(OPTIONS),
    value=st.one_of(st.sampled_from(ODD), st.text(max_size=12)),
)
def test_any_number_option_gives_a_reply(
    run: tuple[asyncio.AbstractEventLoop, Commands], verb: str, option: str, value: str
) -> None:
    loop, commands = run
    for text in (f"{verb} {option}={value}", f"{verb} {value}"):
        reply = loop.run_until_complete(commands.handle(text, ADMIN))
        assert reply.text  # a reply, with words in it, and no exception


@given(st.text(max_size=30))
def test_whole_numbers_are_ascii_digits_only(text: str) -> None:
    value = whole_number(text)
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and int(stripped) <= 1_000_000:
        assert value == int(stripped)
    else:
        assert value is None


KEYWORDISH = st.lists(
    st.sampled_from(["(", ")", '"', "a", "b", "-", "²", "\x00", "AND", "OR", "NOT"]), max_size=40
).map(" ".join)


@given(
    st.one_of(
        st.text(max_size=80), KEYWORDISH, st.just("(" * 5000 + "a"), st.just("NOT " * 5000 + "a")
    )
)
def test_a_keyword_rule_parses_or_says_why(text: str) -> None:
    try:
        rule = parse_keywords(text)
    except KeywordError as error:
        message = str(error)
        assert message
    else:
        assert rule.matches("some title", "an abstract") in (True, False)


@given(text=st.text(max_size=60), author=st.one_of(st.none(), st.text(max_size=20)))
def test_a_search_query_builds_or_says_why(text: str, author: str | None) -> None:
    try:
        query = build_query(text, author=author)
    except SearchError as error:
        message = str(error)
        assert message
    else:
        assert not query.terms.empty or query.author
