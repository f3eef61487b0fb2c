"""Subscriptions: which papers of which feed go to which channel, and the decision for each.

A subscription ties a target (an opaque platform + channel pair the core never parses) to a
feed (`bot.feeds.FeedSpec`) and rules. `decide` turns one (subscription, paper) pair into one
outcome with its reason; the engine records it once in the delivery ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import Decision, Every, Outcome, Paper, Rules, Subscription
from bot.keywords import padded_words

STALE_AFTER = timedelta(days=3)  # never post papers older than this (by publication/announcement)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read of a paper, worked out once per paper for every subscription."""

    paper: Paper
    words: str  # title and abstract as matching words (`bot.keywords.padded_words`)
    authors: frozenset[str]  # lower-cased, single-spaced
    moment: datetime | None
    # What `filtered` said for each set of rules: many subscriptions share the same rules.
    verdicts: dict[Rules, str | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def of(cls, paper: Paper) -> Facts:
        return cls(
            paper,
            padded_words(paper.title, paper.abstract),
            author_names(paper),
            _moment(paper),
        )


def _name(author: str) -> str:
    return " ".join(author.lower().split())


def author_names(paper: Paper) -> frozenset[str]:
    """The paper's authors as rules match them: lower-cased, single-spaced."""
    return frozenset(_name(a) for a in paper.authors)


def _moment(paper: Paper) -> datetime | None:
    """When the paper last became news: published, announced on arXiv, or featured on HF's
    Daily Papers (often days after it appeared on arXiv), whichever came last."""
    moments = [m for m in (paper.published, paper.announced, paper.hf_daily_date) if m]
    return max(moments) if moments else None


def stale(paper: Paper, now: datetime) -> bool:
    """Too old to post: the staleness limit holds at delivery too (after a pause, a backlog)."""
    moment = _moment(paper)
    return moment is not None and now - moment > STALE_AFTER


def surely_after(sub: Subscription, facts: Facts) -> bool:
    """The paper's own dates prove it appeared after the subscription was made (a paper listed
    at the subscription's first poll is otherwise taken to have been there before it)."""
    return facts.moment is not None and facts.moment > sub.created


def is_news(sub: Subscription, facts: Facts, first_seen: datetime, baseline: datetime) -> bool:
    """Whether a paper came after the subscription, so its rules decide it. A paper counts by
    when its feed first listed it (not by its own dates: Hugging Face stamps a day's list at
    midnight): after the subscription was made, except at its `baseline` poll, whose papers may
    have been there before (unless their own dates prove otherwise)."""
    return surely_after(sub, facts) or sub.created < first_seen != baseline


def filtered(rules: Rules, facts: Facts) -> str | None:
    """Which content rule (category, keywords, authors) the paper fails, or None. Pure: `why`
    asks it again rather than keeping a ledger row for every paper a rule turned away."""
    try:
        return facts.verdicts[rules]
    except KeyError:
        verdict = facts.verdicts[rules] = _filtered(rules, facts)
        return verdict


def _filtered(rules: Rules, facts: Facts) -> str | None:
    if rules.categories and not rules.categories.intersection(facts.paper.categories):
        return f"category: not in {', '.join(sorted(rules.categories))}"
    if rules.keywords and not rules.keywords.matches_padded(facts.words):
        return f"keywords: does not match {rules.keywords}"
    if rules.authors and not any(_name(a) in facts.authors for a in rules.authors):
        return f"authors: none of {', '.join(rules.authors)}"
    return None


def decide(sub: Subscription, paper: Paper | Facts, now: datetime, posted_today: int) -> Decision:
    """The outcome for a paper that is news to `sub` (first seen in its feed after the
    subscription's first poll, or caught up), now; rules in the order people think about them."""
    facts = paper if isinstance(paper, Facts) else Facts.of(paper)
    moment = facts.moment
    if moment is not None and now - moment > STALE_AFTER:
        return Decision(
            Outcome.STALE, f"from {moment:%Y-%m-%d}, older than {STALE_AFTER.days} days"
        )
    rules = sub.rules
    if (failed := filtered(rules, facts)) is not None:
        return Decision(Outcome.FILTERED, failed)
    upvotes = facts.paper.upvotes or 0
    if rules.min_upvotes is not None and upvotes < rules.min_upvotes:
        deadline = (moment or now) + timedelta(days=rules.upvote_window_days)
        if now <= deadline:
            return Decision(
                Outcome.WAITING,
                f"upvotes: {upvotes} of {rules.min_upvotes} so far, until {deadline:%Y-%m-%d}",
                deadline,
            )
        return Decision(Outcome.FILTERED, f"upvotes: {upvotes} < {rules.min_upvotes}")
    if sub.cadence.every is not Every.INSTANT:
        return Decision(Outcome.HELD, f"for the {sub.cadence.every} digest")
    if rules.promote:
        return Decision(Outcome.HELD, "for this cycle's ranking by the channel's taste")
    if rules.daily_cap is not None and posted_today >= rules.daily_cap:
        return Decision(Outcome.CAPPED, f"daily cap of {rules.daily_cap} reached")
    return Decision(Outcome.PENDING, "matches")


NOT_LISTED = "not listed by its feed so far"


def explain(sub: Subscription, paper: Paper, first_seen: datetime | None) -> str:
    """Why a paper of `sub`'s feed has no row in the ledger: the decisions that need no row
    (listed before the subscription, stale, turned away by a content rule), asked again."""
    facts = Facts.of(paper)
    if first_seen is None:
        return NOT_LISTED
    if sub.baseline is None or not is_news(sub, facts, first_seen, sub.baseline):
        return f"listed before this subscription began (first seen {first_seen:%Y-%m-%d %H:%M})"
    if facts.moment is not None and first_seen - facts.moment > STALE_AFTER:
        return (
            f"stale: from {facts.moment:%Y-%m-%d}, older than {STALE_AFTER.days} days "
            "when it was listed"
        )
    if (failed := filtered(sub.rules, facts)) is not None:
        return f"filtered: {failed}"
    # Logged by its feed, and decided for this subscription when the outbox reaches it.
    return "new in its feed: queued, decided when the outbox reaches it"
