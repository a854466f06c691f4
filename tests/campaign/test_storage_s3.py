"""S3Storage against a real S3 protocol server on loopback (moto's ThreadedMotoServer)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from campaign.errors import NotFound, StorageFailed
from campaign.settings import Settings
from campaign.storage import LocalStorage, S3Storage, build_storage, read_all
from tests.fakes.s3 import MotoS3
from tools.references import ReferenceIntake

MiB = 1024 * 1024


def _pattern(size: int, seed: int = 7) -> bytes:
    """Deterministic, non-repeating-looking bytes (so a part mix-up would show in the hash)."""
    block = hashlib.sha256(str(seed).encode()).digest() * (MiB // 32)
    out = bytearray()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(block[:64] + i.to_bytes(4, "big")).digest() + block[: MiB - 32]
        i += 1
    return bytes(out[:size])


async def _chunks(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _settings(tmp_path, **values) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (
        "CLAPBOARD_S3_BUCKET",
        "CLAPBOARD_S3_ENDPOINT_URL",
        "CLAPBOARD_S3_REGION",
        "R2_ACCOUNT_ID",
        "R2_ACCESS_KEY_ID",
        "R2_SECRET_ACCESS_KEY",
        "R2_BUCKET_NAME",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)


async def test_upload_small_body_with_its_content_type(s3_storage: S3Storage, moto_s3: MotoS3):
    blob = await s3_storage.put("refs/a.png", b"\x89PNG tiny", "image/png")
    assert (blob.key, blob.size, blob.content_type) == ("refs/a.png", 9, "image/png")
    head = moto_s3.client().head_object(Bucket=s3_storage.bucket, Key="refs/a.png")
    assert head["ContentType"] == "image/png"
    assert "-" not in head["ETag"]  # a single put_object
    assert await s3_storage.exists("refs/a.png")
    assert await read_all(s3_storage, "refs/a.png") == b"\x89PNG tiny"
    assert s3_storage.local_path("refs/a.png") is None


async def test_multipart_upload_of_a_large_stream(moto_s3: MotoS3):
    storage = moto_s3.storage(part_size=5 * MiB)
    data = _pattern(17 * MiB + 12345)
    sent: list[int] = []
    real_upload_part = storage._client.upload_part

    def upload_part(**kwargs):
        sent.append(len(kwargs["Body"]))
        return real_upload_part(**kwargs)

    storage._client.upload_part = upload_part
    blob = await storage.put("creatives/c1/video.mp4", _chunks(data), "video/mp4")

    assert blob.size == len(data)
    assert sent == [5 * MiB, 5 * MiB, 5 * MiB, 2 * MiB + 12345]  # streamed a part at a time
    head = moto_s3.client().head_object(Bucket=storage.bucket, Key="creatives/c1/video.mp4")
    assert head["ETag"].strip('"').endswith("-4")
    assert head["ContentType"] == "video/mp4"
    assert head["ContentLength"] == len(data)
    got = hashlib.sha256()
    async for chunk in storage.open("creatives/c1/video.mp4", chunk_size=3 * MiB):
        assert len(chunk) <= 3 * MiB
        got.update(chunk)
    assert got.hexdigest() == hashlib.sha256(data).hexdigest()


async def test_multipart_upload_from_a_file_object(moto_s3: MotoS3):
    storage = moto_s3.storage(part_size=5 * MiB)
    data = _pattern(11 * MiB, seed=3)
    await storage.put("creatives/c2/video.mp4", io.BytesIO(data), "video/mp4")
    head = moto_s3.client().head_object(Bucket=storage.bucket, Key="creatives/c2/video.mp4")
    assert head["ETag"].strip('"').endswith("-3")
    assert await read_all(storage, "creatives/c2/video.mp4") == data


async def test_a_failing_stream_aborts_the_upload_and_stores_nothing(moto_s3: MotoS3):
    storage = moto_s3.storage(part_size=5 * MiB)

    async def broken() -> AsyncIterator[bytes]:
        for _ in range(12):
            yield b"x" * MiB
        raise ConnectionError("provider went away")

    with pytest.raises(ConnectionError):
        await storage.put("creatives/c3/video.mp4", broken(), "video/mp4")
    client = moto_s3.client()
    assert not client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads")
    assert not await storage.exists("creatives/c3/video.mp4")


async def test_presigned_get_url_serves_the_object(s3_storage: S3Storage):
    await s3_storage.put("creatives/c4/poster.jpg", b"jpeg bytes", "image/jpeg")
    url = s3_storage.url("creatives/c4/poster.jpg", expires_s=900)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path.endswith(f"/{s3_storage.bucket}/creatives/c4/poster.jpg")
    assert query["X-Amz-Expires"] == ["900"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Signature"][0]
    # moto does not verify signatures or expiry; this checks that the URL reaches the object.
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == b"jpeg bytes"
    assert response.headers["content-type"] == "image/jpeg"


async def test_a_presigned_download_url_answers_as_an_attachment(s3_storage: S3Storage):
    await s3_storage.put("creatives/c6/video.mp4", b"mp4 bytes", "video/mp4")
    url = s3_storage.url("creatives/c6/video.mp4", download="Café ad, square-1x1.mp4")
    assert "response-content-disposition=" in urlsplit(url).query  # signed with the URL, not set by the client
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(url)
    assert response.status_code == 200 and response.content == b"mp4 bytes"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Cafe ad, square-1x1.mp4\"; filename*=UTF-8''Caf%C3%A9%20ad%2C%20square-1x1.mp4"
    )


async def test_presigned_url_uses_the_configured_expiry(moto_s3: MotoS3):
    storage = moto_s3.storage(default_expiry_s=1234)
    query = parse_qs(urlsplit(storage.url("refs/x.png")).query)
    assert query["X-Amz-Expires"] == ["1234"]


async def test_same_reference_twice_is_stored_once(s3_storage: S3Storage, moto_s3: MotoS3, tmp_path):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "PNG")
    intake = ReferenceIntake(_settings(tmp_path), s3_storage)
    first = await intake.from_bytes(buf.getvalue(), "logo.png")
    second = await intake.from_bytes(buf.getvalue(), "logo-copy.png")
    assert first == second
    listed = moto_s3.client().list_objects_v2(Bucket=s3_storage.bucket)
    assert [o["Key"] for o in listed["Contents"]] == [first.key]


async def test_delete_removes_the_object(s3_storage: S3Storage):
    await s3_storage.put("creatives/c5/video.mp4", b"v", "video/mp4")
    await s3_storage.delete("creatives/c5/video.mp4")
    assert not await s3_storage.exists("creatives/c5/video.mp4")
    with pytest.raises(NotFound):
        await read_all(s3_storage, "creatives/c5/video.mp4")
    await s3_storage.delete("creatives/c5/video.mp4")  # deleting a missing key is not an error


async def test_storage_errors_are_safe_to_show(moto_s3: MotoS3):
    storage = moto_s3.storage(bucket="no-such-bucket-here")
    with pytest.raises(StorageFailed) as caught:
        await storage.put("refs/x.png", b"data", "image/png")
    text = str(caught.value)
    assert "could not save" in text
    for secret in ("no-such-bucket-here", "testing", "127.0.0.1", "Traceback", "NoSuchBucket"):
        assert secret not in text


def test_build_storage_selects_s3_from_settings(tmp_path, moto_s3: MotoS3, monkeypatch):
    bucket = moto_s3.create_bucket()
    for name, value in moto_s3.env(bucket).items():
        monkeypatch.setenv(name, value)
    storage = build_storage(_settings(tmp_path))
    assert isinstance(storage, S3Storage)
    assert storage.bucket == bucket
    assert storage.local_path("creatives/x/video.mp4") is None
    assert storage._client.meta.endpoint_url == moto_s3.endpoint_url
    assert storage.url("refs/a.png").startswith(f"{moto_s3.endpoint_url}/{bucket}/refs/a.png?")


def test_build_storage_selects_r2_from_the_seed_names(tmp_path, monkeypatch):
    monkeypatch.setenv("R2_ACCOUNT_ID", "acct123")
    monkeypatch.setenv("R2_ACCESS_KEY_ID", "r2key")
    monkeypatch.setenv("R2_SECRET_ACCESS_KEY", "r2secret")
    monkeypatch.setenv("R2_BUCKET_NAME", "campaign-media")
    storage = build_storage(_settings(tmp_path))
    assert isinstance(storage, S3Storage)
    assert storage.bucket == "campaign-media"
    assert storage._client.meta.endpoint_url == "https://acct123.r2.cloudflarestorage.com"
    assert storage._client.meta.region_name == "auto"
    url = storage.url("refs/a.png", expires_s=300)  # presigning is local: no request is made
    assert url.startswith("https://acct123.r2.cloudflarestorage.com/campaign-media/refs/a.png?")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Credential"][0].startswith("r2key/")
    assert "/auto/s3/aws4_request" in query["X-Amz-Credential"][0]
    assert "r2secret" not in url


def test_r2_bucket_without_account_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("R2_BUCKET_NAME", "campaign-media")
    with pytest.raises(StorageFailed, match="R2_ACCOUNT_ID"):
        build_storage(_settings(tmp_path))


def test_local_folder_is_the_default(tmp_path):
    assert isinstance(build_storage(_settings(tmp_path)), LocalStorage)


def test_missing_credentials_are_a_clear_error(tmp_path, monkeypatch):
    for name in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "CONTAINER_CREDENTIALS_FULL_URI", "WEB_IDENTITY_TOKEN_FILE"):  # fmt: skip
        monkeypatch.delenv(f"AWS_{name}", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask the instance metadata address
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    storage = build_storage(_settings(tmp_path, s3_bucket="media", s3_endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(StorageFailed) as caught:
        storage.url("creatives/c/video.mp4")
    assert str(caught.value).startswith("Cloud storage could not link to the file.")
