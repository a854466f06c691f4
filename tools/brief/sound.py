"""What words ask of the sound, read in one place for a brief and for a chat message that changes a video: a
voice-over ("with a voice-over", "narrated", "VO", "female voice", a voice's name: "read by Aria", "use Hazel";
"no voice-over" turns it off), captions ("no captions", "no subs"), music ("no music", "no soundtrack") and its
mood ("upbeat", "calm"), and the broadcast loudness ("for TV", "broadcast"). These are instructions, never the ad's
words: `without_sound` takes the phrases out of what is read for copy and sent to a model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from tools.sound.voices import VOICES

NO_VOICE, DEFAULT_VOICE = "none", "on"  # the request's `voice` for no voice-over, and for the kit's default voice
VOICE_OVER = r"(?:voice[\s-]?overs?|voiceovers?|vo|narrat(?:ion|or|ed))"  # the words for a voice-over
_VOICES = rf"(?:{VOICE_OVER}|voices?)"
_OFF = (
    r"(?:no|without(?:\s+(?:a|an|the|any))?|(?:remove|drop|delete|cut|lose|mute|hide|kill|skip)\s+(?:the|its)"
    r"|turn\s+off\s+(?:the|its))"
)
_ON = r"(?:(?:with|add|and|plus)(?:\s+(?:a|an|the|some))?|(?:turn\s+on|bring\s+back|put\s+back)\s+(?:the|its))"
_ENDS = r"(?=\s*(?:please\b|pls\b|and\b|[,.;!?]|$))"  # "music off" ending its phrase, not "music on the beach"
_CAPTIONS = r"(?:captions?|subtitles?|subs)"
_MUSIC = r"(?:(?:background\s+)?music|soundtrack)"
_FEMALE = r"(?:female|wom[ae]n(?:'?s|’s)?|girl(?:'?s|’s)?)"
_MALE = r"(?:male|m[ae]n(?:'?s|’s)?|guy(?:'?s|’s)?)"
_ASKING = r"(?:(?:with|in|by|using|use|add|and|plus)\s+)?(?:an?\s+|the\s+)?"
_GENDERED = re.compile(
    rf"\b{_ASKING}({_FEMALE}|{_MALE})\s+(?:voice(?:[\s-]?over)?|{VOICE_OVER})\b"
    rf"|\bvoice\s+to\s+(?:an?\s+)?({_FEMALE}|{_MALE})\b",
    re.I,
)
_POLITE = re.compile(r"\b(?:please|pls|thanks|thank\s+you|thx|cheers|instead|now|then|again)\b|[\s,.;!?]+", re.I)
# "with captions", "add subs", "captions on"; never "burgers and subs"
_CAPTIONS_ON = re.compile(
    rf"\b{_ON}\s+(?!subs\b){_CAPTIONS}\b|\b(?:with|add)\s+(?:the\s+)?subs\b|\b(?:captions?|subtitles?)\s+on\b{_ENDS}",
    re.I,
)
_GENDER, _NAMED = object(), object()  # a phrase's value: the gender or the voice it names
# What the words ask in so many words, in this order: a field takes the first one found.
_ASKED: tuple[tuple[re.Pattern[str], str, Any], ...] = (
    (re.compile(rf"\b{_OFF}\s+{_VOICES}\b|\b{_VOICES}\s+off\b{_ENDS}", re.I), "voice", NO_VOICE),
    (_GENDERED, "voice", _GENDER),
    (re.compile(rf"\b{_ON}\s+(?:{VOICE_OVER}|voice)\b|\bnarrated\b", re.I), "voice", DEFAULT_VOICE),  # not "voices"
    (re.compile(rf"\b{_OFF}\s+{_CAPTIONS}\b|\b{_CAPTIONS}\s+off\b{_ENDS}", re.I), "captions", False),
    (_CAPTIONS_ON, "captions", True),
    (re.compile(rf"\b{_OFF}\s+{_MUSIC}\b|\bmusic\s+off\b{_ENDS}", re.I), "music", False),
    (re.compile(rf"\b{_ON}\s+{_MUSIC}\b|\bmusic\s+on\b{_ENDS}", re.I), "music", True),
)
# A brief that speaks of a voice-over wants one ("a narrated teaser", "15 s ad, voice-over"); a chat message may
# only speak of it ("the voice-over should be calmer").
_MENTION = re.compile(rf"\b{_ASKING}{VOICE_OVER}\b", re.I)
_SPEAKS_OF_VOICE = re.compile(rf"\b{_VOICES}\b", re.I)
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
    """What the words say of the sound, each None when they say nothing of it. `voice` is "none", "on", "female",
    "male" or a voice's name."""

    voice: str | None = None
    captions: bool | None = None
    music: bool | None = None
    mood: str | None = None
    broadcast: bool | None = None


