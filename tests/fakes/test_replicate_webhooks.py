"""The fake Replicate's webhooks: signed "completed" deliveries, the events filter, retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from replicate.webhook import InvalidSignatureError, Webhooks, WebhookSigningSecret

from tests.fakes.http_server import Reply, ScriptedHTTPServer
from tests.fakes.replicate_server import TOKEN, FakeReplicate, sign_webhook

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MODEL = "google/veo-3.1"
HOOK = "/api/webhooks/replicate"


class Receiver(ScriptedHTTPServer):
    """A webhook endpoint: answers the POSTs to `hook` with `statuses` in turn (then 200)."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []
        self.hook = self.url(f"{HOOK}?job=job-1")
        self.route(HOOK, lambda seen: Reply(status=self.statuses.pop(0) if self.statuses else 200), method="POST")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with FakeReplicate() as fake:
        yield fake


def create(fake: FakeReplicate, **extra: Any) -> dict[str, Any]:
    body = {"input": {"prompt": "a cat on a skateboard", "duration": 4}, **extra}
    resp = httpx.post(f"{fake.base_url}/v1/models/{MODEL}/predictions", json=body, headers=AUTH)
    assert resp.status_code == 201, resp.text
    return resp.json()


def get(fake: FakeReplicate, pid: str) -> dict[str, Any]:
    resp = httpx.get(f"{fake.base_url}/v1/predictions/{pid}", headers=AUTH)
    assert resp.status_code == 200, resp.text
    return resp.json()


def assert_valid(headers: dict[str, str], body: bytes, secret: str) -> None:
    assert Webhooks.validate(headers=headers, body=body.decode(), secret=WebhookSigningSecret(key=secret)) is None


def test_complete_delivers_a_signed_webhook(fake: FakeReplicate, receiver: Receiver) -> None:
    fake.set_scenario(MODEL, "hold")
    created = create(fake, webhook=receiver.hook, webhook_events_filter=["start", "completed"])
    assert created["webhook"] == receiver.hook
    assert created["webhook_events_filter"] == ["start", "completed"]
    pid = created["id"]
    assert [get(fake, pid)["status"] for _ in range(3)] == ["processing"] * 3
    assert fake.webhooks_sent == []

    fake.complete(pid)
    [sent] = fake.wait_for_webhooks(1)
    assert sent.status == 200 and sent.url == receiver.hook
    [seen] = receiver.requests
    path, headers, body = f"{seen.path}?{seen.query}", seen.headers, seen.body
    assert path == "/api/webhooks/replicate?job=job-1"
    assert body == sent.body
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"].startswith("msg_")
    assert_valid(headers, body, fake.webhook_secret)
    stamp = int(headers["webhook-timestamp"])
    expected = sign_webhook(fake.webhook_secret, body, webhook_id=headers["webhook-id"], timestamp=stamp)
    assert headers["webhook-signature"] == expected["webhook-signature"]
    prediction = sent.json
    assert prediction["id"] == pid and prediction["status"] == "succeeded"
    assert prediction["output"].endswith(f"/delivery/{pid}/output.mp4")
    assert prediction["completed_at"] and prediction["metrics"]["predict_time"] > 0
    assert get(fake, pid) == prediction  # the webhook carried the final body

    tampered = body.replace(b"succeeded", b"failed")
    with pytest.raises(InvalidSignatureError):
        assert_valid(headers, tampered, fake.webhook_secret)
    with pytest.raises(ValueError, match="already succeeded"):
        fake.complete(pid)


def test_filter_without_completed_sends_nothing(fake: FakeReplicate, receiver: Receiver) -> None:
    pid = create(fake, webhook=receiver.hook, webhook_events_filter=["start", "logs"])["id"]
    assert [get(fake, pid)["status"] for _ in range(2)] == ["processing", "succeeded"]
    with pytest.raises(TimeoutError):
        fake.wait_for_webhooks(1, timeout=0.3)
    assert receiver.requests == []


def test_get_driven_success_delivers_and_failures_are_retried(fake: FakeReplicate, receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    pid = create(fake, webhook=receiver.hook)["id"]  # no filter: every event, "completed" among them
    assert [get(fake, pid)["status"] for _ in range(2)] == ["processing", "succeeded"]
    sent = fake.wait_for_webhooks(3)
    assert [d.status for d in sent] == [500, 503, 200]
    assert len({d.headers["webhook-id"] for d in sent}) == 1  # the same message each time
    for d in sent:
        assert_valid(d.headers, d.body, fake.webhook_secret)
    assert sent[-1].json["status"] == "succeeded"


def test_cancel_delivers_and_bad_filter_is_rejected(fake: FakeReplicate, receiver: Receiver) -> None:
    fake.set_scenario(MODEL, "hold")
    pid = create(fake, webhook=receiver.hook)["id"]
    resp = httpx.post(f"{fake.base_url}/v1/predictions/{pid}/cancel", headers=AUTH)
    assert resp.json()["status"] == "canceled"
    [sent] = fake.wait_for_webhooks(1)
    assert sent.json["status"] == "canceled"

    body = {"input": {"prompt": "x"}, "webhook": receiver.hook, "webhook_events_filter": ["done"]}
    resp = httpx.post(f"{fake.base_url}/v1/models/{MODEL}/predictions", json=body, headers=AUTH)
    assert resp.status_code == 422
    assert resp.json()["invalid_fields"][0]["field"] == "webhook_events_filter"
