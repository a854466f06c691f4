"""The job pipeline: the creative is written before "ready", failures name their stage, fallbacks, leases,
restarts, idempotency, and events that never slow a render."""

from __future__ import annotations

import asyncio
import errno
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest

from campaign.errors import Conflict, InvalidRequest, ModelUnavailable, ProviderFailed
from campaign.models import DEFAULT_TEAM_ID as TEAM
from campaign.models import JobStatus
from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from campaign.storage import build_storage
from tools.brand.follow import BRIEF_COLOURS
from tools.brief import NO_TEXT
from tools.catalog import Catalog
from tools.engines.base import RenderJob, RenderOutcome
from tools.engines.draft.engine import DraftEngine
from tools.engines.draft.provider import DRAFT
from tools.engines.replicate.models import ReplicateModel
from tools.jobs import JobEvent, VideoRequest, body
from tools.jobs.notices import join_notices
from tools.media import probe
from tools.refine import DRAWN_OVER
from tools.studio import Studio
from tools.studio.brand import BrandChanges

PREMIUM = ReplicateModel(
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

    async def cancel(self, prediction_id: str) -> None:
        pass


async def runner(settings: Settings, engines: dict[str, object] | None = None) -> Studio:
    """A studio on the draft and a paid test model, with these engines standing in for theirs."""
    draft = DraftEngine(build_storage(settings))
    table = {"draft": draft, **(engines or {})}
    return await Studio.open(settings, catalog=Catalog([DRAFT, PREMIUM]), engines=lambda spec: table[spec.id])


@pytest.mark.render
async def test_creative_is_on_the_campaign_before_the_ready_event(settings: Settings, product_png: Path) -> None:
    studio = await runner(settings)
    seen: list[tuple[str, int]] = []

    events: list[JobEvent] = []

    async def listener(event: JobEvent) -> None:
        seen.append((event.kind, len(await studio.store.creatives(TEAM))))
        events.append(event)

    studio.subscribe(listener)
    submitted = await studio.jobs.submit(OWNER, 
        VideoRequest(prompt="a 4 s square teaser for our sneaker", duration_s=4, aspect="1:1",
                     references=[str(product_png)]),
        allow_paths=True, origin="cli",
    )  # fmt: skip
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert job.status == JobStatus.succeeded
    await studio.bus.drain()
    kinds = [k for k, _ in seen]
    assert kinds[:2] == ["queued", "running"] and kinds[-1] == "creative_ready"
    assert seen[-1][1] == 1  # the creative existed when "ready" was sent
    creative = (await studio.store.creatives(TEAM))[0]
    info = probe(studio.files.storage.local_path(creative.file_key), count_frames=True)
    assert (info.codec, info.width, info.height, info.frames) == ("h264", 720, 720, 96)
    assert creative.poster_key and studio.files.storage.local_path(creative.poster_key)
    assert len(creative.reference_keys) == 1
    ready = events[-1]  # the event carries what the chat shows: no re-reading what the runner wrote
    assert ready.creative is not None and ready.creative.id == creative.id and ready.creative.url
    assert (ready.origin, ready.title) == ("cli", creative.title)
    await studio.close()


async def test_a_failure_names_its_stage_and_writes_no_creative(settings: Settings) -> None:
    studio = await runner(settings, {"draft": Broken(ProviderFailed("The model refused the prompt.", user_input=True))})
    events: list[JobEvent] = []
    studio.subscribe(lambda e: _append(events, e))
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite"))
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert (job.status, job.stage, job.error) == ("failed", "render", "The model refused the prompt.")
    await studio.bus.drain()
    assert events[-1].kind == "failed" and events[-1].stage == "render"
    assert await studio.store.creatives(TEAM) == []
    assert not (settings.data_dir / "files" / "creatives").exists()
    await studio.close()


@pytest.mark.render
async def test_a_model_that_is_down_falls_back_and_says_why(settings: Settings) -> None:
    down = Broken(ModelUnavailable("Premium Test is down."))
    studio = await runner(settings, {"premium": down})
    request = VideoRequest(prompt="a kite over a beach", model="premium", duration_s=6)
    submitted = await studio.jobs.submit(OWNER, request, confirmed=True)
    assert submitted.estimated_cost_usd == 1.5
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert job.status == "succeeded" and job.model_used == "draft" and down.calls == 1
    creative = (await studio.store.creatives(TEAM))[0]
    assert creative.model == "draft" and creative.duration_s == 6
    assert "Premium Test could not make it: Premium Test is down." in creative.notice
    await studio.close()


async def test_a_draft_with_nothing_to_show_says_so_before_it_is_made(settings: Settings, product_png: Path) -> None:
    """ "something cool", then yes, made an empty gradient and said nothing: a draft with no words and no photo
    says what it will be and what to give; with words or a photo it does not. The notice is said at submission:
    the draft engine stands in unrendered (three renders were 2.8 s of CPU)."""
    studio = await runner(settings, {"draft": Broken(ProviderFailed("Not rendered in this test."))})
    try:
        bare = await studio.jobs.submit(OWNER, VideoRequest(prompt="something cool", duration_s=2))
        worded = await studio.jobs.submit(
            OWNER, VideoRequest(prompt="something cool, headline 'Run the city'", duration_s=2)
        )
        pictured = await studio.jobs.submit(
            OWNER, VideoRequest(prompt="something cool", duration_s=2, references=[str(product_png)]), allow_paths=True
        )
        assert "nothing of yours to show" in (bare.notice or "") and "attach a product photo" in (bare.notice or "")
        assert "nothing of yours" not in (worded.notice or "") + (pictured.notice or "")
        for words in (BrandChanges(website="aurora.run"), BrandChanges(clear=["website"], legal="© Aurora")):
            await studio.brand.set(OWNER, words)  # a kit's words are drawn on the end card
            branded = await studio.jobs.submit(OWNER, VideoRequest(prompt="something cool", duration_s=2))
            assert "nothing of yours" not in (branded.notice or "")
    finally:
        await studio.backend.drain()
        await studio.close()


async def test_paid_jobs_wait_for_confirmation_and_can_be_canceled(settings: Settings) -> None:
    engine = Broken(ProviderFailed("unused"))
    studio = await runner(settings, {"premium": engine})
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", model="premium", duration_s=8))
    assert submitted.needs_confirmation and submitted.estimated_cost_usd == 2.0
    await asyncio.sleep(0.05)
    assert engine.calls == 0
    assert (await studio.jobs.cancel(OWNER, submitted.job_id)).status == "canceled"
    assert (await studio.jobs.confirm(OWNER, submitted.job_id)).status == "canceled"  # a canceled job stays canceled
    assert engine.calls == 0
    await studio.close()


async def test_an_exports_id_is_not_a_video_to_revise_vary_or_reformat(settings: Settings) -> None:
    studio = await runner(settings, {"premium": Broken(ProviderFailed("unused"))})
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", model="premium", duration_s=8))
    video = await studio.store.job(submitted.job_id)
    export = await studio.store.add_job(
        campaign_id=video.campaign_id, kind="export", status="succeeded", model=video.model,
        spec={**video.spec, "export": {"creative_id": "c", "placements": ["tiktok"]}}, origin="cli",
    )  # fmt: skip
    asks = [studio.jobs.revise(OWNER, export.id, {"aspect": "9:16"}), studio.jobs.variations(OWNER, export.id, 2),
            studio.jobs.formats(OWNER, export.id), studio.jobs.has_footage(OWNER, export.id)]  # fmt: skip
    for ask in asks:
        with pytest.raises(InvalidRequest, match="That is an export, not a video."):
            await ask
    assert [j.id for j in await studio.store.jobs(TEAM)] == [video.id], "no video was submitted"
    await studio.close()


async def test_a_hosted_model_is_sent_footage_only_refined_or_not_and_the_draft_keeps_the_brief(
    settings: Settings,
) -> None:
    """The words are drawn over the footage by Clapboard: a paid model is never asked to draw them, with or without
    refinement; the local draft keeps the brief as it was given (it draws the copy itself; unrendered here)."""
    brief = 'A 6 second ad for the Aurora X2 headphones in midnight blue, headline "Hear Everything", $49, Shop now'
    studio = await runner(settings, {"draft": Broken(ProviderFailed("Not rendered in this test."))})
    try:
        for refine in (None, False):
            asked = VideoRequest(prompt=brief, model="premium", duration_s=6, refine=refine)
            sent = await studio.jobs.submit(OWNER, asked)
            assert sent.copy.given() == {"headline": "Hear Everything", "price": "$49", "cta": "Shop now"}
            assert "Aurora X2 headphones in midnight blue" in sent.prompt_sent, sent.prompt_sent
            assert not [c for c in ("Hear Everything", "$49", "Shop now") if c in sent.prompt_sent]
            assert sent.prompt_sent.endswith(NO_TEXT) and "No on-screen text or logos" in NO_TEXT
            assert DRAWN_OVER in sent.notice and "Clapboard draws the words, logo and end card" in DRAWN_OVER
            assert sent.refine_method == ("rules" if refine is None else "as written")
        drafted = await studio.jobs.submit(OWNER, VideoRequest(prompt=brief, duration_s=2))
        assert drafted.prompt_sent == brief
    finally:
        await studio.backend.drain()
        await studio.close()


async def test_bad_requests_are_refused_before_anything_is_written(settings: Settings) -> None:
    studio = await runner(settings)
    with pytest.raises(InvalidRequest, match="offers 4, 6, 8 s. Try 6 s or 8 s"):
        await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", model="premium", duration_s=7))
    with pytest.raises(InvalidRequest, match="must be an attached image or an http"):
        await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", references=["/etc/passwd"]))
    with pytest.raises(ValueError, match="prompt is empty"):
        VideoRequest(prompt="  ")
    assert await studio.store.jobs(TEAM) == []
    await studio.close()


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

        async def cancel(self, prediction_id: str) -> None:
            pass

    studio = await runner(settings, {"draft": Slow()})
    ids = [(await studio.jobs.submit(OWNER, VideoRequest(prompt=f"clip {i}"))).job_id for i in range(3)]
    await studio.backend.drain()
    assert running[1] == 1
    assert [(await studio.store.job(i)).status for i in ids] == ["failed"] * 3
    await studio.close()


async def _append(events: list[JobEvent], event: JobEvent) -> None:
    events.append(event)


@pytest.mark.render
async def test_an_unavailable_model_moves_down_its_chain_at_submit_and_says_so(studio: object) -> None:
    submitted = await studio.jobs.submit(
        OWNER, VideoRequest(prompt="a kite over a beach", model="veo-3.1", duration_s=4)
    )
    assert submitted.model == "draft" and submitted.status == "queued"
    assert "Needs a Replicate account" in submitted.notice
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert job.status == "succeeded"


async def test_confirming_twice_at_once_renders_once(settings: Settings) -> None:
    calls = []

    class Counting:
        async def render(self, job: RenderJob, dest: Path, progress: object) -> RenderOutcome:
            calls.append(job.job_id)
            raise ProviderFailed("stop here", user_input=True)

        async def cancel(self, prediction_id: str) -> None:
            pass

    studio = await runner(settings, {"premium": Counting()})
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", model="premium", duration_s=4))
    await asyncio.gather(studio.jobs.confirm(OWNER, submitted.job_id), studio.jobs.confirm(OWNER, submitted.job_id))
    await studio.backend.drain()
    assert calls == [submitted.job_id]
    assert (await studio.jobs.cancel(OWNER, submitted.job_id)).status == "failed"  # a finished job stays as it ended
    await studio.close()


async def test_a_refused_request_creates_no_campaign(settings: Settings) -> None:
    studio = await runner(settings)
    with pytest.raises(InvalidRequest):
        await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", duration_s=150, campaign="Sprng sale typo"))
    assert await studio.store.campaigns(TEAM) == []
    await studio.close()


class Held:
    """An engine that renders only when released, so a test can act while a job runs."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    async def render(self, job: RenderJob, dest: Path, progress: object) -> RenderOutcome:
        self.calls += 1
        self.started.set()
        while not self.release.is_set():
            await progress(0.5, "working")  # type: ignore[operator]
            await asyncio.sleep(0.05)
        return await DraftEngine(self.storage).render(job, dest, progress)  # type: ignore[arg-type]

    async def cancel(self, prediction_id: str) -> None:
        pass


def held(settings: Settings) -> Held:
    engine = Held()
    engine.storage = build_storage(settings)  # type: ignore[attr-defined]
    return engine


@pytest.mark.render
async def test_a_slow_listener_never_slows_a_render(settings: Settings) -> None:
    studio = await runner(settings)
    gate = asyncio.Event()
    heard: list[str] = []

    async def slow_chat(event: JobEvent) -> None:
        heard.append(event.kind)
        await gate.wait()

    studio.subscribe(slow_chat)
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a 2 s clip", duration_s=2))
    job = await studio.jobs.wait(OWNER, submitted.job_id)

    assert job.status == "succeeded" and heard == ["queued"]  # still stuck on the first event
    gate.set()
    await studio.bus.drain()
    assert heard[-1] == "creative_ready"
    await studio.close()


async def test_the_same_idempotency_key_makes_one_job_even_at_once(settings: Settings) -> None:
    studio = await runner(settings)
    request = VideoRequest(prompt="a kite", model="premium", duration_s=4)

    both = await asyncio.gather(
        *(studio.jobs.submit(OWNER, request, origin="api:alice", idempotency_key="k-1") for _ in range(2))
    )

    assert both[0].job_id == both[1].job_id
    assert len(await studio.store.jobs(TEAM)) == 1
    again = await studio.jobs.submit(OWNER, request, origin="api:alice", idempotency_key="k-1")
    assert again.job_id == both[0].job_id and again.needs_confirmation
    with pytest.raises(Conflict, match="already used for a different request"):
        await studio.jobs.submit(
            OWNER, request.model_copy(update={"duration_s": 6}), origin="api:alice", idempotency_key="k-1"
        )
    with pytest.raises(Conflict):  # confirming is part of the request
        await studio.jobs.submit(OWNER, request, origin="api:alice", idempotency_key="k-1", confirmed=True)
    other = await studio.jobs.submit(OWNER, request, origin="api:bob", idempotency_key="k-1")  # keys are per submitter
    assert other.job_id != both[0].job_id
    assert len(await studio.store.jobs(TEAM)) == 2
    await studio.close()


@pytest.mark.render
async def test_a_restart_takes_over_dead_runners_jobs_and_leaves_live_ones_alone(settings: Settings) -> None:
    studio = await runner(settings)
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a 2 s clip", duration_s=2))
    await studio.jobs.wait(OWNER, submitted.job_id)
    template = await studio.store.job(submitted.job_id)
    campaign = await studio.store.campaign(TEAM)
    now = datetime.now(UTC)
    base = {"campaign_id": campaign.id, "model": "draft", "spec": template.spec}
    dead_running = await studio.store.add_job(**base, status="running", runner="gone", lease_until=now, attempts=1)
    dead_queued = await studio.store.add_job(**base, status="queued", runner="gone", lease_until=now)
    live = await studio.store.add_job(**base, status="running", runner="B", lease_until=now + timedelta(hours=1))
    tmp = settings.data_dir / "tmp"
    (tmp / f"job-{dead_running.id}-abc").mkdir(parents=True)
    (tmp / f"job-{dead_running.id}-abc" / "draft.mp4").write_bytes(b"half a video")
    (tmp / f"job-{live.id}-def").mkdir()
    await studio.close()

    restarted = await runner(settings)
    assert not (tmp / f"job-{dead_running.id}-abc").exists()  # a crash's half-written video is gone
    assert (tmp / f"job-{live.id}-def").exists()  # another live runner's work is not
    await restarted.backend.drain()
    for job_id in (dead_running.id, dead_queued.id):
        job = await restarted.store.job(job_id)
        assert job.status == "succeeded" and job.creative_id
    assert (await restarted.store.job(dead_running.id)).attempts == 2  # rendered again: drafts are free
    untouched = await restarted.store.job(live.id)
    assert (untouched.status, untouched.runner, untouched.error) == ("running", "B", None)
    assert len(await restarted.store.creatives(TEAM)) == 3
    await restarted.close()


@pytest.mark.render
async def test_a_graceful_stop_gives_jobs_back_for_the_next_start(settings: Settings) -> None:
    engine = held(settings)
    studio = await runner(settings, {"draft": engine})
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a 2 s clip", duration_s=2))
    await engine.started.wait()

    await studio.close()  # a deploy: SIGTERM

    restarted = await runner(settings)  # lease released: taken at once, not after it runs out
    await restarted.backend.drain()
    job = await restarted.store.job(submitted.job_id)
    assert (job.status, job.attempts, job.error) == ("succeeded", 2, None)
    await restarted.close()


async def test_a_runner_that_lost_its_job_stops_without_writing(settings: Settings) -> None:
    engine = held(settings)
    studio = await runner(settings, {"draft": engine})
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a 2 s clip", duration_s=2))
    await engine.started.wait()

    await studio.store.update_job(submitted.job_id, runner="another")  # taken over after a long stall
    await studio.backend.drain()

    job = await studio.store.job(submitted.job_id)
    assert (job.status, job.runner, job.creative_id) == ("running", "another", None)
    assert await studio.store.creatives(TEAM) == []
    await studio.close()


async def test_canceling_a_running_job_stops_it_and_says_so(settings: Settings) -> None:
    engine = held(settings)
    studio = await runner(settings, {"draft": engine})
    events: list[JobEvent] = []
    studio.subscribe(lambda e: _append(events, e))
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a 2 s clip", duration_s=2))
    await engine.started.wait()

    view = await studio.jobs.cancel(OWNER, submitted.job_id)
    await studio.backend.drain()
    await studio.bus.drain()

    assert (view.status, view.canceled_by) == ("canceled", "owner")
    assert (await studio.jobs.job(OWNER, submitted.job_id)).status == "canceled"
    assert [e.kind for e in events][-1] == "canceled" and await studio.store.creatives(TEAM) == []
    await studio.close()


@pytest.mark.parametrize(
    ("auto", "second_price", "asks"), [(False, 0.10, True), (True, 0.10, False), (True, 0.50, True)]
)
@pytest.mark.render
async def test_a_failed_paid_model_asks_before_its_paid_fallback(
    settings: Settings, auto: bool, second_price: float, asks: bool
) -> None:
    first = PREMIUM.model_copy(update={"fallback": "second"})
    second = PREMIUM.model_copy(update={"id": "second", "name": "Second Test", "price_per_s": {"720p": second_price}})
    fails, renders = Broken(ProviderFailed("Premium Test failed.")), DraftEngine(build_storage(settings))
    table = {"premium": fails, "second": renders, "draft": renders}
    studio = await Studio.open(settings, catalog=Catalog([DRAFT, first, second]), engines=lambda s: table[s.id])
    events: list[JobEvent] = []
    studio.subscribe(lambda e: _append(events, e))
    submitted = await studio.jobs.submit(
        OWNER, VideoRequest(prompt="a kite", model="premium", duration_s=4, auto_fallback=auto)
    )
    await studio.jobs.confirm(OWNER, submitted.job_id)
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    if asks:
        assert (job.status, job.model, job.estimated_cost_usd) == ("awaiting_confirmation", "second", second_price * 4)
        await studio.bus.drain()
        assert (
            events[-1].kind == "offered"
            and "Second Test can make it instead: 4 s 16:9 for about $" in events[-1].message
        )
        await studio.jobs.confirm(OWNER, submitted.job_id)  # the user approves the new price
        job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert (job.status, job.model_used, fails.calls) == ("succeeded", "second", 1)
    await studio.close()


async def test_a_social_ad_is_vertical_unless_a_format_is_named_and_the_notice_says_so(settings: Settings) -> None:
    studio = await runner(settings, {"draft": Broken(ProviderFailed("not rendered here"))})
    social = await studio.jobs.submit(OWNER, VideoRequest(prompt="an ad for our kite", template="social-media"))
    square = await studio.jobs.submit(
        OWNER, VideoRequest(prompt="an ad for our kite", template="social-media", aspect="1:1")
    )
    showcase = await studio.jobs.submit(OWNER, VideoRequest(prompt="a kite", template="product-showcase"))
    specs = [(await studio.store.job(s.job_id)) for s in (social, square, showcase)]
    assert [(j.spec["aspect"], j.spec["width"], j.spec["height"]) for j in specs] == [
        ("9:16", 720, 1280), ("1:1", 720, 720), ("16:9", 1280, 720),
    ]  # fmt: skip
    assert "Social media ads are vertical (9:16) unless you name a format." in (specs[0].notice or "")
    assert "vertical" not in (specs[1].notice or "") + (specs[2].notice or "")
    await studio.close()


class FullDisk:
    """An output container on a disk that fills up: its writes fail as FFmpeg's do (ENOSPC)."""

    def __init__(self, real: object) -> None:
        self.real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()  # type: ignore[attr-defined]

    def mux(self, packets: object) -> None:
        av.error.err_check(-errno.ENOSPC, "draft.mp4")


@pytest.mark.render
async def test_a_full_work_folder_is_said_as_the_servers_trouble_not_the_images(
    settings: Settings, product_png: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.engines.draft import engine as draft

    real_open = draft.open_output
    monkeypatch.setattr(draft, "open_output", lambda dest: FullDisk(real_open(dest)))
    studio = await runner(settings)
    submitted = await studio.jobs.submit(
        OWNER, VideoRequest(prompt="a 2 s teaser", duration_s=2, references=[str(product_png)]), allow_paths=True
    )
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert (job.status, job.stage) == ("failed", "storage")
    assert job.error is not None and "out of disk space" in job.error and "reference" not in job.error
    monkeypatch.setattr(draft, "open_output", real_open)

    def full_mkdtemp(*args: object, **kwargs: object) -> str:  # the work folder cannot even be made
        raise OSError(errno.EDQUOT, "Disk quota exceeded")

    monkeypatch.setattr(body.tempfile, "mkdtemp", full_mkdtemp)
    submitted = await studio.jobs.submit(OWNER, VideoRequest(prompt="a 2 s teaser", duration_s=2))
    job = await studio.jobs.wait(OWNER, submitted.job_id)
    assert (job.status, job.stage) == ("failed", "storage") and "out of disk space" in (job.error or "")
    await studio.close()


def test_notices_joined_say_each_sentence_once() -> None:
    refined = f"Made 9:16 for TikTok. {BRIEF_COLOURS}"
    assert join_notices(refined, None, "", BRIEF_COLOURS) == refined  # the refine step's and the engine's
    assert join_notices("A. B!", "B! C?", "A.") == "A. B! C?"
    assert join_notices(None, "") == ""
