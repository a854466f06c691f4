"""The models, the voices and the video requests: `/video/models`, `/video/voices`, `/video/generate`,
`/video/examples/{template}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from chat.http.deps import SIGNED, StudioDep, Who
from chat.http.problems import responses
from tools.studio.types import (
    IDEMPOTENCY_KEY_CHARS,
    MAX_PROMPT_CHARS,
    ModelView,
    ReferenceSource,
    Submitted,
    VideoRequest,
    VoiceView,
    Words,
)

router = APIRouter()


class GenerateBody(VideoRequest):
    """A video request as the API takes it: unknown fields are refused, not ignored, and the schema says what
    else is refused (a length or rate of 0 or less, a reference that is neither a stored key nor a URL)."""

    model_config = ConfigDict(extra="forbid")
    prompt: Words = Field(max_length=MAX_PROMPT_CHARS, description="The brief: what the video shows and says.")
    duration_s: StrictInt | None = Field(default=None, gt=0, description="Length in seconds.")
    fps: StrictInt | None = Field(default=None, gt=0, description="Frames per second (model-dependent).")
    references: list[ReferenceSource] = Field(
        default_factory=list, description="Reference images: keys from POST /references (refs/...) or http(s) URLs."
    )
    confirm: StrictBool = False  # paid models wait for confirmation unless this is true


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_CHARS,
        description="Makes the request safe to retry: the same key with the same body returns the job the first "
        "request made (never a second job, even when both arrive at once); the same key with another body is "
        "a 409.",
    ),
]
SUBMIT_RESPONSES = responses(401, 402, 404, 409, 422, 503)  # 402: `confirm` over a monthly budget


@router.get("/video/models", responses=SIGNED)
async def models(studio: StudioDep, _: Who) -> list[ModelView]:
    return studio.models.list()


@router.get("/video/voices", responses=SIGNED)
async def voices(studio: StudioDep, _: Who) -> list[VoiceView]:
    """Every voice-over voice: engine, gender, price per 1,000 characters, licence, and whether it speaks here now
    (a premium voice needs Replicate)."""
    return studio.models.voices()


@router.post("/video/generate", status_code=202, responses=SUBMIT_RESPONSES)
async def generate(body: GenerateBody, studio: StudioDep, who: Who, key: IdempotencyKey = None) -> Submitted:
    request = VideoRequest(**body.model_dump(exclude={"confirm"}))
    return await studio.jobs.submit(who, request, origin=f"api:{who.user_id}", confirmed=body.confirm,
                                    idempotency_key=key, brief=await studio.jobs.read_brief(request))  # fmt: skip


@router.post("/video/examples/{template}", status_code=202, responses=SUBMIT_RESPONSES)
async def generate_from_template(
    template: str, body: GenerateBody, studio: StudioDep, who: Who, key: IdempotencyKey = None
) -> Submitted:
    request = VideoRequest(**{**body.model_dump(exclude={"confirm"}), "template": studio.jobs.template_name(template)})
    return await studio.jobs.submit(who, request, origin=f"api:{who.user_id}", confirmed=body.confirm,
                                    idempotency_key=key, brief=await studio.jobs.read_brief(request))  # fmt: skip
