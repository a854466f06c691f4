"""Blob storage: where every reference image, video and poster lives. A local folder by default.

Keys are relative, slash-separated paths such as `refs/ab/abcd….png` or `creatives/<id>/video.mp4`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

from .errors import NotFound, StorageFailed
from .settings import Settings

CHUNK = 1024 * 1024
Body = bytes | BinaryIO | AsyncIterator[bytes]


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    content_type: str


class BlobStorage(Protocol):
    """What every storage backend offers."""

    async def put(self, key: str, body: Body, content_type: str) -> StoredBlob:
        """Store `body` (bytes, a binary file object or an async iterator of chunks) under `key`."""
        ...

    def open(self, key: str, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
        """Read a stored blob as chunks. Raises NotFound for a missing key."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove a blob; removing a missing key is not an error."""
        ...

    def url(self, key: str, *, expires_s: int | None = None) -> str:
        """A URL a browser (or a provider, for S3) can GET the blob from until it expires."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The file on disk when storage is local, else None."""
        ...


def safe_key(key: str) -> str:
    """Refuse keys that could escape the storage root."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise NotFound("That file does not exist.")
    return key


class UrlSigner:
    """Signs `/files/<key>` links with an expiry, so the file route needs no session to check them."""

    def __init__(self, secret: bytes, base_url: str = "") -> None:
        self._secret = secret
        self._base = base_url.rstrip("/")

    def _sig(self, key: str, exp: int) -> str:
        mac = hmac.new(self._secret, f"{key}\n{exp}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()

    def sign(self, key: str, expires_s: int) -> str:
        exp = int(time.time()) + expires_s
        return f"{self._base}/files/{quote(key)}?exp={exp}&sig={self._sig(key, exp)}"

    def verify(self, key: str, exp: str, sig: str) -> bool:
        try:
            expiry = int(exp)
        except ValueError:
            return False
        return expiry >= time.time() and hmac.compare_digest(self._sig(key, expiry), sig)


async def iter_body(body: Body, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
    """Yield a body's bytes in chunks, whatever form it came in."""
    if isinstance(body, bytes):
        for i in range(0, len(body), chunk_size) or [0]:
            yield body[i : i + chunk_size]
    elif hasattr(body, "read"):
        while chunk := await asyncio.to_thread(body.read, chunk_size):
            yield chunk
    else:
        async for chunk in body:
            yield chunk


class LocalStorage:
    """Files in `<data_dir>/files`, served by the signed, Range-capable `/files/` route."""

    def __init__(self, root: Path, signer: UrlSigner, default_expiry_s: int = 3600) -> None:
        self.root = root
        self.signer = signer
        self.default_expiry_s = default_expiry_s
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / safe_key(key)

    async def put(self, key: str, body: Body, content_type: str) -> StoredBlob:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in iter_body(body):
                    await asyncio.to_thread(out.write, chunk)
                    size += len(chunk)
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageFailed("The file could not be saved.", hint="Check free disk space.") from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return StoredBlob(key=key, size=size, content_type=content_type)

    async def open(self, key: str, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise NotFound("That file does not exist.")
        with path.open("rb") as fh:
            while chunk := await asyncio.to_thread(fh.read, chunk_size):
                yield chunk

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str, *, expires_s: int | None = None) -> str:
        return self.signer.sign(safe_key(key), expires_s or self.default_expiry_s)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None


def build_storage(settings: Settings) -> BlobStorage:
    """The storage the settings select: the local folder unless an S3 bucket is configured."""
    signer = UrlSigner(settings.signing_key(), settings.public_url)
    return LocalStorage(settings.data_dir / "files", signer, settings.url_expiry_s)


async def read_all(storage: BlobStorage, key: str) -> bytes:
    """Read a small blob (a reference image, a poster) fully."""
    return b"".join([chunk async for chunk in storage.open(key)])
