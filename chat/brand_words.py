"""The brand kit said in words: "this is our logo" (with an image), "our colours are #0A2540 and #FF5A1F",
"background #0A2540, accent #FF5A1F", "make the accent #00C2A8", "use Inter for headlines" (with a font file),
"our CTA is Start free", "website aurora.run", "tone: bold, playful", "legal line: ...", each "for this campaign"
or (by default) the team's. `BrandArgs` is what the agent's `set_brand` tool takes, from the offline planner's
rules here or from the chat model; chat/brand.py applies it."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from tools.studio.brief import campaign_named
from tools.studio.types import COLOUR, MAX_COLORS, Role, colour_hex

ROLES: tuple[Role, ...] = get_args(Role)
FONT_SUFFIXES = (".ttf", ".otf")
_HEX = r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})\b"


class Swatch(BaseModel):
    hex: str = Field(description="#RRGGBB, or the colour words the user wrote (navy, dark green).")
    role: Role | None = Field(default=None, description="background, text or accent, when the user named one.")


class Recolor(BaseModel):
    """One colour of the kit changed: the one with that role, or that hex, becomes `hex`."""

    of: str = Field(description="The colour to change: its role (background, text, accent) or its current #hex.")
    hex: str = Field(description="The new colour, #RRGGBB or colour words.")


class BrandArgs(BaseModel):
    """What one message sets in the brand kit; every field left out stays as it is."""

    for_campaign: bool = Field(
        default=False,
        description="True when the user says it is for this campaign (or names one): the campaign's kit; "
        "otherwise the team's kit.",
    )
    campaign: str | None = Field(default=None, description="The campaign the user named, if any.")
    logo: Literal["main", "light"] | None = Field(
        default=None,
        description="The image attached to this message is the logo: main, or light (for dark backgrounds).",
    )
    font: Literal["headline", "body"] | None = Field(
        default=None, description="The font file (TTF/OTF) attached to this message is for headlines or body text."
    )
    colors: list[Swatch] = Field(
        default_factory=list, description="The whole palette when the user gives 2 to 6 colours, with roles said."
    )
    recolor: list[Recolor] = Field(
        default_factory=list, description="Single colours changed ('make the accent #00C2A8', 'replace A with B')."
    )
    cta: str | None = Field(default=None, description="The call to action, e.g. Start free.")
    website: str | None = Field(default=None, description="The website or handle for the end card.")
    tone: list[str] | None = Field(default=None, description="Tone words, e.g. ['bold', 'playful'].")
    legal: str | None = Field(default=None, description="The legal line for the end card.")

    def changes_anything(self) -> bool:
        return bool(self.model_dump(exclude_defaults=True, exclude={"for_campaign", "campaign"}))


# --- the rules ---------------------------------------------------------------------------------------------------

_OUR = r"(?:our|my|the|brand(?:'s)?|the\s+brand(?:'s)?)"
_OURS = r"(?:our|my|brand|the\s+brand'?s?)"  # "our CTA"; "the CTA" is the latest video's (chat/planner.py)
_LIGHT = r"(?:light|white|inverted|reversed|negative|dark[\s-]mode)"
# "this is our logo", "here's our light logo", "use this as our logo", "our new logo", "logo for dark backgrounds"
_LOGO = re.compile(
    rf"^(?:(?:this|that|here)(?:'s|\s+is)\s+(?:{_OUR}\s+)?(?:new\s+)?|use\s+this\s+(?:image\s+)?as\s+(?:{_OUR}\s+)?"
    rf"|(?:set|update|change)\s+(?:{_OUR}\s+)?|{_OUR}\s+(?:new\s+)?)?"
    rf"(?:({_LIGHT})\s+)?(?:version\s+of\s+(?:the\s+|our\s+)?)?logo"
    rf"(?:\s+(?:for|on)\s+(dark)\s+(?:backgrounds?|colou?rs?|footage)|\s+\((light|dark)\)|\s+on\s+(dark))?"
    rf"(?:\s+(?:is\s+)?(?:this|attached|here))?\s*[.!:]?\s*$",
    re.I,
)
_COLOURS = re.compile(rf"\b(?:colou?rs?|palette|swatch(?:es)?)\b|^{_HEX}|\b(?:background|accent|text)\b", re.I)
_ROLE_WORDS: dict[str, Role] = {
    "background": "background", "bg": "background", "backdrop": "background", "base": "background",
    "text": "text", "type": "text", "copy": "text", "font": "text", "foreground": "text",
    "accent": "accent", "highlight": "accent", "cta": "accent", "button": "accent", "buttons": "accent",
    "pop": "accent",
}  # fmt: skip
_ROLE = r"(background|bg|backdrop|base|text|type|copy|font|foreground|accent|highlight|cta|buttons?|pop)"
_ROLE_BEFORE = re.compile(rf"\b{_ROLE}(?:\s+colou?r)?\s*(?:is|=|:|-|–|of|as)?\s*$", re.I)
_ROLE_AFTER = re.compile(rf"^\s*(?:\(|as\s+(?:the\s+|our\s+)?|for\s+(?:the\s+)?)?{_ROLE}\b", re.I)
_REPLACE = re.compile(rf"\b(?:replace|swap)\s+({_HEX})\s+(?:with|for|by)\s+({COLOUR})", re.I)
_ROLE_TO = re.compile(
    rf"^(?:please\s+)?(?:change|make|set|switch|update)\s+(?:the\s+|our\s+)?(?:brand\s+|kit'?s?\s+)?{_ROLE}"
    rf"(?:\s+colou?r)?\s+(?:to|=|:|into)?\s*({COLOUR})\s*$",
    re.I,
)
# What may stand around colour words in a message that only sets colours ("white text on a navy background")
_FILLER = re.compile(
    rf"\b(?:{_ROLE[1:-1]}|our|my|the|brand'?s?|kit'?s?|colou?rs?|palette|is|are|and|with|as|a|on|for|to|new|now)\b"
    r"|[\s,:;=()&/+.!-]+",
    re.I,
)
_SET_WORDS = re.compile(r"^(?:our|my|the\s+brand'?s?|brand|kit)\b|\b(?:are|is)\s*:?\s*#|^colou?rs?\s*:", re.I)
_FONT = re.compile(
    r"^(?:please\s+)?(?:use\s+(?:this(?:\s+font)?|[\w .'-]{1,40}?)\s+(?:font\s+)?(?:for|as|in)\s+"
    r"(?:the\s+|our\s+|all\s+)?(headlines?|headings?|titles?|body(?:\s+(?:text|copy))?|text|copy)(?:\s+font)?"
    r"|(?:(?:this|here)(?:'s|\s+is)\s+)?(?:our|the)\s+(headline|heading|title|body|text)\s+font)$",
    re.I,
)
_CTA = re.compile(rf"^(?:{_OURS}\s+)(?:cta|call[\s-]to[\s-]action)\s*(?:is|:|=)?\s*(.+?)\s*$", re.I)
_WEBSITE = re.compile(
    rf"^(?:{_OURS}\s+(?:website|site|web\s+address|url|handle)\s*(?:is|:|=)?|(?:website|site|handle)(?!\s+is\b)\s+)"
    r"\s*((?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?|@[\w.]+)[.!]?$",  # a domain, a link or a handle
    re.I,
)
_TONE = re.compile(
    rf"^(?:{_OURS}\s+)?(?:brand\s+)?(?:tone(?:\s+of\s+voice)?|voice)(?:\s*(?:is|:|=)|\s+-)\s*(.+?)\s*$", re.I
)
_LEGAL = re.compile(
    rf"^(?:{_OURS}\s+)?(?:legal(?:\s+(?:line|text|note|copy))?|disclaimer)\s*(?:is|:|=|-)\s*(.+?)\s*$", re.I
)
_THIS_CAMPAIGN = re.compile(
    r"[\s,;(-]*\b(?:(?:for|in|on)\s+(?:this|the\s+current)\s+campaign(?:\s+only)?|(?:for|in)\s+the\s+campaign'?s?\s+kit"
    r"|(?:as\s+)?(?:the\s+)?campaign\s+kit)\b[)\s.!]*",
    re.I,
)
_NAMED_CAMPAIGN = re.compile(r"[\s,;(-]*\b(?:for|in|on|to)\s+(?:the\s+)?(.+?)\s+campaign(?:'s\s+kit)?\b[)\s.!]*$", re.I)
# Words that make a message a video brief, whatever else it says ("a brand animation of our logo")
_VIDEO = re.compile(
    r"\b(?:video|teaser|clip|ad|advert|spot|animation|animate|showcase|reel|trailer|promo|commercial|seconds?|"
    r"secs?)\b|\d+\s*s\b",
    re.I,
)
_LINES = re.compile(r"\s*[\n;]\s*")
# Where one labelled value ends and the next begins: "our CTA is Shop now and our website is aurora.run"
_NEXT_LABEL = re.compile(
    rf"(?:\s*,\s*|\s*,?\s+and\s+)(?=(?:{_OURS}\s+)?(?:cta|call[\s-]to[\s-]action|website|site|web\s+address|url|handle"
    r"|tone|voice|legal(?:\s+(?:line|text|note|copy))?|disclaimer|colou?rs?|palette|logo|light\s+logo|headline\s+font"
    r"|body\s+font)\b"
    r"\s*(?:is|are|:|=))",
    re.I,
)
_SENTENCES = re.compile(r"(?<=[\w)])\.\s+(?=[A-Z])")


def read_brand(text: str) -> BrandArgs | None:
    """What a message sets in the brand kit, or None when it is not about the kit."""
    text = text.strip()
    if not text or text.startswith("/"):
        return None
    args = BrandArgs()
    text = _scope(text, args)
    for line in _LINES.split(text):
        # A legal line is the rest of its line; a CTA ends where another label starts ("and our website is");
        # anything else is read sentence by sentence.
        parts = _labelled(line)
        clauses = [c for p in parts for c in ([p] if _CTA.match(p) or _LEGAL.match(p) else _SENTENCES.split(p))]
        if not all(_clause(c, args) for c in clauses if c):
            return None  # a clause that says something else: not a kit message after all
    return args if args.changes_anything() else None


def _labelled(line: str) -> list[str]:
    """A line cut where each label starts; a legal line runs to the line's end, whatever it says."""
    parts, start = [], 0
    for m in _NEXT_LABEL.finditer(line):
        if _LEGAL.match(line[start:]):
            break
        parts.append(line[start : m.start()])
        start = m.end()
    return [*parts, line[start:]]


