"""The library element in the chat: opened by the Library button, by /library and by asking the LLM; its rename
and delete callbacks act as the session's user; its JSX uses only classes Chainlit's stylesheet has."""

from __future__ import annotations

import re
from pathlib import Path

import chainlit

from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from chat.notify import LIBRARY_ACTION as LIBRARY
from tests.conftest import make_settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.openai_server import FakeOpenAI
from tools.jobs import VideoRequest

JSX = Path(__file__).resolve().parents[2] / "public" / "elements" / "Library.jsx"


def test_the_element_uses_only_classes_that_chainlit_styles() -> None:
    assets = Path(chainlit.__file__).parent / "frontend" / "dist" / "assets"
    css = "".join(p.read_text() for p in assets.glob("*.css"))
    used = {c for names in re.findall(r'className="([^"]*)"', JSX.read_text()) for c in names.split()}
    assert len(used) > 10
    selectors = {c: re.escape("." + c.replace(":", "\\:")) + "[{:,. ]" for c in used}
    missing = [c for c, selector in selectors.items() if not re.search(selector, css)]
    assert missing == []  # a class Chainlit's own pages never use is not in its stylesheet: use an inline style


async def test_the_library_opens_and_acts_as_the_signed_in_user(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        for name, team in (("alice", "acme"), ("bob", "acme"), ("carol", "globex")):
            await studio.accounts.add(name, team=team, password=f"{name}-password")
        alice, bob, carol = ChatClient(base), ChatClient(base), ChatClient(base)
        for tab, name in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
            await tab.connect(name, f"{name}-password")

        await alice.send("/generate a 2 second vertical clip of a red kite")
        button = await alice.wait_for(lambda: [a for e, a in alice.events if e == "action" and a["name"] == LIBRARY])
        assert (await alice.click(button[0])).is_success
        [library] = await alice.wait_for(lambda: alice.elements("custom"))
        assert library["name"] == "Library" and library["display"] == "inline"
        [campaign] = library["props"]["campaigns"]
        [card] = campaign["items"]
        assert (campaign["name"], campaign["creatives"], campaign["spend"]) == ("Default campaign", 1, "free")
        assert (card["title"], card["aspect"], card["made_by"], card["can_delete"]) == (
            "Red kite, vertical", "9:16", "alice", True,
        )  # fmt: skip
        assert card["poster_url"] and "download=Red%20kite%2C%20vertical-9x16.mp4" in card["download_url"]

        await bob.send("/library")
        await bob.wait_for(lambda: any("The library: 1 creative in 1 campaign, nothing spent." in m
                                       for m in bob.messages()))  # fmt: skip
        [seen] = await bob.wait_for(lambda: bob.elements("custom"))
        assert seen["props"]["campaigns"][0]["items"][0]["can_delete"] is False  # alice's, not bob's

        async def click(tab: ChatClient, name: str, **payload: str) -> dict:
            answer = await tab.click({"name": name, "payload": {"id": card["id"], **payload}})
            assert answer.is_success, answer.text
            return answer.json()["response"]

        renamed = await click(bob, "library_rename", title="  Kite teaser ")  # anyone in the team may
        assert renamed["props"]["campaigns"][0]["items"][0]["title"] == "Kite teaser"
        assert "Only alice or an admin" in (await click(bob, "library_delete"))["error"]
        assert "There is no creative" in (await click(carol, "library_rename", title="Ours"))["error"]
        assert "There is no creative" in (await click(carol, "library_delete"))["error"]
        assert "1 to 120 characters" in (await click(alice, "library_rename", title=" "))["error"]

        video = settings.data_dir / "files" / "creatives" / card["id"] / "video.mp4"
        assert video.is_file()
        deleted = await click(alice, "library_delete")
        assert deleted["props"]["campaigns"] == [
            {"id": campaign["id"], "name": "Default campaign", "creatives": 0, "spend": "free", "items": []}
        ]
        assert not video.exists() and not video.with_name("poster.jpg").exists()
        await carol.send("/library")
        await carol.wait_for(lambda: any("No creatives yet" in m for m in carol.messages()))
        assert carol.elements("custom") == []
        for tab in (alice, bob, carol):
            await tab.close()


async def test_asking_the_llm_for_the_library_opens_it_with_a_short_answer(tmp_path: Path) -> None:
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(tool_calls=[{"name": "list_creatives", "arguments": {}}])
        llm.queue_reply(content="Here is your library.")
        async with chainlit_server(settings) as base:
            from chat import runtime

            studio = runtime.services().studio
            made = await studio.jobs.submit(OWNER, VideoRequest(prompt="a clip of a kite", duration_s=2), origin="cli")
            await studio.jobs.wait(OWNER, made.job_id)
            tab = ChatClient(base)
            await tab.connect()
            await tab.send("show me the library")
            [library] = await tab.wait_for(lambda: tab.elements("custom"))
            await tab.wait_for(lambda: any("Here is your library." in m for m in tab.messages()))
            await tab.close()
        assert library["props"]["campaigns"][0]["items"][0]["title"] == "Kite, landscape"
        tool = [m for m in llm.chat_requests()[1].json["messages"] if m["role"] == "tool"]
        assert [m["content"] for m in tool] == ["The library: 1 creative in 1 campaign, nothing spent."]
