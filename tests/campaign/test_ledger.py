"""The spend ledger and budgets in the store, on SQLite and PostgreSQL: reservations all or none, refusals that
name the budget, what is left and who can raise it, lazy settlement at the actual cost (a job that failed or was
stopped after a prediction was made at its estimate, a reservation whose job was never written at nothing once it
is old), one line per job, and two confirmations at once that cannot both pass a budget."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from campaign.errors import OverBudget
from campaign.ledger import UNWRITTEN_GRACE, month_of, totals
from campaign.models import Creative, JobStatus, Role, Spend
from campaign.store import Store


async def _team(store: Store) -> tuple[str, str, str]:
    """A team acme with an admin alice and a member bob: (team id, alice's id, bob's id)."""
    team = await store.team("acme", create=True)
    alice = await store.add_user(name="alice", team_id=team.id, role=Role.admin)
    bob = await store.add_user(name="bob", team_id=team.id)
    return team.id, alice.id, bob.id


async def _job(store: Store, team_id: str, user_id: str, usd: float, status: str = JobStatus.queued) -> str:
    campaign = await store.campaign(team_id, "Spring", create=True)
    job = await store.add_job(campaign_id=campaign.id, status=status, spec={"title": "Sneaker"}, model="sora-2-pro",
                              estimated_cost_usd=usd, submitted_by=user_id)  # fmt: skip
    return job.id


async def _month(store: Store, team_id: str) -> tuple[float, float]:
    used = totals(await store.spend(team_id, month_of(datetime.now(UTC))))
    return used.spent, used.reserved


async def test_a_reservation_over_the_team_budget_is_refused_whole_and_names_it(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        team, _, bob = await _team(store)
        await store.set_budget(team, None, 5.0, set_by=None)
        jobs = {await _job(store, team, bob, 2.4): 2.4 for _ in range(4)}  # $9.60
        with pytest.raises(OverBudget) as refused:
            await store.reserve(team, bob, jobs)
        said = str(refused.value)
        assert "This costs $9.60" in said and "the acme team's monthly budget of $5.00" in said
        assert "$0.00 spent and $0.00 reserved, so $5.00 is left" in said
        assert said.endswith(
            "Ask an admin of acme (alice) to raise it to $10.00 (in the API: PUT /api/budgets/team; the machine's "
            "operator: clapboard budget set --team acme --monthly 10), or choose a cheaper model or a free draft."
        )
        assert await _month(store, team) == (0.0, 0.0)  # none of the four was reserved

        await store.set_budget(team, None, 10.0, set_by=None)
        await store.reserve(team, bob, jobs)
        assert await _month(store, team) == (0.0, 9.6)
    finally:
        await store.close()


async def test_a_users_budget_is_checked_besides_the_teams(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        team, alice, bob = await _team(store)
        await store.set_budget(team, bob, 3.0, set_by=alice)
        await store.reserve(team, bob, {await _job(store, team, bob, 2.4): 2.4})
        with pytest.raises(OverBudget) as refused:
            await store.reserve(team, bob, {await _job(store, team, bob, 2.4): 2.4})
        said = str(refused.value)
        assert "bob's monthly budget of $3.00" in said and "$2.40 reserved, so $0.60 is left" in said
        assert "--user bob --monthly 5" in said and "PUT /api/budgets/users/bob" in said
        await store.reserve(team, alice, {await _job(store, team, alice, 2.4): 2.4})  # alice has no budget of her own
        assert await _month(store, team) == (0.0, 4.8)
    finally:
        await store.close()


async def test_lines_settle_at_what_their_jobs_cost_once_they_end(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        team, _, bob = await _team(store)
        jobs = [await _job(store, team, bob, 2.4) for _ in range(8)]
        made, failed, failed_late, failed_voiced, stopped, stopped_late, stopped_voiced, running = jobs
        await store.reserve(team, bob, dict.fromkeys(jobs, 2.4))
        campaign = (await store.job(made)).campaign_id
        await store.add_creative(Creative(campaign_id=campaign, job_id=made, title="Sneaker", prompt="p",
                                          prompt_sent="p", model="sora-2-pro", duration_s=8, aspect="16:9",
                                          width=1280, height=720, fps=24, bytes=1, file_key="k",
                                          actual_cost_usd=2.1))  # fmt: skip
        await store.update_job(made, status=JobStatus.succeeded)
        await store.update_job(failed, status=JobStatus.failed)  # before anything reached the provider
        await store.update_job(failed_late, status=JobStatus.failed, provider_job_id="p1")  # the video may be billed
        await store.update_job(failed_voiced, status=JobStatus.failed, voice_prediction_id="v1")  # a voice-over made
        await store.update_job(stopped, status=JobStatus.canceled)
        await store.update_job(stopped_late, status=JobStatus.canceled, provider_job_id="p2")
        await store.update_job(stopped_voiced, status=JobStatus.canceled, voice_prediction_id="v2")
        lines = {line.job_id: line for line in await store.spend(team, month_of(datetime.now(UTC)))}
        assert [lines[j].actual_usd for j in jobs] == [2.1, 0, 2.4, 2.4, 0, 2.4, 2.4, None]
        assert await _month(store, team) == (11.7, 2.4)
    finally:
        await store.close()


async def test_a_reservation_whose_job_was_never_written_settles_at_nothing_once_it_is_old(database_url: str) -> None:
    """The process died (or the database failed) between reserving a batch and writing its jobs: the lines must not
    hold the budget all month, but a batch's jobs being written just now still count."""
    store = await Store.open(database_url)
    try:
        team, _, bob = await _team(store)
        await store.set_budget(team, None, 5.0, set_by=None)
        lost, writing = "a" * 32, "b" * 32  # no job was written for either
        await store.reserve(team, bob, {lost: 2.4, writing: 2.4}, batch_id="c" * 32)
        async with store.engine.begin() as db:
            before = datetime.now(UTC) - UNWRITTEN_GRACE - timedelta(seconds=1)
            await db.execute(update(Spend).where(Spend.job_id == lost).values(created_at=before))
        lines = {line.job_id: line for line in await store.spend(team, month_of(datetime.now(UTC)))}
        assert (lines[lost].actual_usd, lines[writing].actual_usd) == (0.0, None)
        await store.reserve(team, bob, {await _job(store, team, bob, 2.4): 2.4})  # the lost $2.40 is free again
        assert await _month(store, team) == (0.0, 4.8)
    finally:
        await store.close()


