"""Premium voices: MiniMax speech-02 on Replicate, ONE prediction for the whole script.

The lines go as one text, a MiniMax pause marker between them (`with_pauses`), so one prediction is paid and one
id is followed: it is passed to `record` (the job commits it) before any wait, and a job that restarts follows
that id instead of paying again. The audio comes back as one file; it is split into lines again at the pauses the
markers made (the longest silences, one fewer than the lines) and placed on the beats as the offline voice's
lines are (`placing`). Requests go through the `replicate.Client`'s own httpx client, as the video engine's do
(tools/engines/replicate/client.py says why): creates retried only when Replicate certainly made nothing, polls
retried over brief failures.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import numpy as np
import replicate

from campaign.errors import ClapboardError, InvalidRequest, ModelUnavailable, ProviderFailed, StorageFailed
from campaign.settings import Settings
from tools.catalog import usd_text
from tools.engines.replicate.client import (
    _NO_CONNECTION,
    CREATE_ATTEMPTS,
    DOWNLOAD_ATTEMPTS,
    POLL_FAILURES,
    TERMINAL,
    _age_s,
    _jitter,
    _problem,
    make_client,
)
from tools.engines.replicate.errors import clean_provider_text
from tools.engines.replicate.run import _cancel, _unstoppable
from tools.retry import Transient, retrying, transient_status
from tools.sound.placing import FRAME_S, decode, loud_frames, place
from tools.sound.speech import SPEECH_RATE, Speech, VoiceScript
from tools.sound.spoken import PAUSE_S, spoken, with_pauses
from tools.sound.voices import Voice

log = logging.getLogger(__name__)

POLL_S = 0.25  # the first wait between polls; then 1.5 times longer each, up to POLL_CAP_S
POLL_CAP_S = 3.0
DEADLINE_S = 300.0  # a voice-over takes seconds; past this the prediction is canceled
CANCEL_AFTER = "5m"  # Replicate's own cap on the prediction (the header every create carries)
SAMPLE_RATE = 32_000  # asked of MiniMax (its default)
MAX_AUDIO_BYTES = 50 * 1024**2
LEAST_PAUSE_S = PAUSE_S / 2  # a silence this long or longer may be a pause between lines


async def speak_premium(
    client: replicate.Client,
    script: VoiceScript,
    voice: Voice,
    duration_s: float,
    *,
    prediction_id: str | None,
    record: Callable[[str], Awaitable[None]],
) -> Speech:
    """The script said by a premium voice, each line at its start, as `Speech`: one prediction, its id given to
    `record` before waiting; `prediction_id`, when given, is followed instead of making one (unless Replicate no
    longer knows it). Raises ModelUnavailable, InvalidRequest or ProviderFailed as the video engine does."""
    audio = await premium_audio(client, script, voice, prediction_id=prediction_id, record=record)
    return placed_premium(script, audio, voice, duration_s)


async def premium_audio(
    client: replicate.Client,
    script: VoiceScript,
    voice: Voice,
    *,
    prediction_id: str | None,
    record: Callable[[str], Awaitable[None]],
) -> np.ndarray:
    """The whole script said by a premium voice as one mono float32 track at SPEECH_RATE, as Replicate made it
    (a job keeps it, so it is never asked for again): the prediction `prediction_id` followed, else one made, its
    id given to `record` before waiting. A followed prediction whose audio Replicate removed since is a
    ProviderFailed saying so: it was paid for, and making another would pay again."""
    assert voice.engine == "replicate" and voice.model, f"{voice.id} is not a Replicate voice"
    said = _said(script)
    if not said.lines:
        return np.zeros(0, np.float32)
    run = _Speaking(client._async_client, voice)
    prediction = await run.follow(prediction_id) if prediction_id else None
    followed = prediction is not None
    if prediction is None:
        prediction = await run.create(_inputs(said, voice), record)
    prediction = await run.wait(prediction)
    if prediction.get("data_removed") or (followed and not prediction.get("output")):
        raise ProviderFailed(
            f"The {voice.name} voice-over was made, and paid for, on Replicate, but Replicate has since removed its "
            f"audio (it keeps it about an hour) and no copy was kept, so it cannot be used; asking again pays about "
            f"{usd_text(voice.cost(said))} for a new one."
        )
    return decode(await run.audio(prediction))


def placed_premium(script: VoiceScript, audio: np.ndarray, voice: Voice, duration_s: float) -> Speech:
    """A premium voice's track (`premium_audio`) split into the script's lines and each placed at its start."""
    said = _said(script)
    if not said.lines:
        return place(said, [], duration_s, voice.id)
    weights = [len(spoken(line.text)) for line in said.lines]
    return place(said, split_lines(audio, weights), duration_s, voice.id)


async def cancel_voice(settings: Settings, prediction_id: str) -> str | None:
    """Stop a voice-over's prediction (its job was canceled) as the video engine stops its own: its status after
    the cancel ("canceled", or "succeeded" when it had finished), None when Replicate did not say."""
    client = make_client(settings)
    try:
        return await _cancel(client._async_client, prediction_id)
    finally:
        await client._async_client.aclose()


def _said(script: VoiceScript) -> VoiceScript:
    """The script's lines that say something: those sent to the voice."""
    return VoiceScript(lines=[line for line in script.lines if line.text.strip()], source=script.source)


