"""The voice-over's script: the copy's words timed to the video's beats (the close over the end card), what does not
fit dropped features first, an LLM's wording kept only within the beats and the copy's facts, a user's words spread
over the same beats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI
from tools.brief import AdCopy
from tools.finish.cues import card_length
from tools.llm import chat_model
from tools.sound.script import WORDS_PER_S, script_from_text, write_script, written_script
from tools.sound.speech import VoiceScript

COPY = AdCopy(
    headline="Meet the Aurora runner",
    tagline="Built for every mile",
    features=["Carbon plate", "Recycled knit upper", "Twenty percent lighter"],
    offer="30% off",
    code="Use code RUN30",
    cta="Shop now",
    website="aurora.run",
)


def pace(script: VoiceScript) -> float:
    """The most words a second any line asks for."""
    return max(len(line.text.split()) / (line.end - line.start) for line in script.lines)


def test_a_15_second_script_says_the_copy_in_order_with_the_close_on_the_end_card() -> None:
    script = write_script(COPY, 15, "product-showcase")

    assert [line.part for line in script.lines] == ["opening", "feature", "feature", "offer", "close"]
    assert script.lines[0].text == "Meet the Aurora runner. Built for every mile."
    assert script.lines[-2].text == "30% off. Use code RUN30."
    assert script.lines[-1].text == "Shop now at aurora.run."  # written as on screen; a voice says "dot"
    card_start = 15 - card_length(15)
    assert script.lines[-1].start >= card_start and script.lines[-1].end <= 15 - 0.29
    assert all(line.end <= card_start for line in script.lines[:-1])
    assert script.lines[0].start >= 0.3
    assert all(a.end < b.start for a, b in zip(script.lines, script.lines[1:], strict=False))
    assert pace(script) <= WORDS_PER_S + 1e-6
    assert script.source == "rules"
    assert write_script(COPY, 15, "product-showcase") == script  # deterministic


def test_a_short_video_drops_features_first_and_keeps_the_offer_and_close() -> None:
    script = write_script(COPY, 6, "product-showcase")

    parts = [line.part for line in script.lines]
    assert "feature" not in parts
    assert parts[0] == "opening" and parts[-1] == "close"
    assert pace(script) <= WORDS_PER_S + 1e-6
    assert script.lines[-1].end <= 6


def test_a_brand_animation_says_no_features_and_a_sale_opens_the_script() -> None:
    copy = COPY.model_copy(update={"sale": "Autumn sale"})

    script = write_script(copy, 15, "brand-animation")

    assert script.lines[0].text == "Autumn sale. Meet the Aurora runner."
    assert "feature" not in [line.part for line in script.lines]


def test_a_user_script_is_spread_over_the_beats_with_its_last_sentence_on_the_end_card() -> None:
    script = script_from_text("Run further. Now 30% off with code RUN30!   Shop now at aurora.run.", 12, COPY)

    assert [line.text for line in script.lines] == [
        "Run further.",
        "Now 30% off with code RUN30!",
        "Shop now at aurora.run.",
    ]
    assert [line.part for line in script.lines] == ["opening", "offer", "close"]
    assert script.lines[-1].start >= 12 - card_length(12)
    assert script.source == "user"


async def ask(llm: FakeOpenAI, tmp_path: Path, said: dict[str, Any]) -> VoiceScript:
    llm.queue_reply(tool_calls=[{"name": "WrittenLines", "arguments": said}])
    settings = make_settings(tmp_path, openai_api_key=llm.api_key, openai_base_url=llm.base_url)
    return await written_script(
        chat_model(settings, temperature=0, timeout_s=5), "a 15 s ad for the Aurora runner", COPY, 15, None
    )


async def test_the_llm_words_the_script_within_the_beats(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    said = {
        "opening": "Say hello to Aurora.",
        "features": ["A carbon plate.", "A recycled upper."],
        "offer": "Now 30% off, code RUN30.",
        "close": "Shop now at aurora.run.",
    }

    script = await ask(fake_openai, tmp_path, said)

    assert script.source == "llm"
    assert [line.text for line in script.lines] == [said["opening"], *said["features"], said["offer"], said["close"]]
    rules = write_script(COPY, 15, None)
    assert (script.lines[-1].start, script.lines[-1].end) == (rules.lines[-1].start, rules.lines[-1].end)
    assert script.lines[-2].end <= rules.lines[-2].end and pace(script) <= WORDS_PER_S + 1e-6
    [request] = fake_openai.chat_requests()
    asked = request.messages[-1]["content"]
    assert "RUN30" in asked and "exactly 2 lines" in asked


async def test_an_llm_line_with_a_price_not_in_the_copy_gives_the_rules_script(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    said = {
        "opening": "Say hello to the Aurora runner.",
        "features": ["A carbon plate.", "A recycled knit upper."],
        "offer": "Only $99 with code RUN30.",  # the copy has no price
        "close": "Shop now at aurora.run.",
    }

    script = await ask(fake_openai, tmp_path, said)

    assert script == write_script(COPY, 15, None)


async def test_an_llm_line_too_long_or_a_failing_llm_gives_the_rules_script(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    spelled = {"opening": "Meet Aurora.", "features": ["Carbon plate.", "Knit upper."], "offer": "Fifty percent off.",
               "close": "Shop now."}  # fmt: skip
    assert (await ask(fake_openai, tmp_path, spelled)).source == "rules"  # a discount the copy does not give
    long = {"opening": "word " * 30, "features": ["a", "b"], "offer": "30% off.", "close": "Shop now."}
    assert (await ask(fake_openai, tmp_path, long)).source == "rules"

    fake_openai.queue_error(500)
    settings = make_settings(tmp_path, openai_api_key=fake_openai.api_key, openai_base_url=fake_openai.base_url)
    llm = chat_model(settings, temperature=0, timeout_s=5)
    assert await written_script(llm, "brief", COPY, 15, None) == write_script(COPY, 15, None)
    assert await written_script(None, "brief", COPY, 15, None) == write_script(COPY, 15, None)
