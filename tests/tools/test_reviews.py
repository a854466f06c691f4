"""`studio.reviews`: a link opens only what it was made for while it lives, comments and decisions are kept with
who and when and told to the conversation that made the video, and the team's gate lets only approved creatives be
exported."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from campaign.models import Creative, JobStatus, ReviewLink, ReviewNote, new_id, utcnow
from campaign.people import Actor
from campaign.store import DEFAULT_CAMPAIGN
from tests.conftest import make_settings
from tools.jobs.events import JobEvent
from tools.jobs.spec import JobSpec
from tools.studio import Studio
from tools.studio.types import Forbidden, InvalidRequest, LinkGone, NotFound, TooMany


async def _people(studio: Studio) -> tuple[Actor, Actor, Actor]:
    """alice (admin) and bob of acme, carol of globex."""
    for name, team, admin in (("alice", "acme", True), ("bob", "acme", False), ("carol", "globex", False)):
        await studio.accounts.add(name, team=team, password=None, admin=admin)
    return tuple([await studio.accounts.cli_actor(n) for n in ("alice", "bob", "carol")])  # type: ignore[return-value]


async def _creative(
    studio: Studio,
    actor: Actor,
    title: str,
    set_id: str | None = None,
    origin: str = "chat:t1",
    campaign: str = "Spring",
) -> str:
    """A finished creative of the actor's team, made by a job from `origin`, written as the runner writes it."""
    made_in = await studio.store.campaign(actor.team_id, campaign, create=True)
    spec = JobSpec(prompt="p", prompt_sent="p", model="draft", duration_s=8, aspect="9:16", resolution="720p", fps=30,
                   template="product", title=title)  # fmt: skip
    job = await studio.store.add_job(id=new_id(), campaign_id=made_in.id, status=JobStatus.succeeded,
                                     spec=spec.model_dump(mode="json"),
                                     model="draft", origin=origin, submitted_by=actor.user_id)  # fmt: skip
    creative = await studio.store.add_creative(Creative(
        campaign_id=made_in.id, job_id=job.id, title=title, prompt="p", prompt_sent="p", model="draft",
        duration_s=8.0, aspect="9:16", width=720, height=1280, fps=30.0, bytes=1000, file_key=f"videos/{title}.mp4",
        copy={"headline": "Run further", "cta": "Shop now"}, set_id=set_id, made_by=actor.user_id,
    ))  # fmt: skip
    return creative.id


async def test_a_link_opens_what_it_was_made_for_and_nothing_else(studio: Studio) -> None:
    alice, bob, carol = await _people(studio)
    one = await _creative(studio, alice, "Sneaker showcase, vertical", set_id="s1")
    square = await _creative(studio, alice, "Sneaker showcase, square", set_id="s1")
    other = await _creative(studio, alice, "Lighthouse")
    link = await studio.reviews.share(bob, one, label="client link")
    assert (link.state, link.creative_ids, link.label, link.created_by) == ("live", [one], "client link", "bob")
    assert link.path.startswith("/review/") and link.id not in (link.path[8:].split(".")[1])
    assert (await studio.library.creative(alice, one)).review_status == "in review"
    assert (await studio.library.creative(alice, square)).review_status == "draft"
    token = link.path.removeprefix("/review/")
    page = await studio.reviews.page(token)
    assert (page.campaign, [i.id for i in page.items]) == ("Spring", [one])
    assert page.items[0].words == ["Run further", "Shop now"]
    assert "/files/" in await studio.reviews.file_url(token, one)
    for elsewhere in (square, other, "f" * 32):
        with pytest.raises(NotFound):
            await studio.reviews.file_url(token, elsewhere)
        with pytest.raises(NotFound):
            await studio.reviews.comment(token, elsewhere, "Ann", "nice", 1.0)
    for forged in (link.id, token[:-2] + "xx", new_id() + token[32:], ""):
        with pytest.raises(NotFound):
            await studio.reviews.page(forged)
    whole = await studio.reviews.share(alice, square, whole_set=True, days=1)
    assert whole.creative_ids == [one, square]
    assert [i.title for i in (await studio.reviews.page(whole.path[8:])).items] == [
        "Sneaker showcase, vertical", "Sneaker showcase, square"]  # fmt: skip
    with pytest.raises(NotFound):
        await studio.reviews.share(carol, one)
    with pytest.raises(NotFound):
        await studio.reviews.links(carol, one)
    with pytest.raises(NotFound):
        await studio.reviews.revoke(carol, link.id)
    assert [x.id for x in await studio.reviews.links(alice, one)] == [whole.id, link.id]
    for days in (0, 91):
        with pytest.raises(InvalidRequest, match="1 to 90 days"):
            await studio.reviews.share(alice, one, days=days)


