"""The one interface every video engine implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from campaign.errors import ClapboardError
from tools.brand import BrandKit
from tools.brief import AdCopy, Motion, read_motion
from tools.brief.variations import Variant
from tools.catalog import ModelSpec, Resolved
from tools.delivery.placements import Placement
from tools.sound.speech import CreativeSound, SoundSpec, Speech

Progress = Callable[[float, str], Awaitable[None]]
PROVIDER_ANSWERED = 0.05
"""Progress below this means the provider has not taken the request yet: nothing can be told from the clock."""
Record = Callable[[str], Awaitable[None]]
Adopt = Callable[[str], Awaitable[bool]]


class WebhookRejected(ClapboardError):
    """A webhook whose signature, timestamp or headers do not check out."""

    stage = "webhook"


def scaled(report: Progress, start: float, end: float) -> Progress:
    """A step's progress (0 to 1) as its share of the job's."""

    async def share(fraction: float, note: str) -> None:
        await report(start + (end - start) * min(max(fraction, 0.0), 1.0), note)

    return share


@dataclass(frozen=True)
class WebhookReport:
    """What a provider's genuine webhook says of one of its renders."""

    delivery_id: str  # the same for a replay of a delivery
    provider_job_id: str  # the provider's id of the render (a Replicate prediction's id)
    payload: dict[str, Any]  # the render as the provider reported it, for its engine


@dataclass(frozen=True)
class Reference:
    """A reference image already checked and stored: its storage key and what it looks like."""

    key: str
    content_type: str
    width: int
    height: int


@dataclass
class RenderJob:
    """Everything an engine needs to make one video."""

    job_id: str
    brief: str  # the prompt as the user gave it
    prompt: str  # the prompt as sent to the model (refined or not)
    model: ModelSpec
    duration_s: int
    aspect: str
    resolution: str
    width: int
    height: int
    fps: int
    template: str | None = None  # the name of the brief's template (tools/brief), None for the plain one
    copy: AdCopy = field(default_factory=AdCopy)  # the words on screen
    references: list[Reference] = field(default_factory=list)
    audio: bool = False
    variant: Variant = field(default_factory=Variant)  # which variation of the brief: what it changes, its seed
    brand: BrandKit | None = None  # the brand kit the video follows
    sound: SoundSpec = field(default_factory=SoundSpec)  # voice-over, captions, music asked for
    speech: Speech | None = None  # the voice-over made for this job: the mix and the captions follow its words
    prediction_id: str | None = None  # a prediction already made for this job: follow it, never make another
    record_prediction: Record | None = None  # commits a new prediction's id on the job before its first poll
    # An earlier run of this job began after this time: it may have made a prediction and been cut off before
    # recording it. Such a prediction is looked for (made by this job, same model and input) before another.
    earlier_runs_since: datetime | None = None
    # Commits the id of a prediction found that way on the job; False when another job already holds it.
    adopt_prediction: Adopt | None = None
    # Another job active meanwhile asked for the same prompt: a prediction found by its input alone may be
    # theirs (only one that names this job, by its webhook, is then taken).
    prompt_shared: bool = True
    # The placement the video is made for (an export): its text-safe shares replace the format's, its loudness
    # and true-peak ceiling the mix's, its size the finisher's output size. None: the format's own.
    placement: Placement | None = None

    @property
    def floor_kbps(self) -> int:
        """The lowest bitrate its placement takes (0: none, or no placement): its encoder aims above it."""
        return self.placement.video_kbps[0] if self.placement else 0

    @property
    def motion(self) -> Motion | None:
        """How the brief asks the logo or the product to move: read from its words by the rules that read it at
        submission (`Brief.motion`), so an engine needs no field of the job's spec for it."""
        return read_motion(self.brief, self.template or "prompt")

    @classmethod
    def of(cls, job_id: str, resolved: Resolved, *, brief: str, prompt: str, **rest: Any) -> RenderJob:
        """A render job for a request already checked (and adapted) on its model."""
        return cls(
            job_id=job_id,
            brief=brief,
            prompt=prompt,
            model=resolved.model,
            duration_s=resolved.duration_s,
            aspect=resolved.aspect,
            resolution=resolved.resolution,
            width=resolved.width,
            height=resolved.height,
            fps=resolved.fps,
            audio=resolved.audio,
            **rest,
        )


@dataclass
class RenderOutcome:
    """What an engine reports besides the file it wrote."""

    provider_job_id: str | None = None
    predict_time_s: float | None = None
    actual_cost_usd: float | None = None
    notice: str = ""  # what the user should know of how it was made ("This video uses the brief's colours ...")
    sound: CreativeSound | None = None  # what the engine mixed (music bed, loudness measured), when it made sound
    speech: Speech | None = None  # the voice-over as the engine placed it, when it moved lines to its own beats


class Engine(Protocol):
    """Writes an MP4 for `job` to `dest`, reporting progress; raises a ClapboardError on failure.

    Cancelling `render` stops waiting but leaves a provider's prediction running (a restart re-attaches to it),
    its id recorded even when the cancel came while the provider was still answering the create; `cancel` stops
    the prediction itself, when the user no longer wants it, and returns its status after that ("canceled", or
    "succeeded" when it had finished first; None when the provider did not say)."""

    async def render(self, job: RenderJob, dest: Path, progress: Progress) -> RenderOutcome: ...

    async def cancel(self, prediction_id: str) -> str | None: ...


EngineFactory = Callable[[ModelSpec], Engine]
"""The engine that renders a model (tests swap in their own)."""
Subscribe = Callable[[Callable[[Any], Awaitable[None]]], Callable[[], None]]
"""Listens to the job events from now on (the job event bus's `subscribe`); returns the unsubscribe."""
