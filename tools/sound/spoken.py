"""How a voice says a script's text: web addresses, handles and symbols in words ("aurora.run" is "aurora dot
run", "@aurora" is "at aurora", "30%" is "30 percent"), and the whole script as one text for a hosted voice,
lines apart by MiniMax pause markers. The script keeps the written forms: they are what the captions show."""

from __future__ import annotations

import re

from tools.sound.speech import VoiceScript

PAUSE_S = 0.6  # the pause a hosted voice leaves between lines, so they can be found again in its audio
PAUSE = f"<#{PAUSE_S}#>"  # MiniMax's pause marker (seconds), as Replicate's speech-02 models document it

_SITE = re.compile(r"(?i)\b(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(/[\w/.-]*)?")
_HANDLE = re.compile(r"(?<![\w.])@(\w+)")
_SYMBOLS = {"%": " percent", "&": " and ", "+": " plus ", "#": " hashtag "}


def spoken(text: str) -> str:
    """The text as a voice should say it."""
    text = _SITE.sub(lambda m: _site(m.group(1), m.group(2) or ""), text)
    text = _HANDLE.sub(lambda m: f"at {m.group(1)}", text)
    for symbol, said in _SYMBOLS.items():
        text = text.replace(symbol, said)
    return " ".join(text.split())


def _site(host: str, path: str) -> str:
    said = " dot ".join(host.split("."))
    parts = [p for p in path.strip("/").split("/") if p]
    return " slash ".join([said, *parts])


def with_pauses(script: VoiceScript) -> str:
    """The script's lines said as one text, a pause marker between lines (what a hosted voice is sent)."""
    return f" {PAUSE} ".join(spoken(line.text) for line in script.lines)
