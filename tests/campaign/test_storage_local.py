"""LocalStorage: the default folder storage, and the signed links the `/files/` route checks."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from campaign.errors import NotFound, StorageFailed
from campaign.storage import LocalStorage, UrlSigner, content_disposition, read_all


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files", UrlSigner(b"k" * 32, "https://clapboard.example"), 600)


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _files(storage: LocalStorage) -> list[str]:
    return sorted(str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file())


async def test_put_and_read_every_body_kind(storage: LocalStorage):
    await storage.put("refs/a.png", b"png bytes", "image/png")
    await storage.put("refs/b.jpg", io.BytesIO(b"jpeg" * 1000), "image/jpeg")
    blob = await storage.put("creatives/c1/video.mp4", _chunks(b"ab", b"", b"cd"), "video/mp4")
    assert (blob.size, blob.content_type) == (4, "video/mp4")
    assert await read_all(storage, "refs/a.png") == b"png bytes"
    assert await read_all(storage, "refs/b.jpg") == b"jpeg" * 1000
    assert await read_all(storage, "creatives/c1/video.mp4") == b"abcd"
    assert [len(c) async for c in storage.open("refs/b.jpg", chunk_size=1000)] == [1000] * 4


async def test_exists_delete_and_local_path(storage: LocalStorage):
    await storage.put("refs/a.png", b"x", "image/png")
    assert await storage.exists("refs/a.png")
    assert storage.local_path("refs/a.png") == storage.root / "refs" / "a.png"
    await storage.delete("refs/a.png")
    await storage.delete("refs/a.png")  # missing: not an error
    assert not await storage.exists("refs/a.png")
    assert storage.local_path("refs/a.png") is None
    with pytest.raises(NotFound):
        await read_all(storage, "refs/a.png")


async def test_overwrite_replaces_the_whole_file(storage: LocalStorage):
    await storage.put("creatives/c/poster.jpg", b"long old content", "image/jpeg")
    await storage.put("creatives/c/poster.jpg", b"new", "image/jpeg")
    assert await read_all(storage, "creatives/c/poster.jpg") == b"new"


async def test_a_failing_body_leaves_nothing_behind(storage: LocalStorage):
    async def broken() -> AsyncIterator[bytes]:
        yield b"partial"
        raise ConnectionError("provider went away")

    with pytest.raises(ConnectionError):
        await storage.put("creatives/c/video.mp4", broken(), "video/mp4")
    assert _files(storage) == []


@pytest.mark.parametrize("key", ["../escape.txt", "/etc/passwd", "refs//a.png", "refs/./a.png", "a\\b", ""])
async def test_keys_cannot_escape_the_folder(storage: LocalStorage, key: str):
    with pytest.raises(NotFound):
        await storage.put(key, b"x", "text/plain")
    with pytest.raises(NotFound):
        await read_all(storage, key)
    assert _files(storage) == []


async def test_url_is_a_signed_expiring_files_link(storage: LocalStorage):
    url = storage.url("creatives/c 1/video.mp4")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "clapboard.example")
    assert unquote(parts.path) == "/files/creatives/c 1/video.mp4"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert 590 <= int(query["exp"]) - time.time() <= 610
    assert storage.signer.verify("creatives/c 1/video.mp4", query["exp"], query["sig"])
    assert not storage.signer.verify("creatives/c 2/video.mp4", query["exp"], query["sig"])
    assert not storage.signer.verify("creatives/c 1/video.mp4", str(int(query["exp"]) + 1), query["sig"])
    expired = storage.signer.sign("creatives/c 1/video.mp4", -5)
    q = {k: v[0] for k, v in parse_qs(urlsplit(expired).query).items()}
    assert not storage.signer.verify("creatives/c 1/video.mp4", q["exp"], q["sig"])
    short = {k: v[0] for k, v in parse_qs(urlsplit(storage.url("a/b", expires_s=60)).query).items()}
    assert int(short["exp"]) - time.time() <= 61


async def test_a_download_link_signs_the_name_it_saves_as(storage: LocalStorage):
    url = storage.url("creatives/c1/video.mp4", download="Café crème, vertical-9x16.mp4")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["download"] == "Café crème, vertical-9x16.mp4"
    key = "creatives/c1/video.mp4"
    assert storage.signer.verify(key, query["exp"], query["sig"], query["download"])
    assert not storage.signer.verify(key, query["exp"], query["sig"], "malware.exe")  # nobody may rename it
    assert not storage.signer.verify(key, query["exp"], query["sig"])  # nor make it a plain link
    plain = {k: v[0] for k, v in parse_qs(urlsplit(storage.url(key)).query).items()}
    assert "download" not in plain and not storage.signer.verify(key, plain["exp"], plain["sig"], "x.mp4")


def test_content_disposition_names_the_file_in_ascii_and_in_utf8():
    assert content_disposition("Sneaker showcase, vertical-9x16.mp4") == (
        'attachment; filename="Sneaker showcase, vertical-9x16.mp4"; '
        "filename*=UTF-8''Sneaker%20showcase%2C%20vertical-9x16.mp4"
    )
    assert content_disposition("Café crème-1x1.mp4") == (
        "attachment; filename=\"Cafe creme-1x1.mp4\"; filename*=UTF-8''Caf%C3%A9%20cr%C3%A8me-1x1.mp4"
    )
    assert content_disposition('春の"セール"\r\n;-9x16.mp4').startswith('attachment; filename="-9x16.mp4"; ')


async def test_a_full_disk_is_a_storage_failure(storage: LocalStorage, monkeypatch):
    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("campaign.storage.os.replace", no_space)
    with pytest.raises(StorageFailed) as caught:
        await storage.put("refs/a.png", b"x", "image/png")
    assert str(caught.value).startswith("The server is out of disk space")
    assert _files(storage) == []
