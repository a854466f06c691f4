"""Job events between processes on PostgreSQL: LISTEN/NOTIFY.

A job body's events are NOTIFYed in the transaction that commits the state they describe (`Store.transition`
and `update_job` take the `announcement`); the relay sends the others (queued, canceled, a webhook's
prediction) right after they are published. Every process publishes what the others send on its own bus, with
the data read back from the database (the job, the finished creative's view). So a chat held by one server hears the
jobs a worker on another machine runs, and a webhook received by one server wakes the worker following that
prediction. A listener that lost its connection publishes `resync` once it is back: NOTIFY does not replay,
so consumers re-read the state of the jobs they follow.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from typing import Any

import asyncpg

from campaign.errors import NotFound
from campaign.storage import BlobStorage
from campaign.store import EVENTS, Store
from tools.jobs.events import EventBus, JobEvent, announcement, event
from tools.jobs.spec import JobSpec
from tools.reviews import ReviewNoteView
from tools.views import CreativeView, ExportView

log = logging.getLogger(__name__)

RECONNECT_S = (0.5, 1, 2, 5, 10)


class Relay:
    """Carries this process's job events to the others, and theirs to this process's bus."""

    def __init__(self, conninfo: str, bus: EventBus, store: Store, storage: BlobStorage) -> None:
        self.conninfo = conninfo
        self.bus = bus
        self.store = store
        self.storage = storage
        self._conn: asyncpg.Connection | None = None
        self._incoming: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: Any = None
        self._stopping = False

    async def start(self) -> None:
        await self._connect()
        self._unsubscribe = self.bus.subscribe(self._send)
        self._tasks.append(asyncio.create_task(self._receive(), name="event-relay", context=contextvars.Context()))

    async def stop(self) -> None:
        self._stopping = True
        if self._unsubscribe:
            self._unsubscribe()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.conninfo)
        await conn.add_listener(EVENTS, lambda _c, _pid, _ch, payload: self._incoming.put_nowait(payload))
        conn.add_termination_listener(lambda _c: self._lost())
        self._conn = conn

    def _lost(self) -> None:
        if self._stopping:
            return
        log.warning("the job event listener lost its connection; reconnecting")
        self._tasks.append(asyncio.create_task(self._reconnect(), context=contextvars.Context()))

    async def _reconnect(self) -> None:
        attempt = 0
        while not self._stopping:
            await asyncio.sleep(RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)])
            attempt += 1
            try:
                await self._connect()
            except (OSError, asyncpg.PostgresError):
                continue
            self.bus.publish(JobEvent(kind="resync", job_id="", source=self.bus.id))
            return

    async def _send(self, e: JobEvent) -> None:
        if e.source or e.kind == "resync" or self._conn is None or self._conn.is_closed():
            return  # announced with its commit, or relayed from another process: not sent (again)
        try:
            await self._conn.execute("SELECT pg_notify($1, $2)", EVENTS, announcement(e, self.bus.id))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("could not relay a %s event of job %s", e.kind, e.job_id)

    async def _receive(self) -> None:
        while True:
            payload = await self._incoming.get()
            try:
                relayed = await self._read_back(json.loads(payload))
            except (ValueError, KeyError, NotFound):
                log.warning("ignored a job event that could not be read back")
                continue
            if relayed is not None:
                self.bus.publish(relayed)

    async def _read_back(self, data: dict[str, Any]) -> JobEvent | None:
        """The event another process sent, with its data read from the database; None for our own."""
        if data["source"] == self.bus.id:
            return None
        job = await self.store.job(data["job_id"])
        creative = None
        if data["kind"] == "creative_ready" and job.creative_id:
            campaign = await self.store.campaign_by_id(job.campaign_id)
            found = await self.store.creative(job.creative_id, campaign.team_id)
            creative = CreativeView.of(found, campaign.name, self.storage)
        export = None
        if data["kind"] == "export_ready":
            campaign = await self.store.campaign_by_id(job.campaign_id)
            _, row = await self.store.export(job.id, campaign.team_id)
            export = ExportView.of(job, row, campaign.name, self.storage)
        prediction = {"id": data["prediction_id"]} if data.get("prediction_id") else None
        review = None
        if data.get("review_id"):
            note = await self.store.review_note(data["review_id"])
            reviewed = await self.store.creative(note.creative_id, note.team_id)
            link = await self.store.review_link(note.link_id, note.team_id)
            review = ReviewNoteView.of(note, reviewed.title, link.label)
        return event(
            job,
            JobSpec.of(job),
            data["kind"],
            review.said() if review else data.get("message") or "",
            fraction=data.get("fraction"),
            stage=data.get("stage"),
            creative=creative,
            export=export,
            review=review,
            prediction=prediction,
            source=data["source"],
        )
