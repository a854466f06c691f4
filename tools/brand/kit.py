"""A brand kit: the logos, colours with their roles, fonts and words a team sets once (and a campaign may override
field by field), which every video follows. Logos and fonts are stored files, named here by their storage keys;
the kit module checks what it can without them (colours, names, sizes)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from campaign.text import storable

MAX_COLORS = 6
MAX_FONTS = 2
MAX_TONE = 6
LINE_CHARS = 120
LEGAL_CHARS = 300

Role = Literal["background", "text", "accent"]
Use = Literal["headline", "body"]
HEX = re.compile(r"#[0-9A-Fa-f]{6}")

_Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LINE_CHARS), AfterValidator(storable)]
_Key = Annotated[str, StringConstraints(max_length=300, pattern=r"^brand/[A-Za-z0-9._/-]+$")]


def _hex(value: str) -> str:
    value = value.strip()
    if not HEX.fullmatch(value):
        raise ValueError(f"{value!r} is not a colour: give it as #RRGGBB, for example #0A2540.")
    return value.upper()


class Color(BaseModel):
    """One colour of the palette and, when the team gave it one, its role."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hex: Annotated[str, AfterValidator(_hex)] = Field(description="#RRGGBB")
    role: Role | None = Field(default=None, description="background, text or accent; assigned when unset.")

    @property
    def rgb(self) -> tuple[int, int, int]:
        return (int(self.hex[1:3], 16), int(self.hex[3:5], 16), int(self.hex[5:7], 16))


class Font(BaseModel):
    """An uploaded font file (TTF or OTF, checked), and what it is used for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: _Key = Field(description="The stored font file.")
    family: _Line = Field(description="The font's family name, as its file gives it.")
    use: Use = Field(default="headline", description="headline or body.")


class BrandKit(BaseModel):
    """What a team or a campaign sets. An empty field is not set: a campaign's kit overrides the team's kit only
    in the fields it sets (`over`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    logo: _Key | None = Field(default=None, description="The main logo (a stored PNG, on its own alpha).")
    logo_light: _Key | None = Field(default=None, description="A light logo, for dark backgrounds.")
    colors: list[Color] = Field(default_factory=list, max_length=MAX_COLORS, description="2 to 6 colours.")
    fonts: list[Font] = Field(default_factory=list, max_length=MAX_FONTS, description="Up to two fonts.")
    cta: _Line = Field(default="", description="The call to action, e.g. Shop now.")
    website: _Line = Field(default="", description="The website or handle for the end card.")
    tone: list[_Line] = Field(default_factory=list, max_length=MAX_TONE, description="Tone words: bold, playful.")
    legal: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=LEGAL_CHARS), AfterValidator(storable)
    ] = Field(default="", description="The legal line for the end card.")

    @field_validator("colors")
    @classmethod
    def _a_palette(cls, colors: list[Color]) -> list[Color]:
        if len(colors) == 1:
            raise ValueError("A palette has 2 to 6 colours: add at least one more.")
        roles = [c.role for c in colors if c.role]
        if twice := next((r for r in roles if roles.count(r) > 1), None):
            raise ValueError(
                f"Give one colour the {twice} role, not {roles.count(twice)}; leave the others' roles out."
            )
        return colors

    @field_validator("fonts")
    @classmethod
    def _one_per_use(cls, fonts: list[Font]) -> list[Font]:
        if len({f.use for f in fonts}) < len(fonts):
            raise ValueError("Give one font for headlines and one for body text.")
        return fonts

    def is_empty(self) -> bool:
        return self == BrandKit()

    def over(self, base: BrandKit) -> BrandKit:
        """This kit's set fields over `base`'s: a campaign's kit over its team's. Fonts are taken by use (a body
        font alone keeps the team's headline font); the two logos go together, so a campaign's logo is never
        shown beside the team's other one."""
        update = {k: getattr(self, k) for k in self.model_dump(exclude_defaults=True)}
        if self.fonts:
            update["fonts"] = [f for u in ("headline", "body") if (f := self.font_for(u) or base.font_for(u))]
        if self.logo or self.logo_light:
            update |= {"logo": self.logo, "logo_light": self.logo_light}
        return base.model_copy(update=update)

    def font_for(self, use: Use) -> Font | None:
        return next((f for f in self.fonts if f.use == use), None)


class BrandVersion(BaseModel):
    """Which kit versions made a creative: the team's and, when the campaign has its own, the campaign's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team: int | None = None
    campaign: int | None = None

    def label(self) -> str:
        parts = [f"team kit v{self.team}"] if self.team else []
        parts += [f"campaign kit v{self.campaign}"] if self.campaign else []
        return " + ".join(parts) or "no brand kit"
