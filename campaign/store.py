"""The campaign repository over async SQLAlchemy: SQLite by default, PostgreSQL (asyncpg) in production. Every
query a front end can reach takes the team it is scoped by."""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Result, delete, func, inspect, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .batch_records import BatchRecords
from .errors import Conflict, InvalidRequest, NotFound
from .ledger import Ledger
from .models import (
    ACTIVE,
    BrandKitVersion,
    Campaign,
    Creative,
    Export,
    Job,
    JobKind,
    JobStatus,
    ReviewLinkCreative,
    ReviewNote,
    Team,
    TeamReference,
    User,
    WebhookDelivery,
    name_key,
    utcnow,
)
from .review_records import ReviewRecords

log = logging.getLogger(__name__)

DEFAULT_CAMPAIGN = "Default campaign"
MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision: each migration's file starts with its revision id, in order (a test checks it is Alembic's).
HEAD = max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("*.py"))
EVENTS = "clapboard_job_events"  # the NOTIFY channel of job events between processes
MIGRATION_LOCK = 0x434C4150  # "CLAP": PostgreSQL's advisory lock key for applying migrations
T = TypeVar("T", Campaign, Creative, Export, Job, Team, User)
Scoped = TypeVar("Scoped", Creative, Job)  # the rows that belong to a campaign


