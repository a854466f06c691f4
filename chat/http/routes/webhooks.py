"""Providers calling back: their signed webhooks (no bearer token), at `/webhooks/{provider}`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from chat.http.deps import StudioDep
from chat.http.problems import responses
from tools.studio.types import StorableText

router = APIRouter()
WEBHOOK_MAX_BYTES = 1024 * 1024


@router.post("/webhooks/{provider}", responses=responses(401, 404, 413, 422, 503))
async def provider_webhook(
    provider: Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")],
    request: Request,
    studio: StudioDep,
    job: Annotated[StorableText, Query(min_length=1, max_length=32)],
) -> dict[str, Any]:
    """A provider reports on a job's render (Replicate: a prediction, signed with the account's webhook secret)."""
    studio.jobs.webhook_receiver(provider)  # an unknown provider is a 404 before the body is read
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > WEBHOOK_MAX_BYTES:
            raise HTTPException(413, "This webhook body is too large.")
    handled = await studio.jobs.webhook(provider, job, dict(request.headers), bytes(body))
    return {"handled": handled}
