"""Finding the passages that answer a question: BM25 (bm25s) over paragraphs, English stop words
(question words included) dropped and words stemmed (Snowball, PyStemmer), each paragraph
indexed with its section title. Optionally a passage's neighbours lend it some of their score.
What each choice is worth on QASPER is measured in bench/qa_retrieval.py (neighbours did not
help there, so they are off).
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import Stemmer

from bot.qa.passages import Passage

_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True, slots=True)
class Found:
    passage: Passage
    score: float


class Retriever:
    """BM25 over one paper's passages.

    >>> Retriever(passages).top("what dataset is used?", k=5)
    """

    def __init__(
        self,
        passages: list[Passage],
        *,
        with_sections: bool = True,
        stem: bool = True,
        neighbours: float = 0.0,
        stopwords: str = "en_plus",
    ) -> None:
        self.passages = passages
        self.neighbours = neighbours
        self._stemmer = _STEMMER if stem else None
        # bm25s's "en" list misses question words (what, which, how): "en_plus" drops them too.
        self._stopwords = stopwords
        texts = [
            f"{p.section}. {p.text}" if with_sections and p.section else p.text for p in passages
        ]
        self._index = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(
                texts, stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False
            )
            self._index.index(tokens, show_progress=False)

    def scores(self, question: str) -> list[float]:
        if not self.passages:
            return []
        tokens = bm25s.tokenize(
            [question], stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False
        )
        if not tokens.vocab:  # only stop words: nothing to score
            return [0.0] * len(self.passages)
        words = [w for w, i in sorted(tokens.vocab.items(), key=lambda item: item[1])]
        # bm25s keeps an empty-string token in its vocabularies; it must not match anything.
        query = [words[i] for i in tokens.ids[0] if words[i]]
        if not query:
            return [0.0] * len(self.passages)
        raw = [float(s) for s in self._index.get_scores(query)]
        if not self.neighbours:
            return raw
        last = len(raw) - 1
        return [
            s + self.neighbours * max(raw[i - 1] if i else 0.0, raw[i + 1] if i < last else 0.0)
            for i, s in enumerate(raw)
        ]

    def top(self, question: str, k: int = 5) -> list[Found]:
        scored = sorted(enumerate(self.scores(question)), key=lambda pair: pair[1], reverse=True)
        return [Found(self.passages[i], s) for i, s in scored[:k] if s > 0]