async def test_a_job_confirmed_again_updates_its_one_line(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        team, _, bob = await _team(store)
        await store.set_budget(team, None, 3.0, set_by=None)
        job = await _job(store, team, bob, 2.4)
        await store.reserve(team, bob, {job: 2.4})
        await store.reserve(team, bob, {job: 2.24})  # a fallback's price confirmed: its own line does not count
        [line] = await store.spend(team, month_of(datetime.now(UTC)))
        assert (line.job_id, line.estimated_usd) == (job, 2.24)
        await store.unreserve([job])
        assert await store.spend(team, month_of(datetime.now(UTC))) == []
    finally:
        await store.close()


async def test_another_teams_lines_and_budgets_are_apart(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        team, _, bob = await _team(store)
        other = (await store.team("globex", create=True)).id
        await store.set_budget(other, None, 1.0, set_by=None)
        await store.reserve(team, bob, {await _job(store, team, bob, 2.4): 2.4})  # acme has no budget
        assert await store.spend(other, month_of(datetime.now(UTC))) == []
        assert [b.team_id for b in await store.budgets(other)] == [other] and await store.budgets(team) == []
    finally:
        await store.close()


async def _race(url: str, jobs: list[str], team: str, user: str) -> list[BaseException | None]:
    """Two stores (two servers) reserving one job each at once; what each raised."""
    stores = [await Store.open(url) for _ in jobs]
    try:
        asked = (s.reserve(team, user, {job: 2.4}) for s, job in zip(stores, jobs, strict=True))
        outcomes = await asyncio.gather(*asked, return_exceptions=True)
        return [o if isinstance(o, BaseException) else None for o in outcomes]
    finally:
        for s in stores:
            await s.close()


async def test_two_confirmations_at_once_on_postgresql_cannot_both_pass(postgres_url: str) -> None:
    store = await Store.open(postgres_url)
    try:
        team, _, bob = await _team(store)
        await store.set_budget(team, None, 3.0, set_by=None)  # room for one $2.40 video, not two
        jobs = [await _job(store, team, bob, 2.4) for _ in range(2)]
        for _ in range(5):  # a lock that was missing would let both through in some of these rounds
            await store.unreserve(jobs)
            outcomes = await _race(postgres_url, jobs, team, bob)
            assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "OverBudget"]
            assert await _month(store, team) == (0.0, 2.4)
    finally:
        await store.close()


async def test_two_confirmations_at_once_on_sqlite_cannot_both_pass(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    store = await Store.open(url)
    try:
        team, _, bob = await _team(store)
        await store.set_budget(team, None, 3.0, set_by=None)
        jobs = [await _job(store, team, bob, 2.4) for _ in range(2)]
        for _ in range(5):
            await store.unreserve(jobs)
            outcomes = await _race(url, jobs, team, bob)
            assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "OverBudget"]
            assert await _month(store, team) == (0.0, 2.4)
    finally:
        await store.close()
