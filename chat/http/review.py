"""The review page a client opens without an account: `/review/<token>`, mounted before Chainlit's catch-all.

The token in the address is the only permission: every call goes to `studio.reviews` with it, which opens the
creatives the link was made for and nothing else. The page works without JavaScript (plain forms posting
urlencoded, answered 303 back to the page) and better with it (review.js, same origin: the comment's time from the
video, the name remembered, posts as JSON answered 201). What a reviewer typed is shown through Jinja's
autoescape only, never as markup or a link.

Every answer carries a strict Content-Security-Policy (nothing but this server, and the storage's origin for the
videos when it is S3), no Referer (the token must not travel to another site), nosniff and no-store. Bodies are
capped before they are parsed.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import jinja2
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chat.runtime import services
from tools.studio.types import (
    REVIEW_KIND_WORDS,
    REVIEW_NAME_CHARS,
    REVIEW_TEXT_CHARS,
    ClapboardError,
    Decision,
    InvalidRequest,
    LinkGone,
    NotFound,
    ReviewNoteView,
    ReviewPage,
    TooLarge,
    TooMany,
)

ASSETS = Path(__file__).with_name("review_page")
ASSET_TYPES = {"review.css": "text/css; charset=utf-8", "review.js": "text/javascript; charset=utf-8"}
# A comment is at most 2000 characters; a form sends each percent-encoded (an emoji is 12 bytes), with its fields.
MAX_BODY = REVIEW_TEXT_CHARS * 12 + 4096
NAME_COOKIE = "review_name"
NAME_COOKIE_S = 90 * 24 * 3600  # as long as a link can live
STATUS = {NotFound: 404, LinkGone: 410, TooMany: 429, TooLarge: 413, InvalidRequest: 422}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'{media}; "
       "media-src 'self'{media}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")  # fmt: skip
HEADERS = {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
           "X-Frame-Options": "DENY", "Content-Security-Policy": CSP.format(media="")}  # fmt: skip
DECISIONS: tuple[Decision, ...] = ("approve", "request changes")

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(ASSETS), autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip


def _when(iso: str) -> str:
    """12 May 2025, 14:03 UTC: when a note was left (review.js shows it in the reader's own time)."""
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _day(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%B %Y}"


_templates.filters.update(when=_when, day=_day)
_templates.globals.update(kind_words=REVIEW_KIND_WORDS, name_chars=REVIEW_NAME_CHARS, text_chars=REVIEW_TEXT_CHARS)


class Secured:
    """Sets the review headers on every answer of the review app that has not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()
                            if k.lower().encode() not in present]  # fmt: skip
            await send(message)

        await self.app(scope, receive, secured if scope["type"] == "http" else send)


def build_review() -> FastAPI:
    """The review app mounted at `/review`."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.add_api_route("/assets/{name}", asset, methods=["GET", "HEAD"])
    app.add_api_route("/{token}", show, methods=["GET", "HEAD"])
    app.add_api_route("/{token}/comments", comment, methods=["POST"])
    app.add_api_route("/{token}/decision", decide, methods=["POST"])
    app.add_api_route("/{token}/video/{creative_id}", video, methods=["GET", "HEAD"])
    app.add_api_route("/{token}/poster/{creative_id}", poster, methods=["GET", "HEAD"])
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_middleware(Secured)
    return app


async def asset(name: str) -> Response:
    """The page's own stylesheet and script (same origin: the CSP allows nothing else)."""
    if name not in ASSET_TYPES:
        return _plain(404, "Nothing here", "There is no such file.")
    return FileResponse(ASSETS / name, media_type=ASSET_TYPES[name], headers={"Cache-Control": "no-cache"})


async def show(request: Request, token: str) -> Response:
    try:
        page = await services().studio.reviews.page(token)
    except ClapboardError as exc:
        return _refused(exc)
    return await _page(request, token, page)


async def comment(request: Request, token: str) -> Response:
    """A comment at a time in a video (`name`, `text`, `at_s` in seconds or empty for the whole video)."""
    return await _post(request, token, "comment")


async def decide(request: Request, token: str) -> Response:
    """A decision: `decision` is "approve" or "request changes", with a `note` (the page's one box sends `text`)."""
    return await _post(request, token, "decision")


async def video(token: str, creative_id: str) -> Response:
    return await _file(token, creative_id, poster=False)


async def poster(token: str, creative_id: str) -> Response:
    return await _file(token, creative_id, poster=True)


async def _file(token: str, creative_id: str, *, poster: bool) -> Response:
    """A redirect to a short-lived address of a file the link shows: no other creative's."""
    try:
        url = await services().studio.reviews.file_url(token, creative_id, poster=poster)
    except ClapboardError as exc:
        return _refused(exc)
    return RedirectResponse(url, status_code=302)


async def _post(request: Request, token: str, what: str) -> Response:
    wants_json = request.headers.get("content-type", "").split(";")[0].strip() == "application/json"
    fields: dict[str, Any] = {}
    try:
        fields = await _fields(request, wants_json)
        reviews = services().studio.reviews
        creative_id, name = _text(fields, "creative_id"), _text(fields, "name")
        if what == "comment":
            note = await reviews.comment(token, creative_id, name, _text(fields, "text"), _seconds(fields))
        else:
            decision = next((d for d in DECISIONS if d == _text(fields, "decision")), None)
            if decision is None:
                raise InvalidRequest("A decision is “approve” or “request changes”.")
            said = _text(fields, "note") if "note" in fields else _text(fields, "text")
            note = await reviews.decide(token, creative_id, name, decision, said)
    except ClapboardError as exc:
        if wants_json:
            return JSONResponse({"detail": str(exc)}, STATUS.get(type(exc), 422))
        if isinstance(exc, NotFound | LinkGone) or "creative_id" not in fields:
            return _refused(exc)
        try:
            page = await services().studio.reviews.page(token)
        except ClapboardError as gone:
            return _refused(gone)
        return await _page(request, token, page, error=(str(fields["creative_id"]), str(exc), fields),
                           status=STATUS.get(type(exc), 422))  # fmt: skip
    answer = _answered(token, note, wants_json)
    _remember(answer, request, token, note.name)
    return answer


def _answered(token: str, note: ReviewNoteView, wants_json: bool) -> Response:
    """Back to the page (a form), or the note as the page shows it (JSON): nothing the team named (the link's
    label), and the video's status through this link once it is a decision."""
    if not wants_json:
        return RedirectResponse(f"/review/{token}#item-{note.creative_id}", status_code=303)
    shown = note.model_dump(include={"id", "creative_id", "kind", "name", "text", "at_s", "at", "created_at"})
    status = {} if note.kind == "comment" else {"status": note.kind}
    return JSONResponse({**shown, **status, "kind_words": REVIEW_KIND_WORDS[note.kind],
                         "when": _when(note.created_at)}, 201)  # fmt: skip


async def _fields(request: Request, as_json: bool) -> dict[str, Any]:
    """The posted fields, from JSON or a urlencoded form, read no further than MAX_BODY bytes."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise TooLarge(f"That is too long to send: at most {REVIEW_TEXT_CHARS} characters.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise TooLarge(f"That is too long to send: at most {REVIEW_TEXT_CHARS} characters.")
    try:
        text = body.decode()
        found = json.loads(text) if as_json else dict(parse_qsl(text, keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("The form could not be read. Reload the page and send it again.") from None
    if not isinstance(found, dict):
        raise InvalidRequest("Send the fields as a JSON object.")
    return found


def _text(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key, "")
    if not isinstance(value, str):
        raise InvalidRequest(f"“{key}” is text.")
    return value


def _seconds(fields: dict[str, Any]) -> float | None:
    """Where in the video: seconds from its start, or None (empty, null) for the whole of it."""
    value = fields.get("at_s")
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InvalidRequest("The time in the video is a number of seconds, or empty for the whole video.") from None
    if seconds != seconds or isinstance(value, bool):
        raise InvalidRequest("The time in the video is a number of seconds, or empty for the whole video.")
    return seconds


def _remember(response: Response, request: Request, token: str, name: str) -> None:
    """The name typed once, in a cookie only this link's pages receive."""
    response.set_cookie(NAME_COOKIE, quote(name), max_age=NAME_COOKIE_S, path=f"/review/{token}", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")  # fmt: skip


async def _page(request: Request, token: str, page: ReviewPage, *, status: int = 200,
                error: tuple[str, str, dict[str, Any]] | None = None) -> Response:  # fmt: skip
    name = unquote(request.cookies.get(NAME_COOKIE, ""))[:REVIEW_NAME_CHARS]
    # the campaign's name; for the team's unnamed default campaign, what the page is
    heading = page.campaign or ("Video for review" if len(page.items) == 1 else "Videos for review")
    body = _templates.get_template("page.html").render(page=page, heading=heading, base=f"/review/{token}",
                                                       name=name, error=error)  # fmt: skip
    media = await _storage_origin(token, page)
    return HTMLResponse(body, status, headers={"Content-Security-Policy": CSP.format(media=media)})


async def _storage_origin(token: str, page: ReviewPage) -> str:
    """The origin the videos are redirected to when it is not this server (S3): the CSP must allow it."""
    if not page.items:
        return ""
    parts = urlsplit(await services().studio.reviews.file_url(token, page.items[0].id))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def _refused(exc: ClapboardError) -> Response:
    status = STATUS.get(type(exc), 422)
    title = {404: "Link not found", 410: "This link has ended", 429: "Please wait a moment"}.get(status, "Not sent")
    return _plain(status, title, str(exc))


def _plain(status: int, title: str, message: str) -> Response:
    body = _templates.get_template("plain.html").render(title=title, message=message)
    return HTMLResponse(body, status)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 405:
        return _plain(405, "Not here", "Open the review link you were sent.")
    return _plain(404, "Link not found", "There is no such review link. Check the address you were sent.")
