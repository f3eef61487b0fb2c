"""The `/papers` command set, the same on every platform: text (or an adapter's parsed options)
in, a plain `Reply` out, which each adapter renders in its own way (see `HELP` for the syntax).

User text is untrusted: every failure to read it is a `Reply` saying what to fix, never an error
that escapes to the platform.
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Protocol

from bot.cards import card_for
from bot.cycle import CycleReport, FirstPoll, utc_now
from bot.domain import (
    Cadence,
    Card,
    DeliveryKind,
    DeliveryRecord,
    Every,
    FeedKind,
    FeedSpec,
    Outcome,
    Paper,
    Rules,
    SearchQuery,
    Signal,
    Sort,
    Subscription,
    Target,
)
from bot.feeds import SourceHealth, arxiv_categories, parse_feed_spec
from bot.finder import Finder
from bot.ids import parse_arxiv_id
from bot.keywords import KeywordError, parse_keywords
from bot.ports import Ledger, PaperStore, SubscriptionStore, Votes
from bot.reasons import why_line
from bot.related import RelatedPapers
from bot.search import MAX_PAGE, SearchError, build_query
from bot.subscriptions import NOT_LISTED, explain
from bot.syntax import COMMANDS, SOURCES, Command, CommandError, help_text, parse
from bot.taste import Taste
from bot.tastes import Tastes
from bot.threads import ThreadAnswers

HELP = help_text()
PAGE = 5
FIRST_POLL_WAIT = 2.0  # seconds a subscribe reply waits to say what the feed lists already


class Feeds(Protocol):
    """What the commands ask of the running engine (`bot.engine.Engine`)."""

    @property
    def health(self) -> Mapping[FeedSpec, SourceHealth]: ...

    async def start(self, sub: Subscription) -> FirstPoll | None:
        """A new subscription's first poll: how many papers its feed lists already."""
        ...

    async def digest(self, sub: Subscription) -> int: ...

    async def deliver(self, report: CycleReport | None = None) -> CycleReport: ...

    def wake_up(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Context:
    """Who asks, where: the adapter vouches for `can_manage` (its platform's channel-management
    permission)."""

    target: Target
    user: str
    can_manage: bool
    thread: str | None = None  # the card message whose thread this was typed in, if any


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # plain text; untrusted parts verbatim: the adapter escapes for its markup
    cards: tuple[Card, ...] = ()
    private: bool = False  # only the person who asked sees it, where the platform can do that
    error: bool = False


NEEDS_MANAGE = Reply(
    "Changing this channel's subscriptions needs the permission to manage the channel.",
    private=True,
    error=True,
)


def _day(command: Command, name: str) -> date | None:
    if (text := command.text(name)) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name} must be a date like 2026-06-12, not {text!r}") from None


