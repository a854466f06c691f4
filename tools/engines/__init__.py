"""Video engines behind one interface: `draft` renders locally, `replicate` runs hosted models."""

from __future__ import annotations

from campaign.settings import Settings
from campaign.storage import BlobStorage
from tools.catalog import ModelSpec
from tools.engines.base import Engine


def engine_for(spec: ModelSpec, settings: Settings, storage: BlobStorage) -> Engine:
    """The engine that renders this model."""
    if spec.provider == "local":
        from tools.engines.draft import DraftEngine

        return DraftEngine(storage)
    from tools.engines.replicate import ReplicateEngine

    return ReplicateEngine(settings, storage)
