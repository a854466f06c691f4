"""Teams through the facade: every call carries an actor; another team's ids are not found; price questions are
the asker's; only the asker or an admin confirms or cancels; who did what is recorded and named."""

from __future__ import annotations

import pytest

from campaign.errors import Conflict, Forbidden, InvalidRequest, NotFound
from campaign.people import Actor
from campaign.settings import Settings
from tests.conftest import png_bytes
from tests.tools.test_jobs import runner
from tools.jobs import VideoRequest
from tools.studio import Studio


async def _people(studio: Studio) -> dict[str, Actor]:
    accounts = studio.accounts
    await accounts.add("alice", team="acme", password="alice-password", email="alice@acme.example")
    await accounts.add("bob", team="acme", password="bob-password")
    await accounts.add("erin", team="acme", password="erin-password", admin=True)
    await accounts.add("carol", team="globex", password="carol-password")
    return {name: await accounts.cli_actor(name) for name in ("alice", "bob", "erin", "carol")}


@pytest.mark.render
async def test_another_teams_ids_are_not_found_and_the_library_is_the_teams(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        who = await _people(studio)
        alice, bob, carol = who["alice"], who["bob"], who["carol"]
        logo = await studio.files.add_reference(alice, data=png_bytes((300, 200)), name="logo.png")
        made = await studio.jobs.submit(alice, VideoRequest(prompt="a 2 s logo sting", duration_s=2, campaign="Spring",
                                                       references=[logo.key]))  # fmt: skip
        job = await studio.jobs.wait(alice, made.job_id)
        assert job.status == "succeeded" and job.submitted_by == "alice"

        [seen] = await studio.library.creatives(bob)  # the team's library
        assert (seen.id, seen.made_by, seen.campaign) == (job.creative_id, "alice", "Spring")
        assert [c.name for c in await studio.library.campaigns(bob)] == ["Spring"]
        assert await studio.library.creatives(carol) == [] and await studio.library.campaigns(carol) == []
        assert await studio.jobs.jobs(carol) == []
        for call in (
            studio.jobs.job(carol, made.job_id),
            studio.library.creative(carol, job.creative_id or ""),
            studio.jobs.cancel(carol, made.job_id),
            studio.jobs.confirm(carol, made.job_id),
            studio.jobs.wait(carol, made.job_id),
            studio.library.creatives(carol, "Spring"),
            studio.jobs.submit(carol, VideoRequest(prompt="a 2 s clip", duration_s=2, references=[logo.key])),
        ):
            with pytest.raises(NotFound):
                await call
        await studio.library.create_campaign(carol, "Spring")  # the same name is another campaign in another team
        assert [c.name for c in await studio.library.campaigns(carol)] == ["Spring"]
        assert len(await studio.library.campaigns(alice)) == 1
    finally:
        await studio.close()


async def test_price_questions_are_the_askers_and_only_they_or_an_admin_answer(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        who = await _people(studio)
        alice, bob, erin = who["alice"], who["bob"], who["erin"]
        paid = VideoRequest(prompt="a kite over a beach", model="premium", duration_s=4)
        asked = await studio.jobs.submit(alice, paid, origin="chat:alice-thread")
        assert asked.needs_confirmation
        assert [j.id for j in await studio.jobs.jobs(alice)] == [asked.job_id]
        assert await studio.jobs.jobs(bob) == []  # alice's question, not bob's
        assert await studio.jobs.undelivered(bob, "chat:") == []
        assert [j.id for j in await studio.jobs.undelivered(alice, "chat:")] == [asked.job_id]
        with pytest.raises(Forbidden, match="Only alice or an admin"):
            await studio.jobs.confirm(bob, asked.job_id)
        with pytest.raises(Forbidden):
            await studio.jobs.cancel(bob, asked.job_id)
        assert (await studio.jobs.job(bob, asked.job_id)).status == "awaiting_confirmation"

        second = await studio.jobs.submit(alice, paid.model_copy(update={"prompt": "a kite at dusk"}))
        confirmed = await studio.jobs.confirm(erin, second.job_id)  # an admin may
        assert (confirmed.submitted_by, confirmed.confirmed_by) == ("alice", "erin")
        canceled = await studio.jobs.cancel(alice, asked.job_id)
        assert (canceled.status, canceled.canceled_by) == ("canceled", "alice")
        await studio.accounts.remove("alice")
        assert (await studio.jobs.job(erin, asked.job_id)).canceled_by == "alice (removed)"  # the audit keeps her name
    finally:
        await studio.backend.drain()
        await studio.close()


async def test_users_are_checked_named_and_removed(settings: Settings) -> None:
    studio = await runner(settings)
    accounts = studio.accounts
    try:
        assert await accounts.local_owner() is not None  # nobody added yet: the person at the machine
        await accounts.add("Alice", team="ACME", password="alice-password", email="Alice@Acme.Example")
        assert await accounts.local_owner() is None
        [listed] = await accounts.list()
        assert (listed.name, listed.team, listed.email, listed.role, listed.password) == (
            "alice", "acme", "alice@acme.example", "member", True)  # fmt: skip
        assert (await accounts.sign_in("alice", "alice-password")).team == "acme"
        assert (await accounts.sign_in("ALICE@acme.example", "alice-password")).name == "alice"
        assert await accounts.sign_in("alice", "wrong-password") is None
        assert await accounts.sign_in("nobody", "alice-password") is None
        for bad, error in (
            (accounts.add("alice", team="acme", password="another-password"), Conflict),
            (accounts.add("bob", team="acme", password="bob-password", email="alice@acme.example"), Conflict),
            (accounts.add("al ice", team="acme", password="alice-password"), InvalidRequest),
            (accounts.add("bob", team="acme", password="short"), InvalidRequest),
            (accounts.issue_token("alice", days=0), InvalidRequest),
            (accounts.cli_actor(None), InvalidRequest),  # users exist: the CLI must say who
            (accounts.set_password("nobody", "a-password"), NotFound),
        ):
            with pytest.raises(error):
                await bad
        sso = await accounts.add("sam", team="acme", password=None, email="sam@acme.example")
        assert not sso.password and await accounts.sign_in("sam", "") is None
        assert (await accounts.by_email("SAM@acme.example")).name == "sam"
        assert await accounts.by_email("new@acme.example") is None
        joined = await accounts.by_email("new.person@acme.example", join_domains={"acme.example": "acme"})
        assert (joined.name, joined.team, joined.role) == ("new.person", "acme", "member")
        await accounts.remove("alice")
        assert await accounts.sign_in("alice", "alice-password") is None
        await accounts.add("alice", team="globex", password="alice-password-2")  # the name is free again
        assert (await accounts.sign_in("alice", "alice-password-2")).team == "globex"
    finally:
        await studio.close()