async def test_comments_and_decisions_are_kept_and_told_to_the_conversation(studio: Studio) -> None:
    alice, _, _ = await _people(studio)
    made = await _creative(studio, alice, "Sneaker showcase, vertical", origin="chat:thread-9")
    token = (await studio.reviews.share(alice, made, label="client link")).path[8:]
    heard: list[JobEvent] = []

    async def listen(e: JobEvent) -> None:
        heard.append(e)

    studio.subscribe(listen)
    await studio.reviews.comment(token, made, "  Ann\x00 <script>  ", "Logo <b>too</b> small\r\nhere", 3.2)
    with pytest.raises(InvalidRequest, match="needs a note"):
        await studio.reviews.decide(token, made, "Ann", "request changes", "  ")
    await studio.reviews.decide(token, made, "Ann", "request changes", "Bigger logo")
    assert (await studio.library.creative(alice, made)).review_status == "changes requested"
    await studio.reviews.decide(token, made, "Ann", "approve")
    assert (await studio.library.creative(alice, made)).review_status == "approved"
    await studio.bus.drain()
    notes = await studio.reviews.notes(alice, made)
    assert [(n.kind, n.name, n.text, n.at) for n in notes] == [
        ("comment", "Ann <script>", "Logo <b>too</b> small\nhere", "0:03"),
        ("changes requested", "Ann", "Bigger logo", None),
        ("approved", "Ann", "", None),
    ]
    assert [(e.kind, e.origin) for e in heard] == [("review", "chat:thread-9")] * 3
    assert heard[-1].message == "Ann (client link) approved “Sneaker showcase, vertical”"
    assert [n.id for n in await studio.reviews.undelivered(alice, "chat:thread-9")] == [n.id for n in notes]
    assert await studio.reviews.undelivered(alice, "chat:other") == []
    await studio.reviews.mark_delivered(alice, notes[0].id)
    assert len(await studio.reviews.undelivered(alice, "chat:thread-9")) == 2
    for bad in (-1, 9.0):
        with pytest.raises(InvalidRequest, match="0 to 8 seconds"):
            await studio.reviews.comment(token, made, "Ann", "x", bad)
    with pytest.raises(InvalidRequest, match="Type your name"):
        await studio.reviews.comment(token, made, " ", "x", None)
    with pytest.raises(InvalidRequest, match="at most 2000"):
        await studio.reviews.comment(token, made, "Ann", "x" * 2001, None)


async def test_a_revoked_or_expired_link_opens_nothing(studio: Studio) -> None:
    alice, bob, _ = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse")
    link = await studio.reviews.share(alice, made)
    revoked = await studio.reviews.revoke(bob, link.id)
    assert revoked.state == "revoked"
    assert (await studio.library.creative(alice, made)).review_status == "draft"
    with pytest.raises(LinkGone, match="withdrawn"):
        await studio.reviews.page(link.path[8:])
    with pytest.raises(LinkGone):
        await studio.reviews.file_url(link.path[8:], made)
    later = await studio.reviews.share(alice, made)
    async with studio.store._session() as s:
        await s.execute(update(ReviewLink).where(ReviewLink.id == later.id).values(expires_at=utcnow() - timedelta(1)))
        await s.commit()
    with pytest.raises(LinkGone, match="expired"):
        await studio.reviews.comment(later.path[8:], made, "Ann", "hello", None)


async def test_posts_through_one_link_are_limited(studio: Studio) -> None:
    alice, _, _ = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse")
    token = (await studio.reviews.share(alice, made)).path[8:]
    for n in range(20):
        await studio.reviews.comment(token, made, "Ann", f"note {n}", None)
    with pytest.raises(TooMany, match=r"Wait \d seconds"):
        await studio.reviews.comment(token, made, "Ann", "one more", None)
    assert len(await studio.reviews.notes(alice, made)) == 20


async def test_exports_need_approval_when_the_team_says_so(studio: Studio) -> None:
    alice, bob, carol = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse")
    with pytest.raises(Forbidden, match="Only an admin"):
        await studio.reviews.set_gate(bob, True)
    assert await studio.reviews.set_gate(alice, True) is True
    assert await studio.reviews.gate(bob) and not await studio.reviews.gate(carol)
    with pytest.raises(
        Forbidden, match="“Lighthouse” is a draft, not shared for review: your team exports approved videos only"
    ):
        await studio.exports.export(bob, made, "tiktok")
    token = (await studio.reviews.share(alice, made)).path[8:]
    with pytest.raises(Forbidden, match="is still in review: .* Export it once a reviewer approves it."):
        await studio.exports.export(bob, made, "tiktok")
    await studio.reviews.decide(token, made, "Ann", "approve")
    async with studio.store._session() as s:  # made before jobs were kept: the export's next check refuses it
        await s.execute(update(Creative).where(Creative.id == made).values(job_id=None))
        await s.commit()
    with pytest.raises(InvalidRequest, match="has no brief kept"):  # past the gate
        await studio.exports.export(bob, made, "tiktok")


