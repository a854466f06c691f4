"""The facade every front end calls: models, campaigns, creatives, and jobs (submit, confirm, cancel, wait,
list), plus the provider webhooks. It assembles the services (store, storage, catalog, references, the job
backend and the event bus); front ends never reach past it into the runner."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from campaign.errors import NotFound
from campaign.models import ACTIVE, Campaign, Job, JobStatus
from campaign.settings import Settings
from campaign.storage import BlobStorage, build_storage
from campaign.store import Store
from tools.catalog import Catalog, ModelSpec, build_catalog
from tools.engines import engine_for
from tools.engines.replicate_hooks import Completions, Pacer, WebhookVerifier
from tools.jobs.backends import Backend, InProcessBackend
from tools.jobs.body import EngineFactory, JobBody
from tools.jobs.events import EventBus, JobEvent
from tools.jobs.relay import Relay
from tools.jobs.spec import Submitted, VideoRequest
from tools.jobs.submit import Submissions
from tools.references import ReferenceIntake
from tools.views import CreativeView, JobView

log = logging.getLogger(__name__)

FINAL_EVENTS = ("creative_ready", "failed", "canceled")
WAIT_RECHECK_S = 2.0  # how often `wait` re-reads the job, in case another runner finished it


class ModelView(BaseModel):
    """A model with its limits and price, as listed to users."""

    id: str
    name: str
    provider: str
    slug: str | None  # the provider's name for it: google/veo-3.1
    tier: str
    summary: str
    durations: str
    aspects: list[str]
    resolutions: list[str]
    max_references: int
    reference_use: str
    price_per_s: dict[str, float]
    price: str  # the same, in words: "$0.20/s, $0.40/s with audio", "about $0.12/s", "free"
    typical_wait_s: int
    available: bool
    notice: str
    aliases: list[str]

    @classmethod
    def of(cls, spec: ModelSpec) -> ModelView:
        return cls.model_validate(
            {
                **{name: getattr(spec, name) for name in cls.model_fields if hasattr(spec, name)},
                "durations": spec.duration_text(),
                "price": spec.price_text(),
            }
        )


def backend_for(body: JobBody, *, server: bool) -> Backend:
    """Procrastinate when the database is PostgreSQL, else the in-process backend (SQLite: one machine)."""
    conninfo = body.settings.postgres_conninfo
    if conninfo is None:
        return InProcessBackend(body, adopt_orphans=server)
    from tools.jobs.queue import QueueBackend

    return QueueBackend(body, conninfo, worker=server and body.settings.embedded_worker)


class Studio:
    """One per process: `open` it at start-up (jobs left by a crash are taken over), `close` it at shutdown."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        storage: BlobStorage,
        catalog: Catalog,
        intake: ReferenceIntake,
        bus: EventBus,
        backend: Backend,
        submissions: Submissions,
        webhooks: WebhookVerifier,
        relay: Relay | None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.storage = storage
        self.catalog = catalog
        self.intake = intake
        self.bus = bus
        self.backend = backend
        self.submissions = submissions
        self.webhooks = webhooks
        self.relay = relay

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        server: bool = True,
        catalog: Catalog | None = None,
        engines: EngineFactory | None = None,
    ) -> Studio:
        """Open the services and start the job backend: Procrastinate on PostgreSQL, this process otherwise.

        A `server` runs jobs: it takes over orphaned ones and, on PostgreSQL, runs the embedded worker unless
        `embedded_worker` is off. Without it (the CLI) jobs wait for a worker on PostgreSQL, and on SQLite
        the process runs only the jobs it submits. `catalog` and `engines` replace the configured models and
        their engines (tests)."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await Store.open(settings.sqlalchemy_url)
        storage = build_storage(settings)
        catalog = catalog or build_catalog(settings)
        intake = ReferenceIntake(settings, storage)
        bus = EventBus()
        completions, pacer = Completions(), Pacer(settings.replicate_polls_per_s)
        bus.subscribe(completions)
        engines = engines or (lambda model: engine_for(model, settings, storage, completions, pacer))
        body = JobBody(settings, store, storage, catalog, engines, bus)
        backend = backend_for(body, server=server)
        submissions = Submissions(settings, store, catalog, intake, backend, bus)
        relay = Relay(settings.postgres_conninfo, bus, store, storage) if settings.postgres_conninfo else None
        studio = cls(
            settings, store, storage, catalog, intake, bus, backend, submissions, WebhookVerifier(settings), relay
        )
        if relay is not None:
            await relay.start()
        await backend.start()
        return studio

    async def close(self) -> None:
        """Stop running jobs (they are given back, not failed: the next runner carries on) and close."""
        await self.backend.stop()
        await self.bus.drain()
        if self.relay is not None:
            await self.relay.stop()
        await self.bus.close()
        await self.store.close()

    def subscribe(self, listener: Callable[[JobEvent], Awaitable[None]]) -> Callable[[], None]:
        """Hear every job event from now on; returns the unsubscribe."""
        return self.bus.subscribe(listener)

    # models, campaigns, creatives

    def models(self) -> list[ModelView]:
        return [ModelView.of(m) for m in self.catalog.all()]

    async def campaigns(self) -> list[Campaign]:
        return await self.store.campaigns()

    async def create_campaign(self, name: str) -> Campaign:
        return await self.store.campaign(name, create=True)

    async def creatives(self, campaign: str | None = None, limit: int = 100) -> list[CreativeView]:
        found = await self.store.campaign(campaign) if campaign else None
        names = await self._campaign_names()
        items = await self.store.creatives(found.id if found else None, limit=limit)
        return [CreativeView.of(c, names[c.campaign_id], self.storage) for c in items]

    async def creative(self, creative_id: str) -> CreativeView:
        creative = await self.store.creative(creative_id)
        campaign = await self.store.campaign_by_id(creative.campaign_id)
        return CreativeView.of(creative, campaign.name, self.storage)

    async def _campaign_names(self) -> dict[str, str]:
        return {c.id: c.name for c in await self.store.campaigns()}

    # jobs

    async def submit(
        self,
        request: VideoRequest,
        *,
        origin: str = "",
        confirmed: bool = False,
        allow_paths: bool = False,
        idempotency_key: str | None = None,
    ) -> Submitted:
        """Submit a video request (see `Submissions.submit`)."""
        return await self.submissions.submit(
            request, origin=origin, confirmed=confirmed, allow_paths=allow_paths, idempotency_key=idempotency_key
        )

    async def confirm(self, job_id: str) -> JobView:
        return await self._view(await self.submissions.confirm(job_id))

    async def cancel(self, job_id: str, *, by: str = "") -> JobView:
        """Cancel a job wherever it runs; `by` (an origin: "api:alice", "chat:<thread>", "cli") is recorded."""
        return await self._view(await self.submissions.cancel(job_id, by=by))

    async def job(self, job_id: str) -> JobView:
        return await self._view(await self.store.job(job_id))

    async def jobs(self, *, status: str | None = None, campaign: str | None = None, limit: int = 50) -> list[JobView]:
        """Jobs, newest first, of one status and one campaign when given."""
        found = await self.store.campaign(campaign) if campaign else None
        statuses = [JobStatus(status)] if status else None
        names = await self._campaign_names()
        items = await self.store.jobs(campaign_id=found.id if found else None, statuses=statuses, limit=limit)
        return [JobView.of(j, names[j.campaign_id]) for j in items]

    async def wait(self, job_id: str) -> JobView:
        """Wait until a job is no longer queued or running, and return it."""
        ended = asyncio.Event()

        async def listener(event: JobEvent) -> None:
            if event.job_id == job_id and event.kind in FINAL_EVENTS:
                ended.set()

        unsubscribe = self.bus.subscribe(listener)
        try:
            while (job := await self.store.job(job_id)).status in ACTIVE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ended.wait(), WAIT_RECHECK_S)
            return await self._view(job)
        finally:
            unsubscribe()

    async def undelivered(self, origin_prefix: str, limit: int = 20) -> list[JobView]:
        """Jobs from these origins whose outcome no live chat has shown yet, oldest first."""
        found = await self.store.jobs(delivered=False, origin_prefix=origin_prefix, limit=limit)
        names = await self._campaign_names()
        return [JobView.of(j, names[j.campaign_id]) for j in reversed(found)]

    async def mark_delivered(self, job_id: str) -> None:
        await self.store.update_job(job_id, delivered=True)

    async def _view(self, job: Job) -> JobView:
        campaign = await self.store.campaign_by_id(job.campaign_id)
        return JobView.of(job, campaign.name)

    # provider webhooks

    async def replicate_webhook(self, job_id: str, headers: dict[str, str], body: bytes) -> bool:
        """Handle Replicate's report on a job's prediction: raises WebhookRejected unless it is genuine and
        fresh; False for a delivery already handled (a replay) or a prediction the job does not follow."""
        prediction = await self.webhooks.verify(headers, body)
        if not await self.store.first_delivery(headers.get("webhook-id", ""), job_id):
            return False
        try:
            job = await self.store.job(job_id)
        except NotFound:
            return False
        if job.provider_job_id != prediction["id"]:
            log.info("webhook for prediction %s does not match job %s", prediction["id"], job_id)
            return False
        self.bus.publish(JobEvent(kind="prediction", job_id=job.id, prediction=prediction))
        return True
