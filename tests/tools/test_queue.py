"""The Procrastinate backend on this machine's PostgreSQL: the embedded worker runs jobs, and events reach
another process's bus through LISTEN/NOTIFY with their data read back."""

from __future__ import annotations

import asyncio
from pathlib import Path

from campaign.people import LOCAL_OWNER as OWNER
from tests.conftest import make_settings
from tools.jobs import JobEvent, VideoRequest
from tools.jobs.queue import QueueBackend
from tools.studio import Studio


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
    submitted = await listener.jobs.submit(
        OWNER, VideoRequest(prompt="a 2 s clip of a kite", duration_s=2), origin="cli"
    )
    await asyncio.wait_for(done.wait(), 60)  # the server's worker ran it

    job = await listener.jobs.job(OWNER, submitted.job_id)
    assert job.status == "succeeded" and job.attempts == 1
    kinds = [e.kind for e in heard]
    assert kinds[0] == "queued" and "running" in kinds and "progress" in kinds and kinds[-1] == "creative_ready"
    ready = heard[-1]
    assert ready.source and ready.creative is not None and ready.creative.id == job.creative_id
    assert (ready.origin, ready.title) == ("cli", job.title)
    await listener.close()
    await server.close()


async def test_a_listener_that_lost_its_connection_says_so_and_hears_again(tmp_path: Path, postgres_url: str) -> None:
    import asyncpg

    server = await Studio.open(make_settings(tmp_path / "a", database_url=postgres_url, job_lease_s=3))
    listener = await Studio.open(make_settings(tmp_path / "b", database_url=postgres_url), server=False)
    heard: list[str] = []

    async def record(event: JobEvent) -> None:
        heard.append(event.kind)

    listener.subscribe(record)
    assert listener.relay is not None
    admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute("SELECT pg_terminate_backend($1)", listener.relay._conn.get_server_pid())  # type: ignore[union-attr]
    for _ in range(100):
        if "resync" in heard:
            break
        await asyncio.sleep(0.1)
    assert "resync" in heard  # events may have been missed: consumers re-read what they follow

    submitted = await server.jobs.submit(OWNER, VideoRequest(prompt="a 2 s clip of a kite", duration_s=2))
    for _ in range(600):
        if "creative_ready" in heard:
            break
        await asyncio.sleep(0.1)
    assert "creative_ready" in heard and (await listener.jobs.job(OWNER, submitted.job_id)).status == "succeeded"
    await admin.close()
    await listener.close()
    await server.close()
