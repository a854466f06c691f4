"""What a variation of a video changes: one named thing a marketer can see, say and A/B test, and nothing else.

A variation used to be the same video with its beats shuffled, which tests nothing. Here each variation changes one
thing from the original: the hook (what the first second shows), the headline order (which line leads), the
layout (where the words sit), the colourway (which brand colour is the ground), the pacing (how often the
picture cuts) or the music (another bed of the template). Every engine and the finisher read a `Variant` from the
job; this module holds the vocabulary, the words a user asks with ("a variation with the price first", "try
another colourway"), the order a set of variations takes, and the copy a headline-order change puts on screen. It
knows nothing of how a video is drawn.

A paid video's variations reuse its footage (the finisher draws the change over it, free), so they take only the
changes drawn over footage (`Meaning.drawn`): its cuts and shots are the model's, so a close-up hook or faster
cuts need new footage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from tools.brief.copy import AdCopy


class Change(StrEnum):
    """The one thing a variation changes."""

    hook_price = "hook-price"
    hook_closeup = "hook-closeup"
    order_offer = "order-offer"
    order_tagline = "order-tagline"
    layout = "layout"
    colourway = "colourway"
    pacing = "pacing"
    music = "music"


@dataclass(frozen=True)
class Meaning:
    """How a change is named to the user, what it does, and whether a video's copy and pictures allow it."""

    kind: str  # what it changes: "hook", "headline order", "layout", "colourway", "pacing", "music"
    said: str  # how, in a few words: "the price first"
    short: str  # how, in a title: "price first"
    description: str
    fits: Callable[[AdCopy, bool], bool]  # (the copy, whether the video has pictures) -> it can be made
    drawn: bool = True  # drawn over footage a model made (False: it changes the shots or cuts themselves)
    bed: bool = False  # heard only where Clapboard's music bed is the sound (a draft; not a model's footage)

    @property
    def label(self) -> str:
        """ "hook: the price first" """
        return f"{self.kind}: {self.said}"


def _always(copy: AdCopy, pictures: bool) -> bool:
    return True


MEANINGS: dict[Change, Meaning] = {
    Change.hook_price: Meaning(
        "hook", "the price first", "price first",
        "The first second shows the offer and price, full frame, before anything else.",
        lambda copy, pictures: bool(copy.offer or copy.price),
    ),
    Change.hook_closeup: Meaning(
        "hook", "a product close-up first", "close-up first",
        "The first second is a tight close-up of the product, before any words.",
        lambda copy, pictures: pictures, drawn=False,
    ),
    Change.order_offer: Meaning(
        "headline order", "the offer leads", "offer first",
        "The offer (or price) takes the headline's place and the headline the offer's: the same words, the deal "
        "first.",
        lambda copy, pictures: bool(copy.headline and (copy.offer or copy.price)),
    ),
    Change.order_tagline: Meaning(
        "headline order", "the tagline leads", "tagline first",
        "The tagline takes the headline's place and the headline the tagline's: the same words, the promise first.",
        lambda copy, pictures: bool(copy.headline and copy.tagline),
    ),
    Change.layout: Meaning(
        "layout", "words and picture swap places", "layout swapped",
        "The words sit where the picture was and the picture where the words were (top and bottom, or left and "
        "right).",
        lambda copy, pictures: bool(copy.texts()),
    ),
    Change.colourway: Meaning(
        "colourway", "the accent as the ground", "other colourway",
        "The accent colour becomes the background and the background the accent; every text still reads (AA).",
        _always,
    ),
    Change.pacing: Meaning(
        "pacing", "faster cuts", "faster cuts",
        "The picture cuts twice as often, on the beat of the same music; the words keep their time.",
        _always, drawn=False,
    ),
    Change.music: Meaning(
        "music", "another music bed", "other music",
        "Another music bed of the template (another tempo, key and instruments); the picture cuts on its beat.",
        _always, drawn=False, bed=True,
    ),
}  # fmt: skip

