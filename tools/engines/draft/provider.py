"""The draft as a provider: its one model, its engine, and the check only a renderer of words has to make."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.catalog import ASPECTS, ModelSpec

if TYPE_CHECKING:
    from campaign.settings import Settings
    from campaign.storage import BlobStorage
    from tools.brief import AdCopy
    from tools.catalog import Resolved
    from tools.engines.base import Engine, EngineFactory, Subscribe


DRAFT = ModelSpec(
    id="draft",
    name="Clapboard Draft",
    provider="local",
    tier="draft",
    summary="Local motion draft: your references, brief and template animated in seconds, free.",
    durations=list(range(2, 121)),
    default_duration=8,
    aspects=list(ASPECTS),
    default_aspect="16:9",
    resolutions=["480p", "720p", "1080p"],
    default_resolution="720p",
    fps=[24, 30],
    max_references=8,
    reference_use="layout",
    audio=True,  # a music bed made on this machine, free like the rest; off for a silent video
    audio_options=[True, False],
    typical_wait_s=10,
    aliases=["clapboard-draft", "local-draft", "draft-model"],
)


class Draft:
    """Renders on this machine, free: needs no account, and its renders run on the `render` queue."""

    name = "local"
    queue = "render"

    def models(self, settings: Settings) -> list[ModelSpec]:
        if settings.draft_resolution == DRAFT.default_resolution:
            return [DRAFT]
        return [DRAFT.model_copy(update={"default_resolution": settings.draft_resolution})]

    def default_model(self, settings: Settings) -> str | None:
        return None  # the catalog's own default is the draft

    async def refresh(self, settings: Settings) -> list[str]:
        return []  # its one model is ours: nothing to read from elsewhere

    def engines(self, settings: Settings, storage: BlobStorage, subscribe: Subscribe) -> EngineFactory:
        def engine(spec: ModelSpec) -> Engine:
            from tools.engines.draft.engine import DraftEngine  # PyAV and Pillow load with the first render

            return DraftEngine(storage)

        return engine

    def refusal(self, resolved: Resolved, copy: AdCopy) -> str | None:
        """Why the draft cannot show this copy legibly in this format (it draws the words itself)."""
        from tools.engines.draft.kit import copy_refusal

        return copy_refusal(copy, resolved.width, resolved.height, resolved.aspect)

    def webhooks(self, settings: Settings) -> None:
        return None  # it renders here: nothing reports from elsewhere


PROVIDER = Draft()
