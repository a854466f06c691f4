"""An export asked for in words: "export it for TikTok and Reels", "export for all channels", "export the last
video for YouTube", "deliver it to Meta feed", "/export tiktok, reels". Each gives the export tool's arguments:
the placements as the user named them ("all" for every one; none named: the chat asks with buttons) and `trim`
("... and trim it to fit"). The names are read against the placement table where the export is started
(`studio.exports.export`), which says which names it knows when one is not a placement."""

from __future__ import annotations

import re
from typing import Any

ALL = "all"  # every placement but the extra ones (the facade's `exports.defaults`)

# "export it", "please deliver the last video", "can you export this one", "package the latest ad"
_VERB = re.compile(
    r"^(?:(?:please|pls|now|ok(?:ay)?|and|so|then|also|can\s+you|could\s+you|would\s+you|let'?s)[\s,]+)*"
    r"(?:export|deliver|package)\b\s*"
    r"(?:(?:(?:the|this|that|my|our)\s+(?:(?:last|latest|new|final)\s+)?(?:video|one|ad|creative|clip|cut|version)"
    r"|it|this|that)\b\s*)?",
    re.I,
)
# "for TikTok and Reels", "to Meta feed", "as YouTube Shorts", "for every placement"
_WHERE = re.compile(r"^(?:for|to|on|as|onto)\s+(?:the\s+)?(.+)$", re.I | re.S)
_TRIM = re.compile(
    r"[,\s]*(?:\band\s+|\bbut\s+|\bwith\s+)?(?:trim(?:med|ming)?|cut)\s*(?:(?:it|them|each|the\s+videos?)\s*)?"
    r"(?:(?:down\s+)?to\s+(?:fit|length|the\s+limits?|size)|if\s+(?:needed|it'?s\s+too\s+long))?",
    re.I,
)
_EVERY = re.compile(
    r"^(?:all|every|each|everywhere|everything)\b(?:\s+(?:the\s+|of\s+(?:them|the)\s*)?"
    r"(?:\w+\s+)?(?:channels?|placements?|platforms?|formats?|networks?|seven|7))?$|^(?:all|every)\s+of\s+them$",
    re.I,
)
_JOINED = re.compile(r"\s*(?:,|&|/|\+|\band\b|\bplus\b)\s*(?:and\s+)?", re.I)
_FILLER = re.compile(
    r"^(?:the|both)\s+|\s+(?:please|pls|too|as\s+well|now|thanks|thank\s+you|placements?|channels?)$|[\s.!?]+$",
    re.I,
)


def read_export(text: str) -> dict[str, Any] | None:
    """The export a message asks for, as the export tool's arguments (`placements`, and `trim` when asked),
    or None for any other message ("export" must start it: "Deliver happiness: a 6 s ad ..." is a brief)."""
    verb = _VERB.match(text.strip())
    if verb is None:
        return None
    rest = text.strip()[verb.end() :]
    trim = bool(_TRIM.search(rest))
    rest = _TRIM.sub("", rest).strip(" ,.!?")
    trimmed = {"trim": True} if trim else {}
    if not rest:
        return {"placements": [], **trimmed}
    where = _WHERE.match(rest)
    if where is None and not _EVERY.match(rest):
        return None  # "export our sneakers to Europe in a video": a brief, not an export
    placements = names_in(where.group(1) if where else rest)
    return {"placements": placements, **trimmed} if placements else None


def names_in(said: str) -> list[str]:
    """The placements a phrase names, as said ("TikTok and Reels" -> ["TikTok", "Reels"]), or ["all"] for
    "all channels", "every placement", "everywhere"."""
    said = said.strip(" .!?")
    while (bare := _FILLER.sub("", said)) != said:
        said = bare
    if _EVERY.match(said):
        return [ALL]
    return [name for part in _JOINED.split(said) if (name := _FILLER.sub("", part.strip()))]
