"""Prompt refinement: by the LLM through a fake OpenAI-compatible endpoint, or by rules; facts always kept."""

from __future__ import annotations

from pathlib import Path

import pytest

import tools.refine
from campaign.settings import Settings
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI
from tools.brief import AdCopy, read_brief
from tools.refine import Refined, brief_facts, fit_format, missing_facts, refine_brief

BRIEF = (
    'A 10 second vertical teaser for the Aurora X2 headphones in midnight blue, price $249, headline "Hear '
    'Everything", shop at aurora.com'
)
GOOD = (
    "Close-up of the Aurora X2 headphones in midnight blue turning on a glossy pedestal, 10 seconds, "
    'vertical 9:16 framing, slow orbit, soft rim light, premium tech style, on-screen headline "Hear '
    'Everything", the price $249 and aurora.com on the end card.'
)


async def refine(
    brief: str,
    *,
    settings: Settings,
    template: str | None,
    aspect: str,
    duration_s: int,
    copy: AdCopy | None = None,
    model: str | None = None,
) -> Refined:
    """The brief read as submission reads it (with `copy` for its copy when given), then refined."""
    read = read_brief(brief, template=template)
    if copy is not None:
        read = read.model_copy(update={"copy": copy})
    return await refine_brief(read, settings=settings, aspect=aspect, duration_s=duration_s, model=model)


def llm_settings(tmp_path: Path, llm: FakeOpenAI, **overrides: object) -> Settings:
    return make_settings(tmp_path, openai_api_key=llm.api_key, openai_base_url=llm.base_url, **overrides)


def test_the_facts_of_a_brief_are_found() -> None:
    assert brief_facts(BRIEF) == ["10", "Aurora X2", "blue", "$249", "Hear Everything", "aurora.com"]
    assert brief_facts('Black Friday: 20% off at CaseCo, colours #FF6600 and navy, CTA "Shop now"') == [
        "Black Friday",
        "20%",
        "CaseCo",
        "#FF6600",
        "navy",
        "Shop now",
    ]
    assert brief_facts("make a product video of our new headphones") == []


def test_a_fact_is_missing_only_when_it_is_really_gone() -> None:
    assert missing_facts(BRIEF, GOOD) == []
    assert missing_facts("price $249, 10 s", "price $2490 for 100 s") == ["$249", "10"]
    assert missing_facts('headline "Hear Everything"', "headline “hear everything”") == []


async def test_the_campaign_and_confidentiality_markers_never_reach_the_provider(tmp_path: Path) -> None:
    brief = 'confidential: a teaser of our new trail shoe for the "Project X" campaign, "Coming soon"'
    refined = await refine(brief, settings=make_settings(tmp_path), template=None, aspect="16:9", duration_s=8)
    assert "Project X" not in refined.prompt and "onfidential" not in refined.prompt
    assert "trail shoe" in refined.prompt and '"Coming soon"' in refined.prompt


async def test_without_an_llm_key_the_template_rules_refine_and_keep_every_fact(tmp_path: Path) -> None:
    refined = await refine(
        BRIEF, settings=make_settings(tmp_path), template="product-showcase", aspect="9:16", duration_s=10
    )

    assert refined.method == "rules"
    assert refined.note == "The prompt was refined by rules from the Product showcase template."
    assert refined.prompt.startswith("Product showcase, 10 seconds, 9:16 vertical video.")
    assert f"Brief: {BRIEF}" in refined.prompt
    assert 'On-screen text (exact spelling, legible, inside safe margins): headline "Hear Everything"' in (
        refined.prompt
    )
    assert "Camera:" in refined.prompt and "Lighting:" in refined.prompt
    assert missing_facts(BRIEF, refined.prompt) == []


