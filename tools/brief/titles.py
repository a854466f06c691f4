"""Creative titles a marketer can scan: "Sneaker showcase, vertical", "Spring sale TikTok ad". Built by rules from
the brief's subject, the template and the format (no network), never from the brief's instructions; and the file
name a creative downloads as."""

from __future__ import annotations

import re
from collections.abc import Sequence

from campaign.errors import InvalidRequest
from campaign.text import storable
from tools.brief.copy import AdCopy, product_name

TITLE_MAX = 48  # what title_for writes
TITLE_CHARS = 120  # what a person may write
_ORIENTATION = {"9:16": "vertical", "16:9": "landscape", "1:1": "square", "4:5": "portrait"}
_TEMPLATE_KIND = {"product-showcase": "showcase", "brand-animation": "brand animation", "social-media": "social ad"}
_PLATFORMS = [
    (r"tik\s?tok", "TikTok"),
    (r"youtube\s+shorts|shorts", "Shorts"),
    (r"reels?", "Reels"),
    (r"instagram|insta", "Instagram"),
    (r"youtube", "YouTube"),
    (r"facebook", "Facebook"),
    (r"linkedin", "LinkedIn"),
    (r"snapchat", "Snapchat"),
    (r"pinterest", "Pinterest"),
]
# What the brief calls the deliverable, kept in a plain (template-less) video's title: "Logo sting", "Teaser".
_NOUN = re.compile(
    r"\b(?:(logo|brand|product|launch)\s+)?(teaser|trailer|promo|intro|outro|reveal|sting|spot|"
    r"commercial|explainer|demo|packshot|announcement|ad)s?\b",
    re.I,
)
# "Post for our new coffee blend": the deliverable before what it is about.
_HEAD = re.compile(
    r"^(?:\w+\s+)?(?:post|story|video|clip|ad|spot|reel)s?\s+(?:for|of|about)\s+(?:(?:our|the|my|their|a|an)\s+)?",
    re.I,
)
# "Spring sale of our sneakers": the subject before a possessive, when it has a few words of its own.
_POSSESSIVE = re.compile(r"\s+(?:of|for)\s+(?:our|their|my|your)\s+", re.I)
_TAIL = {"a", "an", "the", "and", "or", "of", "at", "in", "on", "for", "with", "to", "from", "by", "over", "through",
         "into", "onto", "about", "as", "its", "our", "your"}  # fmt: skip


def title_for(words: str, *, template: str | None, aspect: str, copy: AdCopy, phrases: Sequence[str]) -> str:
    """A title of at most TITLE_MAX characters, cut only between words: the subject, what kind of video it is,
    and where it goes (a platform the brief names, else the orientation). The subject is a product name the copy
    has, else the brief's first key phrase, else the headline. `words` is the brief without instructions."""
    platform = next((label for pattern, label in _PLATFORMS if re.search(rf"\b(?:{pattern})\b", words, re.I)), None)
    kind = _TEMPLATE_KIND.get(template or "", "")
    if kind == "social ad" and platform:
        kind, where = f"{platform} ad", ""
    else:
        where = platform or _ORIENTATION.get(aspect, aspect)
    if not kind and (noun := _NOUN.search(words)):
        kind = " ".join(w for w in noun.groups() if w).lower()
    suffix = f", {where}" if where else ""
    name = product_name(copy.headline)
    subjects = [name] if name else list(phrases[:1])
    fallback = [t for t in (copy.headline, copy.sale, copy.tagline) if t]
    budget = TITLE_MAX - len(suffix) - (len(kind) + 1 if kind else 0)
    subject = _fit(_core((subjects or fallback or [""])[0]), budget)
    title = f"{subject} {kind}" if subject and kind else subject or kind or "video"
    return title[:1].upper() + title[1:] + suffix


def _core(phrase: str) -> str:
    """What a key phrase is about: "Post for our new coffee blend" is "new coffee blend"."""
    parts = _POSSESSIVE.split(_HEAD.sub("", phrase), 1)
    return parts[0] if len(parts) == 1 or len(parts[0].split()) >= 2 else parts[1]


def _fit(phrase: str, budget: int) -> str:
    """The phrase's first words that fit in `budget` characters, never ending on a word like "of" or "the"."""
    words = phrase.split()
    while words and len(" ".join(words)) > budget:
        words.pop()
    while words and words[-1].lower().strip(",.") in _TAIL:
        words.pop()
    return " ".join(words).strip(" ,.;:-")


def clean_title(text: str) -> str:
    """A title a person wrote, its spaces tidied (one line); InvalidRequest unless 1 to TITLE_CHARS characters."""
    title = " ".join(text.split())
    if not 0 < len(title) <= TITLE_CHARS:
        raise InvalidRequest(f"A title must be 1 to {TITLE_CHARS} characters.")
    try:
        return storable(title)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def download_name(title: str, aspect: str) -> str:
    """The file name a creative downloads as: "Sneaker showcase, vertical-9x16.mp4" (no path or quote
    characters; letters of any language kept)."""
    base = re.sub(r"\s+", " ", _UNSAFE.sub(" ", title)).strip(" .-") or "video"
    return f"{base}-{aspect.replace(':', 'x')}.mp4"
