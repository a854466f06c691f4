"""Budgets and spend: the team's monthly budget and its users' (admins change them), and the ledger of a month.

A paid confirmation that would pass a budget is refused with 402 wherever it is made (POST /api/jobs/{id}/confirm,
POST /api/video/generate with `confirm`, a batch's confirm), naming the budget and who can raise it here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from chat.http.deps import StudioDep, Who
from chat.http.problems import responses
from tools.studio.types import BudgetsView, SpendReport

router = APIRouter()

UserName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="A user's name in your team.")]
MAX_MONTHLY_USD = 1_000_000


class BudgetBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    monthly_usd: StrictFloat = Field(ge=0, le=MAX_MONTHLY_USD, allow_inf_nan=False,
                               description="The monthly limit in USD (0: no paid videos at all).")  # fmt: skip


@router.get("/budgets", responses=responses(401, 422, 503))
async def budgets(studio: StudioDep, who: Who) -> BudgetsView:
    """The team's budget and each user's, with what was spent and reserved against them this month (UTC), and
    the admins who can change them."""
    return await studio.budgets.show(who)


@router.put("/budgets/team", responses=responses(401, 403, 422, 503))
async def set_team_budget(body: BudgetBody, studio: StudioDep, who: Who) -> BudgetsView:
    """Set the team's monthly budget (admins only)."""
    return await studio.budgets.set(who, body.monthly_usd)


@router.delete("/budgets/team", responses=responses(401, 403, 404, 422, 503))
async def remove_team_budget(studio: StudioDep, who: Who) -> BudgetsView:
    """Remove the team's monthly budget (admins only): nothing limits the team's spend then."""
    return await studio.budgets.set(who, None)


@router.put("/budgets/users/{name}", responses=responses(401, 403, 404, 422, 503))
async def set_user_budget(name: UserName, body: BudgetBody, studio: StudioDep, who: Who) -> BudgetsView:
    """Set a user's monthly budget (admins only; a user of your team), checked besides the team's."""
    return await studio.budgets.set(who, body.monthly_usd, name)


@router.delete("/budgets/users/{name}", responses=responses(401, 403, 404, 422, 503))
async def remove_user_budget(name: UserName, studio: StudioDep, who: Who) -> BudgetsView:
    """Remove a user's monthly budget (admins only): only the team's limits them then."""
    return await studio.budgets.set(who, None, name)


@router.get("/spend", responses=responses(401, 422, 503))
async def spend(
    studio: StudioDep,
    who: Who,
    month: Annotated[
        str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (UTC); default: this month.")
    ] = None,  # fmt: skip
) -> SpendReport:
    """A month's ledger: a line per paid job confirmed (who asked, its batch, the estimate reserved and the actual
    cost once it ended), with the totals and what is left of the team's budget."""
    return await studio.budgets.spend(who, month)
