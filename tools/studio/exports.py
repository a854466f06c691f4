"""`studio.exports`: a creative exported to the placements a campaign ships to (tools/delivery): start one,
follow it, list a creative's. Stopping one is `studio.jobs.cancel` (an export is a job)."""

from __future__ import annotations

import asyncio
import shutil
import zipfile
from pathlib import Path

from campaign.errors import NotFound
from campaign.models import JobKind
from campaign.people import Actor
from campaign.storage import BlobStorage
from campaign.store import Store
from tools.delivery.placements import DEFAULT_KEYS, PLACEMENTS, Placement
from tools.jobs.spec import JobSpec
from tools.jobs.submit import Submissions
from tools.studio.jobs import Jobs
from tools.studio.library import campaign_names
from tools.views import ExportView, export_name


class Exports:
    """Exports of the actor's team's creatives."""

    placements: tuple[Placement, ...] = PLACEMENTS  # what can be exported to, each with its specs and sources
    defaults: tuple[str, ...] = DEFAULT_KEYS  # the keys "all" means

    def __init__(self, store: Store, storage: BlobStorage, submissions: Submissions, jobs: Jobs) -> None:
        self.store = store
        self.storage = storage
        self.submissions = submissions
        self.jobs = jobs

    async def export(self, actor: Actor, creative_id: str, placements: str | list[str], *, trim: bool = False,
                     origin: str = "", idempotency_key: str | None = None) -> ExportView:  # fmt: skip
        """Export the creative to `placements` ("all", "tiktok,reels", or a list of keys or names): a job, queued
        at once and free. `trim` cuts each file to its placement's longest length (the fix a failed length check
        offers). The same idempotency key and request return the export the first one started. Raises NotFound
        for another team's creative, InvalidRequest for an unknown placement, Conflict for an idempotency key used
        for another request."""
        job = await self.submissions.export(actor, creative_id, placements, trim=trim, origin=origin,
                                            idempotency_key=idempotency_key)  # fmt: skip
        return await self.get(actor, job.id)

    async def get(self, actor: Actor, export_id: str) -> ExportView:
        """An export of the team's: its state, and once done its files, their checks, the zip and manifest."""
        job, row = await self.store.export(export_id, actor.team_id)
        campaign = await self.store.campaign_by_id(job.campaign_id)
        return ExportView.of(job, row, campaign.name, self.storage)

    async def wait(self, actor: Actor, export_id: str) -> ExportView:
        """Wait until the export has ended (delivered, failed or stopped), and return it."""
        await self.jobs.wait(actor, export_id)
        return await self.get(actor, export_id)

    async def save(self, actor: Actor, export_id: str, folder: Path) -> list[Path]:
        """The export's zip saved in `folder` with what it holds beside it (the files delivered, their captions,
        manifest.json), or manifest.json alone when nothing was delivered; the paths written."""
        job, row = await self.store.export(export_id, actor.team_id)
        folder.mkdir(parents=True, exist_ok=True)
        name = export_name(JobSpec.of(job).title)
        key, path = (
            (row.zip_key, folder / f"{name}.zip") if row.zip_key else (row.manifest_key, folder / "manifest.json")
        )
        if key is None:
            return []
        with path.open("wb") as out:
            async for chunk in self.storage.open(key):
                await asyncio.to_thread(out.write, chunk)
        return [path, *await asyncio.to_thread(_unzipped, path, folder)] if path.suffix == ".zip" else [path]

    async def undelivered(self, actor: Actor, origin_prefix: str, limit: int = 20) -> list[ExportView]:
        """The actor's exports from these origins whose outcome no live chat has shown them yet, oldest first (a
        chat marks one shown with `studio.jobs.mark_delivered`)."""
        found = await self.store.jobs(actor.team_id, delivered=False, origin_prefix=origin_prefix,
                                      submitted_by=actor.user_id, kind=JobKind.export, limit=limit)  # fmt: skip
        views = []
        for job in reversed(found):
            try:
                views.append(await self.get(actor, job.id))
            except NotFound:  # its creative was deleted as it ended: nothing is left to report
                continue
        return views

    async def list(self, actor: Actor, creative_id: str | None = None, limit: int = 50) -> list[ExportView]:
        """The team's exports, newest first (one creative's when given)."""
        names = await campaign_names(self.store, actor)
        found = await self.store.exports(actor.team_id, creative_id, limit)
        return [ExportView.of(job, row, names[job.campaign_id], self.storage) for job, row in found]


def _unzipped(path: Path, folder: Path) -> list[Path]:
    """Blocking: what the export's zip holds, written into `folder` (by plain file name); their paths."""
    written = []
    with zipfile.ZipFile(path) as bundle:
        for member in bundle.namelist():
            written.append(folder / Path(member).name)
            with bundle.open(member) as src, written[-1].open("wb") as dst:
                shutil.copyfileobj(src, dst)
    return written
