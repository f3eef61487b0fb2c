"""The `/papers` declaration: text parsed into typed commands, and every surface built from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.syntax import (
    COMMANDS,
    Command,
    CommandError,
    Kind,
    command_from,
    help_text,
    parse,
)


def test_text_becomes_typed_values() -> None:
    assert parse('search "diffusion models" sort=Recent page=2 since=2026-01-01') == Command(
        "search",
        {"query": '"diffusion models"', "sort": "recent", "page": 2, "since": "2026-01-01"},
    )
    assert parse("subscribe hf-daily min-upvotes=10 compact=yes catch-up=3") == Command(
        "subscribe", {"source": "hf-daily", "min-upvotes": 10, "compact": True, "catch-up": 3}
    )
    assert parse("unsubscribe #4") == Command("unsubscribe", {"subscription": 4})
    assert parse("ask 2401.12345 what is it?") == Command(
        "ask", {"paper": "2401.12345", "question": "what is it?"}
    )
    # In a thread the paper is known: the first word is part of the question.
    assert parse("ask what is it?") == Command("ask", {"question": "what is it?"})
    assert parse("") == Command("help")
    # A search takes `x=y` it does not know as words; a subscription refuses them.
    assert parse("search a=b") == Command("search", {"query": "a=b"})
    with pytest.raises(CommandError, match="unknown option 'colour'"):
        parse("subscribe hf-daily colour=red")
    # A positional option may be named, as the usage line shows it (`taste [action=show|reset]`).
    assert (
        parse("taste action=reset") == parse("taste reset") == Command("taste", {"action": "reset"})
    )
    with pytest.raises(CommandError, match="unknown option 'colour'; options: action"):
        parse("taste colour=red")


def test_the_examples_the_bot_gives_parse_as_typed() -> None:
    """An outside check typed the bot's own examples and was told "too many words"."""
    # the example an empty arxiv-query gives, unquoted, with options after it
    assert parse("subscribe arxiv-query:cat:cs.LG AND all:diffusion cap=3") == Command(
        "subscribe", {"source": "arxiv-query:cat:cs.LG AND all:diffusion", "cap": 3}
    )
    # help's `ask [ARXIV_ID] question=QUESTION`
    assert parse("ask 2612.77001 question=what dataset do they use?") == Command(
        "ask", {"paper": "2612.77001", "question": "what dataset do they use?"}
    )
    assert "ask [ARXIV_ID] question=QUESTION" in help_text()
    # a quoted question ends at its quote; the named source takes a query's words too
    assert parse('ask question="what dataset?" 2612.77001') == Command(
        "ask", {"paper": "2612.77001", "question": "what dataset?"}
    )
    assert parse("subscribe source=arxiv-query:cat:cs.LG AND all:diffusion") == Command(
        "subscribe", {"source": "arxiv-query:cat:cs.LG AND all:diffusion"}
    )
    with pytest.raises(CommandError, match="too many words"):
        parse("subscribe hf-daily extra")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frobnicate", "Unknown command 'frobnicate'"),
        ("top days=²", "days must be a whole number"),
        ("search x page=99999999999999999999", "page must be between 1 and 100, not 9999"),
        ("search x page=0000000000000000000000000200", "page must be between 1 and 100, not 200$"),
        ("unsubscribe #123456789012345678901234567890", "subscription must be at least 1, not"),
        ("search x sort=best", "sort must be relevance, recent or upvotes"),
        ("why 2401.12345 2401.12346", "too many words; use: why ARXIV_ID"),
        ("search a\x00b", "control character"),
    ],
)
def test_bad_text_says_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse(text)


@given(st.text(max_size=200))
def test_any_text_is_a_command_or_a_clear_error(text: str) -> None:
    try:
        command = parse(text)
    except CommandError as exc:
        message = str(exc)  # said to the person: never empty
        assert message
        return
    assert command.name in COMMANDS
    spec = COMMANDS[command.name]
    for name, value in command.values.items():
        option = spec.option(name)
        assert option is not None
        if option.kind is Kind.NUMBER:
            assert isinstance(value, int) and not isinstance(value, bool)
        if option.kind is Kind.CHOICE:
            assert value in option.choices


_WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789.:-", min_size=1, max_size=12)


@given(
    st.sampled_from(sorted(COMMANDS)).flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.fixed_dictionaries(
                {},
                optional={
                    o.name: (
                        st.integers(o.low or 0, o.high or 1000)
                        if o.kind is Kind.NUMBER
                        else st.booleans()
                        if o.kind is Kind.FLAG
                        else st.sampled_from(o.choices)
                        if o.kind is Kind.CHOICE
                        else _WORD
                    )
                    for o in COMMANDS[name].options
                    if not o.positional
                },
            ),
        )
    )
)
def test_what_a_platform_types_reads_the_same_as_text(named: tuple[str, dict[str, object]]) -> None:
    """A platform's typed options and the same options typed as text are one command."""
    name, values = named
    words = [name] + [
        f"{key}={'yes' if value is True else 'no' if value is False else value}"
        for key, value in values.items()
    ]
    assert parse(" ".join(words)) == command_from(name, values)  # type: ignore[arg-type]


def test_help_lists_every_command_and_option() -> None:
    shown = help_text()
    for spec in COMMANDS.values():
        assert f"  {spec.name}" in shown
        for option in spec.options:
            if not option.positional:
                assert option.name in shown, option.name
