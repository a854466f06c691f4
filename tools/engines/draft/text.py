"""Text for the draft renderer: the bundled fonts, fitting text into a box, and key phrases from a brief.

Fonts are Red Hat Display (SIL Open Font License, see tools/fonts/OFL.txt), shipped with the package, so no
system font is assumed; text in a script it lacks uses an installed font that has it, when there is one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
WEIGHTS = {
    "black": "RedHatDisplay-Black.ttf",
    "bold": "RedHatDisplay-Bold.ttf",
    "medium": "RedHatDisplay-Medium.ttf",
}
# Scripts the bundled font lacks (Arabic, Cyrillic, Greek, CJK, ...) are drawn with a font of the machine when one
# has the letters; letters no font has are left out rather than drawn as empty boxes.
FALLBACK_FONTS: dict[str, tuple[str, ...]] = {
    "black": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Black.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf",
    ),
    "bold": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf",
    ),
    "medium": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    ),
}


def _bundled(weight: str) -> str:
    return str(FONT_DIR / WEIGHTS[weight])


@lru_cache(maxsize=256)
def font_file(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A font file at a pixel size; Pillow's own bundled font if the file cannot be read."""
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # pragma: no cover - the bundled font ships with the package
        return ImageFont.load_default(size=size)  # type: ignore[return-value]


def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """The bundled font at a pixel size."""
    return font_file(_bundled(weight), size)


@lru_cache(maxsize=8192)
def _path_has_glyph(path: str, ch: str) -> bool:
    if ch.isspace():
        return True
    f = font_file(path, 32)
    missing = f.getmask("\uffff")
    mask = f.getmask(ch)
    return not (mask.size == missing.size and bytes(mask) == bytes(missing))


def _has_glyph(weight: str, ch: str) -> bool:
    return _path_has_glyph(_bundled(weight), ch)


@lru_cache(maxsize=1)
def _installed() -> frozenset[str]:
    return frozenset(p for paths in FALLBACK_FONTS.values() for p in paths if Path(p).is_file())


def _is_letter(ch: str) -> bool:
    return ch.isalnum()


def face_for(text: str, weight: str) -> str:
    """The font file to draw `text` with: the bundled one when it has every letter, else the installed font that
    has the most of them (one font per block of text, so a line never mixes typefaces)."""
    bundled = _bundled(weight)
    letters = {ch for ch in text if _is_letter(ch)}
    missing = {ch for ch in letters if not _path_has_glyph(bundled, ch)}
    if not missing:
        return bundled
    best, best_n = bundled, 0
    installed = _installed()
    for path in FALLBACK_FONTS.get(weight, ()):
        if path not in installed:
            continue
        n = sum(1 for ch in letters if _path_has_glyph(path, ch))
        if n > max(best_n, len(letters) - len(missing)):
            best, best_n = path, n
    return best


_REPLACE = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\t": " "}


def _clean_for(text: str, path: str) -> str:
    text = "".join(_REPLACE.get(ch, ch) for ch in text)
    kept = "".join(ch for ch in text if ch == "\n" or (ch.isprintable() and _path_has_glyph(path, ch)))
    kept = re.sub(r"[ ]{2,}", " ", kept)
    return "\n".join(line.strip() for line in kept.splitlines()).strip()


def clean_text(text: str, weight: str = "bold") -> str:
    """The text with characters no available font can draw (emoji and the like) removed and spaces tidied."""
    return _clean_for(text, face_for(text, weight))


def undrawable(text: str, weight: str) -> str:
    """The visible characters of `text` that no font here can draw (emoji, mostly), which drawing would drop."""
    path = face_for(text, weight)
    return "".join(
        dict.fromkeys(
            ch
            for ch in text
            if not ch.isspace()
            and ch not in _REPLACE
            and unicodedata.category(ch) not in ("Mn", "Me", "Cf")  # joiners and selectors: nothing to see
            and not _path_has_glyph(path, ch)
        )
    )


def drawable(text: str, weight: str = "black") -> bool:
    """Whether the text has at least one letter or digit that a font here can draw."""
    return any(_is_letter(ch) for ch in clean_text(text, weight))


