"""Each channel's taste kept current: learned from its stored signals (`bot.taste.learn`) and
kept; whether they changed is looked at most once a minute per channel (at once after this
process records one there: other processes' votes show within that minute). Used to rank papers
and to say what one resembles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.cards import cut_at_word
from bot.cycle import utc_now
from bot.domain import Paper, Signal, Target
from bot.ports import PaperStore, SubscriptionStore, TasteSignals, Votes
from bot.taste import Ranked, Taste, Vector, Vocabulary, learn, rank, terms

HISTORY = 500  # the latest papers of a channel its taste learns from
KEPT = 50_000  # papers whose vectors are kept worked out (the rest are read again)
# A paper's vector is worked out again once the vocabulary has grown by a quarter (its words'
# rarity has moved); a taste is learned again at least this often (cards posted and left alone
# count faintly, without moving the revision).
REWEIGH = 1.25
RELEARN = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Learned:
    taste: Taste
    revision: str  # of the signals it was learned from
    learned: datetime
    checked: datetime  # when the revision was last found unchanged


@dataclass
class Tastes:
    signals: TasteSignals
    papers: PaperStore
    subscriptions: SubscriptionStore
    clock: Callable[[], datetime] = utc_now
    fresh_for: timedelta = timedelta(minutes=1)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    _tastes: dict[Target, Learned] = field(default_factory=dict)
    _vectors: dict[str, tuple[int, Vector]] = field(default_factory=dict)

    async def of(self, target: Target) -> Taste:
        """The channel's taste as of at most `fresh_for` ago: learned again when its signals
        changed since (or `RELEARN` passed), else the one kept."""
        now = self.clock()
        kept = self._tastes.get(target)
        if kept is not None and now - kept.checked < self.fresh_for:
            return kept.taste
        done, revision = await self.signals.revision(target)
        if kept is not None and kept.revision == revision and now - kept.learned < RELEARN:
            self._tastes[target] = replace(kept, checked=now)
            return kept.taste
        # Cards left alone say something only once people have done something here.
        signals = await self.signals.of_channel(target, HISTORY) if done else []
        papers = await self.papers.get_many([s.arxiv_id for s in signals]) if signals else {}
        rules = [s.rules for s in await self.subscriptions.for_target(target)]
        vectors = self.vectors(list(papers.values()))
        taste = learn(signals, papers, rules, self.vocabulary, vectors)
        self._tastes[target] = Learned(taste, revision, now, now)
        return taste

    def vectors(self, papers: Sequence[Paper]) -> dict[str, Vector]:
        """The papers as the model reads them (each counted once in the vocabulary), worked
        out once while the vocabulary stays about the same."""
        if len(self._vectors) > KEPT:
            self._vectors.clear()
        seen = len(self.vocabulary.seen)
        out = {}
        for paper in papers:
            kept = self._vectors.get(paper.arxiv_id)
            if kept is None or seen > kept[0] * REWEIGH:
                counted = terms(paper)
                self.vocabulary.observe(paper.arxiv_id, counted)
                kept = self._vectors[paper.arxiv_id] = (
                    len(self.vocabulary.seen),
                    self.vocabulary.vector(counted),
                )
            out[paper.arxiv_id] = kept[1]
        return out

    async def rank(self, target: Target, papers: Sequence[Paper]) -> list[Ranked]:
        """`papers` best first for this channel (`bot.taste.rank`)."""
        vectors = self.vectors(papers)
        return rank(await self.of(target), papers, vectors)

    async def resemblance(self, target: Target, paper: Paper) -> str | None:
        """What this paper is like among the papers the channel liked, in a few words:
        `like 3 papers liked here: “A”, “B” …`; None when it is like none of them."""
        taste = await self.of(target)
        if not taste.liked:
            return None
        like = taste.resembles(paper.arxiv_id, self.vectors([paper])[paper.arxiv_id], limit=50)
        if not like:
            return None
        titles = ", ".join(f"“{cut_at_word(' '.join(p.title.split()), 60)}”" for p in like[:2])
        more = " …" if len(like) > 2 else ""
        many = "a paper" if len(like) == 1 else f"{len(like)} papers"
        return f"like {many} liked here: {titles}{more}"

    async def note(self, target: Target, arxiv_id: str, signal: Signal) -> None:
        """Count a signal about a paper in a channel (its taste is learned again)."""
        await self.signals.note(target, arxiv_id, signal, self.clock())
        self.forget(target)

    async def reset(self, target: Target) -> None:
        """Forget what the channel taught so far; its subscriptions' rules start it again."""
        await self.signals.reset(target, self.clock())
        self.forget(target)

    def forget(self, target: Target) -> None:
        """Learn the channel's taste again at the next look (a vote came in)."""
        self._tastes.pop(target, None)


@dataclass
class TeachingVotes:
    """The vote store, telling each channel's taste of a reaction at once (in this process;
    the others learn it within `Tastes.fresh_for`)."""

    votes: Votes
    tastes: Tastes

    async def vote(
        self,
        target: Target,
        message_id: str,
        voter: str,
        reaction: str,
        now: datetime,
        *,
        up: bool = True,
    ) -> bool:
        counted = await self.votes.vote(target, message_id, voter, reaction, now, up=up)
        if counted:
            self.tastes.forget(target)
        return counted

    async def top(self, target: Target, since: datetime, limit: int) -> list[tuple[str, int]]:
        return await self.votes.top(target, since, limit)
