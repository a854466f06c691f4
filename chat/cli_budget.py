"""`clapboard budget` and `clapboard spend`: monthly budgets per team and per user, and the month's ledger.

Setting a budget is the machine's operator's, as adding users is: whoever runs the command holds the database, so
`budget set --team T` and `budget set --user NAME` name whose budget without signing in. `budget show` and `spend`
act as a user (--as NAME, CLAPBOARD_USER, or the person at the machine while no user exists) and show that
user's team. Admins change budgets from the chat's API too (PUT /api/budgets/...)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.studio import Studio
    from tools.studio.types import BudgetView, MonthSpend


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], acting: argparse.ArgumentParser) -> None:
    budget = sub.add_parser(
        "budget", help="set or show the monthly budgets of a team and its users",
        description="Monthly budgets in USD: a paid video is refused when confirming it would pass its team's "
        "budget or its asker's. Months are UTC.",
    ).add_subparsers(dest="action", required=True)  # fmt: skip
    setting = budget.add_parser("set", help="set (or --remove) a team's or a user's monthly budget (the operator)")
    whose = setting.add_mutually_exclusive_group(required=True)
    whose.add_argument("--team", metavar="TEAM", help="the team's own budget")
    whose.add_argument("--user", metavar="NAME", help="a user's budget, checked besides their team's")
    amount = setting.add_mutually_exclusive_group(required=True)
    amount.add_argument("--monthly", type=_usd, metavar="USD", help="the limit each month (0: no paid videos)")
    amount.add_argument("--remove", action="store_true", help="remove the budget: nothing limits it then")
    shown = budget.add_parser("show", parents=[acting], help="your team's budgets with this month's spend")
    shown.add_argument("--json", action="store_true")
    spend = sub.add_parser("spend", parents=[acting], help="a month's ledger: each paid job, estimated and actual")
    spend.add_argument("--month", metavar="YYYY-MM", help="default: this month (UTC)")
    spend.add_argument("--json", action="store_true")


def _usd(text: str) -> float:
    try:
        value = float(text.strip().removeprefix("$").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError("must be an amount in USD, like 25 or 12.50") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


async def budget(studio: Studio, args: argparse.Namespace) -> int:
    if args.action == "set":
        monthly = None if args.remove else args.monthly
        print(await studio.budgets.operator_set(monthly, team=args.team, user=args.user))
        return 0
    view = await studio.budgets.show(await studio.accounts.cli_actor(args.as_user))
    if args.json:
        print(json.dumps(view.model_dump(mode="json"), indent=2))
        return 0
    from tools.studio.types import month_name

    admins = ", ".join(view.admins) or "the operator (clapboard budget set)"
    print(f"Budgets of {view.team} for {month_name(view.month)} (changed by {admins}):")
    rows: list[tuple[str, ...]] = [("", "monthly", "spent", "reserved", "left")]
    rows += [_row(f"team {view.team}", view.team_budget)] + [_row(u.user or "", u) for u in view.users]
    _table(rows)
    return 0


def _row(name: str, view: BudgetView) -> tuple[str, ...]:
    from tools.studio.types import dollars

    s, usd = view.spend, dollars
    monthly = "no budget" if s.budget_usd is None else usd(s.budget_usd)
    left = "-" if s.left_usd is None else usd(s.left_usd)
    return (name, monthly, usd(s.spent_usd), usd(s.reserved_usd), left)


async def spend(studio: Studio, args: argparse.Namespace) -> int:
    report = await studio.budgets.spend(await studio.accounts.cli_actor(args.as_user), args.month)
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), indent=2))
        return 0
    from tools.studio.types import dollars, month_name

    usd = dollars
    print(f"Spend of {report.team} in {month_name(report.month)}:")
    rows: list[tuple[str, ...]] = [("job", "title", "who", "batch", "status", "estimated", "actual")]
    for line in report.lines:
        actual = usd(line.actual_usd) if line.actual_usd is not None else "reserved"
        rows.append((line.job_id[:8], line.title[:40], line.who, (line.batch_id or "-")[:8], line.status,
                     usd(line.estimated_usd), actual))  # fmt: skip
    rows.append(("total", "", "", "", "", usd(report.estimated_usd), usd(report.actual_usd)))
    _table(rows)
    print(_said(report.spend))
    return 0


def _said(spend: MonthSpend) -> str:
    return spend.line + ("" if spend.budget_usd is not None else " (no team budget)")


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
