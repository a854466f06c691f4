"""What front ends show of a batch: its quote (every row, what it says and shows, its price or why it cannot be
made) and, once confirmed, its progress in one line."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from campaign.models import Batch, BatchRow, BatchStatus, JobStatus
from tools.batches import BatchOptions, FeedRow, Item
from tools.jobs.spec import JobSpec


class BatchVideo(BaseModel):
    """One video a row makes."""

    aspect: str
    model: str
    duration_s: int
    estimated_cost_usd: float
    notice: str | None  # what the user should know (a model that stands in for the one asked, a note on the brief)
    job_id: str | None  # once the batch is confirmed
    status: str  # "quoted" until then, then its job's status
    creative_id: str | None = None
    error: str | None = None


class BatchRowView(BaseModel):
    number: int  # as the user finds it in the file (a spreadsheet's row, a feed's item)
    id: str  # the feed's own id of the product ("" when it has none)
    title: str
    says: list[str]  # the words on screen, in display order
    images: list[str]  # as the file gives them
    problem: str | None  # why it cannot be made: nothing is made of it
    videos: list[BatchVideo]


class BatchProgress(BaseModel):
    """How far a batch is: what its one progress line shows, read from its jobs' counts alone."""

    id: str
    status: str  # quoted, running, done or canceled
    videos: int  # videos it makes (or made)
    ready: int
    failed: int
    canceled: int
    active: int  # queued or running
    progress: str  # "12 of 40 ready, 1 failed"

    @classmethod
    def counted(cls, batch: Batch, counts: Mapping[str, int]) -> BatchProgress:
        """`counts`: its jobs by status (a quoted batch's videos counted as "quoted")."""
        ready, failed, canceled = (counts.get(s, 0) for s in (JobStatus.succeeded, JobStatus.failed,
                                                              JobStatus.canceled))  # fmt: skip
        active = sum(n for s, n in counts.items() if s in (JobStatus.queued, JobStatus.running))
        if batch.status == BatchStatus.quoted:
            status = "quoted"
        elif active:  # running, or being stopped: Stop cancels its videos one by one
            status = "running"
        else:
            status = "canceled" if batch.status == BatchStatus.canceled else "done"
        videos = sum(counts.values())
        return cls(id=batch.id, status=status, videos=videos, ready=ready, failed=failed, canceled=canceled,
                   active=active, progress=progress_line(videos, ready, failed, canceled))  # fmt: skip


class BatchView(BatchProgress):
    """A batch as the chat, the CLI and the API show it: its progress, and every row with its videos."""

    campaign: str
    set_id: str  # the library set its videos land in
    source: str  # the file's name ("rows": sent as JSON)
    options: BatchOptions
    rows: list[BatchRowView]
    rejected: int  # rows that cannot be made
    estimated_cost_usd: float
    created_by: str | None  # names
    confirmed_by: str | None
    canceled_by: str | None
    created_at: str

    @classmethod
    def of(
        cls,
        batch: Batch,
        rows: list[BatchRow],
        campaign: str,
        counts: Mapping[str, int],
        jobs: Mapping[str, tuple[str, str | None, str | None]] = {},
        people: Mapping[str, str] = {},
    ) -> BatchView:
        """`counts`: its jobs by status; `jobs`: by id, each one's status, creative and error; `people`: names."""
        shown = [_row(r, jobs) for r in rows]
        if batch.status == BatchStatus.quoted:
            counts = {"quoted": sum(len(r.videos) for r in shown)}
        known = {"local": "owner", **people}
        return cls(
            **BatchProgress.counted(batch, counts).model_dump(),
            campaign=campaign,
            set_id=batch.set_id,
            source=batch.source,
            options=BatchOptions.model_validate(batch.options),
            rows=shown,
            rejected=sum(1 for r in shown if r.problem),
            estimated_cost_usd=round(batch.estimated_cost_usd, 2),
            created_by=known.get(batch.created_by or "", batch.created_by),
            confirmed_by=known.get(batch.confirmed_by or "", batch.confirmed_by),
            canceled_by=known.get(batch.canceled_by or "", batch.canceled_by),
            created_at=batch.created_at.isoformat(),
        )


def progress_line(videos: int, ready: int, failed: int, canceled: int) -> str:
    """ "12 of 40 ready, 1 failed, 3 stopped"."""
    parts = [f"{ready} of {videos} ready"]
    if failed:
        parts.append(f"{failed} failed")
    if canceled:
        parts.append(f"{canceled} stopped")
    return ", ".join(parts)


def _row(row: BatchRow, jobs: Mapping[str, tuple[str, str | None, str | None]]) -> BatchRowView:
    fields = FeedRow.model_validate(row.fields)
    items = [Item.model_validate(i) for i in row.items]
    says = JobSpec.model_validate(items[0].spec).copy.texts() if items else []
    videos = [_video(i, jobs.get(i.job_id or "")) for i in items]
    return BatchRowView(number=row.number, id=fields.id, title=fields.title or fields.headline, says=says,
                        images=fields.images, problem=row.problem, videos=videos)  # fmt: skip


def _video(item: Item, job: tuple[str, str | None, str | None] | None) -> BatchVideo:
    status, creative_id, error = job or ("quoted", None, None)
    return BatchVideo(aspect=item.aspect, model=item.model, duration_s=JobSpec.model_validate(item.spec).duration_s,
                      estimated_cost_usd=item.estimated_cost_usd, notice=item.notice, job_id=item.job_id,
                      status=status, creative_id=creative_id, error=error)  # fmt: skip
