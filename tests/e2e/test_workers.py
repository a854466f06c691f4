"""Workers on other processes, on this machine's PostgreSQL: servers that only serve, `clapboard worker`
processes that run the jobs, one SIGKILLed and one stopped with SIGTERM while they work, a cancel sent to a
server stopping a prediction a worker follows, and a chat hearing a job another process ran. The processes
share one data folder, as machines share a bucket."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.chainlit_server import ChatClient
from tests.e2e.server_process import (
    ClapboardProcess,
    ServerProcess,
    api_jobs,
    decoded,
    replicate_env,
    token,
    until,
    worker,
)
from tests.fakes.replicate_server import FakeReplicate


def cluster_env(fake: FakeReplicate, postgres_url: str) -> dict[str, str]:
    return {**replicate_env(fake), "DATABASE_URL": postgres_url, "CLAPBOARD_EMBEDDED_WORKER": "false"}


async def test_a_chat_on_a_server_gets_the_video_a_worker_made(
    fake_replicate: FakeReplicate, tmp_path: Path, postgres_url: str, processes: list[ClapboardProcess]
) -> None:
    env = cluster_env(fake_replicate, postgres_url)
    server = ServerProcess(tmp_path / "data", **env).start()
    processes.append(server)
    processes.append(worker(tmp_path / "data", **env).start())
    tab = ChatClient(server.base)
    await tab.connect()
    await tab.send("make a 3 second square video of a kite on draft")

    videos = await tab.wait_for(lambda: tab.elements("video"), timeout=90)

    info = await decoded(server, videos[0]["url"], tmp_path)
    assert (info.codec, info.width, info.height) == ("h264", 480, 480)
    [job] = await api_jobs(server, token())
    assert job["status"] == "succeeded" and f":{processes[1].pid}:" in job["runner"]  # the worker made it
    await tab.close()


async def test_a_cancel_sent_to_a_server_stops_the_prediction_a_worker_follows(
    fake_replicate: FakeReplicate, tmp_path: Path, postgres_url: str, processes: list[ClapboardProcess]
) -> None:
    fake_replicate.set_scenario("google/veo-3.1", "hold")
    env = cluster_env(fake_replicate, postgres_url)
    server = ServerProcess(tmp_path / "data", **env).start()
    processes += [server, worker(tmp_path / "data", **env).start()]
    headers = token()
    async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=30) as http:
        body = {"prompt": "a lighthouse at dawn", "model": "veo-3.1", "duration_s": 4, "confirm": True}
        job_id = (await http.post("/api/video/generate", json=body)).json()["job_id"]

        async def following() -> dict[str, Any] | None:
            job = (await http.get(f"/api/jobs/{job_id}")).json()
            return job if job["prediction_id"] and fake_replicate.polls() else None

        job = await until(following, what="the worker to follow the prediction")
        assert f":{processes[1].pid}:" in job["runner"]
        started = asyncio.get_running_loop().time()
        assert (await http.post(f"/api/jobs/{job_id}/cancel")).json()["status"] == "canceled"

        async def canceled_upstream() -> bool:
            return bool(fake_replicate.cancels())

        await until(canceled_upstream, timeout=30, what="the cancel to reach Replicate")
        took = asyncio.get_running_loop().time() - started
        print(f"cancel reached the fake Replicate {took:.2f} s after the request")
        assert fake_replicate.predictions[job["prediction_id"]].body["status"] == "canceled"
        await asyncio.sleep(1)
        job = (await http.get(f"/api/jobs/{job_id}")).json()
        assert (job["status"], job["creative_id"], job["canceled_by"]) == ("canceled", None, "owner")
        assert (await http.get("/api/creatives")).json() == []


# Enough jobs that both workers hold their two (CLAPBOARD_MAX_CONCURRENT_JOBS) when one is SIGKILLed and the other
# stopped, with more still queued for the worker started after them: every job is then run by a worker that died,
# one that handed it back or the new one, and each is still made once. Forty showed nothing more than sixteen, for
# 1.6 times the CPU (69 s against 42).
JOBS = 16


async def test_sixteen_jobs_survive_a_killed_and_a_stopped_worker(
    fake_replicate: FakeReplicate, tmp_path: Path, postgres_url: str, processes: list[ClapboardProcess]
) -> None:
    fake_replicate.set_scenario("*", "success", processing_polls=20)
    env = cluster_env(fake_replicate, postgres_url)
    a = ServerProcess(tmp_path / "data", **env).start()
    b = ServerProcess(tmp_path / "data", **env).start()
    first = worker(tmp_path / "data", **env).start()
    second = worker(tmp_path / "data", **env).start()
    processes += [a, b, first, second]
    headers = token()
    paid = {"model": "veo-3.1-fast", "duration_s": 4, "confirm": True}
    free = {"model": "draft", "duration_s": 2, "aspect": "1:1"}
    ids: list[str] = []
    for i in range(JOBS):
        server = (a, b)[i % 2]
        async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=30) as http:
            response = await http.post(
                "/api/video/generate", json={"prompt": f"kite number {i}", **(paid if i % 4 < 2 else free)}
            )
        ids.append(response.json()["job_id"])

    async def first_is_busy() -> bool:
        return any(
            f":{first.pid}:" in (j["runner"] or "") and j["status"] == "running" for j in await api_jobs(a, headers)
        )

    await until(first_is_busy, what="the first worker to run jobs")
    first.kill()  # SIGKILL, mid-job
    second.stop()  # SIGTERM: hands its jobs back
    processes.append(worker(tmp_path / "data", **env).start())

    async def all_done() -> list[dict[str, Any]] | None:
        jobs = await api_jobs(b, headers)
        return jobs if len(jobs) == JOBS and all(j["status"] == "succeeded" for j in jobs) else None

    jobs = await until(all_done, timeout=300, what=f"all {JOBS} jobs to succeed")
    assert sorted(j["id"] for j in jobs) == sorted(ids)
    async with httpx.AsyncClient(base_url=a.base, headers=headers) as http:
        creatives = (await http.get("/api/creatives")).json()
    assert len(creatives) == JOBS and len({c["id"] for c in creatives}) == JOBS
    paid_jobs = [j for j in jobs if j["model"] == "veo-3.1-fast"]
    assert len(paid_jobs) == JOBS // 2 and len(fake_replicate.creates()) == JOBS // 2  # one create per paid job
    assert {j["prediction_id"] for j in paid_jobs} == set(fake_replicate.predictions)
