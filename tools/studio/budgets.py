"""`studio.budgets`: monthly budgets per team and per user, and the spend ledger they are checked against.

Admins set them (a team's, or a user's of their team); everyone in the team sees them with what was spent and
reserved this month, and the ledger's lines: a line per paid job confirmed, its estimate reserved when its price
was confirmed and its actual cost once it ended (the ledger's rules: campaign/ledger.py). The machine's operator,
who holds the database, sets any team's or user's budget from the command line without signing in, as they add
users (`operator_set`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel

from campaign.errors import Forbidden, InvalidRequest, NotFound
from campaign.ledger import Totals, dollars, month_of, totals
from campaign.models import Budget, Job, Spend
from campaign.people import LOCAL_OWNER_ID, Actor, user_name
from campaign.store import Store
from tools.views import MonthSpend

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
MAX_MONTHLY_USD = 1_000_000.0  # a budget above this is a typo


class BudgetView(BaseModel):
    """A monthly budget, the team's (`user` None) or a user's, with this month's spend against it."""

    user: str | None  # the user's name; None: the team's own budget
    set_by: str | None  # who set it (None: the machine's operator, or nobody: no budget)
    spend: MonthSpend


class BudgetsView(BaseModel):
    """The team's budget and each user's (those with a budget or spend this month), and who may change them."""

    team: str
    month: str  # "2026-12" (UTC)
    team_budget: BudgetView
    users: list[BudgetView]
    admins: list[str]  # the team's admins, by name: they set budgets


class SpendLine(BaseModel):
    """One line of the ledger: a paid job, what it was estimated at when confirmed, and what it cost."""

    job_id: str
    title: str
    who: str  # who asked for it ("owner": the person at the machine)
    batch_id: str | None
    status: str  # the job's
    estimated_usd: float
    actual_usd: float | None  # None until settled
    settled: bool
    reserved_at: str  # ISO 8601, UTC


class SpendReport(BaseModel):
    """A month of the team's ledger, oldest first, with its totals against the team's budget."""

    team: str
    month: str
    lines: list[SpendLine]
    estimated_usd: float  # of every line
    actual_usd: float  # of the settled lines
    spend: MonthSpend  # spent, reserved and left of the team's budget


def this_month() -> str:
    return month_of(datetime.now(UTC))


def checked_month(month: str | None) -> str:
    """A month asked for ("2026-12"), or this one; InvalidRequest for anything else."""
    if month is None:
        return this_month()
    if not MONTH.fullmatch(month.strip()):
        raise InvalidRequest(f"'{month}' is not a month: give it as YYYY-MM, for example {this_month()}.")
    return month.strip()


def _amount(monthly_usd: float) -> float:
    if not 0 <= monthly_usd <= MAX_MONTHLY_USD:  # NaN fails both
        raise InvalidRequest(f"A monthly budget is 0 to {MAX_MONTHLY_USD:,.0f} USD (0: no paid videos at all).")
    return round(monthly_usd, 2)