def _inputs(script: VoiceScript, voice: Voice) -> dict[str, Any]:
    return {
        "text": with_pauses(script),
        "voice_id": voice.voice_id,
        "audio_format": "wav",
        "sample_rate": SAMPLE_RATE,
        "channel": "mono",
        "language_boost": "English",
        "english_normalization": True,
    }


def split_lines(samples: np.ndarray, weights: list[int]) -> list[np.ndarray]:
    """One voice's audio of several lines split back into the lines: at the longest silences (one fewer than
    the lines, each at least `LEAST_PAUSE_S`), else, when it paused fewer times, by the lines' characters."""
    n = len(weights)
    loud = loud_frames(samples)
    size = round(FRAME_S * SPEECH_RATE)
    heard = np.flatnonzero(loud)
    if n == 1 or len(heard) == 0:
        return [samples] + [samples[:0]] * (n - 1)
    quiet = [(a, b) for a, b in _runs(~loud[heard[0] : heard[-1] + 1]) if (b - a) * FRAME_S >= LEAST_PAUSE_S]
    if len(quiet) >= n - 1:
        pauses = sorted(sorted(quiet, key=lambda run: run[1] - run[0], reverse=True)[: n - 1])
        cuts = [(heard[0] + (a + b) // 2) * size for a, b in pauses]
    else:
        log.warning("the voice paused %d times between %d lines; the lines are split by length", len(quiet), n)
        first, last = heard[0] * size, (heard[-1] + 1) * size
        shares = np.cumsum(weights[:-1]) / sum(weights)
        cuts = [round(first + (last - first) * share) for share in shares]
    edges = [0, *cuts, len(samples)]
    return [samples[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The [start, end) runs of True in a boolean array."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


class _Speaking:
    """One voice-over's prediction on Replicate."""

    def __init__(self, http: httpx.AsyncClient, voice: Voice) -> None:
        self.http = http
        self.voice = voice
        self.prediction_id: str | None = None

    async def follow(self, prediction_id: str) -> dict[str, Any] | None:
        """The prediction an earlier run made, or None when Replicate no longer knows it."""
        self.prediction_id = prediction_id
        prediction = await self.poll()
        if prediction is None:
            log.warning("voice prediction %s is unknown to Replicate; making a new one", prediction_id)
            self.prediction_id = None
        return prediction

    async def create(self, inputs: dict[str, Any], record: Callable[[str], Awaitable[None]]) -> dict[str, Any]:
        """Create the prediction and hand its id to `record` in one step a stop waits for. Retried only when
        Replicate certainly made nothing (no connection, a 429): creates have no idempotency key."""

        async def send() -> httpx.Response:
            resp = await self._post({"input": inputs})
            created = _problem(resp) if resp.status_code in (200, 201, 202) else {}
            if created.get("id"):
                self.prediction_id = str(created["id"])
                log.info("replicate voice prediction %s created on %s", self.prediction_id, self.voice.model)
                await record(self.prediction_id)
            return resp

        try:
            async for attempt in retrying(CREATE_ATTEMPTS, base_s=POLL_S):
                with attempt:
                    resp = await _unstoppable(send())
        except Transient as exc:
            raise ProviderFailed("Replicate is busy or cannot be reached right now.", hint="Try again.") from exc
        except httpx.TransportError as exc:
            raise ProviderFailed(
                f"Replicate did not answer the request for the {self.voice.name} voice in time.",
                hint="It was not sent again, so that nothing is paid twice; try again in a moment.",
            ) from exc
        if resp.status_code not in (200, 201, 202):
            raise self.error(resp)
        created = _problem(resp)
        if not created.get("id"):
            raise ProviderFailed("Replicate answered the voice-over request without a prediction id.")
        return created

    async def _post(self, body: dict[str, Any]) -> httpx.Response:
        try:
            resp = await self.http.post(
                f"/v1/models/{self.voice.model}/predictions", json=body, headers={"Cancel-After": CANCEL_AFTER}
            )
        except _NO_CONNECTION as exc:
            raise Transient(type(exc).__name__) from exc
        if resp.status_code == 429:
            raise transient_status(resp) or Transient("HTTP 429")
        return resp

    async def wait(self, prediction: dict[str, Any]) -> dict[str, Any]:
        """Poll with backoff until the prediction ends; cancel it past `DEADLINE_S` from its creation."""
        deadline = time.monotonic() - _age_s(prediction) + DEADLINE_S
        interval = POLL_S
        while str(prediction.get("status") or "") not in TERMINAL:
            if time.monotonic() >= deadline:
                await _cancel(self.http, str(prediction["id"]))
                raise ProviderFailed(
                    f"The {self.voice.name} voice did not finish in time, so Clapboard canceled it on Replicate.",
                    hint="Try again later, or choose the free voice.",
                )
            await asyncio.sleep(interval * _jitter())
            interval = min(interval * 1.5, POLL_CAP_S)
            polled = await self.poll()
            if polled is None:
                raise ProviderFailed("Replicate no longer knows the voice-over's prediction.", hint="Try again.")
            prediction = polled or prediction
        status = prediction.get("status")
        if status != "succeeded":
            log.warning("voice prediction %s %s: %s", self.prediction_id, status,
                        clean_provider_text(prediction.get("error")))  # fmt: skip
            raise ProviderFailed(
                f"The {self.voice.name} voice {'failed' if status == 'failed' else 'was stopped'} on Replicate.",
                hint="Try again, or choose another voice.",
            )
        return prediction

    async def poll(self) -> dict[str, Any] | None:
        """The prediction now (None when Replicate does not know it, {} when unreadable), retried over brief
        failures."""

        async def get() -> httpx.Response:
            try:
                resp = await self.http.get(f"/v1/predictions/{self.prediction_id}")
            except httpx.TransportError as exc:
                raise Transient(type(exc).__name__) from exc
            if failure := transient_status(resp):
                raise failure
            return resp

        try:
            async for attempt in retrying(POLL_FAILURES, base_s=POLL_S):
                with attempt:
                    resp = await get()
        except Transient as exc:
            raise ProviderFailed(
                "Clapboard lost contact with Replicate while the voice-over was being made.", hint="Try again."
            ) from exc
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise self.error(resp)
        return _problem(resp)

    async def audio(self, prediction: dict[str, Any]) -> bytes:
        """The output file's bytes (retried: Replicate keeps it an hour)."""
        from tools.outputs import download

        output = prediction.get("output")
        url = output[0] if isinstance(output, list) and output else output
        if not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            raise ProviderFailed(f"The {self.voice.name} voice finished without an audio file.", hint="Try again.")
        try:
            async for attempt in retrying(DOWNLOAD_ATTEMPTS, base_s=POLL_S):
                with attempt:
                    try:
                        return b"".join([chunk async for chunk in download(url, max_bytes=MAX_AUDIO_BYTES)])
                    except StorageFailed as exc:
                        raise Transient(str(exc)) from exc
        except Transient as exc:
            raise ProviderFailed(
                f"The {self.voice.name} voice finished, but its audio could not be copied from Replicate.",
                hint="Try again.",
            ) from exc
        raise AssertionError("unreachable: retrying returns or raises")  # pragma: no cover

    def error(self, resp: httpx.Response) -> ClapboardError:
        """Replicate's HTTP error as one a user can act on (its own text is logged, not shown)."""
        code, problem = resp.status_code, _problem(resp)
        log.warning("replicate answered %s for voice %s: %s", code, self.voice.id,
                    clean_provider_text(problem.get("detail") or problem.get("title")))  # fmt: skip
        if code in (401, 403):
            return ModelUnavailable(
                "Replicate did not accept Clapboard's access to the account.",
                hint="Ask your administrator to check the Replicate token, or choose the free voice.",
            )
        if code == 402:
            return ModelUnavailable("The Replicate account has run out of credit.", hint="Add credit on replicate.com.")
        if code == 404:
            return ModelUnavailable(
                f"The {self.voice.name} voice is not offered on Replicate right now.", hint="Choose another voice."
            )
        if code == 422:
            return InvalidRequest(
                f"Replicate refused the voice-over for the {self.voice.name} voice.",
                hint="Shorten the script, or choose another voice.",
            )
        return ProviderFailed(f"Replicate answered an error ({code}) for the voice-over.", hint="Try again.")
