"""The job body: runs one job by id, whoever calls it (the in-process backend today, a worker tomorrow).

Claim the queued job (only its holder may), render along the model's fallback chain, store the video, write
the creative once, mark the job succeeded, and only then publish "ready". Money asks before it moves: when the
approved model fails, a paid model further along its chain starts only when the job says so (`auto_fallback`)
and it costs no more than was approved; otherwise the job goes back to waiting for a confirmation, now of that
model and its price ("offered"). The free draft at the chain's end goes ahead, saying plainly what it is.

A provider's prediction id is committed on the job before its first poll, so whoever runs the job next follows
that prediction instead of paying for another; a stop that comes while the provider is still answering the
create waits for the id, so the prediction is canceled rather than left running. One whose runner was killed
before committing it is found and adopted when it provably is this job's (its webhook names the job, or no
other job asked for the same prompt; never one another job holds); a draft cut off mid-render is simply
rendered again. A premium voice-over is one prediction too, committed the same way, and its audio is kept under
the job the moment it is spoken (Replicate removes it after about an hour), so a later run of the job (a fallback
offer confirmed, a restart) uses it instead of paying for it again. Every write after the claim is conditional on
still holding the job: a runner that lost it (canceled, or taken over after its lease ran out) stops instead of
racing the new holder.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import exists, or_, select, text, update

from campaign.errors import (
    ClapboardError,
    FinishingFailed,
    InvalidRequest,
    ModelUnavailable,
    NotFound,
    ProviderFailed,
    ProviderUnreachable,
    VoiceFailed,
    out_of_space,
)
from campaign.models import Creative, Job, JobKind, JobStatus, new_id
from campaign.settings import Settings
from campaign.storage import BlobStorage
from campaign.store import Store
from tools.catalog import Catalog, ModelSpec, Resolved, usd_text
from tools.engines.base import EngineFactory, Progress, RenderJob, RenderOutcome, scaled
from tools.finish.compose import Finished, finish, finish_footage
from tools.finish.formats import finish_format
from tools.finish.reframe import output_size
from tools.jobs.events import EventBus, JobEvent, LostJob, announcement, event
from tools.jobs.exporting import run_export
from tools.jobs.notices import join_notices
from tools.jobs.soundfiles import SoundKeys, job_voice_key, keep_job_voice, kept_job_voice, store_sound, stored_speech
from tools.jobs.spec import JobSpec
from tools.jobs.voiceover import voice_cost_of, voice_of
from tools.media import probe
from tools.outputs import store_footage, store_output
from tools.refine import fit_format
from tools.sound.offline import speak_offline
from tools.sound.speech import CreativeSound, Speech, VoiceScript
from tools.sound.voices import Voice
from tools.views import CreativeView

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0
FOOTAGE_SHARE = 0.9  # of a paid job's progress: the model's footage; the rest is finishing the ad over it
FINISHING_NOTE = "Drawing the words over the footage"
VOICE_HINT = "No video was made, so nothing was charged for one. Try again, or ask for it without a voice-over."
FINISHING_HINT = (
    "The model's video was made and paid for once; nothing more was charged. Tell whoever runs Clapboard, with the "
    "job's id, before asking for it again."
)
PREDICTION_CLOCK_SKEW_S = 120  # covers the engine's own margin when it lists a provider's predictions
WORKDIR_PREFIX = "job-"
ASPECT_TOLERANCE = 0.01  # footage this close to a format's shape is of that format (sizes are rounded to even)


class FallbackOffer(Exception):
    """The approved model could not make the video and the next one that can is paid, or its provider cannot be
    reached and the next is another provider's: ask before it starts."""

    def __init__(self, resolved: Resolved, notices: list[str], voice_usd: float) -> None:
        super().__init__(resolved.model.id)
        self.resolved = resolved
        self.notices = notices
        self.voice_usd = voice_usd  # what the job's premium voice-over, made already, cost


@dataclass
class Made:
    """What a job made before it is stored: the ad's file (once `finish` has run, when there is one), the
    footage kept beside it (none for a draft), and what to say of it."""

    model: ModelSpec
    aspect: str
    video: Path
    footage: Path | None
    finish: Callable[[], Awaitable[Finished]] | None  # draws the ad over the footage (how it follows the kit, the mix)
    outcome: RenderOutcome
    notice: str  # how the request was met (fallbacks, adapted options)
    said: str  # how it was made, first in the "ready" message
    speech: Speech | None = None  # the voice-over it was made with
    voice_cost_usd: float = 0.0  # what that voice-over cost (nothing when reused or offline)


