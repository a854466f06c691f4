"""The one retry policy for calls to providers: a few attempts, exponential backoff with jitter, and the wait a
server asks for (`Retry-After`) when it names one. Built on tenacity; callers say what is worth another try by
raising `Transient`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

MAX_WAIT_S = 60.0

Sleep = Callable[[float], Awaitable[None]]


class Transient(Exception):
    """A failure worth another try. `after_s` is the wait the server asked for; `response` the last answer."""

    def __init__(self, reason: str, *, after_s: float | None = None, response: httpx.Response | None = None) -> None:
        super().__init__(reason)
        self.after_s = after_s
        self.response = response


def retry_after_s(headers: httpx.Headers) -> float | None:
    """The wait a 429/503 asks for: `Retry-After` in seconds or as an HTTP date, else `ratelimit-reset`."""
    for name in ("retry-after", "ratelimit-reset"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        with contextlib.suppress(ValueError):
            return min(max(float(value), 0.0), MAX_WAIT_S)
        with contextlib.suppress(TypeError, ValueError):
            when = parsedate_to_datetime(value)
            return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_WAIT_S)
    return None


def transient_status(resp: httpx.Response) -> Transient | None:
    """A 429 or 5xx answer as a Transient carrying its Retry-After; None for any other status."""
    if resp.status_code == 429 or resp.status_code >= 500:
        return Transient(f"HTTP {resp.status_code}", after_s=retry_after_s(resp.headers), response=resp)
    return None


def retrying(attempts: int, *, base_s: float, sleep: Sleep = asyncio.sleep) -> AsyncRetrying:
    """`async for attempt in retrying(...): with attempt: ...` retries `Transient` up to `attempts` times in
    all, waiting what the server asked for, else `base_s` doubled per attempt (jittered, at most 30 s); the
    last failure is raised as it is."""
    backoff = wait_exponential_jitter(initial=base_s, max=30.0, jitter=base_s)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.after_s is not None:
            return exc.after_s
        return backoff(state)

    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait,
        retry=retry_if_exception_type(Transient),
        sleep=sleep,
        reraise=True,
    )
