"""What in a brief is an instruction, not the ad: `key=value` options, URLs, the campaign it is for,
confidentiality markers and model names; and quoted text, which is always the ad's own words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tools.brief.sound import voice_names, without_sound
from tools.catalog import MODEL_MENTIONS

# Quoted text: "...", “...”, «...» and '...' (not an apostrophe: "it's", "runners' shoes").
QUOTED = re.compile(
    r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|„([^“”\n]{1,200})[“”]|«([^»\n]{1,200})»|‘([^’\n]{1,200})’"
    r"|(?<![\w'])'([^'\n]{2,200}?)'(?!\w)"
)
OPTION = re.compile(r"\b(model|template|campaign|aspect|duration|resolution)\s*=\s*(\"[^\"]*\"|'[^']*'|\S+)", re.I)
_QUOTED_NAME = r"\"([^\"\n]{1,80})\"|“([^”\n]{1,80})”|'([^'\n]{1,80})'"
# "for the "Spring sale" campaign", "in our spring sale campaign", "campaign: Project X"
_CAMPAIGN = re.compile(
    rf"\b(?:for|to|in|on|of|into|under)\s+(?:the\s+|our\s+|this\s+|my\s+)?(?:{_QUOTED_NAME}|"
    r"((?:(?!(?:for|to|in|on|of|the|a|an|our|ad|video)\b)[\w&'’-]+\s+){0,3}(?!(?:for|to|in|on|of|the|a|an|our)\b)"
    r"[\w&'’-]+))\s+campaign\b"
    rf"|\bcampaign\s*[:]\s*(?:{_QUOTED_NAME}|([^,;.\n]{{1,80}}))",
    re.I,
)
_CONFIDENTIAL = re.compile(
    r"\b(?:strictly\s+)?(?:confidential|internal\s+only|for\s+internal\s+use(?:\s+only)?|top\s+secret|"
    r"do\s+not\s+(?:share|distribute|publish|leak)|not\s+for\s+(?:distribution|publication|release)|"
    r"under\s+embargo|embargoed(?:\s+until\s+[^,;.\n]+)?|under\s+nda|nda|"
    r"(?:solo\s+)?uso\s+interno|no\s+compartir|nur\s+intern|intern|(?:bitte\s+)?nicht\s+teilen|usage\s+interne|"
    r"ne\s+pas\s+(?:partager|diffuser)|não\s+compartilhar)\b\s*[:\-–—]?"
    r"|\b(?:code\s*-?\s*name[sd]?|working\s+title)\s*[:\-]?\s*(?:\"[^\"\n]*\"|“[^”\n]*”|'[^'\n]*'|[\w-]+(?:\s+[A-Z0-9][\w-]*)*)",
    re.I,
)
URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
# What may follow a model's name: its version ("kling 2.1", "veo-3"; not a length, "kling 5 seconds") and its
# edition ("sora 2 pro", "gen-4 turbo").
VERSION = (
    r"(?:[\s-]*v?\d+(?:\.\d+)?(?![\d:x]|\s*-?\s*(?:s|secs?|seconds?|mins?|minutes?|p|fps)\b))?"
    r"(?:\s+(?:pro|fast|turbo|alpha|aleph|omni|master|standard|lite))?"
)


def campaign_named(text: str) -> str | None:
    """The campaign a brief names, quoted or not: `for the "Spring sale" campaign`, "in the spring sale campaign",
    "campaign: Spring sale"; None when it names none."""
    for m in OPTION.finditer(text):
        if m.group(1).lower() == "campaign":
            return m.group(2).strip("\"'") or None
    for m in _CAMPAIGN.finditer(text):
        name = next((g for g in m.groups() if g), "").strip(" .,")
        if name:
            return name if any(c.isupper() for c in name) else name[0].upper() + name[1:]
    return None


# Models the catalog knows of but does not offer ("like Pika does", "Luma Ray 2"), however they are named.
_MENTIONS = re.compile(
    rf"(?<![\w-])(?:(?:on|with|using|via|by|in)\s+)?(?:the\s+)?(?:{MODEL_MENTIONS})(?![\w-])(?:\s+(?:model|engine))?",
    re.I,
)


def without_instructions(brief: str, model_names: Sequence[str] = ()) -> str:
    """The brief without `key=value` options, URLs, its campaign, confidentiality markers, the models it names
    (`model_names`, the catalog's, and the mentions the catalog knows of) and what it asks of the sound ("with a
    voice-over", "no music"), except inside quotes: quoted text is the ad's own words ("The Dream Machine")."""
    text = URL.sub(" ", OPTION.sub(" ", brief or ""))
    text = _CONFIDENTIAL.sub(" ", _CAMPAIGN.sub(" ", text))
    out, at = [], 0
    for m in QUOTED.finditer(text):
        out += [_without_models(text[at : m.start()], model_names), m.group()]
        at = m.end()
    return "".join([*out, _without_models(text[at:], model_names)])


def _without_models(text: str, model_names: Sequence[str]) -> str:
    text = without_sound(text, voice_names())
    for pattern in _model_patterns(tuple(model_names)):
        text = pattern.sub(" ", text)
    return _MENTIONS.sub(" ", text)


@lru_cache(maxsize=8)
def _model_patterns(names: tuple[str, ...]) -> list[re.Pattern[str]]:
    """The catalog's names (longest first) said as a model ("on veo", "with the draft model"), and those that are
    never an ordinary word ("veo-3.1", "sora 2 pro") wherever they stand: compiled once per list of names."""
    ordered = sorted(names, key=len, reverse=True)
    said = "|".join(map(re.escape, ordered))
    bare = "|".join(re.escape(n) for n in ordered if re.search(r"[\d\s/-]", n))
    patterns = [rf"\b(?:on|with|using|via|by|in)\s+(?:the\s+)?(?:{said})(?![\w-]){VERSION}(?:\s+model)?(?![\w-])"]
    if bare:
        patterns.append(rf"(?<![\w-])(?:{bare})(?![\w-]){VERSION}(?![\w-])")
    return [re.compile(p, re.I) for p in patterns] if ordered else []
