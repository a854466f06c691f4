"""A fake of Replicate's HTTP API: a real threaded HTTP server on 127.0.0.1 (a `LoopbackServer`) that the real
`replicate` client reaches through `base_url` / `REPLICATE_BASE_URL` (the client adds `/v1`).

    with FakeReplicate() as fake:
        fake.set_scenario("google/veo-3.1", "failed")      # or "*" for every model
        settings = replicate_settings(fake, tmp_path)       # token, base URL, fast polling
        ...
        assert fake.creates()[0].json["input"]["duration"] == 8

Or as the fixture `fake_replicate` (tests/conftest.py loads this module as a pytest plugin).

It answers with the documented bodies and headers (replicate.md section 2): a 201 prediction with id, model,
version, input, output, urls, status, created_at, data_removed, error, logs and metrics; RFC 7807
`application/problem+json` errors (422 with `invalid_fields`); `Retry-After` on 429; Cog-style model schemas
on `GET /v1/models/{owner}/{name}` (some enums behind `$ref`, some inline); `POST /v1/files`; and the output
mp4, a small real H.264 file made with PyAV at the duration and aspect the input asked for and a sixth of its
size (`output_scale = 1`: the whole size), on a plain-http `/delivery/...` route (so the client returns outputs as
`str`, not `FileOutput`).

The speech models (minimax/speech-02-hd and -turbo, `SPEECH_MODELS`) answer with a WAV instead
(`make_speech_wav`): one tone burst per stretch of text between MiniMax pause markers ("<#0.6#>"), each marker's
seconds of silence between them, at the `sample_rate` asked; `speeches()` lists the predictions made on them.

Every request is recorded (`.requests`). A prediction moves one status per `GET /v1/predictions/{id}`, so
tests are deterministic and need no timing. Inputs are validated against the served schema, as Replicate does.
`GET /v1/predictions` lists them newest first, `list_page_size` (100) a page, filtered by `created_after`, with a
`next` URL (a `cursor`) while more follow.

Webhooks, as Replicate documents them: a create body may carry `webhook` (a URL) and `webhook_events_filter`
(some of "start", "output", "logs", "completed"; all by default), both echoed in the prediction. When the
prediction reaches a terminal status (by a GET, a cancel or `complete()`) and its filter has "completed", a
background thread POSTs the prediction JSON to the webhook with `webhook-id` (one "msg_..." id per prediction,
the same on retries), `webhook-timestamp` and `webhook-signature` ("v1,<base64 HMAC-SHA256>" of
"{id}.{timestamp}.{body}", keyed by the base64 after "whsec_" in `webhook_secret`); see `sign_webhook()`. A
non-2xx answer or a connection error is retried up to 3 times, 0.2 s apart. Only "completed" is ever sent.
Every attempt is recorded in `.webhooks_sent` (`WebhookDelivery`); `wait_for_webhooks(n)` waits for n of them.

    fake.set_scenario("*", "hold")
    ...  # create with webhook=..., poll: it stays "processing"
    fake.complete(prediction_id)                   # or complete(prediction_id, "failed")
    [delivery] = fake.wait_for_webhooks(1)

Scenarios (`set_scenario(model_or_"*", name, **options)`):
    success        starting -> processing -> succeeded (options: processing_polls=1)
    slow           stays "starting" for `starting_polls` (default 5) polls first: a cold boot
    stuck          "processing" until canceled (for deadline tests)
    hold           "processing" on every GET until `complete(prediction_id, status)` or a cancel (webhooks)
    failed         fails with `error` (default "CUDA error: an illegal memory access was encountered")
    refused        fails with a content-policy error (E005, flagged as sensitive)
    canceled       canceled on the provider's side (e.g. its Cancel-After passed while running)
    aborted        aborted before it started (Cancel-After passed while queued); not in the 1.0.7 client
    invalid        422 on create for `field` (default the duration field) with `description`
    throttled      429 with `Retry-After: retry_after` (default "0") on the first `times` (default 1)
                   creates and on the first `times` GETs of each prediction (`where`: "create", "get" or
                   "both", the default)
    server_error   `status` (default 500) on the first `times` (default 2) GETs of each prediction
    create_error   `status` (default 500) on create (the prediction is not made)
    slow_create    creates the prediction, then waits `delay` (default 1.0) s before answering
    data_removed   succeeds, but the output is already gone: output null, data_removed true
    output_gone    succeeds, but the output URL answers 404 (the file expired)
    model_404      404 on the model's page and on create
    schema_error   500 on the model's page (`GET /v1/models/{owner}/{name}`)
    unauthorized   401 on every API route
    no_credit      402 on create
Any scenario takes `create_s`: seconds a create waits, the prediction made, before answering (Replicate's own
latency, the window in which a runner killed has paid for a prediction whose id it never learns), and `footage`:
an MP4 file served as every output instead of the box clip, such as text-free footage with a known subject
(tests/fakes/footage.py):

    fake.set_scenario("*", "success", footage=write_footage(tmp_path / "footage.mp4").path)

To stop or kill a runner inside that window deterministically, hold creates instead of timing them:

    fake.hold_creates()                             # the next create (or `n` of them) is made, then held
    [pid] = await asyncio.to_thread(fake.wait_for_held, 1)   # it reached Replicate: paid, id not yet answered
    ...                                             # stop the job, kill the runner, run another job
    fake.release_creates()                          # the held creates answer now
"""

from __future__ import annotations

import base64
import copy
import email.parser
import email.policy
import hashlib
import hmac
import io
import json
import re
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

from tests.fakes.http_server import LoopbackServer, Reply, Seen
from tools.tls import tls_context

