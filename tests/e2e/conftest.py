"""Fixtures of the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.server_process import ClapboardProcess


@pytest.fixture
def processes() -> Iterator[list[ClapboardProcess]]:
    """`clapboard` processes a test started: stopped (SIGTERM) at its end."""
    started: list[ClapboardProcess] = []
    yield started
    for process in started:
        process.stop()
