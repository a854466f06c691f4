"""Blob storage: where every reference image, video and poster lives. A local folder by default.

Keys are relative, slash-separated paths such as `refs/ab/abcd….png` or `creatives/<id>/video.mp4`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast
from urllib.parse import quote, urlencode

from .errors import NotFound, StorageFailed, out_of_space
from .settings import Settings

log = logging.getLogger(__name__)

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

    def url(self, key: str, *, expires_s: int | None = None, download: str | None = None) -> str:
        """A URL a browser (or a provider, for S3) can GET the blob from until it expires; with `download`, the
        answer says to save it as a file of that name (see `content_disposition`)."""
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


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]+')


def content_disposition(filename: str) -> str:
    """`attachment` with the file name twice: an ASCII spelling for old clients ("Café" as "Cafe") and the
    exact one, UTF-8 and percent-encoded (RFC 6266)."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"\s+", " ", _UNSAFE_NAME.sub(" ", plain)).strip(" .") or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


class UrlSigner:
    """Signs `/files/<key>` links with an expiry, and the download name when there is one, so the file route
    needs no session to check them and nobody can change the name a link saves as."""

    def __init__(self, secret: bytes, base_url: str = "") -> None:
        self._secret = secret
        self._base = base_url.rstrip("/")

    def _sig(self, key: str, exp: int, download: str) -> str:
        mac = hmac.new(self._secret, f"{key}\n{exp}\n{download}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()

    def sign(self, key: str, expires_s: int, download: str | None = None) -> str:
        exp = int(time.time()) + expires_s
        query = {"exp": exp, "sig": self._sig(key, exp, download or ""), **({"download": download} if download else {})}
        return f"{self._base}/files/{quote(key)}?{urlencode(query, quote_via=quote)}"

    def verify(self, key: str, exp: str, sig: str, download: str = "") -> bool:
        try:
            expiry = int(exp)
        except ValueError:
            return False
        expected = self._sig(key, expiry, download).encode()
        return expiry >= time.time() and hmac.compare_digest(expected, sig.encode())


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


def _disk_failed(exc: OSError) -> StorageFailed:
    return out_of_space(exc) or StorageFailed("The file could not be saved.", hint="Try again in a moment.")


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
        tmp: str | None = None
        size = 0
        try:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
                out = os.fdopen(fd, "wb")
            except OSError as exc:
                raise _disk_failed(exc) from exc
            try:
                # Errors from the body itself (a broken download, say) pass through unchanged; only the
                # disk's own errors become StorageFailed.
                async for chunk in iter_body(body):
                    try:
                        await asyncio.to_thread(out.write, chunk)
                    except OSError as exc:
                        raise _disk_failed(exc) from exc
                    size += len(chunk)
            finally:
                try:
                    out.close()
                except OSError as exc:
                    raise _disk_failed(exc) from exc
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise _disk_failed(exc) from exc
        finally:
            if tmp is not None and os.path.exists(tmp):
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

    def url(self, key: str, *, expires_s: int | None = None, download: str | None = None) -> str:
        return self.signer.sign(safe_key(key), expires_s or self.default_expiry_s, download)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None


_MiB = 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _code(exc: Exception) -> str:
    """The S3 error code of a botocore error, or its class name."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code") or type(exc).__name__)


class _PartFiller:
    """Copies a body of any kind into caller-owned part buffers, so S3 parts need no extra copies."""

    def __init__(self, body: Body) -> None:
        self._file: BinaryIO | None = (
            cast(BinaryIO, body) if not isinstance(body, bytes) and hasattr(body, "read") else None
        )
        self._chunks = None if self._file is not None else iter_body(body)
        self._left = memoryview(b"")  # the unused tail of the last chunk (a view: slicing copies nothing)

    async def __call__(self, buf: bytearray) -> int:
        """Fill `buf` from the start; returns how many bytes were written (less than its size at the end)."""
        if self._file is not None:
            return await asyncio.to_thread(_read_into, self._file, buf)
        view, n = memoryview(buf), 0
        with view:
            while n < len(buf):
                if not self._left:
                    chunk = await anext(self._chunks, None)  # type: ignore[arg-type]
                    if chunk is None:
                        break
                    self._left = memoryview(chunk)
                take = min(len(self._left), len(buf) - n)
                view[n : n + take] = self._left[:take]
                self._left = self._left[take:]
                n += take
        return n

    async def aclose(self) -> None:
        if self._chunks is not None:
            await self._chunks.aclose()  # type: ignore[attr-defined]


def _read_into(fh: BinaryIO, buf: bytearray) -> int:
    view, n = memoryview(buf), 0
    with view:
        readinto = getattr(fh, "readinto", None)
        while n < len(buf):
            if readinto is not None:
                got = readinto(view[n:])
            else:
                data = fh.read(len(buf) - n)
                got = len(data)
                view[n : n + got] = data
            if not got:
                break
            n += got
    return n


class S3Storage:
    """Objects in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO), served by presigned GET URLs.

    boto3 is blocking, so every call runs in a worker thread. Bodies of up to `part_size` bytes go up
    with one `put_object`; larger ones are streamed as a multipart upload, `part_size` bytes at a time,
    with at most one part uploading while the next is read, so memory stays near two parts whatever the
    body's size.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        default_expiry_s: int = 3600,
        part_size: int = 8 * _MiB,
        timeout_s: float = 20.0,
        client: Any = None,
    ) -> None:
        if part_size < 5 * _MiB:
            raise ValueError("S3 multipart parts must be at least 5 MiB")
        self.bucket = bucket
        self.default_expiry_s = default_expiry_s
        self.part_size = part_size
        self._client = client or self._make_client(endpoint_url, region, access_key_id, secret_access_key, timeout_s)

    @staticmethod
    def _make_client(
        endpoint_url: str | None,
        region: str | None,
        access_key_id: str | None,
        secret_access_key: str | None,
        timeout_s: float,
    ) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(
            signature_version="s3v4",
            # Path-style addressing works on every S3-compatible server (MinIO needs it); AWS keeps virtual.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            # A server that hangs or is down costs each call at most 3 attempts of `timeout_s`, not minutes.
            retries={"total_max_attempts": 3, "mode": "standard"},
            connect_timeout=min(timeout_s, 5.0),
            read_timeout=timeout_s,
            max_pool_connections=16,
            # Recent boto3 adds CRC checksums that some S3-compatible servers refuse: only when required.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = boto3.session.Session(
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
        )
        return session.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)

    def _failed(self, action: str, key: str, exc: Exception) -> StorageFailed:
        log.warning("S3 %s of %r in bucket %r failed: %s", action, key, self.bucket, _code(exc))
        return StorageFailed(
            f"Cloud storage could not {action} the file.",
            hint="Try again in a moment; if it keeps failing, check the bucket, endpoint and credentials.",
        )

    async def _call(self, action: str, key: str, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(getattr(self._client, method), **kwargs)
        except ClientError as exc:
            if _code(exc) in _MISSING and action in ("read", "check"):
                raise NotFound("That file does not exist.") from exc
            raise self._failed(action, key, exc) from exc
        except BotoCoreError as exc:
            raise self._failed(action, key, exc) from exc

    async def put(self, key: str, body: Body, content_type: str) -> StoredBlob:
        safe_key(key)
        if isinstance(body, bytes) and len(body) <= self.part_size:
            await self._put_object(key, body, content_type)
            return StoredBlob(key=key, size=len(body), content_type=content_type)
        fill = _PartFiller(body)
        try:
            first = bytearray(self.part_size)
            n = await fill(first)
            if n < self.part_size:  # the whole body fits in one request
                del first[n:]
                await self._put_object(key, first, content_type)
                return StoredBlob(key=key, size=n, content_type=content_type)
            return await self._multipart(key, first, fill, content_type)
        finally:
            await fill.aclose()

    async def _put_object(self, key: str, data: bytes | bytearray, content_type: str) -> None:
        await self._call("save", key, "put_object", Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    async def _multipart(self, key: str, first: bytearray, fill: _PartFiller, content_type: str) -> StoredBlob:
        """Upload `first` and the rest of the body as parts, through two part buffers used in turn: one
        uploads (in a worker thread) while the other is filled, so memory stays at two parts."""
        created = await self._call(
            "save", key, "create_multipart_upload", Bucket=self.bucket, Key=key, ContentType=content_type
        )
        upload_id = created["UploadId"]
        parts: list[dict[str, Any]] = []
        pending: asyncio.Task[None] | None = None

        async def upload(number: int, data: bytearray) -> None:
            out = await self._call(
                "save",
                key,
                "upload_part",
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=data,
            )
            parts.append({"PartNumber": number, "ETag": out["ETag"]})

        size = len(first)
        try:
            pending = asyncio.ensure_future(upload(1, first))
            buffers = [first, bytearray(self.part_size)]
            turn = 1
            while True:
                buf = buffers[turn]
                n = await fill(buf)  # the other buffer is uploading meanwhile
                await pending
                pending = None
                if n == 0:
                    break
                if n < len(buf):
                    del buf[n:]  # the last part: shrink in place, no copy
                size += n
                pending = asyncio.ensure_future(upload(len(parts) + 1, buf))
                if n < self.part_size:
                    await pending
                    pending = None
                    break
                turn ^= 1
            parts.sort(key=lambda p: p["PartNumber"])
            await self._call(
                "save",
                key,
                "complete_multipart_upload",
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            if pending is not None and not pending.done():
                pending.cancel()
                await asyncio.gather(pending, return_exceptions=True)
            try:
                await asyncio.shield(
                    asyncio.to_thread(
                        self._client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=upload_id
                    )
                )
            except Exception as exc:  # the upload already failed; a bucket lifecycle rule is the backstop
                log.warning("S3 abort of multipart upload for %r failed: %s", key, _code(exc))
            raise
        return StoredBlob(key=key, size=size, content_type=content_type)

    async def open(self, key: str, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
        safe_key(key)
        out = await self._call("read", key, "get_object", Bucket=self.bucket, Key=key)
        stream = out["Body"]
        try:
            while True:
                try:
                    chunk = await asyncio.to_thread(stream.read, chunk_size)
                except Exception as exc:  # botocore/urllib3 errors while streaming
                    raise self._failed("read", key, exc) from exc
                if not chunk:
                    break
                yield chunk
        finally:
            stream.close()

    async def exists(self, key: str) -> bool:
        safe_key(key)
        try:
            await self._call("check", key, "head_object", Bucket=self.bucket, Key=key)
        except NotFound:
            return False
        return True

    async def delete(self, key: str) -> None:
        safe_key(key)
        await self._call("delete", key, "delete_object", Bucket=self.bucket, Key=key)

    def url(self, key: str, *, expires_s: int | None = None, download: str | None = None) -> str:
        from botocore.exceptions import BotoCoreError

        params = {"Bucket": self.bucket, "Key": safe_key(key)}
        if download:
            params["ResponseContentDisposition"] = content_disposition(download)
        try:
            return self._client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires_s or self.default_expiry_s
            )
        except BotoCoreError as exc:  # no credentials to sign with, most often
            raise self._failed("link to", key, exc) from exc

    def local_path(self, key: str) -> Path | None:
        return None


def build_storage(settings: Settings) -> BlobStorage:
    """The storage the settings select: the local folder unless an S3 bucket is configured.

    `CLAPBOARD_S3_BUCKET` (with `CLAPBOARD_S3_ENDPOINT_URL`, `CLAPBOARD_S3_REGION` and boto3's own
    credential chain) or the seed's `R2_BUCKET_NAME` + `R2_ACCOUNT_ID` (+ `R2_ACCESS_KEY_ID`,
    `R2_SECRET_ACCESS_KEY`; they imply R2's endpoint and region "auto") select S3 storage. Explicit
    `CLAPBOARD_S3_*` values win over R2's.
    """
    bucket = settings.s3_bucket or settings.r2_bucket_name
    if not bucket:
        signer = UrlSigner(settings.signing_key("files"), settings.public_url)
        return LocalStorage(settings.data_dir / "files", signer, settings.url_expiry_s)
    endpoint, region = settings.s3_endpoint_url, settings.s3_region
    if not endpoint and settings.r2_account_id:
        endpoint = f"https://{settings.r2_account_id}.r2.cloudflarestorage.com"
        region = region or "auto"
    elif not endpoint and not settings.s3_bucket:
        raise StorageFailed(
            "R2_BUCKET_NAME is set but R2_ACCOUNT_ID is not.",
            hint="Set R2_ACCOUNT_ID (or CLAPBOARD_S3_ENDPOINT_URL), or unset R2_BUCKET_NAME for local files.",
        )
    key_id = settings.r2_access_key_id
    secret = settings.r2_secret_access_key.get_secret_value() if settings.r2_secret_access_key else None
    if not (key_id and secret):
        key_id = secret = None  # boto3's chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles
    return S3Storage(
        bucket,
        endpoint_url=endpoint,
        region=region,
        access_key_id=key_id,
        secret_access_key=secret,
        default_expiry_s=settings.url_expiry_s,
        timeout_s=settings.s3_timeout_s,
    )


async def read_all(storage: BlobStorage, key: str) -> bytes:
    """Read a small blob (a reference image, a poster) fully."""
    return b"".join([chunk async for chunk in storage.open(key)])
