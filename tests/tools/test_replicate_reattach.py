"""A paid job whose runner was killed between Replicate's answer to the create and the commit of the prediction
id: the next runner finds that prediction (made with the job's own webhook, same model and input) and follows
it, so it is paid for once, and it never takes a prediction of another job, recorded or still being answered.
The job body, the store (SQLite and PostgreSQL), the Replicate engine and the fake Replicate, as a worker runs
them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.models import Campaign, Creative
from campaign.storage import build_storage
from campaign.store import Store
from tests.conftest import png_bytes
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.brief import AdCopy
from tools.engines.base import Reference
from tools.engines.registry import build_catalog
from tools.engines.replicate.run import ReplicateEngine
from tools.jobs.body import JobBody
from tools.jobs.events import EventBus
from tools.jobs.spec import JobSpec
from tools.media import probe
from tools.references import ReferenceIntake
from tools.sound.script import write_script
from tools.sound.speech import SoundSpec

MODEL = "veo-3.1-fast"
BRIEF = "A paper kite over a windy beach at dawn, slow push-in"


class Killed(BaseException):
    """A SIGKILL: nothing after it runs, nothing more is written."""


@pytest.fixture
async def body(fake_replicate: FakeReplicate, tmp_path: Path, database_url: str) -> AsyncIterator[JobBody]:
    # Webhooks on: the fake delivers them to itself (refused, which Replicate's retries shrug off).
    settings = replicate_settings(fake_replicate, tmp_path / "data", public_url=fake_replicate.base_url)
    storage = build_storage(settings)
    store = await Store.open(database_url)
    bus = EventBus()
    yield JobBody(
        settings, store, storage, build_catalog(settings), lambda model: ReplicateEngine(settings, storage), bus
    )
    await bus.close()
    await store.close()


async def paid_job(body: JobBody, references: list[Reference] | None = None) -> str:
    """A confirmed paid job on MODEL, queued for a runner: at 720p, the model's smallest (these tests look at which
    predictions were made and paid, not at the pixels; at 1080p the module took 1.46 times the CPU)."""
    resolved = body.catalog.resolve(MODEL, duration_s=4, resolution="720p", references=len(references or []))
    spec = JobSpec(
        prompt=BRIEF, prompt_sent=BRIEF, model=MODEL, duration_s=resolved.duration_s, aspect=resolved.aspect,
        resolution=resolved.resolution, fps=resolved.fps, width=resolved.width, height=resolved.height,
        template="prompt", references=references or [], title="Kite",
    )  # fmt: skip
    async with AsyncSession(body.store.engine, expire_on_commit=False) as s:
        campaign = (await s.scalars(select(Campaign).where(Campaign.name == "Kites"))).first()
        if campaign is None:
            campaign = Campaign(name="Kites")
            s.add(campaign)
            await s.commit()
    job = await body.store.add_job(
        campaign_id=campaign.id, status="queued", model=MODEL, spec=spec.model_dump(mode="json"),
        estimated_cost_usd=resolved.estimated_cost_usd, origin="cli",
    )  # fmt: skip
    return job.id


async def killed_before_recording(body: JobBody, fake: FakeReplicate, job_id: str, runner: str) -> str:
    """Run the job until Replicate has answered the create, and kill the runner before the id is committed;
    the id of the prediction it left behind, paid for and recorded nowhere."""
    before = set(fake.predictions)

    def recorder(*_: Any) -> Any:
        async def record(prediction_id: str) -> None:
            raise Killed

        return record

    body._recorder = recorder  # in place of the body's own: it dies the moment Replicate has answered
    try:
        with pytest.raises(Killed):
            await run(body, job_id, runner)
    finally:
        del body._recorder
    [left] = set(fake.predictions) - before
    job = await body.store.job(job_id)
    assert (job.status, job.runner, job.provider_job_id) == ("running", runner, None)
    return left


async def run(body: JobBody, job_id: str, runner: str, *, after_a_crash: bool = False) -> None:
    """What a backend does: `runner` takes the job (after a crash, once the dead runner's lease has run out)
    and runs it."""
    now = datetime.now(UTC) + timedelta(hours=1 if after_a_crash else 0)
    assert await body.store.adopt(job_id, runner, now + timedelta(minutes=5), now, fresh=True)
    await body.run(job_id, runner)


async def delivered(body: JobBody, job_id: str) -> Creative:
    """The job's creative, after checking the job succeeded with it and its video is a real one."""
    job = await body.store.job(job_id)
    async with AsyncSession(body.store.engine) as s:
        creative = (await s.scalars(select(Creative).where(Creative.job_id == job_id))).one()
    assert (job.status, job.creative_id, job.provider_job_id) == ("succeeded", creative.id, creative.provider_job_id)
    path = body.storage.local_path(creative.file_key)
    assert path is not None and probe(path).codec == "h264"
    return creative


async def test_a_prediction_whose_id_a_killed_runner_never_recorded_is_followed_not_made_again(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    job_id = await paid_job(body)
    pid = await killed_before_recording(body, fake_replicate, job_id, "worker-a")

    await run(body, job_id, "worker-b", after_a_crash=True)

    assert len(fake_replicate.creates()) == 1
    assert (await delivered(body, job_id)).provider_job_id == pid
    assert (await body.store.job(job_id)).attempts == 2
    assert fake_replicate.find("GET", "/v1/predictions")  # looked for by creation time and input


async def test_a_job_never_takes_the_prediction_of_another_job_with_the_same_brief(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    fake_replicate.list_page_size = 1  # the one to find is on the second page
    first, second = await paid_job(body), await paid_job(body)
    left = await killed_before_recording(body, fake_replicate, first, "worker-a")
    await run(body, second, "worker-b")  # the same brief, made later: first in Replicate's list
    theirs = (await delivered(body, second)).provider_job_id

    await run(body, first, "worker-c", after_a_crash=True)

    assert (await delivered(body, first)).provider_job_id == left != theirs
    assert len(fake_replicate.creates()) == 2


async def test_two_jobs_with_the_same_brief_both_cut_off_take_one_prediction_each_at_once(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    jobs = [await paid_job(body), await paid_job(body)]
    left = {await killed_before_recording(body, fake_replicate, job_id, "worker-a") for job_id in jobs}

    await asyncio.gather(*(run(body, job_id, f"worker-{i}", after_a_crash=True) for i, job_id in enumerate(jobs)))

    assert {(await delivered(body, job_id)).provider_job_id for job_id in jobs} == left
    assert len(fake_replicate.creates()) == 2


async def test_a_reference_uploaded_again_is_still_the_same_request_and_another_image_is_not(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    intake = ReferenceIntake(body.settings, body.storage)
    logo = await intake.from_bytes(png_bytes((640, 480)), "logo.png")
    other = await intake.from_bytes(png_bytes((640, 480), color=(20, 200, 20)), "other.png")
    mine, theirs = await paid_job(body, [logo]), await paid_job(body, [other])
    left = await killed_before_recording(body, fake_replicate, mine, "worker-a")
    await killed_before_recording(body, fake_replicate, theirs, "worker-a")  # the same brief, another first frame
    uploads = len(fake_replicate.find("POST", "/v1/files"))

    await run(body, mine, "worker-b", after_a_crash=True)

    assert (await delivered(body, mine)).provider_job_id == left
    assert len(fake_replicate.find("POST", "/v1/files")) == uploads + 1  # a new upload, a new URL: same image
    assert len(fake_replicate.creates()) == 2


async def test_a_re_run_never_takes_the_prediction_another_job_is_still_waiting_for(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    mine, theirs = await paid_job(body), await paid_job(body)
    left = await killed_before_recording(body, fake_replicate, mine, "worker-a")
    fake_replicate.hold_creates()
    other = asyncio.create_task(run(body, theirs, "worker-b"))  # the same brief, made later
    [made] = await asyncio.to_thread(fake_replicate.wait_for_held, 1)  # on Replicate, its id not yet recorded

    await run(body, mine, "worker-c", after_a_crash=True)
    fake_replicate.release_creates()
    await other

    assert (await delivered(body, mine)).provider_job_id == left  # its own, told apart by its webhook
    assert (await delivered(body, theirs)).provider_job_id == made
    assert len(fake_replicate.creates()) == 2


async def test_a_listing_without_webhooks_still_finds_a_prediction_no_other_job_could_have_made(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    fake_replicate.list_webhooks = False  # in case Replicate's list does not echo the webhook a create sent
    job_id = await paid_job(body)
    pid = await killed_before_recording(body, fake_replicate, job_id, "worker-a")

    await run(body, job_id, "worker-b", after_a_crash=True)

    assert (await delivered(body, job_id)).provider_job_id == pid
    assert len(fake_replicate.creates()) == 1


def without_webhooks(body: JobBody) -> None:
    settings = body.settings.model_copy(update={"public_url": ""})
    body.settings, body.engines = settings, lambda model: ReplicateEngine(settings, body.storage)


async def test_without_webhooks_a_prompt_no_other_job_asked_for_still_finds_its_prediction(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    without_webhooks(body)
    job_id = await paid_job(body)
    pid = await killed_before_recording(body, fake_replicate, job_id, "worker-a")

    await run(body, job_id, "worker-b", after_a_crash=True)

    assert (await delivered(body, job_id)).provider_job_id == pid  # its input is proof enough
    assert len(fake_replicate.creates()) == 1


async def test_without_webhooks_a_re_run_makes_its_own_prediction_rather_than_guess(
    body: JobBody,
    fake_replicate: FakeReplicate,
) -> None:
    without_webhooks(body)  # and another job has the same brief: the input does not say whose a prediction is
    mine, theirs = await paid_job(body), await paid_job(body)
    left = await killed_before_recording(body, fake_replicate, mine, "worker-a")
    fake_replicate.hold_creates()
    other = asyncio.create_task(run(body, theirs, "worker-b"))
    [made] = await asyncio.to_thread(fake_replicate.wait_for_held, 1)

    await run(body, mine, "worker-c", after_a_crash=True)
    fake_replicate.release_creates()
    await other

    assert (await delivered(body, mine)).provider_job_id not in (left, made)
    assert (await delivered(body, theirs)).provider_job_id == made
    assert len(fake_replicate.creates()) == 3


async def test_a_voice_over_recorded_before_a_kill_is_followed_not_spoken_again(
    body: JobBody, fake_replicate: FakeReplicate
) -> None:
    """A premium voice's prediction id is committed before it is waited for: the runner that takes the job over
    follows that prediction, so the voice-over is made, and paid for, once."""
    job_id = await paid_job(body)
    spec = JobSpec.of(await body.store.job(job_id))
    script = write_script(AdCopy(headline="Fly high", cta="Shop now"), spec.duration_s, None)
    voiced = spec.model_copy(update={"sound": SoundSpec(voice="hazel", script=script)})
    await body.store.update_job(job_id, spec=voiced.model_dump(mode="json"))
    own = body._voice_recorder

    def recorder(job_id: str, runner: str) -> Any:
        async def record(prediction_id: str) -> None:
            await own(job_id, runner)(prediction_id)
            raise Killed  # the moment the id is committed

        return record

    body._voice_recorder = recorder  # type: ignore[method-assign]
    try:
        with pytest.raises(Killed):
            await run(body, job_id, "first")
    finally:
        del body._voice_recorder
    [spoken] = fake_replicate.speeches()
    assert (await body.store.job(job_id)).voice_prediction_id == spoken["id"]

    await run(body, job_id, "second", after_a_crash=True)
    creative = await delivered(body, job_id)
    assert len(fake_replicate.speeches()) == 1
    assert creative.sound and creative.sound["voice"] == "hazel" and creative.sound["voice_key"]
