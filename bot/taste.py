"""A channel's taste: a linear model over papers' words, categories and authors, learned from
what the channel's people did with its papers, to promote the papers it will care about and to
say what a paper resembles.

The model is Rocchio's relevance feedback over tf-idf vectors (the linear model behind
arxiv-sanity's tf-idf features and the positives and negatives of Semantic Scholar's feeds): the
channel's profile is the weighted sum of its papers' vectors, a 👍 adding the paper, a 👎 taking
it away, a card posted and left without any reaction taking away a little, a subscription's
keywords, categories and authors starting it off. A paper's taste is its cosine with the
profile. A signal adds one vector (an online update); the profile is rebuilt from the stored
counts when they change, so every process agrees and a reset is a clean start.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain import Paper, PaperSignals, Rules
from bot.keywords import stemmed
from bot.search import STOP_WORDS

# How much each signal moves the profile (per person for reactions, at most `MAX_PEOPLE`).
UP = 1.0
DOWN = -1.0
ASKED = 0.5
SHOWN = 0.3
CLICKED = 0.3
UNREMARKED = -0.1  # a card posted here that nobody reacted to or asked about
RULES = 0.5  # the subscriptions' own words, categories and authors: the cold start
MAX_PEOPLE = 3  # one enthusiastic channel should not drown the rest of its history
TITLE_WEIGHT = 2  # a title word counts as two abstract words
PROFILE_TERMS = 2_000  # the strongest terms a profile keeps
LIKE = 0.15  # cosine from which a paper resembles a liked one (a few shared rare words)
UPVOTE_PRIOR = 0.05  # how much upvotes add to taste when ranking (0 .. this, by the batch's top)

# Bounds on untrusted upstream text: a field past them adds nothing a card needs.
MAX_TEXT = 20_000
MAX_NAMES = 100

# A word: letters first, then letters or digits, hyphenated parts kept together ("zero-shot").
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:-[^\W_]+)*")

Vector = dict[str, float]


def terms(paper: Paper) -> Counter[str]:
    """What the model reads of a paper: its title's words (twice), its abstract's words,
    `cat:` its categories and `au:` its authors."""
    counted: Counter[str] = Counter()
    for text, weight in ((paper.title, TITLE_WEIGHT), (paper.abstract, 1)):
        for word in _WORD.findall((text or "")[:MAX_TEXT].lower()):
            if len(word) > 2 and word not in STOP_WORDS:
                counted[stemmed(word)] += weight
    for category in paper.categories[:MAX_NAMES]:
        counted[f"cat:{category}"] += 1
    for author in paper.authors[:MAX_NAMES]:
        if name := " ".join(author.lower().split())[:200]:
            counted[f"au:{name}"] += 1
    return counted


def rule_terms(rules: Rules) -> Counter[str]:
    """A subscription's rules as the terms a paper it wants would have."""
    counted: Counter[str] = Counter()
    if rules.keywords is not None:
        for term in rules.keywords.wanted():
            counted.update(w for w in term.split() if w not in STOP_WORDS)
    counted.update(f"cat:{c}" for c in rules.categories)
    counted.update(f"au:{' '.join(a.lower().split())}" for a in rules.authors)
    return counted


@dataclass
class Vocabulary:
    """How many of the papers seen have each term (each paper counted once): a term most
    papers have says little about any of them."""

    df: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)

    def observe(self, arxiv_id: str, counted: Counter[str]) -> None:
        if arxiv_id not in self.seen:
            self.seen.add(arxiv_id)
            self.df.update(counted.keys())

    def idf(self, term: str) -> float:
        return math.log((1 + len(self.seen)) / (1 + self.df[term])) + 1.0

    def vector(self, counted: Counter[str]) -> Vector:
        """Sub-linear tf times idf, of unit length."""
        weights = {t: (1.0 + math.log(n)) * self.idf(t) for t, n in counted.items() if n > 0}
        return _unit(weights)


