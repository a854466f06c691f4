"""The same agent graph with the offline planner and with ChatOpenAI on a fake OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from campaign.people import LOCAL_OWNER as OWNER
from chat.agent import TurnContext, build_agent
from tests.conftest import make_settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.jobs.spec import JobSpec
from tools.studio import Studio
from tools.studio.types import FIELD_NAMES, AdCopy


async def _ask(studio: Studio, text: str, offline: bool = False, **turn: str) -> str:
    agent = build_agent(studio, None, offline=offline)
    result = await agent.ainvoke({"messages": [HumanMessage(text)]}, context=TurnContext(studio, OWNER, **turn))
    return str(result["messages"][-1].content)


async def test_offline_planner_drives_the_tools(tmp_path: Path) -> None:
    studio = await Studio.open(make_settings(tmp_path / "data"))
    answer = await _ask(studio, "make a 3s square clip of a paper plane", origin="test")
    assert answer.startswith("Making your video: 3 s 1:1 (480x480)")
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
            "export_video", "share_for_review", "review_notes", "list_creatives", "set_brand", "show_brand",
        }  # fmt: skip
        second = llm.chat_requests()[1].json
        tool_result = [m for m in second["messages"] if m["role"] == "tool"][0]["content"]
        assert tool_result.startswith("Making your video: 4 s 9:16 (480x854)")
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
        assert len(await studio.jobs.jobs(OWNER)) == 1

        for _ in range(2):  # the browser resent the message after a network blip
            await _ask(studio, "/generate a 2 s clip of a kite", offline=True, origin="chat:t1", message_id="m2")
        # a new message is a new request
        await _ask(studio, "/generate a 2 s clip of a kite", offline=True, origin="chat:t1", message_id="m3")
        await studio.backend.drain()
        jobs = await studio.jobs.jobs(OWNER)
        assert len(jobs) == 3 and all(j.status == "succeeded" for j in jobs)
        await studio.close()


async def test_an_ad_for_one_channel_is_made_in_its_format(tmp_path: Path) -> None:
    """The tool tells the LLM to leave `aspect` unset with `channels`: one channel still gives its format."""
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {
            "prompt": "a 2 second ad for our socks", "duration_s": 2, "channels": ["youtube"]}}])  # fmt: skip
        llm.queue_reply(content="On its way.")
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {
            "prompt": "a 2 second ad for our socks", "duration_s": 2, "channels": ["linkedin"]}}])  # fmt: skip
        llm.queue_reply(content="On its way.")
        studio = await Studio.open(settings)
        try:
            await _ask(studio, "a 2 second ad for our socks for YouTube", origin="chat:t1", message_id="m1")
            await _ask(studio, "a 2 second ad for our socks for LinkedIn", origin="chat:t1", message_id="m2")
            await studio.backend.drain()
            made = await studio.library.creatives(OWNER)
            sizes = []
            for c in made:
                with av.open(c.file or "") as container:
                    sizes.append((c.aspect, container.streams.video[0].width, container.streams.video[0].height))
            assert sorted(sizes) == [("16:9", 854, 480), ("1:1", 480, 480)]
        finally:
            await studio.close()


async def test_revised_words_change_only_the_fields_given_and_an_empty_one_removes_its_words(tmp_path: Path) -> None:
    """An LLM that fills in every field of the copy changes only those with words; one that sends a field empty
    takes it off screen."""
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        copy = {"headline": "Fly high", "tagline": "Made for wind", "price": "$20"}
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {
            "prompt": "a kite over a beach", "duration_s": 2, "copy": copy}}])  # fmt: skip
        llm.queue_reply(content="On its way.")
        filled = {name: [] if name in ("features", "conditions") else "" for name in FIELD_NAMES}
        llm.queue_reply(tool_calls=[{"name": "revise_video", "arguments": {"copy": {**filled, "headline": "Fly"}}}])
        llm.queue_reply(content="On its way.")
        llm.queue_reply(tool_calls=[{"name": "revise_video", "arguments": {"copy": {"tagline": ""}}}])
        llm.queue_reply(content="On its way.")
        studio = await Studio.open(settings)
        try:
            first = 'a kite over a beach, headline "Fly high", tagline "Made for wind", $20'
            for n, text in enumerate((first, "change the headline to Fly", "remove the tagline")):
                await _ask(studio, text, origin="chat:t1", message_id=f"m{n}")
            jobs = await studio.jobs.jobs(OWNER)
            assert [j.copy.given() for j in reversed(jobs)] == [
                copy, {**copy, "headline": "Fly"}, {"headline": "Fly", "price": "$20"}]  # fmt: skip
        finally:
            await studio.backend.drain()
            await studio.close()


async def test_the_model_s_copy_is_held_to_the_user_s_words_and_a_written_headline_is_said(tmp_path: Path) -> None:
    said = 'A 2 second ad for our AURORA X jackets for the "Winter Edge" campaign, $129. Write a catchy headline.'
    copy = {"headline": "Cold outside. Warm inside.", "tagline": "Winter Edge", "price": "$139"}
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {
            "prompt": "a 2 second ad for AURORA X jackets", "duration_s": 2, "copy": copy}}])  # fmt: skip
        llm.queue_reply(content="On its way. I wrote the headline “Cold outside. Warm inside.”: change it?")
        studio = await Studio.open(settings)
        try:
            await _ask(studio, said, origin="chat:t1", message_id="m1")
            [job] = await studio.jobs.jobs(OWNER)
            on_screen = AdCopy.model_validate((await studio.store.job(job.id)).spec["copy"])
        finally:
            await studio.close()
        tool_result = [m for m in llm.chat_requests()[1].messages if m["role"] == "tool"][0]["content"]

    assert (on_screen.headline, on_screen.price) == ("Cold outside. Warm inside.", "$129")
    assert "Winter Edge" not in on_screen.texts()
    assert tool_result.startswith("Making your video: 2 s")
    assert tool_result.endswith(
        "Put back the brief's price “$129” (I had “$139”). I wrote this headline: “Cold outside. Warm inside.”. "
        "Change it? Left “Winter Edge” off screen: it is the campaign's name."
    )


async def test_copy_from_an_earlier_message_of_the_conversation_is_the_user_s_own(tmp_path: Path) -> None:
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(content="Which length: 2 or 4 seconds?")
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {
            "prompt": "an ad for AURORA X jackets", "duration_s": 2,
            "copy": {"headline": "Warm. All winter.", "price": "$129"}}}])  # fmt: skip
        llm.queue_reply(content="On its way.")
        studio = await Studio.open(settings)
        agent = build_agent(studio, InMemorySaver())
        context, config = TurnContext(studio, OWNER, origin="chat:t1"), {"configurable": {"thread_id": "t1"}}
        turn: dict[str, Any] = {"context": context, "config": config}
        try:
            await agent.ainvoke({"messages": [HumanMessage('AURORA X jackets, "Warm. All winter." $129')]}, **turn)
            await agent.ainvoke({"messages": [HumanMessage("2 seconds")]}, **turn)
            [job] = await studio.jobs.jobs(OWNER)
            on_screen = AdCopy.model_validate((await studio.store.job(job.id)).spec["copy"])
        finally:
            await studio.close()
        tool_result = [m for m in llm.chat_requests()[2].messages if m["role"] == "tool"][0]["content"]

    assert (on_screen.headline, on_screen.price) == ("Warm. All winter.", "$129")
    assert "off screen" not in tool_result and "Put back" not in tool_result


async def test_revised_words_are_held_to_the_user_s_words_like_the_first(tmp_path: Path) -> None:
    """revise_video's copy is checked as generate_video's is: a model name or invented words come off (the video
    keeps its words there), the change the user asked for stays and nothing is put back over it."""
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        first = {"prompt": "a kite over a beach", "duration_s": 2, "copy": {"headline": "Fly high", "price": "$20"}}
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": first}])
        llm.queue_reply(content="On its way.")
        change = {"headline": "Soar", "price": "$25", "tagline": "Made with Veo 3.1", "cta": "Buy the best kite ever"}
        llm.queue_reply(tool_calls=[{"name": "revise_video", "arguments": {"copy": change}}])
        llm.queue_reply(content="On its way.")
        studio = await Studio.open(settings)
        agent = build_agent(studio, InMemorySaver())
        context, config = TurnContext(studio, OWNER, origin="chat:t1"), {"configurable": {"thread_id": "t1"}}
        turn: dict[str, Any] = {"context": context, "config": config}
        try:
            said = 'a 2 s kite over a beach, headline "Fly high", $20'
            await agent.ainvoke({"messages": [HumanMessage(said)]}, **turn)
            await agent.ainvoke(
                {"messages": [HumanMessage("change the headline to Soar and the price to $25")]}, **turn
            )
            jobs = await studio.jobs.jobs(OWNER)
        finally:
            await studio.close()
        tool_result = [m for m in llm.chat_requests()[3].messages if m["role"] == "tool"][-1]["content"]

    assert [j.copy.given() for j in jobs] == [
        {"headline": "Soar", "price": "$25"},
        {"headline": "Fly high", "price": "$20"},
    ]
    assert tool_result.endswith(
        "Left “Made with Veo 3.1” off screen: it names a video model. "
        "Left “Buy the best kite ever” off screen: the brief does not say it."
    )


async def test_variations_each_name_the_one_thing_they_change(tmp_path: Path) -> None:
    """A variation asked for by name ("with the price first") changes that; the Variations of a video list what
    each one changes, in the set's order."""
    studio = await Studio.open(make_settings(tmp_path / "data"))
    try:
        await _ask(studio, 'make a 2s square clip of a kite, "Fly high", $20', offline=True, origin="chat:t1",
                   message_id="m0")  # fmt: skip
        answer = await _ask(studio, "a variation with the price first", offline=True, origin="chat:t1",
                            message_id="m1")  # fmt: skip
        assert answer.startswith("**Variation 1 — hook: the price first** (*")
        varied = (await studio.jobs.jobs(OWNER))[0]
        assert varied.variation == "hook: the price first" and varied.title.endswith(", variation 1 (price first)")
        answer = await _ask(studio, "3 more variations", offline=True, origin="chat:t1", message_id="m2")
        assert [line.split(" (*")[0] for line in answer.splitlines() if line.startswith("**Variation")] == [
            "**Variation 2 — headline order: the offer leads**",
            "**Variation 3 — layout: words and picture swap places**",
            "**Variation 4 — colourway: the accent as the ground**",
        ]
    finally:
        await studio.backend.drain()
        await studio.close()


