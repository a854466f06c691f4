"""The full generate path with S3 storage: `clapboard generate --json` as a user runs it, against moto's S3
server on loopback. The video and its reference land in the bucket; the CLI answers with a presigned URL that
serves the video (and downloads it as "<title>-<format>.mp4"), and no local file; deleting the creative removes
both objects."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.fakes.s3 import MotoS3
from tools.media import probe


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoS3]:
    with MotoS3() as server:
        yield server


def test_generate_with_s3_storage_gives_a_presigned_url(tmp_path: Path, product_png: Path, moto: MotoS3):
    bucket = moto.create_bucket()
    data = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE", "AWS_", "R2_", "CLAPBOARD_"))
    }
    env.update(moto.env(bucket), CLAPBOARD_DATA_DIR=str(data), CLAPBOARD_URL_EXPIRY_S="900")
    done = subprocess.run(
        [sys.executable, "-m", "chat.cli", "generate", "--prompt", "4 second product showcase of our sneaker",
         "--template", "product-showcase", "--duration", "4", "--aspect", "1:1", "--ref", str(product_png),
         "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    creative = json.loads(done.stdout)

    assert creative["file"] is None
    url = urlsplit(creative["url"])
    assert f"{url.scheme}://{url.netloc}" == moto.endpoint_url
    assert url.path == f"/{bucket}/creatives/{creative['id']}/video.mp4"
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"] and query["X-Amz-Signature"][0]

    with httpx.Client(trust_env=False) as client:
        video = client.get(creative["url"])
        poster = client.get(creative["poster_url"])
        download = client.get(creative["download_url"])
    assert creative["title"] == "Sneaker showcase, square"
    assert download.content == video.content
    assert download.headers["content-disposition"].startswith('attachment; filename="Sneaker showcase, square-1x1.mp4"')
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert poster.status_code == 200 and poster.headers["content-type"] == "image/jpeg"
    saved = tmp_path / "downloaded.mp4"
    saved.write_bytes(video.content)
    info = probe(saved)
    assert (info.codec, info.width, info.height) == ("h264", creative["width"], creative["height"])
    assert abs(info.duration_s - 4) < 0.1

    keys = {o["Key"] for o in moto.client().list_objects_v2(Bucket=bucket)["Contents"]}
    ref_key = f"refs/{hashlib.sha256(product_png.read_bytes()).hexdigest()}.png"
    assert {
        f"creatives/{creative['id']}/video.mp4",
        f"creatives/{creative['id']}/poster.jpg",
        ref_key,
    } <= keys
    assert creative["reference_keys"] == [ref_key]
    files = data / "files"
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))  # nothing stored locally

    deleted = subprocess.run([sys.executable, "-m", "chat.cli", "creatives", "delete", creative["id"][:8], "--yes"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)  # fmt: skip
    assert deleted.returncode == 0, deleted.stderr
    left = {o["Key"] for o in moto.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert left == keys - {f"creatives/{creative['id']}/video.mp4", f"creatives/{creative['id']}/poster.jpg"}
    assert ref_key in left  # reference images are shared by content and stay
