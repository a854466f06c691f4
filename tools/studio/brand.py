"""`studio.brand`: the team's brand kit and each campaign's: show, change (an edit writes the next version), and
the kit a new job follows (the campaign's fields over the team's). Only admins change the team's kit; any member
changes a campaign's. Logos and fonts come as bytes with their file name, from the API, the CLI and the chat alike,
and are checked before anything is written (tools/brand/files.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from campaign.errors import Forbidden, InvalidRequest, NotFound
from campaign.models import BrandKitVersion, Campaign
from campaign.people import LOCAL_OWNER, LOCAL_OWNER_ID, Actor
from campaign.storage import BlobStorage
from campaign.store import Store
from tools.brand import BrandKit, BrandVersion, Color
from tools.brand.colours import colour_hex, hex_of
from tools.brand.contrast import contrast
from tools.brand.current import current, effective
from tools.brand.files import check_font, check_logo, store
from tools.brand.follow import roles
from tools.brand.kit import Font, Use
from tools.references import ReferenceIntake

Clearable = Literal["logo", "logo_light", "font", "body_font", "colors", "cta", "website", "tone", "legal"]
_TEXT = ("cta", "website", "legal")
_FONT_FIELDS: tuple[tuple[str, Use], ...] = (("font", "headline"), ("body_font", "body"))
_LOGO_FIELDS = (("logo", "logo"), ("logo_light", "light logo"))
_LABELS = {
    "logo": "Logo",
    "logo_light": "Light logo",
    "colors": "Colours",
    "fonts": "Fonts",
    "cta": "Call to action",
    "website": "Website",
    "tone": "Tone words",
    "legal": "Legal line",
}
_COLOR = re.compile(r"\s*(.+?)(?:\s*[:= ]\s*(background|text|accent))?\s*", re.I)


class FileUpload(BaseModel):
    """A logo or font as it came: its bytes and the name it was given (for messages only)."""

    data: bytes
    name: str = ""


class BrandChanges(BaseModel):
    """What to change in a kit; what is left None stays as it is. `colors` is a list like "#0A2540,#FF5A1F" or "navy,
    orange" (a role may follow each: "#0A2540:background"), `tone` a list of words like "bold, playful"; `font` is the
    headline font, `body_font` the body text's; `clear` empties fields."""

    model_config = ConfigDict(extra="forbid")

    logo: FileUpload | None = None
    logo_light: FileUpload | None = None
    font: FileUpload | None = None
    body_font: FileUpload | None = None
    colors: str | None = None
    cta: str | None = None
    website: str | None = None
    tone: str | None = None
    legal: str | None = None
    clear: list[Clearable] = []

    def empty(self) -> bool:
        return not self.clear and all(v is None for k, v in self if k != "clear")


class KitVersionView(BaseModel):
    """One stored version of a kit."""

    version: int
    kit: BrandKit
    created_by: str | None  # a name
    created_at: str


class Look(BaseModel):
    """How a video draws the kit: the role each colour gets (tools/brand/follow.roles: those the team gave, the
    others assigned), black or white, whichever reads better on each colour, and the logo drawn on the background
    (the light one on a dark background, and either when the kit has only one)."""

    roles: dict[str, str]  # "background", "text", "accent": #hex, for the roles the palette fills
    inks: dict[str, str]  # #hex: #000000 or #FFFFFF
    logo: str | None  # the logo's storage key


def look_of(kit: BrandKit) -> Look:
    """The kit as a video draws it."""
    by_role = roles(list(kit.colors))
    given = {"background": by_role.background, "text": by_role.text, "accent": by_role.accent}
    inks = {c.hex: _ink(c.rgb) for c in kit.colors}
    background = by_role.background or (kit.colors[0].rgb if kit.colors else None)
    dark = background is not None and _ink(background) == "#FFFFFF"
    return Look(
        roles={role: hex_of(rgb) for role, rgb in given.items() if rgb is not None},
        inks=inks,
        logo=(kit.logo_light or kit.logo) if dark else (kit.logo or kit.logo_light),
    )


def _ink(rgb: tuple[int, int, int]) -> str:
    return "#000000" if contrast(rgb, (0, 0, 0)) >= contrast(rgb, (255, 255, 255)) else "#FFFFFF"


class BrandView(BaseModel):
    """A team's kit, or a campaign's with its team's under it: each stored kit as it is, the kit a new video
    follows (`effective`: the campaign's fields over the team's) with its versions, the edited kit's history, and
    a link for every logo and font the kits name (`files`, by storage key)."""

    campaign: str | None  # the campaign's name; None for the team's kit
    campaign_id: str | None
    team_kit: KitVersionView | None
    campaign_kit: KitVersionView | None
    effective: BrandKit
    version: BrandVersion | None
    label: str  # "team kit v3 + campaign kit v2"
    history: list[KitVersionView]  # the edited kit's versions (the campaign's when one is named), newest first
    files: dict[str, str]
    look: Look  # the effective kit as a video draws it