async def test_the_llm_changes_the_voice_over_its_words_captions_and_music_through_revise_video(
    tmp_path: Path, fake_replicate: FakeReplicate
) -> None:
    """The tools offer the sound's fields, each described; an LLM's revise_video with a script, a voice, no
    captions or no music replaces the waiting paid job with one whose sound changed as asked, and only that."""
    with FakeOpenAI() as llm:
        settings = replicate_settings(fake_replicate, tmp_path / "data", openai_api_key=llm.api_key,
                                      openai_base_url=llm.base_url)  # fmt: skip
        asked = {"prompt": "a lighthouse at dawn", "model": "veo-3.1", "duration_s": 8, "voice": "on",
                 "script": "Lighthouse Inn. Book now.", "copy": {"headline": "Lighthouse Inn"}}  # fmt: skip
        changes = [{"script": "Dawn at the lighthouse. Book your stay."}, {"voice": "dexter", "music": False},
                   {"captions": False}]  # fmt: skip
        for call in ({"name": "generate_video", "arguments": asked},
                     *({"name": "revise_video", "arguments": c} for c in changes)):  # fmt: skip
            llm.queue_reply(tool_calls=[call])
            llm.queue_reply(content="Confirm with the button.")
        studio = await Studio.open(settings)
        try:
            said = ('a lighthouse at dawn on veo-3.1, 8 s, headline "Lighthouse Inn", narrated: "Lighthouse Inn. Book '
                    'now."', "change the voice-over to Dawn at the lighthouse. Book your stay.", "use Dexter, no music",
                    "no captions")  # fmt: skip
            for n, text in enumerate(said):
                await _ask(studio, text, origin="chat:t1", message_id=f"m{n}")
            sounds = [JobSpec.of(await studio.store.job(j.id)).sound for j in reversed(await studio.jobs.jobs(OWNER))]
            assert [(s.voice, s.captions, s.music) for s in sounds] == [
                ("hazel", True, True),
                ("hazel", True, True),
                ("dexter", True, False),
                ("dexter", False, False),
            ]
            assert [s.script.text() for s in sounds] == [
                "Lighthouse Inn. Book now.",
                *["Dawn at the lighthouse. Book your stay."] * 3,
            ]
            tools = {t["function"]["name"]: t["function"] for t in llm.chat_requests()[0].json["tools"]}
            for name in ("generate_video", "revise_video"):
                fields = tools[name]["parameters"]["properties"]
                assert all(fields[f]["description"] for f in ("voice", "script", "captions", "music"))
            assert fake_replicate.creates() == []
        finally:
            await studio.close()


