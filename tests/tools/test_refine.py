"""Prompt refinement: by the LLM through a fake OpenAI-compatible endpoint, or by rules; a prompt for footage only,
without the ad's copy (Clapboard draws it over the footage), and every other fact kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tools.refine
from campaign.settings import Settings
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI
from tools.brief import NO_TEXT, TITLE_SPACE, AdCopy, read_brief
from tools.channels import channel_of, for_channel
from tools.refine import DRAWN_OVER, Refined, as_written, brief_facts, fit_format, missing_facts, refine_brief

BRIEF = (
    'A 10 second vertical teaser for the Aurora X2 headphones in midnight blue, price $249, headline "Hear '
    'Everything", shop at aurora.com'
)
FOOTAGE = "A 10 second vertical teaser for the Aurora X2 headphones in midnight blue"  # BRIEF without its copy
COPY = ("$249", "Hear Everything", "aurora.com")
FOOTAGE_ONLY = (
    "Framing: 9:16 vertical, the subject in the middle third, the top and bottom thirds of the frame calm and "
    f"uncluttered.\n{NO_TEXT}"
)
SHOT = (
    "Close-up of the Aurora X2 headphones in midnight blue turning on a glossy pedestal, 10 seconds, "
    "vertical 9:16 framing, slow orbit, soft rim light, premium tech style"
)
GOOD = f"{SHOT}."
# An LLM that writes the copy back in: a quoted headline, the price and the website, which are taken out.
ECHOED = f'{SHOT}, on-screen headline "Hear Everything", the price $249 and aurora.com on the end card.'


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
    assert missing_facts(BRIEF, ECHOED) == [] and missing_facts(FOOTAGE, GOOD) == []
    assert missing_facts("price $249, 10 s", "price $2490 for 100 s") == ["$249", "10"]
    assert missing_facts('headline "Hear Everything"', "headline “hear everything”") == []


async def test_the_campaign_and_confidentiality_markers_never_reach_the_provider(tmp_path: Path) -> None:
    brief = 'confidential: a teaser of our new trail shoe for the "Project X" campaign, "Coming soon"'
    refined = await refine(brief, settings=make_settings(tmp_path), template=None, aspect="16:9", duration_s=8)
    assert "Project X" not in refined.prompt and "onfidential" not in refined.prompt
    assert "trail shoe" in refined.prompt and "Coming soon" not in refined.prompt  # drawn over the footage


async def test_without_an_llm_key_the_template_rules_refine_and_keep_every_fact_but_the_copy(tmp_path: Path) -> None:
    refined = await refine(
        BRIEF, settings=make_settings(tmp_path), template="product-showcase", aspect="9:16", duration_s=10
    )

    assert refined.method == "rules"
    assert refined.note == f"The prompt was refined by rules from the Product showcase template. {DRAWN_OVER}"
    assert refined.prompt.startswith("Product showcase footage, 10 seconds, 9:16 vertical video.")
    assert f"Brief: {FOOTAGE}\n" in refined.prompt
    assert "Camera:" in refined.prompt and "Lighting:" in refined.prompt
    assert refined.prompt.endswith(FOOTAGE_ONLY)
    assert missing_facts(BRIEF, refined.prompt) == list(COPY)  # the copy alone is left out


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
    assert refined.prompt == f"{GOOD}\n{FOOTAGE_ONLY}"
    assert refined.note == f"Refined by the LLM (gpt-4o). {DRAWN_OVER}"
    [request] = fake_openai.chat_requests()
    assert request.headers["authorization"] == f"Bearer {fake_openai.api_key}"
    assert request.json["model"] == "gpt-4o"
    system, user = request.messages
    assert (
        system["role"] == "system" and "Describe the footage only. Write no words for the screen" in (system["content"])
    )
    assert f"Brief: {FOOTAGE}\n" in user["content"]
    assert not [c for c in COPY if c in user["content"]], "the LLM is never shown the copy"
    assert f"Aspect ratio: 9:16 (vertical); keep {TITLE_SPACE['tall']}" in user["content"]
    assert "Duration: 10 seconds" in user["content"]
    assert "Template: Product showcase" in user["content"] and "Video model: Veo 3.1" in user["content"]


async def test_copy_the_llm_writes_back_is_taken_out(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_reply(content=ECHOED)

    refined = await refine(
        BRIEF, settings=llm_settings(tmp_path, fake_openai), template=None, aspect="9:16", duration_s=10
    )

    assert refined.method == "llm" and refined.prompt == f"{GOOD}\n{FOOTAGE_ONLY}"


async def test_facts_the_llm_left_out_are_added_back(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_reply(content=ECHOED.replace(" in midnight blue", ""))

    refined = await refine(
        BRIEF, settings=llm_settings(tmp_path, fake_openai), template=None, aspect="9:16", duration_s=10
    )

    assert refined.method == "llm"
    assert refined.prompt.endswith(f'\nKeep exactly as given: "blue".\n{FOOTAGE_ONLY}')
    assert refined.note == f'Refined by the LLM (gpt-4o); facts it left out were added back: "blue". {DRAWN_OVER}'
    assert missing_facts(FOOTAGE, refined.prompt) == []
    assert not [c for c in COPY if c in refined.prompt]  # copy is no fact to add back


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
    assert refined.note.endswith(f"so it was refined by rules from the Social media ad template instead. {DRAWN_OVER}")
    assert missing_facts(FOOTAGE, refined.prompt) == []


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
        f"The LLM could not refine the prompt ({why}), so it was refined by rules from the Brand animation template. "
        f"{DRAWN_OVER}"
    )
    assert "sk-" not in refined.note
    assert refined.prompt.startswith("Brand animation footage, 8 seconds, 16:9 landscape video.")
    assert missing_facts(FOOTAGE, refined.prompt) == []


async def test_a_poe_key_uses_poe_s_endpoint(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_reply(content=f"```\nPrompt: {GOOD}\n```")
    settings = make_settings(
        tmp_path, poe_api_key=fake_openai.api_key, poe_base_url=fake_openai.base_url, llm_model="GPT-4o"
    )

    refined = await refine(BRIEF, settings=settings, template=None, aspect="9:16", duration_s=10)

    assert refined.method == "llm" and refined.prompt == f"{GOOD}\n{FOOTAGE_ONLY}"  # no fences, no "Prompt:" label
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


# Briefs with a quoted headline, a price, a promo code, a call to action and a website, each with its product's
# name and colours (which the footage must show) and the template it asks for.
AD_BRIEFS = [
    ('A 6 second vertical ad for the Aurora Trail 2 running shoes in coral and navy, headline "Run further", price '
     "$49. Use code KNIT30. Shop now at aurora.run", "product", "Run further", "Aurora Trail 2", ("coral", "navy")),
    ('Product showcase of the Lumen desk lamp in brass and matte black: "Light that follows you". Only $49, use code '
     "KNIT30 at checkout, Shop now on aurora.run", None, "Light that follows you", "Lumen desk lamp", ("black",)),
    ('Headline: "Made to move." Our KnitCo merino sweater in forest green and cream, $49, Use code KNIT30, CTA Shop '
     "now, website aurora.run, 8 seconds 16:9", "brand", "Made to move.", "KnitCo merino sweater", ("green", "cream")),
    ('TikTok ad for Nova Fizz cans in orange and teal: "Taste the spark" - just $49! Use code KNIT30 and Shop now at '
     "aurora.run", "social", "Taste the spark", "Nova Fizz", ("orange", "teal")),
]  # fmt: skip


def _drawn_over(prompt: str, headline: str) -> list[str]:
    """The ad's copy said in a prompt (case aside): what Clapboard draws and the model must not."""
    said = prompt.casefold()
    return [c for c in (headline, "$49", "49", "KNIT30", "Use code", "Shop now", "aurora.run") if c.casefold() in said]


