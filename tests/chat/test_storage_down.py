"""File storage that is down or hangs is the server's trouble, not the client's: the API answers 503 in its
error shape with a Retry-After, and a job whose video cannot be saved fails saying so, in bounded time, instead
of sitting "running" at 100%."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from campaign.settings import Settings
from tests.conftest import bearer, make_settings, png_bytes
from tests.e2e.chainlit_server import app_client
from tests.fakes.s3 import MotoS3
from tools.studio import Studio


@contextlib.asynccontextmanager
async def _api(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Studio]]:
    from chat import runtime

    async with app_client(settings) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        client.headers.update(await bearer(studio, "alice"))
        yield client, studio


@pytest.fixture
async def hanging_endpoint() -> AsyncIterator[str]:
    """A TCP listener that accepts connections and never answers (an S3 endpoint stuck behind a dead proxy)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        while await reader.read(65536):
            pass

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    for writer in held:
        writer.close()
    server.close()


def _s3_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str, bucket: str) -> Settings:
    env = MotoS3().env(bucket)
    for name, value in {**env, "CLAPBOARD_S3_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(name, value)
    return make_settings(tmp_path / "data", s3_timeout_s=0.5)


async def test_an_upload_while_storage_is_down_is_a_503_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with contextlib.AsyncExitStack() as served:
        with MotoS3() as moto:
            bucket = moto.create_bucket()
            settings = _s3_settings(tmp_path, monkeypatch, moto.endpoint_url, bucket)
            client, _ = await served.enter_async_context(_api(settings))
            stored = await client.post("/api/references", files={"file": ("a.png", png_bytes(), "image/png")})
            assert stored.status_code == 201, stored.text
        # moto stopped: nothing answers on its port
        down = await client.post("/api/references", files={"file": ("b.png", png_bytes((300, 200)), "image/png")})
        assert down.status_code == 503, down.text
        assert int(down.headers["retry-after"]) > 0
        body = down.json()
        assert body["stage"] == "storage" and body["errors"] == []
        assert body["detail"].startswith("Cloud storage could not") and "Try again" in body["detail"]
        assert "127.0.0.1" not in body["detail"] and bucket not in body["detail"]


@pytest.mark.render
async def test_a_hanging_storage_fails_the_job_with_a_storage_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hanging_endpoint: str
) -> None:
    async with _api(_s3_settings(tmp_path, monkeypatch, hanging_endpoint, "clapboard-hangs")) as (client, studio):
        submitted = await client.post(
            "/api/video/generate", json={"prompt": "a 2 second clip of a kite", "duration_s": 2}
        )
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["job_id"]
        job = await asyncio.wait_for(studio.jobs.wait(await studio.accounts.cli_actor("alice"), job_id), 60)
        assert job.status == "failed", job
        assert job.error is not None and job.error.startswith("Cloud storage could not save the file."), job.error
        assert (await client.get(f"/api/jobs/{job_id}")).json()["status"] == "failed"
