"""The kit a new job follows: the campaign's kit over its team's, and the versions it came from."""

from __future__ import annotations

from campaign.models import BrandKitVersion
from campaign.store import Store
from tools.brand.kit import BrandKit, BrandVersion


def effective(team: BrandKitVersion | None, campaign: BrandKitVersion | None) -> tuple[BrandKit, BrandVersion | None]:
    """The kit two stored versions make (the campaign's fields over the team's) and their version pair."""
    if team is None and campaign is None:
        return BrandKit(), None
    kit = BrandKit.model_validate(team.kit) if team else BrandKit()
    if campaign is not None:
        kit = BrandKit.model_validate(campaign.kit).over(kit)
    return kit, BrandVersion(team=team.version if team else None, campaign=campaign.version if campaign else None)


async def current(store: Store, team_id: str, campaign_id: str | None) -> tuple[BrandKit | None, BrandVersion | None]:
    """The kit a job for this campaign (or none yet) follows now, and its versions; (None, None) when the team
    has set no kit."""
    team = await store.brand_kit(team_id, None)
    campaign = await store.brand_kit(team_id, campaign_id) if campaign_id else None
    kit, version = effective(team, campaign)
    return (None, None) if version is None else (kit, version)
