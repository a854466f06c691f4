"""Tables: Campaign, Creative and Job (SQLAlchemy 2 declarative)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite returns naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """One generation request, from submission to its creative or its failure."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)  # see tools.jobs.JobStatus
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the checked request, as submitted
    model: Mapped[str] = mapped_column(String(64))  # the model asked for
    model_used: Mapped[str | None] = mapped_column(String(64))  # the model that made the video
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str | None] = mapped_column(String(32))  # the stage that failed
    error: Mapped[str | None] = mapped_column(Text)  # what the user reads
    notice: Mapped[str | None] = mapped_column(Text)  # fallbacks and other things the user should know
    origin: Mapped[str] = mapped_column(String(80), default="")  # "chat:<thread id>", "cli", "api"
    creative_id: Mapped[str | None] = mapped_column(String(32))
    delivered: Mapped[bool] = mapped_column(default=False)  # shown in a live chat
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Creative(Base):
    """A finished video on a campaign's list of creatives."""

    __tablename__ = "creatives"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text)  # as the user gave it
    prompt_sent: Mapped[str] = mapped_column(Text)  # as sent to the model
    model: Mapped[str] = mapped_column(String(64))
    template: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float] = mapped_column(Float)
    aspect: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    fps: Mapped[float] = mapped_column(Float)
    bytes: Mapped[int] = mapped_column(BigInteger)
    file_key: Mapped[str] = mapped_column(String(300))
    poster_key: Mapped[str | None] = mapped_column(String(300))
    reference_keys: Mapped[list[str]] = mapped_column(default=list)
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    actual_cost_usd: Mapped[float | None] = mapped_column(Float)
    provider_job_id: Mapped[str | None] = mapped_column(String(120))
    predict_time_s: Mapped[float | None] = mapped_column(Float)
    notice: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
