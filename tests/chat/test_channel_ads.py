"""Several ads in one brief through the agent: one video per channel, each in its channel's format, kept as one
set, a follow-up about one of them acting on that one; offline (decoded drafts) and against the fake Replicate
(the price of each, and each prompt saying only its own format)."""

from __future__ import annotations

import re
from pathlib import Path

import av
from langchain_core.messages import HumanMessage

from campaign.people import LOCAL_OWNER as OWNER
from chat.agent import TurnContext, build_agent
from tests.conftest import make_settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.jobs import JobSpec
from tools.studio import Studio

SOCKS = "three different 6 second ads for our socks, one for TikTok, one for YouTube, one for LinkedIn"
ORIGIN = "chat:socks"


class Chat:
    """One conversation with the offline agent: its memory kept between messages, as the chat keeps it."""

    def __init__(self, studio: Studio, offline: bool = True) -> None:
        from langgraph.checkpoint.memory import InMemorySaver

        self.studio = studio
        self.agent = build_agent(studio, InMemorySaver(), offline=offline)
        self.turns = 0

    async def say(self, text: str) -> str:
        self.turns += 1
        context = TurnContext(self.studio, OWNER, origin=ORIGIN, message_id=f"m{self.turns}")
        config = {"configurable": {"thread_id": "socks"}}
        result = await self.agent.ainvoke({"messages": [HumanMessage(text)]}, config=config, context=context)
        return str(result["messages"][-1].content)


async def _specs(studio: Studio) -> list[JobSpec]:
    """The conversation's jobs, oldest first."""
    return [JobSpec.of(j) for j in reversed(await studio.store.jobs(OWNER.team_id, origin_prefix=ORIGIN))]


def _size(path: str) -> tuple[int, int]:
    with av.open(path) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


async def test_three_channels_make_three_videos_in_one_set_offline(tmp_path: Path) -> None:
    studio = await Studio.open(make_settings(tmp_path / "data"))
    try:
        chat = Chat(studio)
        answer = await chat.say(SOCKS)
        assert answer.startswith("3 ads, one per channel (TikTok 9:16, YouTube 16:9, LinkedIn 1:1), kept together")
        await studio.backend.drain()
        made = await studio.library.creatives(OWNER)
        sizes = {c.aspect: (_size(c.file or ""), c.duration_s) for c in made}
        assert sizes == {"9:16": ((480, 854), 6), "16:9": ((854, 480), 6), "1:1": ((480, 480), 6)}
        assert len({c.set_id for c in made}) == 1 and made[0].set_id
        words = " ".join(t for c in made for t in c.copy.texts())
        assert not re.search(r"tik\s?tok|youtube|linkedin", words, re.I), "channel names never go on screen"
        assert not re.search(r"three|different", " ".join(c.title for c in made), re.I)

        answer = await chat.say("make the YouTube one 10 seconds")
        youtube = (await _specs(studio))[-1]
        assert (youtube.channel, youtube.aspect, youtube.duration_s) == ("youtube", "16:9", 10), answer
        assert youtube.set_id == made[0].set_id

        await chat.say("now the one for LinkedIn")  # the same change, to the LinkedIn one
        linkedin = (await _specs(studio))[-1]
        assert (linkedin.channel, linkedin.aspect, linkedin.duration_s) == ("linkedin", "1:1", 10)
        assert len(await _specs(studio)) == 5
    finally:
        await studio.close()


async def test_three_channels_in_the_chat_show_three_videos_and_say_so(tmp_path: Path) -> None:
    """Over socket.io, as the browser sends it: three videos arrive, and the chat says they are one set."""
    async with chainlit_server(make_settings(tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send(SOCKS)
        said = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("3 ads, one per channel")])
        assert "(TikTok 9:16, YouTube 16:9, LinkedIn 1:1), kept together as one set" in said[0]
        await tab.wait_for(lambda: len(tab.elements("video")) == 3)
        ready = [m for m in tab.messages() if m.startswith("Your video is ready")]
        assert len(ready) == 3 and not any("Shall I make" in m for m in tab.messages())
        await tab.close()


