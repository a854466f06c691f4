"""The facade every front end calls, as namespaces (as replicate-python's client has): `studio.models` (the
catalog: list, look up, price, fit a chat's settings), `studio.jobs` (submit, confirm, cancel, wait, list, new
versions, delivery, provider webhooks), `studio.library` (campaigns and creatives), `studio.files` (reference
images, the history's files, links), `studio.brand` (the team's and each campaign's brand kit, versioned),
`studio.exports` (a creative's file for each placement, checked and signed), `studio.batches` (a product feed
made into videos, quoted and confirmed once), `studio.budgets` (monthly budgets per team and per user, and the spend
ledger), `studio.reviews` (review links a client opens without an account, their comments and decisions, and the
team's "exports need approval" gate) and `studio.accounts` (users, sign-in, tokens). Every call a person makes takes
their actor first and sees only their team's things: another team's ids are not found. `Studio` assembles the
services (store, storage, catalog, references, the job backend and the event bus); front ends never reach past it,
and import only this package (its public types are in `tools.studio.types`). It names no provider: those
are found through `tools.engines.registry`.

The services are imported when a studio opens, so `clapboard models` (`Models.configured`) starts without the
database code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from campaign.settings import Settings
from tools.channels import CHANNEL_FORMATS as CHANNEL_FORMATS  # the facade's reading of channels, for the front ends
from tools.channels import channel_of as channel_of
from tools.channels import channels_in as channels_in
from tools.channels import format_named as format_named
from tools.channels import read_channel as read_channel
from tools.engines.registry import QUEUES
from tools.studio.models import Models

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from campaign.store import Store
    from tools.catalog import Catalog
    from tools.engines.base import EngineFactory
    from tools.jobs.backends import Backend
    from tools.jobs.body import JobBody
    from tools.jobs.events import EventBus, JobEvent
    from tools.jobs.relay import Relay
    from tools.studio.accounts import Accounts
    from tools.studio.batches import Batches
    from tools.studio.brand import Brand
    from tools.studio.budgets import Budgets
    from tools.studio.exports import Exports
    from tools.studio.files import Files
    from tools.studio.jobs import Jobs
    from tools.studio.library import Library
    from tools.studio.reviews import Reviews


def backend_for(body: JobBody, *, server: bool) -> Backend:
    """Procrastinate when the database is PostgreSQL, else the in-process backend (SQLite: one machine)."""
    from tools.jobs.backends import InProcessBackend

    conninfo = body.settings.postgres_conninfo
    if conninfo is None:
        return InProcessBackend(body, adopt_orphans=server)
    from tools.jobs.queue import QueueBackend

    return QueueBackend(body, conninfo, worker=server and body.settings.embedded_worker)


class Studio:
    """One per process: `open` it at start-up (jobs left by a crash are taken over), `close` it at shutdown."""

    queues = QUEUES  # the job queues renders run on, one per provider (`clapboard worker --queues`)

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store,
        bus: EventBus,
        backend: Backend,
        relay: Relay | None,
        models: Models,
        jobs: Jobs,
        library: Library,
        files: Files,
        brand: Brand,
        exports: Exports,
        batches: Batches,
        budgets: Budgets,
        reviews: Reviews,
        accounts: Accounts,
    ) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.backend = backend
        self.relay = relay
        self.models = models
        self.jobs = jobs
        self.library = library
        self.files = files
        self.brand = brand
        self.exports = exports
        self.batches = batches
        self.budgets = budgets
        self.reviews = reviews
        self.accounts = accounts

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
        from campaign.storage import build_storage
        from campaign.store import Store
        from tools.engines.registry import build_catalog, engine_factory, webhook_receivers
        from tools.jobs.body import JobBody
        from tools.jobs.events import EventBus
        from tools.jobs.relay import Relay
        from tools.jobs.submit import Submissions
        from tools.references import ReferenceIntake
        from tools.studio.accounts import Accounts
        from tools.studio.batches import Batches
        from tools.studio.brand import Brand
        from tools.studio.budgets import Budgets
        from tools.studio.exports import Exports
        from tools.studio.files import Files
        from tools.studio.jobs import Jobs
        from tools.studio.library import Library
        from tools.studio.reviews import Reviews

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await Store.open(settings.sqlalchemy_url)
        storage = build_storage(settings)
        catalog = catalog or build_catalog(settings)
        intake = ReferenceIntake(settings, storage)
        bus = EventBus()
        engines = engines or engine_factory(settings, storage, bus.subscribe)
        body = JobBody(settings, store, storage, catalog, engines, bus)
        backend = backend_for(body, server=server)
        submissions = Submissions(settings, store, catalog, intake, backend, bus)
        relay = Relay(settings.postgres_conninfo, bus, store, storage) if settings.postgres_conninfo else None
        models = Models(catalog, premium=settings.replicate_api_token is not None)
        jobs = Jobs(store, models, submissions, bus, webhook_receivers(settings))
        budgets = Budgets(store)
        studio = cls(
            settings,
            store=store,
            bus=bus,
            backend=backend,
            relay=relay,
            models=models,
            jobs=jobs,
            library=Library(store, storage, submissions, budgets),
            files=Files(settings, store, storage, intake),
            brand=Brand(store, storage, intake),
            exports=Exports(store, storage, submissions, jobs),
            batches=Batches(store, submissions, bus),
            budgets=budgets,
            reviews=Reviews(settings, store, storage, bus),
            accounts=Accounts(settings, store),
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
        self.accounts.close()

    @property
    def runs_workers(self) -> bool:
        """Whether jobs wait in a queue for workers (`clapboard worker`): on PostgreSQL only."""
        return self.settings.postgres_conninfo is not None

    async def work(self, *, queues: tuple[str, ...], concurrency: int | None) -> None:
        """Run jobs from the PostgreSQL queue until stopped (`clapboard worker`)."""
        from tools.jobs.queue import QueueBackend

        assert isinstance(self.backend, QueueBackend), "workers need PostgreSQL"
        await self.backend.work(queues=queues, concurrency=concurrency)

    def subscribe(self, listener: Callable[[JobEvent], Awaitable[None]]) -> Callable[[], None]:
        """Hear every job event from now on; returns the unsubscribe."""
        return self.bus.subscribe(listener)

    @property
    def offline(self) -> bool:
        """No language model is configured: the chat's offline planner answers (and no footer warns of an LLM)."""
        return not self.settings.llm_key

    def chat_model(self, *, temperature: float, timeout_s: float, streaming: bool = False) -> BaseChatModel:
        """The configured language model, when the studio is not `offline`."""
        from tools.llm import chat_model

        return chat_model(self.settings, temperature=temperature, timeout_s=timeout_s, streaming=streaming)
