"""The team's jobs: list, one, confirm a price, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from chat.http.deps import FOUND, CampaignName, Id, StudioDep, Who
from chat.http.problems import responses
from tools.studio.types import ACTIVE, JobStatus, JobView

router = APIRouter()


@router.get("/jobs", responses=FOUND)
async def jobs(
    studio: StudioDep,
    who: Who,
    status: JobStatus | None = None,
    campaign: CampaignName = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[JobView]:
    """The team's jobs, newest first (other people's price questions are theirs); filter by status and
    campaign."""
    return await studio.jobs.jobs(who, status=status, campaign=campaign, limit=limit)


@router.get("/jobs/{job_id}", responses=FOUND)
async def job(job_id: Id, studio: StudioDep, who: Who) -> JobView:
    return await studio.jobs.job(who, job_id)


@router.post("/jobs/{job_id}/confirm", responses=responses(401, 402, 403, 404, 409, 422, 503))
async def confirm(job_id: Id, studio: StudioDep, who: Who) -> JobView:
    """Approve a paid job's price: the person who asked for it, or an admin (402, and nothing starts, when it
    would pass a monthly budget)."""
    if (await studio.jobs.job(who, job_id)).status != JobStatus.awaiting_confirmation:
        raise HTTPException(409, "This job is not waiting for confirmation.")
    return await studio.jobs.confirm(who, job_id)


@router.post("/jobs/{job_id}/cancel", responses=responses(401, 403, 404, 409, 422, 503))
async def cancel(job_id: Id, studio: StudioDep, who: Who) -> JobView:
    """Cancel a job wherever it runs: the person who asked for it, or an admin."""
    if (await studio.jobs.job(who, job_id)).status not in (JobStatus.awaiting_confirmation, *ACTIVE):
        raise HTTPException(409, "This job has already finished.")
    return await studio.jobs.cancel(who, job_id)
