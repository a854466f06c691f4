"""The campaign repository over async SQLAlchemy: SQLite by default, PostgreSQL (asyncpg) in production."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .errors import InvalidRequest, NotFound
from .models import Campaign, Creative, Job

log = logging.getLogger(__name__)

DEFAULT_CAMPAIGN = "Default campaign"
MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T", Campaign, Creative, Job)


def _upgrade(connection: Connection) -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing a user needs
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class Store:
    """Campaigns, their creatives, and generation jobs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._session = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect, apply migrations, and make sure the default campaign exists."""
        if url.startswith("sqlite"):
            Path(url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_pre_ping=True)
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade)
        store = cls(engine)
        await store.campaign(DEFAULT_CAMPAIGN, create=True)
        return store

    async def close(self) -> None:
        await self.engine.dispose()

    # campaigns

    async def campaign(self, name: str | None = None, *, create: bool = False) -> Campaign:
        """The campaign with this name (case-insensitive), the default one for None; created on request."""
        wanted = (name or DEFAULT_CAMPAIGN).strip()
        if not wanted or len(wanted) > 200:
            raise InvalidRequest("A campaign name must be 1 to 200 characters.")
        async with self._session() as s:
            query = select(Campaign).where(func.lower(Campaign.name) == wanted.lower())
            if found := (await s.scalars(query)).first():
                return found
            if not create:
                names = ", ".join((await s.scalars(select(Campaign.name))).all())
                raise NotFound(f"There is no campaign called '{wanted}'.", hint=f"Campaigns: {names}.")
            campaign = Campaign(name=wanted)
            s.add(campaign)
            try:
                await s.commit()
            except IntegrityError:  # created meanwhile by another request
                await s.rollback()
                return await self.campaign(wanted)
            return campaign

    async def campaigns(self) -> list[Campaign]:
        async with self._session() as s:
            return list((await s.scalars(select(Campaign).order_by(Campaign.created_at))).all())

    async def _get(self, model: type[T], key: str, missing: str) -> T:
        async with self._session() as s:
            found = await s.get(model, key)
        if found is None:
            raise NotFound(missing)
        return found

    async def campaign_by_id(self, campaign_id: str) -> Campaign:
        return await self._get(Campaign, campaign_id, "That campaign does not exist.")

    # jobs

    async def add_job(self, **fields: Any) -> Job:
        job = Job(**fields)
        async with self._session() as s:
            s.add(job)
            await s.commit()
        return job

    async def job(self, job_id: str) -> Job:
        return await self._get(Job, job_id, f"There is no job {job_id}.")

    async def transition(self, job_id: str, from_statuses: Iterable[str], to: str, **fields: Any) -> bool:
        """Move a job to `to` only if it is in one of `from_statuses`; False when another request got there first."""
        async with self._session() as s:
            result = await s.execute(
                update(Job).where(Job.id == job_id, Job.status.in_(list(from_statuses))).values(status=to, **fields)
            )
            await s.commit()
            return result.rowcount == 1

    async def update_job(self, job_id: str, **fields: Any) -> None:
        async with self._session() as s:
            await s.execute(update(Job).where(Job.id == job_id).values(**fields))
            await s.commit()

    async def jobs(
        self,
        *,
        campaign_id: str | None = None,
        statuses: Iterable[str] | None = None,
        delivered: bool | None = None,
        limit: int = 50,
    ) -> list[Job]:
        query = select(Job).order_by(Job.created_at.desc()).limit(limit)
        if campaign_id:
            query = query.where(Job.campaign_id == campaign_id)
        if statuses is not None:
            query = query.where(Job.status.in_(list(statuses)))
        if delivered is not None:
            query = query.where(Job.delivered == delivered)
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    # creatives

    async def add_creative(self, creative: Creative) -> Creative:
        async with self._session() as s:
            s.add(creative)
            await s.commit()
        return creative

    async def creative(self, creative_id: str) -> Creative:
        return await self._get(Creative, creative_id, f"There is no creative {creative_id}.")

    async def creatives(self, campaign_id: str | None = None, limit: int = 100) -> list[Creative]:
        query = select(Creative).order_by(Creative.created_at.desc()).limit(limit)
        if campaign_id:
            query = query.where(Creative.campaign_id == campaign_id)
        async with self._session() as s:
            return list((await s.scalars(query)).all())
