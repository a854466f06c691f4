"""A video's sound changed in words: "change the voice-over to ...", "voice-over: ...", "no voice", "female
voice", "use Hazel", "no captions", "no music" (and their way back: "with a voice-over", "with captions", "add
music"). Each gives the revise request's sound fields (`voice`, `script`, `captions`, `music`). A first brief
keeps these words in its prompt instead: the brief reader reads them there. The sound words themselves are read in
tools/brief/sound.py (through the facade), for a brief and a change alike; the words spoken are this module's.

`voice_names` are the voices' ids and names (the facade's `voice_names()`), so "use Hazel" picks that voice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tools.studio.brief import NO_VOICE as NO_VOICE  # the request's `voice` for no voice-over (the panel's too)
from tools.studio.brief import VOICE_OVER, sound_asked, voice_meant

VOICE_HELP = (
    "I can change the voice-over's words (*change the voice-over to ...*), its voice (*female voice*, *male voice*, "
    "*use Hazel*) or turn it off (*no voice*), and the captions and music (*no captions*, *no music*)."
)
_SPOKEN = rf"(?:{VOICE_OVER}|script)"
# "change the voice-over to ...", "voice-over: ...", "the voice-over should say ...": the words spoken
_SCRIPT = re.compile(
    rf"^(?:please\s+)?(?:(?:change|make|set|update|replace|rewrite|switch)\s+(?:the\s+)?{_SPOKEN}\s+"
    rf"(?:to\s+say|to\s+read|so\s+it\s+says|to|as|into|with|=|:)|(?:the\s+)?{_SPOKEN}\s*[:=]"
    rf"|(?:the\s+|a\s+)?{_SPOKEN}\s+(?:should\s+(?:say|read)|says|now\s+says|that\s+says))"
    r"\s*(.+?)\s*$",
    re.I | re.S,
)
# What may surround sound words in a message that changes only the sound: "now with a female voice please".
_FILLER = re.compile(
    r"\b(?:please|pls|now|ok|okay|so|then|just|also|and|but|instead|again|make|turn|it|that|this|one|the|a|an|use|try|"
    r"with|give|me|us|same|video|version|change|switch|to|for|i|want|would|like|can|could|you|let'?s|have|do|"
    r"of|last|latest|voice|back|on|in)\b|[\s,.;!?]+",
    re.I,
)


def script_change(text: str, voice_names: Sequence[str] = ()) -> dict[str, Any] | None:
    """The sound fields a "change the voice-over to ..." message gives: the new words (`script`), or, when the
    words name a voice ("change the voice-over to a female voice", "... to Hazel please"), that voice; None for
    another message."""
    m = _SCRIPT.match(text.strip())
    if not m:
        return None
    said = _said(m.group(1))
    return spoken_change(said, voice_names) if said else None


def spoken_change(said: str, voice_names: Sequence[str] = ()) -> dict[str, Any]:
    """What new words for the voice-over change: the voice, when they only name one ("a female voice", "Hazel
    please", "no voice"), else the words spoken."""
    if voice := voice_meant(said, voice_names):
        return {"voice": voice}
    return {"script": said}


def sound_changes(text: str, voice_names: Sequence[str] = ()) -> tuple[dict[str, Any], str]:
    """The revise request's sound fields a message asks for ("no music", "female voice", "use Hazel", "no
    captions") and the rest of the message once their words are taken out."""
    said, rest = sound_asked(text, voice_names)
    changes = said.model_dump(include={"voice", "captions", "music"}, exclude_none=True)
    return changes, re.sub(r"\s+", " ", rest).strip()


def only_filler(text: str) -> bool:
    """Whether what is left of a message is only the words around a change ("now", "make it", "please")."""
    return not _FILLER.sub("", text)


def _said(raw: str) -> str:
    """The words given: quoted text exactly as written, else without quotes around it."""
    raw = raw.strip()
    if quoted := re.fullmatch(r"\"([^\"]+)\"|“([^”]+)”|'([^']+)'|‘([^’]+)’", raw, re.S):
        return next(g for g in quoted.groups() if g is not None).strip()
    return raw.strip('"“”').strip()
