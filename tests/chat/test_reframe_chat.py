"""Other formats and variations of a paid video through the agent: the offline planner's "make it square" and "all
formats" reframe its footage for free and say what generating them anew would cost; an LLM may ask for the paid
way; "3 variations" are drawn over the footage for free, "with new footage" asks their price."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from campaign.people import LOCAL_OWNER as OWNER
from tests.chat.test_agent import _ask
from tests.fakes.footage import write_footage
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.studio import Studio
from tools.studio.types import VideoRequest

pytestmark = pytest.mark.render


async def _paid_video(studio: Studio, origin: str) -> str:
    made = await studio.jobs.submit(
        OWNER, VideoRequest(prompt='An ad for our trail shoes on veo-3.1, headline "Run wild"', aspect="16:9"),
        origin=origin, confirmed=True,
    )  # fmt: skip
    assert (await studio.jobs.wait(OWNER, made.job_id)).status == "succeeded"
    return made.job_id


@pytest.fixture
async def studio(fake_replicate: FakeReplicate, tmp_path: Path) -> AsyncIterator[Studio]:
    """A studio on the fake Replicate (its footage a real clip) whose conversation "chat:t" made one paid video."""
    fake_replicate.set_scenario("*", "success", footage=write_footage(tmp_path / "footage.mp4").path)
    studio = await Studio.open(replicate_settings(fake_replicate, tmp_path / "data"))
    try:
        await _paid_video(studio, "chat:t")
        yield studio
    finally:
        await studio.close()


async def test_the_planner_reframes_a_paid_video_for_free_and_names_the_paid_way(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    square = await _ask(studio, "make it square", offline=True, origin="chat:t", message_id="m1")
    assert square.startswith("Reframed from the Veo 3.1 footage of")
    assert "so nothing was charged. Making 8 s 1:1 (360x360), free" in square
    assert "free" in square and "$" not in square.split("To generate")[0]
    assert "To generate it anew on Veo 3.1 instead (1:1)" not in square, "Veo makes no 1:1: no paid way offered"

    every = await _ask(studio, "all formats", offline=True, origin="chat:t", message_id="m2")  # of the square one
    assert every.count("the Veo 3.1 footage of") == 3  # reframed, or drawn over in its own format
    assert "To generate them anew on Veo 3.1 instead (9:16, 16:9): about $" in every
    await studio.backend.drain()
    assert len(fake_replicate.creates()) == 1, "nothing was generated again"
    jobs = await studio.jobs.jobs(OWNER)
    assert len(jobs) == 5 and all(j.status == "succeeded" for j in jobs)
    assert sum(j.estimated_cost_usd for j in jobs[:4]) == 0


async def test_an_llm_can_ask_for_the_formats_generated_anew_at_their_price(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    fake_replicate.set_scenario("*", "success", footage=write_footage(tmp_path / "footage.mp4").path)
    with FakeOpenAI() as llm:
        settings = replicate_settings(fake_replicate, tmp_path / "data", openai_api_key=llm.api_key,
                                      openai_base_url=llm.base_url)  # fmt: skip
        studio = await Studio.open(settings)
        try:
            await _paid_video(studio, "chat:t")
            llm.queue_reply(tool_calls=[{"name": "make_formats", "arguments": {"reframe": False}}])
            llm.queue_reply(content="The 9:16 version costs about that; confirm with the button.")
            await _ask(studio, "generate the other formats on the model, not reframed", origin="chat:t")
            agent = next(r.json for r in llm.chat_requests() if "tools" in r.json)
            schema = next(t for t in agent["tools"] if t["function"]["name"] == "make_formats")
            assert "reframe" in schema["function"]["parameters"]["properties"]
            jobs = await studio.jobs.jobs(OWNER, status="awaiting_confirmation")
            assert [j.estimated_cost_usd > 0 for j in jobs] == [True] and jobs[0].model == "veo-3.1"
        finally:
            await studio.close()


async def test_the_planners_variations_of_a_paid_video_are_drawn_over_its_footage_unless_new_footage_is_asked(
    studio: Studio, fake_replicate: FakeReplicate
) -> None:
    free = await _ask(studio, "3 variations", offline=True, origin="chat:t", message_id="m1")
    assert free.count("Drawn over the Veo 3.1 footage of") == 2 and "$" not in free
    assert "**Variation 1 — layout: words and picture swap places**" in free
    assert "Only 2 more changes can be drawn over this footage" in free, "a headline alone has two to draw"
    priced = await _ask(studio, "3 variations with new footage", offline=True, origin="chat:t", message_id="m2")
    assert "footage, free" not in priced and priced.count("costs about **$") == 3
    await studio.backend.drain()
    assert len(fake_replicate.creates()) == 1, "nothing generated before a price is confirmed"
    jobs = await studio.jobs.jobs(OWNER)
    assert sorted(j.status for j in jobs) == ["awaiting_confirmation"] * 3 + ["succeeded"] * 3
