"""The connection to Replicate and what every part of the engine shares.

How it talks to Replicate. `replicate.Client(api_token=..., base_url=settings.replicate_base_url)` supplies
the connection: the token, the base URL (the argument, else the client's own `REPLICATE_BASE_URL`, else
api.replicate.com), its User-Agent and its retry transport (GETs retried on 429/503/504, honouring
`Retry-After`). Requests go through that client's httpx client (`client._async_client`) and the JSON is read
as it comes, for three reasons the 1.0.7 client forces:

- its `Prediction` model rejects the `aborted` status (a pydantic.v1 ValidationError), and its wait loops
  never stop on it, so predictions are polled here and read as plain JSON;
- its create calls take no per-request headers, and every prediction must carry `Cancel-After` (the
  server-side cost cap) while other calls must not;
- `ReplicateError` keeps only the problem's type/title/status/detail, dropping the `invalid_fields` a 422
  names, which are what the user needs to read.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import replicate

from campaign.errors import ModelUnavailable
from campaign.settings import Settings
from tools.tls import tls_context

log = logging.getLogger(__name__)

TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
CREATE_ATTEMPTS = 5  # creates are retried only when Replicate certainly did not make the prediction
POLL_FAILURES = 8  # consecutive failed polls (after the client's own retries) before giving up
DOWNLOAD_ATTEMPTS = 3
UPLOAD_ATTEMPTS = 3
_NO_CONNECTION = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # Replicate made nothing
WEBHOOK_POLL_FACTOR = 5  # with webhooks on, polling is only the safety net: this many times slower
CLOCK_SKEW_S = 60  # between our clock and Replicate's, when listing the predictions made since a moment
LIST_PAGES = 10  # of Replicate's 100 predictions each, when looking for one already made
TRUSTED_OUTPUT_HOSTS = ("replicate.delivery", "replicate.com")


Sleep = Callable[[float], Awaitable[None]]


def make_client(settings: Settings, *, timeout: httpx.Timeout | None = None) -> replicate.Client:
    """A `replicate.Client` for these settings. Create one per event loop (httpx clients are loop-bound)."""
    token = settings.replicate_api_token.get_secret_value() if settings.replicate_api_token else None
    if not token:
        raise ModelUnavailable(
            "Replicate models need an API token.",
            hint="Ask your administrator to connect a Replicate account, or use the free draft model.",
        )
    return replicate.Client(
        api_token=token,
        base_url=settings.replicate_base_url or None,
        timeout=timeout or httpx.Timeout(30.0, connect=5.0, pool=10.0),
        transport=httpx.AsyncHTTPTransport(verify=tls_context()),
    )


def parse_duration_s(text: str) -> float | None:
    """Seconds in a Go-style duration as `Cancel-After` takes it: "30" (seconds), "5m", "1h30m", "90s"."""
    text = (text or "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    unit = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(n) * unit[u] for n, u in parts)


def _jitter() -> float:
    return random.uniform(0.8, 1.2)  # noqa: S311 - spreading polls, not security


def _age_s(prediction: dict[str, Any]) -> float:
    """Seconds since Replicate created the prediction (0 when unknown): a re-attached one keeps its deadline."""
    try:
        created = datetime.fromisoformat(str(prediction.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max(0.0, (datetime.now(UTC) - created).total_seconds())


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _minutes(seconds: float) -> str:
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds)} seconds" if seconds >= 2 else f"{seconds:g} seconds"


def _problem(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
