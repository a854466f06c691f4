"""Replicate's webhooks end to end: the fake Replicate calls the real server's endpoint when a prediction
completes, and the job finishes without waiting for its next poll; forged, stale and replayed deliveries change
nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from pathlib import Path

import httpx

from tests.conftest import bearer
from tests.e2e.chainlit_server import chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings, sign_webhook


async def test_a_signed_completion_finishes_the_job_and_forgeries_change_nothing(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    fake_replicate.set_scenario("google/veo-3.1", "hold")
    settings = replicate_settings(fake_replicate, tmp_path / "data", replicate_poll_s=5.0)  # next poll in ~25 s
    async with chainlit_server(settings) as base:
        settings.public_url = base
        from chat import runtime

        headers = await bearer(runtime.services().studio, None)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
            body = {"prompt": "a lighthouse at dawn", "model": "veo-3.1", "duration_s": 4, "confirm": True}
            job_id = (await http.post("/api/video/generate", json=body)).json()["job_id"]
            while not (job := (await http.get(f"/api/jobs/{job_id}")).json())["prediction_id"]:
                await asyncio.sleep(0.05)
            pid = job["prediction_id"]
            [create] = fake_replicate.creates()
            assert create.json["webhook"] == f"{base}/api/webhooks/replicate?job={job_id}"
            assert create.json["webhook_events_filter"] == ["completed"]
            hook = f"/api/webhooks/replicate?job={job_id}"

            done = {**fake_replicate.predictions[pid].body, "status": "succeeded",
                    "output": fake_replicate.url(f"/delivery/{pid}/output.mp4")}  # fmt: skip
            raw = json.dumps(done).encode()
            other_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
            forgeries = {
                "tampered body": (sign_webhook(fake_replicate.webhook_secret, b'{"id": "x"}'), raw),
                "wrong secret": (sign_webhook(other_secret, raw), raw),
                "old timestamp": (
                    sign_webhook(fake_replicate.webhook_secret, raw, timestamp=int(time.time()) - 600),
                    raw,
                ),
                "no headers": ({}, raw),
                "not json": (sign_webhook(fake_replicate.webhook_secret, b"\xff\xfe"), b"\xff\xfe"),
            }
            for name, (signed, content) in forgeries.items():
                response = await http.post(hook, content=content, headers={**signed, "Authorization": ""})
                assert response.status_code == 401, (name, response.text)
                assert "does not check out" in response.json()["detail"] or "no prediction" in response.json()["detail"]
            job = (await http.get(f"/api/jobs/{job_id}")).json()
            assert (job["status"], job["creative_id"]) == ("running", None)
            assert fake_replicate.predictions[pid].body["status"] == "starting" and fake_replicate.polls() == []

            polls = len(fake_replicate.polls())
            fake_replicate.complete(pid)  # Replicate finishes and calls us
            [delivery] = await asyncio.to_thread(fake_replicate.wait_for_webhooks, 1)
            assert delivery.status == 200
            for _ in range(200):
                job = (await http.get(f"/api/jobs/{job_id}")).json()
                if job["status"] != "running":
                    break
                await asyncio.sleep(0.05)
            assert job["status"] == "succeeded" and job["creative_id"]
            assert len(fake_replicate.polls()) == polls  # finished by the webhook, not by a poll

            replay = await http.post(hook, content=delivery.body, headers={**delivery.headers, "Authorization": ""})
            assert replay.status_code == 200 and replay.json() == {"handled": False}
            creatives = (await http.get("/api/creatives")).json()
            assert [c["provider_job_id"] for c in creatives] == [pid]
            assert len(fake_replicate.creates()) == 1
