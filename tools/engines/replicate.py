"""The Replicate engine: hosted video models through the `replicate` client, nothing lost, no surprises.

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

The flow: fit first/last frames to the output size (`tools.references.fit`), give Replicate a URL for each
reference (the storage's own URL on S3, else an upload to `POST /v1/files`), create the prediction on the
models endpoint with `Cancel-After`, poll with backoff and jitter until a terminal status or our own deadline
(then cancel), and the moment it succeeds stream the output to `dest`, chunk by chunk, before Replicate's
one-hour retention can remove it.

Errors tell the job pipeline what to do next: `ModelUnavailable` (model delisted, token or credit problem) and
`ProviderFailed(user_input=False)` (failed, canceled, aborted, 5xx, deadline, output lost) move the job to the
model's fallback; `InvalidRequest` (a 422, with what is allowed) and `ProviderFailed(user_input=True)` (a
content refusal) do not, because another model would refuse the same request.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import random
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import replicate
from replicate.exceptions import ReplicateError

from campaign.errors import (
    ClapboardError,
    InvalidRequest,
    ModelUnavailable,
    ProviderFailed,
    ProviderUnreachable,
    StorageFailed,
)
from campaign.settings import Settings
from campaign.storage import BlobStorage, read_all
from tools.catalog import ModelSpec
from tools.engines.base import PROVIDER_ANSWERED, Progress, Reference, RenderJob, RenderOutcome
from tools.engines.replicate_hooks import WEBHOOK_PATH, Completions, Pacer, webhook_url
from tools.retry import Transient, retrying, transient_status
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
REFUSAL = re.compile(
    r"flagged|sensitive|safety|content polic|moderat|nsfw|\bE005\b|not allowed|prohibited|violat|refus"
    r"|blocked",
    re.IGNORECASE,
)
# What a provider's failure text means, for a user: (pattern, what happened, what to do).
_PROVIDER_FAULTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"cuda|gpu|out of memory|\boom\b|illegal memory|device-side|nccl", re.I),
        "the machine running it on Replicate had a hardware (GPU) error",
        "That was not caused by your brief: try again in a moment, or pick another model.",
    ),
    (
        re.compile(r"time(d)?\s*out|timeout|deadline|took too long", re.I),
        "it ran out of time on Replicate's side",
        "Try again in a moment, or make the video shorter.",
    ),
    (
        re.compile(r"rate.?limit|too many requests|capacity|overloaded|busy|unavailable", re.I),
        "Replicate had no capacity for it just then",
        "Try again in a few minutes, or pick another model.",
    ),
)
_TOKEN_LIKE = re.compile(r"\br8_[A-Za-z0-9]{6,}\b|\bBearer\s+\S+", re.IGNORECASE)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


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


def clean_provider_text(text: Any, limit: int = 240) -> str:
    """A provider's error as safe to show: last meaningful line, no traceback, no token, bounded length."""
    lines = [ln.strip() for ln in str(text or "").splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Traceback", 'File "', "File '"))]
    line = lines[-1] if lines else ""
    line = _TOKEN_LIKE.sub("[redacted]", line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def provider_failure(spec: ModelSpec, error: Any) -> ProviderFailed:
    """A failed prediction as a user reads it: what happened and what to do, never the provider's own text (a
    stack trace, a CUDA message); that is logged."""
    raw = clean_provider_text(error)
    log.warning("%s failed on Replicate: %s", spec.slug, raw or "no reason given")
    if REFUSAL.search(raw):
        return ProviderFailed(
            f"{spec.name} refused to make this video: its safety filter flagged the brief or an image.",
            hint="Rephrase the brief and check the reference images; another model would likely refuse it too.",
            user_input=True,
        )
    for pattern, happened, todo in _PROVIDER_FAULTS:
        if pattern.search(raw):
            return ProviderFailed(f"{spec.name} failed on Replicate: {happened}.", hint=todo)
    return ProviderFailed(
        f"{spec.name} failed on Replicate without saying why.", hint="Try again in a moment, or pick another model."
    )


def _problem(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _allowed_in(description: str) -> list[str]:
    """The values a validation message lists: "... must be one of the following: 4, 6, 8" -> ["4","6","8"]."""
    m = re.search(r"(?:one of(?: the following)?|allowed values?(?: are)?)\s*:?\s*(.+)$", description, re.I)
    if not m:
        return []
    return [v.strip(" '\"[]().") for v in re.split(r",\s*|\s+or\s+", m.group(1)) if v.strip(" '\"[]().")]


def invalid_request_from_422(
    spec: ModelSpec, problem: dict[str, Any], *, duration_s: int, aspect: str, resolution: str
) -> InvalidRequest:
    """Replicate's 422 as the same kind of message a pre-check gives, in our words: what was refused, what is
    allowed, and the nearest valid request (the provider's own text is logged, not shown)."""
    fields = [f for f in problem.get("invalid_fields") or [] if isinstance(f, dict)]
    kind_of = {name: kind for kind, name in spec.inputs.model_dump().items() if name}
    reverse = {kind: {str(v): k for k, v in mapping.items()} for kind, mapping in spec.values.items()}
    asked = {"duration": f"{duration_s} s", "aspect": aspect, "resolution": resolution}
    said: list[str] = []
    hints: list[str] = []
    log.warning("replicate refused the input of %s: %s", spec.slug, clean_provider_text(fields or problem))
    for f in fields:
        name = str(f.get("field", "")).removeprefix("input.")
        kind = kind_of.get(name)
        allowed = _allowed_in(clean_provider_text(f.get("description")))
        if kind in asked:
            said.append(f"it no longer makes {asked[kind]} videos")
        else:
            said.append(f"it did not accept its {name.replace('_', ' ') or 'input'} setting")
        if kind == "duration":
            values = sorted({int(v) for v in allowed if re.fullmatch(r"-?\d+", v)} or set(spec.durations))
            below = [d for d in values if d < duration_s]
            above = [d for d in values if d > duration_s]
            near = ([max(below)] if below else []) + ([min(above)] if above else [])
            if near:
                hints.append(f"Try {' or '.join(f'{d} s' for d in near)}.")
        elif kind in ("aspect", "resolution") and allowed:
            ours = [reverse.get(kind, {}).get(v, v) for v in allowed]
            hints.append(f"It takes {', '.join(ours)}.")
    if not said:
        said.append("it did not accept the request")
    return InvalidRequest(
        f"{spec.name} on Replicate refused the request: {'; '.join(said)}.",
        hint=" ".join([*hints, "Its options changed since Clapboard last checked; an administrator can refresh them."]),
    )


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


class _Run:
    """One render: its prediction, its progress and its deadline."""

    def __init__(self, engine: ReplicateEngine, job: RenderJob, client: replicate.Client, progress: Progress):
        self.engine = engine
        self.settings = engine.settings
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

    async def adopt(self, inputs: dict[str, Any], since: datetime) -> dict[str, Any] | None:
        """The prediction an earlier run of this job made for these inputs but was cut off before recording
        (between Replicate's answer and the commit), now recorded on this job; None when there is none or it
        cannot be told apart from another job's (see `find_created`)."""
        found = await self.find_created(inputs, since - timedelta(seconds=CLOCK_SKEW_S))
        if found is not None:
            log.warning("job %s re-attached to prediction %s, which an earlier run made but never recorded (%s)",
                        self.job.job_id, self.prediction_id, found.get("status"))  # fmt: skip
            await self.progress(0.05, f"Following the earlier request to {self.spec.name} on Replicate")
        return found

    async def progress(self, fraction: float, message: str) -> None:
        current = (round(fraction, 2), message)
        if current == self._last_progress:
            return
        self._last_progress = current
        try:
            await self._progress(fraction, message)
        except Exception:  # a broken listener must not cost a paid render
            log.exception("progress listener failed")

    # --- inputs ---------------------------------------------------------------------------------------------

    async def inputs(self) -> dict[str, Any]:
        """The model's input: our values under its field names, references as URLs it can read."""
        job, spec = self.job, self.spec
        names = spec.inputs
        roles = spec.reference_roles(len(job.references), aspect=job.aspect, duration_s=job.duration_s)
        data: dict[str, Any] = dict(spec.fixed_input)
        prompt = job.prompt or job.brief
        if names.duration:
            data[names.duration] = int(job.duration_s)
        if names.aspect:
            data[names.aspect] = spec.model_value("aspect", job.aspect)
        if names.resolution:
            data[names.resolution] = spec.model_value("resolution", job.resolution)
        if names.audio:
            data[names.audio] = bool(spec.effective_audio(job.audio))
        subjects: list[str] = []
        if job.references:
            await self.progress(0.01, "Preparing the reference images for Replicate")
        for ref, role in zip(job.references, roles, strict=True):
            if role in ("first_frame", "last_frame") and spec.refs.first_frame_fit:
                ref = await self.fit(ref)
            url = await self.reference_url(ref)
            if role == "first_frame" and names.first_frame:
                data[names.first_frame] = url
            elif role == "last_frame" and names.last_frame:
                data[names.last_frame] = url
            else:
                subjects.append(url)
        if subjects and names.subject:
            data[names.subject] = subjects
            token = spec.refs.subject_token
            if token:
                tags = [token.format(n=i + 1) for i in range(len(subjects))]
                if not any(t in prompt for t in tags):
                    prompt = f"{prompt.rstrip()}\nReference images: {', '.join(tags)}."
        data[names.prompt] = prompt
        return data

    async def fit(self, ref: Reference) -> Reference:
        from tools.references import fit

        try:
            return await fit(self.engine.storage, ref, self.job.width, self.job.height, self.settings.reference_fit)
        except ClapboardError:
            raise
        except (OSError, ValueError) as exc:
            raise StorageFailed(
                "A reference image could not be fitted to the video's frame.", hint="Try another image."
            ) from exc

    async def reference_url(self, ref: Reference) -> str:
        """A URL Replicate can read: the storage's own on S3, else an upload to Replicate's files API."""
        storage = self.engine.storage
        if storage.local_path(ref.key) is None:
            cap = parse_duration_s(self.settings.replicate_cancel_after) or 1800.0
            return storage.url(ref.key, expires_s=int(max(self.settings.url_expiry_s, cap + 900)))
        data = await read_all(storage, ref.key)
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(ref.content_type, "bin")
        name = f"reference-{os.path.basename(ref.key).rsplit('.', 1)[0][:40]}.{ext}"
        try:
            async for attempt in retrying(UPLOAD_ATTEMPTS, base_s=0.5, sleep=self.engine._sleep):
                with attempt:
                    uploaded = await self._upload(data, name, ref.content_type)
        except Transient as exc:
            if exc.response is not None:
                raise self.api_error(exc.response, during="uploading a reference image") from exc
            if isinstance(exc.__cause__, _NO_CONNECTION):
                raise ProviderUnreachable("Replicate") from exc
            raise ProviderFailed(
                "A reference image could not be uploaded to Replicate.", hint="Try again in a moment."
            ) from exc
        url = (uploaded.urls or {}).get("get")
        if not url:
            raise ProviderFailed("Replicate accepted a reference image but gave no URL for it.")
        return url

    async def _upload(self, data: bytes, name: str, content_type: str) -> Any:
        """One upload through the client's files API; 429, 5xx and network errors are Transient."""
        try:
            return await self.client.files.async_create(
                io.BytesIO(data), filename=name, content_type=content_type, metadata={"clapboard_job": self.job.job_id}
            )
        except httpx.TransportError as exc:
            raise Transient(type(exc).__name__) from exc
        except ReplicateError as exc:
            status = exc.status or 500
            if status == 429 or status >= 500:
                raise Transient(f"HTTP {status}") from exc
            if status == 413:
                raise InvalidRequest(
                    "A reference image is too large for Replicate (100 MB at most).", hint="Use a smaller image."
                ) from exc
            raise self.error_for(status, {"detail": exc.detail, "title": exc.title},
                                 during="uploading a reference image") from exc  # fmt: skip

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

    async def find_created(self, inputs: dict[str, Any], since: datetime) -> dict[str, Any] | None:
        """A prediction this job made after `since`, of this model with these inputs, that no other job holds,
        now recorded on this job; None when there is none. Creates have no idempotency key: a create whose
        answer was lost, or whose id a killed runner never recorded, is found this way instead of made again.

        Only a prediction provably this job's is taken. Another job with the same prompt may have one in flight
        with the same input, not yet recorded; taking that one would give two jobs one video. With webhooks, the
        webhook a prediction was made with names its job (Replicate echoes it; nothing else a create sends
        could). Without (no public URL), the input proves it only when no other job asked for the same prompt;
        otherwise none is looked for, and a new one is made."""
        hooked = webhook_url(self.settings, self.job.job_id) is not None
        if not hooked and self.job.prompt_shared:
            return None
        for item in await self._listed(since):
            pid = str(item.get("id") or "")
            if (
                pid
                and (self._made_by_this_job(item) if hooked else True)
                and item.get("model") == self.spec.slug
                and await self._same_input(item.get("input"), inputs)
                and await self._claim(pid)
            ):
                self.prediction_id = pid
                return item
        return None

    def _made_by_this_job(self, prediction: dict[str, Any]) -> bool:
        """Whether a prediction's webhook is this job's: our webhook path, with this job's id as its `job`."""
        hook = prediction.get("webhook")
        if not isinstance(hook, str):
            return False
        parts = urlsplit(hook)
        return parts.path.endswith(WEBHOOK_PATH) and parse_qs(parts.query).get("job") == [self.job.job_id]

    async def _listed(self, since: datetime) -> list[dict[str, Any]]:
        """The account's predictions created after `since`, newest first, following Replicate's pages."""
        url, params = "/v1/predictions", {"created_after": since.astimezone(UTC).isoformat().replace("+00:00", "Z")}
        found: list[dict[str, Any]] = []
        for _ in range(LIST_PAGES):
            try:
                resp = await self.http.get(url, params=params)
            except httpx.TransportError:
                break
            if resp.status_code != 200:
                break
            page = _problem(resp)
            found += [item for item in page.get("results") or [] if isinstance(item, dict)]
            url, params = page.get("next"), None
            if not isinstance(url, str) or urlsplit(url).hostname != self.http.base_url.host:
                break  # the last page (and the token goes to the API host only)
        return found

    async def _same_input(self, theirs: Any, ours: dict[str, Any]) -> bool:
        """Whether a listed prediction's input is ours: the same values, and the same reference images even
        where each run gave Replicate its own URL for them (a new upload, a new signature)."""
        if not isinstance(theirs, dict) or theirs.keys() != ours.keys():
            return False
        urls: list[tuple[str, str]] = []
        for key, value in ours.items():
            if theirs[key] == value:
                continue
            mine, its = (v if isinstance(v, list) else [v] for v in (value, theirs[key]))
            if len(mine) != len(its) or not all(_is_url(u) for u in mine + its):
                return False
            urls += zip(mine, its, strict=True)
        for a, b in urls:
            image = await self._image_id(a)
            if image is None or image != await self._image_id(b):
                return False
        return True

    async def _image_id(self, url: str) -> str | None:
        """What names the image at a reference URL, whatever URL it was given under: a file uploaded to
        Replicate, its checksum; one in our storage, its URL without the query (our keys are content hashes)."""
        if url in self._image_ids:
            return self._image_ids[url]
        parts = urlsplit(url)
        uploaded = re.fullmatch(r"/v1/files/([^/]+)(/download)?", parts.path)
        image: str | None = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if uploaded and parts.hostname == self.http.base_url.host:
            try:
                resp = await self.http.get(f"/v1/files/{uploaded.group(1)}")
            except httpx.TransportError:
                return None
            sha = (_problem(resp).get("checksums") or {}).get("sha256") if resp.status_code == 200 else None
            image = f"sha256:{sha}" if sha else None
        self._image_ids[url] = image
        return image

    async def _claim(self, prediction_id: str) -> bool:
        """Record a prediction found by its input on this job; False when another job holds it."""
        if self.job.adopt_prediction is not None:
            return await self.job.adopt_prediction(prediction_id)
        if self.job.record_prediction is not None:
            await self.job.record_prediction(prediction_id)
        return True

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
                reported = await completions.wait(pid, pause) if completions else await self.engine._sleep(pause)
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

    # --- errors ---------------------------------------------------------------------------------------------

    def api_error(self, resp: httpx.Response, *, during: str) -> ClapboardError:
        """An HTTP error from Replicate as a typed error a user can act on."""
        return self.error_for(resp.status_code, _problem(resp), during=during)

    def error_for(self, code: int, problem: dict[str, Any], *, during: str) -> ClapboardError:
        """Replicate's answer `code` with its problem body as a typed error a user can act on."""
        spec = self.spec
        detail = clean_provider_text(problem.get("detail") or problem.get("title") or "")
        log.warning("replicate answered %s while %s for %s: %s", code, during, spec.slug, detail)
        if code == 422:
            return invalid_request_from_422(
                spec,
                problem,
                duration_s=self.job.duration_s,
                aspect=self.job.aspect,
                resolution=self.job.resolution,
            )
        if code in (401, 403):
            return ModelUnavailable(
                "Replicate did not accept Clapboard's access to the account.",
                hint="Ask your administrator to check the Replicate token and that the account may run this model.",
            )
        if code == 402:
            return ModelUnavailable(
                "The Replicate account has run out of credit.",
                hint="Add credit on replicate.com, then try again.",
            )
        if code == 404:
            return ModelUnavailable(
                f"{spec.name} is no longer offered on Replicate ({spec.slug} was not found).",
                hint="`clapboard models --refresh` updates the list of models.",
            )
        if code == 429:
            return ProviderFailed("Replicate is throttling requests right now.", hint="Try again in a minute.")
        if code >= 500:
            return ProviderFailed(
                f"Replicate had a server error ({code}) while {during}.", hint="Try again in a moment."
            )
        return ProviderFailed(
            f"Replicate refused the request for {spec.name} (error {code}).", hint="Try again, or pick another model."
        )
