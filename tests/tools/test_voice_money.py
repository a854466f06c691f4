"""The money of a premium voice-over (one Replicate prediction per job, made before the video): a job canceled
after its voice was made, or while Replicate answers the voice's create, cancels that prediction and says what
it cost; a fallback offer and a free draft made instead say what the voice cost; and the voice's audio is kept
the moment it is spoken, so a fallback offer confirmed after Replicate removed it still uses it, paid once, and
a voice whose audio is gone and was not kept fails saying so instead of paying again. The studio as a server
runs it, with the real Replicate engine and the fake Replicate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from campaign.models import JobStatus
from campaign.people import LOCAL_OWNER as OWNER
from campaign.storage import build_storage
from chat.controls import canceled_text
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tests.tools.test_replicate_stop import Said
from tools.catalog import usd_text
from tools.jobs import JobEvent, VideoRequest
from tools.jobs.soundfiles import job_voice_key
from tools.studio import Studio

BRIEF = 'A 4 second ad for our trail shoes, headline "Run wild", Shop now'
VEO, HAILUO, SPEECH = "google/veo-3.1-fast", "minimax/hailuo-2.3", "minimax/speech-02-hd"


@pytest.fixture
async def studio(fake_replicate: FakeReplicate, tmp_path: Path) -> AsyncIterator[Studio]:
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data"))
    yield studio
    await studio.backend.drain()
    await studio.close()


def voiced(model: str = "veo-3.1-fast", duration_s: int = 4, **extra: Any) -> VideoRequest:
    return VideoRequest(prompt=BRIEF, model=model, duration_s=duration_s, refine=False, voice="hazel", **extra)


async def until(found: Callable[[], list[Any]]) -> list[Any]:
    """What `found` answers once it answers something (the fake's requests come from the job's runner)."""
    for _ in range(400):
        if got := found():
            return got
        await asyncio.sleep(0.05)
    raise TimeoutError("nothing came")


def video_creates(fake: FakeReplicate, slug: str = VEO) -> list[Any]:
    return [c for c in fake.creates() if c.path == f"/v1/models/{slug}/predictions"]


async def test_a_job_canceled_after_its_voice_was_made_cancels_and_counts_the_voice(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    said = Said(studio)
    fake_replicate.set_scenario(VEO, "hold")  # the video renders until the stop
    made = await studio.jobs.submit(OWNER, voiced(), confirmed=True, origin="cli")
    await until(lambda: video_creates(fake_replicate))

    await studio.jobs.cancel(OWNER, made.job_id)
    word = await said.about(made.job_id)
    [voice] = fake_replicate.speeches()
    cost = usd_text(made.voice_cost_usd)
    assert made.voice_cost_usd > 0
    assert f"/v1/predictions/{voice['id']}/cancel" in [c.path for c in fake_replicate.cancels()]
    assert word == (
        f"Spent: about {cost}; the Hazel voice-over was made on Replicate ({cost}); Veo 3.1 Fast was stopped on "
        "Replicate before the video was finished."
    )
    assert not await build_storage(studio.settings).exists(job_voice_key(made.job_id))


async def test_a_stop_while_replicate_answers_the_voices_create_cancels_that_prediction(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    said = Said(studio)
    fake_replicate.hold_creates()
    made = await studio.jobs.submit(OWNER, voiced(), confirmed=True, origin="cli")
    [pid] = await asyncio.to_thread(fake_replicate.wait_for_held, 1)  # the voice's, paid, its id not yet known

    await studio.jobs.cancel(OWNER, made.job_id)
    fake_replicate.release_creates()
    word = await said.about(made.job_id)
    assert fake_replicate.predictions[pid].body["status"] == "canceled", "the voice was left running"
    assert (await studio.store.job(made.job_id)).voice_prediction_id == pid
    assert word == (
        "Spent: nothing; the Hazel voice-over was stopped on Replicate before it was finished; nothing had reached "
        "Veo 3.1 Fast yet."
    )
    assert video_creates(fake_replicate) == []


async def offered(studio: Studio, made_job: str, then: Awaitable[Any] | None = None) -> tuple[str, Any]:
    """The question of the job's next fallback offer (once `then` is done) and the job waiting for its
    confirmation. The offer's event comes after the job's change is committed; `studio.jobs.wait` wakes on final
    events only, so it would re-read the job 2 s later."""
    questions: list[str] = []

    async def hear(event: JobEvent) -> None:
        if event.kind == "offered" and event.job_id == made_job:
            questions.append(event.message)

    studio.subscribe(hear)
    if then is not None:
        await then
    [question] = await until(lambda: questions)
    job = await studio.jobs.job(OWNER, made_job)
    assert job.status == JobStatus.awaiting_confirmation, job.error
    return question, job


@pytest.mark.render
async def test_a_fallback_confirmed_after_replicate_removed_the_voice_uses_the_kept_voice_and_says_its_price(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    fake_replicate.set_scenario(VEO, "failed")
    made = await studio.jobs.submit(OWNER, voiced(auto_fallback=False), confirmed=True, origin="cli")
    question, waiting = await offered(studio, made.job_id)
    voice_cost = made.voice_cost_usd
    video_cost = round(waiting.estimated_cost_usd - voice_cost, 4)
    assert voice_cost > 0 and video_cost > 0
    assert (
        f"for about {usd_text(video_cost)}, with the Hazel voice-over ({usd_text(voice_cost)}) made already: "
        f"{usd_text(waiting.estimated_cost_usd)} in all." in question
    ), question

    [voice] = fake_replicate.speeches()
    fake_replicate.expire(voice["id"])  # confirmed after Replicate's hour: its audio is gone there
    await studio.jobs.confirm(OWNER, made.job_id)
    done = await studio.jobs.wait(OWNER, made.job_id)
    assert done.status == JobStatus.succeeded, done.error
    creative = await studio.library.creative(OWNER, done.creative_id or "")
    assert creative.sound is not None and creative.sound.voice == "hazel" and creative.sound.voice_key
    assert len(fake_replicate.speeches()) == 1, "the voice was paid for once"
    assert len(video_creates(fake_replicate, HAILUO)) == 1
    kept = await build_storage(studio.settings).exists(job_voice_key(made.job_id))
    assert not kept, "the creative keeps its own copy of the voice"


async def test_a_voice_removed_on_replicate_and_not_kept_fails_saying_so_without_paying_again(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    fake_replicate.set_scenario(VEO, "failed")
    made = await studio.jobs.submit(OWNER, voiced(auto_fallback=False), confirmed=True, origin="cli")
    await offered(studio, made.job_id)
    [voice] = fake_replicate.speeches()
    fake_replicate.expire(voice["id"])
    await build_storage(studio.settings).delete(job_voice_key(made.job_id))  # as a job from before voices were kept

    await studio.jobs.confirm(OWNER, made.job_id)
    done = await studio.jobs.wait(OWNER, made.job_id)
    assert (done.status, done.stage) == (JobStatus.failed, "voice")
    assert done.error and "Replicate has since removed its audio" in done.error, done.error
    assert f"asking again pays about {usd_text(made.voice_cost_usd)} for a new one" in done.error
    assert len(fake_replicate.speeches()) == 1, "nothing was paid again"
    assert video_creates(fake_replicate, HAILUO) == []


async def test_a_free_draft_offered_after_the_voice_was_made_says_what_the_voice_cost(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    fake_replicate.set_scenario(VEO, "failed")
    made = await studio.jobs.submit(OWNER, voiced(auto_fallback=False), confirmed=True, origin="cli")
    await offered(studio, made.job_id)  # Hailuo, paid
    fake_replicate.stop()  # Replicate cannot be reached now: the free draft is offered, not imposed

    question, waiting = await offered(studio, made.job_id, studio.jobs.confirm(OWNER, made.job_id))
    cost = usd_text(made.voice_cost_usd)
    assert "a free draft instead?" in question, question
    assert question.endswith(f"the draft itself free, with the Hazel voice-over ({cost}) made already."), question
    assert waiting.estimated_cost_usd == made.voice_cost_usd  # what its Generate button asks
    assert len(fake_replicate.speeches()) == 1
    before = await studio.jobs.job(OWNER, made.job_id)  # canceled at the offer: the voice was made, and said so
    assert (await studio.jobs.cancel(OWNER, made.job_id)).status == JobStatus.canceled
    assert before.voice_prediction_id == fake_replicate.speeches()[0]["id"]
    assert canceled_text(before) == (
        f"Canceled *{before.title}*: no video was started; its voice-over by Hazel was made already ({cost}), and "
        "that is all it cost."
    )


@pytest.mark.render
async def test_a_free_draft_made_instead_says_the_voice_was_charged(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    fake_replicate.set_scenario(HAILUO, "failed")  # its only fallback is the free draft, which goes ahead
    made = await studio.jobs.submit(OWNER, voiced("hailuo-2.3", 6), confirmed=True, origin="cli")
    done = await studio.jobs.wait(OWNER, made.job_id)
    assert done.status == JobStatus.succeeded, done.error
    creative = await studio.library.creative(OWNER, done.creative_id or "")
    cost = usd_text(made.voice_cost_usd)
    assert creative.notice and f"only the Hazel voice-over ({cost}) was charged" in creative.notice, creative.notice
    assert "nothing was charged" not in creative.notice
    assert creative.actual_cost_usd == made.voice_cost_usd