def parse_colors(text: str) -> list[Color]:
    """ "#0A2540, #FF5A1F:accent" (or colour words: "navy, orange:accent") as a palette; InvalidRequest naming what
    is not a colour."""
    colors = []
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        said, role = _COLOR.fullmatch(part).groups()  # type: ignore[union-attr]  # (.+?) matches any part
        hex_ = colour_hex("#" + said if re.fullmatch(r"[0-9A-Fa-f]{6}", said) else said)
        if hex_ is None:
            raise InvalidRequest(
                f"'{part.strip()[:40]}' is not a colour.",
                hint='Give colours as #RRGGBB or colour words, e.g. "#0A2540,#FF5A1F" or "navy, orange".',
            )
        colors.append(Color(hex=hex_, role=role.lower() if role else None))
    return colors


def _split(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,;\n]", text) if w.strip()]


def _but_files(old: BrandKit, changes: BrandChanges) -> dict[str, Any]:
    """The kit's fields as `changes` sets or clears them, but for uploaded files (`Brand._files`)."""
    update: dict[str, Any] = {}
    fonts = {f.use: f for f in old.fonts}
    cleared_fonts = dict(_FONT_FIELDS)
    for field in changes.clear:
        if field in cleared_fonts:
            fonts.pop(cleared_fonts[field], None)
        else:
            update[field] = BrandKit.model_fields[field].get_default(call_default_factory=True)
    update["fonts"] = [fonts[u].model_dump() for u in ("headline", "body") if u in fonts]
    if changes.colors is not None:
        update["colors"] = [c.model_dump() for c in parse_colors(changes.colors)]
    if changes.tone is not None:
        update["tone"] = _split(changes.tone)
    for name in _TEXT:
        if (given := getattr(changes, name)) is not None:
            update[name] = given
    return update


def _kit(old: BrandKit, update: Mapping[str, Any]) -> BrandKit:
    try:
        return BrandKit.model_validate({**old.model_dump(), **update})
    except ValidationError as exc:
        raise _invalid(exc) from None


def _said(error: ErrorDetails) -> str:
    """What was wrong with a field, after its label: "at most 120 characters"."""
    if error["type"] in ("string_too_long", "too_long"):
        most = error.get("ctx", {})["max_length"]
        return f"at most {most} characters" if error["type"] == "string_too_long" else f"at most {most}"
    said = str(error["msg"]).removeprefix("Value error, ").rstrip(".")
    return said[:1].lower() + said[1:]


def _invalid(exc: ValidationError) -> InvalidRequest:
    """What was refused, each with its field's label: "Call to action: at most 120 characters"."""
    said = "; ".join(
        f"{_LABELS.get(str(e['loc'][0]) if e['loc'] else '', 'Brand kit')}: {_said(e)}" for e in exc.errors()
    )
    return InvalidRequest(f"The brand kit was not changed. {said}.")