# The order a set of variations takes: one kind each, the first of a kind that fits the video. The tagline leads
# before the offer does: with the price-first hook beside it, a set then tests a benefit first too, not two deals.
KINDS: tuple[tuple[Change, ...], ...] = (
    (Change.hook_price, Change.hook_closeup),
    (Change.order_tagline, Change.order_offer),
    (Change.layout,),
    (Change.colourway,),
    (Change.pacing,),
    (Change.music,),
)

# What a user may ask for ("a variation with the price first", "try another colourway"), most specific first.
ASKS: dict[str, tuple[Change, ...]] = {
    "price first": (Change.hook_price, Change.order_offer),
    "close-up first": (Change.hook_closeup,),
    "offer first": (Change.order_offer, Change.hook_price),
    "tagline first": (Change.order_tagline,),
    "hook": KINDS[0],
    "headline order": KINDS[1],
    "layout": KINDS[2],
    "colourway": KINDS[3],
    "pacing": KINDS[4],
    "music": KINDS[5],
}
_ASKED = (
    ("price first", r"\b(?:price|deal|discount)s?\s+(?:first|up\s*front|leads?|leading|opens?)\b"
                    r"|\bopens?\s+(?:on|with)\s+the\s+price"),
    ("offer first", r"\boffers?\s+(?:first|up\s*front|leads?|leading|opens?)\b"),
    ("close-up first", r"\bclose[\s-]?ups?\b"),
    ("tagline first", r"\btagline\s+(?:first|leads?|leading)\b"),
    ("headline order", r"\b(?:headline|line|copy|words?)\s+order\b|\border\s+of\s+the\s+(?:lines|words|headlines?)\b"),
    ("hook", r"\bhooks?\b|\bopen(?:ing|er)\b"),
    ("layout", r"\blayouts?\b|\bplacement\b|\btext\s+(?:at|on)\s+the\s+(?:top|bottom)\b"),
    ("colourway", r"\bcolou?r[\s-]?ways?\b|\bcolou?rs?\b|\bpalettes?\b"),
    ("music", r"\b(?:music|soundtrack|song|track)\b"),
    ("pacing", r"\bpac(?:e|ing)\b|\b(?:faster|quicker|slower)\b|\bcuts?\b|\btempo\b"),
)  # fmt: skip


def read_ask(text: str) -> str | None:
    """The change a message asks a variation for, as a key of ASKS ("a variation with the price first" ->
    "price first"), or None."""
    return next((ask for ask, pattern in _ASKED if re.search(pattern, text, re.I)), None)


class Variant(BaseModel):
    """Which variation of a brief a job is: the one thing changed from the original (none for the original) and
    the seed that picks its shots (0: the original's shots; another: other shots too)."""

    model_config = ConfigDict(frozen=True)

    change: Change | None = None
    seed: int = 0

    @model_validator(mode="before")
    @classmethod
    def _from_seed(cls, value: Any) -> Any:
        """Jobs stored before variations were named hold only a seed."""
        return {"seed": value} if isinstance(value, int) else value

    @property
    def meaning(self) -> Meaning | None:
        return MEANINGS[self.change] if self.change is not None else None

    @property
    def label(self) -> str:
        """What the variation changes, as the chat says it ("hook: the price first"); empty for the original."""
        label = self.meaning.label if self.meaning else ("other shots" if self.seed else "")
        return f"{label}, other shots" if self.meaning and self.seed else label

    def copy_for(self, copy: AdCopy) -> AdCopy:
        """The words on screen in this variation's order: a headline-order change swaps the headline with the
        offer (or price) or the tagline; every other change keeps the copy as it is."""
        if self.change == Change.order_offer and copy.headline:
            other = "offer" if copy.offer else "price"
        elif self.change == Change.order_tagline and copy.headline:
            other = "tagline"
        else:
            return copy
        return copy.model_copy(update={"headline": getattr(copy, other), other: copy.headline})


