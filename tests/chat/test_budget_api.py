"""`/api/budgets` and `/api/spend` against the fake Replicate: admins set a team's and a user's budget, a paid
confirmation over a budget is a 402 naming it with nothing created at Replicate, raising the budget lets it run,
and the ledger shows each job's estimate and actual cost; every route refuses no token (401), a member (403) and
another team's user (404)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from chat.http.deps import STATUS
from chat.http.problems import clapboard_error
from tests.conftest import bearer
from tests.e2e.chainlit_server import app_client
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.studio.types import OverBudget

# $2.40, as a 4-row batch's Sora 2 Pro 8 s 720p videos would each cost: Sora 2 is shut down (the catalog falls back
# to Veo 3.1), so Veo 3.1 makes 6 s with audio at $0.40/s.
PAID = {"prompt": "a sneaker turning on a plinth", "model": "veo-3.1", "duration_s": 6, "audio": True,
        "aspect": "16:9", "voice": "none"}  # fmt: skip


@pytest.fixture
async def paid_api(fake_replicate: FakeReplicate, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The API with Replicate (the fake) configured, signed in as alice, an admin of acme; bob is a member of
    acme, carol an admin of globex."""
    from chat import runtime

    async with app_client(replicate_settings(fake_replicate, tmp_path / "data")) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password=None, admin=True)
        await studio.accounts.add("bob", team="acme", password=None)
        await studio.accounts.add("carol", team="globex", password=None, admin=True)
        client.headers.update(await bearer(studio, "alice"))
        yield client


async def _as(name: str) -> dict[str, str]:
    from chat import runtime

    return await bearer(runtime.services().studio, name)


