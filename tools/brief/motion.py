"""How a brief asks the logo or the product to move ("the logo spins", "the sneaker slides in from the right"),
read by rules into a `Motion`, so the draft animates it that way and the user is told it was read.

Only the brief's own instructions count: quoted text and labelled copy (a headline "Spin into savings") are the
ad's words, never a motion; a motion word that is a noun of the business ("spin classes", "a flip phone", "slide
deck") or is denied ("no spinning") is not one either. The phrase asking for a motion is an instruction, never
copy (`without_motion`). The first motion the brief asks for is the one read.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from tools.brief.instructions import QUOTED, without_instructions

Target = Literal["logo", "product", "both"]
Kind = Literal["spin", "rotate", "flip", "zoom_in", "slide_in"]
Direction = Literal["left", "right", "top", "bottom"]

_SPIN = r"spin|spins|spinning|spun|twirls?|twirling|rotates?|rotating|rotation|revolves?|revolving|turns?\s+around"
_NOT_SPIN = r"(?:class|classes|bikes?|cycles?|studios?|instructors?|offs?|doctors?|offers?|deals?|menus?|shifts?" \
    r"|selection|schedule|banners?|products?\s+range)\b"  # fmt: skip
_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("rotate", re.compile(
        rf"\b(?:{_SPIN})\b[^.;!?]{{0,30}}?\b(?:in\s+(?:the\s+)?plane|(?:counter-?|anti-?)?clockwise|like\s+a\s+"
        r"(?:wheel|record|pinwheel|coin\s+on\s+a\s+table))", re.I)),
    ("spin", re.compile(rf"\b(?:{_SPIN})(?:-in)?\b(?![\s-]+{_NOT_SPIN})|\b360(?:°|\s*degrees?)?\s+(?:spin|turn)\b",
                        re.I)),
    ("flip", re.compile(r"\b(?:flips?|flipping|flipped|somersaults?|tumbles?\s+in)\b(?![\s-]+(?:phones?|flops?|side|"
                        r"books?|charts?|the\s+script)\b)", re.I)),
    ("zoom_in", re.compile(r"\b(?:zoom(?:s|ing|ed)?|push(?:es|ing|ed)?|punch(?:es|ing|ed)?|scal(?:e|es|ing|ed)"
                           r"|grow(?:s|ing)?)[\s-]+(?:in\b|into\s+(?:view|frame|the\s+frame)|up\b)", re.I)),
    ("slide_in", re.compile(r"\b(?:slid(?:e|es|ing)?|glid(?:e|es|ing)|swoop(?:s|ing)?|fl(?:y|ies|ying)|sweep(?:s|ing)?"
                            r"|whoosh(?:es|ing)?)[\s-]+(?:in|on|onto\s+(?:the\s+)?(?:screen|frame)|from)\b"
                            r"|\b(?:enters?|entering|comes?\s+in|coming\s+in)\s+from\b", re.I)),
)  # fmt: skip
_DIRECTION = re.compile(r"\bfrom\s+(?:the\s+)?(?:off[\s-]*screen\s+)?(left|right|top|above|bottom|below)\b", re.I)
_DIRECTIONS: dict[str, Direction] = {"left": "left", "right": "right", "top": "top", "above": "top",
                                     "bottom": "bottom", "below": "bottom"}  # fmt: skip
_DENIED = re.compile(r"\b(?:no|not|don'?t|doesn'?t|never|without|avoid|nor)\b(?:\s+[\w']+){0,2}\s*$", re.I)
_LOGO = re.compile(
    r"\b(?:(?:the|our|a|an|this|my|your)\s+)?(?:logos?|brand\s*marks?|emblems?|wordmarks?|monograms?"
    r"|icons?)\b",
    re.I,
)
_NOT_A_THING = r"logo|brand|video|ad|words|copy|text|left|right|top|bottom|side|screen|frame|edge|plane|middle" \
    r"|centre|center|end|start|view"  # fmt: skip
_PRODUCT = re.compile(rf"\b(?:products?|packshots?|items?|bottles?|cans?|boxe?s?|shoes?|sneakers?|bags?|phones?"
                      rf"|devices?|jars?|packs?|packages?|the\s+(?!(?:{_NOT_A_THING})\b)\w{{3,}})\b", re.I)  # fmt: skip
_CLAUSE = re.compile(r"[^.;!?\n]+")
# Labelled copy: its quoted words, else up to the end of its sentence ("headline: Spin into savings").
_COPY = re.compile(
    r"(?i)\b(?:headline|title|hook|tagline|slogan|features?|cta|call[ -]to[ -]action|button|end[ -](?:text|card|line)"
    r"|closing\s+line|sign-off)(?:\s*[:=]|\s+(?:is|reads|says))\s*(?:\"[^\"\n]*\"|“[^”\n]*”|'[^'\n]*'|[^.;!?\n]*)"
)
_SAYS: dict[Kind, str] = {
    "spin": "spins in",
    "rotate": "turns in",
    "flip": "flips in",
    "zoom_in": "zooms in",
    "slide_in": "slides in",
}


class Motion(BaseModel):
    """How the brief asks the logo or the product to move when it comes on screen."""

    target: Target = Field(description="What moves: the logo, the product, or both.")
    kind: Kind = Field(
        description="spin: a turn about the vertical axis; rotate: a turn in the picture's plane; flip: a half "
        "turn about the horizontal axis; zoom_in: from small to full size; slide_in: from off the frame."
    )
    direction: Direction | None = Field(default=None, description="Where a slide comes in from, when the brief says.")

    def sentence(self) -> str:
        """What the user is told the video does, in one plain line ("The logo spins in.")."""
        who = {"logo": "The logo", "product": "The product", "both": "The logo and the product"}[self.target]
        verb = _SAYS[self.kind]
        if self.target == "both":
            verb = verb.replace("s in", " in", 1)
        where = f" from the {self.direction}" if self.direction else ""
        return f"{who} {verb}{where}."


def read_motion(text: str, template: str, model_names: tuple[str, ...] = ()) -> Motion | None:
    """The motion `text` asks for, or None. The target is the one the clause names (the logo, a product, both);
    when it names none, the logo in a brand animation and the product otherwise. Quoted words and labelled copy
    ("headline: ...") are the ad's, never read as motion."""
    found = _find(without_instructions(text, model_names), template)
    return found[0] if found else None


