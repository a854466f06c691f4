"""A paid model's footage through the job body and the facade, on the fake Replicate serving text-free footage
with a known yellow subject: the footage is kept beside the creative and the ad finished over it; a kill while
finishing is finished again without a second prediction; a finishing failure names its stage and keeps the
prediction; other formats are reframed from the footage, free and at once, never asking Replicate again; its
variations are drawn over the same footage, free, unless new footage is asked for; and never from another team's
creative."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

import tools.jobs.body as body_module
from campaign.errors import InvalidRequest, NotFound
from campaign.models import DEFAULT_TEAM_ID, JobStatus
from campaign.storage import build_storage
from campaign.store import Store
from tests.fakes.footage import Footage, write_footage, yellow_mask
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tests.tools.test_replicate_reattach import Killed, paid_job, run
from tools.brief import AdCopy
from tools.catalog import cache_path
from tools.engines.registry import build_catalog
from tools.engines.replicate.run import ReplicateEngine
from tools.finish.cues import card_length
from tools.finish.reframe import output_size
from tools.jobs import VideoRequest
from tools.jobs.body import JobBody, prompt_shared
from tools.jobs.events import EventBus, JobEvent
from tools.jobs.spec import ExportSpec, JobSpec
from tools.studio import Studio

pytestmark = pytest.mark.render

BRIEF = 'A 4 second ad for our trail shoes on veo-3.1-fast, headline "Run wild", Shop now'


@pytest.fixture
def footage(tmp_path: Path) -> Footage:
    return write_footage(tmp_path / "footage.mp4")


@pytest.fixture
async def studio(fake_replicate: FakeReplicate, footage: Footage, tmp_path: Path) -> AsyncIterator[Studio]:
    fake_replicate.set_scenario("*", "success", footage=footage.path)
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data"))
    yield studio
    await studio.backend.drain()
    await studio.close()


@pytest.fixture
async def body(fake_replicate: FakeReplicate, footage: Footage, tmp_path: Path) -> AsyncIterator[JobBody]:
    fake_replicate.set_scenario("*", "success", footage=footage.path)
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    storage = build_storage(settings)
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    bus = EventBus()
    yield JobBody(
        settings, store, storage, build_catalog(settings), lambda model: ReplicateEngine(settings, storage), bus
    )
    await bus.close()
    await store.close()


def frames(path: Path, every: int = 6, *, before_end_card: bool = False) -> list[np.ndarray]:
    """Every `every`th decoded frame of a video, as RGB; of an ad, those before its end card (which dims the
    footage under it) when asked."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        seconds = float(stream.frames / stream.average_rate) if stream.average_rate else 0.0
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    keep = 1 - card_length(seconds) / seconds if before_end_card and seconds else 1.0
    return decoded[: int(len(decoded) * keep) : every]


async def paid_video(studio: Studio) -> tuple[Any, Any]:
    """Alice's paid video, confirmed and made: its job and its creative."""
    alice = await studio.accounts.cli_actor(None)
    made = await studio.jobs.submit(alice, VideoRequest(prompt=BRIEF, aspect="16:9"), confirmed=True)
    job = await studio.jobs.wait(alice, made.job_id)
    assert job.status == JobStatus.succeeded, job.error
    return job, await studio.library.creative(alice, job.creative_id or "")


async def test_the_raw_footage_is_kept_beside_the_finished_ad_and_a_draft_keeps_none(
    studio: Studio, fake_replicate: FakeReplicate, footage: Footage
) -> None:
    heard: list[JobEvent] = []

    async def listen(event: JobEvent) -> None:
        heard.append(event)

    studio.subscribe(listen)
    job, creative = await paid_video(studio)
    finishing = [e for e in heard if e.kind == "progress" and e.message == "Drawing the words over the footage"]
    assert finishing and finishing[0].fraction == 0.9, "the finishing step reports its progress too"
    assert creative.footage_key == f"creatives/{creative.id}/footage.mp4"
    kept = studio.library.storage.local_path(creative.footage_key)
    assert kept is not None and kept.read_bytes() == footage.path.read_bytes(), "the provider's video, as it came"
    assert creative.footage_url and "footage.mp4" in creative.footage_url
    assert "-footage.mp4" in creative.footage_url, "it downloads as <title>-footage.mp4"
    video = studio.library.storage.local_path(creative.file_key)
    assert video is not None and (creative.width, creative.height) == (footage.width, footage.height)
    assert len(fake_replicate.creates()) == 1

    alice = await studio.accounts.cli_actor(None)
    draft = await studio.jobs.submit(alice, VideoRequest(prompt='a kite, "Fly high"', model="draft", duration_s=2))
    done = await studio.jobs.wait(alice, draft.job_id)
    made = await studio.library.creative(alice, done.creative_id or "")
    assert (made.footage_key, made.footage_url) == (None, None), "a draft draws its own shots"


