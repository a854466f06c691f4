"""Video engines behind one interface: `draft` renders locally, `replicate` runs hosted models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.settings import Settings
from campaign.storage import BlobStorage
from tools.catalog import ModelSpec
from tools.engines.base import Engine

if TYPE_CHECKING:
    from tools.engines.replicate.hooks import Completions, Pacer


def engine_for(
    spec: ModelSpec, settings: Settings, storage: BlobStorage, completions: Completions, pacer: Pacer
) -> Engine:
    """The engine that renders this model. Replicate renders share the process's webhook waiters and its
    polling budget."""
    if spec.provider == "local":
        from tools.engines.draft.engine import DraftEngine

        return DraftEngine(storage)
    from tools.engines.replicate.run import ReplicateEngine

    return ReplicateEngine(settings, storage, completions=completions, pacer=pacer)