def _rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE changed (SQLAlchemy types `execute` as a Result; an UPDATE's is a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount


def _at_head(connection: Connection) -> bool:
    """Whether the database is already at the newest revision: two cheap queries, where loading Alembic and its
    scripts to find nothing to do would take a tenth of a second of every start."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    return list(connection.scalars(text("SELECT version_num FROM alembic_version"))) == [HEAD]


def _upgrade(connection: Connection, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing a user needs
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


class Store(BatchRecords, Ledger, ReviewRecords):
    """Teams and users, campaigns, their creatives, and generation jobs with their leases; batches
    (`BatchRecords`), budgets and the spend ledger (`Ledger`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._session = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect and apply the migrations the database lacks (none, usually: then Alembic is not loaded)."""
        engine = create_async_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            path = Path(url.split("///", 1)[-1])
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.with_name(path.name + ".lock").open("a") as lock:  # commands starting together, one at a time
                await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
                await cls._migrate(engine)
            return cls(engine)
        await cls._migrate(engine)
        return cls(engine)

    @staticmethod
    async def _migrate(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":  # servers and workers starting together migrate one at a time
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            if not await conn.run_sync(_at_head):
                await conn.run_sync(_upgrade)

    async def close(self) -> None:
        await self.engine.dispose()

    # teams and users

    async def team(self, name: str, *, create: bool = False) -> Team:
        """The team with this (lower-case) name; created on request."""
        async with self._session() as s:
            if found := (await s.scalars(select(Team).where(Team.name == name))).first():
                return found
            if not create:
                raise NotFound(f"There is no team called '{name}'.")
            team = Team(name=name)
            s.add(team)
            try:
                await s.commit()
            except IntegrityError:  # created meanwhile
                await s.rollback()
                return await self.team(name)
            return team

    async def team_by_id(self, team_id: str) -> Team:
        return await self._get(Team, team_id, "That team does not exist.")

    async def add_user(self, **fields: Any) -> User:
        """Write a new user; Conflict when a live user already has the name or the email."""
        user = User(**fields)
        async with self._session() as s:
            s.add(user)
            try:
                await s.commit()
            except IntegrityError as exc:
                raise Conflict(f"There is already a user called '{user.name}' or with that email.") from exc
        return user

    async def user(self, user_id: str) -> User | None:
        """A live user by id; None when there is none (or they were removed)."""
        async with self._session() as s:
            found = await s.get(User, user_id)
        return found if found is not None and found.removed_at is None else None

    async def user_by(self, *, name: str | None = None, email: str | None = None) -> User | None:
        """A live user by name or by email."""
        query = select(User).where(User.removed_at.is_(None))
        query = query.where(User.name == name) if name is not None else query.where(User.email == email)
        async with self._session() as s:
            return (await s.scalars(query)).first()

    async def users(self) -> list[User]:
        """The live users, by team and name."""
        query = select(User).join(Team).where(User.removed_at.is_(None)).order_by(Team.name, User.name)
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def has_users(self) -> bool:
        async with self._session() as s:
            return (await s.scalars(select(User.id).where(User.removed_at.is_(None)).limit(1))).first() is not None

    async def update_user(self, user_id: str, **fields: Any) -> bool:
        """Change a live user (a new password hash bumps `credentials`, which revokes their tokens)."""
        if "password_hash" in fields:
            fields["credentials"] = User.credentials + 1
        query = update(User).where(User.id == user_id, User.removed_at.is_(None)).values(**fields)
        async with self._session() as s:
            changed = _rowcount(await s.execute(query)) == 1
            await s.commit()
        return changed

    async def remove_user(self, user_id: str) -> bool:
        """Remove a user: they can no longer sign in, their tokens stop working, the audit keeps their name."""
        return await self.update_user(user_id, removed_at=utcnow(), credentials=User.credentials + 1)

    async def user_names(self, team_id: str, ids: Iterable[str | None]) -> dict[str, str]:
        """Names by user id of the team's users, removed users included (the audit names them)."""
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        async with self._session() as s:
            rows = await s.execute(
                select(User.id, User.name, User.removed_at).where(User.id.in_(wanted), User.team_id == team_id)
            )
            return {uid: name + (" (removed)" if removed else "") for uid, name, removed in rows}

    # reference images: content-addressed, granted to the teams that took them in

    async def grant_reference(self, team_id: str, key: str) -> None:
        async with self._session() as s:
            exists = await s.get(TeamReference, (team_id, key))
            if exists is None:
                s.add(TeamReference(team_id=team_id, key=key))
                try:
                    await s.commit()
                except IntegrityError:  # granted meanwhile
                    await s.rollback()

    async def has_reference(self, team_id: str, key: str) -> bool:
        async with self._session() as s:
            return await s.get(TeamReference, (team_id, key)) is not None

    # campaigns

    async def campaign(self, team_id: str, name: str | None = None, *, create: bool = False) -> Campaign:
        """The team's campaign with this name (case-insensitive), the default one for None; created on request."""
        wanted = (name or DEFAULT_CAMPAIGN).strip()
        if not wanted or len(wanted) > 200:
            raise InvalidRequest("A campaign name must be 1 to 200 characters.")
        mine = Campaign.team_id == team_id
        async with self._session() as s:
            query = select(Campaign).where(mine, Campaign.name_key == name_key(wanted))
            if found := (await s.scalars(query)).first():
                return found
            if not create:
                names = ", ".join((await s.scalars(select(Campaign.name).where(mine))).all()) or "none yet"
                raise NotFound(f"There is no campaign called '{wanted}'.", hint=f"Campaigns: {names}.")
            campaign = Campaign(team_id=team_id, name=wanted)
            s.add(campaign)
            try:
                await s.commit()
            except IntegrityError:  # created meanwhile by another request
                await s.rollback()
                return await self.campaign(team_id, wanted)
            return campaign

    async def campaigns(self, team_id: str) -> list[Campaign]:
        query = select(Campaign).where(Campaign.team_id == team_id).order_by(Campaign.created_at)
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def _get(self, model: type[T], key: str, missing: str) -> T:
        async with self._session() as s:
            found = await s.get(model, key)
        if found is None:
            raise NotFound(missing)
        return found

    async def campaign_by_id(self, campaign_id: str) -> Campaign:
        return await self._get(Campaign, campaign_id, "That campaign does not exist.")

    # brand kits: the team's (no campaign) and each campaign's, versioned

    @staticmethod
    def _kit_of(team_id: str, campaign_id: str | None) -> Any:
        """Which kit: the team's (`campaign_id` None) or the campaign's."""
        which = (
            BrandKitVersion.campaign_id.is_(None) if campaign_id is None else BrandKitVersion.campaign_id == campaign_id
        )
        return (BrandKitVersion.team_id == team_id, which)

    async def brand_kit(self, team_id: str, campaign_id: str | None) -> BrandKitVersion | None:
        """The newest version of the team's kit (`campaign_id` None) or of the campaign's; None when never set."""
        query = select(BrandKitVersion).where(*self._kit_of(team_id, campaign_id))
        async with self._session() as s:
            return (await s.scalars(query.order_by(BrandKitVersion.version.desc()).limit(1))).first()

    async def brand_kit_versions(self, team_id: str, campaign_id: str | None, limit: int = 50) -> list[BrandKitVersion]:
        """The versions of a kit, newest first."""
        query = select(BrandKitVersion).where(*self._kit_of(team_id, campaign_id))
        async with self._session() as s:
            return list((await s.scalars(query.order_by(BrandKitVersion.version.desc()).limit(limit))).all())

    async def add_brand_kit(
        self, team_id: str, campaign_id: str | None, kit: dict[str, Any], created_by: str | None
    ) -> BrandKitVersion:
        """Write a kit's next version (an edit never changes an old one); two edits at once get two versions."""
        for _ in range(5):
            latest = await self.brand_kit(team_id, campaign_id)
            version = (latest.version if latest else 0) + 1
            row = BrandKitVersion(
                team_id=team_id, campaign_id=campaign_id, version=version, kit=kit, created_by=created_by
            )
            async with self._session() as s:
                s.add(row)
                try:
                    await s.commit()
                except IntegrityError:  # another edit took this version number meanwhile
                    await s.rollback()
                    continue
                return row
        raise Conflict("The brand kit is being changed by someone else right now.", hint="Try again.")

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
        return await self._keyed(job)

    async def _keyed(self, job: Job) -> Job:
        """The job stored under `job`'s origin and idempotency key (a submission with that key got there first)."""
        assert job.idempotency_key is not None
        found = await self.job_by_key(job.origin, job.idempotency_key)
        if found is None:  # pragma: no cover - the conflicting row cannot vanish: jobs are never deleted
            raise NotFound("The job stored under this idempotency key has gone.")
        return found

    async def job_by_key(self, origin: str, key: str) -> Job | None:
        async with self._session() as s:
            query = select(Job).where(Job.origin == origin, Job.idempotency_key == key)
            return (await s.scalars(query)).first()

    async def job(self, job_id: str, team_id: str | None = None) -> Job:
        """A job by id; with `team_id`, only one of that team's (another team's id is not found)."""
        if team_id is None:
            return await self._get(Job, job_id, f"There is no job {job_id}.")
        return await self._scoped(Job, job_id, team_id, f"There is no job {job_id}.")

    async def _scoped(self, model: type[Scoped], key: str, team_id: str, missing: str) -> Scoped:
        query = select(model).join(Campaign, Campaign.id == model.campaign_id)
        async with self._session() as s:
            found = (await s.scalars(query.where(model.id == key, Campaign.team_id == team_id))).first()
        if found is None:
            raise NotFound(missing)
        return found

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
            changed = _rowcount(result) == 1
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
            return _rowcount(result) == 1

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
        team_id: str,
        *,
        campaign_id: str | None = None,
        statuses: Iterable[str] | None = None,
        delivered: bool | None = None,
        origin_prefix: str | None = None,
        submitted_by: str | None = None,
        viewer: str | None = None,
        kind: str = JobKind.video,
        batched: bool | None = None,
        limit: int = 50,
    ) -> list[Job]:
        """The team's jobs of `kind` (videos unless told), newest first. With `viewer`, other people's price
        questions are left out: they are theirs to answer. `batched` False leaves out the videos of batches (a
        conversation follows a batch as one line), True keeps only those."""
        query = select(Job).join(Campaign).where(Campaign.team_id == team_id, Job.kind == kind)
        query = query.order_by(Job.created_at.desc()).limit(limit)
        if viewer is not None:
            query = query.where(or_(Job.status != JobStatus.awaiting_confirmation, Job.submitted_by == viewer))
        if submitted_by is not None:
            query = query.where(Job.submitted_by == submitted_by)
        if campaign_id:
            query = query.where(Job.campaign_id == campaign_id)
        if statuses is not None:
            query = query.where(Job.status.in_(list(statuses)))
        if delivered is not None:
            query = query.where(Job.delivered == delivered)
        if batched is not None:
            query = query.where(Job.batch_id.is_not(None) if batched else Job.batch_id.is_(None))
        if origin_prefix is not None:
            query = query.where(Job.origin.startswith(origin_prefix, autoescape=True))
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    # exports: a job of kind "export" and what it delivered

    async def add_export(self, job: Job, export: Export) -> Job:
        """Write an export job and its row together; with an idempotency key already used by its origin, the job
        stored under it."""
        async with self._session() as s:
            s.add(job)
            try:
                await s.flush()
            except IntegrityError:
                if job.idempotency_key is None:
                    raise
                await s.rollback()
            else:
                s.add(export)
                await s.commit()
                return job
        return await self._keyed(job)

    @staticmethod
    def _team_exports(team_id: str) -> Any:
        """The team's exports with their jobs."""
        query = select(Job, Export).join(Export, Export.id == Job.id).join(Campaign, Campaign.id == Job.campaign_id)
        return query.where(Campaign.team_id == team_id)

    async def export(self, export_id: str, team_id: str) -> tuple[Job, Export]:
        """An export of the team's and its job; another team's is not found."""
        async with self._session() as s:
            found = (await s.execute(self._team_exports(team_id).where(Job.id == export_id))).first()
        if found is None:
            raise NotFound(f"There is no export {export_id}.")
        return found[0], found[1]

    async def exports(
        self, team_id: str, creative_id: str | None = None, limit: int = 50, status: str | None = None
    ) -> list[tuple[Job, Export]]:
        """The team's exports (of one creative, or in one status, when told), newest first."""
        query = self._team_exports(team_id).order_by(Job.created_at.desc()).limit(limit)
        if creative_id is not None:
            query = query.where(Export.creative_id == creative_id)
        if status is not None:
            query = query.where(Job.status == status)
        async with self._session() as s:
            return [(job, export) for job, export in (await s.execute(query)).all()]

    async def record_export(self, export_id: str, **fields: Any) -> bool:
        """Write what an export delivered (its files, zip, manifest and provenance); False when its row has gone
        (its creative was deleted)."""
        async with self._session() as s:
            changed = _rowcount(await s.execute(update(Export).where(Export.id == export_id).values(**fields))) == 1
            await s.commit()
        return changed

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

    async def creative(self, creative_id: str, team_id: str) -> Creative:
        return await self._scoped(Creative, creative_id, team_id, f"There is no creative {creative_id}.")

    async def creatives(self, team_id: str, campaign_id: str | None = None, limit: int = 100) -> list[Creative]:
        query = select(Creative).join(Campaign).where(Campaign.team_id == team_id)
        query = query.order_by(Creative.created_at.desc()).limit(limit)
        if campaign_id:
            query = query.where(Creative.campaign_id == campaign_id)
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def creative_ids(self, team_id: str, prefix: str, limit: int = 2) -> list[str]:
        """Ids of the team's creatives that start with `prefix`."""
        query = select(Creative.id).join(Campaign).where(Campaign.team_id == team_id)
        query = query.where(Creative.id.startswith(prefix, autoescape=True)).limit(limit)
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def rename_creative(self, creative_id: str, team_id: str, title: str) -> Creative:
        creative = await self.creative(creative_id, team_id)
        async with self._session() as s:
            await s.execute(update(Creative).where(Creative.id == creative.id).values(title=title))
            await s.commit()
        creative.title = title
        return creative

    async def set_creatives(self, team_id: str, set_id: str) -> list[Creative]:
        """The team's creatives of one set (variations and formats made together), oldest first."""
        query = select(Creative).join(Campaign).where(Campaign.team_id == team_id, Creative.set_id == set_id)
        async with self._session() as s:
            return list((await s.scalars(query.order_by(Creative.created_at))).all())

    async def set_creative_set(self, creative_id: str, set_id: str) -> None:
        """Put a creative in a set (variations or formats made from it)."""
        async with self._session() as s:
            await s.execute(update(Creative).where(Creative.id == creative_id).values(set_id=set_id))
            await s.commit()

    async def delete_creative(self, creative_id: str, team_id: str) -> None:
        """Remove a creative's row, its exports' rows and its review notes. The job that made it keeps its history,
        with no creative left to show; its export jobs keep theirs, with no files left to show (and nothing for a
        chat to report)."""
        creative = await self.creative(creative_id, team_id)
        async with self._session() as s:
            exports = select(Export.id).where(Export.creative_id == creative.id)
            await s.execute(update(Job).where(Job.id.in_(exports)).values(delivered=True))
            await s.execute(delete(Export).where(Export.creative_id == creative.id))
            await s.execute(delete(ReviewNote).where(ReviewNote.creative_id == creative.id))
            await s.execute(delete(ReviewLinkCreative).where(ReviewLinkCreative.creative_id == creative.id))
            await s.execute(delete(Creative).where(Creative.id == creative.id))
            made_it = (Job.id == creative.job_id, Job.creative_id == creative.id)
            await s.execute(update(Job).where(*made_it).values(creative_id=None, delivered=True))
            await s.commit()

    async def campaign_totals(self, team_id: str) -> dict[str, tuple[int, float]]:
        """Per campaign of the team: how many creatives it has, and what they cost (the actual cost where known,
        else the estimate)."""
        cost = func.coalesce(Creative.actual_cost_usd, Creative.estimated_cost_usd)
        query = select(Creative.campaign_id, func.count(Creative.id), func.coalesce(func.sum(cost), 0.0))
        query = query.join(Campaign).where(Campaign.team_id == team_id).group_by(Creative.campaign_id)
        async with self._session() as s:
            return {cid: (count, float(spend)) for cid, count, spend in await s.execute(query)}
