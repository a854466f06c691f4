"""`studio.jobs`: asking for videos and following them: submit (with its price confirmed or not), confirm,
cancel, wait, list; new versions of an earlier video (revise, variations, other formats, one per channel); which
outcomes a chat has shown; and the providers' reports on their renders (webhooks)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from pydantic import BaseModel

from campaign.errors import ClapboardError, Forbidden, InvalidRequest, NotFound
from campaign.models import ACTIVE, Job, JobKind, JobStatus, new_id
from campaign.people import Actor
from campaign.store import Store
from tools.brief import AdCopy, Brief, Checked, check_copy, check_edit, get_template, rewritten
from tools.brief.variations import ASKS, MEANINGS, Variant, asked, fits, numbered, plan, untitled, with_change
from tools.channels import CHANNEL_FORMATS, for_channel, read_channel
from tools.engines.registry import WebhookReceiver
from tools.finish.reframe import ASPECTS as REFRAMED
from tools.jobs.events import EventBus, JobEvent
from tools.jobs.notices import join_notices
from tools.jobs.spec import JobSpec, Submitted, VideoRequest
from tools.jobs.submit import Submissions
from tools.studio.library import campaign_names
from tools.studio.models import Models
from tools.views import JobView

log = logging.getLogger(__name__)

FINAL_EVENTS = ("creative_ready", "export_ready", "failed", "canceled")
WAIT_RECHECK_S = 2.0  # how often `wait` re-reads the job, in case another runner finished it
MAX_VARIATIONS = 6
NEW_TAKE = "On {model} a variation with {change} is a new take of the brief: the model makes its own shots and cuts."


def _new_take(model: str, variant: Variant) -> str:
    """What a paid model's variation with new footage shows: a change drawn over footage shows as on a draft; a
    close-up hook or faster cuts are the model's to make, so its new footage is a new take."""
    meaning = variant.meaning
    return "" if meaning is None or meaning.drawn else NEW_TAKE.format(model=model, change=meaning.said)


def _none_asked(change: str, copy: AdCopy, pictures: bool, footage: bool, bed: bool) -> InvalidRequest:
    """Why a variation the user asked for cannot be made of this video, and what to ask instead."""
    if not bed and not any(fits(c, copy, pictures, bed=False) for c in ASKS[change]):
        return InvalidRequest(
            "This video's sound is the model's own, so there is no other music of ours to vary it with.",
            hint="Ask for another change: the hook, the headline order, the layout, the colourway or the pacing.",
        )
    if footage and any(fits(c, copy, pictures) for c in ASKS[change]):
        drawn = any(fits(c, copy, pictures, footage=True) for c in ASKS[change])
        said = " or ".join(MEANINGS[c].said for c in ASKS[change])
        return InvalidRequest(
            f"This video's set has a '{change}' variation already." if drawn
            else f"A variation with {said} cannot be drawn over this video's footage: its shots and cuts are the "
            "model's.",
            hint="Ask for another change (the hook, the headline order, the layout, the colourway), or for this one "
            "with new footage, generated anew at the model's price.",
        )  # fmt: skip
    return InvalidRequest(
        f"This video has nothing to make a '{change}' variation of (no price, offer or picture for it).",
        hint="Ask for another change: the hook, the headline order, the layout, the colourway or the pacing.",
    )


def _sound_kept(spec: JobSpec, changes: dict[str, Any]) -> dict[str, Any]:
    """An earlier job's sound as request fields, kept by a new version: its voice ("none" for none), script,
    captions and music. A new script for a video without a voice-over gives it one; a script the user wrote is kept
    as written, one written for the video is written again for the new version (its length, its words)."""
    sound = spec.sound
    voice = sound.voice or ("on" if changes.get("script") else "none")
    kept = sound.voice and sound.script and sound.script.source == "user"
    script = sound.script.text() if kept and sound.script else None
    return {"voice": voice, "script": script, "captions": sound.captions or not sound.voice, "music": sound.music}


