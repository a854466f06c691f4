"""Text for the draft renderer: the bundled fonts, a brand kit's fonts, and fitting text into a box.

Fonts are Red Hat Display (SIL Open Font License, see tools/fonts/OFL.txt), shipped with the package, so no
system font is assumed; a brand kit's font (`kit_face`) takes the place of a weight (`Faces`); text in a script a
font lacks uses the bundled or an installed font that has it, when there is one.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
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


Faces = Mapping[str, str]
"""A brand kit's fonts by weight ("black" for headlines, "bold" and "medium" for body text): `kit_face` paths."""
KIT_FONT_DIR = Path(tempfile.gettempdir()) / "clapboard-kit-fonts"


def kit_face(data: bytes) -> str:
    """The path of a kit's font file (read from storage), written once to a file named by its content, so the text
    functions load it like a bundled font (FreeType reads a file as it needs it: no copy per size)."""
    path = KIT_FONT_DIR / f"{hashlib.sha256(data).hexdigest()[:32]}.font"
    if not path.is_file():
        KIT_FONT_DIR.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=KIT_FONT_DIR, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)  # atomic: a render in another thread sees the whole file or none
    return str(path)


def _bundled(weight: str) -> str:
    return str(FONT_DIR / WEIGHTS[weight])


@lru_cache(maxsize=256)
def font_file(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A font file (bundled, installed or a kit's, by its `kit_face` path) at a pixel size."""
    return ImageFont.truetype(path, size)


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


@lru_cache(maxsize=1)
def _installed() -> frozenset[str]:
    return frozenset(p for paths in FALLBACK_FONTS.values() for p in paths if Path(p).is_file())


def _is_letter(ch: str) -> bool:
    return ch.isalnum()


def face_for(text: str, weight: str, faces: Faces | None = None) -> str:
    """The font file to draw `text` with: the kit's font for this weight, else the bundled one, when it has every
    letter; else the one (of those and the installed fonts) that has the most of them (one font per block of text,
    so a line never mixes typefaces)."""
    letters = {ch for ch in text if _is_letter(ch)}
    kit = (faces or {}).get(weight)
    candidates = [*([kit] if kit else []), _bundled(weight)]
    installed = _installed()
    candidates += [p for p in FALLBACK_FONTS.get(weight, ()) if p in installed]
    best, best_n = candidates[0], -1
    for path in candidates:
        n = sum(1 for ch in letters if _path_has_glyph(path, ch))
        if n == len(letters):
            return path
        if n > best_n:
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
    faces: Faces | None = None,
) -> TextBlock:
    """`text` wrapped and sized to the largest size that fits max_w x max_h; it is never cut off.

    Sizes go down from `size_max`; below `size_min` only when the text cannot fit otherwise. The returned mask
    is cropped to the drawn pixels and is at most max_w x max_h. `faces` are a brand kit's fonts, by weight.
    """
    path = face_for(text, weight, faces)
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
