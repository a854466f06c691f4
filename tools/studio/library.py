"""`studio.library`: the team's campaigns and the creatives made for them: list, create, find, rename, delete."""

from __future__ import annotations

from campaign.errors import Forbidden, InvalidRequest, NotFound
from campaign.models import ACTIVE, Creative, Export, JobStatus, name_key
from campaign.people import Actor
from campaign.storage import BlobStorage
from campaign.store import Store
from tools.brief import clean_title
from tools.jobs.submit import Submissions
from tools.sound.speech import CreativeSound
from tools.studio.budgets import Budgets
from tools.views import CampaignView, CreativeView, ExportView, LibraryView, StoredFile

ID_PREFIX_CHARS = 4  # the shortest start of an id that finds a creative
EXPORTS_READ = 500  # the team's newest delivered exports the library looks through for its cards' latest


async def campaign_names(store: Store, actor: Actor) -> dict[str, str]:
    """The team's campaign names by id."""
    return {c.id: c.name for c in await store.campaigns(actor.team_id)}


class Library:
    """Campaigns and creatives, the actor's team's only."""

    def __init__(self, store: Store, storage: BlobStorage, submissions: Submissions, budgets: Budgets) -> None:
        self.store = store
        self.storage = storage
        self.submissions = submissions  # cancels a creative's exports still under way when it is deleted
        self.budgets = budgets  # the team's spent, reserved and left this month

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
        names = await campaign_names(self.store, actor)
        people = await self.store.user_names(actor.team_id, (who for c in items for who in (c.made_by, c.confirmed_by)))
        return [CreativeView.of(c, names[c.campaign_id], self.storage, people) for c in items]

    async def library(self, actor: Actor, campaign: str | None = None, limit: int = 200) -> LibraryView:
        """The campaign library: the team's campaigns (or the one named) with their totals, their newest
        creatives, which of those the actor may delete, and the team's spent, reserved and left this month."""
        items = await self._creatives(actor, campaign, limit)
        campaigns = await self.campaigns(actor)
        if campaign:
            campaigns = [c for c in campaigns if name_key(c.name) == name_key(campaign.strip())]
        deletable = [c.id for c in items if self._may_delete(actor, c)]
        return LibraryView(campaigns=campaigns, creatives=await self._creative_views(actor, items), deletable=deletable,
                           exports=await self._latest_exports(actor, items),
                           month=await self.budgets.month(actor))  # fmt: skip

    async def _latest_exports(self, actor: Actor, items: list[Creative]) -> dict[str, ExportView]:
        """The latest delivered export of each of these creatives that has one."""
        shown, names = {c.id for c in items}, await campaign_names(self.store, actor)
        latest: dict[str, ExportView] = {}
        for job, row in await self.store.exports(actor.team_id, limit=EXPORTS_READ, status=JobStatus.succeeded):
            if row.creative_id in shown and row.creative_id not in latest:
                latest[row.creative_id] = ExportView.of(job, row, names[job.campaign_id], self.storage)
        return latest

    async def creative(self, actor: Actor, creative_id: str) -> CreativeView:
        creative = await self.store.creative(creative_id, actor.team_id)
        campaign = await self.store.campaign_by_id(creative.campaign_id)
        people = await self.store.user_names(actor.team_id, [creative.made_by, creative.confirmed_by])
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
        """Delete a creative, its maker or an admin only. Its exports still queued or running are canceled first
        (a running one takes back what it stored); its video, poster, footage, voice-over, captions and exports'
        files leave storage; then its row and its exports' rows go. The job that made it keeps its history; its
        export jobs keep theirs (who asked, when, how it ended), with no files left to show. Reference images stay
        (they are shared by content)."""
        creative = await self.store.creative(creative_id, actor.team_id)
        if not self._may_delete(actor, creative):
            maker = (await self.store.user_names(actor.team_id, [creative.made_by])).get(
                creative.made_by or "", "its maker"
            )
            raise Forbidden(f"Only {maker} or an admin can delete this creative.")
        for job, _ in await self.store.exports(actor.team_id, creative.id, limit=1000):
            if job.status in ACTIVE:
                await self.submissions.cancel(job.id, by=actor.user_id)
        # Files first: a failure leaves it to delete again.
        sound = CreativeSound.model_validate(creative.sound) if creative.sound else CreativeSound()
        for key in (creative.file_key, creative.poster_key, creative.footage_key, sound.voice_key, sound.srt_key,
                    sound.vtt_key):  # fmt: skip
            if key:
                await self.storage.delete(key)
        for _, export in await self.store.exports(actor.team_id, creative.id, limit=1000):
            for key in export_keys(export):
                await self.storage.delete(key)
        await self.store.delete_creative(creative.id, actor.team_id)

    @staticmethod
    def _may_delete(actor: Actor, creative: Creative) -> bool:
        return actor.admin or creative.made_by == actor.user_id


def export_keys(export: Export) -> list[str]:
    """Every file an export stored: each delivered file and its captions, the zip and manifest.json."""
    files = [StoredFile.model_validate(f) for f in export.files]
    keys = [k for f in files for k in (f.key, f.srt_key, f.vtt_key)] + [export.zip_key, export.manifest_key]
    return [k for k in keys if k]
