"""Channels an ad is made for, each with its format, and a brief told which channel one of its videos is for.

"three 6 second ads for our socks, one for TikTok, one for YouTube, one for LinkedIn" is three videos: the brief
for each names only its own channel (a 16:9 YouTube prompt that still says TikTok would ask the model for a
vertical picture). Formats, unless the brief states one for that channel: TikTok, Reels, Shorts, Stories,
Snapchat, Pinterest and Instagram (its video is Reels and Stories) 9:16; YouTube and X 16:9; LinkedIn, Facebook
and the Instagram feed 1:1 (the format the chat's panel already calls Instagram feed, and one more models make
than 4:5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from campaign.errors import InvalidRequest


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    aspect: str
    pattern: str  # how a brief names it (most specific first in CHANNELS)


CHANNEL_FORMATS = ("9:16", "1:1", "4:5", "16:9")  # one brief fanned out to every channel ("all formats")
CHANNELS: tuple[Channel, ...] = (
    Channel("shorts", "YouTube Shorts", "9:16", r"youtube\s+shorts|shorts"),
    Channel("instagram-feed", "Instagram feed", "1:1", r"instagram\s+(?:feed|posts?)|ig\s+feed"),
    Channel("reels", "Instagram Reels", "9:16", r"(?:instagram\s+)?reels"),
    Channel(
        "stories", "Stories", "9:16", r"(?:instagram\s+|facebook\s+|ig\s+)?stories|(?:instagram|facebook|ig)\s+story"
    ),
    Channel("tiktok", "TikTok", "9:16", r"tik\s?tok"),
    Channel("snapchat", "Snapchat", "9:16", r"snapchat"),
    Channel("pinterest", "Pinterest", "9:16", r"pinterest"),
    Channel("instagram", "Instagram", "9:16", r"instagram|insta"),
    Channel("youtube", "YouTube", "16:9", r"youtube"),
    Channel("linkedin", "LinkedIn", "1:1", r"linked\s?in"),
    Channel("facebook", "Facebook", "1:1", r"facebook"),
    Channel("x", "X", "16:9", r"twitter"),
)
_BY_KEY = {c.key: c for c in CHANNELS}
_ANY = "|".join(f"(?:{c.pattern})" for c in CHANNELS)
_MENTION = re.compile(rf"(?<![\w-])(?:{_ANY})(?![\w-])", re.I)
# Words that name a channel only by where they stand ("for Reels", "TikTok, Reels and Shorts", "a Shorts ad"),
# never in a description ("a runner in shorts", "share your stories").
_ORDINARY = {"shorts", "reels", "stories"}
_INTRODUCED = re.compile(r"\b(?:for|on|across)\s+(?:each\s+of\s+|both\s+|all\s+of\s+)?(?:the\s+)?$", re.I)
_JOINED = re.compile(r"\s*(?:,|&|/|\band\b|\bor\b)\s*(?:and\s+|or\s+)?", re.I)
_AS_AD = re.compile(r"\s+(?:ads?|videos?|spots?|clips?|versions?|cuts?|teasers?|promos?|creatives?)\b", re.I)
_ENDS = re.compile(r"\s*(?:[,.;:!?)]|$|\bin\s)")
_HIDDEN = 0xF0000  # an ordinary word is hidden from the channel patterns in these private-use characters
_RATIO = re.compile(r"(?<![\d:])(16:9|9:16|1:1|4:5)(?![\d:])")
_ORIENTATION = {"vertical": "9:16", "portrait": "9:16", "square": "1:1", "landscape": "16:9", "horizontal": "16:9",
                "widescreen": "16:9"}  # fmt: skip
_STATED = re.compile(rf"{_RATIO.pattern}|\b({'|'.join(_ORIENTATION)})\b", re.I)
_CLAUSE = re.compile(r"[,;]|\bone\b|\band\b", re.I)
_DELIVERABLE = r"ads|videos|spots|clips|versions|teasers|promos|creatives|cuts|edits"
_SINGULAR = "|".join(w[:-1] for w in _DELIVERABLE.split("|"))
_FORMAT_WORDS = r"16:9|9:16|1:1|4:5|vertical|square|landscape|portrait"
_CHAIN = rf"(?:{_ANY})(?:\s*(?:,|&|\band\b|\bor\b|/)\s*(?:{_ANY}))*(?![\w-])"
# "one for TikTok", ", and one square for LinkedIn in 16:9"
_ONE_FOR = re.compile(
    rf"[,;:]?\s*(?:and\s+)?(?:one|1)\s+(?:\w+\s+){{0,2}}(?:for|on)\s+(?:{_ANY})(?![\w-])"
    rf"(?:\s+in\s+(?:{_FORMAT_WORDS}))?",
    re.I,
)
# "for each of Reels and Shorts", "on TikTok, YouTube and LinkedIn", then any channel left
_FOR_CHANNELS = re.compile(rf"\b(?:for|on|to|across)\s+(?:each\s+of\s+|both\s+|all\s+of\s+)?(?:the\s+)?{_CHAIN}", re.I)
_CHANNELS = re.compile(rf"(?<![\w-]){_CHAIN}", re.I)
# "three different", "3 separate", "2" before the ads they count (never "6 second")
_COUNTED = re.compile(
    r"\b(?:(?:\d+|two|three|four|five|six|a\s+couple\s+of|several|a\s+few)(?!\s*-?\s*(?:s|secs?|seconds?)\b)\s+)?"
    rf"(?:different\s+|separate\s+)?(?=(?:[\w-]+\s+){{0,3}}(?:{_DELIVERABLE})\b)",
    re.I,
)
_PLURAL = re.compile(rf"\b({_DELIVERABLE})\b", re.I)
_BARE = re.compile(rf"\b(make|create|generate|produce|render|do|need|want|give\s+me)\s+(?=(?:{_SINGULAR})\b)", re.I)
_EACH = re.compile(r"\b(?:each|one\s+per\s+channel)\b", re.I)


def channel_of(text: str) -> Channel:
    """The channel a word names ("TikTok", "youtube shorts", a key); InvalidRequest listing them otherwise."""
    key = text.strip().lower()
    if key in _BY_KEY:
        return _BY_KEY[key]
    for channel in CHANNELS:
        if re.fullmatch(channel.pattern, key, re.I):
            return channel
    raise InvalidRequest(f"There is no channel called '{text}'.",
                         hint=f"Channels: {', '.join(c.label for c in CHANNELS)}.")  # fmt: skip


def read_channel(text: str) -> tuple[Channel, str]:
    """A channel as a tool names it, with its format: "linkedin" (1:1), "LinkedIn 16:9", "youtube square"."""
    stated = _STATED.search(text)
    channel = channel_of(_STATED.sub(" ", text) if stated else text)
    return channel, (stated.group(1) or _ORIENTATION[stated.group(2).lower()]) if stated else channel.aspect


def mentions(text: str) -> list[re.Match[str]]:
    """Where a text names a channel: a name that is only a channel's ("TikTok", "YouTube Shorts") anywhere, and
    "shorts", "reels" or "stories" after "for"/"on"/"across" (in a list, or ending its phrase: not "a sale on
    shorts and swimwear"), capitalised in a list of channels, or as "a Reels ad"."""
    found = list(_MENTION.finditer(text))
    chains: list[list[re.Match[str]]] = []
    for m in found:
        if chains and _JOINED.fullmatch(text[chains[-1][-1].end() : m.start()]):
            chains[-1].append(m)
        else:
            chains.append([m])
    named = []
    for chain in chains:
        introduced = bool(_INTRODUCED.search(text[: chain[0].start()]))
        sure = [m for m in chain if m.group(0).lower() not in _ORDINARY]
        capitalised = [m for m in chain if m.group(0)[0].isupper()]
        as_ad = any(_AS_AD.match(text, m.end()) for m in capitalised)
        for m in chain:
            ends = _ENDS.match(text, m.end()) or _AS_AD.match(text, m.end())
            placed = introduced and (len(chain) > 1 or ends or m in capitalised)  # "for reels and shorts"
            listed = m in capitalised and (sure or as_ad or len(capitalised) > 1)  # "TikTok, Reels", "a Reels ad"
            if m in sure or placed or listed:
                named.append(m)
    return named


def hide_ordinary(text: str) -> str:
    """The text with the words that look like a channel but do not name one here ("a runner in shorts") hidden
    from the channel patterns; `show_ordinary` gives them back."""
    named = {m.start() for m in mentions(text)}
    out, at = [], 0
    for m in _MENTION.finditer(text):
        if m.start() not in named:
            out += [text[at : m.start()], "".join(chr(_HIDDEN + ord(c)) for c in m.group(0))]
            at = m.end()
    return "".join(out) + text[at:]


def show_ordinary(text: str) -> str:
    return "".join(chr(ord(c) - _HIDDEN) if _HIDDEN <= ord(c) < _HIDDEN + 128 else c for c in text)


def format_named(text: str) -> str | None:
    """The format a text states (a ratio or an orientation word), else the one of the first channel it names."""
    if stated := _STATED.search(text):
        return stated.group(1) or _ORIENTATION[stated.group(2).lower()]
    if named := channels_in(text):
        channel, stated_for = named[0]
        return stated_for or channel.aspect
    return None


def channels_in(text: str) -> list[tuple[Channel, str | None]]:
    """The channels a brief names, in order, each once, with the format stated for it ("one square for
    LinkedIn", "LinkedIn in 16:9") or None."""
    found: list[tuple[Channel, str | None]] = []
    named = mentions(text)
    for i, m in enumerate(named):
        channel = channel_of(m.group(0))
        if any(c == channel for c, _ in found):
            continue
        before = text[named[i - 1].end() if i else 0 : m.start()]
        after = text[m.end() : named[i + 1].start() if i + 1 < len(named) else len(text)]
        clause = f"{_CLAUSE.split(before)[-1]} {_CLAUSE.split(after)[0]}"  # "one square for X", "X in 16:9"
        stated = _STATED.search(clause)
        found.append((channel, stated and (stated.group(1) or _ORIENTATION[stated.group(2).lower()])))
    return found


def for_channel(brief: str, channel: Channel) -> str:
    """The brief of one channel's video: the other channels, the list of channels and the count of ads taken out,
    and this channel named once ("6 second ad for our socks, for TikTok")."""
    text = _FOR_CHANNELS.sub(" ", _ONE_FOR.sub(" ", hide_ordinary(brief)))
    text = _COUNTED.sub("", _CHANNELS.sub(" ", text))
    text = _BARE.sub(r"\1 a ", _PLURAL.sub(lambda m: m.group(1)[:-1], text))
    text = _EACH.sub(" ", re.sub(r"\ba\s+(?=ad\b|edit\b)", "an ", text, flags=re.I))
    text = re.sub(r"\s*([,;:])(?:\s*[,;:])+", r"\1", text)
    text = show_ordinary(re.sub(r"\s+([,;:.!?])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,;:."))
    return f"{text}, for {channel.label}" if text else f"A video for {channel.label}"