def _footage_job(
    job: Job, spec: JobSpec, source: Creative, model: ModelSpec, width: int, height: int, speech: Speech | None
) -> RenderJob:
    """What the finisher draws over footage kept beside another creative: this job's words, kit, variation and
    sound (the original's voice-over), as long as that creative (a fallback may have made it longer than the
    spec it copies asked, 5 s for 4)."""
    return RenderJob(job_id=job.id, brief=spec.prompt, prompt=spec.prompt_sent, model=model,
                     duration_s=max(spec.duration_s, math.ceil(source.duration_s)), aspect=spec.aspect,
                     resolution=spec.resolution, width=width, height=height, fps=spec.fps, template=spec.template,
                     copy=spec.copy, references=spec.references, audio=spec.audio, variant=spec.variant,
                     brand=spec.brand, sound=spec.sound, speech=speech)  # fmt: skip


def _sound_of(speech: Speech | None, mixed: CreativeSound | None, files: SoundKeys) -> CreativeSound | None:
    """What is stored of a creative's sound: its voice-over's timed lines and files, and what the engine or the
    finisher mixed (the bed, the loudness measured); None for a silent video without a voice-over."""
    if speech is None:
        return mixed
    return (mixed or CreativeSound()).model_copy(
        update={"voice": speech.voice or None, "lines": speech.lines, "voice_key": files.voice_key,
                "srt_key": files.srt_key, "vtt_key": files.vtt_key}
    )  # fmt: skip


def over_footage(aspect: str, width: int, height: int) -> tuple[int, int, bool]:
    """The size a job in `aspect` makes over footage of `width` x `height`, and whether it draws over the footage
    as it is (the footage is of that format already) rather than reframing it: decided here alone."""
    w, h = (int(n) for n in aspect.split(":"))
    if abs(width * h - height * w) <= ASPECT_TOLERANCE * height * w:
        return width, height, True
    return (*output_size(aspect, width, height), False)


def footage_notice(model: str, title: str, as_is: bool) -> str:
    """How a video made from another's footage was made: drawn over it as it is, or reframed."""
    made = "Drawn over" if as_is else "Reframed from"
    return f"{made} the {model} footage of “{title}”, so nothing was charged."


