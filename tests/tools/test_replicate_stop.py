"""Stopping a paid job while Replicate is still answering its create (the prediction made and paid for, its id
not yet known): the prediction is canceled on Replicate every time, and the job says what was spent. The
studio as a server runs it (in-process on SQLite, Procrastinate on PostgreSQL), the real Replicate engine and
the fake Replicate, whose create is held until the stop has happened."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from campaign.models import DEFAULT_TEAM_ID as TEAM
from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.engines.registry import build_catalog
from tools.jobs import JobEvent, VideoRequest
from tools.jobs.body import spent_on
from tools.studio import Studio

RUNS = 20
NOTHING = "Canceled. Spent: nothing; Veo 3.1 Fast was stopped on Replicate before the video was finished."


@pytest.fixture
async def studio(fake_replicate: FakeReplicate, tmp_path: Path, database_url: str) -> AsyncIterator[Studio]:
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data", database_url=database_url))
    yield studio
    await studio.close()


class Said:
    """The "canceled" events a studio hears: what each stopped job's runner said was spent."""

    def __init__(self, studio: Studio) -> None:
        self.words: dict[str, str] = {}
        self.changed = asyncio.Event()
        studio.subscribe(self.hear)

    async def hear(self, event: JobEvent) -> None:
        if event.kind == "canceled":
            self.words[event.job_id] = event.message
            self.changed.set()

    async def about(self, job_id: str) -> str:
        while job_id not in self.words:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 30)
        return self.words[job_id]


async def paid_job_held_at_create(studio: Studio, fake: FakeReplicate, prompt: str) -> tuple[str, str]:
    """A confirmed paid job whose create has reached Replicate and is held there: (job id, prediction id)."""
    fake.hold_creates()
    request = VideoRequest(prompt=prompt, model="veo-3.1-fast", duration_s=4, refine=False)
    submitted = await studio.jobs.submit(OWNER, request, confirmed=True, origin="cli")
    [pid] = await asyncio.to_thread(fake.wait_for_held, 1)
    return submitted.job_id, pid


async def test_a_stop_while_the_create_is_held_cancels_the_prediction_every_time(
    studio: Studio,
    fake_replicate: FakeReplicate,
) -> None:
    said = Said(studio)
    for run in range(RUNS):
        job_id, pid = await paid_job_held_at_create(studio, fake_replicate, f"a paper kite over the beach, take {run}")

        stopped = await studio.jobs.cancel(OWNER, job_id)  # Replicate has not answered yet
        fake_replicate.release_creates()

        word = await said.about(job_id)  # the runner is done with it
        assert fake_replicate.predictions[pid].body["status"] == "canceled", f"run {run}: left running"
        assert (stopped.status, stopped.canceled_by, word) == ("canceled", "owner", NOTHING.removeprefix("Canceled. "))
        job = await studio.jobs.job(OWNER, job_id)  # what the API answers
        assert (job.status, job.prediction_id, job.error) == ("canceled", pid, NOTHING)
    assert len(fake_replicate.cancels()) == len(fake_replicate.creates()) == RUNS
    assert await studio.store.creatives(TEAM) == []


async def test_a_confirm_and_a_cancel_sent_to_two_instances_leave_nothing_running(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
    postgres_url: str,
) -> None:
    runs = await Studio.open(replicate_settings(fake_replicate, tmp_path / "a", database_url=postgres_url))
    serves = await Studio.open(
        replicate_settings(fake_replicate, tmp_path / "b", database_url=postgres_url, embedded_worker=False)
    )
    heard = Said(serves)
    request = VideoRequest(prompt="a lighthouse at dawn", model="veo-3.1-fast", duration_s=4, refine=False)
    submitted = await serves.jobs.submit(OWNER, request, origin="cli")
    fake_replicate.hold_creates()

    await runs.jobs.confirm(OWNER, submitted.job_id)  # its worker starts the job at once
    [pid] = await asyncio.to_thread(fake_replicate.wait_for_held, 1)
    assert (await serves.jobs.cancel(OWNER, submitted.job_id)).status == "canceled"  # the other instance
    fake_replicate.release_creates()

    word = await heard.about(submitted.job_id)  # heard on the other instance
    assert fake_replicate.predictions[pid].body["status"] == "canceled", "left running"
    assert word == NOTHING.removeprefix("Canceled. ")
    assert (await serves.jobs.job(OWNER, submitted.job_id)).error == NOTHING
    await serves.close()
    await runs.close()


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("canceled", "Spent: nothing; Veo 3.1 Fast was stopped on Replicate before the video was finished."),
        ("succeeded", "Spent: about $0.40; Veo 3.1 Fast had finished the video on Replicate before the stop."),
        (None, "Spent: possibly about $0.40; Replicate did not confirm that Veo 3.1 Fast stopped, so it may still "
               "finish (its 30m cost cap ends it at the latest)."),
    ],
)  # fmt: skip
def test_what_a_stop_cost_follows_what_replicate_answered_the_cancel(status: str | None, said: str) -> None:
    model = build_catalog(Settings(_env_file=None)).get("veo-3.1-fast")
    assert spent_on(model, status, 0.40, "30m") == said
