"""The campaign repository over async SQLAlchemy: SQLite by default, PostgreSQL (asyncpg) in production."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .errors import InvalidRequest, NotFound
from .models import ACTIVE, Campaign, Creative, Job, WebhookDelivery

log = logging.getLogger(__name__)

DEFAULT_CAMPAIGN = "Default campaign"
MIGRATIONS = Path(__file__).parent / "migrations"
EVENTS = "clapboard_job_events"  # the NOTIFY channel of job events between processes
MIGRATION_LOCK = 0x434C4150  # "CLAP": PostgreSQL's advisory lock key for applying migrations
T = TypeVar("T", Campaign, Creative, Job)


def _upgrade(connection: Connection, revision: str = "head") -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing a user needs
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


class Store:
    """Campaigns, their creatives, and generation jobs with their leases."""

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
            if engine.dialect.name == "postgresql":  # servers and workers starting together migrate one at a time
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
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
        """Write a new job; with an idempotency key already used by its origin, the job stored under it."""
        job = Job(**fields)
        async with self._session() as s:
            s.add(job)
            try:
                await s.commit()
            except IntegrityError:
                if job.idempotency_key is None:
                    raise
                await s.rollback()
            else:
                return job
        found = await self.job_by_key(job.origin, job.idempotency_key)
        if found is None:  # pragma: no cover - the conflicting row cannot vanish: jobs are never deleted
            raise NotFound("The job stored under this idempotency key has gone.")
        return found

    async def job_by_key(self, origin: str, key: str) -> Job | None:
        async with self._session() as s:
            query = select(Job).where(Job.origin == origin, Job.idempotency_key == key)
            return (await s.scalars(query)).first()

    async def job(self, job_id: str) -> Job:
        return await self._get(Job, job_id, f"There is no job {job_id}.")

    async def transition(
        self,
        job_id: str,
        from_statuses: Iterable[str],
        to: str,
        *,
        held_by: str | None = None,
        announce: str | None = None,
        **fields: Any,
    ) -> bool:
        """Move a job to `to` only if it is in one of `from_statuses` (and held by `held_by`, when given); False
        when another request or runner got there first. `announce` is NOTIFYed with the change (PostgreSQL)."""
        query = update(Job).where(Job.id == job_id, Job.status.in_(list(from_statuses)))
        if held_by is not None:
            query = query.where(Job.runner == held_by)
        return await self._change(query.values(status=to, **fields), announce)

    async def update_job(
        self, job_id: str, *, held_by: str | None = None, announce: str | None = None, **fields: Any
    ) -> bool:
        """Change a job's fields; with `held_by`, only while that runner still runs it (False otherwise).
        `announce` is NOTIFYed with the change (PostgreSQL)."""
        query = update(Job).where(Job.id == job_id)
        if held_by is not None:
            query = query.where(Job.runner == held_by, Job.status == "running")
        return await self._change(query.values(**fields), announce)

    async def _change(self, query: Any, announce: str | None) -> bool:
        """Run one job update; when it changed the job, NOTIFY `announce` in the same transaction, so other
        processes hear of the change exactly when it is committed."""
        async with self._session() as s:
            result = await s.execute(query)
            changed = result.rowcount == 1
            if changed and announce and self.engine.dialect.name == "postgresql":
                await s.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": EVENTS, "payload": announce})
            await s.commit()
            return changed

    async def renew_leases(self, runner: str, job_ids: Iterable[str], until: datetime) -> set[str]:
        """Extend `runner`'s leases on these unfinished jobs; the ids of those it still holds."""
        held = (Job.runner == runner, Job.status.in_(list(ACTIVE)), Job.id.in_(list(job_ids)))
        async with self._session() as s:
            await s.execute(update(Job).where(*held).values(lease_until=until))
            await s.commit()
            return set((await s.scalars(select(Job.id).where(*held))).all())

    async def orphans(self, now: datetime, limit: int = 100) -> list[str]:
        """Unfinished jobs whose runner is gone: their lease has run out (or they never had one)."""
        query = (
            select(Job.id)
            .where(Job.status.in_(list(ACTIVE)), or_(Job.lease_until.is_(None), Job.lease_until < now))
            .order_by(Job.created_at)
            .limit(limit)
        )
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def adopt(self, job_id: str, runner: str, until: datetime, now: datetime, *, fresh: bool = False) -> bool:
        """Take an unfinished job for `runner` (queued again, leased until `until`) if its lease ran out, or,
        with `fresh`, if no runner holds it yet (just submitted); False when a live runner holds it."""
        free = or_(Job.lease_until.is_(None), Job.lease_until < now)
        if fresh:
            free = or_(Job.runner.is_(None), free)
        query = update(Job).where(Job.id == job_id, Job.status.in_(list(ACTIVE)), free)
        async with self._session() as s:
            result = await s.execute(query.values(status="queued", runner=runner, lease_until=until))
            await s.commit()
            return result.rowcount == 1

    async def release(self, runner: str, job_ids: Iterable[str]) -> None:
        """Give back jobs `runner` holds (queued again, no lease), for any runner to take at once."""
        query = update(Job).where(Job.runner == runner, Job.status.in_(list(ACTIVE)), Job.id.in_(list(job_ids)))
        async with self._session() as s:
            await s.execute(query.values(status="queued", runner=None, lease_until=None))
            await s.commit()

    async def first_delivery(self, delivery_id: str, job_id: str | None) -> bool:
        """Record a webhook delivery; False when this id was handled before (a replay)."""
        async with self._session() as s:
            s.add(WebhookDelivery(id=delivery_id, job_id=job_id))
            try:
                await s.commit()
            except IntegrityError:
                return False
            return True

    async def jobs(
        self,
        *,
        campaign_id: str | None = None,
        statuses: Iterable[str] | None = None,
        delivered: bool | None = None,
        origin_prefix: str | None = None,
        limit: int = 50,
    ) -> list[Job]:
        query = select(Job).order_by(Job.created_at.desc()).limit(limit)
        if campaign_id:
            query = query.where(Job.campaign_id == campaign_id)
        if statuses is not None:
            query = query.where(Job.status.in_(list(statuses)))
        if delivered is not None:
            query = query.where(Job.delivered == delivered)
        if origin_prefix is not None:
            query = query.where(Job.origin.startswith(origin_prefix, autoescape=True))
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    # creatives

    async def add_creative(self, creative: Creative) -> Creative:
        """Write a job's creative; when the job already has one (two runners raced), that one."""
        async with self._session() as s:
            s.add(creative)
            try:
                await s.commit()
            except IntegrityError:
                if creative.job_id is None:
                    raise
                await s.rollback()
            else:
                return creative
            return (await s.scalars(select(Creative).where(Creative.job_id == creative.job_id))).one()

    async def creative(self, creative_id: str) -> Creative:
        return await self._get(Creative, creative_id, f"There is no creative {creative_id}.")

    async def creatives(self, campaign_id: str | None = None, limit: int = 100) -> list[Creative]:
        query = select(Creative).order_by(Creative.created_at.desc()).limit(limit)
        if campaign_id:
            query = query.where(Creative.campaign_id == campaign_id)
        async with self._session() as s:
            return list((await s.scalars(query)).all())
