"""`/papers related`: by words, or by meaning with the configured embedding model (the real
`openai` client against a local OpenAI-compatible server), and always saying which."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.commands import Context
from bot.domain import Origin, Paper, Target
from bot.syntax import Command
from tests.chat import core
from tests.qa.fake_openai import FakeOpenAI

HERE = Context(Target("playground", "general"), "ada", can_manage=False)


def paper(arxiv_id: str, title: str, abstract: str) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        abstract=abstract,
        published=datetime(2026, 11, 2, tzinfo=UTC),
        sources=frozenset({Origin.ARXIV_API}),
    )


PAPERS = [
    paper("2611.00001", "Diffusion models for video", "We study diffusion models for video."),
    # Shares the most words with it, but is about images:
    paper("2611.00002", "Diffusion models, diffusion models", "Diffusion models denoise images."),
    # Shares one word, and is about the same thing:
    paper("2611.00003", "Generating clips frame by frame", "A clip generator for video."),
    paper("2611.00004", "Graph networks", "Message passing on molecules."),  # shares nothing
]


def topic(text: str) -> list[float]:
    """The stand-in model's idea of meaning: video or not."""
    return [1.0, 0.1] if "video" in text.lower() else [0.1, 1.0]


def listed(text: str) -> list[str]:
    return [line.split(". ", 1)[1] for line in text.splitlines()[1:]]


async def related(tmp_path: Path, **settings: object) -> str:
    async with core(tmp_path, **settings) as wired:
        await wired.storage.papers.upsert(PAPERS)
        reply = await wired.commands.run(Command("related", {"paper": "2611.00001"}), HERE)
        assert not reply.error
        return reply.text


async def test_without_a_model_related_papers_are_found_by_the_words_they_share(
    tmp_path: Path,
) -> None:
    text = await related(tmp_path)
    assert "by the words their titles and abstracts share with it" in text
    assert "not by meaning" in text
    assert listed(text) == [
        "Diffusion models, diffusion models (arXiv:2611.00002)",
        "Generating clips frame by frame (arXiv:2611.00003)",
    ]


async def test_with_a_model_they_are_ordered_by_meaning_and_it_says_so(tmp_path: Path) -> None:
    with FakeOpenAI([], embed=topic) as fake:
        text = await related(tmp_path, OPENAI_BASE_URL=fake.base_url)
        assert "by meaning (embeddings from text-embedding-3-small)" in text
        assert "among the 2 stored papers sharing the most telling words" in text
        assert listed(text) == [
            "Generating clips frame by frame (arXiv:2611.00003)",
            "Diffusion models, diffusion models (arXiv:2611.00002)",
        ]
        (request,) = [r for r in fake.requests if r["path"].endswith("/embeddings")]
        assert request["model"] == "text-embedding-3-small"
        assert request["encoding_format"] == "float"  # what every compatible server speaks
        assert request["input"][0].startswith("Diffusion models for video\n\n")
        assert len(request["input"]) == 3  # the paper and its two candidates, nothing else


async def test_a_failing_model_leaves_the_words_order_and_says_so(tmp_path: Path) -> None:
    with FakeOpenAI([], embed=404) as fake:
        text = await related(tmp_path, OPENAI_BASE_URL=fake.base_url)
    assert "the embedding model did not answer" in text
    assert listed(text)[0] == "Diffusion models, diffusion models (arXiv:2611.00002)"


async def test_embeddings_can_be_switched_off(tmp_path: Path) -> None:
    with FakeOpenAI([], embed=topic) as fake:
        text = await related(tmp_path, OPENAI_BASE_URL=fake.base_url, embedding_model="off")
    assert "not by meaning" in text and fake.requests == []
