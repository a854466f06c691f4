"""The generation pipeline: the creative is written before "ready", failures name their stage, fallbacks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from campaign.errors import InvalidRequest, ModelUnavailable, ProviderFailed
from campaign.settings import Settings
from campaign.storage import build_storage
from campaign.store import Store
from tools.catalog import DRAFT, Catalog, ModelSpec
from tools.engines.base import RenderJob, RenderOutcome
from tools.engines.draft import DraftEngine
from tools.events import JobEvent
from tools.jobs import JobRunner, JobStatus, VideoRequest
from tools.media import probe
from tools.references import ReferenceIntake

PREMIUM = ModelSpec(
    id="premium", name="Premium Test", provider="replicate", slug="acme/premium", tier="premium",
    summary="a paid model", durations=[4, 6, 8], default_duration=8, aspects=["16:9", "9:16"],
    default_aspect="16:9", resolutions=["720p"], default_resolution="720p", max_references=1,
    reference_use="first_frame", price_per_s={"720p": 0.25}, fallback="draft",
)  # fmt: skip


class Broken:
    """An engine that fails the way a provider does."""

    def __init__(self, error: Exception, delay: float = 0.0) -> None:
        self.error, self.delay, self.calls = error, delay, 0

    async def render(self, job: RenderJob, dest: Path, progress: object) -> RenderOutcome:
        self.calls += 1
        await asyncio.sleep(self.delay)
        raise self.error


async def runner(settings: Settings, engines: dict[str, object] | None = None) -> JobRunner:
    store = await Store.open(settings.sqlalchemy_url)
    storage = build_storage(settings)
    draft = DraftEngine(storage)
    table = {"draft": draft, **(engines or {})}
    return JobRunner(settings, store, storage, Catalog([DRAFT, PREMIUM]), lambda spec: table[spec.id],
                     ReferenceIntake(settings, storage))  # fmt: skip


async def test_creative_is_on_the_campaign_before_the_ready_event(settings: Settings, product_png: Path) -> None:
    jobs = await runner(settings)
    seen: list[tuple[str, int]] = []

    async def listener(event: JobEvent) -> None:
        seen.append((event.kind, len(await jobs.store.creatives())))

    jobs.subscribe(listener)
    submitted = await jobs.submit(
        VideoRequest(prompt="a 4 s square teaser for our sneaker", duration_s=4, aspect="1:1",
                     references=[str(product_png)]),
        allow_paths=True,
    )  # fmt: skip
    job = await jobs.wait(submitted.job_id)
    assert job.status == JobStatus.succeeded
    kinds = [k for k, _ in seen]
    assert kinds[:2] == ["queued", "running"] and kinds[-1] == "creative_ready"
    assert seen[-1][1] == 1  # the creative existed when "ready" was sent
    creative = (await jobs.store.creatives())[0]
    info = probe(jobs.storage.local_path(creative.file_key), count_frames=True)
    assert (info.codec, info.width, info.height, info.frames) == ("h264", 720, 720, 96)
    assert creative.poster_key and jobs.storage.local_path(creative.poster_key)
    assert len(creative.reference_keys) == 1
    await jobs.store.close()


async def test_a_failure_names_its_stage_and_writes_no_creative(settings: Settings) -> None:
    jobs = await runner(settings, {"draft": Broken(ProviderFailed("The model refused the prompt.", user_input=True))})
    events: list[JobEvent] = []
    jobs.subscribe(lambda e: _append(events, e))
    submitted = await jobs.submit(VideoRequest(prompt="a kite"))
    job = await jobs.wait(submitted.job_id)
    assert (job.status, job.stage, job.error) == ("failed", "render", "The model refused the prompt.")
    assert events[-1].kind == "failed" and events[-1].stage == "render"
    assert await jobs.store.creatives() == []
    assert not (settings.data_dir / "files" / "creatives").exists()
    await jobs.store.close()


async def test_a_model_that_is_down_falls_back_and_says_why(settings: Settings) -> None:
    down = Broken(ModelUnavailable("Premium Test is down."))
    jobs = await runner(settings, {"premium": down})
    submitted = await jobs.submit(VideoRequest(prompt="a kite over a beach", model="premium", duration_s=6),
                                  confirmed=True)  # fmt: skip
    assert submitted.estimated_cost_usd == 1.5
    job = await jobs.wait(submitted.job_id)
    assert job.status == "succeeded" and job.model_used == "draft" and down.calls == 1
    creative = (await jobs.store.creatives())[0]
    assert creative.model == "draft" and creative.duration_s == 6
    assert "Premium Test could not make it (Premium Test is down.)" in creative.notice
    await jobs.store.close()


async def test_paid_jobs_wait_for_confirmation_and_can_be_canceled(settings: Settings) -> None:
    engine = Broken(ProviderFailed("unused"))
    jobs = await runner(settings, {"premium": engine})
    submitted = await jobs.submit(VideoRequest(prompt="a kite", model="premium", duration_s=8))
    assert submitted.needs_confirmation and submitted.estimated_cost_usd == 2.0
    await asyncio.sleep(0.05)
    assert engine.calls == 0
    assert (await jobs.cancel(submitted.job_id)).status == "canceled"
    assert (await jobs.confirm(submitted.job_id)).status == "canceled"  # a canceled job stays canceled
    assert engine.calls == 0
    await jobs.store.close()


async def test_bad_requests_are_refused_before_anything_is_written(settings: Settings) -> None:
    jobs = await runner(settings)
    with pytest.raises(InvalidRequest, match="offers 4, 6, 8 s. Try 6 s or 8 s"):
        await jobs.submit(VideoRequest(prompt="a kite", model="premium", duration_s=7))
    with pytest.raises(InvalidRequest, match="must be an attached image or an http"):
        await jobs.submit(VideoRequest(prompt="a kite", references=["/etc/passwd"]))
    with pytest.raises(ValueError, match="prompt is empty"):
        VideoRequest(prompt="  ")
    assert await jobs.store.jobs() == []
    await jobs.store.close()


async def test_concurrency_is_bounded(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data", max_concurrent_jobs=1)
    running = [0, 0]

    class Slow:
        async def render(self, job: RenderJob, dest: Path, progress: object) -> RenderOutcome:
            running[0] += 1
            running[1] = max(running)
            await asyncio.sleep(0.05)
            running[0] -= 1
            raise ProviderFailed("done", user_input=True)

    jobs = await runner(settings, {"draft": Slow()})
    ids = [(await jobs.submit(VideoRequest(prompt=f"clip {i}"))).job_id for i in range(3)]
    await jobs.drain()
    assert running[1] == 1
    assert [(await jobs.store.job(i)).status for i in ids] == ["failed"] * 3
    await jobs.store.close()


async def test_restart_requeues_queued_jobs_and_fails_interrupted_ones(settings: Settings) -> None:
    jobs = await runner(settings)
    campaign = await jobs.store.campaign()
    submitted = await jobs.submit(VideoRequest(prompt="a 2 s clip", duration_s=2))
    await jobs.wait(submitted.job_id)
    request = (await jobs.store.job(submitted.job_id)).request
    queued = await jobs.store.add_job(campaign_id=campaign.id, status="queued", model="draft", request=request)
    cut = await jobs.store.add_job(campaign_id=campaign.id, status="running", model="draft", request=request)
    await jobs.recover()
    await jobs.drain()
    assert (await jobs.store.job(queued.id)).status == "succeeded"
    interrupted = await jobs.store.job(cut.id)
    assert interrupted.status == "failed" and "restarted" in interrupted.error
    await jobs.store.close()


async def _append(events: list[JobEvent], event: JobEvent) -> None:
    events.append(event)


async def test_an_unavailable_model_moves_down_its_chain_at_submit_and_says_so(studio: object) -> None:
    submitted = await studio.jobs.submit(VideoRequest(prompt="a kite over a beach", model="veo-3.1", duration_s=8))
    assert submitted.model == "draft" and submitted.status == "queued"
    assert "Replicate API token" in submitted.notice
    job = await studio.jobs.wait(submitted.job_id)
    assert job.status == "succeeded"


async def test_confirming_twice_at_once_renders_once(settings: Settings) -> None:
    calls = []

    class Counting:
        async def render(self, job: RenderJob, dest: Path, progress: object) -> RenderOutcome:
            calls.append(job.job_id)
            raise ProviderFailed("stop here", user_input=True)

    jobs = await runner(settings, {"premium": Counting()})
    submitted = await jobs.submit(VideoRequest(prompt="a kite", model="premium", duration_s=4))
    await asyncio.gather(jobs.confirm(submitted.job_id), jobs.confirm(submitted.job_id))
    await jobs.drain()
    assert calls == [submitted.job_id]
    assert (await jobs.cancel(submitted.job_id)).status == "failed"  # a finished job stays as it ended
    await jobs.store.close()


async def test_a_refused_request_creates_no_campaign(settings: Settings) -> None:
    jobs = await runner(settings)
    with pytest.raises(InvalidRequest):
        await jobs.submit(VideoRequest(prompt="a kite", duration_s=99, campaign="Sprng sale typo"))
    assert [c.name for c in await jobs.store.campaigns()] == ["Default campaign"]
    await jobs.store.close()
