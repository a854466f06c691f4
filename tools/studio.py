"""The facade every front end calls: models, users and sign-in (`accounts`), campaigns, creatives, reference
images, jobs (submit, confirm, cancel, wait, list), stored files, and the provider webhooks. Every call a person
makes carries their actor, and sees only their team's things: another team's ids are not found. It assembles the
services (store, storage, catalog, references, the job backend and the event bus); front ends never reach past
it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from campaign.errors import ClapboardError, Forbidden, InvalidRequest, NotFound
from campaign.models import ACTIVE, Creative, Job, JobStatus, name_key, new_id
from campaign.people import Actor
from campaign.settings import Settings
from campaign.storage import BlobStorage, UrlSigner, build_storage, content_disposition, safe_key
from campaign.store import Store
from tools.accounts import Accounts
from tools.brief import AdCopy, clean_title
from tools.catalog import Catalog, ModelView
from tools.channels import channel_of as channel_of  # the facade's reading of channels, for the front ends
from tools.channels import channels_in as channels_in
from tools.channels import for_channel
from tools.channels import format_named as format_named
from tools.channels import read_channel as read_channel
from tools.engines.base import PROVIDER_ANSWERED as PROVIDER_ANSWERED  # progress at which a provider took a job
from tools.engines.base import EngineFactory
from tools.engines.registry import build_catalog, engine_factory
from tools.engines.replicate.hooks import WebhookVerifier
from tools.jobs.backends import Backend, InProcessBackend
from tools.jobs.body import JobBody
from tools.jobs.events import EventBus, JobEvent
from tools.jobs.relay import Relay
from tools.jobs.spec import JobSpec, Submitted, VideoRequest
from tools.jobs.submit import Submissions
from tools.references import Reference, ReferenceIntake
from tools.views import CampaignView, CreativeView, JobView, LibraryView

log = logging.getLogger(__name__)

FINAL_EVENTS = ("creative_ready", "failed", "canceled")
CHAT_FILES = "chat/"  # the history's own files: element content that is neither a video nor an attachment
WAIT_RECHECK_S = 2.0  # how often `wait` re-reads the job, in case another runner finished it
ID_PREFIX_CHARS = 4  # the shortest start of an id that finds a creative
MAX_VARIATIONS = 6
CHANNEL_FORMATS = ("9:16", "1:1", "4:5", "16:9")  # one brief fanned out to every channel


def backend_for(body: JobBody, *, server: bool) -> Backend:
    """Procrastinate when the database is PostgreSQL, else the in-process backend (SQLite: one machine)."""
    conninfo = body.settings.postgres_conninfo
    if conninfo is None:
        return InProcessBackend(body, adopt_orphans=server)
    from tools.jobs.queue import QueueBackend

    return QueueBackend(body, conninfo, worker=server and body.settings.embedded_worker)


class Studio:
    """One per process: `open` it at start-up (jobs left by a crash are taken over), `close` it at shutdown."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        storage: BlobStorage,
        catalog: Catalog,
        intake: ReferenceIntake,
        bus: EventBus,
        backend: Backend,
        submissions: Submissions,
        webhooks: WebhookVerifier,
        relay: Relay | None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.storage = storage
        self.catalog = catalog
        self.intake = intake
        self.bus = bus
        self.backend = backend
        self.submissions = submissions
        self.webhooks = webhooks
        self.relay = relay
        self.accounts = Accounts(settings, store)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        server: bool = True,
        catalog: Catalog | None = None,
        engines: EngineFactory | None = None,
    ) -> Studio:
        """Open the services and start the job backend: Procrastinate on PostgreSQL, this process otherwise.

        A `server` runs jobs: it takes over orphaned ones and, on PostgreSQL, runs the embedded worker unless
        `embedded_worker` is off. Without it (the CLI) jobs wait for a worker on PostgreSQL, and on SQLite
        the process runs only the jobs it submits. `catalog` and `engines` replace the configured models and
        their engines (tests)."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await Store.open(settings.sqlalchemy_url)
        storage = build_storage(settings)
        catalog = catalog or build_catalog(settings)
        intake = ReferenceIntake(settings, storage)
        bus = EventBus()
        engines = engines or engine_factory(settings, storage, bus.subscribe)
        body = JobBody(settings, store, storage, catalog, engines, bus)
        backend = backend_for(body, server=server)
        submissions = Submissions(settings, store, catalog, intake, backend, bus)
        relay = Relay(settings.postgres_conninfo, bus, store, storage) if settings.postgres_conninfo else None
        studio = cls(
            settings, store, storage, catalog, intake, bus, backend, submissions, WebhookVerifier(settings), relay
        )
        if relay is not None:
            await relay.start()
        await backend.start()
        return studio

    async def close(self) -> None:
        """Stop running jobs (they are given back, not failed: the next runner carries on) and close."""
        await self.backend.stop()
        await self.bus.drain()
        if self.relay is not None:
            await self.relay.stop()
        await self.bus.close()
        await self.store.close()
        self.accounts.close()

    async def work(self, *, queues: tuple[str, ...], concurrency: int | None) -> None:
        """Run jobs from the PostgreSQL queue until stopped (`clapboard worker`)."""
        from tools.jobs.queue import QueueBackend

        assert isinstance(self.backend, QueueBackend), "workers need PostgreSQL"
        await self.backend.work(queues=queues, concurrency=concurrency)

    def subscribe(self, listener: Callable[[JobEvent], Awaitable[None]]) -> Callable[[], None]:
        """Hear every job event from now on; returns the unsubscribe."""
        return self.bus.subscribe(listener)

    # models, campaigns, creatives

    def models(self) -> list[ModelView]:
        return [ModelView.of(m) for m in self.catalog.all()]

    async def campaigns(self, actor: Actor) -> list[CampaignView]:
        """The team's campaigns, oldest first, with how many creatives each has and what they cost."""
        totals = await self.store.campaign_totals(actor.team_id)
        return [CampaignView.of(c, totals.get(c.id, (0, 0.0))) for c in await self.store.campaigns(actor.team_id)]

    async def create_campaign(self, actor: Actor, name: str) -> CampaignView:
        campaign = await self.store.campaign(actor.team_id, name, create=True)
        return CampaignView.of(campaign, (await self.store.campaign_totals(actor.team_id)).get(campaign.id, (0, 0.0)))

    async def creatives(self, actor: Actor, campaign: str | None = None, limit: int = 100) -> list[CreativeView]:
        """The team's creatives, newest first; one campaign's when named."""
        return await self._creative_views(actor, await self._creatives(actor, campaign, limit))

    async def _creatives(self, actor: Actor, campaign: str | None, limit: int) -> list[Creative]:
        found = await self.store.campaign(actor.team_id, campaign) if campaign else None
        return await self.store.creatives(actor.team_id, found.id if found else None, limit=limit)

    async def _creative_views(self, actor: Actor, items: list[Creative]) -> list[CreativeView]:
        names = await self._campaign_names(actor)
        people = await self.store.user_names(who for c in items for who in (c.made_by, c.confirmed_by))
        return [CreativeView.of(c, names[c.campaign_id], self.storage, people) for c in items]

    async def library(self, actor: Actor, campaign: str | None = None, limit: int = 200) -> LibraryView:
        """The campaign library: the team's campaigns (or the one named) with their totals, their newest
        creatives, and which of those the actor may delete."""
        items = await self._creatives(actor, campaign, limit)
        campaigns = await self.campaigns(actor)
        if campaign:
            campaigns = [c for c in campaigns if name_key(c.name) == name_key(campaign.strip())]
        deletable = [c.id for c in items if self._may_delete(actor, c)]
        return LibraryView(campaigns=campaigns, creatives=await self._creative_views(actor, items), deletable=deletable)

    async def creative(self, actor: Actor, creative_id: str) -> CreativeView:
        creative = await self.store.creative(creative_id, actor.team_id)
        campaign = await self.store.campaign_by_id(creative.campaign_id)
        people = await self.store.user_names([creative.made_by, creative.confirmed_by])
        return CreativeView.of(creative, campaign.name, self.storage, people)

    async def find_creative(self, actor: Actor, id_or_prefix: str) -> CreativeView:
        """A creative by its id, or by the start of it (at least 4 characters, as lists print 8) when only one of
        the team's creatives starts so."""
        wanted = id_or_prefix.strip().lower()
        found = await self.store.creative_ids(actor.team_id, wanted) if len(wanted) >= ID_PREFIX_CHARS else []
        if len(found) > 1:
            raise InvalidRequest(f"More than one creative starts with '{wanted}'.", hint="Give more of its id.")
        if not found:
            raise NotFound(f"There is no creative {wanted}.")
        return await self.creative(actor, found[0])

    async def rename_creative(self, actor: Actor, creative_id: str, title: str) -> CreativeView:
        """Give a creative a new title (anyone in the team may): 1 to 120 characters, on one line."""
        await self.store.rename_creative(creative_id, actor.team_id, clean_title(title))
        return await self.creative(actor, creative_id)

    async def delete_creative(self, actor: Actor, creative_id: str) -> None:
        """Delete a creative, its maker or an admin only: its video and poster leave storage, then its row goes;
        the job that made it keeps its history. Reference images stay (they are shared by content)."""
        creative = await self.store.creative(creative_id, actor.team_id)
        if not self._may_delete(actor, creative):
            maker = (await self.store.user_names([creative.made_by])).get(creative.made_by or "", "its maker")
            raise Forbidden(f"Only {maker} or an admin can delete this creative.")
        for key in (creative.file_key, creative.poster_key):  # files first: a failure leaves it to delete again
            if key:
                await self.storage.delete(key)
        await self.store.delete_creative(creative.id, actor.team_id)

    @staticmethod
    def _may_delete(actor: Actor, creative: Creative) -> bool:
        return actor.admin or creative.made_by == actor.user_id

    async def _campaign_names(self, actor: Actor) -> dict[str, str]:
        return {c.id: c.name for c in await self.store.campaigns(actor.team_id)}

    # reference images and stored files

    async def add_reference(
        self, actor: Actor, *, data: bytes | None = None, path: Path | None = None, name: str = ""
    ) -> Reference:
        """Check and store a reference image from an upload's bytes or a file (a chat attachment); its key is
        the team's to pass in `references`."""
        if data is not None:
            reference = await self.intake.from_bytes(data, name)
        else:
            reference = await self.intake.from_path(path or Path(), name=name or None)
        await self.store.grant_reference(actor.team_id, reference.key)
        return reference

    async def history_attachment(self, path: Path, name: str) -> str | None:
        """A chat attachment as the history keeps it: the key of the reference image it becomes, or None when it
        is not an image we accept (the message that carried it is answered with why)."""
        try:
            return (await self.intake.from_path(path, name=name)).key
        except ClapboardError:
            return None

    async def save_chat_file(self, key: str, data: bytes, content_type: str) -> str:
        """Keep a file of the chat's history under `chat/` (what an element carries that is neither one of our
        videos nor an attachment); returns its storage key."""
        stored = f"{CHAT_FILES}{safe_key(key)}"
        await self.storage.put(stored, data, content_type)
        return stored

    def file_url(self, key: str) -> str:
        """A fresh link to a stored file (a history element: an attachment or a creative's video)."""
        return self.storage.url(safe_key(key))

    async def delete_chat_file(self, key: str) -> bool:
        """Delete a history file; a creative's files are the library's and stay (False)."""
        if not key.startswith(CHAT_FILES):
            return False
        await self.storage.delete(safe_key(key))
        return True

    def signed_file(self, key: str, exp: str, sig: str, download: str = "") -> tuple[Path, str | None]:
        """The local file behind a signed, unexpired link (the link is the permission, as with S3's presigned
        URLs), and the Content-Disposition of a download link; Forbidden for a bad or expired signature (the
        download name is signed too), NotFound for a missing file."""
        signer: UrlSigner | None = getattr(self.storage, "signer", None)
        if signer is None or not signer.verify(key, exp, sig, download):
            raise Forbidden("This link is invalid or has expired.")
        path = self.storage.local_path(safe_key(key))
        if path is None:
            raise NotFound("That file does not exist.")
        return path, content_disposition(download) if download else None

    # jobs

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
        variant: int = 0,
        channel: str | None = None,
    ) -> Submitted:
        """Submit a video request for the actor's team (see `Submissions.submit`)."""
        return await self.submissions.submit(actor, request, origin=origin, confirmed=confirmed,
                                             allow_paths=allow_paths, idempotency_key=idempotency_key,
                                             set_id=set_id, variant=variant, channel=channel)  # fmt: skip

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
        if job.submitted_by != actor.user_id and not actor.admin:
            asker = (await self.store.user_names([job.submitted_by])).get(job.submitted_by or "", "its owner")
            raise Forbidden(f"Only {asker} or an admin can {verb} this job.")
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
            if event.job_id == job_id and event.kind in FINAL_EVENTS:
                ended.set()

        unsubscribe = self.bus.subscribe(listener)
        try:
            while (job := await self.store.job(job_id)).status in ACTIVE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ended.wait(), WAIT_RECHECK_S)
            return await self._view(job)
        finally:
            unsubscribe()

    async def conversation(self, actor: Actor, origin: str, limit: int = 20) -> list[JobView]:
        """The jobs asked for from one conversation (`chat:<thread id>`), newest first."""
        return await self._views(actor, await self.store.jobs(actor.team_id, origin_prefix=origin, limit=limit))

    async def revise(
        self,
        actor: Actor,
        job_id: str,
        changes: dict[str, Any],
        *,
        origin: str = "",
        idempotency_key: str | None = None,
    ) -> Submitted:
        """A new video from an earlier job's brief, references, template, copy and campaign, with `changes`
        applied: model, duration_s, aspect, resolution, audio, references (stored keys), and `copy` (the copy
        fields that change). Another model keeps the length, format and sound but takes its own resolution.
        A `channel` ("youtube") makes the version for that channel: its format, its brief, in the video's set.
        A version stays in its video's set and keeps its channel."""
        changes = dict(changes)
        named = changes.pop("channel", None)
        job, request = await self._again(actor, job_id, changes)
        spec = JobSpec.of(job)
        if named is None:
            return await self.submit(actor, request, origin=origin, idempotency_key=idempotency_key,
                                     set_id=spec.set_id, channel=spec.channel)  # fmt: skip
        channel, aspect = read_channel(named)
        request = request.model_copy(
            update={"prompt": for_channel(spec.prompt, channel), "aspect": changes.get("aspect") or aspect}
        )
        request, note = self._fitting(request, channel.label)
        made = await self.submit(actor, request, origin=origin, idempotency_key=idempotency_key,
                                 set_id=await self._set_of(job), channel=channel.key)  # fmt: skip
        return made.model_copy(update={"notice": " ".join(n for n in (note, made.notice) if n)})

    async def variations(
        self, actor: Actor, job_id: str, count: int, *, origin: str = "", idempotency_key: str | None = None
    ) -> list[Submitted]:
        """`count` new takes on an earlier job's request (other shots, layout and motion; a provider's other
        seed), kept together with it as one set in its campaign."""
        if not 1 <= count <= MAX_VARIATIONS:
            raise InvalidRequest(f"Ask for 1 to {MAX_VARIATIONS} variations at a time.")
        job, request = await self._again(actor, job_id, {})
        set_id = await self._set_of(job)
        # Another set of takes than any before, the same one again for the same key (a double click, a retry).
        seed = int(hashlib.sha256(idempotency_key.encode()).hexdigest()[:8], 16) if idempotency_key else None
        first = (seed if seed is not None else secrets.randbelow(1 << 32)) * MAX_VARIATIONS + 1
        title = re.sub(r", variation \d+$", "", JobSpec.of(job).title)  # takes of a take are the original's
        done = await self._variations_made(actor, job, set_id, title, idempotency_key)
        return [
            await self.submit(
                actor,
                request.model_copy(update={"title": f"{title}, variation {done + k + 1}"}),
                origin=origin,
                set_id=set_id,
                variant=first + k,
                idempotency_key=idempotency_key and f"{idempotency_key}:v{k}",
            )  # fmt: skip
            for k in range(count)
        ]

    async def _variations_made(self, actor: Actor, job: Job, set_id: str, title: str, key: str | None) -> int:
        """The highest variation number already in the set, so more takes go on counting (two never share a
        title); takes made with this idempotency key before are left out, so a retry numbers them as before."""
        taken = re.compile(rf"{re.escape(title)}, variation (\d+)")
        jobs = await self.store.jobs(actor.team_id, campaign_id=job.campaign_id, limit=500)
        numbers = [
            int(m.group(1))
            for j in jobs
            if not (key and (j.idempotency_key or "").startswith(f"{key}:v"))
            and (s := JobSpec.of(j)).set_id == set_id
            and (m := taken.fullmatch(s.title))
        ]
        return max(numbers, default=0)

    async def formats(
        self, actor: Actor, job_id: str, *, origin: str = "", idempotency_key: str | None = None
    ) -> tuple[list[Submitted], list[str]]:
        """The same video in every other channel format its model makes (9:16, 1:1, 4:5, 16:9), kept together
        with it as one set; and the formats the model cannot make."""
        job, request = await self._again(actor, job_id, {})
        model = self.catalog.get(request.model)
        others = [a for a in CHANNEL_FORMATS if a != request.aspect]
        missing = [a for a in others if a not in model.aspects]
        if len(missing) == len(others):
            raise InvalidRequest(
                f"{model.name} makes only {', '.join(model.aspects)}.",
                hint="Try it on another model for the other formats.",
            )
        set_id = await self._set_of(job)
        made = [
            await self.submit(
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
            self._fitting(request.model_copy(update={"aspect": aspect}), channel.label)
        set_id = new_id()
        made: list[Submitted] = []
        try:
            for channel, aspect in wanted.values():
                asked, note = self._fitting(request.model_copy(update={"aspect": aspect}), channel.label)
                submitted = await self.submit(
                    actor,
                    asked.model_copy(update={"prompt": for_channel(request.prompt, channel)}),
                    origin=origin,
                    set_id=set_id,
                    channel=channel.key,
                    idempotency_key=idempotency_key and f"{idempotency_key}:{channel.key}",
                )  # fmt: skip
                made.append(submitted.model_copy(update={"notice": " ".join(n for n in (note, submitted.notice) if n)}))
        except ClapboardError:  # one channel refused (words too long for its format...): those made are canceled
            for submitted in made:
                await self.submissions.cancel(submitted.job_id, by=actor.user_id)
            raise
        return made

    def _fitting(self, request: VideoRequest, label: str) -> tuple[VideoRequest, str]:
        """The request on a model that makes its format: its own, else the cheapest available one of the same kind
        (paid or free) that makes it as asked; and what the user is told."""
        model = self.catalog.get(request.model)
        if request.aspect in model.aspects:
            return request, ""
        ask: dict[str, Any] = {
            "duration_s": request.duration_s,
            "aspect": request.aspect,
            "references": len(request.references),
        }
        fitting = self.catalog.fits(**ask, audio=request.audio)
        others = [m for m in fitting if m.paid == model.paid] or fitting
        if not others:
            raise InvalidRequest(f"No model here makes the {label} format ({request.aspect}) as asked.",
                                 hint="Name another length, or leave that channel out.")  # fmt: skip
        other = min(others, key=lambda m: self.catalog.resolve(m.id, **ask).estimated_cost_usd)
        note = f"{model.name} does not make {request.aspect}, so the {label} one is made on {other.name}."
        return request.model_copy(update={"model": other.id}), note

    async def channel_job(self, actor: Actor, origin: str, channel: str) -> str | None:
        """The id of the conversation's latest job made for a channel ("youtube"), if any."""
        key = read_channel(channel)[0].key
        jobs = await self.store.jobs(actor.team_id, origin_prefix=origin, limit=100)
        return next((j.id for j in jobs if JobSpec.of(j).channel == key), None)

    async def _again(self, actor: Actor, job_id: str, changes: dict[str, Any]) -> tuple[Job, VideoRequest]:
        """An earlier job of the team and its request again, with `changes`."""
        job = await self.store.job(job_id, actor.team_id)
        spec = JobSpec.of(job)
        campaign = await self.store.campaign_by_id(job.campaign_id)
        kept = {"model": job.model_used or job.model, "duration_s": spec.duration_s, "aspect": spec.aspect,
                "audio": spec.audio, "references": [r.key for r in spec.references]}  # fmt: skip
        if "model" not in changes:
            kept["resolution"] = spec.resolution
        changed = {k: v for k, v in changes.items() if v is not None and k != "copy"}
        copy = AdCopy.model_validate(changes.get("copy") or {}).over(spec.copy)
        request = VideoRequest(**{**kept, **changed}, prompt=spec.prompt, template=spec.template,
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
        """The actor's jobs from these origins whose outcome no live chat has shown them yet, oldest first."""
        found = await self.store.jobs(actor.team_id, delivered=False, origin_prefix=origin_prefix,
                                      submitted_by=actor.user_id, limit=limit)  # fmt: skip
        return await self._views(actor, list(reversed(found)))

    async def mark_delivered(self, actor: Actor, job_id: str) -> None:
        """Record that the actor's chat showed how the job ended."""
        await self.store.job(job_id, actor.team_id)
        await self.store.update_job(job_id, delivered=True)

    async def _view(self, job: Job) -> JobView:
        campaign = await self.store.campaign_by_id(job.campaign_id)
        people = await self.store.user_names([job.submitted_by, job.confirmed_by, job.canceled_by])
        return JobView.of(job, campaign.name, people)

    async def _views(self, actor: Actor, jobs: list[Job]) -> list[JobView]:
        names = await self._campaign_names(actor)
        people = await self.store.user_names(w for j in jobs for w in (j.submitted_by, j.confirmed_by, j.canceled_by))
        return [JobView.of(j, names[j.campaign_id], people) for j in jobs]

    # provider webhooks

    async def replicate_webhook(self, job_id: str, headers: dict[str, str], body: bytes) -> bool:
        """Handle Replicate's report on a job's prediction: raises WebhookRejected unless it is genuine and
        fresh; False for a delivery already handled (a replay) or a prediction the job does not follow."""
        prediction = await self.webhooks.verify(headers, body)
        if not await self.store.first_delivery(headers.get("webhook-id", ""), job_id):
            return False
        try:
            job = await self.store.job(job_id)
        except NotFound:
            return False
        if job.provider_job_id != prediction["id"]:
            log.info("webhook for prediction %s does not match job %s", prediction["id"], job_id)
            return False
        self.bus.publish(JobEvent(kind="prediction", job_id=job.id, prediction=prediction))
        return True
