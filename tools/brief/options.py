"""The options a brief's words ask for besides what the video shows: its length ("8s", "ten seconds", "half a
minute"), format ("9:16", "vertical", a channel's), resolution, model, template, campaign, the model's own sound,
the voice-over, captions, music and loudness (tools/brief/sound.py), image URLs, and `key=value` options, which win.
Read, not checked: the catalog says what a model allows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from tools.brief.instructions import OPTION, URL, campaign_named
from tools.brief.sound import read_sound, voice_names
from tools.brief.templates import TEMPLATES
from tools.channels import format_named

_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "sixty": 60,
}  # fmt: skip
_PHRASE_DURATIONS = {
    r"half\s+a\s+minute": 30,
    r"a\s+minute|one\s+minute|1\s+minute": 60,
    r"a\s+quarter\s+(?:of\s+)?a\s+minute": 15,
}
_UNIT = r"(?:s|sec|secs|second|seconds)\b"
_DURATION = re.compile(rf"\b(\d{{1,3}})\s*-?\s*{_UNIT}", re.I)
_WORD_DURATION = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})\s*-?\s*{_UNIT}", re.I)

_RATIO = re.compile(r"(?<![\d:])(16:9|9:16|1:1|4:5|5:4|4:3|3:4|3:2|2:3|21:9|9:21)(?![\d:])")
_TIMES_RATIO = re.compile(r"\b(16x9|9x16|1x1|4x5)\b", re.I)
# "on sora-9", "with veo4", "using kling-v3": a model-like name the catalog may not know (it then says so)
_MODEL_LIKE = re.compile(r"\b(?:on|with|using|via|model)\s+([a-z]+(?:-[a-z]+)*-?v?\d[\w.-]*)", re.I)
_RESOLUTION = re.compile(r"\b(480p|720p|768p|1080p)\b", re.I)
# The model's own sound; music, the voice-over and captions are the mix's, read apart (tools/brief/sound.py).
_NO_AUDIO = re.compile(r"\b(?:no|without|turn\s+off\s+the|mute\s+the)\s+(?:audio|sound)\b|\bsilent\b|\bmuted?\b", re.I)
_AUDIO = re.compile(r"\b(?:with|add|turn\s+on\s+the)\s+(?:audio|sound)\b", re.I)


class Options(BaseModel):
    """What the words ask of the video, each None when they say nothing of it."""

    reference_urls: list[str] = Field(default_factory=list, description="Image URLs pasted into the brief.")
    duration_s: int | str | None = Field(
        default=None, description="Length in seconds; a `duration=` option that reads as none stays as written."
    )
    aspect: str | None = Field(default=None, description="A ratio, or the format of a word or channel named.")
    resolution: str | None = None
    model: str | None = Field(default=None, description="A model named, or a model-like name after on/with/using.")
    template: str | None = Field(default=None, description="The template named, by its name.")
    campaign: str | None = None
    audio: bool | None = Field(default=None, description="False for no sound, True for sound asked for.")
    voice: str | None = Field(
        default=None, description='The voice-over: "none", "on" (the default voice), "female", "male" or a voice.'
    )
    captions: bool | None = None
    music: bool | None = None
    mood: str | None = Field(default=None, description="The music's mood: upbeat, calm or dramatic.")
    broadcast: bool | None = Field(default=None, description="True for broadcast loudness (TV, -23 LUFS).")
    prompt: str = Field(default="", description="The brief without `key=value` options and URLs.")

    def args(self) -> dict[str, Any]:
        """The options found, as a video request's fields (the prompt always, the URLs when there are some)."""
        found = self.model_dump(exclude_none=True)
        if not self.reference_urls:
            del found["reference_urls"]
        return found


def read_options(text: str, model_names: Sequence[str]) -> Options:
    """The options a brief asks for: `key=value` options first, then what its words say."""
    options = {k.lower(): v.strip("\"'") for k, v in OPTION.findall(text)}
    brief = OPTION.sub("", text)
    urls = URL.findall(brief)
    brief = URL.sub("", brief)
    read = Options(reference_urls=urls, prompt=re.sub(r"\s+", " ", brief).strip(" ,.;"))
    if "duration" in options:
        read.duration_s = parse_duration(options["duration"] + "s") or options["duration"]
    else:
        read.duration_s = parse_duration(brief)
    read.aspect = options.get("aspect") or parse_aspect(brief)
    said = _RESOLUTION.search(brief)
    if resolution := options.get("resolution") or (said and said.group(1)):
        read.resolution = resolution.lower()
    unknown = _MODEL_LIKE.search(brief)
    read.model = options.get("model") or find_name(brief, model_names) or (unknown and unknown.group(1)) or None
    templates = _template_names()
    if template := options.get("template"):
        read.template = template
    elif found := find_name(brief, list(templates)):
        read.template = templates[found]
    read.campaign = options.get("campaign") or campaign_named(brief)
    if _NO_AUDIO.search(brief):
        read.audio = False
    elif _AUDIO.search(brief):
        read.audio = True
    sound = read_sound(brief, voice_names())
    read.voice, read.captions, read.music = sound.voice, sound.captions, sound.music
    read.mood, read.broadcast = sound.mood, sound.broadcast
    return read


def parse_duration(text: str) -> int | None:
    """Seconds named in the text: "8s", "8 seconds", "8-second", "ten seconds", "half a minute"."""
    for pattern, seconds in _PHRASE_DURATIONS.items():
        if re.search(rf"\b(?:{pattern})\b", text, re.I):
            return seconds
    if m := _DURATION.search(text):
        return int(m.group(1))
    if m := _WORD_DURATION.search(text):
        return _NUMBER_WORDS[m.group(1).lower()]
    return None


def parse_aspect(text: str) -> str | None:
    """A ratio written out ("4:3", passed on so the model can say whether it offers it), a format word, or the
    format of the channel named (tools/channels.py)."""
    if m := _RATIO.search(text) or _TIMES_RATIO.search(text):
        return m.group(1).lower().replace("x", ":")
    return format_named(text)


def find_name(text: str, names: Sequence[str]) -> str | None:
    """The longest of `names` that appears in the text as whole words."""
    lowered = text.lower()
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", lowered):
            return name
    return None


def _template_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for template in TEMPLATES.values():
        if template.name == "prompt":
            continue
        for name in (template.name, template.name.replace("-", " "), *template.aliases):
            names[name.lower()] = template.name
    return names