@dataclass
class JobBody:
    """Everything a runner needs to run jobs: the store, storage, catalog, engines and the event bus."""

    settings: Settings
    store: Store
    storage: BlobStorage
    catalog: Catalog
    engines: EngineFactory
    bus: EventBus

    def lease(self) -> datetime:
        """When a lease taken or renewed now runs out."""
        return datetime.now(UTC) + timedelta(seconds=self.settings.job_lease_s)

    @property
    def tmp_root(self) -> Path:
        return self.settings.data_dir / "tmp"

    async def run(self, job_id: str, runner: str) -> None:
        """Run the job if `runner` holds it and it is queued; return when it has ended or was lost."""
        job = await self.store.job(job_id)
        spec = JobSpec.of(job)
        resumed = f" Picking up where it left off (attempt {job.attempts + 1})." if job.attempts else ""
        started = event(job, spec, "running", f"Rendering started.{resumed}")
        claimed = await self.store.transition(
            job_id,
            [JobStatus.queued],
            JobStatus.running,
            held_by=runner,
            announce=announcement(started, self.bus.id),
            attempts=Job.attempts + 1,
            lease_until=self.lease(),
        )
        if not claimed:
            return  # canceled while it waited, or held by another runner
        self.published(started)
        workdir: Path | None = None
        try:  # making the work folder fails on a full disk too: that ends the job like any failure
            self.tmp_root.mkdir(parents=True, exist_ok=True)
            for earlier in self.tmp_root.glob(f"{WORKDIR_PREFIX}{job_id}-*"):  # an earlier run's, cut off here
                await asyncio.to_thread(shutil.rmtree, earlier, ignore_errors=True)
            workdir = Path(
                await asyncio.to_thread(tempfile.mkdtemp, prefix=f"{WORKDIR_PREFIX}{job_id}-", dir=self.tmp_root)
            )
            await self._produce(job, spec, runner, workdir)
        except asyncio.CancelledError:
            await asyncio.shield(self._stopped(job_id, spec))
            raise
        except FallbackOffer as offer:
            await self._offer(job, spec, runner, offer)
        except ClapboardError as exc:
            await self._fail(job, spec, runner, exc.stage, str(exc))
        except Exception as exc:
            if full := out_of_space(exc):  # a full disk is the server's trouble, and said as such
                log.error("job %s: out of disk space (%s)", job_id, exc)
                await self._fail(job, spec, runner, full.stage, str(full))
            else:
                log.exception("job %s failed unexpectedly", job_id)
                await self._fail(
                    job, spec, runner, "render", "Something went wrong while making the video. Please try again."
                )
        finally:
            if workdir is not None:
                await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)

    async def _produce(self, job: Job, spec: JobSpec, runner: str, workdir: Path) -> None:
        if spec.export is not None:
            return await run_export(self, job, spec, runner, workdir)
        made = await (self._reframed if spec.footage_of else self._rendered)(job, spec, runner, workdir)
        creative_id = new_id()
        prefix = f"creatives/{creative_id}"
        footage_key: str | None = None  # stored once the ad is finished: a runner killed before leaves none behind
        files = SoundKeys()
        try:
            result = await made.finish() if made.finish is not None else None
            footage_key = await store_footage(self.storage, prefix, made.footage) if made.footage else None
            if made.speech is not None:
                files = await store_sound(self.storage, prefix, made.speech, spec.sound.captions)
            stored = await store_output(self.storage, prefix, made.video, workdir)
        except BaseException:
            await asyncio.shield(self._delete(*[k for k in (footage_key, *files.keys()) if k]))
            raise
        keys = [k for k in (stored.file_key, stored.poster_key, footage_key, *files.keys()) if k]
        info, outcome = stored.info, made.outcome
        finished = result.notice if result else ""
        sound = _sound_of(made.speech, result.sound if result else outcome.sound, files)
        said = join_notices(made.notice or job.notice, outcome.notice, finished)  # the engine's own word comes last
        mine = Creative(
            id=creative_id,
            campaign_id=job.campaign_id,
            job_id=job.id,
            title=spec.title,
            prompt=spec.prompt,
            prompt_sent=spec.prompt_sent,
            model=made.model.id,
            template=spec.template,
            duration_s=info.duration_s,
            aspect=made.aspect,
            width=info.width,
            height=info.height,
            fps=info.fps,
            bytes=info.bytes,
            file_key=stored.file_key,
            poster_key=stored.poster_key,
            footage_key=footage_key,
            reference_keys=[r.key for r in spec.references],
            copy=spec.copy.given(),
            set_id=spec.set_id,
            estimated_cost_usd=job.estimated_cost_usd,
            actual_cost_usd=(outcome.actual_cost_usd or 0.0) + made.voice_cost_usd,
            provider_job_id=outcome.provider_job_id,
            predict_time_s=outcome.predict_time_s,
            notice=said or None,
            made_by=job.submitted_by,
            confirmed_by=job.confirmed_by,
            brand_version=spec.brand_version.model_dump() if spec.brand_version else None,
            sound=sound.model_dump(mode="json") if sound else None,
        )
        try:
            creative = await self.store.add_creative(mine)
        except Exception:
            await self._delete(*keys)
            raise
        if creative.id != mine.id:  # another runner wrote this job's creative first: keep theirs
            await self._delete(*keys)
        campaign = await self.store.campaign_by_id(job.campaign_id)
        view = CreativeView.of(creative, campaign.name, self.storage)
        message = join_notices(made.said, made.notice, outcome.notice, finished)
        ready = event(job, spec, "creative_ready", message, fraction=1.0, creative=view)
        succeeded = await self.store.transition(
            job.id,
            [JobStatus.running],
            JobStatus.succeeded,
            held_by=runner,
            announce=announcement(ready, self.bus.id),
            progress=1.0,
            model_used=creative.model,
            creative_id=creative.id,
            notice=creative.notice,
            lease_until=None,
        )
        if not succeeded:
            raise LostJob(job.id)
        self.published(ready)
        if made.voice_cost_usd:  # the creative keeps its own copy of the voice now
            await self._delete(job_voice_key(job.id))

    async def _rendered(self, job: Job, spec: JobSpec, runner: str, workdir: Path) -> Made:
        """Footage from the model (or along its fallback chain); a hosted model's is finished into the ad, a
        draft draws its own words and is the ad."""
        report = self.progress(job, spec, runner)
        hosted = self.catalog.get(spec.model).hosted
        speech, voice_cost = await self._speech(job, spec, runner, report)
        resolved, outcome, raw, notice, render_job = await self._render_with_fallback(
            job, spec, runner, workdir, scaled(report, 0.0, FOOTAGE_SHARE) if hosted else report, speech, voice_cost
        )
        said = f"Made with {resolved.model.name}."
        if not resolved.model.hosted:  # a fallback to the draft: it drew the words itself
            placed = outcome.speech or speech  # as the draft placed it on its beats
            return Made(resolved.model, resolved.aspect, raw, None, None, outcome, notice, said, placed, voice_cost)
        finished = workdir / "finished.mp4"
        finish = partial(self._finish, render_job, raw, finished, report, FOOTAGE_SHARE)
        return Made(resolved.model, resolved.aspect, finished, raw, finish, outcome, notice, said, speech, voice_cost)

    async def _speech(self, job: Job, spec: JobSpec, runner: str, report: Progress) -> tuple[Speech | None, float]:
        """The voice-over, spoken before anything is rendered (its words time the captions and the ducking), and
        what it cost: offline in a worker thread, or by a premium voice on Replicate (`_premium_speech`). Any
        failure is the voice's stage: no video was made, so nothing was charged for one."""
        voice = voice_of(spec.sound)
        script = spec.sound.script
        if voice is None or script is None or not script.lines:
            return None, 0.0
        await report(0.0, f"Recording the voice-over ({voice.name})")
        try:
            if not voice.paid:
                return await asyncio.to_thread(speak_offline, script, voice, spec.duration_s), 0.0
            return await self._premium_speech(job, spec, runner, voice, script), voice.cost(script)
        except Exception as exc:  # a stop (CancelledError, LostJob) goes through as it is
            if out_of_space(exc):
                raise
            if not isinstance(exc, ClapboardError):
                log.exception("job %s: the voice-over failed", job.id)
            said = exc.message if isinstance(exc, ClapboardError) else f"{voice.name} could not read the voice-over."
            raise VoiceFailed(said, hint=VOICE_HINT) from exc

    async def _premium_speech(self, job: Job, spec: JobSpec, runner: str, voice: Voice, script: VoiceScript) -> Speech:
        """The voice of this job, from storage or from its prediction: the audio kept under the job when there is
        one; else the prediction whose id is on the job followed (whoever runs the job next follows that one
        prediction), or one made, its id committed before it is waited for; its audio kept the moment it is
        spoken, for Replicate removes it after about an hour (a fallback offer confirmed later, a late restart)."""
        from tools.sound.premium import placed_premium, premium_audio  # loaded for a premium voice only: a draft's

        audio = await kept_job_voice(self.storage, job.id)
        if audio is None:
            from tools.engines.replicate.client import make_client  # job (and `clapboard generate`) never loads it

            client = make_client(self.settings)
            try:
                audio = await premium_audio(client, script, voice, prediction_id=job.voice_prediction_id,
                                            record=self._voice_recorder(job.id, runner))  # fmt: skip
            finally:
                await client._async_client.aclose()
            await keep_job_voice(self.storage, job.id, audio)
        return placed_premium(script, audio, voice, spec.duration_s)

    def _voice_recorder(self, job_id: str, runner: str) -> Callable[[str], Awaitable[None]]:
        async def record(prediction_id: str) -> None:
            if await self.store.update_job(job_id, held_by=runner, voice_prediction_id=prediction_id):
                return
            # Canceled while Replicate was answering: the id is kept all the same, so `_stopped` cancels it.
            await self.store.transition(
                job_id, [JobStatus.canceled], JobStatus.canceled, held_by=runner, voice_prediction_id=prediction_id
            )
            raise LostJob(job_id)

        return record

    async def _reframed(self, job: Job, spec: JobSpec, runner: str, workdir: Path) -> Made:
        """Another format or a variation of a paid video, free: its footage, in this job's format already, is
        finished as it is; else it is reframed to this job's format (following the subject) and finished for that
        frame in the same pass (`over_footage` decides, from the footage file's own size). No model is asked for
        anything. The model's footage it was made from is kept beside it, as a paid video keeps its own."""
        report = self.progress(job, spec, runner)
        source = await self._footage_source(job, spec)
        model = self.catalog.get(source.model)
        raw = await self.fetch(source.footage_key or "", workdir / "source.mp4")
        info = await asyncio.to_thread(probe, raw)
        width, height, as_is = over_footage(spec.aspect, info.width, info.height)
        if not as_is:
            await report(0.0, f"Reframing the footage to {spec.aspect}")
        sound = CreativeSound.model_validate(source.sound) if source.sound else None
        speech = await stored_speech(self.storage, sound) if sound and sound.voice_key else None
        render_job = _footage_job(job, spec, source, model, width, height, speech)
        finished = workdir / "finished.mp4"
        work = partial(self._finish, render_job, raw, finished, report, 0.0, finish if as_is else finish_format)
        said = footage_notice(model.name, source.title, as_is)
        outcome = RenderOutcome(actual_cost_usd=0.0)
        return Made(model, spec.aspect, finished, raw, work, outcome, said, said, speech)

    async def _footage_source(self, job: Job, spec: JobSpec) -> Creative:
        """The creative whose footage a reframe job uses: one of the job's own team, with footage; InvalidRequest
        when it left the library after the job was asked for (another team's is not there either)."""
        campaign = await self.store.campaign_by_id(job.campaign_id)
        try:
            source = await self.store.creative(spec.footage_of or "", campaign.team_id)
        except NotFound:
            raise InvalidRequest(
                "The original video left the library before its other format was made.",
                hint="Ask for the format again from a video in the library.",
            ) from None
        if not source.footage_key:
            raise InvalidRequest(
                f"“{source.title}” has no model footage to reframe.", hint="Make the other format as a new video."
            )
        return source

    async def fetch(self, key: str, path: Path) -> Path:
        """A stored file on this machine: the file itself on local storage, else a copy at `path`."""
        if (local := self.storage.local_path(key)) is not None:
            return local
        with path.open("wb") as out:
            async for chunk in self.storage.open(key):
                await asyncio.to_thread(out.write, chunk)
        return path

    async def _finish(self, render_job: RenderJob, footage: Path, dest: Path, report: Progress, start: float,
                      work: Callable[..., Finished] = finish) -> Finished:  # fmt: skip
        """Draw the ad over the footage (the brief's words, the kit's logo, the end card, the sound) with `work`
        (finish, or finish_format to reframe it in the same pass): how it follows the kit and what it mixed; any
        failure is the finishing stage's, and the footage, paid for once, is never asked for again by this job."""
        await report(start, FINISHING_NOTE)
        try:
            return await finish_footage(self.storage, render_job, footage, dest, scaled(report, start, 0.99), work)
        except Exception as exc:  # a stop (CancelledError, LostJob) goes through as it is
            if isinstance(exc, FinishingFailed) or out_of_space(exc):
                raise
            if not isinstance(exc, ClapboardError):
                log.exception("job %s: finishing failed", render_job.job_id)
            said = exc.message if isinstance(exc, ClapboardError) else "The ad could not be finished over the footage."
            raise FinishingFailed(said, hint=FINISHING_HINT) from exc

    async def _delete(self, *keys: str) -> None:
        for key in keys:
            try:
                await self.storage.delete(key)
            except ClapboardError:
                log.warning("could not delete %s", key)

    async def _render_with_fallback(
        self,
        job: Job,
        spec: JobSpec,
        runner: str,
        workdir: Path,
        progress: Progress,
        speech: Speech | None,
        voice_usd: float,
    ) -> tuple[Resolved, RenderOutcome, Path, str, RenderJob]:
        """Render on the chosen model; when it is down or fails on its side, move along its fallback chain.
        `voice_usd`: what the voice-over, spoken already, cost."""
        notices: list[str] = []
        last_error: ClapboardError | None = None
        unreachable: set[str] = set()  # providers that could not be reached: none of their models is tried
        for model in self.catalog.chain(spec.model):
            if model.provider in unreachable:
                continue
            resolved, skipped = self._fit(spec, model)
            if resolved is None:
                notices.append(skipped)
                continue
            if model.id != spec.model and model.paid:
                within = resolved.estimated_cost_usd + voice_cost_of(spec.sound) <= job.estimated_cost_usd
                if not (spec.auto_fallback and within):
                    raise FallbackOffer(resolved, notices, voice_usd)
            elif unreachable and not spec.auto_fallback:  # asked for a provider that is out: offer, not impose
                raise FallbackOffer(resolved, notices, voice_usd)
            if not model.hosted and model.id != spec.model:
                charged = (
                    f"only {_voice_cost_text(spec, voice_usd)} was charged" if voice_usd else "nothing was charged"
                )
                notices.append(f"This is a free draft made by {model.name} instead, so {charged}.")
            dest = workdir / f"{model.id}.mp4"
            render_job = RenderJob.of(
                job.id,
                resolved,
                brief=spec.prompt,
                prompt=fit_format(spec.prompt_sent, resolved.aspect),  # a fallback may make another format
                template=spec.template,
                copy=spec.copy,
                variant=spec.variant,
                brand=spec.brand,
                sound=spec.sound,
                speech=speech,
                references=spec.references,
                prediction_id=job.provider_job_id if job.provider_model == model.id else None,
                record_prediction=self._recorder(job.id, runner, model.id),
                earlier_runs_since=job.created_at if job.attempts else None,
                adopt_prediction=partial(adopt_prediction, self.store, job.id, runner, model.id),
                prompt_shared=not model.hosted or await prompt_shared(self.store, job, spec),
            )
            try:
                outcome = await self.engines(model).render(render_job, dest, progress)
                return resolved, outcome, dest, " ".join([*notices, *resolved.notices]), render_job
            except ProviderUnreachable as exc:
                last_error = exc
                unreachable.add(model.provider)
                log.warning("job %s: %s cannot be reached; skipping its models", job.id, exc.provider)
                notices.append(exc.message)
            except (ModelUnavailable, ProviderFailed) as exc:
                if isinstance(exc, ProviderFailed) and exc.user_input:
                    raise
                last_error = exc
                log.warning("job %s: %s failed (%s); trying its fallback", job.id, model.id, exc)
                notices.append(f"{model.name} could not make it: {exc.message.rstrip('.')}.")
        raise last_error or ModelUnavailable("No model could make this video.", hint="Try again later.")

    def _fit(self, spec: JobSpec, model: ModelSpec) -> tuple[Resolved | None, str]:
        """The stored request moved to the nearest values `model` offers, or why `model` is skipped."""
        if not model.available:
            return None, f"{model.name} is unavailable ({model.notice or 'down'})."
        try:
            resolved = self.catalog.adapt(
                model.id,
                duration_s=spec.duration_s,
                aspect=spec.aspect,
                resolution=spec.resolution,
                fps=spec.fps,
                references=len(spec.references),
                audio=spec.audio,
            )
        except InvalidRequest as exc:
            return None, f"{model.name} skipped: {exc.message}"
        return resolved, ""

    def _recorder(self, job_id: str, runner: str, model_id: str) -> Any:
        async def record(prediction_id: str) -> None:
            made = {"provider_job_id": prediction_id, "provider_model": model_id}
            if await self.store.update_job(job_id, held_by=runner, **made):
                return
            # Canceled while Replicate was answering: the id is kept all the same, so `_stopped` cancels it.
            await self.store.transition(job_id, [JobStatus.canceled], JobStatus.canceled, held_by=runner, **made)
            raise LostJob(job_id)

        return record

    def progress(self, job: Job, spec: JobSpec, runner: str) -> Progress:
        """Reports progress on the job, at most once a second unless it says something new or is done."""
        last: list[Any] = [0.0, ""]

        async def report(fraction: float, note: str) -> None:
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY_S and fraction < 1.0 and note == last[1]:
                return
            last[0], last[1] = now, note
            moved = event(job, spec, "progress", note, fraction=fraction)
            if not await self.store.update_job(
                job.id, held_by=runner, announce=announcement(moved, self.bus.id), progress=round(fraction, 3)
            ):
                raise LostJob(job.id)
            self.published(moved)

        return report

    async def _stopped(self, job_id: str, spec: JobSpec) -> None:
        """After a render was stopped: when the user canceled the job, stop its prediction too and say what was
        spent, on the job (the API shows it) and in the "canceled" event every process hears (the chat says it).
        Otherwise (shutdown, or another runner took over) the prediction goes on, for the next runner."""
        job = await self.store.job(job_id)
        if job.status != JobStatus.canceled:
            return
        model = self.catalog.get(job.provider_model or job.model)
        voice = await self._voice_stopped(job, spec)  # none for an export: it makes no voice-over
        if spec.export is not None:  # it copies its creative's spec, but asks no model for anything
            spent = "Stopped: nothing was delivered, and exports are free."
        elif job.provider_job_id and job.provider_model:
            status = await self.engines(model).cancel(job.provider_job_id)
            price = max(job.estimated_cost_usd - voice_cost_of(spec.sound), 0.0)  # the job's price has the voice's
            spent = spent_on(model, status, price, self.settings.replicate_cancel_after, voice)
        elif spec.footage_of:
            spent = "Spent: nothing (reusing footage already paid for is free)."
        elif voice is not None:
            spent = spent_text(voice, Spend(0.0, True, f"nothing had reached {model.name} yet" if model.paid
                                            else "the draft itself is free"))  # fmt: skip
        elif model.paid:
            spent = f"Spent: nothing; nothing had reached {model.name} yet."
        else:
            spent = "Spent: nothing (drafts are free)."
        stopped = event(job, spec, "canceled", spent)
        if await self.store.update_job(job_id, announce=announcement(stopped, self.bus.id), error=f"Canceled. {spent}"):
            self.published(stopped)

    async def _voice_stopped(self, job: Job, spec: JobSpec) -> Spend | None:
        """Stop the premium voice-over's prediction of a canceled job, when one was made, and forget the audio kept
        of it: what it cost (None: no prediction was made)."""
        voice = voice_of(spec.sound)
        if not (job.voice_prediction_id and voice is not None and voice.paid):
            return None
        from tools.sound.premium import cancel_voice

        status = await cancel_voice(self.settings, job.voice_prediction_id)
        await self._delete(job_voice_key(job.id))
        return voice_spend(voice, status, voice_cost_of(spec.sound))

    async def _offer(self, job: Job, spec: JobSpec, runner: str, offer: FallbackOffer) -> None:
        """Put the job back to waiting for a confirmation, now of the offered model and its price; the chat asks
        with buttons, the API and the CLI see `awaiting_confirmation`. Nothing was charged for the failed model
        (providers bill finished videos), and nothing more is until the user confirms. A batch's video fails
        instead: its batch was confirmed once, and its one line asks nothing."""
        r = offer.resolved
        sound = " with audio" if r.audio else ""
        why = " ".join(offer.notices)
        if spec.batch_id:  # confirmed once with its batch: nobody is asked again, so it is not made
            price = usd_text(r.estimated_cost_usd) if r.model.paid else "free"
            await self._fail(job, spec, runner, "model", f"{why} {r.model.name} could make it instead ({price}), but "
                             "not within the price confirmed for the batch, so it was not made.".strip())  # fmt: skip
            return
        voice = _voice_cost_text(spec, offer.voice_usd)  # made already: it is part of the price asked
        if r.model.paid:
            price = f"about {usd_text(r.estimated_cost_usd)}"
            if offer.voice_usd:
                price += f", with {voice} made already: {usd_text(r.estimated_cost_usd + offer.voice_usd)} in all"
            question = (
                f"{why} {r.model.name} can make it instead: {r.duration_s} s {r.aspect}{sound} for {price}. Nothing "
                "more is spent until you confirm."
            ).strip()
        else:
            cost = f"the draft itself free, with {voice} made already" if offer.voice_usd else "at no cost"
            question = (
                f"{why.removesuffix('.')}; a free draft instead? {r.model.name} can make it: {r.duration_s} s "
                f"{r.aspect}, {cost}."
            ).strip()
        moved = spec.model_copy(
            update={
                "model": r.model.id,
                "duration_s": r.duration_s,
                "aspect": r.aspect,
                "resolution": r.resolution,
                "fps": r.fps,
                "width": r.width,
                "height": r.height,
                "audio": r.audio,
            }
        )
        offered = event(job, spec, "offered", question).model_copy(update={"model": r.model.id})
        if await self.store.transition(
            job.id,
            [JobStatus.running],
            JobStatus.awaiting_confirmation,
            held_by=runner,
            announce=announcement(offered, self.bus.id),
            spec=moved.model_dump(mode="json"),
            model=r.model.id,
            estimated_cost_usd=round(r.estimated_cost_usd + voice_cost_of(spec.sound), 4),
            confirmed_by=None,
            provider_job_id=None,
            provider_model=None,
            progress=0.0,
            notice=join_notices(job.notice, why) or None,
            runner=None,  # whoever confirms starts it afresh on any runner
            lease_until=None,
        ):
            self.published(offered)

    async def _fail(self, job: Job, spec: JobSpec, runner: str, stage: str, message: str) -> None:
        failure = event(job, spec, "failed", message, stage=stage)
        try:
            failed = await self.store.transition(
                job.id,
                [JobStatus.running],
                JobStatus.failed,
                held_by=runner,
                announce=announcement(failure, self.bus.id),
                stage=stage,
                error=message,
                lease_until=None,
            )
        except Exception:  # the database is down too: the lease runs out and another runner tries again
            log.exception("could not record the failure of job %s", job.id)
            return
        if failed:
            self.published(failure)

    def published(self, e: JobEvent) -> None:
        """Publish here an event already announced to the other processes with its commit."""
        self.bus.publish(e.model_copy(update={"source": self.bus.id}))


