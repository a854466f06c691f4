"""The team's campaigns: list and create."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from chat.http.deps import SIGNED, StudioDep, Who
from tools.studio.types import CampaignView, Words

router = APIRouter()


@router.get("/campaigns", responses=SIGNED)
async def campaigns(studio: StudioDep, who: Who) -> list[CampaignView]:
    """The team's campaigns, oldest first, each with its number of creatives and their total cost."""
    return await studio.library.campaigns(who)


class CampaignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Words = Field(min_length=1, max_length=200)


@router.post("/campaigns", status_code=201, responses=SIGNED)
async def create_campaign(body: CampaignBody, studio: StudioDep, who: Who) -> CampaignView:
    return await studio.library.create_campaign(who, body.name)
