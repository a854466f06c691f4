"""The store's budgets and spend ledger (a part of `Store`): monthly budgets per team and per user, a line per paid
job reserving its estimate when its price is confirmed, settled at its actual cost once it ends."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


class Ledger:
    engine: AsyncEngine
    _session: async_sessionmaker[AsyncSession]

    async def reserve(
        self, team_id: str, user_id: str | None, estimates: dict[str, float], *, batch_id: str | None = None
    ) -> None:
        """Reserve each job's estimate (by job id) in this month's ledger for the team and the user who asked,
        all or none: raises OverBudget, naming the budget, what is left of it and who can raise it, when the
        total would pass the team's or the user's monthly budget. A job reserved before (a fallback confirmed
        at a new price) has its line updated, not added."""
        raise NotImplementedError

    async def unreserve(self, job_ids: Iterable[str]) -> None:
        """Drop the lines of jobs that were reserved but never written (a batch whose start lost a race)."""
        raise NotImplementedError
