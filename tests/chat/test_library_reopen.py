"""A reopened conversation, over the real server's socket.io: the custom elements its history holds (the library,
the brand card) come back with their props as objects they can render, the library shows once, as it is now,
however often the conversation is reopened, and a reviewer's words are told to the creative's team alone."""

from __future__ import annotations

from typing import Any

import pytest

from campaign.settings import Settings
from chat.notify import Recent
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.tools.test_reviews import _creative


def _resumed(tab: ChatClient) -> dict[str, Any]:
    return next(d for e, d in tab.events if e == "resume_thread")


def _history(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [e for e in _resumed(tab)["elements"] if e.get("name") == name]


def _sent(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [e for e in tab.elements("custom") if e.get("name") == name]


@pytest.mark.e2e
async def test_a_conversation_reopened_three_times_shows_one_current_library(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        await studio.accounts.add("dana", team="acme", password="dana-password", admin=True)
        dana = await studio.accounts.cli_actor("dana")
        creative_id = await _creative(studio, dana, "Sneaker showcase, vertical", origin="chat:elsewhere")
        token = (await studio.reviews.share(dana, creative_id)).path.rsplit("/", 1)[1]
        tab = ChatClient(base)
        await tab.connect("dana", "dana-password")
        await tab.send("our colours are #0A2540 and #FF5A1F")
        await tab.wait_for(lambda: _sent(tab, "BrandCard"))
        await tab.send("/library")
        [first] = await tab.wait_for(lambda: _sent(tab, "Library"))
        thread = await tab.thread()
        await tab.close()

        said = ["Bigger logo", "Brighter", "Warmer"]
        for n, text in enumerate(said, 1):
            await studio.reviews.comment(token, creative_id, "Ann", text, float(n))
            again = ChatClient(base)
            await again.connect("dana", "dana-password", thread_id=thread)
            [library] = await again.wait_for(lambda: _sent(again, "Library"))  # noqa: B023
            [kept] = _history(again, "Library")
            assert kept["props"]["total"]["creatives"] == 1, "the history's copy renders: its props are an object"
            assert library["id"] == kept["id"] == first["id"], "the copy on the page updated in place"
            [card] = library["props"]["campaigns"][0]["items"]
            assert [note["text"] for note in card["notes"]] == said[:n], "as the library is now"
            assert card["review_status"] == "in review" and len(card["links"]) == 1
            brand = _history(again, "BrandCard")[0]  # the card the conversation showed (chat/brand.py adds one)
            assert isinstance(brand["props"]["fonts"], list) and brand["props"]["colors"]
            assert not [m for m in again.messages() if m.startswith("The library now")]
            await again.close()


@pytest.mark.e2e
async def test_an_older_copy_of_the_library_goes_when_the_conversation_is_reopened(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        await studio.accounts.add("dana", team="acme", password="dana-password")
        await _creative(studio, await studio.accounts.cli_actor("dana"), "Sneaker showcase, vertical")
        tab = ChatClient(base)
        await tab.connect("dana", "dana-password")
        for n in (1, 2):  # one after the other: Chainlit answers a tab's messages concurrently
            await tab.send("/library")
            await tab.wait_for(lambda: len(_sent(tab, "Library")) == n)  # noqa: B023
        shown = _sent(tab, "Library")
        thread = await tab.thread()
        await tab.close()

        for _ in range(2):
            again = ChatClient(base)
            await again.connect("dana", "dana-password", thread_id=thread)
            await again.wait_for(lambda: _sent(again, "Library"))  # noqa: B023
            await again.close()
        last = ChatClient(base)
        await last.connect("dana", "dana-password", thread_id=thread)
        await last.wait_for(lambda: any(e == "resume_thread" for e, _ in last.events))
        assert [e["id"] for e in _history(last, "Library")] == [shown[-1]["id"]]
        await last.close()


@pytest.mark.e2e
async def test_a_reviewers_words_are_told_to_the_creatives_team_alone(settings: Settings) -> None:
    """A session of another team that has the conversation's id as its thread hears nothing of it."""
    async with chainlit_server(settings) as base:
        from chainlit.session import WebsocketSession

        from chat import runtime

        studio = runtime.services().studio
        await studio.accounts.add("dana", team="acme", password="dana-password")
        await studio.accounts.add("carol", team="globex", password="carol-password")
        dana, carol = ChatClient(base), ChatClient(base)
        await dana.connect("dana", "dana-password")
        await carol.connect("carol", "carol-password")
        await dana.send("/library")
        thread = await dana.thread()
        session = WebsocketSession.get_by_id(carol.session_id)
        assert session is not None
        session.thread_id = thread
        actor = await studio.accounts.cli_actor("dana")
        creative_id = await _creative(studio, actor, "Sneaker showcase, vertical", origin=f"chat:{thread}")
        token = (await studio.reviews.share(actor, creative_id)).path.rsplit("/", 1)[1]

        await studio.reviews.comment(token, creative_id, "Ann", "Bigger logo", 3.0)
        await dana.wait_for(lambda: [m for m in dana.messages() if m.startswith("**Ann** commented")])
        await studio.reviews.comment(token, creative_id, "Ann", "Brighter", 4.0)  # after the first, in order
        await dana.wait_for(lambda: [m for m in dana.messages() if "Brighter" in m])
        assert not [m for m in carol.messages() if "Ann" in m]
        for tab in (dana, carol):
            await tab.close()


def test_the_notes_shown_lately_are_remembered_up_to_a_bound() -> None:
    recent = Recent(3)
    assert [recent.add(k) for k in ("a", "b", "a", "c", "d")] == [True, True, False, True, True]
    assert len(recent) == 3 and recent.add("a"), "the oldest is forgotten first"
    assert not recent.add("d")