async def may_change(store: Store, actor: Actor, asker: str | None, what: str) -> None:
    """Forbidden unless the actor asked for it (`asker`, a user id) or is an admin: a price to confirm, a job or
    batch to stop is theirs."""
    if asker != actor.user_id and not actor.admin:
        name = (await store.user_names(actor.team_id, [asker])).get(asker or "", "its owner")
        raise Forbidden(f"Only {name} or an admin can {what}.")


class PaidFormats(BaseModel):
    """Formats of a paid video made anew on its model instead of reframed, and what they would cost."""

    model: str
    model_name: str
    aspects: list[str]
    price_usd: float


class Jobs:
    """The team's jobs; changing one (confirm, cancel) is for the person who asked, or an admin."""

    def __init__(
        self,
        store: Store,
        models: Models,
        submissions: Submissions,
        bus: EventBus,
        receivers: dict[str, WebhookReceiver],
    ) -> None:
        self.store = store
        self.models = models
        self.submissions = submissions
        self.bus = bus
        self.receivers = receivers  # of the providers that report by webhook, by name

    @staticmethod
    def template_name(name: str | None) -> str:
        """The template a name means ("social", "Product showcase"; none is the plain prompt's); InvalidRequest
        names the templates."""
        return get_template(name).name

    def brief_of(self, request: VideoRequest) -> Brief:
        """The request's brief, read once (see `Submissions.brief_of`): pass it to `submit`, which then does not
        read it again."""
        return self.submissions.brief_of(request)

    async def read_brief(self, request: VideoRequest) -> Brief:
        """The request's brief for a front end without an agent: its copy read by the LLM when one is configured
        and the request gives none, and checked against the brief (see `Submissions.read_brief`); pass it to
        `submit`."""
        return await self.submissions.read_brief(request)

    def checked_copy(self, said: str, copy: AdCopy) -> Checked:
        """Copy an LLM read from what the user said, held to their words: what it dropped or rewrote put back,
        instructions and invented lines taken off, lines the user asked it to write flagged (tools/brief/check.py)."""
        return check_copy(said, copy, self.submissions.catalog.names())

    def checked_edit(self, said: str, change: dict[str, Any]) -> tuple[dict[str, Any], Checked]:
        """A revision's copy fields (words, or nothing to remove them) an LLM gave, held to what the user said:
        instructions and invented lines taken off (the field then keeps the video's words), lines the user asked
        it to write flagged; nothing put back (tools/brief/check.py)."""
        return check_edit(said, change, self.submissions.catalog.names())

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
        """Submit a video request for the actor's team (see `Submissions.submit`), with its `brief` when the front
        end has read it (`brief_of`)."""
        return await self.submissions.submit(actor, request, origin=origin, confirmed=confirmed,
                                             allow_paths=allow_paths, idempotency_key=idempotency_key,
                                             set_id=set_id, variant=variant, channel=channel,
                                             brief=brief)  # fmt: skip

    async def confirm(self, actor: Actor, job_id: str) -> JobView:
        """Approve a paid job's price: only the person who asked, or an admin."""
        await self._owned(actor, job_id, "confirm")
        return await self._view(await self.submissions.confirm(job_id, by=actor.user_id))

    async def cancel(self, actor: Actor, job_id: str) -> JobView:
        """Cancel a job wherever it runs (only the person who asked, or an admin); who canceled is recorded."""
        await self._owned(actor, job_id, "cancel")
        return await self._view(await self.submissions.cancel(job_id, by=actor.user_id))

    async def _owned(self, actor: Actor, job_id: str, verb: str) -> Job:
        job = await self.store.job(job_id, actor.team_id)
        await may_change(self.store, actor, job.submitted_by, f"{verb} this job")
        return job

    async def job(self, actor: Actor, job_id: str) -> JobView:
        return await self._view(await self.store.job(job_id, actor.team_id))

    async def jobs(
        self, actor: Actor, *, status: str | None = None, campaign: str | None = None, limit: int = 50
    ) -> list[JobView]:
        """The team's jobs, newest first, of one status and one campaign when given; other people's price
        questions are theirs and left out."""
        found = await self.store.campaign(actor.team_id, campaign) if campaign else None
        statuses = [JobStatus(status)] if status else None
        items = await self.store.jobs(actor.team_id, campaign_id=found.id if found else None, statuses=statuses,
                                      viewer=actor.user_id, limit=limit)  # fmt: skip
        return await self._views(actor, items)

    async def wait(self, actor: Actor, job_id: str) -> JobView:
        """Wait until a job is no longer queued or running, and return it."""
        await self.store.job(job_id, actor.team_id)
        ended = asyncio.Event()

        async def listener(event: JobEvent) -> None:
            if event.job_id == job_id and event.kind in (*FINAL_EVENTS, "offered"):  # offered: waits for a person
                ended.set()

        unsubscribe = self.bus.subscribe(listener)
        try:
            while (job := await self.store.job(job_id, actor.team_id)).status in ACTIVE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ended.wait(), WAIT_RECHECK_S)
            return await self._view(job)
        finally:
            unsubscribe()

    async def conversation(self, actor: Actor, origin: str, limit: int = 20) -> list[JobView]:
        """The videos asked for one by one from one conversation (`chat:<thread id>`), newest first (a batch's
        are its own: `studio.batches`)."""
        found = await self.store.jobs(actor.team_id, origin_prefix=origin, batched=False, limit=limit)
        return await self._views(actor, found)

    async def revise(
        self,
        actor: Actor,
        job_id: str,
        changes: dict[str, Any],
        *,
        origin: str = "",
        idempotency_key: str | None = None,
        reframe: bool = True,
    ) -> Submitted:
        """A new video from an earlier job's brief, references, template, copy and campaign, with `changes` applied:
        model, duration_s, aspect, resolution, audio, references (stored keys), `copy` (the copy fields that change;
        an empty one is removed), and the sound: `script` (the voice-over's new words), `voice` (a voice, "female",
        "male", or "none"), `captions` and `music` (False turns them off). Another model keeps the length, format
        and sound but takes its own resolution. A `channel` ("youtube") makes the version for that channel: its
        format, its brief, in the video's set. A version stays in its video's set and keeps its channel and, of a
        variation, its change. A job still waiting for its price is replaced: only its asker or an admin may change
        it, and it is canceled, never charged (`Submitted.replaces` names it). A paid video asked for in another
        format alone is reframed from its footage, free and at once, unless `reframe` is False or the format is one
        footage is not reframed to (4:3, 21:9: made anew on its model, at its price)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        named = changes.pop("channel", None)
        job, request = await self._again(actor, job_id, changes)
        spec = JobSpec.of(job)
        reframes = reframe and set(changes) == {"aspect"} and changes["aspect"] in REFRAMED
        if named is None and reframes and (footage := await self._footage(actor, job)):
            return await self._reframe(actor, job, footage, request, changes["aspect"], origin=origin,
                                       idempotency_key=idempotency_key, set_id=await self._set_of(job))  # fmt: skip
        if named is None:
            waiting = job.status == JobStatus.awaiting_confirmation
            if waiting:
                await self._owned(actor, job_id, "change")
            made = await self._resubmit(actor, request, origin=origin, idempotency_key=idempotency_key,
                                        set_id=spec.set_id, channel=spec.channel, variant=spec.variant)  # fmt: skip
            return await self._replacing(actor, job, made) if waiting else made
        channel, aspect = read_channel(named)
        request = request.model_copy(
            update={"prompt": for_channel(spec.prompt, channel), "aspect": changes.get("aspect") or aspect}
        )
        request, note = self.models.for_format(request, channel.label)
        set_id = await self._set_of(job)
        made = await self._resubmit(actor, request, origin=origin, idempotency_key=idempotency_key, set_id=set_id,
                                    channel=channel.key, variant=spec.variant)  # fmt: skip
        return made.model_copy(update={"notice": join_notices(note, made.notice)})

    async def _replacing(self, actor: Actor, waiting: Job, made: Submitted) -> Submitted:
        """A change to a job still waiting for its price: the new job replaces it, and it is canceled, never
        charged (unless it was confirmed meanwhile: then both stand, as versions)."""
        if made.job_id == waiting.id or not await self.submissions.withdraw(waiting.id, by=actor.user_id):
            return made
        return made.model_copy(update={"replaces": waiting.id})

    async def _resubmit(self, actor: Actor, request: VideoRequest, **kwargs: Any) -> Submitted:
        """Submit a request made from an earlier job's: its copy is exactly the words to show (a field the user
        removed stays empty; the brief is not read for it again)."""
        brief = self.brief_of(request).model_copy(update={"copy": request.copy})
        return await self.submit(actor, request, brief=brief, **kwargs)

    async def variations(
        self,
        actor: Actor,
        job_id: str,
        count: int,
        *,
        change: str | None = None,
        new_footage: bool = False,
        origin: str = "",
        idempotency_key: str | None = None,
    ) -> list[Submitted]:
        """`count` variations of an earlier job's video, kept together with it as one set in its campaign, each
        changing one named thing (tools/brief/variations.py): the hook, the headline order, the layout, the
        colourway, the pacing and (of a draft, whose music is ours) the music, in that order, leaving out those the
        set has; past those, each again with other shots.
        `change` asks for one kind ("price first", "colourway": a key of ASKS). The same idempotency key gives the
        same variations again (a double click, a retry).

        A paid video's variations are drawn over its footage, free and at once, unless `new_footage` is asked for
        (then each is generated anew on its model, at its price): they take only the changes drawn over footage
        (not a close-up hook, not faster cuts, whose shots and cuts are the model's), so fewer than `count` may
        come back when the set has the others already."""
        if not 1 <= count <= MAX_VARIATIONS:
            raise InvalidRequest(f"Ask for 1 to {MAX_VARIATIONS} variations at a time.")
        if change is not None and change not in ASKS:
            raise InvalidRequest(f"A variation can change: {', '.join(ASKS)}.")
        job, request = await self._again(actor, job_id, {})
        spec = JobSpec.of(job)
        set_id = await self._set_of(job)
        title = untitled(spec.title)[0]  # variations of a variation are the original's
        done, made = await self._variations_made(actor, job, set_id, title, idempotency_key)
        footage = None if new_footage else await self._footage(actor, job)
        base, pictures, over = Variant(seed=spec.variant.seed), bool(spec.references), footage is not None
        model = self.models.get(request.model)
        bed = not model.hosted  # a model's footage brings its own sound: no music variation of it
        if change is None:
            variants = plan(base, spec.copy, pictures, made, count, footage=over, bed=bed)
        elif (one := asked(change, base, spec.copy, pictures, made, footage=over, bed=bed)) is not None:
            variants = [one]
        else:
            raise _none_asked(change, spec.copy, pictures, over, bed)
        if not variants:
            raise InvalidRequest(
                "Every change that can be drawn over this video's footage is in its set already.",
                hint="Ask for variations with new footage: they are generated anew, at the model's price.",
            )
        if footage is not None:
            return [
                await self.submissions.reframe(actor, footage, spec, spec.aspect, origin=origin, set_id=set_id,
                                               title=with_change(numbered(title, done + k + 1), variant),
                                               variant=variant,
                                               idempotency_key=idempotency_key and f"{idempotency_key}:v{k}")
                for k, variant in enumerate(variants)
            ]  # fmt: skip
        submitted = [
            await self._resubmit(
                actor,
                request.model_copy(update={"title": numbered(title, done + k + 1)}),
                origin=origin,
                set_id=set_id,
                variant=variant,
                idempotency_key=idempotency_key and f"{idempotency_key}:v{k}",
            )  # fmt: skip
            for k, variant in enumerate(variants)
        ]
        return [
            m.model_copy(update={"notice": join_notices(_new_take(model.name, v) if model.hosted else "", m.notice)})
            for m, v in zip(submitted, variants, strict=True)
        ]

    async def _variations_made(
        self, actor: Actor, job: Job, set_id: str, title: str, key: str | None
    ) -> tuple[int, set[Variant]]:
        """The highest variation number already in the set, so more variations go on counting (two never share a
        title), and the variations the set has; those made with this idempotency key before are left out, so a
        retry makes and numbers them as before."""
        jobs = await self.store.jobs(actor.team_id, campaign_id=job.campaign_id, limit=500)
        specs = [
            s
            for j in jobs
            if not (key and (j.idempotency_key or "").startswith(f"{key}:v")) and (s := JobSpec.of(j)).set_id == set_id
        ]
        numbers = [n for s in specs if (named := untitled(s.title))[0] == title and (n := named[1])]
        return max(numbers, default=0), {s.variant for s in specs}

    async def formats(
        self,
        actor: Actor,
        job_id: str,
        *,
        origin: str = "",
        idempotency_key: str | None = None,
        reframe: bool = True,
    ) -> tuple[list[Submitted], list[str]]:
        """The same video in every other channel format (9:16, 1:1, 4:5, 16:9), kept together with it as one set;
        and the formats its model cannot make. A paid video's are reframed from its footage, free and at once
        (every format), unless `reframe` is False: then, like a draft's, they are made anew on its model (a paid
        one asking its price)."""
        job, request = await self._again(actor, job_id, {})
        others = [a for a in CHANNEL_FORMATS if a != request.aspect]
        if reframe and (footage := await self._footage(actor, job)):
            set_id = await self._set_of(job)
            reframed = [
                await self._reframe(actor, job, footage, request, aspect, origin=origin, set_id=set_id,
                                    idempotency_key=idempotency_key and f"{idempotency_key}:{aspect}")
                for aspect in others
            ]  # fmt: skip
            return reframed, []
        model = self.models.get(request.model)
        missing = [a for a in others if a not in model.aspects]
        if len(missing) == len(others):
            raise InvalidRequest(
                f"{model.name} makes only {', '.join(model.aspects)}.",
                hint="Try it on another model for the other formats.",
            )
        set_id = await self._set_of(job)
        made = [
            await self._resubmit(
                actor,
                request.model_copy(update={"aspect": aspect}),
                origin=origin,
                set_id=set_id,
                idempotency_key=idempotency_key and f"{idempotency_key}:{aspect}",
            )  # fmt: skip
            for aspect in others
            if aspect in model.aspects
        ]
        return made, missing

    async def regenerate_price(self, actor: Actor, job_id: str, aspect: str | None = None) -> PaidFormats | None:
        """What making a video's other formats (or `aspect` alone) anew on its model would cost, for the choice
        beside a paid video's free reframe: the formats its model can make now; None when it can make none of
        them now (it is unavailable, say), so the reframe is offered alone."""
        _, request = await self._again(actor, job_id, {})
        model = self.models.get(request.model)
        wanted = [aspect] if aspect else [a for a in CHANNEL_FORMATS if a != request.aspect]
        ask = {"duration_s": request.duration_s, "resolution": request.resolution, "audio": request.audio,
               "references": len(request.references)}  # fmt: skip
        prices: dict[str, float] = {}
        for a in wanted:
            try:
                prices[a] = self.models.estimate(model.id, aspect=a, **ask)
            except ClapboardError:  # a format it does not make, or the model is unavailable now
                continue
        if not prices:
            return None
        return PaidFormats(model=model.id, model_name=model.name, aspects=list(prices),
                           price_usd=round(sum(prices.values()), 2))  # fmt: skip

    async def has_footage(self, actor: Actor, job_id: str) -> bool:
        """Whether the job's video was finished over a model's footage still in the library: then its other
        formats are reframed from it, free, whatever its model can make now."""
        return await self._footage(actor, await self._video(actor, job_id)) is not None

    async def _video(self, actor: Actor, job_id: str) -> Job:
        """A video job of the team; an export's id is refused (it copies its creative's request, but made no
        video of its own to revise, vary or reformat)."""
        job = await self.store.job(job_id, actor.team_id)
        if job.kind == JobKind.export:
            raise InvalidRequest("That is an export, not a video.", hint="Use the id of the video it exported.")
        return job

    async def _footage(self, actor: Actor, job: Job) -> str | None:
        """The creative whose footage the job's video was finished over, if any: a reframe's original while it
        is in the library, else the video's own."""
        for creative_id in (JobSpec.of(job).footage_of, job.creative_id):
            if not creative_id:
                continue
            try:
                creative = await self.store.creative(creative_id, actor.team_id)
            except NotFound:  # deleted from the library since
                continue
            if creative.footage_key:
                return creative.id
        return None

    async def _reframe(
        self, actor: Actor, job: Job, footage: str, request: VideoRequest, aspect: str, **kwargs: Any
    ) -> Submitted:
        """A job reframing the creative `footage`'s footage to `aspect`, with the words and kit of `job`."""
        title = self.brief_of(request.model_copy(update={"aspect": aspect})).titled(aspect).title
        return await self.submissions.reframe(actor, footage, JobSpec.of(job), aspect, title=title, **kwargs)

    async def channels(
        self,
        actor: Actor,
        request: VideoRequest,
        channels: list[str],
        *,
        origin: str = "",
        idempotency_key: str | None = None,
    ) -> list[Submitted]:
        """One video per channel ("tiktok", "youtube", "linkedin 16:9": tools/channels.py), each in its channel's
        format with a brief that names only its own channel, kept together as one set. A channel whose format the
        request's model does not make is made on the cheapest model like it that does, and its notice says so."""
        wanted = {channel.key: (channel, aspect) for channel, aspect in map(read_channel, channels)}
        if not 1 <= len(wanted) <= MAX_VARIATIONS:
            raise InvalidRequest(f"Name 1 to {MAX_VARIATIONS} channels at a time.")
        for channel, aspect in wanted.values():  # every channel checked before any job is made
            self.models.for_format(request.model_copy(update={"aspect": aspect}), channel.label)
        set_id = new_id()
        made: list[Submitted] = []
        try:
            for channel, aspect in wanted.values():
                asked, note = self.models.for_format(request.model_copy(update={"aspect": aspect}), channel.label)
                submitted = await self.submit(
                    actor,
                    asked.model_copy(update={"prompt": for_channel(request.prompt, channel)}),
                    origin=origin,
                    set_id=set_id,
                    channel=channel.key,
                    idempotency_key=idempotency_key and f"{idempotency_key}:{channel.key}",
                )  # fmt: skip
                made.append(submitted.model_copy(update={"notice": join_notices(note, submitted.notice)}))
        except ClapboardError:  # one channel refused (words too long for its format...): those made are canceled
            for submitted in made:
                await self.submissions.cancel(submitted.job_id, by=actor.user_id)
            raise
        return made

    async def channel_job(self, actor: Actor, origin: str, channel: str) -> str | None:
        """The id of the conversation's latest job made for a channel ("youtube"), if any."""
        key = read_channel(channel)[0].key
        jobs = await self.store.jobs(actor.team_id, origin_prefix=origin, limit=100)
        return next((j.id for j in jobs if JobSpec.of(j).channel == key), None)

    async def _again(self, actor: Actor, job_id: str, changes: dict[str, Any]) -> tuple[Job, VideoRequest]:
        """An earlier video job of the team and its request again, with `changes`."""
        job = await self._video(actor, job_id)
        spec = JobSpec.of(job)
        campaign = await self.store.campaign_by_id(job.campaign_id)
        kept = {"model": job.model_used or job.model, "duration_s": spec.duration_s, "aspect": spec.aspect,
                "audio": spec.audio, "references": [r.key for r in spec.references],
                **_sound_kept(spec, changes)}  # fmt: skip
        if "model" not in changes:
            kept["resolution"] = spec.resolution
        changed = {k: v for k, v in changes.items() if v is not None and k != "copy"}
        copy = AdCopy.model_validate({**spec.copy.model_dump(), **(changes.get("copy") or {})})
        prompt = rewritten(spec.prompt, spec.copy, copy) if changes.get("copy") else spec.prompt
        request = VideoRequest(**{**kept, **changed}, prompt=prompt, template=spec.template,
                               campaign=campaign.name, copy=copy)  # fmt: skip
        return job, request

    async def _set_of(self, job: Job) -> str:
        """The set the job's video belongs to, started with it when it has none."""
        spec = JobSpec.of(job)
        if spec.set_id:
            return spec.set_id
        set_id = new_id()
        await self.store.update_job(job.id, spec={**job.spec, "set_id": set_id})
        if job.creative_id:
            await self.store.set_creative_set(job.creative_id, set_id)
        return set_id

    async def undelivered(self, actor: Actor, origin_prefix: str, limit: int = 20) -> list[JobView]:
        """The actor's jobs from these origins whose outcome no live chat has shown them yet, oldest first (a
        batch's videos are reported with their batch: `studio.batches.undelivered`)."""
        found = await self.store.jobs(actor.team_id, delivered=False, origin_prefix=origin_prefix,
                                      submitted_by=actor.user_id, batched=False, limit=limit)  # fmt: skip
        return await self._views(actor, list(reversed(found)))

    async def mark_delivered(self, actor: Actor, job_id: str) -> None:
        """Record that the actor's chat showed how the job ended."""
        await self.store.job(job_id, actor.team_id)
        await self.store.update_job(job_id, delivered=True)

    async def _view(self, job: Job) -> JobView:
        campaign = await self.store.campaign_by_id(job.campaign_id)
        people = await self.store.user_names(campaign.team_id, [job.submitted_by, job.confirmed_by, job.canceled_by])
        return JobView.of(job, campaign.name, people)

    async def _views(self, actor: Actor, jobs: list[Job]) -> list[JobView]:
        names = await campaign_names(self.store, actor)
        people = await self.store.user_names(
            actor.team_id, (w for j in jobs for w in (j.submitted_by, j.confirmed_by, j.canceled_by))
        )
        return [JobView.of(j, names[j.campaign_id], people) for j in jobs]

    def webhook_receiver(self, provider: str) -> WebhookReceiver:
        """The receiver of `provider`'s webhooks; NotFound for a provider that sends none."""
        receiver = self.receivers.get(provider)
        if receiver is None:
            raise NotFound(f"There is no provider {provider} that reports by webhook.")
        return receiver

    async def webhook(self, provider: str, job_id: str, headers: dict[str, str], body: bytes) -> bool:
        """Handle a provider's report on a job's render: raises WebhookRejected unless it is genuine and fresh
        (NotFound for a provider that sends none); False for a delivery already handled (a replay) or a render the
        job does not follow."""
        report = await self.webhook_receiver(provider).receive(headers, body)
        if not await self.store.first_delivery(report.delivery_id, job_id):
            return False
        try:
            job = await self.store.job(job_id)
        except NotFound:
            return False
        if job.provider_job_id != report.provider_job_id:
            log.info("webhook for %s render %s does not match job %s", provider, report.provider_job_id, job_id)
            return False
        self.bus.publish(JobEvent(kind="prediction", job_id=job.id, prediction=report.payload))
        return True
