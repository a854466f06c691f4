"""Every video model: capabilities, prices, aliases, fallback and availability, and the checks against them."""

from __future__ import annotations

import difflib
import logging
from typing import Literal

from pydantic import BaseModel, Field

from campaign.errors import InvalidRequest, ModelUnavailable

log = logging.getLogger(__name__)

Aspect = Literal["16:9", "9:16", "1:1", "4:5"]
ASPECTS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:5")
ReferenceUse = Literal["none", "layout", "first_frame", "subject"]

# Output sizes by resolution name and aspect: the short side is the resolution's height.
_SHORT_SIDE = {"480p": 480, "720p": 720, "768p": 768, "1080p": 1080}
_RATIO = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}


def frame_size(aspect: str, resolution: str) -> tuple[int, int]:
    """Width and height of a frame, both even, for an aspect like "9:16" and a resolution like "720p"."""
    short = _SHORT_SIDE[resolution]
    w, h = _RATIO[aspect]
    if w >= h:
        return (round(short * w / h / 2) * 2, short)
    return (short, round(short * h / w / 2) * 2)


class ModelSpec(BaseModel):
    """One model as the user chooses it."""

    id: str
    name: str
    provider: Literal["local", "replicate"]
    slug: str | None = None
    tier: Literal["draft", "budget", "standard", "premium"]
    summary: str
    durations: list[int]
    default_duration: int
    aspects: list[str]
    default_aspect: str
    resolutions: list[str]
    default_resolution: str
    fps: list[int] = Field(default_factory=lambda: [24])
    max_references: int = 0
    reference_use: ReferenceUse = "none"
    price_per_s: dict[str, float] = Field(
        default_factory=dict, description="USD per second of output, by resolution"
    )
    audio: bool = False
    typical_wait_s: int = 10
    aliases: list[str] = Field(default_factory=list)
    fallback: str | None = None
    available: bool = True
    notice: str = ""

    @property
    def paid(self) -> bool:
        return any(self.price_per_s.values())

    def duration_text(self) -> str:
        d = self.durations
        if len(d) > 3 and d == list(range(d[0], d[-1] + 1)):
            return f"{d[0]}–{d[-1]} s"
        return ", ".join(str(x) for x in d) + " s"

    def cost(self, duration_s: int, resolution: str) -> float:
        return round(self.price_per_s.get(resolution, 0.0) * duration_s, 2)


class Resolved(BaseModel):
    """A request checked against its model, with every default filled in."""

    model: ModelSpec
    duration_s: int
    aspect: str
    resolution: str
    fps: int
    width: int
    height: int
    estimated_cost_usd: float


DRAFT = ModelSpec(
    id="draft",
    name="Clapboard Draft",
    provider="local",
    tier="draft",
    summary="Local motion draft: your references, brief and template animated in seconds, free.",
    durations=list(range(2, 61)),
    default_duration=8,
    aspects=list(ASPECTS),
    default_aspect="16:9",
    resolutions=["720p", "1080p"],
    default_resolution="720p",
    fps=[24, 30],
    max_references=8,
    reference_use="layout",
    typical_wait_s=10,
    aliases=["local", "preview", "free", "budget-draft"],
)


class Catalog:
    """The models on offer. Lookups accept ids, provider slugs and aliases, case-insensitively."""

    def __init__(self, models: list[ModelSpec], default_model: str = "draft") -> None:
        self._models = {m.id: m for m in models}
        self._names: dict[str, str] = {}
        for m in models:
            for name in (m.id, m.slug, m.name, *m.aliases):
                if name:
                    self._names[name.lower()] = m.id
        self.default_model = default_model

    def all(self) -> list[ModelSpec]:
        return list(self._models.values())

    def names(self) -> list[str]:
        """Every name a user may type for a model: ids and aliases."""
        return list(self._names)

    def get(self, name: str | None) -> ModelSpec:
        """The model for an id, slug or alias. Raises InvalidRequest naming the models that exist."""
        key = (name or self.default_model).strip().lower()
        if key in self._names:
            return self._models[self._names[key]]
        close = difflib.get_close_matches(key, self._names, n=1)
        hint = f"Did you mean {self._names[close[0]]}? " if close else ""
        raise InvalidRequest(
            f"There is no model called '{name}'.",
            hint=f"{hint}Available: {', '.join(self._models)}.",
        )

    def resolve(
        self,
        model: str | None,
        *,
        duration_s: int | None = None,
        aspect: str | None = None,
        resolution: str | None = None,
        fps: int | None = None,
        references: int = 0,
    ) -> Resolved:
        """Check a request against its model and fill in defaults; InvalidRequest says what is allowed."""
        spec = self.get(model)
        if not spec.available:
            raise ModelUnavailable(
                f"{spec.name} is not available right now.", hint=spec.notice or "Pick another model."
            )
        duration = spec.default_duration if duration_s is None else duration_s
        if duration not in spec.durations:
            below = [d for d in spec.durations if d < duration]
            above = [d for d in spec.durations if d > duration]
            nearest = ([max(below)] if below else []) + ([min(above)] if above else [])
            offer = " or ".join(f"{d} s" for d in nearest)
            raise InvalidRequest(
                f"{spec.name} cannot make a {duration} s video; it offers {spec.duration_text()}.",
                hint=f"Try {offer}.{self._other_models_hint(spec, duration=duration)}",
            )
        ratio = aspect or spec.default_aspect
        if ratio not in spec.aspects:
            raise InvalidRequest(
                f"{spec.name} does not make {ratio} videos; it offers {', '.join(spec.aspects)}.",
                hint=self._other_models_hint(spec, aspect=ratio).strip(),
            )
        res = resolution or spec.default_resolution
        if res not in spec.resolutions:
            raise InvalidRequest(
                f"{spec.name} has no {res} output; it offers {', '.join(spec.resolutions)}.",
            )
        rate = fps or spec.fps[0]
        if rate not in spec.fps:
            raise InvalidRequest(
                f"{spec.name} renders at {' or '.join(map(str, spec.fps))} fps, not {rate}."
            )
        if references > spec.max_references:
            takes = (
                "no reference images"
                if spec.max_references == 0
                else f"at most {spec.max_references} reference image{'s' if spec.max_references > 1 else ''}"
            )
            raise InvalidRequest(
                f"{spec.name} takes {takes}; you gave {references}.",
                hint="Remove some, or pick a model that takes more.",
            )
        width, height = frame_size(ratio, res)
        return Resolved(
            model=spec,
            duration_s=duration,
            aspect=ratio,
            resolution=res,
            fps=rate,
            width=width,
            height=height,
            estimated_cost_usd=spec.cost(duration, res),
        )

    def _other_models_hint(self, spec: ModelSpec, *, duration: int | None = None, aspect: str | None = None) -> str:
        fits = [
            m.id
            for m in self._models.values()
            if m.id != spec.id
            and m.available
            and (duration is None or duration in m.durations)
            and (aspect is None or aspect in m.aspects)
        ]
        return f" Models that can: {', '.join(fits)}." if fits else ""


def build_catalog(default_model: str | None = None, *, replicate_enabled: bool = False) -> Catalog:
    """The catalog for these settings: the draft engine always, Replicate's models when a token is set."""
    models = [DRAFT]
    default = default_model or "draft"
    return Catalog(models, default_model=default)
