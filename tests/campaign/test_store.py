"""The campaign store on SQLite and PostgreSQL: migrations, the default campaign, jobs and creatives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from campaign.errors import NotFound
from campaign.models import DEFAULT_TEAM_ID as TEAM
from campaign.models import Creative
from campaign.store import DEFAULT_CAMPAIGN, HEAD, MIGRATIONS, Store, _upgrade
from tools.brief import AdCopy


async def test_migrations_are_idempotent_and_campaigns_are_per_team(empty_database_url: str) -> None:
    store = await Store.open(empty_database_url)
    await store.close()
    store = await Store.open(empty_database_url)  # a second start applies nothing twice
    try:
        assert await store.campaigns(TEAM) == []
        assert (await store.campaign(TEAM, create=True)).name == DEFAULT_CAMPAIGN
        assert (await store.campaign(TEAM, "default CAMPAIGN")).name == DEFAULT_CAMPAIGN
        globex = await store.team("globex", create=True)
        theirs = await store.campaign(globex.id, "Default campaign", create=True)  # the same name in another team
        assert theirs.team_id == globex.id and [c.name for c in await store.campaigns(globex.id)] == [DEFAULT_CAMPAIGN]
        with pytest.raises(NotFound, match="none yet"):
            await store.campaign((await store.team("initech", create=True)).id, "Spring sale")
    finally:
        await store.close()


def test_the_newest_revision_is_alembics_head() -> None:
    """A start skips Alembic when the database is at HEAD, so HEAD must be the revision Alembic upgrades to."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


async def test_servers_starting_together_migrate_once(postgres_url: str) -> None:
    """On PostgreSQL starters queue on an advisory lock: one migrates, the others find the database at HEAD."""
    import asyncio

    stores = await asyncio.gather(*(Store.open(postgres_url) for _ in range(4)))
    try:
        async with stores[0].engine.connect() as conn:
            assert list(await conn.scalars(sa.text("SELECT version_num FROM alembic_version"))) == [HEAD]
        for store in stores:
            assert (await store.campaign(TEAM, create=True)).name == DEFAULT_CAMPAIGN
    finally:
        for store in stores:
            await store.close()