STOPPED = ("canceled", "aborted", "failed")  # a prediction's statuses after a cancel that bill nothing


@dataclass(frozen=True)
class Spend:
    """What one prediction of a canceled job cost (its video's, its voice-over's), whether that is sure, and why."""

    usd: float
    sure: bool
    why: str


def spent_text(*parts: Spend) -> str:
    """What a canceled job cost in all, and why, part by part."""
    total = round(sum(p.usd for p in parts), 4)
    why = "; ".join(p.why for p in parts)
    if not total:
        return f"Spent: nothing; {why}."
    return f"Spent: {'about' if all(p.sure for p in parts) else 'possibly about'} {usd_text(total)}; {why}."


def spent_on(model: ModelSpec, status: str | None, price_usd: float, cap: str, voice: Spend | None = None) -> str:
    """What a canceled job's prediction cost (and its voice-over's, `voice`), from its status once the cancel
    reached the provider, which bills a finished video only."""
    if status in STOPPED:
        video = Spend(0.0, True, f"{model.name} was stopped on Replicate before the video was finished")
    elif status == "succeeded":
        video = Spend(price_usd, True, f"{model.name} had finished the video on Replicate before the stop")
    else:
        video = Spend(price_usd, False, f"Replicate did not confirm that {model.name} stopped, so it may still "
                                        f"finish (its {cap} cost cap ends it at the latest)")  # fmt: skip
    return spent_text(*[p for p in (voice, video) if p is not None])


