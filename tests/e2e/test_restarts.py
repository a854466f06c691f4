"""What survives a SIGKILL: real `clapboard serve` processes, killed mid-render and started again, with the chat
driven over socket.io and the fake Replicate on loopback. A paid prediction is followed, never made twice; a
draft is rendered again; another live instance's jobs are never touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.e2e.chainlit_server import ChatClient
from tests.e2e.server_process import (
    LEASE,
    ClapboardProcess,
    ServerProcess,
    api_jobs,
    decoded,
    replicate_env,
    token,
    until,
)
from tests.fakes.replicate_server import FakeReplicate


async def test_a_paid_prediction_survives_a_sigkill_without_being_paid_twice(
    fake_replicate: FakeReplicate, tmp_path: Path, processes: list[ClapboardProcess]
) -> None:
    fake_replicate.set_scenario("google/veo-3.1", "hold")
    data = tmp_path / "data"
    server = ServerProcess(data, **replicate_env(fake_replicate)).start()
    processes.append(server)
    tab = ChatClient(server.base)
    await tab.connect()
    await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
    actions = await tab.wait_for(lambda: [d for e, d in tab.events if e == "action"])
    confirm = next(a for a in actions if a["name"] == "confirm_job")
    assert (await tab.click(confirm)).is_success
    await tab.wait_for(lambda: len(fake_replicate.polls()) >= 2)  # processing at Replicate, being followed
    [job] = await api_jobs(server, token())
    [pid] = list(fake_replicate.predictions)
    assert (job["status"], job["prediction_id"]) == ("running", pid)

    server.kill()
    await tab.sio.disconnect()
    fake_replicate.complete(pid)  # it finished while nobody was there
    server.start()

    returning = ChatClient(server.base)
    await returning.connect()
    videos = await returning.wait_for(lambda: returning.elements("video"), timeout=60)
    assert any("Finished while you were away" in m or "Your video is ready" in m for m in returning.messages())
    info = await decoded(server, videos[0]["url"], tmp_path)
    assert info.codec == "h264" and abs(info.duration_s - 8) < 0.6
    assert len(fake_replicate.creates()) == 1 and fake_replicate.cancels() == []
    async with httpx.AsyncClient(base_url=server.base, headers=token()) as http:
        creatives = (await http.get("/api/creatives")).json()
    assert [c["provider_job_id"] for c in creatives] == [pid]
    [job] = await api_jobs(server, token())
    assert (job["status"], job["attempts"], job["creative_id"]) == ("succeeded", 2, creatives[0]["id"])
    await returning.close()


async def test_a_draft_cut_off_by_a_sigkill_is_rendered_again_and_leaves_no_temp_folder(
    tmp_path: Path, processes: list[ClapboardProcess]
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data, **LEASE).start()
    processes.append(server)
    tab = ChatClient(server.base)
    await tab.connect()
    # Long enough to be caught part-rendered (its progress moves in tenths), short because it is rendered twice.
    await tab.send("make a 12 second landscape video of a lighthouse at dawn")

    async def rendering() -> bool:
        jobs = await api_jobs(server, token())
        return bool(jobs) and jobs[0]["status"] == "running" and jobs[0]["progress"] >= 0.15

    await until(rendering, what="the draft to be part-rendered")
    assert list((data / "tmp").glob("job-*"))  # a half-written video on disk
    server.kill()
    await tab.sio.disconnect()
    server.start()

    returning = ChatClient(server.base)
    await returning.connect()
    videos = await returning.wait_for(lambda: returning.elements("video"), timeout=120)
    info = await decoded(server, videos[0]["url"], tmp_path)
    assert (info.codec, info.width, info.height) == ("h264", 854, 480) and abs(info.duration_s - 12) < 0.1
    [job] = await api_jobs(server, token())
    assert (job["status"], job["attempts"]) == ("succeeded", 2)
    assert list((data / "tmp").glob("job-*")) == []
    await returning.close()


async def test_two_instances_on_postgres_one_restarted_leaves_the_others_jobs_alone(
    fake_replicate: FakeReplicate, tmp_path: Path, postgres_url: str, processes: list[ClapboardProcess]
) -> None:
    fake_replicate.set_scenario("*", "hold")
    env = {**replicate_env(fake_replicate), "DATABASE_URL": postgres_url, "CLAPBOARD_MAX_CONCURRENT_JOBS": "2"}
    a = ServerProcess(tmp_path / "data", **env).start()  # one data folder, as machines share a bucket
    b = ServerProcess(tmp_path / "data", **env).start()
    processes += [a, b]
    headers = token()
    body = {"model": "veo-3.1", "duration_s": 4, "aspect": "16:9", "confirm": True}

    async def submit(server: ServerProcess, n: int) -> list[str]:
        async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=30) as http:
            return [
                (await http.post("/api/video/generate", json={**body, "prompt": f"kite {i} at {server.port}"})).json()[
                    "job_id"
                ]
                for i in range(n)
            ]

    submitted = await submit(a, 3) + await submit(b, 2)  # their embedded workers take two each; one waits

    async def four_following() -> bool:
        return len(fake_replicate.creates()) == 4

    await until(four_following, what="four predictions")
    before = await api_jobs(b, headers)
    on_a = [j["id"] for j in before if j["status"] == "running" and f":{a.pid}:" in j["runner"]]
    on_b = [j["id"] for j in before if j["status"] == "running" and f":{b.pid}:" in j["runner"]]
    assert len(on_a) == len(on_b) == 2 and [j["status"] for j in before].count("queued") == 1

    a.kill()
    fake_replicate.set_scenario("*", "success")  # what the waiting job creates next succeeds on its own
    for pid in list(fake_replicate.predictions):
        fake_replicate.complete(pid)
    a.start()

    async def all_done() -> list[dict[str, Any]] | None:
        jobs = await api_jobs(a, headers)
        return jobs if all(j["status"] == "succeeded" for j in jobs) else None

    jobs = {j["id"]: j for j in await until(all_done, timeout=90, what="every job to finish")}
    assert sorted(jobs) == sorted(submitted)
    assert [jobs[i]["attempts"] for i in on_b] == [1, 1]  # B's running jobs were never taken from it
    assert all(jobs[i]["error"] is None for i in submitted)
    assert [jobs[i]["attempts"] for i in on_a] == [2, 2]  # A's were taken over after its lease ran out
    assert len(fake_replicate.creates()) == 5 and fake_replicate.cancels() == []
    async with httpx.AsyncClient(base_url=a.base, headers=headers) as http:
        creatives = (await http.get("/api/creatives")).json()
    assert sorted(c["id"] for c in creatives) == sorted(j["creative_id"] for j in jobs.values())
    assert await api_jobs(a, headers) and not [j for j in jobs.values() if j["status"] == "queued"]


async def test_start_up_removes_the_temp_folder_of_a_render_cut_off_by_a_sigkill(
    tmp_path: Path, processes: list[ClapboardProcess]
) -> None:
    """Killed mid-render, the job then canceled while the server was down (so nothing renders it again): the next
    start-up alone removes its half-written temp folder."""
    import sqlite3

    data = tmp_path / "data"
    server = ServerProcess(data, **LEASE).start()
    processes.append(server)
    async with httpx.AsyncClient(base_url=server.base, headers=token()) as http:
        asked = await http.post(
            "/api/video/generate", json={"prompt": "a 30 second lighthouse at dawn", "duration_s": 30}
        )
    job_id = asked.json()["job_id"]

    async def rendering() -> bool:
        [job] = await api_jobs(server, token())
        return job["status"] == "running" and job["progress"] >= 0.1

    await until(rendering, what="the draft to be part-rendered")
    [left] = list((data / "tmp").glob(f"job-{job_id}-*"))
    server.kill()
    with sqlite3.connect(data / "clapboard.db") as db:
        db.execute("UPDATE jobs SET status = 'canceled' WHERE id = ?", (job_id,))
    assert left.exists()
    server.start()
    assert not left.exists() and list((data / "tmp").glob("job-*")) == []
    [job] = await api_jobs(server, token())
    assert (job["status"], job["attempts"]) == ("canceled", 1)
