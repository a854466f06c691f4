"""Storing provider outputs: streamed to a temp file, probed, given a poster, stored (folder and S3)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from campaign.errors import StorageFailed
from campaign.storage import LocalStorage, UrlSigner, read_all
from tests.fakes.http_server import Reply, ScriptedHTTPServer, endless, file_reply
from tests.fakes.s3 import MotoS3
from tools.outputs import download, store_output


def make_mp4(path: Path, seconds: float = 2.0, size: tuple[int, int] = (96, 64), fps: int = 12) -> Path:
    """A real H.264 MP4 whose frames get brighter over time."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        frames = int(seconds * fps)
        for i in range(frames):
            pixels = np.full((size[1], size[0], 3), int(255 * i / frames), np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_audio_only(path: Path) -> Path:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 44100
        for _ in range(20):
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


async def chunks_of(path: Path, size: int = 4096) -> AsyncIterator[bytes]:
    data = path.read_bytes()
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files", UrlSigner(b"k" * 32), 600)


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoS3]:
    with MotoS3() as server:
        yield server


def stored(storage: LocalStorage) -> list[str]:
    return sorted(str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file())


async def test_a_downloaded_output_is_stored_with_its_poster(
    tmp_path: Path, storage: LocalStorage, http_server: ScriptedHTTPServer
):
    video = make_mp4(tmp_path / "render.mp4")
    http_server.route("/out/video.mp4", file_reply(video, "video/mp4", block=2048))
    work = tmp_path / "work"
    out = await store_output(storage, "creatives/c1", download(http_server.url("/out/video.mp4")), work)

    assert (out.file_key, out.poster_key) == ("creatives/c1/video.mp4", "creatives/c1/poster.jpg")
    assert (out.info.codec, out.info.width, out.info.height, out.info.frames) == ("h264", 96, 64, 24)
    assert out.info.duration_s == pytest.approx(2.0, abs=0.1)
    assert out.info.bytes == video.stat().st_size
    assert await read_all(storage, out.file_key) == video.read_bytes()
    poster = Image.open(io.BytesIO(await read_all(storage, out.poster_key)))
    assert poster.format == "JPEG" and poster.size == (96, 64)
    assert 110 < poster.getpixel((48, 32))[0] < 145  # the frame one second in: half brightness
    assert list(work.iterdir()) == []  # the temp file is gone


async def test_a_local_file_is_stored_and_left_to_its_owner(tmp_path: Path, storage: LocalStorage):
    video = make_mp4(tmp_path / "draft.mp4", seconds=1.0)
    out = await store_output(storage, "creatives/c2", video, tmp_path / "work")
    assert stored(storage) == ["creatives/c2/poster.jpg", "creatives/c2/video.mp4"]
    assert video.exists()
    assert out.info.frames == 12


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Service Unavailable</body></html>",
        bytes(range(256)) * 100,
    ],
    ids=["empty", "html", "noise"],
)
async def test_a_file_that_does_not_decode_fails_at_the_storage_stage(
    tmp_path: Path, storage: LocalStorage, body: bytes
):
    async def source() -> AsyncIterator[bytes]:
        yield body

    with pytest.raises(StorageFailed) as caught:
        await store_output(storage, "creatives/c3", source(), tmp_path / "work")
    assert caught.value.stage == "storage"
    assert str(caught.value).startswith("The video file could not be decoded.")
    assert stored(storage) == []
    assert list((tmp_path / "work").iterdir()) == []


async def test_a_truncated_video_fails(tmp_path: Path, storage: LocalStorage):
    whole = make_mp4(tmp_path / "whole.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(StorageFailed, match="could not be decoded"):
        await store_output(storage, "creatives/c4", chunks_of(cut), tmp_path / "work")
    assert stored(storage) == []


async def test_audio_without_video_fails(tmp_path: Path, storage: LocalStorage):
    audio = make_audio_only(tmp_path / "sound.mp4")
    with pytest.raises(StorageFailed, match="could not be decoded"):
        await store_output(storage, "creatives/c5", audio, tmp_path / "work")
    assert stored(storage) == []


async def test_a_broken_download_fails_cleanly(tmp_path: Path, storage: LocalStorage, http_server):
    http_server.route("/gone.mp4", Reply(status=404, body=b"expired"))
    http_server.route("/forever.mp4", endless(b"\0" * 65536, max_chunks=64))
    work = tmp_path / "work"
    with pytest.raises(StorageFailed) as caught:
        await store_output(storage, "creatives/c6", download(http_server.url("/gone.mp4")), work)
    assert "provider answered 404" in str(caught.value)
    with pytest.raises(StorageFailed, match="larger than 1 MB"):
        source = download(http_server.url("/forever.mp4"), max_bytes=1024 * 1024)
        await store_output(storage, "creatives/c6", source, work)
    with pytest.raises(StorageFailed, match="could not be downloaded from the provider"):
        await store_output(storage, "creatives/c6", download("http://127.0.0.1:1/nothing.mp4"), work)
    assert stored(storage) == []
    assert list(work.iterdir()) == []


async def test_download_refuses_a_declared_size_over_the_cap(http_server: ScriptedHTTPServer):
    http_server.route("/big.mp4", Reply(body=b"\0" * 200_000, content_type="video/mp4"))
    with pytest.raises(StorageFailed, match="larger than"):
        async for _ in download(http_server.url("/big.mp4"), max_bytes=100_000):
            pass


async def test_download_can_reuse_a_client_and_send_headers(http_server: ScriptedHTTPServer):
    http_server.route("/out.mp4", Reply(body=b"abc" * 1000, content_type="video/mp4"))
    async with httpx.AsyncClient() as client:
        got = b"".join(
            [c async for c in download(http_server.url("/out.mp4"), headers={"X-Token": "t"}, client=client)]
        )
        assert not client.is_closed
    assert got == b"abc" * 1000
    assert http_server.requests[0].headers["x-token"] == "t"


async def test_an_output_into_s3_is_served_by_a_presigned_url(tmp_path: Path, moto: MotoS3):
    storage = moto.storage()
    video = make_mp4(tmp_path / "render.mp4")
    out = await store_output(storage, "creatives/c7", chunks_of(video), tmp_path / "work")
    assert storage.local_path(out.file_key) is None
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(storage.url(out.file_key))
        poster = await client.get(storage.url(out.poster_key))
    assert response.status_code == 200 and response.content == video.read_bytes()
    assert response.headers["content-type"] == "video/mp4"
    assert poster.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(poster.content)).size == (96, 64)
