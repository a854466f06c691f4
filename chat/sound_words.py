"""A video's sound changed in words: "change the voice-over to ...", "voice-over: ...", "no voice", "female
voice", "use Hazel", "no captions", "no music" (and their way back: "with a voice-over", "with captions", "add
music"). Each gives the revise request's sound fields (`voice`, `script`, `captions`, `music`). A first brief
keeps these words in its prompt instead: the brief reader reads them there.

`voice_names` are the voices' ids and names (`Studio.models.voices()`), so "use Hazel" picks that voice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

VOICE_HELP = (
    "I can change the voice-over's words (*change the voice-over to ...*), its voice (*female voice*, *male voice*, "
    "*use Hazel*) or turn it off (*no voice*), and the captions and music (*no captions*, *no music*)."
)
NO_VOICE, DEFAULT_VOICE = "none", "on"  # the request's `voice` for no voice-over, and for the kit's default voice
_VOICE_OVER = r"(?:voice[\s-]?overs?|voiceovers?|narration|narrator|script)"
_VOICE = r"(?:voice(?:[\s-]?over)?|voiceover|narration|narrator)"
# "change the voice-over to ...", "voice-over: ...", "the voice-over should say ...": the words spoken
_SCRIPT = re.compile(
    rf"^(?:please\s+)?(?:(?:change|make|set|update|replace|rewrite|switch)\s+(?:the\s+)?{_VOICE_OVER}\s+"
    rf"(?:to\s+say|to\s+read|so\s+it\s+says|to|as|into|with|=|:)|(?:the\s+)?{_VOICE_OVER}\s*[:=]"
    rf"|(?:the\s+|a\s+)?{_VOICE_OVER}\s+(?:should\s+(?:say|read)|says|now\s+says|that\s+says))"
    r"\s*(.+?)\s*$",
    re.I | re.S,
)
_OFF = (
    r"(?:no|without(?:\s+(?:a|the|any))?|(?:remove|drop|delete|cut|lose|mute|hide|kill)\s+(?:the|its)"
    r"|turn\s+off\s+(?:the|its))"
)
_ON = r"(?:with(?:\s+(?:a|the))?|add(?:\s+(?:a|the|some))?|(?:turn\s+on|bring\s+back|put\s+back)\s+(?:the|its))"
_CAPTIONS = r"(?:captions?|subtitles?|subs)"
_MUSIC = r"(?:(?:background\s+)?music|(?:the\s+)?soundtrack)"
_GENDER = {"female": "female", "woman": "female", "women": "female", "male": "male", "man": "male", "men": "male"}
_GENDERED = rf"(?:a\s+|the\s+)?(female|male|wom[ae]n(?:'?s)?|m[ae]n(?:'?s)?)\s+{_VOICE}"
_TOGGLES: tuple[tuple[re.Pattern[str], dict[str, Any]], ...] = (
    (re.compile(rf"\b{_OFF}\s+{_VOICE}\b|\b{_VOICE}\s+off\b", re.I), {"voice": NO_VOICE}),
    (re.compile(rf"\b{_ON}\s+{_VOICE}\b", re.I), {"voice": DEFAULT_VOICE}),
    (re.compile(rf"\b{_OFF}\s+{_CAPTIONS}\b|\b{_CAPTIONS}\s+off\b", re.I), {"captions": False}),
    (re.compile(rf"\b{_ON}\s+{_CAPTIONS}\b|\b{_CAPTIONS}\s+on\b", re.I), {"captions": True}),
    (re.compile(rf"\b{_OFF}\s+{_MUSIC}\b|\bmusic\s+off\b", re.I), {"music": False}),
    (re.compile(rf"\b{_ON}\s+{_MUSIC}\b|\bmusic\s+on\b", re.I), {"music": True}),
)
# What may surround sound words in a message that changes only the sound: "now with a female voice please".
_FILLER = re.compile(
    r"\b(?:please|pls|now|ok|okay|so|then|just|also|and|but|instead|again|make|it|that|this|one|the|a|an|use|try|"
    r"with|give|me|us|same|video|version|change|switch|to|for|i|want|would|like|can|could|you|let'?s|have|do|"
    r"of|last|latest|voice|back|on|in)\b|[\s,.;!?]+",
    re.I,
)


def script_change(text: str, voice_names: Sequence[str] = ()) -> dict[str, Any] | None:
    """The sound fields a "change the voice-over to ..." message gives: the new words (`script`), or, when the
    words name a voice ("change the voice-over to a female voice", "... to Hazel"), that voice; None for another
    message."""
    m = _SCRIPT.match(text.strip())
    if not m:
        return None
    said = _said(m.group(1))
    if not said:
        return None
    if voice := _voice_named(said, voice_names):
        return {"voice": voice}
    return {"script": said}


def sound_changes(text: str, voice_names: Sequence[str] = ()) -> tuple[dict[str, Any], str]:
    """The sound fields a message changes ("no music", "female voice", "use Hazel", "no captions") and the rest of
    the message once their words are taken out."""
    changes: dict[str, Any] = {}
    rest = text
    for pattern, change in _TOGGLES:
        if pattern.search(rest) and not set(change) & set(changes):
            changes.update(change)
            rest = pattern.sub(" ", rest)
    if "voice" not in changes and (found := _voice_in(rest, voice_names)):
        changes["voice"], rest = found
    return changes, re.sub(r"\s+", " ", rest).strip()


def about_the_voice(text: str) -> bool:
    """Whether a message speaks of the voice-over ("the voice-over should be calmer")."""
    return bool(re.search(rf"\b{_VOICE}\b", text, re.I))


def only_filler(text: str) -> bool:
    """Whether what is left of a message is only the words around a change ("now", "make it", "please")."""
    return not _FILLER.sub("", text)


def _voice_in(text: str, voice_names: Sequence[str]) -> tuple[str, str] | None:
    """A voice asked for in a message: "female voice", "a man's voice", "use Hazel", "Hazel's voice", "change the
    voice to Hazel"; with the message's rest."""
    if m := re.search(rf"\b{_GENDERED}\b", text, re.I):
        gender = _GENDER[m.group(1).lower().replace("'", "").removesuffix("s")]
        return gender, text[: m.start()] + " " + text[m.end() :]
    if m := re.search(r"\bvoice\s+to\s+(?:a\s+)?(female|male)\b", text, re.I):
        return m.group(1).lower(), text[: m.start()] + " " + text[m.end() :]
    names = "|".join(re.escape(n) for n in sorted(voice_names, key=len, reverse=True) if n)
    if not names:
        return None
    m = re.search(
        rf"\b(?:(?:use|try|switch\s+to|with)\s+(?:the\s+)?({names})(?:'s)?(?:\s+{_VOICE})?"
        rf"|(?:the\s+)?({names})(?:'s)?\s+{_VOICE}|{_VOICE}\s*(?:[:=]|to)\s*({names}))\b",
        text,
        re.I,
    )
    if not m:
        return None
    said = next(g for g in m.groups() if g)
    return _canonical(said, voice_names), text[: m.start()] + " " + text[m.end() :]


