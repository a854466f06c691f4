"""The assembled services every front end uses: store, storage, catalog, references and the job runner."""

from __future__ import annotations

from pydantic import BaseModel

from campaign.models import Campaign, Creative, Job
from campaign.settings import Settings
from campaign.storage import BlobStorage, build_storage
from campaign.store import Store
from tools.catalog import Catalog, ModelSpec, build_catalog
from tools.engines import engine_for
from tools.jobs import JobRunner
from tools.references import ReferenceIntake


class CreativeView(BaseModel):
    """A creative as the chat, the CLI and the API show it."""

    id: str
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
    url: str
    poster_url: str | None
    reference_keys: list[str]
    estimated_cost_usd: float
    actual_cost_usd: float | None
    provider_job_id: str | None
    notice: str | None
    created_at: str


class JobView(BaseModel):
    id: str
    campaign: str
    status: str
    model: str
    model_used: str | None
    progress: float
    estimated_cost_usd: float
    stage: str | None
    error: str | None
    notice: str | None
    creative_id: str | None
    created_at: str


class ModelView(BaseModel):
    """A model with its limits and price, as listed to users."""

    id: str
    name: str
    provider: str
    tier: str
    summary: str
    durations: str
    aspects: list[str]
    resolutions: list[str]
    max_references: int
    reference_use: str
    price_per_s: dict[str, float]
    price: str  # the same, in words: "$0.20/s, $0.40/s with audio", "about $0.12/s", "free"
    typical_wait_s: int
    available: bool
    notice: str
    aliases: list[str]

    @classmethod
    def of(cls, spec: ModelSpec) -> ModelView:
        return cls(
            id=spec.id,
            name=spec.name,
            provider=spec.provider,
            tier=spec.tier,
            summary=spec.summary,
            durations=spec.duration_text(),
            aspects=spec.aspects,
            resolutions=spec.resolutions,
            max_references=spec.max_references,
            reference_use=spec.reference_use,
            price_per_s=spec.price_per_s,
            price=spec.price_text(),
            typical_wait_s=spec.typical_wait_s,
            available=spec.available,
            notice=spec.notice,
            aliases=spec.aliases,
        )


class Studio:
    """One per process: open it at start-up, close it at shutdown."""

    def __init__(
        self, settings: Settings, store: Store, storage: BlobStorage, catalog: Catalog, jobs: JobRunner
    ) -> None:
        self.settings = settings
        self.store = store
        self.storage = storage
        self.catalog = catalog
        self.jobs = jobs
        self.intake = jobs.intake

    @classmethod
    async def open(cls, settings: Settings) -> Studio:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await Store.open(settings.sqlalchemy_url)
        storage = build_storage(settings)
        catalog = build_catalog(settings)
        intake = ReferenceIntake(settings, storage)
        jobs = JobRunner(settings, store, storage, catalog, lambda spec: engine_for(spec, settings, storage), intake)
        return cls(settings, store, storage, catalog, jobs)

    async def close(self) -> None:
        await self.store.close()

    def models(self) -> list[ModelView]:
        return [ModelView.of(m) for m in self.catalog.all()]

    async def creatives(self, campaign: str | None = None, limit: int = 100) -> list[CreativeView]:
        found = await self.store.campaign(campaign) if campaign else None
        names = {c.id: c.name for c in await self.store.campaigns()}
        items = await self.store.creatives(found.id if found else None, limit=limit)
        return [self.creative_view(c, names[c.campaign_id]) for c in items]

    async def creative(self, creative_id: str) -> CreativeView:
        creative = await self.store.creative(creative_id)
        campaign = await self.store.campaign_by_id(creative.campaign_id)
        return self.creative_view(creative, campaign.name)

    def creative_view(self, c: Creative, campaign: str) -> CreativeView:
        path = self.storage.local_path(c.file_key)
        return CreativeView(
            id=c.id,
            campaign=campaign,
            title=c.title,
            model=c.model,
            template=c.template,
            prompt=c.prompt,
            prompt_sent=c.prompt_sent,
            duration_s=c.duration_s,
            aspect=c.aspect,
            width=c.width,
            height=c.height,
            fps=c.fps,
            bytes=c.bytes,
            file=str(path) if path else None,
            url=self.storage.url(c.file_key),
            poster_url=self.storage.url(c.poster_key) if c.poster_key else None,
            reference_keys=c.reference_keys,
            estimated_cost_usd=c.estimated_cost_usd,
            actual_cost_usd=c.actual_cost_usd,
            provider_job_id=c.provider_job_id,
            notice=c.notice,
            created_at=c.created_at.isoformat(),
        )

    async def job_view(self, job: Job) -> JobView:
        campaign: Campaign = await self.store.campaign_by_id(job.campaign_id)
        return JobView(
            id=job.id,
            campaign=campaign.name,
            status=job.status,
            model=job.model,
            model_used=job.model_used,
            progress=job.progress,
            estimated_cost_usd=job.estimated_cost_usd,
            stage=job.stage,
            error=job.error,
            notice=job.notice,
            creative_id=job.creative_id,
            created_at=job.created_at.isoformat(),
        )
