"""Providers calling back: Replicate's signed webhook (no bearer token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from campaign.text import StorableText
from chat.http.deps import StudioDep
from chat.http.problems import responses

router = APIRouter()
WEBHOOK_MAX_BYTES = 1024 * 1024


@router.post("/webhooks/replicate", responses=responses(401, 413, 422, 503))
async def replicate_webhook(
    request: Request, studio: StudioDep, job: Annotated[StorableText, Query(min_length=1, max_length=32)]
) -> dict[str, Any]:
    """Replicate reports a finished prediction (signed with the account's webhook secret; no bearer token)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > WEBHOOK_MAX_BYTES:
            raise HTTPException(413, "This webhook body is too large.")
    handled = await studio.replicate_webhook(job, dict(request.headers), bytes(body))
    return {"handled": handled}
