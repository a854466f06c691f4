"""The LLM reader: a brief's copy read by a model on a fake OpenAI-compatible server (structured output, as a
forced tool call), then held to the brief's words: what the model dropped or rewrote put back, what it invented or
took from the instructions left off screen, what the user asked it to write kept and said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from campaign.people import LOCAL_OWNER as OWNER
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI
from tools.brief import AdCopy, Brief, asked_to_write, check_copy, read_brief_llm
from tools.brief.check import Note
from tools.engines.registry import build_catalog
from tools.jobs import VideoRequest
from tools.llm import chat_model
from tools.studio import Studio

MODELS = build_catalog(make_settings(Path("unused"))).names()
BRIEF = (
    'A 10 second vertical ad for our AURORA X jackets on veo-3.1 for the "Winter Edge" campaign, confidential. '
    'Slow zoom on the jacket. Headline "Warm. All winter." 25% off all jackets, $129, use code KNIT30. Shop now.'
)
FAITHFUL = {
    "headline": "Warm. All winter.",
    "offer": "25% off all jackets",
    "price": "$129",
    "code": "Use code KNIT30",
    "cta": "Shop now",
}


async def read(llm: FakeOpenAI, tmp_path: Path, said: dict[str, Any], brief: str = BRIEF) -> Brief:
    """The brief read by the fake model, which answers `said` as the copy."""
    llm.queue_reply(tool_calls=[{"name": "AdCopy", "arguments": said}])
    settings = make_settings(tmp_path, openai_api_key=llm.api_key, openai_base_url=llm.base_url)
    return await read_brief_llm(brief, chat_model(settings, temperature=0, timeout_s=5), MODELS)


async def test_a_faithful_reading_is_kept_as_it_is(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    brief = await read(fake_openai, tmp_path, FAITHFUL)

    assert brief.copy == AdCopy(**FAITHFUL)
    assert brief.notes == []
    [request] = fake_openai.chat_requests()
    body = request.json
    assert body["tool_choice"] == {"type": "function", "function": {"name": "AdCopy"}}
    assert {"headline", "offer", "code", "conditions"} <= set(body["tools"][0]["function"]["parameters"]["properties"])
    said = request.messages[-1]["content"]
    assert "KNIT30" in said and "Winter Edge" not in said and "veo" not in said  # no instruction reaches the reader


async def test_a_dropped_price_and_quoted_line_are_put_back(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    said = {**FAITHFUL, "headline": "AURORA X", "price": ""}

    brief = await read(fake_openai, tmp_path, said)

    assert brief.copy.price == "$129"
    assert (brief.copy.headline, brief.copy.tagline) == ("AURORA X", "Warm. All winter.")  # byte for byte
    assert brief.notes == [
        "Put back the brief's price “$129” (it had been left out).",
        "Put back the brief's tagline “Warm. All winter.” (it had been left out).",
    ]


async def test_a_rewritten_code_and_offer_are_put_back_as_written(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    said = {**FAITHFUL, "code": "Use code KNIT-30", "offer": "25% off jackets"}

    brief = await read(fake_openai, tmp_path, said)

    assert (brief.copy.code, brief.copy.offer) == ("Use code KNIT30", "25% off all jackets")
    assert "KNIT-30" not in " ".join(brief.copy.texts())
    assert sorted(brief.notes) == [
        "Put back the brief's offer “25% off all jackets” (I had “25% off jackets”).",
        "Put back the brief's promo code “Use code KNIT30” (I had “Use code KNIT-30”).",
    ]


async def test_an_invented_tagline_is_left_off_screen(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    brief = await read(fake_openai, tmp_path, {**FAITHFUL, "tagline": "Stay cosy, stay bold"})

    assert brief.copy.tagline == ""
    assert "Stay cosy" not in " ".join(brief.copy.texts())
    assert brief.notes == ["Left “Stay cosy, stay bold” off screen: the brief does not say it."]


async def test_instructions_never_stay_on_screen(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    said = {
        **FAITHFUL,
        "tagline": "Winter Edge",
        "features": ["Slow zoom on the jacket"],
        "end_text": "Made with Veo 3.1",
    }

    brief = await read(fake_openai, tmp_path, said)

    on_screen = " ".join(brief.copy.texts())
    for instruction in ("Winter Edge", "Veo", "zoom", "onfidential"):
        assert instruction not in on_screen
    assert brief.copy.model_dump(exclude_defaults=True) == FAITHFUL
    assert brief.notes == [
        "Left “Winter Edge” off screen: it is the campaign's name.",
        "Left “Slow zoom on the jacket” off screen: it says how to make the video.",
        "Left “Made with Veo 3.1” off screen: it names a video model.",
    ]


async def test_a_headline_the_user_asked_for_is_kept_and_said(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    brief_text = "An ad for our AURORA X jackets, $129, use code KNIT30. Write a catchy headline."
    said = {
        "headline": "Cold outside. Warm inside.",
        "tagline": "Stay cosy",
        "price": "$129",
        "code": "Use code KNIT30",
    }

    brief = await read(fake_openai, tmp_path, said, brief_text)

    assert brief.copy.headline == "Cold outside. Warm inside."
    assert brief.copy.tagline == ""  # only the headline was asked for
    assert brief.notes == [
        "I wrote this headline: “Cold outside. Warm inside.”. Change it?",
        "Left “Stay cosy” off screen: the brief does not say it.",
    ]


async def test_when_the_model_fails_the_rules_read_the_copy(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_error(500, "down")
    fake_openai.queue_error(500, "down")  # ChatOpenAI tries twice
    settings = make_settings(tmp_path, openai_api_key=fake_openai.api_key, openai_base_url=fake_openai.base_url)

    brief = await read_brief_llm(BRIEF, chat_model(settings, temperature=0, timeout_s=5), MODELS)

    assert brief.copy.price == "$129" and "Warm. All winter" in brief.copy.headline
    assert brief.notes == ["The copy was read by rules: the LLM failed."]


@pytest.mark.parametrize(
    ("brief", "fields"),
    [
        ("write a catchy headline", {"headline"}),
        ("come up with a tagline and a CTA for it", {"tagline"}),
        ("Can you suggest some punchy taglines?", {"tagline"}),
        ("headline: up to you. price $20", {"headline"}),
        ("write the copy", {"headline", "tagline", "features", "cta", "end_text"}),
        ('headline "Big deals", write nothing else', set()),
        ("a teaser of our sneaker with a bold headline", set()),
    ],
)
def test_what_the_user_asks_the_assistant_to_write(brief: str, fields: set[str]) -> None:
    assert asked_to_write(brief) == fields


def test_facts_are_never_written_by_the_assistant() -> None:
    checked = check_copy("write the copy for our AURORA X jackets", AdCopy(headline="AURORA X", price="$99"))

    assert checked.copy == AdCopy(headline="AURORA X")
    assert checked.say() == "Left “$99” off screen: the brief does not say it."


async def test_a_request_without_copy_is_read_by_the_llm_and_its_notes_reach_the_job(
    tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    """The API and the CLI read a brief through `studio.jobs.read_brief`: the LLM reads it when one is configured
    and the request gives no copy; a request with copy is not read again."""
    llm = {"openai_api_key": fake_openai.api_key, "openai_base_url": fake_openai.base_url}
    settings = make_settings(tmp_path / "data", **llm)
    fake_openai.queue_reply(tool_calls=[{"name": "AdCopy", "arguments": {**FAITHFUL, "code": "KNIT-30"}}])
    studio = await Studio.open(settings)
    try:
        request = VideoRequest(prompt=BRIEF.replace("10 second", "2 second"), model="draft", refine=False)
        brief = await studio.jobs.read_brief(request)
        submitted = await studio.jobs.submit(OWNER, request, brief=brief)
        given = VideoRequest(prompt="an ad for our jackets", model="draft", copy=AdCopy(headline="Warm"))
        assert (await studio.jobs.read_brief(given)).copy.headline == "Warm"
    finally:
        await studio.close()

    assert brief.copy.code == "Use code KNIT30"
    assert "Put back the brief's promo code “Use code KNIT30” (I had “KNIT-30”)." in (submitted.notice or "")
    assert len(fake_openai.chat_requests()) == 1


NOT_COPY = "the brief does not give it as copy"


@pytest.mark.parametrize(
    ("brief", "said", "why"),
    [
        ("15% off all sunglasses, fre shipping on everything, shpo now.", "shpo", NOT_COPY),
        ("Headlne: Fresh Bakes Daily. oder now on the app.", "Headlne", NOT_COPY),
        ("Promo for Fitly, our fitness app. Download now.", "Promo for", NOT_COPY),
        ("We're launching Orbit 3 next week and need a quick video. $199.", "next week", NOT_COPY),
        ("Holiday gift guide pick: the Cinder heated mug, $129.95. Link in bio.", "gift guide pick", NOT_COPY),
        ("Matcha tumbler, ¥3,980. Soft morning light, steam rising, 9:16.", "steam rising", NOT_COPY),
        ("Black Friday sale: 60% off. Template: Bold Promo v2, model Sora.", "Bold Promo v2", NOT_COPY),
        ("Stride 4, $139. 9:16 vertical for TikTok + Reels.", "Reels", NOT_COPY),
    ],
)  # fmt: skip
def test_words_of_the_brief_that_are_not_its_copy_stay_off_screen(brief: str, said: str, why: str) -> None:
    """A line must be one of the brief's copy clauses (or a run of them, or a name it says): a fragment, a typo
    the reader corrects, a lead-in before a colon or what "and" joins to an instruction is not copy."""
    checked = check_copy(brief, AdCopy(end_text=said), MODELS)

    assert said not in " ".join(checked.copy.texts())
    assert [n for n in checked.notes if n.kind == "removed"] == [
        Note(kind="removed", field="end_text", text=said, why=why)
    ]


def test_a_removed_line_gives_way_to_the_rules_reading_of_its_field() -> None:
    brief = "Teaser for the Nova headphones. end on 'Available Friday'. Dark studio, rim light, 5 seconds."

    checked = check_copy(brief, AdCopy(headline="Nova", end_text="Teaser"), MODELS)

    assert checked.copy.end_text == "Available Friday" and not checked.copy.tagline


@pytest.mark.parametrize(
    ("brief", "said"),
    [
        ("Handwoven in Norway. Free delivery over 500 kr.", AdCopy(features=["Handwoven in Norway"])),
        ("the campaign needs a hero video for Solace, with 30 sounds, night light and timer.",
         AdCopy(features=["30 sounds", "Night light", "Timer"])),
        ("Headlne: Fresh Bakes Daily. oder now on the app.",
         AdCopy(headline="Fresh Bakes Daily", cta="Order now on the app")),
        ("Ad for the AirGlide 2 Pro (don't mention competitors). £129.99.",
         AdCopy(headline="AirGlide 2 Pro", price="£129.99")),
        ("End text: Pack once. Travel anywhere. Model: Veo.", AdCopy(end_text="Pack once. Travel anywhere.")),
    ],
)  # fmt: skip
def test_the_brief_s_own_copy_clauses_and_names_stay(brief: str, said: AdCopy) -> None:
    assert check_copy(brief, said, MODELS).copy == said


def test_an_offer_typed_with_of_is_read_and_put_back_as_an_offer() -> None:
    brief = "Headlne: Fresh Bakes Daily. 10% of all pastries before 10am. oder now on the app."

    checked = check_copy(brief, AdCopy(offer="10 percent off pastries before 10am"), MODELS)

    assert checked.copy.offer == "10% off all pastries before 10am"
    assert check_copy("Valentine's sale: 2 candles for $40, gift box included.", AdCopy(), MODELS).copy.offer == (
        "2 candles for $40"
    )


def test_a_fact_said_in_the_brief_s_own_other_words_stays() -> None:
    """The model's "$4.50" for the rules' "only $4.50", or "Code HIVER30" for "Use code HIVER30", is the brief's
    own line with the fact's every word: kept, not put back; "30% off" for "30% off boots" is put back."""
    brief = "Latte, only $4.50. Code HIVER30. 30% off boots."

    checked = check_copy(brief, AdCopy(price="$4.50", code="Code HIVER30", offer="30% off"), MODELS)

    assert (checked.copy.price, checked.copy.code, checked.copy.offer) == ("$4.50", "Code HIVER30", "30% off boots")


def test_a_line_with_the_brief_s_typo_is_shown_as_the_rules_spell_it_and_once() -> None:
    brief = "new arivals! 20% off all dresess this week only, use code SPRING20, shop now, fre returns"

    checked = check_copy(brief, AdCopy(headline="fre returns", conditions=["This week only", "fre returns"]), MODELS)

    assert checked.copy.conditions == ["This week only", "Free returns"] and checked.copy.headline == ""