class Brand:
    """Brand kits, the actor's team's only."""

    def __init__(self, store: Store, storage: BlobStorage, intake: ReferenceIntake) -> None:
        self.store = store
        self.storage = storage
        self.intake = intake

    async def _campaign(
        self, actor: Actor, name: str | None, campaign_id: str | None, *, missing_ok: bool = False
    ) -> Campaign | None:
        """The team's campaign by id or by name; None for neither (the team's kit), or for a name no campaign has
        yet when `missing_ok`. A blank name is refused; another team's campaign is not found."""
        if campaign_id is not None:
            try:
                found: Campaign | None = await self.store.campaign_by_id(campaign_id)
            except NotFound:
                found = None
            if found is None or found.team_id != actor.team_id:
                raise NotFound("There is no such campaign in your team.")
            return found
        if name is None:
            return None
        if not name.strip():  # the store takes "" for the default campaign
            raise InvalidRequest(
                "A campaign name must be 1 to 200 characters.",
                hint="Name the campaign, or leave it out for the team's kit.",
            )
        try:
            return await self.store.campaign(actor.team_id, name)
        except NotFound:
            if missing_ok:
                return None
            raise

    async def get(self, actor: Actor, campaign: str | None = None, *, campaign_id: str | None = None) -> BrandView:
        """The team's kit, or a campaign's (by name or id) with the team's under it."""
        return await self._view(actor, await self._campaign(actor, campaign, campaign_id))

    async def set(
        self, actor: Actor, changes: BrandChanges, campaign: str | None = None, *, campaign_id: str | None = None
    ) -> BrandView:
        """Change the team's kit (admins only: Forbidden otherwise) or a campaign's (any member; a campaign
        named that does not exist yet is made, once the change is accepted). Words and colours are checked first,
        then files, which are stored only once all are accepted; the kit's next version is written only when
        something changed. InvalidRequest says what was refused."""
        team_kit = campaign is None and campaign_id is None
        if team_kit and not actor.admin:
            raise Forbidden(
                "Only an admin can change the team's brand kit.",
                hint="Ask an admin, or set a campaign's own kit instead.",
            )
        if changes.empty():
            raise InvalidRequest("Nothing to change in the brand kit.", hint="Give a logo, colours, a font or words.")
        found = await self._campaign(actor, campaign, campaign_id, missing_ok=True)
        kept = found is not None or team_kit  # a campaign named for the first time has no kit yet
        latest = await self.store.brand_kit(actor.team_id, found.id if found else None) if kept else None
        old = BrandKit.model_validate(latest.kit) if latest else BrandKit()
        update = _but_files(old, changes)
        _kit(old, update)  # words and colours are refused before any file is stored
        update |= await self._files(actor.team_id, changes, update["fonts"])
        kit = _kit(old, update)
        if found is None and not team_kit:
            found = await self.store.campaign(actor.team_id, campaign, create=True)
        if latest is None or kit != old:
            where = found.id if found else None
            await self.store.add_brand_kit(actor.team_id, where, kit.model_dump(mode="json"), actor.user_id)
        return await self._view(actor, found)

    async def current(self, actor: Actor, campaign_id: str | None) -> tuple[BrandKit | None, BrandVersion | None]:
        """The kit a new job for this campaign follows, and its versions; (None, None) when none is set."""
        return await current(self.store, actor.team_id, campaign_id)

    async def _files(self, team_id: str, changes: BrandChanges, fonts: list[dict[str, Any]]) -> dict[str, Any]:
        """The logos and fonts `changes` uploads, over `fonts`: all checked before any is stored, in the team's
        folder, so a refused file leaves none behind."""
        logos = {}
        for name, what in _LOGO_FIELDS:
            if (upload := getattr(changes, name)) is not None:
                logos[name] = await check_logo(self.intake, upload.data, upload.name, what)
        faces = {}
        for name, use in _FONT_FIELDS:
            if (upload := getattr(changes, name)) is not None:
                faces[use] = (upload.data, await check_font(upload.data, upload.name, use))
        update: dict[str, Any] = {name: await store(self.storage, team_id, png, "png") for name, png in logos.items()}
        by_use = {f["use"]: f for f in fonts}
        for use, (data, (family, ext)) in faces.items():
            key = await store(self.storage, team_id, data, ext)
            by_use[use] = Font(key=key, family=family, use=use).model_dump()
        update["fonts"] = [by_use[u] for u in ("headline", "body") if u in by_use]
        return update

    async def _view(self, actor: Actor, campaign: Campaign | None) -> BrandView:
        team = await self.store.brand_kit(actor.team_id, None)
        mine = await self.store.brand_kit(actor.team_id, campaign.id) if campaign else None
        kit, version = effective(team, mine)
        history = await self.store.brand_kit_versions(actor.team_id, campaign.id if campaign else None)
        people = await self.store.user_names(actor.team_id, (v.created_by for v in history))
        stored = [k for k in (team, mine) if k is not None]
        keys = {key for k in stored for key in _file_keys(BrandKit.model_validate(k.kit))}
        return BrandView(
            campaign=campaign.name if campaign else None,
            campaign_id=campaign.id if campaign else None,
            team_kit=_version_view(team, people) if team else None,
            campaign_kit=_version_view(mine, people) if mine else None,
            effective=kit,
            version=version,
            label=version.label() if version else BrandVersion().label(),
            history=[_version_view(v, people) for v in history],
            files={key: self.storage.url(key) for key in sorted(keys)},
            look=look_of(kit),
        )


def _file_keys(kit: BrandKit) -> list[str]:
    return [k for k in (kit.logo, kit.logo_light) if k] + [f.key for f in kit.fonts]


def _version_view(row: BrandKitVersion, people: Mapping[str, str]) -> KitVersionView:
    by = row.created_by
    return KitVersionView(
        version=row.version,
        kit=BrandKit.model_validate(row.kit),
        created_by=LOCAL_OWNER.name if by == LOCAL_OWNER_ID else people.get(by or "", by),
        created_at=row.created_at.isoformat(),
    )
