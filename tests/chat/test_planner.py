"""The offline planner turns commands and plain requests into the same tool calls an LLM would make."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from chat.planner import CLARIFY, HELP, parse_aspect, parse_duration, plan
from chat.planner_model import OfflinePlanner

NAMES = ["draft", "local", "veo-3.1", "veo", "sora-2-pro", "runway gen-3"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("8s", 8), ("an 8 second clip", 8), ("8-second teaser", 8), ("12 secs", 12), ("ten seconds", 10),
     ("half a minute", 30), ("a minute long", 60), ("no length", None)],
)  # fmt: skip
def test_durations(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "aspect"),
    [("9:16", "9:16"), ("vertical", "9:16"), ("for TikTok", "9:16"), ("Instagram Reels", "9:16"),
     ("YouTube Shorts", "9:16"), ("square", "1:1"), ("Instagram feed post", "1:1"), ("for YouTube", "16:9"),
     ("landscape", "16:9"), ("4:5", "4:5"), ("a clip", None), ("a 6 second LinkedIn ad", "1:1"),
     ("a Facebook ad", "1:1"), ("a Reels ad", "9:16"), ("a runner in shorts and sneakers", None),
     ("a runner in shorts, landscape", "16:9"), ("share your stories", None), ("a TikTok ad, square", "1:1")],
)  # fmt: skip
def test_formats(text: str, aspect: str | None) -> None:
    assert parse_aspect(text) == aspect


def test_plain_request_becomes_generate_video() -> None:
    decided = plan("make a 6 second vertical product showcase of our sneaker", NAMES)
    assert decided.tool == "generate_video"
    assert decided.args["duration_s"] == 6
    assert decided.args["aspect"] == "9:16"
    assert decided.args["template"] == "product-showcase"
    assert "sneaker" in decided.args["prompt"]


def test_models_templates_urls_and_campaign_are_read() -> None:
    decided = plan(
        'create a brand animation on veo-3.1, 8s 16:9 for the "Spring Sale" campaign https://cdn.example.com/logo.png',
        NAMES,
    )
    assert decided.args["model"] == "veo-3.1"
    assert decided.args["template"] == "brand-animation"
    assert decided.args["reference_urls"] == ["https://cdn.example.com/logo.png"]
    assert decided.args["campaign"] == "Spring Sale"
    assert "https://" not in decided.args["prompt"]


def test_slash_commands_with_arguments() -> None:
    decided = plan('/generate 15s TikTok social ad model=draft campaign="Q3 launch"', NAMES)
    assert decided.tool == "generate_video"
    assert decided.args | {"prompt": ""} == {
        "duration_s": 15, "aspect": "9:16", "model": "draft", "template": "social-media",
        "campaign": "Q3 launch", "prompt": "",
    }  # fmt: skip
    assert plan("/models", NAMES).tool == "list_video_models"
    assert plan("/creatives Q3 launch", NAMES).args == {"campaign": "Q3 launch"}
    assert plan("show my creatives", NAMES).tool == "list_creatives"
    assert plan("/library", NAMES).args == {} and plan("/library Q3 launch", NAMES).args == {"campaign": "Q3 launch"}
    assert plan("show me the library", NAMES).tool == "list_creatives"
    assert plan("which models can you use?", NAMES).tool == "list_video_models"


def test_unclear_text_gets_what_it_can_do() -> None:
    for text in ("what's the weather like", "/dance"):
        decided = plan(text, NAMES)
        assert decided.tool is None
        assert "/generate" in decided.reply


@pytest.mark.parametrize("text", ["hey", "hi there", "good morning", "hello!"])
def test_a_greeting_gets_a_greeting_and_what_to_try(text: str) -> None:
    decided = plan(text, NAMES)
    assert decided.tool is None and decided.reply.startswith("Hello!") and "for example" in decided.reply
    assert CLARIFY not in decided.reply


@pytest.mark.parametrize("text", ["what models can I use", "what formats can you make?", "how much does veo cost?"])
def test_a_question_about_models_lists_them(text: str) -> None:
    assert plan(text, NAMES).tool == "list_video_models"


async def test_yes_confirms_only_a_question_that_was_asked() -> None:
    model = OfflinePlanner(model_names=NAMES)
    after_help = await model.ainvoke([HumanMessage("help"), AIMessage(HELP), HumanMessage("yes")])
    assert not after_help.tool_calls and after_help.content.startswith("There was no question to say yes to")
    hey = await model.ainvoke([HumanMessage("hey")])
    after_greeting = await model.ainvoke([HumanMessage("hey"), hey, HumanMessage("yes")])
    assert not after_greeting.tool_calls
    asked = await model.ainvoke([HumanMessage("sneakers")])
    assert asked.content.startswith(CLARIFY)
    made = await model.ainvoke([HumanMessage("sneakers"), asked, HumanMessage("yes")])
    assert made.tool_calls[0]["args"]["prompt"] == "sneakers"


@pytest.mark.parametrize(
    ("text", "count"),
    [("do 2 more variations", 2), ("make two variations", 2), ("another take", 1), ("a couple more versions", 2),
     ("make 3 variations of it", 3)],
)  # fmt: skip
def test_variations_with_any_verb_and_number(text: str, count: int) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("make_variations", {"count": count})


@pytest.mark.parametrize(
    ("text", "change"),
    [("a variation with the price first", "price first"), ("try another colourway", "colourway"),
     ("a version with faster cuts", "pacing"), ("try a different layout", "layout"), ("another hook", "hook"),
     ("a take with the product close-up first", "close-up first"),
     ("a variation where the offer leads", "offer first")],
)  # fmt: skip
def test_a_variation_asked_for_by_what_it_changes(text: str, change: str) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("make_variations", {"count": 1, "change": change})


@pytest.mark.parametrize(
    ("text", "args"),
    [("3 variations with new footage", {"count": 3}), ("make 2 variations but generate new ones", {"count": 2}),
     ("try another colourway with fresh footage", {"count": 1, "change": "colourway"})],
)  # fmt: skip
def test_variations_with_new_footage_say_so(text: str, args: dict[str, object]) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("make_variations", {**args, "new_footage": True})


async def test_the_chat_model_calls_a_tool_then_answers_with_its_result() -> None:
    model = OfflinePlanner(model_names=NAMES)
    first = await model.ainvoke([HumanMessage("make a square 5s video of a red kite")])
    assert first.tool_calls[0]["name"] == "generate_video"
    assert first.tool_calls[0]["args"]["aspect"] == "1:1"
    reply = await model.ainvoke(
        [
            HumanMessage("x"),
            first,
            ToolMessage("Making a 5 s 1:1 video.", tool_call_id=first.tool_calls[0]["id"]),
        ]
    )
    assert reply.content == "Making a 5 s 1:1 video."


def test_an_unreadable_option_is_explained_not_passed_on() -> None:
    decided = plan("/generate a teaser duration=abc", NAMES)
    assert decided.tool is None and "could not read the duration 'abc'" in decided.reply


@pytest.mark.parametrize("brief", ["a silent 8s teaser of our lamp", "product video, muted", "ad without sound"])
def test_a_silent_brief_turns_the_sound_off(brief: str) -> None:
    assert plan(f"/generate {brief}", NAMES).args["audio"] is False
    assert "audio" not in plan("/generate an 8s teaser of our lamp", NAMES).args


def test_no_music_leaves_the_voice_over_its_sound() -> None:
    args = plan("/generate product video with a voice-over, no music", NAMES).args
    assert (args["music"], args["voice"]) == (False, "on") and "audio" not in args


@pytest.mark.parametrize(
    ("text", "copy"),
    [
        ("change the headline to Run the city", {"headline": "Run the city"}),
        ("change the headline to Run the city and the price to $99", {"headline": "Run the city", "price": "$99"}),
        ("make the price $99", {"price": "$99"}),
        ("set the call to action to Buy today", {"cta": "Buy today"}),
        ("change the features to light, fast and warm", {"features": ["Light", "Fast", "Warm"]}),
        ("features: Light, Fast", {"features": ["Light", "Fast"]}),
        ("end text: See you out there", {"end_text": "See you out there"}),
    ],
)
def test_new_words_on_screen_revise_the_video(text: str, copy: dict) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("revise_video", {"copy": copy})


@pytest.mark.parametrize(
    "text",
    ["Price drop on all laptops this week, vertical", "Title sequence for our podcast launch, 10 seconds",
     "Hook shots of our fishing gear, 15 seconds"],
)  # fmt: skip
def test_a_brief_that_starts_with_a_label_word_is_a_brief(text: str) -> None:
    assert plan(text, NAMES).tool == "generate_video"


@pytest.mark.parametrize(
    ("text", "copy"),
    [
        ("change the code to KNIT40", {"code": "Use code KNIT40"}),
        ("promo code: Use code SPRING", {"code": "Use code SPRING"}),
        ("set the website to aurora.run", {"website": "aurora.run"}),
        ("the offer is 30% off boots", {"offer": "30% off boots"}),
        ("make the CTA 'Order today'", {"cta": "Order today"}),
        ('make the CTA "Order today!"', {"cta": "Order today!"}),  # quoted: kept as written
        ("sale: Autumn sale", {"sale": "Autumn sale"}),
        ("change the sale name to Winter sale", {"sale": "Winter sale"}),
        ("the code is KNIT40", {"code": "Use code KNIT40"}),
        (
            "change the conditions to Free shipping over $50, while stocks last",
            {"conditions": ["Free shipping over $50", "while stocks last"]},
        ),
        ("change the offer to 30% off boots and the code to KNIT40", {"offer": "30% off boots",
                                                                     "code": "Use code KNIT40"}),
        ("remove the tagline", {"tagline": ""}),
        ("drop the conditions", {"conditions": []}),
        ("drop the conditions and the code", {"conditions": [], "code": ""}),
        ("no website", {"website": ""}),
        ("delete the end card please", {"end_text": ""}),
        ("get rid of the call to action", {"cta": ""}),
    ],
)  # fmt: skip
def test_every_field_of_the_copy_can_be_changed_or_removed(text: str, copy: dict) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("revise_video", {"copy": copy})


@pytest.mark.parametrize("text", ["make the sale video vertical", "the offer is key: make a 10 s video of boots"])
def test_a_field_name_in_a_request_for_a_video_changes_no_words(text: str) -> None:
    assert "copy" not in plan(text, NAMES).args


def test_styling_the_text_is_answered_not_put_on_screen() -> None:
    decided = plan("make the headline bigger", NAMES)
    assert decided.tool is None and "not the style" in decided.reply


@pytest.mark.parametrize(
    "url", ["https://cdn.example.com/shoe.png?X-Amz-Signature=abc", "https://cdn.example.com/shoe.png"]
)
def test_a_brief_with_an_image_url_is_a_brief_whatever_its_query(url: str) -> None:
    decided = plan(f"our running shoe on wet asphalt at night, neon reflections {url}", NAMES)
    assert decided.tool == "generate_video" and decided.args["reference_urls"] == [url]
    assert "?" not in decided.args["prompt"]
