"""The store's budgets and spend ledger (a part of `Store`): monthly budgets per team and per user, a line per paid
job reserving its estimate when its price is confirmed, settled at its actual cost once it ends.

A month is the UTC month a line was reserved in ("2026-12"). Lines are settled lazily, before every check and
report, from the job's end, never counting less than may have been billed: a finished video costs its creative's
actual cost (its estimate when that is not known, or the creative was deleted first); a failed or canceled job
costs nothing when no prediction was made for it (providers bill predictions only), and its estimate when one was,
the video's (`provider_job_id`) or a premium voice-over's (`voice_prediction_id`): the video may have been billed
before finishing or storing it failed, or before the stop, and a voice-over is billed once made. The voice's own
price is the tools' catalog's, not the store's, so a voice-over alone counts at the whole estimate (its video's
price included): more than was billed, never less. A line whose job was never written (the process died, or the
database failed, between reserving and writing the jobs) settles at nothing once it is `UNWRITTEN_GRACE` old.

A reservation is all or none and never passes a budget when two confirmations come at once: the check and the
writing happen in one transaction under a lock of the team: PostgreSQL's transaction-scoped advisory lock, or on
SQLite a lock file beside the database (every process on this machine, one at a time) behind a lock of this
store (its coroutines, one at a time).

Amounts of a budget are written one way everywhere, to the cent with thousands separated: `dollars`."""

from __future__ import annotations

import asyncio
import fcntl
import math
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_, delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .errors import OverBudget
from .models import Budget, Campaign, Creative, Job, Role, Spend, Team, User, utcnow
from .status import JobStatus

LEDGER_LOCK = 0x4C454447  # "LEDG": the first key of a team's advisory lock (the second is its id's hash)
ENDED = (JobStatus.succeeded, JobStatus.failed, JobStatus.canceled)
CENT = 0.005  # sums of floats compared to a budget within half a cent
# A line is reserved just before its jobs are written (one job's, or a whole batch's in one transaction), which
# takes well under a second. A line still without its job this long after is one whose writing failed or whose
# process died: it settles at nothing. Fixed here, as the store does not know the settings: far longer than writing
# takes, or than a job's lease (`job_lease_s`, 30 s by default), and short enough not to hold a budget for long.
UNWRITTEN_GRACE = timedelta(minutes=10)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def month_of(when: datetime) -> str:
    """The ledger's month of a moment: "2026-12" (UTC)."""
    return f"{when.year:04d}-{when.month:02d}"


