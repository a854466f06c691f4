"""Text for the draft renderer: the bundled fonts, fitting text into a box, and key phrases from a brief.

Fonts are Red Hat Display (SIL Open Font License, see tools/fonts/OFL.txt), shipped with the package, so no
system font is assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
WEIGHTS = {
    "black": "RedHatDisplay-Black.ttf",
    "bold": "RedHatDisplay-Bold.ttf",
    "medium": "RedHatDisplay-Medium.ttf",
}


@lru_cache(maxsize=256)
def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """The bundled font at a pixel size; Pillow's own bundled font if the file is missing."""
    path = FONT_DIR / WEIGHTS[weight]
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:  # pragma: no cover - the font ships with the package
        return ImageFont.load_default(size=size)  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def _has_glyph(weight: str, ch: str) -> bool:
    if ch.isspace():
        return True
    f = font(weight, 32)
    missing = f.getmask("\uffff")
    mask = f.getmask(ch)
    return not (mask.size == missing.size and bytes(mask) == bytes(missing))


_REPLACE = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\t": " "}


def clean_text(text: str, weight: str = "bold") -> str:
    """The text with characters the font cannot draw (emoji and the like) removed and spaces tidied."""
    text = "".join(_REPLACE.get(ch, ch) for ch in text)
    kept = "".join(ch for ch in text if ch == "\n" or (ch.isprintable() and _has_glyph(weight, ch)))
    kept = re.sub(r"[ ]{2,}", " ", kept)
    return "\n".join(line.strip() for line in kept.splitlines()).strip()


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
    text = clean_text(text, weight) or " "
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
        f = font(weight, size)
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
    f = font(weight, floor)
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
    pad = f.size // 2 + 2
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
    return TextBlock(text=text, lines=lines, size=f.size, mask=canvas.crop(box))


# --- key phrases -------------------------------------------------------------------------------------------

_DIRECTIVES = [
    r"\b(?:in|at)\s+(?:hd|full hd|4k|1080p|720p|\d+\s*fps)\b",
    r"\b\d+(?:\.\d+)?\s*-?\s*(?:seconds?|secs?|s)\b(?:\s*long)?",
    r"\b\d{3,4}\s*p\b",
    r"\b\d+\s*fps\b",
    r"\b(?:16|9|1|4|5)\s*[:x/]\s*(?:16|9|1|4|5)\b",
    r"\b(?:vertical|horizontal|landscape|portrait|square|widescreen)\b",
    r"\b(?:please|kindly)\b",
    r"\b(?:make|create|generate|produce|render|build|design|give me|i want|i need|we need|we want)\b"
    r"(?:\s+(?:me|us))?",
    r"\b(?:use|using|with|from|based on)\s+(?:this|these|the|our|my|attached|uploaded)\s+"
    r"(?:attached\s+|uploaded\s+)?(?:logo|logos|image|images|photo|photos|picture|pictures|reference|"
    r"references|file|files)\b",
    r"\b(?:attached|uploaded)\s+(?:logo|image|photo|picture)s?\b",
    r"\b(?:tiktok|instagram|reels?|youtube|facebook|linkedin)\s+(?:ad|video|post|story)\b",
]
_LEADS = re.compile(
    r"^(?:(?:a|an|the|some|one|this|that|and|or|but|with|for|of|to|in|on|about|showing|featuring|"
    r"that shows|which|it|its|is|are|be)\s+)+",
    re.I,
)
_KIND = re.compile(
    r"^(?:(?:short|quick|fun|punchy|cinematic|simple|clean|bold|modern|nice|cool|stylish|dynamic|animated|"
    r"brand|branding|product|logo|social|social media|marketing|launch|motion|explainer)\s+)*"
    r"(?:video|teaser|ad|advert|advertisement|clip|spot|promo|promotion|animation|reel|creative|commercial|"
    r"trailer|story|post|intro)s?(?:\s+(?:of|for|about|showing|featuring|that shows|on|to))?\s+",
    re.I,
)


_KIND_AFTER = re.compile(
    r"\s+(?:(?:brand|branding|product|logo|launch|promo|social|marketing)\s+)?"
    r"(?:intro|video|teaser|ad|advert|clip|spot|promo|animation|reel|trailer|reveal|sting)s?$",
    re.I,
)


_EMPTY_PHRASES = {
    "product",
    "products",
    "teaser",
    "video",
    "ad",
    "advert",
    "brand",
    "logo",
    "animation",
    "promo",
    "clip",
    "reel",
    "intro",
    "spot",
    "creative",
    "commercial",
    "trailer",
    "draft",
    "something",
    "it",
    "this",
}


def key_phrases(brief: str, limit: int = 6, skip: tuple[str, ...] = ()) -> list[str]:
    """The brief's key phrases: its clauses without production directives (duration, format, "make a")."""
    text = re.sub(r"\"[^\"]*\"|“[^”]*”", " ", brief or "")
    for pattern in _DIRECTIVES:
        text = re.sub(pattern, " ", text, flags=re.I)
    text = re.sub(r"\b(?:headline|title|tagline|slogan|features?|price|cta|call to action|button)\s*[:=]", ",", text)
    parts = re.split(r"[.;:!?\n•]+|,\s+|\s+[-–—]\s+|[—(]|\)|\s+(?:with|featuring)\s+", text, flags=re.I)
    out: list[str] = []
    seen = {s.lower() for s in skip}
    for part in parts:
        p = re.sub(r"\s+", " ", part).strip(" ,-–'\"")
        for _ in range(3):
            p = _LEADS.sub("", p)
            p = _KIND.sub("", p).strip()
        p = _KIND_AFTER.sub("", p).strip(" ,-–'\"")
        if len(p) < 3 or not re.search(r"[A-Za-z0-9]", p) or p.lower() in _EMPTY_PHRASES:
            continue
        words = p.split()
        if len(words) > 9:
            p = " ".join(words[:9])
        p = p[0].upper() + p[1:]
        if p.lower() in seen:
            continue
        seen.add(p.lower())
        out.append(p)
        if len(out) >= limit:
            break
    return out