def voice_spend(voice: Voice, status: str | None, price_usd: float) -> Spend:
    """What a canceled job's premium voice-over cost, from its prediction's status once the cancel reached
    Replicate, which bills a finished voice-over only."""
    if status in STOPPED:
        return Spend(0.0, True, f"the {voice.name} voice-over was stopped on Replicate before it was finished")
    if status == "succeeded":
        return Spend(price_usd, True, f"the {voice.name} voice-over was made on Replicate ({usd_text(price_usd)})")
    return Spend(price_usd, False, f"Replicate did not confirm that the {voice.name} voice-over stopped "
                                   f"({usd_text(price_usd)} if it finishes)")  # fmt: skip


def _voice_cost_text(spec: JobSpec, usd: float) -> str:
    """The voice-over a job paid for, and its price: "the Hazel voice-over ($0.012)"."""
    voice = voice_of(spec.sound)
    return f"the {voice.name + ' ' if voice else ''}voice-over ({usd_text(usd)})"


async def prompt_shared(store: Store, job: Job, spec: JobSpec) -> bool:
    """Whether another job active since this one was made asked for the same prompt, so could have sent a
    provider the same input (a repeated brief, a variation): then a prediction found by its input alone may be
    theirs. Jobs not updated since cannot have made a prediction this job's lookup would find. One
    query that answers yes or no, whatever the number of jobs."""
    since = job.created_at - timedelta(seconds=PREDICTION_CLOCK_SKEW_S)
    mine = spec.prompt_sent or spec.prompt
    same = or_(Job.spec["prompt_sent"].as_string() == mine, Job.spec["prompt"].as_string() == mine)
    # An export copies its video's prompt but makes no prediction: it never holds one a lookup could find.
    query = select(exists().where(Job.id != job.id, Job.kind == JobKind.video, Job.updated_at >= since, same))
    async with store.engine.connect() as conn:
        return bool(await conn.scalar(query))


