"""A job's status: its own module, so that a command that only names statuses loads no database code."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    awaiting_confirmation = "awaiting_confirmation"
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"


ACTIVE = (JobStatus.queued, JobStatus.running)