async def test_three_channels_on_replicate_ask_each_price_and_send_prompts_of_their_format(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data", default_model="veo-3.1"))
    try:
        chat = Chat(studio)
        answer = await chat.say(SOCKS)
        assert answer.count("Confirm with the button") == 3, answer  # a price question for each
        assert "Veo 3.1 does not make 1:1, so the LinkedIn one is made on" in answer
        specs = await _specs(studio)
        assert [s.aspect for s in specs] == ["9:16", "16:9", "1:1"] and len({s.set_id for s in specs}) == 1
        assert fake_replicate.creates() == [], "nothing is paid for before its price is approved"
        for job in await studio.jobs.jobs(OWNER):
            await studio.jobs.confirm(OWNER, job.id)
        await studio.backend.drain()
        inputs = {c.json["input"]["aspect_ratio"]: c.json["input"]["prompt"] for c in fake_replicate.creates()}
        assert sorted(inputs) == ["16:9", "1:1", "9:16"]
        assert not re.search(r"vertical|portrait|9:16|square|1:1|tik\s?tok|linkedin", inputs["16:9"], re.I)
        assert not re.search(r"landscape|horizontal|16:9|square|1:1|youtube|linkedin", inputs["9:16"], re.I)
        assert not re.search(r"vertical|landscape|9:16|16:9|tik\s?tok|youtube", inputs["1:1"], re.I)
        assert "socks" in inputs["1:1"] and "16:9" in inputs["16:9"] and "1:1" in inputs["1:1"]
    finally:
        await studio.close()


async def test_a_vertical_social_ad_made_landscape_sends_no_vertical_words(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    """The issue's follow-up: a TikTok ad, then "now for YouTube", sent Veo "16:9" and "vertical composition"."""
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data", default_model="veo-3.1"))
    try:
        chat = Chat(studio)
        await chat.say("a 6 second vertical TikTok ad for our socks, Shop now")
        await chat.say("now for YouTube")
        for job in await studio.jobs.jobs(OWNER):
            await studio.jobs.confirm(OWNER, job.id)
        await studio.backend.drain()
        inputs = {c.json["input"]["aspect_ratio"]: c.json["input"]["prompt"] for c in fake_replicate.creates()}
        assert "vertical" in inputs["9:16"]
        assert "16:9" in inputs["16:9"]
        assert not re.search(r"vertical|9:16|tik\s?tok", inputs["16:9"], re.I), inputs["16:9"]
    finally:
        await studio.close()


async def test_an_llm_asks_for_the_channels_and_a_follow_up_on_one(tmp_path: Path) -> None:
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        brief = {"prompt": "6 second ads for our socks", "duration_s": 6, "channels": ["TikTok", "YouTube", "LinkedIn"]}
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": brief}])
        llm.queue_reply(content="Three ads are on their way, one per channel.")
        llm.queue_reply(tool_calls=[{"name": "revise_video", "arguments": {"channel": "youtube", "duration_s": 10}}])
        llm.queue_reply(content="A 10 second YouTube one is on its way.")
        studio = await Studio.open(settings)
        try:
            chat = Chat(studio, offline=False)
            await chat.say(SOCKS)
            tools = {t["function"]["name"]: t["function"]["parameters"] for t in llm.chat_requests()[0].json["tools"]}
            assert "channels" in tools["generate_video"]["properties"]
            assert "channel" in tools["revise_video"]["properties"]
            specs = await _specs(studio)
            assert [(s.channel, s.aspect) for s in specs] == [("tiktok", "9:16"), ("youtube", "16:9"),
                                                               ("linkedin", "1:1")]  # fmt: skip
            assert all("YouTube" not in s.prompt for s in specs if s.channel != "youtube")
            await chat.say("make the YouTube one 10 seconds")
            latest = (await _specs(studio))[-1]
            assert (latest.channel, latest.aspect, latest.duration_s) == ("youtube", "16:9", 10)
            await studio.backend.drain()
        finally:
            await studio.close()