async def test_the_llm_exports_the_latest_video_for_the_placements_named_or_has_the_chat_ask(tmp_path: Path) -> None:
    """export_video exports the conversation's latest finished video for the placements as the user named them; with
    none named it starts nothing and leaves the question to the chat's buttons."""
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": {"prompt": "a paper plane", "duration_s": 2,
                                                                            "aspect": "9:16"}}])  # fmt: skip
        llm.queue_reply(content="On its way.")
        llm.queue_reply(
            tool_calls=[{"name": "export_video", "arguments": {"placements": ["TikTok", "Instagram Reels"]}}]
        )
        llm.queue_reply(content="Exporting it.")
        llm.queue_reply(tool_calls=[{"name": "export_video", "arguments": {}}])
        llm.queue_reply(content="Which placements?")
        studio = await Studio.open(settings)
        try:
            await _ask(studio, "a 2 s vertical clip of a paper plane", origin="chat:t1")
            await studio.backend.drain()
            await _ask(studio, "export it for TikTok and Reels", origin="chat:t1")
            [export] = await studio.exports.list(OWNER)
            assert export.placements == ["tiktok", "reels"] and export.title.startswith("Paper plane")
            await studio.exports.wait(OWNER, export.id)
            await _ask(studio, "export it", origin="chat:t1")
            assert len(await studio.exports.list(OWNER)) == 1  # the chat asks which placements instead
            said = [[m["content"] for m in r.json["messages"] if m["role"] == "tool"] for r in llm.chat_requests()]
            assert said[3][-1].startswith("Exporting *Paper plane")
            assert said[5][-1].startswith("For which placements shall I export *Paper plane")
        finally:
            await studio.close()
