"""Cards as Discord embeds: every limit held whatever the paper says, nothing markup."""

from __future__ import annotations

from datetime import date

from adapters.discord.render import card_embed, chunks, clip, fit, link_buttons, safe, thread_name
from bot.domain import Card, Link
from tests.discord.fake_discord import embed_problems, message_problems


def huge_card(n: int = 0) -> Card:
    return Card(
        arxiv_id=f"2611.{n:05d}",
        version=3,
        title="**Bold** " + "word " * 400,
        authors="A" * 300,
        organization="O" * 300,
        published=date(2026, 11, 1),
        updated=date(2026, 11, 20),
        categories=tuple(f"cs.X{n}" for n in range(300)),
        tldr="@here " + "sentence. " * 1000,
        tldr_is_ai=True,
        keywords=tuple("k" * 400 for _ in range(6)),
        upvotes=12345,
        num_comments=3,
        venue="V" * 2000,
        links=(
            Link("arXiv", "https://arxiv.org/abs/2611.00000"),
            Link("Project page", "javascript:alert(1)"),
            Link("L" * 200, "https://github.com/a/b"),
            Link("Project page", "https://example.org/" + "p" * 600),  # over a button's 512
        ),
        image_url="ftp://nope",
    )


async def test_a_huge_card_fits_every_limit_and_drops_bad_links() -> None:
    embed = card_embed(huge_card(), " · paperboy-1")
    data = embed.to_dict()
    assert embed_problems([data]) == []
    assert len(embed) <= 6000
    assert "thumbnail" not in data  # not an http(s) URL
    assert data["footer"]["text"].endswith(" · paperboy-1")
    view = link_buttons(huge_card())
    body = {"embeds": [data], "components": view.to_components()}
    assert message_problems(body) == []
    assert [b.url for b in view.children] == [
        "https://arxiv.org/abs/2611.00000",
        "https://github.com/a/b",
    ]  # type: ignore[attr-defined]


def test_many_cards_in_one_reply_stay_within_6000() -> None:
    huge = [card_embed(huge_card(n)) for n in range(5)]
    assert sum(len(e) for e in huge) > 6000  # together, too much for one message
    embeds = fit(huge)
    assert 1 <= len(embeds) < 5 and sum(len(e) for e in embeds) <= 6000
    assert embed_problems([e.to_dict() for e in embeds]) == []


def test_untrusted_text_is_shown_as_typed() -> None:
    assert (
        safe("@everyone **x** <@123456789012345678>")
        == "@\u200beveryone \\*\\*x\\*\\* <@\u200b123456789012345678>"
    )
    assert len(clip("**" * 300, 100)) <= 100
    assert len(thread_name("t " * 200)) <= 100 and thread_name("") == "Paper"


def test_long_text_is_split_without_losing_words() -> None:
    text = "\n".join(f"line {n} " + "word " * 50 for n in range(60))
    pieces = chunks(text)
    assert all(len(p) <= 2000 for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert chunks("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]
