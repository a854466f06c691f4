"""Fixtures for the campaign tests: moto's S3 server on loopback (one per session) and a bucket per test."""

from tests.fakes.s3 import moto_s3, s3_storage  # noqa: F401 - fixtures
