"""The one interface every video engine implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tools.catalog import ModelSpec

Progress = Callable[[float, str], Awaitable[None]]


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
    template: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # headline, tagline, features, price, cta
    references: list[Reference] = field(default_factory=list)
    audio: bool = False


@dataclass
class RenderOutcome:
    """What an engine reports besides the file it wrote."""

    provider_job_id: str | None = None
    predict_time_s: float | None = None
    actual_cost_usd: float | None = None


class Engine(Protocol):
    """Writes an MP4 for `job` to `dest`, reporting progress; raises a ClapboardError on failure."""

    async def render(self, job: RenderJob, dest: Path, progress: Progress) -> RenderOutcome: ...
