"""Uploads cost nothing before they are allowed: the REST route checks the token before reading a byte, both
routes stop reading at the size limit, the chat's counts files and bytes per session and deletes them when the
chat ends."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from campaign.settings import Settings
from tests.conftest import bearer, make_settings, png_bytes
from tests.e2e.chainlit_server import ChatClient, app_client, chainlit_server
from tests.fakes.memory import peak_growth

GB = 1_000_000_000
BOUNDARY = "clapboard-test-boundary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


class Body:
    """A multipart body of one `size`-byte file, streamed in 64 KiB chunks, counting what was taken of it."""

    def __init__(self, size: int = GB) -> None:
        self.size, self.taken = size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\n'
                "Content-Type: image/png\r\n\r\n").encode()  # fmt: skip
        self.taken += len(head)
        yield head
        chunk = bytes(64 * 1024)
        for _ in range(self.size // len(chunk)):
            self.taken += len(chunk)
            yield chunk
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def temp_dir(tmp_path: Path) -> Iterator[Path]:
    """Python's temp folder for this test (where a parsed upload would be spooled), to see what is written."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    before, tempfile.tempdir = tempfile.tempdir, str(folder)
    yield folder
    tempfile.tempdir = before


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from chat import runtime

    async with app_client(settings) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        client.headers.update(await bearer(studio, "alice"))
        yield client


def files_in(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


async def test_a_1_gb_upload_without_a_token_is_refused_before_1_mb_is_read(
    api: httpx.AsyncClient, settings: Settings, temp_dir: Path
) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer forged"}):
        body = Body()
        response = await api.post("/api/references", content=body, headers={**MULTIPART, **headers})
        assert response.status_code == 401, response.text
        assert body.taken < 1_000_000, body.taken
    assert files_in(temp_dir, settings.data_dir / "files") == []


async def test_a_body_over_the_limit_is_refused_declared_or_streamed(
    api: httpx.AsyncClient, settings: Settings, temp_dir: Path
) -> None:
    body = Body()
    declared = await api.post("/api/references", content=body, headers={**MULTIPART, "Content-Length": str(GB)})
    assert declared.status_code == 413 and "larger than 20 MB" in declared.json()["detail"]
    assert body.taken < 1_000_000
    body = Body()
    with peak_growth() as peak:
        streamed = await api.post("/api/references", content=body, headers=MULTIPART)
    print(f"a 1 GB streamed REST upload: refused after {body.taken / 1e6:.1f} MB, peak +{peak.mb:.0f} MB")
    assert streamed.status_code == 413, streamed.text
    assert body.taken <= settings.reference_max_bytes + 128 * 1024
    assert peak.mb < 64
    assert files_in(temp_dir, settings.data_dir / "files") == []
    fine = await api.post("/api/references", files={"file": ("logo.png", png_bytes((64, 48)), "image/png")})
    assert fine.status_code == 201 and fine.json()["width"] == 64
    missing = await api.post("/api/references", files={"image": ("logo.png", png_bytes(), "image/png")})
    assert missing.status_code == 422 and "`file`" in missing.json()["detail"]


async def test_chat_uploads_are_signed_in_capped_counted_and_deleted_when_the_chat_ends(
    tmp_path: Path, temp_dir: Path
) -> None:
    from chat.http.uploads import files_directory

    settings = make_settings(tmp_path / "data", chat_upload_max_files=2)
    async with chainlit_server(settings) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as stranger:
            refused = await stranger.post("/project/file?session_id=x", content=Body(), headers=MULTIPART)
            assert refused.status_code == 401
            assert files_in(temp_dir, files_directory() / "x") == []  # the gigabyte went nowhere
        tab = ChatClient(base)
        await tab.connect()
        other = await tab.http.post("/project/file?session_id=not-mine", files={"file": ("a.png", b"x", "image/png")})
        assert other.status_code == 404

        with peak_growth() as peak:
            huge = await tab.http.post(f"/project/file?session_id={tab.session_id}", content=Body(), headers=MULTIPART)
        print(f"a 1 GB chat upload: refused, peak +{peak.mb:.0f} MB")
        assert huge.status_code == 413 and "larger than 20 MB" in huge.json()["detail"]
        assert peak.mb < 64

        await tab.upload("a.png", png_bytes(), "image/png")
        await tab.upload("b.png", png_bytes(), "image/png")
        third = await tab.http.post(
            f"/project/file?session_id={tab.session_id}", files={"file": ("c.png", png_bytes(), "image/png")}
        )
        assert third.status_code == 413 and "2 files" in third.json()["detail"]
        uploads = files_directory() / tab.session_id
        assert len(files_in(uploads)) == 2
        await tab.close()
        for _ in range(200):
            if not uploads.exists():
                break
            await asyncio.sleep(0.05)
        assert not uploads.exists()


async def test_uploads_sent_at_once_cannot_pass_the_session_cap_together(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", chat_upload_max_files=2)
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        url = f"/project/file?session_id={tab.session_id}"
        answers = await asyncio.gather(
            *(tab.http.post(url, files={"file": (f"{k}.png", png_bytes(), "image/png")}) for k in range(6))
        )
        assert sorted(a.status_code for a in answers) == [200, 200, 413, 413, 413, 413]
        await tab.close()


async def test_chunked_uploads_sent_at_once_cannot_pass_the_session_cap_together(tmp_path: Path) -> None:
    """Without a Content-Length nothing is known before the bytes come: they are counted as they stream."""
    from chat.http.uploads import files_directory

    cap = 2 * 1024 * 1024
    settings = make_settings(tmp_path / "data", reference_max_bytes=1024 * 1024, chat_upload_max_bytes=cap)
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        url = f"/project/file?session_id={tab.session_id}"
        answers = await asyncio.gather(
            *(tab.http.post(url, content=Body(900_000), headers=MULTIPART) for _ in range(6))
        )
        stored = sum(p.stat().st_size for p in files_in(files_directory() / tab.session_id))
        print(f"6 chunked 0.9 MB uploads at once against a 2 MB session cap: {stored / 1e6:.1f} MB stored")
        assert stored <= cap, stored
        accepted = [a for a in answers if a.status_code == 200]
        assert 1 <= len(accepted) <= 2, [a.status_code for a in answers]
        refused = [a for a in answers if a.status_code != 200]
        assert all(a.status_code == 413 and "start a new chat" in a.json()["detail"] for a in refused)
        await tab.close()
