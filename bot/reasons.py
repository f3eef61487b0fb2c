"""The one line a card carries to say why it is in this channel: the feed it came from, the
rules it met (the keywords found, the categories, the followed authors, its upvotes) and, from
the channel's taste, what it resembles."""

from __future__ import annotations

from bot.domain import Every, FeedKind, FeedSpec, Paper, Subscription
from bot.keywords import padded_words
from bot.subscriptions import author_names

MAX_SHOWN = 3  # keywords, categories or authors named; the rest are "…"


def feed_name(feed: FeedSpec) -> str:
    if feed.kind is FeedKind.HF_DAILY:
        return "new on Hugging Face Daily Papers"
    if feed.kind is FeedKind.ARXIV_RSS:
        return f"new in arXiv {feed.arg.replace('+', ', ')}"
    return f"new for the arXiv search {feed.arg}"


def _some(items: list[str]) -> str:
    more = " …" if len(items) > MAX_SHOWN else ""
    return ", ".join(items[:MAX_SHOWN]) + more


def rules_met(sub: Subscription, paper: Paper) -> list[str]:
    """What of the subscription the paper met, in the words of its rules."""
    rules = sub.rules
    met = [feed_name(sub.feed)]
    if rules.keywords is not None:
        found = rules.keywords.matched(padded_words(paper.title, paper.abstract))
        if found:
            met.append(f"keyword{'s' if len(found) > 1 else ''} {_some(found)}")
    if rules.categories:
        shared = [c for c in paper.categories if c in rules.categories]
        if shared:
            met.append(f"category {_some(shared)}")
    if rules.authors:
        names = author_names(paper)
        followed = [a for a in rules.authors if " ".join(a.lower().split()) in names]
        if followed:
            met.append(f"follows {_some(followed)}")
    if rules.min_upvotes is not None:
        met.append(f"▲ {paper.upvotes or 0} upvotes (at least {rules.min_upvotes})")
    return met


def why_line(
    sub: Subscription, paper: Paper, resemblance: str | None = None, *, tasted: bool = False
) -> str:
    """`new in arXiv cs.LG · keyword diffusion · like 2 papers liked here: …`"""
    parts = rules_met(sub, paper)
    if sub.cadence.every is not Every.INSTANT:
        parts.append(f"in the {sub.cadence.every} digest")
    if sub.rules.promote:  # `tasted`: the channel has a taste to rank by (else upvotes did)
        parts.append("promoted by this channel's taste" if tasted else "promoted by upvotes")
    if resemblance:
        parts.append(resemblance)
    return " · ".join(parts)


def short_reason(sub: Subscription, paper: Paper, resemblance: str | None) -> str | None:
    """A list entry's reason: what it resembles, else the rules it met (not its feed: the
    list says that once)."""
    return resemblance or " · ".join(rules_met(sub, paper)[1:]) or None
