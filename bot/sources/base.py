"""What every parser returns, and the lenient field readers that keep schema drift harmless."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from bot.domain import Paper
from bot.errors import UnreadableResponse


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """Papers read from one response, plus what the response says about itself."""

    papers: tuple[Paper, ...]
    skipped: tuple[str, ...] = ()  # records that could not be read, each with the reason
    total: int | None = None  # arXiv API: total results for the query
    start: int | None = None  # arXiv API: index of the first entry on this page
    built: datetime | None = None  # arXiv RSS: when the feed was built


Record = TypeVar("Record")


def read_records(
    source: str, kind: str, records: Iterable[Record], read: Callable[[Record], Paper]
) -> tuple[tuple[Paper, ...], tuple[str, ...]]:
    """The papers `read` makes of `records`, and why others could not be read (ValueError).

    A response whose every record fails is not "nothing new": the format has likely changed
    under us, and saying so makes it a source fault people see, not a quiet zero.
    """
    papers: list[Paper] = []
    skipped: list[str] = []
    for index, record in enumerate(records):
        try:
            papers.append(read(record))
        except ValueError as exc:
            skipped.append(f"{kind} {index}: {exc}")
    if skipped and not papers:
        raise UnreadableResponse(
            source,
            f"none of its {len(skipped)} {kind}s could be read ({skipped[0]}); "
            "has the format changed?",
        )
    return tuple(papers), tuple(skipped)


def iso_datetime(value: object) -> datetime | None:
    """An ISO 8601 timestamp as aware UTC; None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def rfc822_datetime(value: str | None) -> datetime | None:
    """An RSS (RFC 822) date as aware UTC; None when absent or malformed."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def text_field(obj: Mapping[str, object], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def int_field(obj: Mapping[str, object], key: str) -> int | None:
    value = obj.get(key)
    # bool is an int in Python; a flag is never a count.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def mapping_field(obj: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}