def fits(change: Change, copy: AdCopy, pictures: bool, footage: bool = False, bed: bool = True) -> bool:
    """Whether the change can be made of a video with this copy (and pictures or not); with `footage`, drawn over
    the video's footage as it is; without `bed`, of a video whose sound is not Clapboard's music (a model's)."""
    meaning = MEANINGS[change]
    return meaning.fits(copy, pictures) and (meaning.drawn or not footage) and (bed or not meaning.bed)


def plan(
    base: Variant,
    copy: AdCopy,
    pictures: bool,
    made: set[Variant],
    count: int,
    footage: bool = False,
    bed: bool = True,
) -> list[Variant]:
    """`count` variations of a video in the set's order (hook, headline order, layout, colourway, pacing, music),
    leaving out those `made` already; past the kinds that fit, each comes round again with other shots (another
    seed).
    Over a paid video's `footage` there are no other shots: past the kinds come the other changes of a kind (the
    offer leading after the tagline), and then no more, so fewer than `count` may come back. Without `bed` (a
    model makes the video's sound) there is no music variation."""
    if footage:
        drawn = [c for kind in KINDS for c in kind if fits(c, copy, pictures, footage=True)]
        firsts = [next(c for c in kind if c in drawn) for kind in KINDS if any(c in drawn for c in kind)]
        ordered = firsts + [c for c in drawn if c not in firsts]
        return [v for c in ordered if (v := Variant(change=c, seed=base.seed)) not in made][:count]
    kinds = [
        next(c for c in kind if fits(c, copy, pictures, bed=bed))
        for kind in KINDS
        if any(fits(c, copy, pictures, bed=bed) for c in kind)
    ]
    found: list[Variant] = []
    round_no = 0
    while len(found) < count:
        for change in kinds:
            variant = Variant(change=change, seed=base.seed + round_no)
            if variant not in made and len(found) < count:
                found.append(variant)
        round_no += 1
    return found


def asked(
    ask: str,
    base: Variant,
    copy: AdCopy,
    pictures: bool,
    made: set[Variant],
    footage: bool = False,
    bed: bool = True,
) -> Variant | None:
    """The variation a user asked for (a key of ASKS) that fits the video: its first fitting change, with other
    shots when that one was made already; None when none of its changes fits. Over a paid video's `footage`, its
    first change drawn over footage that the set does not have yet (None when there is none)."""
    if footage:
        drawn = [Variant(change=c, seed=base.seed) for c in ASKS[ask] if fits(c, copy, pictures, footage=True)]
        return next((v for v in drawn if v not in made), None)
    change = next((c for c in ASKS[ask] if fits(c, copy, pictures, bed=bed)), None)
    if change is None:
        return None
    seed = base.seed
    while Variant(change=change, seed=seed) in made:
        seed += 1
    return Variant(change=change, seed=seed)


_NUMBERED = re.compile(r"^(?P<base>.*?), variation (?P<number>\d+)(?: \([^()]*\))?$")
_CHANGE_NOTE = re.compile(r" \((?P<short>[^()]*)\)$")


def numbered(title: str, number: int) -> str:
    """A variation's title before its change is noted: the original's and its number ("..., variation 1")."""
    return f"{title}, variation {number}"


def with_change(title: str, variant: Variant) -> str:
    """A title that says what its video changes ("..., variation 1 (price first)"); kept when it says so already
    (a new version of a variation keeps its change)."""
    meaning = variant.meaning
    if meaning is None or title.endswith(f" ({meaning.short})"):
        return title
    return f"{title} ({meaning.short})"


def untitled(title: str) -> tuple[str, int]:
    """The original's title and the variation's number in a variation's title (the number 0 for an original)."""
    m = _NUMBERED.match(title)
    return (m.group("base"), int(m.group("number"))) if m else (title, 0)


def label_in(title: str) -> str:
    """What the video a title names changes ("hook: the price first"), from the note `with_change` gave it;
    empty for an original."""
    m = _CHANGE_NOTE.search(title)
    short = m.group("short") if m else None
    return next((meaning.label for meaning in MEANINGS.values() if meaning.short == short), "")