def _scope(text: str, args: BrandArgs) -> str:
    """The message without its "for this campaign" (or "for the Spring sale campaign"), which it records."""
    if m := _THIS_CAMPAIGN.search(text):
        args.for_campaign = True
        return (text[: m.start()] + " " + text[m.end() :]).strip()
    if (m := _NAMED_CAMPAIGN.search(text)) and (name := campaign_named(m.group(0).strip(" ,;("))):
        args.for_campaign, args.campaign = True, name
        return text[: m.start()].strip()
    return text


def _clause(clause: str, args: BrandArgs) -> bool:
    """Read one clause into `args`; False when it says something else. A labelled value (legal line, CTA,
    website, tone) is taken whatever its words; anything else that names a video is a brief."""
    clause = clause.strip()
    if m := _LEGAL.match(clause):
        args.legal = _unquoted(m.group(1))
        return True
    clause = clause.rstrip(".!")
    if m := _CTA.match(clause):
        args.cta = _unquoted(m.group(1))
        return True
    if m := _WEBSITE.match(clause):
        args.website = m.group(1)
        return True
    if m := _TONE.match(clause):
        args.tone = [w for w in (p.strip(" .!") for p in re.split(r"\s*,\s*|\s+and\s+|\s*/\s*", m.group(1))) if w]
        return True
    if _VIDEO.search(_without_colours(clause)):
        return False
    if m := _LOGO.match(clause):
        args.logo = "light" if any(m.group(i) for i in (1, 2, 4)) or (m.group(3) or "").lower() == "dark" else "main"
        return True
    if m := _FONT.match(clause):
        use = (m.group(1) or m.group(2) or "").lower()
        args.font = "body" if use.startswith(("body", "text", "copy")) else "headline"
        return True
    return _colours(clause, args)


