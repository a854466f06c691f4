"""What a brief's words ask of the sound: a voice-over ("with a voice-over", "narrated", "female voice", a voice's
name; "no voice-over" turns it off), captions ("no captions"), music ("no music") and its mood ("upbeat", "calm"),
and the broadcast loudness ("for TV", "broadcast"). These are instructions, never the ad's words: `without_sound`
takes the phrases out of what is read for copy and sent to a model."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from tools.sound.voices import VOICES

_VO = r"(?:voice[\s-]?overs?|voiceovers?|vo|narrat(?:ion|or|ed))"
_OFF = r"(?:no|without(?:\s+an?y?)?|turn\s+off\s+the|drop\s+the|skip\s+the)"
_NO_VOICE = re.compile(rf"\b{_OFF}\s+(?:{_VO}|voices?)\b", re.I)
_FEMALE = r"(?:female|woman(?:'s|’s)?|women(?:'s|’s)?|girl(?:'s|’s)?)"
_MALE = r"(?:male|man(?:'s|’s)?|men(?:'s|’s)?|guy(?:'s|’s)?)"
_ASKING = r"(?:(?:with|in|by|using|use|add|and|plus)\s+)?(?:an?\s+|the\s+)?"
_GENDERED = re.compile(rf"\b{_ASKING}({_FEMALE}|{_MALE})\s+(?:voice(?:[\s-]?over)?|{_VO})\b", re.I)
_VOICE = re.compile(rf"\b{_ASKING}(?:{_VO})\b", re.I)
_NO_CAPTIONS = re.compile(rf"\b{_OFF}\s+(?:captions?|subtitles?)\b", re.I)
_CAPTIONS = re.compile(r"\b(?:with|add|and|plus)\s+(?:the\s+)?(?:captions?|subtitles?)\b", re.I)
_NO_MUSIC = re.compile(rf"\b{_OFF}\s+(?:background\s+)?music\b", re.I)
_MUSIC = re.compile(r"\b(?:with|add|and|plus)\s+(?:some\s+)?(?:background\s+)?music\b", re.I)
# The music bed's mood: the words that ask for one, by the mood they mean (tools/sound/music.py's FEELS). Those
# that often describe the product instead ("warm light", "a clean design") ask for a mood only before "music".
MOOD_WORDS = {
    "upbeat": ("upbeat", "lively", "punchy", "bouncy", "playful", "happy", "fun"),
    "energetic": ("energetic", "high-energy", "dynamic", "driving"),
    "calm": ("calm", "relaxed", "relaxing", "chill", "mellow", "soothing", "peaceful", "gentle", "soft"),
    "warm": ("warm", "cosy", "cozy", "heartfelt"),
    "dramatic": ("dramatic", "epic", "cinematic", "suspenseful", "intense", "powerful"),
    "clean": ("clean", "minimal", "minimalist"),
}
_BARE = ("upbeat", "lively", "punchy", "bouncy", "playful", "energetic", "high-energy", "calm", "relaxed", "relaxing",
         "chill", "mellow", "soothing", "peaceful", "dramatic", "epic", "cinematic", "suspenseful")  # fmt: skip
_MOODS = {word: mood for mood, words in MOOD_WORDS.items() for word in words}
_MOOD_MUSIC = re.compile(
    rf"\b(?:(?:with|and|plus|to)\s+)?(?:an?\s+|some\s+)?({'|'.join(sorted(_MOODS, key=len, reverse=True))})\s+"
    r"(?:background\s+)?(?:music|soundtrack|track|beat|bed|tune)\b",
    re.I,
)
_MOOD = re.compile(rf"(?<![\w-])({'|'.join(sorted(_BARE, key=len, reverse=True))})(?![\w-])", re.I)
_BROADCAST = re.compile(
    r"\b(?:for\s+)?broadcast\b|\b(?:for|on)\s+(?:tv|television)\b|\b(?:tv|television)\s+(?:spot|ad|advert|commercial)\b",
    re.I,
)


class SoundWords(BaseModel):
    """What the words say of the sound, each None when they say nothing of it. `voice` is "none", "female",
    "male" or a voice's name."""

    voice: str | None = None
    captions: bool | None = None
    music: bool | None = None
    mood: str | None = None
    broadcast: bool | None = None


def voice_names() -> list[str]:
    """The names a brief may call a voice by: each voice's id and name (tools/sound/voices.py)."""
    return sorted({n for v in VOICES for n in (v.id, v.name)})


def read_sound(text: str, voice_names: Sequence[str] = ()) -> SoundWords:
    """The sound a brief's words ask for; `voice_names` are the voices a brief may name ("read by Aria")."""
    said = SoundWords()
    if _NO_VOICE.search(text):
        said.voice = "none"
    elif m := _GENDERED.search(text):
        said.voice = "female" if re.match(_FEMALE, m.group(1), re.I) else "male"
    elif name := _voice_named(text, voice_names):
        said.voice = name
    elif _VOICE.search(text):
        said.voice = "on"
    if _NO_CAPTIONS.search(text):
        said.captions = False
    elif _CAPTIONS.search(text):
        said.captions = True
    if _NO_MUSIC.search(text):
        said.music = False
    elif _MUSIC.search(text):
        said.music = True
    if m := _MOOD_MUSIC.search(text) or _MOOD.search(text):
        said.mood = _MOODS[m.group(1).lower()]
    if _BROADCAST.search(text):
        said.broadcast = True
    return said


def without_sound(text: str, voice_names: Sequence[str] = ()) -> str:
    """The words without the phrases that ask for a voice, captions or music: instructions, not the ad."""
    for pattern in (_NO_VOICE, _GENDERED, *_named_patterns(voice_names), _VOICE, _NO_CAPTIONS, _CAPTIONS, _NO_MUSIC,
                    _MUSIC, _MOOD_MUSIC):  # fmt: skip
        text = pattern.sub(" ", text)
    return text


def _named_patterns(names: Sequence[str]) -> list[re.Pattern[str]]:
    """A voice named as one: "read by Aria", "Aria's voice", "voice: Aria", "in Aria voice"."""
    if not names:
        return []
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return [
        re.compile(
            rf"\b(?:(?:read|voiced|narrated|spoken)\s+by|voice(?:[\s-]?over)?\s*[:=]?\s*(?:of\s+)?)\s*({alt})\b"
            rf"|\b(?:(?:with|in|using|use)\s+)?(?:the\s+)?({alt})(?:'s|’s)?\s+(?:voice(?:[\s-]?over)?|{_VO})\b",
            re.I,
        )
    ]


def _voice_named(text: str, names: Sequence[str]) -> str | None:
    for pattern in _named_patterns(names):
        if m := pattern.search(text):
            found = (m.group(1) or m.group(2)).lower()
            return next(n for n in names if n.lower() == found)
    return None
