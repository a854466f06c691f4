"""`studio.budgets` and the reservations of `studio.jobs` against the fake Replicate: only admins set budgets, a
paid confirmation reserves its estimate once however often it is confirmed, one that passes a budget starts nothing,
a fallback confirmed at a new price updates the job's one line, a batch over the budget is refused whole before any
job is written, and the library shows the month's spend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from campaign.models import JobStatus
from campaign.people import Actor
from tests.fakes.feeds import csv_bytes, products, serve_photos
from tests.fakes.http_server import ScriptedHTTPServer
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.jobs import VideoRequest
from tools.studio import Studio
from tools.studio.types import BatchOptions, Forbidden, MonthSpend, NotFound, OverBudget

PAID = VideoRequest(prompt="a sneaker turning on a plinth", model="veo-3.1", duration_s=6, audio=True, aspect="16:9",
                    voice="none", refine=False)  # fmt: skip  # $2.40


@pytest.fixture
async def studio(fake_replicate: FakeReplicate, tmp_path: Path) -> AsyncIterator[Studio]:
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data"))
    yield studio
    await studio.backend.drain()
    await studio.close()


async def _people(studio: Studio) -> tuple[Actor, Actor, Actor]:
    """alice (admin) and bob of acme, carol (admin) of globex."""
    for name, team, admin in (("alice", "acme", True), ("bob", "acme", False), ("carol", "globex", True)):
        await studio.accounts.add(name, team=team, password=None, admin=admin)
    return tuple([await studio.accounts.cli_actor(n) for n in ("alice", "bob", "carol")])  # type: ignore[return-value]


async def test_admins_set_budgets_of_their_team_only(studio: Studio) -> None:
    alice, bob, carol = await _people(studio)
    with pytest.raises(Forbidden, match="Only an admin can change budgets. Ask alice to change it."):
        await studio.budgets.set(bob, 5)
    with pytest.raises(NotFound, match="no user called 'bob' in your team"):
        await studio.budgets.set(carol, 5, "bob")
    shown = await studio.budgets.set(alice, 3, "Bob")
    shown = await studio.budgets.set(alice, 10)
    assert (shown.team, shown.admins, shown.team_budget.spend.budget_usd) == ("acme", ["alice"], 10.0)
    assert [(u.user, u.set_by, u.spend.left_usd) for u in shown.users] == [("bob", "alice", 3.0)]
    assert (await studio.budgets.show(carol)).team_budget.spend.budget_usd is None
    assert (await studio.budgets.set(alice, None, "bob")).users == []
    with pytest.raises(NotFound, match="no such budget"):
        await studio.budgets.set(alice, None, "bob")


async def test_a_job_confirmed_twice_at_once_is_reserved_and_started_once(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    alice, bob, _ = await _people(studio)
    await studio.budgets.set(alice, 3)  # one $2.40 video fits, not two
    asked = await studio.jobs.submit(bob, PAID)
    confirmed = await asyncio.gather(studio.jobs.confirm(bob, asked.job_id), studio.jobs.confirm(alice, asked.job_id))
    assert {c.status for c in confirmed} <= {JobStatus.queued, JobStatus.running, JobStatus.succeeded}
    await studio.backend.drain()
    report = await studio.budgets.spend(alice)
    assert [(x.job_id, x.who, x.estimated_usd, x.actual_usd) for x in report.lines] == [(asked.job_id, "bob", 2.4, 2.4)]
    assert len(fake_replicate.creates()) == 1

    second = await studio.jobs.submit(bob, PAID)
    with pytest.raises(OverBudget, match=r"\$2.40 spent and \$0.00 reserved, so \$0.60 is left"):
        await studio.jobs.confirm(bob, second.job_id)
    assert (await studio.jobs.job(bob, second.job_id)).status == JobStatus.awaiting_confirmation
    with pytest.raises(OverBudget):  # asked and confirmed at once: no job is written
        await studio.jobs.submit(bob, PAID, confirmed=True, idempotency_key="k1")
    assert [j.id for j in await studio.jobs.jobs(bob)] == [second.job_id, asked.job_id]
    assert len(fake_replicate.creates()) == 1 and len((await studio.budgets.spend(alice)).lines) == 1


async def test_a_confirmation_that_loses_to_a_cancel_reserves_nothing(studio: Studio) -> None:
    alice, bob, _ = await _people(studio)
    asked = await studio.jobs.submit(bob, PAID)
    await studio.jobs.cancel(bob, asked.job_id)
    assert (await studio.jobs.confirm(alice, asked.job_id)).status == JobStatus.canceled  # too late: changes nothing
    assert (await studio.budgets.spend(alice)).lines == []
    again = await studio.jobs.submit(bob, PAID, confirmed=True, idempotency_key="same")
    repeated = await studio.jobs.submit(bob, PAID, confirmed=True, idempotency_key="same")  # a client's retry
    assert repeated.job_id == again.job_id
    assert [x.job_id for x in (await studio.budgets.spend(alice)).lines] == [again.job_id]


async def test_a_fallback_confirmed_at_its_price_updates_the_jobs_one_line(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    alice, bob, _ = await _people(studio)
    fake_replicate.set_scenario("google/veo-3.1", "failed")  # Veo fails: Kling is offered at its own price
    asked = await studio.jobs.submit(bob, PAID)
    await studio.jobs.confirm(bob, asked.job_id)  # confirmed apart from the asking: a fallback is asked first
    await studio.backend.drain()
    offered = await studio.jobs.job(bob, asked.job_id)
    assert offered.status == JobStatus.awaiting_confirmation and offered.estimated_cost_usd != 2.4
    [line] = (await studio.budgets.spend(alice)).lines
    assert (line.estimated_usd, line.settled) == (2.4, False)  # still reserved at the price first confirmed
    await studio.jobs.confirm(bob, asked.job_id)
    await studio.backend.drain()
    [line] = (await studio.budgets.spend(alice)).lines
    assert (line.estimated_usd, line.actual_usd) == (offered.estimated_cost_usd, offered.estimated_cost_usd)


async def test_the_library_shows_the_months_spend_against_the_budget(studio: Studio) -> None:
    alice, bob, carol = await _people(studio)
    assert (await studio.library.library(bob)).month.line.endswith(": $0.00 spent, $0.00 reserved")  # type: ignore[union-attr]
    await studio.budgets.set(alice, 10)
    await studio.jobs.submit(bob, PAID, confirmed=True)
    await studio.backend.drain()
    asked = await studio.jobs.submit(bob, PAID)
    await studio.jobs.confirm(bob, asked.job_id)  # reserved until it ends
    month = (await studio.library.library(bob)).month
    assert month is not None and month.spent_usd + month.reserved_usd == 4.8 and month.budget_usd == 10
    await studio.backend.drain()
    month = (await studio.library.library(bob)).month
    assert month is not None
    assert month.line.endswith(": $4.80 spent, $0.00 reserved, $5.20 left of the $10.00 budget")
    assert (await studio.library.library(carol)).month.spent_usd == 0  # type: ignore[union-attr]


def test_a_months_amounts_are_written_to_the_cent_with_thousands_separated() -> None:
    """The library's line writes amounts as the refusal and the CLI do: never "$5000.00" beside "$5,000.00", nor
    "$1.008" where the ledger says "$1.01"."""
    month = MonthSpend.of("2026-12", 5000.0, 1.008, 2.4)
    assert month.line == "December: $1.01 spent, $2.40 reserved, $4,996.59 left of the $5,000.00 budget"
    assert MonthSpend.of("2026-12", None, 1234.5, 0.0).line == "December: $1,234.50 spent, $0.00 reserved"


@pytest.mark.render  # renders its videos: seconds of CPU, left out of the fast lane
async def test_a_960_batch_is_refused_by_a_5_dollar_budget_with_nothing_made_until_it_is_raised(
    fake_replicate: FakeReplicate, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's must-show: four products at $2.40 each ($9.60), one confirmation, a $5 team budget."""
    with ScriptedHTTPServer() as photos:
        rows = products(4, image=serve_photos(photos, 4))
        settings = replicate_settings(fake_replicate, tmp_path / "data", url_allowed_hosts=[f"127.0.0.1:{photos.port}"])
        studio = await Studio.open(settings)
        try:
            alice, bob, _ = await _people(studio)
            await studio.budgets.set(alice, 5)
            options = BatchOptions(prompt="a 6 second product video for each", model="veo-3.1", duration_s=6,
                                   aspects=["16:9"])  # fmt: skip
            quote = await studio.batches.quote_file(bob, csv_bytes(rows), "feed.csv", options)
            assert (quote.videos, quote.rejected, quote.estimated_cost_usd) == (4, 0, 9.6)
            with pytest.raises(OverBudget) as refused:
                await studio.batches.confirm(bob, quote.id)
            said = str(refused.value)
            assert said.startswith("This costs $9.60, more than is left of the acme team's monthly budget of $5.00")
            assert ": $0.00 spent and $0.00 reserved, so $5.00 is left. Nothing was started." in said
            assert "Ask an admin of acme (alice) to raise it to $10.00 (in the API: PUT /api/budgets/team;" in said
            assert fake_replicate.creates() == [] and await studio.jobs.jobs(bob) == []
            assert (await studio.batches.get(bob, quote.id)).status == "quoted"
            assert (await studio.budgets.spend(alice)).lines == []

            await studio.budgets.set(alice, 10)
            await studio.batches.confirm(bob, quote.id)
            done = await studio.batches.wait(bob, quote.id)
            assert (done.ready, done.failed) == (4, 0) and len(fake_replicate.creates()) == 4
            report = await studio.budgets.spend(alice)
            assert [(x.who, x.batch_id, x.estimated_usd, x.actual_usd) for x in report.lines] == [
                ("bob", quote.id, 2.4, 2.4)] * 4  # fmt: skip
            assert (report.estimated_usd, report.actual_usd, report.spend.left_usd) == (9.6, 9.6, 0.4)
            with capsys.disabled():
                print(f"\n{'title':<40} {'who':<5} {'estimated':>9} {'actual':>7}")
                for x in report.lines:
                    print(f"{x.title:<40} {x.who:<5} {x.estimated_usd:>9.2f} {x.actual_usd or 0:>7.2f}")
                print(f"{'total':<46} {report.estimated_usd:>9.2f} {report.actual_usd:>7.2f}")
        finally:
            await studio.backend.drain()
            await studio.close()