async def adopt_prediction(store: Store, job_id: str, runner: str, model_id: str, prediction_id: str) -> bool:
    """Record on the job a prediction an earlier run made but never recorded, unless another job holds it
    (False): two jobs with the same request never share one. On PostgreSQL one job at a time checks and records
    a given prediction (a transaction lock on its id), so two runners never take the same one at once."""
    elsewhere = select(Job.id).where(Job.provider_job_id == prediction_id, Job.id != job_id).exists()
    mine = update(Job).where(Job.id == job_id, Job.runner == runner, Job.status == JobStatus.running, ~elsewhere)
    async with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:id))"), {"id": prediction_id})
        if (await conn.execute(mine.values(provider_job_id=prediction_id, provider_model=model_id))).rowcount:
            return True
        if await conn.scalar(select(elsewhere)):
            return False
    raise LostJob(job_id)


async def remove_stale_workdirs(body: JobBody) -> int:
    """Remove temp folders left by a crash: every job folder but those of jobs another runner still holds."""
    root = body.tmp_root
    if not root.is_dir():
        return 0
    now, removed = datetime.now(UTC), 0
    for path in root.glob(f"{WORKDIR_PREFIX}*"):
        job_id = path.name.removeprefix(WORKDIR_PREFIX).split("-", 1)[0]
        try:
            job = await body.store.job(job_id)
        except ClapboardError:
            job = None
        if job is not None and job.status == JobStatus.running and job.lease_until and job.lease_until > now:
            continue
        await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)
        removed += 1
    return removed