TOKEN = "r8_fake_token_for_tests"
TERMINAL = ("succeeded", "failed", "canceled", "aborted")
WEBHOOK_EVENTS = ("start", "output", "logs", "completed")
WEBHOOK_RETRIES = 3  # after the first attempt
WEBHOOK_RETRY_DELAY_S = 0.2
WEBHOOK_TIMEOUT_S = 5.0


def sign_webhook(
    secret: str, body: bytes, *, webhook_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers Replicate sends with `body`:
    "v1," + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}", keyed by the base64-decoded part of `secret`
    ("whsec_<base64>") after "whsec_". A new "msg_..." id and the current time unless given."""
    webhook_id = webhook_id or "msg_" + secrets.token_hex(12)
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


# --- model schemas ------------------------------------------------------------------------------------------


def _prop(kind: str, order: int, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"title": extra.pop("title", None), "x-order": order}
    if kind == "uri":
        base.update(type="string", format="uri")
    elif kind == "uris":
        base.update(type="array", items={"type": "string", "format": "uri"})
    else:
        base["type"] = kind
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def cog_schema(properties: dict[str, dict[str, Any]], required: list[str], enums_by_ref: bool) -> dict[str, Any]:
    """A Cog-style OpenAPI document. Properties given as {"enum": [...], ...} become `allOf: [$ref]` plus a
    component schema when `enums_by_ref` (older Cog), or keep the enum inline (newer schemas)."""
    components: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for name, spec in properties.items():
        spec = dict(spec)
        spec.setdefault("title", name.replace("_", " ").title())
        if "enum" in spec and enums_by_ref:
            enum = spec.pop("enum")
            kind = spec.pop("type", "string")
            components[name] = {"enum": enum, "type": kind, "title": name, "description": "An enumeration."}
            spec = {
                "allOf": [{"$ref": f"#/components/schemas/{name}"}],
                **{k: v for k, v in spec.items() if k in ("default", "x-order", "description")},
            }
        props[name] = spec
    components["Input"] = {"type": "object", "title": "Input", "required": required, "properties": props}
    components["Output"] = {"type": "string", "title": "Output", "format": "uri"}
    components["Status"] = {
        "enum": ["starting", "processing", "succeeded", "canceled", "failed"],
        "type": "string",
        "title": "Status",
        "description": "An enumeration.",
    }
    return {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "paths": {"/predictions": {"post": {"summary": "Predict"}}},
        "components": {"schemas": components},
    }


def _sora(pro: bool) -> dict[str, Any]:
    props = {
        "prompt": _prop("string", 0, description="Text prompt"),
        "input_reference": _prop("uri", 1, description="Image to use as the first frame; same aspect ratio"),
        "seconds": _prop("integer", 2, enum=[4, 8, 12], default=4),
        "aspect_ratio": _prop("string", 3, enum=["portrait", "landscape"], default="portrait"),
        "openai_api_key": _prop("string", 5, format="password"),
    }
    if pro:
        props["resolution"] = _prop("string", 4, enum=["standard", "high"], default="standard")
    return cog_schema(props, ["prompt"], enums_by_ref=True)


def _veo(fast: bool) -> dict[str, Any]:
    props = {
        "prompt": _prop("string", 0),
        "aspect_ratio": _prop("string", 1, enum=["16:9", "9:16"], default="16:9"),
        "duration": _prop("integer", 2, enum=[4, 6, 8], default=8),
        "image": _prop("uri", 3, description="Input image to start generating from"),
        "last_frame": _prop("uri", 4),
        "negative_prompt": _prop("string", 6),
        "resolution": _prop("string", 7, enum=["720p", "1080p"], default="1080p"),
        "generate_audio": _prop("boolean", 8, default=True),
        "seed": _prop("integer", 9),
    }
    if not fast:
        props["reference_images"] = _prop("uris", 5, default=[], maxItems=3)
    return cog_schema(props, ["prompt"], enums_by_ref=False)


def _runway(turbo: bool) -> dict[str, Any]:
    props = {
        "prompt": _prop("string", 0),
        "image": _prop("uri", 1),
        "aspect_ratio": _prop("string", 2, enum=["16:9", "9:16", "4:3", "3:4", "1:1", "21:9"], default="16:9"),
        "duration": _prop("integer", 3, enum=[5, 10], default=5),
        "seed": _prop("integer", 4),
    }
    return cog_schema(props, ["prompt", "image"] if turbo else ["prompt"], enums_by_ref=True)


DEFAULT_SCHEMAS: dict[str, dict[str, Any]] = {
    "openai/sora-2-pro": _sora(pro=True),
    "openai/sora-2": _sora(pro=False),
    "google/veo-3.1": _veo(fast=False),
    "google/veo-3.1-fast": _veo(fast=True),
    "runwayml/gen-4.5": _runway(turbo=False),
    "runwayml/gen4-turbo": _runway(turbo=True),
    "kwaivgi/kling-v3-omni-video": cog_schema(
        {
            "prompt": _prop("string", 0, maxLength=2500),
            "negative_prompt": _prop("string", 1),
            "start_image": _prop("uri", 2),
            "end_image": _prop("uri", 3),
            "reference_images": _prop("uris", 4, maxItems=7),
            "mode": _prop("string", 5, enum=["standard", "pro"], default="pro"),
            "aspect_ratio": _prop("string", 6, enum=["16:9", "9:16", "1:1"], default="16:9"),
            "duration": _prop("integer", 7, minimum=3, maximum=15, default=5),
            "generate_audio": _prop("boolean", 8, default=False),
        },
        ["prompt"],
        enums_by_ref=True,
    ),
    "bytedance/seedance-2.0": cog_schema(
        {
            "prompt": _prop("string", 0),
            "image": _prop("uri", 1),
            "last_frame_image": _prop("uri", 2),
            "reference_images": _prop("uris", 3, maxItems=9),
            "duration": _prop("integer", 4, minimum=-1, maximum=15, default=5),
            "resolution": _prop("string", 5, enum=["480p", "720p", "1080p"], default="720p"),
            "aspect_ratio": _prop(
                "string",
                6,
                enum=["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21", "adaptive"],
                default="16:9",
            ),
            "generate_audio": _prop("boolean", 7, default=True),
            "seed": _prop("integer", 8),
        },
        ["prompt"],
        enums_by_ref=False,
    ),
    "minimax/hailuo-2.3": cog_schema(
        {
            "prompt": _prop("string", 0),
            "duration": _prop("integer", 1, enum=[6, 10], default=6),
            "resolution": _prop("string", 2, enum=["768p", "1080p"], default="768p"),
            "prompt_optimizer": _prop("boolean", 3, default=True),
            "first_frame_image": _prop("uri", 4),
        },
        ["prompt"],
        enums_by_ref=True,
    ),
}


def _minimax_speech() -> dict[str, Any]:
    """MiniMax speech-02 (hd and turbo) as Replicate serves it: text with <#x#> pause markers, a voice id."""
    return cog_schema(
        {
            "text": _prop("string", 0, description="Text to narrate (max 10,000 characters). Use markers like "
                          "<#0.5#> to insert pauses in seconds."),
            "voice_id": _prop("string", 1, default="Wise_Woman"),
            "speed": _prop("number", 2, default=1, minimum=0.5, maximum=2),
            "volume": _prop("number", 3, default=1, minimum=0, maximum=10),
            "pitch": _prop("integer", 4, default=0, minimum=-12, maximum=12),
            "emotion": _prop("string", 5, enum=["auto", "happy", "sad", "angry", "fearful", "disgusted", "surprised",
                                                "calm", "fluent", "neutral"], default="auto"),
            "english_normalization": _prop("boolean", 6, default=False),
            "sample_rate": _prop("integer", 7, enum=[8000, 16000, 22050, 24000, 32000, 44100], default=32000),
            "bitrate": _prop("integer", 8, enum=[32000, 64000, 128000, 256000], default=128000),
            "channel": _prop("string", 9, enum=["mono", "stereo"], default="mono"),
            "language_boost": _prop("string", 10, enum=["None", "Automatic", "English"], default="None"),
            "audio_format": _prop("string", 11, enum=["mp3", "wav", "flac", "pcm"], default="mp3"),
            "subtitle_enable": _prop("boolean", 12, default=False),
        },
        ["text"],
        enums_by_ref=False,
    )  # fmt: skip


