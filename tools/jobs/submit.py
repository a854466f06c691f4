"""Submission: read the brief once, check a request, store its references, refine, estimate and persist the job;
confirm and cancel.

Nothing is written until the request has passed every check. Paid jobs wait for their price to be confirmed;
everything else goes to the backend at once. An idempotency key makes a repeated submission (a client's retry,
a resent chat message) return the job the first one made, even when both arrive at once: the key is unique per
origin in the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from campaign.errors import Conflict, Forbidden, InvalidRequest, NotFound
from campaign.models import Export, Job, JobKind, JobStatus, ReviewStatus, new_id
from campaign.people import Actor
from campaign.settings import Settings
from campaign.store import Store
from tools.brand.current import current
from tools.brand.follow import filled
from tools.brief import Brief, aspect_for, read_brief, read_brief_llm
from tools.brief.variations import Variant, with_change
from tools.catalog import Catalog
from tools.delivery.placements import find_placements
from tools.engines.base import Reference
from tools.engines.registry import refusal
from tools.jobs.backends import Backend
from tools.jobs.body import footage_notice, over_footage
from tools.jobs.events import EventBus, event
from tools.jobs.notices import join_notices
from tools.jobs.spec import IDEMPOTENCY_KEY_CHARS, ExportSpec, JobSpec, Submitted, VideoRequest
from tools.jobs.voiceover import sound_for
from tools.llm import chat_model
from tools.references import ReferenceIntake
from tools.refine import LLM_TIMEOUT_S, as_written, fit_format, refine_brief
from tools.reviews import GATE_HINTS, STATUS_WORDS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

NOTHING_TO_SHOW = (
    "This draft has nothing of yours to show: no words for the screen and no photo, so it will be colour and "
    "motion only. For an ad, attach a product photo or logo, or give the words (a headline, a price, a call to "
    "action)."
)


@dataclass(frozen=True)
class Prepared:
    """A request checked and worked out, not yet written: what its job will hold."""

    spec: JobSpec
    model_name: str
    estimate: float  # USD: the video's and its voice-over's
    notice: str | None


@dataclass
class Submissions:
    """Submit, confirm and cancel jobs; the backend runs them."""

    settings: Settings
    store: Store
    catalog: Catalog
    intake: ReferenceIntake
    backend: Backend
    bus: EventBus

    def brief_of(self, request: VideoRequest) -> Brief:
        """The request's brief, read once: its words, copy, template and title (the options are its fields).
        Raises InvalidRequest for an unknown template."""
        return read_brief(request.prompt, self.catalog.names(), template=request.template, copy=request.copy,
                          title=request.title, options=request.options())  # fmt: skip

    def _llm(self) -> BaseChatModel | None:
        """The LLM that reads briefs and writes voice-over scripts; None offline (the rules write them)."""
        if not self.settings.llm_key:
            return None
        return chat_model(self.settings, temperature=0.0, timeout_s=LLM_TIMEOUT_S)

    async def read_brief(self, request: VideoRequest) -> Brief:
        """The request's brief for a front end without an agent (the API, the CLI): with an LLM configured and no
        copy given, its copy is read by the LLM and checked against the brief (`Brief.notes` says what the check
        changed, and becomes part of the job's notice); else it is `brief_of`."""
        if (chat := self._llm()) is None or request.copy.texts():
            return self.brief_of(request)
        return await read_brief_llm(request.prompt, chat, self.catalog.names(), template=request.template,
                                    title=request.title, options=request.options())  # fmt: skip

    async def submit(
        self,
        actor: Actor,
        request: VideoRequest,
        *,
        origin: str = "",
        confirmed: bool = False,
        allow_paths: bool = False,
        idempotency_key: str | None = None,
        set_id: str | None = None,
        variant: Variant | None = None,
        channel: str | None = None,
        brief: Brief | None = None,
    ) -> Submitted:
        """Check, store references, refine, estimate and persist; start at once unless a price needs confirming.
        `brief` is the request's brief when the front end has read it (`brief_of`), else it is read here. The kit
        the video follows (the campaign's over its team's) goes into a refined prompt (its colours and tone) and,
        on the job, to the engine. A hosted model's prompt asks for footage only, refined or not: the copy is drawn
        over it.

        Raises InvalidRequest / ReferenceRejected / ModelUnavailable before any campaign or job is written
        (checked references are stored content-addressed, so a retry reuses them), and Conflict when the
        idempotency key was used for another request.
        """
        origin = origin[:80]
        fingerprint = _fingerprint(request, confirmed, variant)
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_CHARS:
                raise InvalidRequest(f"An idempotency key must be 1 to {IDEMPOTENCY_KEY_CHARS} characters.")
            if found := await self.store.job_by_key(origin, idempotency_key):
                return await self._same(found, fingerprint)
        ready = await self.prepare(actor, request, confirmed=confirmed, allow_paths=allow_paths, set_id=set_id,
                                   variant=variant, channel=channel, brief=brief)  # fmt: skip
        status = JobStatus.awaiting_confirmation if ready.estimate > 0 and not confirmed else JobStatus.queued
        job_id = new_id()
        paid = {job_id: ready.estimate} if status == JobStatus.queued and ready.estimate > 0 else {}
        await self.store.reserve(actor.team_id, actor.user_id, paid)  # OverBudget: nothing is written
        try:
            campaign = await self.store.campaign(actor.team_id, request.campaign, create=True)
            job = await self.store.add_job(
                id=job_id,
                campaign_id=campaign.id,
                status=status,
                spec=ready.spec.model_dump(mode="json"),
                model=ready.spec.model,
                estimated_cost_usd=ready.estimate,
                origin=origin,
                submitted_by=actor.user_id,
                confirmed_by=actor.user_id if status == JobStatus.queued and ready.estimate > 0 else None,
                notice=ready.notice,
                lease_until=self.grace() if status == JobStatus.queued else None,
                idempotency_key=idempotency_key,
                request_hash=fingerprint if idempotency_key is not None else None,
            )
        except BaseException:  # the job was not written: neither is its reservation
            await self.store.unreserve(paid)
            raise
        if job.id != job_id:  # another submission with this key got there first: theirs stands
            await self.store.unreserve(paid)
            return await self._same(job, fingerprint)
        if status == JobStatus.queued:
            await self.start(job, f"Queued on {ready.model_name}.")
        return Submitted.of(job, campaign.name, ready.model_name)

    async def prepare(
        self,
        actor: Actor,
        request: VideoRequest,
        *,
        confirmed: bool = False,
        allow_paths: bool = False,
        set_id: str | None = None,
        variant: Variant | None = None,
        channel: str | None = None,
        brief: Brief | None = None,
        batch_id: str | None = None,
    ) -> Prepared:
        """Everything `submit` checks and works out before it writes the job: its spec, price and notice.
        Nothing is written but the references, which are stored content-addressed and granted to the team (a
        batch prepares its rows when it is quoted, and writes their jobs when it is confirmed).

        Raises InvalidRequest / ReferenceRejected / ModelUnavailable / NotFound as `submit` does."""
        if brief is None or brief.text != request.prompt:  # a brief of another request is read again
            brief = self.brief_of(request)
        aspect, aspect_note = aspect_for(brief.template, request.aspect, self.catalog.get(request.model).aspects)
        resolved = self.catalog.resolve(
            request.model,
            duration_s=request.duration_s,
            aspect=aspect,
            resolution=request.resolution,
            fps=request.fps,
            references=len(request.references),
            audio=request.audio,
            fallback=True,
        )
        references = [await self._reference(actor, src, allow_paths) for src in request.references]
        kit, kit_version = await current(self.store, actor.team_id, await self._campaign_id(actor, request.campaign))
        brief = brief.model_copy(update={"copy": filled(brief.copy, kit)})  # the kit's CTA and website, if none given
        prompt_sent, method, notes = request.prompt, None, [aspect_note, *resolved.notices, *brief.notes]
        if refused := refusal(resolved, brief.copy):
            raise InvalidRequest(refused)
        drawn = kit and any((kit.logo, kit.logo_light, kit.cta, kit.website, kit.legal))  # the kit's own marks
        shown = brief.copy.texts() or references or drawn
        if not resolved.model.hosted and not shown:  # a local draft draws only these
            notes.append(NOTHING_TO_SHOW)
        refine = request.refine if request.refine is not None else resolved.model.paid
        if refine or resolved.model.hosted:  # a hosted model makes footage: never sent the words drawn over it
            refined = (
                await refine_brief(
                    brief,
                    settings=self.settings,
                    aspect=resolved.aspect,
                    duration_s=resolved.duration_s,
                    model=resolved.model.name,
                    brand=kit,
                )
                if refine
                else as_written(brief, resolved.aspect)
            )
            prompt_sent, method = fit_format(refined.prompt, resolved.aspect), refined.method
            notes.append(refined.note)
        sound = await sound_for(brief, script=request.script, kit=kit, duration_s=resolved.duration_s,
                                premium=self.settings.replicate_api_token is not None,
                                paid_video=resolved.model.paid, llm=self._llm())  # fmt: skip
        note = join_notices(*notes, sound.notice)
        estimate = round(resolved.estimated_cost_usd + sound.cost_usd, 4)  # the voice is billed to the same job
        brief = brief.titled(resolved.aspect)
        spec = JobSpec(
            prompt=request.prompt,
            prompt_sent=prompt_sent,
            refine_method=method,
            model=resolved.model.id,
            duration_s=resolved.duration_s,
            aspect=resolved.aspect,
            resolution=resolved.resolution,
            fps=resolved.fps,
            width=resolved.width,
            height=resolved.height,
            template=brief.template.name,
            copy=brief.copy,
            references=references,
            audio=resolved.audio,
            auto_fallback=confirmed if request.auto_fallback is None else request.auto_fallback,
            title=with_change(brief.title, variant) if variant else brief.title,
            set_id=set_id,
            variant=variant or Variant(),
            channel=channel,
            brand=kit,
            brand_version=kit_version,
            sound=sound.spec,
            batch_id=batch_id,
        )
        for reference in references:  # only now: a request refused above leaves none of its images to the team
            await self.store.grant_reference(actor.team_id, reference.key)
        return Prepared(spec=spec, model_name=resolved.model.name, estimate=estimate, notice=note or None)

    async def reframe(
        self,
        actor: Actor,
        creative_id: str,
        spec: JobSpec,
        aspect: str,
        *,
        title: str,
        origin: str = "",
        idempotency_key: str | None = None,
        set_id: str | None = None,
        variant: Variant | None = None,
    ) -> Submitted:
        """Another format of a paid video, free and at once: a job that reframes the footage kept beside the
        creative `creative_id` to `aspect` and finishes it for that frame with `spec`'s words, kit and brief (the
        request of the job that made it). No model is asked for anything, so there is no price to confirm. With a
        `variant`, it is a variation of that video. In the footage's own format, it is drawn over the footage as it
        is (`over_footage` decides, as the job does).

        Raises NotFound for a creative not of the actor's team, InvalidRequest for one without footage (a draft)
        or a format footage cannot be reframed to, Conflict for an idempotency key used for another request."""
        origin = origin[:80]
        varied = {"variant": variant.model_dump(mode="json")} if variant else {}
        body = {"reframe": creative_id, "aspect": aspect, "title": title, **varied}
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        if idempotency_key is not None and (found := await self.store.job_by_key(origin, idempotency_key)):
            return await self._same(found, fingerprint)
        source = await self.store.creative(creative_id, actor.team_id)
        if not source.footage_key:
            raise InvalidRequest(
                f"“{source.title}” is a draft: it has no model footage to reframe.",
                hint="Ask for the other format as a new draft.",
            )
        width, height, as_is = over_footage(aspect, source.width, source.height)
        model = self.catalog.get(source.model)
        moved = spec.model_copy(
            update={"model": model.id, "aspect": aspect, "width": width, "height": height, "title": title,
                    "set_id": set_id, "channel": None, "auto_fallback": False, "footage_of": source.id,
                    "variant": variant or spec.variant}
        )  # fmt: skip
        campaign = await self.store.campaign_by_id(source.campaign_id)
        job_id = new_id()
        job = await self.store.add_job(
            id=job_id,
            campaign_id=campaign.id,
            status=JobStatus.queued,
            spec=moved.model_dump(mode="json"),
            model=model.id,
            estimated_cost_usd=0.0,
            origin=origin,
            submitted_by=actor.user_id,
            notice=footage_notice(model.name, source.title, as_is),
            lease_until=self.grace(),
            idempotency_key=idempotency_key,
            request_hash=fingerprint if idempotency_key is not None else None,
        )
        if job.id != job_id:  # another submission with this key got there first: theirs stands
            return await self._same(job, fingerprint)
        doing = f"drawing over the {model.name} footage" if as_is else f"reframing the {model.name} footage to {aspect}"
        await self.start(job, f"Queued: {doing}.")
        return Submitted.of(job, campaign.name, model.name)

    async def export(self, actor: Actor, creative_id: str, placements: str | list[str], *, trim: bool = False,
                     origin: str = "", idempotency_key: str | None = None) -> Job:  # fmt: skip
        """A job exporting the team's creative `creative_id` to `placements` ("all", "tiktok,reels", keys or
        names), queued at once: it is free (the creative is made again from its own footage or as a draft). With
        an idempotency key already used for the same export, the job it made.

        Raises NotFound for a creative not of the actor's team, InvalidRequest for a placement not known or a
        creative made before jobs were kept (it has no brief to make again), Forbidden for a creative not approved
        when the team's exports need approval, Conflict for an idempotency key used for another request."""
        origin = origin[:80]
        found = find_placements(placements)
        body = {"export": creative_id, "placements": [p.key for p in found], "trim": trim}
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        if idempotency_key is not None and (done := await self.store.job_by_key(origin, idempotency_key)):
            return _same_request(done, fingerprint)
        creative = await self.store.creative(creative_id, actor.team_id)
        if (
            creative.review_status != ReviewStatus.approved
            and (await self.store.team_by_id(actor.team_id)).exports_need_approval
        ):
            raise Forbidden(
                f"“{creative.title}” is {STATUS_WORDS[creative.review_status]}: your team exports approved videos "
                "only.",
                hint=GATE_HINTS[creative.review_status],
            )
        if creative.job_id is None:
            raise InvalidRequest(f"“{creative.title}” has no brief kept to make it again for other placements.")
        if self.catalog.get(creative.model).hosted and not creative.footage_key:
            raise InvalidRequest(
                f"“{creative.title}” was made before model footage was kept: it cannot be made again for placements.",
                hint="Generate it again, then export the new video.",
            )
        made_by = JobSpec.of(await self.store.job(creative.job_id, actor.team_id))
        asked = ExportSpec(creative_id=creative.id, placements=[p.key for p in found], trim=trim)
        spec = made_by.model_copy(update={"title": creative.title, "export": asked, "set_id": None})
        job = Job(id=new_id(), campaign_id=creative.campaign_id, status=JobStatus.queued, kind=JobKind.export,
                  spec=spec.model_dump(mode="json"), model=creative.model, estimated_cost_usd=0.0, origin=origin,
                  submitted_by=actor.user_id, lease_until=self.grace(), idempotency_key=idempotency_key,
                  request_hash=fingerprint if idempotency_key is not None else None)  # fmt: skip
        stored = await self.store.add_export(job, Export(id=job.id, creative_id=creative.id,
                                                         placements=asked.placements, trim=trim, files=[]))  # fmt: skip
        if stored.id != job.id:  # another submission with this key got there first: theirs stands
            return _same_request(stored, fingerprint)
        await self.start(job, f"Queued: exporting “{creative.title}” for {', '.join(p.label for p in found)}.")
        return job

    async def _same(self, job: Job, fingerprint: str) -> Submitted:
        _same_request(job, fingerprint)
        campaign = await self.store.campaign_by_id(job.campaign_id)
        return Submitted.of(job, campaign.name, self.catalog.get(job.model).name)

    async def _campaign_id(self, actor: Actor, name: str | None) -> str | None:
        """The id of the campaign a request names, when it exists already (a new one has no kit of its own)."""
        try:
            return (await self.store.campaign(actor.team_id, name)).id
        except NotFound:
            return None

    async def _reference(self, actor: Actor, source: str, allow_paths: bool) -> Reference:
        """A stored reference the team took in, or a URL (a path, for the CLI) taken in now (and granted to the team
        once the whole request has passed)."""
        if source.startswith("refs/"):
            if not await self.store.has_reference(actor.team_id, source):
                raise NotFound("That reference image is not one of your team's.", hint="Attach the image again.")
            return await self.intake.stored(source)
        if not allow_paths and not source.lower().startswith(("http://", "https://")):
            raise InvalidRequest("A reference must be an attached image or an http(s) image URL.")
        return await self.intake.take(source)

    def grace(self) -> datetime:
        """A new queued job's lease until the backend takes it: no other runner's sweep adopts it meanwhile."""
        return datetime.now(UTC) + timedelta(seconds=self.settings.job_lease_s)

    async def start(self, job: Job, message: str) -> None:
        """Hand a queued job to the backend and say so."""
        await self.backend.enqueue(job.id)
        self.bus.publish(event(job, JobSpec.of(job), "queued", message))

    async def confirm(self, job_id: str, *, by: str) -> Job:
        """Start a job that was waiting for its price to be confirmed (by the user `by`), its price reserved
        against the budgets of its team and of whoever asked for it first (OverBudget, and nothing starts, when
        it would pass one); a second confirmation changes nothing. Two confirmations at once both reserve the
        job's one line (the ledger keeps a line per job), and one starts it; one that loses to a cancel leaves a
        line that settles at nothing, as the job never ran."""
        job = await self.store.job(job_id)
        if job.status != JobStatus.awaiting_confirmation:
            return job
        if job.estimated_cost_usd > 0:
            team_id = (await self.store.campaign_by_id(job.campaign_id)).team_id
            await self.store.reserve(team_id, job.submitted_by, {job.id: job.estimated_cost_usd}, batch_id=job.batch_id)
        if await self.store.transition(
            job_id, [JobStatus.awaiting_confirmation], JobStatus.queued, lease_until=self.grace(), confirmed_by=by
        ):
            await self.start(await self.store.job(job_id), "Confirmed; queued.")
        return await self.store.job(job_id)

    async def cancel(self, job_id: str, *, by: str) -> Job:
        """Cancel a job that has not finished, recording who did (`by`, a user id). A running render is stopped
        by its runner wherever it runs, which also cancels the provider's prediction; a job that had not
        started is simply never run."""
        if not await self._unstarted(job_id, [JobStatus.awaiting_confirmation, JobStatus.queued], by):
            fields = {"error": "Canceled.", "canceled_by": by, "lease_until": None}
            if await self.store.transition(job_id, [JobStatus.running], JobStatus.canceled, **fields):
                await self.backend.cancel(job_id)
        return await self.store.job(job_id)

    async def withdraw(self, job_id: str, *, by: str) -> bool:
        """Cancel a job still waiting for its price to be confirmed (nothing was started or charged); False when
        it no longer waits (confirmed meanwhile: it goes on)."""
        return await self._unstarted(job_id, [JobStatus.awaiting_confirmation], by)

    async def _unstarted(self, job_id: str, statuses: list[JobStatus], by: str) -> bool:
        fields = {"error": "Canceled.", "canceled_by": by, "lease_until": None}
        if not await self.store.transition(job_id, statuses, JobStatus.canceled, **fields):
            return False
        job = await self.store.job(job_id)
        await self.backend.cancel(job_id)
        self.bus.publish(event(job, JobSpec.of(job), "canceled", "Canceled."))
        return True


def _fingerprint(request: VideoRequest, confirmed: bool, variant: Variant | None = None) -> str:
    """A hash of the request as sent: under one idempotency key, the same hash is the same request."""
    varied = {"variant": variant.model_dump(mode="json")} if variant else {}
    body = {**request.model_dump(mode="json"), "confirm": confirmed, **varied}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _same_request(job: Job, fingerprint: str) -> Job:
    """The job stored under an idempotency key, when it was made by the same request; else Conflict."""
    if job.request_hash != fingerprint:
        raise Conflict(
            "This idempotency key was already used for a different request.",
            hint="Send a new key for a new request.",
        )
    return job
