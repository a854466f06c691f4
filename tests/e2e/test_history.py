"""Conversations that last, on the real Chainlit server over socket.io: the history is on our database (its
tables from our migrations), the video in it points at the creative's file, a restart loses nothing, the agent
carries on the conversation ("make it square"), and nobody else can list or open it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from campaign.settings import Settings
from tests.conftest import png_bytes
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.e2e.server_process import until
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.media import probe


async def _threads(tab: ChatClient) -> list[dict[str, Any]]:
    response = await tab.http.post("/project/threads", json={"pagination": {"first": 20}, "filter": {}})
    response.raise_for_status()
    return response.json()["data"]


async def _decoded(base: str, url: str, tmp: Path) -> Any:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get(url)
    assert response.status_code == 200, url
    path = tmp / "video.mp4"
    path.write_bytes(response.content)
    return probe(path)


async def test_a_conversation_survives_a_restart_and_carries_on(settings: Settings, tmp_path: Path) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        for name, team in (("alice", "acme"), ("bob", "acme"), ("carol", "globex")):
            await studio.accounts.add(name, team=team, password=f"{name}-password")
        alice = ChatClient(base)
        await alice.connect("alice", "alice-password")
        logo = await alice.upload("logo.png", png_bytes((400, 300), (20, 90, 200)), "image/png")
        await alice.send("make a 4 second vertical product showcase of our sneaker", files=[logo])
        await alice.wait_for(lambda: alice.elements("video"))
        await alice.close()
        [first] = await studio.jobs.conversation(await studio.accounts.cli_actor("alice"), "chat:", limit=5)
        attached = (await studio.store.job(first.id)).spec["references"][0]["key"]

    async with chainlit_server(settings) as base:  # a restart: a new process would see the same
        from chat import runtime

        studio = runtime.services().studio
        back = ChatClient(base)
        await back.sign_in("alice", "alice-password")
        [thread] = await _threads(back)
        assert thread["name"].startswith("make a 4 second vertical")
        await back.connect("alice", "alice-password", thread_id=thread["id"])
        [(_, resumed)] = await back.wait_for(lambda: [(e, d) for e, d in back.events if e == "resume_thread"])
        said = [s["output"] for s in resumed["steps"] if s["type"] in ("user_message", "assistant_message")]
        assert said[0] == "make a 4 second vertical product showcase of our sneaker"
        assert any("Your video is ready" in text for text in said)
        [video] = [e for e in resumed["elements"] if e["type"] == "video"]
        assert not video["url"].startswith("/files/chat/")  # a pointer to the creative, not a copy
        info = await _decoded(base, video["url"], tmp_path)
        assert (info.width, info.height) == (480, 854)
        [image] = [e for e in resumed["elements"] if e["type"] == "image"]
        assert image["objectKey"] == attached  # the attachment as the reference it became

        await back.send("make it square")
        square = await back.wait_for(lambda: back.elements("video"))
        info = await _decoded(base, square[-1]["url"], tmp_path)
        assert (info.width, info.height, round(info.duration_s)) == (480, 480, 4)
        actor = await studio.accounts.cli_actor("alice")
        newest, older = await studio.jobs.conversation(actor, f"chat:{thread['id']}", limit=5)
        new_spec, old_spec = (await studio.store.job(newest.id)).spec, (await studio.store.job(older.id)).spec
        assert new_spec["prompt"] == old_spec["prompt"] and new_spec["template"] == old_spec["template"]
        assert new_spec["references"] == old_spec["references"] != []
        await back.sio.disconnect()

        bob = ChatClient(base)
        await bob.sign_in("bob", "bob-password")
        assert await _threads(bob) == []  # his sidebar: his conversations only
        carol = ChatClient(base)
        await carol.sign_in("carol", "carol-password")
        assert (await carol.http.get(f"/project/thread/{thread['id']}")).status_code == 404
        with pytest.raises(socketio.exceptions.ConnectionError):
            await carol.connect("carol", "carol-password", thread_id=thread["id"])
        await carol.sio.shutdown()
        delete = {"method": "DELETE", "url": "/project/thread", "json": {"threadId": thread["id"]}}
        assert (await carol.http.request(**delete)).status_code == 404
        assert (await bob.http.request(**delete)).status_code == 404  # a teammate's conversation is still hers

        renamed = await back.http.put("/project/thread", json={"threadId": thread["id"], "name": "Sneaker, square"})
        assert renamed.status_code == 200 and [t["name"] for t in await _threads(back)] == ["Sneaker, square"]
        assert (await back.http.request(**delete)).status_code == 200
        assert await _threads(back) == []
        kept = await studio.library.creatives(actor)  # the library keeps what the conversation made
        assert len(kept) == 2
        for creative in kept:
            assert await studio.files.storage.exists(creative.file_key)
        for tab in (bob, carol, back):
            await tab.http.aclose()


async def test_a_reopened_conversation_asks_its_open_price_question_again(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    async with chainlit_server(settings) as base:
        from chat import runtime

        await runtime.services().studio.accounts.add("alice", team="acme", password="alice-password")
        tab = ChatClient(base)
        await tab.connect("alice", "alice-password")
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        await tab.wait_for(lambda: [d for e, d in tab.events if e == "action"])
        await tab.close()

        back = ChatClient(base)
        await back.sign_in("alice", "alice-password")
        [thread] = await until(lambda: _threads(back), what="the conversation in the history")  # written meanwhile
        await back.connect("alice", "alice-password", thread_id=thread["id"])
        await back.wait_for(lambda: any(e == "resume_thread" for e, _ in back.events))
        actions = await back.wait_for(lambda: [d for e, d in back.events if e == "action"])
        resumed_at = next(i for i, (e, _) in enumerate(back.events) if e == "resume_thread")
        asked_at = next(i for i, (e, d) in enumerate(back.events) if e == "new_message" and "go-ahead" in d["output"])
        assert asked_at > resumed_at  # after the history is shown, or the page would drop it
        assert {a["name"] for a in actions} == {"confirm_job", "cancel_job", "edit_text"}
        assert fake_replicate.creates() == []
        await back.close()
