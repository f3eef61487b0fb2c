"""Delivery: what was decided goes out, exactly once across crashes.

The decision is recorded before anything is sent; a worker takes a lease on the row before
posting with the row's idempotency key; the result is recorded after. If the worker dies in
between, the lease runs out, another worker takes the row as `recovering` and first asks the
platform whether a message with that key already exists.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.cards import card_for
from bot.cycle import CycleReport, utc_now
from bot.domain import Card, Claim, DeliveryKind, Outcome, Paper, Subscription, Target
from bot.ports import (
    Outbox,
    PaperStore,
    Publisher,
    Rejected,
    RetryLater,
    SubscriptionStore,
    TargetGone,
    Tldrs,
)
from bot.reasons import why_line
from bot.subscriptions import STALE_AFTER, stale
from bot.tastes import Tastes
from bot.throttle import Throttle

log = logging.getLogger(__name__)

TLDRS_AT_ONCE = 4  # model requests for cards' TL;DRs in flight at once


class NotSendable(Exception):
    """This delivery cannot be made: recorded with `outcome` (stale, failed), not retried."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome


@dataclass
class Deliverer:
    outbox: Outbox
    papers: PaperStore
    subscriptions: SubscriptionStore  # a channel gone pauses its subscriptions
    publishers: Mapping[str, Publisher]  # by platform name
    clock: Callable[[], datetime] = utc_now
    # What a worker holds is renewed while it works, so a crashed worker's deliveries wait
    # about a lease, not a whole batch's delivery time; small batches let every process help.
    lease: timedelta = timedelta(minutes=1)
    batch: int = 100
    max_attempts: int = 12  # then a post is recorded failed, never retried forever
    monotonic: Callable[[], float] = time.monotonic  # for pacing
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    tldrs: Tldrs | None = None  # a model-written TL;DR per paper, for cards that have none
    # Told of each card posted (the answerer fetches its full text ahead of questions).
    on_card: Callable[[Paper], None] | None = None
    tastes: Tastes | None = None  # what a card resembles among the papers its channel liked
    # The subscriptions, read once per batch (each card's line says what of its rules it met).
    subscriptions_now: Callable[[], Awaitable[list[Subscription]]] | None = None
    _throttles: dict[str, Throttle] = field(default_factory=dict)
    _subs: dict[int, Subscription] = field(default_factory=dict)

    async def deliver(
        self,
        report: CycleReport,
        refill: Callable[[CycleReport], Awaitable[int]] | None = None,
    ) -> CycleReport:
        """Post what is due. `refill`: when the outbox runs dry, decide more (the backlog) and
        go on while it finds some."""
        for _ in range(10_000):  # a bound, not a plan: each pass leaves rows posted or deferred
            claims = await self.outbox.claim(
                self.clock(), self.lease, self.batch, list(self.publishers)
            )
            if not claims:
                try:
                    if refill is not None and await refill(report):
                        continue
                except Exception:  # the database away, say: the next cycle decides them
                    log.exception("deciding the backlog failed")
                break
            working = {claim.delivery_id: claim for claim in claims}
            if self.subscriptions_now is not None:
                self._subs = {s.id: s for s in await self.subscriptions_now()}
            renewing = asyncio.create_task(self._renew(working))
            try:
                await self._write_tldrs(claims)
                by_target: dict[Target, list[Claim]] = defaultdict(list)
                for claim in claims:
                    by_target[claim.target].append(claim)
                # Channels in parallel, each channel's posts in order, all within the limits.
                async with asyncio.TaskGroup() as group:
                    for target_claims in by_target.values():
                        group.create_task(self._deliver_in_order(target_claims, working, report))
            finally:
                renewing.cancel()
        return report

    async def _renew(self, working: dict[int, Claim]) -> None:
        """Keep the lease on what this worker is still delivering (pacing can take minutes)."""
        every = self.lease.total_seconds() / 3
        while working:
            await asyncio.sleep(every)  # real time: the lease guards against real crashes
            try:
                await self.outbox.renew(list(working.values()), self.clock() + self.lease)
            except Exception:  # the next renewal may get through; a lost lease is recovered
                log.exception("renewing delivery leases failed")

    async def _write_tldrs(self, claims: list[Claim]) -> None:
        """The cards' TL;DRs, written before posting and a few at once, so that no channel waits
        on them one by one (each is then read from the store)."""
        if self.tldrs is None:
            return
        tldrs = self.tldrs
        ids = {c.arxiv_id for c in claims if c.kind is DeliveryKind.CARD and c.arxiv_id}
        papers = await self.papers.get_many(sorted(ids))
        gate = asyncio.Semaphore(TLDRS_AT_ONCE)

        async def write(paper: Paper) -> None:
            async with gate:
                try:
                    await tldrs.for_paper(paper)
                except Exception:  # the card goes out without one
                    log.exception("no TL;DR for %s", paper.arxiv_id)

        async with asyncio.TaskGroup() as group:
            for paper in papers.values():
                group.create_task(write(paper))

    async def _deliver_in_order(
        self, claims: list[Claim], working: dict[int, Claim], report: CycleReport
    ) -> None:
        for claim in claims:
            try:
                await self._deliver(claim, report)
                working.pop(claim.delivery_id, None)
            except Exception:
                working.pop(claim.delivery_id, None)
                # A fault nobody foresaw (the database away mid-way, say): the rest go on. This
                # one keeps its lease; when it runs out the delivery is taken again as one that
                # may have been posted, and `find` checks before anything is posted twice.
                log.exception("delivery %s to %s failed", claim.delivery_id, claim.target)
                report.deferred += 1

    def _throttle(self, platform: str, publisher: Publisher) -> Throttle:
        if platform not in self._throttles:
            self._throttles[platform] = Throttle(publisher.limits, self.monotonic, self.sleep)
        return self._throttles[platform]

    async def _deliver(self, claim: Claim, report: CycleReport) -> None:
        now = self.clock()
        publisher = self.publishers[claim.target.platform]  # claimed for these platforms only
        throttle = self._throttle(claim.target.platform, publisher)

        async def post() -> tuple[str, str]:
            """The message id and the ledger's reason, once posted (or found posted)."""
            if claim.recovering:
                # A reply is looked for in its card's thread, a card or digest in the channel.
                thread = None
                if claim.kind is DeliveryKind.UPDATE and claim.arxiv_id:
                    thread = await self.outbox.card_message(claim.subscription_id, claim.arxiv_id)
                await throttle.wait(claim.target)
                existing = await publisher.find(claim.target, claim.key, thread)
                if existing is not None:
                    return existing, "posted (confirmed after a restart)"
            send = await self._sender(claim, publisher)
            await throttle.wait(claim.target)
            return await send(), "posted"

        try:
            message_id, reason = await post()
        except NotSendable as exc:
            report.failed += exc.outcome is Outcome.FAILED
            await self.outbox.finish(claim, exc.outcome, str(exc), None, now)
        except RetryLater as exc:
            if claim.attempts >= self.max_attempts:
                report.failed += 1
                reason = f"gave up after {claim.attempts} attempts: {exc}"
                await self.outbox.finish(claim, Outcome.FAILED, reason, None, now)
                return
            report.deferred += 1
            report.rate_limited += exc.retry_after is not None  # the platform said when
            wait = exc.retry_after
            if wait is None:  # a fault, not a rate limit: back off 5 s, 10 s, 20 s ... 10 min
                wait = min(600.0, 5.0 * 2 ** (claim.attempts - 1))
            await self.outbox.retry_at(claim, now + timedelta(seconds=wait), f"retrying: {exc}")
        except TargetGone as exc:
            report.deferred += 1
            for sub in await self.subscriptions.for_target(claim.target):
                await self.subscriptions.pause(sub.id, f"paused: {exc}")
            await self.outbox.retry_at(claim, now, f"waiting: {exc}")
        except Rejected as exc:
            report.failed += 1
            log.error("post %s to %s rejected: %s", claim.delivery_id, claim.target, exc)
            await self.outbox.finish(claim, Outcome.FAILED, f"rejected: {exc}", None, now)
        else:
            report.posted += 1
            await self.outbox.finish(claim, Outcome.POSTED, reason, message_id, self.clock())

    async def _sender(self, claim: Claim, publisher: Publisher) -> Callable[[], Awaitable[str]]:
        """How to send this delivery (a card, a reply in its thread, a digest's list); raises
        NotSendable when it cannot be."""
        if claim.kind is DeliveryKind.DIGEST:
            return lambda: publisher.post_text(claim.target, claim.text, claim.key)
        if claim.arxiv_id is None:
            raise NotSendable(Outcome.FAILED, "no paper named")
        if claim.kind is DeliveryKind.UPDATE:
            parent = await self.outbox.card_message(claim.subscription_id, claim.arxiv_id)
            if parent is None:
                raise NotSendable(Outcome.FAILED, "the card's message is unknown")
            return lambda: publisher.reply(claim.target, parent, claim.text, claim.key)
        paper = await self.papers.get(claim.arxiv_id)
        if paper is None:
            raise NotSendable(Outcome.FAILED, "paper missing from the store")
        if stale(paper, self.clock()):
            reason = f"went stale waiting (older than {STALE_AFTER.days} days)"
            raise NotSendable(Outcome.STALE, reason)
        card = await self._card(paper, claim)

        async def send_card() -> str:
            message_id = await publisher.post(claim.target, card, claim.key)
            if self.on_card is not None:
                self.on_card(paper)
            return message_id

        return send_card

    async def _card(self, paper: Paper, claim: Claim) -> Card:
        """The paper's card, with the model's TL;DR where one was written and the line saying
        why it is in this channel."""
        written = await self.tldrs.for_paper(paper) if self.tldrs is not None else None
        return replace(card_for(paper, tldr=written), why=await self._why(paper, claim))

    async def _why(self, paper: Paper, claim: Claim) -> str | None:
        sub = self._subs.get(claim.subscription_id)
        if sub is None:
            subs = await self.subscriptions.for_target(claim.target)
            sub = next((s for s in subs if s.id == claim.subscription_id), None)
        if sub is None:
            return None
        like, tasted = None, False
        if self.tastes is not None:
            try:
                tasted = not (await self.tastes.of(claim.target)).empty
                like = await self.tastes.resemblance(claim.target, paper)
            except Exception:  # the card goes out with the rules' reason alone
                log.exception("no taste for %s", claim.target)
        return why_line(sub, paper, like, tasted=tasted)
