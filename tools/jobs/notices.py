"""A job's notices joined into the one notice it shows: each sentence once, in the order first said (the refine
step and the engine may both say the brief's colours took the kit's place)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def join_notices(*parts: str | None) -> str:
    """The notices' sentences, each once, joined with spaces; "" when none says anything."""
    seen: dict[str, None] = {}
    for part in parts:
        for sentence in _SENTENCE_END.split(part or ""):
            if sentence.strip():
                seen.setdefault(sentence.strip())
    return " ".join(seen)