SPEECH_MODELS = ("minimax/speech-02-hd", "minimax/speech-02-turbo")
DEFAULT_SCHEMAS.update({model: _minimax_speech() for model in SPEECH_MODELS})


def input_properties(schema: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The Input properties with `$ref` enums resolved (for the fake's own validation)."""
    comps = schema["components"]["schemas"]
    inp = comps["Input"]
    out = {}
    for name, prop in inp.get("properties", {}).items():
        merged = dict(prop)
        for part in prop.get("allOf", []):
            ref = part.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                merged = {**comps[ref.rsplit("/", 1)[1]], **{k: v for k, v in prop.items() if k != "allOf"}}
        out[name] = merged
    return out, list(inp.get("required", []))


# --- output videos ------------------------------------------------------------------------------------------

_VIDEO_CACHE: dict[tuple[int, int, int], bytes] = {}
_VIDEO_LOCK = threading.Lock()


def make_mp4(width: int, height: int, seconds: int, fps: int = 2) -> bytes:
    """A small real H.264 mp4 (faststart, yuv420p): a box crossing a flat background. Cached by size."""
    import av
    import numpy as np

    key = (width, height, seconds)
    with _VIDEO_LOCK:
        if key in _VIDEO_CACHE:
            return _VIDEO_CACHE[key]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out.mp4"
            with av.open(str(path), "w", options={"movflags": "faststart"}) as container:
                stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "35"})
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                frames = max(1, seconds * fps)
                box = max(8, min(width, height) // 8)
                for i in range(frames):
                    img = np.empty((height, width, 3), np.uint8)
                    img[:] = (30, 60, 120)
                    x = (width - box) * i // max(1, frames - 1)
                    img[(height - box) // 2 : (height + box) // 2, x : x + box] = (240, 200, 40)
                    for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                        container.mux(packet)
                for packet in stream.encode():
                    container.mux(packet)
            data = path.read_bytes()
        _VIDEO_CACHE[key] = data
        return data


_SHORT = {"480p": 480, "720p": 720, "768p": 768, "1080p": 1080, "standard": 720, "high": 1024, "pro": 1080}


def output_size(inputs: dict[str, Any]) -> tuple[int, int, int]:
    """Width, height and seconds the model would make for these inputs (its defaults otherwise)."""
    aspect = str(inputs.get("aspect_ratio", "16:9"))
    aspect = {"landscape": "16:9", "portrait": "9:16"}.get(aspect, aspect)
    short = _SHORT.get(str(inputs.get("resolution", inputs.get("mode", "720p"))), 720)
    w, h = (int(x) for x in aspect.split(":")) if re.fullmatch(r"\d+:\d+", aspect) else (16, 9)
    size = (round(short * w / h / 2) * 2, short) if w >= h else (short, round(short * h / w / 2) * 2)
    seconds = int(inputs.get("duration", inputs.get("seconds", 5)) or 5)
    return size[0], size[1], max(1, seconds)


SPEECH_CHAR_S = 0.06  # seconds of "speech" a character of text makes
SPEECH_EDGE_S = (0.1, 0.2)  # silence before the first line and after the last, as a voice's file has
_PAUSE = re.compile(r"<#(\d+(?:\.\d+)?)#>")


def make_speech_wav(text: str, rate: int = 32000) -> bytes:
    """What a speech model says, as a mono 16-bit WAV: one tone burst per stretch of text between pause markers
    (`SPEECH_CHAR_S` a character, a different pitch each, faded in and out), each marker's seconds of silence
    between them, so a test can find the lines again."""
    import wave

    import numpy as np

    pieces = [np.zeros(round(SPEECH_EDGE_S[0] * rate), np.float32)]
    parts = _PAUSE.split(text)  # text, seconds, text, seconds, ..., text
    for i, part in enumerate(parts):
        if i % 2:
            pieces.append(np.zeros(round(float(part) * rate), np.float32))
            continue
        if not part.strip():
            continue
        t = np.arange(round(len(part.strip()) * SPEECH_CHAR_S * rate)) / rate
        burst = 0.4 * np.sin(2 * np.pi * (180 + 20 * (i // 2)) * t) * np.minimum(1, np.minimum(t, t[-1] - t) / 0.02)
        pieces.append(burst.astype(np.float32))
    pieces.append(np.zeros(round(SPEECH_EDGE_S[1] * rate), np.float32))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((np.concatenate(pieces) * 32767).astype("<i2").tobytes())
    return out.getvalue()


# --- the server ---------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any) -> Any:
        return self.options.get(key, default)


@dataclass
class WebhookDelivery:
    """One webhook POST the fake attempted."""

    url: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int | None  # None: no answer (connection error or timeout)

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Prediction:
    body: dict[str, Any]
    scenario: Scenario
    timeline: list[str]
    gets: int = 0
    failures_left: int = 0
    webhook_id: str = field(default_factory=lambda: "msg_" + secrets.token_hex(12))


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _parse_duration(text: str) -> float | None:
    """Seconds in a Cancel-After value: "30", "5m", "1h30m", "90s"."""
    text = text.strip()
    if text.isdigit():
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|m|s|ms)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    unit = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(a) * unit[b] for a, b in parts)


class FakeReplicate(LoopbackServer):
    """Replicate's API on loopback. `base_url` has no `/v1`: the client adds it."""

    name = "fake-replicate"

    def __init__(self, token: str | None = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.schemas: dict[str, dict[str, Any]] = copy.deepcopy(DEFAULT_SCHEMAS)
        self.predictions: dict[str, _Prediction] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}  # id -> (data, content type, name)
        self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.webhooks_sent: list[WebhookDelivery] = []
        self._webhook_threads: list[threading.Thread] = []
        self._scenarios: dict[str, Scenario] = {}
        self._create_attempts: dict[str, int] = {}
        self._webhooks_changed = threading.Condition(self.lock)
        self._holds_left = 0  # creates still to hold (hold_creates)
        self._held: list[str] = []  # ids of the predictions whose create is held now
        self._release = threading.Event()
        self._held_changed = threading.Condition(self.lock)
        self.base_url = self.url("")
        # Where output files are served from; set it to another host name for this same server (e.g.
        # http://localhost:PORT) to play a CDN that is not the API host.
        self.output_base_url = self.base_url
        self.list_page_size = 100  # predictions a page of `GET /v1/predictions`, newest first, as Replicate does
        self.list_webhooks = True  # False: the list leaves each prediction's `webhook` out (not promised by docs)
        # Outputs are a sixth of the width and height the input asked for (aspect and length kept): finishing a
        # paid video draws over every pixel of it, and no test but the engine's (which set 1) reads the size.
        self.output_scale = 6

    # lifecycle

    def stop(self) -> None:
        super().stop()
        deadline = time.monotonic() + WEBHOOK_TIMEOUT_S + 1
        for thread in list(self._webhook_threads):  # no retries once stopping; an attempt under way ends
            thread.join(max(0.0, deadline - time.monotonic()))

    # configuration

    def set_scenario(self, model: str = "*", name: str = "success", **options: Any) -> None:
        """Choose what happens to predictions of `model` ("owner/name"), or of every model with "*"."""
        if name not in _SCENARIOS:
            raise ValueError(f"unknown scenario {name!r}; known: {', '.join(_SCENARIOS)}")
        with self.lock:
            self._scenarios[model] = Scenario(name, options)

    def scenario_for(self, model: str) -> Scenario:
        return self._scenarios.get(model) or self._scenarios.get("*") or Scenario("success")

    def remove_model(self, model: str) -> None:
        """Delist a model: its page and its predictions endpoint answer 404."""
        self.schemas.pop(model, None)

    def expire(self, prediction_id: str) -> None:
        """What the one-hour retention does: output removed, data_removed set."""
        with self.lock:
            body = self.predictions[prediction_id].body
            body["output"] = None
            body["data_removed"] = True

    def complete(self, prediction_id: str, status: str = "succeeded") -> None:
        """Move a prediction that is not finished straight to terminal `status` (output, completed_at and
        metrics as a GET reaching it would set them) and send its "completed" webhook, if it has one."""
        if status not in TERMINAL:
            raise ValueError(f"not a terminal status: {status!r}; known: {', '.join(TERMINAL)}")
        with self.lock:
            state = self.predictions[prediction_id]
            if state.body["status"] in TERMINAL:
                raise ValueError(f"prediction {prediction_id} is already {state.body['status']}")
            self._finish(state, status)
            pending = self._completed_webhook(state)
        self._send_webhook(pending)

    def hold_creates(self, n: int = 1) -> None:
        """Hold the next `n` creates: each makes its prediction, then waits to answer until `release_creates()`."""
        with self.lock:
            self._holds_left += n

    def wait_for_held(self, n: int, timeout: float = 10.0) -> list[str]:
        """Block until `n` creates are held; the ids of their predictions. TimeoutError if not."""
        with self._held_changed:
            if not self._held_changed.wait_for(lambda: len(self._held) >= n, timeout):
                raise TimeoutError(f"{len(self._held)} creates held after {timeout} s, wanted {n}")
            return list(self._held)

    def release_creates(self) -> None:
        """Let every held create answer (and stop holding creates not yet made)."""
        with self.lock:
            self._holds_left = 0
            self._held.clear()
            self._release.set()
            self._release = threading.Event()  # for the creates held from now on

    def wait_for_webhooks(self, n: int, timeout: float = 5.0) -> list[WebhookDelivery]:
        """Block until at least `n` webhook deliveries were attempted; all of them so far. TimeoutError if not."""
        with self._webhooks_changed:
            if not self._webhooks_changed.wait_for(lambda: len(self.webhooks_sent) >= n, timeout):
                raise TimeoutError(f"{len(self.webhooks_sent)} webhook deliveries after {timeout} s, wanted {n}")
            return list(self.webhooks_sent)

    # assertions

    def find(self, method: str, path_pattern: str) -> list[Seen]:
        """Seen requests with this method whose path matches the regular expression."""
        rx = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path)]

    def creates(self) -> list[Seen]:
        return self.find("POST", r"/v1/(models/[^/]+/[^/]+/)?predictions")

    def speeches(self) -> list[dict[str, Any]]:
        """The predictions made on the speech models (their bodies), oldest first."""
        with self.lock:
            return [p.body for p in self.predictions.values() if p.body["model"] in SPEECH_MODELS]

    def cancels(self) -> list[Seen]:
        return self.find("POST", r"/v1/predictions/[^/]+/cancel")

    def polls(self) -> list[Seen]:
        return self.find("GET", r"/v1/predictions/[^/]+")

    # the API

    def respond(self, req: Seen) -> Reply:
        path = req.path
        m = re.fullmatch(r"/delivery/([^/]+)/output\.(?:mp4|wav)", path)
        if m and req.method == "GET":
            return self._delivery(m.group(1))
        m = re.fullmatch(r"/v1/files/([^/]+)/download", path)
        if m and req.method == "GET":
            item = self.files.get(m.group(1))
            if not item:
                return _problem(404, "Not found.")
            return Reply(body=item[0], content_type=item[1])
        if self.token and req.headers.get("authorization") != f"Bearer {self.token}":
            return _problem(401, "You did not pass a valid authentication token", title="Unauthenticated")
        if self._scenarios.get("*", Scenario("")).name == "unauthorized":
            return _problem(401, "You did not pass a valid authentication token", title="Unauthenticated")
        routes = [
            ("POST", r"/v1/models/([^/]+)/([^/]+)/predictions", self._create_on_model),
            ("POST", r"/v1/predictions", self._create_on_version),
            ("GET", r"/v1/predictions", self._list),
            ("GET", r"/v1/predictions/([^/]+)", self._get),
            ("POST", r"/v1/predictions/([^/]+)/cancel", self._cancel),
            ("GET", r"/v1/models/([^/]+)/([^/]+)", self._model),
            ("POST", r"/v1/files", self._upload),
            ("GET", r"/v1/files/([^/]+)", self._file),
            ("GET", r"/v1/webhooks/default/secret", lambda r: _json(200, {"key": self.webhook_secret})),
        ]
        for method, pattern, fn in routes:
            m = re.fullmatch(pattern, path)
            if m and req.method == method:
                return fn(req, *m.groups()) if m.groups() else fn(req)
        return _problem(404, "Not found.")

    def _model(self, req: Seen, owner: str, name: str) -> Reply:
        slug = f"{owner}/{name}"
        if slug not in self.schemas or self.scenario_for(slug).name == "model_404":
            return _problem(404, f"Model {slug} does not exist")
        if self.scenario_for(slug).name == "schema_error":
            return _problem(500, "Internal server error")
        version = hashlib.sha256(json.dumps(self.schemas[slug], sort_keys=True).encode()).hexdigest()
        return _json(
            200,
            {
                "url": f"https://replicate.com/{slug}",
                "owner": owner,
                "name": name,
                "description": f"Fake {slug}",
                "visibility": "public",
                "github_url": None,
                "paper_url": None,
                "license_url": None,
                "run_count": 1234,
                "cover_image_url": None,
                "default_example": None,
                "is_official": True,
                "latest_version": {
                    "id": version,
                    "created_at": "2026-10-01T00:00:00.000000Z",
                    "cog_version": "0.14.0",
                    "openapi_schema": self.schemas[slug],
                },
            },
        )

    def _create_on_version(self, req: Seen) -> Reply:
        version = str((req.json or {}).get("version", ""))
        if "/" not in version:
            return _problem(422, "Invalid version or not permitted", title="Invalid version or not permitted")
        owner, name = version.split(":")[0].split("/", 1)
        return self._create_on_model(req, owner, name)

    def _create_on_model(self, req: Seen, owner: str, name: str) -> Reply:
        slug = f"{owner}/{name}"
        scenario = self.scenario_for(slug)
        if slug not in self.schemas or scenario.name == "model_404":
            return _problem(404, f"Model {slug} does not exist")
        if scenario.name == "no_credit":
            return _problem(402, "You have insufficient credit to run this model.", title="Payment required")
        if scenario.name == "create_error":
            return _problem(int(scenario.get("status", 500)), "Internal server error")
        if scenario.name == "throttled" and scenario.get("where", "both") in ("create", "both"):
            with self.lock:
                seen = self._create_attempts.get(slug, 0)
                self._create_attempts[slug] = seen + 1
            if seen < int(scenario.get("times", 1)):
                return _throttled(scenario)
        try:
            body = req.json or {}
        except ValueError:
            return _problem(400, "The request body is not valid JSON.")
        inputs = body.get("input")
        if not isinstance(inputs, dict):
            return _problem(422, "- input: input is required", title="Input validation failed")
        invalid = self._validate(slug, inputs)
        webhook = body.get("webhook")
        events = body.get("webhook_events_filter")
        if webhook is not None and not (isinstance(webhook, str) and webhook.startswith(("http://", "https://"))):
            invalid.append({"type": "format", "field": "webhook", "description": "webhook must be a valid URL"})
        if events is not None and (
            not isinstance(events, list) or not events or any(e not in WEBHOOK_EVENTS for e in events)
        ):
            allowed = ", ".join(WEBHOOK_EVENTS)
            desc = f"webhook_events_filter items must be one of the following: {allowed}"
            invalid.append({"type": "enum", "field": "webhook_events_filter", "description": desc})
        if scenario.name == "invalid":
            field_name = scenario.get("field", "duration" if "duration" in inputs else "seconds")
            desc = scenario.get("description", f"{field_name} must be one of the following: 4, 6, 8")
            invalid = [{"type": "enum", "field": f"input.{field_name}", "description": desc}]
        if invalid:
            return _json(
                422,
                {
                    "title": "Input validation failed",
                    "detail": "\n".join(f"- {f['field']}: {f['description']}" for f in invalid),
                    "status": 422,
                    "invalid_fields": invalid,
                },
                content_type="application/problem+json",
            )
        pid = uuid.uuid4().hex[:20]
        created = datetime.now(UTC)
        prediction = {
            "id": pid,
            "model": slug,
            "version": "hidden",
            "input": inputs,
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": "starting",
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "urls": {
                "get": self.url(f"/v1/predictions/{pid}"),
                "cancel": self.url(f"/v1/predictions/{pid}/cancel"),
                "web": f"https://replicate.com/p/{pid}",
                "stream": self.url(f"/v1/predictions/{pid}/stream"),
            },
            "source": "api",
        }
        if webhook is not None:
            prediction["webhook"] = webhook
            prediction["webhook_events_filter"] = list(events or WEBHOOK_EVENTS)
        cancel_after = req.headers.get("cancel-after")
        if cancel_after and (secs := _parse_duration(cancel_after)) is not None:
            prediction["deadline"] = (created + timedelta(seconds=secs)).isoformat().replace("+00:00", "Z")
        state = _Prediction(prediction, scenario, _timeline(scenario))
        if scenario.name == "server_error" or (
            scenario.name == "throttled" and scenario.get("where", "both") in ("get", "both")
        ):
            state.failures_left = int(scenario.get("times", 1 if scenario.name == "throttled" else 2))
        with self.lock:
            self.predictions[pid] = state
            held, release = self._holds_left > 0, self._release
            if held:
                self._holds_left -= 1
                self._held.append(pid)
                self._held_changed.notify_all()
        while held and not release.wait(0.05) and not self.stopping.is_set():
            pass
        delay = scenario.get("delay", 1.0) if scenario.name == "slow_create" else scenario.get("create_s", 0.0)
        if delay:
            self.stopping.wait(float(delay))
        return _json(201, prediction, headers={"Location": self.url(f"/v1/predictions/{pid}")})

    def _validate(self, slug: str, inputs: dict[str, Any]) -> list[dict[str, str]]:
        props, required = input_properties(self.schemas[slug])
        bad: list[dict[str, str]] = []
        for name in required:
            if name not in inputs:
                bad.append({"type": "required", "field": f"input.{name}", "description": f"{name} is required"})
        for name, value in inputs.items():
            prop = props.get(name)
            if prop is None:
                continue  # Replicate ignores inputs a model does not declare
            if "enum" in prop and value not in prop["enum"]:
                allowed = ", ".join(str(v) for v in prop["enum"])
                bad.append(
                    {
                        "type": "enum",
                        "field": f"input.{name}",
                        "description": f"{name} must be one of the following: {allowed}",
                    }
                )
            kind = prop.get("type")
            if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
                bad.append({"type": "type", "field": f"input.{name}", "description": f"{name} must be an integer"})
            elif kind == "integer":
                if "minimum" in prop and value < prop["minimum"]:
                    desc = f"{name} must be greater than or equal to {prop['minimum']}"
                    bad.append({"type": "number_gte", "field": f"input.{name}", "description": desc})
                if "maximum" in prop and value > prop["maximum"]:
                    desc = f"{name} must be less than or equal to {prop['maximum']}"
                    bad.append({"type": "number_lte", "field": f"input.{name}", "description": desc})
            if kind == "boolean" and not isinstance(value, bool):
                bad.append({"type": "type", "field": f"input.{name}", "description": f"{name} must be a boolean"})
            if prop.get("format") == "uri" and not _is_url(value):
                bad.append({"type": "format", "field": f"input.{name}", "description": f"{name} must be a URI"})
            if kind == "array":
                if not isinstance(value, list) or not all(_is_url(v) for v in value):
                    desc = f"{name} must be a list of URIs"
                    bad.append({"type": "type", "field": f"input.{name}", "description": desc})
                elif "maxItems" in prop and len(value) > prop["maxItems"]:
                    desc = f"{name} must have at most {prop['maxItems']} items"
                    bad.append({"type": "max_items", "field": f"input.{name}", "description": desc})
        return bad

    def _get(self, req: Seen, pid: str) -> Reply:
        with self.lock:
            state = self.predictions.get(pid)
            if state is None:
                return _problem(404, "Prediction not found")
            if state.failures_left > 0:
                state.failures_left -= 1
                if state.scenario.name == "throttled":
                    return _throttled(state.scenario)
                return _problem(int(state.scenario.get("status", 500)), "Internal server error")
            finished = self._advance(state)
            response = _json(200, state.body)
            pending = self._completed_webhook(state) if finished else None
        self._send_webhook(pending)
        return response

    def _advance(self, state: _Prediction) -> bool:
        """One GET's step along the timeline; True when it made the prediction terminal."""
        body = state.body
        if body["status"] in TERMINAL:
            return False
        status = state.timeline[min(state.gets, len(state.timeline) - 1)]
        state.gets += 1
        if status in TERMINAL:
            self._finish(state, status)
            return True
        body["status"] = status
        if status == "processing":
            body.setdefault("started_at", _now())
            body["logs"] = f"Generating video...\n{min(95, 30 * state.gets)}%"
        return False

    def _finish(self, state: _Prediction, status: str) -> None:
        """Make the prediction terminal: status, completed_at, metrics, and output or error (lock held)."""
        body = state.body
        body["status"] = status
        body["completed_at"] = _now()
        predict = 42.5 if status == "succeeded" else 3.0
        if body.get("started_at"):
            body["metrics"] = {"predict_time": predict, "total_time": predict + 4.2}
        if status == "succeeded":
            body["logs"] += "\n100%"
            name = state.scenario.name
            if name == "data_removed":
                body["output"], body["data_removed"] = None, True
            else:
                kind = "wav" if body["model"] in SPEECH_MODELS else "mp4"
                body["output"] = f"{self.output_base_url}/delivery/{body['id']}/output.{kind}"
        elif status == "failed":
            default = (
                "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
                if state.scenario.name == "refused"
                else "CUDA error: an illegal memory access was encountered"
            )
            body["error"] = state.scenario.get("error", default)

    def _cancel(self, req: Seen, pid: str) -> Reply:
        with self.lock:
            state = self.predictions.get(pid)
            if state is None:
                return _problem(404, "Prediction not found")
            pending = None
            if state.body["status"] not in TERMINAL:
                state.body["status"] = "canceled"
                state.body["completed_at"] = _now()
                pending = self._completed_webhook(state)
            response = _json(200, state.body)
        self._send_webhook(pending)
        return response

    # webhooks

    def _completed_webhook(self, state: _Prediction) -> tuple[str, str, bytes] | None:
        """The "completed" delivery due for a prediction just made terminal: (url, webhook id, body), or None
        when it has no webhook or its filter leaves "completed" out. Called with the lock held, so the body is
        a consistent snapshot."""
        url = state.body.get("webhook")
        if not url or "completed" not in state.body.get("webhook_events_filter", WEBHOOK_EVENTS):
            return None
        return url, state.webhook_id, json.dumps(state.body).encode()

    def _send_webhook(self, pending: tuple[str, str, bytes] | None) -> None:
        """Deliver in a background thread (never with the lock held, never blocking a request handler)."""
        if pending is None:
            return
        thread = threading.Thread(target=self._deliver, args=pending, name="fake-replicate-webhook", daemon=True)
        with self.lock:
            self._webhook_threads.append(thread)
        thread.start()

    def _deliver(self, url: str, webhook_id: str, body: bytes) -> None:
        with httpx.Client(timeout=WEBHOOK_TIMEOUT_S, trust_env=False, verify=tls_context()) as client:
            for attempt in range(1 + WEBHOOK_RETRIES):
                if attempt and self.stopping.wait(WEBHOOK_RETRY_DELAY_S):
                    return  # the fake is closing: no more retries
                headers = {
                    **sign_webhook(self.webhook_secret, body, webhook_id=webhook_id),
                    "content-type": "application/json",
                }
                try:
                    status: int | None = client.post(url, content=body, headers=headers).status_code
                except httpx.HTTPError:
                    status = None
                with self._webhooks_changed:
                    self.webhooks_sent.append(WebhookDelivery(url, headers, body, status))
                    self._webhooks_changed.notify_all()
                if status is not None and 200 <= status < 300:
                    return

    def _list(self, req: Seen) -> Reply:
        asked = parse_qs(req.query)
        after = (asked.get("created_after") or [""])[0]
        start = int((asked.get("cursor") or ["0"])[0])
        with self.lock:
            results = [
                s.body for s in self.predictions.values() if not after or _when(s.body["created_at"]) >= _when(after)
            ]
        results.sort(key=lambda b: _when(b["created_at"]), reverse=True)
        if not self.list_webhooks:
            results = [{k: v for k, v in b.items() if k != "webhook"} for b in results]
        end = start + self.list_page_size
        query = urlencode({"created_after": after, "cursor": end} if after else {"cursor": end})
        following = self.url(f"/v1/predictions?{query}") if end < len(results) else None
        return _json(200, {"next": following, "previous": None, "results": results[start:end]})

    def _delivery(self, pid: str) -> Reply:
        state = self.predictions.get(pid)
        if state is None or state.body.get("data_removed") or state.scenario.name == "output_gone":
            return Reply(status=404, body=b"Not found", content_type="text/plain")
        if state.body["model"] in SPEECH_MODELS:
            inputs = state.body["input"]
            return Reply(body=make_speech_wav(inputs["text"], int(inputs.get("sample_rate", 32000))),
                         content_type="audio/wav")  # fmt: skip
        if footage := state.scenario.get("footage", None):
            return Reply(body=Path(footage).read_bytes(), content_type="video/mp4")
        width, height, seconds = output_size(state.body["input"])
        width, height = (max(16, n // self.output_scale // 2 * 2) for n in (width, height))
        return Reply(body=make_mp4(width, height, seconds), content_type="video/mp4")

    def _upload(self, req: Seen) -> Reply:
        ctype = req.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            return _problem(400, "Expected multipart/form-data")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + req.body
        )
        content: bytes | None = None
        filename, content_type = "file", "application/octet-stream"
        for part in msg.iter_parts():
            if part.get_param("name", header="content-disposition") == "content":
                content = part.get_payload(decode=True)
                filename = part.get_filename() or filename
                content_type = part.get_content_type()
        if content is None:
            return _problem(422, "- content: content is required", title="Input validation failed")
        if len(content) > 100 * 1024 * 1024:
            return _problem(413, "File too large")
        fid = uuid.uuid4().hex[:16]
        with self.lock:
            self.files[fid] = (content, content_type, filename)
        return _json(201, self._file_body(fid))

    def _file_body(self, fid: str) -> dict[str, Any]:
        data, content_type, name = self.files[fid]
        created = datetime.now(UTC)
        return {
            "id": fid,
            "name": name,
            "content_type": content_type,
            "size": len(data),
            "etag": hashlib.md5(data).hexdigest(),  # noqa: S324 - an etag, not security
            "checksums": {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()},  # noqa: S324
            "metadata": {},
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "expires_at": (created + timedelta(hours=24)).isoformat().replace("+00:00", "Z"),
            "urls": {"get": self.url(f"/v1/files/{fid}/download")},
        }

    def _file(self, req: Seen, fid: str) -> Reply:
        if fid not in self.files:
            return _problem(404, "Not found.")
        return _json(200, self._file_body(fid))

    def file_for_url(self, url: str) -> tuple[bytes, str, str] | None:
        """The uploaded file a `urls.get` points to (data, content type, name)."""
        m = re.fullmatch(re.escape(self.base_url) + r"/v1/files/([^/]+)/download", url)
        return self.files.get(m.group(1)) if m else None


_SCENARIOS = (
    "success",
    "slow",
    "stuck",
    "hold",
    "failed",
    "refused",
    "canceled",
    "aborted",
    "invalid",
    "throttled",
    "server_error",
    "create_error",
    "slow_create",
    "data_removed",
    "output_gone",
    "model_404",
    "schema_error",
    "unauthorized",
    "no_credit",
)


def _timeline(s: Scenario) -> list[str]:
    """The status each successive GET sees (the last one repeats)."""
    processing = ["processing"] * int(s.get("processing_polls", 1))
    if s.name == "slow":
        return ["starting"] * int(s.get("starting_polls", 5)) + processing + ["succeeded"]
    if s.name in ("stuck", "hold"):
        return ["processing"]
    if s.name in ("failed", "refused"):
        return [*processing, "failed"]
    if s.name == "canceled":
        return [*processing, "canceled"]
    if s.name == "aborted":
        return ["starting", "aborted"]
    return [*processing, "succeeded"]


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "data:"))


