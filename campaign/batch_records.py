"""The store's batches (a part of `Store`): a batch and its rows are written when it is quoted; its jobs, all at
once with its start, when it is confirmed. Every query takes the team the batch must belong to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .errors import NotFound
from .models import Batch, BatchRow, BatchStatus, Job


class BatchRecords:
    engine: AsyncEngine
    _session: async_sessionmaker[AsyncSession]

    async def add_batch(self, batch: Batch, rows: Iterable[BatchRow]) -> Batch:
        async with self._session() as s:
            s.add(batch)
            await s.flush()  # the rows' foreign key needs the batch first (PostgreSQL checks it at once)
            s.add_all(rows)
            await s.commit()
        return batch

    async def batch(self, batch_id: str, team_id: str) -> Batch:
        """One of the team's batches (another team's id is not found)."""
        async with self._session() as s:
            found = (await s.scalars(select(Batch).where(Batch.id == batch_id, Batch.team_id == team_id))).first()
        if found is None:
            raise NotFound(f"There is no batch {batch_id}.")
        return found

    @staticmethod
    def _team_batch(batch_id: str, team_id: str) -> Any:
        return select(Batch.id).where(Batch.id == batch_id, Batch.team_id == team_id).scalar_subquery()

    async def batch_rows(self, batch_id: str, team_id: str) -> list[BatchRow]:
        query = select(BatchRow).where(BatchRow.batch_id == self._team_batch(batch_id, team_id))
        async with self._session() as s:
            return list((await s.scalars(query.order_by(BatchRow.number))).all())

    async def batch_jobs(self, batch_id: str, team_id: str) -> list[Job]:
        async with self._session() as s:
            query = select(Job).where(Job.batch_id == self._team_batch(batch_id, team_id))
            return list((await s.scalars(query)).all())

    async def batch_counts(self, batch_id: str, team_id: str) -> dict[str, int]:
        """How many of the batch's jobs are in each status (one query: what a progress line needs)."""
        query = select(Job.status, func.count(Job.id)).where(Job.batch_id == self._team_batch(batch_id, team_id))
        async with self._session() as s:
            return {status: count for status, count in await s.execute(query.group_by(Job.status))}

    async def batches(
        self,
        team_id: str,
        *,
        origin_prefix: str | None = None,
        created_by: str | None = None,
        delivered: bool | None = None,
        limit: int = 50,
    ) -> list[Batch]:
        """The team's batches, newest first."""
        query = select(Batch).where(Batch.team_id == team_id).order_by(Batch.created_at.desc()).limit(limit)
        if origin_prefix is not None:
            query = query.where(Batch.origin.startswith(origin_prefix, autoescape=True))
        if created_by is not None:
            query = query.where(Batch.created_by == created_by)
        if delivered is not None:
            query = query.where(Batch.delivered == delivered)
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def start_batch(
        self, batch: Batch, jobs: list[Job], items: dict[int, list[dict[str, Any]]], confirmed_by: str
    ) -> bool:
        """Start a quoted batch: in one transaction it is marked started and every job is written, each row
        keeping its jobs' ids (`items`, by row number); False when it was not quoted any more (confirmed or
        canceled by another request), and nothing is written."""
        async with self._session() as s:
            started = await s.execute(
                update(Batch)
                .where(Batch.id == batch.id, Batch.team_id == batch.team_id, Batch.status == BatchStatus.quoted)
                .values(status=BatchStatus.started, confirmed_by=confirmed_by)
            )
            if getattr(started, "rowcount", 0) != 1:
                await s.rollback()
                return False
            s.add_all(jobs)
            for number, row_items in items.items():
                query = update(BatchRow).where(BatchRow.batch_id == batch.id, BatchRow.number == number)
                await s.execute(query.values(items=row_items))
            await s.commit()
            return True

    async def batch_delivered(self, batch_id: str, team_id: str) -> None:
        """Mark one of the team's batches and all its jobs as shown, in one transaction."""
        async with self._session() as s:
            await s.execute(
                update(Job).where(Job.batch_id == self._team_batch(batch_id, team_id)).values(delivered=True)
            )
            await s.execute(update(Batch).where(Batch.id == batch_id, Batch.team_id == team_id).values(delivered=True))
            await s.commit()

    async def update_batch(
        self, batch_id: str, team_id: str, from_statuses: Iterable[str] | None = None, **fields: Any
    ) -> bool:
        """Change one of the team's batches (only while it is in one of `from_statuses`, when given); False
        otherwise."""
        query = update(Batch).where(Batch.id == batch_id, Batch.team_id == team_id)
        if from_statuses is not None:
            query = query.where(Batch.status.in_(list(from_statuses)))
        async with self._session() as s:
            result = await s.execute(query.values(**fields))
            await s.commit()
            return getattr(result, "rowcount", 0) == 1
