"""Key phrases: what a brief is about, without how to make it.

A brief mixes what the ad says ("spring sale", "our new sneaker") with how to make it ("a 10 s vertical TikTok
ad", "brand animation of our logo", "with Sora 2 Pro"). Only the first kind is a key phrase. Model names are the
catalog's: the names passed in (`Catalog.names`) and the mentions of models it knows (`MODEL_MENTIONS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from tools.brief.instructions import QUOTED, VERSION
from tools.catalog import MODEL_MENTIONS

_ADJ = (
    r"short|quick|fun|punchy|cinematic|simple|clean|bold|modern|nice|cool|stylish|dynamic|animated|energetic|"
    r"upbeat|sleek|minimal|minimalist|elegant|new|little|small|brief|catchy|engaging|eye-catching|vibrant|"
    r"colou?rful|playful|professional|looping|silent|final|test|sample|simple|great|good|beautiful|epic"
)
_MOD = (
    r"brand|branding|product|logo|social(?:\s+media)?|marketing|launch|promo(?:tional)?|motion(?:\s+graphics?)?|"
    r"explainer|video|teaser|ad|company|corporate|campaign"
)
# Nouns that name the deliverable, alone ("a video of ...") or after a modifier ("brand intro").
_KIND_ANY = (
    r"videos?|teasers?|ads?|adverts?|advertisements?|clips?|promos?|commercials?|stings?|reels?|animations?|"
    r"showcases?|packshots?|explainers?|templates?|motion\s+graphics"
)
_KIND_MOD = r"intros?|outros?|reveals?|stor(?:y|ies)|posts?|spots?|trailers?|creatives?|demos?|films?|movies?|shots?"
_PLATFORMS = (
    r"tik\s?tok|instagram|insta|youtube(?:\s+shorts)?|facebook|linkedin|snapchat|pinterest|twitter|threads|"
    r"meta\s+ads"
)
_LABEL_WORDS = r"headline|title|hook|tagline|slogan|features?|price|cta|call[\s-]to[\s-]action|button"

_DIRECTIVES = [
    # resolution, frame rate, duration, aspect, orientation
    r"\b(?:in|at)\s+(?:hd|full\s*hd|4k|uhd|\d{3,4}\s*p|\d+\s*fps)\b",
    r"\b\d{3,4}\s*p\b",
    r"\b\d+\s*fps\b",
    r"\b(?:4k|8k|uhd|full\s*hd|hd)\b",
    r"\b(?:about|around|roughly|approx\.?|max(?:imum)?|under|up\s+to|only)?\s*\d+(?:[.,]\d+)?\s*-?\s*"
    r"(?:seconds?|secs?|sec|s|minutes?|mins?|min)\b(?:\s*(?:long|max|only))?",
    r"\b(?:one|two|three|five|six|eight|ten|twelve|fifteen|twenty|thirty|forty-?five|sixty|half\s+a)\s*-?\s*"
    r"(?:seconds?|secs?|minutes?)\b(?:\s*long)?",
    r"\ba\s+minute(?:\s+long)?\b",
    r"(?<![\w/])(?:16|9|1|4|5|3|2|21)\s*[:x/]\s*(?:16|9|1|4|5|3|2)(?![\w/])(?:\s*(?:aspect(?:\s+ratio)?|ratio|format))?",
    r"\b(?:vertical|horizontal|landscape|portrait|square|widescreen|full[\s-]?screen)"
    r"(?:\s+(?:format|orientation|aspect|version|crop|framing))?\b",
    r"\b(?:aspect\s+ratio|orientation|resolution|frame\s*rate|ratio)\b",
    # requests and politeness
    r"\b(?:please|pls|kindly|thanks|thank\s+you)\b",
    r"\b(?:can|could|would|will)\s+you\b",
    r"\b(?:i'?d|i\s+would|we'?d|we\s+would)\s+(?:like|love)\b(?:\s+to)?",
    r"\b(?:i|we)\s+(?:want|need)\b(?:\s+to)?",
    r"\b(?:make|create|generate|produce|render|build|design|give|do|show|turn)\b(?:\s+(?:me|us|it|one|this))?",
    # the material and how it is used
    r"\b(?:use|using|with|from|based\s+on|include|including|add|show|showing)\s+(?:this|these|the|our|my|a|an|"
    r"attached|uploaded)\s+(?:attached\s+|uploaded\s+|brand\s+|company\s+)?(?:logo|logos|image|images|photo|photos|"
    r"picture|pictures|reference|references|file|files|pic|pics)\b",
    r"\b(?:the|our|my|this|these|attached|uploaded|brand|company)\s+(?:brand\s+|company\s+)?"
    r"(?:logo|logos|image|images|photo|photos|picture|pictures|reference|references|pics?)\b",
    r"\b(?:no|with|add|without|include)\s+(?:background\s+)?(?:music|sound|audio|voice-?over|captions|subtitles|"
    r"text|narration)\b",
    # where it goes and what makes it
    rf"\b(?:(?:for|on|to|in|via|across)\s+)?(?:the\s+)?(?:{_PLATFORMS})(?:\s*(?:and|&|or|/|,)\s*(?:{_PLATFORMS}))*"
    r"(?:\s+(?:reels?|shorts|stories|story|feeds?|posts?|ads?|videos?|campaign|channel|page|format))?\b",
    r"\b(?:(?:for|on)\s+)?social(?:\s+media)?(?:\s+(?:ads?|posts?|videos?|campaign|channels?|platforms?))?\b",
    r"\b(?:for|on)\s+(?:reels|shorts|stories)\b",
]
_DIRECTIVE_RE = [re.compile(p, re.I) for p in _DIRECTIVES]
# The deliverable splits the brief: "Summer sale ad for sneakers" is "Summer sale" and "sneakers".
_KIND_RE = re.compile(
    rf"\b(?:(?:{_ADJ})\s+)*(?:(?:(?:{_MOD})\s+)*(?:{_KIND_ANY})|(?:(?:{_MOD})\s+)+(?:{_KIND_MOD}))\b"
    r"(?:\s+(?:of|for|about|showing|featuring|that\s+shows|on|to|with|introducing|announcing))?",
    re.I,
)
_LABEL_RE = re.compile(rf"\b(?:{_LABEL_WORDS})\b\s*[:=]?", re.I)
_SPLIT = re.compile(r"[.;:!?\n•|]+|,(?!\d)\s*|\s+[-–—]\s+|[—()\[\]]|\s+(?:with|featuring|and\s+then|then)\s+", re.I)


def _words(text: str) -> set[str]:
    return set(text.split())


_STOP = _words(
    "a an the some one this that these those and or but so with for of to in on at about by from into "
    "as showing featuring shows which it its is are be our my their me us also then just only really "
    "very maybe like please too etc we i you new"
)
_LEAD_STOP = _STOP - {"new"}
_TAIL_STOP = _STOP - {"new", "one", "some", "showing", "shows", "too", "only", "really", "very", "you", "we", "i"}
_META = _words(
    "logo logos brand branding product products video videos clip clips ad ads advert teaser promo "
    "animation sting reel reels template version format draft creative content social media marketing "
    "motion graphics intro outro reveal showcase card text something stuff thing design music sound "
    "audio captions company campaign image photo picture reference words word line lines copy end start finish "
    "ending closing website site"
)
_FILLER = _STOP | _META | _words(_ADJ.replace("?", "").replace("|", " ")) | {"colorful"}
_EDGE_META = _words("logo logos video videos clip ad ads teaser promo animation sting reel template version format")


def _trim(words: list[str]) -> list[str]:
    while words and (words[0].lower() in _LEAD_STOP or words[0].lower() in _EDGE_META):
        words = words[1:]
    while words and (words[-1].lower() in _TAIL_STOP or words[-1].lower() in _EDGE_META):
        words = words[:-1]
    return words


@lru_cache(maxsize=8)
def _models_re(names: tuple[str, ...]) -> re.Pattern[str]:
    """A mention of a model: one the catalog knows of (`MODEL_MENTIONS`) or one of `names` (separators loose, a
    version and edition after it), after its maker's name (a slug's owner: "openai sora 2") and "with", "on",
    ...; an ordinary word alone ("draft") is never one."""
    makers = sorted({n.split("/")[0] for n in names if "/" in n}, key=len, reverse=True)
    said = {n.rsplit("/", 1)[-1].lower() for n in names}
    bare = sorted((n for n in said if n and n not in _FILLER), key=len, reverse=True)
    loose = "|".join([*(r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", n))) for n in bare), MODEL_MENTIONS])
    maker = rf"(?:(?:{'|'.join(map(re.escape, makers))})\s+)?" if makers else ""
    return re.compile(
        rf"(?<![\w-])(?:(?:with|using|on|via|by|in|through)\s+)?(?:the\s+)?{maker}(?:{loose}){VERSION}(?![\w-])"
        r"(?:\s+(?:model|engine))?",
        re.I,
    )


def strip_directives(text: str, model_names: Sequence[str] = ()) -> str:
    """The brief without production directives (duration, format, platform, template words, the models named
    in `model_names`)."""
    text = QUOTED.sub(" ", text or "")
    text = _LABEL_RE.sub(" , ", text)
    for pattern in _DIRECTIVE_RE:
        text = pattern.sub(" ", text)
    text = _models_re(tuple(model_names)).sub(" ", text)
    return _KIND_RE.sub(" | ", text)


def key_phrases(brief: str, limit: int = 6, skip: tuple[str, ...] = (), model_names: Sequence[str] = ()) -> list[str]:
    """The brief's key phrases: what the ad is about, without how to make it (duration, format, platform,
    template words, "make a", the models in `model_names`), without quoted or labelled on-screen text (`skip`)."""
    text = brief or ""
    removals = sorted({line.strip() for v in skip for line in v.splitlines() if line.strip()}, key=len, reverse=True)
    for value in removals:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " , ", text, flags=re.I)
    text = strip_directives(text, model_names)
    out: list[str] = []
    seen = {s.lower() for s in skip}
    for part in _SPLIT.split(text):
        words = _trim(re.sub(r"\s+", " ", part).strip(" ,-–'\"“”«»*&/").split())
        p = " ".join(words).strip(" ,-–'\"“”«»*&/")
        if len(p) < 2 or not re.search(r"[^\W_]", p):
            continue
        if all(w.lower().strip(",'\"") in _FILLER for w in p.split()):
            continue
        words = p.split()
        if len(words) > 9:
            p = " ".join(words[:9])
        if len(p) > 80:
            p = p[:80].rsplit(" ", 1)[0] if " " in p[:80] else p[:80]
        p = p[0].upper() + p[1:]
        if p.lower() in seen:
            continue
        seen.add(p.lower())
        out.append(p)
        if len(out) >= limit:
            break
    return out
