"""`studio.batches`: a product feed made into videos, one per row (or one per format asked for), with one quote
and one confirmation.

A quote reads the feed, says for each row why it cannot be made or checks it as a video request would be
checked (its images fetched and checked as every reference is) and prices it; nothing of a bad row is kept but
its reason. The confirmation reserves the whole price against the budgets, then writes every job in one
transaction with the batch's start, so a batch survives restarts like any job (its jobs run on the job queue);
Stop cancels what has not finished. Its videos land in the library as one set."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

from campaign.errors import InvalidRequest, ModelUnavailable, ReferenceRejected
from campaign.models import ACTIVE, Batch, BatchRow, BatchStatus, Job, JobStatus, new_id
from campaign.people import Actor
from campaign.store import Store
from tools.batches import BatchOptions, FeedRow, Item
from tools.batches.feed import read_feed, read_feed_file, rows_of
from tools.batches.rows import request_for, row_problem
from tools.batches.views import BatchProgress, BatchView
from tools.brief import get_template
from tools.jobs.events import EventBus, JobEvent
from tools.jobs.submit import Submissions
from tools.studio.jobs import may_change

ROW_ERRORS = (InvalidRequest, ReferenceRejected, ModelUnavailable)  # what makes a row one that cannot be made
PREPARED_AT_ONCE = 8  # rows checked together (their images fetched meanwhile)
MAX_FORMATS = 4
WAIT_RECHECK_S = 2.0


class Batches:
    """The team's batches; confirming or stopping one is for the person who asked for it, or an admin."""

    def __init__(self, store: Store, submissions: Submissions, bus: EventBus) -> None:
        self.store = store
        self.submissions = submissions
        self.bus = bus

    async def quote_file(self, actor: Actor, data: bytes, name: str, options: BatchOptions, *,
                         origin: str = "") -> BatchView:  # fmt: skip
        """Quote a feed file's rows (CSV, TSV, XLSX, Merchant RSS/XML) called `name`; images must be URLs.
        Raises TooLarge or InvalidRequest for a file that is too big, no feed, or has more than MAX_ROWS rows, and
        InvalidRequest for options no row could be made with (an unknown model, a length it does not make)."""
        rows = await asyncio.to_thread(read_feed, data, name)  # a big sheet is CPU: off the event loop
        return await self._quote(actor, rows, options, source=name, origin=origin, base=None)

    async def quote_upload(self, actor: Actor, path: Path, name: str, options: BatchOptions, *,
                           origin: str = "") -> BatchView:  # fmt: skip
        """Quote a feed a person uploaded (kept at `path`, called `name`), refused by its size before it is read;
        its images must be URLs, as `quote_file`'s."""
        rows = await asyncio.to_thread(read_feed_file, path, name)
        return await self._quote(actor, rows, options, source=name, origin=origin, base=None)

    async def quote_path(self, actor: Actor, path: Path, options: BatchOptions, *, origin: str = "cli") -> BatchView:
        """Quote a feed file on this machine (the CLI): an image may also be a path, relative to the file."""
        rows = await asyncio.to_thread(read_feed_file, path)
        return await self._quote(actor, rows, options, source=path.name, origin=origin, base=path.parent)

    async def quote_rows(self, actor: Actor, rows: list[dict[str, Any]], options: BatchOptions, *,
                         origin: str = "") -> BatchView:  # fmt: skip
        """Quote rows sent as JSON objects, with a feed's column names (the API)."""
        return await self._quote(actor, rows_of(rows), options, source="rows", origin=origin, base=None)

    async def _quote(self, actor: Actor, feed: list[FeedRow], options: BatchOptions, *, source: str, origin: str,
                     base: Path | None) -> BatchView:  # fmt: skip
        self._check(options, len(feed))
        campaign = await self.store.campaign(actor.team_id, options.campaign, create=True)
        batch = Batch(id=new_id(), team_id=actor.team_id, campaign_id=campaign.id, set_id=new_id(),
                      status=BatchStatus.quoted, source=source[:200], options=options.model_dump(mode="json"),
                      origin=origin[:80], created_by=actor.user_id, delivered=False)  # fmt: skip
        at_once = asyncio.Semaphore(PREPARED_AT_ONCE)

        async def checked(row: FeedRow) -> BatchRow:
            async with at_once:
                return await self._row(actor, batch, row, options, base)

        rows = await asyncio.gather(*(checked(r) for r in feed))
        batch.estimated_cost_usd = round(sum(i["estimated_cost_usd"] for r in rows for i in r.items), 4)
        await self.store.add_batch(batch, rows)
        return await self._view(actor, batch)

    def _check(self, options: BatchOptions, count: int) -> None:
        """What no row could be made with, refused once for the whole batch."""
        if not count:  # (more than MAX_ROWS are refused as the feed is read)
            raise InvalidRequest("The feed has no rows.", hint="Add a row per product under the column names.")
        if len(options.aspects) > MAX_FORMATS:
            raise InvalidRequest(f"Ask for at most {MAX_FORMATS} formats per row.")
        get_template(options.template)
        for aspect in _formats(options):
            self.submissions.catalog.resolve(options.model, duration_s=options.duration_s, aspect=aspect,
                                             fallback=True)  # fmt: skip

    async def _row(self, actor: Actor, batch: Batch, row: FeedRow, options: BatchOptions,
                   base: Path | None) -> BatchRow:  # fmt: skip
        """The row checked and priced: its videos' requests prepared (its images taken in once, for every
        format), or the reason it cannot be made."""
        kept = BatchRow(batch_id=batch.id, number=row.number, fields=row.model_dump(mode="json"), items=[])
        if problem := row_problem(row, paths=base is not None, base=base):
            kept.problem = problem
            return kept
        catalog = self.submissions.catalog
        items: list[Item] = []
        references: list[str] | None = None
        try:
            for aspect in _formats(options):
                request = request_for(row, options, aspect, base, max_images=catalog.get(options.model).max_references,
                                      model_names=catalog.names())  # fmt: skip
                if references is not None:  # taken in for the first format already
                    request = request.model_copy(update={"references": references})
                ready = await self.submissions.prepare(actor, request, confirmed=True, allow_paths=base is not None,
                                                       set_id=batch.set_id, batch_id=batch.id)  # fmt: skip
                references = [r.key for r in ready.spec.references]
                items.append(Item(aspect=ready.spec.aspect, model=ready.spec.model,
                                  spec=ready.spec.model_dump(mode="json"), estimated_cost_usd=ready.estimate,
                                  notice=ready.notice))  # fmt: skip
        except ROW_ERRORS as error:  # the row's own fault; storage or the database down fails the whole quote
            kept.problem = str(error)
            return kept
        kept.items = [i.model_dump(mode="json") for i in items]
        return kept

    async def confirm(self, actor: Actor, batch_id: str) -> BatchView:
        """Start every video of a quoted batch at once, its price reserved against the budgets first (OverBudget,
        and nothing is written, when it would pass one). A second confirmation changes nothing."""
        batch = await self._owned(actor, batch_id, "confirm")
        if batch.status != BatchStatus.quoted:
            return await self._view(actor, batch)
        rows = [r for r in await self.store.batch_rows(batch.id, batch.team_id) if r.items]
        if not rows:
            raise InvalidRequest("No row of this batch can be made, so there is nothing to start.",
                                 hint="Mend the rows named and send the file again.")  # fmt: skip
        grace = self.submissions.grace()
        jobs: list[Job] = []
        items: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            made = [Item.model_validate(i) for i in row.items]
            for item in made:
                item.job_id = new_id()
                jobs.append(Job(id=item.job_id, campaign_id=batch.campaign_id, status=JobStatus.queued,
                                spec=item.spec, model=item.model, estimated_cost_usd=item.estimated_cost_usd,
                                origin=batch.origin, submitted_by=batch.created_by,
                                confirmed_by=actor.user_id if item.estimated_cost_usd > 0 else None,
                                notice=item.notice, lease_until=grace, batch_id=batch.id))  # fmt: skip
            items[row.number] = [i.model_dump(mode="json") for i in made]
        paid = {j.id: j.estimated_cost_usd for j in jobs if j.estimated_cost_usd > 0}
        if paid:
            await self.store.reserve(actor.team_id, batch.created_by, paid, batch_id=batch.id)
        try:
            started = await self.store.start_batch(batch, jobs, items, actor.user_id)
        except BaseException:  # nothing was written: nothing stays reserved
            await self.store.unreserve(paid)
            raise
        if not started:  # confirmed or stopped meanwhile
            await self.store.unreserve(paid)
            return await self.get(actor, batch_id)
        for job in jobs:
            await self.submissions.start(job, "Queued with its batch.")
        return await self.get(actor, batch_id)

    async def cancel(self, actor: Actor, batch_id: str) -> BatchView:
        """Withdraw a quoted batch, or stop a started one: its videos not finished are canceled wherever they run
        (those ready stay in the library). A batch that has ended is left as it is."""
        batch = await self._owned(actor, batch_id, "stop")
        canceled = {"status": BatchStatus.canceled, "canceled_by": actor.user_id}
        if await self.store.update_batch(batch.id, batch.team_id, [BatchStatus.quoted], **canceled):
            return await self.get(actor, batch_id)  # withdrawn before it started: it has no jobs
        # Started (a confirmation may have won the race just now): its jobs are read only after that is settled.
        pending = [j for j in await self.store.batch_jobs(batch.id, batch.team_id) if j.status in ACTIVE]
        if pending and await self.store.update_batch(batch.id, batch.team_id, [BatchStatus.started], **canceled):
            for job in pending:
                await self.submissions.cancel(job.id, by=actor.user_id)
        return await self.get(actor, batch_id)

    async def get(self, actor: Actor, batch_id: str) -> BatchView:
        return await self._view(actor, await self.store.batch(batch_id, actor.team_id))

    async def progress(self, actor: Actor, batch_id: str) -> BatchProgress:
        """How far a batch is, from its jobs' counts alone (what a progress line re-reads)."""
        batch = await self.store.batch(batch_id, actor.team_id)
        counts = await self.store.batch_counts(batch.id, batch.team_id)
        if batch.status == BatchStatus.quoted:  # no jobs yet: its videos are its rows' items
            counts = {"quoted": sum(len(r.items) for r in await self.store.batch_rows(batch.id, batch.team_id))}
        return BatchProgress.counted(batch, counts)

    async def list(self, actor: Actor, limit: int = 20) -> list[BatchView]:
        """The team's batches, newest first."""
        return [await self._view(actor, b) for b in await self.store.batches(actor.team_id, limit=limit)]

    async def wait(self, actor: Actor, batch_id: str) -> BatchView:
        """Wait until a started batch has no video queued or running, and return it."""
        changed = asyncio.Event()

        async def listener(event: JobEvent) -> None:
            if event.batch_id == batch_id and event.kind != "progress":
                changed.set()

        unsubscribe = self.bus.subscribe(listener)
        try:
            while (await self.progress(actor, batch_id)).status == "running":
                changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), WAIT_RECHECK_S)
            return await self.get(actor, batch_id)
        finally:
            unsubscribe()

    async def undelivered(self, actor: Actor, origin_prefix: str, limit: int = 20) -> builtins.list[BatchView]:
        """The actor's batches from these origins whose end no live chat has shown them yet, oldest first."""
        found = await self.store.batches(actor.team_id, origin_prefix=origin_prefix, created_by=actor.user_id,
                                         delivered=False, limit=limit)  # fmt: skip
        return [await self._view(actor, b) for b in reversed(found)]

    async def mark_delivered(self, actor: Actor, batch_id: str) -> None:
        """Record that the actor's chat showed how the batch ended (its jobs' own outcomes with it)."""
        batch = await self.store.batch(batch_id, actor.team_id)
        await self.store.batch_delivered(batch.id, batch.team_id)

    async def _owned(self, actor: Actor, batch_id: str, verb: str) -> Batch:
        batch = await self.store.batch(batch_id, actor.team_id)
        await may_change(self.store, actor, batch.created_by, f"{verb} this batch")
        return batch

    async def _view(self, actor: Actor, batch: Batch) -> BatchView:
        campaign = await self.store.campaign_by_id(batch.campaign_id)
        found = await self.store.batch_jobs(batch.id, batch.team_id)
        jobs = {j.id: (j.status, j.creative_id, j.error) for j in found}
        people = await self.store.user_names(actor.team_id, [batch.created_by, batch.confirmed_by, batch.canceled_by])
        rows = await self.store.batch_rows(batch.id, batch.team_id)
        return BatchView.of(batch, rows, campaign.name, Counter(j.status for j in found), jobs, people)


def _formats(options: BatchOptions) -> list[str | None]:
    """The formats each row is made in (None: the model's default)."""
    return [*options.aspects] or [None]
