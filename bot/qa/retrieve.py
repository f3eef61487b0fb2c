"""Finding the passages that answer a question: BM25 (bm25s) over paragraphs, English stop words
(question words included) dropped and words stemmed (Snowball, PyStemmer), each paragraph
indexed with its section title. Questions of a few common kinds ("how big", "which baselines",
"what metric", "what dataset", "how were they selected") are expanded with the words their
answers are written in, at a lower weight; passages of peripheral sections (related work,
acknowledgements, appendices) have their score lowered (bm25s's weight mask); a question word the
paper lacks is read as the paper's word closest in spelling, and an acronym the paper defines
as its long form too ("RL": "reinforcement learning", and the other way round). Optionally a
passage's neighbours lend it some of their score. What each choice is worth on QASPER is measured in
bench/qa_retrieval.py (neighbours did not help there, so they are off).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.qa.passages import Passage
from bot.qa.sentences import PassageWords
from bot.qa.vocabulary import Vocabulary

if TYPE_CHECKING:  # numpy is loaded with the first question (see _english_stemmer)
    import numpy as np
    from numpy.typing import NDArray


@cache
def _english_stemmer() -> Any:
    # Loaded with the first question, not with every command (it brings numpy along).
    import Stemmer

    return Stemmer.Stemmer("english")


# A question's kind -> words its answer is usually written in, which the question itself lacks
# ("How big is the corpus?" is answered by "It contains 17,833 sentences").
_CUES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(cue, re.IGNORECASE), words)
    for cue, words in (
        (
            r"\bhow (many|much|big|large|long|small)\b|\bsize\b|\bnumber of\b",
            "size number total contains consists consisting million thousand",
        ),
        (
            r"\bbaselines?\b",
            "baseline baselines compare compared comparison previous state-of-the-art outperform",
        ),
        (
            r"\bevaluat|\bmetrics?\b|\bmeasur",
            "evaluate evaluation metric metrics measure accuracy precision recall F1 score"
            " agreement",
        ),
        (r"\bdata(sets?)?\b|\bcorp(us|ora)\b", "dataset data corpus collected annotated"),
        (
            r"\b(select|chose|choose|pick)\w*\b|\bcriteri",
            "selected chosen criteria least only filtered removed excluded consists",
        ),
    )
)
# Sections that seldom hold the answer about the paper's own work.
_PERIPHERAL = re.compile(
    r"related work|background|acknowledg|references|bibliograph|appendi", re.IGNORECASE
)


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
        expand: float = 0.5,
        peripheral: float = 0.5,
        spell: bool = True,
        acronyms: bool = True,
    ) -> None:
        self.passages = passages
        self.spell = spell  # read misspelled question words as the paper's closest words
        self.acronyms = acronyms  # read the paper's acronyms as their long forms too
        self.neighbours = neighbours
        self.expand = expand  # weight of the question-kind words (_CUES); 0 for none
        import bm25s  # see _english_stemmer
        import numpy as np

        # score factor for passages of peripheral sections (_PERIPHERAL), 1 for the others:
        # bm25s's weight mask
        self._mask = np.array(
            [peripheral if _PERIPHERAL.search(p.section) else 1.0 for p in passages],
            dtype=np.float32,
        )
        self._stemmer = _english_stemmer() if stem else None
        # bm25s's "en" list misses question words (what, which, how): "en_plus" drops them too.
        self._stopwords = stopwords
        texts = [
            f"{p.section}. {p.text}" if with_sections and p.section else p.text for p in passages
        ]
        self.vocabulary = Vocabulary(texts)
        self.words = PassageWords(passages)
        self._index = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(
                texts, stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False
            )
            self._index.index(tokens, show_progress=False)

    def _terms(self, text: str) -> list[str]:
        import bm25s

        tokens = bm25s.tokenize(
            [text], stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False
        )
        words = [w for w, i in sorted(tokens.vocab.items(), key=lambda item: item[1])]
        # bm25s keeps an empty-string token in its vocabularies; it must not match anything.
        return [words[i] for i in tokens.ids[0] if words[i]] if words else []

    def scores(self, question: str) -> NDArray[np.float32]:
        """One score per passage: BM25 of the question's words, plus the question-kind words
        at their weight, each passage's scaled by its section's factor (bm25s's weight mask)."""
        import numpy as np

        if not self.passages:
            return np.zeros(0, dtype=np.float32)
        if self.spell:
            question = self.vocabulary.spelled(question)
        query = self._terms(question)
        if not query:  # only stop words: nothing to score
            return np.zeros(len(self.passages), dtype=np.float32)
        scores: NDArray[np.float32] = self._index.get_scores(query, weight_mask=self._mask)
        if self.acronyms:
            for mine, other in self.vocabulary.other_forms(question):
                scores = scores + self._other_form(mine, other)
        extra = " ".join(words for cue, words in _CUES if cue.search(question))
        if self.expand and extra:
            more = self._index.get_scores(self._terms(extra), weight_mask=self._mask)
            scores = scores + np.float32(self.expand) * more
        if not self.neighbours:
            return scores
        before = np.concatenate(([0.0], scores[:-1]))
        after = np.concatenate((scores[1:], [0.0]))
        return (scores + self.neighbours * np.maximum(before, after)).astype(np.float32)

    def _other_form(self, mine: str, other: str) -> NDArray[np.float32]:
        """The score of a passage that says the question's acronym in its other form: one word
        of the question's worth (the mean of its words'), none where it says it as asked."""
        import numpy as np

        def each(text: str) -> list[NDArray[np.float32]]:
            return [self._index.get_scores([w], weight_mask=self._mask) for w in self._terms(text)]

        asked, said = each(mine), each(other)
        if not asked or not said:
            return np.zeros(len(self.passages), dtype=np.float32)
        as_asked = np.all(np.stack(asked) > 0, axis=0)
        return np.where(as_asked, 0.0, np.mean(np.stack(said), axis=0)).astype(np.float32)

    def top(self, question: str, k: int = 5) -> list[Found]:
        """The `k` best passages, best first; none that score 0. Of passages scoring the same,
        the earlier comes first (bm25s's own top-k selection orders ties arbitrarily)."""
        import numpy as np

        scores = self.scores(question)
        best = np.argsort(-scores, kind="stable")[:k]
        return [Found(self.passages[int(i)], float(scores[i])) for i in best if scores[i] > 0]
