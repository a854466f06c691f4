"""Who is speaking, in the real Chainlit server over socket.io: sign-in is required once users exist; a
teammate never gets someone else's price question; another team's ids are not found in the chat or the API;
a session ends when its user is removed, changes password, or (the local owner) once users exist."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import socketio

from tests.conftest import bearer
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, fake_replicate, replicate_settings  # noqa: F401

PAID_BRIEF = "make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn"


async def _actions(tab: ChatClient) -> list[dict]:
    return await tab.wait_for(lambda: [d for e, d in tab.events if e == "action"])


async def test_teammates_and_other_teams_see_only_what_is_theirs(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = await runtime.get_studio()
        for name, team in (("alice", "acme"), ("bob", "acme"), ("carol", "globex")):
            await studio.accounts.add(name, team=team, password=f"{name}-password")

        stranger = ChatClient(base)
        assert (await stranger.sign_in()).status_code == 401  # no header sign-in once users exist
        assert (await stranger.sign_in("alice", "wrong-password")).status_code == 401
        with pytest.raises(socketio.exceptions.ConnectionError):
            await stranger.sio.connect(base, socketio_path="/ws/socket.io", transports=["websocket"],
                                       auth={"clientType": "webapp", "sessionId": stranger.session_id})  # fmt: skip
        await stranger.sio.shutdown()
        await stranger.http.aclose()

        alice = ChatClient(base)
        await alice.connect("alice", "alice-password")
        await alice.send(PAID_BRIEF)
        confirm = next(a for a in await _actions(alice) if a["name"] == "confirm_job")
        job_id = confirm["payload"]["job_id"]

        bob = ChatClient(base)
        await bob.connect("bob", "bob-password")
        await bob.send("/creatives")
        await bob.wait_for(lambda: any("No creatives yet" in m for m in bob.messages()))
        assert not any("go-ahead" in m for m in bob.messages())
        assert not [d for e, d in bob.events if e == "action"]  # alice's question is not bob's to answer
        assert (await bob.click(confirm)).is_success
        await bob.wait_for(lambda: any("Only alice or an admin can confirm" in m for m in bob.messages()))

        carol = ChatClient(base)
        await carol.connect("carol", "carol-password")
        await carol.click(confirm)
        await carol.wait_for(lambda: any(f"There is no job {job_id}" in m for m in carol.messages()))
        async with httpx.AsyncClient(base_url=base, headers=await bearer(studio, "carol")) as http:
            assert (await http.get(f"/api/jobs/{job_id}")).status_code == 404
            assert (await http.post(f"/api/jobs/{job_id}/confirm")).status_code == 404
            assert (await http.get("/api/jobs")).json() == []
        assert fake_replicate.creates() == []  # nobody but alice could start it

        thread = await alice.thread()
        await alice.close()
        back = ChatClient(base)
        await back.connect("alice", "alice-password", thread_id=thread)  # the question's own conversation
        actions = await _actions(back)
        assert any("Still waiting for your go-ahead" in m for m in back.messages())
        assert (await back.click(next(a for a in actions if a["name"] == "cancel_job"))).is_success
        await back.wait_for(lambda: any("nothing was started or charged" in m for m in back.messages()))
        job = await studio.job(await studio.accounts.cli_actor("alice"), job_id)
        assert (job.status, job.submitted_by, job.canceled_by) == ("canceled", "alice", "alice")
        for tab in (bob, carol, back):
            await tab.close()


async def test_a_session_ends_when_its_sign_in_no_longer_holds(settings: object, tmp_path: Path) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = await runtime.get_studio()
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/auth/config")).json()["headerAuth"] is True  # nobody added: the local owner
        owner = ChatClient(base)
        await owner.connect()
        assert (await owner.http.get("/user")).json()["display_name"] == "owner"

        await studio.accounts.add("alice", team="acme", password="alice-password")
        async with httpx.AsyncClient(base_url=base) as http:
            config = (await http.get("/auth/config")).json()
        assert (config["requireLogin"], config["headerAuth"], config["passwordAuth"]) == (True, False, True)
        cookie = owner.http.cookies["access_token"]
        assert (await owner.http.get("/user")).status_code == 401  # the page shows the sign-in form
        await owner.send("a 2 second clip of a kite")
        await owner.wait_for(lambda: any("sign-in has ended" in m for m in owner.messages()))
        assert await studio.store.jobs("default") == []
        late = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await late.connect(base, socketio_path="/ws/socket.io", transports=["websocket"],
                               headers={"Cookie": f"access_token={cookie}"},
                               auth={"clientType": "webapp", "sessionId": "s"})  # fmt: skip
        await late.shutdown()
        await owner.close()

        alice = ChatClient(base)
        await alice.connect("alice", "alice-password")
        assert (await alice.http.get("/user")).status_code == 200
        await studio.accounts.set_password("alice", "another-password")
        assert (await alice.http.get("/user")).status_code == 401
        await alice.close()


async def test_a_trusted_proxy_header_signs_in_only_when_configured(settings: object, tmp_path: Path) -> None:
    settings.auth_header = "X-Forwarded-Email"
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = await runtime.get_studio()
        await studio.accounts.add("alice", team="acme", password=None, email="alice@acme.example")
        tab = ChatClient(base)
        assert (await tab.http.get("/auth/config")).json()["headerAuth"] is True
        assert (
            await tab.http.post("/auth/header", headers={"X-Forwarded-Email": "eve@evil.example"})
        ).status_code == 401
        assert (await tab.http.post("/auth/header")).status_code == 401
        signed = await tab.http.post("/auth/header", headers={"X-Forwarded-Email": "Alice@Acme.Example"})
        assert signed.status_code == 200
        assert (await tab.http.get("/user")).json()["display_name"] == "alice"
        await tab.http.aclose()
        settings.auth_header = None  # without the setting, the same header proves nothing
        other = ChatClient(base)
        assert (await other.http.get("/auth/config")).json()["headerAuth"] is False
        alice = {"X-Forwarded-Email": "alice@acme.example"}
        assert (await other.http.post("/auth/header", headers=alice)).status_code == 401
        await other.http.aclose()
