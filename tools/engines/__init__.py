"""Video engines behind one interface: `draft` renders locally, `replicate` runs hosted models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.settings import Settings
from campaign.storage import BlobStorage
from tools.catalog import ModelSpec
from tools.engines.base import Engine

if TYPE_CHECKING:
    from tools.engines.replicate_hooks import Completions


def engine_for(spec: ModelSpec, settings: Settings, storage: BlobStorage, completions: Completions) -> Engine:
    """The engine that renders this model; Replicate renders are woken early by webhooks through `completions`."""
    if spec.provider == "local":
        from tools.engines.draft import DraftEngine

        return DraftEngine(storage)
    from tools.engines.replicate import ReplicateEngine

    return ReplicateEngine(settings, storage, completions=completions)