def voice_names() -> list[str]:
    """The names words may call a voice by: each voice's id and name (tools/sound/voices.py)."""
    return sorted({n for v in VOICES for n in (v.id, v.name)})


def read_sound(text: str, voice_names: Sequence[str] = ()) -> SoundWords:
    """The sound a brief's words ask for; `voice_names` are the voices a brief may name ("read by Aria")."""
    said, _ = sound_asked(text, voice_names)
    if said.voice is None and _MENTION.search(text):
        said.voice = DEFAULT_VOICE
    if m := _MOOD_MUSIC.search(text) or _MOOD.search(text):
        said.mood = _MOODS[m.group(1).lower()]
    if _BROADCAST.search(text):
        said.broadcast = True
    return said


def sound_asked(text: str, voice_names: Sequence[str] = ()) -> tuple[SoundWords, str]:
    """The voice, captions and music the words ask for in so many words ("no music", "female voice", "use
    Hazel", "with captions"), and the words without those phrases (spaces as they were)."""
    said: dict[str, Any] = {}
    rest = text
    for pattern, field, value in _asked(tuple(voice_names)):
        if m := pattern.search(rest):
            said.setdefault(field, _value(m, value, voice_names))
            rest = pattern.sub(" ", rest)
    return SoundWords(**said), rest


def voice_meant(words: str, voice_names: Sequence[str] = ()) -> str | None:
    """The voice words name with nothing else but politeness: "a female voice", "use Hazel's voice instead",
    "Hazel please", "a man"; None for other words (words to be spoken)."""
    said, rest = sound_asked(words, voice_names)
    if said.voice and said.model_dump(exclude_none=True).keys() == {"voice"} and not _POLITE.sub("", rest):
        return said.voice
    word = re.sub(r"^(?:an?|the)\s+", "", _POLITE.sub(" ", words).strip(), flags=re.I)
    if m := re.fullmatch(rf"({_FEMALE})|({_MALE})", word, re.I):
        return "female" if m.group(1) else "male"
    return _canonical(word.removesuffix("'s").removesuffix("’s"), voice_names)


def speaks_of_voice(text: str) -> bool:
    """Whether words speak of the voice or the voice-over ("the voice-over should be calmer")."""
    return bool(_SPEAKS_OF_VOICE.search(text))


def without_sound(text: str, voice_names: Sequence[str] = ()) -> str:
    """The words without the phrases that ask for a voice, captions or music: instructions, not the ad."""
    _, rest = sound_asked(text, voice_names)
    return _MOOD_MUSIC.sub(" ", _MENTION.sub(" ", rest))


@lru_cache(maxsize=8)
def _asked(names: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str, Any], ...]:
    """The phrases read, with a voice named as one after the gendered ones: "read by Aria", "Aria's voice",
    "voice: Aria", "in Aria voice", "use Hazel", "change the voice to Joe"."""
    if not names:
        return _ASKED
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    named = re.compile(
        rf"\b(?:(?:read|voiced|narrated|spoken)\s+by|voice(?:[\s-]?over)?\s*(?:[:=]|to|of)?)\s*({alt})\b"
        rf"|\b(?:(?:with|in|using|use|try)\s+)?(?:the\s+)?({alt})(?:'s|’s)?\s+{_VOICES}\b"
        rf"|\b(?:use|try|switch\s+to)\s+(?:the\s+)?({alt})\b(?!['’]s)",  # not "try Poppy's lemonade"
        re.I,
    )
    return (*_ASKED[:2], (named, "voice", _NAMED), *_ASKED[2:])


def _value(m: re.Match[str], value: Any, names: Sequence[str]) -> Any:
    """What a phrase asks: its field's value, or the gender or the voice it names."""
    if value is _GENDER:
        return "female" if re.fullmatch(_FEMALE, next(g for g in m.groups() if g), re.I) else "male"
    if value is _NAMED:
        return _canonical(next(g for g in m.groups() if g), names)
    return value


def _canonical(said: str, names: Sequence[str]) -> str | None:
    """The voice's name as listed, for a name said in any case; None for words that are no voice's name."""
    return next((n for n in names if n.lower() == said.lower()), None)