def month_name(month: str) -> str:
    """ "2026-12" as people say it: "December 2026"."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def dollars(usd: float) -> str:
    """An amount of a budget or the ledger as every front end writes it: to the cent, thousands separated
    ("$5,000.00", "$1.01")."""
    return f"${usd:,.2f}"


@dataclass(frozen=True)
class Totals:
    """What a team, or one of its users, spent (settled lines) and has reserved (lines not settled) in a month."""

    spent: float = 0.0
    reserved: float = 0.0

    @property
    def used(self) -> float:
        return self.spent + self.reserved


class Ledger:
    engine: AsyncEngine
    _session: async_sessionmaker[AsyncSession]

    # budgets

    async def set_budget(self, team_id: str, user_id: str | None, monthly_usd: float, *, set_by: str | None) -> Budget:
        """Set the team's monthly budget (`user_id` None) or one of its users'; it replaces the one set before."""
        async with self._locked(team_id) as s:
            found = (await s.scalars(select(Budget).where(Budget.team_id == team_id, _whose(user_id)))).first()
            if found is None:
                found = Budget(team_id=team_id, user_id=user_id, monthly_usd=monthly_usd, set_by=set_by)
                s.add(found)
            else:
                found.monthly_usd, found.set_by, found.updated_at = monthly_usd, set_by, utcnow()
            await s.commit()
        return found

    async def remove_budget(self, team_id: str, user_id: str | None) -> bool:
        """Remove the team's budget (`user_id` None) or a user's; False when there was none."""
        async with self._session() as s:
            query = delete(Budget).where(Budget.team_id == team_id, _whose(user_id))
            removed = getattr(await s.execute(query), "rowcount", 0) == 1
            await s.commit()
        return removed

    async def budgets(self, team_id: str) -> list[Budget]:
        """The team's budgets: its own first, then its users'."""
        async with self._session() as s:
            found = list((await s.scalars(select(Budget).where(Budget.team_id == team_id))).all())
        return sorted(found, key=lambda b: (b.user_id is not None, b.user_id or ""))

    # the ledger

    async def spend(self, team_id: str, month: str) -> list[Spend]:
        """The team's ledger lines of a month, oldest first, settled first where their jobs have ended."""
        async with self._session() as s:
            await _settle(s, team_id)
            await s.commit()
            query = select(Spend).where(Spend.team_id == team_id, Spend.month == month).order_by(Spend.created_at)
            return list((await s.scalars(query)).all())

    async def ledger_jobs(self, team_id: str, job_ids: list[str]) -> list[Job]:
        """The team's jobs of these ledger lines (a line of a batch's job not yet written has none)."""
        if not job_ids:
            return []
        query = select(Job).join(Campaign, Campaign.id == Job.campaign_id)
        async with self._session() as s:
            return list((await s.scalars(query.where(Job.id.in_(job_ids), Campaign.team_id == team_id))).all())

    async def admin_names(self, team_id: str) -> list[str]:
        """The names of the team's admins: who can change its budgets."""
        async with self._session() as s:
            return await _admin_names(s, team_id)

    async def reserve(
        self, team_id: str, user_id: str | None, estimates: dict[str, float], *, batch_id: str | None = None
    ) -> None:
        """Reserve each job's estimate (by job id) in this month's ledger for the team and the user who asked,
        all or none: raises OverBudget, naming the budget, what is left of it and who can raise it, when the
        total would pass the team's or the user's monthly budget. A job reserved before (a fallback confirmed
        at a new price) has its line updated, not added."""
        if not estimates:
            return
        month, cost = month_of(utcnow()), round(sum(estimates.values()), 4)
        async with self._locked(team_id) as s:
            await _settle(s, team_id)
            lines = (await s.scalars(select(Spend).where(Spend.team_id == team_id, Spend.month == month))).all()
            others = [line for line in lines if line.job_id not in estimates]  # a job's own line is replaced
            budgets = {b.user_id: b for b in (await s.scalars(select(Budget).where(Budget.team_id == team_id))).all()}
            asked: list[tuple[str | None, Totals]] = [(None, totals(others))]
            if user_id is not None:
                asked.append((user_id, totals(line for line in others if line.user_id == user_id)))
            passed = [(budgets[who], used) for who, used in asked
                      if who in budgets and used.used + cost > budgets[who].monthly_usd + CENT]  # fmt: skip
            if passed:
                budget, used = min(passed, key=lambda p: p[0].monthly_usd - p[1].used)
                raise await _refusal(s, budget, used, cost, month)
            kept = {line.job_id: line for line in lines}
            kept.update({line.job_id: line for line in await _lines_elsewhere(s, estimates, month)})
            for job_id, usd in estimates.items():
                line = kept.get(job_id)
                if line is None:
                    s.add(Spend(job_id=job_id, team_id=team_id, user_id=user_id, batch_id=batch_id, month=month,
                                estimated_usd=round(usd, 4)))  # fmt: skip
                    continue
                line.user_id, line.batch_id, line.month, line.estimated_usd = user_id, batch_id, month, round(usd, 4)
                line.actual_usd, line.settled_at = None, None
            await s.commit()

    async def unreserve(self, job_ids: Iterable[str]) -> None:
        """Drop the lines of jobs that were reserved but never written (a batch whose start lost a race)."""
        wanted = list(job_ids)
        if not wanted:
            return
        async with self._session() as s:
            await s.execute(delete(Spend).where(Spend.job_id.in_(wanted), Spend.actual_usd.is_(None)))
            await s.commit()

    @asynccontextmanager
    async def _locked(self, team_id: str) -> AsyncIterator[AsyncSession]:
        """A session whose transaction holds the team's ledger: no other check or change of its budgets runs
        until it ends."""
        if self.engine.dialect.name == "postgresql":
            async with self._session() as s:
                await s.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(:team))"),
                                {"key": LEDGER_LOCK, "team": team_id})  # fmt: skip
                yield s
            return
        lock: asyncio.Lock = self.__dict__.setdefault("_ledger_lock", asyncio.Lock())
        database = self.engine.url.database
        async with lock:
            if not database or database == ":memory:":  # one process only
                async with self._session() as s:
                    yield s
                return
            with Path(database + ".ledger.lock").open("a") as held:
                await asyncio.to_thread(fcntl.flock, held, fcntl.LOCK_EX)  # released when the file closes
                async with self._session() as s:
                    yield s