async def test_jobs_and_creatives_round_trip(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        spring = await store.campaign(TEAM, "Spring sale", create=True)
        job = await store.add_job(campaign_id=spring.id, status="queued", model="draft", spec={"prompt": "hi"})
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
        listed = await store.creatives(TEAM, spring.id)
        assert [c.title for c in listed] == ["Teaser"]
        assert listed[0].reference_keys == ["refs/ab.png"]
        assert listed[0].prompt_sent == "a teaser, refined"
        assert await store.creatives(TEAM, (await store.campaign(TEAM, create=True)).id) == []
        with pytest.raises(NotFound):
            await store.campaign(TEAM, "Nope")
    finally:
        await store.close()


def _creative(campaign_id: str, job_id: str | None, title: str) -> Creative:
    return Creative(
        campaign_id=campaign_id, job_id=job_id, title=title, prompt="p", prompt_sent="p", model="draft",
        template=None, duration_s=2.0, aspect="1:1", width=720, height=720, fps=24.0, bytes=1,
        file_key=f"creatives/{title}/video.mp4", poster_key=None, reference_keys=[],
    )  # fmt: skip


async def test_a_job_has_one_creative_and_a_key_one_job(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        campaign = await store.campaign(TEAM, create=True)
        job = await store.add_job(campaign_id=campaign.id, status="running", model="draft", spec={})
        first = await store.add_creative(_creative(campaign.id, job.id, "first"))
        second = await store.add_creative(_creative(campaign.id, job.id, "second"))  # a racing runner
        assert second.id == first.id and [c.title for c in await store.creatives(TEAM)] == ["first"]

        keyed = {"campaign_id": campaign.id, "status": "queued", "model": "draft", "spec": {}, "origin": "api:a"}
        one = await store.add_job(**keyed, idempotency_key="k1", request_hash="h1")
        again = await store.add_job(**keyed, idempotency_key="k1", request_hash="h2")
        assert again.id == one.id and again.request_hash == "h1"
        other_origin = await store.add_job(**{**keyed, "origin": "api:b"}, idempotency_key="k1")
        assert other_origin.id != one.id
        assert len({(await store.add_job(**keyed)).id for _ in range(2)}) == 2  # no key: every job is new
    finally:
        await store.close()


async def test_creatives_are_renamed_deleted_and_totalled_per_campaign(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        spring, autumn = [await store.campaign(TEAM, n, create=True) for n in ("Spring", "Autumn")]
        job = await store.add_job(campaign_id=spring.id, status="succeeded", model="veo", spec={})
        paid = _creative(spring.id, job.id, "paid")
        paid.estimated_cost_usd, paid.actual_cost_usd = 2.0, 1.5
        unknown = _creative(spring.id, None, "unknown")  # the provider never said: the estimate counts
        unknown.estimated_cost_usd, unknown.actual_cost_usd = 0.4, None
        for creative in (paid, unknown, _creative(autumn.id, None, "free")):
            await store.add_creative(creative)
        await store.update_job(job.id, creative_id=paid.id)
        assert await store.campaign_totals(TEAM) == {spring.id: (2, 1.9), autumn.id: (1, 0.0)}

        globex = await store.team("globex", create=True)
        assert await store.campaign_totals(globex.id) == {}
        assert await store.creative_ids(TEAM, paid.id[:6]) == [paid.id]
        assert await store.creative_ids(globex.id, paid.id[:6]) == []  # another team's ids are not found
        assert await store.creative_ids(TEAM, "%") == []  # a wildcard is a character, not "anything"
        with pytest.raises(NotFound):
            await store.rename_creative(paid.id, globex.id, "Theirs")
        assert (await store.rename_creative(paid.id, TEAM, "Kite teaser")).title == "Kite teaser"
        assert (await store.creative(paid.id, TEAM)).title == "Kite teaser"

        with pytest.raises(NotFound):
            await store.delete_creative(paid.id, globex.id)
        await store.delete_creative(paid.id, TEAM)
        with pytest.raises(NotFound):
            await store.creative(paid.id, TEAM)
        kept = await store.job(job.id)  # the job stays, with no creative to show
        assert (kept.status, kept.creative_id, kept.delivered) == ("succeeded", None, True)
        assert await store.campaign_totals(TEAM) == {spring.id: (1, 0.4), autumn.id: (1, 0.0)}
    finally:
        await store.close()


async def test_leases_keep_live_runners_jobs_and_free_dead_ones(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        campaign = await store.campaign(TEAM, create=True)
        now = datetime.now(UTC)
        live, dead = now + timedelta(seconds=30), now - timedelta(seconds=1)
        base = {"campaign_id": campaign.id, "model": "draft", "spec": {}}
        b_running = await store.add_job(**base, status="running", runner="B", lease_until=live)
        a_running = await store.add_job(**base, status="running", runner="A", lease_until=dead)
        a_queued = await store.add_job(**base, status="queued", runner="A", lease_until=dead)
        fresh = await store.add_job(**base, status="queued", lease_until=live)  # just submitted, not yet taken
        done = await store.add_job(**base, status="succeeded", runner="A", lease_until=dead)

        assert set(await store.orphans(now)) == {a_running.id, a_queued.id}
        assert not await store.adopt(b_running.id, "C", live, now)
        assert not await store.adopt(fresh.id, "C", live, now)
        assert await store.adopt(fresh.id, "C", live, now, fresh=True)
        assert not await store.adopt(done.id, "C", live, now)
        assert await store.adopt(a_running.id, "C", live, now)
        assert not await store.adopt(a_running.id, "D", live, now)  # only one runner takes it over
        taken = await store.job(a_running.id)
        assert (taken.status, taken.runner) == ("queued", "C")

        later = now + timedelta(seconds=60)
        assert await store.renew_leases("C", [fresh.id, a_running.id, b_running.id], later) == {fresh.id, a_running.id}
        assert (await store.job(fresh.id)).lease_until == later
        assert not await store.update_job(b_running.id, held_by="C", progress=0.5)
        assert await store.update_job(b_running.id, held_by="B", progress=0.5)
        await store.release("B", [b_running.id])
        released = await store.job(b_running.id)
        assert (released.status, released.runner, released.lease_until) == ("queued", None, None)
        assert b_running.id in await store.orphans(now)

        assert await store.first_delivery("msg_1", b_running.id)
        assert not await store.first_delivery("msg_1", b_running.id)  # a replay
    finally:
        await store.close()


async def test_jobs_written_before_the_upgrade_keep_their_request(empty_database_url: str) -> None:
    engine = create_async_engine(empty_database_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: _upgrade(c, "0001"))
        await conn.execute(sa.text("INSERT INTO campaigns (id, name, created_at) VALUES ('c1', 'Old', :t)"),
                           {"t": datetime.now(UTC)})  # fmt: skip
        await conn.execute(
            sa.text(
                "INSERT INTO jobs (id, campaign_id, status, request, model, estimated_cost_usd, progress, origin, "
                "delivered, created_at, updated_at) VALUES ('j1', 'c1', 'queued', :r, 'draft', 0, 0, 'cli', "
                "false, :t, :t)"
            ),
            {"r": '{"prompt": "an old brief", "title": "Old"}', "t": datetime.now(UTC)},
        )
    await engine.dispose()
    store = await Store.open(empty_database_url)
    try:
        job = await store.job("j1")
        assert job.spec == {"prompt": "an old brief", "title": "Old"} and job.attempts == 0
        assert await store.orphans(datetime.now(UTC)) == ["j1"]  # no lease: taken over at the next start
        assert [c.name for c in await store.campaigns(TEAM)] == ["Old"]  # what came before teams is "default"'s
        assert (await store.job("j1", TEAM)).id == "j1"
    finally:
        await store.close()


async def test_the_copy_of_jobs_and_creatives_made_before_the_upgrade_is_kept(empty_database_url: str) -> None:
    """Before 0007 a job's spec kept its words as `fields` (features one per line); after, as `copy`."""
    engine = create_async_engine(empty_database_url)
    now = {"t": datetime.now(UTC)}
    fields = {"headline": "Ridge 2", "features": "Light\nFast", "price": "$99", "tagline": "", "cta": "Go " * 60}
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: _upgrade(c, "0006"))
        await conn.execute(sa.text("INSERT INTO campaigns (id, team_id, name, created_at) VALUES ('c1', 'default', "
                                   "'Old', :t)"), now)  # fmt: skip
        await conn.execute(
            sa.text(
                "INSERT INTO jobs (id, campaign_id, status, spec, model, estimated_cost_usd, progress, origin, "
                "delivered, attempts, created_at, updated_at) VALUES ('j1', 'c1', 'succeeded', :s, 'draft', 0, 1, "
                "'cli', true, 1, :t, :t)"
            ),
            {"s": json.dumps({"prompt": "a shoe", "title": "Old", "fields": fields}), **now},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO creatives (id, campaign_id, job_id, title, prompt, prompt_sent, model, duration_s, aspect,"
                " width, height, fps, bytes, file_key, reference_keys, estimated_cost_usd, created_at) VALUES ('k1', "
                "'c1', 'j1', 'Old', 'a shoe', 'a shoe', 'draft', 2, '1:1', 720, 720, 24, 1, 'x.mp4', '[]', 0, :t)"
            ),
            now,
        )
    await engine.dispose()
    store = await Store.open(empty_database_url)
    try:
        expected = {"headline": "Ridge 2", "price": "$99", "cta": ("Go " * 40).strip(), "features": ["Light", "Fast"]}
        job = await store.job("j1")
        assert job.spec == {"prompt": "a shoe", "title": "Old", "copy": expected}
        assert AdCopy.model_validate(job.spec["copy"]).texts()  # what AdCopy takes: 120 characters at most
        creative = await store.creative("k1", TEAM)
        assert creative.copy == expected and creative.set_id is None
    finally:
        await store.close()


async def test_a_change_is_announced_with_its_commit_and_only_when_it_happened(postgres_url: str) -> None:
    import asyncio

    import asyncpg

    from campaign.store import EVENTS

    store = await Store.open(postgres_url)
    heard: list[str] = []
    listener = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
    await listener.add_listener(EVENTS, lambda _c, _p, _ch, payload: heard.append(payload))
    try:
        campaign = await store.campaign(TEAM, create=True)
        job = await store.add_job(campaign_id=campaign.id, status="queued", model="draft", spec={})
        assert await store.transition(job.id, ["queued"], "running", announce="started")
        assert not await store.transition(job.id, ["queued"], "running", announce="again")  # no change, no word
        assert await store.update_job(job.id, progress=0.5, announce="halfway")
        for _ in range(50):
            if len(heard) >= 2:
                break
            await asyncio.sleep(0.05)
        assert heard == ["started", "halfway"]
    finally:
        await listener.close()
        await store.close()


async def test_a_campaign_named_with_a_non_ascii_capital_is_found_in_any_case(database_url: str) -> None:
    """SQLite's lower() folds ASCII only: "Été 2026" worked once, then was not found (nor made again)."""
    store = await Store.open(database_url)
    try:
        ete = await store.campaign(TEAM, "Été 2026", create=True)
        for asked in ("Été 2026", "été 2026", "ÉTÉ 2026", "E\u0301te\u0301 2026"):  # the last one decomposed
            assert (await store.campaign(TEAM, asked)).id == ete.id, asked
            assert (await store.campaign(TEAM, asked, create=True)).id == ete.id, asked
        assert (await store.campaign(TEAM, "STRASSE", create=True)).id == (await store.campaign(TEAM, "Straße")).id
        assert [c.name for c in await store.campaigns(TEAM)] == ["Été 2026", "STRASSE"]
    finally:
        await store.close()


async def test_campaigns_made_before_the_upgrade_are_found_in_any_case(empty_database_url: str) -> None:
    """Names kept before 0008 get their key; two that only differed in a non-ASCII capital both stay reachable."""
    engine = create_async_engine(empty_database_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: _upgrade(c, "0007"))
        for cid, name, day in (("c1", "Été 2026", 1), ("c2", "été 2026", 2), ("c3", "Spring", 3)):
            row = {"i": cid, "n": name, "t": datetime(2026, 1, day, tzinfo=UTC)}
            await conn.execute(sa.text("INSERT INTO campaigns (id, team_id, name, created_at) VALUES (:i, 'default', "
                                       ":n, :t)"), row)  # fmt: skip
    await engine.dispose()
    store = await Store.open(empty_database_url)
    try:
        assert (await store.campaign(TEAM, "ÉTÉ 2026")).id == "c1"
        assert (await store.campaign(TEAM, "été 2026 (2)")).id == "c2"
        assert (await store.campaign(TEAM, "spring")).id == "c3"
    finally:
        await store.close()
