"""The Replicate engine: hosted video models through the `replicate` client, nothing lost, no surprises.

The flow: fit first/last frames to the output size (`tools.references.fit`), give Replicate a URL for each
reference (the storage's own URL on S3, else an upload to `POST /v1/files`), create the prediction on the
models endpoint with `Cancel-After`, poll with backoff and jitter until a terminal status or our own deadline
(then cancel), and the moment it succeeds stream the output to `dest`, chunk by chunk, before Replicate's
one-hour retention can remove it.

The parts: `client` (the connection), `inputs` (what is sent), `adoption` (a prediction made but never
recorded), `errors` (what a failure means), `hooks` (webhooks and the polling budget), `schemas` (the live
model schemas) and `models.json` (the models, as data).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import replicate

from campaign.errors import ModelUnavailable, ProviderFailed, ProviderUnreachable, StorageFailed
from campaign.settings import Settings
from campaign.storage import BlobStorage
from tools.engines.base import PROVIDER_ANSWERED, Progress, RenderJob, RenderOutcome
from tools.engines.replicate.adoption import _Adoption
from tools.engines.replicate.client import (
    _NO_CONNECTION,
    CLOCK_SKEW_S,
    CREATE_ATTEMPTS,
    DOWNLOAD_ATTEMPTS,
    POLL_FAILURES,
    TERMINAL,
    TRUSTED_OUTPUT_HOSTS,
    WEBHOOK_POLL_FACTOR,
    Sleep,
    _age_s,
    _jitter,
    _minutes,
    _problem,
    make_client,
)
from tools.engines.replicate.errors import _Errors, provider_failure
from tools.engines.replicate.hooks import Completions, Pacer, webhook_url
from tools.engines.replicate.inputs import _Inputs
from tools.retry import Transient, retrying, transient_status

log = logging.getLogger(__name__)

T = TypeVar("T")


class ReplicateEngine:
    """Renders a `RenderJob` on its model's Replicate slug."""

    def __init__(
        self,
        settings: Settings,
        storage: BlobStorage,
        *,
        completions: Completions | None = None,
        pacer: Pacer | None = None,
        timeout: httpx.Timeout | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.completions = completions
        self.pacer = pacer or Pacer(settings.replicate_polls_per_s)
        self.timeout = timeout
        self._sleep = sleep or asyncio.sleep
        self._clock = clock

    # --- the entry points -----------------------------------------------------------------------------------

    async def render(self, job: RenderJob, dest: Path, progress: Progress) -> RenderOutcome:
        spec = job.model
        if not spec.slug:
            raise ModelUnavailable(f"{spec.name} is not a Replicate model.")
        client = make_client(self.settings, timeout=self.timeout)
        run = _Run(self, job, client, progress)
        try:
            return await run.go(dest)
        finally:
            await client._async_client.aclose()

    async def cancel(self, prediction_id: str) -> str | None:
        """Ask Replicate to stop a prediction (best effort; its Cancel-After caps it anyway); its status after
        the cancel ("canceled", or "succeeded" when it had already finished), None when Replicate did not say."""
        client = make_client(self.settings, timeout=self.timeout)
        try:
            return await _cancel(client._async_client, prediction_id)
        finally:
            await client._async_client.aclose()


async def _cancel(http: httpx.AsyncClient, prediction_id: str) -> str | None:
    try:
        resp = await http.post(f"/v1/predictions/{prediction_id}/cancel")
    except httpx.HTTPError as exc:
        log.warning("could not cancel prediction %s: %s", prediction_id, type(exc).__name__)
        return None
    status = _problem(resp).get("status") if resp.status_code == 200 else None
    log.info("canceled prediction %s: %s %s", prediction_id, resp.status_code, status)
    return status if isinstance(status, str) else None


async def _unstoppable(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` to its end even when the caller is cancelled meanwhile, then pass the cancellation on. A create
    cut off while Replicate answers has made a prediction all the same: this way its id is recorded, so the
    job's runner cancels it (the user stopped the job) or the next runner follows it (a shutdown), instead of
    it running on, paid for and known to no one."""
    task = asyncio.ensure_future(work)
    stopped: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError as exc:
            stopped = stopped or exc
    if stopped is None:
        return task.result()
    if not task.cancelled():
        task.exception()  # its outcome is recorded (or lost) already; the caller hears the cancellation
    raise stopped


class _Run(_Inputs, _Adoption, _Errors):
    """One render: its prediction, its progress and its deadline."""

    def __init__(self, engine: ReplicateEngine, job: RenderJob, client: replicate.Client, progress: Progress):
        self.engine = engine
        self.settings = engine.settings
        self.storage = engine.storage
        self.sleep = engine._sleep
        self.job = job
        self.spec = job.model
        self.client = client
        self.http = client._async_client  # the client's own httpx client: base URL, token, retry transport
        self._progress = progress
        self._last_progress: tuple[float, str] | None = None
        self.prediction_id: str | None = None
        self._image_ids: dict[str, str | None] = {}  # reference URL -> what names its image

    async def go(self, dest: Path) -> RenderOutcome:
        spec = self.spec
        prediction = await self.reattach() if self.job.prediction_id else None
        if prediction is None:
            inputs = await self.inputs()
            if self.job.earlier_runs_since is not None:
                prediction = await self.adopt(inputs, self.job.earlier_runs_since)
            if prediction is None:
                await self.progress(0.04, f"Waiting for Replicate to take the request for {spec.name}")
                prediction = await self.create(inputs)
        prediction = await self.wait(prediction, self.engine._clock() - _age_s(prediction))
        self.check_terminal(prediction)
        await self.download(prediction, dest)
        metrics = prediction.get("metrics") or {}
        predict_time = metrics.get("predict_time")
        return RenderOutcome(
            provider_job_id=self.prediction_id,
            predict_time_s=float(predict_time) if isinstance(predict_time, int | float) else None,
            actual_cost_usd=spec.cost(self.job.duration_s, self.job.resolution, audio=self.job.audio),
        )

    async def reattach(self) -> dict[str, Any] | None:
        """The prediction an earlier run of this job made, or None when Replicate no longer knows it."""
        self.prediction_id = self.job.prediction_id
        await self.progress(0.05, f"Following the earlier request to {self.spec.name} on Replicate")
        prediction = await self.poll()
        if prediction is None:
            log.warning("prediction %s of job %s is unknown to Replicate; making a new one", self.prediction_id,
                        self.job.job_id)  # fmt: skip
            self.prediction_id = None
            return None
        log.info(
            "job %s re-attached to prediction %s (%s)", self.job.job_id, self.prediction_id, prediction.get("status")
        )
        return prediction

    async def progress(self, fraction: float, message: str) -> None:
        current = (round(fraction, 2), message)
        if current == self._last_progress:
            return
        self._last_progress = current
        try:
            await self._progress(fraction, message)
        except Exception:  # a broken listener must not cost a paid render
            log.exception("progress listener failed")

    # --- create ---------------------------------------------------------------------------------------------

    async def create(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Create the prediction and record its id on the job. A create is retried only when Replicate certainly
        did not make it (no connection, or a 429); after an ambiguous failure it looks for the prediction
        instead of re-posting, because creates have no idempotency key."""
        body: dict[str, Any] = {"input": inputs}
        if hook := webhook_url(self.settings, self.job.job_id):
            body |= {"webhook": hook, "webhook_events_filter": ["completed"]}
        since = datetime.now(UTC) - timedelta(seconds=CLOCK_SKEW_S)
        try:
            async for attempt in retrying(CREATE_ATTEMPTS, base_s=self.settings.replicate_poll_s,
                                          sleep=self.engine._sleep):  # fmt: skip
                with attempt:
                    resp = await _unstoppable(self._send(body))
        except Transient as exc:
            if exc.response is not None:
                raise ProviderFailed(
                    "Replicate is throttling requests right now.", hint="Try again in a minute."
                ) from exc
            raise ProviderUnreachable("Replicate") from exc  # only connections that failed are retried
        except httpx.TransportError as exc:
            found = await self.find_created(inputs, since)
            if found is not None:
                log.info("create for job %s timed out, but prediction %s exists", self.job.job_id, found["id"])
                return found
            raise ProviderFailed(
                f"Replicate did not answer the request for {self.spec.name} in time.",
                hint="It was not sent again, so that nothing is paid twice; try again in a moment.",
            ) from exc
        if resp.status_code not in (200, 201, 202):
            raise self.api_error(resp, during="creating the prediction")
        created = _problem(resp)
        if not created.get("id"):
            raise ProviderFailed("Replicate answered the request without a prediction id.")
        return created

    async def _send(self, body: dict[str, Any]) -> httpx.Response:
        """One create and, when it made a prediction, its id committed on the job before the first poll (never
        paid for twice), as one step a stop waits for (see `_unstoppable`)."""
        resp = await self._post_create(body)
        created = _problem(resp) if resp.status_code in (200, 201, 202) else {}
        if created.get("id"):
            self.prediction_id = str(created["id"])
            log.info("replicate prediction %s created for job %s on %s", created["id"], self.job.job_id,
                     self.spec.slug)  # fmt: skip
            if self.job.record_prediction is not None:
                await self.job.record_prediction(self.prediction_id)
        return resp

    async def _post_create(self, body: dict[str, Any]) -> httpx.Response:
        """One create; Transient only where Replicate certainly made nothing (no connection, or a 429)."""
        path = f"/v1/models/{self.spec.slug}/predictions"
        try:
            resp = await self.http.post(path, json=body, headers={"Cancel-After": self.settings.replicate_cancel_after})
        except _NO_CONNECTION as exc:
            raise Transient(type(exc).__name__) from exc
        if resp.status_code == 429:
            log.info("replicate throttled a create")
            raise transient_status(resp) or Transient("HTTP 429")
        return resp

    # --- wait -----------------------------------------------------------------------------------------------

    async def wait(self, prediction: dict[str, Any], started: float) -> dict[str, Any]:
        """Poll until a terminal status, with backoff and jitter, woken early by a verified webhook; cancel when
        our own deadline passes."""
        spec, clock = self.spec, self.engine._clock
        pid = str(prediction["id"])
        factor = WEBHOOK_POLL_FACTOR if webhook_url(self.settings, self.job.job_id) else 1
        poll = self.settings.replicate_poll_s * factor
        cap = max(poll, min(10.0 * factor, poll * 4))
        interval = poll
        deadline = started + self.settings.replicate_deadline_s
        running_since: float | None = None
        completions = self.engine.completions
        if completions is not None:
            completions.follow(pid)
        try:
            while True:
                status = str(prediction.get("status") or "")
                if status in TERMINAL:
                    return prediction
                now = clock()
                if status == "processing":
                    running_since = running_since or now
                    await self.progress(*self._running(prediction, now - running_since))
                else:
                    await self.progress(PROVIDER_ANSWERED, f"Waiting for {spec.name} to start on Replicate")
                if now >= deadline:
                    await self.cancel()
                    raise ProviderFailed(
                        f"{spec.name} did not finish within {_minutes(self.settings.replicate_deadline_s)}, "
                        "so Clapboard canceled it on Replicate.",
                        hint="Try again later, or pick a faster model.",
                    )
                pause = min(interval * _jitter(), max(deadline - now, 0.0))
                interval = min(interval * 1.5, cap)
                if completions:
                    reported = await completions.wait(pid, pause)
                else:
                    await self.engine._sleep(pause)
                    reported = None
                if reported is not None and reported.get("status"):
                    log.info("webhook reported prediction %s %s", pid, reported["status"])
                    prediction = reported
                    continue
                polled = await self.poll()
                if polled is None:
                    raise ProviderFailed(
                        f"Replicate no longer knows the prediction for {spec.name}.", hint="Try again."
                    )
                prediction = polled or prediction
        finally:
            if completions is not None:
                completions.forget(pid)

    async def poll(self) -> dict[str, Any] | None:
        """The prediction as Replicate has it now (None when it does not know it, {} when unreadable), retried
        over brief failures; after too many, the prediction is canceled and the job fails."""
        try:
            async for attempt in retrying(POLL_FAILURES, base_s=self.settings.replicate_poll_s,
                                          sleep=self.engine._sleep):  # fmt: skip
                with attempt:
                    await self.engine.pacer.turn(self.engine._sleep)
                    resp = await self._get()
        except Transient as exc:
            await self.cancel()
            if exc.response is not None:
                raise self.api_error(exc.response, during="checking on the prediction") from exc
            raise ProviderFailed(
                "Clapboard lost contact with Replicate while the video was being made.",
                hint="Try again in a moment.",
            ) from exc
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise self.api_error(resp, during="checking on the prediction")
        return _problem(resp)

    async def _get(self) -> httpx.Response:
        try:
            resp = await self.http.get(f"/v1/predictions/{self.prediction_id}")
        except httpx.TransportError as exc:
            log.warning("polling prediction %s failed: %s", self.prediction_id, type(exc).__name__)
            raise Transient(type(exc).__name__) from exc
        if failure := transient_status(resp):
            log.warning("polling prediction %s answered %s", self.prediction_id, resp.status_code)
            raise failure
        return resp

    def _running(self, prediction: dict[str, Any], elapsed: float) -> tuple[float, str]:
        logs = str(prediction.get("logs") or "")
        percents = re.findall(r"(\d{1,3})\s*%", logs[-2000:])
        if percents:
            pct = min(100, int(percents[-1]))
            return 0.1 + 0.8 * pct / 100, f"Rendering on {self.spec.name}: {pct}%"
        share = min(1.0, elapsed / max(1, self.spec.typical_wait_s))
        return 0.1 + 0.75 * share, f"Rendering on {self.spec.name}"

    async def cancel(self) -> None:
        """Stop the prediction on Replicate (our deadline passed, or Replicate stopped answering)."""
        if self.prediction_id:
            await _cancel(self.http, self.prediction_id)

    # --- outcome --------------------------------------------------------------------------------------------

    def check_terminal(self, prediction: dict[str, Any]) -> None:
        spec = self.spec
        status = prediction.get("status")
        cap = self.settings.replicate_cancel_after
        if status == "succeeded":
            return
        if status == "failed":
            raise provider_failure(spec, prediction.get("error"))
        if status == "canceled":
            raise ProviderFailed(
                f"{spec.name} was canceled on Replicate before it finished (the {cap} cost cap may have passed).",
                hint="Try again, or pick a faster model.",
            )
        if status == "aborted":
            raise ProviderFailed(
                f"Replicate never started {spec.name}: the request waited past its {cap} cost cap and was "
                "aborted, so nothing was charged.",
                hint="Replicate is busy; try again later.",
            )
        raise ProviderFailed(f"{spec.name} ended on Replicate with an unknown status.")  # pragma: no cover

    def output_url(self, prediction: dict[str, Any]) -> str | None:
        output = prediction.get("output")
        while isinstance(output, list) and output:
            output = output[0]
        if isinstance(output, dict):
            output = output.get("url") or output.get("video")
        if isinstance(output, str) and output.startswith(("http://", "https://")):
            return output
        return None

    def _gone(self) -> ProviderFailed:
        return ProviderFailed(
            f"{self.spec.name} finished, but Replicate had already removed the video before Clapboard could "
            "copy it (Replicate keeps outputs for one hour).",
            hint="Generate it again.",
        )

    def _headers_for(self, url: str) -> dict[str, str]:
        """Send the token only to Replicate's own hosts (or the API host we were pointed at)."""
        host = (urlsplit(url).hostname or "").lower()
        api_host = (self.http.base_url.host or "").lower()
        trusted = host == api_host or any(host == h or host.endswith("." + h) for h in TRUSTED_OUTPUT_HOSTS)
        auth = self.http.headers.get("authorization")
        return {"Authorization": auth} if trusted and auth else {}

    async def download(self, prediction: dict[str, Any], dest: Path) -> None:
        """Stream the output to `dest` chunk by chunk; retried, since the file exists only for an hour."""
        from tools.outputs import download

        if prediction.get("data_removed"):
            raise self._gone()
        url = self.output_url(prediction)
        if url is None:
            raise (
                self._gone()
                if prediction.get("output") is None
                else ProviderFailed(f"{self.spec.name} finished without a video file on Replicate.", hint="Try again.")
            )
        await self.progress(0.92, "Copying the video from Replicate")
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            async for attempt in retrying(DOWNLOAD_ATTEMPTS, base_s=self.settings.replicate_poll_s,
                                          sleep=self.engine._sleep):  # fmt: skip
                with attempt:
                    await self._download_once(download(url, headers=self._headers_for(url)), dest)
        except Transient as exc:
            if await self._removed() or any(code in str(exc) for code in ("404", "410")):
                raise self._gone() from exc
            raise ProviderFailed(
                f"{self.spec.name} finished, but the video could not be copied from Replicate.",
                hint="Generate it again.",
            ) from exc
        await self.progress(0.98, "Video copied from Replicate")

    async def _download_once(self, chunks: Any, dest: Path) -> None:
        """One download into `dest` (through a .part file); a broken one is Transient unless the output is gone."""
        part = dest.with_name(dest.name + ".part")
        try:
            size = 0
            with part.open("wb") as out:
                async for chunk in chunks:
                    await asyncio.to_thread(out.write, chunk)
                    size += len(chunk)
            if size == 0:
                raise StorageFailed("Replicate sent an empty video file.")
            os.replace(part, dest)
        except StorageFailed as exc:
            log.warning("downloading output of %s failed: %s", self.prediction_id, exc)
            if await self._removed():
                raise self._gone() from exc
            raise Transient(str(exc)) from exc
        finally:
            part.unlink(missing_ok=True)

    async def _removed(self) -> bool:
        """Whether Replicate says the output is gone (data_removed, or an output of null)."""
        try:
            resp = await self.http.get(f"/v1/predictions/{self.prediction_id}")
        except httpx.TransportError:
            return False
        body = _problem(resp) if resp.status_code == 200 else {}
        return bool(body.get("data_removed")) or (bool(body) and body.get("output") is None)