class Budgets:
    """The actor's team's budgets and ledger."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def set(self, actor: Actor, monthly_usd: float | None, user: str | None = None) -> BudgetsView:
        """Set the team's monthly budget, or a user's of the team (`user`, by name); None removes it (NotFound
        when there is none). 0 is a budget: no paid video at all. Admins only (Forbidden otherwise); a user not
        of the team is not found."""
        if not actor.admin:
            raise Forbidden("Only an admin can change budgets.", hint=await self._ask_admins(actor.team_id))
        user_id = await self._member(actor.team_id, user) if user is not None else None
        await self._change(actor.team_id, user_id, monthly_usd, actor.user_id)
        return await self.show(actor)

    async def operator_set(self, monthly_usd: float | None, *, team: str | None = None, user: str | None = None) -> str:
        """The machine's operator (the command line, which holds the database) sets, or with None removes, a
        team's budget (`team`, by name) or a user's (`user`, in their own team). Says what it did."""
        if (team is None) == (user is None):
            raise InvalidRequest("Name a team (--team) or a user (--user), not both.")
        if user is not None:
            found = await self.store.user_by(name=user_name(user))
            if found is None:
                raise NotFound(f"There is no user called '{user}'.", hint="`clapboard users list` shows them.")
            team_id, user_id, whose = found.team_id, found.id, f"{found.name}'s"
        else:
            named = await self.store.team(user_name(team or ""))
            team_id, user_id, whose = named.id, None, f"The {named.name} team's"
        await self._change(team_id, user_id, monthly_usd, None)
        if monthly_usd is None:
            return f"{whose} monthly budget is removed: nothing limits it now."
        return f"{whose} monthly budget is now {dollars(_amount(monthly_usd))}."

    async def _change(self, team_id: str, user_id: str | None, monthly_usd: float | None, by: str | None) -> None:
        if monthly_usd is not None:
            await self.store.set_budget(team_id, user_id, _amount(monthly_usd), set_by=by)
        elif not await self.store.remove_budget(team_id, user_id):
            raise NotFound("There is no such budget to remove.")

    async def show(self, actor: Actor) -> BudgetsView:
        """The team's budget and each user's, with what was spent and reserved against them this month."""
        month = this_month()
        lines = await self.store.spend(actor.team_id, month)
        budgets = await self.store.budgets(actor.team_id)
        by_user = {b.user_id: b for b in budgets}
        people = set(by_user) | {line.user_id for line in lines}
        people.discard(None)
        names = await self._names(actor, people | {b.set_by for b in budgets})
        team = by_user.get(None)
        team_view = _view(None, team, month, totals(lines), names)
        users = [_view(names.get(u or "", u), by_user.get(u), month, totals(x for x in lines if x.user_id == u), names)
                 for u in people]  # fmt: skip
        admins = await self.store.admin_names(actor.team_id)
        return BudgetsView(team=actor.team, month=month, team_budget=team_view,
                           users=sorted(users, key=lambda v: v.user or ""), admins=admins)  # fmt: skip

    async def month(self, actor: Actor) -> MonthSpend:
        """The team's spent, reserved and left this month (the library's line)."""
        month = this_month()
        return await self._team_spend(actor, month, await self.store.spend(actor.team_id, month))

    async def _team_spend(self, actor: Actor, month: str, lines: list[Spend]) -> MonthSpend:
        team = next((b for b in await self.store.budgets(actor.team_id) if b.user_id is None), None)
        used = totals(lines)
        return MonthSpend.of(month, team.monthly_usd if team else None, used.spent, used.reserved)

    async def spend(self, actor: Actor, month: str | None = None) -> SpendReport:
        """A month's ledger (this month's by default: "YYYY-MM"), with its totals."""
        month = checked_month(month)
        lines = await self.store.spend(actor.team_id, month)
        jobs = {j.id: j for j in await self.store.ledger_jobs(actor.team_id, [line.job_id for line in lines])}
        names = await self._names(actor, {line.user_id for line in lines})
        shown = [_line(line, jobs.get(line.job_id), names) for line in lines]
        spend = await self._team_spend(actor, month, lines)
        estimated = round(sum(line.estimated_usd for line in lines), 4)
        return SpendReport(team=actor.team, month=month, lines=shown, estimated_usd=estimated,
                           actual_usd=spend.spent_usd, spend=spend)  # fmt: skip

    async def _member(self, team_id: str, name: str) -> str:
        found = await self.store.user_by(name=user_name(name))
        if found is None or found.team_id != team_id:
            raise NotFound(f"There is no user called '{name}' in your team.")
        return found.id

    async def _names(self, actor: Actor, ids: Iterable[str | None]) -> dict[str, str]:
        names = await self.store.user_names(actor.team_id, ids)
        return {LOCAL_OWNER_ID: "owner", **names}

    async def _ask_admins(self, team_id: str) -> str:
        admins = await self.store.admin_names(team_id)
        return f"Ask {' or '.join(admins)} to change it." if admins else "Ask an admin to change it."


def _view(user: str | None, budget: Budget | None, month: str, used: Totals, names: dict[str, str]) -> BudgetView:
    set_by = names.get(budget.set_by, budget.set_by) if budget and budget.set_by else None
    spend = MonthSpend.of(month, budget.monthly_usd if budget else None, used.spent, used.reserved)
    return BudgetView(user=user, set_by=set_by, spend=spend)


def _line(line: Spend, job: Job | None, names: dict[str, str]) -> SpendLine:
    title = str(job.spec.get("title") or "") if job is not None else ""
    return SpendLine(job_id=line.job_id, title=title or "(untitled)", who=names.get(line.user_id or "", "someone"),
                     batch_id=line.batch_id, status=job.status if job is not None else "not started",
                     estimated_usd=line.estimated_usd, actual_usd=line.actual_usd,
                     settled=line.actual_usd is not None, reserved_at=line.created_at.isoformat())  # fmt: skip
