"""The team's creatives: list, one, rename, delete."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from chat.http.deps import FOUND, CampaignName, Id, StudioDep, Who
from chat.http.problems import responses
from tools.studio.types import TITLE_CHARS, CreativeView, Words

router = APIRouter()


def _public(c: CreativeView) -> CreativeView:
    """What API clients see: the URL, never the server's file path."""
    return c.model_copy(update={"file": None})


@router.get("/creatives", responses=FOUND)
async def creatives(studio: StudioDep, who: Who, campaign: CampaignName = None) -> list[CreativeView]:
    return [_public(c) for c in await studio.library.creatives(who, campaign)]


@router.get("/creatives/{creative_id}", responses=FOUND)
async def creative(creative_id: Id, studio: StudioDep, who: Who) -> CreativeView:
    return _public(await studio.library.creative(who, creative_id))


class RenameBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Words = Field(min_length=1, max_length=TITLE_CHARS)


@router.patch("/creatives/{creative_id}", responses=FOUND)
async def rename_creative(creative_id: Id, body: RenameBody, studio: StudioDep, who: Who) -> CreativeView:
    """Rename a creative (anyone in the team): 1 to 120 characters, trimmed."""
    return _public(await studio.library.rename_creative(who, creative_id, body.title))


@router.delete("/creatives/{creative_id}", status_code=204, responses=responses(401, 403, 404, 422, 503))
async def delete_creative(creative_id: Id, studio: StudioDep, who: Who) -> Response:
    """Delete a creative and its files (its maker or an admin); the job that made it keeps its history."""
    await studio.library.delete_creative(who, creative_id)
    return Response(status_code=204)