async def test_other_formats_of_a_paid_video_are_reframed_free_without_asking_replicate(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    job, original = await paid_video(studio)
    alice = await studio.accounts.cli_actor(None)
    made, missing = await studio.jobs.formats(alice, job.id)
    assert missing == [] and sorted(s.aspect for s in made) == ["1:1", "4:5", "9:16"]
    assert all(s.footage_of == original.id and s.estimated_cost_usd == 0 and not s.needs_confirmation for s in made)
    await studio.backend.drain()
    assert len(fake_replicate.creates()) == 1, "no new prediction for a reframe"

    original = await studio.library.creative(alice, original.id)  # it joined the set the formats started
    for s in made:
        done = await studio.jobs.job(alice, s.job_id)
        assert done.status == JobStatus.succeeded, done.error
        c = await studio.library.creative(alice, done.creative_id or "")
        assert (c.model, c.actual_cost_usd, c.provider_job_id) == (original.model, 0.0, None)
        assert c.notice and "Reframed" in c.notice and c.set_id == original.set_id is not None
        assert (c.aspect, (c.width, c.height)) == (s.aspect, output_size(s.aspect, original.width, original.height))
        path, kept = (
            studio.library.storage.local_path(c.file_key),
            studio.library.storage.local_path(c.footage_key or ""),
        )
        assert path is not None and kept is not None, "the reframed footage is kept beside it"
        for shown in (frames(path, before_end_card=True), frames(kept)):
            assert shown and all(yellow_mask(f).sum() > 200 for f in shown), f"the subject is in every {s.aspect} frame"

    # Formats of a reframe come from the original footage; "make it square" is a reframe unless asked otherwise.
    again, _ = await studio.jobs.formats(alice, made[0].job_id, idempotency_key="again")
    assert {s.footage_of for s in again} == {original.id}
    square = await studio.jobs.revise(alice, job.id, {"aspect": "1:1"})
    assert square.footage_of == original.id and square.estimated_cost_usd == 0
    paid = await studio.jobs.revise(alice, job.id, {"aspect": "9:16"}, reframe=False)
    assert paid.footage_of is None and paid.needs_confirmation and paid.estimated_cost_usd > 0
    price = await studio.jobs.regenerate_price(alice, job.id)
    assert price is not None and price.aspects == ["9:16"] and price.price_usd == paid.estimated_cost_usd
    await studio.backend.drain()
    assert len(fake_replicate.creates()) == 1

    # With the original deleted, a reframe's formats come from its own footage.
    await studio.library.delete_creative(alice, original.id)
    own = (await studio.jobs.job(alice, made[0].job_id)).creative_id
    later, _ = await studio.jobs.formats(alice, made[0].job_id, idempotency_key="later")
    assert {s.footage_of for s in later} == {own}
    await studio.backend.drain()
    assert [(await studio.jobs.job(alice, s.job_id)).status for s in later] == [JobStatus.succeeded] * 3


async def test_a_paid_video_whose_model_went_unavailable_is_still_reframed_free_without_a_price(
    fake_replicate: FakeReplicate, footage: Footage, tmp_path: Path
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    fake_replicate.set_scenario("*", "success", footage=footage.path)
    studio = await Studio.open(settings)
    try:
        job, original = await paid_video(studio)
    finally:
        await studio.close()
    gone = {"available": False, "notice": "Replicate no longer lists it."}  # as `models --refresh` marks it
    cache_path(settings.data_dir).write_text(json.dumps({"version": 1, "models": {original.model: {"fields": gone}}}))
    studio = await Studio.open(settings)
    try:
        alice = await studio.accounts.cli_actor(None)
        assert not studio.models.get(original.model).available
        assert await studio.jobs.has_footage(alice, job.id), "its footage is still there to reframe"
        assert await studio.jobs.regenerate_price(alice, job.id) is None, "no price: the model makes nothing now"
        assert await studio.jobs.regenerate_price(alice, job.id, "9:16") is None
        made, missing = await studio.jobs.formats(alice, job.id)
        assert missing == [] and sorted(s.aspect for s in made) == ["1:1", "4:5", "9:16"]
        assert all(s.footage_of == original.id and s.estimated_cost_usd == 0 for s in made)
        square = await studio.jobs.revise(alice, job.id, {"aspect": "1:1"}, idempotency_key="square")
        assert square.footage_of == original.id and not square.needs_confirmation
        await studio.backend.drain()
        for s in [*made, square]:
            done = await studio.jobs.job(alice, s.job_id)
            assert done.status == JobStatus.succeeded, done.error
        assert len(fake_replicate.creates()) == 1
    finally:
        await studio.backend.drain()
        await studio.close()


async def test_a_format_footage_is_not_reframed_to_is_made_anew_at_its_price(studio: Studio) -> None:
    alice = await studio.accounts.cli_actor(None)
    request = VideoRequest(prompt=BRIEF, model="seedance-2.0", aspect="16:9")  # a model that makes 4:3 and 21:9
    asked = await studio.jobs.submit(alice, request, confirmed=True)
    job = await studio.jobs.wait(alice, asked.job_id)
    assert job.status == JobStatus.succeeded and job.model_used == "seedance-2.0", job.error
    for aspect in ("4:3", "21:9"):
        made = await studio.jobs.revise(alice, job.id, {"aspect": aspect}, idempotency_key=aspect)
        assert (made.aspect, made.footage_of, made.needs_confirmation) == (aspect, None, True)
        assert made.estimated_cost_usd > 0 and made.model_name == "Seedance 2.0"
    square = await studio.jobs.revise(alice, job.id, {"aspect": "1:1"}, idempotency_key="1:1")
    assert square.footage_of == job.creative_id and square.estimated_cost_usd == 0


async def test_what_a_reframe_says_at_submission_is_what_the_job_does(studio: Studio, footage: Footage) -> None:
    job, original = await paid_video(studio)
    alice = await studio.accounts.cli_actor(None)
    same = await studio.jobs.revise(alice, job.id, {"aspect": "16:9"})  # its own format: no reframing pass
    square = await studio.jobs.revise(alice, job.id, {"aspect": "1:1"}, idempotency_key="square")
    await studio.backend.drain()
    for asked, how in ((same, "Drawn over"), (square, "Reframed from")):
        assert asked.notice.startswith(f"{how} the Veo"), asked.notice
        c = await studio.library.creative(alice, (await studio.jobs.job(alice, asked.job_id)).creative_id or "")
        assert c.notice and c.notice.startswith(asked.notice), "the job did what its submission said"
        assert (c.width, c.height) == (asked.width, asked.height)
    assert (same.width, same.height) == (footage.width, footage.height)


async def test_variations_of_a_paid_video_are_drawn_over_its_footage_free_unless_new_footage_is_asked(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    alice = await studio.accounts.cli_actor(None)
    copy = AdCopy(headline="Run wild", tagline="Built for mud", offer="30% off", price="$89")
    asked = await studio.jobs.submit(alice, VideoRequest(prompt=BRIEF, aspect="16:9", copy=copy), confirmed=True)
    job = await studio.jobs.wait(alice, asked.job_id)
    original = await studio.library.creative(alice, job.creative_id or "")

    made = await studio.jobs.variations(alice, job.id, 3)
    assert [s.variation for s in made] == [
        "hook: the price first", "headline order: the tagline leads", "layout: words and picture swap places"
    ]  # fmt: skip
    assert [s.title.rsplit(", ", 1)[1] for s in made] == [
        "variation 1 (price first)", "variation 2 (tagline first)", "variation 3 (layout swapped)"
    ]  # fmt: skip
    for s in made:
        assert (s.footage_of, s.aspect, s.estimated_cost_usd, s.needs_confirmation) == (original.id, "16:9", 0, False)
    await studio.backend.drain()
    assert len(fake_replicate.creates()) == 1, "no new prediction for a variation"
    original = await studio.library.creative(alice, original.id)  # it joined the set the variations started
    for s in made:
        done = await studio.jobs.job(alice, s.job_id)
        assert done.status == JobStatus.succeeded, done.error
        c = await studio.library.creative(alice, done.creative_id or "")
        assert (c.actual_cost_usd, c.provider_job_id, c.model) == (0.0, None, original.model)
        assert (c.width, c.height, c.set_id) == (original.width, original.height, original.set_id)
        assert c.notice and c.notice.startswith("Drawn over the Veo")
        kept, source = (studio.library.storage.local_path(k or "") for k in (c.footage_key, original.footage_key))
        assert kept and source and kept.read_bytes() == source.read_bytes(), "the same footage, not reframed again"
        path = studio.library.storage.local_path(c.file_key)
        assert path is not None and all(yellow_mask(f).sum() > 200 for f in frames(path, before_end_card=True))

    with pytest.raises(InvalidRequest, match="cannot be drawn over this video's footage"):
        await studio.jobs.variations(alice, job.id, 1, change="pacing")  # the cuts are the model's
    more = await studio.jobs.variations(alice, job.id, 3, idempotency_key="more")
    assert [s.variation for s in more] == ["colourway: the accent as the ground", "headline order: the offer leads"]
    assert all(s.footage_of == original.id and s.estimated_cost_usd == 0 for s in more)
    with pytest.raises(InvalidRequest, match="in its set already"):
        await studio.jobs.variations(alice, job.id, 1)

    fresh = await studio.jobs.variations(alice, job.id, 2, new_footage=True)
    assert all(s.footage_of is None and s.needs_confirmation and s.estimated_cost_usd > 0 for s in fresh)
    assert [s.variation for s in fresh] == ["pacing: faster cuts", "hook: the price first, other shots"]
    assert "new take" in fresh[0].notice, "faster cuts are the model's to make, not drawn"
    assert "new take" not in fresh[1].notice, "the price first is drawn over the new footage too"
    with pytest.raises(InvalidRequest, match="sound is the model's own"):  # no music of ours to vary
        await studio.jobs.variations(alice, job.id, 1, change="music", new_footage=True)
    await studio.backend.drain()
    assert len(fake_replicate.creates()) == 1, "nothing is generated before its price is confirmed"


async def test_another_teams_creative_is_never_reframed(studio: Studio) -> None:
    job, original = await paid_video(studio)
    await studio.accounts.add("carol", team="globex", password="carol-password")
    carol = await studio.accounts.cli_actor("carol")
    with pytest.raises(NotFound):
        await studio.jobs.formats(carol, job.id)
    spec = JobSpec.of(await studio.store.job(job.id))
    with pytest.raises(NotFound):
        await studio.jobs.submissions.reframe(carol, original.id, spec, "1:1", title="Stolen")
    assert not await studio.library.creatives(carol)

    # A job of Carol's team that names Alice's creative anyway fails, without her footage.
    campaign = await studio.store.campaign(carol.team_id, "Heist", create=True)
    stolen = spec.model_copy(update={"footage_of": original.id, "aspect": "1:1", "title": "Stolen"})
    forged = await studio.store.add_job(campaign_id=campaign.id, status="queued", model=original.model,
                                        spec=stolen.model_dump(mode="json"), estimated_cost_usd=0.0,
                                        origin="cli")  # fmt: skip
    await studio.backend.enqueue(forged.id)
    await studio.backend.drain()
    failed = await studio.store.job(forged.id)
    assert (failed.status, failed.stage, failed.creative_id) == ("failed", "validate", None)
    assert failed.error and "left the library" in failed.error, "as if it were not there: it is not Carol's"
    assert not await studio.library.creatives(carol)


async def test_a_reframe_canceled_or_whose_original_left_the_library_says_so(
    body: JobBody, fake_replicate: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = await paid_job(body)
    await run(body, job_id, "runner-a")
    paid = await body.store.job(job_id)
    [original] = await body.store.creatives(DEFAULT_TEAM_ID)

    async def reframe(aspect: str) -> str:
        spec = JobSpec.of(paid).model_copy(update={"footage_of": original.id, "aspect": aspect, "title": aspect})
        made = await body.store.add_job(
            campaign_id=original.campaign_id, status="queued", model=original.model,
            spec=spec.model_dump(mode="json"), estimated_cost_usd=0.0, origin="cli",
        )  # fmt: skip
        return made.id

    async def canceled_while_finishing(_: Any, render_job: Any, *__: Any) -> None:
        fields = {"error": "Canceled.", "lease_until": None}
        assert await body.store.transition(render_job.job_id, [JobStatus.running], JobStatus.canceled, **fields)
        raise asyncio.CancelledError  # what the backend does to the running job's task

    monkeypatch.setattr(body_module, "finish_footage", canceled_while_finishing)
    stopped = await reframe(original.aspect)  # a variation: drawn over the footage as it is
    with pytest.raises(asyncio.CancelledError):
        await run(body, stopped, "runner-a")
    assert (
        await body.store.job(stopped)
    ).error == "Canceled. Spent: nothing (reusing footage already paid for is free)."

    orphan = await reframe("1:1")
    await body.store.delete_creative(original.id, DEFAULT_TEAM_ID)
    await run(body, orphan, "runner-a")
    failed = await body.store.job(orphan)
    assert (failed.status, failed.stage, failed.creative_id) == ("failed", "validate", None)
    assert failed.error == (
        "The original video left the library before its other format was made. "
        "Ask for the format again from a video in the library."
    )
    assert len(fake_replicate.creates()) == 1


async def test_a_finishing_failure_names_its_stage_and_keeps_the_paid_prediction(
    body: JobBody, fake_replicate: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> None:
        raise RuntimeError("the compositor fell over")

    monkeypatch.setattr(body_module, "finish_footage", broken)
    job_id = await paid_job(body)
    await run(body, job_id, "runner-a")
    job = await body.store.job(job_id)
    assert (job.status, job.stage, job.creative_id) == ("failed", "finishing", None)
    assert job.error and "could not be finished" in job.error and "compositor" not in job.error
    assert len(fake_replicate.creates()) == 1
    assert job.provider_job_id in fake_replicate.predictions, "the paid prediction stays recorded"
    assert not list((body.settings.data_dir / "files").rglob("footage.mp4")), "no footage left without its ad"


async def test_a_runner_killed_while_finishing_is_finished_again_on_the_same_prediction(
    body: JobBody, fake_replicate: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = body_module.finish_footage
    kept = body.settings.data_dir / "files"
    left: list[Path] = []

    async def killed(*_: Any) -> None:
        left.extend(kept.rglob("footage.mp4"))  # what a SIGKILL here would leave: nothing runs after it
        raise Killed

    monkeypatch.setattr(body_module, "finish_footage", killed)
    job_id = await paid_job(body)
    with pytest.raises(Killed):
        await run(body, job_id, "runner-a")
    monkeypatch.setattr(body_module, "finish_footage", real)
    await run(body, job_id, "runner-b", after_a_crash=True)
    job = await body.store.job(job_id)
    assert job.status == "succeeded" and job.creative_id
    assert len(fake_replicate.creates()) == 1, "the prediction was followed again, not paid for twice"
    assert not left, "the footage is stored once the ad is finished: a kill while finishing leaves none behind"
    assert len(list(kept.rglob("footage.mp4"))) == 1, "the finished run's footage alone"


async def test_footage_in_s3_is_kept_and_reframed_from_the_bucket(
    fake_replicate: FakeReplicate, footage: Footage, s3_storage: Any, tmp_path: Path
) -> None:
    fake_replicate.set_scenario("*", "success", footage=footage.path)
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    bus = EventBus()
    body = JobBody(settings, store, s3_storage, build_catalog(settings),
                   lambda model: ReplicateEngine(settings, s3_storage), bus)  # fmt: skip
    try:
        job_id = await paid_job(body)
        await run(body, job_id, "runner-a")
        paid = await store.job(job_id)
        assert paid.status == "succeeded", paid.error
        [original] = await store.creatives(DEFAULT_TEAM_ID)
        assert original.footage_key and await s3_storage.exists(original.footage_key)
        kept = b"".join([chunk async for chunk in s3_storage.open(original.footage_key)])
        assert kept == footage.path.read_bytes()

        spec = JobSpec.of(paid).model_copy(update={"footage_of": original.id, "aspect": "1:1", "title": "Square"})
        square = await store.add_job(
            campaign_id=original.campaign_id, status="queued", model=original.model,
            spec=spec.model_dump(mode="json"), estimated_cost_usd=0.0, origin="cli",
        )  # fmt: skip
        await run(body, square.id, "runner-a")
        done = await store.job(square.id)
        assert done.status == "succeeded", done.error
        made = await store.creative(done.creative_id or "", DEFAULT_TEAM_ID)
        assert (made.aspect, made.width == made.height, made.actual_cost_usd) == ("1:1", True, 0.0)
        assert len(fake_replicate.creates()) == 1
    finally:
        await bus.close()
        await store.close()


async def test_another_format_of_a_voiced_paid_video_reuses_its_voice_without_paying_again(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    alice = await studio.accounts.cli_actor(None)
    asked = VideoRequest(prompt=f"{BRIEF}, with a voice-over", aspect="16:9")
    made = await studio.jobs.submit(alice, asked, confirmed=True)
    assert made.voice_name and made.voice_cost_usd > 0  # a paid video's default voice is a premium one
    job = await studio.jobs.wait(alice, made.job_id)
    assert job.status == JobStatus.succeeded, job.error
    original = await studio.library.creative(alice, job.creative_id or "")
    assert original.sound is not None and original.sound.voice_key and original.sound.lines
    assert original.actual_cost_usd is not None and original.actual_cost_usd > made.voice_cost_usd

    square = await studio.jobs.revise(alice, job.id, {"aspect": "1:1"})
    assert square.footage_of == original.id and square.estimated_cost_usd == 0 == square.voice_cost_usd
    done = await studio.jobs.wait(alice, square.job_id)
    assert done.status == JobStatus.succeeded, done.error
    reframed = await studio.library.creative(alice, done.creative_id or "")
    assert reframed.sound is not None and reframed.actual_cost_usd == 0.0
    assert (reframed.sound.voice, reframed.sound.lines) == (original.sound.voice, original.sound.lines)
    assert reframed.sound.voice_key and reframed.sound.voice_key != original.sound.voice_key  # its own copy
    assert len(fake_replicate.speeches()) == 1, "the voice was spoken, and paid for, once"
    assert reframed.captions_srt_url and reframed.captions_vtt_url


async def test_a_voice_that_fails_names_its_stage_and_no_video_is_made(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    alice = await studio.accounts.cli_actor(None)
    fake_replicate.set_scenario("minimax/speech-02-hd", "failed")
    made = await studio.jobs.submit(alice, VideoRequest(prompt=BRIEF, voice="hazel"), confirmed=True)
    job = await studio.jobs.wait(alice, made.job_id)
    assert (job.status, job.stage) == (JobStatus.failed, "voice")
    assert job.error and "nothing was charged for one" in job.error
    assert [c.path for c in fake_replicate.creates()] == ["/v1/models/minimax/speech-02-hd/predictions"]
    assert await studio.library.creatives(alice) == []


async def test_an_export_of_a_paid_video_stops_free_and_never_shares_its_prompt(body: JobBody) -> None:
    paid = await body.store.job(await paid_job(body))
    spec = JobSpec.of(paid)
    assert not await prompt_shared(body.store, paid, spec)
    copied = spec.model_copy(update={"export": ExportSpec(creative_id="c", placements=["tiktok"])})
    export = await body.store.add_job(
        campaign_id=paid.campaign_id, kind="export", status="canceled", model=paid.model,
        spec=copied.model_dump(mode="json"), estimated_cost_usd=0.0, origin="cli",
    )  # fmt: skip
    assert not await prompt_shared(body.store, paid, spec), "an export copies the prompt but makes no prediction"
    await body._stopped(export.id, copied)
    said = (await body.store.job(export.id)).error
    assert said == "Canceled. Stopped: nothing was delivered, and exports are free.", said


async def test_a_reframe_is_as_long_as_its_original_even_when_the_spec_it_copies_asked_less(
    body: JobBody, footage: Footage
) -> None:
    job_id = await paid_job(body)
    await run(body, job_id, "runner-a")
    paid = await body.store.job(job_id)
    [original] = await body.store.creatives(DEFAULT_TEAM_ID)
    assert original.duration_s == pytest.approx(footage.frames / 24, abs=0.05)
    # A fallback may adapt the length (4 s to 5) without writing it back: the spec asks less than the footage has.
    spec = JobSpec.of(paid).model_copy(update={"footage_of": original.id, "aspect": "1:1", "duration_s": 1})
    made = await body.store.add_job(
        campaign_id=original.campaign_id, status="queued", model=original.model,
        spec=spec.model_dump(mode="json"), estimated_cost_usd=0.0, origin="cli",
    )  # fmt: skip
    await run(body, made.id, "runner-a")
    reframed = await body.store.creative((await body.store.job(made.id)).creative_id or "", DEFAULT_TEAM_ID)
    assert reframed.duration_s == pytest.approx(original.duration_s, abs=0.05), "not cut to the spec's 1 s"
