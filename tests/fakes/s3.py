"""A real S3 protocol server on loopback: moto's `ThreadedMotoServer`, started in-process.

Use `MotoS3` directly, or the pytest fixtures `moto_s3` (one server per test session) and `s3_storage`
(a fresh bucket per test, wrapped in our `S3Storage`); tests/conftest.py loads this module as a pytest plugin.

Moto caveats (measured, see the toolchain notes): it does not check presigned signatures or expiry, so a test
about a presigned URL checks how it is built (its query), and that it serves the object.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

from campaign.storage import S3Storage

_ACCESS_KEY = "testing"
_SECRET_KEY = "testing"
_REGION = "us-east-1"
_counter = itertools.count()


class MotoS3:
    """moto's S3 server on 127.0.0.1 and a free port, with throwaway credentials."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint_url = ""

    def start(self) -> MotoS3:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> MotoS3:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @functools.cached_property
    def _client(self):  # noqa: ANN202 - a generated botocore client
        return boto3.session.Session(aws_access_key_id=_ACCESS_KEY, aws_secret_access_key=_SECRET_KEY).client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=_REGION,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def client(self):  # noqa: ANN201 - a generated botocore client
        """A plain boto3 client for inspecting the bucket from a test: made once per server (making one costs 0.1 s
        of CPU; boto3's clients are thread-safe)."""
        return self._client

    def create_bucket(self, name: str | None = None) -> str:
        name = name or f"clapboard-test-{next(_counter)}-{uuid.uuid4().hex[:8]}"
        self.client().create_bucket(Bucket=name)
        return name

    def storage(self, bucket: str | None = None, **kwargs: object) -> S3Storage:
        """Our `S3Storage` on a (new) bucket of this server."""
        return S3Storage(
            bucket or self.create_bucket(),
            endpoint_url=self.endpoint_url,
            region=_REGION,
            access_key_id=_ACCESS_KEY,
            secret_access_key=_SECRET_KEY,
            **kwargs,  # type: ignore[arg-type]
        )

    def env(self, bucket: str) -> dict[str, str]:
        """Environment variables that make `Settings()` select this server's bucket."""
        return {
            "CLAPBOARD_S3_BUCKET": bucket,
            "CLAPBOARD_S3_ENDPOINT_URL": self.endpoint_url,
            "CLAPBOARD_S3_REGION": _REGION,
            "AWS_ACCESS_KEY_ID": _ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": _SECRET_KEY,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    # boto3 must never pick up a developer's real profile, nor ask the instance metadata address.
    saved = {k: os.environ.pop(k) for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE") if k in os.environ}
    metadata = os.environ.get("AWS_EC2_METADATA_DISABLED")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    with MotoS3() as server:
        yield server
    os.environ.update(saved)
    if metadata is None:
        os.environ.pop("AWS_EC2_METADATA_DISABLED", None)
    else:
        os.environ["AWS_EC2_METADATA_DISABLED"] = metadata


@pytest.fixture
def s3_storage(moto_s3: MotoS3) -> S3Storage:
    return moto_s3.storage()
