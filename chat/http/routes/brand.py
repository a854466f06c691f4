"""Brand kits: `GET/PUT /brand` (the team's; only admins change it) and `GET/PUT /campaigns/{id}/brand` (a
campaign's, over the team's; any member changes it). A PUT is a multipart form: the fields to change, and the
logo, light logo, headline font and body font as files; what it leaves out stays as it was."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chat.http.deps import FOUND, SIGNED, StudioDep, Who
from chat.http.problems import responses
from chat.http.uploads import read_form
from tools.studio.types import BRAND_FONT_MAX_BYTES, BrandChanges, BrandView, FileUpload, InvalidRequest, StorableText

router = APIRouter()

CampaignId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A campaign's id: 32 hex digits.")]
FILES = ("logo", "logo_light", "font", "body_font")


class BrandForm(BaseModel):
    """The text fields of a kit change; each left out stays as it was, and an empty one is emptied."""

    model_config = ConfigDict(extra="forbid")

    colors: StorableText | None = Field(
        None, max_length=200, description='2 to 6 colours: "#0A2540,#FF5A1F" or "navy,orange", a role after each if '
        'wanted ("#0A2540:background"; roles: background, text, accent).'
    )  # fmt: skip
    cta: StorableText | None = Field(None, max_length=120, description="The call to action, e.g. Shop now.")
    website: StorableText | None = Field(None, max_length=120, description="The website or handle for the end card.")
    tone: StorableText | None = Field(None, max_length=800, description='Tone words: "bold, playful".')
    legal: StorableText | None = Field(None, max_length=300, description="The legal line for the end card.")
    clear: StorableText | None = Field(
        None, max_length=200, description="Fields to empty, separated by commas: logo, logo_light, font, body_font, "
        "colors, cta, website, tone, legal."
    )  # fmt: skip


def _upload_schema() -> dict[str, Any]:
    schema = BrandForm.model_json_schema()
    text = {  # a form field is a string or absent, never null
        name: {**next(s for s in field["anyOf"] if s["type"] == "string"), "description": field["description"]}
        for name, field in schema["properties"].items()
    }
    binary = {"type": "string", "format": "binary", "minLength": 1}
    described = {
        "logo": "The main logo: PNG, JPEG, WebP or SVG (kept on its own transparency).",
        "logo_light": "A light logo, for dark backgrounds.",
        "font": "The headline font: TTF or OTF, at most 5 MB.",
        "body_font": "The body text's font: TTF or OTF, at most 5 MB.",
    }
    properties = {**text, **{k: {**binary, "description": v} for k, v in described.items()}}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": properties, "additionalProperties": False}
                }
            },
        }
    }


UPLOAD = _upload_schema()


async def _changes(request: Request, studio: StudioDep) -> BrandChanges:
    limit = 2 * studio.files.reference_max_bytes + 2 * BRAND_FONT_MAX_BYTES
    files, fields = await read_form(
        request, limit, "a brand kit change", max_files=len(FILES), max_fields=12, body="form"
    )
    if unknown := sorted(set(files) - set(FILES)):
        raise InvalidRequest(f"`{unknown[0]}` is not a file a brand kit takes.", hint=f"Files: {', '.join(FILES)}.")
    if as_text := sorted(set(fields) & set(FILES)):
        raise InvalidRequest(f"Send `{as_text[0]}` as a file, not as text.", hint=f"Files: {', '.join(FILES)}.")
    try:
        form = BrandForm.model_validate(fields)
    except ValidationError as exc:
        said = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in exc.errors())
        raise InvalidRequest(f"The brand kit was not changed: {said}.") from None
    clear = [name.strip() for name in (form.clear or "").split(",") if name.strip()]
    uploads = {name: FileUpload(data=data, name=given) for name, (data, given) in files.items()}
    try:
        return BrandChanges.model_validate({**form.model_dump(exclude={"clear"}), **uploads, "clear": clear})
    except ValidationError:
        raise InvalidRequest(
            "`clear` names a field a brand kit does not have.",
            hint="Fields: logo, logo_light, font, body_font, colors, cta, website, tone, legal.",
        ) from None


@router.get("/brand", responses=SIGNED)
async def team_brand(studio: StudioDep, who: Who) -> BrandView:
    """The team's brand kit: its newest version, its history, and links to its logos and fonts."""
    return await studio.brand.get(who)


@router.put("/brand", openapi_extra=UPLOAD, responses=responses(401, 403, 413, 422, 503))
async def set_team_brand(request: Request, studio: StudioDep, who: Who) -> BrandView:
    """Change the team's brand kit (admins only): the next version, with what the form sets; files are checked
    (a font must be a TTF or OTF that draws Latin text; an SVG logo must hold no script, handler or link)."""
    return await studio.brand.set(who, await _changes(request, studio))


@router.get("/campaigns/{campaign_id}/brand", responses=FOUND)
async def campaign_brand(campaign_id: CampaignId, studio: StudioDep, who: Who) -> BrandView:
    """A campaign's brand kit over the team's: each as stored, and the kit its new videos follow (`effective`)."""
    return await studio.brand.get(who, campaign_id=campaign_id)


@router.put("/campaigns/{campaign_id}/brand", openapi_extra=UPLOAD, responses=responses(401, 404, 413, 422, 503))
async def set_campaign_brand(campaign_id: CampaignId, request: Request, studio: StudioDep, who: Who) -> BrandView:
    """Change a campaign's own brand kit (any member): it overrides the team's kit in the fields it sets."""
    return await studio.brand.set(who, await _changes(request, studio), campaign_id=campaign_id)
