"""The answer without an LLM: the passages that best match the question, quoted with their
section names, a one-line lead, and the link; or plainly that the paper does not seem to say."""

from __future__ import annotations

from bot.cards import ARXIV, cut_at_word
from bot.qa.fulltext import FullText
from bot.qa.retrieve import Retriever

QUOTES = 3
QUOTE_CHARS = 600


def extractive_answer(question: str, text: FullText, arxiv: str = ARXIV) -> str:
    found = Retriever(list(text.passages)).top(question, QUOTES)
    link = f"{arxiv}/abs/{text.arxiv_id}"
    if not found:
        return f"The paper does not seem to say (searched its {text.source}). {link}"
    lines = [f"From the paper's {text.source}, the passages closest to your question:"]
    for item in sorted(found, key=lambda f: f.passage.index):  # in the paper's order
        section = item.passage.section or "untitled section"
        lines.append(f"> {cut_at_word(item.passage.text, QUOTE_CHARS)}\n  ({section})")
    lines.append(link)
    return "\n".join(lines)
