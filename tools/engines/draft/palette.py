"""Brand palettes: 3 to 5 colours taken from the reference images (or chosen from the brief), turned into the
roles a layout needs (background, accent, text colours) with WCAG contrast of at least 4.5 for every text role.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from PIL import Image

from tools.brand.colours import mix
from tools.brand.contrast import AA_TEXT, RGB, contrast, luminance
from tools.brand.follow import vividness

# A little headroom over WCAG AA for text: the YUV 4:2:0 encode moves colours slightly.
_TARGET = AA_TEXT + 0.3


def to_hls(c: RGB) -> tuple[float, float, float]:
    return colorsys.rgb_to_hls(c[0] / 255, c[1] / 255, c[2] / 255)


def from_hls(h: float, lum: float, s: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, min(1.0, max(0.0, lum)), min(1.0, max(0.0, s)))
    return (round(r * 255), round(g * 255), round(b * 255))


def readable_on(fg: RGB, bgs: Sequence[RGB], minimum: float = _TARGET) -> RGB:
    """`fg` with its lightness moved (hue kept) until its contrast with every colour in `bgs` is >= minimum.

    It moves away from the backgrounds: lighter over dark backgrounds, darker over light ones. Falls back to
    white or near-black when no lightness of this hue is enough.
    """
    if min(contrast(fg, b) for b in bgs) >= minimum:
        return fg
    h, lum, s = to_hls(fg)
    dark_bg = max(luminance(b) for b in bgs) < 0.18
    steps = [lum + (1 - lum) * k / 40 for k in range(41)] if dark_bg else [lum * (1 - k / 40) for k in range(41)]
    for value in steps:
        cand = from_hls(h, value, s)
        if min(contrast(cand, b) for b in bgs) >= minimum:
            return cand
    white, black = (255, 255, 255), (12, 12, 16)
    return white if min(contrast(white, b) for b in bgs) >= min(contrast(black, b) for b in bgs) else black


@dataclass(frozen=True)
class Palette:
    """Brand colours and the roles a layout uses.

    Text roles and the colours they are drawn on, each pair with contrast >= 4.5:
    `ink` on `bg`, `bg2` and `surface`; `on_accent` on `accent`; `accent_ink` on `bg` and `bg2`;
    `muted` on `bg` and `bg2`; `bg` (as text) on `ink` (caption boxes).
    """

    colours: tuple[RGB, ...]  # the 3 to 5 brand colours, most prominent first
    bg: RGB
    bg2: RGB
    surface: RGB
    accent: RGB
    ink: RGB
    on_accent: RGB
    accent_ink: RGB
    muted: RGB
    source: str  # "references" or "brief"

    def text_pairs(self) -> list[tuple[str, RGB, RGB]]:
        """(role, text colour, background colour) for every way text is drawn."""
        return [
            ("ink/bg", self.ink, self.bg),
            ("ink/bg2", self.ink, self.bg2),
            ("ink/surface", self.ink, self.surface),
            ("on_accent/accent", self.on_accent, self.accent),
            ("accent_ink/bg", self.accent_ink, self.bg),
            ("accent_ink/bg2", self.accent_ink, self.bg2),
            ("muted/bg", self.muted, self.bg),
            ("muted/bg2", self.muted, self.bg2),
            ("bg/ink", self.bg, self.ink),
        ]

    def min_contrast(self) -> float:
        return min(contrast(fg, bg) for _, fg, bg in self.text_pairs())


def build_palette(colours: Sequence[RGB], base: RGB, accent: RGB, source: str) -> Palette:
    """Turn brand colours plus a chosen base and accent into layout roles with readable text."""
    h, lum, s = to_hls(base)
    s = min(s, 0.75)
    ink_probe = (250, 250, 252)
    # The background is the base colour itself when white text reads on it, else a deep shade of it.
    if contrast(ink_probe, base) >= 7.0 and lum >= 0.08:
        bg = base
    elif 0.09 <= h <= 0.22:
        # Deep shades of yellows and oranges turn muddy: use a warm near-black instead.
        bg = from_hls(h, 0.09, min(s, 0.22))
        s = min(s, 0.22)
    elif _hue_distance(base, accent) < 0.07 and vividness(accent) > 0.3:
        # One brand hue: a charcoal tinted with it, so the hue itself stands out as the accent.
        s = min(s, 0.3)
        bg = from_hls(h, 0.11, s)
    else:
        bg = from_hls(h, min(lum, 0.16), s)
    ah, _, _ = to_hls(accent)
    # Gradient partner: a little lighter, leaning towards the accent's hue when the two are neighbours.
    dh = ((ah - h + 0.5) % 1.0) - 0.5
    lean = dh * 0.25 if abs(dh) < 0.2 else 0.0
    bg2 = from_hls(h + lean, to_hls(bg)[1] + 0.07, min(1.0, s * 1.05 + 0.04))
    surface = from_hls(h, to_hls(bg)[1] + 0.05, s * 0.8)
    ink = from_hls(h, 0.975, min(s, 0.3))
    # Darken the backgrounds until the text reads on all of them.
    for _ in range(30):
        if min(contrast(ink, c) for c in (bg, bg2, surface)) >= _TARGET + 0.7:
            break
        bg, bg2, surface = (from_hls(*_darker(c)) for c in (bg, bg2, surface))
    # Accent fill: keep the hue; pick the text colour that reads best on it and adjust the accent if needed.
    light, dark = ink, from_hls(h, 0.08, min(s, 0.5))
    # Light text on strong mid-tone accents (a darker red button with white text), dark text on bright ones.
    if contrast(light, accent) >= 3.0 or contrast(light, accent) >= contrast(dark, accent):
        on_accent, acc = light, accent
        for _ in range(40):
            if contrast(on_accent, acc) >= _TARGET:
                break
            hh, ll, ss = to_hls(acc)
            acc = from_hls(hh, ll - 0.02, ss)
    else:
        on_accent, acc = dark, accent
        for _ in range(40):
            if contrast(on_accent, acc) >= _TARGET:
                break
            hh, ll, ss = to_hls(acc)
            acc = from_hls(hh, ll + 0.02, ss)
    if contrast(on_accent, acc) < _TARGET:
        on_accent = readable_on(on_accent, [acc])
    if contrast(acc, bg) < 3.0:
        # Buttons and bars must stand out from the background (WCAG non-text contrast 3:1): a lighter accent
        # with dark text on it, when the hue allows.
        ah, al, as_ = to_hls(acc)
        for k in range(1, 30):
            cand = from_hls(ah, min(0.9, al + 0.02 * k), as_)
            if contrast(cand, bg) >= 3.0 and contrast(dark, cand) >= _TARGET:
                acc, on_accent = cand, dark
                break
    grounds = (bg, bg2, surface)
    return _palette(colours, source, grounds, (acc, on_accent), ink, readable_on(accent, [bg, bg2]), (bg, bg2))


def _palette(
    colours: Sequence[RGB],
    source: str,
    grounds: tuple[RGB, RGB, RGB],
    accent: tuple[RGB, RGB],
    ink: RGB,
    accent_ink: RGB,
    muted_on: Sequence[RGB],
) -> Palette:
    """The palette of `grounds` (bg, bg2, surface), `accent` (the fill and the text on it) and `ink`, with a muted
    text colour: `ink` moved towards bg2 while it still reads well on `muted_on`."""
    bg, bg2, surface = grounds
    muted = ink
    for k in range(1, 10):
        cand = mix(ink, bg2, k * 0.05)
        if min(contrast(cand, g) for g in muted_on) < _TARGET + 1.5:
            break
        muted = cand
    return Palette(
        colours=tuple(colours),
        bg=bg,
        bg2=bg2,
        surface=surface,
        accent=accent[0],
        ink=ink,
        on_accent=accent[1],
        accent_ink=accent_ink,
        muted=muted,
        source=source,
    )


def _darker(c: RGB) -> tuple[float, float, float]:
    h, lum, s = to_hls(c)
    return (h, lum * 0.9, s)


# --- colours a brand kit (or the brief) gives ----------------------------------------------------------------


def _best_text(bg: RGB) -> float:
    return max(contrast((255, 255, 255), bg), contrast((10, 10, 12), bg))


def _legible_ground(bg: RGB, room: float) -> RGB:
    """`bg`, its lightness moved as little as it takes for white or near-black text to reach `room` on it."""
    if _best_text(bg) >= room:
        return bg
    h, lum, s = to_hls(bg)
    for k in range(1, 60):
        for value in (lum - 0.01 * k, lum + 0.01 * k):  # darker first: a deep ground keeps the hue richer
            cand = from_hls(h, value, s)
            if 0 <= value <= 1 and _best_text(cand) >= room:
                return cand
    return (12, 12, 16)


def _shade(c: RGB, ink: RGB, step: float, minimum: float) -> RGB:
    """A shade of `c` `step` lighter or darker (towards the middle first) that `ink` still reads on."""
    h, lum, s = to_hls(c)
    first = step if lum < 0.5 else -step
    for delta in (first, -first, first / 2, -first / 2):
        cand = from_hls(h, lum + delta, s)
        if contrast(ink, cand) >= minimum and cand != c:
            return cand
    return c


def palette_from_roles(
    background: RGB, text: RGB | None, accent: RGB | None, colours: Sequence[RGB], source: str
) -> Palette:
    """Layout roles from colours whose roles are set (a brand kit's): its background, text and accent kept as they
    are wherever they read, moved in lightness as little as it takes where they do not, on light grounds as on
    dark ones. A role not given is made: text in the background's hue near white or black, an accent from the
    text colour."""
    bg = _legible_ground(background, _TARGET)
    h, _, s = to_hls(bg)
    light_ground = contrast((10, 10, 12), bg) > contrast((255, 255, 255), bg)
    made_ink = from_hls(h, 0.1 if light_ground else 0.975, min(s, 0.35))
    ink = readable_on(text if text is not None else made_ink, [bg], _TARGET + 0.7)
    if contrast(ink, bg) < _TARGET + 0.7:
        ink = readable_on(made_ink, [bg], _TARGET + 0.7)
    bg2 = _shade(bg, ink, 0.06, _TARGET + 0.4)
    surface = _shade(bg, ink, 0.04, _TARGET + 0.4)
    acc, on_accent = _accent_for(accent if accent is not None else ink, bg, ink)
    grounds = (bg, bg2, surface)
    return _palette(colours, source, grounds, (acc, on_accent), ink, readable_on(acc, list(grounds)), grounds)


def swapped(p: Palette) -> Palette:
    """The other colourway of a palette: its accent as the ground and its ground as the accent, each moved in
    lightness only as far as it takes for every text on them to read (a colourway variation)."""
    colours = (p.accent, *(c for c in p.colours if c != p.accent))
    return palette_from_roles(p.accent, None, p.bg, colours, p.source)


def _accent_for(accent: RGB, bg: RGB, ink: RGB) -> tuple[RGB, RGB]:
    """The accent as a fill (buttons, labels) and the text colour on it: the accent itself when it stands out from
    the background (3:1) and some text reads on it, else the nearest lightness of its hue that does."""
    h, lum, s = to_hls(accent)
    texts = [ink, bg, (255, 255, 255), (12, 12, 16)]
    for k in range(0, 100):
        for value in (lum - 0.01 * k, lum + 0.01 * k) if k else (lum,):
            if not 0 <= value <= 1:
                continue
            cand = accent if k == 0 else from_hls(h, value, s)
            if contrast(cand, bg) < 3.0:
                continue
            on = max(texts, key=lambda c: (contrast(c, cand) >= _TARGET, -texts.index(c)))
            if contrast(on, cand) >= _TARGET:
                return cand, on
    return ink, bg  # no lightness of its hue stands out: the text colour is the fill, the ground its text


# --- colours from the references ---------------------------------------------------------------------------


def _pixels(images: Sequence[Image.Image]) -> Image.Image | None:
    """Every opaque pixel of small thumbnails of the images, as one strip image."""
    chunks: list[bytes] = []
    for img in images:
        scale = min(1.0, 64 / max(img.size))
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        thumb = img.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0).convert("RGBA")
        alpha = thumb.getchannel("A")
        rgb = thumb.convert("RGB")
        if cast(tuple[int, int], alpha.getextrema())[0] < 200:  # one band: (lowest, highest)
            # Keep only the opaque pixels: paste them onto a strip in order.
            data = rgb.tobytes()
            a = alpha.tobytes()
            chunks.append(b"".join(data[i * 3 : i * 3 + 3] for i in range(len(a)) if a[i] >= 200))
        else:
            chunks.append(rgb.tobytes())
    raw = b"".join(chunks)
    if len(raw) < 3 * 16:
        return None
    n = len(raw) // 3
    return Image.frombytes("RGB", (n, 1), raw[: n * 3])


def _distance(a: RGB, b: RGB) -> float:
    # A cheap perceptual weighting ("redmean").
    rm = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return ((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db) ** 0.5


def dominant_colours(
    images: Sequence[Image.Image], n: int = 6, weights: Sequence[float] | None = None
) -> list[tuple[RGB, float]]:
    """Up to `n` distinct colours of the images' opaque pixels with their shares, most common first.

    Each image is quantised on its own (so a small, vivid colour of one image survives) and the colours are
    merged across images, each image's shares scaled by its weight.
    """
    ws = [weights[k] if weights is not None and k < len(weights) else 1.0 for k in range(len(images))]
    strips = [_pixels([img]) for img in images]
    total_w = sum(w for w, strip in zip(ws, strips, strict=True) if strip is not None) or 1.0
    merged: list[list[Any]] = []
    for strip, w in zip(strips, ws, strict=True):
        if strip is None:
            continue
        q = strip.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        pal = q.getpalette() or []
        pairs = cast(list[tuple[int, int]], q.getcolors() or [])  # a palette image's (count, index) pairs
        counts = sorted(pairs, key=lambda kv: (-kv[0], kv[1]))
        count_total = sum(c for c, _ in counts) or 1
        for count, idx in counts:
            colour = (pal[idx * 3], pal[idx * 3 + 1], pal[idx * 3 + 2])
            share = count / count_total * w / total_w
            for item in merged:
                if _distance(item[0], colour) < 70:
                    item[1] += share
                    break
            else:
                merged.append([colour, share])
    merged.sort(key=lambda kv: -kv[1])
    return [(tuple(c), share) for c, share in merged[:n]]


def palette_from_images(
    images: Sequence[Image.Image], brief: str = "", weights: Sequence[float] | None = None
) -> Palette:
    """A palette whose colours come from the reference images; the brief fills in for colourless images.

    `weights` make some images count more (a logo more than a photo). The accent is the most vivid colour,
    even a small one (a red product on a grey sweep); the background is a deep shade of the main brand hue.
    """
    found = dominant_colours(images, weights=weights)
    if not found:
        return palette_from_brief(brief)
    chromatic = [(c, share) for c, share in found if vividness(c) >= 0.22 and 0.12 < to_hls(c)[1] < 0.92]
    if chromatic:
        accent = max(chromatic, key=lambda cs: vividness(cs[0]) ** 1.5 * (0.1 + cs[1] ** 0.5))[0]
        base = max(chromatic, key=lambda cs: cs[1] * (1.3 if to_hls(cs[0])[1] < 0.5 else 1.0))[0]
        if _hue_distance(base, accent) < 0.07:
            # Base and accent are the same hue: a second brand hue, when there is one, carries the background if
            # it is the darker of the two (navy under a red accent), else it becomes the accent.
            second = [cs for cs in chromatic if _hue_distance(cs[0], base) >= 0.07 and cs[1] >= 0.03]
            if second:
                other = max(second, key=lambda cs: vividness(cs[0]) ** 1.5 * (0.1 + cs[1] ** 0.5))[0]
                if to_hls(other)[1] < to_hls(accent)[1] - 0.15:
                    base = other
                else:
                    accent = other
    else:
        fallback = palette_from_brief(brief)
        accent, base = fallback.accent, fallback.bg
    ordered = [accent] + ([base] if base != accent else []) + [c for c, _ in found if c not in (accent, base)]
    return build_palette(_pad_colours(ordered, accent), base, accent, "references")


def _hue_distance(a: RGB, b: RGB) -> float:
    d = abs(to_hls(a)[0] - to_hls(b)[0]) % 1.0
    return min(d, 1 - d)


def _pad_colours(colours: list[RGB], accent: RGB) -> list[RGB]:
    out: list[RGB] = []
    for c in colours:
        if all(_distance(c, o) >= 40 for o in out):
            out.append(c)
    h, lum, s = to_hls(accent)
    for value in (0.25, 0.8, 0.5, 0.12):
        if len(out) >= 3:
            break
        cand = from_hls(h, value, s)
        if all(_distance(cand, o) >= 40 for o in out):
            out.append(cand)
    return out[:5]


# --- palettes from the brief -------------------------------------------------------------------------------

_BRIEF_PALETTES: list[tuple[tuple[str, ...], tuple[RGB, ...]]] = [
    # keywords, (base, accent, third, fourth)
    (
        ("tech", "app", "software", "ai", "digital", "saas", "cloud", "cyber", "data", "platform", "startup"),
        ((24, 22, 64), (124, 92, 255), (56, 189, 248), (226, 232, 255)),
    ),
    (
        ("eco", "green", "organic", "nature", "plant", "sustainable", "garden", "vegan", "earth", "forest"),
        ((20, 58, 44), (163, 230, 53), (234, 221, 187), (74, 124, 89)),
    ),
    (
        ("luxury", "premium", "gold", "jewel", "jewelry", "watch", "elegant", "perfume", "exclusive", "vip"),
        ((18, 18, 20), (212, 175, 55), (245, 240, 225), (92, 74, 40)),
    ),
    (
        ("summer", "beach", "sun", "travel", "vacation", "holiday", "ocean", "surf", "tropical", "island"),
        ((8, 76, 97), (255, 127, 80), (255, 209, 102), (6, 214, 160)),
    ),
    (
        (
            "coffee",
            "food",
            "bakery",
            "restaurant",
            "pizza",
            "burger",
            "chocolate",
            "cafe",
            "kitchen",
            "recipe",
        ),
        ((59, 36, 26), (242, 140, 40), (250, 229, 200), (166, 93, 48)),
    ),
    (
        (
            "sport",
            "fitness",
            "run",
            "running",
            "sneaker",
            "sneakers",
            "gym",
            "energy",
            "training",
            "shoe",
            "shoes",
        ),
        ((17, 17, 22), (204, 255, 0), (255, 59, 48), (240, 240, 240)),
    ),
    (
        ("beauty", "skin", "skincare", "cosmetic", "makeup", "fashion", "spa", "wellness", "serum", "glow"),
        ((74, 25, 66), (255, 143, 171), (251, 207, 232), (190, 120, 160)),
    ),
    (
        ("kids", "toy", "toys", "fun", "party", "game", "games", "play", "candy", "birthday"),
        ((67, 24, 140), (255, 214, 10), (255, 93, 162), (0, 200, 220)),
    ),
    (
        (
            "finance",
            "bank",
            "insurance",
            "invest",
            "b2b",
            "consulting",
            "legal",
            "crypto",
            "fintech",
            "trading",
        ),
        ((12, 35, 64), (45, 212, 191), (226, 232, 240), (59, 130, 246)),
    ),
    (
        ("winter", "christmas", "xmas", "snow", "festive", "gift", "gifts", "new year", "holidays"),
        ((110, 18, 32), (255, 215, 120), (22, 92, 60), (245, 245, 245)),
    ),
]
_NEUTRAL_PALETTES: list[tuple[RGB, ...]] = [
    ((22, 27, 51), (255, 107, 107), (255, 230, 167), (78, 205, 196)),
    ((30, 30, 36), (0, 180, 216), (240, 240, 245), (144, 224, 239)),
    ((41, 23, 63), (255, 159, 28), (247, 236, 225), (231, 111, 81)),
    ((16, 48, 56), (242, 201, 76), (229, 240, 236), (43, 157, 143)),
]


def palette_from_brief(brief: str) -> Palette:
    """A tasteful palette chosen from the brief's words; the same brief always gives the same palette."""
    words = set(re.findall(r"[a-z0-9]+(?:\s(?:year))?", (brief or "").lower()))
    text = " " + re.sub(r"[^a-z0-9]+", " ", (brief or "").lower()) + " "
    best, best_score = None, 0
    for keywords, colours in _BRIEF_PALETTES:
        score = sum(1 for k in keywords if k in words or f" {k} " in text)
        if score > best_score:
            best, best_score = colours, score
    if best is None:
        digest = hashlib.sha256((brief or "").strip().lower().encode()).digest()
        best = _NEUTRAL_PALETTES[digest[0] % len(_NEUTRAL_PALETTES)]
    base, accent = best[0], best[1]
    return build_palette(list(best), base, accent, "brief")