def _unit(weights: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """Of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def weight(signals: PaperSignals) -> float:
    """How much one paper's signals move the channel's profile (and which way)."""
    people = UP * min(signals.up, MAX_PEOPLE) + DOWN * min(signals.down, MAX_PEOPLE)
    interest = (
        ASKED * min(signals.asked, MAX_PEOPLE)
        + SHOWN * min(signals.shown, MAX_PEOPLE)
        + CLICKED * min(signals.clicked, MAX_PEOPLE)
    )
    total = people + interest
    if total == 0 and signals.posted:
        return UNREMARKED
    return total


def _interested(signals: PaperSignals) -> bool:
    """Someone did something for the paper (not only saw its card)."""
    return bool(signals.up or signals.asked or signals.shown or signals.clicked)


@dataclass(frozen=True, slots=True)
class Liked:
    arxiv_id: str
    title: str
    vector: Vector = field(repr=False)


@dataclass(frozen=True, slots=True)
class Leaning:
    """What a profile leans to (and away from), for people to read."""

    words: tuple[str, ...]
    categories: tuple[str, ...]
    authors: tuple[str, ...]
    avoided: tuple[str, ...]  # words of the papers turned down


@dataclass(frozen=True, slots=True)
class Taste:
    """One channel's model: its profile, the papers its people liked, how many papers it
    learned from."""

    profile: Vector = field(default_factory=dict)
    liked: tuple[Liked, ...] = ()
    papers: int = 0  # papers people reacted to, asked about or were shown
    from_rules: bool = False  # the subscriptions' rules started it off

    @property
    def empty(self) -> bool:
        """Nothing people did and no rules: cards posted and left alone are all it knows."""
        return not self.papers and not self.from_rules

    def score(self, vector: Vector) -> float:
        return cosine(vector, self.profile) if self.profile else 0.0

    def resembles(self, arxiv_id: str, vector: Vector, limit: int = 2) -> list[Liked]:
        """The liked papers this one is most like (never itself), most alike first."""
        near = [(cosine(vector, liked.vector), liked) for liked in self.liked]
        near = [(c, liked) for c, liked in near if c >= LIKE and liked.arxiv_id != arxiv_id]
        near.sort(key=lambda pair: pair[0], reverse=True)
        return [liked for _, liked in near[:limit]]

    def leaning(self, shown: int = 8) -> Leaning:
        ranked = sorted(self.profile.items(), key=lambda item: item[1], reverse=True)
        liked = [(t, w) for t, w in ranked if w > 0]

        def top(prefix: str) -> tuple[str, ...]:
            picked = [t.removeprefix(prefix) for t, _ in liked if t.startswith(prefix)]
            return tuple(picked[:shown])

        words = tuple(t for t, _ in liked if ":" not in t)[:shown]
        avoided = tuple(t for t, w in reversed(ranked) if w < 0 and ":" not in t)[:shown]
        return Leaning(words, top("cat:"), top("au:"), avoided)


def learn(
    signals: Sequence[PaperSignals],
    papers: Mapping[str, Paper],
    rules: Iterable[Rules],
    vocabulary: Vocabulary,
    vectors: Mapping[str, Vector] | None = None,
) -> Taste:
    """The channel's taste from what its people did with these papers and its subscriptions'
    rules (`papers`: the stored papers the signals are about; `vectors`: theirs, where already
    worked out)."""
    known = dict(vectors or {})
    for arxiv_id, paper in papers.items():
        if arxiv_id not in known:
            counted = terms(paper)
            vocabulary.observe(arxiv_id, counted)
            known[arxiv_id] = vocabulary.vector(counted)
    profile: dict[str, float] = defaultdict(float)
    liked: list[Liked] = []
    learned = 0
    for signal in signals:
        if signal.arxiv_id not in known:
            continue  # not stored (yet): nothing to learn from
        moved = weight(signal)
        if moved == 0:
            continue
        learned += bool(signal.down) or _interested(signal)
        vector = known[signal.arxiv_id]
        for term, value in vector.items():
            profile[term] += moved * value
        if moved > 0 and _interested(signal):
            title = papers[signal.arxiv_id].title or f"arXiv:{signal.arxiv_id}"
            liked.append(Liked(signal.arxiv_id, title, vector))
    wanted: Counter[str] = Counter()
    for rule in rules:
        wanted.update(rule_terms(rule))
    if wanted:
        for term, value in vocabulary.vector(wanted).items():
            profile[term] += RULES * value
    strongest = sorted(profile.items(), key=lambda item: abs(item[1]), reverse=True)
    kept = _unit(dict(strongest[:PROFILE_TERMS]))
    return Taste(kept, tuple(liked), learned, bool(wanted))


@dataclass(frozen=True, slots=True)
class Ranked:
    paper: Paper
    taste: float  # cosine with the channel's profile
    score: float  # taste with the upvote prior: the order


def rank(taste: Taste, papers: Sequence[Paper], vectors: Mapping[str, Vector]) -> list[Ranked]:
    """`papers` best first for this channel: by taste, with a small prior for upvotes
    (`UPVOTE_PRIOR` at the batch's most upvoted); without a taste, by upvotes; then the newest."""
    most = max((p.upvotes or 0 for p in papers), default=0)
    scale = math.log1p(most) or 1.0
    ranked = []
    for paper in papers:
        liking = taste.score(vectors.get(paper.arxiv_id, {}))
        prior = UPVOTE_PRIOR * math.log1p(max(paper.upvotes or 0, 0)) / scale
        ranked.append(Ranked(paper, liking, liking + prior))
    ranked.sort(key=lambda r: (r.score, r.paper.upvotes or 0, _when(r.paper)), reverse=True)
    return ranked


def _when(paper: Paper) -> float:
    moment = paper.published or paper.announced
    return moment.timestamp() if moment else 0.0
