"""The providers: who renders each model, and everything the catalog, the job pipeline and the studio ask of
one, so that none of them branches on a provider's name.

A provider is a package under `tools/engines/` whose `provider.py` holds a `PROVIDER` that fits `Provider`:
its name (the `provider` of its catalog entries), the job queue its renders run on, its models for these
settings (and the default it prefers when it can render), the refresh of their live schemas, a factory of its
engines, the checks of a request it makes beyond the catalog's, and the receiver of its webhooks when it reports
by webhook (the API's `/api/webhooks/{provider}` hands them to `studio.jobs.webhook`). Its models may subclass
`ModelSpec` to add their own reference checks and to say they are `hosted` (a paid service over the network).

Adding a provider: one package (`tools/engines/<name>/`, with its `provider.py`), and here its import and its
name in `PROVIDERS` (whose order is the catalog's). Keep `provider.py` light: import the engine and its
libraries inside the engine factory, so `clapboard models` starts without them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from campaign.errors import InvalidRequest
from tools.catalog import Catalog
from tools.engines.draft.provider import PROVIDER as DRAFT
from tools.engines.replicate.provider import PROVIDER as REPLICATE

if TYPE_CHECKING:
    from campaign.models import Job
    from campaign.settings import Settings
    from campaign.storage import BlobStorage
    from tools.brief import AdCopy
    from tools.catalog import ModelSpec, Resolved
    from tools.engines.base import Engine, EngineFactory, Subscribe, WebhookReport


log = logging.getLogger(__name__)


class WebhookReceiver(Protocol):
    """Checks a provider's webhook deliveries (its signature scheme, its secret) and reads what they report."""

    async def receive(self, headers: dict[str, str], body: bytes) -> WebhookReport:
        """The report of a genuine, fresh delivery; raises WebhookRejected otherwise."""
        ...


class Provider(Protocol):
    """Everything Clapboard asks of a provider."""

    name: str  # the `provider` of its models
    queue: str  # the job queue its renders run on (Procrastinate workers take queues by name)

    def models(self, settings: Settings) -> list[ModelSpec]:
        """Its catalog entries for these settings (listed but unavailable when it cannot render)."""
        ...

    def default_model(self, settings: Settings) -> str | None:
        """The model it would make the default when it can render; None to leave the default alone."""
        ...

    async def refresh(self, settings: Settings) -> list[str]:
        """Read its models' live schemas into the data folder's cache, which `models` applies from then on; what
        changed, in lines for people (none for a provider without live schemas)."""
        ...

    def engines(self, settings: Settings, storage: BlobStorage, subscribe: Subscribe) -> EngineFactory:
        """A factory of engines for its models; state they share (waiters, budgets) is made here, once."""
        ...

    def refusal(self, resolved: Resolved, copy: AdCopy) -> str | None:
        """Why it cannot make this checked request, beyond the catalog's checks; None when it can."""
        ...

    def webhooks(self, settings: Settings) -> WebhookReceiver | None:
        """The receiver of its webhooks (made once per process: it may cache a secret); None when it sends none."""
        ...


PROVIDERS: tuple[Provider, ...] = (DRAFT, REPLICATE)
QUEUES: tuple[str, ...] = tuple(dict.fromkeys(p.queue for p in PROVIDERS))


def provider(name: str) -> Provider:
    """The provider of this name (a model's `provider`)."""
    for p in PROVIDERS:
        if p.name == name:
            return p
    raise KeyError(name)


def build_catalog(settings: Settings) -> Catalog:
    """The catalog for these settings: every provider's models, in the order of `PROVIDERS`.

    The default model is the settings' own when it exists, else the one the last provider that can render
    prefers (the first available along its fallback chain), else the draft. Models of a provider that cannot
    render (Replicate without a token) are listed but unavailable, so a request for one moves to its fallback
    (ending at draft) with a notice.
    """
    catalog = Catalog([m for p in PROVIDERS for m in p.models(settings)], default_model="draft")
    if settings.default_model:
        try:
            catalog.default_model = catalog.get(settings.default_model).id
        except InvalidRequest:
            log.warning("the default model %r does not exist; using draft", settings.default_model)
        return catalog
    for p in PROVIDERS:
        if preferred := p.default_model(settings):
            catalog.default_model = catalog.first_available(preferred).id
    return catalog


async def refresh(settings: Settings) -> list[str]:
    """Every provider's models read again from their live schemas (`clapboard models --refresh`); what changed."""
    return [line for p in PROVIDERS for line in await p.refresh(settings)]


def engine_factory(settings: Settings, storage: BlobStorage, subscribe: Subscribe) -> EngineFactory:
    """The engine for any model: its provider's."""
    factories = {p.name: p.engines(settings, storage, subscribe) for p in PROVIDERS}

    def engine(spec: ModelSpec) -> Engine:
        return factories[spec.provider](spec)

    return engine


def queue_for(catalog: Catalog, job: Job) -> str:
    """The job queue a job runs on: its model's provider's, or the local renders' for an export (it draws and
    encodes on the worker's own cores, whatever model made the creative)."""
    if job.kind == "export":  # JobKind.export, spelled out: importing campaign.models would load the database code
        return DRAFT.queue
    return provider(catalog.get(job.model).provider).queue


def webhook_receivers(settings: Settings) -> dict[str, WebhookReceiver]:
    """The receivers of the providers that report by webhook, by provider name."""
    return {p.name: receiver for p in PROVIDERS if (receiver := p.webhooks(settings)) is not None}


def refusal(resolved: Resolved, copy: AdCopy) -> str | None:
    """Why the model's provider cannot make this checked request; None when it can."""
    return provider(resolved.model.provider).refusal(resolved, copy)