def _cadence(command: Command) -> Cadence:
    every = command.text("every") or "instant"
    try:
        at = time.fromisoformat(command.text("at") or "09:00")
    except ValueError:
        raise CommandError(f"at must be a time like 09:00, not {command.text('at')!r}") from None
    days = [d.lower() for d in calendar.day_name]
    day = (command.text("day") or "monday").lower()
    if day not in days:
        raise CommandError(f"day must be a weekday name like monday, not {day!r}")
    try:
        return Cadence(
            every=Every(every),
            at=at,
            tz=command.text("tz") or "UTC",
            weekday=days.index(day),
            top=command.number("top") or 10,
            compact=bool(command.flag("compact")),
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _why_line(record: DeliveryRecord) -> str:
    head = f"#{record.subscription_id}:"
    if record.kind is DeliveryKind.CARD:
        # "posted", not "posted (posted)": the reason is shown when it says more
        reason = f" ({record.reason})" if record.reason != str(record.outcome) else ""
        when = record.changed or record.decided  # posted when it was posted, not decided
        return f"{head} {record.outcome}{reason}, {when:%Y-%m-%d %H:%M} UTC"
    return f"{head} {record.kind} in the card's thread ({record.topic}): {record.outcome}"


def _categories(text: str | None, feed: FeedSpec) -> list[str]:
    """A subscription's `categories=` rule, checked: arXiv categories, on a feed whose records
    carry them (Hugging Face's lists give none: the rule would turn every paper away)."""
    if text is None:
        return []
    if feed.kind is FeedKind.HF_DAILY:
        raise CommandError(
            "hf-daily's papers come without arXiv categories, so categories= would turn every "
            "one away; use keywords=, or subscribe to arxiv-rss:CATEGORIES"
        )
    try:
        return arxiv_categories(text)
    except ValueError as exc:
        raise CommandError(f"categories: {exc}") from None


def describe(sub: Subscription) -> str:
    rules = sub.rules
    parts = [f"#{sub.id} {sub.feed}"]
    if rules.keywords:
        parts.append(f'keywords="{rules.keywords}"')
    if rules.categories:
        parts.append("categories=" + ",".join(sorted(rules.categories)))
    if rules.authors:
        parts.append(f'authors="{";".join(rules.authors)}"')
    if rules.min_upvotes is not None:
        parts.append(f"min-upvotes={rules.min_upvotes}")
    if rules.daily_cap is not None:
        parts.append(f"cap={rules.daily_cap}")
    if rules.promote:
        parts.append(f"promote={rules.promote}")
    if sub.cadence.every is not Every.INSTANT:
        parts.append(f"({sub.cadence})")
    if sub.paused:
        parts.append(f"({sub.paused})")
    return " ".join(parts)


def describe_taste(taste: Taste) -> str:
    if taste.empty:
        return (
            "This channel has no taste yet. React to cards (👍, ❤️, 🔖 … or 👎), ask in their "
            "threads or `show` papers, and subscribe with promote=N to have the papers most "
            "like what it liked posted as cards, the rest as one list."
        )
    lean = taste.leaning()
    if taste.papers:
        learned = (
            f"Learned from {taste.papers} paper{'s' if taste.papers != 1 else ''} this channel "
            "reacted to, asked about or was shown"
            + (", and its subscriptions' rules." if taste.from_rules else ".")
        )
    else:
        learned = (
            "Started from this channel's subscriptions' rules; nothing reacted to, asked about "
            "or shown yet."
        )
    lines = [learned]
    for label, items in (
        ("Words", lean.words),
        ("Categories", lean.categories),
        ("Authors", lean.authors),
        ("Leans away from", lean.avoided),
    ):
        if items:
            lines.append(f"{label}: {', '.join(items)}")
    lines.append("Forget it all with: taste reset")
    return "\n".join(lines)


@dataclass
class Commands:
    subscriptions: SubscriptionStore
    ledger: Ledger
    papers: PaperStore
    finder: Finder
    engine: Feeds | None = None  # the running engine: first polls, digests on demand
    threads: ThreadAnswers | None = None  # to answer questions, in a card's thread or not
    votes: Votes | None = None  # reactions on cards, for `top`
    tastes: Tastes | None = None  # each channel's taste, for `taste`, `why` and signals
    related_papers: RelatedPapers | None = None  # by meaning where a model is set; else by words
    clock: Callable[[], datetime] = utc_now

    async def handle(self, text: str, ctx: Context) -> Reply:
        """Answer `/papers TEXT` (the text surfaces)."""
        try:
            command = parse(text)
        except CommandError as exc:
            return Reply(str(exc), private=True, error=True)
        return await self.run(command, ctx)

    async def run(self, command: Command, ctx: Context) -> Reply:
        """Answer a command (typed options, from a platform's own or from `parse`)."""
        handler = {
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "resume": self.resume,
            "subscriptions": self.list_subscriptions,
            "why": self.why,
            "show": self.show,
            "related": self.related,
            "search": self.search,
            "digest": self.digest,
            "ask": self.ask,
            "top": self.top,
            "taste": self.taste,
            "help": self.help,
        }[command.name]
        if COMMANDS[command.name].manages and not ctx.can_manage:
            return NEEDS_MANAGE
        try:
            return await handler(command, ctx)
        except (CommandError, KeywordError, SearchError) as exc:
            return Reply(str(exc), private=True, error=True)

    async def help(self, command: Command, ctx: Context) -> Reply:
        return Reply(HELP, private=True)

    async def subscribe(self, command: Command, ctx: Context) -> Reply:
        source = command.text("source")
        if source is None:
            raise CommandError(f"name one source: {SOURCES}")
        try:
            feed = parse_feed_spec(source)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if feed.kind.value == "hf-daily" and feed.arg:
            raise CommandError("subscribe to hf-daily without a date: it follows the newest day")
        keywords = command.text("keywords")
        categories = _categories(command.text("categories"), feed)
        authors = (command.text("authors") or "").split(";")
        rules = Rules(
            keywords=parse_keywords(keywords) if keywords else None,
            categories=frozenset(categories),
            authors=tuple(a.strip() for a in authors if a.strip()),
            min_upvotes=command.number("min-upvotes"),
            upvote_window_days=min(command.number("upvote-window") or 3, 14),
            daily_cap=command.number("cap"),
            catch_up=min(command.number("catch-up") or 0, 20),
            promote=command.number("promote"),
        )
        cadence = _cadence(command)
        sub = await self.subscriptions.add(ctx.target, feed, rules, self.clock(), cadence)
        return Reply(f"Subscribed: {describe(sub)}. {await self._first_poll(sub)}")

    async def _first_poll(self, sub: Subscription) -> str:
        """Read the new subscription's feed now (briefly), so the reply can say what it lists
        already, which is not posted, and that what it lists next will be."""
        found: FirstPoll | None = None
        if self.engine is not None:
            first = asyncio.ensure_future(self.engine.start(sub))
            done, _ = await asyncio.wait([first], timeout=FIRST_POLL_WAIT)
            # Not cancelled when slow: it finishes, and wakes the loop, in the background.
            found = first.result() if done else None
        listed = found.listed if found else None
        if sub.cadence.every is Every.INSTANT:
            later = f"New papers will be posted here as {sub.feed} lists them"
        else:
            later = f"New papers {sub.feed} lists will go into a digest here ({sub.cadence})"
        if listed is None:
            before = f"Papers {sub.feed} lists already are not posted"
        else:
            before = (
                f"{sub.feed} lists {listed} paper{'s' if listed != 1 else ''} already, not posted"
            )
        rules = sub.rules
        picky = rules.keywords or rules.categories or rules.authors or rules.min_upvotes
        # "the top 5" of 3 papers are 3, bar those shown here already, and only those its
        # rules let through come
        top = rules.catch_up if found is None else found.catching_up
        shown_here = found is not None and top < min(rules.catch_up, found.listed)
        if rules.catch_up and top:
            which = f"the top {top}{' not shown here yet' if shown_here else ''}"
            before += f", except {which}{' that meet its rules' if picky else ''}, coming now"
        elif rules.catch_up and shown_here:
            before += ", all shown here already, so nothing to catch up"
        elif rules.catch_up:
            before += ", so nothing to catch up"
        else:
            before += " (subscribe with catch-up=N to have the top N posted now)"
        return f"{later}. {before}."

    async def digest(self, command: Command, ctx: Context) -> Reply:
        subs = [
            s
            for s in await self.subscriptions.for_target(ctx.target)
            if s.cadence.every is not Every.INSTANT and not s.paused
        ]
        if not subs:
            return Reply(
                "This channel has no digest subscriptions; subscribe with every=daily or "
                "every=weekly.",
                private=True,
            )
        if self.engine is None:
            return Reply("Digests are made by the running bot; it is not running here.", error=True)
        released = sum([await self.engine.digest(sub) for sub in subs])
        if not released:
            return Reply(
                "Nothing for a digest: no paper has come since the last one.", private=True
            )
        # The delivery's count would be of every post it made (other channels', a compact
        # digest's one list): the reply counts this digest's papers
        await self.engine.deliver()
        papers = f"{released} paper{'s' if released != 1 else ''}"
        return Reply(f"Digest of {papers} released: posting now.", private=True)

    async def _own(self, command: Command, ctx: Context) -> Subscription:
        """The channel's subscription the command names."""
        wanted = command.number("subscription")
        if wanted is None:
            raise CommandError(f"say which subscription: {command.name} ID (see `subscriptions`)")
        for sub in await self.subscriptions.for_target(ctx.target):
            if sub.id == wanted:
                return sub
        raise CommandError(f"this channel has no subscription #{wanted}")

    async def unsubscribe(self, command: Command, ctx: Context) -> Reply:
        sub = await self._own(command, ctx)
        await self.subscriptions.remove(sub.id)
        return Reply(f"Unsubscribed #{sub.id}.")

    async def resume(self, command: Command, ctx: Context) -> Reply:
        """Resume a subscription paused because the channel was unreachable (once fixed)."""
        sub = await self._own(command, ctx)
        if sub.paused is None:
            return Reply(f"#{sub.id} is not paused.", private=True)
        await self.subscriptions.resume(sub.id)
        if self.engine is not None:
            self.engine.wake_up()
        return Reply(
            f"Resumed #{sub.id}; papers held while it was paused will be posted if still fresh."
        )

    async def list_subscriptions(self, command: Command, ctx: Context) -> Reply:
        subs = await self.subscriptions.for_target(ctx.target)
        if not subs:
            return Reply(
                "This channel has no subscriptions. Try: subscribe hf-daily min-upvotes=10"
            )
        lines = [describe(s) for s in subs]
        health = self.engine.health if self.engine is not None else {}
        for feed in sorted({s.feed for s in subs}, key=str):
            if (state := health.get(feed)) is not None and (said := state.said()):
                lines.append(f"⚠ {feed} {said}")
        return Reply("\n".join(lines))

    async def why(self, command: Command, ctx: Context) -> Reply:
        aid = parse_arxiv_id(command.text("paper") or "")
        if aid is None:
            raise CommandError("say which paper: why ARXIV_ID (an id like 2401.12345 or its URL)")
        records = [r for r in await self.ledger.why(aid.id) if r.target == ctx.target]
        subs = await self.subscriptions.for_target(ctx.target)
        # Its card here may be a removed subscription's (`unsubscribe` keeps what it posted)
        removed = await self.ledger.occupied([aid.id], [], [ctx.target])
        earlier = ["earlier: posted here by a subscription since removed"] if removed else []
        if not subs:
            if earlier:
                return Reply(f"{aid.id}:\n{earlier[0]}")
            return Reply("This channel has no subscriptions.")
        decided = {r.subscription_id for r in records}
        lines = earlier + [_why_line(r) for r in records]
        undecided = [s for s in subs if s.id not in decided]
        paper = await self.papers.get(aid.id)
        if paper is not None:
            lines += await self._because(subs, records, paper)
        listed = await self.ledger.feeds_listing(aid.id) if paper and undecided else {}
        for sub in undecided:
            why = explain(sub, paper, listed.get(str(sub.feed))) if paper else NOT_LISTED
            lines.append(f"#{sub.id}: {why}")
        return Reply(f"{aid.id}:\n" + "\n".join(lines))

    async def _because(
        self, subs: list[Subscription], records: list[DeliveryRecord], paper: Paper
    ) -> list[str]:
        """The line its card carries (or would), for each subscription it was posted by or is
        on its way through."""
        going = {Outcome.POSTED, Outcome.PENDING, Outcome.HELD, Outcome.LISTED}
        ids = {
            r.subscription_id for r in records if r.kind is DeliveryKind.CARD and r.outcome in going
        }
        like, tasted = None, False
        if ids and self.tastes is not None:
            tasted = not (await self.tastes.of(subs[0].target)).empty
            like = await self.tastes.resemblance(subs[0].target, paper)
        return [
            f"#{s.id}: why here: {why_line(s, paper, like, tasted=tasted)}"
            for s in subs
            if s.id in ids
        ]

    async def taste(self, command: Command, ctx: Context) -> Reply:
        """What the channel's reactions, questions and `show`s taught its taste; `reset`
        forgets them (the subscriptions' rules start it again)."""
        if self.tastes is None:
            return Reply("Channel taste is not kept here.", private=True)
        if command.text("action") == "reset":
            if not ctx.can_manage:
                return NEEDS_MANAGE
            await self.tastes.reset(ctx.target)
            return Reply(
                "This channel's taste is reset: what it learned from reactions, questions and "
                "shown papers is forgotten (votes still count for `top`). It learns again from "
                "now on, starting from the subscriptions' keywords, categories and authors."
            )
        return Reply(describe_taste(await self.tastes.of(ctx.target)), private=True)

    async def ask(self, command: Command, ctx: Context) -> Reply:
        aid = parse_arxiv_id(command.text("paper") or "")
        question = (command.text("question") or "").strip()
        in_thread = None
        if aid is None and ctx.thread and self.threads:
            in_thread = await self.threads.paper_of(ctx.target, ctx.thread)
        if (aid is None and in_thread is None) or not question:
            raise CommandError(
                "ask ARXIV_ID QUESTION, e.g. ask 2401.12345 what dataset do they use? "
                "(in a paper's thread: ask QUESTION)"
            )
        if self.threads is None:
            return Reply(
                "Questions are answered by the running bot; it is not running here.", error=True
            )
        if in_thread and ctx.thread:
            answer = await self.threads.answer(ctx.target, ctx.thread, ctx.user, question)
            if answer is not None:
                return Reply(answer)
        arxiv_id = aid.id if aid else in_thread or ""
        page = await self.finder.search(build_query(arxiv_id))
        if not page.hits:
            return Reply(
                f"No paper {arxiv_id} found" + (f" ({page.note})." if page.note else "."),
                error=True,
            )
        answered = await self.threads.about(
            page.hits[0].paper, question, ctx.user, f"{ctx.target}:{arxiv_id}"
        )
        await self.threads.noted(ctx.target, page.hits[0].paper.arxiv_id, Signal.ASKED)
        return Reply(answered.text)

    async def top(self, command: Command, ctx: Context) -> Reply:
        """The channel's most liked papers (reactions on their cards) of the last days."""
        days = min(max(command.number("days") or 7, 1), 365)
        if self.votes is None:
            return Reply("Votes (reactions on cards) are not counted here.")
        ranked = await self.votes.top(ctx.target, self.clock() - timedelta(days=days), PAGE)
        if not ranked:
            return Reply(f"No reactions on this channel's cards in the last {days} days.")
        papers = await self.papers.get_many([arxiv_id for arxiv_id, _ in ranked])
        lines = [f"Most liked in the last {days} days:"] + [
            f"{n}. {(papers[a].title if a in papers else None) or a} (arXiv:{a}) · "
            f"{votes} vote{'s' if votes != 1 else ''}"
            for n, (a, votes) in enumerate(ranked, start=1)
        ]
        return Reply(
            "\n".join(lines), cards=tuple(card_for(papers[a]) for a, _ in ranked if a in papers)
        )

    async def show(self, command: Command, ctx: Context) -> Reply:
        aid = parse_arxiv_id(command.text("paper") or "")
        if aid is None:
            raise CommandError("say which paper: show ARXIV_ID (an id like 2401.12345 or its URL)")
        page = await self.finder.search(build_query(aid.id))
        if not page.hits:
            return Reply(
                f"No paper {aid.id} found" + (f" ({page.note})." if page.note else "."), error=True
            )
        paper = page.hits[0].paper
        if self.tastes is not None and not page.hits[0].live:
            await self.tastes.note(ctx.target, paper.arxiv_id, Signal.SHOWN)
        return Reply("", cards=(card_for(paper),))

    async def related(self, command: Command, ctx: Context) -> Reply:
        """The stored papers closest to one by their words (more like this), the paper itself
        left out; said plainly that it is by words, not meaning."""
        aid = parse_arxiv_id(command.text("paper") or "")
        if aid is None:
            raise CommandError("say which paper: related ARXIV_ID (an id like 2401.12345)")
        found = await self.finder.search(build_query(aid.id))
        if not found.hits:
            return Reply(f"No paper {aid.id} found.", error=True)
        paper = found.hits[0].paper
        page = command.number("page") or 1
        related = self.related_papers or RelatedPapers(self.papers)
        found_related = await related.of(paper, limit=min(page * PAGE, MAX_PAGE))
        hits = found_related.hits[(page - 1) * PAGE : page * PAGE]
        title = paper.title or f"arXiv:{paper.arxiv_id}"
        if not hits:
            return Reply(f"No stored paper shares the telling words of “{title}”.")
        lines = [
            f"Related to “{title}” (arXiv:{paper.arxiv_id}), page {page}, {found_related.how}:"
        ] + [
            f"{n}. {h.paper.title or h.paper.arxiv_id} (arXiv:{h.paper.arxiv_id})"
            for n, h in enumerate(hits, start=(page - 1) * PAGE + 1)
        ]
        return Reply("\n".join(lines), cards=tuple(card_for(h.paper) for h in hits))

    async def _before(self, query: SearchQuery) -> int:
        """How many stored papers match `query` before its page (pages go to 100: at most 495)."""
        return await self.finder.stored(replace(query, offset=0, limit=query.offset))

    async def search(self, command: Command, ctx: Context) -> Reply:
        page = max(1, command.number("page") or 1)
        query = build_query(
            command.text("query") or "",
            since=_day(command, "since"),
            until=_day(command, "until"),
            category=command.text("category"),
            author=command.text("author"),
            sort=Sort(command.text("sort") or "relevance"),
            limit=PAGE,
            offset=(page - 1) * PAGE,
        )
        found = await self.finder.search(query)
        if not found.hits and page > 1 and (before := await self._before(query)):
            # "Next" pressed once too often, or page=9 typed: say where the results end
            last = -(-before // PAGE)
            pages = "page 1" if last == 1 else f"pages 1-{last}"
            papers = f"{before} paper{'s' if before != 1 else ''}"
            return Reply(f"Page {page} is past the end: {papers} on {pages}.")
        if not found.hits:
            return Reply("No papers found." + (f" ({found.note})" if found.note else ""))
        lines = [f"Page {page}:"] + [
            f"{n}. {h.paper.title or h.paper.arxiv_id} (arXiv:{h.paper.arxiv_id})"
            + (" · live from Hugging Face" if h.live else "")
            for n, h in enumerate(found.hits, start=(page - 1) * PAGE + 1)
        ]
        if found.note:
            lines.append(f"({found.note})")
        return Reply("\n".join(lines), cards=tuple(card_for(h.paper) for h in found.hits))