@pytest.mark.parametrize(("brief", "template", "headline", "product", "colours"), AD_BRIEFS)
async def test_a_footage_prompt_by_rules_has_the_product_and_its_colours_and_none_of_the_copy(
    tmp_path: Path, brief: str, template: str | None, headline: str, product: str, colours: tuple[str, ...]
) -> None:
    refined = await refine(brief, settings=make_settings(tmp_path), template=template, aspect="9:16", duration_s=6)

    assert refined.method == "rules"
    assert _drawn_over(refined.prompt, headline) == []
    assert product in refined.prompt and all(c in refined.prompt for c in colours)
    assert "No on-screen text or logos" in refined.prompt and NO_TEXT in refined.prompt
    assert '"' not in refined.prompt  # a quoted line is a line to draw
    assert refined.note.endswith(DRAWN_OVER)


@pytest.mark.parametrize(("brief", "template", "headline", "product", "colours"), AD_BRIEFS)
async def test_a_footage_prompt_by_the_llm_has_none_of_the_copy_even_when_the_llm_writes_it_back(
    tmp_path: Path,
    fake_openai: FakeOpenAI,
    brief: str,
    template: str | None,
    headline: str,
    product: str,
    colours: tuple[str, ...],
) -> None:
    shot = f"The {product} in {' and '.join(colours)}, turning slowly on a plinth, soft rim light, 6 seconds"
    fake_openai.queue_reply(
        content=f'{shot}, bold on-screen headline "{headline}", the price $49, "Use code KNIT30", a "Shop now" '
        "button and aurora.run on the end card."
    )

    refined = await refine(
        brief, settings=llm_settings(tmp_path, fake_openai), template=template, aspect="9:16", duration_s=6
    )

    assert refined.method == "llm", refined.note
    assert _drawn_over(refined.prompt, headline) == []
    assert refined.prompt.startswith(f"{shot}.\n")
    assert product in refined.prompt and all(c in refined.prompt for c in colours)
    assert refined.prompt.endswith(NO_TEXT)
    [request] = fake_openai.chat_requests()
    assert _drawn_over(request.messages[1]["content"], headline) == []  # the LLM never read the copy


