"""Job backends: what runs the job body. The interface is `enqueue` and `cancel` (plus `start` and `stop`);
`InProcessBackend` runs jobs on this process's event loop with bounded concurrency (the embedded default), and
`tools.jobs.queue.QueueBackend` hands them to Procrastinate workers on PostgreSQL.

Either way a `Runner` runs the body: it holds the jobs it runs by a lease on their rows, renewed by a heartbeat
while the process lives, and stops a job it no longer holds (canceled elsewhere, or taken over). Jobs whose
lease ran out (their runner died: a SIGKILL, a crashed deploy, another instance that is gone) are taken over,
never a live runner's. At a graceful stop a runner gives its jobs back, so another carries on at once and
follows their predictions.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from typing import Protocol

from tools.allocator import give_back_freed
from tools.jobs.body import JobBody, remove_stale_workdirs

log = logging.getLogger(__name__)


class Backend(Protocol):
    async def start(self) -> None:
        """Begin running jobs, taking over those whose runner is gone."""

    async def enqueue(self, job_id: str) -> None:
        """Run this queued job."""

    async def cancel(self, job_id: str) -> None:
        """Stop this job where it runs (its status already says canceled)."""

    async def stop(self) -> None:
        """Stop running jobs and give them back, for another runner to carry on."""


def runner_id() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Runner:
    """Runs jobs of this process under leases, with a heartbeat that renews them."""

    def __init__(self, body: JobBody) -> None:
        self.body = body
        self.store = body.store
        self.id = runner_id()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # What start-up made (the modules, the app) lives as long as the process: frozen, the collection after each
        # job walks what that job made, not the whole heap again (0.16-0.25 s of CPU a job in a server). It is not
        # collected first: `clapboard generate`'s imports left 20 unreachable objects of 119k, and a full collection
        # cost 0.07 s of its 3.5 s.
        gc.freeze()
        removed = await remove_stale_workdirs(self.body)
        if removed:
            log.info("removed %d temp folders left by a crash", removed)
        self._heartbeat = asyncio.create_task(self._beat(), name="job-heartbeat", context=contextvars.Context())

    async def run(self, job_id: str) -> None:
        """Take the job (if no live runner holds it) and run it here; return when it has ended or was lost."""
        if not await self.store.adopt(job_id, self.id, self.body.lease(), datetime.now(UTC), fresh=True):
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks[job_id] = task
        try:
            await self.body.run(job_id, self.id)
        except asyncio.CancelledError:  # stopped here: give the job back (unless canceled or taken over)
            await asyncio.shield(self.store.release(self.id, [job_id]))
            raise
        finally:
            self._tasks.pop(job_id, None)
            gc.collect()  # a render's frames held in reference cycles: job after job they pile up otherwise
            give_back_freed()  # and what was freed, handed back to the system

    def running(self, job_id: str) -> bool:
        return job_id in self._tasks

    def cancel(self, job_id: str) -> None:
        if task := self._tasks.get(job_id):
            task.cancel()

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.body.settings.job_lease_s / 3)
            try:
                await self.beat()
            except Exception:  # the database is away for a moment: try again at the next beat
                log.exception("job heartbeat failed")

    async def beat(self) -> None:
        """Renew the leases of the jobs running here; stop those this runner no longer holds."""
        # Only jobs with a task here: a job whose task is gone loses its lease and is taken over again.
        running = dict(self._tasks)
        held = await self.store.renew_leases(self.id, running, self.body.lease())
        for job_id, task in running.items():
            if job_id not in held:  # canceled from elsewhere, or taken over: stop working on it
                task.cancel()

    async def drain(self) -> None:
        """Wait until every job running here has ended (tests, the CLI)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def stop(self) -> None:
        """Stop the heartbeat and the jobs running here (which gives them back)."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        for task in list(self._tasks.values()):
            task.cancel()
        await self.drain()


class InProcessBackend:
    """Runs jobs as asyncio tasks of this process, at most `max_concurrent_jobs` at a time."""

    def __init__(self, body: JobBody, *, adopt_orphans: bool = True) -> None:
        self.runner = Runner(body)
        self.store = body.store
        self.adopt_orphans = adopt_orphans  # False for a one-shot CLI: it runs its own job only
        self._slots = asyncio.Semaphore(body.settings.max_concurrent_jobs)
        self._waiting: dict[str, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.runner.start()
        if self.adopt_orphans:
            await self.sweep()
            self._sweeper = asyncio.create_task(self._sweep_every_beat(), context=contextvars.Context())

    async def enqueue(self, job_id: str) -> None:
        if job_id in self._waiting or self.runner.running(job_id):
            return
        # A clean context: the job must not carry the submitting request's context (a chat step, a session).
        task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}", context=contextvars.Context())
        self._waiting[job_id] = task
        task.add_done_callback(lambda _: self._waiting.pop(job_id, None))

    async def _run(self, job_id: str) -> None:
        async with self._slots:
            await self.runner.run(job_id)

    async def cancel(self, job_id: str) -> None:
        if task := self._waiting.get(job_id):
            task.cancel()

    async def sweep(self) -> None:
        """Take over unfinished jobs whose runner is gone."""
        for job_id in await self.store.orphans(datetime.now(UTC)):
            if job_id not in self._waiting:
                log.info("taking over job %s, whose runner is gone", job_id)
                await self.enqueue(job_id)

    async def _sweep_every_beat(self) -> None:
        while True:
            await asyncio.sleep(self.runner.body.settings.job_lease_s / 3)
            try:
                await self.sweep()
            except Exception:
                log.exception("looking for orphaned jobs failed")

    async def drain(self) -> None:
        """Wait until every job enqueued here has ended (tests, the CLI)."""
        while self._waiting:
            await asyncio.gather(*list(self._waiting.values()), return_exceptions=True)

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for task in list(self._waiting.values()):
            task.cancel()
        await self.runner.stop()
        await self.drain()
