"""The review API: a link is made, listed with its whole address (this request's, when no public URL is set) and
revoked at once; a creative's comments and decisions are listed; every route refuses no token (401) and another
team's creative or link (404); only an admin turns the gate on (403 for a member); and with the gate on, a real
draft's export is refused with the reason until a reviewer approves it through the link."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from campaign.settings import Settings
from tests.conftest import bearer
from tests.e2e.chainlit_server import app_client
from tests.tools.test_reviews import _creative
from tools.studio.types import LinkGone


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The REST API in process, signed in as alice, an admin of acme; bob is a member of acme, carol an admin of
    globex."""
    from chat import runtime

    async with app_client(settings) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password=None, admin=True)
        await studio.accounts.add("bob", team="acme", password=None)
        await studio.accounts.add("carol", team="globex", password=None, admin=True)
        client.headers.update(await bearer(studio, "alice"))
        yield client


async def _team() -> tuple[dict[str, str], dict[str, str]]:
    """bob's and carol's headers."""
    from chat import runtime

    studio = runtime.services().studio
    return await bearer(studio, "bob"), await bearer(studio, "carol")


async def test_a_link_is_made_listed_with_its_address_and_revoked_at_once(api: httpx.AsyncClient) -> None:
    from chat import runtime

    studio = runtime.services().studio
    bob, carol = await _team()
    alice = await studio.accounts.cli_actor("alice")
    made = await _creative(studio, alice, "Sneaker showcase, vertical", set_id="s1")
    square = await _creative(studio, alice, "Sneaker showcase, square", set_id="s1")

    shared = await api.post(f"/api/creatives/{made}/review-links", json={"days": 3, "label": "client link"})
    assert shared.status_code == 201, shared.text
    link = shared.json()
    assert link["url"] == "http://localhost" + link["path"] and link["path"].startswith("/review/")
    assert (link["state"], link["label"], link["creative_ids"], link["created_by"]) == (
        "live", "client link", [made], "alice")  # fmt: skip
    elsewhere = await api.post(f"/api/creatives/{square}/review-links", headers={"Host": "review.acme.example"})
    assert elsewhere.status_code == 400, "a Host the server does not answer to makes no address"
    whole = await api.post(f"/api/creatives/{square}/review-links", json={"whole_set": True}, headers=bob)
    assert whole.status_code == 201 and whole.json()["creative_ids"] == [made, square]
    assert (await api.get(f"/api/creatives/{square}")).json()["review_status"] == "in review"

    listed = await api.get(f"/api/creatives/{made}/review-links", headers=bob)
    assert listed.status_code == 200
    assert [(x["id"], x["url"]) for x in listed.json()] == [
        (whole.json()["id"], whole.json()["url"]), (link["id"], link["url"])]  # fmt: skip

    token = link["path"].removeprefix("/review/")
    await studio.reviews.comment(token, made, "Ann <script>", "Logo too small", 1.2)
    await studio.reviews.decide(token, made, "Ann <script>", "request changes", "Bigger logo")
    said = await api.get(f"/api/creatives/{made}/reviews")
    assert said.status_code == 200
    assert [(n["kind"], n["name"], n["link_label"], n["at"], n["text"]) for n in said.json()] == [
        ("comment", "Ann <script>", "client link", "0:01", "Logo too small"),
        ("changes requested", "Ann <script>", "client link", None, "Bigger logo"),
    ]

    for bad in ({"days": 0}, {"days": 91}, {"days": "7"}, {"label": "x" * 81}, {"whole_set": "yes"}, {"ttl": 3}):
        refused = await api.post(f"/api/creatives/{made}/review-links", json=bad)
        assert refused.status_code == 422 and refused.json()["stage"] == "request", (bad, refused.text)

    revoked = await api.delete(f"/api/review-links/{link['id']}", headers=bob)
    assert revoked.status_code == 204 and revoked.content == b""
    with pytest.raises(LinkGone, match="withdrawn"):
        await studio.reviews.page(token)
    states = {x["id"]: x["state"] for x in (await api.get(f"/api/creatives/{made}/review-links")).json()}
    assert states == {link["id"]: "revoked", whole.json()["id"]: "live"}


async def test_a_link_s_address_is_the_public_url_when_one_is_set(settings: Settings) -> None:
    from chat import runtime

    public = settings.model_copy(update={"public_url": "https://clapboard.acme.example/"})
    async with app_client(public) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password=None)
        made = await _creative(studio, await studio.accounts.cli_actor("alice"), "Lighthouse")
        shared = await client.post(f"/api/creatives/{made}/review-links", headers=await bearer(studio, "alice"))
    link = shared.json()
    assert shared.status_code == 201 and link["url"] == "https://clapboard.acme.example" + link["path"]


