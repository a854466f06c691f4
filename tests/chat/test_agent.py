"""The same agent graph with the offline planner and with ChatOpenAI on a fake OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import HumanMessage

from campaign.people import LOCAL_OWNER as OWNER
from chat.agent import TurnContext, build_agent
from tests.conftest import make_settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.openai_server import FakeOpenAI
from tools.studio import Studio


async def _ask(studio: Studio, text: str, offline: bool = False, **turn: str) -> str:
    agent = build_agent(studio, None, offline=offline)
    result = await agent.ainvoke({"messages": [HumanMessage(text)]}, context=TurnContext(studio, OWNER, **turn))
    return str(result["messages"][-1].content)


async def test_offline_planner_drives_the_tools(tmp_path: Path) -> None:
    studio = await Studio.open(make_settings(tmp_path / "data"))
    answer = await _ask(studio, "make a 3s square clip of a paper plane", origin="test")
    assert answer.startswith("Making your video: 3 s 1:1 (720x720)")
    await studio.backend.drain()
    assert "1 creative" in await _ask(studio, "/creatives")
    assert "draft" in await _ask(studio, "/models")
    await studio.close()


async def test_chat_openai_streams_and_calls_tools_through_the_same_graph(tmp_path: Path) -> None:
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(tool_calls=[{"name": "generate_video",
                                     "arguments": {"prompt": "a paper plane over a city", "duration_s": 4,
                                                   "aspect": "9:16"}}])  # fmt: skip
        llm.queue_reply(content="Your 4 second vertical paper plane video is on its way; it will play here.")
        async with chainlit_server(settings) as base:
            tab = ChatClient(base)
            await tab.connect()
            await tab.send("a short vertical clip of a paper plane over a city")
            await tab.wait_for(lambda: any("on its way" in m for m in tab.messages()))
            videos = await tab.wait_for(lambda: tab.elements("video"))
            await tab.close()

        tokens = [d for e, d in tab.events if e == "stream_token"]
        assert len(tokens) > 2  # the answer arrived streamed, in pieces
        first = llm.chat_requests()[0].json
        assert first["stream"] is True and first["model"] == "gpt-4o"
        assert {t["function"]["name"] for t in first["tools"]} == {
            "list_video_models", "generate_video", "revise_video", "make_variations", "make_formats",
            "list_creatives",
        }  # fmt: skip
        second = llm.chat_requests()[1].json
        tool_result = [m for m in second["messages"] if m["role"] == "tool"][0]["content"]
        assert tool_result.startswith("Making your video: 4 s 9:16 (720x1280)")
        assert videos[0]["mime"] == "video/mp4"


async def test_an_llm_that_does_not_answer_gets_a_clear_message(tmp_path: Path) -> None:
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_error(503, "overloaded")
        llm.queue_error(503, "overloaded")
        async with chainlit_server(settings) as base:
            tab = ChatClient(base)
            await tab.connect()
            await tab.send("make a video of a kite")
            await tab.wait_for(lambda: any("could not answer just now" in m for m in tab.messages()))
            await tab.close()


async def test_a_resent_message_or_a_repeated_tool_call_makes_one_job(tmp_path: Path) -> None:
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        call = {"name": "generate_video", "arguments": {"prompt": "a paper plane over a city", "duration_s": 2}}
        llm.queue_reply(tool_calls=[call, call])  # the model repeats itself
        llm.queue_reply(content="On its way.")
        studio = await Studio.open(settings)
        await _ask(studio, "a paper plane over a city, 2 s", origin="chat:t1", message_id="m1")
        assert len(await studio.jobs(OWNER)) == 1

        for _ in range(2):  # the browser resent the message after a network blip
            await _ask(studio, "/generate a 2 s clip of a kite", offline=True, origin="chat:t1", message_id="m2")
        # a new message is a new request
        await _ask(studio, "/generate a 2 s clip of a kite", offline=True, origin="chat:t1", message_id="m3")
        await studio.backend.drain()
        jobs = await studio.jobs(OWNER)
        assert len(jobs) == 3 and all(j.status == "succeeded" for j in jobs)
        await studio.close()
