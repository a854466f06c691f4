"""The small event interface through which jobs report progress; `chat/` implements it, tools never import chat."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel

EventKind = Literal["queued", "running", "progress", "creative_ready", "failed"]


class JobEvent(BaseModel):
    """One thing that happened to a generation job."""

    kind: EventKind
    job_id: str
    campaign_id: str
    model: str
    fraction: float | None = None  # 0..1 for progress
    message: str = ""  # what a user should read
    creative_id: str | None = None
    stage: str | None = None  # the stage that failed


class JobListener(Protocol):
    async def __call__(self, event: JobEvent) -> None: ...
