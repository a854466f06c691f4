"""The REST API (JWT bearer: each token is a user's, and every route answers for that user's team) and the
signed file route, mounted on Chainlit's app before its catch-all route."""

from __future__ import annotations

import mimetypes
import re
from typing import Annotated, Any

from chainlit.server import app as chainlit_app
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from campaign.errors import ClapboardError, Conflict, Forbidden, NotFound, SignInRequired, StorageFailed, TooLarge
from campaign.models import ACTIVE, JobStatus
from campaign.people import Actor
from campaign.text import ReferenceSource, StorableText, Words
from chat.problems import DATABASE_ERRORS, clapboard_error, database_down, http_error, invalid, responses
from chat.runtime import get_studio
from chat.signin import SessionGuard, SignInGuard
from chat.site import SameSite
from chat.uploads import UploadGuard, read_upload
from tools.engines.replicate.hooks import WebhookRejected
from tools.jobs import Submitted, VideoRequest
from tools.jobs.spec import IDEMPOTENCY_KEY_CHARS
from tools.refine import MAX_PROMPT_CHARS
from tools.studio import ModelView, Studio
from tools.templates import get_template
from tools.titles import TITLE_CHARS
from tools.views import CampaignView, CreativeView, JobView

api = FastAPI(title="Clapboard API", version="1")
files = FastAPI()
_bearer = HTTPBearer(auto_error=False)


async def studio_dep() -> Studio:
    return await get_studio()


StudioDep = Annotated[Studio, Depends(studio_dep)]


async def actor(
    studio: StudioDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    """The user the token speaks for; 401 without a valid, unexpired, unrevoked token of a current user."""
    if credentials is None:
        raise SignInRequired("A bearer token is required: create one with `clapboard token --user NAME`.")
    return await studio.accounts.from_token(credentials.credentials)


Who = Annotated[Actor, Depends(actor)]
Id = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A job's or a creative's id: 32 hex digits.")]
CampaignName = Annotated[StorableText | None, Query(min_length=1, max_length=200, description="A campaign's name.")]
STATUS = {NotFound: 404, Conflict: 409, Forbidden: 403, WebhookRejected: 401, SignInRequired: 401, TooLarge: 413,
          StorageFailed: 503}  # fmt: skip


api.add_exception_handler(RequestValidationError, invalid)
api.add_exception_handler(StarletteHTTPException, http_error)
api.add_exception_handler(ClapboardError, clapboard_error(STATUS))
for _error in DATABASE_ERRORS:
    api.add_exception_handler(_error, database_down)
# every route behind a token: a bad token, a request that does not validate, the database restarting
SIGNED = responses(401, 422, 503)
FOUND = responses(401, 404, 422, 503)


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
SUBMIT_RESPONSES = responses(401, 404, 409, 422, 503)
WEBHOOK_MAX_BYTES = 1024 * 1024


@api.get("/video/models", responses=SIGNED)
async def models(studio: StudioDep, _: Who) -> list[ModelView]:
    return studio.models()


@api.post("/video/generate", status_code=202, responses=SUBMIT_RESPONSES)
async def generate(body: GenerateBody, studio: StudioDep, who: Who, key: IdempotencyKey = None) -> Submitted:
    request = VideoRequest(**body.model_dump(exclude={"confirm"}))
    return await studio.submit(who, request, origin=f"api:{who.user_id}", confirmed=body.confirm,
                               idempotency_key=key)  # fmt: skip


@api.post("/video/examples/{template}", status_code=202, responses=SUBMIT_RESPONSES)
async def generate_from_template(
    template: str, body: GenerateBody, studio: StudioDep, who: Who, key: IdempotencyKey = None
) -> Submitted:
    request = VideoRequest(**{**body.model_dump(exclude={"confirm"}), "template": get_template(template).name})
    return await studio.submit(who, request, origin=f"api:{who.user_id}", confirmed=body.confirm,
                               idempotency_key=key)  # fmt: skip


REFERENCE_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "minLength": 1}},
                }
            }
        },
    }
}


@api.post("/references", status_code=201, openapi_extra=REFERENCE_UPLOAD, responses=responses(401, 413, 422, 503))
async def upload_reference(request: Request, studio: StudioDep, who: Who) -> dict[str, Any]:
    """Store a reference image (checked by its bytes); pass the returned key in `references`. The body is read
    only once the token checks out, and never past the size limit."""
    data, name = await read_upload(request, studio.settings.reference_max_bytes)
    ref = await studio.add_reference(who, data=data, name=name)
    return {"key": ref.key, "width": ref.width, "height": ref.height, "content_type": ref.content_type}


