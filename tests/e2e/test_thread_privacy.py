"""Chainlit's conversation routes give no existence oracle: another person's conversation and one that does not
exist answer the same 404 (they answered 401 and 500), on every route that takes a conversation's id."""

from __future__ import annotations

import uuid

from campaign.settings import Settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server


async def test_another_persons_conversation_answers_like_one_that_does_not_exist(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        for name, team in (("alice", "acme"), ("bob", "acme"), ("carol", "globex")):
            await studio.accounts.add(name, team=team, password=f"{name}-password")
        alice = ChatClient(base)
        await alice.connect("alice", "alice-password")
        await alice.send("make a 2 second clip of a red kite")
        [video] = await alice.wait_for(lambda: alice.elements("video"))
        threads = await alice.http.post("/project/threads", json={"pagination": {"first": 5}, "filter": {}})
        [thread] = threads.json()["data"]
        await alice.close()

        def routes(thread_id: str) -> list[dict[str, object]]:
            return [
                {"method": "GET", "url": f"/project/thread/{thread_id}"},
                {"method": "GET", "url": f"/project/thread/{thread_id}/element/{video['id']}"},
                {"method": "PUT", "url": "/project/thread", "json": {"threadId": thread_id, "name": "Mine now"}},
                {"method": "PUT", "url": "/project/thread/share", "json": {"threadId": thread_id, "isShared": True}},
                {"method": "DELETE", "url": "/project/thread", "json": {"threadId": thread_id}},
            ]

        for name in ("bob", "carol"):  # a teammate, and someone of another team
            other = ChatClient(base)
            assert (await other.sign_in(name, f"{name}-password")).status_code == 200
            for theirs, unknown in zip(routes(thread["id"]), routes(str(uuid.uuid4())), strict=True):
                answers = [await other.http.request(**request) for request in (theirs, unknown)]  # type: ignore[arg-type]
                assert [a.status_code for a in answers] == [404, 404], (name, theirs, [a.text for a in answers])
                assert answers[0].json() == answers[1].json(), theirs
            await other.http.aclose()

        owner = ChatClient(base)
        await owner.sign_in("alice", "alice-password")
        mine = await owner.http.get(f"/project/thread/{thread['id']}")
        assert mine.status_code == 200 and mine.json()["name"] == thread["name"]  # untouched by the others
        await owner.http.aclose()
