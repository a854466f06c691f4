"""`studio.models`: the video models with their limits and prices, and the catalog's answers to what a front end
asks of them: a chat's settings fitted to the model they name, the cheapest model that makes a request as asked,
a request moved to a model that makes its format. The catalog is the installation's, the same for every team, so
these calls take no actor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from campaign.errors import ClapboardError, InvalidRequest
from campaign.settings import Settings
from tools.catalog import Catalog, ModelSpec, ModelView
from tools.engines.registry import build_catalog, refresh
from tools.sound.voices import VOICES

if TYPE_CHECKING:
    from tools.jobs.spec import VideoRequest

AUTO = "auto"  # a chat setting left to the brief, the template or the model (the panel's "Auto")


class VoiceView(BaseModel):
    """A voice as `clapboard voices` and the chat's settings list it."""

    id: str
    name: str
    gender: str
    engine: str
    usd_per_1k_chars: float
    licence: str
    about: str
    available: bool  # usable here now: the offline voice always, a premium voice when Replicate is set up


class Models:
    """The catalog, read; and the voices (premium ones only with Replicate set up: `premium`)."""

    def __init__(self, catalog: Catalog, *, premium: bool = False) -> None:
        self.catalog = catalog
        self.premium = premium

    @classmethod
    def configured(cls, settings: Settings) -> Models:
        """The models these settings give, without opening a studio (`clapboard models` needs no database)."""
        return cls(build_catalog(settings), premium=settings.replicate_api_token is not None)

    def voices(self) -> list[VoiceView]:
        """Every voice, with whether it can speak here now."""
        return [VoiceView.model_validate({**v.model_dump(), "available": not v.paid or self.premium}) for v in VOICES]

    @classmethod
    async def refreshed(cls, settings: Settings) -> tuple[Models, list[str]]:
        """The models read again from the providers' live schemas (cached for later catalogs), and what changed,
        in lines for people."""
        lines = await refresh(settings)
        return cls.configured(settings), lines

    def names(self) -> list[str]:
        """Every model's id and alias, for reading a model named in a brief."""
        return self.catalog.names()

    def get(self, model: str | None) -> ModelSpec:
        """A model by id or alias (the default for None); InvalidRequest names the others."""
        return self.catalog.get(model)

    def available(self) -> list[ModelSpec]:
        return [m for m in self.catalog.all() if m.available]

    def name_of(self, model: str) -> str:
        """A model's name for people; the id itself for one the catalog no longer has."""
        return next((m.name for m in self.catalog.all() if m.id == model), model)

    def estimate(self, model: str, **ask: Any) -> float:
        """What a request on this model would cost, in USD (`ask`: duration_s, aspect, references...)."""
        return self.catalog.resolve(model, **ask).estimated_cost_usd

    def cheapest(self, like: ModelSpec, *, audio: bool | None = None, **ask: Any) -> ModelSpec | None:
        """The cheapest available model that makes this request as asked (`ask`: duration_s, aspect, references),
        of the same kind as `like` (paid or free) when one is; None when none does."""
        fitting = self.catalog.fits(**ask, audio=audio)
        others = [m for m in fitting if m.paid == like.paid] or fitting
        return min(others, key=lambda m: self.estimate(m.id, **ask)) if others else None

    def for_format(self, request: VideoRequest, label: str) -> tuple[VideoRequest, str]:
        """The request on a model that makes its format: its own, else the cheapest available one of the same kind
        (paid or free) that makes it as asked; and what the user is told."""
        model = self.catalog.get(request.model)
        if request.aspect in model.aspects:
            return request, ""
        other = self.cheapest(model, duration_s=request.duration_s, aspect=request.aspect,
                              references=len(request.references), audio=request.audio)  # fmt: skip
        if other is None:
            raise InvalidRequest(f"No model here makes the {label} format ({request.aspect}) as asked.",
                                 hint="Name another length, or leave that channel out.")  # fmt: skip
        note = f"{model.name} does not make {request.aspect}, so the {label} one is made on {other.name}."
        return request.model_copy(update={"model": other.id}), note

    def fit_settings(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """A chat's settings as requests take them (`model`, `aspect`, `duration_s`, `audio`, `campaign`,
        `refine`, `auto_fallback`), each moved to what the chosen model offers; and what was moved, in words.
        An unknown model is the default; an unavailable one its first available fallback; format and duration
        left at `AUTO` (or empty) are None, for the brief, the template or the model to decide."""
        catalog = self.catalog
        try:
            spec = catalog.get(raw.get("model") or catalog.default_model)
        except ClapboardError:
            spec = catalog.get(catalog.default_model)
        if not spec.available:
            spec = catalog.first_available(spec.id)
        moved: list[str] = []
        picked = {k: None if raw.get(k) in ("", AUTO) else raw.get(k) for k in ("aspect", "duration_s")}
        aspect = picked["aspect"] if picked["aspect"] in spec.aspects else None
        if picked["aspect"] and aspect is None:
            moved.append(f"{spec.name} does not make {picked['aspect']}, so the format is now chosen for each video.")
        try:
            asked = int(picked["duration_s"]) if picked["duration_s"] else None
        except (TypeError, ValueError):
            asked = None
        duration = min(spec.durations, key=lambda d: (abs(d - asked), -d)) if asked is not None else None
        if asked is not None and duration != asked:
            moved.append(f"{spec.name} makes {spec.duration_text()}, so the duration is now {duration} s.")
        audio = raw.get("audio") if isinstance(raw.get("audio"), bool) else spec.audio
        if audio not in spec.audio_options:
            audio = spec.audio_options[0]
        campaign = str(raw.get("campaign") or "").strip() or None
        values = {
            "model": spec.id,
            "aspect": aspect,
            "duration_s": duration,
            "audio": audio,
            "campaign": campaign,
            "refine": raw.get("refine") is not False,
            "auto_fallback": raw.get("auto_fallback") is True,
        }
        return values, moved

    def fit_starter(
        self, chosen: str | None, *, duration_s: int, aspect: str, references: int
    ) -> tuple[ModelSpec, ModelSpec | None, float]:
        """A ready-made request (a chat starter) on the chosen model (or the default): that model's first available
        one; the model that makes it as asked (that one when it can, else the cheapest that can, None when none
        can); and that model's estimated cost."""
        spec = self.catalog.first_available(chosen or self.catalog.default_model)
        ask: dict[str, Any] = {"duration_s": duration_s, "aspect": aspect, "references": references}
        other = spec if spec in self.catalog.fits(**ask) else self.cheapest(spec, **ask)
        return spec, other, self.estimate(other.id, **ask) if other is not None else 0.0

    def list(self) -> list[ModelView]:  # last: in the class below it, `list` is this method
        return [ModelView.of(m) for m in self.catalog.all()]
