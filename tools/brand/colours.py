"""Colours by name: the colour words a brief may use, what each looks like, the nearest word for a kit's hex
colour (a video model reads "navy" better than #0A2540), and the colours a brief asks the video itself to be in
("in navy and orange", "#FF0000 background"), which override the kit's palette for that video.

A colour word naming a thing ("a red sneaker") is not a request for the video's colours: only a hex code, or
colour words set as a palette ("in navy and orange", "navy and orange colours", "colours: navy, orange", "on a
navy background", "orange accents"), count. Quoted text is copy, never a colour request.
"""

from __future__ import annotations

import re

from tools.brand.contrast import RGB
from tools.brand.kit import Color, Role

NAMED: dict[str, str] = {
    "red": "#D62828", "crimson": "#B0102F", "scarlet": "#E1251B", "maroon": "#6D1A24", "burgundy": "#7A1F3D",
    "pink": "#F48FB1", "magenta": "#D6289A", "fuchsia": "#E0218A", "rose": "#E8749A", "coral": "#FF7F50",
    "salmon": "#F58B73", "orange": "#F57C1F", "peach": "#FFB38A", "amber": "#FFB000", "gold": "#D4AF37",
    "golden": "#D4AF37", "yellow": "#FFD60A", "lemon": "#FFF44F", "mustard": "#D8A31A", "beige": "#E8DCC4",
    "cream": "#F5EEDC", "ivory": "#FBF8EE", "tan": "#C8A27A", "brown": "#6B4226", "chocolate": "#4A2C1D",
    "bronze": "#A86B32", "copper": "#B87333", "olive": "#6B7A2A", "lime": "#A3E635", "green": "#2E9E4F",
    "emerald": "#10A36B", "mint": "#9EE6C8", "teal": "#12827E", "turquoise": "#30C5C0", "aqua": "#3CD7E0",
    "cyan": "#14B8D4", "sky": "#7CC6F2", "blue": "#1F5FD6", "navy": "#12234A", "cobalt": "#1F47B8",
    "indigo": "#3F2B96", "violet": "#7C4DDB", "purple": "#6B2FA8", "lavender": "#C8B6F0", "lilac": "#C9A6DE",
    "plum": "#6E2A5C", "black": "#101014", "charcoal": "#2E3036", "grey": "#8A8F98", "gray": "#8A8F98",
    "silver": "#C4C8CE", "white": "#FFFFFF",
}  # fmt: skip
MODIFIERS = ("pastel", "neon")  # said of colours, not colours themselves
COLOUR_WORDS: tuple[str, ...] = (*NAMED, *MODIFIERS)

_WORD = r"\b(?:(?:light|dark|deep|bright|pale|pastel|neon)\s)?(?:" + "|".join(NAMED) + r")\b"
_HEX = r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b"
COLOUR = rf"(?:{_HEX}|{_WORD})"  # one colour: a hex code or colour words ("navy", "dark green")
_LIST = rf"{COLOUR}(?:\s*(?:,|&|/|\band\b|\bor\b|\bplus\b)\s*{COLOUR})*"
_ROLE_WORDS = r"backgrounds?|backdrops?|bg|text|type|lettering|accents?|highlights?"
_PALETTE_WORDS = r"colou?rs?|palette|colou?r\s+scheme|tones|theme"
_LISTS = [
    # "in navy and orange", "using #0A2540 and #FF5A1F": a list that ends the phrase, or names itself a palette.
    re.compile(rf"\b(?:in|using)\s+(?:the\s+)?(?P<list>{_LIST})(?=\s*(?:{_PALETTE_WORDS})\b|\s*[,.;:!?)\n]|\s*$)",
               re.I),
    # "navy and orange colours", "orange accents", "a navy background"
    re.compile(rf"(?P<list>{_LIST})\s+(?P<role>{_ROLE_WORDS}|{_PALETTE_WORDS})\b", re.I),
    # "colours: navy, orange", "background in navy", "palette of teal and white", "accent #FF5A1F"
    re.compile(rf"\b(?P<role>{_ROLE_WORDS}|{_PALETTE_WORDS})\s*(?::|=|\bis\b|\bare\b|\bof\b|\bin\b)?\s*"
               rf"(?P<list>{_LIST})", re.I),
]  # fmt: skip
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»")


def rgb_of(word_or_hex: str) -> RGB | None:
    """The colour a word ("navy", "dark green") or hex code (#0A2540, #F00) stands for."""
    text = word_or_hex.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        try:
            return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
        except ValueError:
            return None
    shade, _, name = text.rpartition(" ")
    if name not in NAMED:
        return None
    base = Color(hex=NAMED[name]).rgb
    towards = {"light": (255, 255, 255), "pale": (255, 255, 255), "pastel": (255, 255, 255),
               "dark": (0, 0, 0), "deep": (0, 0, 0)}.get(shade)  # fmt: skip
    return base if towards is None else mix(base, towards, 0.4)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction `t` of the way to `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def hex_of(rgb: RGB) -> str:
    """#RRGGBB for a colour."""
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def colour_hex(text: str) -> str | None:
    """#RRGGBB for one colour said as a hex code or in words ("navy", "dark green", "#F00"); None otherwise."""
    text = text.strip()
    rgb = rgb_of(text) if re.fullmatch(COLOUR, text, re.I) else None
    return hex_of(rgb) if rgb is not None else None


def name_of(hex_colour: str) -> str:
    """The colour word nearest a hex colour (by a perceptual weighting of the RGB distance)."""
    rgb = Color(hex=hex_colour).rgb

    def distance(name: str) -> float:
        other = Color(hex=NAMED[name]).rgb
        rm = (rgb[0] + other[0]) / 2
        dr, dg, db = rgb[0] - other[0], rgb[1] - other[1], rgb[2] - other[2]
        return (2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db

    return min((n for n in NAMED if n not in ("golden", "gray")), key=distance)


def _role(word: str | None) -> Role | None:
    word = (word or "").lower()
    if word.startswith(("background", "backdrop", "bg")):
        return "background"
    if word in ("text", "type", "lettering"):
        return "text"
    if word.startswith(("accent", "highlight")):
        return "accent"
    return None


def asked_colours(brief: str) -> list[Color]:
    """The colours a brief asks the video to be in, in order, each once, with the role its words give it."""
    text = _QUOTED.sub(" ", brief or "")
    found: list[tuple[int, str, Role | None]] = []
    for rx in _LISTS:
        for m in rx.finditer(text):
            role = _role(m.groupdict().get("role"))
            for one in re.finditer(COLOUR, m.group("list"), re.I):
                found.append((m.start("list") + one.start(), one.group(0), role))
    for m in re.finditer(r"#[0-9A-Fa-f]{6}\b", text):  # a full hex code is a colour request wherever it stands
        found.append((m.start(), m.group(0), None))
    colours: dict[str, Role | None] = {}
    for _, said, role in sorted(found, key=lambda x: (x[0], x[2] is None)):
        rgb = rgb_of(said)
        if rgb is None:
            continue
        key = hex_of(rgb)
        if colours.get(key) is None:
            colours[key] = role
    roles_taken: set[Role] = set()
    out = []
    for key, role in list(colours.items())[:6]:
        if role in roles_taken:
            role = None
        if role is not None:
            roles_taken.add(role)
        out.append(Color(hex=key, role=role))
    return out
