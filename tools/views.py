"""What front ends show of a creative and a job: built from the tables, never copied field by field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from campaign.ledger import dollars, month_name
from campaign.models import Campaign, Creative, Export, Job
from campaign.people import LOCAL_OWNER, LOCAL_OWNER_ID
from campaign.storage import BlobStorage
from tools.brand import BrandVersion
from tools.brief import AdCopy, download_name
from tools.brief.variations import label_in
from tools.delivery.report import Check, Fix, Provenance
from tools.jobs.spec import JobSpec
from tools.sound.speech import CreativeSound, SoundSpec


class CreativeView(BaseModel):
    """A creative as the chat, the CLI and the API show it."""

    id: str
    job_id: str | None  # the job that made it (none for creatives made before jobs were kept)
    campaign: str
    title: str
    model: str
    template: str | None
    prompt: str
    prompt_sent: str
    duration_s: float
    aspect: str
    width: int
    height: int
    fps: float
    bytes: int
    file: str | None  # a local path when storage is local
    file_key: str  # the video's key in our storage
    url: str
    download_url: str  # saves the video as "<title>-<format>.mp4"
    footage_key: str | None  # a paid model's raw footage, kept beside the ad (none for drafts)
    footage_url: str | None  # saves that footage as "<title>-footage.mp4"
    poster_url: str | None
    reference_keys: list[str]
    copy: AdCopy  # type: ignore[assignment]  # shadows BaseModel.copy on purpose; exactly the words on screen
    set_id: str | None  # the set of variations or formats it was made in
    variation: str  # what this variation changes ("hook: the price first"); empty for an original
    estimated_cost_usd: float
    actual_cost_usd: float | None
    provider_job_id: str | None
    notice: str | None
    made_by: str | None  # who asked for it, and who approved its price (paid models)
    confirmed_by: str | None
    brand_version: BrandVersion | None  # the brand kit versions it followed (none: no kit was set)
    sound: CreativeSound | None  # its voice-over, music bed and loudness measured (none: silent, made before)
    captions_srt_url: str | None  # saves its voice-over's captions as "<title>-<format>.srt" (none: no captions)
    captions_vtt_url: str | None  # the same as WebVTT
    review_status: str  # draft, in review, approved or changes requested (tools/studio/reviews.py)
    created_at: str

    @classmethod
    def of(cls, c: Creative, campaign: str, storage: BlobStorage, people: Mapping[str, str] = {}) -> CreativeView:
        """`people` names the users by id (the audit columns hold ids)."""
        path = storage.local_path(c.file_key)
        return cls.model_validate(
            {
                **{name: getattr(c, name) for name in cls.model_fields if hasattr(c, name)},
                **_named(people, made_by=c.made_by, confirmed_by=c.confirmed_by),
                "campaign": campaign,
                "variation": label_in(c.title),
                "file": str(path) if path else None,
                "url": storage.url(c.file_key),
                "download_url": storage.url(c.file_key, download=download_name(c.title, c.aspect)),
                "poster_url": storage.url(c.poster_key) if c.poster_key else None,
                "footage_url": storage.url(c.footage_key, download=download_name(c.title, "footage"))
                if c.footage_key
                else None,
                **_captions(c, storage),
                "created_at": c.created_at.isoformat(),
            }
        )


def _captions(c: Creative, storage: BlobStorage) -> dict[str, str | None]:
    """Download links of a creative's caption files, named after the video ("Sneaker ad-9x16.srt")."""
    sound = CreativeSound.model_validate(c.sound) if c.sound else CreativeSound()
    name = download_name(c.title, c.aspect).removesuffix(".mp4")
    return {
        "captions_srt_url": storage.url(sound.srt_key, download=f"{name}.srt") if sound.srt_key else None,
        "captions_vtt_url": storage.url(sound.vtt_key, download=f"{name}.vtt") if sound.vtt_key else None,
    }