def without_motion(words: str) -> str:
    """`words` without the phrase that asks for a motion (up to the commas around it): an instruction, never copy
    ("Showcase the bag, the product slides in from the right" shows no line "Product slides in from the right")."""
    found = _find(words, "prompt")
    if found is None:
        return words
    start, end = found[1]
    return f"{words[:start].rstrip(' ,')}{words[end:]}".strip()


def _find(words: str, template: str) -> tuple[Motion, tuple[int, int]] | None:
    """The first motion asked for in `words` and where the phrase asking for it is (between commas or stops)."""
    masked = QUOTED.sub(lambda m: " " * len(m.group()), _COPY.sub(lambda m: " " * len(m.group()), words))
    for clause in _CLAUSE.finditer(masked):
        found = _first_kind(clause.group())
        if found is None:
            continue
        kind, at = found
        part = clause.group()
        logo, product = bool(_LOGO.search(part)), bool(_PRODUCT.search(_LOGO.sub(" ", part)))
        target: Target = "both" if logo and product else "logo" if logo else "product" if product else (
            "logo" if template == "brand-animation" else "product")  # fmt: skip
        direction = None
        if kind == "slide_in" and (m := _DIRECTION.search(part, at)):
            direction = _DIRECTIONS[m.group(1).lower()]
        start = clause.start() + part.rfind(",", 0, at) + 1
        comma = part.find(",", at)
        end = clause.start() + (comma if comma >= 0 else len(part))
        return Motion(target=target, kind=kind, direction=direction), (start, end)
    return None


def _first_kind(clause: str) -> tuple[Kind, int] | None:
    """The first motion word of a clause that is not denied, with where it starts."""
    best: tuple[Kind, int] | None = None
    for kind, pattern in _KINDS:
        for m in pattern.finditer(clause):
            if _DENIED.search(clause[: m.start()]):
                continue
            if best is None or m.start() < best[1]:
                best = (kind, m.start())
            break
    return best