def _colours(clause: str, args: BrandArgs) -> bool:
    """The palette ("our colours are #0A2540 and #FF5A1F", "our colours are navy and orange", "background #0A2540,
    accent #FF5A1F") or one colour changed ("make the accent teal", "replace #FF5A1F with #00C2A8"). Colour words
    set the kit only where the message is about colours alone ("a red sneaker on a white background" is a brief)."""
    hits = list(re.finditer(COLOUR, clause, re.I))
    if not hits or not _COLOURS.search(_without_colours(clause)) and not _REPLACE.search(clause):
        return False
    if m := _REPLACE.search(clause):
        args.recolor.append(Recolor(of=_full(m.group(1)), hex=_full(m.group(2))))
        return True
    if len(hits) == 1 and (m := _ROLE_TO.match(clause)):
        args.recolor.append(Recolor(of=_ROLE_WORDS[m.group(1).lower()], hex=_full(m.group(2))))
        return True
    worded = not all(h.group(0).startswith("#") for h in hits)
    if worded and not (_SET_WORDS.search(clause) or not _FILLER.sub("", _without_colours(clause))):
        return False
    swatches = [Swatch(hex=_full(h.group(0)), role=_role_of(clause, h, hits)) for h in hits]
    if len(swatches) == 1 and swatches[0].role:
        args.recolor.append(Recolor(of=swatches[0].role, hex=swatches[0].hex))
        return True
    if not (_SET_WORDS.search(clause) or all(s.role for s in swatches)):
        return False
    args.colors = swatches
    return True