def _json(
    status: int, body: Any, *, headers: dict[str, str] | None = None, content_type: str = "application/json"
) -> Reply:
    return Reply(status=status, body=json.dumps(body).encode(), content_type=content_type, headers=headers or {})


def _problem(status: int, detail: str, *, title: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    body = {"detail": detail, "status": status}
    if title:
        body["title"] = title
    return _json(status, body, headers=headers, content_type="application/problem+json")


def _throttled(s: Scenario) -> Reply:
    after = str(s.get("retry_after", "0"))
    headers = {"Retry-After": after, "ratelimit-remaining": "0", "ratelimit-reset": after}
    return _problem(429, f"Request was throttled. Your rate limit resets in ~{after}s.", headers=headers)


@pytest.fixture
def fake_replicate(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeReplicate]:
    """A running fake Replicate; every model succeeds unless a test sets a scenario. A premium voice-over's
    polls start 0.01 s apart instead of 0.25 s (its pace is a constant, not a setting): the fake moves one status
    per poll, so a voice took 0.6 s of sleeping a job, as `replicate_settings` makes the video's polls fast."""
    monkeypatch.setattr("tools.sound.premium.POLL_S", 0.01)
    with FakeReplicate() as fake:
        yield fake


def replicate_settings(fake: FakeReplicate, data_dir: Path, **overrides: Any) -> Any:
    """Settings pointed at the fake, with fast polling, no .env and files under `data_dir`."""
    from campaign.settings import Settings

    values: dict[str, Any] = {
        "replicate_api_token": fake.token,
        "replicate_base_url": fake.base_url,
        "replicate_poll_s": 0.01,
        "replicate_polls_per_s": 10_000.0,  # tests check each render's own pace, not the process budget
        "secret_key": "test-secret-key-" + "x" * 32,
    }
    values.update(overrides)
    return Settings(_env_file=None, data_dir=data_dir, **values)
