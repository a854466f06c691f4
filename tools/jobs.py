"""The generation pipeline: validate, refine, prepare references, submit, render, store, record, notify."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from campaign.errors import ClapboardError, InvalidRequest, ModelUnavailable, ProviderFailed
from campaign.models import Creative, Job, new_id
from campaign.settings import Settings
from campaign.storage import BlobStorage
from campaign.store import Store
from tools.catalog import Catalog, ModelSpec, Resolved
from tools.engines.base import Engine, Reference, RenderJob, RenderOutcome
from tools.events import JobEvent, JobListener
from tools.outputs import store_output
from tools.references import ReferenceIntake
from tools.refine import MAX_PROMPT_CHARS, refine
from tools.templates import extract_fields, get_template

log = logging.getLogger(__name__)

EngineFactory = Callable[[ModelSpec], Engine]


class JobStatus(StrEnum):
    awaiting_confirmation = "awaiting_confirmation"
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"


ACTIVE = (JobStatus.queued, JobStatus.running)
TITLE_CHARS = 120


class VideoRequest(BaseModel):
    """What a user asks for. Unset fields take the model's defaults."""

    prompt: str = Field(description="The brief: what the video shows and says.")
    model: str | None = Field(default=None, description="Model id or alias; the default model when unset.")
    duration_s: int | None = Field(default=None, description="Length in seconds.")
    aspect: str | None = Field(default=None, description="16:9, 9:16, 1:1 or 4:5.")
    resolution: str | None = Field(default=None, description="720p or 1080p (model-dependent).")
    fps: int | None = None
    template: str | None = Field(
        default=None,
        description="brand-animation, product-showcase or social-media; plain prompt when unset.",
    )
    references: list[str] = Field(
        default_factory=list, description="Reference images: stored keys (refs/...) or http(s) URLs."
    )
    audio: bool | None = None
    refine: bool | None = Field(
        default=None, description="Rewrite the brief for the model; default on for paid models."
    )
    campaign: str | None = None
    title: str | None = Field(default=None, max_length=200)
    fields: dict[str, str] = Field(default_factory=dict, description="headline, tagline, features, price, cta")

    @field_validator("prompt")
    @classmethod
    def _prompt_given(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Describe the video: the prompt is empty.")
        if len(value) > MAX_PROMPT_CHARS:
            raise ValueError(f"The prompt is too long: keep it under {MAX_PROMPT_CHARS} characters.")
        return value


class Submitted(BaseModel):
    """A job as the submitter sees it right after submission."""

    job_id: str
    status: JobStatus
    campaign: str
    model: str
    model_name: str
    duration_s: int
    aspect: str
    width: int
    height: int
    estimated_cost_usd: float
    prompt: str
    prompt_sent: str
    refine_method: str | None = None
    notice: str = ""

    @property
    def needs_confirmation(self) -> bool:
        return self.status == JobStatus.awaiting_confirmation


class JobRunner:
    """Runs jobs in the background with bounded concurrency and reports what happens to listeners."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        storage: BlobStorage,
        catalog: Catalog,
        engines: EngineFactory,
        intake: ReferenceIntake,
    ) -> None:
        self.settings = settings
        self.store = store
        self.storage = storage
        self.catalog = catalog
        self.engines = engines
        self.intake = intake
        self._listeners: list[JobListener] = []
        self._slots = asyncio.Semaphore(settings.max_concurrent_jobs)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._done: dict[str, asyncio.Event] = {}
        self._closing = False

    def subscribe(self, listener: JobListener) -> None:
        self._listeners.append(listener)

    async def _emit(self, event: JobEvent) -> None:
        for listener in list(self._listeners):
            try:
                await listener(event)
            except Exception:  # a broken chat must not break the job
                log.exception("job listener failed on %s", event.kind)

    # submission

    async def submit(
        self, request: VideoRequest, *, origin: str = "", confirmed: bool = False, allow_paths: bool = False
    ) -> Submitted:
        """Check, store references, refine, estimate and persist; start at once unless a price needs confirming.

        Raises InvalidRequest / ReferenceRejected / ModelUnavailable before any campaign or job is written
        (checked references are stored content-addressed, so a retry reuses them).
        """
        template = get_template(request.template)
        resolved = self.catalog.resolve(
            request.model,
            duration_s=request.duration_s,
            aspect=request.aspect,
            resolution=request.resolution,
            fps=request.fps,
            references=len(request.references),
            audio=request.audio,
            fallback=True,
        )
        references = [await self._reference(src, allow_paths) for src in request.references]
        prompt_sent, method, notes = request.prompt, None, list(resolved.notices)
        if request.refine if request.refine is not None else resolved.model.paid:
            refined = await refine(
                request.prompt,
                settings=self.settings,
                template=template.name,
                aspect=resolved.aspect,
                duration_s=resolved.duration_s,
                model=resolved.model.name,
            )
            prompt_sent, method = refined.prompt, refined.method
            notes.append(refined.note)
        note = " ".join(n for n in notes if n)
        estimate = resolved.estimated_cost_usd
        fields = {**extract_fields(request.prompt, template), **request.fields}
        status = JobStatus.awaiting_confirmation if estimate > 0 and not confirmed else JobStatus.queued
        campaign = await self.store.campaign(request.campaign, create=True)
        job = await self.store.add_job(
            campaign_id=campaign.id,
            status=status,
            model=resolved.model.id,
            estimated_cost_usd=estimate,
            origin=origin[:80],
            notice=note or None,
            request={
                "prompt": request.prompt,
                "prompt_sent": prompt_sent,
                "model": resolved.model.id,
                "duration_s": resolved.duration_s,
                "aspect": resolved.aspect,
                "resolution": resolved.resolution,
                "fps": resolved.fps,
                "template": template.name,
                "fields": fields,
                "references": [r.__dict__ for r in references],
                "audio": resolved.audio,
                "title": request.title or _title(fields, request.prompt),
            },
        )
        if status == JobStatus.queued:
            self._start(job.id)
            await self._emit(self._event(job, "queued", f"Queued on {resolved.model.name}."))
        return Submitted(
            job_id=job.id,
            status=status,
            campaign=campaign.name,
            model=resolved.model.id,
            model_name=resolved.model.name,
            duration_s=resolved.duration_s,
            aspect=resolved.aspect,
            width=resolved.width,
            height=resolved.height,
            estimated_cost_usd=estimate,
            prompt=request.prompt,
            prompt_sent=prompt_sent,
            refine_method=method,
            notice=note,
        )

    async def _reference(self, source: str, allow_paths: bool) -> Reference:
        if source.startswith("refs/"):
            return await self.intake.stored(source)
        if not allow_paths and not source.lower().startswith(("http://", "https://")):
            raise InvalidRequest("A reference must be an attached image or an http(s) image URL.")
        return await self.intake.take(source)

    async def confirm(self, job_id: str) -> Job:
        """Start a job that was waiting for its price to be confirmed; a second confirmation changes nothing."""
        if await self.store.transition(job_id, [JobStatus.awaiting_confirmation], JobStatus.queued):
            job = await self.store.job(job_id)
            self._start(job_id)
            await self._emit(self._event(job, "queued", "Confirmed; queued."))
        return await self.store.job(job_id)

    async def cancel(self, job_id: str) -> Job:
        """Cancel a job that has not finished; a running render is stopped (and its prediction canceled)."""
        if await self.store.transition(
            job_id, [JobStatus.awaiting_confirmation, *ACTIVE], JobStatus.canceled, error="Canceled."
        ) and (task := self._tasks.get(job_id)):
            task.cancel()
        return await self.store.job(job_id)

    async def wait(self, job_id: str) -> Job:
        """Wait until a job has finished and return it."""
        done = self._done.get(job_id)
        if done:
            await done.wait()
        return await self.store.job(job_id)

    async def recover(self) -> None:
        """After a restart: requeue jobs that were queued, and fail those cut off mid-render."""
        for job in await self.store.jobs(statuses=[JobStatus.running], limit=1000):
            await self.store.update_job(
                job.id,
                status=JobStatus.failed,
                stage="render",
                error="The server restarted while this video was rendering. Please generate it again.",
            )
        for job in await self.store.jobs(statuses=[JobStatus.queued], limit=1000):
            self._start(job.id)

    async def shutdown(self) -> None:
        """Stop every running job (their predictions are canceled); they are marked failed, to be run again."""
        self._closing = True
        for task in list(self._tasks.values()):
            task.cancel()
        await self.drain()

    async def drain(self) -> None:
        """Wait for every running job (used at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    # running

    def _start(self, job_id: str) -> None:
        if job_id in self._tasks:
            return
        self._done[job_id] = asyncio.Event()
        # A clean context: the job must not carry the submitting request's context (a chat step, a session).
        task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}", context=contextvars.Context())
        self._tasks[job_id] = task

        def finished(_: asyncio.Task[None]) -> None:
            self._tasks.pop(job_id, None)
            self._done.pop(job_id).set()

        task.add_done_callback(finished)

    async def _run(self, job_id: str) -> None:
        async with self._slots:
            if not await self.store.transition(job_id, [JobStatus.queued], JobStatus.running):
                return  # canceled while it waited, or started elsewhere
            job = await self.store.job(job_id)
            workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=f"job-{job_id}-", dir=self._tmp_root()))
            try:
                await self._emit(self._event(job, "running", "Rendering started."))
                await self._produce(job, workdir)
            except asyncio.CancelledError:
                if self._closing:
                    await self._fail(
                        job, "render", "The server stopped while this video was rendering. Please try again."
                    )
                else:
                    await self.store.transition(job_id, [JobStatus.running], JobStatus.canceled, error="Canceled.")
                raise
            except ClapboardError as exc:
                await self._fail(job, exc.stage, str(exc))
            except Exception:
                log.exception("job %s failed unexpectedly", job_id)
                await self._fail(job, "render", "Something went wrong while making the video. Please try again.")
            finally:
                await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)

    def _tmp_root(self) -> Path:
        root = self.settings.data_dir / "tmp"
        root.mkdir(parents=True, exist_ok=True)
        return root

    async def _produce(self, job: Job, workdir: Path) -> None:
        req = job.request
        creative_id = new_id()
        resolved, outcome, dest, notice = await self._render_with_fallback(job, workdir)
        stored = await store_output(self.storage, f"creatives/{creative_id}", dest, workdir)
        info = stored.info
        creative = Creative(
            id=creative_id,
            campaign_id=job.campaign_id,
            job_id=job.id,
            title=req["title"],
            prompt=req["prompt"],
            prompt_sent=req["prompt_sent"],
            model=resolved.model.id,
            template=req["template"],
            duration_s=info.duration_s,
            aspect=resolved.aspect,
            width=info.width,
            height=info.height,
            fps=info.fps,
            bytes=info.bytes,
            file_key=stored.file_key,
            poster_key=stored.poster_key,
            reference_keys=[r["key"] for r in req["references"]],
            estimated_cost_usd=job.estimated_cost_usd,
            actual_cost_usd=outcome.actual_cost_usd if outcome.actual_cost_usd is not None else 0.0,
            provider_job_id=outcome.provider_job_id,
            predict_time_s=outcome.predict_time_s,
            notice=notice or job.notice,
        )
        try:
            await self.store.add_creative(creative)
        except Exception:
            await self.storage.delete(stored.file_key)
            await self.storage.delete(stored.poster_key)
            raise
        await self.store.update_job(
            job.id,
            status=JobStatus.succeeded,
            progress=1.0,
            model_used=resolved.model.id,
            creative_id=creative_id,
            notice=creative.notice,
        )
        made_by = f"Made with {resolved.model.name}."
        await self._emit(self._event(job, "creative_ready", f"{made_by} {notice}".strip(), creative_id=creative_id))

    async def _render_with_fallback(self, job: Job, workdir: Path) -> tuple[Resolved, RenderOutcome, Path, str]:
        """Render on the chosen model; when it is down or fails on its side, move along its fallback chain."""
        notices: list[str] = []
        last_error: ClapboardError | None = None
        for spec in self.catalog.chain(job.request["model"]):
            resolved, skipped = self._fit(job, spec)
            if resolved is None:
                notices.append(skipped)
                continue
            dest = workdir / f"{spec.id}.mp4"
            try:
                outcome = await self.engines(spec).render(self._render_job(job, resolved), dest, self._progress(job))
                return resolved, outcome, dest, " ".join([*notices, *resolved.notices])
            except (ModelUnavailable, ProviderFailed) as exc:
                if isinstance(exc, ProviderFailed) and exc.user_input:
                    raise
                last_error = exc
                log.warning("job %s: %s failed (%s); trying its fallback", job.id, spec.id, exc)
                notices.append(f"{spec.name} could not make it ({exc.message}).")
        raise last_error or ModelUnavailable("No model could make this video.", hint="Try again later.")

    def _fit(self, job: Job, spec: ModelSpec) -> tuple[Resolved | None, str]:
        """The stored request moved to the nearest values `spec` offers, or why `spec` is skipped."""
        if not spec.available:
            return None, f"{spec.name} is unavailable ({spec.notice or 'down'})."
        req = job.request
        try:
            resolved = self.catalog.adapt(
                spec.id,
                duration_s=req["duration_s"],
                aspect=req["aspect"],
                resolution=req["resolution"],
                fps=req["fps"],
                references=len(req["references"]),
                audio=req["audio"],
            )
        except InvalidRequest as exc:
            return None, f"{spec.name} skipped: {exc.message}"
        if resolved.estimated_cost_usd > job.estimated_cost_usd:  # never spend more than the user agreed to
            return None, f"{spec.name} skipped: it costs more than the ${job.estimated_cost_usd:.2f} you approved."
        return resolved, ""

    def _render_job(self, job: Job, resolved: Resolved) -> RenderJob:
        req = job.request
        return RenderJob.of(
            job.id,
            resolved,
            brief=req["prompt"],
            prompt=req["prompt_sent"],
            template=req["template"],
            fields=req["fields"],
            references=[Reference(**r) for r in req["references"]],
        )

    def _progress(self, job: Job) -> Callable[[float, str], Any]:
        last = [0.0]

        async def report(fraction: float, note: str) -> None:
            now = time.monotonic()
            if now - last[0] < 1.0 and fraction < 1.0:
                return
            last[0] = now
            await self.store.update_job(job.id, progress=round(fraction, 3))
            await self._emit(self._event(job, "progress", note, fraction=fraction))

        return report

    async def _fail(self, job: Job, stage: str, message: str) -> None:
        try:
            await self.store.update_job(job.id, status=JobStatus.failed, stage=stage, error=message)
        except Exception:  # the database is down too: the restart recovery marks the job failed
            log.exception("could not record the failure of job %s", job.id)
        await self._emit(self._event(job, "failed", message, stage=stage))

    @staticmethod
    def _event(job: Job, kind: str, message: str, **extra: Any) -> JobEvent:
        return JobEvent(
            kind=kind, job_id=job.id, campaign_id=job.campaign_id, model=job.model, message=message, **extra
        )


def _title(fields: dict[str, str], prompt: str) -> str:
    if fields.get("headline"):
        return fields["headline"][:TITLE_CHARS]
    brief = re.sub(
        r"^(?:please\s+)?(?:make|create|generate|render|produce|draft)\s+(?:me\s+|us\s+)?(?:an?\s+)?",
        "",
        prompt,
        flags=re.I,
    )
    words = (brief[:1].upper() + brief[1:]).split()
    title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
