"""What front ends show of a creative and a job: built from the tables, never copied field by field."""

from __future__ import annotations

from pydantic import BaseModel

from campaign.models import Creative, Job
from campaign.storage import BlobStorage
from tools.jobs.spec import JobSpec


class CreativeView(BaseModel):
    """A creative as the chat, the CLI and the API show it."""

    id: str
    campaign: str
    title: str
    model: str
    template: str | None
    prompt: str
    prompt_sent: str
    duration_s: float
    aspect: str
    width: int
    height: int
    fps: float
    bytes: int
    file: str | None  # a local path when storage is local
    url: str
    poster_url: str | None
    reference_keys: list[str]
    estimated_cost_usd: float
    actual_cost_usd: float | None
    provider_job_id: str | None
    notice: str | None
    created_at: str

    @classmethod
    def of(cls, c: Creative, campaign: str, storage: BlobStorage) -> CreativeView:
        path = storage.local_path(c.file_key)
        return cls.model_validate(
            {
                **{name: getattr(c, name) for name in cls.model_fields if hasattr(c, name)},
                "campaign": campaign,
                "file": str(path) if path else None,
                "url": storage.url(c.file_key),
                "poster_url": storage.url(c.poster_key) if c.poster_key else None,
                "created_at": c.created_at.isoformat(),
            }
        )


class JobView(BaseModel):
    """A job as the API and the CLI show it."""

    id: str
    campaign: str
    title: str
    status: str
    model: str
    model_used: str | None
    progress: float
    estimated_cost_usd: float
    stage: str | None
    error: str | None
    notice: str | None
    origin: str
    canceled_by: str | None
    creative_id: str | None
    prediction_id: str | None
    runner: str | None  # the server or worker holding it: host:pid:id
    attempts: int
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, job: Job, campaign: str) -> JobView:
        return cls.model_validate(
            {
                **{name: getattr(job, name) for name in cls.model_fields if hasattr(job, name)},
                "campaign": campaign,
                "title": JobSpec.of(job).title,
                "prediction_id": job.provider_job_id,
                "created_at": job.created_at.isoformat(),
                "updated_at": job.updated_at.isoformat(),
            }
        )
