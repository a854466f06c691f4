"""Exports: a creative's file for each placement, checked against the placement's specs and signed (a job)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from chat.http.deps import FOUND, SIGNED, Id, StudioDep, Who
from chat.http.problems import responses
from chat.http.routes.video import IdempotencyKey
from tools.studio.types import ExportView, StorableText

router = APIRouter()


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    placements: list[StorableText] = Field(
        default_factory=lambda: ["all"],
        min_length=1,
        max_length=20,
        description="Placement keys or names: tiktok, reels, stories, meta-feed, meta-feed-square, shorts, youtube, "
        'linkedin, or "all" (every one but meta-feed-square).',
    )
    trim: bool = Field(default=False, description="Cut each file to its placement's longest length.")


@router.post("/creatives/{creative_id}/exports", status_code=202, responses=responses(401, 403, 404, 409, 422, 503))
async def export_creative(
    creative_id: Id, body: ExportBody, studio: StudioDep, who: Who, key: IdempotencyKey = None
) -> ExportView:
    """Export the creative to placements: a job (follow it at GET /api/exports/{id}); each file made again for its
    placement, signed with content credentials and checked; a file that fails a check is not delivered. 403 when
    the team's exports need approval and a reviewer has not approved the creative."""
    return await studio.exports.export(who, creative_id, list(body.placements), trim=body.trim,
                                       origin=f"api:{who.user_id}", idempotency_key=key)  # fmt: skip


@router.get("/creatives/{creative_id}/exports", responses=FOUND)
async def creative_exports(
    creative_id: Id, studio: StudioDep, who: Who, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[ExportView]:
    await studio.library.creative(who, creative_id)  # another team's creative is not found
    return await studio.exports.list(who, creative_id, limit)


@router.get("/exports", responses=SIGNED)
async def exports(
    studio: StudioDep,
    who: Who,
    creative: Annotated[
        str | None, Query(pattern=r"^[0-9a-f]{32}$", description="Only this creative's exports.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ExportView]:
    """The team's exports, newest first (one creative's with `creative`)."""
    return await studio.exports.list(who, creative, limit)


@router.get("/exports/{export_id}", responses=FOUND)
async def export(export_id: Id, studio: StudioDep, who: Who) -> ExportView:
    """An export: its state, then its files with every check, the zip and manifest.json."""
    return await studio.exports.get(who, export_id)
