"""A conversation over the real Chainlit server (socket.io): the buttons under a ready video, an image sent alone,
plain briefs without an LLM, briefs whose instructions never reach the screen, and a weak LLM that calls tools
badly."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from chat import runtime
from tests.conftest import make_settings, png_bytes
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.openai_server import FakeOpenAI
from tests.tools.test_adcopy import BRIEFS, INSTRUCTION_WORDS
from tools.jobs import JobSpec


async def _specs(at_least: int = 0, timeout_s: float = 90) -> list[JobSpec]:
    """The jobs' checked requests, oldest first (once there are `at_least`)."""
    studio = runtime.services().studio
    for _ in range(round(timeout_s * 10)):
        jobs = await studio.store.jobs(OWNER.team_id, limit=100)
        if len(jobs) >= at_least:
            return [JobSpec.of(j) for j in reversed(jobs)]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{at_least} jobs were not made")


def _actions(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [d for e, d in tab.events if e == "action" and d["name"] == name]


async def _creatives(count: int) -> list[Any]:
    studio = runtime.services().studio
    for _ in range(600):
        made = await studio.library.creatives(OWNER)
        if len(made) >= count:
            return sorted(made, key=lambda c: c.created_at)
        await studio.backend.drain()
    raise AssertionError(f"{count} creatives were not made")


async def test_the_buttons_under_a_ready_video(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send('/generate a 2 second square video of a kite over the sea, headline "Fly high"')
        await tab.wait_for(lambda: _actions(tab, "make_variations"))
        [first] = await _creatives(1)
        assert first.copy.headline == "Fly high"
        assert any("Headline: “Fly high”" in m for m in tab.messages())

        await tab.click(_actions(tab, "make_variations")[0])
        takes = (await _creatives(4))[1:]
        assert {c.aspect for c in takes} == {"1:1"} and {c.set_id for c in takes} == {takes[0].set_id}
        shorts = ("layout swapped", "other colourway", "faster cuts")  # no price, tagline or picture to vary
        assert sorted(c.title for c in takes) == [
            f"{first.title}, variation {k} ({x})" for k, x in enumerate(shorts, 1)
        ]
        assert sorted(c.variation.split(":")[0] for c in takes) == ["colourway", "layout", "pacing"]
        messages = tab.messages()
        assert any("**Variation 1 — layout: words and picture swap places**" in m for m in messages)
        assert any("The one change from the original: pacing: faster cuts." in m for m in messages)

        await tab.click(_actions(tab, "make_formats")[0])
        formats = (await _creatives(7))[4:]
        assert sorted(c.aspect for c in formats) == ["16:9", "4:5", "9:16"]
        studio = runtime.services().studio
        assert (await studio.library.creative(OWNER, first.id)).set_id == takes[0].set_id == formats[0].set_id

        await tab.click(_actions(tab, "edit_text")[0])
        await tab.wait_for(lambda: any("On screen now" in m and "Fly high" in m for m in tab.messages()))
        await tab.send("change the headline to Fly higher")
        edited = (await _creatives(8))[-1]
        assert edited.copy.headline == "Fly higher" and edited.aspect == "1:1", "the video the button was under"

        await tab.click(_actions(tab, "another_model")[0])
        await tab.wait_for(lambda: any("No other model is available" in m for m in tab.messages()))
        ready = {d["id"] for e, d in tab.events if e == "new_message" and d["output"].startswith("Your video is ready")}
        assert len(ready) == 8, "every video started by a button was shown when ready, live"
        await tab.close()


async def test_an_image_sent_alone_is_kept_and_plain_words_are_a_brief(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        photo = await tab.upload("sneaker.png", png_bytes((800, 600)), "image/png")
        await tab.send("", [photo])
        await tab.wait_for(lambda: any("Got *sneaker.png*" in m for m in tab.messages()))
        assert await _specs() == [], "an image alone starts nothing"

        await tab.send(
            "We're launching AURORA trail shoes next month, something energetic with the price $149, "
            "for the spring sale campaign, 4 seconds"
        )
        await tab.wait_for(lambda: any("Making your video" in m for m in tab.messages()))
        [brief] = await _specs()
        assert brief.copy.given() == {"headline": "AURORA", "price": "$149"}
        assert len(brief.references) == 1, "the image sent before is used"
        studio = runtime.services().studio
        assert [c.name for c in await studio.library.campaigns(OWNER)] == ["Spring sale"]

        await tab.send("sneakers")
        await tab.wait_for(lambda: any("Shall I make a video of “sneakers”?" in m for m in tab.messages()))
        assert len(await _specs()) == 1, "a question starts nothing"
        await tab.send("yes")
        second = (await _specs(2))[-1]
        assert second.prompt == "sneakers" and len(second.references) == 1, "the image stays until replaced"
        await tab.close()


async def test_briefs_in_the_chat_put_only_their_copy_on_screen(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", max_concurrent_jobs=1)  # the words are checked, not the videos
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        photo = await tab.upload("sneaker.png", png_bytes((800, 600)), "image/png")
        await tab.send("", [photo])  # the product showcases among the briefs need it
        await tab.wait_for(lambda: any("Got *sneaker.png*" in m for m in tab.messages()))
        for brief, _ in BRIEFS:
            await tab.send(f"/generate {brief}")
        # Messages are answered concurrently, beside renders that share this process: allow for a slow machine.
        made = {s.prompt: s for s in await _specs(len(BRIEFS), timeout_s=300)}
        for brief, expected in BRIEFS:
            spec = made[_without_options(brief)]
            assert spec.copy.given() == expected, brief
            assert not any(INSTRUCTION_WORDS.search(t) for t in spec.copy.texts()), brief
        await tab.close()


def _without_options(brief: str) -> str:
    """The brief as the planner passes it on: `key=value` options taken out."""
    import re

    from tools.brief import OPTION

    return re.sub(r"\s+", " ", OPTION.sub("", brief)).strip(" ,.;")


def test_briefs_through_the_cli_put_only_their_copy_on_screen(tmp_path: Path) -> None:
    env = {"CLAPBOARD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    for brief, expected in BRIEFS[:4]:
        done = subprocess.run(
            [sys.executable, "-m", "chat.cli", "generate", "--prompt", brief, "--duration", "2", "--json"],
            env=env, capture_output=True, text=True, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        copy = json.loads(done.stdout)["copy"]
        assert {k: v for k, v in copy.items() if v} == expected, brief


async def test_a_weak_llm_that_calls_tools_badly_gets_clear_answers(tmp_path: Path) -> None:
    """Arguments that do not validate get a corrective tool message; a call repeated in one reply makes one job;
    broken JSON and a model that keeps calling tools end in a clear answer, within a few tool calls."""
    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        bad = {"name": "generate_video", "arguments": {"prompt": "a kite", "duration_s": "ten"}}
        good = {"name": "generate_video", "arguments": {"prompt": "a kite over the sea", "duration_s": 2}}
        llm.queue_reply(tool_calls=[bad])
        llm.queue_reply(tool_calls=[good, good])
        llm.queue_reply(content="Your kite video is on its way.")
        async with chainlit_server(settings) as base:
            tab = ChatClient(base)
            await tab.connect()
            await tab.send("a 2 second video of a kite")
            await tab.wait_for(lambda: any("on its way" in m for m in tab.messages()))
            corrective = [m for m in llm.chat_requests()[1].json["messages"] if m["role"] == "tool"]
            assert "duration_s" in corrective[0]["content"] and "fix" in corrective[0]["content"].lower()
            assert len(await _specs()) == 1

            llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": "prompt: a kite, duration: 2"}])
            await tab.send("another one")
            await tab.wait_for(lambda: any("could not finish that request" in m for m in tab.messages()))

            before = len(llm.chat_requests())
            for _ in range(10):
                llm.queue_reply(tool_calls=[{"name": "list_video_models", "arguments": {}}])
            await tab.send("which models?")
            await tab.wait_for(lambda: len([m for m in tab.messages() if "could not finish" in m]) >= 2)
            assert len(llm.chat_requests()) - before <= 6
            steps = [d for e, d in tab.events if e == "new_message" and d.get("name") == "the model list"]
            assert len(steps) <= 4
            shown = tab.messages() + [d.get("output", "") for e, d in tab.events if e == "new_message"]
            assert not any("Traceback" in m or "Error invoking" in m or "kwargs" in m for m in shown)
            assert len(await _specs()) == 1
            await tab.close()
