"""The campaign store on SQLite and PostgreSQL: migrations, the default campaign, jobs and creatives."""

from __future__ import annotations

import pytest

from campaign.errors import NotFound
from campaign.models import Creative
from campaign.store import DEFAULT_CAMPAIGN, Store


async def test_first_run_has_the_default_campaign_and_migrations_are_idempotent(database_url: str) -> None:
    store = await Store.open(database_url)
    await store.close()
    store = await Store.open(database_url)  # a second start applies nothing twice
    try:
        assert [c.name for c in await store.campaigns()] == [DEFAULT_CAMPAIGN]
        assert (await store.campaign("default CAMPAIGN")).name == DEFAULT_CAMPAIGN
    finally:
        await store.close()


async def test_jobs_and_creatives_round_trip(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        spring = await store.campaign("Spring sale", create=True)
        job = await store.add_job(campaign_id=spring.id, status="queued", model="draft", request={"prompt": "hi"})
        await store.update_job(job.id, status="succeeded", progress=1.0)
        assert (await store.job(job.id)).status == "succeeded"
        creative = Creative(
            campaign_id=spring.id, job_id=job.id, title="Teaser", prompt="a teaser", prompt_sent="a teaser, refined",
            model="draft", template="social-media", duration_s=6.0, aspect="9:16", width=720, height=1280,
            fps=24.0, bytes=1234, file_key="creatives/x/video.mp4", poster_key="creatives/x/poster.jpg",
            reference_keys=["refs/ab.png"], estimated_cost_usd=0.0, actual_cost_usd=0.0,
            provider_job_id="p1", predict_time_s=1.5,
        )  # fmt: skip
        await store.add_creative(creative)
        listed = await store.creatives(spring.id)
        assert [c.title for c in listed] == ["Teaser"]
        assert listed[0].reference_keys == ["refs/ab.png"]
        assert listed[0].prompt_sent == "a teaser, refined"
        assert await store.creatives((await store.campaign()).id) == []
        with pytest.raises(NotFound):
            await store.campaign("Nope")
    finally:
        await store.close()
