"""New versions of a video through the facade: revised words, variations and every format, kept as one set,
the same jobs again for the same key, and never from another team's video."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.errors import Forbidden, InvalidRequest, NotFound
from campaign.settings import Settings
from campaign.storage import build_storage
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tests.tools.test_jobs import PREMIUM
from tools.brief import AdCopy
from tools.catalog import Catalog
from tools.engines.draft.engine import DraftEngine
from tools.engines.draft.provider import DRAFT
from tools.jobs import VideoRequest
from tools.studio import Studio

# The draft at a quarter of its width and height: these tests read jobs, titles and sets, never a frame, and the
# first makes 16 videos.
QUARTER = {
    f"{a}@{r}": (w // 8 * 2, h // 8 * 2)
    for a in DRAFT.aspects
    for r in DRAFT.resolutions
    for w, h in [DRAFT.frame(a, r)]
}
SMALL_DRAFT = DRAFT.model_copy(update={"frame_sizes": QUARTER})


async def runner(settings: Settings) -> Studio:
    """tests.tools.test_jobs.runner on the small draft: a studio on it and a paid test model with no engine."""
    table = {"draft": DraftEngine(build_storage(settings))}
    return await Studio.open(settings, catalog=Catalog([SMALL_DRAFT, PREMIUM]), engines=lambda spec: table[spec.id])


async def test_versions_of_a_video_keep_its_brief_and_form_one_set(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        alice = await studio.accounts.cli_actor(None)
        made = await studio.jobs.submit(
            alice, VideoRequest(prompt='a kite, "Fly high", $20', duration_s=2, aspect="1:1")
        )
        first = await studio.jobs.wait(alice, made.job_id)

        edited = await studio.jobs.revise(alice, first.id, {"copy": {"headline": "Fly higher"}, "aspect": "9:16"})
        spec = (await studio.store.job(edited.job_id)).spec
        assert AdCopy(**spec["copy"]).given() == {"headline": "Fly higher", "price": "$20"}
        assert spec["aspect"] == "9:16"

        takes = await studio.jobs.variations(alice, first.id, 3, idempotency_key="m1")
        again = await studio.jobs.variations(alice, first.id, 3, idempotency_key="m1")  # a double click
        assert [t.job_id for t in again] == [t.job_id for t in takes]
        assert (
            [t.variation for t in again]
            == [t.variation for t in takes]
            == [
                "hook: the price first",
                "headline order: the offer leads",
                "layout: words and picture swap places",
            ]
        )
        # Of a variation: the original's next change, and the numbers go on counting.
        more = await studio.jobs.variations(alice, takes[0].job_id, 1)
        assert [t.title for t in [*takes, *more]] == [
            f"{first.title}, variation {n} ({short})"
            for n, short in enumerate(("price first", "offer first", "layout swapped", "other colourway"), 1)
        ]
        views = [await studio.jobs.job(alice, t.job_id) for t in more]
        assert [v.variation for v in views] == ["colourway: the accent as the ground"]
        # Past the six kinds, a change comes round again with other shots; one asked for by name.
        rest = await studio.jobs.variations(alice, first.id, 3)
        assert [t.variation for t in rest] == [
            "pacing: faster cuts", "music: another music bed", "hook: the price first, other shots"
        ]  # fmt: skip
        [asked] = await studio.jobs.variations(alice, first.id, 1, change="colourway")
        assert asked.variation == "colourway: the accent as the ground, other shots"
        # A new version of a variation keeps its change.
        longer = await studio.jobs.revise(alice, takes[2].job_id, {"duration_s": 3})
        assert longer.variation == "layout: words and picture swap places" and longer.title.endswith("(layout swapped)")
        with pytest.raises(InvalidRequest, match="nothing to make a 'close-up first' variation of"):
            await studio.jobs.variations(alice, first.id, 1, change="close-up first")  # no picture to close in on

        formats, missing = await studio.jobs.formats(alice, first.id)
        assert sorted(f.aspect for f in formats) == ["16:9", "4:5", "9:16"] and missing == []
        sets = {(await studio.store.job(s.job_id)).spec["set_id"] for s in [*takes, *formats]}
        [set_id] = sets
        await studio.backend.drain()
        creative = await studio.library.creative(alice, first.creative_id or "")
        assert creative.set_id == set_id, "the original joins the set it started"
        assert creative.variation == ""
        made = await studio.jobs.job(alice, takes[0].job_id)
        variation = await studio.library.creative(alice, made.creative_id or "")
        assert (variation.title, variation.variation) == (takes[0].title, "hook: the price first")

        with pytest.raises(InvalidRequest, match="1 to 6 variations"):
            await studio.jobs.variations(alice, first.id, 7)
    finally:
        await studio.close()


async def test_another_teams_video_cannot_be_revised_varied_or_reformatted(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        await studio.accounts.add("alice", team="acme", password="alice-password")
        await studio.accounts.add("carol", team="globex", password="carol-password")
        alice, carol = await studio.accounts.cli_actor("alice"), await studio.accounts.cli_actor("carol")
        made = await studio.jobs.submit(alice, VideoRequest(prompt="a kite", duration_s=2))
        for attempt in (
            studio.jobs.revise(carol, made.job_id, {"aspect": "1:1"}),
            studio.jobs.variations(carol, made.job_id, 2),
            studio.jobs.formats(carol, made.job_id),
        ):
            with pytest.raises(NotFound):
                await attempt
        assert len(await studio.jobs.jobs(alice)) == 1
    finally:
        await studio.close()


async def test_new_words_before_the_price_is_confirmed_replace_the_job_and_charge_nothing(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        await studio.accounts.add("alice", team="acme", password="alice-password")
        await studio.accounts.add("bob", team="acme", password="bob-password")
        await studio.accounts.add("carol", team="globex", password="carol-password")
        alice, bob, carol = [await studio.accounts.cli_actor(n) for n in ("alice", "bob", "carol")]
        copy = {"headline": "Fly high", "tagline": "Made for wind", "code": "Use code KITE10"}
        paid = VideoRequest(prompt="a kite over a beach", model="premium", duration_s=4, copy=copy)
        asked = await studio.jobs.submit(alice, paid, origin="chat:t")
        assert asked.needs_confirmation and asked.copy.code == "Use code KITE10"
        for who, error in ((carol, NotFound), (bob, Forbidden)):  # another team's job; a teammate's question
            with pytest.raises(error):
                await studio.jobs.revise(who, asked.job_id, {"copy": {"code": "Use code KNIT40"}})

        changed = {"copy": {"code": "Use code KNIT40", "tagline": ""}}
        again = await studio.jobs.revise(alice, asked.job_id, changed, origin="chat:t", idempotency_key="m2")
        assert again.needs_confirmation and again.replaces == asked.job_id
        assert again.copy.given() == {"headline": "Fly high", "code": "Use code KNIT40"}  # the tagline removed
        assert again.estimated_cost_usd == asked.estimated_cost_usd
        old = await studio.jobs.job(alice, asked.job_id)
        assert (old.status, old.canceled_by, old.copy.code) == ("canceled", "alice", "Use code KITE10")
        repeated = await studio.jobs.revise(alice, asked.job_id, changed, origin="chat:t", idempotency_key="m2")
        assert repeated.job_id == again.job_id  # a resent message makes no third job

        started = await studio.jobs.confirm(alice, again.job_id)
        assert started.status in ("queued", "running") and started.copy.code == "Use code KNIT40"
        later = await studio.jobs.revise(alice, again.job_id, {"copy": {"code": "Use code KNIT50"}})
        assert later.replaces is None  # once started, a change is a new version
        assert (await studio.jobs.job(alice, again.job_id)).status != "canceled"
        await studio.jobs.cancel(alice, again.job_id)
        await studio.jobs.cancel(alice, later.job_id)
    finally:
        await studio.backend.drain()
        await studio.close()


async def test_a_channel_set_is_made_whole_or_not_at_all(settings: Settings) -> None:
    """A headline that fits YouTube's 16:9 but not TikTok's 9:16: the set is refused, and the YouTube one that
    was already submitted does not go on alone."""
    studio = await runner(settings)
    try:
        alice = await studio.accounts.cli_actor(None)
        request = VideoRequest(prompt="an ad for our socks", duration_s=2, copy={"headline": "Soft " * 18 + "socks"})
        with pytest.raises(InvalidRequest, match="headline"):
            await studio.jobs.channels(alice, request, ["youtube", "tiktok"])
        await studio.backend.drain()
        jobs = await studio.jobs.jobs(alice)
        assert jobs and {j.status for j in jobs} == {"canceled"}
    finally:
        await studio.close()


async def test_a_changed_code_before_paying_reaches_the_provider_alone(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    """ "change the code to KNIT40" before confirming: the provider is sent neither code (Clapboard draws the new
    one over the footage), and the job draws the new one."""
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data"))
    try:
        alice = await studio.accounts.cli_actor(None)
        brief = "an 8s 16:9 ad on veo-3.1 for our knitwear. headline: Cosy season, use code KNIT30, Shop now"
        asked = await studio.jobs.submit(alice, VideoRequest(prompt=brief), origin="chat:t")
        assert asked.needs_confirmation and asked.copy.code == "Use code KNIT30"
        again = await studio.jobs.revise(alice, asked.job_id, {"copy": {"code": "Use code KNIT40"}}, origin="chat:t")
        assert again.copy.code == "Use code KNIT40"  # what the job draws over the footage
        await studio.jobs.confirm(alice, again.job_id)
        await studio.backend.drain()
    finally:
        await studio.close()

    [create] = fake_replicate.creates()
    prompt = create.json["input"]["prompt"]
    assert "KNIT40" not in prompt and "KNIT30" not in prompt and "Cosy season" not in prompt
    assert "Brief: an 8s 16:9 ad for our knitwear\n" in prompt and "No on-screen text or logos" in prompt
