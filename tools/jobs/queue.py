"""The production backend: Procrastinate on the PostgreSQL named by `DATABASE_URL`.

A submitted job is deferred as a `run_job` task on the `render` queue (local drafts: CPU-bound) or the
`replicate` queue (provider I/O), at most once per job (a queueing lock). `clapboard worker` processes, any
number on any machine, run those tasks with the same job body and the same leases as the in-process backend;
a server runs one worker inside itself unless `CLAPBOARD_EMBEDDED_WORKER=false`.

Failures are the job body's to record, so a task is retried only when the database itself was unreachable,
never after a cancellation. Cancelling aborts the task wherever it runs (Procrastinate NOTIFYs its worker).
Every ten seconds a maintenance task puts back jobs whose worker stopped beating (stalled), defers again jobs
whose lease ran out with no task to run them, and once an hour old finished task rows are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from datetime import UTC, datetime

import procrastinate
from procrastinate import JobContext, RetryStrategy, builtin_tasks
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.exc import InterfaceError, OperationalError

from tools.engines.registry import QUEUES, queue_for
from tools.jobs.backends import Runner
from tools.jobs.body import JobBody

log = logging.getLogger(__name__)

MAINTENANCE = "maintenance"
MAINTENANCE_PRIORITY = 100  # jobs run at 0: maintenance is fetched first
KEEP_FINISHED_HOURS = 72
TRANSIENT = RetryStrategy(
    max_attempts=5, wait=2, exponential_wait=2, retry_exceptions={OSError, OperationalError, InterfaceError}
)


def make_app(conninfo: str) -> procrastinate.App:
    """A Procrastinate app with our tasks (made anew each time: registering tasks changes their names)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4))

    @app.task(name="clapboard:run_job", pass_context=True, retry=TRANSIENT)
    async def run_job(context: JobContext, job_id: str) -> None:
        """Run one of our jobs on this worker's runner."""
        runner: Runner = context.additional_context["runner"]
        await runner.run(job_id)

    @app.periodic(cron="* * * * * */10", periodic_id="recover")  # every 10 s (the sixth field is seconds)
    # Ahead of any backlog: fetched by priority first, a recovery behind 60 queued jobs waited 24 s.
    @app.task(
        name="clapboard:recover",
        queue=MAINTENANCE,
        queueing_lock="recover",
        pass_context=True,
        priority=MAINTENANCE_PRIORITY,
    )
    async def recover(context: JobContext, timestamp: int) -> None:
        """Put back tasks whose worker died, and defer again jobs that have no live task."""
        backend: QueueBackend = context.additional_context["backend"]
        manager = context.app.job_manager
        for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=backend.body.settings.job_lease_s):
            log.warning("task %s of a worker that stopped beating is run again", stalled.id)
            await manager.retry_job(stalled)
        for job_id in await backend.body.store.orphans(datetime.now(UTC)):
            await backend.enqueue(job_id)

    @app.periodic(cron="17 * * * *", periodic_id="cleanup")
    @app.task(name="clapboard:cleanup", queue=MAINTENANCE, queueing_lock="cleanup", pass_context=True)
    async def cleanup(context: JobContext, timestamp: int) -> None:
        """Remove finished task rows older than three days (our own jobs table keeps the history)."""
        await builtin_tasks.remove_old_jobs.func(
            context, max_hours=KEEP_FINISHED_HOURS, remove_failed=True, remove_cancelled=True, remove_aborted=True
        )

    return app


class QueueBackend:
    """Defers jobs to Procrastinate; with `worker`, also runs a worker in this process."""

    def __init__(self, body: JobBody, conninfo: str, *, worker: bool) -> None:
        self.body = body
        self.app = make_app(conninfo)
        self.runner = Runner(body)
        self.worker = worker
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.app.open_async()
        if self.worker:  # the embedded worker of a server
            self._worker = asyncio.create_task(
                self.work(install_signal_handlers=False), name="procrastinate-worker", context=contextvars.Context()
            )

    async def work(
        self,
        *,
        queues: tuple[str, ...] = QUEUES,
        concurrency: int | None = None,
        install_signal_handlers: bool = True,
    ) -> None:
        """Run jobs of these queues here until stopped (SIGTERM stops it gracefully), and the maintenance."""
        await self.runner.start()
        lease = self.body.settings.job_lease_s
        await self.app.run_worker_async(
            queues=[*queues, MAINTENANCE],
            concurrency=concurrency or self.body.settings.max_concurrent_jobs,
            name=self.runner.id,
            additional_context={"runner": self.runner, "backend": self},
            update_heartbeat_interval=lease / 3,
            stalled_worker_timeout=lease,
            install_signal_handlers=install_signal_handlers,
            shutdown_graceful_timeout=5,
        )

    async def enqueue(self, job_id: str) -> None:
        job = await self.body.store.job(job_id)
        deferrer = self.app.configure_task(
            "clapboard:run_job", queue=queue_for(self.body.catalog, job), queueing_lock=job_id
        )
        with contextlib.suppress(AlreadyEnqueued):  # a task already waits for this job
            await deferrer.defer_async(job_id=job_id)

    async def cancel(self, job_id: str) -> None:
        """Abort the job's task wherever it runs; the runner there stops it and cancels the prediction."""
        self.runner.cancel(job_id)
        for task in await self.app.job_manager.list_jobs_async(task="clapboard:run_job", queueing_lock=job_id):
            if task.id is not None and task.status in ("todo", "doing"):
                await self.app.job_manager.cancel_job_by_id_async(task.id, abort=True)

    async def stop(self) -> None:
        await self.runner.stop()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        await self.app.close_async()
