"""The `/papers` command set, the same on every platform: text (or an adapter's parsed options)
in, a plain `Reply` out, which each adapter renders in its own way (see `HELP` for the syntax).

User text is untrusted: every failure to read it is a `Reply` saying what to fix, never an error
that escapes to the platform.
"""

from __future__ import annotations

import asyncio
import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.cards import card_for
from bot.domain import Cadence, Card, DeliveryRecord, Every, Rules, Sort, Subscription, Target
from bot.engine import Engine, utc_now
from bot.feeds import parse_feed_spec
from bot.finder import Finder
from bot.ids import parse_arxiv_id
from bot.keywords import KeywordError, parse_keywords
from bot.ports import Ledger, PaperStore, SubscriptionStore, Votes
from bot.search import SearchError, build_query
from bot.subscriptions import NOT_LISTED, explain
from bot.text import whole_number
from bot.threads import ThreadAnswers

HELP = """/papers commands:
  subscribe SOURCE [keywords="a AND (b OR c) NOT d"] [categories=cs.LG,cs.CL]
            [authors="Ada Lovelace;Alan Turing"] [min-upvotes=N [upvote-window=DAYS]]
            [cap=N per day] [catch-up=N]
            [every=instant|daily|weekly] [at=09:00] [tz=Europe/Berlin] [day=monday] [top=10]
            [compact=yes: the digest as one list]
      SOURCE: hf-daily, arxiv-rss:cs.LG+cs.CL or arxiv-query:QUERY
  unsubscribe ID     resume ID     subscriptions     why ARXIV_ID     show ARXIV_ID
  digest     top [days=7]     help
  ask [ARXIV_ID] QUESTION   (in a paper's thread the paper is known: ask QUESTION)
  search WORDS [since=YYYY-MM-DD] [until=YYYY-MM-DD] [category=cs.LG] [author=NAME]
               [sort=relevance|recent|upvotes] [page=N]"""
PAGE = 5
FIRST_POLL_WAIT = 2.0  # seconds a subscribe reply waits to say what the feed lists already


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


_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
# A word, with any "quoted part" in it kept whole: `keywords="a AND b"`, `"large language models"`,
# and an option's 'single-quoted' value (elsewhere a single quote is an apostrophe).
_TOKEN = re.compile(r"""[\w-]+='[^']*'|(?:[^\s"]*"[^"]*"[^\s"]*)+|\S+""")


def split_words(text: str) -> list[str]:
    """`/papers` text as words. Quoted parts stay whole, with their quotes (a search keeps its
    phrases); curly quotes count; a lone quote or apostrophe is just a character, never an
    error (unlike shell quoting, which would pair "Bayes' rule" with "Hoeffding's")."""
    return _TOKEN.findall(text.translate(_CURLY))


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


class CommandError(ValueError):
    """Bad input to a command; the message is for the person who typed it."""


def _options(
    tokens: list[str], allowed: set[str], *, strict: bool
) -> tuple[list[str], dict[str, str]]:
    """Split `name=value` options from words. `strict`: an unknown name is an error (a
    subscription must not silently ignore a misspelt rule); otherwise it is just a word."""
    words: list[str] = []
    options: dict[str, str] = {}
    for token in tokens:
        name, sep, value = token.partition("=")
        if sep and name.lower() in allowed:
            options[name.lower()] = _unquoted(value)
        elif sep and strict:
            raise CommandError(f"unknown option {name!r}; options: {', '.join(sorted(allowed))}")
        else:
            words.append(token)
    return words, options


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _number(options: dict[str, str], name: str) -> int | None:
    if name not in options:
        return None
    value = whole_number(options[name])
    if value is None:
        raise CommandError(f"{name} must be a whole number, not {options[name]!r}")
    return value


def _day(options: dict[str, str], name: str) -> date | None:
    if name not in options:
        return None
    try:
        return date.fromisoformat(options[name])
    except ValueError:
        raise CommandError(
            f"{name} must be a date like 2026-06-12, not {options[name]!r}"
        ) from None


