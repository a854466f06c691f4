"""What one video takes from the brand kit: its colours with every role assigned (unless the brief asks for its
own: a list of colours wins for that video, colours for roles take those roles, and the user is told so), the call
to action and website when the brief gives none, and the style words a video model is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.brand.colours import asked_colours, hex_of, name_of
from tools.brand.contrast import AA_TEXT, RGB, contrast, luminance
from tools.brand.kit import BrandKit, Color, Role
from tools.brief import AdCopy

BRIEF_COLOURS = "This video uses the brief's colours instead of the brand kit's."
BRIEF_ROLES = "This video uses the brief's {}, with the brand kit's colours for the rest."
ATTACHED_LOGO = "This video uses the attached logo instead of the brand kit's."
VIVID = 0.25  # below this a colour is a neutral, never the accent


def vividness(c: RGB) -> float:
    """0 for greys, black and white; near 1 for pure hues."""
    return (max(c) - min(c)) / 255


@dataclass(frozen=True)
class Roles:
    """A palette's colours by role; None where the palette has no colour for it (the renderer makes one)."""

    background: RGB | None
    text: RGB | None
    accent: RGB | None
    colours: tuple[RGB, ...]  # every colour, as given


def roles(colors: list[Color]) -> Roles:
    """The roles of a palette: those the team gave, the others assigned. The background is the most neutral,
    darkest or lightest colour left; the accent the most vivid one left; the text the one left that reads best on
    the background, when it reads (4.5:1)."""
    given: dict[Role, RGB] = {c.role: c.rgb for c in colors if c.role is not None}
    free = [c.rgb for c in colors if c.role is None]
    if "background" not in given and free:
        bg = max(free, key=lambda c: (abs(luminance(c) ** 0.45 - 0.5) * 2 - 0.6 * vividness(c), -free.index(c)))
        given["background"] = bg
        free.remove(bg)
    if "accent" not in given and free:
        vivid = max(free, key=vividness)
        if vividness(vivid) >= VIVID or "text" in given or len(free) > 1:
            given["accent"] = vivid
            free.remove(vivid)
    if "text" not in given and free and "background" in given:
        best = max(free, key=lambda c: contrast(c, given["background"]))
        if contrast(best, given["background"]) >= AA_TEXT:
            given["text"] = best
    return Roles(
        background=given.get("background"),
        text=given.get("text"),
        accent=given.get("accent"),
        colours=tuple(c.rgb for c in colors),
    )


@dataclass(frozen=True)
class Followed:
    """What a video follows: the colours (the kit's, or the brief's own), and what to tell the user about it."""

    colors: list[Color]
    source: str  # "kit" (also with roles the brief names), "brief" or "" (no colours asked for or set)
    notice: str = ""


def colours_for(kit: BrandKit | None, brief: str) -> Followed:
    """The colours a video follows: the kit's, else the brief's own when it asks for some. A brief's list of colours
    ("in navy and orange") takes the kit's palette's place; colours for roles ("on a white background", "orange
    accents") take only those roles, the kit's colours filling the rest."""
    asked = asked_colours(brief)
    kit_colours = list(kit.colors) if kit is not None else []
    if asked and (not kit_colours or all(c.role is None for c in asked)):
        return Followed(asked, "brief", BRIEF_COLOURS if kit_colours else "")
    if asked:
        return _in_roles(kit_colours, asked)
    return Followed(kit_colours, "kit" if kit_colours else "")


def _in_roles(kit_colours: list[Color], asked: list[Color]) -> Followed:
    """The brief's colours first, then the kit's: a kit colour whose role the brief names is kept without it (it
    may take another role), and the roles are assigned again around the brief's."""
    named = [c.role for c in asked if c.role is not None]
    taken = {c.rgb for c in asked}
    kept = [Color(hex=c.hex, role=None if c.role in named else c.role) for c in kit_colours if c.rgb not in taken]
    said = " and ".join(r for r in ("background", "text", "accent") if r in named)
    said += " colours" if len(named) > 1 else " colour"
    if len(named) < len(asked):
        said += " and its other colours"
    return Followed([*asked, *kept], "kit", BRIEF_ROLES.format(said))


def filled(copy: AdCopy, kit: BrandKit | None) -> AdCopy:
    """The copy with the kit's call to action and website where the brief gave none (the brief's words win): what
    submission puts on the job, so the draft's end card, a paid prompt and the creative all say it."""
    if kit is None:
        return copy
    return copy.over(AdCopy(cta=kit.cta, website=kit.website))


def style_words(kit: BrandKit | None, brief: str) -> str:
    """The brand's look for a video model, in words: its colours by role as colour words with their hex codes, and
    its tone ("" when the kit sets neither and the brief asks for no colours)."""
    followed = colours_for(kit, brief)
    parts = []
    if followed.source == "kit":
        by_role = roles(followed.colors)
        named = []
        for role, rgb in (("background", by_role.background), ("text", by_role.text), ("accent", by_role.accent)):
            if rgb is not None:
                named.append(f"{_said(rgb)} {role}")
        named += [_said(c) for c in by_role.colours if c not in (by_role.background, by_role.text, by_role.accent)]
        parts.append("brand colours " + ", ".join(named))
    if kit is not None and kit.tone:
        parts.append("tone " + ", ".join(kit.tone))
    return "; ".join(parts)


def _said(rgb: RGB) -> str:
    code = hex_of(rgb)
    return f"{name_of(code)} ({code})"
