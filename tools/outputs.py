"""Provider outputs into our storage: streamed to a temp file, probed, given a poster, then stored.

A video is never held whole in memory: chunks go to a temp file as they arrive, and the file goes to storage
as a stream. A file that does not decode fails at the storage stage (StorageFailed), before anything is
stored. Keys: `<key_prefix>/video.mp4` (video/mp4) and `<key_prefix>/poster.jpg` (image/jpeg); a paid model's
raw footage, kept beside the finished ad, `<key_prefix>/footage.mp4`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from campaign.errors import ClapboardError, StorageFailed
from campaign.storage import BlobStorage
from tools.media import VideoInfo, poster, probe
from tools.tls import tls_context

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 2 * 1024**3
_WRITE_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class StoredOutput:
    file_key: str
    poster_key: str
    info: VideoInfo


async def store_output(
    storage: BlobStorage,
    key_prefix: str,
    source: AsyncIterator[bytes] | Path,
    tmp_dir: Path,
    *,
    max_bytes: int = MAX_OUTPUT_BYTES,
) -> StoredOutput:
    """Store a finished video and its poster under `key_prefix`, and say what the video is.

    `source` is the provider's output as an async iterator of chunks (see `download`), or a file the local
    engine wrote (which is read, not moved or deleted: the caller owns it). Raises StorageFailed when the
    download breaks, the file is too large, does not decode or has no video, or storage refuses it.
    """
    prefix = key_prefix.strip("/")
    file_key, poster_key = f"{prefix}/video.mp4", f"{prefix}/poster.jpg"
    tmp: Path | None = None
    try:
        if isinstance(source, Path):
            path = source
        else:
            tmp = await _spool(source, tmp_dir, max_bytes)
            path = tmp
        info = await asyncio.to_thread(probe, path)
        if info.width < 1 or info.height < 1 or info.frames < 1:
            raise StorageFailed(
                "The video file has no picture.", hint="Try generating it again, or pick another model."
            )
        jpeg = await asyncio.to_thread(_poster, path, info)
        with path.open("rb") as fh:
            await storage.put(file_key, fh, "video/mp4")
        try:
            await storage.put(poster_key, jpeg, "image/jpeg")
        except BaseException:
            with contextlib.suppress(Exception):
                await storage.delete(file_key)
            raise
        log.info(
            "stored %s (%s %dx%d, %.1f s, %d bytes)",
            file_key,
            info.codec,
            info.width,
            info.height,
            info.duration_s,
            info.bytes,
        )
        return StoredOutput(file_key=file_key, poster_key=poster_key, info=info)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


async def store_footage(storage: BlobStorage, key_prefix: str, path: Path) -> str:
    """Keep a model's raw footage (a file the engine wrote, read not moved) beside its creative; its key.

    Raises StorageFailed when the file does not decode or has no picture, or storage refuses it."""
    info = await asyncio.to_thread(probe, path)
    if info.width < 1 or info.height < 1 or info.frames < 1:
        raise StorageFailed(
            "The model's footage has no picture.", hint="Try generating it again, or pick another model."
        )
    key = f"{key_prefix.strip('/')}/footage.mp4"
    with path.open("rb") as fh:
        await storage.put(key, fh, "video/mp4")
    return key


def _poster(path: Path, info: VideoInfo) -> bytes:
    """A poster one second in (or half way into a shorter video)."""
    try:
        return poster(path, at_s=min(1.0, info.duration_s / 2))
    except ClapboardError:
        raise
    except Exception as exc:  # PyAV or Pillow failing on a frame the probe accepted
        raise StorageFailed(
            "The video file could not be decoded.", hint="Try generating it again, or pick another model."
        ) from exc


async def _spool(source: AsyncIterator[bytes], tmp_dir: Path, max_bytes: int) -> Path:
    """Write an async stream of chunks to a new temp file in `tmp_dir`, a block at a time."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="output-", suffix=".mp4")
    path = Path(name)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            block = bytearray()
            async for chunk in source:
                size += len(chunk)
                if size > max_bytes:
                    raise StorageFailed(
                        f"The video is larger than {max_bytes // 1024**2} MB, more than Clapboard stores.",
                        hint="Try a shorter duration or a lower resolution.",
                    )
                block += chunk
                if len(block) >= _WRITE_BLOCK:
                    await asyncio.to_thread(out.write, block)
                    block = bytearray()
            if block:
                await asyncio.to_thread(out.write, block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
    return path


async def download(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float | httpx.Timeout = 60.0,
    max_bytes: int = MAX_OUTPUT_BYTES,
    client: httpx.AsyncClient | None = None,
    chunk_size: int = 1024 * 1024,
) -> AsyncIterator[bytes]:
    """Stream a provider's output file as chunks (for `store_output`), following redirects.

    `timeout` bounds connecting and each wait for data, not the whole download. Pass `client` to reuse a
    connection pool (it is not closed). Network and HTTP errors become StorageFailed.
    """
    own = client is None
    http = client or httpx.AsyncClient(follow_redirects=True, timeout=timeout, verify=tls_context())
    received = 0
    try:
        async with http.stream("GET", url, headers=headers, timeout=timeout) as response:
            if response.status_code != 200:
                log.warning("provider output download answered %s", response.status_code)
                raise StorageFailed(
                    f"The finished video could not be downloaded (the provider answered {response.status_code}).",
                    hint="Try again; the provider may keep the file only for a short time.",
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise StorageFailed(
                    f"The video is larger than {max_bytes // 1024**2} MB, more than Clapboard stores.",
                    hint="Try a shorter duration or a lower resolution.",
                )
            async for chunk in response.aiter_bytes(chunk_size):
                received += len(chunk)
                if received > max_bytes:
                    raise StorageFailed(
                        f"The video is larger than {max_bytes // 1024**2} MB, more than Clapboard stores.",
                        hint="Try a shorter duration or a lower resolution.",
                    )
                yield chunk
    except httpx.HTTPError as exc:
        log.warning("provider output download failed: %s", type(exc).__name__)
        raise StorageFailed(
            "The finished video could not be downloaded from the provider.",
            hint="Try again in a moment.",
        ) from exc
    finally:
        if own:
            await http.aclose()