async def test_every_review_route_refuses_no_token_another_team_and_a_member_changing_the_gate(
    api: httpx.AsyncClient,
) -> None:
    from chat import runtime

    studio = runtime.services().studio
    bob, carol = await _team()
    made = await _creative(studio, await studio.accounts.cli_actor("alice"), "Lighthouse")
    link = (await api.post(f"/api/creatives/{made}/review-links")).json()
    asked = [("post", f"/api/creatives/{made}/review-links"), ("get", f"/api/creatives/{made}/review-links"),
             ("get", f"/api/creatives/{made}/reviews"), ("delete", f"/api/review-links/{link['id']}"),
             ("get", "/api/team/approval"), ("put", "/api/team/approval")]  # fmt: skip
    for method, path in asked:
        answer = await api.request(method, path, headers={"Authorization": ""}, json={"exports_need_approval": True})
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer", (method, path)
        assert "bearer token is required" in answer.json()["detail"]
    for method, path in asked[:4]:
        answer = await api.request(method, path, headers=carol)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["detail"] and "Lighthouse" not in answer.text
    assert (await api.get(f"/api/creatives/{made}/review-links")).json()[0]["state"] == "live", "carol revoked nothing"

    assert (await api.get("/api/team/approval", headers=bob)).json() == {"exports_need_approval": False}
    member = await api.put("/api/team/approval", json={"exports_need_approval": True}, headers=bob)
    assert member.status_code == 403 and member.json()["detail"] == (
        "Only an admin can change whether exports need approval.")  # fmt: skip
    assert (await api.get("/api/team/approval")).json() == {"exports_need_approval": False}
    for bad in ({}, {"exports_need_approval": "on"}, {"exports_need_approval": True, "x": 1}):
        assert (await api.put("/api/team/approval", json=bad)).status_code == 422, bad


@pytest.mark.render
@pytest.mark.usefixtures("small_placements")
async def test_with_the_gate_on_a_draft_is_exported_only_once_a_reviewer_approved_it(api: httpx.AsyncClient) -> None:
    from chat import runtime

    studio = runtime.services().studio
    bob, carol = await _team()
    alice = await studio.accounts.cli_actor("alice")
    brief = {"prompt": 'A 2 second ad, headline "Run wild"', "model": "draft", "duration_s": 2, "aspect": "9:16"}
    asked = await api.post("/api/video/generate", json=brief)
    assert asked.status_code == 202, asked.text
    job = await studio.jobs.wait(alice, asked.json()["job_id"])
    assert job.status == "succeeded" and job.creative_id, job.error
    made = job.creative_id

    gate = await api.put("/api/team/approval", json={"exports_need_approval": True})
    assert (gate.status_code, gate.json()) == (200, {"exports_need_approval": True})
    assert (await api.get("/api/team/approval", headers=bob)).json() == {"exports_need_approval": True}
    assert (await api.get("/api/team/approval", headers=carol)).json() == {"exports_need_approval": False}
    export = {"placements": ["reels"]}
    refused = await api.post(f"/api/creatives/{made}/exports", json=export, headers=bob)
    assert refused.status_code == 403, refused.text
    assert "is a draft, not shared for review: your team exports approved videos only" in refused.json()["detail"]

    link = (await api.post(f"/api/creatives/{made}/review-links", json={"label": "client link"})).json()
    token = link["path"].removeprefix("/review/")
    await studio.reviews.decide(token, made, "Ann", "request changes", "Brighter, please")
    again = await api.post(f"/api/creatives/{made}/exports", json=export, headers=bob)
    assert again.status_code == 403, again.text
    assert "waiting for the changes a reviewer asked for" in again.json()["detail"]
    assert (await api.get(f"/api/exports?creative={made}")).json() == [], "nothing was exported"

    await studio.reviews.decide(token, made, "Ann", "approve")
    assert (await api.get(f"/api/creatives/{made}")).json()["review_status"] == "approved"
    started = await api.post(f"/api/creatives/{made}/exports", json=export, headers=bob)
    assert started.status_code == 202, started.text
    done = await studio.exports.wait(alice, started.json()["id"])
    assert done.status == "succeeded" and [f.placement for f in done.files if f.delivered] == ["reels"]