async def test_a_product_name_said_as_the_headline_stays_and_quoted_lines_go(tmp_path: Path) -> None:
    """The headline the rules read from the product's name is what the footage shows; a quoted line is drawn."""
    read = read_brief('Product: Aurora X. Offer - 40% off all jackets this weekend only. tagline: "Run the city"')
    assert read.copy.headline == "Aurora X"
    refined = await refine_brief(read, settings=make_settings(tmp_path), aspect="9:16", duration_s=6)
    assert "Brief: Product: Aurora X\n" in refined.prompt
    assert not re.search(r"40%|jackets|weekend|Run the city|tagline|offer", refined.prompt, re.I)


def test_with_refinement_off_a_hosted_model_gets_the_brief_as_written_less_its_copy() -> None:
    brief, *_ = AD_BRIEFS[0]
    written = as_written(read_brief(brief), "9:16")
    assert written.prompt == (
        f"A 6 second vertical ad for the Aurora Trail 2 running shoes in coral and navy\n{FOOTAGE_ONLY}"
    )
    assert (written.method, written.note) == ("as written", DRAWN_OVER)


def test_the_calm_space_for_the_words_follows_the_chosen_format() -> None:
    fitted = fit_format(f"A lighthouse at dawn.\n{FOOTAGE_ONLY}", "16:9")
    assert TITLE_SPACE["wide"] in fitted and TITLE_SPACE["tall"] not in fitted
    assert "Framing: 16:9 landscape" in fitted and fitted.endswith(NO_TEXT)


@pytest.mark.parametrize(
    ("channel", "aspect", "shape", "other"),
    [("youtube", "16:9", "wide", r"tik\s?tok|vertical|9:16"), ("tiktok", "9:16", "tall", r"youtube|landscape|16:9")],
)
async def test_a_channels_footage_prompt_names_its_own_format_and_none_of_the_copy(
    tmp_path: Path, channel: str, aspect: str, shape: str, other: str
) -> None:
    """A set of channel ads: each brief (`for_channel`) refined, then fitted to its format (`fit_format`)."""
    brief = 'two 6 second ads for our Cosy Toes socks in red and cream, one for TikTok, one for YouTube, headline ' \
            '"Warm toes", $12, Shop now'  # fmt: skip
    read = read_brief(for_channel(brief, channel_of(channel)))
    refined = await refine_brief(read, settings=make_settings(tmp_path), aspect=aspect, duration_s=6)
    prompt = fit_format(refined.prompt, aspect)
    assert "Cosy Toes socks in red and cream" in prompt and TITLE_SPACE[shape] in prompt
    assert prompt.endswith(NO_TEXT) and f"Framing: {aspect}" in prompt
    assert not re.search(rf"{other}|Warm toes|\$12|Shop now", prompt, re.I), prompt