class CampaignView(BaseModel):
    """A campaign with how many creatives it has and what they cost (actual cost where known, else estimated)."""

    id: str
    name: str
    created_at: str
    creatives: int
    spend_usd: float

    @classmethod
    def of(cls, c: Campaign, totals: tuple[int, float] = (0, 0.0)) -> CampaignView:
        count, spend = totals
        return cls(id=c.id, name=c.name, created_at=c.created_at.isoformat(), creatives=count,
                   spend_usd=round(spend, 4))  # fmt: skip


class MonthSpend(BaseModel):
    """What a team, or one of its users, spent and has reserved this month, against its monthly budget if any."""

    month: str  # "2026-12" (UTC)
    budget_usd: float | None  # None: no budget
    spent_usd: float  # settled: what the ended jobs cost
    reserved_usd: float  # the estimates of confirmed paid jobs not ended yet
    left_usd: float | None  # what the budget leaves (never below 0); None without a budget

    @classmethod
    def of(cls, month: str, budget_usd: float | None, spent: float, reserved: float) -> MonthSpend:
        left = None if budget_usd is None else round(max(budget_usd - spent - reserved, 0.0), 4)
        return cls(month=month, budget_usd=budget_usd, spent_usd=spent, reserved_usd=reserved, left_usd=left)

    @property
    def line(self) -> str:
        """ "December: $4.80 spent, $2.40 reserved, $2.80 left of the $10.00 budget" (spent and reserved only
        without a budget)."""
        named = month_name(self.month).split()[0]
        said = f"{named}: {dollars(self.spent_usd)} spent, {dollars(self.reserved_usd)} reserved"
        if self.budget_usd is None or self.left_usd is None:
            return said
        return f"{said}, {dollars(self.left_usd)} left of the {dollars(self.budget_usd)} budget"


class LibraryView(BaseModel):
    """The team's campaigns with their totals, their creatives newest first, which of those the viewer may delete
    (their own, or any for an admin), each one's latest delivered export, and the team's spend this month."""

    campaigns: list[CampaignView]
    creatives: list[CreativeView]
    deletable: list[str]
    exports: dict[str, ExportView] = {}  # by creative id: the latest delivered export of each creative shown
    month: MonthSpend | None = None  # the team's spent, reserved and left this month


class JobView(BaseModel):
    """A job as the API and the CLI show it."""

    id: str
    campaign: str
    title: str
    variation: str  # what this variation changes ("hook: the price first"); empty for an original
    copy: AdCopy  # type: ignore[assignment]  # shadows BaseModel.copy on purpose; the words it puts on screen
    sound: SoundSpec  # the voice-over and its script, captions, music
    voice_name: str  # who reads the voice-over ("" for none)
    voice_cost_usd: float  # what the voice-over costs, part of estimated_cost_usd
    status: str
    model: str
    model_used: str | None
    progress: float
    estimated_cost_usd: float
    stage: str | None
    error: str | None
    notice: str | None
    origin: str
    submitted_by: str | None  # names: who asked, who approved the price, who canceled
    confirmed_by: str | None
    canceled_by: str | None
    creative_id: str | None
    prediction_id: str | None
    voice_prediction_id: str | None  # a premium voice-over made (and paid) for it, before its video
    runner: str | None  # the server or worker holding it: host:pid:id
    attempts: int
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, job: Job, campaign: str, people: Mapping[str, str] = {}) -> JobView:
        """`people` names the users by id (the audit columns hold ids)."""
        return cls.model_validate(
            {
                **{name: getattr(job, name) for name in cls.model_fields if hasattr(job, name)},
                **_named(
                    people, submitted_by=job.submitted_by, confirmed_by=job.confirmed_by, canceled_by=job.canceled_by
                ),  # fmt: skip
                "campaign": campaign,
                "title": (spec := JobSpec.of(job)).title,
                "variation": spec.variant.label,
                "copy": spec.copy,
                "sound": spec.sound,
                **dict(zip(("voice_name", "voice_cost_usd"), spec.voice(), strict=True)),
                "prediction_id": job.provider_job_id,
                "created_at": job.created_at.isoformat(),
                "updated_at": job.updated_at.isoformat(),
            }
        )


