"""The REST API behind JWT and the signed, Range-capable file route, on Chainlit's own ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from campaign.settings import Settings
from chat.tokens import issue_token


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    import chainlit.server

    import chat.app  # noqa: F401
    from chat import runtime

    await runtime.start(settings)
    transport = httpx.ASGITransport(app=chainlit.server.app)
    headers = {"Authorization": f"Bearer {issue_token(settings, 'alice')}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as client:
        yield client
    await runtime.stop()


async def test_requests_without_a_valid_token_are_refused(api: httpx.AsyncClient, settings: Settings) -> None:
    assert (await api.get("/api/video/models", headers={"Authorization": ""})).status_code == 401
    assert (await api.get("/api/video/models", headers={"Authorization": "Bearer nope"})).status_code == 401
    expired = issue_token(settings, "alice", ttl_s=-10)
    response = await api.get("/api/video/models", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


async def test_generate_poll_and_fetch_the_video_with_range_requests(api: httpx.AsyncClient) -> None:
    models = (await api.get("/api/video/models")).json()
    assert any(m["id"] == "draft" for m in models)

    response = await api.post("/api/video/generate", json={"prompt": "a 3 second square teaser", "duration_s": 3,
                                                           "aspect": "1:1"})  # fmt: skip
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    from chat import runtime

    await (await runtime.get_studio()).wait(job_id)
    job = (await api.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] == "succeeded", job

    creative = (await api.get(f"/api/creatives/{job['creative_id']}")).json()
    assert (creative["width"], creative["height"], creative["duration_s"]) == (720, 720, 3.0)
    video = await api.get(creative["url"], headers={"Range": "bytes=0-99"})
    assert video.status_code == 206
    assert video.headers["content-type"] == "video/mp4"
    assert video.headers["content-range"].startswith("bytes 0-99/") and len(video.content) == 100

    for tampered in (creative["url"].replace("sig=", "sig=x"), creative["url"].replace("sig=", "sig=%C3%A9")):
        assert (await api.get(tampered)).status_code == 403
    assert (await api.get("/files/creatives/whatever/video.mp4")).status_code == 403


async def test_bad_requests_are_422_with_what_is_allowed(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/video/generate", json={"prompt": "a kite", "duration_s": 7, "model": "nope"})
    assert response.status_code == 422 and "no model called" in response.json()["detail"]
    response = await api.post("/api/video/generate", json={"prompt": "a kite", "duration_s": 99})
    assert response.status_code == 422 and "offers 2–60 s" in response.json()["detail"]
    response = await api.post("/api/video/generate", json={"prompt": " "})
    assert response.status_code == 422
    assert (await api.get("/api/creatives")).json() == []


async def test_uploaded_references_are_checked_and_used(api: httpx.AsyncClient) -> None:
    from tests.conftest import png_bytes

    bad = await api.post("/api/references", files={"file": ("logo.png", b"MZ\x90\x00" + bytes(500), "image/png")})
    assert bad.status_code == 422 and "not a PNG, JPEG or WebP" in bad.json()["detail"]
    good = await api.post("/api/references", files={"file": ("logo.png", png_bytes((300, 200)), "image/png")})
    assert good.status_code == 201, good.text
    key = good.json()["key"]
    assert key.startswith("refs/") and good.json()["width"] == 300

    job_id = (
        await api.post("/api/video/generate", json={"prompt": "a 2 second logo sting", "duration_s": 2,
                                                    "references": [key]})
    ).json()["job_id"]  # fmt: skip
    from chat import runtime

    await (await runtime.get_studio()).wait(job_id)
    creative = (await api.get("/api/creatives")).json()[0]
    assert creative["reference_keys"] == [key]
    assert creative["file"] is None  # the server's paths stay on the server
    assert (await api.post(f"/api/jobs/{job_id}/confirm")).status_code == 409
    assert (await api.post(f"/api/jobs/{job_id}/cancel")).status_code == 409
    assert (await api.post("/api/campaigns", json={"name": ""})).status_code == 422
