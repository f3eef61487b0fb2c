"""The core's plain values, in one place: every port and every part of the core speaks in them.

Nothing here does I/O or knows a platform, a database or a model client."""

from bot.domain.channels import (
    Cadence,
    Every,
    FeedKind,
    FeedSpec,
    Limits,
    Rules,
    Subscription,
    Target,
)
from bot.domain.deliveries import (
    Backlog,
    Claim,
    Decided,
    Decision,
    DeliveryKind,
    DeliveryRecord,
    Logged,
    Move,
    Outcome,
    Outgoing,
    Pair,
    PaperVersion,
    Placed,
    UpsertResult,
)
from bot.domain.papers import Card, Link, Origin, Paper, Turn
from bot.domain.search import Hit, Hits, SearchPage, SearchQuery, Sort, Terms
from bot.domain.taste import PaperSignals, Signal

__all__ = [
    "Backlog",
    "Cadence",
    "Card",
    "Claim",
    "Decided",
    "Decision",
    "DeliveryKind",
    "DeliveryRecord",
    "Every",
    "FeedKind",
    "FeedSpec",
    "Hit",
    "Hits",
    "Limits",
    "Link",
    "Logged",
    "Move",
    "Origin",
    "Outcome",
    "Outgoing",
    "Pair",
    "Paper",
    "PaperSignals",
    "PaperVersion",
    "Placed",
    "Rules",
    "SearchPage",
    "SearchQuery",
    "Signal",
    "Sort",
    "Subscription",
    "Target",
    "Terms",
    "Turn",
    "UpsertResult",
]
