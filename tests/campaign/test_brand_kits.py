"""Brand kits in the store, on SQLite and PostgreSQL: an edit is the next version, the team's kit and each
campaign's count their own versions, and two writes of one version number cannot both land."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError

from campaign.models import DEFAULT_TEAM_ID as TEAM
from campaign.models import BrandKitVersion
from campaign.store import Store


async def test_versions_count_per_kit_and_never_collide(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        spring = await store.campaign(TEAM, "Spring", create=True)
        assert await store.brand_kit(TEAM, None) is None
        for cta in ("Shop now", "Buy now"):
            await store.add_brand_kit(TEAM, None, {"cta": cta}, "local")
        await store.add_brand_kit(TEAM, spring.id, {"cta": "Spring deals"}, "local")
        team, mine = await store.brand_kit(TEAM, None), await store.brand_kit(TEAM, spring.id)
        assert team is not None and (team.version, team.kit) == (2, {"cta": "Buy now"})
        assert mine is not None and (mine.version, mine.kit) == (1, {"cta": "Spring deals"})
        assert [v.version for v in await store.brand_kit_versions(TEAM, None)] == [2, 1]
        both = await asyncio.gather(*(store.add_brand_kit(TEAM, None, {"cta": c}, "local") for c in ("A", "B")))
        assert sorted(k.version for k in both) == [3, 4]  # two edits at once: two versions, neither lost
        other = await store.team("globex", create=True)
        assert await store.brand_kit(other.id, None) is None  # another team's kit is its own
        for campaign_id in (None, spring.id):  # the same version twice, for the team's kit (NULL) and a campaign's
            with pytest.raises(IntegrityError):
                async with store._session() as s:
                    s.add(BrandKitVersion(team_id=TEAM, campaign_id=campaign_id, version=1, kit={}))
                    await s.commit()
    finally:
        await store.close()
