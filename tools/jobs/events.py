"""Job events and the bus that carries them: the job body publishes, the chat, the CLI and the provider
webhooks' waiters consume (on PostgreSQL, `relay` carries them between processes; `resync` says events may
have been missed, so consumers re-read the jobs they follow).

An event is published after the state it describes is committed, and carries what consumers need (the title,
the origin, the finished creative's view), so nobody re-reads what the runner just wrote. Each subscriber is fed
from its own queue by its own task: publishing never waits, and a slow chat never slows a render.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel

from campaign.models import Job
from tools.jobs.spec import JobSpec
from tools.reviews import ReviewNoteView
from tools.views import CreativeView, ExportView

log = logging.getLogger(__name__)

EventKind = Literal[
    "queued",
    "running",
    "progress",
    "creative_ready",
    "export_ready",
    "failed",
    "canceled",
    "offered",
    "prediction",
    "resync",
    "review",
]
# offered: the model failed and the job asks before its paid fallback starts (awaiting confirmation again);
# review: a comment or decision on the job's creative, left through a review link
Listener = Callable[["JobEvent"], Awaitable[None]]
QUEUE_LIMIT = 10_000  # per subscriber; past it, progress events are dropped (never the others)
MESSAGE_CHARS = 1000


class JobEvent(BaseModel):
    """One thing that happened to a generation job."""

    kind: EventKind
    job_id: str
    campaign_id: str = ""
    model: str = ""
    origin: str = ""  # "chat:<thread id>", "cli", "api:<subject>"
    title: str = ""
    fraction: float | None = None  # 0..1 for progress
    message: str = ""  # what a user should read
    stage: str | None = None  # the stage that failed
    creative: CreativeView | None = None  # creative_ready: the finished creative
    export: ExportView | None = None  # export_ready: the export, its files and their checks
    review: ReviewNoteView | None = None  # review: the comment or decision
    batch_id: str | None = None  # the batch the job is one video of (tools/studio/batches.py)
    prediction: dict[str, Any] | None = None  # prediction: the provider's verified account of it (a webhook)
    source: str = ""  # the bus that announced it to the other processes (set once sent, or when relayed here)


class LostJob(asyncio.CancelledError):
    """The runner no longer holds the job (it was canceled, or another runner took it over): the render stops
    as if cancelled, through engines that shield a paid render from their listeners' errors."""


def event(job: Job, spec: JobSpec, kind: str, message: str = "", **extra: Any) -> JobEvent:
    """An event about `job`, with what every consumer needs."""
    return JobEvent(
        kind=kind,
        job_id=job.id,
        campaign_id=job.campaign_id,
        model=job.model,
        origin=job.origin,
        title=spec.title,
        message=message,
        batch_id=spec.batch_id,
        **extra,
    )


def announcement(e: JobEvent, source: str) -> str:
    """`e`, from the bus `source`, as a NOTIFY payload for the other processes: ids and short text (their relay
    reads the data back), well under PostgreSQL's 8000 bytes."""
    return json.dumps(
        {
            "kind": e.kind,
            "job_id": e.job_id,
            "message": "" if e.review else e.message[:MESSAGE_CHARS],  # a review's words are read back
            "fraction": e.fraction,
            "stage": e.stage,
            "prediction_id": (e.prediction or {}).get("id"),
            "review_id": e.review.id if e.review else None,
            "source": source,
        },
        ensure_ascii=False,  # UTF-8, at most 4 bytes a character where \u escapes take up to 12
    )


class EventBus:
    """In-process publish/subscribe for job events."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex  # names this bus (this process) in the events it sends to others
        self._queues: dict[int, asyncio.Queue[JobEvent]] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._next = 0

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for every event from now on, in order, on its own task; returns the unsubscribe."""
        key, self._next = self._next, self._next + 1
        queue: asyncio.Queue[JobEvent] = asyncio.Queue()
        self._queues[key] = queue
        # A clean context: a listener must not run inside whatever chat step or request subscribed it.
        self._tasks[key] = asyncio.create_task(_feed(queue, listener), context=contextvars.Context())
        return lambda: self._unsubscribe(key)

    def _unsubscribe(self, key: int) -> None:
        self._queues.pop(key, None)
        if task := self._tasks.pop(key, None):
            task.cancel()

    def publish(self, event: JobEvent) -> None:
        for queue in list(self._queues.values()):
            if event.kind == "progress" and queue.qsize() >= QUEUE_LIMIT:
                continue
            queue.put_nowait(event)

    async def drain(self) -> None:
        """Wait until every event published so far has been handled (tests, shutdown)."""
        await asyncio.gather(*(q.join() for q in list(self._queues.values())))

    async def close(self) -> None:
        for key in list(self._tasks):
            self._unsubscribe(key)


async def _feed(queue: asyncio.Queue[JobEvent], listener: Listener) -> None:
    while True:
        event = await queue.get()
        try:
            await listener(event)
        except Exception:  # a broken consumer must not break the others, or the job
            log.exception("job event listener failed on %s", event.kind)
        finally:
            queue.task_done()
