"""The Procrastinate backend on this machine's PostgreSQL: the embedded worker runs jobs, and events reach
another process's bus through LISTEN/NOTIFY with their data read back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import _drop, _postgres_database, make_settings
from tools.jobs import JobEvent, VideoRequest
from tools.jobs.queue import QueueBackend
from tools.studio import Studio


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await _postgres_database()
    if url is None:
        pytest.skip("no PostgreSQL server answered on 127.0.0.1:5432 (set CLAPBOARD_TEST_DATABASE_URL)")
    yield url
    await _drop(url)


async def test_the_embedded_worker_runs_jobs_and_another_process_hears_them(tmp_path: Path, postgres_url: str) -> None:
    server = await Studio.open(make_settings(tmp_path / "a", database_url=postgres_url, job_lease_s=3))
    listener = await Studio.open(make_settings(tmp_path / "b", database_url=postgres_url), server=False)
    assert isinstance(server.backend, QueueBackend) and isinstance(listener.backend, QueueBackend)
    heard: list[JobEvent] = []
    done = asyncio.Event()

    async def record(event: JobEvent) -> None:
        heard.append(event)
        if event.kind == "creative_ready":
            done.set()

    listener.subscribe(record)
    submitted = await listener.submit(VideoRequest(prompt="a 2 s clip of a kite", duration_s=2), origin="cli")
    await asyncio.wait_for(done.wait(), 60)  # the server's worker ran it

    job = await listener.job(submitted.job_id)
    assert job.status == "succeeded" and job.attempts == 1
    kinds = [e.kind for e in heard]
    assert kinds[0] == "queued" and "running" in kinds and "progress" in kinds and kinds[-1] == "creative_ready"
    ready = heard[-1]
    assert ready.source and ready.creative is not None and ready.creative.id == job.creative_id
    assert (ready.origin, ready.title) == ("cli", job.title)
    await listener.close()
    await server.close()