def _voice_named(said: str, voice_names: Sequence[str]) -> str | None:
    """The voice the words are, all of them: "a female voice", "Hazel", "Hazel's voice"; None for other words."""
    found = _voice_in(said, voice_names) or _bare_name(said, voice_names)
    return found[0] if found and only_filler(found[1]) else None


def _bare_name(said: str, voice_names: Sequence[str]) -> tuple[str, str] | None:
    """A voice's name, or a gender, said alone: "Hazel", "female", "a man"."""
    name = re.sub(r"^(?:a|an|the)\s+", "", said.strip().removesuffix("'s").strip(), flags=re.I)
    if name.lower() in _GENDER:
        return _GENDER[name.lower()], ""
    return (_canonical(name, voice_names), "") if any(n.lower() == name.lower() for n in voice_names) else None


def _canonical(said: str, voice_names: Sequence[str]) -> str:
    return next((n for n in voice_names if n.lower() == said.lower()), said)


def _said(raw: str) -> str:
    """The words given: quoted text exactly as written, else without quotes around it."""
    raw = raw.strip()
    if quoted := re.fullmatch(r"\"([^\"]+)\"|“([^”]+)”|'([^']+)'|‘([^’]+)’", raw, re.S):
        return next(g for g in quoted.groups() if g is not None).strip()
    return raw.strip('"“”').strip()
