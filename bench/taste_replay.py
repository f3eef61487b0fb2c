"""Channel taste, replayed: simulated channels with known interests react to what they are
shown, day after day, and we measure how many of the papers promoted to full cards they care
about (precision@5), against promoting by upvotes alone and by recency, in the same run on the
same days. Then what the model costs per paper and channel, and how that grows.

    .venv/bin/python bench/taste_replay.py

The stream is synthetic and says so: 30 topics over one made-up Zipf vocabulary (as
`bench/corpus.py` makes it), each topic with its own words (a title holds about 3 of its 10
words from its topic, an abstract about 8% of its 160), two arXiv categories shared between
topics (a category alone does not tell a channel's topic) and its own pool of authors. A day
lists 120 papers (a busy category). Upvotes are drawn apart from topics (lognormal): upvotes say
what is popular, not what a given channel wants. Each channel cares about 2 of the 30 topics
(about 1 paper in 15). Its people react to the 5 cards they are shown: a card of their topics
gets 👍 from one to three of them with probability 0.6, another a 👍 anyway with probability 0.05
or else a 👎 with probability 0.15, the rest nothing; of the listed papers (the rest), one of theirs is asked about with probability
0.1. The channel subscribed to the whole category: no keywords start its taste.

The model is the one the bot runs (`bot.taste.learn` and `bot.taste.rank` on the signals a
channel's store would hold: `PaperSignals`, the latest `bot.tastes.HISTORY` papers).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpus import word  # noqa: E402

from bot.domain import Paper, PaperSignals  # noqa: E402
from bot.taste import Taste, Vector, Vocabulary, learn, rank, terms  # noqa: E402
from bot.tastes import HISTORY  # noqa: E402

TOPICS = 30
TOPIC_WORDS = 150
TITLE_SHARE = 0.3  # of a title's words, from its topic
ABSTRACT_SHARE = 0.08  # of an abstract's words
VOCABULARY = 20_000
PER_DAY = 120
SHOWN = 5
DAYS = 28
WEEKS = ((1, 7), (8, 14), (22, 28))
CATEGORIES = ["cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "cs.RO", "eess.IV", "cs.SD"]
START = datetime(2026, 6, 1, 8, tzinfo=UTC)


@dataclass
class Stream:
    """The papers of each day, each with its topic."""

    rng: random.Random
    vocabulary: list[str] = field(default_factory=lambda: [word(r) for r in range(VOCABULARY)])
    weights: list[float] = field(default_factory=list)
    topic_words: list[list[str]] = field(default_factory=list)
    topic_categories: list[list[str]] = field(default_factory=list)
    topic_authors: list[list[str]] = field(default_factory=list)
    topic_of: dict[str, int] = field(default_factory=dict)
    made: int = 0

    def __post_init__(self) -> None:
        self.weights = [1.0 / (r + 1) ** 1.07 for r in range(VOCABULARY)]
        for _ in range(TOPICS):
            # A topic's words come from the middle of the vocabulary: neither "the" nor noise.
            self.topic_words.append(self.rng.sample(self.vocabulary[200:8000], TOPIC_WORDS))
            self.topic_categories.append(self.rng.sample(CATEGORIES, 2))
            self.topic_authors.append(
                [f"{word(self.rng.randrange(VOCABULARY)).title()} A" for _ in range(200)]
            )

    def _words(self, count: int, topic: int, share: float) -> list[str]:
        general = self.rng.choices(self.vocabulary, self.weights, k=count)
        return [
            self.rng.choice(self.topic_words[topic]) if self.rng.random() < share else w
            for w in general
        ]

    def day(self, n: int) -> list[Paper]:
        papers = []
        for i in range(PER_DAY):
            self.made += 1
            topic = self.rng.randrange(TOPICS)
            arxiv_id = f"2606.{self.made:05d}"
            published = START + timedelta(days=n, minutes=i)
            papers.append(
                Paper(
                    arxiv_id=arxiv_id,
                    title=" ".join(self._words(10, topic, TITLE_SHARE)).capitalize(),
                    abstract=" ".join(self._words(160, topic, ABSTRACT_SHARE)).capitalize() + ".",
                    authors=tuple(self.rng.sample(self.topic_authors[topic], 3)),
                    categories=tuple(self.topic_categories[topic]),
                    upvotes=int(self.rng.lognormvariate(1.5, 1.2)),
                    published=published,
                )
            )
            self.topic_of[arxiv_id] = topic
        return papers


Chooser = Callable[["Channel", list[Paper], dict[str, Vector]], list[Paper]]


@dataclass
class Channel:
    interests: frozenset[int]
    rng: random.Random
    signals: dict[str, PaperSignals] = field(default_factory=dict)
    history: dict[str, Paper] = field(default_factory=dict)
    precision: list[float] = field(default_factory=list)

    def taste(self, vocabulary: Vocabulary) -> Taste:
        latest = list(self.signals.values())[-HISTORY:]
        papers = {s.arxiv_id: self.history[s.arxiv_id] for s in latest}
        return learn(latest, papers, [], vocabulary)

    def react(
        self, shown: Sequence[Paper], listed: Sequence[Paper], topic_of: dict[str, int]
    ) -> None:
        for paper in shown:
            wanted = topic_of[paper.arxiv_id] in self.interests
            signal = PaperSignals(paper.arxiv_id, posted=True)
            if wanted and self.rng.random() < 0.6:
                signal = replace(signal, up=self.rng.randint(1, 3))
            elif not wanted and self.rng.random() < 0.05:
                signal = replace(signal, up=1)  # people like a paper off their topics too
            elif not wanted and self.rng.random() < 0.15:
                signal = replace(signal, down=1)
            self._keep(paper, signal)
        for paper in listed:
            if topic_of[paper.arxiv_id] in self.interests and self.rng.random() < 0.1:
                self._keep(paper, PaperSignals(paper.arxiv_id, asked=1))

    def _keep(self, paper: Paper, signal: PaperSignals) -> None:
        self.history[paper.arxiv_id] = paper
        self.signals.pop(paper.arxiv_id, None)
        self.signals[paper.arxiv_id] = signal  # the latest last


def by_taste(vocabulary: Vocabulary) -> Chooser:
    def choose(channel: Channel, day: list[Paper], vectors: dict[str, Vector]) -> list[Paper]:
        return [r.paper for r in rank(channel.taste(vocabulary), day, vectors)]

    return choose


def by_upvotes(channel: Channel, day: list[Paper], vectors: dict[str, Vector]) -> list[Paper]:
    return sorted(day, key=lambda p: p.upvotes or 0, reverse=True)


def by_recency(channel: Channel, day: list[Paper], vectors: dict[str, Vector]) -> list[Paper]:
    return sorted(day, key=lambda p: p.published or START, reverse=True)


def replay(channels: int, seed: int) -> dict[str, list[list[float]]]:
    """Precision@5 per method, per channel, per day."""
    stream = Stream(random.Random(seed))
    vocabulary = Vocabulary()
    methods: dict[str, Chooser] = {
        "taste (Paperboy)": by_taste(vocabulary),
        "upvotes only": by_upvotes,
        "recency": by_recency,
    }
    people = random.Random(seed + 1)
    interests = [frozenset(people.sample(range(TOPICS), 2)) for _ in range(channels)]
    # Each method serves its own copy of every channel (same interests, same dice).
    served = {
        name: [Channel(i, random.Random(seed + 2 + n)) for n, i in enumerate(interests)]
        for name in methods
    }
    for n in range(DAYS):
        day = stream.day(n)
        vectors = {}
        for paper in day:
            counted = terms(paper)
            vocabulary.observe(paper.arxiv_id, counted)
            vectors[paper.arxiv_id] = vocabulary.vector(counted)
        for name, choose in methods.items():
            for channel in served[name]:
                ordered = choose(channel, day, vectors)
                shown, listed = ordered[:SHOWN], ordered[SHOWN:]
                hits = sum(stream.topic_of[p.arxiv_id] in channel.interests for p in shown)
                channel.precision.append(hits / SHOWN)
                channel.react(shown, listed, stream.topic_of)
    return {name: [c.precision for c in chans] for name, chans in served.items()}


def week_mean(per_channel: list[list[float]], first: int, last: int) -> float:
    return statistics.mean(p for days in per_channel for p in days[first - 1 : last])


def per_call(fn: Callable[[], object], rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def costs(seed: int) -> None:
    """Learning a channel's taste from its history, and ranking a cycle's papers with it: per
    paper and channel, and at 10,000 channels."""
    stream = Stream(random.Random(seed))
    vocabulary = Vocabulary()
    papers = [p for n in range(60) for p in stream.day(n)]  # 7,200 papers
    for paper in papers:
        vocabulary.observe(paper.arxiv_id, terms(paper))
    vectors = {p.arxiv_id: vocabulary.vector(terms(p)) for p in papers}
    rng = random.Random(seed)
    print("\ncost (one process, pure Python; best of 5)")
    each_vector = per_call(lambda: [vocabulary.vector(terms(p)) for p in papers[:1000]]) / 1000
    print(f"a paper's vector, worked out once per paper: {each_vector * 1e6:.0f} µs")
    print(f"\n{'history (papers)':>18} {'learn a taste':>14} {'per paper':>10}")
    for size in (50, HISTORY, 10 * HISTORY):
        chosen = papers[:size]
        signals = [PaperSignals(p.arxiv_id, up=rng.randint(0, 2), posted=True) for p in chosen]
        by_id = {p.arxiv_id: p for p in chosen}

        def learning(s: list[PaperSignals] = signals, b: dict[str, Paper] = by_id) -> Taste:
            return learn(s, b, [], vocabulary, vectors)

        took = per_call(learning)
        print(f"{size:>18,} {took * 1000:>11.1f} ms {took / size * 1e6:>7.0f} µs")
    kept = papers[:HISTORY]
    signals = [PaperSignals(p.arxiv_id, up=rng.randint(0, 2), posted=True) for p in kept]
    taste = learn(signals, {p.arxiv_id: p for p in kept}, [], vocabulary, vectors)
    print(
        f"\n{'cycle (papers)':>18} {'rank, 1 channel':>16} {'per paper·channel':>18} "
        f"{'10,000 channels':>16}"
    )
    for size in (100, 1000):
        cycle = papers[-size:]

        def ranking(c: list[Paper] = cycle) -> object:
            return rank(taste, c, vectors)

        took = per_call(ranking)
        print(
            f"{size:>18,} {took * 1000:>13.2f} ms {took / size * 1e6:>15.1f} µs "
            f"{took * 10_000:>14.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    began = time.perf_counter()
    results = replay(args.channels, args.seed)
    print(
        f"replay: {args.channels} channels, {DAYS} days of {PER_DAY} papers, {SHOWN} cards a day, "
        f"{TOPICS} topics, 2 per channel (seed {args.seed}, {time.perf_counter() - began:.0f} s)"
    )
    print(f"\nprecision@{SHOWN} of the promoted cards (mean over channels and the week's days)")
    print(f"{'method':<18}" + "".join(f"{f'week {(f + 6) // 7}':>10}" for f, _ in WEEKS))
    for name, per_channel in results.items():
        means = [week_mean(per_channel, first, last) for first, last in WEEKS]
        print(f"{name:<18}" + "".join(f"{m:>10.2f}" for m in means))
    upvotes = week_mean(results["upvotes only"], 8, 14)
    taste = week_mean(results["taste (Paperboy)"], 8, 14)
    print(f"\nweek 2: taste {taste:.2f} = {taste / upvotes:.1f}x upvotes only ({upvotes:.2f})")
    costs(args.seed)


if __name__ == "__main__":
    main()
