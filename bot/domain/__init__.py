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
    Decision,
    DeliveryRecord,
    Logged,
    Outcome,
    PaperVersion,
    UpsertResult,
)
from bot.domain.papers import Card, Link, Origin, Paper, Turn
from bot.domain.search import Hit, SearchPage, SearchQuery, Sort, Terms

__all__ = [
    "Backlog",
    "Cadence",
    "Card",
    "Claim",
    "Decision",
    "DeliveryRecord",
    "Every",
    "FeedKind",
    "FeedSpec",
    "Hit",
    "Limits",
    "Link",
    "Logged",
    "Origin",
    "Outcome",
    "Paper",
    "PaperVersion",
    "Rules",
    "SearchPage",
    "SearchQuery",
    "Sort",
    "Subscription",
    "Target",
    "Terms",
    "Turn",
    "UpsertResult",
]
