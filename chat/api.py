"""The REST API (JWT bearer) and the signed file route, mounted on Chainlit's app before its catch-all route."""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any
from urllib.parse import urlsplit

import jwt
from chainlit.server import app as chainlit_app
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from campaign.errors import ClapboardError, Conflict, NotFound
from campaign.models import ACTIVE, JobStatus
from campaign.storage import UrlSigner, safe_key
from chat.runtime import get_studio
from chat.tokens import token_subject
from tools.engines.replicate_hooks import WebhookRejected
from tools.jobs import Submitted, VideoRequest
from tools.jobs.spec import IDEMPOTENCY_KEY_CHARS
from tools.studio import ModelView, Studio
from tools.templates import get_template
from tools.views import CreativeView, JobView

api = FastAPI(title="Clapboard API", version="1")
files = FastAPI()
_bearer = HTTPBearer(auto_error=False)


async def studio_dep() -> Studio:
    return await get_studio()


StudioDep = Annotated[Studio, Depends(studio_dep)]


async def user(studio: StudioDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The token's subject; 401 without a valid, unexpired token."""
    if credentials is None:
        raise HTTPException(401, "A bearer token is required: create one with `clapboard token`.")
    try:
        return token_subject(studio.settings, credentials.credentials)
    except jwt.PyJWTError as exc:
        raise HTTPException(401, "The token is invalid or expired.") from exc


User = Annotated[str, Depends(user)]


@api.exception_handler(ClapboardError)
async def _clapboard_error(request: Request, exc: ClapboardError) -> JSONResponse:
    status = {NotFound: 404, Conflict: 409, WebhookRejected: 401}.get(type(exc), 422)
    return JSONResponse({"detail": str(exc), "stage": exc.stage}, status_code=status)


class GenerateBody(VideoRequest):
    confirm: bool = False  # paid models wait for confirmation unless this is true


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
SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "The Idempotency-Key was already used with a different body."}
}
WEBHOOK_MAX_BYTES = 1024 * 1024


@api.get("/video/models")
async def models(studio: StudioDep, _: User) -> list[ModelView]:
    return studio.models()


@api.post("/video/generate", status_code=202, responses=SUBMIT_RESPONSES)
async def generate(body: GenerateBody, studio: StudioDep, who: User, key: IdempotencyKey = None) -> Submitted:
    request = VideoRequest(**body.model_dump(exclude={"confirm"}))
    return await studio.submit(request, origin=f"api:{who}", confirmed=body.confirm, idempotency_key=key)


@api.post("/video/examples/{template}", status_code=202, responses=SUBMIT_RESPONSES)
async def generate_from_template(
    template: str, body: GenerateBody, studio: StudioDep, who: User, key: IdempotencyKey = None
) -> Submitted:
    request = VideoRequest(**{**body.model_dump(exclude={"confirm"}), "template": get_template(template).name})
    return await studio.submit(request, origin=f"api:{who}", confirmed=body.confirm, idempotency_key=key)


@api.post("/references", status_code=201)
async def upload_reference(file: UploadFile, studio: StudioDep, _: User) -> dict[str, Any]:
    """Store a reference image (checked by its bytes); pass the returned key in `references`."""
    limit = studio.settings.reference_max_bytes
    data = await file.read(limit + 1)
    ref = await studio.intake.from_bytes(data, file.filename or "upload")
    return {"key": ref.key, "width": ref.width, "height": ref.height, "content_type": ref.content_type}


@api.get("/jobs")
async def jobs(
    studio: StudioDep,
    _: User,
    status: JobStatus | None = None,
    campaign: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[JobView]:
    """Jobs, newest first; filter by status and campaign."""
    return await studio.jobs(status=status, campaign=campaign, limit=limit)


@api.get("/jobs/{job_id}")
async def job(job_id: str, studio: StudioDep, _: User) -> JobView:
    return await studio.job(job_id)


@api.post("/jobs/{job_id}/confirm")
async def confirm(job_id: str, studio: StudioDep, _: User) -> JobView:
    if (await studio.job(job_id)).status != JobStatus.awaiting_confirmation:
        raise HTTPException(409, "This job is not waiting for confirmation.")
    return await studio.confirm(job_id)


@api.post("/jobs/{job_id}/cancel")
async def cancel(job_id: str, studio: StudioDep, who: User) -> JobView:
    if (await studio.job(job_id)).status not in (JobStatus.awaiting_confirmation, *ACTIVE):
        raise HTTPException(409, "This job has already finished.")
    return await studio.cancel(job_id, by=f"api:{who}")


@api.post("/webhooks/replicate", responses={401: {"description": "The signature does not check out."}})
async def replicate_webhook(request: Request, studio: StudioDep, job: str = Query(max_length=32)) -> dict[str, Any]:
    """Replicate reports a finished prediction (signed with the account's webhook secret; no bearer token)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > WEBHOOK_MAX_BYTES:
            raise HTTPException(413, "This webhook body is too large.")
    handled = await studio.replicate_webhook(job, dict(request.headers), bytes(body))
    return {"handled": handled}


@api.get("/campaigns")
async def campaigns(studio: StudioDep, _: User) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "created_at": c.created_at.isoformat()} for c in await studio.campaigns()]


class CampaignBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)


@api.post("/campaigns", status_code=201)
async def create_campaign(body: CampaignBody, studio: StudioDep, _: User) -> dict[str, Any]:
    c = await studio.create_campaign(body.name)
    return {"id": c.id, "name": c.name, "created_at": c.created_at.isoformat()}


def _public(c: CreativeView) -> CreativeView:
    """What API clients see: the URL, never the server's file path."""
    return c.model_copy(update={"file": None})


@api.get("/creatives")
async def creatives(studio: StudioDep, _: User, campaign: str | None = None) -> list[CreativeView]:
    return [_public(c) for c in await studio.creatives(campaign)]


@api.get("/creatives/{creative_id}")
async def creative(creative_id: str, studio: StudioDep, _: User) -> CreativeView:
    return _public(await studio.creative(creative_id))


@files.get("/{key:path}")
async def serve_file(key: str, studio: StudioDep, exp: str = Query(""), sig: str = Query("")) -> FileResponse:
    """A stored file behind a signed, expiring link; Range requests work (video seeking)."""
    signer: UrlSigner | None = getattr(studio.storage, "signer", None)
    if signer is None or not signer.verify(key, exp, sig):
        raise HTTPException(403, "This link is invalid or has expired.")
    try:
        path = studio.storage.local_path(safe_key(key))
    except NotFound:
        path = None
    if path is None:
        raise HTTPException(404, "That file does not exist.")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


class SameOrigin:
    """Refuse browser requests and websockets sent from another site's page (Chainlit allows any origin).

    Without it, any web page the user visits could drive the chat on localhost and confirm paid jobs.
    Requests without an Origin header (the CLI, API clients, tests) pass.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc != headers.get("host"):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4403})
                else:
                    await PlainTextResponse("Cross-site requests are not allowed.", 403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def mount() -> None:
    """Put our routes in front of Chainlit's catch-all GET route, and the origin check in front of all (once)."""
    routes = chainlit_app.router.routes
    if not any(isinstance(r, Mount) and r.path == "/api" for r in routes):
        routes.insert(0, Mount("/api", app=api))
        routes.insert(0, Mount("/files", app=files))
        chainlit_app.add_middleware(SameOrigin)


mount()
