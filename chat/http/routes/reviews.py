"""Review and approval: review links a client opens without an account (made, listed and revoked here; the page
they open is /review/{token}), the comments and decisions left through them, and the team's gate that lets only
approved creatives be exported.

A link's `url` is the whole address to send: `CLAPBOARD_PUBLIC_URL` and the link's path when that is set, else the
address this request came to (its Host was checked against the names the server answers to)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from chat.http.deps import FOUND, SIGNED, Id, StudioDep, Who
from chat.http.problems import responses
from tools.studio.types import (
    REVIEW_DEFAULT_DAYS,
    REVIEW_LABEL_CHARS,
    REVIEW_MAX_DAYS,
    ReviewLinkView,
    ReviewNoteView,
    StorableText,
)

router = APIRouter()

LinkId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A review link's id: 32 hex digits.")]


class ShareBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: StrictInt = Field(REVIEW_DEFAULT_DAYS, ge=1, le=REVIEW_MAX_DAYS,
                            description="How many days the link opens the video.")  # fmt: skip
    whole_set: StrictBool = Field(False, description="Show every creative of its set as it is now (its variations "
                                  "and formats), not this one alone.")  # fmt: skip
    label: StorableText = Field("", max_length=REVIEW_LABEL_CHARS,
                                description='Who the link is for, as the team sees it: "client link".')  # fmt: skip


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exports_need_approval: StrictBool = Field(description="Only creatives a reviewer approved can be exported.")


def _addressed(view: ReviewLinkView, request: Request) -> ReviewLinkView:
    """The link with its whole address: the server's public URL when set (the facade wrote it), else this
    request's scheme and host."""
    if view.url != view.path:
        return view
    return view.model_copy(update={"url": f"{request.url.scheme}://{request.url.netloc}{view.path}"})


@router.post("/creatives/{creative_id}/review-links", status_code=201, responses=FOUND)
async def share(
    creative_id: Id, request: Request, studio: StudioDep, who: Who, body: ShareBody | None = None
) -> ReviewLinkView:
    """A new review link for one of the team's creatives (or its whole set): send its `url` to the reviewer, who
    needs no account. The creatives it shows that are drafts are in review from now on."""
    asked = body or ShareBody()
    view = await studio.reviews.share(who, creative_id, days=asked.days, whole_set=asked.whole_set, label=asked.label)
    return _addressed(view, request)


@router.get("/creatives/{creative_id}/review-links", responses=FOUND)
async def links(creative_id: Id, request: Request, studio: StudioDep, who: Who) -> list[ReviewLinkView]:
    """The links that show a creative, newest first, revoked and expired ones too (`state` says which)."""
    return [_addressed(v, request) for v in await studio.reviews.links(who, creative_id)]


@router.delete("/review-links/{link_id}", status_code=204, responses=FOUND)
async def revoke(link_id: LinkId, studio: StudioDep, who: Who) -> Response:
    """Revoke one of the team's links (anyone in the team): it opens nothing from now on."""
    await studio.reviews.revoke(who, link_id)
    return Response(status_code=204)


@router.get("/creatives/{creative_id}/reviews", responses=FOUND)
async def notes(creative_id: Id, studio: StudioDep, who: Who) -> list[ReviewNoteView]:
    """The comments and decisions left on a creative, oldest first: who (the name they typed and the link's
    label), when, where in the video (`at`, "0:03"), and what."""
    return await studio.reviews.notes(who, creative_id)


@router.get("/team/approval", responses=SIGNED)
async def gate(studio: StudioDep, who: Who) -> Approval:
    """Whether the team's exports need approval."""
    return Approval(exports_need_approval=await studio.reviews.gate(who))


@router.put("/team/approval", responses=responses(401, 403, 422, 503))
async def set_gate(body: Approval, studio: StudioDep, who: Who) -> Approval:
    """Turn "exports need approval" on or off for the team (admins only): while on, an export of a creative a
    reviewer has not approved is refused with 403 and the reason."""
    return Approval(exports_need_approval=await studio.reviews.set_gate(who, body.exports_need_approval))
