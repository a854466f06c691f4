"""How this process follows its Replicate predictions: webhooks (the signature check, with the secret fetched
once from Replicate and cached), the waiters a verified completion wakes so a job finishes without waiting for
its next poll, and the pace of polling (a budget of polls per second for the whole process).

A webhook reaches whichever app instance Replicate calls; it is published on the job event bus as a
"prediction" event, and `Completions`, subscribed to the bus, hands it to the render following that prediction.
The Replicate library is imported when a webhook is first checked: a process that only drafts never loads it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from campaign.errors import ProviderFailed
from campaign.settings import Settings
from tools.engines.base import WebhookRejected, WebhookReport

if TYPE_CHECKING:
    from replicate.webhook import WebhookSigningSecret


log = logging.getLogger(__name__)

TOLERANCE_S = 300  # older timestamps are refused: a captured delivery cannot be replayed later
WEBHOOK_PATH = "/api/webhooks/replicate"


def webhook_url(settings: Settings, job_id: str) -> str | None:
    """Where Replicate should report a job's prediction, when this server has a public URL."""
    base = settings.public_url.rstrip("/")
    return f"{base}{WEBHOOK_PATH}?job={job_id}" if base else None


class WebhookVerifier:
    """Checks `webhook-id`, `webhook-timestamp` and `webhook-signature` against Replicate's signing secret."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._secret: WebhookSigningSecret | None = None
        self._lock = asyncio.Lock()

    async def secret(self) -> WebhookSigningSecret:
        async with self._lock:
            if self._secret is None:
                from replicate.exceptions import ReplicateError

                from tools.engines.replicate.client import make_client

                client = make_client(self.settings)
                try:
                    self._secret = await client.webhooks.default.async_secret()
                except (ReplicateError, httpx.HTTPError) as exc:
                    raise ProviderFailed(
                        "Replicate's webhook signing secret could not be fetched.", hint="Replicate will retry."
                    ) from exc
                finally:
                    await client._async_client.aclose()
            return self._secret

    async def receive(self, headers: dict[str, str], body: bytes) -> WebhookReport:
        """The report (delivery id, prediction id, the prediction) of a genuine, fresh webhook; raises WebhookRejected
        otherwise."""
        if not all(headers.get(name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")):
            raise WebhookRejected("The webhook's signature does not check out.")  # unsigned: Replicate is not asked
        from replicate.webhook import Webhooks

        try:
            text = body.decode("utf-8")
            Webhooks.validate(headers=headers, body=text, secret=await self.secret(), tolerance=TOLERANCE_S)
            prediction = json.loads(text)
        except ValueError as exc:  # the library's validation errors are ValueErrors; so are bad UTF-8 and JSON
            raise WebhookRejected("The webhook's signature does not check out.") from exc
        if not isinstance(prediction, dict) or not isinstance(prediction.get("id"), str):
            raise WebhookRejected("The webhook carries no prediction.")
        return WebhookReport(delivery_id=headers["webhook-id"], provider_job_id=prediction["id"], payload=prediction)


class PredictionEvent(Protocol):
    """What a completion reads of a job event: a "prediction" event carries the prediction a webhook reported."""

    @property
    def kind(self) -> str: ...

    @property
    def prediction(self) -> dict[str, Any] | None: ...


class Completions:
    """Renders waiting on their predictions, woken early by a verified webhook (published on the bus)."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Queue[dict[str, Any]]] = {}

    def follow(self, prediction_id: str) -> None:
        self._waiting.setdefault(prediction_id, asyncio.Queue())

    def forget(self, prediction_id: str) -> None:
        self._waiting.pop(prediction_id, None)

    async def wait(self, prediction_id: str, timeout: float) -> dict[str, Any] | None:
        """The prediction as a webhook reported it (only its id when the webhook reached another process:
        poll it now), or None when `timeout` passes first."""
        queue = self._waiting.get(prediction_id)
        if queue is None:
            await asyncio.sleep(timeout)
            return None
        try:
            return await asyncio.wait_for(queue.get(), timeout)
        except TimeoutError:
            return None

    async def __call__(self, event: PredictionEvent) -> None:
        if event.kind != "prediction" or not event.prediction:
            return
        if queue := self._waiting.get(str(event.prediction.get("id"))):
            queue.put_nowait(event.prediction)


class Pacer:
    """At most `rate` polls a second across every prediction this process follows: with a few, each is polled
    at its own pace; with hundreds, their polls are spread out, so following them costs a bounded share of a
    core and of Replicate's rate limit (3000 requests a minute)."""

    def __init__(self, rate: float) -> None:
        self.gap_s = 1.0 / rate
        self._next = 0.0

    async def turn(self, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        """Wait for this poll's slot."""
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.gap_s
        if slot > now:
            await sleep(slot - now)