def _role_of(clause: str, hit: re.Match[str], hexes: list[re.Match[str]]) -> Role | None:
    """The role said next to a colour: "background #0A2540" or "#0A2540 (background)", "#0A2540 for text"."""
    index = hexes.index(hit)
    before = clause[hexes[index - 1].end() if index else 0 : hit.start()]
    after = clause[hit.end() : hexes[index + 1].start() if index + 1 < len(hexes) else len(clause)]
    if m := _ROLE_AFTER.match(after):
        return _ROLE_WORDS[m.group(1).lower()]
    if m := _ROLE_BEFORE.search(before.rstrip(" ,")):
        return _ROLE_WORDS[m.group(1).lower()]
    return None


def _full(value: str) -> str:
    """A colour as #RRGGBB ("#f00", "navy"); what is not a colour as it is (the studio says it is not one)."""
    return colour_hex(value) or value


def _without_colours(text: str) -> str:
    return re.sub(COLOUR, " ", text, flags=re.I)


def _unquoted(value: str) -> str:
    return value.strip().strip("\"“”'‘’").strip()


def is_font(name: str) -> bool:
    """Whether an attachment is a font file (by its name: its bytes are checked where it is stored)."""
    return name.lower().endswith(FONT_SUFFIXES)


Palette = list[tuple[str, str | None]]  # (#hex, role)


def changes_of(
    args: BrandArgs, uploads: list[tuple[str, bytes]], palette: Palette, assigned: dict[str, str]
) -> dict[str, Any] | str:
    """The fields of the studio's `BrandChanges` for what a message said, with this message's files (`uploads`:
    name and bytes), the kit's palette as it is and the roles a video gives its colours (`assigned`: role to
    #hex, the studio's `look.roles`), which say what a single colour changes; or what to ask the user for
    instead."""
    images = [(n, d) for n, d in uploads if not is_font(n)]
    fonts = [(n, d) for n, d in uploads if is_font(n)]
    changes: dict[str, Any] = {"cta": args.cta, "website": args.website, "legal": args.legal}
    if args.tone is not None:
        changes["tone"] = ", ".join(args.tone)
    if args.logo:
        if not images:
            return "Attach the logo (a PNG on a transparent background is best) and send *this is our logo* again."
        name, data = images[0]
        changes["logo_light" if args.logo == "light" else "logo"] = {"data": data, "name": name}
    if args.font:
        if not fonts:
            return "Attach the font file (TTF or OTF) with the paperclip and send your message again."
        name, data = fonts[0]
        changes["body_font" if args.font == "body" else "font"] = {"data": data, "name": name}
    colors: Palette = [(_full(s.hex), s.role) for s in args.colors] or list(palette)
    assigned = {} if args.colors else assigned  # a new palette's roles are its own
    for change in args.recolor:
        of = _full(change.of).upper()
        role = next((r for r in ROLES if r == change.of.lower()), None)
        at = [i for i, (hex_, said) in enumerate(colors) if of in (hex_, (said or "").upper())]
        at = at or [i for i, (hex_, said) in enumerate(colors) if not said and role and hex_ == assigned.get(role)]
        if at:  # the colour a video gives that role keeps it, said from now on
            colors[at[0]] = (_full(change.hex), colors[at[0]][1] or role)
        elif role:
            colors.append((_full(change.hex), role))
        else:
            return f"The kit has no colour {change.of}: its colours are {_listed(colors)}. Say which to change."
    if (args.colors or args.recolor) and not 2 <= len(colors) <= MAX_COLORS:
        return (
            f"A palette has 2 to {MAX_COLORS} colours, and this would make {len(colors)} ({_listed(colors)}). "
            "Give the whole palette, e.g. *our colours are #0A2540 and #FF5A1F*."
        )
    if args.colors or args.recolor:
        changes["colors"] = ",".join(f"{hex_}:{role}" if role else hex_ for hex_, role in colors)
    return {k: v for k, v in changes.items() if v is not None}


def _listed(colors: Palette) -> str:
    return ", ".join(f"{hex_} {role}" if role else hex_ for hex_, role in colors) or "none yet"