@dataclass
class TextBlock:
    """Text drawn once into a mask (white on black, tightly cropped) at the size that fits its box."""

    text: str
    lines: list[str]
    size: int
    mask: Image.Image

    @property
    def width(self) -> int:
        return self.mask.width

    @property
    def height(self) -> int:
        return self.mask.height


def _wrap(words: list[str], f: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if current and f.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _split_long(word: str, f: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """A word wider than the line broken into pieces that fit, hyphenated."""
    pieces, current = [], ""
    for ch in word:
        if current and f.getlength(current + ch + "-") > width:
            pieces.append(current + "-")
            current = ch
        else:
            current += ch
    pieces.append(current)
    return pieces


def _layout(text: str, f: ImageFont.FreeTypeFont, width: float, balance: bool) -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        words: list[str] = []
        for w in para.split():
            words.extend(_split_long(w, f, width) if f.getlength(w) > width else [w])
        lines = _wrap(words, f, width)
        if balance and len(lines) > 1:
            # The narrowest width that still gives the same number of lines: even lines, no lone word.
            lo, hi = width * 0.4, width
            for _ in range(12):
                mid = (lo + hi) / 2
                if len(_wrap(words, f, mid)) <= len(lines) and all(f.getlength(w) <= mid for w in words):
                    hi = mid
                else:
                    lo = mid
            lines = _wrap(words, f, hi)
        out.extend(lines)
    return out


def _line_metrics(f: ImageFont.FreeTypeFont, spacing: float) -> tuple[int, int]:
    ascent, descent = f.getmetrics()
    return ascent + descent, round(f.size * spacing)


def _measure(lines: list[str], f: ImageFont.FreeTypeFont, spacing: float) -> tuple[float, int]:
    full, step = _line_metrics(f, spacing)
    width = max((f.getlength(line) for line in lines), default=0)
    return width, full + step * (len(lines) - 1)


def fit_text(
    text: str,
    weight: str,
    max_w: int,
    max_h: int,
    *,
    size_max: int,
    size_min: int = 12,
    max_lines: int = 4,
    spacing: float = 1.12,
    align: str = "center",
    balance: bool = True,
) -> TextBlock:
    """`text` wrapped and sized to the largest size that fits max_w x max_h; it is never cut off.

    Sizes go down from `size_max`; below `size_min` only when the text cannot fit otherwise. The returned mask
    is cropped to the drawn pixels and is at most max_w x max_h.
    """
    path = face_for(text, weight)
    text = _clean_for(text, path) or " "
    floor = 6
    sizes, size = [], max(size_min, size_max)
    while size > floor:
        sizes.append(size)
        size = min(size - 1, int(size * 0.94))
    sizes.append(floor)
    width_avail = max_w * 0.98
    one_line = text.replace("\n", " ")
    longest_word = max(text.split(), key=len, default=text)
    for size in sizes:
        f = font_file(path, size)
        limited = size >= size_min
        if limited and size > size_min and f.getlength(longest_word) > width_avail:
            continue  # shrink before breaking a word
        total = f.getlength(one_line)
        full, step = _line_metrics(f, spacing)
        if limited and total > width_avail * max_lines:
            continue  # clearly more lines than allowed
        if size > floor and total * step > width_avail * max_h * 1.05:
            continue  # clearly too tall
        lines = _layout(text, f, width_avail, balance and len(text) < 200)
        width, height = _measure(lines, f, spacing)
        if (not limited or len(lines) <= max_lines) and width <= width_avail and height <= max_h:
            block = _draw(text, lines, f, spacing, align)
            if block.width <= max_w and block.height <= max_h:
                return block
    # Pathological text (thousands of characters): what fits at the smallest size, ending in an ellipsis.
    f = font_file(path, floor)
    lines = _layout(text, f, width_avail, False)
    full, step = _line_metrics(f, spacing)
    keep = max(1, int((max_h - full) // step) + 1)
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = lines[-1][: max(1, len(lines[-1]) - 1)] + "…"
    return _draw(text, lines, f, spacing, align)


def _draw(text: str, lines: list[str], f: ImageFont.FreeTypeFont, spacing: float, align: str) -> TextBlock:
    full, step = _line_metrics(f, spacing)
    width = max(int(max(f.getlength(line) for line in lines)) + 1, 1)
    size = int(f.size)  # Pillow types a font's size as float; ours are made at whole pixel sizes
    pad = size // 2 + 2
    canvas = Image.new("L", (width + 2 * pad, full + step * (len(lines) - 1) + 2 * pad), 0)
    draw = ImageDraw.Draw(canvas)
    ascent, _ = f.getmetrics()
    for k, line in enumerate(lines):
        y = pad + ascent + k * step
        if align == "left":
            draw.text((pad, y), line, font=f, fill=255, anchor="ls")
        elif align == "right":
            draw.text((pad + width, y), line, font=f, fill=255, anchor="rs")
        else:
            draw.text((pad + width / 2, y), line, font=f, fill=255, anchor="ms")
    box = canvas.getbbox() or (0, 0, 1, 1)
    if align == "left":
        box = (min(box[0], pad), box[1], box[2], box[3])
    return TextBlock(text=text, lines=lines, size=size, mask=canvas.crop(box))


# --- key phrases -------------------------------------------------------------------------------------------
#
# A brief mixes what the ad says ("spring sale", "our new sneaker") with how to make it ("a 10 s vertical
# TikTok ad", "brand animation of our logo", "with Sora 2 Pro"). Only the first kind goes on screen.

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
_MODELS = (
    r"(?:openai\s+)?sora(?:[\s-]*\d+(?:\.\d+)?)?(?:\s+pro)?|(?:google\s+)?veo(?:[\s-]*\d+(?:\.\d+)?)?"
    r"(?:\s+(?:fast|pro))?|runway(?:\s+gen[\s-]*\d+)?(?:\s+(?:turbo|alpha|aleph))?|gen[\s-]*[234](?:\s+(?:turbo|alpha))?|"
    r"kling(?:[\s-]*v?\d+(?:\.\d+)?)?(?:\s+(?:pro|master|standard))?|luma(?:\s+(?:ray|dream\s*machine)[\s-]*\d*)?|"
    r"ray[\s-]*\d+(?:\.\d+)?|pika(?:[\s-]*\d+(?:\.\d+)?)?|hailuo(?:[\s-]*\d+)?|minimax|"
    r"seedance(?:[\s-]*\d+(?:\.\d+)?)?(?:\s+(?:pro|lite))?|wan[\s-]*\d+(?:\.\d+)?|hunyuan(?:\s*video)?|ltx(?:[\s-]*video)?|"
    r"gpt-?4o?|clapboard(?:\s+draft)?|(?:the\s+)?draft\s+(?:model|engine)"
)
_LABEL_WORDS = r"headline|title|hook|tagline|slogan|features?|price|cta|call[\s-]to[\s-]action|button"
_QUOTED_TEXT = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»|(?<![\w'])'[^'\n]{2,200}?'(?!\w)")

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
    rf"\b(?:(?:with|using|on|via|by|in|through)\s+)?(?:{_MODELS})\b(?:\s+model)?",
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
    "audio captions company campaign image photo picture reference words word line lines copy end start finish"
)
_FILLER = _STOP | _META | _words(_ADJ.replace("?", "").replace("|", " ")) | {"colorful"}
_EDGE_META = _words("logo logos video videos clip ad ads teaser promo animation sting reel template version format")


def _trim(words: list[str]) -> list[str]:
    while words and (words[0].lower() in _LEAD_STOP or words[0].lower() in _EDGE_META):
        words = words[1:]
    while words and (words[-1].lower() in _TAIL_STOP or words[-1].lower() in _EDGE_META):
        words = words[:-1]
    return words


def strip_directives(text: str) -> str:
    """The brief without production directives (duration, format, platform, template words, model names)."""
    text = _QUOTED_TEXT.sub(" ", text or "")
    text = _LABEL_RE.sub(" , ", text)
    for pattern in _DIRECTIVE_RE:
        text = pattern.sub(" ", text)
    return _KIND_RE.sub(" | ", text)


def key_phrases(brief: str, limit: int = 6, skip: tuple[str, ...] = ()) -> list[str]:
    """The brief's key phrases: what the ad is about, without how to make it (duration, format, platform,
    template words, "make a", model names), without quoted or labelled on-screen text (`skip`)."""
    text = brief or ""
    removals = sorted({line.strip() for v in skip for line in v.splitlines() if line.strip()}, key=len, reverse=True)
    for value in removals:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " , ", text, flags=re.I)
    text = strip_directives(text)
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