async def test_the_llm_rewrites_the_brief_into_a_model_ready_prompt(
    tmp_path: Path,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.queue_reply(content=GOOD)

    refined = await refine(
        BRIEF,
        settings=llm_settings(tmp_path, fake_openai),
        template="product",
        aspect="9:16",
        duration_s=10,
        model="Veo 3.1",
    )

    assert refined.method == "llm"
    assert refined.prompt == GOOD
    assert refined.note == "Refined by the LLM (gpt-4o)."
    [request] = fake_openai.chat_requests()
    assert request.headers["authorization"] == f"Bearer {fake_openai.api_key}"
    assert request.json["model"] == "gpt-4o"
    system, user = request.messages
    assert system["role"] == "system" and "Keep every fact from the brief exactly" in system["content"]
    assert f"Brief: {BRIEF}" in user["content"]
    assert "Aspect ratio: 9:16 (vertical)" in user["content"] and "Duration: 10 seconds" in user["content"]
    assert "Template: Product showcase" in user["content"] and "Video model: Veo 3.1" in user["content"]


async def test_facts_the_llm_left_out_are_added_back(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_reply(content=GOOD.replace(", the price $249", ""))

    refined = await refine(
        BRIEF, settings=llm_settings(tmp_path, fake_openai), template=None, aspect="9:16", duration_s=10
    )

    assert refined.method == "llm"
    assert refined.prompt.endswith('\nKeep exactly as given: "$249".')
    assert refined.note == 'Refined by the LLM (gpt-4o); facts it left out were added back: "$249".'
    assert missing_facts(BRIEF, refined.prompt) == []


async def test_an_llm_prompt_that_lost_most_facts_is_replaced_by_the_rules(
    tmp_path: Path,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.queue_reply(content="Stylish headphones on a pedestal, cinematic lighting, vertical video.")

    refined = await refine(
        BRIEF, settings=llm_settings(tmp_path, fake_openai), template="social", aspect="9:16", duration_s=10
    )

    assert refined.method == "rules"
    assert refined.note.startswith("The LLM's prompt left out most of the brief's facts (")
    assert refined.note.endswith("so it was refined by rules from the Social media ad template instead.")
    assert missing_facts(BRIEF, refined.prompt) == []


@pytest.mark.parametrize(
    ("failure", "why"),
    [
        ("error", "it answered with an error"),
        ("key", "its key was refused"),
        ("timeout", "it did not answer in time"),
        ("empty", "its answer was unusable"),
    ],
)
async def test_when_the_llm_fails_the_rules_take_over_and_say_so(
    tmp_path: Path,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    why: str,
) -> None:
    settings = llm_settings(tmp_path, fake_openai)
    for _ in range(2):  # ChatOpenAI tries twice
        if failure == "error":
            fake_openai.queue_error(500, "The server had an error while processing your request.")
        elif failure == "timeout":
            fake_openai.queue_reply(content=GOOD, delay_s=1.0)
        elif failure == "empty":
            fake_openai.queue_reply(content="   ")
    if failure == "key":
        settings = make_settings(tmp_path, openai_api_key="sk-wrong", openai_base_url=fake_openai.base_url)
    monkeypatch.setattr(tools.refine, "LLM_TIMEOUT_S", 0.2)

    refined = await refine(BRIEF, settings=settings, template="brand", aspect="16:9", duration_s=8)

    assert refined.method == "rules"
    assert refined.note == (
        f"The LLM could not refine the prompt ({why}), so it was refined by rules from the Brand animation template."
    )
    assert "sk-" not in refined.note
    assert refined.prompt.startswith("Brand animation, 8 seconds, 16:9 landscape video.")
    assert missing_facts(BRIEF, refined.prompt) == []


async def test_a_poe_key_uses_poe_s_endpoint(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_reply(content=f"```\nPrompt: {GOOD}\n```")
    settings = make_settings(
        tmp_path, poe_api_key=fake_openai.api_key, poe_base_url=fake_openai.base_url, llm_model="GPT-4o"
    )

    refined = await refine(BRIEF, settings=settings, template=None, aspect="9:16", duration_s=10)

    assert refined.method == "llm" and refined.prompt == GOOD  # fences and a "Prompt:" label are removed
    assert fake_openai.chat_requests()[0].json["model"] == "GPT-4o"


def test_the_format_words_of_a_prompt_follow_the_chosen_format() -> None:
    prompt = "Social media ad, 8 seconds.\nBrief: a vertical TikTok teaser in 9:16, Times Square at night.\n" \
             "Style: bold captions, vertical composition."  # fmt: skip
    fitted = fit_format(prompt, "16:9")
    assert "vertical" not in fitted and "9:16" not in fitted and "TikTok" not in fitted
    assert "landscape composition" in fitted and "in 16:9" in fitted and "Times Square" in fitted
    assert fit_format(prompt, "9:16") == prompt
    assert fit_format("a portrait of our founder at 10:30", "16:9") == "a portrait of our founder at 10:30"


@pytest.mark.parametrize(
    "prompt",
    ["A runner in shorts and sneakers on a track, 8 seconds.", "Our 2x1 deal on socks: share your stories, Shop now.",
     "1:1 coaching for runners, our 16:9 deal, highlight reels of the season, the morning feed."],
)  # fmt: skip
def test_a_prompt_keeps_the_users_own_words_whatever_the_format(prompt: str) -> None:
    assert fit_format(prompt, "16:9") == prompt
    assert fit_format(prompt, "9:16") == prompt


def test_a_ratio_or_channel_said_as_a_format_follows_the_chosen_one() -> None:
    prompt = "A 9:16 video of our socks in 1:1, for Reels and TikTok, 1:1 coaching included, vertical (9:16)."
    assert fit_format(prompt, "16:9") == "A 16:9 video of our socks in 16:9, 1:1 coaching included, landscape (16:9)."