async def _asked(api: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    """A $2.40 Veo 3.1 job waiting for its price to be confirmed: its id."""
    answer = await api.post("/api/video/generate", json=PAID, headers=headers)
    assert answer.status_code == 202 and answer.json()["estimated_cost_usd"] == 2.4, answer.text
    return str(answer.json()["job_id"])


async def _ended(api: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    from chat import runtime

    studio = runtime.services().studio
    await studio.backend.drain()
    return dict((await api.get(f"/api/jobs/{job_id}")).json())


@pytest.mark.render  # renders its videos: seconds of CPU, left out of the fast lane
async def test_a_confirmation_over_the_budget_is_402_and_starts_nothing_until_it_is_raised(
    paid_api: httpx.AsyncClient, fake_replicate: FakeReplicate
) -> None:
    api = paid_api
    shown = await api.put("/api/budgets/team", json={"monthly_usd": 5})
    assert shown.status_code == 200, shown.text
    assert shown.json()["team_budget"]["spend"] == {"month": shown.json()["month"], "budget_usd": 5.0,
                                                    "spent_usd": 0.0, "reserved_usd": 0.0, "left_usd": 5.0}  # fmt: skip
    jobs = [await _asked(api) for _ in range(4)]  # $9.60 asked in all
    for job in jobs[:2]:
        assert (await api.post(f"/api/jobs/{job}/confirm")).status_code == 200
    assert [(await _ended(api, j))["status"] for j in jobs[:2]] == ["succeeded", "succeeded"]

    refused = await api.post(f"/api/jobs/{jobs[2]}/confirm")
    assert refused.status_code == 402, refused.text
    problem = refused.json()
    assert problem["stage"] == "budget"
    said = problem["detail"]
    assert said.startswith("This costs $2.40, more than is left of the acme team's monthly budget of $5.00")
    assert "$4.80 spent and $0.00 reserved, so $0.20 is left. Nothing was started." in said
    assert "Ask an admin of acme (alice) to raise it to $8.00 (in the API: PUT /api/budgets/team; the machine's " \
        "operator: clapboard budget set --team acme --monthly 8)" in said  # fmt: skip
    assert len(fake_replicate.creates()) == 2, "nothing reached Replicate for the refused video"
    assert (await api.get(f"/api/jobs/{jobs[2]}")).json()["status"] == "awaiting_confirmation"

    assert (await api.put("/api/budgets/team", json={"monthly_usd": 10})).status_code == 200
    for job in jobs[2:]:
        assert (await api.post(f"/api/jobs/{job}/confirm")).status_code == 200
        assert (await _ended(api, job))["status"] == "succeeded"
    assert len(fake_replicate.creates()) == 4

    ledger = (await api.get("/api/spend")).json()
    print("\njob                               who    estimated  actual  settled")
    for line in ledger["lines"]:
        print(f"{line['job_id']}  {line['who']:<6} {line['estimated_usd']:>9.2f}  {line['actual_usd']:>6.2f}  "
              f"{line['settled']}")  # fmt: skip
    print(f"total                                    {ledger['estimated_usd']:>9.2f}  {ledger['actual_usd']:>6.2f}")
    assert [line["job_id"] for line in ledger["lines"]] == jobs
    assert ledger["estimated_usd"] == 9.6 and ledger["actual_usd"] == 9.6
    assert ledger["spend"] == {"month": ledger["month"], "budget_usd": 10.0, "spent_usd": 9.6, "reserved_usd": 0.0,
                               "left_usd": 0.4}  # fmt: skip


async def test_a_generate_with_confirm_over_a_users_budget_is_402_and_writes_no_job(
    paid_api: httpx.AsyncClient, fake_replicate: FakeReplicate
) -> None:
    api = paid_api
    assert (await api.put("/api/budgets/users/BOB", json={"monthly_usd": 2})).status_code == 200
    bob = await _as("bob")
    refused = await api.post("/api/video/generate", json={**PAID, "confirm": True}, headers=bob)
    assert refused.status_code == 402, refused.text
    assert "bob's monthly budget of $2.00" in refused.json()["detail"]
    assert "PUT /api/budgets/users/bob" in refused.json()["detail"]
    assert (await api.get("/api/jobs", headers=bob)).json() == [] and fake_replicate.creates() == []
    budgets = (await api.get("/api/budgets", headers=bob)).json()
    assert [(u["user"], u["spend"]["budget_usd"], u["set_by"]) for u in budgets["users"]] == [("bob", 2.0, "alice")]
    assert budgets["team_budget"]["spend"]["budget_usd"] is None and budgets["admins"] == ["alice"]

    assert (await api.delete("/api/budgets/users/bob")).status_code == 200
    assert (await api.delete("/api/budgets/users/bob")).status_code == 404  # none left to remove
    started = await api.post("/api/video/generate", json={**PAID, "confirm": True}, headers=bob)
    assert started.status_code == 202, started.text
    await _ended(api, started.json()["job_id"])
    [line] = (await api.get("/api/spend", headers=bob)).json()["lines"]
    assert (line["who"], line["title"], line["estimated_usd"], line["actual_usd"]) == (
        "bob", started.json()["title"], 2.4, 2.4)  # fmt: skip


async def test_members_other_teams_and_no_token_are_refused(paid_api: httpx.AsyncClient) -> None:
    api = paid_api
    bob, carol = await _as("bob"), await _as("carol")
    routes = [("GET", "/api/budgets", None), ("PUT", "/api/budgets/team", {"monthly_usd": 5}),
              ("DELETE", "/api/budgets/team", None), ("PUT", "/api/budgets/users/bob", {"monthly_usd": 5}),
              ("DELETE", "/api/budgets/users/bob", None), ("GET", "/api/spend", None)]  # fmt: skip
    for method, path, body in routes:
        assert (await api.request(method, path, json=body, headers={"Authorization": ""})).status_code == 401, path
        if method != "GET":
            refused = await api.request(method, path, json=body, headers=bob)
            assert refused.status_code == 403 and "Only an admin can change budgets" in refused.json()["detail"]
            assert "Ask alice to change it." in refused.json()["detail"]
    for method in ("PUT", "DELETE"):  # an admin of another team does not find acme's bob
        theirs = await api.request(method, "/api/budgets/users/bob", json={"monthly_usd": 5}, headers=carol)
        assert theirs.status_code == 404 and "no user called 'bob' in your team" in theirs.json()["detail"]
    await api.put("/api/budgets/team", json={"monthly_usd": 5})
    assert (await api.get("/api/budgets", headers=carol)).json()["team_budget"]["spend"]["budget_usd"] is None
    await _asked(api)
    assert (await api.get("/api/spend", headers=carol)).json()["lines"] == []


async def test_a_budgets_refusal_is_402_by_the_one_map_of_error_statuses() -> None:
    """chat/http/deps.py STATUS is the one place an error type's status is set: the handler adds none of its own."""
    request = Request({"type": "http", "headers": []})
    refusal = OverBudget("This costs $2.40, more than is left.")
    assert (await clapboard_error(STATUS)(request, refusal)).status_code == 402
    assert (await clapboard_error({})(request, refusal)).status_code == 422


async def test_what_a_budget_or_a_month_cannot_be(paid_api: httpx.AsyncClient) -> None:
    api = paid_api
    for bad in (-1, 2_000_000, "lots", "5", False, None):
        answer = await api.put("/api/budgets/team", json={"monthly_usd": bad})
        assert answer.status_code == 422 and answer.json()["stage"] == "request", bad
    assert (await api.put("/api/budgets/team", json={"monthly_usd": 5, "currency": "EUR"})).status_code == 422
    for month in ("2026-13", "December", "2026-1"):
        assert (await api.get("/api/spend", params={"month": month})).status_code == 422
    empty = (await api.get("/api/spend", params={"month": "2019-01"})).json()
    assert empty["lines"] == [] and empty["estimated_usd"] == 0 and empty["spend"]["left_usd"] is None
    assert (await api.delete("/api/budgets/team")).status_code == 404