async def test_on_postgresql_a_comment_through_one_server_reaches_the_chat_of_another(
    tmp_path: Path, postgres_url: str
) -> None:
    page = await Studio.open(make_settings(tmp_path / "a", database_url=postgres_url), server=False)
    chat = await Studio.open(make_settings(tmp_path / "b", database_url=postgres_url), server=False)
    try:
        alice, _, _ = await _people(page)
        made = await _creative(chat, alice, "Sneaker showcase, vertical", set_id="s1", origin="chat:thread-7")
        await _creative(chat, alice, "Sneaker showcase, square", set_id="s1")
        link = await chat.reviews.share(alice, made, whole_set=True, label="client link")
        heard: asyncio.Queue[JobEvent] = asyncio.Queue()
        chat.subscribe(heard.put)
        await page.reviews.comment(link.path[8:], made, "Ann", "Logo at 0:03 is small", 3.0)
        told = await asyncio.wait_for(heard.get(), 10)
        assert (told.kind, told.origin, told.source) == ("review", "chat:thread-7", page.bus.id)
        assert told.review is not None and told.review.said() == (
            "Ann (client link) commented at 0:03 on “Sneaker showcase, vertical”: Logo at 0:03 is small"
        )
        await page.reviews.comment(link.path[8:], made, "Ann", "😀" * 2000, None)  # 8,000 bytes of UTF-8
        told = await asyncio.wait_for(heard.get(), 10)
        assert told.review is not None and told.review.text == "😀" * 2000
        await chat.reviews.revoke(alice, link.id)
        with pytest.raises(LinkGone):
            await page.reviews.page(link.path[8:])
    finally:
        await chat.close()
        await page.close()


async def test_posts_sent_together_are_counted_together(studio: Studio) -> None:
    alice, _, _ = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse")
    token = (await studio.reviews.share(alice, made)).path[8:]
    sent = await asyncio.gather(*(studio.reviews.comment(token, made, "Ann", f"n{n}", None) for n in range(40)),
                                return_exceptions=True)  # fmt: skip
    assert sum(not isinstance(s, BaseException) for s in sent) == 20
    assert all(isinstance(s, TooMany) for s in sent if isinstance(s, BaseException))
    assert len(await studio.reviews.notes(alice, made)) == 20


async def test_a_note_racing_a_revoke_is_refused_and_two_decisions_leave_the_later(studio: Studio) -> None:
    alice, _, _ = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse")
    link = await studio.reviews.share(alice, made)
    token = link.path[8:]
    checked = await studio.reviews._live(token)  # the reviewer's post passed its check...
    await studio.reviews.revoke(alice, link.id)  # ...then the team revoked the link, before the note was written
    late = ReviewNote(id=new_id(), team_id=alice.team_id, creative_id=made, link_id=checked.id, kind="approved",
                      name="Ann", text="")  # fmt: skip
    with pytest.raises(LinkGone):
        await studio.store.add_review_note(late, most=1000)
    assert (await studio.library.creative(alice, made)).review_status == "draft" and not await studio.reviews.notes(
        alice, made
    )
    token = (await studio.reviews.share(alice, made)).path[8:]
    await asyncio.gather(studio.reviews.decide(token, made, "Ann", "request changes", "Brighter"),
                         studio.reviews.decide(token, made, "Ben", "approve"))  # fmt: skip
    latest = (await studio.reviews.notes(alice, made))[-1]
    assert (await studio.library.creative(alice, made)).review_status == latest.kind


async def test_a_reviewer_sees_only_what_came_through_their_link(studio: Studio) -> None:
    alice, bob, _ = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse")
    legal = (await studio.reviews.share(alice, made, label="internal legal")).path[8:]
    client = (await studio.reviews.share(bob, made, label="Acme (difficult client)")).path[8:]
    await studio.reviews.comment(legal, made, "Lee", "Claims need a footnote", 2.0)
    await studio.reviews.decide(legal, made, "Lee", "approve")
    page = await studio.reviews.page(client)
    assert (page.items[0].status, page.items[0].notes) == ("in review", [])
    assert "difficult" not in page.model_dump_json() and "legal" not in page.model_dump_json()
    await studio.reviews.comment(client, made, "Ann\u202e", "nice\u2066 one\nreally", 1.0)
    page = await studio.reviews.page(client)
    assert [(n.name, n.text) for n in page.items[0].notes] == [("Ann", "nice one\nreally")]
    notes = await studio.reviews.notes(alice, made)
    assert [(n.name, n.link_label, n.link_by) for n in notes] == [
        ("Lee", "internal legal", "alice"),
        ("Lee", "internal legal", "alice"),
        ("Ann", "Acme (difficult client)", "bob"),
    ]
    assert notes[-1].said() == "Ann (Acme (difficult client)) commented at 0:01 on “Lighthouse”: nice one really"
    reviews = await studio.reviews.of_creatives(alice, [made])
    assert [len(reviews[made].notes), [k.label for k in reviews[made].links]] == [
        3, ["Acme (difficult client)", "internal legal"]]  # fmt: skip


async def test_a_video_of_the_default_campaign_is_not_shown_under_that_name(studio: Studio) -> None:
    alice, _, _ = await _people(studio)
    made = await _creative(studio, alice, "Lighthouse", campaign=DEFAULT_CAMPAIGN)
    assert (await studio.reviews.page((await studio.reviews.share(alice, made)).path[8:])).campaign == ""
