"""Who is speaking, in the real Chainlit server over socket.io: sign-in is required once users exist; a
teammate never gets someone else's price question; another team's ids are not found in the chat or the API;
a session ends when its user is removed, changes password, or (the local owner) once users exist; wrong passwords
wait their turn (429, Retry-After) without keeping the account's owner out; a NUL in the form is refused."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
import socketio

from tests.conftest import bearer, make_settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings

PAID_BRIEF = "make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn"


async def _actions(tab: ChatClient) -> list[dict]:
    return await tab.wait_for(lambda: [d for e, d in tab.events if e == "action"])


async def test_teammates_and_other_teams_see_only_what_is_theirs(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
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
        job = await studio.jobs.job(await studio.accounts.cli_actor("alice"), job_id)
        assert (job.status, job.submitted_by, job.canceled_by) == ("canceled", "alice", "alice")
        for tab in (bob, carol, back):
            await tab.close()


async def test_a_session_ends_when_its_sign_in_no_longer_holds(settings: object, tmp_path: Path) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
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

        studio = runtime.services().studio
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


async def test_wrong_passwords_wait_their_turn_and_another_address_is_not_kept_out(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", sign_in_pair_failures=3, sign_in_pair_every_s=5,
                             sign_in_account_failures=6, sign_in_account_every_s=5)  # fmt: skip
    async with chainlit_server(settings) as base:
        from chat import runtime

        await runtime.services().studio.accounts.add("alice", team="acme", password="alice-password")
        # uvicorn takes the client's address from X-Forwarded-For when the proxy is on loopback, as here
        guesser = httpx.AsyncClient(base_url=base, headers={"X-Forwarded-For": "203.0.113.9"})
        alice = httpx.AsyncClient(base_url=base, headers={"X-Forwarded-For": "198.51.100.7"})
        form = {"username": "alice", "password": "guess-1234"}
        assert [(await guesser.post("/login", data=form)).status_code for _ in range(3)] == [401] * 3
        refused = await guesser.post("/login", data={"username": "alice", "password": "alice-password"})
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 5
        assert refused.json()["detail"].startswith(f"Too many wrong passwords. Wait {wait} second")
        multipart = {"username": (None, "alice"), "password": (None, "guess-5678")}  # as the page sends it
        again = await asyncio.gather(*(guesser.post("/login", data=form) for _ in range(10)),
                                     *(guesser.post("/login", files=multipart) for _ in range(10)))  # fmt: skip
        assert [a.status_code for a in again] == [429] * 20  # asking while refused costs nothing, changes nothing
        assert (await alice.post("/login", data={"username": "alice", "password": "alice-password"})).is_success

        await asyncio.sleep(wait)
        # the person who mistyped, at the same address, gets in after the wait (with the page's multipart form)
        back = await guesser.post("/login", files={"username": (None, "alice"), "password": (None, "alice-password")})
        assert back.status_code == 200 and (await guesser.get("/user")).json()["identifier"]
        await guesser.aclose()
        await alice.aclose()


async def test_a_nul_in_the_sign_in_form_is_refused_without_a_traceback(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with chainlit_server(make_settings(tmp_path / "data", database_url=database_url)) as base:
        from chat import runtime

        await runtime.services().studio.accounts.add("alice", team="acme", password="alice-password")
        async with httpx.AsyncClient(base_url=base) as http:
            for name, password in (("ali\x00ce", "alice-password"), ("alice@acme.example\x00", "x"),
                                   ("alice", "alice-pass\x00word"), ("alice\x1b", "alice-password")):  # fmt: skip
                for sent in ({"data": {"username": name, "password": password}},
                             {"files": {"username": (None, name), "password": (None, password)}}):  # fmt: skip
                    answer = await http.post("/login", **sent)
                    assert answer.status_code == 422
                    assert answer.json()["detail"] == (
                        "A name or password cannot contain control characters. Type them again and sign in."
                    )
            assert (await http.post("/login", data={"username": "alice", "password": "alice-password"})).is_success
    assert not [r for r in caplog.records if r.exc_info or r.name.startswith("chainlit")]  # no traceback
