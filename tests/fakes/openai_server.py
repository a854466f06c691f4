"""A fake OpenAI-compatible chat endpoint: a real threaded HTTP server on 127.0.0.1 (a `LoopbackServer`).

    with FakeOpenAI() as llm:
        llm.queue_reply(content="A refined prompt")
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {"prompt": "a kite"}}])
        llm.queue_error(503, "overloaded")
        settings = make_settings(tmp, openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        ...
        assert llm.requests[0].json["model"] == "gpt-4o"

Or as the fixture `fake_openai` (tests/conftest.py loads this module as a pytest plugin).

`POST /v1/chat/completions` answers from a queue of scripted replies, one per request, in order; with the
queue empty it answers `default_content` ("OK"). It speaks both forms the OpenAI SDK (and so langchain-
openai's ChatOpenAI) uses: a JSON `chat.completion`, and with `"stream": true` server-sent
`chat.completion.chunk` events ending in `data: [DONE]` (content and tool-call arguments split over several
chunks, usage last when `stream_options.include_usage`). Tool calls come back as `message.tool_calls` with
JSON-string arguments and `finish_reason: "tool_calls"`. A wrong key gets a 401 with OpenAI's error body.
`GET /v1/models` lists the models. `base_url` ends in `/v1`, as OpenAI clients expect.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.fakes.http_server import LoopbackServer, Reply, Seen

API_KEY = "sk-fake-openai-key-for-tests"


@dataclass
class Scripted:
    """One scripted answer."""

    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    error: str | None = None
    delay_s: float = 0.0


class FakeOpenAI(LoopbackServer):
    """An OpenAI-compatible chat completions server on loopback."""

    name = "fake-openai"

    def __init__(self, api_key: str | None = API_KEY, model: str = "gpt-4o") -> None:
        super().__init__()
        self.api_key = api_key
        self.model = model
        self.default_content = "OK"
        self._replies: deque[Scripted] = deque()
        self.base_url = self.url("/v1")

    # scripting

    def queue_reply(
        self,
        content: str | None = None,
        tool_calls: list[dict[str, Any]] | None = None,
        *,
        delay_s: float = 0.0,
    ) -> None:
        """Queue the next answer: text, tool calls (each {"name", "arguments": dict or JSON string, "id"?}),
        or both. `delay_s` holds the answer back (for timeout tests)."""
        with self.lock:
            self._replies.append(Scripted(content=content, tool_calls=list(tool_calls or []), delay_s=delay_s))

    def queue_error(self, status: int = 500, message: str = "The server had an error") -> None:
        """Queue an HTTP error answer with OpenAI's error body."""
        with self.lock:
            self._replies.append(Scripted(status=status, error=message))

    @property
    def pending(self) -> int:
        """Replies queued and not yet used."""
        return len(self._replies)

    def chat_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # serving

    def _next(self) -> Scripted:
        with self.lock:
            return self._replies.popleft() if self._replies else Scripted(content=self.default_content)

    def error_reply(self, exc: Exception) -> Reply:
        return _error(500, repr(exc), "server_error", None)

    def respond(self, req: Seen) -> Reply:
        if self.api_key and req.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        if req.method == "GET" and req.path == "/v1/models":
            data = [{"id": self.model, "object": "model", "created": 0, "owned_by": "fake"}]
            return _json(200, {"object": "list", "data": data})
        if req.method != "POST" or req.path != "/v1/chat/completions":
            return _error(404, f"Unknown path {req.path}", "invalid_request_error", None)
        try:
            body = req.json or {}
        except ValueError:
            return _error(400, "The body is not valid JSON.", "invalid_request_error", None)
        if not body.get("messages"):
            return _error(400, "'messages' is required.", "invalid_request_error", None)
        reply = self._next()
        if reply.delay_s:
            self.stopping.wait(reply.delay_s)
        if reply.error is not None:
            kind = "rate_limit_error" if reply.status == 429 else "server_error"
            return _error(reply.status, reply.error, kind, None)
        model = body.get("model") or self.model
        calls = [_call(c, i) for i, c in enumerate(reply.tool_calls)]
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return Reply(
                body=_sse(model, reply.content, calls, include_usage),
                content_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        return _json(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": "tool_calls" if calls else "stop",
                    }
                ],
                "usage": _usage(reply.content, calls),
                "system_fingerprint": "fp_fake",
            },
        )


def _call(spec: dict[str, Any], index: int) -> dict[str, Any]:
    args = spec.get("arguments", {})
    return {
        "id": spec.get("id") or f"call_{uuid.uuid4().hex[:20]}",
        "type": "function",
        "function": {"name": spec["name"], "arguments": args if isinstance(args, str) else json.dumps(args)},
    }


def _usage(content: str | None, calls: list[dict[str, Any]]) -> dict[str, int]:
    out = len((content or "").split()) + sum(len(c["function"]["arguments"]) // 4 for c in calls)
    return {"prompt_tokens": 10, "completion_tokens": out, "total_tokens": 10 + out}


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _sse(model: str, content: str | None, calls: list[dict[str, Any]], include_usage: bool) -> Iterator[bytes]:
    cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        body = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body)}\n\n".encode()

    yield chunk({"role": "assistant", "content": "" if content is not None or not calls else None})
    if content:
        for piece in _pieces(content):
            yield chunk({"content": piece})
    for i, call in enumerate(calls):
        head = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"]},
        }
        yield chunk({"tool_calls": [{**head, "function": {**head["function"], "arguments": ""}}]})
        for piece in _pieces(call["function"]["arguments"], 16):
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    yield chunk({}, "tool_calls" if calls else "stop")
    if include_usage:
        body = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [],
            "usage": _usage(content, calls),
        }
        yield f"data: {json.dumps(body)}\n\n".encode()
    yield b"data: [DONE]\n\n"


def _json(status: int, body: Any) -> Reply:
    return Reply(status=status, body=json.dumps(body).encode(), content_type="application/json")


def _error(status: int, message: str, kind: str, code: str | None) -> Reply:
    return _json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI-compatible endpoint; queue replies with `.queue_reply(...)`."""
    with FakeOpenAI() as fake:
        yield fake