@api.get("/jobs", responses=FOUND)
async def jobs(
    studio: StudioDep,
    who: Who,
    status: JobStatus | None = None,
    campaign: CampaignName = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[JobView]:
    """The team's jobs, newest first (other people's price questions are theirs); filter by status and
    campaign."""
    return await studio.jobs(who, status=status, campaign=campaign, limit=limit)


@api.get("/jobs/{job_id}", responses=FOUND)
async def job(job_id: Id, studio: StudioDep, who: Who) -> JobView:
    return await studio.job(who, job_id)


@api.post("/jobs/{job_id}/confirm", responses=responses(401, 403, 404, 409, 422, 503))
async def confirm(job_id: Id, studio: StudioDep, who: Who) -> JobView:
    """Approve a paid job's price: the person who asked for it, or an admin."""
    if (await studio.job(who, job_id)).status != JobStatus.awaiting_confirmation:
        raise HTTPException(409, "This job is not waiting for confirmation.")
    return await studio.confirm(who, job_id)


@api.post("/jobs/{job_id}/cancel", responses=responses(401, 403, 404, 409, 422, 503))
async def cancel(job_id: Id, studio: StudioDep, who: Who) -> JobView:
    """Cancel a job wherever it runs: the person who asked for it, or an admin."""
    if (await studio.job(who, job_id)).status not in (JobStatus.awaiting_confirmation, *ACTIVE):
        raise HTTPException(409, "This job has already finished.")
    return await studio.cancel(who, job_id)


@api.post("/webhooks/replicate", responses=responses(401, 413, 422, 503))
async def replicate_webhook(
    request: Request, studio: StudioDep, job: Annotated[StorableText, Query(min_length=1, max_length=32)]
) -> dict[str, Any]:
    """Replicate reports a finished prediction (signed with the account's webhook secret; no bearer token)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > WEBHOOK_MAX_BYTES:
            raise HTTPException(413, "This webhook body is too large.")
    handled = await studio.replicate_webhook(job, dict(request.headers), bytes(body))
    return {"handled": handled}


@api.get("/campaigns", responses=SIGNED)
async def campaigns(studio: StudioDep, who: Who) -> list[CampaignView]:
    """The team's campaigns, oldest first, each with its number of creatives and their total cost."""
    return await studio.campaigns(who)


class CampaignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Words = Field(min_length=1, max_length=200)


@api.post("/campaigns", status_code=201, responses=SIGNED)
async def create_campaign(body: CampaignBody, studio: StudioDep, who: Who) -> CampaignView:
    return await studio.create_campaign(who, body.name)


def _public(c: CreativeView) -> CreativeView:
    """What API clients see: the URL, never the server's file path."""
    return c.model_copy(update={"file": None})


@api.get("/creatives", responses=FOUND)
async def creatives(studio: StudioDep, who: Who, campaign: CampaignName = None) -> list[CreativeView]:
    return [_public(c) for c in await studio.creatives(who, campaign)]


@api.get("/creatives/{creative_id}", responses=FOUND)
async def creative(creative_id: Id, studio: StudioDep, who: Who) -> CreativeView:
    return _public(await studio.creative(who, creative_id))


class RenameBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Words = Field(min_length=1, max_length=TITLE_CHARS)


@api.patch("/creatives/{creative_id}", responses=FOUND)
async def rename_creative(creative_id: Id, body: RenameBody, studio: StudioDep, who: Who) -> CreativeView:
    """Rename a creative (anyone in the team): 1 to 120 characters, trimmed."""
    return _public(await studio.rename_creative(who, creative_id, body.title))


@api.delete("/creatives/{creative_id}", status_code=204, responses=responses(401, 403, 404, 422, 503))
async def delete_creative(creative_id: Id, studio: StudioDep, who: Who) -> Response:
    """Delete a creative and its files (its maker or an admin); the job that made it keeps its history."""
    await studio.delete_creative(who, creative_id)
    return Response(status_code=204)


@files.api_route("/{key:path}", methods=["GET", "HEAD"])
async def serve_file(
    key: str,
    studio: StudioDep,
    exp: str = Query(""),
    sig: str = Query(""),
    download: str = Query(""),
    range_: str = Header("", alias="Range"),
) -> FileResponse:
    """A stored file behind a signed, expiring link; Range requests work (video seeking). A link signed with a
    `download` name is a download: saved as that file rather than shown."""
    try:
        path, disposition = studio.signed_file(key, exp, sig, download)
    except ClapboardError as exc:
        raise HTTPException(STATUS.get(type(exc), 404), str(exc)) from None
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if disposition:
        headers["Content-Disposition"] = disposition
    whole = range_ and not _valid_range(range_)
    return (WholeFile if whole else FileResponse)(path, media_type=media_type, headers=headers)


def _valid_range(value: str) -> bool:
    """A byte range set as RFC 9110 defines it: `bytes=` then `first-last`, `first-` or `-suffix` items, with
    first <= last."""
    unit, _, items = value.replace(" ", "").partition("=")
    for item in items.split(",") if unit == "bytes" else [""]:
        found = re.fullmatch(r"(\d*)-(\d*)", item)
        if not found or found.group(1) == found.group(2) == "":
            return False
        if found.group(1) and found.group(2) and int(found.group(2)) < int(found.group(1)):
            return False
    return True


class WholeFile(FileResponse):
    """The whole file, for a Range header that does not parse (RFC 9110 says to ignore it, not to fail)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
        await super().__call__({**scope, "headers": headers}, receive, send)


def mount() -> None:
    """Put our routes in front of Chainlit's catch-all GET route, and the same-site, session and upload checks in
    front of all (once)."""
    routes = chainlit_app.router.routes
    if not any(isinstance(r, Mount) and r.path == "/api" for r in routes):
        mounted = Mount("/api", app=api)
        # An id with a line break in it would miss the mount (Starlette's `.` stops at one) and get Chainlit's bare
        # 404; it reaches the API's own checks instead, and their answer in our shape.
        mounted.path_regex = re.compile(mounted.path_regex.pattern, re.DOTALL)
        routes.insert(0, mounted)
        routes.insert(0, Mount("/files", app=files))
        chainlit_app.add_middleware(UploadGuard)
        chainlit_app.add_middleware(SignInGuard)  # the throttle in front of POST /login
        chainlit_app.add_middleware(SessionGuard)
        chainlit_app.add_middleware(SameSite)


mount()
