"""Replicate as a provider: its models (from `models.json`, with the schema cache applied) and their live schemas'
refresh, its engines, which share the process's webhook waiters and polling budget, its webhook receiver, and its
queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.catalog import ModelSpec, apply_overrides, load_cache
from tools.engines.replicate.models import builtin_models

if TYPE_CHECKING:
    from campaign.settings import Settings
    from campaign.storage import BlobStorage
    from tools.brief import AdCopy
    from tools.catalog import Resolved
    from tools.engines.base import Engine, EngineFactory, Subscribe
    from tools.engines.replicate.hooks import WebhookVerifier


NEEDS_TOKEN = "Needs a Replicate account, which an administrator connects to this server."


class Replicate:
    """Hosted models, paid per second; listed without a token but unavailable, so requests move to fallbacks."""

    name = "replicate"
    queue = "replicate"

    def models(self, settings: Settings) -> list[ModelSpec]:
        """The models from the data, with the schema cache of `clapboard models --refresh` applied."""
        enabled = bool(settings.replicate_api_token)
        cached = load_cache(settings.data_dir)
        models: list[ModelSpec] = []
        for builtin in builtin_models():
            spec = apply_overrides(builtin, cached.get(builtin.id, {}))
            if not enabled:
                spec = spec.model_copy(update={"available": False, "notice": f"{NEEDS_TOKEN} {spec.notice}".strip()})
            models.append(spec)
        return models

    def default_model(self, settings: Settings) -> str | None:
        return "sora-2-pro" if settings.replicate_api_token else None

    async def refresh(self, settings: Settings) -> list[str]:
        """Each model's live schema from Replicate, reconciled and cached (ModelUnavailable without a token)."""
        from tools.engines.replicate.schemas import refresh_catalog

        report = await refresh_catalog(settings)
        return [*report.lines(), f"Saved to {report.cache_file}"]

    def engines(self, settings: Settings, storage: BlobStorage, subscribe: Subscribe) -> EngineFactory:
        """Engines that share one set of webhook waiters (listening to the job events) and one polling budget."""
        from tools.engines.replicate.hooks import Completions, Pacer

        completions, pacer = Completions(), Pacer(settings.replicate_polls_per_s)
        subscribe(completions)

        def engine(spec: ModelSpec) -> Engine:
            from tools.engines.replicate.run import ReplicateEngine  # the replicate library loads with the first render

            return ReplicateEngine(settings, storage, completions=completions, pacer=pacer)

        return engine

    def refusal(self, resolved: Resolved, copy: AdCopy) -> str | None:
        return None  # the model's own checks are the catalog's

    def webhooks(self, settings: Settings) -> WebhookVerifier:
        """Replicate signs its webhooks; the secret is fetched from it once, at the first delivery."""
        from tools.engines.replicate.hooks import WebhookVerifier

        return WebhookVerifier(settings)


PROVIDER = Replicate()