def _named(people: Mapping[str, str], **ids: str | None) -> dict[str, str | None]:
    """User ids as names: the local owner as "owner", an unknown id as itself (records older than users)."""
    known = {LOCAL_OWNER_ID: LOCAL_OWNER.name, **people}
    return {k: None if v is None else known.get(v, v) for k, v in ids.items()}


class PlacementFile(BaseModel):
    """One placement's file of an export and its checks: delivered only when every check passed."""

    placement: str  # its key: "tiktok"
    label: str  # "TikTok in-feed"
    delivered: bool  # every check passed: the file is stored and in the zip
    name: str | None  # its name in the zip: "<title>-tiktok.mp4"
    bytes: int
    width: int
    height: int
    duration_s: float
    checks: list[Check]


class StoredFile(PlacementFile):
    """A placement's file as the export's row keeps it (`exports.files`): with keys, not links."""

    key: str | None
    srt_key: str | None = None
    vtt_key: str | None = None


class ExportFile(PlacementFile):
    """A placement's file as front ends show it: with links to it and its captions."""

    url: str | None
    srt_url: str | None
    vtt_url: str | None

    @classmethod
    def of(cls, f: StoredFile, storage: BlobStorage) -> ExportFile:
        base = (f.name or "").removesuffix(".mp4")
        return cls(
            **PlacementFile.model_validate(f, from_attributes=True).model_dump(),
            url=storage.url(f.key, download=f.name) if f.key else None,
            srt_url=storage.url(f.srt_key, download=f"{base}.srt") if f.srt_key else None,
            vtt_url=storage.url(f.vtt_key, download=f"{base}.vtt") if f.vtt_key else None,
        )


def failed_fixes(files: Sequence[PlacementFile]) -> list[Fix]:
    """What the product can do about the files' failed checks, each fix once, in the files' order."""
    return list({c.fix.text: c.fix for f in files for c in f.checks if c.fix is not None and not c.ok}.values())


def export_name(title: str) -> str:
    """An export's zip's name without ".zip": "<title>-export"."""
    return download_name(title, "export").removesuffix(".mp4")


class ExportView(BaseModel):
    """An export as the chat, the CLI and the API show it: its job's state, then its files, zip and manifest."""

    id: str  # the job that makes it
    creative_id: str
    title: str
    campaign: str
    placements: list[str]
    trim: bool  # each file was trimmed to its placement's longest length
    status: str
    progress: float
    error: str | None
    notice: str | None
    files: list[ExportFile]
    zip_url: str | None
    manifest_url: str | None
    fixes: list[Fix]  # what the product can do about the checks that failed
    provenance: Provenance | None
    created_at: str

    @classmethod
    def of(cls, job: Job, export: Export, campaign: str, storage: BlobStorage) -> ExportView:
        files = [StoredFile.model_validate(f) for f in export.files]
        name = export_name(JobSpec.of(job).title)
        return cls(
            id=job.id,
            creative_id=export.creative_id,
            title=JobSpec.of(job).title,
            campaign=campaign,
            placements=export.placements,
            trim=export.trim,
            status=job.status,
            progress=job.progress,
            error=job.error,
            notice=job.notice,
            files=[ExportFile.of(f, storage) for f in files],
            zip_url=storage.url(export.zip_key, download=f"{name}.zip") if export.zip_key else None,
            manifest_url=storage.url(export.manifest_key, download=f"{name}-manifest.json")
            if export.manifest_key
            else None,
            fixes=failed_fixes(files),
            provenance=Provenance.model_validate(export.provenance) if export.provenance else None,
            created_at=job.created_at.isoformat(),
        )