def totals(lines: Iterable[Spend]) -> Totals:
    spent = reserved = 0.0
    for line in lines:
        if line.actual_usd is None:
            reserved += line.estimated_usd
        else:
            spent += line.actual_usd
    return Totals(round(spent, 4), round(reserved, 4))


def _whose(user_id: str | None) -> ColumnElement[bool]:
    """The team's own budget (`user_id` None), or that user's."""
    return Budget.user_id.is_(None) if user_id is None else Budget.user_id == user_id


async def _lines_elsewhere(s: AsyncSession, estimates: dict[str, float], month: str) -> list[Spend]:
    """The lines of these jobs reserved in another month (a job confirmed again after a fallback offer)."""
    query = select(Spend).where(Spend.job_id.in_(list(estimates)), Spend.month != month)
    return list((await s.scalars(query)).all())


async def _settle(s: AsyncSession, team_id: str) -> None:
    """Settle the team's lines whose jobs have ended, or were never written, at what they cost (see the module's
    docstring)."""
    now = utcnow()
    ended = Job.status.in_(list(ENDED))
    unwritten = and_(Job.id.is_(None), Spend.created_at < now - UNWRITTEN_GRACE)
    query = (
        select(Spend, Job.status, Job.provider_job_id, Job.voice_prediction_id, Creative.actual_cost_usd)
        .outerjoin(Job, Job.id == Spend.job_id)
        .outerjoin(Creative, Creative.job_id == Job.id)
        .where(Spend.team_id == team_id, Spend.actual_usd.is_(None), or_(ended, unwritten))
    )
    for line, status, prediction, voice_prediction, actual in (await s.execute(query)).all():
        if status == JobStatus.succeeded:
            cost = line.estimated_usd if actual is None else actual
        elif prediction or voice_prediction:  # failed or canceled after something was asked of the provider
            cost = line.estimated_usd
        else:  # ended before any prediction, or never written
            cost = 0.0
        await s.execute(
            update(Spend)
            .where(Spend.job_id == line.job_id, Spend.actual_usd.is_(None))
            .values(actual_usd=round(cost, 4), settled_at=now)
        )
        line.actual_usd, line.settled_at = round(cost, 4), now


async def _admin_names(s: AsyncSession, team_id: str) -> list[str]:
    query = select(User.name).where(User.team_id == team_id, User.role == Role.admin, User.removed_at.is_(None))
    return sorted((await s.scalars(query)).all())


async def _refusal(s: AsyncSession, budget: Budget, used: Totals, cost: float, month: str) -> OverBudget:
    """The refusal to show: which budget, its amount, what is spent, reserved and left, what this costs, and who
    can raise it, and how."""
    team = await s.get(Team, budget.team_id)
    team_name = team.name if team else "your team"
    if budget.user_id is None:
        whose, flag, route = f"the {team_name} team's", f"--team {team_name}", "PUT /api/budgets/team"
    else:
        user = await s.get(User, budget.user_id)
        name = user.name if user else "this user"
        whose, flag, route = f"{name}'s", f"--user {name}", f"PUT /api/budgets/users/{name}"
    left = max(budget.monthly_usd - used.used, 0.0)
    admins = await _admin_names(s, budget.team_id)
    asked = f"an admin of {team_name} ({' or '.join(admins)})" if admins else "an admin"
    enough = math.ceil(used.used + cost)
    return OverBudget(
        f"This costs {dollars(cost)}, more than is left of {whose} monthly budget of {dollars(budget.monthly_usd)} "
        f"for {month_name(month)}: {dollars(used.spent)} spent and {dollars(used.reserved)} reserved, so "
        f"{dollars(left)} is left. Nothing was started.",
        hint=f"Ask {asked} to raise it to {dollars(enough)} (in the API: {route}; the machine's operator: "
        f"clapboard budget set {flag} --monthly {enough}), or choose a cheaper model or a free draft.",
    )