def _cadence(options: dict[str, str]) -> Cadence:
    every = options.get("every", "instant").lower()
    if every not in {e.value for e in Every}:
        raise CommandError("every must be instant, daily or weekly")
    try:
        at = time.fromisoformat(options.get("at", "09:00"))
    except ValueError:
        raise CommandError(f"at must be a time like 09:00, not {options['at']!r}") from None
    days = [d.lower() for d in calendar.day_name]
    day = options.get("day", "monday").lower()
    if day not in days:
        raise CommandError(f"day must be a weekday name like monday, not {day!r}")
    try:
        return Cadence(
            every=Every(every),
            at=at,
            tz=options.get("tz", "UTC"),
            weekday=days.index(day),
            top=_number(options, "top") or 10,
            compact=options.get("compact", "no").lower() in ("yes", "true", "1"),
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _why_line(record: DeliveryRecord) -> str:
    head = f"#{record.subscription_id}:"
    if record.kind == "card":
        return f"{head} {record.outcome} ({record.reason}), {record.decided:%Y-%m-%d %H:%M} UTC"
    return f"{head} thread {record.kind.removeprefix('update:')} {record.outcome}: {record.reason}"


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
    if sub.cadence.every is not Every.INSTANT:
        parts.append(f"({sub.cadence})")
    if sub.paused:
        parts.append(f"({sub.paused})")
    return " ".join(parts)


@dataclass
class Commands:
    subscriptions: SubscriptionStore
    ledger: Ledger
    papers: PaperStore
    finder: Finder
    engine: Engine | None = None  # to post a digest on demand
    threads: ThreadAnswers | None = None  # to answer questions, in a card's thread or not
    votes: Votes | None = None  # reactions on cards, for `top`
    clock: Callable[[], datetime] = utc_now

    async def handle(self, text: str, ctx: Context) -> Reply:
        """Answer `/papers TEXT`."""
        return await self.run(split_words(text), ctx)

    async def run(self, tokens: list[str], ctx: Context) -> Reply:
        """Answer a command already split into words (an adapter's parsed options)."""
        if not tokens:
            return Reply(HELP, private=True)
        if any(_CONTROL.search(token) for token in tokens):
            # Some databases refuse a NUL outright, and no person means one.
            return Reply(
                "That command has a control character in it (such as NUL); type it again without.",
                private=True,
                error=True,
            )
        name, args = tokens[0].lower(), tokens[1:]
        handler = {
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "resume": self.resume,
            "subscriptions": self.list_subscriptions,
            "why": self.why,
            "show": self.show,
            "search": self.search,
            "digest": self.digest,
            "ask": self.ask,
            "top": self.top,
            "help": self.help,
        }.get(name)
        if handler is None:
            return Reply(f"Unknown command {name[:40]!r}.\n{HELP}", private=True, error=True)
        try:
            return await handler(args, ctx)
        except (CommandError, KeywordError, SearchError) as exc:
            return Reply(str(exc), private=True, error=True)

    async def help(self, args: list[str], ctx: Context) -> Reply:
        return Reply(HELP, private=True)

    async def subscribe(self, args: list[str], ctx: Context) -> Reply:
        if not ctx.can_manage:
            return NEEDS_MANAGE
        allowed = {
            "compact",
            "keywords",
            "categories",
            "authors",
            "min-upvotes",
            "upvote-window",
            "cap",
            "catch-up",
            "every",
            "at",
            "tz",
            "day",
            "top",
        }
        words, options = _options(args, allowed, strict=True)
        if len(words) != 1:
            raise CommandError(
                "name one source: hf-daily, arxiv-rss:cs.LG+cs.CL or arxiv-query:QUERY"
            )
        try:
            feed = parse_feed_spec(words[0])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if feed.kind.value == "hf-daily" and feed.arg:
            raise CommandError("subscribe to hf-daily without a date: it follows the newest day")
        rules = Rules(
            keywords=parse_keywords(options["keywords"]) if options.get("keywords") else None,
            categories=frozenset(
                c for c in options.get("categories", "").replace("+", ",").split(",") if c
            ),
            authors=tuple(a.strip() for a in options.get("authors", "").split(";") if a.strip()),
            min_upvotes=_number(options, "min-upvotes"),
            upvote_window_days=min(_number(options, "upvote-window") or 3, 14),
            daily_cap=_number(options, "cap"),
            catch_up=min(_number(options, "catch-up") or 0, 20),
        )
        cadence = _cadence(options)
        sub = await self.subscriptions.add(ctx.target, feed, rules, self.clock(), cadence)
        return Reply(f"Subscribed: {describe(sub)}. {await self._first_poll(sub)}")

    async def _first_poll(self, sub: Subscription) -> str:
        """Read the new subscription's feed now (briefly), so the reply can say what it lists
        already, which is not posted, and that what it lists next will be."""
        listed: int | None = None
        if self.engine is not None:
            first = asyncio.ensure_future(self.engine.start(sub))
            done, _ = await asyncio.wait([first], timeout=FIRST_POLL_WAIT)
            # Not cancelled when slow: it finishes, and wakes the loop, in the background.
            listed = first.result() if done else None
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
        if sub.rules.catch_up:
            before += f", except the top {sub.rules.catch_up}, coming now"
        else:
            before += " (subscribe with catch-up=N to have the top N posted now)"
        return f"{later}. {before}."

    async def digest(self, args: list[str], ctx: Context) -> Reply:
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
        report = await self.engine.deliver()
        return Reply(f"Digest posted: {report.posted} of {released} papers.", private=True)

    async def _own(self, args: list[str], ctx: Context, verb: str) -> Subscription:
        """The channel's subscription named by `ID` or `#ID` in `args`."""
        wanted = whole_number(args[0].lstrip("#"), 2**62) if len(args) == 1 else None
        if wanted is None:
            raise CommandError(f"say which subscription: {verb} ID (see `subscriptions`)")
        for sub in await self.subscriptions.for_target(ctx.target):
            if sub.id == wanted:
                return sub
        raise CommandError(f"this channel has no subscription #{wanted}")

    async def unsubscribe(self, args: list[str], ctx: Context) -> Reply:
        if not ctx.can_manage:
            return NEEDS_MANAGE
        sub = await self._own(args, ctx, "unsubscribe")
        await self.subscriptions.remove(sub.id)
        return Reply(f"Unsubscribed #{sub.id}.")

    async def resume(self, args: list[str], ctx: Context) -> Reply:
        """Resume a subscription paused because the channel was unreachable (once fixed)."""
        if not ctx.can_manage:
            return NEEDS_MANAGE
        sub = await self._own(args, ctx, "resume")
        if sub.paused is None:
            return Reply(f"#{sub.id} is not paused.", private=True)
        await self.subscriptions.resume(sub.id)
        if self.engine is not None:
            self.engine.wake.set()
        return Reply(
            f"Resumed #{sub.id}; papers held while it was paused will be posted if still fresh."
        )

    async def list_subscriptions(self, args: list[str], ctx: Context) -> Reply:
        subs = await self.subscriptions.for_target(ctx.target)
        if not subs:
            return Reply(
                "This channel has no subscriptions. Try: subscribe hf-daily min-upvotes=10"
            )
        lines = [describe(s) for s in subs]
        health = self.engine.poller.health if self.engine is not None else {}
        for feed in sorted({s.feed for s in subs}, key=str):
            if (state := health.get(feed)) is not None and (said := state.said()):
                lines.append(f"⚠ {feed} {said}")
        return Reply("\n".join(lines))

    async def why(self, args: list[str], ctx: Context) -> Reply:
        aid = parse_arxiv_id(args[0]) if len(args) == 1 else None
        if aid is None:
            raise CommandError("say which paper: why ARXIV_ID (an id like 2401.12345 or its URL)")
        records = [r for r in await self.ledger.why(aid.id) if r.target == ctx.target]
        subs = await self.subscriptions.for_target(ctx.target)
        if not subs:
            return Reply("This channel has no subscriptions.")
        decided = {r.subscription_id for r in records}
        lines = [_why_line(r) for r in records]
        undecided = [s for s in subs if s.id not in decided]
        paper = await self.papers.get(aid.id) if undecided else None
        listed = await self.ledger.feeds_listing(aid.id) if paper else {}
        for sub in undecided:
            why = explain(sub, paper, listed.get(str(sub.feed))) if paper else NOT_LISTED
            lines.append(f"#{sub.id}: {why}")
        return Reply(f"{aid.id}:\n" + "\n".join(lines))

    async def ask(self, args: list[str], ctx: Context) -> Reply:
        aid = parse_arxiv_id(args[0]) if args else None
        question = " ".join(args[1:] if aid else args).strip()
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
        return Reply(answered.text)

    async def top(self, args: list[str], ctx: Context) -> Reply:
        """The channel's most liked papers (reactions on their cards) of the last days."""
        _, options = _options(args, {"days"}, strict=True)
        days = min(max(_number(options, "days") or 7, 1), 365)
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

    async def show(self, args: list[str], ctx: Context) -> Reply:
        aid = parse_arxiv_id(args[0]) if len(args) == 1 else None
        if aid is None:
            raise CommandError("say which paper: show ARXIV_ID (an id like 2401.12345 or its URL)")
        page = await self.finder.search(build_query(aid.id))
        if not page.hits:
            return Reply(
                f"No paper {aid.id} found" + (f" ({page.note})." if page.note else "."), error=True
            )
        return Reply("", cards=(card_for(page.hits[0].paper),))

    async def search(self, args: list[str], ctx: Context) -> Reply:
        allowed = {"since", "until", "category", "author", "sort", "page"}
        words, options = _options(args, allowed, strict=False)
        sort = options.get("sort", "relevance")
        if sort not in {s.value for s in Sort}:
            raise CommandError("sort must be relevance, recent or upvotes")
        page = max(1, _number(options, "page") or 1)
        query = build_query(
            " ".join(words),
            since=_day(options, "since"),
            until=_day(options, "until"),
            category=options.get("category"),
            author=options.get("author"),
            sort=Sort(sort),
            limit=PAGE,
            offset=(page - 1) * PAGE,
        )
        found = await self.finder.search(query)
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
