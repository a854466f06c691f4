"""The offline planner reads a change of the last video's sound in words (its voice-over's words, its voice,
captions, music), and leaves those words in a first brief for the brief reader."""

from __future__ import annotations

import pytest

from chat.planner import plan
from chat.sound_words import spoken_change

NAMES = ["draft", "veo-3.1", "veo"]
VOICES = ["joe", "Joe", "hazel", "Hazel", "dexter", "Dexter"]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("change the voice-over to Cosy season is here. Knit your own warmth this winter, shop now at aurora.run",
         {"script": "Cosy season is here. Knit your own warmth this winter, shop now at aurora.run"}),
        ('voice-over: "Run the city. Aurora X, out Friday."', {"script": "Run the city. Aurora X, out Friday."}),
        ("Voiceover: what are you waiting for? Shop now", {"script": "what are you waiting for? Shop now"}),
        ("the voice-over should say Run faster", {"script": "Run faster"}),
        ("change the script to Hello there", {"script": "Hello there"}),
        ("change the voice-over to a female voice", {"voice": "female"}),
        ("change the voice-over to Hazel", {"voice": "hazel"}),
        ("change the voice-over to Hazel please", {"voice": "hazel"}),
        ("change the voice-over to a man, thanks", {"voice": "male"}),
        ("VO: Knit your own warmth", {"script": "Knit your own warmth"}),
        ("make it narrated", {"voice": "on"}),
        ("no vo", {"voice": "none"}),
        ("voice-over: female", {"voice": "female"}),
        ("change the voiceover to a man", {"voice": "male"}),
        ("no voice", {"voice": "none"}),
        ("remove the voiceover please", {"voice": "none"}),
        ("with a voice-over", {"voice": "on"}),
        ("female voice", {"voice": "female"}),
        ("make it a man's voice", {"voice": "male"}),
        ("use Dexter", {"voice": "dexter"}),
        ("use hazel's voice instead", {"voice": "hazel"}),
        ("change the voice to Joe", {"voice": "joe"}),
        ("no captions", {"captions": False}),
        ("without subtitles", {"captions": False}),
        ("no subs please", {"captions": False}),
        ("no music", {"music": False}),
        ("now without the music please", {"music": False}),
        ("no music and no captions", {"music": False, "captions": False}),
        ("add music back", {"music": True}),
        ("no soundtrack", {"music": False}),
        ("turn the music off please", {"music": False}),
        ("make it square, no music", {"aspect": "1:1", "music": False}),
    ],
)  # fmt: skip
def test_sound_words_revise_the_last_video(text: str, args: dict[str, object]) -> None:
    decided = plan(text, NAMES, voice_names=VOICES)
    assert (decided.tool, decided.args) == ("revise_video", args)


@pytest.mark.parametrize(
    "text",
    [
        "make a 15 s ad for our sneaker with a female voice, no music",
        "a 6 second vertical teaser of our socks with a voice-over and no captions",
        "Lighthouse Inn at dawn, narrated by Hazel",
        "Voice-over: Fresh socks, every day. A 15 s TikTok ad for our wool socks",
        "Voice-over: Fresh socks, every day. An ad for our wool socks",
        "Voiceover: Warm feet all winter. A product showcase of our merino socks",
        "Voiceover: Fresh socks, every day, for every walk, every run and every long night in by the fire",
    ],
)
def test_a_first_brief_keeps_its_sound_words_for_the_brief_reader(text: str) -> None:
    decided = plan(text, NAMES, voice_names=VOICES)
    assert decided.tool == "generate_video"
    assert decided.args["prompt"] == text


def test_what_cannot_be_changed_in_the_voice_over_is_answered_with_what_can() -> None:
    decided = plan("the voice-over should be calmer", NAMES, voice_names=VOICES)
    assert decided.tool is None and "change the voice-over to" in decided.reply


def test_a_script_that_starts_with_a_voice_name_is_spoken_not_read_as_the_voice() -> None:
    decided = plan("change the voice-over to Hazel picked these socks for you", NAMES, voice_names=VOICES)
    assert decided.args == {"script": "Hazel picked these socks for you"}


@pytest.mark.parametrize(
    ("words", "change"),
    [
        ("Hazel please", {"voice": "hazel"}),
        ("a female voice, thanks", {"voice": "female"}),
        ("no voice", {"voice": "none"}),
        ("Hazel knits every pair by hand", {"script": "Hazel knits every pair by hand"}),
    ],
)
def test_new_voice_over_words_that_only_name_a_voice_change_the_voice(words: str, change: dict[str, str]) -> None:
    assert spoken_change(words, VOICES) == change
